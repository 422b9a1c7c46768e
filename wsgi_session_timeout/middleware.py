"""The WSGI glue: one request through the middleware, one way.

classify -> read the session's clocks -> decide -> answer, or pass through -> add the
session headers to the response. The decisions live in the modules named for them; this
module only calls them in order and keeps PEP 3333's promises (``close()`` exactly once,
``write()`` and ``exc_info`` honoured, streamed bodies not buffered).
"""

import logging
from datetime import timedelta

from beaker.middleware import SessionMiddleware

from . import breaker, classify, cookies, endpoints, events, expiry, held, marker, policy
from . import protocol, registry, responses
from . import settings as settings_module
from . import state as state_module, store
from .policy import GUARDED
from .responses import send
from .store import StoreUnavailable
from .urls import is_login_location, request_path, strip_unsafe_came_from

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
        When given, it also times the store probes below (a test moves it); by default
        they run on a monotonic clock.
    :param store_probe_interval: while the session store is failing, requests that need
        it are answered ``503`` at once, and one request at a time probes the store, at
        most once per this many seconds (per process); the first that the store answers
        ends the outage. ``0`` probes with every such request. Default ``1``.
    :param activity_cookie: the activity cookie's name. Default ``None``: the session
        cookie's name and ``.activity`` (``beaker.session.id.activity``).
    :param hold_forms: keep a form that a page posts into a session which was signed in
        and has ended (a navigation ``POST`` from this origin, urlencoded or multipart
        without files), and offer it back, on a page that sends it with one button,
        once the same user has signed in again. ``False`` turns this off. Not done for
        cookie sessions (``type = cookie``): there is no store to keep it in. Default
        ``True``.
    :param held_form_max_bytes: a form whose ``Content-Length`` is larger (or missing)
        is not kept; nothing more is ever read. Default ``65536``.
    :param held_form_ttl: seconds a kept form waits for its user to sign in again.
        Default ``600``.
    :param held_form_hook: a callable ``(environ, fields) -> fields`` (or
        ``package.module:name``) called before a kept form is offered back, with the
        signed-in request's environ and the fields as a list of ``(name, value)``; it
        returns the fields to send, so the app can put a fresh CSRF token in them.
        Default ``None``.
    :param max_idle_timeout: the longest idle timeout a session may be given of its own
        (``login(environ, user, idle_timeout=...)``, ``timeouts``, ``set_timeouts``);
        longer ones are cut to it. Default: ``idle_timeout`` (sessions may be given
        shorter timeouts only).
    :param max_absolute_timeout: the same for the absolute timeout (a "remember me").
        Default: ``absolute_timeout``. The store keeps records this long (plus two
        minutes) where it can expire them.
    :param timeouts: a callable ``timeouts(user)`` answering a session's own timeouts at
        sign-in: ``{"idle_timeout": s, "absolute_timeout": s}``, an ``(idle, absolute)``
        pair (``None`` in either: the configured one) or ``None``; or an ini string
        ``package.module:name``. Timeouts given to ``login()`` win. Default ``None``.
    :param on_event: a callable given every lifecycle
        :class:`~wsgi_session_timeout.events.Event` (sign-in, sign-out, expiry, extend,
        revocation, store down and up), or ``package.module:name``. What it raises is
        logged, never raised. Default ``None``: one line per event on the
        ``wsgi_session_timeout.audit`` logger.
    :param max_sessions: how many signed-in sessions one user may have; a sign-in beyond
        it ends the oldest, whose next request is answered ``session_expired`` with
        ``reason`` ``replaced``. Default ``None``: no limit (beyond the index's own
        bound, :data:`~wsgi_session_timeout.registry.LIMIT`). Not with
        ``type = cookie``.

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
        self.settings = s = settings_module.parse(config, environ_key=environ_key, **options)
        self.beaker = s.beaker
        #: Beaker's session options, as Beaker's ``SessionMiddleware.options`` has them;
        #: ``None`` when Beaker runs outside the middleware.
        self.options = None
        if self.beaker is not None:
            self.options = self.beaker.options
            cookie = s.activity_cookie or marker.name_for(self.beaker["key"])
            cookie_session = self.beaker.get("type") == "cookie"
            if (not cookie_session and "store_ttl" not in self.beaker and
                    self.beaker.get("timeout") is None and
                    str(self.beaker.get("type")).startswith("ext:redis")):
                log.warning("Redis keeps session records forever without absolute_timeout: "
                            "set one so it can drop them")
            self.beaker = store.own_options(self.beaker, cookie_session, cookie)
        inner = find_wrapped(app, SessionMiddleware)
        if inner:
            raise ValueError(INNER_BEAKER % ("found at start-up: %r" % inner[0],))
        #: Where lifecycle events go (``on_event``, or the audit logger).
        self.events = events.Dispatcher(s.on_event)
        self.breaker = breaker.Breaker(s.store_probe_interval, self._probe_clock,
                                       notify=self._store_news)
        if self.beaker is not None:
            if issubclass(self.beaker["session_class"], store.OwnSession):
                # Requests without a session cookie that write one fail fast too.
                self.beaker["session_class"].breaker = self.breaker
            warning = breaker.startup_warning(self.beaker)
            if warning:
                log.warning(warning)
        self._outer_checked = False
        #: The activity cookie's name, when the middleware runs Beaker itself or it was
        #: configured (else it follows an outer Beaker's session cookie, per request).
        self.activity_cookie = self.beaker["session_class"].hide_cookie \
            if self.beaker is not None \
            else s.activity_cookie
        self._endpoints = (s.endpoint_prefix + "/") if s.endpoint_prefix else None
        self._endpoints_length = len(self._endpoints or "")
        #: What the sessions are, when the middleware runs Beaker (else read per request).
        self.facts = None
        if self.beaker is not None:
            self.facts = state_module.Facts(self.beaker, self.activity_cookie)
            if self.facts.secret:
                self.facts.key_for_marker()
        #: No protected or public paths: every path but the login page is the app's.
        self._all_open = s.protected_paths is None and not s.public_paths

    def _store_news(self, kind, reason):
        self.events.emit(kind, self.settings.clock(), reason=reason)

    # -- a user's sessions, outside a request ---------------------------------------------

    def _store_handle(self):
        if self.beaker is None or self.beaker.get("type") == "cookie":
            raise RuntimeError(
                "SessionTimeoutMiddleware.sessions() and end_sessions() need the "
                "middleware to run Beaker on a server-side store (beaker.session.* "
                "settings, not type = cookie); inside a request use "
                "wsgi_session_timeout.sessions(environ, user) instead")
        handle = store.handle(self.beaker)
        key = marker.key_for(self.beaker.get("secret"))
        return handle, (lambda session_id: marker.session_tag(key, session_id))

    def sessions(self, user):
        """``user``'s live signed-in sessions (an administrator's view, outside a
        request): :class:`~wsgi_session_timeout.registry.SessionInfo`, oldest first."""
        handle, tag_of = self._store_handle()
        return registry.listing(handle, self.settings, user, self.settings.clock(), tag_of)

    def end_sessions(self, user, tags=None):
        """End ``user``'s sessions (all, or those whose tag is in ``tags``) from outside
        a request: after a password change, or an administrator's "sign out
        everywhere". Returns how many were ended."""
        handle, tag_of = self._store_handle()
        now = self.settings.clock()
        ended = registry.end(handle, user, registry.chosen(handle, user, tag_of, tags),
                             now, expiry.REVOKED)
        for session_id in ended:
            self.events.emit(events.REVOKED, now, user, expiry.REVOKED, None,
                             tag_of(session_id))
        return len(ended)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        prefix = self._endpoints
        if prefix is not None and path[:self._endpoints_length] == prefix:
            name = endpoints.route(path, self.settings.endpoint_prefix)
            if name is not None:
                return self._endpoint(name, environ, start_response)
        s = self.settings
        if path == s.login_path:
            if environ.get("QUERY_STRING"):
                environ["QUERY_STRING"] = strip_unsafe_came_from(environ["QUERY_STRING"],
                                                                 s.came_from_param)
            where = policy.EXEMPT
        else:
            where = policy.OPEN if self._all_open else s.paths.of(path)
        exchange = _Exchange(self, environ, start_response, where)
        state = exchange.state
        if state is None:
            # No session cookie, a path the app decides for: nothing to read or judge.
            return exchange.run()
        try:
            self._start(state, state_module.PASSIVE if _PASSIVE in environ and
                        endpoints.is_passive(environ) else state_module.ACTIVE)
        except StoreUnavailable:
            if where == GUARDED:
                return exchange.unavailable()
            # Pages that do not need the session still work; one that does fails with
            # StoreUnavailable, answered as an outage.
            environ["beaker.session"] = store.UnavailableSession()
            state.outage = True
            return exchange.run()
        # Before the app runs, decide() passes every request on a path it does not guard.
        if where == GUARDED and policy.decide(
                where, state.verdict, preflight=policy.is_preflight(environ)) == \
                policy.SIGN_IN:
            return exchange.sign_in()
        if s.hold_forms and where != policy.EXEMPT:
            if state.verdict.state == expiry.ACTIVE:
                if _HELD_COOKIE in exchange.header:
                    return exchange.offer_held()
            elif environ.get("REQUEST_METHOD") == "POST" and state.has_cookie and \
                    held.refusal(environ, s.held_form_max_bytes) is None:
                # The app decides, and may read the form before it sends the browser to
                # its login page: the form is kept from a copy of the body.
                held.keep_readable(environ)
        return exchange.run()

    def _probe_clock(self):
        """The breaker's clock: the middleware's own when one was given (a test moves
        it, also through ``testing.freeze_clock``), else a monotonic one."""
        clock = self.settings.clock
        return breaker.monotonic() if clock is settings_module.DEFAULT_CLOCK else clock()

    def _start(self, state, activity, writes=True):
        """``state.start`` behind the breaker: while the store is failing, a request that
        would read it gets :class:`StoreUnavailable` at once (unless it is the probe);
        how the store answered is reported to the breaker."""
        if not state.has_cookie:  # no session cookie: the store is not read
            return state.start(activity, writes)
        breaker = self.breaker
        if breaker.opened_at is not None and not breaker.allow():
            state.outage = True
            raise StoreUnavailable("the session store is unavailable")
        try:
            verdict = state.start(activity, writes)
        except StoreUnavailable as exc:
            breaker.failed(exc)
            raise
        if breaker.opened_at is not None:
            breaker.succeeded()
        return verdict

    def check_outer(self, session):
        """Refuse, on its first request, a Beaker outside the middleware that has no
        secret: the activity cookie is never signed or trusted without a key."""
        if not self._outer_checked:
            options = store.params(session)
            if options and not (options.get("secret") or options.get("validate_key")):
                log.error(marker.NO_KEY)
                raise RuntimeError(marker.NO_KEY)
            self._outer_checked = True

    def _endpoint(self, name, environ, start_response):
        refused = endpoints.refuse_method(name, environ)
        if refused is not None:
            return send(refused, environ, start_response)
        if name == endpoints.CLIENT:
            return send(endpoints.client_script(environ), environ, start_response)
        extend = name == endpoints.EXTEND
        if extend and not endpoints.is_same_origin_script(environ):
            return send(endpoints.cross_site(), environ, start_response)
        exchange = _Exchange(self, environ, start_response, GUARDED, always=True)
        state = exchange.state
        try:
            if extend:
                verdict = self._start(state, state_module.EXTEND)
            else:
                verdict = self._start(state, state_module.PASSIVE, writes=False)
        except StoreUnavailable:
            return exchange.unavailable()
        if extend and not verdict.signed_in:
            return exchange.sign_in()
        document = endpoints.status_document(verdict)
        if not verdict.signed_in:
            # Where to sign in, with the page that asked as came_from.
            document["login_url"] = responses.login_url_for(classify.XHR, environ,
                                                            self.settings)
        return exchange.reply(responses.json_answer("200 OK", document))


class _Exchange(object):
    """One request through the middleware: the session it opened (if it runs Beaker),
    the session's state (only when there is a session to read), and the
    ``start_response`` the app is given, where the app's answer is checked and the
    session's headers are added."""

    own = None  # the session, when the middleware opened it
    replace = None  # the action that replaces the app's answer
    forwarded = started = False
    pending = ()  # headers the response carries besides the session's

    def __init__(self, middleware, environ, start_response, where, always=False):
        self.middleware = middleware
        self.environ = environ
        self.start_response = start_response
        self.where = where
        session = environ["beaker.session"] if "beaker.session" in environ else None
        if session is None:
            if middleware.beaker is None:
                raise RuntimeError(NO_BEAKER)
            session = self.own = store.open_session(environ, middleware.beaker)
            facts = middleware.facts
        else:
            middleware.check_outer(session)
            facts = state_module.Facts.of(session, middleware.activity_cookie)
        self.session = session
        self.facts = facts
        environ[state_module.FACTORY_KEY] = self.get_state
        self.header = header = environ.get("HTTP_COOKIE") or ""
        self.has_cookie = has_cookie = cookies.sends_cookie(header, facts.key) if header \
            else False
        if always or where == GUARDED or has_cookie or (
                header and facts.cookie_name in header):
            self.state = self._new_state()
        else:
            # No session cookie and no activity cookie: nothing to read or judge unless
            # the app signs in (get_state makes the state then).
            self.state = None

    def _new_state(self):
        middleware = self.middleware
        s = middleware.settings
        state = state_module.SessionState(self.session, s, s.clock(), self.header,
                                          self.facts, self.has_cookie, middleware.events,
                                          self.environ)
        self.environ[state_module.ENVIRON_KEY] = state
        return state

    def get_state(self):
        """The session's state, made now if the request did not need it so far (the app
        signs in, or touched the session)."""
        if self.state is None:
            self.state = self._new_state()
        return self.state

    # -- the middleware's own answers -----------------------------------------------------

    def sign_in(self):
        kind, consulted = classify.classify(self.environ)
        state = self.state or self.get_state()
        response = responses.sign_in(kind, consulted, state.verdict, self.environ,
                                     self.middleware.settings)
        if kind == classify.NAVIGATION:
            self.hold_form()
        return self.reply(response)

    # -- forms posted into an ended session (held.py) -------------------------------------

    def hold_form(self):
        """Keep the fields of a navigation ``POST`` that met a session which was signed
        in and has ended, and set the held-form cookie on the answer (see :mod:`held`).
        A form that cannot be kept is not: the answer is the same either way."""
        s = self.middleware.settings
        state = self.state
        environ = self.environ
        if not s.hold_forms or state is None or self.where == policy.EXEMPT or \
                environ.get("REQUEST_METHOD") != "POST" or \
                held.refusal(environ, s.held_form_max_bytes) is not None:
            return  # never the login page's own form, nor a public path's
        try:
            user = state.ended_user()
            if user is None:
                return  # never signed in: no one to tie the form to
            fields = held.read_fields(environ)
            if not fields:
                return
            real = state.real()
            token = held.new_token()
            kept = held.record(user, fields, environ, state.now, s.held_form_ttl)
            if not store.keep_held(real, token, kept, s.held_form_ttl):
                return  # a cookie session: no store to keep it in
            name = held.cookie_name(self.facts.key)
            earlier = held.token_from(environ.get("HTTP_COOKIE"), name)
            if earlier is not None:
                store.take_held(real, earlier)  # a later post replaces it
        except StoreUnavailable as exc:
            log.warning("a form posted into an ended session was not kept: %s",
                        type(exc).__name__)
            return
        attributes = self._cookie_attributes()._replace(
            expires=timedelta(seconds=s.held_form_ttl))
        self.pending += (marker.set_cookie(name, token, attributes),)

    def offer_held(self):
        """Answer a signed-in page load that carries the held-form cookie: the confirm
        page when the kept form is this user's and still current, else the app's answer.
        The record is removed and the cookie dropped either way (one use only)."""
        environ = self.environ
        name = held.cookie_name(self.facts.key)
        token = held.token_from(self.header, name)
        if token is None or not held.wants_offer(environ):
            return self.run()
        s = self.middleware.settings
        state = self.state
        try:
            real = state.real()
            kept = store.take_held(real, token)
        except StoreUnavailable:
            return self.run()  # the app answers; the form may be offered next time
        self.pending += (marker.delete_cookie(name, self._cookie_attributes()),)
        if not held.is_current(kept, real.get(s.auth_key), state.now):
            return self.run()  # another user's, or too old: gone for good
        fields = list(kept["fields"])
        if s.held_form_hook is not None:
            fields = list(s.held_form_hook(environ, fields))
        back = kept.get("back") or request_path(dict(
            environ, PATH_INFO="/", QUERY_STRING=""))
        return self.reply(responses.held_form(kept["action"], kept["enctype"], fields,
                                              back))

    def _cookie_attributes(self):
        return marker.Attributes.of(store.params(self.session),
                                    self.environ.get("wsgi.url_scheme") == "https")

    def unavailable(self):
        kind, consulted = classify.classify(self.environ)
        return send(responses.unavailable(kind, consulted), self.environ,
                    self.start_response)

    def reply(self, response):
        """Send ``response`` with the session's headers."""
        try:
            extra = self.session_headers()
        except StoreUnavailable as exc:
            self.middleware.breaker.failed(exc)
            return self.unavailable()
        response.headerlist.extend(extra)
        return send(response, self.environ, self.start_response)

    def session_headers(self):
        """Save a session the middleware runs, and the headers the response needs."""
        state = self.state
        if state is not None and state.outage:
            return []
        if "beaker.session" not in self.environ or \
                self.environ["beaker.session"] is not self.session:
            log.error(INNER_BEAKER, "seen at run time")
            raise RuntimeError(INNER_BEAKER % ("seen at run time",))
        if state is None and (self.facts.auto or self.session.__dict__.get("_dirty")) and \
                store.accessed(self.session) and \
                store.real(self.session).get(self.middleware.settings.auth_key) is not None:
            # The app signed in by itself (a sign-in Beaker does not save is none).
            state = self.get_state()
        extra = list(self.pending) if self.pending else []
        if state is not None:
            try:
                state.finish()
            except StoreUnavailable:
                state.outage = True
                raise
        own = self.own
        secure = self.environ.get("wsgi.url_scheme") == "https"
        if own is not None:
            cookie = store.persist(own, secure)
            if cookie:
                extra.append(cookie)
            sent = cookie is not None
            breaker = self.middleware.breaker
            if breaker.opened_at is not None and breaker.admits():
                breaker.succeeded()  # this request probed the store (OwnSession._gate)
        else:
            sent = store.will_send_cookie(self.session, self.facts.options)
        if state is not None:
            if state.marker_out is not None or state.drop_cookie:
                attributes = marker.Attributes.of(self.facts.options, secure)
                header = state.marker_header(attributes)
                if header is not None:
                    extra.append(header)
                if state.drop_cookie and not sent:
                    extra.append(marker.delete_cookie(self.facts.key, attributes))
            if state.login_at is not None:
                extra.append((EXPIRES_IN, str(state.verdict.expires_in)))
        return extra

    # -- the app --------------------------------------------------------------------------

    def run(self):
        """Call the app; its answer goes out with the session's headers, or is replaced
        by the middleware's own when it says "sign in" in a way a script cannot use, or
        fails because the store is down."""
        try:
            result = self.middleware.app(self.environ, self.app_start_response)
            if not self.started:
                result = _prime(result, self)
        except StoreUnavailable as exc:
            if self.forwarded:
                raise
            if self.state is None or not self.state.outage:
                self.middleware.breaker.failed(exc)  # else the stand-in raised it: no news
            return self.unavailable()
        if self.replace is not None:
            _close(result)
            if self.replace == policy.UNAVAILABLE:
                return self.unavailable()
            return self.sign_in()
        return result

    def app_start_response(self, status, headers, exc_info=None):
        self.started = True
        state = self.state
        outage = state is not None and state.outage
        if not self.forwarded and (outage or status[:1] in "345"):
            action, to_login = self._judge(status, headers, exc_info, outage)
            if action != policy.PASS:
                self.replace = action
                return _discard
            if to_login and state is not None and not state.verdict.signed_in:
                # The app's own redirect to its login page for a form posted into an
                # ended session: the form is kept all the same.
                self.hold_form()
        self.replace = None
        if not outage:
            try:
                extra = self.session_headers()
            except StoreUnavailable as exc:
                if state is not None:
                    state.outage = True
                self.middleware.breaker.failed(exc)
                raise
            if extra:
                headers = list(headers) + extra
        self.forwarded = True
        return self.start_response(status, headers, exc_info)

    def _judge(self, status, headers, exc_info, outage):
        state = self.state
        verdict = state.verdict if state is not None else _ANONYMOUS
        challenged = to_login = False
        kind = None
        for name, value in headers:
            lowered = name.lower()
            if lowered == "www-authenticate":
                challenged = True
            elif lowered == "location":
                to_login = is_login_location(value, self.environ,
                                             self.middleware.settings.login_url)
        if to_login:
            kind = classify.classify(self.environ)[0]
        action = policy.decide(self.where, verdict, outage=outage,
                               preflight=policy.is_preflight(self.environ), kind=kind,
                               status=status, challenged=challenged, to_login=to_login,
                               failing=exc_info is not None)
        return action, to_login and kind == classify.NAVIGATION


EXPIRES_IN = protocol.EXPIRES_IN_HEADER
_HELD_COOKIE = protocol.HELD_COOKIE_SUFFIX + "="
_PASSIVE = endpoints.PASSIVE_KEY
_ANONYMOUS = expiry.ANONYMOUS_VERDICT


def _discard(data):
    """``write()`` for a response that is being replaced: the app's body is dropped."""


def _close(iterable):
    close = getattr(iterable, "close", None)
    if close is not None:
        close()


def _prime(result, exchange):
    """Return ``result`` untouched when the app has called ``start_response``; else pull
    items until it does (a generator app), keeping them, so the decision to replace the
    response is made before anything is sent."""
    if isinstance(result, (list, tuple)):
        return result
    iterator = iter(result)
    head = []
    try:
        while not exchange.started:
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
