# -*- coding: utf-8 -*-
"""Hostile input against the real middleware over real Beaker (memory and file backends).

Fixed corpora first (open-redirect payloads for ``came_from`` in
``tests/corpus/came_from.txt``, forged and broken cookies, broken encodings and absurd
headers), then hypothesis properties over generated requests. Every request goes through
WebTest's lint and ``wsgiref.validate.validator`` on both sides of the middleware, to an
application that never fails by itself: any 500, traceback or invalid response is the
middleware's.

What "unsafe" means is decided here, independently of ``wsgi_session_timeout.urls``: see
:func:`leaves_origin` and :func:`verdict`.

The weaknesses this suite found in the package (W1 to W9, listed under "Weaknesses
found here") are fixed: the ``test_w*`` tests and the corpus assert the fixed behaviour,
with no tolerance anywhere, so any of them coming back fails the run.
"""

import codecs
import io
import json
import os
import re
import shutil
import sys
import tempfile
import unicodedata
from wsgiref.validate import validator

import pytest
import webtest
from beaker.cookie import SimpleCookie
from hypothesis import HealthCheck, given, settings, strategies as st
from webtest import lint as webtest_lint

from wsgi_session_timeout import SessionTimeoutMiddleware, login, logout
from wsgi_session_timeout.testing import ManualClock
from wsgi_session_timeout.urls import is_safe_path, login_location, same_origin_path

from . import apps

MARKER = "beaker.session.id.activity"  # the activity cookie, named after the session cookie

PY2 = sys.version_info[0] == 2

if PY2:  # pragma: no cover
    from urllib import quote, quote_plus, unquote as _unquote_bytes
    from urlparse import parse_qsl, urlsplit

    _unichr = unichr  # noqa: F821
else:
    from urllib.parse import parse_qsl, quote, quote_plus, urlsplit
    from urllib.parse import unquote_to_bytes as _unquote_bytes

    _unichr = chr

SECRET = "s3cret"
SID = "beaker.session.id"
IDLE, ABSOLUTE = 600, 3600
EXPIRE = ABSOLUTE + 400  # past both clocks

#: Deterministic and database-free, so CI sees the same examples every run. The example
#: counts below keep the whole file near 30 s (Python 3) and 40 s (2.7) on two cores.
FAST = dict(deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


# -- strings: PEP 3333 on both Pythons -------------------------------------------------

def native(data):
    """Bytes as a native WSGI string (PEP 3333: latin-1 decoded on Python 3)."""
    return data if PY2 else data.decode("latin-1")


def wire(value):
    """A native WSGI string as the bytes it stands for."""
    return value if PY2 else value.encode("latin-1")


def utf8(text):
    """Unicode text as a native WSGI string of its UTF-8 bytes (what a server hands on)."""
    return native(text.encode("utf-8"))


def as_text(data):
    """Bytes as an application reads them: UTF-8, undecodable bytes replaced."""
    return data.decode("utf-8", "replace")


def pct_decode(data):
    """Bytes, percent-decoded once (to bytes)."""
    return _unquote_bytes(data)


def query_values(query, name, separators="&"):
    """Every value of ``name`` in a native query string, as applications read it: split on
    ``separators`` (``&``; WebOb also splits on ``;``), keys and values ``+``- and
    percent-decoded, then UTF-8 decoded."""
    values = []
    pattern = ("[%s]" % separators).encode("ascii")
    for pair in re.split(pattern, wire(query)):
        key, _, value = pair.partition(b"=")
        if as_text(pct_decode(key.replace(b"+", b" "))) == name:
            values.append(as_text(pct_decode(value.replace(b"+", b" "))))
    return values


# -- the oracle: what is unsafe, decided here ------------------------------------------

_C0_AND_SPACE = u"".join(_unichr(n) for n in range(0x21))
_TAB_NEWLINE = re.compile(u"[\t\n\r]")
_SCHEME = re.compile(u"^[A-Za-z][A-Za-z0-9+.\\-]*:")
_CONTROL = re.compile(u"[\x00-\x1f\x7f]")


def leaves_origin(url):
    """True when a browser on a page of this site, sent to ``url``, goes elsewhere or runs
    script. As the WHATWG URL parser reads it: leading and trailing C0 controls and spaces
    dropped, tabs and newlines removed anywhere; then any scheme (another origin, or
    ``javascript:``, ``data:``...: even ``http:x`` is another origin from an https page)
    or an authority (two leading slashes, either way round: ``\\`` is ``/`` in http(s)).
    """
    url = _TAB_NEWLINE.sub(u"", url.strip(_C0_AND_SPACE))
    if _SCHEME.match(url):
        return True
    return url[:2].replace(u"\\", u"/") == u"//"


def unsafe(value):
    """Unsafe as received: leaves the origin, or carries a control character (a login
    page that copies it into ``Location`` would inject a header or truncate)."""
    return leaves_origin(value) or bool(_CONTROL.search(value))


def decoded_once(value):
    """``value`` after one more round of percent-decoding."""
    return as_text(pct_decode(value.encode("utf-8")))


def verdict(value):
    """``unsafe``, ``unsafe2`` (unsafe after one more percent-decoding, a control
    character included: urls.py promises to catch these), ``lookalike`` (leaves the
    origin after NFKC folding, as received or decoded once more: urls.py promises to
    reject them) or ``harmless``. The labels of tests/corpus/came_from.txt."""
    if unsafe(value):
        return "unsafe"
    decoded = decoded_once(value)
    if unsafe(decoded):
        return "unsafe2"
    if leaves_origin(unicodedata.normalize("NFKC", value)) or leaves_origin(
            unicodedata.normalize("NFKC", decoded)):
        return "lookalike"
    return "harmless"


# -- Weaknesses found here (all fixed; test_w* keep them fixed) ----------------------
# W1  A session cookie the middleware did not see but Beaker did (`name =value`, or a
#     vertical tab, form feed, CR or LF before the name) skipped every expiry check; the
#     expired session was then adopted with fresh clocks.        test_w1_*, the property
# W2  A marker cookie with non-ASCII bytes: TypeError on Python 3 (hmac.compare_digest on
#     the signature), UnicodeDecodeError on 2.7 (the tag): a 500 on every request. test_w2_*
# W3  Python 3: a non-ASCII digit (U+00B2...) as the port in Host, Referer,
#     HX-Current-URL or Origin: ValueError from int(): a 500.           test_w3_*
# W4  The login page's filter matched the parameter name literally: `came%5Ffrom=//evil`
#     reached the app, which decodes the name.                          test_w4_*
# W5  Python 3: `x=1;came_from=//evil` was not filtered (urllib does not split on ';'),
#     but WebOb does split on ';' and reads came_from=//evil.           test_w5_*
# W6  One more round of decoding was only applied to %2F/%5C: `/%09/evil.com` passed,
#     and decoded once more is "/\t/evil.com", which a browser reads as //evil.com.
#                                 the corpus (unsafe2) through test_login_page_never_sees_*
# W7  Python 3: raw (not percent-encoded) UTF-8 look-alikes in the login page's query
#     were not seen (the query is latin-1 text): `came_from=/\uff0fevil.com` passed.
#                          test_login_page_never_sees_an_unsafe_raw_came_from
# W8  SCRIPT_NAME was trusted: `//evil.com` there gave `Location: //evil.com/login`.
#                                                                       test_w8_*
# W9  Python 3: when the filter removed a came_from it re-encoded the other parameters
#     from latin-1 text: raw UTF-8 and invalid %-escapes came out altered.  test_w9_*


# -- the stack -------------------------------------------------------------------------

def target(environ, start_response):
    """The application under the middleware. It never fails, whatever it is sent, so any
    500 is the middleware's. Bodies say what it saw."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    session = environ["beaker.session"]
    status = "200 OK"
    if path == "/login" and method == "POST":
        login(environ, "alice")
        body = b"signed in"
    elif path == "/login":
        body = b"login page; query=" + wire(environ.get("QUERY_STRING", ""))
    elif path == "/logout":
        logout(environ)
        body = b"signed out"
    else:
        user = session.get("user")
        body = ("page; user=%s" % (user,)).encode("ascii")
        if path == "/needs-login" and user is None:
            status = "401 Unauthorized"
    start_response(status, [("Content-Type", "application/octet-stream"),
                            ("Content-Length", str(len(body)))])
    return [b"" if method == "HEAD" else body]


#: Middleware options per stack. "guarded": the middleware answers for /account and /api;
#: "app-decides": the app's bare 401 is replaced, with the legacy 200 envelope;
#: "all": every path but the login page is guarded.
STACKS = {
    "guarded": dict(protected_paths=["/account", "/api"], public_paths=["/account/public"]),
    "app-decides": dict(protected_paths=None, xhr_status=200),
    "all": dict(protected_paths=["/"]),
}


class Stacks(object):
    """The middleware over one Beaker backend, one WSGI stack per entry of STACKS, all on
    one hand-moved clock. Validators on both sides of the middleware.

    The inner validator formats ``repr(environ)`` for every request (wsgiref's
    check_environ builds its message eagerly), which loads the Beaker session: below the
    middleware, every request reads the session, as most applications do anyway.
    """

    def __init__(self, backend, config):
        self.backend = backend
        self.clock = ManualClock()
        self.apps = {}
        for name, options in STACKS.items():
            middleware = SessionTimeoutMiddleware(
                validator(target), dict(config), clock=self.clock, idle_timeout=IDLE,
                absolute_timeout=ABSOLUTE, **options)
            self.apps[name] = validator(middleware)

    def sign_in(self, name="guarded"):
        """A fresh signed-in session: ``(session cookie value, marker value)``."""
        jar = webtest.TestApp(self.apps[name], lint=True)
        jar.post("/login")
        return jar.cookies[SID], jar.cookies[MARKER]


def _backend_config(kind, request):
    """Beaker settings for a real backend; the file backend in a fresh directory."""
    config = {"beaker.session.type": kind, "beaker.session.secret": SECRET}
    if kind == "file":
        tmp = tempfile.mkdtemp(prefix="wst-hostile-")
        request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
        config["beaker.session.data_dir"] = tmp
    return config


@pytest.fixture(scope="module", params=["memory", "file"])
def stacks(request):
    """Module-scoped (hypothesis runs many examples per test): both real backends."""
    return Stacks(request.param, _backend_config(request.param, request))


@pytest.fixture(scope="module")
def memory_stacks(request):
    return Stacks("memory", _backend_config("memory", request))


def environ_for(method="GET", path="/", query="", headers=None, cookie=None, script_name=""):
    """A request environ's variable part: native strings only, header names as CGI keys."""
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
               "SCRIPT_NAME": script_name}
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    if cookie is not None:
        environ["HTTP_COOKIE"] = cookie
    return environ


class _Errors(object):
    """``wsgi.errors`` that keeps what is written to it."""

    def __init__(self):
        self.written = []

    def write(self, text):
        self.written.append(text)

    def writelines(self, lines):
        self.written.extend(lines)

    def flush(self):
        pass


def send(wsgi_app, environ):
    """One request, what ``environ`` says and nothing else, through WebTest's lint (as
    ``TestApp(lint=True)`` applies it). Not ``TestApp.do_request`` itself: with a
    SCRIPT_NAME it decodes PATH_INFO as UTF-8, and it feeds the response to
    http.cookiejar, which cannot build a URL from such a request or an empty Host."""
    request = webtest.TestRequest.blank("/", environ=dict(environ))
    errors = request.environ["wsgi.errors"] = _Errors()
    response = request.get_response(webtest_lint.middleware(wsgi_app), catch_exc_info=True)
    response.body  # drain the iterable (and close it) now
    assert not errors.written, errors.written
    return response


# -- checks every response must pass -------------------------------------------------

KNOWN_HEADERS = frozenset([
    "content-type", "content-length", "cache-control", "vary", "location",
    "www-authenticate", "hx-redirect", "set-cookie", "session-expires-in", "retry-after",
    "allow", "etag"])
ANSWER_HEADERS = {
    "navigation": ["cache-control", "content-length", "content-type", "location", "vary"],
    "script": ["cache-control", "content-length", "content-type", "vary", "www-authenticate"],
    "htmx": ["cache-control", "content-length", "content-type", "hx-redirect", "vary",
             "www-authenticate"],
}


def check_response(response, script_name=""):
    """Valid, no 500, no traceback, no injected header, every redirect on this origin.
    Returns the redirect URLs found, as ``(where, url)``."""
    assert response.status_int < 500, (response.status, response.body[:300])
    assert b"Traceback" not in response.body
    names = []
    cookies = []
    for name, value in response.headerlist:
        assert not re.search("[\r\n\x00]", value), (name, value)
        names.append(name.lower())
        if name.lower() == "set-cookie":
            cookies.append(value.split("=", 1)[0].strip())
    assert set(names) <= KNOWN_HEADERS, names
    singles = [n for n in names if n != "set-cookie"]
    assert len(singles) == len(set(singles)), names
    assert set(cookies) <= set([SID, MARKER]) and len(cookies) == len(set(cookies)), cookies
    urls = []
    if "location" in names:
        urls.append(("Location", response.headers["Location"]))
    if "hx-redirect" in names:
        urls.append(("HX-Redirect", response.headers["HX-Redirect"]))
    if response.content_type in ("application/problem+json", "application/json") and (
            response.body):
        document = json.loads(response.body.decode("utf-8"))
        if "login_url" in document:
            urls.append(("login_url", document["login_url"]))
    for where, url in urls:
        check_on_origin(url, where, script_name)
    return urls


def check_on_origin(url, where="Location", script_name=""):
    """``url`` is this app's login page, with at most a came_from that is itself safe."""
    if not isinstance(url, type(u"")):
        url = url.decode("latin-1")
    assert not unsafe(url), (where, url)
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc and not parts.fragment, (where, url)
    mount = quote(wire(script_name).rstrip(b"/"), safe=b"/:@!$&'()*+,;=-._~%")
    assert parts.path == mount + "/login", (where, url)
    assert parts.path.startswith("/") and not parts.path.startswith("//"), (where, url)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        assert key == "came_from", (where, url)
        if isinstance(value, bytes):  # pragma: no cover (Python 2)
            value = as_text(value)
        assert value.startswith(u"/") and not urlsplit(value).netloc, (where, url, value)
        assert verdict(value) == "harmless", (where, url, value)


def check_answer(response, kind, headers_kind=None):
    """A response the middleware answered itself: exactly its own headers, once each."""
    names = sorted(n.lower() for n, _ in response.headerlist if n.lower() != "set-cookie")
    assert names == ANSWER_HEADERS[headers_kind or kind], names
    if kind == "navigation":
        assert response.status_int in (302, 303)
    else:
        assert response.status_int == 401


def signed_in(response):
    return b"user=alice" in response.body


# -- the came_from corpus ------------------------------------------------------------

CORPUS_FILE = os.path.join(os.path.dirname(__file__), "corpus", "came_from.txt")
_REPEAT = re.compile(r"\{(.)\*(\d+)\}")
LABELS = ("unsafe", "unsafe2", "lookalike", "safe", "either")


def load_corpus(path=CORPUS_FILE):
    """``[(line number, label, payload)]`` from a corpus file (see its header)."""
    entries = []
    with io.open(path, encoding="ascii") as handle:
        for number, line in enumerate(handle, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            label, escaped = line.split(None, 1)
            escaped = _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), escaped)
            entries.append((number, label, codecs.decode(escaped.encode("ascii"),
                                                         "unicode_escape")))
    return entries


CORPUS = load_corpus()
PAYLOADS = [payload for _, _, payload in CORPUS]


def _id(number, payload):
    return str("L%03d-%s" % (number, re.sub(u"[^A-Za-z0-9./:@%-]", u"_", payload)[:32]))


def _quote(text, safe=b""):
    return quote(text.encode("utf-8"), safe=safe)


def _raw(text):
    """The payload unencoded in the query: only where that does not change how the
    query splits, and (on 2.7, where tests/apps.py cannot echo other bytes) ASCII."""
    if re.search(u"[&;#%+=]", text) or (PY2 and re.search(u"[^\x00-\x7f]", text)):
        return None
    return utf8(text)


#: How a came_from value is put in the login page's query string, percent-encoded.
ENCODINGS = [
    ("quote", lambda p: _quote(p)),
    ("quote_plus", lambda p: quote_plus(p.encode("utf-8"), safe=b"")),
    ("slashes-raw", lambda p: _quote(p, safe=b"/\\:@")),
    ("lower-hex", lambda p: re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), _quote(p))),
    ("every-byte", lambda p: "".join("%%%02X" % c for c in bytearray(p.encode("utf-8")))),
]


def _login_page_params(raw=False):
    params = []
    for number, label, payload in CORPUS:
        if raw and _raw(payload) is None:
            continue
        params.append(pytest.param(label, payload, id=_id(number, payload)))
    return params


def test_the_corpus_is_big_and_its_labels_agree_with_the_oracle():
    assert len(CORPUS) >= 40
    assert sum(1 for _, label, _ in CORPUS if label != "safe") >= 40
    for number, label, payload in CORPUS:
        assert label in LABELS, number
        expected = "harmless" if label in ("safe", "either") else label
        assert verdict(payload) == expected, (number, label, payload, verdict(payload))


@pytest.fixture(scope="module")
def login_page():
    """tests/apps.py (its /login echoes the query string it received) behind the middleware."""
    config = {"beaker.session.type": "memory", "beaker.session.secret": SECRET}
    return validator(SessionTimeoutMiddleware(validator(apps.app), config, clock=ManualClock()))


def _echoed(response):
    prefix = b"login page; query="
    body = response.body
    assert body.startswith(prefix), body[:200]
    return native(body[len(prefix):]) if PY2 else body[len(prefix):].decode("utf-8")


def _check_login_page(login_page, label, payload, encoded):
    query = "came_from=" + encoded + "&lang=en"
    response = send(login_page, environ_for(path="/login", query=query))
    check_response(response)
    seen = _echoed(response)
    assert query_values(seen, "lang") == [u"en"]
    for value in query_values(seen, "came_from", "&;"):
        assert verdict(value) == "harmless", (encoded, value, verdict(value))
    kept = query_values(seen, "came_from")
    if label == "safe":
        assert kept == [payload] and seen == query, encoded
    elif label == "either":
        assert kept in ([], [payload]), encoded
    else:
        assert kept == [], encoded


@pytest.mark.parametrize("label, payload", _login_page_params())
def test_login_page_never_sees_an_unsafe_came_from(login_page, label, payload):
    for _, encode in ENCODINGS:
        _check_login_page(login_page, label, payload, encode(payload))


@pytest.mark.parametrize("label, payload", _login_page_params(raw=True))
def test_login_page_never_sees_an_unsafe_raw_came_from(login_page, label, payload):
    _check_login_page(login_page, label, payload, _raw(payload))


def _carriers(payload):
    """Requests to guarded paths carrying ``payload`` in PATH_INFO, QUERY_STRING,
    Referer or HX-Current-URL: ``(stack, kind, environ)``."""
    raw = utf8(payload)
    path = raw if payload.startswith(u"/") else "/" + raw
    urls = [raw, "http://localhost" + path, "http://localhost:80" + path,
            "http://localhost/" + raw, "http://LOCALHOST" + "/" + _quote(payload, b"/")]
    nav = {"Sec-Fetch-Mode": "navigate", "Accept": "text/html"}
    yield "all", "navigation", environ_for(path=path, headers=nav)
    yield "all", "navigation", environ_for("POST", path=path)
    yield "all", "navigation", environ_for("HEAD", path=path)
    yield "guarded", "navigation", environ_for(path="/account", query=raw)
    yield "guarded", "navigation", environ_for(path="/account", query=_quote(payload))
    for url in urls:
        for headers in ({"X-Requested-With": "XMLHttpRequest"},
                        {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
                        {"Accept": "application/json"}):
            yield "guarded", "script", environ_for(path="/api/x",
                                                   headers=dict(headers, Referer=url))
        yield "guarded", "htmx", environ_for(
            path="/api/x", headers={"HX-Request": "true", "HX-Current-URL": url,
                                    "Referer": "http://localhost/page"})


@pytest.mark.parametrize("label, payload", [
    pytest.param(label, payload, id=_id(number, payload)) for number, label, payload in CORPUS])
def test_redirects_never_leave_the_origin(memory_stacks, label, payload):
    """Anonymous requests: no cookie, so no store access, and one backend is enough."""
    for stack, kind, environ in _carriers(payload):
        response = send(memory_stacks.apps[stack], environ)
        urls = check_response(response)
        assert urls, (stack, environ)
        check_answer(response, "navigation" if kind == "navigation" else "script", kind)
        if kind == "htmx":
            document = json.loads(response.body.decode("utf-8"))
            assert response.headers["HX-Redirect"] == document["login_url"]


def test_a_safe_came_from_survives_the_round_trip(memory_stacks):
    """Not over-filtered: a plain page comes back as came_from."""
    response = send(memory_stacks.apps["guarded"],
                    environ_for(path="/account/x y", query="a=1&b=%2F"))
    assert response.headers["Location"] == (
        "/login?came_from=%2Faccount%2Fx%2520y%3Fa%3D1%26b%3D%252F")


# -- cookies ---------------------------------------------------------------------------

def garbage_cookies(sid, marker):
    """``[(id, Cookie header)]``: nothing here is a signed-in session by itself."""
    forged = "0123456789abcdef0123456789abcdef"
    fields = marker.split(".")
    bumped = ".".join([fields[0], str(int(fields[1]) + 10 ** 6), fields[2], fields[3]])
    return [
        ("forged-unsigned-id", SID + "=" + forged),
        ("forged-bad-signature", SID + "=" + "a" * 40 + sid[40:]),
        ("signed-with-another-secret",
         SID + "=" + apps.signed_cookie_value("another secret", sid[40:])),
        ("truncated-by-one", SID + "=" + sid[:-1]),
        ("truncated-to-signature", SID + "=" + sid[:40]),
        ("id-without-signature", SID + "=" + sid[40:]),
        ("upper-case", SID + "=" + sid.upper()),
        ("nul-inside", SID + "=" + sid[:10] + "\x00" + sid[10:]),
        ("empty", SID + "="),
        ("unterminated-quote", SID + '="' + forged),
        ("huge-64k-session-id", SID + "=" + "a" * 65536),
        ("huge-64k-other-cookie", "a=" + "b" * 65536),
        ("6000-cookies", "; ".join("c%d=v" % n for n in range(6000))),
        ("latin-1-bytes", native(b"\xff\xfe=\xff; \xc3\x28=\xc3\x28")),
        ("controls", "\x00\x01=\x7f; " + SID + "=\x1b"),
        ("separators-only", "=;;;=,,,;"),
        ("nameless", "null"),
        ("dollar-attributes", "$Version=1; " + SID + "=" + forged + "; $Path=/"),
        ("marker-junk", MARKER + "=junk"),
        ("marker-bad-signature", MARKER + "=1700000000.1700000000.0123456789abcdef." + "0" * 32),
        ("marker-huge-numbers",
         MARKER + "=%s.%s.%s.%s" % ("9" * 12, "9" * 12, fields[2], "0" * 32)),
        ("marker-400-digits", MARKER + "=%s.%s.x.y" % ("9" * 400, "9" * 400)),
        ("marker-negative", MARKER + "=-1.-1.x.y"),
        ("marker-exponent", MARKER + "=1e99.1e99.x.y"),
        ("marker-five-fields", MARKER + "=1.2.3.4.5"),
        ("marker-truncated", MARKER + "=" + marker[:-1]),
        ("marker-bumped-seen-at", MARKER + "=" + bumped),
        ("marker-empty", MARKER + "="),
        ("marker-64k", MARKER + "=" + "1." * 32768),
        ("marker-quoted-escapes", MARKER + '="1.2.\\"x\\".\\073"'),
        # http.cookies unquotes these in quadratic time (CPython before 3.11.10/3.12.6):
        # 18 s a request on 3.11.7 while the middleware parsed the marker that way.
        ("backslashes-64k", 'a="' + "\\" * 65536 + '"'),
        ("marker-backslashes-64k", MARKER + '="' + "\\" * 65536 + '"'),
    ]


GARBAGE_IDS = [case for case, _ in garbage_cookies("0" * 72, "1.2.3.4")]


def _cases(stacks):
    sid, marker = stacks.sign_in()
    return sid, marker, dict(garbage_cookies(sid, marker))


def _probe(stacks, cookie, stack="guarded"):
    """The three answers a cookie gets: a guarded page, a guarded script call, a page the
    app decides. Each checked; returns the responses."""
    app = stacks.apps[stack]
    xhr = {"X-Requested-With": "XMLHttpRequest", "Referer": "http://localhost/page"}
    responses = [send(app, environ_for(path="/account", cookie=cookie)),
                 send(app, environ_for(path="/api/x", headers=xhr, cookie=cookie)),
                 send(app, environ_for(path="/", cookie=cookie))]
    for response in responses:
        check_response(response)
    return responses


def test_the_forged_cookies_are_well_made(stacks):
    """The other-secret forgery is made exactly as Beaker signs, so it is a real test."""
    sid, _ = stacks.sign_in()
    assert apps.signed_cookie_value(SECRET, sid[40:]) == sid


@pytest.mark.parametrize("case", GARBAGE_IDS)
def test_garbage_cookies_alone_are_never_signed_in(stacks, case):
    _, _, cases = _cases(stacks)
    for _ in range(2):  # and not adopted by the first request either
        account, api, page = _probe(stacks, cases[case])
        assert account.status_int == 302 and api.status_int == 401
        assert page.status_int == 200 and not signed_in(page)
        assert "Session-Expires-In" not in page.headers


@pytest.mark.parametrize("order", ["legit-first", "garbage-first"])
@pytest.mark.parametrize("case", GARBAGE_IDS)
def test_a_signed_in_jar_next_to_garbage_is_safe(stacks, case, order):
    """Signed in, or failing closed (a login answer): never an error, never somebody
    else; and the garbage never ends the real session."""
    sid, marker, cases = _cases(stacks)
    legit = "%s=%s; %s=%s" % (SID, sid, MARKER, marker)
    cookie = "; ".join([legit, cases[case]] if order == "legit-first" else [cases[case], legit])
    account, api, page = _probe(stacks, cookie)
    outcome = [signed_in(account), signed_in(api), signed_in(page)]
    assert outcome in ([True] * 3, [False] * 3), outcome
    if not outcome[0]:
        assert account.status_int == 302 and api.status_int == 401
    assert signed_in(_probe(stacks, legit)[0])  # the real session is alive


# What actually happens with a signed-in jar next to garbage. Both fail closed, neither
# is the middleware's doing: a later beaker.session.id replaces the real one (the last
# one wins), and http.cookies stops at a cookie it cannot parse, losing the rest of the
# header (Python 3 drops the whole header then, even what came before it: so a nameless
# cookie such as "null" signs the user out wherever it stands).
LATER_SESSION_ID = frozenset([
    "dollar-attributes", "empty", "forged-bad-signature", "forged-unsigned-id",
    "huge-64k-session-id", "id-without-signature", "signed-with-another-secret",
    "truncated-by-one", "truncated-to-signature", "upper-case"])
PARSER_STOPS = frozenset([
    "controls", "latin-1-bytes", "nul-inside", "separators-only", "unterminated-quote"])
WHOLE_HEADER_DROPPED = frozenset([] if PY2 else ["separators-only", "nameless"])
FAILS_CLOSED = {
    "legit-first": LATER_SESSION_ID | WHOLE_HEADER_DROPPED,
    "garbage-first": PARSER_STOPS | WHOLE_HEADER_DROPPED,
}


@pytest.mark.parametrize("order", ["legit-first", "garbage-first"])
def test_which_garbage_fails_closed(memory_stacks, order):
    """Pins the outcome per case (assert what happens, see above)."""
    sid, marker, cases = _cases(memory_stacks)
    legit = "%s=%s; %s=%s" % (SID, sid, MARKER, marker)
    closed = set()
    for case, garbage in cases.items():
        cookie = "; ".join([legit, garbage] if order == "legit-first" else [garbage, legit])
        if not signed_in(_probe(memory_stacks, cookie)[0]):
            closed.add(case)
    assert closed == FAILS_CLOSED[order], " ".join(sorted(closed))


def test_duplicate_session_cookies_the_last_one_wins(stacks):
    sid, _ = stacks.sign_in()
    other, _ = stacks.sign_in()
    forged = SID + "=" + "0" * 72
    legit = "%s=%s" % (SID, sid)
    assert signed_in(_probe(stacks, forged + "; " + legit)[0])
    assert not signed_in(_probe(stacks, legit + "; " + forged)[0])
    assert signed_in(_probe(stacks, legit + "; %s=%s" % (SID, other))[0])


def test_the_expired_session_is_not_revived_by_ordinary_cookie_syntax(stacks):
    for syntax in ("%s=%s", "%s= %s", '%s="%s"', "a=1; %s=%s", "a=1;%s=%s", "a=1\t%s=%s",
                   "a=1 %s=%s"):
        sid, marker = stacks.sign_in("app-decides")
        stacks.clock.advance(EXPIRE)
        cookie = syntax % (SID, sid) + "; %s=%s" % (MARKER, marker)
        assert not signed_in(_probe(stacks, cookie, "app-decides")[2]), syntax
        assert not signed_in(_probe(stacks, "%s=%s" % (SID, sid))[0]), syntax


W1_SYNTAX = [
    "%s =%s", "%s\t=%s", "%s = %s", "a=1; %s =%s", "a=1\x0b%s=%s", "a=1\x0c%s=%s",
    "a=1\n%s=%s", "a=1\r%s=%s"]
W1_IDS = ["space-before-equals", "tab-before-equals", "spaces-around-equals",
          "after-another-cookie", "vertical-tab", "form-feed", "lf", "cr"]


@pytest.mark.parametrize("syntax", W1_SYNTAX, ids=W1_IDS)
def test_w1_syntaxes_are_session_cookies_for_beaker(syntax):
    """Each W1 syntax is a real session cookie (Beaker's parser finds the id in it), so
    the W1 tests below send a session, not garbage."""
    sid = "a" * 72
    parsed = SimpleCookie(syntax % (SID, sid))
    assert SID in parsed and parsed[SID].value == sid, syntax


@pytest.mark.parametrize("syntax", W1_SYNTAX, ids=W1_IDS)
def test_w1_an_expired_session_stays_expired_whatever_the_cookie_syntax(stacks, syntax):
    sid, _ = stacks.sign_in()
    stacks.clock.advance(EXPIRE)  # past both the idle and the absolute timeout
    account, api, page = _probe(stacks, syntax % (SID, sid))
    assert not signed_in(account) and not signed_in(api) and not signed_in(page)
    assert "Session-Expires-In" not in page.headers
    assert not signed_in(_probe(stacks, "%s=%s" % (SID, sid))[0])  # not adopted either


@pytest.mark.parametrize("syntax", W1_SYNTAX, ids=W1_IDS)
def test_w1_a_live_session_works_whatever_the_cookie_syntax(stacks, syntax):
    """The other side of W1: a session in such a cookie is judged, and while its clocks
    run it is signed in, as with the ordinary syntax."""
    sid, _ = stacks.sign_in("app-decides")
    page = _probe(stacks, syntax % (SID, sid), "app-decides")[2]
    assert signed_in(page), syntax
    stacks.clock.advance(EXPIRE)
    assert not signed_in(_probe(stacks, syntax % (SID, sid), "app-decides")[2]), syntax
    assert not signed_in(_probe(stacks, "%s=%s" % (SID, sid), "app-decides")[2]), syntax


def _w2(cookie, id):
    return pytest.param(native(cookie), id=id)


_TAG, _SIGNATURE = b"0123456789abcdef", b"0" * 32


@pytest.mark.parametrize("cookie", [
    _w2(b'"1.2.x.\\351"', "octal-escaped-signature"),
    _w2(b'"1.2.\\351.abc"', "octal-escaped-tag"),
    _w2(b"1.2.x.\xc3\xa9", "utf-8-signature"),
    _w2(b'"1.2.x.\xc3\xa9"', "quoted-utf-8-signature"),
    _w2(b"1700000000.1700000000.x.\xe9", "plausible-numbers"),
    _w2(b"1.2.\xc3\xa9.abc", "utf-8-tag"),
    _w2(b"1.2.\xc3\xa9.\xc3\xa9", "utf-8-tag-and-signature"),
    _w2(b"1.2." + _TAG + b"." + _SIGNATURE[:-2] + b"\xc3\xa9", "well-formed-but-utf-8"),
    _w2(b"1.2." + _TAG + b"." + _SIGNATURE[:-1] + b"\xe9", "well-formed-but-latin-1"),
    _w2(b"\xb2.\xb9." + _TAG + b"." + _SIGNATURE, "superscript-digits"),
    _w2(b"1.2." + _TAG.upper() + b"." + _SIGNATURE, "upper-case-tag"),
])
def test_w2_a_marker_with_non_ascii_bytes_is_ignored(stacks, cookie):
    """Browsers send such a cookie as they got it (set by any script of the site, or by a
    sibling subdomain with Domain=): one of them would fail every request of that
    browser, the sign-in page included."""
    sid, marker = stacks.sign_in()
    page = _probe(stacks, "%s=%s" % (MARKER, cookie))[2]
    assert page.status_int == 200 and not signed_in(page)
    assert signed_in(_probe(stacks, "%s=%s; %s=%s" % (SID, sid, MARKER, cookie))[0])


# -- headers and paths ---------------------------------------------------------------

#: (method, path, headers) the odd requests below are sent to: every branch of the
#: middleware (guarded navigation and script, app decides, login page, endpoints).
TARGETS = [
    ("GET", "/account", {"Sec-Fetch-Mode": "navigate"}),
    ("POST", "/account", {}),
    ("GET", "/api/x", {"X-Requested-With": "XMLHttpRequest", "Referer": "http://localhost/p"}),
    ("GET", "/api/x", {"HX-Request": "true", "HX-Current-URL": "http://localhost/board"}),
    ("GET", "/needs-login", {"Accept": "application/json"}),
    ("GET", "/login", {}),
    ("GET", "/_session/status", {}),
    ("POST", "/_session/extend", {"X-Requested-With": "XMLHttpRequest",
                                  "Origin": "http://localhost"}),
    ("GET", "/_session/client.js", {}),
]
STACK_OF = {"/needs-login": "app-decides"}

BROKEN = [b"\xc3\x28", b"\xff\xfe", b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80",
          b"\xe2\x82", b"%ff", b"%c3%28", b"%", b"%%%", b"%zz"]
PATH_SUFFIXES = [b"/" + b for b in BROKEN] + [
    b"/\x00", b"/\r\nX-Injected: 1", b"/\t", b"//evil.com", b"/\\evil.com", b"/..",
    b"/" + b"a" * 100000]
QUERIES = BROKEN + [
    b"a=\xff\xfe", b"\xc3\x28=\xc3\x28", b"came_from=\xff%ff%2F%2F", b"came_from=%2F%2F%ff",
    b"a=" + b"b" * 100000, b"&" * 10000, b"came_from=" + b"%2F" * 30000, b"\x00",
    b"a=1\r\nX-Injected: 1", b"=", b"came_from", b"came_from=&came_from=%2F&came_from=%2F%2F"]
VALUES = [b"", b" ", b"\x00", b"\x01\x02\x1f\x7f", b"\r\n", b"\r\nX-Injected: 1", b"\t",
          b"\xff\xfe", b"\xc3\x28", b";;;", b",,,", b"true\x00", b"XMLHttpRequest\r\n",
          b"a" * 100000, b"http://localhost/" + b"\xff" * 3, b"http://localhost:/x",
          b"http://localhost:0/x", b"http://localhost:99999/x", b"http://[::1/x",
          b"http://localhost:80:80/x", b"http://user@localhost/x", b"//localhost/x", b"::::"]
HEADER_NAMES = ["Accept", "X-Requested-With", "Sec-Fetch-Mode", "Sec-Fetch-Dest",
                "Sec-Fetch-Site", "HX-Request", "HX-Current-URL", "Referer", "Origin", "Host",
                "X-Session-Passive", "If-None-Match"]
ACCEPTS = [b";;;", b"q=1e999", b"application/json;q=1e999", b"application/json;q=-1",
           b"application/json;q=nan", b"application/json;q=inf", b"application/json;q=",
           b"application/json;q", b"application/json;;;q=1;;",
           b"*/*;q=0.5,application/json;q=0.50000000001",
           b"text/html;q=0, application/json;q=0", b"application/json;q=0x1",
           b",".join(b"text/x%d;q=0.%d" % (n, n % 10) for n in range(10000)) +
           b",application/json", b"application/" + b"+json" * 20000]


def _odd_params():
    params = []
    for n, suffix in enumerate(PATH_SUFFIXES):
        params.append(pytest.param({"path": suffix}, id="path-%02d" % n))
    for n, query in enumerate(QUERIES):
        params.append(pytest.param({"query": query}, id="query-%02d" % n))
    for name in HEADER_NAMES:
        for n, value in enumerate(VALUES):
            params.append(pytest.param({"headers": {name: value}}, id="%s-%02d" % (name, n)))
    for n, value in enumerate(ACCEPTS):
        params.append(pytest.param({"headers": {"Accept": value}}, id="accept-odd-%02d" % n))
    return params


def _odd_environ(method, path, headers, odd, cookie):
    path = path + native(odd.get("path", b""))
    merged = dict(headers)
    for name, value in odd.get("headers", {}).items():
        merged[name] = native(value)
    return environ_for(method, path, native(odd.get("query", b"")), merged, cookie)


@pytest.mark.parametrize("odd", _odd_params())
def test_odd_requests_get_a_valid_answer(memory_stacks, odd):
    sid, marker = memory_stacks.sign_in()
    for cookie in (None, "%s=%s; %s=%s" % (SID, sid, MARKER, marker)):
        for method, path, headers in TARGETS:
            app = memory_stacks.apps[STACK_OF.get(path, "guarded")]
            response = send(app, _odd_environ(method, path, headers, odd, cookie))
            check_response(response)


@pytest.mark.parametrize("script_name", [u"/shop", u"/caf\xc3\xa9", u"/a b/", u"/%2F%2F"])
def test_mounted_stack_redirects_inside_its_mount_point(memory_stacks, script_name):
    script_name = native(script_name.encode("latin-1"))
    for method, path, headers in TARGETS[:5]:
        app = memory_stacks.apps[STACK_OF.get(path, "guarded")]
        environ = environ_for(method, path, "x=1", headers, script_name=script_name)
        assert check_response(send(app, environ), script_name)


@pytest.mark.parametrize("script_name, mount", [
    ("//evil.com", "/evil.com"),
    ("///evil.com", "/evil.com"),
    ("//evil.com/", "/evil.com"),
    ("//evil.com//shop", "/evil.com//shop"),
    ("/\\evil.com", "/\\evil.com"),
    ("//", ""),
])
def test_w8_a_hostile_script_name_does_not_leave_the_origin(memory_stacks, script_name,
                                                              mount):
    """SCRIPT_NAME comes from the server, but proxy-prefix middleware (X-Forwarded-Prefix,
    X-Script-Name) fills it from a request header. Its leading slashes collapse into one:
    every login URL (Location, HX-Redirect, login_url) is a path on this origin."""
    for method, path, headers in TARGETS[:5]:
        app = memory_stacks.apps[STACK_OF.get(path, "guarded")]
        environ = environ_for(method, path, "x=1", headers, script_name=script_name)
        assert check_response(send(app, environ), mount), (method, path, headers)


@pytest.mark.parametrize("header", ["Referer", "HX-Current-URL", "Origin", "Host"])
@pytest.mark.parametrize("port", [u"\u00b2", u"\u00b9", u"8\u00b3"])
def test_w3_a_non_ascii_digit_port_is_not_an_error(memory_stacks, header, port):
    value = (u"localhost:" if header == "Host" else u"http://localhost:") + port
    headers = {"X-Requested-With": "XMLHttpRequest", "Referer": "http://localhost:80/page",
               "HX-Request": "true"}
    headers[header] = native(value.encode("latin-1"))
    if header == "Origin":
        environ = environ_for("POST", "/_session/extend", headers=headers)
    else:
        environ = environ_for(path="/api/x", headers=headers)
    check_response(send(memory_stacks.apps["guarded"], environ))


@pytest.mark.parametrize("port", [u"\u00b2", u"8\u00b3", u"\u00b9\u00b2", u"+80", u"-80",
                                  u" 80", u"80 ", u"8_0"])
def test_w3_only_ascii_digits_make_a_port(port):
    """A port that is not 1 to 5 ASCII digits is no port: that URL is not this origin's."""
    environ = dict(_ENV, HTTP_HOST="localhost:80")
    url = native((u"http://localhost:%s/page" % port).encode("latin-1"))
    assert same_origin_path(url, environ) is None, port
    assert same_origin_path("http://localhost:80/page", environ) == "/page"


# -- the login page's filter ----------------------------------------------------------

_W4_NAMES = ["came%5Ffrom", "came%5ffrom", "%63ame_from", "came_fro%6D",
             "%63%61%6D%65%5F%66%72%6F%6D"]

@pytest.mark.parametrize("query", [
    pytest.param(name + "=%2F%2Fevil.com", id=name) for name in _W4_NAMES
] + [
    pytest.param("came_from=%2Fok&" + name + "=%2F%2Fevil.com", id="with-literal-" + name)
    for name in _W4_NAMES
] + [
    pytest.param(name + "=%2F%2Fevil.com;came_from=%2Fok", id="before-literal-" + name)
    for name in _W4_NAMES
])
def test_w4_an_encoded_parameter_name_is_filtered_too(login_page, query):
    seen = _echoed(send(login_page, environ_for(path="/login", query=query)))
    expected = [u"/ok"] if "came_from=%2Fok" in query else []
    assert query_values(seen, "came_from", "&;") == expected, (query, seen)


@pytest.mark.parametrize("query, kept", [
    ("x=1;came_from=%2F%2Fevil.com", "x=1"),
    ("came_from=%2Fok;came_from=%2F%2Fevil.com", "came_from=%2Fok"),
    ("came_from=%2F%2Fevil.com;x=1", "x=1"),
    ("x=1&y=2;came_from=//evil.com&z=3", "x=1&y=2&z=3"),
])
def test_w5_semicolon_separated_came_from_is_filtered(login_page, query, kept):
    import webob
    seen = _echoed(send(login_page, environ_for(path="/login", query=query)))
    assert seen == kept, (query, seen)
    # What a WebOb application (Pylons, and WebOb apps on Python 3) reads.
    request = webob.Request.blank("/login?" + seen)
    assert [v for v in request.GET.getall("came_from") if verdict(v) != "harmless"] == []


@pytest.mark.parametrize("query, kept", [
    (b"came_from=%2F%2Fevil.com&q=\xc3\xa9", b"q=\xc3\xa9"),
    (b"came_from=%2F%2Fevil.com&q=%FF", b"q=%FF"),
    (b"came_from=%2F%2Fevil.com&q=%C3%A9%FF", b"q=%C3%A9%FF"),
    (b"q=\xff\xfe&came_from=//evil.com&r=%zz", b"q=\xff\xfe&r=%zz"),
    (b"a=+b+&came_from=%2F%2Fevil.com&c=%;;d", b"a=+b+&c=%;;d"),
    (b"came_from=%2Fok&came_from=//evil.com&came%5Ffrom=%2Fok2",
     b"came_from=%2Fok&came%5Ffrom=%2Fok2"),
])
def test_w9_removing_came_from_keeps_the_other_parameters(memory_stacks, query, kept):
    """The rest of the query string reaches the login page byte for byte. (Through this
    file's own application, which echoes any bytes on both Pythons.)"""
    response = send(memory_stacks.apps["guarded"], environ_for(path="/login",
                                                               query=native(query)))
    assert response.body == b"login page; query=" + kept


def test_login_path_variants_are_not_the_login_page(memory_stacks):
    """Only PATH_INFO == login path is filtered: "/login/" is another page for the
    middleware. Safe with an application that routes exactly, as this one; an app whose
    router also serves "/login/" (or "/LOGIN") as its login page gets came_from
    unfiltered there."""
    response = send(memory_stacks.apps["app-decides"],
                    environ_for(path="/login/", query="came_from=%2F%2Fevil.com"))
    assert response.body == b"page; user=None"


# -- properties ------------------------------------------------------------------------

def _latin(max_size):
    """Latin-1 text, standing for arbitrary bytes in a native WSGI string."""
    return st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255),
                   max_size=max_size).map(lambda t: native(t.encode("latin-1")))


HOSTILE = [native(b) for b in BROKEN] + [
    "", " ", "\x00", "\r\n", "\t", "\\", '"', "'", "<", "%2F", "%5C", "%09", "%25", "//",
    "evil.com", "localhost", "@", ":", ";", ",", "=", "&", "?", "#", "..", "a" * 3000]
_piece = st.one_of(
    st.sampled_from(HOSTILE), _latin(12),
    st.sampled_from(PAYLOADS).map(utf8),
    st.sampled_from(PAYLOADS).map(lambda p: _quote(p, b"/")))
SEGMENTS = ["account", "api", "x", "login", "_session", "status", "extend", "client.js",
            "needs-login", "public", "logout", ""]
_paths = st.one_of(
    st.sampled_from(["/", "/account", "/account/public/x", "/api/x", "/needs-login", "/login",
                     "/logout", "/_session/status", "/_session/extend", "/_session/client.js"]),
    st.lists(st.one_of(st.sampled_from(SEGMENTS), _piece), max_size=4).map(
        lambda segments: "/" + "/".join(segments)))
_pairs = st.tuples(st.one_of(st.sampled_from(["came_from", "next", "a"]), _piece), _piece)
_queries = st.one_of(
    st.just(""), _piece,
    st.tuples(st.lists(_pairs, max_size=4), st.sampled_from(["&", ";"])).map(
        lambda t: t[1].join(k + "=" + v for k, v in t[0])))
_PORTS = [u"", u":80", u":8080", u":0", u":99999", u":", u":\xb2", u":8\xb9", u"::1"]
_urls = st.one_of(
    _piece,
    st.tuples(st.sampled_from(["http://", "https://", "HTTP://", "//", "", "http:"]),
              st.sampled_from(["localhost", "LOCALHOST", "evil.com", "localhost@evil.com",
                               "[::1]", ""]),
              st.sampled_from(_PORTS), st.one_of(_paths, _piece, st.just(""))).map(
        lambda t: t[0] + t[1] + native(t[2].encode("latin-1")) + t[3]))
_values = {
    "Accept": st.one_of(st.sampled_from([native(a) for a in ACCEPTS[:-2]] + [
        "application/json", "text/html", "*/*", "application/json, */*",
        "application/problem+json;q=0.9, text/html;q=0.8"]), _piece),
    "X-Requested-With": st.one_of(st.just("XMLHttpRequest"), _piece),
    "Sec-Fetch-Mode": st.one_of(st.sampled_from(["navigate", "cors", "same-origin",
                                                 "no-cors", "NAVIGATE "]), _piece),
    "Sec-Fetch-Dest": st.one_of(st.sampled_from(["empty", "document"]), _piece),
    "Sec-Fetch-Site": st.one_of(st.sampled_from(["same-origin", "cross-site", "none"]), _piece),
    "HX-Request": st.one_of(st.sampled_from(["true", "TRUE ", "false"]), _piece),
    "HX-Current-URL": _urls,
    "Referer": _urls,
    "Origin": _urls,
    "Host": st.one_of(st.sampled_from(["localhost", "localhost:80", "evil.com", "",
                                       "localhost:\xb2", "[::1]:80"]), _piece),
    "X-Session-Passive": st.one_of(st.sampled_from(["1", "yes"]), _piece),
    "If-None-Match": _piece,
}
_headers = st.lists(st.sampled_from(sorted(_values)), unique=True, max_size=6).flatmap(
    lambda names: st.fixed_dictionaries(dict((name, _values[name]) for name in names)))
_MARKER_GARBAGE = ["junk", "1.2.3.4", '"1.2.x.\\351"', "9" * 13 + ".1.x.y", '"', "",
                   native(b"1.2.x.\xc3\xa9"), native(b"1.2.\xe9.y")]
_cookie_pieces = st.one_of(
    _piece,
    st.tuples(st.sampled_from([SID, MARKER, "null", "$Version", "a"]),
              st.sampled_from(["=", " =", "= "]),
              st.one_of(_piece, st.sampled_from(_MARKER_GARBAGE))).map("".join))
_SESSION_SYNTAX = ["%s=%s", "%s= %s", '%s="%s"', "%s =%s", "%s\t=%s", "\x0b%s=%s"]


@st.composite
def requests(draw):
    """One request: method, path, query, headers, and a cookie header built from
    garbage and (for signed-in modes) the real session's cookies in some syntax."""
    return dict(
        stack=draw(st.sampled_from(sorted(STACKS))),
        method=draw(st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])),
        path=draw(_paths),
        query=draw(_queries),
        headers=draw(_headers),
        script_name=draw(st.sampled_from([u"", u"", u"/shop", u"/caf\xc3\xa9"])),
        session=draw(st.sampled_from(["none", "active", "expired"])),
        garbage=draw(st.lists(_cookie_pieces, max_size=3)),
        syntax=draw(st.sampled_from(_SESSION_SYNTAX)),
        with_marker=draw(st.booleans()),
        separator=draw(st.sampled_from(["; ", ";", " ", ";;"])),
        position=draw(st.integers(min_value=0, max_value=3)),
    )


@settings(max_examples=200, **FAST)
@given(r=requests())
def test_property_any_request_gets_a_valid_answer_that_stays_on_the_origin(stacks, r):
    pieces = list(r["garbage"])
    if r["session"] != "none":
        sid, marker = stacks.sign_in(r["stack"])
        if r["session"] == "expired":
            stacks.clock.advance(EXPIRE)
        legit = [r["syntax"] % (SID, sid)] + (
            ["%s=%s" % (MARKER, marker)] if r["with_marker"] else [])
        at = min(r["position"], len(pieces))
        pieces[at:at] = legit
    cookie = r["separator"].join(pieces) if pieces else None
    script_name = native(r["script_name"].encode("latin-1"))
    environ = environ_for(r["method"], r["path"], r["query"], r["headers"], cookie, script_name)
    response = send(stacks.apps[r["stack"]], environ)
    check_response(response, script_name)
    if r["method"] == "POST" and r["path"] == "/login":
        return  # a sign-in: the one way in
    if r["session"] != "active":  # none, or expired whatever the cookie syntax (W1)
        assert not signed_in(response), (r, response.body)
        assert "Session-Expires-In" not in response.headers


_ATOMS = [u"/", u"//", u"\\", u"%2F", u"%2f", u"%5C", u"%25", u"%09", u"%0a", u"%0D", u"\t",
          u"\n", u"\r", u" ", u"\x00", u"evil.com", u"@", u":", u"javascript:", u"http:",
          u"https://", u"data:", u".", u"..", u"?", u"#", u"\uff0f", u"\uff3c", u"\u2215",
          u"\u3000", u"\u00e9", u"a", u"%EF%BC%8F"]
_came_from = st.one_of(
    st.lists(st.sampled_from(_ATOMS), max_size=8).map(u"".join),
    st.sampled_from(PAYLOADS),
    st.text(max_size=10))


@settings(max_examples=300, **FAST)
@given(value=_came_from, encoding=st.sampled_from(ENCODINGS),
       before=st.booleans())
def test_property_login_page_never_sees_an_unsafe_came_from(login_page, value, encoding,
                                                            before):
    pairs = ["came_from=" + encoding[1](value), "lang=en"]
    query = "&".join(pairs if before else pairs[::-1])
    seen = _echoed(send(login_page, environ_for(path="/login", query=query)))
    for seen_value in query_values(seen, "came_from", "&;"):
        assert verdict(seen_value) == "harmless", (value, seen_value)
    assert query_values(seen, "lang") == [u"en"]


@settings(max_examples=1000, **FAST)
@given(value=_came_from)
def test_property_is_safe_path_implies_harmless(value):
    if is_safe_path(value):
        assert verdict(value) == "harmless", value


_ENV = {"wsgi.url_scheme": "http", "HTTP_HOST": "localhost", "SCRIPT_NAME": "",
        "PATH_INFO": "/"}


@settings(max_examples=800, **FAST)
@given(url=_urls, came_from=_came_from,
       script_name=st.sampled_from([u"", u"/shop", u"/caf\xc3\xa9", u"/a b/"]))
def test_property_urls_never_build_an_offsite_redirect(url, came_from, script_name):
    environ = dict(_ENV, SCRIPT_NAME=native(script_name.encode("latin-1")))
    path = same_origin_path(url, environ)  # never an error (W3)
    if path is not None:
        text = path if not PY2 else as_text(path)
        assert text.startswith(u"/") and not urlsplit(text).netloc, (url, path)
        assert verdict(text) == "harmless", (url, path)
    # came_from as the package hands it on: a native string (UTF-8 bytes on 2.7).
    came_from = came_from.encode("utf-8") if PY2 else came_from
    location = login_location("/login", environ, "came_from", came_from)
    check_on_origin(location, script_name=environ["SCRIPT_NAME"])
