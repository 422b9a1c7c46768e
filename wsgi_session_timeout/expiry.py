"""The clock maths: pure functions of stored timestamps, the timeouts and ``now``.

Nothing here touches WSGI or Beaker. Timestamps are wall-clock seconds since the epoch
(they are stored in the session, so they must mean the same in every process).
"""

from collections import namedtuple

from .protocol import REPLACED, REVOKED  # noqa: F401 (reasons of an ended session)

ACTIVE = "active"
EXPIRED = "expired"
ANONYMOUS = "anonymous"

IDLE = "idle"
ABSOLUTE = "absolute"

SESSION_EXPIRED = "session_expired"
LOGIN_REQUIRED = "login_required"


class Verdict(namedtuple("Verdict", "state reason idle_expires_in absolute_expires_in")):
    """What the clocks say about one session at one instant.

    ``state`` is :data:`ACTIVE`, :data:`EXPIRED` or :data:`ANONYMOUS`; ``reason`` is
    :data:`IDLE` or :data:`ABSOLUTE` for an expired session, else ``None``. The two
    ``*_expires_in`` are seconds left on each clock, ``None`` where that clock is off
    or the session is not active.
    """

    __slots__ = ()

    @property
    def signed_in(self):
        """True for a session that is signed in and within both timeouts."""
        return self.state == ACTIVE

    @property
    def expires_in(self):
        """Seconds until the earlier of the two deadlines, ``None`` if neither applies."""
        idle, absolute = self[2], self[3]
        if idle is None or (absolute is not None and absolute < idle):
            return absolute
        return idle

    @property
    def error(self):
        """The ``error`` code a client is told: why it has no signed-in session."""
        return SESSION_EXPIRED if self.state == EXPIRED else LOGIN_REQUIRED


ANONYMOUS_VERDICT = Verdict(ANONYMOUS, None, None, None)
_EXPIRED_ABSOLUTE = Verdict(EXPIRED, ABSOLUTE, None, None)
_EXPIRED_IDLE = Verdict(EXPIRED, IDLE, None, None)


def judge(login_at, seen_at, now, idle_timeout, absolute_timeout):
    """The verdict for a signed-in session that started at ``login_at`` and was last
    active at ``seen_at``.

    A session is expired from the instant a deadline is reached. A timestamp that is not
    a finite number fails closed (the session is expired). One that lies in the future (a
    host whose clock runs ahead) is read as ``now``, so skew can never add more than
    itself to a session.
    """
    # Every request of a signed-in session comes here: plain numbers (what the middleware
    # stores) are judged with operators only; anything else goes through _finite first.
    # (11 calls fewer than min/max/_finite, a sixth of the middleware's own calls on a
    # signed-in read.)
    if login_at.__class__ not in _PLAIN or login_at - login_at:  # not finite: nan, inf
        login_at = _finite(login_at)
        if login_at is None:
            return _EXPIRED_ABSOLUTE
    if seen_at.__class__ not in _PLAIN or seen_at - seen_at:
        seen_at = _finite(seen_at)
        if seen_at is None:
            return _EXPIRED_IDLE
    if login_at > now:
        login_at = now
    if seen_at < login_at:
        seen_at = login_at
    if seen_at > now:
        seen_at = now
    absolute_left = idle_left = None
    if absolute_timeout is not None:
        absolute_left = login_at + absolute_timeout - now
        if absolute_left <= 0:
            return _EXPIRED_ABSOLUTE
        absolute_left = int(absolute_left)
    if idle_timeout is not None:
        idle_left = seen_at + idle_timeout - now
        if idle_left <= 0:
            return _EXPIRED_IDLE
        idle_left = int(idle_left)
    # Whole seconds left, rounded down (both are positive here): a client never
    # believes in time it lacks.
    return _new_verdict(Verdict, (ACTIVE, None, idle_left, absolute_left))


_PLAIN = frozenset([int, float])
_new_verdict = tuple.__new__  # one call, where Verdict(...) makes two


def judge_lost(login_at, now, absolute_timeout):
    """The verdict for a browser that was signed in at ``login_at`` but whose session is
    gone (expired and purged by the store, or cleared by the store's own timeout)."""
    login_at = _finite(login_at)
    if absolute_timeout is not None and (login_at is None or now - login_at >= absolute_timeout):
        return Verdict(EXPIRED, ABSOLUTE, None, None)
    return Verdict(EXPIRED, IDLE, None, None)


def ended(reason):
    """The verdict for a session whose record was ended for ``reason``: on purpose
    before its clocks ran out (:data:`REVOKED`, :data:`REPLACED`), or by the request
    that found it expired (:data:`IDLE`, :data:`ABSOLUTE`)."""
    return Verdict(EXPIRED, reason, None, None)


def own_timeout(value, default, ceiling):
    """The timeout a session's clock runs on: its own ``value`` held to ``ceiling``
    (``None``: no ceiling), or ``default`` when it has none (``None`` or not a whole
    number of seconds, 1 or more)."""
    value = _finite(value)
    if value is None or value < 1:
        return default
    value = int(value)
    return value if ceiling is None else min(value, ceiling)


def needs_touch(seen_at, now, touch_interval):
    """True when activity at ``now`` should be recorded for a session last recorded at
    ``seen_at``: at most one write per ``touch_interval`` seconds."""
    if seen_at.__class__ not in _PLAIN or seen_at - seen_at:  # as in judge()
        seen_at = _finite(seen_at)
        if seen_at is None:
            return True
    return not now - seen_at < touch_interval


def _finite(value):
    """``value`` as a float, or ``None`` when it is not a finite number."""
    if isinstance(value, bool):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value
