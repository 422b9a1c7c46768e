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
