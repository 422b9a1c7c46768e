# -*- coding: utf-8 -*-
"""Hardening: the activity cookie, endpoints, preflights, odd environ values and
``came_from``, end to end through WebTest (lint on) over real Beaker (memory and file).

Black-box: only the public API (``SessionTimeoutMiddleware``, ``login``, ``logout``,
``wsgi_session_timeout.testing``) and HTTP. The activity cookie's name is read from the
sign-in response (the one ``Set-Cookie`` that is not Beaker's) except where the name is
the point. Where a test needs a valid activity cookie value, it is built here from the
contract (:func:`reference_marker`), not by the package.

The contract, as tests assert it:

- The activity cookie is named after the session cookie (``<key>.activity``), or by the
  ``activity_cookie`` option, so apps sharing a host never overwrite each other's.
- Its value is ``login_at.seen_at.tag16.sig32``, all HMAC-SHA256 under a key of its own,
  derived from the Beaker secret with a fixed label; with no secret there is no key, and
  the middleware refuses to run.
- Among several activity cookies, the one that verifies for this session counts.
- It carries the session cookie's SameSite, Path, Domain, Secure and expiry.
- Replayed after its session is gone, it reports what its own clocks say.
"""

import errno
import gc
import glob
import hashlib
import hmac
import json
import os
import sys
import time
from wsgiref.validate import validator

import pytest
import webob
import webtest
from beaker.middleware import SessionMiddleware
from webtest import lint as webtest_lint

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps
from .conftest import NAV, XHR

PY2 = sys.version_info[0] == 2

if PY2:  # pragma: no cover
    import __builtin__ as builtins  # noqa: F401
    from cookielib import http2time
    from urlparse import parse_qsl, urlsplit
else:
    import builtins
    from http.cookiejar import http2time
    from urllib.parse import parse_qsl, urlsplit

try:
    import tracemalloc
except ImportError:  # Python 2.7
    tracemalloc = None

SID = "beaker.session.id"
SECRET = "s3cret"  # the conftest backends' secret
IDLE = 600
GUARDED = dict(protected_paths=["/account", "/api"], idle_timeout=IDLE)
KEY_LABEL = b"wsgi_session_timeout activity cookie v2"


# -- the activity cookie's contract, built independently of the package ------------

def derived_key(secret):
    """The activity cookie's HMAC key: never the Beaker secret itself."""
    return hmac.new(secret.encode("utf-8"), KEY_LABEL, hashlib.sha256).digest()


def raw_key(secret):
    """The Beaker secret used as it is (how it must no longer be signed)."""
    return secret.encode("utf-8")


def _mac(key, message):
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def reference_marker(key, login_at, seen_at, session_id):
    """``login_at.seen_at.tag16.sig32`` under ``key``."""
    tag = _mac(key, "session:" + session_id)[:16]
    body = "%d.%d.%s" % (int(login_at), int(seen_at), tag)
    return body + "." + _mac(key, "marker:" + body)[:32]


# -- reading responses -------------------------------------------------------------

def set_cookies(response):
    """``{name: [attributes...]}`` for every ``Set-Cookie``; attributes lower-cased
    ``(key, value)`` pairs after the ``name=value`` pair, whose value is ``"value"``."""
    found = {}
    for header in response.headers.getall("Set-Cookie"):
        parts = [part.strip() for part in header.split(";")]
        name, _, value = parts[0].partition("=")
        attributes = [("value", value)]
        for part in parts[1:]:
            key, _, attribute = part.partition("=")
            attributes.append((key.strip().lower(), attribute.strip()))
        found[name.strip()] = attributes
    return found


def attribute(attributes, key):
    for name, value in attributes:
        if name == key:
            return value
    return None


def is_deletion(attributes):
    """True for a ``Set-Cookie`` that tells the browser to drop the cookie."""
    if attribute(attributes, "value") not in ("", '""'):
        return False
    expires = attribute(attributes, "expires")
    return attribute(attributes, "max-age") == "0" or bool(
        expires and (http2time(expires) or 0) < time.time())


def kept_cookies(response):
    """The names of the cookies a response sets (not those it drops)."""
    return sorted(name for name, attributes in set_cookies(response).items()
                  if not is_deletion(attributes))


def activity_name(response, key=SID):
    """The activity cookie's name: the one cookie a sign-in sets besides the session's."""
    names = [name for name in kept_cookies(response) if name != key]
    assert len(names) == 1, response.headers.getall("Set-Cookie")
    return names[0]


def session_id(cookie_value):
    """The session id in Beaker's signed cookie (40 hex digits of signature, then it)."""
    return cookie_value.strip('"')[40:]


def problem(response):
    return json.loads(response.body.decode("utf-8"))


def signed_in_as(response, user="alice"):
    return response.status_int == 200 and ("user=%s" % user) in response.text


def sign_in(app, user="alice"):
    return app.post("/login", extra_environ={"test.user": user})


def fresh(app):
    """Another browser on the same stack: an empty cookie jar."""
    return webtest.TestApp(app.app, lint=True)


def cookie_header(*pairs):
    return "; ".join("%s=%s" % pair for pair in pairs)


# -- 1. no secret, no activity cookie -------------------------------------------------

def untouched_app(environ, start_response):
    """Answers without reading the session: whatever fails is the middleware's."""
    if environ["PATH_INFO"] == "/login" and environ["REQUEST_METHOD"] == "POST":
        return apps.app(environ, start_response)
    start_response("200 OK", list(apps.TEXT))
    return [b"ok"]


@pytest.mark.parametrize("kind", ["memory", "file", "cookie"])
def test_beaker_outside_without_a_secret_is_refused(clock, tmpdir, kind):
    """Beaker outside with nothing to sign with (no secret; for cookie sessions no
    validate_key either): the activity cookie would be signed with an empty key, so
    anybody holding a session id could mint one and revive an idle session. The first
    request (and every one after) fails, naming the fix. (An empty secret is refused by
    Beaker itself.)"""
    beaker = {"session.type": kind}
    if kind == "file":
        beaker["session.data_dir"] = str(tmpdir)
    stack = SessionMiddleware(
        SessionTimeoutMiddleware(untouched_app, clock=clock, **GUARDED), beaker)
    app = webtest.TestApp(stack, lint=True)
    for send in (lambda: app.get("/"), lambda: app.post("/login"), lambda: app.get("/")):
        with pytest.raises(RuntimeError) as info:
            send()
        message = str(info.value)
        assert "beaker.session.secret" in message, message
        assert "set" in message.lower(), message
    assert app.cookies == {}
    # The same stack with a secret works: the refusal is about the secret alone.
    with_secret = dict(beaker, **{"session.secret": SECRET, "session.validate_key": SECRET})
    app = webtest.TestApp(SessionMiddleware(
        SessionTimeoutMiddleware(untouched_app, clock=clock, **GUARDED), with_secret), lint=True)
    assert app.get("/").text == "ok"


# -- 2. several activity cookies of one name ---------------------------------------

def test_a_tossed_activity_cookie_does_not_hide_the_real_one(make, clock):
    """A sibling subdomain can set a cookie of the same name (Domain=.example.com); the
    browser then sends both, in either order. The one that verifies for this session
    counts, so an active user is not signed out at the idle deadline of the sign-in."""
    app = make(**GUARDED)
    name = activity_name(sign_in(app))
    start = clock()
    clock.advance(500)
    assert signed_in_as(app.get("/account"))  # activity, recorded in the activity cookie
    sid, own = app.cookies[SID], app.cookies[name]
    assert own.split(".")[1] == "%d" % (start + 500)
    other = make(**GUARDED)
    sign_in(other, "mallory")
    foreign = other.cookies[name]  # valid, for another session
    clock.advance(400)  # 900 s after sign-in, 400 s after the last activity
    tossed = [
        ("junk", "x"),
        ("bad-signature", "%d.%d.0123456789abcdef.%s" % (start, start + 899, "0" * 32)),
        ("another-session", foreign),
        ("raw-secret", reference_marker(raw_key(SECRET), start, start + 899, session_id(sid))),
    ]
    for case, value in tossed:
        for order in ("tossed-last", "tossed-first"):
            markers = [(name, own), (name, value)]
            if order == "tossed-first":
                markers.reverse()
            header = cookie_header((SID, sid), *markers)
            response = fresh(app).get("/account", headers={"Cookie": header}, status="*")
            assert signed_in_as(response), (case, order, response.status, response.text[:200])


# -- 3. one activity cookie per session cookie name --------------------------------

def test_the_activity_cookie_is_named_after_the_session_cookie(make, clock):
    """``<key>.activity`` by default, whatever runs Beaker; ``activity_cookie`` (keyword
    or ini) names it."""
    cases = [
        ({}, {}, "beaker.session.id.activity"),
        ({"beaker.session.key": "shop"}, {}, "shop.activity"),
        ({"beaker.session.key": "shop"}, {"activity_cookie": "shop_seen"}, "shop_seen"),
        ({"beaker.session.key": "shop", "session_timeout.activity_cookie": "shop_seen"}, {},
         "shop_seen"),
    ]
    for config, options, expected in cases:
        app = make(config=config, **dict(GUARDED, **options))
        key = config.get("beaker.session.key", SID)
        assert kept_cookies(sign_in(app)) == sorted([key, expected]), (config, options)
    outside = webtest.TestApp(SessionMiddleware(
        SessionTimeoutMiddleware(apps.app, clock=clock, **GUARDED),
        {"session.type": "memory", "session.secret": SECRET, "session.key": "shop"}), lint=True)
    assert kept_cookies(sign_in(outside)) == ["shop", "shop.activity"]


def test_two_apps_on_one_host_keep_their_own_activity(backend, clock):
    """Two apps on one host, each with its own session key and secret, Path=/: a user
    active in both stays signed in to both."""
    def stack(key, secret):
        config = dict(backend, **{"beaker.session.key": key, "beaker.session.secret": secret})
        return webtest.TestApp(SessionTimeoutMiddleware(apps.app, config, clock=clock, **GUARDED),
                               lint=True)
    shop, blog = stack("shop", "shop secret"), stack("blog", "blog secret")
    blog.cookiejar = shop.cookiejar  # one browser
    sign_in(shop)
    sign_in(blog)
    for _ in range(4):
        clock.advance(500)
        assert signed_in_as(shop.get("/account")), shop.cookies
        assert signed_in_as(blog.get("/account")), blog.cookies


# -- 4. memory stays bounded -------------------------------------------------------

def _strings_held(minimum):
    """Characters (or bytes) held by strings of at least ``minimum`` that any object the
    garbage collector knows of refers to, directly or through untracked containers.
    Python 2.7 has no tracemalloc; this sees what a cache keeps."""
    gc.collect()
    counted, seen, total = set(), set(), 0
    todo = gc.get_objects()
    seen.update(id(item) for item in todo)
    string_types = (bytes, type(u""))
    while todo:
        batch, todo = todo[:2000], todo[2000:]
        for item in gc.get_referents(*batch):
            if isinstance(item, string_types):
                if len(item) >= minimum and id(item) not in counted:
                    counted.add(id(item))
                    total += len(item)
            elif isinstance(item, (tuple, list, dict, set, frozenset)) and (
                    id(item) not in seen and not gc.is_tracked(item)):
                seen.add(id(item))
                todo.append(item)
    return total


def test_distinct_huge_activity_cookies_do_not_pile_up_in_memory(memory, clock):
    """4096 requests of a signed-in browser, each with another 16 KiB activity cookie
    (a server lets 256 KiB of headers through): memory stays flat."""
    middleware = SessionTimeoutMiddleware(untouched_app, memory, clock=clock, **GUARDED)
    jar = webtest.TestApp(middleware, lint=True)
    name = activity_name(sign_in(jar))
    sid = jar.cookies[SID]
    stack = validator(middleware)
    template = webob.Request.blank("/account").environ
    size = 16 * 1024

    def drive(first, count):
        for number in range(first, first + count):
            value = ("%08d" % number) + "7" * (size - 8)
            environ = dict(template, HTTP_COOKIE=cookie_header((SID, sid), (name, value)))
            result = stack(environ, lambda status, headers, exc_info=None: None)
            try:
                for _ in result:
                    pass
            finally:
                result.close()

    drive(0, 64)  # warm up: first-use allocations are not growth
    limit = 4 * 1024 * 1024
    if tracemalloc is not None:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            drive(64, 4096)
            growth = tracemalloc.get_traced_memory()[1] - before  # the peak: a cache
        finally:                                                  # may be emptied at times
            tracemalloc.stop()
    else:  # pragma: no cover (Python 2.7)
        before = _strings_held(size)
        growth = 0
        for first in range(64, 64 + 4096, 512):
            drive(first, 512)
            growth = max(growth, _strings_held(size) - before)
    assert growth < limit, "%d bytes held at the peak of 4096 requests" % growth


# -- 5. an unreadable session file is an outage, not a sign-out --------------------

def _session_file(data_dir, sid):
    """Beaker's file for a session id: ``data_dir/container_file/<id[0]>/<id[:2]>/
    <id>.cache`` (beaker.container.FileNamespaceManager, names not digested)."""
    ident = session_id(sid)
    found = [path for path in glob.glob(os.path.join(data_dir, "container_file", "*", "*",
                                                     "*.cache"))
             if os.path.basename(path) == ident + ".cache"]
    assert len(found) == 1, (ident, found)
    return found[0]


class _Denied(object):
    """The file cannot be read: ``open`` raises EACCES for that one path, as the system
    does on a permission problem. (chmod cannot show it when the tests run as root.)
    Beaker's file store reads EACCES as "no record"."""

    def __init__(self, path, monkeypatch):
        self.path = os.path.abspath(path)
        self.monkeypatch = monkeypatch

    def __enter__(self):
        real_open = builtins.open
        path = self.path

        def open_(name, *args, **kwargs):
            if isinstance(name, (str, type(u""))) and os.path.abspath(name) == path:
                raise IOError(errno.EACCES, os.strerror(errno.EACCES), name)
            return real_open(name, *args, **kwargs)
        self.monkeypatch.setattr(builtins, "open", open_)

    def __exit__(self, *exc_info):
        self.monkeypatch.undo()


class _Directory(object):
    """The file is a directory now: reading it gives EISDIR, which Beaker's file store
    raises (the middleware answers 503 for it already; kept beside EACCES)."""

    def __init__(self, path):
        self.path = path

    def __enter__(self):
        with open(self.path, "rb") as handle:
            self.content = handle.read()
        os.remove(self.path)
        os.mkdir(self.path)

    def __exit__(self, *exc_info):
        os.rmdir(self.path)
        with open(self.path, "wb") as handle:
            handle.write(self.content)


def test_an_unreadable_session_file_is_a_503_not_a_sign_out(clock, tmpdir, monkeypatch):
    """A record that exists but cannot be read is a store failure: 503, no cookie
    changes, and the same browser is signed in once the file can be read again. (The
    store probe writes another file and succeeds, so it cannot tell.)"""
    config = {"beaker.session.type": "file", "beaker.session.data_dir": str(tmpdir),
              "beaker.session.secret": SECRET}
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, config, clock=clock, **GUARDED),
                          lint=True)
    sign_in(app)
    path = _session_file(str(tmpdir), app.cookies[SID])
    for fault in (_Denied(path, monkeypatch), _Directory(path)):
        clock.advance(60)
        with fault:
            xhr = app.get("/api/x", headers=XHR, status="*")
            assert xhr.status_int == 503, (fault, xhr.status, xhr.body[:300])
            assert problem(xhr)["error"] == "store_unavailable"
            assert "Set-Cookie" not in xhr.headers
            nav = app.get("/account", headers=NAV, status="*")
            assert nav.status_int == 503 and "Set-Cookie" not in nav.headers
        clock.advance(1)  # the store breaker's next probe is due
        assert signed_in_as(app.get("/account")), fault  # nobody was signed out


# -- 6. CORS preflights reach the app ------------------------------------------------

PREFLIGHT_ANSWER = [
    ("Access-Control-Allow-Origin", "https://other.example"),
    ("Access-Control-Allow-Methods", "GET, POST"),
    ("Access-Control-Allow-Headers", "content-type, x-requested-with"),
    ("Access-Control-Allow-Credentials", "true"),
    ("Access-Control-Max-Age", "600"),
]


def cors_app(environ, start_response):
    if environ["REQUEST_METHOD"] == "OPTIONS":
        start_response("204 No Content", list(PREFLIGHT_ANSWER))
        return []
    return apps.app(environ, start_response)


def test_cors_preflight_reaches_the_app_untouched(make):
    """Browsers never send cookies on a preflight: guarding it breaks every credentialed
    cross-origin call."""
    preflight = {"Origin": "https://other.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type, x-requested-with",
                 "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty", "Accept": "*/*"}
    for options in (GUARDED, dict(protected_paths=["/"]), dict(GUARDED, xhr_status=200)):
        app = make(cors_app, **options)
        for path in ("/account", "/api/x", "/api/x/y"):
            response = app.options(path, headers=preflight, status="*")
            assert response.status_int == 204, (options, path, response.status)
            assert response.headerlist == PREFLIGHT_ANSWER, (options, path, response.headerlist)
        assert app.cookies == {}


# -- 7. endpoint methods match exactly -----------------------------------------------

@pytest.mark.filterwarnings("ignore:Unknown REQUEST_METHOD")
def test_endpoint_methods_match_exactly(make):
    """A method is allowed when it is one of the allowed ones, not a part of one:
    ``ST``, ``OS`` or ``P`` never extend a session, ``ET`` never reads its status."""
    app = make(**GUARDED)
    sign_in(app)
    cases = [("ST", "/_session/extend", "POST"), ("OS", "/_session/extend", "POST"),
             ("P", "/_session/extend", "POST"), ("PO", "/_session/extend", "POST"),
             ("ET", "/_session/status", "GET"), ("GE", "/_session/status", "GET"),
             ("EA", "/_session/status", "GET")]
    for method, path, allowed in cases:
        response = app.request(path, method=method, headers=XHR, status="*")
        assert response.status_int == 405, (method, path, response.status)
        assert allowed in response.headers.get("Allow", ""), (method, path, response.headers)


# -- 8. environ text beyond latin-1 --------------------------------------------------

#: Text with no latin-1 form, as an odd server hands it: a str on Python 3, a unicode on
#: 2.7 (PEP 3333 wants bytes, as latin-1 text on Python 3).
ODD = u"/caf\u00e9\u4e2d"


def call(wsgi_app, environ):
    """One request with exactly ``environ`` (completed by WebOb). WebTest's lint checks
    it on Python 3; on 2.7 lint refuses unicode values outright, so the answer is
    checked here. Returns ``(status code, [(name, value)], body)``."""
    full = webob.Request.blank("/").environ
    full.update(environ)
    if not PY2:
        wsgi_app = webtest_lint.middleware(wsgi_app)
    seen = []

    def start_response(status, headers, exc_info=None):
        seen[:] = [status, headers]
        return lambda data: None
    result = wsgi_app(full, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    status, headers = seen
    assert type(status) is str, repr(status)
    for name, value in headers:
        assert type(name) is str and type(value) is str, (name, value)
        if not PY2:
            value.encode("latin-1")
        assert "\r" not in value and "\n" not in value, (name, value)
    return int(status[:3]), headers, body


def _safe_login_url(url):
    """A URL on this origin: the login page, with at most a came_from that is a path."""
    if not isinstance(url, type(u"")):
        url = url.decode("latin-1")
    assert url.startswith(u"/") and not url.startswith(u"//") and u"\\" not in url, url
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc, url
    assert parts.path.endswith(u"/login"), url
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if isinstance(value, bytes):  # pragma: no cover (Python 2)
            value = value.decode("utf-8", "replace")
        assert key == "came_from", url
        assert value.startswith(u"/") and not value.startswith(u"//"), url
        assert u"\\" not in value and not urlsplit(value).netloc, url


def test_environ_text_beyond_latin_1_is_never_a_500(make, clock):
    """PATH_INFO, SCRIPT_NAME, Referer, HX-Current-URL and Origin holding text with no
    latin-1 form, anonymous and with an expired session: an answer, never an error, and
    every login URL on this origin."""
    app = make(protected_paths=["/"], idle_timeout=IDLE)
    wsgi_app = app.app
    url = u"http://localhost" + ODD + u"?q=" + ODD[1:]
    cases = [
        ("PATH_INFO", {"PATH_INFO": ODD}, NAV),
        ("PATH_INFO-nested", {"PATH_INFO": u"/account" + ODD}, XHR),
        ("SCRIPT_NAME", {"SCRIPT_NAME": ODD, "PATH_INFO": "/account"}, NAV),
        ("SCRIPT_NAME-xhr", {"SCRIPT_NAME": ODD, "PATH_INFO": "/api/x"}, XHR),
        ("Referer", {"PATH_INFO": "/api/x", "HTTP_REFERER": url}, XHR),
        ("Referer-host", {"PATH_INFO": "/api/x",
                          "HTTP_REFERER": u"http://localhost\u4e2d/page"}, XHR),
        ("Referer-status", {"PATH_INFO": "/_session/status",
                            "HTTP_REFERER": url}, {}),
        ("HX-Current-URL", {"PATH_INFO": "/api/x", "HTTP_HX_REQUEST": "true",
                            "HTTP_HX_CURRENT_URL": url}, {}),
        ("Origin-extend", {"PATH_INFO": "/_session/extend", "REQUEST_METHOD": "POST",
                           "HTTP_ORIGIN": u"http://localhost\u4e2d"}, XHR),
    ]
    for session in ("none", "expired"):
        cookie = None
        if session == "expired":
            browser = fresh(app)
            name = activity_name(sign_in(browser))
            cookie = cookie_header((SID, browser.cookies[SID]), (name, browser.cookies[name]))
            clock.advance(IDLE + 1)
        for case, environ, headers in cases:
            environ = dict(environ)
            for header, value in headers.items():
                environ["HTTP_" + header.upper().replace("-", "_")] = value
            if cookie:
                environ["HTTP_COOKIE"] = cookie
            status, headerlist, body = call(wsgi_app, environ)
            assert status < 500, (session, case, status, body[:300])
            for header, value in headerlist:
                if header.lower() in ("location", "hx-redirect"):
                    _safe_login_url(value)
            if body.startswith(b"{"):
                document = json.loads(body.decode("utf-8"))
                if document.get("login_url"):
                    _safe_login_url(document["login_url"])


# -- 9. came_from keeps a literal percent ------------------------------------------

def echo_app(environ, start_response):
    """Says what it saw: the path, the query, ``came_from`` as WebOb reads it."""
    request = webob.Request(environ)
    if request.path_info == "/login" and request.method == "POST":
        return apps.app(environ, start_response)
    seen = {"path": environ["PATH_INFO"] if not PY2 else environ["PATH_INFO"].decode("latin-1"),
            "query": environ.get("QUERY_STRING", ""),
            "came_from": request.GET.get("came_from"),
            "user": environ["beaker.session"].get("user")}
    body = json.dumps(seen).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


@pytest.mark.parametrize("url", [
    "/account/a%2541", "/account/100%25", "/account/%2525", "/account/a%2541?q=%2541",
    "/account/%25E2%2580%25AE?x=%25",
])
def test_came_from_round_trips_a_literal_percent(make, url):
    """PATH_INFO is decoded: a "%" in it is a literal percent. The login page reads
    came_from (as WebOb does) as the URL asked for, and sending the user there after
    sign-in reaches the very same PATH_INFO and QUERY_STRING."""
    app = make(echo_app, **GUARDED)
    first = app.get(url, headers=NAV, status="*")
    assert first.status_int == 302, (first.status, first.body[:200])
    location = first.headers["Location"]
    assert webob.Request.blank(location).GET["came_from"] == url, location
    login_page = app.get(location).json  # through the login page's came_from filter
    assert login_page["came_from"] == url, (location, login_page)
    sign_in(app)
    # Where the login page sends the user back to: the very page asked for.
    back = app.get(login_page["came_from"]).json
    expected = webob.Request.blank(url)
    assert back["user"] == "alice"
    assert back["path"] == (expected.environ["PATH_INFO"] if not PY2 else
                            expected.environ["PATH_INFO"].decode("latin-1")), (url, back)
    assert back["query"] == expected.environ["QUERY_STRING"], (url, back)


# -- 10. the activity cookie carries the session cookie's attributes ----------------

def _expiry(attributes):
    """When a cookie expires (seconds since the epoch, real time), or ``None`` for a
    browser-session cookie. Max-Age wins over Expires (RFC 6265)."""
    max_age = attribute(attributes, "max-age")
    if max_age is not None:
        return time.time() + int(max_age)
    expires = attribute(attributes, "expires")
    if expires:
        return http2time(expires)
    return None


def _flags(attributes):
    return set(name for name, _ in attributes)


def test_the_activity_cookie_copies_samesite_path_domain_and_secure(make, clock):
    """An embedded app's session cookie is SameSite=None: an activity cookie that stays
    Lax is not sent from the embedding site, and its active users idle out."""
    https = {"wsgi.url_scheme": "https", "HTTP_HOST": "www.example.com:443"}
    plain = {"HTTP_HOST": "www.example.com"}
    stacks = []
    for samesite in ("Strict", "None", "Lax"):
        for environ in (plain, https):
            config = {"beaker.session.samesite": samesite,
                      "beaker.session.cookie_domain": ".example.com",
                      "beaker.session.cookie_path": "/"}
            stacks.append((samesite, environ, make(config=config, **GUARDED)))
    outside = webtest.TestApp(SessionMiddleware(
        SessionTimeoutMiddleware(apps.app, clock=clock, **GUARDED),
        {"session.type": "memory", "session.secret": SECRET, "session.samesite": "None",
         "session.secure": True, "session.cookie_domain": ".example.com"}), lint=True)
    stacks.append(("None", https, outside))
    for samesite, environ, app in stacks:
        response = app.post("/login", extra_environ=environ)
        cookies = set_cookies(response)
        name = activity_name(response)
        ours, beakers = cookies[name], cookies[SID]
        where = (samesite, environ.get("wsgi.url_scheme", "http"), ours, beakers)
        assert (attribute(ours, "samesite") or "").lower() == samesite.lower(), where
        assert attribute(ours, "path") == attribute(beakers, "path"), where
        assert (attribute(ours, "domain") or "").lstrip(".") == "example.com", where
        if samesite == "None" or "secure" in _flags(beakers):
            assert "secure" in _flags(ours), where


def test_the_activity_cookie_copies_the_session_cookies_expiry(make, clock):
    """A persistent session cookie (``cookie_expires``) survives a browser restart; an
    activity cookie that does not signs an active user out early. Beaker's cookie expiry
    runs on the real clock, and so must this one's."""
    for setting, tolerance in (("604800", 120), ("false", 86400 + 120), (None, None)):
        config = {} if setting is None else {"beaker.session.cookie_expires": setting}
        app = make(config=config, **GUARDED)
        response = sign_in(app)
        cookies = set_cookies(response)
        name = activity_name(response)
        beakers, ours = _expiry(cookies[SID]), _expiry(cookies[name])
        if setting is None:
            assert beakers is None and ours is None, (setting, cookies)
            continue
        assert beakers is not None and ours is not None, (setting, cookies)
        assert abs(ours - beakers) <= tolerance, (setting, cookies)
        clock.advance(120)
        touched = set_cookies(app.get("/account"))[name]  # activity: the cookie is re-sent
        later = _expiry(touched)
        assert later is not None and later > time.time() + 3600, (setting, touched)


# -- 11. a key of its own ------------------------------------------------------------

def test_the_activity_cookie_is_signed_with_a_key_of_its_own(make, clock):
    """The value is the contract's, under the derived key; the same value signed with
    the Beaker secret itself is not trusted."""
    app = make(**GUARDED)
    name = activity_name(sign_in(app))
    login_at = int(clock())
    sid = app.cookies[SID]
    assert app.cookies[name] == reference_marker(
        derived_key(SECRET), login_at, login_at, session_id(sid))
    clock.advance(IDLE + 300)  # idle since sign-in, unless an activity cookie says otherwise

    def with_activity_at(key, seen_at):
        value = reference_marker(key, login_at, seen_at, session_id(sid))
        header = cookie_header((SID, sid), (name, value))
        return fresh(app).get("/api/x", headers=dict(XHR, Cookie=header), status="*")

    alive = with_activity_at(derived_key(SECRET), login_at + 500)
    assert alive.status_int == 200 and alive.json == {"user": "alice"}, alive.body[:200]
    forged = with_activity_at(raw_key(SECRET), login_at + 500)  # the secret used raw
    assert forged.status_int == 401, forged.body[:200]
    assert (problem(forged)["error"], problem(forged)["reason"]) == ("session_expired", "idle")


# -- 12. a replayed activity cookie reports its own clocks ---------------------------

def test_a_replayed_activity_cookie_reports_what_its_clocks_say(make, clock):
    """After sign-out, the activity cookie (with or without the dead session cookie)
    reports ``idle`` or ``absolute`` when that clock has run out by its own timestamps,
    and ``login_required`` while they say the session would still be live."""
    app = make(protected_paths=["/account", "/api"], idle_timeout=IDLE, absolute_timeout=3600)

    def replay(pairs, when):
        clock.set(when)
        header = cookie_header(*pairs)
        document = problem(fresh(app).get("/api/x", headers=dict(XHR, Cookie=header),
                                          status=401))
        return document["error"], document["reason"]

    start = clock()
    name = activity_name(sign_in(app))
    clock.advance(300)
    assert signed_in_as(app.get("/account"))  # active at +300
    both = [(SID, app.cookies[SID]), (name, app.cookies[name])]
    app.get("/logout")  # the session is gone; the cookies are replayed below
    # Live by its clocks (idle until +900, absolute until +3600): it says nothing.
    assert replay(both, start + 899) == ("login_required", None)
    assert replay(both[1:], start + 899) == ("login_required", None)
    # Idle time since its last activity has run out.
    assert replay(both, start + 900) == ("session_expired", "idle")
    assert replay(both[1:], start + 900) == ("session_expired", "idle")

    start = clock()
    name = activity_name(sign_in(app))
    for _ in range(7):
        clock.advance(500)
        assert signed_in_as(app.get("/account"))
    both = [(SID, app.cookies[SID]), (name, app.cookies[name])]  # active at +3500
    app.get("/logout")
    assert replay(both, start + 3599) == ("login_required", None)
    # The absolute timeout since its sign-in has run out.
    assert replay(both, start + 3600) == ("session_expired", "absolute")
    assert replay(both[1:], start + 3600) == ("session_expired", "absolute")
