"""The WSGI glue: one request through the middleware, one way.

classify -> read the session's clocks -> decide -> answer, or pass through -> add the
session headers to the response. The decisions live in the modules named for them; this
module only calls them in order and keeps PEP 3333's promises (``close()`` exactly once,
``write()`` and ``exc_info`` honoured, streamed bodies not buffered).
"""

import logging

from beaker.middleware import SessionMiddleware
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
    "A Beaker SessionMiddleware inside the application replaced environ['beaker.session'] "
    "(%s): the application's session writes would race the middleware's. Remove the "
    "inner one (in a Pylons config/middleware.py, replace 'app = SessionMiddleware(app, "
    "config)' by 'app = SessionTimeoutMiddleware(app, config)'), or put "
    "SessionTimeoutMiddleware inside it, between Beaker and the application.")


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

    def __init__(self, app, config=None, **options):
        self.app = app
        self.settings = settings_module.parse(config, **options)
        self.beaker = self.settings.beaker
        if self.beaker is not None and "store_ttl" in self.beaker:
            self.beaker = dict(self.beaker, session_class=session.StoreTTLSession)
        if self.beaker is not None:
            inner = find_wrapped(app, SessionMiddleware)
            if inner:
                raise ValueError(INNER_BEAKER % ("found at start-up: %r" % inner[0],))

    def __call__(self, environ, start_response):
        s = self.settings
        path = environ.get("PATH_INFO", "")
        if path == s.login_path and s.came_from_param in environ.get("QUERY_STRING", ""):
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
        if endpoint is not None:
            return self._endpoint(endpoint, environ, start_response, tracker, own)
        activity = session.PASSIVE if endpoints.is_passive(environ) else session.ACTIVE
        verdict = tracker.start(activity)
        if not verdict.signed_in and s.is_guarded(path):
            return self._answer(environ, start_response, tracker, own)
        return self._pass(environ, start_response, tracker, own, s.may_replace(path))

    def _pass(self, environ, start_response, tracker, own, may_replace):
        state = {"called": False, "replace": False}

        def app_start_response(status, headers, exc_info=None):
            state["called"] = True
            if (may_replace and exc_info is None and status[:3] == "401" and
                    not state["replace"] and not tracker.verdict.signed_in and
                    not _has_header(headers, "www-authenticate")):
                # The app says "sign in" in a way scripts cannot act on: answer instead.
                state["replace"] = True
                return _discard
            state["replace"] = False
            _check_same_session(environ, tracker)
            headers = list(headers) + self._session_headers(tracker, own)
            return start_response(status, headers, exc_info)

        result = self.app(environ, app_start_response)
        if not state["called"]:
            result = _prime(result, lambda: state["called"])
        if state["replace"]:
            _close(result)
            return self._answer(environ, start_response, tracker, own)
        return result

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
            answer = endpoints.json_answer("200 OK", endpoints.status_document(verdict))
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
        start_response(status, headers)
        return [b"" if method == "HEAD" else body]

    def _answer(self, environ, start_response, tracker, own):
        kind, consulted = classify.classify(environ)
        status, headers, body = responses.answer(kind, consulted, tracker.verdict, environ,
                                                 self.settings)
        start_response(status, headers + self._session_headers(tracker, own))
        return [body]

    def _session_headers(self, tracker, own):
        tracker.settle()
        if own is not None:
            beaker_cookie = session.persist(own)
            extra = [beaker_cookie] if beaker_cookie else []
            return extra + tracker.headers(cookie_sent=bool(beaker_cookie))
        return tracker.headers(cookie_sent=session.will_send_cookie(tracker.session))


def _open_beaker(environ, options):
    """Do what Beaker's SessionMiddleware does on the way in; saving is done from
    ``start_response`` by :func:`session.persist`."""
    beaker_session = SessionObject(environ, **options)
    environ["beaker.session"] = beaker_session
    environ["beaker.get_session"] = lambda: beaker_session._session()
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
