"""Interleavings that lose sign-outs or resurrect sessions, forced deterministically:
one request runs another inside itself. tests/backends repeats them with real threads
against real servers."""

import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps
from .conftest import XHR

OPTIONS = dict(protected_paths=["/account", "/api"], idle_timeout=600)


def in_flight(config, clock, during, outside=False):
    """A stack whose app, after loading the session, runs ``during()`` and then saves."""
    def slow_writer(environ, start_response):
        session = environ["beaker.session"]
        session.get("user")  # loaded before the other request
        during()
        session["cart"] = "late write"
        session.save()
        start_response("200 OK", list(apps.TEXT))
        return [b"saved late"]
    if outside:
        return webtest.TestApp(SessionMiddleware(
            SessionTimeoutMiddleware(slow_writer, clock=clock, **OPTIONS), config))
    return webtest.TestApp(SessionTimeoutMiddleware(slow_writer, config, clock=clock, **OPTIONS))


def cookie_header(app):
    return "; ".join("%s=%s" % item for item in app.cookies.items())


def test_sign_out_wins_over_a_request_in_flight(backend, clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, dict(backend), clock=clock, **OPTIONS))
    app.post("/login")
    old = cookie_header(app)
    late = in_flight(dict(backend), clock, lambda: app.get("/logout"))
    late.get("/page", headers={"Cookie": old})
    replay = webtest.TestApp(app.app)
    response = replay.get("/api/x", headers=dict(XHR, Cookie=old), status=401)
    assert response.json["error"] in ("login_required", "session_expired")
    assert replay.get("/get", headers={"Cookie": old}).text == "cart=None user=None"


def test_sign_out_wins_with_beaker_outside(clock):
    config = {"session.type": "memory", "session.secret": "s"}
    app = webtest.TestApp(SessionMiddleware(
        SessionTimeoutMiddleware(apps.app, clock=clock, **OPTIONS), config))
    app.post("/login")
    old = cookie_header(app)
    late = in_flight(config, clock, lambda: app.get("/logout"), outside=True)
    late.get("/page", headers={"Cookie": old})
    webtest.TestApp(app.app).get("/account", headers={"Cookie": old}, status=302)


def test_expiry_wins_over_a_request_in_flight(backend, clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, dict(backend), clock=clock, **OPTIONS))
    app.post("/login")
    old = cookie_header(app)

    def expire_meanwhile():
        clock.advance(601)
        app.get("/api/x", headers=XHR, status=401)  # this request ends the session
        clock.set(clock.now - 601)  # the slow request still believes it is early
    in_flight(dict(backend), clock, expire_meanwhile).get("/page", headers={"Cookie": old})
    clock.advance(1)
    replay = webtest.TestApp(app.app)
    assert replay.get("/get", headers={"Cookie": old}).text == "cart=None user=None"


def test_pre_sign_in_id_never_carries_the_signed_in_state(backend, clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, dict(backend), clock=clock, **OPTIONS))
    app.get("/put?early")
    pre = cookie_header(app)
    late = in_flight(dict(backend), clock, lambda: app.post("/login"))
    late.get("/page", headers={"Cookie": pre})  # saves the pre-sign-in session late
    replay = webtest.TestApp(app.app)
    assert "user=None" in replay.get("/get", headers={"Cookie": pre}).text
    replay.get("/account", headers={"Cookie": pre}, status=302)
