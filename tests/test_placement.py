"""Where Beaker is: run by the middleware, outside it, or (wrongly) inside the app."""

import json

import pytest
import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.paste import filter_app_factory, filter_factory

from . import apps
from .conftest import XHR

BEAKER = {"session.type": "memory", "session.secret": "s3cret"}
OPTIONS = dict(protected_paths=["/account", "/api"], idle_timeout=600)


def outside(clock, **options):
    inner = SessionTimeoutMiddleware(apps.app, clock=clock, **dict(OPTIONS, **options))
    return webtest.TestApp(SessionMiddleware(inner, BEAKER), lint=True)


def test_beaker_outside_full_cycle(clock):
    app = outside(clock)
    app.get("/put?pears")
    app.get("/account", status=302)
    response = app.post("/login")
    assert response.headers["Session-Expires-In"] == "600"
    assert app.get("/get").text == "cart=pears user=alice"
    clock.advance(601)
    response = app.get("/api/x", headers=XHR, status=401)
    assert json.loads(response.body.decode("utf-8"))["error"] == "session_expired"
    assert "beaker.session.id=;" in response.headers["Set-Cookie"]  # the dead id is dropped
    assert app.get("/get").text == "cart=None user=None"


def test_beaker_outside_logout_replay(clock):
    app = outside(clock)
    app.post("/login")
    old = app.cookies["beaker.session.id"]
    app.get("/logout")
    replay = webtest.TestApp(app.app, lint=True)
    replay.set_cookie("beaker.session.id", old)
    replay.get("/account", status=302)


def test_beaker_outside_sends_the_new_cookie_when_the_app_saves_after_expiry(clock):
    app = outside(clock)
    app.post("/login")
    old = app.cookies["beaker.session.id"]
    clock.advance(601)
    response = app.get("/put?plums")
    cookies = response.headers.getall("Set-Cookie")
    assert len([c for c in cookies if "beaker.session.id=" in c]) == 1
    assert app.cookies["beaker.session.id"] not in ("", old)
    assert app.get("/get").text == "cart=plums user=None"


def test_paste_pipeline_behind_beakers_own_filter(clock):
    from beaker.middleware import session_filter_app_factory
    stack = session_filter_app_factory(
        filter_app_factory(apps.app, {}, protected_paths="/account /api", idle_timeout="600"),
        {}, **{"session.type": "memory", "session.secret": "x"})
    app = webtest.TestApp(stack, lint=True)
    app.get("/api/x", headers=XHR, status=401)
    app.post("/login")
    assert app.get("/account").status_int == 200


def test_paste_filter_runs_beaker_itself_and_takes_defaults():
    make = filter_factory({"idle_timeout": "900", "here": "/srv", "debug": "true",
                           "beaker.session.secret": "x"},
                          **{"protected_paths": "/account", "beaker.session.type": "memory"})
    middleware = make(apps.app)
    assert middleware.settings.idle_timeout == 900  # from [DEFAULT]
    assert middleware.settings.beaker["secret"] == "x"
    app = webtest.TestApp(middleware, lint=True)
    app.get("/account", status=302)


def test_paste_filter_rejects_unknown_keys():
    with pytest.raises(ValueError) as info:
        filter_app_factory(apps.app, {}, **{"idle_timeot": "900", "beaker.session.secret": "x"})
    assert "Unknown option 'idle_timeot' (got '900';" in str(info.value)


def test_inner_beaker_is_refused_at_start_up():
    pylons_like = SessionMiddleware(apps.app, BEAKER)
    wrapped = type("ErrorHandler", (), {"application": pylons_like})()
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(wrapped, {"beaker.session.secret": "x"})
    message = str(info.value)
    assert "replace 'app = SessionMiddleware(app, config)'" in message
    assert "'app = SessionTimeoutMiddleware(app, config)'" in message


def test_inner_beaker_hidden_from_the_walk_is_refused_at_run_time():
    inner = SessionMiddleware(apps.app, BEAKER)

    def opaque(environ, start_response):  # nothing to walk: a closure
        return inner(environ, start_response)

    app = webtest.TestApp(SessionTimeoutMiddleware(opaque, {"beaker.session.secret": "x"}))
    with pytest.raises(RuntimeError) as info:
        app.get("/")
    assert "replaces environ['beaker.session'] on every request" in str(info.value)


def test_no_beaker_anywhere_says_how_to_fix_it():
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app))
    with pytest.raises(RuntimeError) as info:
        app.get("/")
    assert "pass the beaker.session.* settings" in str(info.value)
    assert "egg:Beaker#beaker_session" in str(info.value)


def test_refuses_to_start_without_a_secret():
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(apps.app, {"beaker.session.type": "memory"})
    assert "beaker.session.secret is required" in str(info.value)


# -- cookie-only sessions ------------------------------------------------------------

@pytest.fixture
def cookie_app(clock):
    config = {"beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32}
    return webtest.TestApp(SessionTimeoutMiddleware(apps.app, config, clock=clock, **OPTIONS), lint=True)


def test_cookie_sessions_sign_in_expire_and_sign_out(cookie_app, clock):
    cookie_app.get("/put?figs")
    before = cookie_app.cookies["beaker.session.id"]
    cookie_app.post("/login")
    assert cookie_app.cookies["beaker.session.id"] != before
    assert cookie_app.get("/get").text == "cart=figs user=alice"
    clock.advance(601)
    response = cookie_app.get("/api/x", headers=XHR, status=401)
    assert json.loads(response.body.decode("utf-8"))["error"] == "session_expired"
    assert cookie_app.get("/get").text == "cart=None user=None"
    cookie_app.post("/login")
    cookie_app.get("/logout")
    response = cookie_app.get("/api/x", headers=XHR, status=401)
    assert json.loads(response.body.decode("utf-8"))["error"] == "login_required"


def test_store_gets_an_expiry_from_the_absolute_timeout(clock):
    from wsgi_session_timeout.store import OwnSession
    middleware = SessionTimeoutMiddleware(apps.app, {"beaker.session.secret": "x"},
                                          clock=clock, absolute_timeout=3600)
    assert middleware.beaker["session_class"].store_ttl == 3720
    assert issubclass(middleware.beaker["session_class"], OwnSession)
    app = webtest.TestApp(middleware, lint=True)
    app.post("/login")
    environ_session = []

    def grab(environ, start_response):
        environ_session.append(environ["beaker.session"]._session())
        return apps.app(environ, start_response)
    middleware.app = grab
    app.get("/get")
    assert environ_session[0].namespace.namespace == environ_session[0].id
    assert environ_session[0].namespace_args["timeout"] == 3720
