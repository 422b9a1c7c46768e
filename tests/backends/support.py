"""The real session stores of the backend matrix, seen from outside Beaker (Python 3 only).

Each :class:`Store` gives the Beaker settings of one backend and looks at the store
with the store's own tools, never through Beaker:

- ``watch()``: how many times a block of code read and wrote the store, counted the way
  that store can count: Redis ``INFO commandstats``, memcached ``stats``, SQLite the
  statements its engine ran, files their access and modification times;
- ``record(session_id)``: the session's data as stored, or ``None``;
- ``purge(session_id)``: delete the record, as the store's own expiry (or a cron job)
  would;
- ``ttl(session_id)``: the store's own expiry of the record, where it has one.
"""

import base64
import os
import pickle

import pytest

from bench import servers
from wsgi_session_timeout.testing import assert_signed_in, request_headers

SECRET = "backend-matrix-secret-0123456789"
SESSION_KEY = "beaker.session.id"
#: The timeouts the matrix's middlewares run with (seconds), and a script's headers.
IDLE = 600
ABSOLUTE = 3600
TOUCH = 60
XHR = request_headers("xhr")


def fail_on_server_error(callable_, *args):
    """Run ``callable_``; a server that is missing or does not start fails the test."""
    try:
        return callable_(*args)
    except servers.ServerError as exc:
        pytest.fail(str(exc), pytrace=False)


def stop_at_end(request, server):
    """Stop ``server`` when ``request``'s scope ends; print its logs if a test failed."""
    def stop():
        server.stop()
        if request.session.testsfailed:
            print(server.logs())
    request.addfinalizer(stop)


def serve(request, server):
    """Start ``server`` (a failure to start fails the test) until ``request``'s scope
    ends (:func:`stop_at_end`)."""
    stop_at_end(request, server)
    fail_on_server_error(server.start)
    return server


def redis_db(request, redis_server, db):
    """A client of database ``db`` of ``redis_server``, emptied, closed at the end:
    ``(url, client)``."""
    redis = require("redis")
    url = redis_server.url.rsplit("/", 1)[0] + "/%d" % db
    client = redis.StrictRedis.from_url(url)
    request.addfinalizer(client.close)
    client.flushdb()
    return url, client


def require(module):
    """Import ``module`` or fail, saying how to install it (never a skip)."""
    try:
        return __import__(module)
    except ImportError as exc:
        pytest.fail("cannot import %s (%s): %s" % (module, exc, servers.VENV_HINT),
                    pytrace=False)


def session_id(cookie_value):
    """The session id in Beaker's signed cookie (40 hex digits of HMAC-SHA1, then the id)."""
    return cookie_value.strip('"')[40:]


def sign_in(browser, query=""):
    """Sign in through the app's ``/login`` (``query``: ``?remember``, say); the new
    session id."""
    response = browser.post("/login" + query)
    assert_signed_in(response, expires_in=IDLE)
    return session_id(browser.cookies[SESSION_KEY])


def decode(stored):
    """Beaker's stored form of a session (base64 of a pickle) as a dict."""
    if stored is None:
        return None
    return pickle.loads(base64.b64decode(stored))


class Access(object):
    """Reads and writes seen by :meth:`Store.watch`; ``reads`` is ``None`` where the
    store cannot tell (a file system mounted ``noatime``)."""

    reads = writes = 0

    def __repr__(self):
        return "<Access reads=%r writes=%r>" % (self.reads, self.writes)


class _Watch(object):
    def __init__(self, store):
        self.store = store
        self.access = Access()

    def __enter__(self):
        self.before = self.store._snapshot(start=True)
        return self.access

    def __exit__(self, *exc_info):
        self.access.reads, self.access.writes = self.store._difference(
            self.before, self.store._snapshot(start=False))


class Store(object):
    """One backend. Subclasses fill in the store's own tools."""

    name = None

    def __init__(self, options):
        #: the ``beaker.session.*`` settings for the middleware
        self.config = dict(("beaker.session.%s" % k, v) for k, v in options.items())
        self.config["beaker.session.secret"] = SECRET

    def watch(self):
        """``with store.watch() as access:`` counts the store's reads and writes."""
        return _Watch(self)

    def record(self, sid):
        raise NotImplementedError

    def purge(self, sid):
        raise NotImplementedError

    def ttl(self, sid):
        """Seconds until the store drops the record; ``None``: never, or no record."""
        return None

    def close(self):
        pass

    def __repr__(self):
        return "<%s>" % self.name


class RedisStore(Store):
    """``ext:redis`` on the test's own redis-server."""

    name = "redis"
    READS = ("get", "exists", "mget", "keys", "scan", "ttl", "pttl")
    WRITES = ("set", "setex", "psetex", "del", "unlink", "expire", "pexpire", "getdel")

    def __init__(self, url):
        redis = require("redis")
        Store.__init__(self, {"type": "ext:redis", "url": url})
        self.client = redis.StrictRedis.from_url(url)
        self.client.flushall()

    def _key(self, sid):
        return "beaker_cache:%s:session" % sid

    def _snapshot(self, start):
        stats = self.client.info("commandstats")
        calls = dict((name[len("cmdstat_"):], value["calls"]) for name, value in stats.items())
        return (sum(calls.get(c, 0) for c in self.READS),
                sum(calls.get(c, 0) for c in self.WRITES))

    def _difference(self, before, after):
        # INFO itself is not counted in either group.
        return after[0] - before[0], after[1] - before[1]

    def record(self, sid):
        stored = self.client.get(self._key(sid))
        # Beaker's ext:redis pickles what Beaker's Session gives it (itself a pickle).
        return decode(pickle.loads(stored)) if stored is not None else None

    def purge(self, sid):
        assert self.client.delete(self._key(sid)) == 1, "no record to purge for %s" % sid

    def ttl(self, sid):
        left = self.client.ttl(self._key(sid))
        return left if left >= 0 else None

    def close(self):
        self.client.close()


class MemcachedStore(Store):
    """``ext:memcached`` through python-memcached on the test's own memcached."""

    name = "memcached"

    def __init__(self, url):
        memcache = require("memcache")
        Store.__init__(self, {"type": "ext:memcached", "url": url,
                              "memcache_module": "memcache"})
        self.client = memcache.Client([url])
        self.client.flush_all()

    def _key(self, sid):
        return "%s_session" % sid

    def _snapshot(self, start):
        stats = self.client.get_stats()
        if not stats:
            raise AssertionError("memcached answered no stats")
        values = stats[0][1]

        def number(name):
            value = values.get(name.encode("ascii"), values.get(name, 0))
            return int(value)
        return (number("cmd_get"),
                number("cmd_set") + number("delete_hits") + number("delete_misses") +
                number("cmd_touch"))

    def _difference(self, before, after):
        return after[0] - before[0], after[1] - before[1]

    def record(self, sid):
        return decode(self.client.get(self._key(sid)))

    def purge(self, sid):
        assert self.client.delete(self._key(sid)), "no record to purge for %s" % sid

    def close(self):
        self.client.disconnect_all()


class FileStore(Store):
    """``file``: one pickle per session under ``data_dir/container_file``. Reads are
    seen from access times (all set back before the block; the kernel's ``relatime``
    moves them on the next read), writes from names, sizes and modification times."""

    name = "file"

    def __init__(self, data_dir):
        Store.__init__(self, {"type": "file", "data_dir": data_dir})
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        self.atime_works = _atime_works(data_dir)

    def _files(self):
        found = {}
        for root, _, names in os.walk(self.data_dir):
            for name in names:
                path = os.path.join(root, name)
                found[path] = os.stat(path)
        return found

    def _snapshot(self, start):
        files = self._files()
        for path, st in files.items() if start else ():
            # An access time older than the modification time: the next read moves it.
            os.utime(path, ns=(st.st_mtime_ns - 10 ** 9, st.st_mtime_ns))
        return dict((path, (st.st_mtime_ns, st.st_size)) for path, st in files.items())

    def _difference(self, before, after):
        files = self._files()
        writes = sum(1 for path in set(before) | set(after) if before.get(path) != after.get(path))
        if not self.atime_works:
            return None, writes
        reads = sum(1 for path, st in files.items()
                    if path in before and st.st_atime_ns >= st.st_mtime_ns)
        return reads, writes

    def _path(self, sid):
        return os.path.join(self.data_dir, "container_file", sid[0], sid[:2], sid + ".cache")

    def record(self, sid):
        try:
            with open(self._path(sid), "rb") as handle:
                stored = pickle.load(handle)
        except FileNotFoundError:
            return None
        return decode(stored.get("session"))

    def purge(self, sid):
        os.remove(self._path(sid))


def _atime_works(directory):
    """True when reading a file there moves its access time (not mounted noatime)."""
    path = os.path.join(directory, ".atime-probe")
    with open(path, "wb") as handle:
        handle.write(b"x")
    st = os.stat(path)
    os.utime(path, ns=(st.st_mtime_ns - 10 ** 9, st.st_mtime_ns))
    with open(path, "rb") as handle:
        handle.read()
    works = os.stat(path).st_atime_ns >= st.st_mtime_ns
    os.remove(path)
    return works


class SqliteStore(Store):
    """``ext:database`` on an SQLite file through SQLAlchemy. Accesses are the SQL
    statements the engine ran: ``SELECT`` reads, ``INSERT``/``UPDATE``/``DELETE`` writes
    (the engine is Beaker's own, handed to it through ``DatabaseNamespaceManager.binds``
    so that a listener can count them)."""

    name = "sqlite"

    def __init__(self, path):
        sa = require("sqlalchemy")
        from beaker.ext.database import DatabaseNamespaceManager
        url = "sqlite:///%s" % path
        Store.__init__(self, {"type": "ext:database", "url": url})
        self.url = url
        self.counts = {"reads": 0, "writes": 0}
        self.engine = sa.create_engine(url)
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        self.binds = DatabaseNamespaceManager.binds
        self.tables = DatabaseNamespaceManager.tables
        self.binds.get(url, lambda: self.engine)
        self.sa = sa

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        verb = statement.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            self.counts["writes"] += 1
        else:
            self.counts["reads"] += 1

    def _snapshot(self, start):
        return dict(self.counts)

    def _difference(self, before, after):
        return after["reads"] - before["reads"], after["writes"] - before["writes"]

    def _query(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(self.sa.text(sql), params).fetchall()

    def _quiet(self, action):
        # The test's own queries are not the middleware's.
        saved = dict(self.counts)
        try:
            return action()
        finally:
            self.counts.update(saved)

    def record(self, sid):
        def read():
            if not self._query("SELECT name FROM sqlite_master WHERE name = 'beaker_cache'"):
                return None
            rows = self._query("SELECT data FROM beaker_cache WHERE namespace = :id", id=sid)
            return rows and pickle.loads(rows[0][0])
        data = self._quiet(read)
        return decode(data.get("session")) if data else None

    def purge(self, sid):
        def delete():
            with self.engine.begin() as conn:
                result = conn.execute(self.sa.text(
                    "DELETE FROM beaker_cache WHERE namespace = :id"), {"id": sid})
            assert result.rowcount == 1, "no record to purge for %s" % sid
        self._quiet(delete)

    def rows(self):
        return self._quiet(lambda: self._query("SELECT count(*) FROM beaker_cache")[0][0])

    def close(self):
        self.binds.dict.pop(self.url, None)
        for key in [k for k in self.tables.dict if k.startswith(self.url)]:
            self.tables.dict.pop(key, None)
        self.engine.dispose()


def close_beaker_clients():
    """Close the connections Beaker's redis and memcached backends keep in class-level
    caches, so no socket is left for the garbage collector (a ResourceWarning)."""
    try:
        from beaker.ext.redisnm import RedisNamespaceManager
    except ImportError:  # pragma: no cover
        RedisNamespaceManager = None
    if RedisNamespaceManager is not None:
        for client in list(RedisNamespaceManager.clients.dict.values()):
            client.close()
        RedisNamespaceManager.clients.dict.clear()
    from beaker.ext.memcached import MemcachedNamespaceManager
    for client in list(MemcachedNamespaceManager.clients.dict.values()):
        client.disconnect_all()
    MemcachedNamespaceManager.clients.dict.clear()

