"""The same behaviour on every real store: file, Redis, memcached, SQLite (ext:database).

Each test runs once per backend (the ``store`` fixture). The middleware runs Beaker
itself on the store's settings; its clock is a ManualClock. What reached the store is
checked with the store's own tools (see :mod:`tests.backends.support`).
"""

import json

import pytest
from webtest import TestApp

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.testing import (
    ManualClock, assert_login_required, assert_session_expired, assert_signed_in,
    request_headers)

from . import app as backend_app
from .support import ABSOLUTE, IDLE, SESSION_KEY, TOUCH, XHR, session_id, sign_in


@pytest.fixture
def middleware(store, clock):
    return SessionTimeoutMiddleware(
        backend_app.app, store.config, clock=clock, idle_timeout=IDLE,
        absolute_timeout=ABSOLUTE, touch_interval=TOUCH, protected_paths=["/api"])


@pytest.fixture
def browser(middleware):
    return TestApp(middleware, lint=True)


def cookie_header(browser):
    return "; ".join("%s=%s" % item for item in sorted(browser.cookies.items()))


def replay(middleware, cookie, path="/api/me", **kwargs):
    """A request from another client that copied ``cookie``."""
    return TestApp(middleware, lint=True).get(path, headers=dict(XHR, Cookie=cookie), **kwargs)


def me(response):
    return json.loads(response.body.decode("utf-8"))


def test_sign_in_is_stored(store, browser):
    sid = sign_in(browser)
    record = store.record(sid)
    assert record is not None and record["user"] == "alice", record
    assert record["_session_timeout.login_at"] == record["_session_timeout.seen_at"]
    response = browser.get("/api/me", headers=XHR)
    assert me(response)["user"] == "alice"
    assert_signed_in(response, expires_in=IDLE)


def test_activity_moves_the_idle_clock_without_a_store_write(store, browser, clock):
    sid = sign_in(browser)
    before = store.record(sid)
    clock.advance(IDLE - 100)
    with store.watch() as access:
        response = browser.get("/api/me", headers=XHR)
    assert_signed_in(response, expires_in=IDLE)  # the activity was recorded...
    assert access.writes == 0, access  # ...in the cookie, not in the store
    assert access.reads is None or access.reads >= 1, access
    assert "beaker.session.id.activity" in response.headers.get("Set-Cookie", "")
    assert store.record(sid) == before
    clock.advance(IDLE - 100)  # past the sign-in's idle deadline, not the activity's
    with store.watch() as access:
        assert_signed_in(browser.get("/api/me", headers=XHR), expires_in=IDLE)
    assert access.writes == 0, access
    clock.advance(IDLE)  # and the last activity's deadline is final
    assert_session_expired(browser.get("/api/me", headers=XHR, status=401), reason="idle")


def test_idle_expiry(browser, clock):
    sign_in(browser)
    clock.advance(IDLE)
    response = browser.get("/api/me", headers=XHR, status=401)
    assert_session_expired(response, kind="xhr", reason="idle")


def test_absolute_expiry(browser, clock):
    sign_in(browser)
    for _ in range(ABSOLUTE // (IDLE - 100)):
        clock.advance(IDLE - 100)
        assert_signed_in(browser.get("/api/me", headers=XHR))
    clock.set(ManualClock().now + ABSOLUTE)
    response = browser.get("/api/me", headers=XHR, status=401)
    assert_session_expired(response, kind="xhr", reason="absolute")


def test_logout_is_final(store, middleware, browser):
    sid = sign_in(browser)
    copied = cookie_header(browser)
    browser.post("/logout")
    assert store.record(sid) is None
    assert SESSION_KEY not in browser.cookies
    response = replay(middleware, copied, status=401)
    assert "Session-Expires-In" not in response.headers
    page = TestApp(middleware, lint=True).get("/page", headers={"Cookie": copied})
    assert page.text.endswith("user=None"), page


def test_login_rotates_the_id_and_the_old_one_is_dead(store, middleware, browser):
    browser.get("/pre")
    before = session_id(browser.cookies[SESSION_KEY])
    assert store.record(before)["pre"] == "before sign-in"
    pre_login_cookie = cookie_header(browser)
    after = sign_in(browser)
    assert after != before
    assert store.record(after)["pre"] == "before sign-in"  # the data moved along
    assert not (store.record(before) or {}).get("user")  # the old id carries nothing
    response = replay(middleware, pre_login_cookie, status=401)
    assert_login_required(response, kind="xhr")
    page = TestApp(middleware, lint=True).get("/page", headers={"Cookie": pre_login_cookie})
    assert page.text.endswith("user=None"), page


def test_app_writes_survive_and_reads_write_nothing(store, browser, clock):
    sid = sign_in(browser)
    browser.get("/put", params="apple")
    clock.advance(TOUCH + 1)
    with store.watch() as access:
        assert me(browser.get("/api/me", headers=XHR))["cart"] == "apple"
        assert me(browser.get("/api/me", headers=XHR))["cart"] == "apple"
    assert access.writes == 0, access
    browser.get("/put", params="pear")
    record = store.record(sid)
    assert record["cart"] == "pear" and record["user"] == "alice"
    # The app's save carried the activity time of the last touch along.
    assert record["_session_timeout.seen_at"] == clock.now
    assert me(browser.get("/api/me", headers=XHR))["cart"] == "pear"


def test_no_store_access_without_a_cookie(store, browser):
    with store.watch() as access:
        assert browser.get("/page").text.endswith("user=None")
        assert_login_required(browser.get("/api/me", headers=XHR, status=401), kind="xhr")
        status = browser.get("/_session/status").json
        assert status["authenticated"] is False
    assert (access.reads, access.writes) in ((0, 0), (None, 0)), access
    assert not browser.cookies


def test_status_never_writes(store, browser, clock):
    sid = sign_in(browser)
    before = store.record(sid)
    clock.advance(TOUCH * 3)
    with store.watch() as access:
        status = browser.get("/_session/status")
    assert status.json["authenticated"] is True
    assert status.json["idle_expires_in"] == IDLE - TOUCH * 3  # polling is not activity
    assert access.writes == 0, access
    assert "Set-Cookie" not in status.headers
    clock.advance(IDLE)
    with store.watch() as access:
        status = browser.get("/_session/status")
    assert status.json["authenticated"] is False
    assert access.writes == 0, access
    assert store.record(sid) == before  # not even an expired session is removed


def test_purged_record_is_reported_by_what_its_clocks_say(store, browser):
    # The activity cookie says the session would still be live: it was not a timeout,
    # so the answer is "sign in", and the dead session cookie is dropped.
    sid = sign_in(browser)
    store.purge(sid)
    assert store.record(sid) is None
    response = browser.get("/api/me", headers=XHR, status=401)
    assert_login_required(response, kind="xhr")
    response = browser.get("/api/me", headers=request_headers("navigation"), status=302)
    assert_login_required(response, kind="navigation")


@pytest.mark.parametrize("store", ["redis"], indirect=True)
def test_redis_record_lives_as_long_as_the_absolute_timeout(store, browser):
    # Only Redis gets a TTL: Beaker gives memcached, files and databases none.
    sid = sign_in(browser)
    expected = ABSOLUTE + 120
    assert expected - 30 <= store.ttl(sid) <= expected
    browser.get("/put", params="apple")  # every save renews it (SETEX)
    assert expected - 30 <= store.ttl(sid) <= expected


# When the record is gone but the activity cookie says the session should be alive, the
# middleware probes the store once (memcached answers "not found" when it is down), then
# drops the dead cookie; status never probes.
def test_status_never_writes_even_for_a_purged_record(store, browser):
    sid = sign_in(browser)
    store.purge(sid)
    with store.watch() as access:
        status = browser.get("/_session/status")
    assert status.json["authenticated"] is False
    assert access.writes == 0, access


def test_a_purged_record_costs_at_most_one_probe_per_browser(store, browser):
    sid = sign_in(browser)
    store.purge(sid)
    accesses = []
    for _ in range(3):
        with store.watch() as access:
            response = browser.get("/api/me", headers=XHR, status=401)
        assert_login_required(response, kind="xhr")  # its clocks had not run out
        accesses.append((access.reads, access.writes))
    # The first request probes the store (one write and read back; on the file store the
    # lock file counts too) and drops the dead cookie: the next ones never touch it.
    assert accesses[1:] == [(0, 0), (0, 0)], accesses
