"""A store outage is not a sign-out: 503 with Retry-After, nothing lost, one log line.

The store here is Beaker's real file backend with its directory made unusable (a plain
file where the directory was); tests/backends stop real Redis and memcached servers.
"""

import logging
import os
import shutil

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps
from .conftest import NAV, XHR

OPTIONS = dict(protected_paths=["/account", "/api"], idle_timeout=600)


@pytest.fixture
def store(tmpdir):
    data_dir = str(tmpdir.join("sessions"))
    os.mkdir(data_dir)

    class Store(object):
        config = {"beaker.session.type": "file", "beaker.session.data_dir": data_dir,
                  "beaker.session.secret": "s3cret"}

        def break_(self):
            os.rename(data_dir, data_dir + ".away")
            with open(data_dir, "w") as handle:
                handle.write("not a directory")

        def repair(self):
            os.remove(data_dir)
            os.rename(data_dir + ".away", data_dir)
    return Store()


@pytest.fixture
def app(store, clock):
    return webtest.TestApp(
        SessionTimeoutMiddleware(apps.app, store.config, clock=clock, **OPTIONS), lint=True)


def test_outage_answers_503_and_signs_nobody_out(app, store, clock, caplog):
    app.post("/login")
    cookies = dict(app.cookies)
    store.break_()
    with caplog.at_level(logging.WARNING, logger="wsgi_session_timeout"):
        xhr = app.get("/api/x", headers=XHR, status=503)
        assert xhr.content_type == "application/problem+json"
        assert xhr.json["error"] == "store_unavailable" and xhr.headers["Retry-After"] == "5"
        nav = app.get("/account", headers=NAV, status=503)
        assert nav.content_type == "text/html" and "Traceback" not in nav.text
        assert app.get("/get", headers=XHR, status=503).json["error"] == "store_unavailable"
        assert app.get("/_session/status", status=503).headers["Cache-Control"] == "no-store"
        assert app.post("/_session/extend", headers=XHR, status=503)
        for response in (xhr, nav):
            assert "Set-Cookie" not in response.headers
        assert dict(app.cookies) == cookies
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "session store unavailable" in errors[0].getMessage()
        assert cookies["beaker.session.id"][40:] not in caplog.text  # no session ids
        store.repair()
        clock.advance(30)
        assert app.get("/account").text == "page /account user=alice"
        assert "available again" in caplog.text


def test_pages_that_do_not_need_the_session_still_work(app, store):
    app.post("/login")
    store.break_()
    assert app.get("/_session/client.js").status_int == 200
    fresh = webtest.TestApp(app.app, lint=True)  # no cookie: no store access at all
    assert fresh.get("/news").text == "page /news user=None"


def test_an_app_500_during_an_outage_becomes_a_503(store, clock):
    def pylons_like(environ, start_response):
        try:
            environ["beaker.session"].get("user")
        except Exception:  # a framework's error handler renders its own 500
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"Internal Server Error"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    signer = webtest.TestApp(SessionTimeoutMiddleware(apps.app, store.config, clock=clock))
    signer.post("/login")
    app = webtest.TestApp(SessionTimeoutMiddleware(pylons_like, store.config, clock=clock), lint=True)
    app.set_cookie("beaker.session.id", signer.cookies["beaker.session.id"])
    assert app.get("/").text == "ok"
    store.break_()
    response = app.get("/", headers=XHR, status=503)
    assert response.json["retry_after"] == 5


def test_sign_in_during_an_outage_is_a_503_not_a_half_sign_in(app, store):
    app.get("/put?x")
    store.break_()
    response = app.post("/login", headers=XHR, status=503)
    assert "Set-Cookie" not in response.headers


# -- the breaker: while the store is known to be failing, it is not asked ---------------


def test_while_the_breaker_is_open_the_store_is_not_asked(app, store, clock, caplog):
    app.post("/login")
    app.get("/put?apple")
    cookies = dict(app.cookies)
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        store.break_()
        app.get("/api/x", headers=XHR, status=503)  # the failure that opens it
        store.repair()  # the store works again, but nobody asks it before a probe is due
        clock.advance(0.5)
        assert app.get("/api/x", headers=XHR, status=503).json["error"] == "store_unavailable"
        app.get("/account", headers=NAV, status=503)
        app.get("/get", headers=XHR, status=503)  # an unguarded page that needs the session
        app.get("/_session/status", status=503)
        # An unguarded page that does not use the session is served, cookie or not.
        assert app.get("/write").text == "written and returned"
        assert webtest.TestApp(app.app).get("/news").text == "page /news user=None"
        assert dict(app.cookies) == cookies
        assert "available again" not in caplog.text
        clock.advance(0.5)  # a probe is due: it finds the store working and closes it
        assert app.get("/get").text == "cart=apple user=alice"
        assert app.get("/api/x", headers=XHR).json == {"user": "alice"}
    assert dict(app.cookies) == cookies
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "session store unavailable" in m]) == 1, messages
    assert len([m for m in messages if "available again" in m]) == 1, messages


def test_a_failed_probe_keeps_it_open_for_another_interval(app, store, clock, caplog):
    app.post("/login")
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        store.break_()
        app.get("/api/x", headers=XHR, status=503)
        clock.advance(1)
        app.get("/api/x", headers=XHR, status=503)  # the probe: still down
        store.repair()
        clock.advance(0.9)
        app.get("/api/x", headers=XHR, status=503)  # no probe yet
        clock.advance(0.1)
        assert app.get("/api/x", headers=XHR).json == {"user": "alice"}
    assert len([r for r in caplog.records if r.levelno == logging.ERROR]) == 1


def test_the_probe_interval_is_an_option(store, clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(
        apps.app, dict(store.config, **{"session_timeout.store_probe_interval": "5"}),
        clock=clock, **OPTIONS), lint=True)
    app.post("/login")
    store.break_()
    app.get("/api/x", headers=XHR, status=503)
    store.repair()
    clock.advance(4.5)
    app.get("/api/x", headers=XHR, status=503)
    clock.advance(0.5)
    assert app.get("/api/x", headers=XHR).json == {"user": "alice"}


def test_a_sign_in_without_a_cookie_while_it_is_open_is_a_503_at_once(app, store, clock):
    signed_in = webtest.TestApp(app.app, lint=True)
    signed_in.post("/login")
    store.break_()
    signed_in.get("/api/x", headers=XHR, status=503)  # opens it
    store.repair()
    # The store works, but the breaker is open: the new session is not written.
    fresh = webtest.TestApp(app.app, lint=True)
    response = fresh.post("/login", headers=XHR, status=503)
    assert "Set-Cookie" not in response.headers
    assert fresh.get("/get").text == "cart=None user=None"  # reading a new one is fine
    clock.advance(1)
    assert signed_in.get("/api/x", headers=XHR).json == {"user": "alice"}  # closes it
    fresh.post("/login")
    assert fresh.get("/api/x", headers=XHR).json == {"user": "alice"}


@pytest.mark.parametrize("url, warned", [
    pytest.param("redis://127.0.0.1:6379/0", True, id="no-socket-timeout"),
    pytest.param("redis://127.0.0.1:6379/0?socket_timeout=1&socket_connect_timeout=1", False,
                 id="advised"),
])
def test_a_store_client_that_may_wait_long_is_warned_about_at_start_up(url, warned, caplog):
    with caplog.at_level(logging.WARNING, logger="wsgi_session_timeout"):
        SessionTimeoutMiddleware(apps.app, {
            "beaker.session.type": "ext:redis", "beaker.session.url": url,
            "beaker.session.secret": "s3cret"}, absolute_timeout=3600)
    found = [r.getMessage() for r in caplog.records if "hung store" in r.getMessage()]
    assert len(found) == (1 if warned else 0), found
    if warned:
        assert "socket_timeout" in found[0]


def test_a_frozen_clock_also_times_the_probes(store):
    from wsgi_session_timeout.testing import freeze_clock
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, store.config, **OPTIONS),
                          lint=True)
    with freeze_clock(app) as clock:
        app.post("/login")
        store.break_()
        app.get("/api/x", headers=XHR, status=503)
        store.repair()
        app.get("/api/x", headers=XHR, status=503)  # no probe is due yet
        clock.advance(1)
        assert app.get("/api/x", headers=XHR).json["user"] == "alice"
