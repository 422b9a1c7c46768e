"""A hung session store must not take the whole site down: the breaker under load, on a
real server (gunicorn, 3 sync workers), with real stores that hang or fail.

Each test signs 200 users in, measures a healthy mix of requests from 8 concurrent
clients, breaks the store (Redis hung with SIGSTOP, ``socket_timeout=1`` in its URL;
memcached hung with SIGSTOP; the file store's directory made unusable), waits until
every worker has logged the start of the outage (its breaker is open), measures the
same mix again, repairs the store, makes a probe due, and checks every user once:

- during the outage, public pages (with and without a session cookie) keep their
  healthy latency, within ``FACTOR`` (or ``FLOOR`` seconds); requests that need the
  session get their 503 within ``FAST`` seconds (median; ``SLOW`` for the 90th
  percentile), not after the store client's timeout;
- once the store answers, the first probe of each worker closes its breaker, and every
  signed-in user is still signed in with the cookies they had: not one 503 and not one
  sign-out;
- each worker logs one line when the outage starts and one when it ends.

The database store (SQLite through SQLAlchemy) is tested in process: its file made
unreadable, the statements it runs counted while the breaker is open (none).

The probe interval of the served middleware is long (``PROBE_INTERVAL``), so no probe
is due while the outage is measured: the test makes probes due by moving the servers'
clock (a FileClock, tests/clocks.py) by that interval, far less than the idle timeout.
Latency bounds
are generous factors; the waits are deadline loops on real servers' I/O and logs.
"""

import logging
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from webtest import TestApp

from bench import servers
from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.testing import ManualClock

from ..clocks import FileClock
from . import faults_support as fs
from . import support

WORKERS = 3
CLIENTS = 8
USERS = 200
#: The served middleware's store_probe_interval (seconds of its clock).
PROBE_INTERVAL = 120
#: Public pages during the outage: within this factor of healthy, or under FLOOR (a
#: tenth of the Redis client's timeout: a page that waited for the store is far above).
FACTOR = 5.0
FLOOR = 0.1
#: The median time to the 503 of a request that needs the session, once the breaker is
#: open (or twice the public pages' median during the outage, on a busy machine) ...
FAST = 0.05
#: ... and its 90th percentile: well under one store client timeout (1 s or 3 s).
SLOW = 0.5
#: How long the breakers may take to open (the first requests wait for the store
#: client's timeouts: up to three memcached timeouts of 3 s), and to close.
DEADLINE = 60.0
#: The measured mix: (kind, path, needs a cookie, headers), repeated.
MIX = (
    [("public", "/hello", False, fs.NAV)] * 2 +
    [("public+cookie", "/hello", True, fs.NAV)] * 2 +
    [("session", "/api/me", True, fs.XHR)] * 4
)
ROUNDS = 60  # 480 requests per measurement


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Site(object):
    """gunicorn serving tests.backends.faults_support:application on a store."""

    def __init__(self, request, directory, redis_url=None, beaker=None, env=None):
        self.dir = directory
        self.clock = FileClock(os.path.join(directory, "clock"))
        served = fs.served_env(redis_url, directory, self.clock.path, beaker,
                               store_probe_interval=PROBE_INTERVAL)
        served.update(env or {})
        self.web = support.fail_on_server_error(
            fs.gunicorn_server, directory, served, WORKERS)
        support.serve(request, self.web)
        self.url = self.web.url
        self.users = []

    def sign_in_users(self):
        def sign_in(number):
            browser = fs.Browser(self.url)
            browser.sign_in("u%d" % number)
            return browser.cookie_header()
        with ThreadPoolExecutor(CLIENTS) as pool:
            self.users = list(pool.map(sign_in, range(USERS)))

    def send(self, jobs):
        """``jobs``: (kind, path, cookie or None, headers); the replies, in order."""
        client = fs.Browser(self.url)

        def one(job):
            kind, path, cookie, headers = job
            return kind, client.request(path, headers=headers, cookie=cookie or "",
                                        timeout=DEADLINE)
        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(one, jobs))

    def mix(self):
        jobs = []
        for number in range(ROUNDS):
            for index, (kind, path, with_cookie, headers) in enumerate(MIX):
                cookie = self.users[(number * len(MIX) + index) % USERS] if with_cookie else None
                jobs.append((kind, path, cookie, headers))
        return jobs

    def measure(self):
        """The mix from CLIENTS clients: {kind: [replies]}."""
        replies = {}
        for kind, reply in self.send(self.mix()):
            replies.setdefault(kind, []).append(reply)
        return replies

    def errors(self):
        return fs.log_lines(self.web, "ERROR")

    def warnings(self):
        return fs.log_lines(self.web, "WARNING")

    def open_every_breaker(self):
        """Send requests that need the session until every worker logged the outage."""
        deadline = time.monotonic() + DEADLINE
        sent = []
        while len(self.errors()) < WORKERS:
            assert time.monotonic() < deadline, (self.errors(), sent[-5:])
            sent.extend(self.send([("session", "/api/me", self.users[i], fs.XHR)
                                   for i in range(CLIENTS)]))
        for _, reply in sent:
            assert reply.status == 503, reply
        return len(sent)

    def probe_and_check_everybody(self):
        """Make a probe due, then ask once for every user: all still signed in."""
        self.clock.advance(PROBE_INTERVAL)
        replies = self.send([("session", "/api/me", cookie, fs.XHR) for cookie in self.users])
        bad = [(i, r) for i, (_, r) in enumerate(replies)
               if r.status != 200 or not r.signed_in or r.json["user"] != "u%d" % i]
        assert not bad, bad[:5]
        assert not [r for _, r in replies if r.headers.get_all("Set-Cookie") and any(
            value == "" for value in r.set_cookies().values())]  # nobody's cookie dropped
        deadline = time.monotonic() + DEADLINE
        while len([w for w in self.warnings() if "available again" in w]) < WORKERS:
            assert time.monotonic() < deadline, self.warnings()
            more = self.send([("session", "/api/me", cookie, fs.XHR)
                              for cookie in self.users[:CLIENTS]])
            assert all(r.status == 200 for _, r in more), more
        return replies


def latency(replies):
    return [r.received - r.sent for r in replies]


def check_outage(site, healthy, store_name):
    """The measurements and assertions of one outage; the figures, printed."""
    for reply in healthy["public"] + healthy["public+cookie"]:
        assert reply.status == 200 and reply.text == "hello", reply
    for reply in healthy["session"]:
        assert reply.status == 200 and reply.signed_in, reply
    opening = site.open_every_breaker()
    errors = site.errors()
    hung = site.measure()
    figures = {}
    for kind in ("public", "public+cookie", "session"):
        before, during = latency(healthy[kind]), latency(hung[kind])
        figures[kind] = (percentile(before, 0.5), percentile(before, 0.9),
                         percentile(during, 0.5), percentile(during, 0.9))
    print("\n%s: %d requests to open the %d breakers; latency in ms "
          "(healthy p50/p90 -> outage p50/p90):" % (store_name, opening, WORKERS))
    for kind, values in sorted(figures.items()):
        print("  %-14s %6.1f /%6.1f -> %6.1f /%6.1f" % ((kind,) + tuple(
            1000 * v for v in values)))
    for reply in hung["public"] + hung["public+cookie"]:
        assert reply.status == 200 and reply.text == "hello", reply
        assert not reply.headers.get_all("Set-Cookie"), reply
    for reply in hung["session"]:
        assert reply.status == 503 and reply.headers["Retry-After"] == "5", reply
        assert reply.error == "store_unavailable", reply
        assert not reply.headers.get_all("Set-Cookie"), reply  # nobody is signed out
    for kind in ("public", "public+cookie"):
        healthy_p50, healthy_p90, p50, p90 = figures[kind]
        assert p50 <= max(FACTOR * healthy_p50, FLOOR), (kind, figures[kind])
        assert p90 <= max(FACTOR * healthy_p90, FLOOR), (kind, figures[kind])
    # No request that needs the session waited for the store (socket_timeout=1): its
    # 503 comes as fast as a public page.
    assert figures["session"][2] < max(FAST, 2 * figures["public"][2]), figures
    assert figures["session"][3] < SLOW, figures
    # The open breakers kept every request off the store: no new failure was logged.
    assert site.errors() == errors and len(errors) == WORKERS, errors
    return figures


# -- the stores -----------------------------------------------------------------------


@pytest.fixture
def directory(request, server_dir):
    path = tempfile.mkdtemp(prefix="breaker-", dir=server_dir)
    request.addfinalizer(lambda: shutil.rmtree(path, ignore_errors=True))
    return path


def test_a_hung_redis(request, directory):
    redis = fs.RedisProcess(directory)  # socket_timeout=1 in its URL
    support.serve(request, redis)
    site = Site(request, directory, redis_url=redis.url)
    site.sign_in_users()
    healthy = site.measure()
    redis.pause()
    try:
        check_outage(site, healthy, "redis (SIGSTOP)")
        assert all("Timeout" in line for line in site.errors()), site.errors()
    finally:
        redis.resume()
    site.probe_and_check_everybody()
    assert len(site.errors()) == WORKERS


class Memcached(fs.Pausable):
    """A memcached of the test's own, hung with SIGSTOP."""

    def __init__(self, log_dir):
        self.server = servers.memcached_server(log_dir)
        self.url = self.server.url
        self.paused = False

    def start(self):
        self.server.start()

    def stop(self):
        self.resume()
        self.server.stop()

    def logs(self):
        return self.server.logs()


def test_a_hung_memcached(request, directory):
    support.require("memcache")
    memcached = support.fail_on_server_error(Memcached, directory)
    support.serve(request, memcached)
    beaker = {"beaker.session.type": "ext:memcached", "beaker.session.url": memcached.url,
              "beaker.session.memcache_module": "memcache"}
    # python-memcached skips a server it found dead for dead_retry seconds (30 by
    # default): 0 here, so that only the breaker keeps requests off the hung server.
    site = Site(request, directory, beaker=beaker,
                env={"FAULTS_MEMCACHED_DEAD_RETRY": "0"})
    site.sign_in_users()
    healthy = site.measure()
    memcached.pause()
    try:
        check_outage(site, healthy, "memcached (SIGSTOP)")
        assert all("did not keep a probe value" in line for line in site.errors()), \
            site.errors()
    finally:
        memcached.resume()
    site.probe_and_check_everybody()
    assert len(site.errors()) == WORKERS


def test_an_unusable_file_store(request, directory):
    data_dir = os.path.join(directory, "sessions")
    os.mkdir(data_dir)
    beaker = {"beaker.session.type": "file", "beaker.session.data_dir": data_dir}
    site = Site(request, directory, beaker=beaker)
    site.sign_in_users()
    healthy = site.measure()
    os.rename(data_dir, data_dir + ".away")
    with open(data_dir, "w") as handle:
        handle.write("not a directory")
    try:
        check_outage(site, healthy, "file (data_dir unusable)")
    finally:
        os.remove(data_dir)
        os.rename(data_dir + ".away", data_dir)
    site.probe_and_check_everybody()
    assert len(site.errors()) == WORKERS


def test_a_failing_database_store_is_not_asked_while_the_breaker_is_open(tmp_dir, caplog):
    """ext:database (SQLite through SQLAlchemy), in process: the file's header
    overwritten (every statement fails), then put back. The store's own count of the
    statements it ran shows the breaker keeping requests off it."""
    store = support.SqliteStore(os.path.join(tmp_dir, "sessions.sqlite"))
    try:
        clock = ManualClock()
        app = TestApp(SessionTimeoutMiddleware(
            fs.inner_app, store.config, clock=clock, idle_timeout=fs.IDLE,
            protected_paths=["/api"]), lint=True)
        app.post("/login")
        app.get("/put", params="apple")
        cookies = dict(app.cookies)
        caplog.set_level(logging.INFO, logger="wsgi_session_timeout")
        path = os.path.join(tmp_dir, "sessions.sqlite")
        with open(path, "rb") as handle:
            good = handle.read()
        with open(path, "r+b") as handle:
            handle.write(b"not a database!!" * 8)
        app.get("/api/me", headers=fs.XHR, status=503)  # fails, opens the breaker
        with store.watch() as access:
            for headers in (fs.XHR, fs.NAV):
                app.get("/api/me", headers=headers, status=503)
                app.get("/page", headers=headers, status=503)
            assert app.get("/hello").text == "hello"
            TestApp(app.app, lint=True).post("/login", headers=fs.XHR, status=503)
        assert (access.reads, access.writes) == (0, 0), access
        with open(path, "wb") as handle:
            handle.write(good)
        clock.advance(1)  # a probe is due
        assert app.get("/api/me", headers=fs.XHR).json["cart"] == "apple"
        assert dict(app.cookies) == cookies
        # The breaker's own lines (the audit logger below it has the outage's events).
        messages = [r.getMessage() for r in caplog.records if r.name == "wsgi_session_timeout"]
        assert len(messages) == 2, messages
        assert "session store unavailable" in messages[0] and "not a database" in messages[0]
        assert "available again" in messages[1]
    finally:
        store.close()
