"""Legacy apps that manage the session themselves, behind the one-line swap.

They never call ``login()``/``logout()``: they write ``session['user']``, sign out with
``del``, ``delete()`` or ``invalidate()``, and send a visitor who is not signed in to
the login page with a redirect of their own. Each gets the protections and the answers
``login()``/``logout()`` and the middleware's own guard give.
"""

import json

import pytest
import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware

from .apps import cart, sign_out_in_the_session
from .conftest import API, FETCH, HTMX, NAV, XHR

TEXT = [("Content-Type", "text/plain; charset=utf-8")]
IDLE = 600


def legacy_app(environ, start_response):
    """Signs in and out the way Pylons-era apps do."""
    path = environ.get("PATH_INFO", "")
    session = environ["beaker.session"]

    def text(body, status="200 OK", headers=()):
        start_response(status, TEXT + list(headers))
        return [body.encode("utf-8")]

    if path == "/login" and environ["REQUEST_METHOD"] == "POST":
        session["user"] = "alice"
        session.save()
        return text("signed in")
    if path == "/login":
        return text("login form")
    if path in ("/logout/del", "/logout/delete", "/logout/invalidate"):
        sign_out_in_the_session(session, path[len("/logout/"):])
        return text("signed out")
    if path in ("/put", "/get"):
        return cart(path, environ, text)
    if path.startswith("/account") or path.startswith("/api/"):
        if session.get("user") is None:
            # The app's own guard: to the login page, with or without where from.
            target = "/login?came_from=" + path if "came-from" in path else "/login"
            return text("please sign in", "302 Found", [("Location", "http://localhost" + target)])
        if path.startswith("/api/"):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps({"user": session["user"]}).encode("ascii")]
        return text("account of %s" % session["user"])
    return text("page")


def problem(response):
    assert response.content_type == "application/problem+json"
    return json.loads(response.body.decode("utf-8"))


@pytest.fixture
def app(backend, clock):
    """The app behind the middleware, which guards /api itself."""
    return webtest.TestApp(SessionTimeoutMiddleware(
        legacy_app, backend, idle_timeout=IDLE, clock=clock, protected_paths=["/api"]), lint=True)


@pytest.fixture
def unguarded(backend, clock):
    """The app behind the middleware, left to guard its pages itself."""
    return webtest.TestApp(
        SessionTimeoutMiddleware(legacy_app, backend, idle_timeout=IDLE, clock=clock), lint=True)


@pytest.fixture
def cookie_config():
    return {"beaker.session.type": "cookie", "beaker.session.validate_key": "a long random string",
            "beaker.session.encrypt_key": "another long random string"}


# -- session['user'] = ... is a sign-in -------------------------------------------------


def test_app_sign_in_moves_the_session_to_a_new_id_as_login_does(app):
    app.get("/put?apples")
    visitor = app.cookies["beaker.session.id"]
    app.post("/login")
    assert app.cookies["beaker.session.id"] != visitor
    assert app.get("/get").text == "cart=apples user=alice"
    replay = webtest.TestApp(app.app, lint=True)
    replay.set_cookie("beaker.session.id", visitor)
    assert replay.get("/get").text == "cart=None user=None"


# -- del, delete(), invalidate() are sign-outs ------------------------------------------


SIGN_OUTS = ["/logout/del", "/logout/delete", "/logout/invalidate"]


@pytest.mark.parametrize("sign_out", SIGN_OUTS)
def test_app_sign_out_is_final_when_the_old_cookie_is_replayed(app, sign_out):
    app.post("/login")
    old = app.cookies["beaker.session.id"]
    app.get(sign_out)
    assert "Session-Expires-In" not in app.get("/get").headers
    replay = webtest.TestApp(app.app, lint=True)
    replay.set_cookie("beaker.session.id", old)
    assert "user=alice" not in replay.get("/get").text
    replay.get("/api/orders", headers=XHR, status=401)


@pytest.mark.parametrize("sign_out", SIGN_OUTS)
def test_app_sign_out_is_not_an_expiry(app, sign_out):
    app.post("/login")
    app.get(sign_out)
    assert problem(app.get("/api/orders", headers=XHR, status=401))["error"] == "login_required"


# -- the app's own redirect to the login page --------------------------------------------


@pytest.mark.parametrize("headers", [XHR, FETCH, HTMX, API], ids=["xhr", "fetch", "htmx", "api"])
@pytest.mark.parametrize("path", ["/api/orders", "/api/came-from"])
def test_script_redirected_to_login_by_the_app_gets_the_script_answer(unguarded, clock, headers,
                                                                      path):
    app = unguarded
    assert problem(app.get(path, headers=headers, status=401))["error"] == "login_required"
    app.post("/login")
    clock.advance(IDLE + 1)
    assert problem(app.get(path, headers=headers, status=401))["error"] == "session_expired"


def test_navigation_redirected_to_login_by_the_app_is_left_to_the_app(unguarded):
    response = unguarded.get("/account/came-from", headers=NAV, status=302)
    assert response.location == "http://localhost/login?came_from=/account/came-from"


def test_app_redirect_elsewhere_is_left_alone(unguarded):
    def elsewhere(environ, start_response):
        start_response("302 Found", [("Location", "http://localhost/somewhere")])
        return [b""]
    unguarded.app.app = elsewhere
    assert unguarded.get("/api/x", headers=XHR, status=302).location == "http://localhost/somewhere"


# -- cookie sessions: no store, so never "store unavailable" ------------------------------


def own_cookie_sessions(cookie_config, clock):
    return SessionTimeoutMiddleware(legacy_app, cookie_config, clock=clock, idle_timeout=IDLE,
                                    protected_paths=["/api"])


def cookie_sessions_from_an_outer_beaker(cookie_config, clock):
    return SessionMiddleware(SessionTimeoutMiddleware(
        legacy_app, clock=clock, idle_timeout=IDLE, protected_paths=["/api"]), cookie_config)


@pytest.mark.parametrize("stack", [own_cookie_sessions, cookie_sessions_from_an_outer_beaker],
                         ids=["own", "outer-beaker"])
def test_cookie_sessions_never_answer_503(stack, cookie_config, clock):
    app = webtest.TestApp(stack(cookie_config, clock), lint=True)
    app.post("/login")
    for _ in range(3):
        clock.advance(60)
        assert app.get("/put?apples").status_int == 200
        assert app.get("/get").text == "cart=apples user=alice"
    clock.advance(IDLE + 1)
    assert problem(app.get("/api/orders", headers=XHR, status=401))["error"] == "session_expired"


def test_cookie_sessions_with_beakers_own_timeout_never_answer_503(cookie_config, clock):
    config = dict(cookie_config, **{"beaker.session.timeout": str(IDLE)})
    app = webtest.TestApp(SessionTimeoutMiddleware(legacy_app, config, clock=clock), lint=True)
    app.post("/login")
    assert app.get("/put?apples").status_int == 200
    assert app.get("/get").text == "cart=apples user=alice"
