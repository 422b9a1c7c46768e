"""Helpers for testing applications that use the middleware.

Time is moved, never waited for: give the middleware a clock you control
(:class:`ManualClock`, or :func:`freeze_clock` for a middleware that is built already).
Sign a WebTest ``TestApp`` in and out without the app's login form (:func:`sign_in`,
:func:`sign_out`), send requests as each kind of client (:func:`request_headers`), and
check the answers (:func:`assert_session_expired`, :func:`assert_login_required`,
:func:`assert_redirects_to_login`, :func:`assert_signed_in`). Nothing here imports
WebTest: the helpers use the ``TestApp`` and responses they are given.

.. code-block:: python

    import webtest
    from wsgi_session_timeout import SessionTimeoutMiddleware
    from wsgi_session_timeout.testing import (
        assert_session_expired, request_headers, sign_in)

    def test_idle_session_expires(session_clock):  # the pytest plugin's fixture
        app = webtest.TestApp(SessionTimeoutMiddleware(
            my_app, {"beaker.session.type": "memory", "beaker.session.secret": "x"},
            idle_timeout=1800, protected_paths=["/api"], clock=session_clock))
        sign_in(app, "alice")
        app.get("/api/me", headers=request_headers("xhr"))
        session_clock.advance(1800)
        response = app.get("/api/me", headers=request_headers("xhr"), status=401)
        assert_session_expired(response, kind="xhr", reason="idle")
"""

from __future__ import absolute_import

import contextlib
import json
import numbers
from datetime import timedelta

from . import classify, expiry, protocol, responses, settings as settings_module
from ._compat import PY2, parse_qsl, text_type, urlsplit
from .middleware import WRAPPED_ATTRIBUTES, SessionTimeoutMiddleware, find_wrapped
from .state import login, logout
from .urls import login_location

__all__ = [
    "DEFAULT_START", "KINDS", "ManualClock", "freeze_clock", "sign_in", "sign_out",
    "request_headers", "assert_session_expired", "assert_login_required",
    "assert_redirects_to_login", "assert_signed_in",
]

#: Where a :class:`ManualClock` starts unless told: 2023-11-14 22:13:20 UTC. Fixed, so
#: a test's timestamps are the same on every run; realistic, so code that formats or
#: compares real dates still works.
DEFAULT_START = 1700000000.0

#: The kinds of client the middleware tells apart, as :func:`request_headers` and the
#: ``kind`` argument of the assertions name them.
KINDS = (classify.NAVIGATION, classify.XHR, classify.FETCH, classify.API, classify.HTMX)

_REQUEST_HEADERS = {
    classify.NAVIGATION: (("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"),
                          ("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Dest", "document")),
    classify.XHR: (("X-Requested-With", "XMLHttpRequest"),),
    classify.FETCH: (("Sec-Fetch-Mode", "cors"), ("Sec-Fetch-Dest", "empty")),
    classify.API: (("Accept", "application/json"),),
    classify.HTMX: (("HX-Request", "true"),),
}
_NAMES = {classify.NAVIGATION: "a browser navigation", classify.XHR: "an XHR request",
          classify.FETCH: "a fetch() request", classify.API: "an API request",
          classify.HTMX: "an htmx request"}
_REDIRECTS = (301, 302, 303, 307, 308)
_SHOWN_HEADERS = ("Content-Type", "Location", "WWW-Authenticate",
                  protocol.HX_REDIRECT_HEADER, "Cache-Control", "Vary",
                  protocol.EXPIRES_IN_HEADER)
_BODY_EXCERPT = 600


class _Any(object):
    def __repr__(self):
        return "<any>"


_ANY = _Any()


# -- the clock ------------------------------------------------------------------------


class ManualClock(object):
    """A clock that moves only when told: pass it as the middleware's ``clock``.

    :param start: seconds since the epoch it reads at first. Default
        :data:`DEFAULT_START`.

    Only the middleware's session clocks follow it. Beaker's own ``timeout`` (off unless
    ``beaker.session.timeout`` is set) and cookie expiry in the test client stay on the
    real clock.

    .. code-block:: python

        clock = ManualClock()
        app = webtest.TestApp(SessionTimeoutMiddleware(my_app, config, clock=clock))
        clock.advance(1800)                 # or clock.advance(timedelta(minutes=30))
        clock.set(DEFAULT_START + 86400)    # jump to a given instant
    """

    def __init__(self, start=DEFAULT_START):
        self.now = _seconds("start", start)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        """Move forward by ``seconds`` (a number or a :class:`~datetime.timedelta`) and
        return the new time. Moving back is :meth:`set`'s job, so a negative amount (a
        sign slip, most likely) raises :class:`ValueError`."""
        seconds = _seconds("seconds", seconds)
        if seconds < 0:
            raise ValueError("advance() moves forward only; use set() to go back "
                             "(got %r)" % (seconds,))
        self.now += seconds
        return self.now

    def set(self, when):
        """Move to ``when`` (seconds since the epoch), forward or back; return it."""
        self.now = _seconds("when", when)
        return self.now

    def __repr__(self):
        return "ManualClock(%r)" % (self.now,)


def _seconds(name, value):
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError("%s: expected seconds as a number (got %r)" % (name, value))
    return float(value)


@contextlib.contextmanager
def freeze_clock(target, at=None):
    """Put a :class:`ManualClock` in place of the clock of a middleware that is built
    already, and put the old clock back afterwards.

    For an app made by a factory that takes no ``clock`` (a PasteDeploy ini, a Pylons
    ``make_app``). Every :class:`SessionTimeoutMiddleware` reachable from ``target`` gets
    the same clock.

    :param target: a ``webtest.TestApp``, a :class:`SessionTimeoutMiddleware`, or a WSGI
        app with one inside (found through the attributes middleware keep their app in:
        ``app``, ``application``, ``wrap_app``, ...).
    :param at: the time the clock starts at. Default ``None``: the middleware's own
        clock's current reading, so sessions made before keep their age.

    .. code-block:: python

        with freeze_clock(testapp) as clock:
            sign_in(testapp, "alice")
            clock.advance(3600)
            assert_session_expired(testapp.get("/account", status=302))
    """
    middlewares = _require_middlewares(target, "freeze_clock()")
    clock = ManualClock(middlewares[0].settings.clock() if at is None else at)
    saved = [(m.settings, m.settings.clock) for m in middlewares]
    for middleware in middlewares:
        middleware.settings.clock = clock
    try:
        yield clock
    finally:
        for settings, original in saved:
            settings.clock = original


# -- signing in and out -----------------------------------------------------------------


def sign_in(testapp, user, path=None):
    """Sign ``testapp`` in as ``user`` without the app's login form, and return the
    response (a ``204``; its ``Session-Expires-In`` says how long the session has).

    One real request goes through ``testapp``: every layer outside the middleware,
    Beaker (the middleware's own or one outside it) and the middleware itself run as
    usual, and :func:`wsgi_session_timeout.login` is called from inside, so the
    session is stored and the real cookies land in ``testapp``'s cookie jar. Only the
    application inside the middleware is left out: for that one request, each
    :class:`SessionTimeoutMiddleware` reachable from ``testapp`` has its ``app``
    replaced by a tiny one that calls ``login(environ, user)``. Nothing in the
    production code path knows about this: a sign-in request the middleware honoured
    would be a backdoor to leave enabled by mistake, a wrapper the app had to be built
    with would change the app's factory, and writing the session store directly would
    skip Beaker's cookie handling. Not for an app that serves requests from other
    threads at the same time.

    :param testapp: a ``webtest.TestApp`` around an app that holds the middleware.
    :param user: what the session stores under ``auth_key``; not ``None``.
    :param path: the path to send the request to. Default ``None``: the middleware's
        login URL path (which it never guards), else ``/``. Give one when the
        middleware is mounted under a prefix.

    :raises RuntimeError: when the request did not reach the middleware (a router
        outside it sent it elsewhere, or the path is guarded); the message shows the
        response.
    """
    if user is None:
        raise ValueError("sign_in(): user must not be None (None means signed out)")
    return _through_middleware(testapp, path, "sign_in()", lambda environ: login(environ, user))


def sign_out(testapp, path=None):
    """Sign ``testapp`` out the way the app's logout view would: one real request that
    calls :func:`wsgi_session_timeout.logout` from inside the middleware, so the
    session's record is removed and the cookies are dropped from ``testapp``'s cookie
    jar. Returns the response. ``path`` and the way it works are as for
    :func:`sign_in`."""
    return _through_middleware(testapp, path, "sign_out()", logout)


def _through_middleware(testapp, path, caller, action):
    middlewares = _require_middlewares(testapp, caller)
    if path is None:
        paths = [m.settings.login_path for m in middlewares if m.settings.login_path]
        path = paths[0] if paths else "/"
    reached = []

    def inner_app(environ, start_response):
        reached.append(True)
        action(environ)
        start_response("204 No Content", [])
        return []

    saved = [(m, m.app) for m in middlewares]
    for middleware in middlewares:
        middleware.app = inner_app
    try:
        response = testapp.get(path, status="*")
    finally:
        for middleware, app in saved:
            middleware.app = app
    if not reached:
        raise RuntimeError(
            "%s: the request to %s did not reach SessionTimeoutMiddleware's application "
            "(a router outside it sent it elsewhere, or the middleware guards that path). "
            "Pass path= a path that routes to the middleware and is not in its "
            "protected_paths.\n%s" % (caller, path, _describe(response)))
    return response


def _require_middlewares(target, caller):
    if isinstance(target, SessionTimeoutMiddleware):
        return [target]
    found = _find_middlewares(target)
    if not found:
        raise ValueError(
            "%s: found no SessionTimeoutMiddleware in %r (looked through the attributes "
            "%s). Pass the middleware itself, or a TestApp around an app that holds it."
            % (caller, target, ", ".join(WRAPPED_ATTRIBUTES)))
    return found


def _find_middlewares(target):
    """Every :class:`SessionTimeoutMiddleware` reachable from ``target``, nearest first."""
    return find_wrapped(target, SessionTimeoutMiddleware)


# -- requests as each kind of client ------------------------------------------------------


def request_headers(kind):
    """The request headers a browser or client of ``kind`` sends, that the middleware
    tells it apart by, as a new dict for WebTest's ``headers=``.

    ``kind`` is one of :data:`KINDS`: ``"navigation"``, ``"xhr"``
    (``X-Requested-With``), ``"fetch"`` (``Sec-Fetch-Mode: cors``, ``Sec-Fetch-Dest:
    empty``), ``"api"`` (``Accept: application/json``) or ``"htmx"``
    (``HX-Request: true``).
    """
    return dict(_REQUEST_HEADERS[_check_kind(kind)])


def _check_kind(kind):
    if kind not in _REQUEST_HEADERS:
        raise ValueError("kind must be one of %s (got %r)" % (", ".join(KINDS), kind))
    return kind


# -- assertions -------------------------------------------------------------------------


_REASONS = (None, protocol.IDLE, protocol.ABSOLUTE, protocol.REVOKED, protocol.REPLACED)


def assert_session_expired(response, kind=None, reason=None, came_from=_ANY, middleware=None):
    """Assert that ``response`` is the middleware's answer to a request whose signed-in
    session has expired (``error`` ``session_expired``), in the shape for ``kind``.

    :param response: a WebTest (or WebOb) response.
    :param kind: ``"navigation"`` (a ``302``, or ``303`` after a POST, to the login URL
        with ``came_from``), ``"xhr"``, ``"fetch"``, ``"api"`` or ``"htmx"`` (the
        ``xhr_status`` with a ``application/problem+json`` document and
        ``WWW-Authenticate``, or with ``xhr_status=200`` the ``{"success": false}``
        envelope; htmx also gets ``HX-Redirect``). Default ``None``: the kind the
        middleware makes of the request that was sent.
    :param reason: ``"idle"`` or ``"absolute"`` to check which timeout ran out, or
        ``"revoked"`` / ``"replaced"`` for a session ended on purpose (only the problem
        document says); default ``None``: any.
    :param came_from: the ``came_from`` the login URL must carry, as the login page
        receives it (``"/account?tab=2"``), or ``None`` for none. Default: not checked.
    :param middleware: the :class:`SessionTimeoutMiddleware` (or an app or ``TestApp``
        holding it) whose ``login_url``, ``xhr_status``, ``auth_scheme`` and ``realm``
        the answer must follow. Default ``None``: the one behind the ``TestApp`` that
        made ``response``, else the defaults.

    The :class:`AssertionError` lists every mismatch and shows the request and the
    response received: status, the headers that matter, and the start of the body.
    """
    if reason not in _REASONS:
        raise ValueError("reason must be one of %s or None (got %r)"
                         % (", ".join(repr(r) for r in _REASONS[1:]), reason))
    _assert_answer(response, protocol.SESSION_EXPIRED, kind, reason, came_from, middleware)


def assert_login_required(response, kind=None, came_from=_ANY, middleware=None):
    """Assert that ``response`` is the middleware's answer to a request that needs a
    signed-in session and never had one (``error`` ``login_required``). The arguments
    are those of :func:`assert_session_expired`."""
    _assert_answer(response, protocol.LOGIN_REQUIRED, kind, None, came_from, middleware)


def assert_redirects_to_login(response, came_from=_ANY, login_url=None, middleware=None):
    """Assert that ``response`` sends the browser to the login page: a redirect
    (301, 302, 303, 307 or 308) whose ``Location`` is the login URL, from the middleware
    or from the app itself, whatever the session's state.

    :param came_from: as for :func:`assert_session_expired`.
    :param login_url: the login URL expected, without ``came_from``. Default ``None``:
        the middleware's ``login_url`` (see ``middleware``), mounted where the request
        was.
    :param middleware: as for :func:`assert_session_expired`.
    """
    expected = _Expected(response, middleware, login_url)
    problems = []
    if response.status_int not in _REDIRECTS:
        problems.append("status is %s, expected a redirect (%s)"
                        % (response.status, ", ".join(str(s) for s in _REDIRECTS)))
    _check_location(response.headers.get("Location"), "Location", expected, came_from,
                    problems)
    _raise(problems, "a redirect to the login page", response)


def assert_signed_in(response, expires_in=None):
    """Assert that ``response`` went out for a signed-in session: it carries
    ``Session-Expires-In``, the seconds the session has left (the middleware never adds
    it to a redirect to the login page or a ``session_expired`` answer).

    :param expires_in: the exact number of seconds expected. Default ``None``: any.
    """
    problems = []
    name = protocol.EXPIRES_IN_HEADER
    header = response.headers.get(name)
    if header is None:
        problems.append("no %s header: the session is not signed in" % name)
    elif expires_in is not None and header != str(int(expires_in)):
        problems.append("%s is %s, expected %d" % (name, header, int(expires_in)))
    _raise(problems, "a response for a signed-in session", response)


class _Expected(object):
    """What the answer must look like, from the middleware's settings or the defaults."""

    def __init__(self, response, middleware, login_url=None):
        request = getattr(response, "request", None)
        self.environ = getattr(request, "environ", None) or {}
        self.method = (getattr(request, "method", None) or "").upper() or None
        self.host_url = getattr(request, "host_url", None)
        self.source = "the middleware's"
        if middleware is not None:
            settings = _require_middlewares(middleware, "middleware=")[0].settings
        else:
            settings = self._discover(getattr(response, "test_app", None))
        self.settings = settings
        for name in ("login_url", "came_from_param", "xhr_status", "auth_scheme", "realm"):
            setattr(self, name, getattr(settings, name))
        self.param = self.came_from_param
        if login_url is not None:
            self.login_url, self.source = login_url, "the given"
        else:
            self.login_url = login_location(self.login_url, self.environ, self.param, None)

    def answer(self, kind, error, reason):
        """The answer the middleware builds for a request of ``kind`` with ``error``."""
        if error == protocol.SESSION_EXPIRED:
            verdict = expiry.Verdict(expiry.EXPIRED, reason or protocol.IDLE, None, None)
        else:
            verdict = expiry.ANONYMOUS_VERDICT
        environ = dict(self.environ or {}, REQUEST_METHOD=self.method or "GET")
        environ.setdefault("wsgi.url_scheme", "http")
        consulted = classify.classify(environ)[1]
        return responses.sign_in(kind, consulted, verdict, environ, self.settings)

    def _discover(self, test_app):
        found = _find_middlewares(test_app) if test_app is not None else []
        if not found:
            self.source = "the default"
            return settings_module.parse()
        first = found[0].settings
        for other in found[1:]:
            for name in ("login_url", "came_from_param", "xhr_status", "auth_scheme", "realm"):
                if getattr(other.settings, name) != getattr(first, name):
                    raise ValueError(
                        "several SessionTimeoutMiddleware behind this TestApp disagree on "
                        "%s (%r, %r): pass middleware= the one that answered"
                        % (name, getattr(first, name), getattr(other.settings, name)))
        return first


def _assert_answer(response, error, kind, reason, came_from, middleware):
    expected = _Expected(response, middleware)
    asked, _ = classify.classify(expected.environ) if expected.environ else (None, ())
    if kind is None:
        if asked is None:
            raise ValueError("kind= is needed: the response carries no request to tell it")
        kind = asked
    _check_kind(kind)
    problems = []
    if asked is not None and asked != kind:
        problems.append(
            "the request was sent as %s, so the middleware answers it as one; send it "
            "with headers=request_headers(%s)" % (_NAMES[asked], _r(kind)))
    if protocol.EXPIRES_IN_HEADER in response.headers:
        problems.append("%s is set: the session is signed in" % protocol.EXPIRES_IN_HEADER)
    # The answer the middleware itself builds for such a request: the assertions below
    # compare with it, so they cannot drift from what the middleware sends.
    model = expected.answer(kind, error, reason)
    if kind == classify.NAVIGATION:
        if reason is not None:
            raise ValueError("reason= cannot be checked for a navigation: the redirect "
                             "does not say which timeout ran out")
        _check_navigation(response, model, came_from, expected, problems)
    else:
        _check_script(response, model, kind, reason, came_from, expected, problems)
    what = "a %s answer for %s" % (error.replace("_", "-"), _NAMES[kind])
    _raise(problems, what, response)


def _check_navigation(response, model, came_from, expected, problems):
    if expected.method is None:
        statuses = (302, 303)
    else:
        statuses = (model.status_int,)
    if response.status_int not in statuses:
        problems.append("status is %s, expected %s (a redirect to the login page)"
                        % (response.status, " or ".join(str(s) for s in statuses)))
    _check_location(response.headers.get("Location"), "Location", expected, came_from,
                    problems)
    _check_no_store(response, problems)
    _check_media_type(response, model.content_type, problems)
    title = _title(model)
    if expected.method != "HEAD" and "<title>%s</title>" % title not in _text(response.body):
        problems.append("the page's title is not %s" % (_r(title),))


def _check_script(response, model, kind, reason, came_from, expected, problems):
    status = model.status_int
    if response.status_int != status:
        problems.append("status is %s, expected %d (%s xhr_status)"
                        % (response.status, status, expected.source))
    envelope = model.content_type == protocol.JSON
    _check_media_type(response, model.content_type, problems)
    _check_no_store(response, problems)
    vary = [v.strip().lower() for v in response.headers.get("Vary", "").split(",")]
    deciding = _deciding_header(kind)
    if deciding.lower() not in vary:
        problems.append("Vary does not name %s, which tells %s apart"
                        % (deciding, _NAMES[kind]))
    try:
        document = json.loads(_text(response.body))
    except ValueError:
        document = None
    if not isinstance(document, dict):
        problems.append("the body is not a JSON object")
        document = {}
    wanted = json.loads(_text(model.body))
    for name in ("error", "success", "status"):
        if name in wanted:
            _check_field(document, name, wanted[name], problems)
    if reason is not None:
        if envelope:
            problems.append("reason=%s cannot be checked: the xhr_status=200 envelope does "
                            "not carry a reason" % (_r(reason),))
        else:
            _check_field(document, "reason", reason, problems)
    challenge = model.headers.get("WWW-Authenticate")
    if challenge is not None:
        _check_www_authenticate(response.headers.get("WWW-Authenticate"), challenge,
                                expected, problems)
    if "login_url" not in document:
        problems.append("the body has no login_url")
    else:
        _check_location(document["login_url"], "login_url", expected, came_from, problems)
    name = protocol.HX_REDIRECT_HEADER
    hx_redirect = response.headers.get(name)
    if name in model.headers:
        if hx_redirect is None or hx_redirect != document.get("login_url"):
            problems.append("%s is %s, expected the login_url %s"
                            % (name, _r(hx_redirect), _r(document.get("login_url"))))
    elif hx_redirect is not None:
        problems.append("%s is set, but only htmx requests get it" % name)


def _title(model):
    body = _text(model.body)
    return body.split("<title>", 1)[1].split("</title>", 1)[0]


def _deciding_header(kind):
    """The request header that makes the middleware pick ``kind``: its answer's ``Vary``
    must name it, or a cache could hand one kind's answer to another."""
    environ = dict(("HTTP_" + name.upper().replace("-", "_"), value)
                   for name, value in _REQUEST_HEADERS[kind])
    return classify.classify(environ)[1][-1]


def _check_field(document, name, value, problems):
    if name not in document:
        problems.append("the body has no %s field, expected %s" % (_r(name), _r(value)))
    elif document[name] != value:
        problems.append("the body's %s is %s, expected %s"
                        % (_r(name), _r(document[name]), _r(value)))


def _check_www_authenticate(header, model, expected, problems):
    if header is None:
        problems.append("no WWW-Authenticate header")
        return
    scheme, _, params = model.partition(" ")
    got = header.split(None, 1)[0]
    if got.lower() != scheme.lower():
        problems.append("WWW-Authenticate's scheme is %s, expected %s (%s auth_scheme)"
                        % (_r(got), _r(scheme), expected.source))
    for param in params.split(", "):
        if param not in header:
            problems.append("WWW-Authenticate has no %s" % (param,))


def _check_no_store(response, problems):
    directives = [d.strip().lower() for d in response.headers.get("Cache-Control", "").split(",")]
    if "no-store" not in directives:
        problems.append("Cache-Control has no no-store: a cache could keep this answer")


def _check_media_type(response, media_type, problems):
    got = response.headers.get("Content-Type", "")
    if got.split(";")[0].strip().lower() != media_type:
        problems.append("Content-Type is %s, expected %s" % (_r(got), media_type))


def _check_location(url, where, expected, came_from, problems):
    if not url:
        problems.append("no %s: expected the login URL %s" % (where, expected.login_url))
        return
    got, got_came_from = _split_login_url(url, expected.param)
    want, _ = _split_login_url(expected.login_url, expected.param)
    if got[:2] != want[:2] and not want[1] and expected.host_url:
        # An app's own redirect may be absolute; on this host it is the same place.
        if "%s://%s" % got[:2] == expected.host_url:
            got = ("", "") + got[2:]
    if got != want:
        problems.append("%s %s is not the login URL %s (%s login_url)"
                        % (where, _r(url), _r(expected.login_url), expected.source))
    if came_from is not _ANY and got_came_from != came_from:
        problems.append("%s's %s is %s, expected %s"
                        % (where, expected.param, _r(got_came_from), _r(came_from)))


def _split_login_url(url, param):
    """``((scheme, host, path, other query pairs), came_from)`` of a login URL."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if PY2:  # pragma: no cover (exercised by the Python 2.7 run)
        pairs = [(k.decode("utf-8", "replace"), v.decode("utf-8", "replace")) for k, v in pairs]
    came_from = [v for k, v in pairs if k == param]
    rest = sorted((k, v) for k, v in pairs if k != param)
    return ((parts.scheme.lower(), parts.netloc.lower(), parts.path, rest),
            came_from[0] if came_from else None)


def _r(value):
    """``repr(value)``, without Python 2's ``u`` prefix on text, so messages read the
    same on every version."""
    if PY2 and isinstance(value, text_type):  # pragma: no cover (Python 2.7 run)
        try:
            return repr(value.encode("ascii"))
        except UnicodeError:
            pass
    return repr(value)


def _text(body):
    return body.decode("utf-8", "replace")


def _raise(problems, what, response):
    if problems:
        raise AssertionError("Expected %s, but:\n%s\n%s" % (
            what, "\n".join("  - " + p for p in problems), _describe(response)))


def _describe(response):
    """The request and the response, as far as they matter to the middleware."""
    lines = []
    request = getattr(response, "request", None)
    if request is not None:
        lines.append("Request: %s %s" % (request.method, request.path_qs))
        for name in ("Accept", "X-Requested-With", "Sec-Fetch-Mode", "Sec-Fetch-Dest",
                     "HX-Request"):
            if name in request.headers:
                lines.append("  %s: %s" % (name, request.headers[name]))
    lines.append("Response: %s" % (response.status,))
    for name in _SHOWN_HEADERS:
        for value in response.headers.getall(name):
            lines.append("  %s: %s" % (name, value))
    body = _text(response.body)
    if body:
        excerpt = body[:_BODY_EXCERPT]
        more = " (first %d of %d characters)" % (_BODY_EXCERPT, len(body)) \
            if len(body) > _BODY_EXCERPT else ""
        lines.append("Body%s:" % more)
        lines.extend("  " + line for line in excerpt.splitlines())
    else:
        lines.append("Body: (empty)")
    return "\n".join(lines)
