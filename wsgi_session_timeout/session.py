"""The session's life: read the clocks from a Beaker session, record activity, start a
signed-in session (``login``), end one (``logout`` or expiry).

This is the only module that knows Beaker's internals. A :class:`Tracker` lives for one
request, under ``environ["wsgi_session_timeout.tracker"]``; :func:`login` and :func:`logout`
find it there.
"""

import re
import time
import uuid

from beaker.session import CookieSession, Session

from . import cookies, expiry

ENVIRON_KEY = "wsgi_session_timeout.tracker"

#: How a request counts towards the idle clock.
ACTIVE = "active"
PASSIVE = "passive"
EXTEND = "extend"
LOGIN_AT = "_session_timeout.login_at"
SEEN_AT = "_session_timeout.seen_at"


class StoreUnavailable(Exception):
    """The session store failed (down, unreachable, or not keeping what it is given).

    Not a sign-out: nothing about the session is changed, and the middleware answers
    ``503`` with ``Retry-After`` to requests that need the session.
    """


class UnavailableSession(object):
    """Stands in for ``environ['beaker.session']`` while the store is down: any use
    raises :class:`StoreUnavailable`, so an app that needs the session fails in a way
    the middleware can answer, and one that does not still works."""

    def _fail(self, *args, **kwargs):
        raise StoreUnavailable("the session store is unavailable")

    __getitem__ = __setitem__ = __delitem__ = __contains__ = __iter__ = _fail
    get = save = delete = invalidate = persist = _fail

    def __getattr__(self, name):
        self._fail()


def login(environ, user):
    """Sign ``user`` in for this request's session.

    Sets ``session[auth_key] = user``, moves the session's data to a new id (the
    pre-sign-in id is left empty and dead, so a fixated or replayed id never carries the
    signed-in state), starts both clocks and saves. Call it from the app's sign-in view.
    """
    _tracker(environ).login(user)


def logout(environ):
    """Sign the current user out: the session's record is removed, its data cleared, and
    the browser told to drop the cookie. Replaying the old cookie is not signed in."""
    _tracker(environ).logout()


def _tracker(environ):
    tracker = environ.get(ENVIRON_KEY)
    if tracker is None:
        raise RuntimeError(
            "wsgi_session_timeout.login() and logout() need SessionTimeoutMiddleware "
            "around the application; this request did not pass through it")
    return tracker


def _real(session):
    """The Beaker ``Session`` behind a lazy ``SessionObject`` (loads it)."""
    get = getattr(session, "_session", None)
    return get() if get is not None else session


def _params(session):
    """The options a Beaker ``SessionObject`` was made with (no backend access)."""
    return getattr(session, "__dict__", {}).get("_params", {})


def _is_cookie_session(real):
    return isinstance(real, CookieSession)


class Tracker(object):
    """One request's view of one session: the verdict, and what the response must carry.

    Built by the middleware before the app runs (:meth:`start`); from
    ``start_response`` the middleware calls :meth:`settle`, saves, then adds
    :meth:`headers` to the response.
    """

    def __init__(self, environ, session, settings, now):
        self.environ = environ
        self.session = session
        self.settings = settings
        self.now = now
        params = _params(session)
        self.key = params.get("key", "beaker.session.id")
        self.secret = params.get("secret") or params.get("validate_key") or ""
        self.cookie_path = params.get("cookie_path") or "/"
        self.cookie_domain = params.get("cookie_domain")
        self.secure = environ.get("wsgi.url_scheme") == "https" or bool(params.get("secure"))
        header = environ.get("HTTP_COOKIE")
        self.has_cookie = bool(header) and _sends_cookie(header, self.key)
        self.marker = cookies.read_marker(environ, self.secret) if header else None
        self.marker_out = None  # "set" or "delete" when the response changes the marker
        self.seen_at = None  # the activity time the response's marker carries
        self.ended = False  # the browser's session cookie must go, unless replaced
        self.verdict = expiry.ANONYMOUS_VERDICT
        self.was_signed_in = False
        self.logged_in = False  # login() was called during this request
        self.outage = False  # the store failed during this request
        self.read_only = False
        self._loaded = None

    def _real(self):
        """The Beaker ``Session`` itself (loading it on first use), so reads skip the
        lazy wrapper."""
        if self._loaded is None:
            self._loaded = _real(self.session)
        return self._loaded

    # -- before the app ---------------------------------------------------------------

    def start(self, activity=ACTIVE, writes=True):
        """Read the session's clocks (only when the browser sent a session cookie: no
        cookie, no backend access), expire or record activity, and return the verdict.

        ``activity`` is :data:`ACTIVE` (recorded at most once per touch interval),
        :data:`PASSIVE` (not recorded) or :data:`EXTEND` (recorded now). With
        ``writes=False`` nothing about the session changes, not even an expired one.
        """
        s = self.settings
        self.read_only = not writes
        user = None
        if self.has_cookie:
            try:
                user = self._real().get(s.auth_key)
                if user is None and writes and self._unexpectedly_gone():
                    self._probe()
                    # The store works and the record is gone (evicted): the cookie is
                    # dead, and dropping it spares the store every later request.
                    self.ended = True
            except StoreUnavailable:
                raise
            except Exception as exc:  # whatever the backend raises: not a sign-out
                raise StoreUnavailable(exc)
        if user is None:
            self.verdict = self._lost()
            return self.verdict
        login_at = self._real().get(LOGIN_AT)
        if login_at is None:
            # A legacy app stored the user itself: signed in from the first request
            # that sees it.
            if writes:
                self._start_clocks()
                return self.verdict
            login_at = self.seen_at = self.now
        if self._judge_signed_in(login_at, writes).state == expiry.EXPIRED:
            return self.verdict
        seen_at = self.seen_at
        if activity == EXTEND or (
                activity == ACTIVE and expiry.needs_touch(seen_at, self.now, s.touch_interval)):
            self.seen_at = self.now
            self.marker_out = "set"
            self.verdict = self._judge()
        return self.verdict

    def _judge_signed_in(self, login_at, writes):
        """Judge a signed-in session by its clocks: an expired one is ended (when
        ``writes``), a live one is signed in as of its last activity."""
        self.seen_at = self._last_seen(login_at)
        self.verdict = self._judge(login_at)
        if self.verdict.state == expiry.EXPIRED:
            if writes:
                self._end()
        else:
            self.was_signed_in = True
        return self.verdict

    def _last_seen(self, login_at):
        """The later of the activity time saved in the session (at sign-in, and whenever
        the app saves) and the one in this session's marker."""
        seen_at = self._real().get(SEEN_AT)
        marker = self.marker
        if marker is not None and marker.belongs_to(self.secret, self._real().id, login_at):
            try:
                return max(float(seen_at), marker.seen_at)
            except (TypeError, ValueError):
                return marker.seen_at
        return seen_at

    def _unexpectedly_gone(self):
        """True when the browser's marker says its session, this very id, should still
        be alive, yet the store has no record: evicted, or a store (memcached) that
        answers "not found" when it is down."""
        marker = self.marker
        if marker is None or not marker.tagged_for(self.secret, self._real().id):
            return False
        s = self.settings
        return expiry.judge(marker.login_at, marker.seen_at, self.now,
                            s.idle_timeout, s.absolute_timeout).signed_in

    def _probe(self):
        """Write and read back a value: raises :class:`StoreUnavailable` when the store
        does not keep it."""
        real = self._real()
        if _is_cookie_session(real):
            return
        token = uuid.uuid4().hex  # a key of its own: concurrent probes never collide
        namespace = _namespace(real, "wsgi_session_timeout.probe")
        namespace.acquire_write_lock()
        try:
            namespace[token] = token
        finally:
            namespace.release_write_lock()
        namespace.acquire_read_lock()
        try:
            kept = namespace[token] if token in namespace else None
        finally:
            namespace.release_read_lock()
        namespace.acquire_write_lock()
        try:
            if kept is not None:
                del namespace[token]
        finally:
            namespace.release_write_lock()
        if kept != token:
            raise StoreUnavailable("the session store did not keep a probe value")

    def _lost(self):
        if self.marker is None:
            return expiry.ANONYMOUS_VERDICT
        return expiry.judge_lost(self.marker.login_at, self.now, self.settings.absolute_timeout)

    def _judge(self, login_at=None):
        s = self.settings
        if login_at is None:
            login_at = self._real().get(LOGIN_AT)
        return expiry.judge(login_at, self.seen_at, self.now,
                            s.idle_timeout, s.absolute_timeout)

    def _start_clocks(self):
        self.session[LOGIN_AT] = self.session[SEEN_AT] = self.seen_at = self.now
        self.session.save()
        self.marker_out = "set"
        self.was_signed_in = True
        self.verdict = self._judge()

    # -- called by the app ------------------------------------------------------------

    def login(self, user):
        """See :func:`login`."""
        if self.outage:
            raise StoreUnavailable("cannot sign in while the session store is unavailable")
        real = self._real()
        if _is_cookie_session(real):
            real["_id"] = uuid.uuid4().hex
        else:
            if not real.is_new:
                _store(_drop_record, real)
                _store(_mark_ended, real, self.now)  # a request in flight keeps it dead
            real.regenerate_id()
        self.ended = False
        self.logged_in = True
        previous = real.get(self.settings.auth_key)
        if previous is not None and previous != user:
            # Another user signs in over this session: nothing of the first one's carries
            # over (a visitor's data, such as a cart, does).
            real.clear()
        self.session[self.settings.auth_key] = user
        self._start_clocks()

    def logout(self):
        """See :func:`logout`."""
        if self.outage:
            raise StoreUnavailable("cannot sign out while the session store is unavailable")
        self._end()
        self.marker_out = "delete"
        self.verdict = expiry.ANONYMOUS_VERDICT
        self.was_signed_in = False

    def _end(self):
        real = self._real()
        if _is_cookie_session(real):
            real.invalidate()
            self.session.save()
            return
        if not real.is_new:
            _store(_drop_record, real)
            _store(_mark_ended, real, self.now)
        real.clear()
        real._create_id()  # a fresh id, stored (and sent) only if the app saves
        real["_creation_time"] = real["_accessed_time"] = time.time()
        self.ended = True

    # -- from start_response ----------------------------------------------------------

    def settle(self):
        """After the app: notice an app that signed in or out by writing
        ``session[auth_key]`` itself, while the session can still be saved; and when
        the app saves anyway, keep the activity time in the session too."""
        if self.read_only or not (
                self.has_cookie or self.marker_out or self.ended or _accessed(self.session)):
            return
        user = self._real().get(self.settings.auth_key)
        if user is not None and self.was_signed_in and not self.logged_in and (
                self._will_save() and _store(_was_ended, self._real())):
            # Another request signed this session out (or expired it) while this one
            # ran: whatever this one saves must not bring it back.
            self._revoke()
            return
        if user is not None and not self.was_signed_in:
            login_at = self._real().get(LOGIN_AT)
            if login_at is not None and not self.logged_in:
                # A signed-in session the request start never judged (its cookie was
                # sent in a form the quick test missed): judge it now, never adopt it.
                if self._judge_signed_in(login_at, True).state == expiry.EXPIRED:
                    self.verdict = expiry.ANONYMOUS_VERDICT
                return
            self._start_clocks()
        elif user is None and self.was_signed_in:
            self.session.pop(LOGIN_AT, None)
            self.session.pop(SEEN_AT, None)
            self.session.save()
            self.was_signed_in = False
            self.marker_out = "delete"
            self.verdict = expiry.ANONYMOUS_VERDICT
        elif self.was_signed_in and _dirty(self.session):
            self.session[SEEN_AT] = self.seen_at

    def _will_save(self):
        if will_send_cookie(self.session):
            return True
        # Beaker's default writes back what it loaded, on every request that read it.
        return bool(_params(self.session).get("save_accessed_time", True)) and _accessed(
            self.session)

    def _revoke(self):
        real = self._real()
        real.clear()
        real.accessed_dict = {}
        self.was_signed_in = False
        self.marker_out = "delete"
        self.verdict = expiry.ANONYMOUS_VERDICT

    def headers(self, cookie_sent):
        """The headers this response needs. ``cookie_sent`` tells whether Beaker is
        setting the session cookie already (a session saved under a new id)."""
        result = []
        secure = self.secure
        if self.marker_out == "set":
            real = self._real()
            value = cookies.marker_value(self.secret, real[LOGIN_AT], self.seen_at, real.id)
            result.append(cookies.set_cookie(
                cookies.MARKER, value, self.cookie_path, self.cookie_domain, secure))
        elif self.marker_out == "delete":
            result.append(cookies.set_cookie(
                cookies.MARKER, "", self.cookie_path, self.cookie_domain, secure, delete=True))
        if self.ended and not cookie_sent:
            result.append(cookies.set_cookie(
                self.key, "", self.cookie_path, self.cookie_domain, secure, delete=True))
        if self.verdict.signed_in:
            result.append(("Session-Expires-In", str(self.verdict.expires_in)))
        return result


def _dirty(session):
    dirty = getattr(session, "dirty", None)
    return bool(dirty is not None and dirty())


def _sends_cookie(header, name):
    """A cheap test that ``header`` may name cookie ``name`` (Beaker parses it for real).

    It may say yes wrongly (then Beaker finds no session: no harm) but never no wrongly:
    ``name`` at the start or after any separator or white space Python's cookie parser
    accepts, then optional white space and ``=``. So ``session`` is not found in
    ``wsgi_session_timeout=...``, and ``beaker.session.id =x`` is found.
    """
    if name not in header:
        return False
    pattern = _COOKIE_PATTERNS.get(name)
    if pattern is None:
        pattern = _COOKIE_PATTERNS[name] = re.compile(
            r"(?:^|[\s;,])" + re.escape(name) + r"\s*=")
    return pattern.search(header) is not None


_COOKIE_PATTERNS = {}


def _accessed(session):
    accessed = getattr(session, "accessed", None)
    return accessed() if accessed is not None else True


def will_send_cookie(session):
    """True when an outer Beaker will send the session cookie for this response: after
    :meth:`Tracker._end` it does so only if the session is saved again."""
    return bool(_params(session).get("auto")) or _dirty(session)


def persist(session, secure=False):
    """Save a session the middleware opened itself, as Beaker's own middleware does;
    return its ``Set-Cookie`` header (marked ``Secure`` when ``secure``), or ``None``."""
    if not session.accessed():
        return None
    _store(session.persist)
    out = session.__dict__["_headers"]
    if out.get("set_cookie") and out.get("cookie_out"):
        cookie = out["cookie_out"].strip()
        if secure and "; secure" not in cookie.lower():
            cookie += "; Secure"
        return ("Set-Cookie", cookie)
    return None


def _store(function, *args):
    """Call ``function``; a failure of the store becomes :class:`StoreUnavailable`."""
    try:
        return function(*args)
    except StoreUnavailable:
        raise
    except Exception as exc:
        raise StoreUnavailable(exc)


def _namespace(real, name):
    """A namespace of the session's own store (same backend, same settings)."""
    return real.namespace_class(name, data_dir=real.data_dir, digest_filenames=False,
                                **real.namespace_args)


def _mark_ended(real, now):
    """Leave a note that this session id was ended, beside (not inside) its record, so a
    request still in flight cannot save the session back to life."""
    namespace = _namespace(real, "%s.ended" % real.id)
    namespace.acquire_write_lock()
    try:
        namespace["ended"] = now
    finally:
        namespace.release_write_lock()


def _was_ended(real):
    """True when :func:`_mark_ended` was called for this session id."""
    namespace = _namespace(real, "%s.ended" % real.id)
    namespace.acquire_read_lock()
    try:
        return "ended" in namespace
    finally:
        namespace.release_read_lock()


def _drop_record(real):
    """Remove a stored session record, so its id is empty and dead."""
    namespace = _namespace(real, real.id)
    namespace.acquire_write_lock(replace=True)
    try:
        if "session" in namespace:
            del namespace["session"]
    finally:
        namespace.release_write_lock()


class _Corrupt(Exception):
    """A stored session record that cannot be decoded (not a store failure)."""


def _hide_marker(request):
    """Hand Beaker the Cookie header without the middleware's own cookie, which it would
    otherwise parse and check a signature on for nothing."""
    header = request.get("cookie")
    if header and cookies.MARKER in header:
        request["cookie"] = cookies.split_marker(header)[0]


class OwnSession(Session):
    """The ``Session`` the middleware runs: Beaker's, blind to the marker cookie, and
    giving the store an expiry (``store_ttl`` seconds) without Beaker's own ``timeout``,
    which would also write the session on every request. Backends that take a
    ``timeout`` (Redis: ``SETEX``) then drop dead records by themselves; the others
    ignore it."""

    def __init__(self, request, store_ttl=None, invalidate_corrupt=True, breaker=None,
                 **params):
        _hide_marker(request)
        self.store_ttl = store_ttl
        self.breaker = breaker
        self.replace_corrupt = invalidate_corrupt
        # Beaker's own invalidate_corrupt would also start a new session when the store
        # merely failed to answer (a sign-out on every Redis blip): off, and done below
        # for records that really cannot be read.
        Session.__init__(self, request, invalidate_corrupt=False, **params)

    def _with_ttl(self):
        if self.store_ttl:
            self.namespace_args.setdefault("timeout", self.store_ttl)

    def load(self):
        """Load, with the store's expiry in place for the namespace it opens. A record
        that cannot be decoded is replaced by a new session; a store that fails raises."""
        self._with_ttl()
        self._gate()
        try:
            return Session.load(self)
        except _Corrupt:
            if not self.replace_corrupt:
                raise
            self.invalidate()

    def _decrypt_data(self, session_data):
        try:
            return Session._decrypt_data(self, session_data)
        except Exception as exc:
            raise _Corrupt(exc)

    def save(self, accessed_only=False):
        """Save, with the store's expiry in place for the namespace it opens."""
        self._with_ttl()
        self._gate()
        return Session.save(self, accessed_only)

    def _gate(self):
        """While the breaker is open, fail at once instead of asking the store (unless
        this request is its probe)."""
        if self.breaker is not None and not self.breaker.admits():
            raise StoreUnavailable("the session store is unavailable")


class OwnCookieSession(CookieSession):
    """Beaker's ``CookieSession``, blind to the marker cookie."""

    def __init__(self, request, **params):
        _hide_marker(request)
        CookieSession.__init__(self, request, **params)
