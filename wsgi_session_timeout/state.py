"""One request's view of one session: what its clocks say, and what must change.

A :class:`SessionState` is made by the middleware for each request that carries the
session cookie (or reaches an endpoint), under ``environ["wsgi_session_timeout.state"]``,
where :func:`~wsgi_session_timeout.login` and :func:`~wsgi_session_timeout.logout` find
it. It reads and changes the session through :mod:`store` only, and says what the
response must carry (:attr:`marker_out`, :attr:`drop_cookie`) without writing a header.
"""

from . import events, expiry, marker, registry, store
from .settings import as_seconds
from .store import LOGIN_AT, SEEN_AT, TAG, TIMEOUTS, StoreUnavailable

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


def login(environ, user, idle_timeout=None, absolute_timeout=None):
    """Sign ``user`` in for this request's session.

    Sets ``session[auth_key] = user``, moves the session's data to a new id (the
    pre-sign-in id is left empty and dead, so a fixated or replayed id never carries the
    signed-in state), starts both clocks and saves. Call it from the app's sign-in view.

    ``idle_timeout`` and ``absolute_timeout`` give this session timeouts of its own (a
    "remember me" with a longer absolute timeout, a short one for administrators), held
    to ``max_idle_timeout`` and ``max_absolute_timeout``. ``None`` (the default): what
    the ``timeouts`` option computes for ``user``, else the configured timeouts.
    """
    of(environ).login(user, idle_timeout, absolute_timeout)


def set_timeouts(environ, idle_timeout=None, absolute_timeout=None):
    """Change the signed-in session's own timeouts (``None``: leave that one as it is),
    held to ``max_idle_timeout`` and ``max_absolute_timeout``. Both clocks keep their
    start: a shorter timeout may end the session at once."""
    of(environ).set_timeouts(idle_timeout, absolute_timeout)


def sessions(environ, user=None):
    """The live signed-in sessions of ``user`` (default: the signed-in user of this
    request), as :class:`~wsgi_session_timeout.registry.SessionInfo` (tag, sign-in
    time, last activity as far as known, user agent, whether it is this request's),
    oldest first. Entries of sessions that are gone are dropped from the index."""
    return of(environ).sessions(user)


def end_sessions(environ, user=None, keep_current=False, tags=None):
    """End sessions of ``user`` (default: the signed-in user of this request): all of
    them, or those whose tag is in ``tags``; ``keep_current=True`` keeps this request's
    ("sign out other devices"). A request of an ended session is answered
    ``session_expired`` with ``reason`` ``revoked``; ending this request's session signs
    it out as :func:`logout` does. Returns how many were ended."""
    return of(environ).end_sessions(user, keep_current, tags)


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


class Facts(object):
    """What a request's session is, from the options its Beaker ``SessionObject`` was
    made with: known at start-up when the middleware runs Beaker, else read on each
    request (:meth:`of`).

    :param options: the session's Beaker options (``store.params``).
    :param cookie_name: the activity cookie's name; ``None``: the session cookie's name
        and ``.activity``.
    """

    __slots__ = ("options", "key", "secret", "cookie_name", "auto", "saves_on_read",
                 "marker_key")

    def __init__(self, options, cookie_name=None):
        self.options = options
        self.key = options.get("key", "beaker.session.id")
        self.secret = options.get("secret") or options.get("validate_key")
        self.cookie_name = cookie_name or marker.name_for(self.key)
        #: Beaker saves the whole session whether or not the app calls save().
        self.auto = bool(options.get("auto"))
        #: Beaker writes back a session it loaded even when nobody saved it.
        self.saves_on_read = self.auto or bool(options.get("save_accessed_time", True))
        #: The activity cookie's key (derived on first use: a Beaker outside without a
        #: secret is refused then, not at start-up).
        self.marker_key = None

    @classmethod
    def of(cls, session, cookie_name=None):
        """The facts of a session an outer Beaker made."""
        return cls(store.params(session), cookie_name)

    def key_for_marker(self):
        key = self.marker_key
        if key is None:
            key = self.marker_key = marker.key_for(self.secret)
        return key


class SessionState(object):
    """The session of one request.

    :attr:`verdict` is what the clocks say; it changes only through
    :meth:`_signed_in_at` and :meth:`_not_signed_in`. :meth:`start` runs before the
    app, :meth:`login`/:meth:`logout` from the app, :meth:`finish` once the app has
    answered (while the session can still be saved).

    What most requests leave as it starts is a class attribute: a request sets only
    what changes (a third of the attribute writes of a signed-in read).
    """

    user = None  # the signed-in user the request started with
    verdict = expiry.ANONYMOUS_VERDICT
    login_at = seen_at = None  # the signed-in session's clocks
    marker_out = None  # SET or DELETE when the response changes the marker
    drop_cookie = False  # the browser's session cookie must go, unless replaced
    logged_in = False  # login() was called during this request
    logged_out = False  # logout() was called during this request
    outage = False  # the store failed during this request
    read_only = False
    id_at_start = None
    #: The user the session held when the request started, before an expired session
    #: was cleared (``None``: not signed in, or no session to read).
    user_at_start = None
    #: The verdict :meth:`start` reached (``None`` until it ran).
    started_with = None
    _real = None

    def __init__(self, session, settings, now, header, facts, has_cookie, events=None,
                 environ=None):
        self.session = session
        self.settings = settings
        self.now = now
        self.events = events
        self.environ = environ
        # The timeouts this session's clocks run on: its own, or the configured ones.
        self.idle_timeout = settings.idle_timeout
        self.absolute_timeout = settings.absolute_timeout
        self.facts = facts
        self.header = header or ""
        self.has_cookie = has_cookie

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
        return self.facts.marker_key or self.facts.key_for_marker()

    def _markers(self):
        name = self.facts.cookie_name
        if name not in self.header:
            return ()
        return marker.read(self.header, name, self._key())

    def _own_marker(self, real):
        """The activity cookie written for ``real``'s session id, or ``None``; the id's
        tag is the one kept in the session at sign-in, when it was kept for this id."""
        name = self.facts.cookie_name
        if name not in self.header:
            return None
        session_id = real.id
        try:
            kept_for, tag = real.get(TAG)
            if kept_for != session_id:
                tag = None
        except (TypeError, ValueError):  # none kept (a cookie session), or not a pair
            tag = None
        facts = self.facts  # (what _key() does, inline: every signed-in request)
        return marker.find(self.header, name, facts.marker_key or facts.key_for_marker(),
                           session_id, tag)

    def _signed_in_at(self, login_at, seen_at):
        self.login_at, self.seen_at = login_at, seen_at
        self.verdict = verdict = expiry.judge(login_at, seen_at, self.now, self.idle_timeout,
                                              self.absolute_timeout)
        if verdict.state != expiry.ACTIVE:
            self.login_at = self.seen_at = None
        return verdict

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
        self.id_at_start = session_id = real.id
        user = self.user_at_start = real.get(self.settings.auth_key)
        if user is None:
            return self._lost(real, writes)
        login_at = real.get(LOGIN_AT)
        own = None if login_at is None else self._own_marker(real)
        if own is None and login_at is not None and store.is_cookie_session(real):
            # A cookie session has no record the server could drop at sign-out: its
            # activity cookie, deleted then, is the server's word that it is live. A
            # session cookie replayed without it is signed out.
            if writes:
                self._end(real)
            return self._not_signed_in()
        self.user = user
        if real.get(TIMEOUTS) is not None:  # most sessions have none of their own
            self._read_timeouts(real)
        legacy = login_at is None
        if legacy:
            login_at, seen_at = self._beaker_clocks(real)
        else:
            seen_at = self._seen_at(real, login_at, own)
        verdict = self._signed_in_at(login_at, seen_at)
        if verdict.state != expiry.ACTIVE:
            if writes:
                self._emit(events.EXPIRED, user, verdict.reason, session_id)
                self._end(real, verdict.reason)
            return self._not_signed_in(verdict)
        if legacy:
            # Signed in by the app before the middleware kept clocks for it (a session
            # from before it was deployed): from now on it has them.
            if writes:
                self._keep_clocks(real, login_at)
            return self.verdict
        if activity == EXTEND:
            self._emit(events.EXTEND, user, None, session_id)
        elif activity != ACTIVE:
            return verdict
        s = self.settings
        if activity == EXTEND or expiry.needs_touch(
                seen_at, self.now, s.touch_interval if self.idle_timeout == s.idle_timeout
                else self._touch_interval()):
            self.marker_out = SET
            return self._signed_in_at(login_at, self.now)
        return verdict

    def _read_timeouts(self, real):
        s = self.settings
        idle, absolute = store.own_timeouts(real)
        self.idle_timeout = expiry.own_timeout(idle, s.idle_timeout, s.max_idle_timeout)
        self.absolute_timeout = expiry.own_timeout(absolute, s.absolute_timeout,
                                                   s.max_absolute_timeout)

    def _touch_interval(self):
        interval = self.settings.touch_interval
        idle, default = self.idle_timeout, self.settings.idle_timeout
        if idle is not None and idle != default and (default is None or idle < default):
            # A session's own shorter idle timeout: activity is kept as closely.
            interval = min(interval, max(idle // 10, 1))
        return interval

    def _clocks(self, real):
        """``(login_at, seen_at)`` of a signed-in session: the middleware's own, the
        activity time the later of the one saved in the session and the one in this
        session's marker; for a session signed in before the middleware kept clocks,
        Beaker's own creation and access times."""
        login_at = real.get(LOGIN_AT)
        if login_at is None:
            return self._beaker_clocks(real)
        return login_at, self._seen_at(real, login_at, self._own_marker(real))

    def _beaker_clocks(self, real):
        # Beaker's own access time as loaded (a CookieSession stamps a new one at once;
        # its accessed_dict keeps the one the cookie carried).
        seen = getattr(real, "last_accessed", None) or getattr(
            real, "accessed_dict", {}).get("_accessed_time")
        return real.get("_creation_time", self.now), seen or self.now

    def _seen_at(self, real, login_at, own):
        """The activity time of a session signed in at ``login_at``: the later of the one
        saved in it and the one in its own marker ``own`` (when written for this
        sign-in)."""
        seen_at = real.get(SEEN_AT)
        if own is None:
            return seen_at
        try:
            if own.login_at != int(login_at):  # whole seconds, as in the marker
                return seen_at
        except (TypeError, ValueError, OverflowError):
            return seen_at
        try:
            seen_at = float(seen_at)
        except (TypeError, ValueError):
            return own.seen_at
        # As max(seen_at, own.seen_at), without the call (a NaN stays, and fails closed).
        return own.seen_at if own.seen_at > seen_at else seen_at

    def _lost(self, real, writes):
        """The verdict for a session cookie with no signed-in session behind it, from the
        browser's marker: what its own clocks say, or "never signed in"."""
        markers = self._markers()
        if not markers:
            return self._not_signed_in()
        own = None if real is None else marker.pick(markers, self._tag(real.id))
        reason = None
        if own is not None and not store.is_cookie_session(real):
            reason = self._ended_reason(real)
            if reason in (expiry.REVOKED, expiry.REPLACED):
                # Ended on purpose (from another device, by an administrator, or by a
                # newer sign-in): say so once, then the browser forgets the session.
                if writes:
                    self.drop_cookie = True
                    self.marker_out = DELETE
                return self._not_signed_in(expiry.ended(reason))
        chosen = own or max(markers, key=lambda m: m.seen_at)
        s = self.settings
        # The marker does not say which timeouts its session had: the ceilings, so a
        # session with timeouts of its own is never called expired too early.
        verdict = expiry.judge(chosen.login_at, chosen.seen_at, self.now,
                               s.max_idle_timeout, s.max_absolute_timeout)
        if verdict.signed_in and reason in (expiry.IDLE, expiry.ABSOLUTE):
            # Another request found it expired and ended it after this one read the clock
            # (or on a host whose clock runs ahead): the note says so, and proves the
            # store answers, so no probe is needed.
            if writes:
                self.drop_cookie = True
            return self._not_signed_in(expiry.ended(reason))
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

    def _ended_reason(self, real):
        try:
            return store.ended_reason(real, real.id)
        except StoreUnavailable:
            self.outage = True
            raise

    def _keep_clocks(self, real, login_at):
        real[LOGIN_AT] = login_at
        real[SEEN_AT] = self.now
        self._keep_tag(real)
        self._save()
        self.marker_out = SET
        self._signed_in_at(login_at, self.now)

    def _start_clocks(self):
        real = self.real()
        real[LOGIN_AT] = real[SEEN_AT] = self.now
        self._keep_tag(real)
        self._save()
        self.marker_out = SET
        self._signed_in_at(self.now, self.now)

    def _keep_tag(self, real):
        if store.is_cookie_session(real):
            return  # its data travels in a cookie: kept small
        real[TAG] = [real.id, self._tag(real.id)]

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

    def login(self, user, idle_timeout=None, absolute_timeout=None):
        """See :func:`wsgi_session_timeout.login`."""
        if self.outage:
            raise StoreUnavailable("cannot sign in while the session store is unavailable")
        if user is None:
            raise ValueError("login() needs a user (got None)")
        wanted = self._wanted_timeouts(user, idle_timeout, absolute_timeout)
        real = self.real()
        previous = real.get(self.settings.auth_key)
        previous_id = None if real.is_new else real.id
        self._rotate(real)
        self.logged_in = True
        if previous is not None and previous != user:
            # Another user signs in over this session: nothing of the first one's carries
            # over (a visitor's data, such as a cart, does).
            real.clear()
        real[self.settings.auth_key] = user
        self._keep_timeouts(real, wanted, replace=True)
        self._start_clocks()
        self._signed_in(real, user, previous, previous_id)

    def _wanted_timeouts(self, user, idle_timeout=None, absolute_timeout=None, hook=True):
        """``{0: idle, 1: absolute}`` (seconds, each only when set) of the session's own
        timeouts: the ``timeouts`` option's answer for ``user``, overridden by the ones
        given, held to their ceilings."""
        wanted = {}
        compute = self.settings.timeouts if hook else None
        if compute is not None:
            got = compute(user)
            if isinstance(got, dict):
                unknown = set(got) - set(["idle_timeout", "absolute_timeout"])
                if unknown:
                    raise ValueError("timeouts(%r) answered unknown keys %s (got %r)"
                                     % (user, ", ".join(sorted(unknown)), got))
                got = (got.get("idle_timeout"), got.get("absolute_timeout"))
            elif got is None:
                got = (None, None)
            elif not isinstance(got, (tuple, list)) or len(got) != 2:
                raise ValueError("timeouts(%r) must answer a dict, an (idle, absolute) "
                                 "pair or None (got %r)" % (user, got))
            wanted[0], wanted[1] = got
        if idle_timeout is not None:
            wanted[0] = idle_timeout
        if absolute_timeout is not None:
            wanted[1] = absolute_timeout
        s = self.settings
        checked = {}
        for key, name, ceiling in ((0, "idle_timeout", s.max_idle_timeout),
                                   (1, "absolute_timeout", s.max_absolute_timeout)):
            value = as_seconds(name, wanted.get(key))
            if value is not None:
                checked[key] = value if ceiling is None else min(value, ceiling)
        return checked

    def _keep_timeouts(self, real, wanted, replace=False):
        """Store the session's own timeouts, ``{0: idle, 1: absolute}`` (``replace``:
        drop any it had first)."""
        own = [None, None] if replace else list(store.own_timeouts(real))
        for key in (0, 1):
            if key in wanted:
                own[key] = wanted[key]
        if own == [None, None]:
            real.pop(TIMEOUTS, None)
        else:
            real[TIMEOUTS] = own
        self._read_timeouts(real)

    def _signed_in(self, real, user, previous=None, previous_id=None):
        """After a sign-in: the index updated (the session replaced by this sign-in
        taken out of it, the oldest ended beyond ``max_sessions``) and the event told."""
        if store.is_cookie_session(real):
            self._emit(events.SIGN_IN, user, None, real.id)
            return
        if previous is not None and previous_id is not None:
            registry.signed_out(real, previous, [previous_id])
        agent = (self.environ or {}).get("HTTP_USER_AGENT")
        replaced = registry.signed_in(
            real, self.settings, user, real.id,
            registry.entry(self.now, agent, self.absolute_timeout), self.now)
        self._emit(events.SIGN_IN, user, None, real.id)
        for session_id in replaced:
            store.end(real, session_id, self.now, user, expiry.REPLACED)
            self._emit(events.REVOKED, user, expiry.REPLACED, session_id)

    def _rotate(self, real):
        """Move the session's data to a new id; the old id is left empty and dead, so a
        fixated or replayed id never carries the signed-in state."""
        store.rotate(real, self.now)
        self.drop_cookie = False

    def logout(self):
        """See :func:`wsgi_session_timeout.logout`."""
        if self.outage:
            raise StoreUnavailable("cannot sign out while the session store is unavailable")
        real = self.real()
        user = real.get(self.settings.auth_key)
        session_id = None if real.is_new else real.id
        self._end(real, SIGNED_OUT)
        self.logged_out = True
        self.marker_out = DELETE
        self._not_signed_in()
        self._signed_out(real, user, session_id)

    def _signed_out(self, real, user, session_id):
        if user is None:
            return
        if session_id is not None and not store.is_cookie_session(real):
            registry.signed_out(real, user, [session_id])
        self._emit(events.SIGN_OUT, user, None, session_id)

    def _end(self, real, reason=None):
        """End the session for good: its record dropped, a note left, its data cleared;
        a fresh id is stored (and sent) only if the app saves."""
        if store.is_cookie_session(real):
            real.invalidate()
            self._save()
            return
        if not real.is_new:
            store.end(real, real.id, self.now, real.get(self.settings.auth_key), reason)
        real.clear()
        store.new_id(real)
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
        real = self._real
        if real is None:
            real = self.real()
        user = real.get(self.settings.auth_key)
        # Beaker's SessionObject.dirty(): save() or delete() was called.
        dirty = self.session.__dict__.get("_dirty")
        if self.logged_in:
            if dirty and user is not None:
                real[SEEN_AT] = self.seen_at
            return
        if self.login_at is None:  # not signed in when the request started
            if user is None:
                return
            if real.get(LOGIN_AT) is not None:
                if self.logged_out:
                    # The app put back the data logout() cleared (Beaker's revert()):
                    # that session has ended, under whatever id.
                    self._revoke(real)
                    return
                # A signed-in session the request start never judged (its cookie was
                # sent in a form the quick test missed): judge it now, never adopt it.
                self._judge_late(real)
                return
            # The app signed the user in itself: as login() does, on a new id.
            self._app_signed_in(real, user)
            return
        try:
            same_id = real.id == self.id_at_start  # as store.session_id(real)
        except KeyError:
            same_id = False
        if user is None or not same_id:
            self._signed_out_by_app(real, user)
            return
        if (dirty or self.facts.saves_on_read) and store.was_ended(real):
            # Another request signed this session out (or expired it) while this one
            # ran: whatever this one saves must not bring it back.
            self._revoke(real)
        elif (dirty or self.facts.auto) and real.get(LOGIN_AT) is None:
            # The app cleared the session and signed a user in again in one request
            # (what Beaker does not save did not happen).
            self._app_signed_in(real, user, self.user, self.id_at_start)
        elif dirty:
            real[SEEN_AT] = self.seen_at

    def _app_signed_in(self, real, user, previous=None, previous_id=None):
        self._rotate(real)
        self._keep_timeouts(real, self._wanted_timeouts(user), replace=True)
        self._start_clocks()
        self._signed_in(real, user, previous, previous_id)

    def _judge_late(self, real):
        self._read_timeouts(real)
        login_at, seen_at = self._clocks(real)
        verdict = self._signed_in_at(login_at, seen_at)
        if not verdict.signed_in:
            self._emit(events.EXPIRED, real.get(self.settings.auth_key), verdict.reason,
                       real.id)
            self._end(real, verdict.reason)
            self._not_signed_in()

    def _signed_out_by_app(self, real, user):
        """The app removed the user, or gave the session a new id (``invalidate()``):
        the id the request started with is ended for good."""
        if not store.is_cookie_session(real) and self.id_at_start is not None:
            store.end(real, self.id_at_start, self.now, reason=SIGNED_OUT)
        self._signed_out(real, self.user, self.id_at_start)
        if user is not None:
            # invalidate() and a new sign-in in one request: a new session of its own.
            real.pop(LOGIN_AT, None)
            self._keep_timeouts(real, self._wanted_timeouts(user), replace=True)
            self._start_clocks()
            self._signed_in(real, user)
            return
        real.pop(LOGIN_AT, None)
        real.pop(SEEN_AT, None)
        if store.session_id(real) == self.id_at_start and not store.is_cookie_session(real):
            # Whatever the app keeps after signing out lives on under a new id.
            store.new_id(real)
        self._save()
        self.marker_out = DELETE
        self._not_signed_in()

    def _revoke(self, real):
        real.clear()
        real.accessed_dict = {}
        self.marker_out = DELETE
        self._not_signed_in()

    # -- the session's timeouts, the user's other sessions --------------------------------

    def set_timeouts(self, idle_timeout=None, absolute_timeout=None):
        """See :func:`wsgi_session_timeout.set_timeouts`."""
        if self.outage:
            raise StoreUnavailable("cannot change timeouts while the session store is "
                                   "unavailable")
        login_at, seen_at = self.login_at, self.seen_at
        if login_at is None:
            raise RuntimeError("set_timeouts() needs a signed-in session")
        real = self.real()
        wanted = self._wanted_timeouts(None, idle_timeout, absolute_timeout, hook=False)
        self._keep_timeouts(real, wanted)
        real[SEEN_AT] = seen_at
        self._save()
        verdict = self._signed_in_at(login_at, seen_at)
        if verdict.signed_in:
            self.marker_out = SET
            return verdict
        user = real.get(self.settings.auth_key)
        self._emit(events.EXPIRED, user, verdict.reason, real.id)
        self._end(real, verdict.reason)
        self.marker_out = DELETE
        return self._not_signed_in(verdict)

    def _whose(self, user):
        if user is not None:
            return user
        if self.login_at is None:
            return None
        return self.real().get(self.settings.auth_key)

    def _tag(self, session_id):
        return marker.session_tag(self._key(), session_id)

    def sessions(self, user=None):
        """See :func:`wsgi_session_timeout.sessions`."""
        user = self._whose(user)
        if user is None:
            return []
        real = self.real()
        signed_in = self.login_at is not None and real.get(self.settings.auth_key) == user
        if store.is_cookie_session(real):
            # No store, no index: only this request's own session is known.
            if not signed_in:
                return []
            return [registry.SessionInfo(self._tag(real.id), self.login_at, self.seen_at,
                                         None, True)]
        return registry.listing(real, self.settings, user, self.now, self._tag,
                                real.id if signed_in else None, self.seen_at)

    def end_sessions(self, user=None, keep_current=False, tags=None):
        """See :func:`wsgi_session_timeout.end_sessions`."""
        user = self._whose(user)
        if user is None:
            return 0
        real = self.real()
        if store.is_cookie_session(real):
            raise RuntimeError(COOKIE_SESSIONS)
        current = real.id if (self.login_at is not None and
                              real.get(self.settings.auth_key) == user) else None
        ids = registry.chosen(real, user, self._tag, tags)
        ends_current = current in ids
        others = [sid for sid in ids if sid != current]
        registry.end(real, user, others, self.now, expiry.REVOKED)
        for session_id in others:
            self._emit(events.REVOKED, user, expiry.REVOKED, session_id)
        if ends_current and not keep_current:
            self.logout()
            return len(others) + 1
        return len(others)

    def _emit(self, kind, user, reason, session_id):
        if self.events is None:
            return
        tag = None
        if session_id is not None and self.facts.secret:
            tag = self._tag(session_id)
        self.events.emit(kind, self.now, user, reason, events.path_of(self.environ), tag)

    # -- what the response carries --------------------------------------------------------

    def marker_header(self, attributes):
        """The ``Set-Cookie`` header for the activity cookie, or ``None``."""
        if self.marker_out == SET and self.login_at is not None:
            real = self.real()
            key = self._key()
            text = marker.value(key, self.login_at, self.seen_at,
                                marker.session_tag(key, real.id))
            return marker.set_cookie(self.facts.cookie_name, text, attributes)
        if self.marker_out == DELETE or (self.marker_out == SET and self.login_at is None):
            return marker.delete_cookie(self.facts.cookie_name, attributes)
        return None


#: The note left beside a record its user signed out of.
SIGNED_OUT = "signed_out"

COOKIE_SESSIONS = (
    "end_sessions() needs a session store: with beaker.session.type = cookie each session "
    "lives in its browser's cookie, out of the server's reach. Sign the current session "
    "out with logout(); to end the others, change beaker.session.validate_key (which ends "
    "every session) or use a server-side store.")
