"""examples/bare_wsgi.py, the README's demo, through WebTest (Python 2.7 and 3)."""

import pytest
import webtest

import bare_wsgi
from wsgi_session_timeout import testing

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
NAV = {"Accept": "text/html"}


@pytest.fixture
def clock(session_clock):
    """The pytest plugin's movable clock, as users of the library would use it."""
    return session_clock


@pytest.fixture
def make(clock, tmp_dir):
    def make(**extra_environ):
        middleware = bare_wsgi.make_app(data_dir=tmp_dir, clock=clock)
        return webtest.TestApp(middleware, lint=True, extra_environ=extra_environ)
    return make


@pytest.fixture
def app(make):
    return make()


def sign_in(app, name="alice", came_from=None):
    form = app.get("/login" + ("?came_from=" + came_from if came_from else "")).forms[0]
    form["name"] = name
    return form.submit()


def test_home_page_anonymous(app):
    reply = app.get("/")
    assert "Not signed in" in reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in reply.headers  # nothing stored for a visitor


def test_protected_page_redirects_to_login_with_came_from(app):
    reply = app.get("/account?tab=1", headers=NAV, status=302)
    assert reply.location.endswith("/login?came_from=%2Faccount%3Ftab%3D1")
    form = reply.follow().forms[0]
    assert form["came_from"].value == "/account?tab=1"


def test_sign_in_returns_to_came_from(app):
    reply = sign_in(app, came_from="/account%3Ftab%3D1")
    assert reply.status_int == 303
    assert reply.location.endswith("/account?tab=1")
    page = reply.follow()
    assert "Hello, <strong>alice</strong>" in page.text
    assert page.headers["Session-Expires-In"] == "30"


def test_sign_in_without_came_from_goes_to_account(app):
    assert sign_in(app).location.endswith("/account")


@pytest.mark.parametrize("came_from", [
    pytest.param("//evil.example/", id="protocol-relative"),
    pytest.param("https://evil.example/", id="absolute"),
    pytest.param("/\\evil.example/", id="backslash"),
    pytest.param("/\tevil", id="control"),
    pytest.param("account", id="relative"),
])
def test_unsafe_came_from_in_the_form_is_ignored(app, came_from):
    reply = app.post("/login", {"name": "mallory", "came_from": came_from}, status=303)
    assert reply.location == "http://localhost/account"


def test_empty_name_is_refused(app):
    reply = app.post("/login", {"name": "  "}, status=400)
    assert "Enter a name" in reply.text
    assert app.get("/account", headers=NAV, status=302)


def test_name_is_escaped(app):
    sign_in(app, name="<b>x</b>")
    page = app.get("/account")
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text
    assert "<b>x</b>" not in page.text


def test_xhr_without_session_gets_login_required(app):
    reply = app.get("/api/whoami", headers=XHR, status=401)
    testing.assert_login_required(reply, kind="xhr")
    assert reply.headers["WWW-Authenticate"] == 'Session realm="app", error="login_required"'


def test_the_test_helpers_sign_in_and_out_of_the_demo(app, clock):
    testing.sign_in(app, "dave")
    testing.assert_signed_in(app.get("/api/whoami", headers=XHR), expires_in=30)
    clock.advance(30)
    testing.assert_session_expired(
        app.get("/api/whoami", headers=testing.request_headers("fetch"), status=401),
        kind="fetch", reason="idle")
    testing.sign_in(app, "dave")
    testing.sign_out(app)
    testing.assert_redirects_to_login(app.get("/account", status=302), came_from="/account")


def test_xhr_signed_in_gets_json(app):
    sign_in(app)
    reply = app.get("/api/whoami", headers=XHR)
    assert reply.json["user"] == "alice"
    assert reply.headers["Session-Expires-In"] == "30"
    assert reply.headers["Cache-Control"] == "no-store"


def test_idle_expiry(app, clock):
    sign_in(app)
    clock.advance(29)
    assert app.get("/account").headers["Session-Expires-In"] == "30"  # activity resets
    clock.advance(30)
    reply = app.get("/api/whoami", headers=dict(XHR, Referer="http://localhost/ajax"),
                    status=401)
    testing.assert_session_expired(reply, kind="xhr", reason="idle", came_from="/ajax")
    reply = app.get("/account", headers=NAV, status=302)
    testing.assert_session_expired(reply, kind="navigation", came_from="/account")


def test_absolute_expiry_despite_activity(app, clock):
    sign_in(app)
    for _ in range(14):  # 280 s of steady use
        clock.advance(20)
        assert app.get("/api/whoami", headers=XHR).json["user"] == "alice"
    clock.advance(20)
    reply = app.get("/api/whoami", headers=XHR, status=401)
    assert reply.json["error"] == "session_expired"
    assert reply.json["reason"] == "absolute"


def test_sign_out_takes_a_post(app):
    sign_in(app)
    page = app.get("/logout")
    assert "Hello" not in page.text and page.forms[0].method.lower() == "post"
    app.get("/account", status=200)  # a GET signed nobody out
    reply = page.forms[0].submit(status=303)
    assert reply.location.endswith("/")
    assert "Not signed in" in reply.follow().text
    reply = app.get("/api/whoami", headers=XHR, status=401)
    assert reply.json["error"] == "login_required"


def test_ajax_page_calls_the_api_with_x_requested_with(app):
    page = app.get("/ajax")
    assert 'setRequestHeader("X-Requested-With", "XMLHttpRequest")' in page.text
    assert 'xhr.open("GET", "/api/whoami")' in page.text
    assert '<a href="/account">' in page.text


def test_mounted_under_a_script_name(make):
    app = make(SCRIPT_NAME="/demo")
    reply = app.get("/demo/account", headers=NAV, status=302)
    assert reply.location.endswith("/demo/login?came_from=%2Fdemo%2Faccount")
    page = app.get("/demo/login?came_from=%2Fdemo%2Faccount")
    assert 'action="/demo/login"' in page.text
    page.forms[0]["name"] = "alice"
    reply = page.forms[0].submit(status=303)
    assert reply.location.endswith("/demo/account")
    assert 'xhr.open("GET", "/demo/api/whoami")' in app.get("/demo/ajax").text


def test_unknown_page(app):
    app.get("/nowhere", status=404)


def test_app_factory_returns_the_unwrapped_app():
    assert bare_wsgi.app_factory({"here": "/x"}) is bare_wsgi.demo_app


def test_app_factory_rejects_unknown_options():
    with pytest.raises(ValueError) as info:
        bare_wsgi.app_factory({}, colour="blue")
    assert "'colour'" in str(info.value)


def test_module_application_is_wrapped():
    assert bare_wsgi.application.app is bare_wsgi.demo_app
    assert bare_wsgi.application.settings.idle_timeout == 30
    assert bare_wsgi.application.settings.absolute_timeout == 300
