"""A session's life under the application's control on every real store: file, Redis,
memcached, SQLite (ext:database). Sessions ended from another device, the cap on a
user's sessions, a "remember me" timeout, and an index that only sign-in, sign-out and
revocation touch (counted with the store's own tools, see :mod:`tests.backends.support`).
"""

import json

import pytest
from webtest import TestApp

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout import store as store_module
from wsgi_session_timeout.testing import assert_login_required, assert_session_expired

from . import app as backend_app
from . import support
from .support import ABSOLUTE, IDLE, TOUCH, XHR, sign_in

MAX_SESSIONS = 3


@pytest.fixture
def events():
    return []


@pytest.fixture
def middleware(store, clock, events):
    return SessionTimeoutMiddleware(
        backend_app.app, store.config, clock=clock, idle_timeout=IDLE,
        absolute_timeout=ABSOLUTE, max_absolute_timeout=backend_app.REMEMBER,
        touch_interval=TOUCH, protected_paths=["/api"], max_sessions=MAX_SESSIONS,
        on_event=events.append)


def browser(middleware, agent):
    return TestApp(middleware, lint=True, extra_environ={"HTTP_USER_AGENT": agent})


def me(b, status=200):
    return b.get("/api/me", headers=XHR, status=status)


def test_sign_out_other_devices(store, middleware, events):
    a, b, c = [browser(middleware, name) for name in "ABC"]
    ids = [sign_in(each) for each in (a, b, c)]
    listed = json.loads(a.get("/api/sessions", headers=XHR).text)
    assert sorted(s["user_agent"] for s in listed) == ["A", "B", "C"]
    ended = a.post("/api/end-others", headers=XHR)
    assert json.loads(ended.text) == {"ended": 2}
    for each, sid in ((b, ids[1]), (c, ids[2])):
        assert store.record(sid) is None
        assert_session_expired(me(each, 401), kind="xhr", reason="revoked")
        assert_login_required(me(each, 401), kind="xhr")
    assert json.loads(me(a).text)["user"] == "alice"
    assert [s["user_agent"] for s in json.loads(a.get("/api/sessions", headers=XHR).text)] \
        == ["A"]
    assert [(e.kind, e.reason) for e in events if e.kind == "revoked"] == [
        ("revoked", "revoked")] * 2


def test_a_sign_in_beyond_max_sessions_replaces_the_oldest(store, middleware, clock):
    browsers = [browser(middleware, "device %d" % i) for i in range(MAX_SESSIONS + 1)]
    ids = []
    for each in browsers:
        ids.append(sign_in(each))
        clock.advance(1)
    assert store.record(ids[0]) is None
    assert_session_expired(me(browsers[0], 401), kind="xhr", reason="replaced")
    for each in browsers[1:]:
        assert json.loads(me(each).text)["user"] == "alice"
    assert len(middleware.sessions("alice")) == MAX_SESSIONS


def test_an_administrator_ends_every_session(store, middleware):
    a, b = browser(middleware, "A"), browser(middleware, "B")
    sign_in(a)
    sign_in(b)
    assert middleware.end_sessions("alice") == 2
    for each in (a, b):
        assert_session_expired(me(each, 401), kind="xhr", reason="revoked")
    assert middleware.sessions("alice") == []


def test_remember_me_outlives_the_absolute_timeout(store, middleware, clock):
    remembered, plain = browser(middleware, "R"), browser(middleware, "P")
    sign_in(remembered, "?remember")
    sign_in(plain)
    for _ in range(ABSOLUTE // (IDLE - 100)):
        clock.advance(IDLE - 100)
        me(remembered)
        me(plain)
    clock.advance(IDLE - 100)
    assert json.loads(me(remembered).text)["user"] == "alice"
    assert_session_expired(me(plain, 401), kind="xhr", reason="absolute")


def test_ordinary_requests_do_not_touch_the_index(store, middleware, clock):
    """The index is written at sign-in; a signed-in request reads the session record
    once, as Beaker alone does, and writes nothing (within a touch interval)."""
    a = browser(middleware, "A")
    with store.watch() as at_sign_in:
        sign_in(a)
    clock.advance(1)
    with store.watch() as ordinary:
        for _ in range(5):
            me(a)
            a.get("/page")
    assert ordinary.writes == 0, ordinary
    if store.name == "file":
        assert ordinary.reads in (None, 1), ordinary  # one file, read again and again
    else:
        assert ordinary.reads == 10, ordinary
    # The sign-in wrote the record and the index (and, on Redis, took its lock).
    assert at_sign_in.writes >= 2, at_sign_in


def test_losing_the_index_signs_nobody_in_or_out(store, middleware):
    a, b = browser(middleware, "A"), browser(middleware, "B")
    sign_in(a)
    sign_in(b)
    handle = store_module.handle(middleware.beaker)
    store_module.change_index(handle, "alice", lambda entries: entries.clear())
    assert json.loads(me(a).text)["user"] == "alice"
    assert json.loads(a.post("/api/end-others", headers=XHR).text) == {"ended": 0}
    assert json.loads(me(b).text)["user"] == "alice"


def on_redis(request, redis_server, clock, db):
    """``(middleware, client)``: the middleware on database ``db`` of the run's
    redis-server (emptied first), and a redis-py client of that database."""
    url, client = support.redis_db(request, redis_server, db)
    request.addfinalizer(support.close_beaker_clients)
    config = {"beaker.session.type": "ext:redis", "beaker.session.url": url,
              "beaker.session.secret": support.SECRET}
    middleware = SessionTimeoutMiddleware(
        backend_app.app, config, clock=clock, idle_timeout=IDLE, absolute_timeout=ABSOLUTE,
        protected_paths=["/api"])
    return middleware, client


def test_on_redis_the_index_expires_with_the_sessions(request, redis_server, clock):
    middleware, client = on_redis(request, redis_server, clock, 2)
    a = browser(middleware, "A")
    sid = sign_in(a)
    index = "beaker_cache:%s:sessions" % store_module.index_name("alice")
    assert client.exists(index)
    assert ABSOLUTE < client.ttl(index) <= ABSOLUTE + 120
    assert abs(client.ttl("beaker_cache:%s:session" % sid) - client.ttl(index)) <= 1
    a.post("/logout")
    assert not client.exists(index)  # the last session gone: nothing left behind


def test_on_redis_a_lock_left_behind_never_stops_a_sign_in(request, redis_server, clock):
    """A process that died holding the index's lock (Redis keeps it for fifteen minutes)
    delays a sign-in of that user by a moment at most."""
    middleware, client = on_redis(request, redis_server, clock, 3)
    lock = "beaker_lock:beaker_cache:%s:sessions" % store_module.index_name("alice")
    client.set(lock, b"another-host-that-died", ex=900)
    a = browser(middleware, "A")
    sign_in(a)
    assert json.loads(me(a).text)["user"] == "alice"
    assert [s.user_agent for s in middleware.sessions("alice")] == ["A"]
    assert client.get(lock) == b"another-host-that-died"  # not ours to release
