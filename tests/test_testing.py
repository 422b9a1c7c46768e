"""The testing helpers and the pytest plugin, against a real middleware over real Beaker
(memory backend) through WebTest with lint on."""

import json
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

import pytest
import webob
from beaker.middleware import SessionMiddleware
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, classify, testing
from wsgi_session_timeout.testing import (
    DEFAULT_START, KINDS, ManualClock, assert_login_required, assert_redirects_to_login,
    assert_session_expired, assert_signed_in, freeze_clock, request_headers, sign_in,
    sign_out)

pytest_plugins = "pytester"

MEMORY = {"beaker.session.type": "memory", "beaker.session.secret": "x"}
GUARDED = dict(protected_paths=["/account", "/api"], idle_timeout=1800)


def inner(environ, start_response):
    """The app behind the middleware: says who is signed in; ``/elsewhere`` redirects to
    the login page itself, with an absolute URL, as WebOb-based apps do."""
    path = environ.get("PATH_INFO", "")
    if path == "/elsewhere":
        start_response("302 Found", [
            ("Location", "http://localhost/login?came_from=%2Felsewhere"),
            ("Content-Type", "text/plain")])
        return [b"go"]
    if path == "/long":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"x" * 5000]
    user = environ["beaker.session"].get("user")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [("%s user=%s" % (path, user)).encode("utf-8")]


def make(clock=None, config=MEMORY, **options):
    """A TestApp over the middleware running Beaker itself."""
    options = dict(GUARDED, **options)
    middleware = SessionTimeoutMiddleware(inner, config, clock=clock or ManualClock(),
                                          **options)
    return webtest.TestApp(middleware, lint=True)


class Wrapper(object):
    """Some other middleware outside, keeping its app where Paste-era ones do."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        return self.application(environ, start_response)


class Mount(object):
    """A router mounting an app under a prefix; anything else is a 404."""

    def __init__(self, prefix, app):
        self.prefix = prefix
        self.apps = {prefix: app}

    def __call__(self, environ, start_response):
        path = environ["PATH_INFO"]
        if path.startswith(self.prefix + "/"):
            environ["SCRIPT_NAME"] += self.prefix
            environ["PATH_INFO"] = path[len(self.prefix):]
            return self.apps[self.prefix](environ, start_response)
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no such page"]


def signed_in_as(app, path="/account"):
    return app.get(path).text.rsplit("user=", 1)[1]


# -- ManualClock ------------------------------------------------------------------------

def test_manual_clock_starts_at_a_fixed_realistic_time():
    clock = ManualClock()
    assert clock() == DEFAULT_START == 1700000000.0
    assert ManualClock(5)() == 5.0
    assert repr(ManualClock(5)) == "ManualClock(5.0)"


def test_manual_clock_moves_only_when_told():
    clock = ManualClock()
    assert clock.advance(10) == DEFAULT_START + 10
    assert clock.advance(timedelta(minutes=1)) == DEFAULT_START + 70
    assert clock() == DEFAULT_START + 70
    assert clock.set(100) == 100.0
    assert clock() == 100.0


@pytest.mark.parametrize("call, error", [
    pytest.param(lambda c: c.advance(-1), ValueError, id="advance-back"),
    pytest.param(lambda c: c.advance("10"), TypeError, id="advance-text"),
    pytest.param(lambda c: c.set(True), TypeError, id="set-bool"),
    pytest.param(lambda c: ManualClock(None), TypeError, id="start-none"),
])
def test_manual_clock_refuses_bad_amounts(call, error):
    with pytest.raises(error) as info:
        call(ManualClock())
    assert "got" in str(info.value)


def test_session_clock_fixture_is_a_manual_clock_at_the_default_start(session_clock):
    assert isinstance(session_clock, ManualClock)
    assert session_clock() == DEFAULT_START


def test_idle_and_absolute_expiry_follow_the_manual_clock():
    clock = ManualClock()
    app = make(clock, absolute_timeout=3600)
    sign_in(app, "alice")
    clock.advance(1799)
    assert_signed_in(app.get("/account"), expires_in=1800)  # activity resets the idle clock
    clock.advance(1799)
    assert_signed_in(app.get("/account"), expires_in=2)  # the absolute one comes first
    clock.advance(2)
    assert_session_expired(app.get("/api/me", headers=request_headers("xhr"), status=401),
                           kind="xhr", reason="absolute")


# -- freeze_clock -------------------------------------------------------------------------

def test_freeze_clock_moves_an_already_built_middleware_and_restores_it():
    original = ManualClock(1234)
    app = make(original)
    middleware = app.app
    with freeze_clock(app) as clock:
        assert middleware.settings.clock is clock
        assert clock() == 1234  # continues from the middleware's own clock
        sign_in(app, "alice")
        clock.advance(1800)
        assert_session_expired(app.get("/account", status=302), kind="navigation")
    assert middleware.settings.clock is original


def test_freeze_clock_on_the_real_clock():
    app = webtest.TestApp(SessionTimeoutMiddleware(inner, MEMORY, **GUARDED), lint=True)
    sign_in(app, "alice")
    before = time.time()
    with freeze_clock(app) as clock:
        assert before <= clock() <= time.time()
        clock.advance(1800)
        assert_session_expired(app.get("/api/x", headers=request_headers("api"), status=401),
                               reason="idle")
    assert app.app.settings.clock is time.time


def test_freeze_clock_at_a_given_time_restores_after_an_error():
    middleware = SessionTimeoutMiddleware(inner, MEMORY)
    with pytest.raises(KeyError):
        with freeze_clock(middleware, at=42) as clock:
            assert middleware.settings.clock() == 42 and clock.now == 42
            raise KeyError("boom")
    assert middleware.settings.clock is time.time


def test_freeze_clock_reaches_every_middleware_behind_routers_and_wrappers():
    first = SessionTimeoutMiddleware(inner, MEMORY)
    second = SessionTimeoutMiddleware(inner, MEMORY)
    stack = Wrapper(Mount("/a", [Wrapper(first), {"b": second}]))
    with freeze_clock(webtest.TestApp(stack)) as clock:
        assert first.settings.clock is clock and second.settings.clock is clock


def test_freeze_clock_without_a_middleware_says_where_it_looked():
    with pytest.raises(ValueError) as info:
        with freeze_clock(webtest.TestApp(inner)):
            pass  # pragma: no cover
    assert "found no SessionTimeoutMiddleware" in str(info.value)
    assert "wrap_app" in str(info.value)


# -- sign_in / sign_out -------------------------------------------------------------------

def test_sign_in_sets_the_real_cookies_and_signs_in():
    app = make()
    middleware = app.app
    inner_app = middleware.app
    assert_login_required(app.get("/account", status=302))
    response = sign_in(app, "alice")
    assert response.status_int == 204
    assert response.headers["Session-Expires-In"] == "1800"
    assert set(app.cookies) == set(["beaker.session.id", "beaker.session.id.activity"])
    assert middleware.app is inner_app
    assert signed_in_as(app) == "alice"
    sign_in(app, "bob")
    assert signed_in_as(app) == "bob"


def test_sign_in_moves_the_session_to_a_new_id():
    app = make(protected_paths=None)
    app.get("/login")
    sign_out(app)  # an anonymous session with a stored record
    app.get("/account")
    before = app.cookies.get("beaker.session.id")
    sign_in(app, "alice")
    assert app.cookies["beaker.session.id"] != before


def test_sign_in_through_beaker_outside_the_middleware():
    middleware = SessionTimeoutMiddleware(inner, **GUARDED)
    app = webtest.TestApp(Wrapper(SessionMiddleware(middleware, MEMORY)), lint=True)
    sign_in(app, "alice")
    assert signed_in_as(app) == "alice"
    sign_out(app)
    assert_login_required(app.get("/account", status=302))


def test_sign_in_under_a_mount_point_needs_the_path():
    app = webtest.TestApp(Mount("/shop", SessionTimeoutMiddleware(inner, MEMORY, **GUARDED)),
                          lint=True)
    with pytest.raises(RuntimeError) as info:
        sign_in(app, "alice")
    message = str(info.value)
    assert "did not reach SessionTimeoutMiddleware's application" in message
    assert "Response: 404 Not Found" in message and "no such page" in message
    sign_in(app, "alice", path="/shop/login")
    assert signed_in_as(app, "/shop/account") == "alice"


def test_sign_in_on_a_guarded_path_says_so():
    app = make(login_url="https://sso.example/login", protected_paths=["/"])
    with pytest.raises(RuntimeError) as info:
        sign_in(app, "alice")
    assert "guards that path" in str(info.value)
    assert "Location: https://sso.example/login" in str(info.value)


def test_sign_in_puts_the_app_back_when_the_request_fails():
    middleware = SessionTimeoutMiddleware(inner, MEMORY)
    inner_app = middleware.app

    class Broken(Wrapper):
        def __call__(self, environ, start_response):
            raise KeyError("outer layer failed")

    with pytest.raises(KeyError):
        sign_in(webtest.TestApp(Broken(middleware)), "alice")
    assert middleware.app is inner_app


def test_sign_in_refuses_none():
    with pytest.raises(ValueError):
        sign_in(make(), None)


def test_sign_out_ends_the_session_for_good():
    app = make()
    sign_in(app, "alice")
    old = app.cookies["beaker.session.id"]
    response = sign_out(app)
    assert response.status_int == 204 and "Session-Expires-In" not in response.headers
    assert "beaker.session.id" not in app.cookies
    assert_login_required(app.get("/account", status=302), came_from="/account")
    app.set_cookie("beaker.session.id", old)  # a replayed cookie is not signed in
    assert_login_required(app.get("/api/x", headers=request_headers("fetch"), status=401))


# -- request_headers ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_request_headers_are_classified_as_their_kind(kind):
    environ = webob.Request.blank("/", headers=request_headers(kind)).environ
    assert classify.classify(environ)[0] == kind
    request_headers(kind).clear()
    assert request_headers(kind)


def test_request_headers_unknown_kind():
    with pytest.raises(ValueError) as info:
        request_headers("ajax")
    assert "navigation, xhr, fetch, api, htmx" in str(info.value)


# -- the assertions: passing on the right answers -------------------------------------------

def expired(kind, method="GET", reason="idle", path="/account", **options):
    """A real session-expired answer of ``kind``, and the app that gave it."""
    clock = ManualClock()
    app = make(clock, absolute_timeout=3600, **options)
    sign_in(app, "alice")
    app.get("/", headers={"Referer": "http://localhost/page"})
    clock.advance(1800 if reason == "idle" else 3600)
    headers = dict(request_headers(kind), Referer="http://localhost/page")
    response = app.request(path, method=method, headers=headers, status="*")
    return response


SCRIPTS = [k for k in KINDS if k != "navigation"]


@pytest.mark.parametrize("xhr_status", [401, 403, 200])
@pytest.mark.parametrize("kind", SCRIPTS)
def test_script_answers_pass(kind, xhr_status):
    response = expired(kind, xhr_status=xhr_status)
    reason = "idle" if xhr_status != 200 else None
    assert_session_expired(response, kind=kind, reason=reason, came_from="/page")
    assert_session_expired(response)  # the kind the request was sent as
    app = make(xhr_status=xhr_status)
    response = app.get("/api/x", headers=request_headers(kind), status=xhr_status)
    assert_login_required(response, kind=kind, came_from=None)


@pytest.mark.parametrize("method, status", [("GET", 302), ("HEAD", 302), ("POST", 303)])
def test_navigation_answers_pass(method, status):
    response = expired("navigation", method=method, reason="absolute")
    assert response.status_int == status
    assert_session_expired(response, kind="navigation", came_from="/account")
    assert_redirects_to_login(response, came_from="/account")
    response = make().request("/account?tab=2", method=method, status=status)
    assert_login_required(response, kind="navigation", came_from="/account?tab=2")


def test_answers_follow_the_middlewares_own_settings():
    options = dict(login_url="/signin?lang=en", came_from_param="next", xhr_status=403,
                   auth_scheme="Cookie", realm='my "shop"')
    response = expired("htmx", **options)
    assert response.headers["WWW-Authenticate"].startswith("Cookie ")
    assert_session_expired(response, kind="htmx", reason="idle", came_from="/page")
    response = expired("navigation", **options)
    assert_session_expired(response, kind="navigation", came_from="/account")
    assert_redirects_to_login(response, came_from="/account", login_url="/signin?lang=en")


def test_answers_under_a_mount_point():
    app = webtest.TestApp(Mount("/shop", SessionTimeoutMiddleware(inner, MEMORY, **GUARDED)),
                          lint=True)
    response = app.get("/shop/account", status=302)
    assert response.headers["Location"] == "/shop/login?came_from=%2Fshop%2Faccount"
    assert_login_required(response, kind="navigation", came_from="/shop/account")


def test_an_absolute_login_url():
    app = make(login_url="https://sso.example/login?app=1")
    response = app.get("/account", status=302)
    assert_login_required(response, came_from="/account")
    response = app.get("/api/x", headers=request_headers("api"), status=401)
    assert_login_required(response, came_from=None)


def test_the_apps_own_redirect_to_login():
    response = make().get("/elsewhere", status=302)
    assert_redirects_to_login(response, came_from="/elsewhere")


def test_a_response_without_a_testapp_uses_the_given_middleware_or_the_defaults():
    middleware = SessionTimeoutMiddleware(inner, MEMORY, xhr_status=200, **GUARDED)
    request = webob.Request.blank("/api/x", headers=request_headers("xhr"))
    response = request.get_response(middleware)  # no .request, no .test_app: say more
    assert_login_required(response, kind="xhr", middleware=middleware)
    assert_login_required(response, kind="xhr", middleware=Wrapper(middleware))
    with pytest.raises(AssertionError) as info:
        assert_login_required(response, kind="xhr")
    assert "status is 200 OK, expected 401 (the default xhr_status)" in str(info.value)


def test_assert_signed_in_passes():
    app = make()
    sign_in(app, "alice")
    assert_signed_in(app.get("/account"), expires_in=1800)
    assert_signed_in(app.get("/api/x", headers=request_headers("xhr")))


# -- the assertions: failing, and saying why ------------------------------------------------

def fails(assertion, response, *args, **kwargs):
    """The AssertionError's message, which must always show what was received."""
    with pytest.raises(AssertionError) as info:
        assertion(response, *args, **kwargs)
    message = str(info.value)
    assert "Response: %s" % response.status in message
    return message


def test_a_signed_in_page_is_no_expiry_answer():
    app = make()
    sign_in(app, "alice")
    response = app.get("/account")
    message = fails(assert_session_expired, response, kind="navigation")
    assert "Expected a session-expired answer for a browser navigation, but:" in message
    assert "status is 200 OK, expected 302 (a redirect to the login page)" in message
    assert "Session-Expires-In is set: the session is signed in" in message
    assert "no Location: expected the login URL /login" in message
    assert "  Session-Expires-In: 1800" in message
    assert "Body:\n  /account user=alice" in message
    message = fails(assert_session_expired, response, kind="xhr")
    assert "the request was sent as a browser navigation" in message
    assert "send it with headers=request_headers('xhr')" in message
    assert "the body is not a JSON object" in message
    assert "no WWW-Authenticate header" in message
    assert "Content-Type is 'text/plain; charset=utf-8', expected application/problem+json" \
        in message


def test_expired_is_not_required_and_back():
    response = expired("xhr")
    message = fails(assert_login_required, response, kind="xhr")
    assert "the body's 'error' is 'session_expired', expected 'login_required'" in message
    assert 'WWW-Authenticate has no error="login_required"' in message
    assert '  WWW-Authenticate: Session realm="app", error="session_expired"' in message
    assert '"error": "session_expired"' in message
    response = expired("navigation")
    message = fails(assert_login_required, response, kind="navigation")
    assert "the page's title is not 'Sign-in required'" in message


def test_wrong_reason_came_from_and_kind():
    response = expired("fetch", reason="idle")
    message = fails(assert_session_expired, response, kind="fetch", reason="absolute",
                    came_from="/other")
    assert "the body's 'reason' is 'idle', expected 'absolute'" in message
    assert "login_url's came_from is '/page', expected '/other'" in message
    message = fails(assert_session_expired, response, kind="htmx")
    assert "the request was sent as a fetch() request" in message
    assert "HX-Redirect is None, expected the login_url '/login?came_from=%2Fpage'" in message
    message = fails(assert_session_expired, expired("htmx"), kind="xhr")
    assert "HX-Redirect is set, but only htmx requests get it" in message


def test_envelope_and_status_mismatches():
    response = expired("xhr", xhr_status=200)
    message = fails(assert_session_expired, response, reason="idle")
    assert "the xhr_status=200 envelope does not carry a reason" in message
    other = SessionTimeoutMiddleware(inner, MEMORY, xhr_status=403, realm="other")
    message = fails(assert_session_expired, response, middleware=other)
    assert "status is 200 OK, expected 403 (the middleware's xhr_status)" in message
    assert "Content-Type is 'application/json', expected application/problem+json" in message
    assert "the body has no 'status' field, expected 403" in message
    message = fails(assert_session_expired, expired("xhr"),
                    middleware=SessionTimeoutMiddleware(inner, MEMORY, auth_scheme="Bearer"))
    assert "WWW-Authenticate's scheme is 'Session', expected 'Bearer'" in message
    message = fails(assert_session_expired, expired("api"),
                    middleware=SessionTimeoutMiddleware(inner, MEMORY, realm="shop"))
    assert 'WWW-Authenticate has no realm="shop"' in message


def test_redirects_to_login_failures():
    app = make()
    message = fails(assert_redirects_to_login, app.get("/long"))
    assert "status is 200 OK, expected a redirect (301, 302, 303, 307, 308)" in message
    assert "Body (first 600 of 5000 characters):\n  " + "x" * 600 + "\n" in message + "\n"
    response = app.get("/account", status=302)
    message = fails(assert_redirects_to_login, response, login_url="/signin", came_from=None)
    assert "Location '/login?came_from=%2Faccount' is not the login URL '/signin' " \
           "(the given login_url)" in message
    assert "Location's came_from is '/account', expected None" in message
    message = fails(assert_redirects_to_login, response,
                    middleware=SessionTimeoutMiddleware(inner, MEMORY, login_url="/in"))
    assert "is not the login URL '/in' (the middleware's login_url)" in message


def test_redirect_to_another_host_is_not_to_login():
    response = webob.Response(status=302, location="http://evil.example/login")
    response.request = webob.Request.blank("/account")
    message = fails(assert_redirects_to_login, response)
    assert "is not the login URL '/login' (the default login_url)" in message
    assert "Request: GET /account" in message


def test_a_response_with_no_cache_control_or_vary():
    response = webob.Response(status=401, content_type="application/problem+json",
                              body=json.dumps({"error": "x"}).encode("ascii"))
    message = fails(assert_login_required, response, kind="api")
    assert "Cache-Control has no no-store" in message
    assert "Vary does not name Accept" in message
    assert "the body has no login_url" in message
    assert "the body has no 'status' field, expected 401" in message


def test_assert_signed_in_failures():
    app = make()
    message = fails(assert_signed_in, app.get("/account", status=302))
    assert "no Session-Expires-In header" in message
    sign_in(app, "alice")
    message = fails(assert_signed_in, app.get("/account"), expires_in=60)
    assert "Session-Expires-In is 1800, expected 60" in message


@pytest.mark.parametrize("call", [
    pytest.param(lambda r: assert_session_expired(r, kind="ajax"), id="kind"),
    pytest.param(lambda r: assert_session_expired(r, reason="old"), id="reason"),
    pytest.param(lambda r: assert_session_expired(r, kind="navigation", reason="idle"),
                 id="navigation-reason"),
    pytest.param(lambda r: assert_login_required(webob.Response()), id="no-request"),
])
def test_assertions_refuse_bad_arguments(call):
    with pytest.raises(ValueError):
        call(make().get("/account", status=302))


def test_several_middlewares_that_agree():
    app = webtest.TestApp(Mount("/a", SessionTimeoutMiddleware(inner, MEMORY, **GUARDED)))
    app.app.apps["/b"] = SessionTimeoutMiddleware(inner, MEMORY, **GUARDED)
    assert_login_required(app.get("/a/account", status=302), came_from="/a/account")


def test_the_search_walks_past_attributes_that_fail():
    middleware = SessionTimeoutMiddleware(inner, MEMORY)

    class Odd(Wrapper):
        @property
        def app(self):
            raise RuntimeError("not configured")

    with freeze_clock(Odd(middleware)) as clock:
        assert middleware.settings.clock is clock


def test_came_from_is_not_checked_unless_asked():
    assert repr(assert_redirects_to_login.__defaults__[0]) == "<any>"


def test_a_navigation_answer_without_its_request():
    response = webob.Response(
        status=303, location="/login?came_from=%2Fx", cache_control="no-store",
        body=b"<title>Sign-in required</title>", content_type="text/html")
    assert_login_required(response, kind="navigation", came_from="/x")


def test_several_middlewares_that_disagree_need_middleware():
    a = SessionTimeoutMiddleware(inner, MEMORY, **GUARDED)
    b = SessionTimeoutMiddleware(inner, MEMORY, login_url="/other")
    app = webtest.TestApp(Mount("/a", a), lint=True)
    app.app.apps["/b"] = b
    response = app.get("/a/account", status=302)
    with pytest.raises(ValueError) as info:
        assert_login_required(response)
    assert "disagree on login_url" in str(info.value)
    assert_login_required(response, middleware=a)


# -- the pytest plugin ------------------------------------------------------------------------

@pytest.fixture
def inner_pytest(request):
    """``pytester`` on pytest 7+, ``testdir`` before it; each warns on neither."""
    name = "pytester" if hasattr(pytest, "Pytester") else "testdir"
    runner = request.getfixturevalue(name)
    runner.makeini("[pytest]\nfilterwarnings =\n    error\n")
    return runner


def test_plugin_fixture_is_fresh_for_each_test(inner_pytest):
    inner_pytest.makepyfile(test_clock=textwrap.dedent("""
        from wsgi_session_timeout.testing import DEFAULT_START

        def test_moves(session_clock):
            session_clock.advance(3600)
            assert session_clock() == DEFAULT_START + 3600

        def test_fresh(session_clock):
            assert session_clock() == DEFAULT_START
    """))
    result = inner_pytest.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_plugin_readme_example(inner_pytest):
    inner_pytest.makepyfile(test_readme=textwrap.dedent("""
        import pytest
        import webtest

        from wsgi_session_timeout import SessionTimeoutMiddleware
        from wsgi_session_timeout.testing import (
            assert_login_required, assert_session_expired, assert_signed_in,
            request_headers, sign_in, sign_out)

        def my_app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]

        @pytest.fixture
        def testapp(session_clock):
            return webtest.TestApp(SessionTimeoutMiddleware(
                my_app, {"beaker.session.type": "memory", "beaker.session.secret": "x"},
                idle_timeout=1800, protected_paths=["/account", "/api"],
                clock=session_clock))

        def test_idle_session_expires(testapp, session_clock):
            sign_in(testapp, "alice")
            assert_signed_in(testapp.get("/account"))
            session_clock.advance(1800)
            response = testapp.get("/api/me", headers=request_headers("xhr"), status=401)
            assert_session_expired(response, kind="xhr", reason="idle")

        def test_sign_out(testapp):
            sign_in(testapp, "alice")
            sign_out(testapp)
            response = testapp.get("/account", status=302)
            assert_login_required(response, kind="navigation", came_from="/account")
    """))
    result = inner_pytest.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_plugin_is_registered_under_its_documented_name(inner_pytest):
    inner_pytest.makepyfile(test_off="def test_off(session_clock):\n    pass\n")
    result = inner_pytest.runpytest("-p", "no:cacheprovider", "-p", "no:wsgi_session_timeout")
    outcomes = result.parseoutcomes()  # "error" on pytest 4.6, "errors" later
    assert outcomes.get("error", outcomes.get("errors")) == 1
    result.stdout.fnmatch_lines(["*fixture 'session_clock' not found*"])


def test_plugin_imports_neither_webtest_nor_the_helpers():
    code = ("import sys; import pytest_wsgi_session_timeout; "
            "print(sorted(m for m in ('webtest', 'wsgi_session_timeout', 'beaker', 'webob') "
            "if m in sys.modules))")
    output = subprocess.check_output([sys.executable, "-W", "error", "-c", code])
    assert output.decode("ascii").strip() == "[]"


def test_testing_module_does_not_import_webtest():
    code = "import sys; import wsgi_session_timeout.testing; print('webtest' in sys.modules)"
    # WebOb 1.8 imports the cgi module, deprecated on Python 3.11 and 3.12: not ours.
    output = subprocess.check_output([sys.executable, "-W", "error", "-W",
                                      "ignore:'cgi' is deprecated:DeprecationWarning", "-c",
                                      code])
    assert output.decode("ascii").strip() == "False"
    assert testing.__all__ and all(getattr(testing, name).__doc__ for name in testing.__all__
                                   if name not in ("DEFAULT_START", "KINDS"))
