"""Faults of the real things: a session store that goes down or hangs, an app that fails,
a client that hangs up in the middle of a body.

- **Redis down** (SIGKILL, then a restart on the same port with its data: append-only
  file) and **Redis hung** (SIGSTOP/SIGCONT, with ``socket_timeout=1`` in the URL), under
  waitress (one process, so one log line per outage is countable in its output).
- **memcached down**, in process (the test reaches into python-memcached's client).
  python-memcached answers "not found" for a server it cannot reach, so only the probe
  write tells an outage from a purged record; memcached loses its data when it restarts,
  so the session is then gone: the browser gets ``login_required`` (its activity
  cookie's clocks had not run out; its session cookie is dropped) once the probe sees the
  store working again. Until then it
  gets 503: python-memcached does not even try a server it found dead for
  ``dead_retry`` seconds (30 by default, and Beaker gives no way to change it), so a
  deployment answers 503 for up to 30 s after memcached is back.
- **Lost Redis replies** (connections reset in the middle of a command, by a proxy in
  front of Redis): one lost reply is at most a 503 for that request (or nothing at all,
  when the Redis client's own retry gets the answer), and a read that fails for good is
  a 503; never a sign-out, never a new session. (The middleware's Beaker session tells a
  record it cannot decode, replaced by a new session, from a store that fails to answer,
  which raises: Beaker's own ``invalidate_corrupt`` started a new session for both.)
- **Bodies that fail** under waitress and gunicorn (on the run's shared Redis): every
  body the app returned is closed exactly once (the app counts), and the session works
  on the next request with its data intact.

After a failure the middleware's breaker answers 503 without asking the store until a
probe is due (``store_probe_interval``, 1 s of the middleware's clock): the tests move
the clock by that much once the store is back.

Time is never waited for: the servers' clock is a FileClock (tests/clocks.py), the
in-process one a ManualClock. The waits here are bounded waits for servers, socket
timeouts and files.
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
from wsgi_session_timeout.testing import ManualClock, assert_login_required

from ..clocks import FileClock
from . import faults_support as fs
from . import support

#: A request to a hung Redis (socket_timeout=1 in its URL) answers well within this.
HANG_BOUND = 10.0
#: The middleware's store_probe_interval (its default).
PROBE_INTERVAL = 1
#: Blocks of the stream a hung-up client is sent; it reads four of them.
STREAM_CHUNKS = 4096


def assert_unavailable(reply, kind):
    """The answer to a request that needs the session while the store is down."""
    assert reply.status == 503, reply
    assert reply.headers["Retry-After"] == "5", reply
    assert reply.headers["Cache-Control"] == "no-store", reply
    assert not reply.headers.get_all("Set-Cookie"), reply  # nobody is signed out
    assert b"Traceback" not in reply.body and b"Error" not in reply.body, reply
    if kind == "navigation":
        assert reply.headers["Content-Type"].startswith("text/html"), reply
        assert reply.body.startswith(b"<!DOCTYPE html>") and len(reply.body) < 1000, reply
        assert b"unavailable" in reply.body, reply
    else:
        assert reply.headers["Content-Type"] == "application/problem+json", reply
        document = reply.json
        assert document["error"] == "store_unavailable", document
        assert document["status"] == 503 and document["retry_after"] == 5, document


class Dropper(fs.DroppingProxy):
    """A :class:`~tests.backends.faults_support.DroppingProxy` that can also drop every
    command until told to stop (a read that fails for good, the client's retries
    included)."""

    def __init__(self, target_port):
        self._always = False
        fs.DroppingProxy.__init__(self, target_port)

    def drop_all(self, on=True):
        with self._lock:
            self._always = on

    def _take(self):
        with self._lock:
            if self._always:
                self.dropped += 1
                return True
        return fs.DroppingProxy._take(self)


class Stack(object):
    """A Redis of the test's own and waitress serving the app on it, optionally through
    a :class:`Dropper`."""

    def __init__(self, request, server_dir, proxy=False):
        self.dir = tempfile.mkdtemp(prefix="faults-", dir=server_dir)
        self.redis = fs.RedisProcess(self.dir)
        support.serve(request, self.redis)
        url = self.redis.url
        self.proxy = None
        if proxy:
            self.proxy = Dropper(self.redis.port)
            request.addfinalizer(self.proxy.close)
            url = url.replace(":%d/" % self.redis.port, ":%d/" % self.proxy.port)
        self.clock = FileClock(os.path.join(self.dir, "clock"))
        self.web = support.fail_on_server_error(
            fs.waitress_server, self.dir, fs.served_env(url, self.dir, self.clock.path))
        support.serve(request, self.web)

    def probe_due(self):
        """Move the server's clock so that its breaker lets the next request probe."""
        self.clock.advance(PROBE_INTERVAL)

    def errors(self):
        return fs.log_lines(self.web, "ERROR")

    def warnings(self):
        return fs.log_lines(self.web, "WARNING")


@pytest.fixture
def stack(request, server_dir):
    return Stack(request, server_dir)


def signed_in_with(reply, **expected):
    assert reply.status == 200 and reply.signed_in, reply
    document = reply.json
    for key, value in dict(user="alice", **expected).items():
        assert document[key] == value, document
    return document


# -- the store down --------------------------------------------------------------------


def test_redis_down_is_a_503_not_a_sign_out_and_the_session_is_back_with_it(stack):
    browser = fs.Browser(stack.web.url)
    process = browser.sign_in().headers["X-Worker"].split("/")[0]
    assert browser.request("/put?apple").status == 200
    cookies = dict(browser.cookies)
    sid = browser.session_id()
    stack.redis.crash()

    assert_unavailable(browser.me(), "xhr")
    assert_unavailable(browser.me(headers=fs.NAV), "navigation")
    assert_unavailable(browser.request("/page", headers=fs.NAV), "navigation")
    assert_unavailable(browser.request("/page", headers=fs.XHR), "xhr")
    assert_unavailable(browser.request("/_session/status", headers=fs.XHR), "xhr")
    assert_unavailable(browser.request("/_session/extend", "POST", headers=dict(
        fs.XHR, **{"Sec-Fetch-Site": "same-origin"})), "xhr")
    assert_unavailable(browser.request("/login", "POST", headers=fs.XHR), "xhr")
    # What never needs the session still works: a page that does not touch it, and any
    # request without a session cookie (no store access at all).
    hello = browser.request("/hello")
    assert hello.status == 200 and hello.text == "hello", hello
    assert not hello.headers.get_all("Set-Cookie"), hello
    stranger = fs.Browser(stack.web.url)
    assert stranger.request("/page").text == "page /page user=None"
    anonymous = stranger.me()
    assert anonymous.status == 401 and anonymous.error == "login_required", anonymous
    assert browser.cookies == cookies

    errors = stack.errors()
    assert len(errors) == 1, errors  # one line for the outage, not one per request
    assert "session store unavailable" in errors[0] and "Connection refused" in errors[0], errors
    assert sid not in errors[0]
    assert stack.warnings() == []

    stack.redis.restart()  # same port, same data; the app is not restarted
    stack.probe_due()
    back = browser.me()
    signed_in_with(back, cart="apple")
    assert back.headers["X-Worker"].split("/")[0] == process, back
    assert browser.request("/page").text == "page /page user=alice"
    warnings = stack.warnings()
    assert len(warnings) == 1 and "available again" in warnings[0], warnings
    assert browser.cookies[fs.SESSION_KEY] == cookies[fs.SESSION_KEY]

    # The next outage is logged again, once.
    stack.redis.crash()
    for _ in range(3):
        assert_unavailable(browser.me(), "xhr")
    assert len(stack.errors()) == 2, stack.errors()


def test_a_hung_redis_is_a_503_within_the_socket_timeout_not_a_hang(stack):
    browser = fs.Browser(stack.web.url)
    browser.sign_in()
    browser.request("/put?pear")
    cookie = browser.cookie_header()
    stack.redis.pause()  # connections are accepted, nothing is answered

    started = time.monotonic()
    reply = browser.me(timeout=HANG_BOUND * 3)
    assert time.monotonic() - started < HANG_BOUND, reply
    assert_unavailable(reply, "xhr")
    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(
            lambda headers: browser.me(cookie=cookie, headers=headers,
                                       timeout=HANG_BOUND * 3),
            [fs.XHR, fs.NAV, fs.XHR, fs.NAV]))
    for answer, kind in zip(replies, ["xhr", "navigation"] * 2):
        assert answer.received - answer.sent < HANG_BOUND, answer
        assert_unavailable(answer, kind)
    assert fs.Browser(stack.web.url).request("/page").text == "page /page user=None"
    errors = stack.errors()
    assert len(errors) == 1 and "Timeout reading" in errors[0], errors

    stack.redis.resume()
    stack.probe_due()
    signed_in_with(browser.me(), cart="pear")
    warnings = stack.warnings()
    assert len(warnings) == 1 and "available again" in warnings[0], warnings


def test_one_lost_redis_reply_is_not_a_sign_out(request, server_dir):
    stack = Stack(request, server_dir, proxy=True)
    browser = fs.Browser(stack.web.url)
    browser.sign_in()
    browser.request("/put?apple")
    cookies = dict(browser.cookies)
    stack.proxy.drop_next()  # the next Redis command is lost with its connection

    reply = browser.me()
    assert stack.proxy.dropped == 1
    # One lost reply is an outage of one request at most: a 503, or the answer itself
    # when the Redis client's retry got it; never a new session.
    if reply.status == 503:
        assert_unavailable(reply, "xhr")
    else:
        signed_in_with(reply, cart="apple")
        assert not reply.headers.get_all("Set-Cookie"), reply
    assert browser.cookies == cookies, (reply, reply.set_cookies())
    stack.probe_due()
    signed_in_with(browser.me(), cart="apple")
    assert browser.cookies == cookies


def test_a_session_read_that_fails_for_good_is_a_503_not_a_new_session(request, server_dir):
    """Every Redis command lost, the client's retries included: the session cannot be
    read. A 503 (the store is unavailable), not a new session, and no sign-out: the
    session is back as it was with the next request that can read it."""
    stack = Stack(request, server_dir, proxy=True)
    browser = fs.Browser(stack.web.url)
    browser.sign_in()
    browser.request("/put?apple")
    cookies = dict(browser.cookies)
    stack.proxy.drop_all()
    try:
        assert_unavailable(browser.me(), "xhr")
        dropped = stack.proxy.dropped
        assert dropped >= 1
        assert_unavailable(browser.request("/page", headers=fs.NAV), "navigation")
        # The first failure opened the breaker: the second request never reached Redis.
        assert stack.proxy.dropped == dropped
    finally:
        stack.proxy.drop_all(False)
    assert browser.cookies == cookies
    stack.probe_due()
    errors = stack.errors()
    assert len(errors) == 1 and "session store unavailable" in errors[0], errors

    back = browser.me()
    signed_in_with(back, cart="apple")
    assert not back.headers.get_all("Set-Cookie"), back
    assert browser.cookies == cookies
    assert browser.request("/page").text == "page /page user=alice"


class Memcached(object):
    """A memcached of the test's own, restartable on the same port."""

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.server = servers.memcached_server(log_dir)
        self.port = self.server.port
        self.url = self.server.url

    def restart(self):
        self.server = servers.memcached_server(self.log_dir, port=self.port)
        self.server.start()

    def stop(self):
        self.server.stop()


@pytest.fixture
def memcached(request, server_dir):
    support.require("memcache")
    made = support.fail_on_server_error(Memcached, server_dir)

    def stop():
        support.close_beaker_clients()
        made.stop()
        if request.session.testsfailed:
            print(made.server.logs())
    request.addfinalizer(stop)
    support.fail_on_server_error(made.server.start)
    return made


def _retry_dead_memcached_servers():
    """Do what python-memcached does by itself ``dead_retry`` seconds after it found a
    server dead: try it again."""
    from beaker.ext.memcached import MemcachedNamespaceManager
    for client in MemcachedNamespaceManager.clients.dict.values():
        for host in client.servers:
            host.deaduntil = 0


def test_memcached_down_is_a_503_not_a_sign_out(memcached, caplog):
    clock = ManualClock()
    middleware = SessionTimeoutMiddleware(fs.inner_app, {
        "beaker.session.type": "ext:memcached", "beaker.session.url": memcached.url,
        "beaker.session.memcache_module": "memcache", "beaker.session.secret": fs.SECRET,
    }, clock=clock, idle_timeout=fs.IDLE, absolute_timeout=fs.ABSOLUTE,
        touch_interval=fs.TOUCH, protected_paths=["/api"])
    browser = TestApp(middleware, lint=True)
    browser.post("/login")
    browser.get("/put", params="apple")
    cookies = dict(browser.cookies)
    memcached.stop()
    caplog.set_level(logging.INFO, logger="wsgi_session_timeout")

    # python-memcached answers "not found" without an error; the activity cookie says
    # the session is alive, so the middleware probes, and the probe is not kept.
    xhr = browser.get("/api/me", headers=fs.XHR, status=503)
    assert xhr.json["error"] == "store_unavailable" and xhr.headers["Retry-After"] == "5"
    nav = browser.get("/api/me", headers=fs.NAV, status=503)
    assert nav.content_type == "text/html" and b"Traceback" not in nav.body
    browser.get("/page", headers=fs.NAV, status=503)
    for response in (xhr, nav):
        assert "Set-Cookie" not in response.headers, response
    assert browser.get("/hello").text == "hello"
    stranger = TestApp(middleware, lint=True)
    assert stranger.get("/page").text == "page /page user=None"
    assert dict(browser.cookies) == cookies
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1, errors
    assert "did not keep a probe value" in errors[0].getMessage()

    # memcached is back, empty (it keeps nothing across a restart)...
    memcached.restart()
    # ...but python-memcached does not try it before dead_retry (30 s) is over: still
    # a 503, still nobody signed out.
    browser.get("/api/me", headers=fs.XHR, status=503)
    assert dict(browser.cookies) == cookies
    _retry_dead_memcached_servers()
    clock.advance(PROBE_INTERVAL)
    # The probe is kept now, so the missing record is gone for good: sign in again (the
    # activity cookie's clocks had not run out), and the dead session cookie is dropped.
    expired = browser.get("/api/me", headers=fs.XHR, status=401)
    assert_login_required(expired, kind="xhr")
    assert fs.SESSION_KEY not in browser.cookies
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "available again" in warnings[0].getMessage(), warnings
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1
    browser.post("/login")
    me = browser.get("/api/me", headers=fs.XHR).json
    assert me["user"] == "alice" and me["cart"] is None, me


# -- bodies that fail ----------------------------------------------------------------------


@pytest.fixture(scope="module", params=["waitress", "gunicorn"])
def web(request, redis_server, server_dir):
    """waitress (threads) or gunicorn (two workers) on the run's Redis, db 3."""
    redis = support.require("redis")
    url = redis_server.url.rsplit("/", 1)[0] + "/3"
    client = redis.StrictRedis.from_url(url)
    client.flushdb()
    client.close()
    directory = tempfile.mkdtemp(prefix="bodies-", dir=server_dir)
    request.addfinalizer(lambda: shutil.rmtree(directory, ignore_errors=True))
    env = fs.served_env(url, directory, os.path.join(directory, "clock"))
    if request.param == "waitress":
        server = support.fail_on_server_error(fs.waitress_server, directory, env)
    else:
        server = support.fail_on_server_error(fs.gunicorn_server, directory, env, 2)
    support.serve(request, server)
    server.dir = directory
    return server


def _signed_in_with_a_cart(web):
    browser = fs.Browser(web.url)
    browser.sign_in()
    assert browser.request("/put?apple").status == 200
    return browser


def _name(request):
    return "%s-%s" % (request.node.name.split("[")[0][-20:], request.node.callspec.id)


def test_an_app_that_raises_leaves_the_session_as_it_was(web, request):
    browser = _signed_in_with_a_cart(web)
    cookies = dict(browser.cookies)
    reply = browser.request("/raise?name=%s" % _name(request), headers=fs.NAV)
    assert reply.status == 500, reply
    assert b"Traceback" not in reply.body and b"on purpose" not in reply.body, reply
    assert not reply.headers.get_all("Set-Cookie"), reply
    # The app's write before it failed was never saved; the session goes on.
    signed_in_with(browser.me(), cart="apple")
    assert browser.cookies == cookies
    assert web.process.poll() is None


def test_a_body_that_fails_halfway_is_closed_once_and_the_session_is_intact(web, request):
    browser = _signed_in_with_a_cart(web)
    name = _name(request)
    raw = fs.read_until_closed(web.url, "/fail-midway?name=%s" % name,
                               browser.cookie_header())
    assert raw.startswith(b"HTTP/1.1 200 "), raw[:300]
    assert len(raw) < 64 * fs.BLOCK, len(raw)  # cut short, not the whole body
    assert fs.wait_for_closes(web.dir, name) == [3]
    # What the app saved when it started its answer is kept, and nothing else changed.
    signed_in_with(browser.me(), cart="apple", streamed=name)


def test_a_client_that_hangs_up_mid_body_leaves_the_body_closed_once(web, request):
    browser = _signed_in_with_a_cart(web)
    name = _name(request)
    got = fs.read_part_and_hang_up(
        web.url, "/stream?name=%s&chunks=%d" % (name, STREAM_CHUNKS),
        browser.cookie_header(), 4 * fs.BLOCK)
    assert got.startswith(b"HTTP/1.1 200 ") and len(got) >= 4 * fs.BLOCK, got[:300]
    produced = fs.wait_for_closes(web.dir, name)
    assert len(produced) == 1, produced  # closed, once
    assert produced[0] < STREAM_CHUNKS, produced  # and the server stopped iterating
    signed_in_with(browser.me(), cart="apple", streamed=name)
    assert web.process.poll() is None
