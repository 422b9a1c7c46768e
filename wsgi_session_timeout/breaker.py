"""A hung or failing session store must not take the whole site down.

:class:`Breaker` is a per-process circuit breaker in front of the session store. It
opens on the first failure: from then on, requests that need the store are answered as
in an outage (``503`` with ``Retry-After``) at once, instead of each tying up a worker
for the store client's whole timeout. One request at a time, at most once per
``probe_interval`` seconds, is let through to the store as a probe; the first probe the
store answers closes the breaker. Nothing about anybody's sign-in changes while it is
open. It logs one line when an outage starts (with its cause, without session ids) and
one when it ends (with its duration).

:func:`store_wait` and :func:`startup_warning` read the Beaker store settings and tell
how long one store call may wait when the store hangs, so that a deployment whose store
client waits (or retries) for longer than a few seconds is warned at start-up: until
the first failure opens the breaker, every request in flight waits that long.
"""

import logging
import re
import threading

from ._compat import monotonic, parse_qsl, urlsplit

log = logging.getLogger("wsgi_session_timeout")

#: Seconds between probes of a failing store, unless ``store_probe_interval`` says.
DEFAULT_PROBE_INTERVAL = 1.0
#: A probe that has not reported after this many seconds (its request died without
#: saying how the store answered) no longer stops another one.
PROBE_LEASE = 60.0
#: A store call that may wait longer than this many seconds is warned about at start-up.
WAIT_LIMIT = 5.0

try:
    _ident = threading.get_ident
except AttributeError:  # pragma: no cover (Python 2.7)
    import thread as _thread
    _ident = _thread.get_ident


class Breaker(object):
    """A thread-safe circuit breaker for one process's session store.

    :param probe_interval: seconds between two probes of a failing store (and after the
        failure that opened the breaker). Default ``1.0``; ``0`` probes with every
        request that needs the store, one at a time.
    :param clock: a callable returning seconds that never go back. Default: a monotonic
        clock (``time.monotonic`` on Python 3).
    :param notify: a callable told ``(kind, reason)`` when an outage starts
        (``"store_down"``, the cause) and ends (``"store_up"``, its duration), beside
        the log lines; what it raises is logged, never raised. Default ``None``.

    Use it around every request's first store access:

    .. code-block:: python

        if not breaker.allow():
            answer_503()                # open: the store is not asked at all
        try:
            read_the_session()
        except StoreFailure as exc:
            breaker.failed(exc)         # opens it (logs once), or a probe failed
            answer_503()
        else:
            breaker.succeeded()         # closes it (logs once) when it was open

    The thread that :meth:`allow` chose as the probe is the only one whose outcome
    counts while the breaker is open: a late failure of a request that started before
    the breaker opened does not put the next probe off.
    """

    def __init__(self, probe_interval=DEFAULT_PROBE_INTERVAL, clock=monotonic, notify=None):
        self.probe_interval = float(probe_interval)
        self.clock = clock
        self.notify = notify
        self._lock = threading.Lock()
        #: The clock time of the failure that opened it; ``None`` while closed. A plain
        #: attribute, so the healthy path of a request reads it without a call.
        self.opened_at = None
        self._next_probe = None  # no probe before this clock time
        self._probe = None  # (thread ident, clock time) of the probe in flight

    @property
    def is_open(self):
        """True while the store is known to be failing."""
        return self.opened_at is not None

    def allow(self):
        """May this request use the store? True when the breaker is closed; when it is
        open, True for one request (it becomes the probe, and must report with
        :meth:`succeeded` or :meth:`failed`) when a probe is due and none is in flight."""
        if self.opened_at is None:  # the healthy path takes no lock
            return True
        with self._lock:
            if self.opened_at is None:
                return True
            now = self.clock()
            if self._probe is not None and now - self._probe[1] < PROBE_LEASE:
                return False
            if now < self._next_probe:
                return False
            self._probe = (_ident(), now)
            return True

    def admits(self):
        """True when this thread may use the store now: the breaker is closed, or this
        thread is the probe. Unlike :meth:`allow`, it never starts a probe."""
        if self.opened_at is None:
            return True
        probe = self._probe
        return probe is not None and probe[0] == _ident()

    def succeeded(self):
        """The store answered: close the breaker (logging the outage's duration)."""
        if self.opened_at is None:
            return
        with self._lock:
            if self.opened_at is None:
                return
            duration = self.clock() - self.opened_at
            self.opened_at = self._next_probe = self._probe = None
        log.warning("session store available again after %.1f s", duration)
        self._tell("store_up", "%.1f s" % duration)

    def failed(self, exc):
        """The store failed (``exc`` says how): open the breaker (logging the cause), or,
        from the probe, keep it open and restart the interval. From another request
        while it is open: nothing (that request started before the breaker opened, or
        was answered without the store)."""
        with self._lock:
            now = self.clock()
            if self.opened_at is None:
                self.opened_at = now
                opened = True
            elif self._probe is not None and self._probe[0] == _ident():
                opened = False
            else:
                return
            self._next_probe = now + self.probe_interval
            self._probe = None
        if opened:
            cause = "%s: %s" % (exc.__class__.__name__, describe(exc))
            log.error("session store unavailable (answering 503 until it is back; probing "
                      "it every %g s): %s", self.probe_interval, cause)
            self._tell("store_down", cause)

    def _tell(self, kind, reason):
        if self.notify is None:
            return
        try:
            self.notify(kind, reason)
        except Exception:
            log.exception("telling %r that the store is %s failed", self.notify, kind)


def describe(exc):
    """The cause of a store failure, without session ids (they are credentials)."""
    cause = exc.args[0] if exc.args else exc
    text = "%s" % (cause,)
    return re.sub(r"[0-9a-fA-F]{32,}", "<id>", text)


# -- the start-up check of the store client's timeouts ---------------------------------

#: python-memcached's socket timeout (``memcache._SOCKET_TIMEOUT``), which Beaker's
#: ext:memcached gives no way to change; python-binary-memcached's is the same.
MEMCACHED_SOCKET_TIMEOUT = 3.0
#: SQLAlchemy's default wait for a free pooled connection.
SQLALCHEMY_POOL_TIMEOUT = 30.0
#: The sqlite3 module's default wait for a locked database.
SQLITE_TIMEOUT = 5.0


class Wait(object):
    """How long one store call may wait on a hung store.

    :ivar seconds: the bound, or ``None`` when nothing bounds it.
    :ivar setting: what sets it (for the warning).
    :ivar fix: what to change to bound it.
    """

    def __init__(self, seconds, setting, fix):
        self.seconds = seconds
        self.setting = setting
        self.fix = fix

    def __repr__(self):
        return "<Wait %r %r>" % (self.seconds, self.setting)


def _query(url):
    """The query of a store URL as a dict with lower-case keys (last value wins)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return {}
    return dict((key.lower(), value) for key, value in parse_qsl(query, keep_blank_values=True))


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _true(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on", "y")


def _redis_wait(options):
    """redis-py's timeouts and retries: from the query of beaker.session.url, or from a
    redis-py client object given as ``url`` (Beaker takes one)."""
    client = options.get("url")
    given_a_client = hasattr(client, "connection_pool")
    if given_a_client:
        settings = getattr(client.connection_pool, "connection_kwargs", {})
        where = "the redis client given as beaker.session.url"
        fix = ("build the client with socket_timeout=1, socket_connect_timeout=1 and "
               "retry=Retry(NoBackoff(), 0)")
    else:
        settings = _query(str(client or options.get("urls") or "").split(",")[0].strip())
        where = "beaker.session.url"
        fix = ("add socket_timeout=1&socket_connect_timeout=1 to beaker.session.url "
               "(redis://host:6379/0?socket_timeout=1&socket_connect_timeout=1)")
    read = _number(settings.get("socket_timeout"))
    if read is None:
        return Wait(None, "%s has no socket_timeout: redis-py waits for a hung Redis "
                    "forever" % where, fix)
    # redis-py connects with socket_timeout when socket_connect_timeout is not given.
    connect = _number(settings.get("socket_connect_timeout")) or read
    setting = "%s: socket_timeout=%g, socket_connect_timeout=%g" % (where, read, connect)
    if given_a_client:
        retries, backoff = _redis_client_retries(settings)
        return Wait((retries + 1) * (connect + read) + backoff, setting + ", %d retries "
                    "with up to %g s of back-off" % (retries, backoff), fix)
    if _true(settings.get("retry_on_timeout", "")):
        return Wait(2 * (connect + read), setting + ", retry_on_timeout (the wait counts "
                    "twice)", "lower socket_timeout and socket_connect_timeout, or drop "
                    "retry_on_timeout")
    return Wait(connect + read, setting, "lower socket_timeout and socket_connect_timeout "
                "in beaker.session.url")


def _redis_client_retries(kwargs):
    """(retries, seconds of back-off) of a redis-py client's ``connection_kwargs``.
    redis-py 6 and later retry three times with back-off by default when a client is
    built directly (``from_url`` does not)."""
    retry = kwargs.get("retry")
    if retry is None:
        return (1 if kwargs.get("retry_on_timeout") else 0), 0.0
    retries = int(getattr(retry, "_retries", 0) or 0)
    cap = _number(getattr(getattr(retry, "_backoff", None), "_cap", None))
    base = _number(getattr(getattr(retry, "_backoff", None), "_base", None))
    backoff = 0.0
    for failures in range(1, retries + 1):
        backoff += min(cap, base * 2 ** failures) if cap and base else (cap or 0)
    return retries, backoff


def _memcached_wait(options):
    return Wait(MEMCACHED_SOCKET_TIMEOUT, "the memcached client's socket timeout (%g s, "
                "fixed)" % MEMCACHED_SOCKET_TIMEOUT, "none needed")


def _database_wait(options):
    url = str(options.get("url") or options.get("sa.url") or "")
    scheme = url.split(":", 1)[0].lower()
    query = _query(url)
    pool = _number(options.get("sa.pool_timeout"))
    if pool is not None and pool > WAIT_LIMIT:
        return Wait(pool, "beaker.session.sa.pool_timeout=%g: a request waits that long "
                    "for a pooled connection when all of them are stuck" % pool,
                    "lower beaker.session.sa.pool_timeout")
    if scheme.startswith("sqlite"):
        seconds = _number(query.get("timeout")) or SQLITE_TIMEOUT
        return Wait(seconds, "beaker.session.url: timeout=%g (SQLite's wait for a lock)"
                    % seconds, "lower timeout in beaker.session.url")
    if scheme.startswith("mysql") or scheme.startswith("mariadb"):
        connect = _number(query.get("connect_timeout"))
        read = _number(query.get("read_timeout"))
        fix = "add connect_timeout=2&read_timeout=2&write_timeout=2 to beaker.session.url"
        if connect is None or read is None:
            return Wait(None, "beaker.session.url has no %s: the driver waits for a hung "
                        "server without bound" % " and ".join(
                            name for name, value in (("connect_timeout", connect),
                                                     ("read_timeout", read))
                            if value is None), fix)
        write = _number(query.get("write_timeout")) or 0
        return Wait(connect + read + write, "beaker.session.url: connect_timeout=%g, "
                    "read_timeout=%g" % (connect, read), fix)
    if scheme.startswith("postgres"):
        connect = _number(query.get("connect_timeout"))
        if connect is None:
            return Wait(None, "beaker.session.url has no connect_timeout: libpq waits for "
                        "an unreachable server without bound",
                        "add connect_timeout=2 to beaker.session.url")
        return Wait(connect, "beaker.session.url: connect_timeout=%g" % connect,
                    "lower connect_timeout in beaker.session.url")
    return Wait(None, "beaker.session.url (%s): no known timeout setting for this "
                "database driver" % (scheme or "no URL"),
                "give the driver connect and read timeouts of a few seconds")


#: Backend type -> how long one call to it may wait. Types not named (memory, file,
#: dbm, cookie) have no network and no setting to check.
_WAITS = (
    ("ext:redis", _redis_wait),
    ("ext:rediscluster", _redis_wait),
    ("ext:memcached", _memcached_wait),
    ("ext:database", _database_wait),
    ("ext:sqla", _database_wait),
)


def store_wait(options):
    """How long one call to the store Beaker's ``options`` configure (``type``, ``url``
    and the rest, without the ``beaker.session.`` prefix) may wait when the store hangs:
    a :class:`Wait`, or ``None`` for a store without a network (memory, file, cookie)."""
    kind = str(options.get("type") or "").strip().lower()
    for name, judge in _WAITS:
        if kind == name:
            return judge(options)
    return None


def startup_warning(options, limit=WAIT_LIMIT):
    """The warning for a store client that may keep a request waiting longer than
    ``limit`` seconds on a hung store, or ``None``."""
    if not options:
        return None
    wait = store_wait(options)
    if wait is None or (wait.seconds is not None and wait.seconds <= limit):
        return None
    if wait.seconds is None:
        how_long = "without bound"
    else:
        how_long = "up to %g s" % wait.seconds
    return ("the session store client may wait %s on a hung store (%s); until its first "
            "failure opens the breaker, every request that needs the session waits that "
            "long: %s" % (how_long, wait.setting, wait.fix))
