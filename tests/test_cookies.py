"""The session id the middleware reads from a Cookie header without ``http.cookies``
(``cookies.session_id``) is the one Beaker's own ``SignedCookie`` reads, on every header
it is sure of; every other header is left to Beaker."""

import hashlib
import hmac
import random

import pytest
from beaker.container import MemoryNamespaceManager
from beaker.session import InvalidSignature, SignedCookie
import webtest

try:
    from http.cookies import CookieError
except ImportError:  # Python 2.7
    from Cookie import CookieError

from wsgi_session_timeout import SessionTimeoutMiddleware, cookies, login

from . import apps

SECRET = "cookie-reading-secret-0123456789"
KEY = "beaker.session.id"
READER = cookies.Reader.of(KEY, SECRET)
ID = "0123456789abcdef0123456789abcdef"
OTHER_ID = "fedcba9876543210fedcba9876543210"


def signed(session_id, secret=SECRET):
    return apps.signed_cookie_value(secret, session_id)


def beakers_id(header, key=KEY, secret=SECRET):
    """What Beaker's Session.__init__ reads from ``header`` (None: a new session)."""
    try:
        cookie = SignedCookie(secret, input=header)
    except CookieError:
        return None
    if key not in cookie:
        return None
    value = cookie[key].value
    return None if value is InvalidSignature else value


GOOD = signed(ID)
ACTIVITY = "beaker.session.id.activity=1700000000.1700000000.5d37ad3ba6e1139f." + "a" * 32

PLAIN = [
    "beaker.session.id=" + GOOD,
    "beaker.session.id=%s; %s" % (GOOD, ACTIVITY),
    "%s; beaker.session.id=%s" % (ACTIVITY, GOOD),
    "_ga=GA1.1.2087:1700; beaker.session.id=%s; theme=dark" % GOOD,
    "a=1;beaker.session.id=%s;b=2;" % GOOD,
    "beaker.session.id=%s; beaker.session.id=%s" % (signed(OTHER_ID), GOOD),
    "beaker.session.id=%s; beaker.session.id=%s" % (GOOD, signed(OTHER_ID)),
    "beaker.session.id=" + signed(ID, "another secret"),
    "beaker.session.id=" + GOOD[:-1] + "0",
    "beaker.session.id=" + GOOD.upper(),
    "beaker.session.id=",
    "beaker.session.id=; other=1",
    "other=1; beaker.session.idx=" + GOOD,
    "xbeaker.session.id=" + GOOD,
    "csrf=a/b+c==; beaker.session.id=" + GOOD,
    "v=(1)<2>@{3}?~|^`!#$%&'*+-.:,; beaker.session.id=" + GOOD,
    "pathname=1; beaker.session.id=" + GOOD,
    "only=cookie",
    "a=1,b=2; beaker.session.id=" + GOOD,  # "1,b=2" is a's value, for Beaker too
]

ODD = [
    'beaker.session.id="%s"' % GOOD,
    "$Version=1; beaker.session.id=" + GOOD,
    "beaker.session.id=%s; Path=/" % GOOD,
    "beaker.session.id=%s; path=/; other=1" % GOOD,
    "Path=/; beaker.session.id=" + GOOD,
    "beaker.session.id=%s; secure=1" % GOOD,
    "beaker.session.id=%s; SameSite=Lax" % GOOD,
    "beaker.session.id = " + GOOD,
    "beaker.session.id=%s other=1" % GOOD,
    "bad key=1; beaker.session.id=" + GOOD,
    "a[1]=2; beaker.session.id=" + GOOD,
    "a=[1]; beaker.session.id=" + GOOD,
    'a="x; y"; beaker.session.id=' + GOOD,
    "a=b\\c; beaker.session.id=" + GOOD,
    "a=\u00e9; beaker.session.id=" + GOOD,
    "beaker.session.id=" + GOOD[:40],
    "beaker.session.id=" + GOOD[:12],
    "beaker.session.id=%s\n" % GOOD,
    "flag; beaker.session.id=" + GOOD,
]


@pytest.mark.parametrize("header", PLAIN)
def test_a_plain_header_is_read_as_beaker_reads_it(header):
    found = cookies.session_id(header, READER)
    assert found is not cookies.UNSURE
    assert found == beakers_id(header)


def test_the_plain_headers_cover_every_answer():
    answers = set(cookies.session_id(header, READER) for header in PLAIN)
    assert answers == set([ID, OTHER_ID, None])


@pytest.mark.parametrize("header", ODD)
def test_a_header_of_another_form_is_left_to_beaker(header):
    assert cookies.session_id(header, READER) is cookies.UNSURE


PIECES = ["beaker.session.id=" + GOOD, "beaker.session.id=" + signed(OTHER_ID),
          "beaker.session.id=", "beaker.session.id=" + GOOD[:30], ACTIVITY, "a=1",
          "b=x=y", "Path=/", "path=/x", "secure", "Secure=1", "$Version=1", '"q"=1',
          'c="quoted"', "d=a b", "e=[1]", "f", "g=\\", "h=\u00e9",
          "expires=Wed, 09 Jun 2021 10:18:14 GMT",
          "max-age=5", "beaker.session.id =" + GOOD, "k.l=m,n", "=v", "x=1 y=2"]
SEPARATORS = ["; ", ";", " ; ", ";  ", ", ", " "]


def test_whatever_the_header_a_sure_answer_is_beakers():
    chance = random.Random(20261130)
    sure = 0
    for _ in range(4000):
        parts = [chance.choice(PIECES) for _ in range(chance.randint(1, 5))]
        header = parts[0]
        for part in parts[1:]:
            header += chance.choice(SEPARATORS) + part
        if chance.random() < 0.1:
            header = " " + header + chance.choice(["", ";", " "])
        found = cookies.session_id(header, READER)
        if found is not cookies.UNSURE:
            sure += 1
            assert found == beakers_id(header), header
    assert sure > 200  # the plain form comes up often enough to be checked


def test_many_copies_of_the_cookie_and_a_bad_end_are_left_to_beaker_at_once():
    # Each pair is read one way only: no backtracking over the copies.
    header = "; ".join(["beaker.session.id=" + GOOD] * 2000) + '; bad="'
    assert cookies.session_id(header, READER) is cookies.UNSURE


def test_no_reader_without_a_secret():
    assert cookies.Reader.of(KEY, None) is None
    assert cookies.Reader.of(KEY, "") is None
    assert cookies.Reader.of(None, SECRET) is None


def test_a_name_with_regular_expression_characters_is_literal():
    reader = cookies.Reader.of("s.i+d", SECRET)
    header = "s.i+d=" + GOOD
    assert cookies.session_id(header, reader) == ID == beakers_id(header, "s.i+d")
    assert cookies.session_id("sxi+d=" + GOOD, reader) is None is beakers_id(
        "sxi+d=" + GOOD, "s.i+d")


@pytest.mark.parametrize("name", ["sid(x)", "session id", "$sid", "path", "Max-Age"])
def test_a_name_beaker_cannot_read_is_always_left_to_beaker(name):
    assert cookies.Reader.of(name, SECRET) is None


# -- through the middleware, as an app sees it ----------------------------------------------


def _app(environ, start_response):
    session = environ["beaker.session"]
    if environ["PATH_INFO"] == "/login":
        login(environ, "alice")
        body = "signed in"
    else:
        body = "%s %s %s" % (session.get("user"), session.id,
                             session._session().request.get("cookie"))
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body.encode("utf-8")]


@pytest.fixture
def client(fresh_memory_store):
    app = SessionTimeoutMiddleware(_app, {"beaker.session.type": "memory",
                                          "beaker.session.secret": SECRET,
                                          "session_timeout.auth_key": "user",
                                          "session_timeout.idle_timeout": "1800"})
    client = webtest.TestApp(app)
    client.post("/login")
    return client


def _session_cookie(client):
    return "beaker.session.id=" + client.cookies["beaker.session.id"]


def test_a_signed_in_browser_reads_its_session_either_way(client):
    cookie = _session_cookie(client)
    session_id = cookie[len("beaker.session.id=") + 40:]
    for header in (cookie + "; theme=dark",  # plain: read without http.cookies
                   "$Version=1; " + cookie + "; theme=dark"):  # left to Beaker
        client.cookiejar.clear()
        user, seen_id, kept = client.get("/", headers={"Cookie": header}).text.split(" ", 2)
        assert (user, seen_id) == ("alice", session_id)
        # The session's request keeps the header it came with.
        assert kept.startswith(header[:12])


def test_a_cookie_beaker_refuses_is_a_new_session_either_way(client):
    cookie = _session_cookie(client)
    forged = cookie[:-1] + ("0" if cookie[-1] != "0" else "1")
    for header in (forged, "$Version=1; " + forged):
        client.cookiejar.clear()
        user, seen_id, _ = client.get("/", headers={"Cookie": header}).text.split(" ", 2)
        assert user == "None"
        assert seen_id != forged[-32:]


def test_a_checked_value_is_remembered_within_bounds():
    reader = cookies.Reader.of(KEY, SECRET)
    forged = "beaker.session.id=" + GOOD[:-1] + "0"
    for _ in range(2):
        assert cookies.session_id("beaker.session.id=" + GOOD, reader) == ID
        assert cookies.session_id(forged, reader) is None
    assert reader.checked == {GOOD: ID, GOOD[:-1] + "0": None}
    for number in range(cookies.CHECKED_SIZE + 10):
        cookies.session_id("beaker.session.id=" + signed("%032x" % number), reader)
    assert len(reader.checked) <= cookies.CHECKED_SIZE
    long_id = "x" * 300
    assert cookies.session_id("beaker.session.id=" + signed(long_id), reader) == long_id
    assert signed(long_id) not in reader.checked


class _FailingStore(MemoryNamespaceManager):
    """A memory namespace whose records cannot be read: a store that fails."""

    def __getitem__(self, key):
        raise IOError("the store does not answer")


def test_the_header_is_put_back_when_the_store_fails_on_the_way_in():
    middleware = SessionTimeoutMiddleware(_app, {
        "beaker.session.type": "memory", "beaker.session.secret": SECRET,
        "beaker.session.namespace_class": _FailingStore})
    from wsgi_session_timeout import store
    header = "beaker.session.id=%s; %s" % (GOOD, ACTIVITY)
    session = store.OwnSessionObject({"HTTP_COOKIE": header}, middleware.beaker)
    with pytest.raises(IOError):
        session._session()
    # What Beaker reads its id from is the header the browser sent, not an empty one.
    assert session.__dict__["_headers"]["cookie"] == header
    assert session.__dict__["_sess"] is None


def test_an_administrators_session_handle_never_waits_for_the_breaker(fresh_memory_store):
    from wsgi_session_timeout import store
    middleware = SessionTimeoutMiddleware(_app, {"beaker.session.type": "memory",
                                                 "beaker.session.secret": SECRET})
    assert middleware.beaker["session_class"].breaker is middleware.breaker
    handle = store.handle(middleware.beaker)
    assert handle.breaker is None
    assert middleware.beaker["session_class"].breaker is middleware.breaker


@pytest.mark.parametrize("name", ["sha1", "sha256"])
@pytest.mark.parametrize("key", [b"", b"k", b"k" * 64, b"k" * 65, bytes(bytearray(range(200)))])
def test_the_precomputed_hmac_is_hmac(name, key):
    from wsgi_session_timeout._compat import HmacPads
    pads = HmacPads(key, name)
    for message in (b"", b"session:0123", b"m" * 300):
        assert pads.hexdigest(message) == hmac.new(key, message,
                                                   getattr(hashlib, name)).hexdigest()
