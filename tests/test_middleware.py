"""The middleware end to end: WebTest (lint on) over a real Beaker stack."""

import json

import pytest
from beaker.container import MemoryNamespaceManager
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, login

from . import apps
from .conftest import API, FETCH, HTMX, NAV, XHR

MARKER = "beaker.session.id.activity"  # the activity cookie, named after the session cookie

PROTECTED = dict(protected_paths=["/account", "/api"], idle_timeout=600)


def problem(response):
    assert response.content_type == "application/problem+json"
    return json.loads(response.body.decode("utf-8"))


def sign_in(app, user="alice"):
    return app.post("/login", extra_environ={"test.user": user})


# -- guarded paths ---------------------------------------------------------------------

def test_never_signed_in_navigation_is_redirected_with_the_full_path(make):
    app = make(**PROTECTED)
    response = app.get("/account/settings?tab=2", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsettings%3Ftab%3D2"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Vary"] == "Sec-Fetch-Mode, Cookie"


def test_never_signed_in_post_is_redirected_with_303(make):
    app = make(**PROTECTED)
    response = app.post("/account/save", {"a": "1"}, status=303)
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"


@pytest.mark.parametrize("headers", [XHR, FETCH, API], ids=["xhr", "fetch", "api"])
def test_never_signed_in_script_gets_login_required(make, headers):
    app = make(**PROTECTED)
    response = app.get("/api/data", headers=dict(headers, Referer="http://localhost/page"), status=401)
    document = problem(response)
    assert document["error"] == "login_required"
    assert document["login_url"] == "/login?came_from=%2Fpage"
    assert response.headers["WWW-Authenticate"] == 'Session realm="app", error="login_required"'


def test_signed_in_requests_pass_and_carry_the_time_left(make):
    app = make(**PROTECTED)
    response = sign_in(app)
    assert response.headers["Session-Expires-In"] == "600"
    response = app.get("/account", headers=NAV)
    assert response.text == "page /account user=alice"
    assert response.headers["Session-Expires-In"] == "600"


def test_idle_expiry_for_each_kind_of_client(make, clock):
    app = make(**PROTECTED)
    sign_in(app)
    clock.advance(601)
    document = problem(app.get("/api/data", headers=XHR, status=401))
    assert (document["error"], document["reason"]) == ("session_expired", "idle")
    assert app.get("/account", headers=NAV, status=302).headers["Location"] == "/login?came_from=%2Faccount"
    htmx = app.get("/api/x", headers=dict(HTMX, **{"HX-Current-URL": "http://localhost/board"}), status=401)
    assert htmx.headers["HX-Redirect"] == "/login?came_from=%2Fboard"
    assert problem(htmx)["error"] == "session_expired"
    assert problem(app.get("/api/data", headers=FETCH, status=401))["error"] == "session_expired"
    assert problem(app.get("/api/data", headers=API, status=401))["error"] == "session_expired"


def test_activity_keeps_a_session_alive(make, clock):
    app = make(**PROTECTED)
    sign_in(app)
    for _ in range(5):
        clock.advance(500)
        assert app.get("/account").status_int == 200
    clock.advance(601)
    assert problem(app.get("/api/x", headers=XHR, status=401))["reason"] == "idle"


def test_activity_is_recorded_once_per_touch_interval(make, clock):
    app = make(touch_interval=60, **PROTECTED)
    sign_in(app)
    clock.advance(30)
    assert app.get("/account").headers["Session-Expires-In"] == "570"  # not written: conservative
    clock.advance(30)
    assert app.get("/account").headers["Session-Expires-In"] == "600"  # written
    clock.advance(10)
    assert app.get("/account").headers["Session-Expires-In"] == "590"


def test_absolute_expiry_whatever_the_activity(make, clock):
    app = make(protected_paths=["/account", "/api"], idle_timeout=600, absolute_timeout=1000)
    sign_in(app)
    clock.advance(500)
    assert app.get("/account").headers["Session-Expires-In"] == "500"
    clock.advance(499)
    assert app.get("/account").headers["Session-Expires-In"] == "1"
    clock.advance(1)
    assert problem(app.get("/api/x", headers=XHR, status=401))["reason"] == "absolute"


def test_expired_session_stays_expired_and_its_data_is_gone(make, clock):
    app = make(**PROTECTED)
    app.get("/put?apples")
    sign_in(app)
    clock.advance(601)
    app.get("/api/x", headers=XHR, status=401)
    assert app.get("/get").text == "cart=None user=None"
    assert problem(app.get("/api/x", headers=XHR, status=401))["error"] == "session_expired"


def test_expiry_is_known_after_the_store_purged_the_record(make, clock, backend):
    app = make(**PROTECTED)
    sign_in(app)
    purge(backend)
    clock.advance(601)
    document = problem(app.get("/api/x", headers=XHR, status=401))
    assert (document["error"], document["reason"]) == ("session_expired", "idle")


def test_a_purged_record_whose_clocks_say_nothing_ran_out_needs_a_sign_in(make, clock,
                                                                          backend):
    app = make(**PROTECTED)
    sign_in(app)
    purge(backend)
    clock.advance(30)
    document = problem(app.get("/api/x", headers=XHR, status=401))
    assert (document["error"], document["reason"]) == ("login_required", None)


def test_purged_record_past_the_absolute_timeout_reports_absolute(make, clock, backend):
    app = make(protected_paths=["/api"], idle_timeout=600, absolute_timeout=3600)
    sign_in(app)
    purge(backend)
    clock.advance(3600)
    assert problem(app.get("/api/x", headers=XHR, status=401))["reason"] == "absolute"


def test_the_marker_alone_never_grants_access(make):
    app = make(**PROTECTED)
    sign_in(app)
    marker = app.cookies[MARKER]
    stranger = webtest.TestApp(app.app, lint=True)
    stranger.set_cookie(MARKER, marker)
    response = stranger.get("/api/x", headers=XHR, status=401)
    assert problem(response)["error"] == "login_required"
    assert stranger.get("/get").text == "cart=None user=None"


def test_a_forged_marker_is_ignored(make):
    app = make(**PROTECTED)
    app.set_cookie(MARKER, "1700000000.0000000000000000000000000000000")
    assert problem(app.get("/api/x", headers=XHR, status=401))["error"] == "login_required"


def test_public_paths_are_never_intercepted(make, clock):
    app = make(protected_paths=["/"], public_paths=["/static", "/get"], idle_timeout=600)
    assert app.get("/static/app.css").text == "page /static/app.css user=None"
    assert app.get("/login").status_int == 200  # the login page is never guarded
    app.get("/elsewhere", status=302)
    sign_in(app)
    clock.advance(601)
    assert app.get("/get").text == "cart=None user=None"  # expired data is not shown either


def test_mounted_app_redirects_inside_its_mount_point(make):
    app = make(**PROTECTED)
    response = app.get("/account", extra_environ={"SCRIPT_NAME": "/shop"}, status=302)
    assert response.headers["Location"] == "/shop/login?came_from=%2Fshop%2Faccount"


@pytest.mark.parametrize("status", [403, 419, 440, 599])
def test_xhr_status_is_configurable(make, status):
    app = make(xhr_status=status, **PROTECTED)
    assert problem(app.get("/api/x", headers=XHR, status=status))["status"] == status


def test_legacy_success_envelope(make):
    app = make(xhr_status=200, **PROTECTED)
    response = app.get("/api/x", headers=dict(XHR, Referer="http://localhost/page"), status=200)
    assert response.content_type == "application/json"
    assert response.json == {"success": False, "error": "login_required",
                             "login_url": "/login?came_from=%2Fpage"}


def test_head_requests_get_headers_only(make):
    app = make(**PROTECTED)
    response = app.head("/account", status=302)
    assert response.body == b"" and response.headers["Location"] == "/login?came_from=%2Faccount"


# -- the app decides (protected_paths=None) ----------------------------------------------

def test_expired_session_is_replaced_and_the_page_still_works(make, clock):
    app = make(idle_timeout=600)
    sign_in(app)
    clock.advance(601)
    response = app.get("/news")
    assert response.text == "page /news user=None"
    assert "Session-Expires-In" not in response.headers


def test_bare_app_401_becomes_the_expiry_answer(make, clock):
    app = make(idle_timeout=600)
    sign_in(app)
    assert app.get("/needs-login").text == "secret for alice"
    clock.advance(601)
    assert problem(app.get("/needs-login", headers=XHR, status=401))["error"] == "session_expired"
    response = app.get("/needs-login", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Fneeds-login"


def test_app_401_with_its_own_challenge_passes_untouched(make):
    app = make()
    response = app.get("/basic-auth", headers=XHR, status=401)
    assert response.headers["WWW-Authenticate"] == 'Basic realm="x"' and response.text == "basic"


def test_app_401_on_the_login_page_or_a_public_path_is_left_alone(make):
    app = make(public_paths=["/public"])
    assert app.get("/login?failed", headers=XHR, status=401).text == "wrong password"
    assert app.get("/public/needs-login", headers=XHR, status=401).text == "please sign in"


def test_app_401_for_a_signed_in_user_is_left_alone(make):
    app = make()
    sign_in(app)
    app.get("/logout")  # now anonymous again: replaced
    app.get("/needs-login", headers=XHR, status=401).mustcontain("login_required")
    sign_in(app)
    response = app.get("/always-401", headers=XHR, status=401)
    assert response.text == "not for you"
    assert response.headers["Session-Expires-In"] == "1800"


def test_generator_app_401_is_replaced_and_closed_once(make):
    log = []
    app = make()
    response = app.get("/stream-401", headers=XHR, extra_environ={"test.log": log}, status=401)
    assert problem(response)["error"] == "login_required"
    assert log == ["closed"]


def test_replaced_401_closes_the_apps_iterable_once(make):
    log = []
    make().get("/needs-login", headers=XHR, extra_environ={"test.log": log}, status=401)
    assert log == ["closed"]


# -- sign-in and sign-out --------------------------------------------------------------

def test_login_moves_the_data_to_a_new_id_and_kills_the_old_one(make):
    app = make(**PROTECTED)
    app.get("/put?apples")
    before = app.cookies["beaker.session.id"]
    sign_in(app)
    after = app.cookies["beaker.session.id"]
    assert before != after
    assert app.get("/get").text == "cart=apples user=alice"
    replay = webtest.TestApp(app.app, lint=True)
    replay.set_cookie("beaker.session.id", before)
    assert replay.get("/get").text == "cart=None user=None"
    replay.get("/account", status=302)


def test_logout_is_final_even_when_the_old_cookie_is_replayed(make):
    app = make(**PROTECTED)
    sign_in(app)
    old = app.cookies["beaker.session.id"]
    response = app.get("/logout")
    assert "Session-Expires-In" not in response.headers
    cookies = response.headers.getall("Set-Cookie")
    assert any(c.startswith(MARKER + "=;") and "Max-Age=0" in c for c in cookies)
    assert problem(app.get("/api/x", headers=XHR, status=401))["error"] == "login_required"
    replay = webtest.TestApp(app.app, lint=True)
    replay.set_cookie("beaker.session.id", old)
    assert problem(replay.get("/api/x", headers=XHR, status=401))["error"] == "login_required"


def test_sign_in_again_after_expiry(make, clock):
    app = make(**PROTECTED)
    sign_in(app)
    clock.advance(601)
    app.get("/api/x", headers=XHR, status=401)
    sign_in(app, "bob")
    assert app.get("/api/x").json == {"user": "bob"}


def test_legacy_app_that_sets_the_user_itself(make, clock):
    app = make(**PROTECTED)
    response = app.get("/legacy-login")
    assert response.headers["Session-Expires-In"] == "600"
    assert MARKER in app.cookies
    assert app.get("/account").status_int == 200
    clock.advance(601)
    assert problem(app.get("/api/x", headers=XHR, status=401))["error"] == "session_expired"


def test_legacy_logout_is_a_logout(make):
    app = make(**PROTECTED)
    app.get("/legacy-login")
    response = app.get("/legacy-logout")
    assert "Session-Expires-In" not in response.headers
    assert problem(app.get("/api/x", headers=XHR, status=401))["error"] == "login_required"


def test_session_signed_in_before_the_middleware_was_deployed(backend, clock):
    """A session stored with a user but none of the middleware's clocks is adopted."""
    def seed(environ, start_response):
        environ["beaker.session"]["user"] = "old-timer"
        environ["beaker.session"].save()
        start_response("200 OK", list(apps.TEXT))  # Beaker appends to the list it is given
        return [b"seeded"]
    from beaker.middleware import SessionMiddleware
    seeder = webtest.TestApp(SessionMiddleware(seed, dict(backend)))
    seeder.get("/")
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, dict(backend), clock=clock, **PROTECTED), lint=True)
    app.set_cookie("beaker.session.id", seeder.cookies["beaker.session.id"])
    response = app.get("/account")
    assert response.text == "page /account user=old-timer"
    assert response.headers["Session-Expires-In"] == "600"


def test_app_writes_are_kept(make, clock):
    app = make(**PROTECTED)
    sign_in(app)
    for n in range(3):
        clock.advance(61)  # each request also records activity
        app.get("/put?%d" % n)
        assert app.get("/get").text == "cart=%d user=alice" % n


# -- the login page -------------------------------------------------------------------

@pytest.mark.parametrize("query, seen", [
    ("came_from=%2Faccount", "came_from=%2Faccount"),
    ("came_from=%2F%2Fevil.com", ""),
    ("came_from=https%3A%2F%2Fevil.com&lang=en", "lang=en"),
    ("came_from=%2F%5Cevil.com", ""),
    ("came_from=javascript%3Aalert%281%29", ""),
    ("came_from=%2F%09%2Fevil.com", ""),
])
def test_login_page_never_sees_an_unsafe_came_from(make, query, seen):
    assert make().get("/login?" + query).text == "login page; query=%s" % seen


# -- PEP 3333 --------------------------------------------------------------------------

def test_write_callable_is_honoured(make):
    assert make().get("/write").text == "written and returned"


def test_exc_info_is_passed_on(make):
    response = make().get("/boom", status=500)
    assert response.text == "error page"


def test_pass_through_returns_the_apps_own_iterable(memory):
    log = []
    sent = apps.Closing([b"x"], log)

    def inner(environ, start_response):
        start_response("200 OK", apps.TEXT)
        return sent

    middleware = SessionTimeoutMiddleware(inner, memory)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http",
               "SERVER_NAME": "x", "SERVER_PORT": "80"}
    assert middleware(environ, lambda s, h, e=None: None) is sent


def test_generator_is_streamed_not_buffered(memory):
    pulled = []

    def inner(environ, start_response):
        start_response("200 OK", apps.TEXT)
        for n in range(3):
            pulled.append(n)
            yield b"x"

    middleware = SessionTimeoutMiddleware(inner, memory)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/", "wsgi.url_scheme": "http",
               "SERVER_NAME": "x", "SERVER_PORT": "80"}
    result = middleware(environ, lambda s, h, e=None: None)
    assert pulled == [0]  # only what it took to see start_response
    iterator = iter(result)
    next(iterator)
    assert pulled == [0]
    next(iterator)
    assert pulled == [0, 1]
    result.close()


def test_streaming_app_closes_once(make):
    log = []
    response = make().get("/stream", extra_environ={"test.log": log})
    assert response.text == "one two three" and log == ["closed"]


def test_wsgiref_validator_around_the_whole_stack(memory, clock):
    from wsgiref.validate import validator
    stack = validator(SessionTimeoutMiddleware(validator(apps.app), memory, clock=clock, **PROTECTED))
    app = webtest.TestApp(stack)
    sign_in(app)
    for path in ("/account", "/stream", "/write", "/needs-login", "/logout", "/account"):
        app.get(path, status="*")
    app.get("/api/x", headers=XHR, status=401)


# -- no backend access without a cookie ---------------------------------------------

class CountingMemory(MemoryNamespaceManager):
    """Beaker's memory backend, counting every access."""

    calls = []

    def __getitem__(self, key):
        self.calls.append("get")
        return MemoryNamespaceManager.__getitem__(self, key)

    def __setitem__(self, key, value):
        self.calls.append("set")
        MemoryNamespaceManager.__setitem__(self, key, value)

    def __contains__(self, key):
        self.calls.append("contains")
        return MemoryNamespaceManager.__contains__(self, key)


@pytest.fixture
def counting():
    del CountingMemory.calls[:]
    return {"beaker.session.secret": "s", "beaker.session.namespace_class": CountingMemory}


@pytest.mark.parametrize("path, headers, status", [
    ("/", {}, 200), ("/account", NAV, 302), ("/api/x", XHR, 401), ("/needs-login", XHR, 401),
])
def test_no_cookie_means_no_backend_access(counting, path, headers, status):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, counting, protected_paths=["/account", "/api"]),
                  lint=True)
    app.get(path, headers=headers, status=status)
    assert CountingMemory.calls == []


def test_recording_activity_never_writes_to_the_store(counting, clock):
    """Activity lives in the signed marker cookie: a read-only request never saves the
    session it loaded, so it cannot overwrite what a concurrent request saved."""
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, counting, clock=clock, **PROTECTED), lint=True)
    sign_in(app)
    del CountingMemory.calls[:]
    touched = 0
    for _ in range(1000):
        clock.advance(7)
        response = app.get("/account")
        touched += MARKER + "=" in response.headers.get("Set-Cookie", "")
    assert "set" not in CountingMemory.calls
    assert 100 <= touched <= 120  # once per 60 s touch interval over 7000 s
    assert response.headers["Session-Expires-In"] != "0"


def test_a_concurrent_save_is_not_overwritten_by_a_touch(backend, clock):
    """Request A loads the session; B saves the cart; A (read-only, touching) ends last."""
    stack = SessionTimeoutMiddleware(apps.app, dict(backend), clock=clock, **PROTECTED)
    app = webtest.TestApp(stack, lint=True)
    sign_in(app)
    clock.advance(120)  # A will touch
    cookie = "; ".join("%s=%s" % item for item in app.cookies.items())
    started = []

    def slow_reader(environ, start_response):
        environ["beaker.session"].get("user")  # A has loaded the session
        started.append(True)
        app.get("/put?melons")  # B saves while A is in flight
        return apps.app(environ, start_response)

    webtest.TestApp(SessionTimeoutMiddleware(slow_reader, dict(backend), clock=clock, **PROTECTED)
                    ).get("/account", headers={"Cookie": cookie})
    assert started and app.get("/get").text == "cart=melons user=alice"


def test_another_sessions_marker_cannot_revive_an_idle_session(make, clock):
    victim = make(**PROTECTED)
    sign_in(victim)
    stolen = victim.cookies["beaker.session.id"]
    clock.advance(601)  # the victim's session is idle-expired
    attacker = make(**PROTECTED)
    sign_in(attacker, "mallory")  # a fresh marker, recent activity
    marker = attacker.cookies[MARKER]
    attacker.reset()  # the jar holds exactly the two cookies (no second session cookie)
    attacker.set_cookie(MARKER, marker)
    attacker.set_cookie("beaker.session.id", stolen)
    assert problem(attacker.get("/api/x", headers=XHR, status=401))["reason"] == "idle"


def test_a_marker_from_an_earlier_sign_in_does_not_carry_over(make, clock):
    app = make(**PROTECTED)
    sign_in(app)
    clock.advance(500)
    app.get("/account")  # marker: active at +500
    old_marker = app.cookies[MARKER]
    clock.advance(10)
    sign_in(app)  # new id, new marker
    app.set_cookie(MARKER, old_marker)
    clock.advance(601)  # 601 s after the second sign-in, the only activity
    assert problem(app.get("/api/x", headers=XHR, status=401))["reason"] == "idle"


# -- bad requests ----------------------------------------------------------------------

@pytest.mark.parametrize("cookie", [
    "beaker.session.id=", "beaker.session.id=garbage", 'beaker.session.id="unterminated',
    "beaker.session.id=" + "a" * 8000, "null;beaker.session.id=abc", "=;;;=",
    "beaker.session.id=a; beaker.session.id=b", MARKER + "=junk", MARKER + "=99999999999999999999.x",
    "\xff\xfe=\xff",
])
def test_malformed_cookies_are_not_signed_in(make, cookie):
    app = make(**PROTECTED)
    assert app.get("/account", headers={"Cookie": cookie}, status=302)
    assert app.get("/", headers={"Cookie": cookie}).status_int == 200


@pytest.mark.parametrize("environ", [
    {"PATH_INFO": "/account/\xc3\x28\xff"},
    {"PATH_INFO": "/account", "QUERY_STRING": "a=\xff\xfe&%%%"},
    {"PATH_INFO": "/login", "QUERY_STRING": "came_from=\xff%ff%2F%2F"},
    {"PATH_INFO": "/api/x", "HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_REFERER": "http://\xff/["},
    {"PATH_INFO": "/api/x", "HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "::::"},
    {"PATH_INFO": "/api/x", "HTTP_ACCEPT": "application/json;q=1e999"},
    {"PATH_INFO": "/account", "HTTP_SEC_FETCH_MODE": "\x00", "HTTP_SEC_FETCH_DEST": "\xff"},
    {"PATH_INFO": "//evil.com/account"},
])
def test_odd_requests_never_give_a_500(memory, environ):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, memory, protected_paths=["/account", "/api", "//evil.com"]))
    request = webtest.TestRequest.blank("/")
    request.environ.update(environ)  # get() would reset QUERY_STRING from the URL
    response = app.do_request(request, status="*")
    assert response.status_int < 500
    location = response.headers.get("Location", "/")
    assert location.startswith("/") and not location.startswith("//")
    if environ.get("PATH_INFO") == "/login":  # the unsafe came_from was removed
        assert response.body == b"login page; query="


def test_protocol_relative_request_path_is_not_a_came_from(memory):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, memory, protected_paths=["/"]))
    response = app.get("/", extra_environ={"PATH_INFO": "//evil.com/x"}, status=302)
    assert response.headers["Location"] == "/login"


def purge(backend):
    """Remove every stored session record, as a store's own expiry does."""
    if backend["beaker.session.type"] == "memory":
        MemoryNamespaceManager.namespaces.clear()
    else:
        import os
        import shutil
        for name in os.listdir(backend["beaker.session.data_dir"]):
            shutil.rmtree(os.path.join(backend["beaker.session.data_dir"], name))


def test_login_outside_the_middleware_says_what_is_missing():
    with pytest.raises(RuntimeError) as info:
        login({}, "x")
    assert "need SessionTimeoutMiddleware around the application" in str(info.value)


@pytest.mark.parametrize("header, found", [
    ("session=abc", True), ("a=1; session=abc", True), ("a=1;session=abc", True),
    ("wsgi_session_timeout=1.2.3.4", False), ("mysession=abc", False), ("", False),
    ("x=session=abc", False),
])
def test_cookie_presence_check_is_exact(header, found):
    from wsgi_session_timeout.cookies import sends_cookie as _sends_cookie
    assert _sends_cookie(header, "session") is found


def test_inner_beaker_is_refused_even_without_beaker_settings():
    from beaker.middleware import SessionMiddleware
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(SessionMiddleware(apps.app, {"session.secret": "x"}))
    assert "found at start-up" in str(info.value)


def test_cookies_are_httponly_samesite_and_secure_over_https(make):
    app = make(**PROTECTED)
    https = {"wsgi.url_scheme": "https", "HTTP_HOST": "localhost:443"}
    response = app.post("/login", extra_environ=https)
    cookies = response.headers.getall("Set-Cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")]
        assert {"httponly", "secure", "samesite=lax"} <= set(attributes), cookie


def test_cookies_over_plain_http_are_not_marked_secure(make):
    response = make(**PROTECTED).post("/login")
    assert all("secure" not in c.lower() for c in response.headers.getall("Set-Cookie"))


def test_another_user_signing_in_inherits_nothing(make):
    app = make(**PROTECTED)
    app.get("/put?apples")  # a visitor's cart carries over to their sign-in
    sign_in(app, "alice")
    assert app.get("/get").text == "cart=apples user=alice"
    app.get("/put?alices-secret")
    sign_in(app, "bob")  # someone else, over the same browser session
    assert app.get("/get").text == "cart=None user=bob"
