"""examples/bottle_app.py: through WebTest, and served by waitress."""

import os

import pytest
import webtest

from .support import (
    EXAMPLES, NAV, XHR, Client, Server, demo_env, free_port, require, serve, venv_tool)

require("bottle")
import bottle_app  # noqa: E402


@pytest.fixture
def app(tmp_dir, session_clock):
    """The app in this process, on the pytest plugin's clock (moved by hand)."""
    middleware = bottle_app.make_app(data_dir=os.path.join(tmp_dir, "sessions"),
                                     clock=session_clock)
    return webtest.TestApp(middleware, lint=True)


def sign_in(app, name="carol", came_from="/dashboard"):
    form = app.get("/login?came_from=" + came_from).forms[0]
    form["name"] = name
    return form.submit()


def test_app_401_becomes_a_redirect_for_a_page(app):
    reply = app.get("/dashboard", headers=NAV, status=302)
    assert reply.location.endswith("/login?came_from=%2Fdashboard")


def test_app_401_becomes_a_problem_for_xhr(app):
    reply = app.get("/api/profile", headers=XHR, status=401)
    assert reply.content_type == "application/problem+json"
    assert reply.json["error"] == "login_required"
    assert reply.headers["WWW-Authenticate"] == 'Session realm="app", error="login_required"'


def test_sign_in_dashboard_and_ajax(app):
    reply = sign_in(app)
    assert reply.location.endswith("/dashboard")
    page = reply.follow()
    assert page.headers["Session-Expires-In"] == "30"
    assert 'setRequestHeader("X-Requested-With", "XMLHttpRequest")' in page.text
    assert '"/api/profile"' in page.text and '"/api/note"' in page.text
    assert app.post("/api/note", {"note": "hello"}, headers=XHR).json == {
        "saved": True, "note": "hello"}
    reply = app.get("/api/profile", headers=XHR)
    assert reply.json == {"user": "carol", "note": "hello"}  # from beaker.session
    assert reply.headers["Session-Expires-In"] == "30"


def test_expiry(app, session_clock):
    sign_in(app)
    session_clock.advance(31)
    reply = app.post("/api/note", {"note": "late"}, headers=XHR, status=401)
    assert reply.json["error"] == "session_expired"
    reply = app.get("/dashboard", headers=NAV, status=302)
    assert reply.location.endswith("/login?came_from=%2Fdashboard")


def test_sign_out(app):
    sign_in(app)
    reply = app.post("/logout")
    assert reply.status_int in (302, 303)
    assert app.get("/api/profile", headers=XHR, status=401).json["error"] == "login_required"


def test_unsafe_came_from_is_ignored(app):
    reply = app.post("/login", {"name": "x", "came_from": "//evil.example/"})
    assert reply.location == "http://localhost:80/dashboard"


def test_served_by_waitress(request, tmp_dir, clock, clock_file):
    port = free_port()
    server = serve(request, Server(
        "waitress-bottle",
        [venv_tool("waitress-serve"), "--listen=127.0.0.1:%d" % port,
         "bottle_app:application"],
        port, tmp_dir, env=demo_env(tmp_dir, clock_file), cwd=EXAMPLES))
    client = Client(server.url)
    reply = client.get("/dashboard", headers=NAV)
    assert reply.status == 302, reply
    reply = client.post("/login", {"name": "dora", "came_from": "/dashboard"})
    assert reply.status == 303, reply
    assert client.post("/api/note", {"note": "n1"}, headers=XHR).json["saved"] is True
    reply = client.get("/api/profile", headers=XHR)
    assert reply.json == {"user": "dora", "note": "n1"}
    assert 0 < int(reply.headers["Session-Expires-In"]) <= 30
    clock.advance(31)
    reply = client.get("/api/profile", headers=XHR)
    assert reply.status == 401, reply
    assert reply.json["error"] == "session_expired"
    reply = client.get("/dashboard", headers=NAV)
    assert reply.status == 302, reply
    assert reply.headers["Location"].endswith("/login?came_from=%2Fdashboard")
