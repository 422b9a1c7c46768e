"""The WSGI glue: one request through the middleware, one way.

classify -> read the session's clocks -> decide -> answer, or pass through -> add the
session headers to the response. The decisions live in the modules named for them; this
module only calls them in order and keeps PEP 3333's promises (``close()`` exactly once,
``write()`` and ``exc_info`` honoured, streamed bodies not buffered).
"""

import logging
import re
import time

from beaker.middleware import SessionMiddleware
from beaker.middleware import beaker_session as beaker_proxy
from beaker.session import SessionObject

from . import classify, endpoints, responses, session, settings as settings_module
from .urls import strip_unsafe_came_from

log = logging.getLogger("wsgi_session_timeout")

NO_BEAKER = (
    "SessionTimeoutMiddleware found no environ['beaker.session'] and has no Beaker "
    "settings of its own. Either pass the beaker.session.* settings to it, as in "
    "SessionTimeoutMiddleware(app, config) (it then runs Beaker itself), or put Beaker's "
    "SessionMiddleware (egg:Beaker#beaker_session) outside it.")
INNER_BEAKER = (
    "A Beaker SessionMiddleware inside the application (%s) replaces "
    "environ['beaker.session'] on every request, so the application's session writes "
    "would race the middleware's. Remove the inner one: in a Pylons config/middleware.py, "
    "replace 'app = SessionMiddleware(app, config)' by "
    "'app = SessionTimeoutMiddleware(app, config)' and take the filter out of the "
    "pipeline; elsewhere, put SessionTimeoutMiddleware inside it, between Beaker and the "
    "application.")

#: Pylons' StatusCodeRedirect (outside the middleware in a generated Pylons stack) turns
#: every 401/403 into its own HTML error page, headers and body dropped, unless this
#: key is set. Set on the middleware's own answers only: the app's errors still render.
KEEP_MY_STATUS = "pylons.status_code_redirect"


class SessionTimeoutMiddleware(object):
    """Session-expiry handling for a WSGI application, on Beaker sessions.

    Tells a request whose signed-in session timed out apart from one that never had a
    signed-in session, and answers each kind of client the way it can use: a redirect to
    the login page for a browser navigation, a ``401`` (or ``xhr_status``) with a JSON
    problem document for XHR, ``fetch``, htmx and API clients.

    :param app: the WSGI application to wrap.
    :param config: a dict of ini-style settings, as Beaker's ``SessionMiddleware`` takes
        it. ``beaker.session.*`` (or ``session.*``) keys make the middleware run Beaker
        itself (``beaker.session.secret`` is then required); ``session_timeout.*`` keys
        set the options below. Other keys are ignored. Default ``None``: Beaker must be
        outside the middleware.
    :param login_url: where a navigation is sent, with ``came_from``; a path starting with
        ``/`` is resolved against the app's mount point. Default ``"/login"``.
    :param idle_timeout: seconds without activity before a session expires; ``None``
        turns the idle clock off. Default ``1800``.
    :param absolute_timeout: seconds after sign-in before a session expires whatever the
        activity; ``None`` (the default) turns this clock off.
    :param touch_interval: activity is written at most once per this many seconds per
        session. Default ``None``: ``min(60, idle_timeout // 10)``.
    :param auth_key: the session key holding the signed-in user. Default ``"user"``.
    :param protected_paths: path prefixes the middleware guards itself. ``None`` (the
        default): the app decides, and an app ``401`` without ``WWW-Authenticate`` is
        turned into the answer above.
    :param public_paths: path prefixes never intercepted. Default ``()``.
    :param xhr_status: the status for script requests: ``401`` (the default), ``403``,
        ``419``, ``440``, ``599`` or another 4xx/5xx, or ``200`` for a
        ``{"success": false}`` envelope. ``408`` and 3xx are refused.
    :param auth_scheme: the ``WWW-Authenticate`` scheme. Default ``"Session"``.
    :param realm: the ``WWW-Authenticate`` realm. Default ``"app"``.
    :param came_from_param: the login URL's query parameter. Default ``"came_from"``.
    :param clock: a callable returning seconds since the epoch. Default ``time.time``.

    Bad options raise :class:`ValueError` naming the option and the value.

    .. code-block:: python

        from wsgi_session_timeout import SessionTimeoutMiddleware

        app = SessionTimeoutMiddleware(app, {
            "beaker.session.type": "file",
            "beaker.session.data_dir": "/var/lib/myapp/sessions",
            "beaker.session.secret": "a long random string",
        }, idle_timeout=900, protected_paths=["/account", "/api"])
    """

    def __init__(self, app, config=None, environ_key=settings_module.DEFAULT_ENVIRON_KEY,
                 **options):
        self.app = app
        self.environ_key = environ_key
        self.settings = settings_module.parse(config, environ_key=environ_key, **options)
        self.beaker = self.settings.beaker
        #: Beaker's session options, as Beaker's ``SessionMiddleware.options`` has them;
        #: ``None`` when Beaker runs outside the middleware.
        self.options = None
        if self.beaker is not None:
            self.options = self.beaker.options
            own_class = (session.OwnCookieSession if self.beaker.get("type") == "cookie"
                         else session.OwnSession)
            self.beaker = self.beaker.copy_with(session_class=own_class)
            if (own_class is session.OwnSession and "store_ttl" not in self.beaker and
                    self.beaker.get("timeout") is None and
                    str(self.beaker.get("type")).startswith("ext:redis")):
                log.warning("Redis keeps session records forever without absolute_timeout: "
                            "set one so it can drop them")
        inner = find_wrapped(app, SessionMiddleware)
        if inner:
            raise ValueError(INNER_BEAKER % ("found at start-up: %r" % inner[0],))
        self._outage = _OutageLog()

    def __call__(self, environ, start_response):
        s = self.settings
        path = environ.get("PATH_INFO", "")
        if path == s.login_path and environ.get("QUERY_STRING"):
            environ["QUERY_STRING"] = strip_unsafe_came_from(environ["QUERY_STRING"],
                                                             s.came_from_param)
        own = None
        beaker_session = environ.get("beaker.session")
        if beaker_session is None:
            if self.beaker is None:
                raise RuntimeError(NO_BEAKER)
            beaker_session = own = _open_beaker(environ, self.beaker)
        tracker = session.Tracker(environ, beaker_session, s, s.clock())
        environ[session.ENVIRON_KEY] = tracker
        endpoint = endpoints.route(path, s.endpoint_prefix)
        try:
            if endpoint is not None:
                return self._endpoint(endpoint, environ, start_response, tracker, own)
            activity = session.PASSIVE if endpoints.is_passive(environ) else session.ACTIVE
            verdict = tracker.start(activity)
        except session.StoreUnavailable as exc:
            self._outage.down(exc)
            if endpoint is not None or s.is_guarded(path):
                return self._unavailable(environ, start_response)
            # Pages that do not need the session still work; one that does fails with
            # StoreUnavailable, answered below.
            tracker.outage = True
            environ["beaker.session"] = session.UnavailableSession()
            return self._pass(environ, start_response, tracker, None, False)
        if self._outage.since is not None and tracker.has_cookie:
            self._outage.up()
        if not verdict.signed_in and s.is_guarded(path):
            return self._answer(environ, start_response, tracker, own)
        return self._pass(environ, start_response, tracker, own, s.may_replace(path))

    def _pass(self, environ, start_response, tracker, own, may_replace):
        state = {"called": False, "forwarded": False, "replace": None}

        def app_start_response(status, headers, exc_info=None):
            state["called"] = True
            if tracker.outage and status[:1] == "5" and not state["forwarded"]:
                # The app failed because the store is down: say so, and when to retry.
                state["replace"] = "outage"
                return _discard
            if (may_replace and exc_info is None and status[:3] == "401" and
                    not state["replace"] and not tracker.verdict.signed_in and
                    not _has_header(headers, "www-authenticate")):
                # The app says "sign in" in a way scripts cannot act on: answer instead.
                state["replace"] = "login"
                return _discard
            state["replace"] = None
            if not tracker.outage:
                _check_same_session(environ, tracker)
                try:
                    extra = self._session_headers(tracker, own)
                except session.StoreUnavailable:
                    tracker.outage = True
                    raise
                if extra:
                    headers = list(headers) + extra
            state["forwarded"] = True
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, app_start_response)
            if not state["called"]:
                result = _prime(result, lambda: state["called"])
        except session.StoreUnavailable as exc:
            if state["forwarded"]:
                raise
            self._outage.down(exc)
            return self._unavailable(environ, start_response)
        if state["replace"] == "outage":
            _close(result)
            return self._unavailable(environ, start_response)
        if state["replace"] == "login":
            _close(result)
            return self._answer(environ, start_response, tracker, own)
        return result

    def _unavailable(self, environ, start_response):
        kind, consulted = classify.classify(environ)
        return _reply(environ, start_response, *responses.unavailable(kind, consulted, environ))

    def _endpoint(self, name, environ, start_response, tracker, own):
        method = environ.get("REQUEST_METHOD", "GET").upper()
        allowed = "POST" if name == endpoints.EXTEND else "GET, HEAD"
        session_headers = True
        if method not in allowed:
            answer = endpoints.json_answer("405 Method Not Allowed", {
                "status": 405, "title": "Method not allowed"}, [("Allow", allowed)])
            session_headers = False
        elif name == endpoints.CLIENT:
            answer = endpoints.client_script(environ)
            session_headers = False
        elif name == endpoints.STATUS:
            verdict = tracker.start(session.PASSIVE, writes=False)
            document = endpoints.status_document(verdict)
            if not verdict.signed_in:
                # Where to sign in, with the page that asked as came_from.
                document["login_url"] = responses.login_url_for(
                    classify.XHR, environ, self.settings)
            answer = endpoints.json_answer("200 OK", document)
        elif not endpoints.is_same_origin_script(environ):
            answer = endpoints.json_answer("403 Forbidden", {
                "status": 403, "title": "Cross-site request refused",
                "detail": "extend takes same-origin requests with X-Requested-With."})
            session_headers = False
        else:
            verdict = tracker.start(session.EXTEND)
            if not verdict.signed_in:
                return self._answer(environ, start_response, tracker, own)
            answer = endpoints.json_answer("200 OK", endpoints.status_document(verdict))
        status, headers, body = answer
        if session_headers:
            headers = headers + self._session_headers(tracker, own)
        return _reply(environ, start_response, status, headers,
                      b"" if method == "HEAD" else body)

    def _answer(self, environ, start_response, tracker, own):
        kind, consulted = classify.classify(environ)
        status, headers, body = responses.answer(kind, consulted, tracker.verdict, environ,
                                                 self.settings)
        try:
            headers = headers + self._session_headers(tracker, own)
        except session.StoreUnavailable as exc:
            self._outage.down(exc)
            return self._unavailable(environ, start_response)
        return _reply(environ, start_response, status, headers, body)

    def _session_headers(self, tracker, own):
        tracker.settle()
        if own is not None:
            beaker_cookie = session.persist(own, tracker.secure)
            extra = [beaker_cookie] if beaker_cookie else []
            return extra + tracker.headers(cookie_sent=bool(beaker_cookie))
        return tracker.headers(cookie_sent=session.will_send_cookie(tracker.session))


def _reply(environ, start_response, status, headers, body):
    """Send one of the middleware's own answers."""
    environ[KEEP_MY_STATUS] = True
    start_response(status, headers)
    return [body]


class _OutageLog(object):
    """Logs a store outage once when it starts and once when it ends, not per request."""

    def __init__(self):
        self.since = None

    def down(self, exc):
        if self.since is None:
            self.since = time.time()
            log.error("session store unavailable (answering 503 until it is back): %s: %s",
                      exc.__class__.__name__, _describe(exc))

    def up(self):
        if self.since is not None:
            since, self.since = self.since, None
            log.warning("session store available again after %.0f s", time.time() - since)


def _describe(exc):
    """The cause of a store failure, without session ids (they are credentials)."""
    cause = exc.args[0] if exc.args else exc
    text = "%s" % (cause,)
    return re.sub(r"[0-9a-f]{32,}", "<id>", text)


def _open_beaker(environ, options):
    """Do what Beaker's SessionMiddleware does on the way in; saving is done from
    ``start_response`` by :func:`session.persist`."""
    beaker_session = SessionObject(environ, **options)
    registry = environ.get("paste.registry")
    if registry is not None and registry.reglist and beaker_proxy is not None:
        registry.register(beaker_proxy, beaker_session)
    environ["beaker.session"] = beaker_session
    environ_key = getattr(options, "environ_key", "beaker.session")
    if environ_key != "beaker.session":
        environ[environ_key] = beaker_session
    get_session = getattr(options, "get_session", None)
    environ["beaker.get_session"] = get_session or (lambda: beaker_session._session())
    varname = options.get("webtest_varname")
    if varname and "paste.testing_variables" in environ:
        environ["paste.testing_variables"][varname] = beaker_session
    return beaker_session


def _check_same_session(environ, tracker):
    if environ.get("beaker.session") is not tracker.session:
        log.error(INNER_BEAKER, "seen at run time")
        raise RuntimeError(INNER_BEAKER % ("seen at run time",))


def _has_header(headers, name):
    return any(key.lower() == name for key, _ in headers)


def _discard(data):
    """``write()`` for a response that is being replaced: the app's body is dropped."""


def _close(iterable):
    close = getattr(iterable, "close", None)
    if close is not None:
        close()


def _prime(result, started):
    """Return ``result`` untouched when the app has called ``start_response``; else pull
    items until it does (a generator app), keeping them, so the decision to replace the
    response is made before anything is sent."""
    if isinstance(result, (list, tuple)):
        return result
    iterator = iter(result)
    head = []
    try:
        while not started():
            try:
                head.append(next(iterator))
            except StopIteration:
                break
    except BaseException:
        _close(result)
        raise
    return _Primed(head, iterator, result)


class _Primed(object):
    """An app's iterable with its first items already pulled; ``close()`` goes to the
    app's own iterable, exactly once."""

    def __init__(self, head, iterator, original):
        self._head = head
        self._iterator = iterator
        self._original = original

    def __iter__(self):
        for item in self._head:
            yield item
        for item in self._iterator:
            yield item

    def close(self):
        _close(self._original)


#: Attributes middleware commonly keep the application they wrap in.
WRAPPED_ATTRIBUTES = ("app", "application", "applications", "wrap_app", "wrapped", "_app",
                      "apps", "mounts")


def find_wrapped(app, cls, limit=2000):
    """Every instance of ``cls`` reachable from ``app`` through
    :data:`WRAPPED_ATTRIBUTES` (and the lists and dicts they hold), nearest first. The
    walk does not look inside a match, and gives up after ``limit`` objects."""
    found = []
    seen = set()
    todo = [app]
    while todo and len(seen) < limit:
        node = todo.pop(0)
        if node is None or id(node) in seen or isinstance(node, (str, bytes, int, float)):
            continue
        seen.add(id(node))
        if isinstance(node, cls):
            found.append(node)
        elif isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, (list, tuple)):
            todo.extend(node)
        else:
            todo.extend(_attribute(node, name) for name in WRAPPED_ATTRIBUTES)
    return found


def _attribute(node, name):
    try:
        return getattr(node, name, None)
    except Exception:  # a property that fails is as good as no attribute here
        return None
