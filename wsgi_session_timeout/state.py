"""One request's view of one session: what its clocks say, and what must change.

A :class:`SessionState` is made by the middleware for each request that carries the
session cookie (or reaches an endpoint), under ``environ["wsgi_session_timeout.state"]``,
where :func:`~wsgi_session_timeout.login` and :func:`~wsgi_session_timeout.logout` find
it. It reads and changes the session through :mod:`store` only, and says what the
response must carry (:attr:`marker_out`, :attr:`drop_cookie`) without writing a header.
"""

from . import expiry, marker, store
from .store import LOGIN_AT, SEEN_AT, StoreUnavailable

ENVIRON_KEY = "wsgi_session_timeout.state"
#: A callable that makes the state on demand, for a request that had no session to read.
FACTORY_KEY = "wsgi_session_timeout.make_state"

#: How a request counts towards the idle clock.
ACTIVE = "active"
PASSIVE = "passive"
EXTEND = "extend"

#: What the response does with the activity cookie.
SET = "set"
DELETE = "delete"


def login(environ, user):
    """Sign ``user`` in for this request's session.

    Sets ``session[auth_key] = user``, moves the session's data to a new id (the
    pre-sign-in id is left empty and dead, so a fixated or replayed id never carries the
    signed-in state), starts both clocks and saves. Call it from the app's sign-in view.
    """
    of(environ).login(user)


def logout(environ):
    """Sign the current user out: the session's record is removed, its data cleared, and
    the browser told to drop the cookie. Replaying the old cookie is not signed in."""
    of(environ).logout()


def of(environ):
    """The :class:`SessionState` of the request ``environ`` belongs to."""
    state = environ.get(ENVIRON_KEY)
    if state is None:
        make = environ.get(FACTORY_KEY)
        if make is None:
            raise RuntimeError(
                "wsgi_session_timeout.login() and logout() need SessionTimeoutMiddleware "
                "around the application; this request did not pass through it")
        state = make()
    return state


class SessionState(object):
    """The session of one request.

    :attr:`verdict` is what the clocks say; it changes only through
    :meth:`_signed_in_at` and :meth:`_not_signed_in`. :meth:`start` runs before the
    app, :meth:`login`/:meth:`logout` from the app, :meth:`finish` once the app has
    answered (while the session can still be saved).
    """

    def __init__(self, session, settings, now, header, cookie_name):
        self.session = session
        self.settings = settings
        self.now = now
        self.options = options = store.params(session)
        self.key = options.get("key", "beaker.session.id")
        self.secret = options.get("secret") or options.get("validate_key")
        self.cookie_name = cookie_name or marker.name_for(self.key)
        self.header = header or ""
        self.has_cookie = bool(header) and store.sends_cookie(header, self.key)
        self.verdict = expiry.ANONYMOUS_VERDICT
        self.login_at = self.seen_at = None  # the signed-in session's clocks
        self.marker_out = None  # SET or DELETE when the response changes the marker
        self.drop_cookie = False  # the browser's session cookie must go, unless replaced
        self.logged_in = False  # login() was called during this request
        self.outage = False  # the store failed during this request
        self.read_only = False
        self.id_at_start = None
        #: The user the session held when the request started, before an expired
        #: session was cleared (``None``: not signed in, or no session to read).
        self.user_at_start = None
        #: The verdict :meth:`start` reached (``None`` until it ran).
        self.started_with = None
        self._real = None
        self._marker_key = None

    # -- reading --------------------------------------------------------------------------

    def real(self):
        """The Beaker ``Session`` itself (loading it on first use)."""
        if self._real is None:
            try:
                self._real = store.load(self.session)
            except StoreUnavailable:
                self.outage = True
                raise
        return self._real

    def _key(self):
        key = self._marker_key
        if key is None:
            key = self._marker_key = marker.key_for(self.secret)
        return key

    def _markers(self):
        name = self.cookie_name
        if name not in self.header:
            return ()
        return marker.read(self.header, name, self._key())

    def _own_marker(self, session_id):
        markers = self._markers()
        return marker.pick(markers, marker.session_tag(self._key(), session_id)) \
            if markers else None

    def _signed_in_at(self, login_at, seen_at):
        self.login_at, self.seen_at = login_at, seen_at
        s = self.settings
        self.verdict = expiry.judge(login_at, seen_at, self.now, s.idle_timeout,
                                    s.absolute_timeout)
        if not self.verdict.signed_in:
            self.login_at = self.seen_at = None
        return self.verdict

    def _not_signed_in(self, verdict=expiry.ANONYMOUS_VERDICT):
        self.login_at = self.seen_at = None
        self.verdict = verdict
        return verdict

    # -- before the app -------------------------------------------------------------------

    def start(self, activity=ACTIVE, writes=True):
        """Read the session's clocks (only when the browser sent a session cookie: no
        cookie, no backend access), expire or record activity, and return the verdict.

        ``activity`` is :data:`ACTIVE` (recorded at most once per touch interval),
        :data:`PASSIVE` (not recorded) or :data:`EXTEND` (recorded now). With
        ``writes=False`` nothing about the session changes, not even an expired one.
        """
        self.started_with = verdict = self._start(activity, writes)
        return verdict

    def _start(self, activity, writes):
        self.read_only = not writes
        if not self.has_cookie:
            return self._lost(None, writes)
        real = self.real()
        self.id_at_start = real.id
        user = self.user_at_start = real.get(self.settings.auth_key)
        if user is None:
            return self._lost(real, writes)
        if store.is_cookie_session(real) and real.get(LOGIN_AT) is not None and \
                self._own_marker(real.id) is None:
            # A cookie session has no record the server could drop at sign-out: its
            # activity cookie, deleted then, is the server's word that it is live. A
            # session cookie replayed without it is signed out.
            if writes:
                self._end(real)
            return self._not_signed_in()
        login_at, seen_at = self._clocks(real)
        verdict = self._signed_in_at(login_at, seen_at)
        if not verdict.signed_in:
            if writes:
                self._end(real)
            return self._not_signed_in(verdict)
        if real.get(LOGIN_AT) is None:
            # Signed in by the app before the middleware kept clocks for it (a session
            # from before it was deployed): from now on it has them.
            if writes:
                self._keep_clocks(real, login_at)
            return self.verdict
        if activity == EXTEND or (activity == ACTIVE and expiry.needs_touch(
                seen_at, self.now, self.settings.touch_interval)):
            self.marker_out = SET
            return self._signed_in_at(login_at, self.now)
        return verdict

    def _clocks(self, real):
        """``(login_at, seen_at)`` of a signed-in session: the middleware's own, the
        activity time the later of the one saved in the session and the one in this
        session's marker; for a session signed in before the middleware kept clocks,
        Beaker's own creation and access times."""
        login_at = real.get(LOGIN_AT)
        if login_at is None:
            # Beaker's own access time as loaded (a CookieSession stamps a new one at
            # once; its accessed_dict keeps the one the cookie carried).
            seen = getattr(real, "last_accessed", None) or getattr(
                real, "accessed_dict", {}).get("_accessed_time")
            return real.get("_creation_time", self.now), seen or self.now
        seen_at = real.get(SEEN_AT)
        own = self._own_marker(real.id)
        if own is not None and own.login_at == _whole(login_at):
            try:
                return login_at, max(float(seen_at), own.seen_at)
            except (TypeError, ValueError):
                return login_at, own.seen_at
        return login_at, seen_at

    def _lost(self, real, writes):
        """The verdict for a session cookie with no signed-in session behind it, from the
        browser's marker: what its own clocks say, or "never signed in"."""
        markers = self._markers()
        if not markers:
            return self._not_signed_in()
        own = None if real is None else marker.pick(
            markers, marker.session_tag(self._key(), real.id))
        chosen = own or max(markers, key=lambda m: m.seen_at)
        s = self.settings
        verdict = expiry.judge(chosen.login_at, chosen.seen_at, self.now, s.idle_timeout,
                               s.absolute_timeout)
        if own is not None and verdict.signed_in and writes and not self.outage:
            # The marker says this very session should be alive, yet the store has no
            # record: evicted, or a store (memcached) that answers "not found" when it
            # is down. The probe tells which; a working store means the cookie is dead.
            self._probe(real)
            self.drop_cookie = True
        if verdict.signed_in:
            return self._not_signed_in()
        return self._not_signed_in(verdict)

    def _probe(self, real):
        try:
            store.probe(real)
        except StoreUnavailable:
            self.outage = True
            raise

    def _keep_clocks(self, real, login_at):
        real[LOGIN_AT] = login_at
        real[SEEN_AT] = self.now
        self._save()
        self.marker_out = SET
        self._signed_in_at(login_at, self.now)

    def _start_clocks(self):
        real = self.real()
        real[LOGIN_AT] = real[SEEN_AT] = self.now
        self._save()
        self.marker_out = SET
        self._signed_in_at(self.now, self.now)

    def _save(self):
        self.session.save()

    def ended_user(self):
        """The user who was signed in on the session this request came with, when that
        session has ended (expired now, or ended before: signed out elsewhere, revoked),
        else ``None``. Reads the store only when the session was already gone."""
        if self.started_with is None or self.started_with.signed_in or \
                self.verdict.signed_in or not self.has_cookie:
            return None
        if self.user_at_start is not None:
            return self.user_at_start
        if self.id_at_start is None or self.outage:
            return None
        return store.ended_user(self.real(), self.id_at_start)

    # -- called by the app ----------------------------------------------------------------

    def login(self, user):
        """See :func:`wsgi_session_timeout.login`."""
        if self.outage:
            raise StoreUnavailable("cannot sign in while the session store is unavailable")
        real = self.real()
        previous = real.get(self.settings.auth_key)
        self._rotate(real)
        self.logged_in = True
        if previous is not None and previous != user:
            # Another user signs in over this session: nothing of the first one's carries
            # over (a visitor's data, such as a cart, does).
            real.clear()
        real[self.settings.auth_key] = user
        self._start_clocks()

    def _rotate(self, real):
        """Move the session's data to a new id; the old id is left empty and dead, so a
        fixated or replayed id never carries the signed-in state."""
        if store.is_cookie_session(real):
            real["_id"] = _new_cookie_id()
        else:
            if not real.is_new:
                store.end(real, real.id, self.now)
            real.regenerate_id()
        self.drop_cookie = False

    def logout(self):
        """See :func:`wsgi_session_timeout.logout`."""
        if self.outage:
            raise StoreUnavailable("cannot sign out while the session store is unavailable")
        self._end(self.real())
        self.marker_out = DELETE
        self._not_signed_in()

    def _end(self, real):
        """End the session for good: its record dropped, a note left, its data cleared;
        a fresh id is stored (and sent) only if the app saves."""
        if store.is_cookie_session(real):
            real.invalidate()
            self._save()
            return
        if not real.is_new:
            store.end(real, real.id, self.now, real.get(self.settings.auth_key))
        real.clear()
        store.new_id(real, _wall_clock())
        self.drop_cookie = True

    # -- once the app has answered --------------------------------------------------------

    def finish(self):
        """Notice what the app did to the session by itself, while it can still be saved:
        signed in (``session[auth_key] = ...``: the session moves to a new id), signed
        out (``del``, ``delete()``, ``invalidate()``: the old id is ended for good), or
        saved a session that another request ended meanwhile (it stays ended). When the
        app saves anyway, the activity time is kept in the session too."""
        if self.read_only or not (self.has_cookie or self.marker_out or self.drop_cookie or
                                  store.accessed(self.session)):
            return
        real = self.real()
        user = real.get(self.settings.auth_key)
        was_signed_in = self.login_at is not None
        if was_signed_in and not self.logged_in and (
                store.session_id(real) != self.id_at_start or user is None):
            self._signed_out_by_app(real, user)
            return
        if user is None:
            return
        if was_signed_in and not self.logged_in and store.will_save(self.session, self.options) and \
                store.was_ended(real):
            # Another request signed this session out (or expired it) while this one
            # ran: whatever this one saves must not bring it back.
            self._revoke(real)
            return
        if not was_signed_in and not self.logged_in:
            if real.get(LOGIN_AT) is not None:
                # A signed-in session the request start never judged (its cookie was
                # sent in a form the quick test missed): judge it now, never adopt it.
                self._judge_late(real)
                return
            # The app signed the user in itself: as login() does, on a new id.
            self._rotate(real)
            self._start_clocks()
        elif real.get(LOGIN_AT) is None and not self.logged_in:
            # The app cleared the session and signed a user in again in one request.
            self._rotate(real)
            self._start_clocks()
        elif self.session.__dict__.get("_dirty"):  # Beaker's SessionObject.dirty()
            real[SEEN_AT] = self.seen_at

    def _judge_late(self, real):
        login_at, seen_at = self._clocks(real)
        if not self._signed_in_at(login_at, seen_at).signed_in:
            self._end(real)
            self._not_signed_in()

    def _signed_out_by_app(self, real, user):
        """The app removed the user, or gave the session a new id (``invalidate()``):
        the id the request started with is ended for good."""
        if not store.is_cookie_session(real) and self.id_at_start is not None:
            store.end(real, self.id_at_start, self.now)
        if user is not None:
            # invalidate() and a new sign-in in one request: a new session of its own.
            real.pop(LOGIN_AT, None)
            self._start_clocks()
            return
        real.pop(LOGIN_AT, None)
        real.pop(SEEN_AT, None)
        if store.session_id(real) == self.id_at_start and not store.is_cookie_session(real):
            # Whatever the app keeps after signing out lives on under a new id.
            store.new_id(real, _wall_clock())
        self._save()
        self.marker_out = DELETE
        self._not_signed_in()

    def _revoke(self, real):
        real.clear()
        real.accessed_dict = {}
        self.marker_out = DELETE
        self._not_signed_in()

    # -- what the response carries --------------------------------------------------------

    def marker_header(self, attributes):
        """The ``Set-Cookie`` header for the activity cookie, or ``None``."""
        if self.marker_out == SET and self.login_at is not None:
            real = self.real()
            key = self._key()
            text = marker.value(key, self.login_at, self.seen_at,
                                marker.session_tag(key, real.id))
            return marker.set_cookie(self.cookie_name, text, attributes)
        if self.marker_out == DELETE or (self.marker_out == SET and self.login_at is None):
            return marker.delete_cookie(self.cookie_name, attributes)
        return None


def _whole(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _new_cookie_id():
    import uuid
    return uuid.uuid4().hex


def _wall_clock():
    import time
    return time.time()
