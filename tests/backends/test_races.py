"""Races with real concurrency against a real server: gunicorn (several worker processes
of several threads each) on the run's Redis (db 2), the app of
:mod:`tests.backends.faults_support`.

tests/test_races.py forces each interleaving deterministically in one process; here the
requests really run at the same time, in different processes. Where the order matters
the test holds a request inside the app (``/slow`` waits for a file the test creates)
instead of hoping for a schedule; where it cannot be held (twenty threads at the expiry
boundary) the test asserts what must hold whatever the schedule.

Time is a FileClock (tests/clocks.py) every worker reads; it is moved, never waited for.
"""

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from wsgi_session_timeout import expiry

from ..clocks import FileClock
from . import faults_support as fs
from . import support

PARALLEL = 20


class Races(object):
    def __init__(self, server, directory, clock, client):
        self.server = server
        self.url = server.url
        self.dir = directory
        self.clock = clock
        self.client = client
        #: ``/slow`` requests held by the current test: let go at its end, whatever
        #: happened, so none waits out BARRIER_TIMEOUT.
        self.held = []

    def browser(self):
        return fs.Browser(self.url)

    def record(self, sid):
        return fs.redis_record(self.client, sid)

    def signed_in_record(self, sid):
        """The stored session ``sid`` when it would sign a request in right now: it has
        a user and its own clocks have not run out; else ``None``."""
        record = self.record(sid)
        if not record or record.get("user") is None:
            return None
        verdict = expiry.judge(record.get("_session_timeout.login_at"),
                               record.get("_session_timeout.seen_at"), self.clock(),
                               fs.IDLE, fs.ABSOLUTE)
        return record if verdict.signed_in else None

    def hold(self, browser, cookie, cart="late"):
        """Start ``/slow`` with ``cookie`` in a thread and return once the app has loaded
        the session: ``(future, release)``."""
        name = uuid.uuid4().hex
        pool = ThreadPoolExecutor(1)
        future = pool.submit(browser.request, "/slow?name=%s&cart=%s" % (name, cart),
                             headers=fs.XHR, cookie=cookie, timeout=fs.BARRIER_TIMEOUT * 2)
        pool.shutdown(wait=False)
        self.held.append(name)
        loaded = os.path.join(self.dir, name + ".loaded")
        deadline = time.monotonic() + fs.BARRIER_TIMEOUT
        while not os.path.exists(loaded):
            if future.done() or time.monotonic() > deadline:
                raise AssertionError("/slow never loaded the session: %r" % (
                    future.result(timeout=fs.BARRIER_TIMEOUT),))
            time.sleep(0.005)  # polling for the app, not moving time

        def release():
            self.let_go(name)
            return future.result(timeout=fs.BARRIER_TIMEOUT * 2)
        return future, release

    def let_go(self, name):
        with open(os.path.join(self.dir, name + ".go"), "w"):
            pass

    def let_all_go(self):
        while self.held:
            self.let_go(self.held.pop())


@pytest.fixture(scope="module")
def races(request, redis_server, server_dir):
    url, client = support.redis_db(request, redis_server, 2)
    directory = os.path.join(server_dir, "races")
    os.makedirs(directory)
    clock_file = os.path.join(directory, "clock")
    server = support.fail_on_server_error(
        fs.gunicorn_server, directory, fs.served_env(url, directory, clock_file), 3, 4)
    support.serve(request, server)
    return Races(server, directory, FileClock(clock_file), client)


@pytest.fixture(autouse=True)
def _let_held_requests_go(races):
    yield
    races.let_all_go()


@pytest.fixture
def clock(races):
    """The servers' clock, put back where it was after the test."""
    start = races.clock.offset()
    yield races.clock
    races.clock.advance(start - races.clock.offset())


def _signed_in_with_a_cart(races, user=None):
    browser = races.browser()
    browser.sign_in(user)
    assert browser.request("/put?apple").status == 200
    return browser


def assert_not_signed_in(reply, error=None):
    assert not reply.signed_in, reply
    if error is not None:
        assert reply.status == 401 and reply.error == error, reply


# -- sign-out and expiry win -----------------------------------------------------------


def test_sign_out_wins_over_a_request_in_flight(races):
    browser = _signed_in_with_a_cart(races)
    old = browser.cookie_header()
    sid = browser.session_id()
    _, release = races.hold(browser, old)  # loaded, signed in, will save afterwards

    out = browser.request("/logout", "POST")
    assert out.status == 200 and browser.cookies == {}, out
    assert races.record(sid) is None
    late = release()

    assert late.status == 200 and late.json["user_before"] == "alice", late
    assert_not_signed_in(late)
    assert late.set_cookies().get(fs.MARKER) == "", late  # told to forget the session
    record = races.record(sid)
    assert record is None or (record.get("user") is None and record.get("cart") is None), record
    assert_not_signed_in(browser.me(cookie=old), "login_required")
    assert browser.request("/page", cookie=old).text == "page /page user=None"
    assert races.record(sid) is None or races.record(sid).get("user") is None


def test_expiry_wins_over_a_request_in_flight(races, clock):
    browser = _signed_in_with_a_cart(races)
    old = browser.cookie_header()
    sid = browser.session_id()
    _, release = races.hold(browser, old)

    clock.advance(fs.IDLE + 1)
    ended = browser.me(cookie=old)  # this request ends the session
    assert_not_signed_in(ended, "session_expired")
    assert ended.json["reason"] == "idle", ended
    assert races.record(sid) is None
    # Back to before the deadline: the request in flight still believes it is early (and
    # so would a host whose clock lags), so a session it saved back would be alive.
    clock.advance(-(fs.IDLE + 1))
    late = release()

    assert late.status == 200 and late.json["user_before"] == "alice", late
    assert_not_signed_in(late)
    record = races.record(sid)
    assert record is None or record.get("user") is None, record
    # The clock still lags, but the note the ending request left says why it ended.
    replayed = browser.me(cookie=old)
    assert_not_signed_in(replayed, "session_expired")
    assert replayed.json["reason"] == "idle", replayed
    assert browser.request("/page", cookie=old).text == "page /page user=None"


def test_parallel_requests_at_the_expiry_boundary_agree(races, clock):
    """Twenty threads send one session's cookie, half reading (``/api/me``), half
    saving (``/put``), while the clock passes the idle deadline."""
    browser = _signed_in_with_a_cart(races)
    old = browser.cookie_header()
    sid = browser.session_id()
    clock.advance(fs.IDLE - 60)  # a minute left
    stop = threading.Event()
    replies = []
    lock = threading.Lock()

    def worker(index):
        for count in range(10 ** 6):
            if stop.is_set():
                return
            if (index + count) % 2:
                reply = browser.me(cookie=old)
            else:
                reply = browser.request("/put?t%d-%d" % (index, count), headers=fs.XHR,
                                        cookie=old)
            with lock:
                replies.append(reply)

    def wait_until(condition, what):
        deadline = time.monotonic() + 60
        while not condition():
            if time.monotonic() > deadline:
                stop.set()
                raise AssertionError("no %s within 60 s: %d replies" % (what, len(replies)))
            time.sleep(0.01)  # polling the other threads, not moving time

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(PARALLEL)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: sum(r.signed_in for r in list(replies)) >= 2 * PARALLEL,
                   "signed-in replies before the deadline")
        # Past the deadline, and past any deadline the saves in flight could have moved
        # it to (each save stores the activity time of its own request).
        moving = time.monotonic()
        clock.advance(fs.IDLE + 120)
        moved = time.monotonic()
        wait_until(lambda: sum(r.sent > moved for r in list(replies)) >= 3 * PARALLEL,
                   "replies after the deadline")
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)

    # 200 or 401, nothing else: a request that finds the record just removed probes the
    # store, and concurrent probes (each with a key of its own) never report an outage.
    odd = [r for r in replies if r.status not in (200, 401)]
    assert not odd, odd[:3]
    before = [r for r in replies if r.received < moving]
    after = [r for r in replies if r.sent > moved]
    assert any(r.signed_in for r in before), "the deadline was never ahead"
    # Every request sent once the deadline had passed is expired.
    assert not [r for r in after if r.signed_in], [r for r in after if r.signed_in][:3]
    # Once one request has answered session_expired, no request sent later is signed in.
    first_expired = min(r.received for r in replies if not r.signed_in)
    later = [r for r in replies if r.sent > first_expired]
    assert later and not [r for r in later if r.signed_in], [r for r in later if r.signed_in][:3]
    # A script is told the session expired, never that it was never signed in.
    for reply in replies:
        if reply.status == 401:
            assert reply.error == "session_expired", reply
    # And it stays that way.
    assert races.signed_in_record(sid) is None, races.record(sid)
    assert_not_signed_in(browser.me(cookie=old), "session_expired")
    record = races.record(sid)
    assert record is None or record.get("user") is None, record


def test_concurrent_probes_never_report_an_outage(races):
    """Browsers whose records are gone (evicted, flushed, a memcached restart) while
    their activity cookies say they are alive: each request probes the store first.
    Ten such browsers send four requests at once each; three times. Each probe writes
    and reads back a key of its own, so none spoils another: never a 503, and the
    probes leave nothing behind in the store."""
    client = races.browser()
    for _ in range(3):
        cookies = []
        for _ in range(10):
            browser = races.browser()
            browser.sign_in()
            cookies.append(browser.cookie_header())
            races.client.delete("beaker_cache:%s:session" % browser.session_id())
        with ThreadPoolExecutor(PARALLEL) as pool:
            replies = list(pool.map(lambda cookie: client.me(cookie=cookie),
                                    [cookie for cookie in cookies for _ in range(4)]))
        unavailable = [r for r in replies if r.status == 503]
        assert not unavailable, "%d of %d answered 503: %r" % (
            len(unavailable), len(replies), unavailable[0])
        for reply in replies:
            assert_not_signed_in(reply, "login_required")
    assert not [key for key in races.client.scan_iter(match="*probe*")], list(
        races.client.scan_iter(match="*probe*"))[:5]


# -- sign-in rotation ------------------------------------------------------------------------


def test_pre_sign_in_id_never_carries_the_signed_in_state(races):
    browser = races.browser()
    assert browser.request("/pre").status == 200
    pre = browser.cookie_header()
    pid = browser.session_id()
    _, release = races.hold(browser, pre)  # loaded the anonymous session, saves later

    browser.sign_in()
    assert browser.session_id() != pid
    assert (races.record(pid) or {}).get("user") is None
    late = release()

    assert late.status == 200 and late.json["user_before"] is None, late
    assert_not_signed_in(late)
    assert races.record(pid).get("user") is None, races.record(pid)  # saved, anonymous
    assert_not_signed_in(browser.me(cookie=pre), "login_required")
    assert browser.request("/page", cookie=pre).text == "page /page user=None"
    # The signed-in session has what was stored before sign-in, not the late write.
    me = browser.me().json
    assert me["user"] == "alice" and me["pre"] == "before sign-in", me
    assert me["cart"] is None, me


def test_pre_sign_in_saves_racing_the_sign_in_never_sign_it_in(races):
    """Threads keep saving with the pre-sign-in cookie while the browser signs in."""
    for _ in range(3):
        browser = races.browser()
        browser.request("/pre")
        pre = browser.cookie_header()
        pid = browser.session_id()
        stop = threading.Event()
        replies = []

        def saver(index):
            count = 0
            while not stop.is_set():
                replies.append(browser.request("/put?s%d-%d" % (index, count),
                                               headers=fs.XHR, cookie=pre))
                count += 1

        with ThreadPoolExecutor(PARALLEL // 2) as pool:
            for index in range(PARALLEL // 2):
                pool.submit(saver, index)
            try:
                deadline = time.monotonic() + 30
                while len(replies) < PARALLEL and time.monotonic() < deadline:
                    time.sleep(0.005)  # polling the other threads, not moving time
                browser.sign_in()
                signed_in = len(replies)
                deadline = time.monotonic() + 30
                while len(replies) < signed_in + PARALLEL and time.monotonic() < deadline:
                    time.sleep(0.005)
            finally:
                stop.set()
        assert len(replies) >= 2 * PARALLEL
        assert all(r.status == 200 and not r.signed_in for r in replies), [
            r for r in replies if r.status != 200 or r.signed_in][:3]
        assert (races.record(pid) or {}).get("user") is None, races.record(pid)
        assert_not_signed_in(browser.me(cookie=pre), "login_required")
        assert browser.me().json["user"] == "alice"


def test_signing_in_again_leaves_the_previous_id_dead_even_with_a_request_in_flight(races):
    """login() over a signed-in session drops the old record and leaves an "ended" note
    for the old id, so the request in flight, which loaded it signed in, cannot save it
    back signed in."""
    browser = _signed_in_with_a_cart(races)
    old = browser.cookie_header()
    oid = browser.session_id()
    _, release = races.hold(browser, old)  # alice's session, loaded, saves later

    browser.sign_in("bob")  # someone signs in over it: a new id, the old one emptied
    assert browser.session_id() != oid
    assert races.record(oid) is None
    late = release()

    assert late.status == 200 and late.json["user_before"] == "alice", late
    assert_not_signed_in(late)
    record = races.record(oid)
    assert record is None or (record.get("user") is None and record.get("cart") is None), record
    replay = browser.me(cookie=old)
    assert_not_signed_in(replay, "login_required")
    assert (races.record(oid) or {}).get("user") is None, races.record(oid)
    assert browser.request("/page", cookie=old).text == "page /page user=None"
    # The new session is bob's, the late write (cart=late) never reached it, and none of
    # alice's data carried over to another user's sign-in.
    me = browser.me().json
    assert me["user"] == "bob" and me["cart"] is None, me
