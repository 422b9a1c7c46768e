"""The generated Pylons project with the one-line change, loaded with
``paste.deploy.loadapp`` and driven through WebTest: the whole Pylons stack
(Cascade, RegistryManager, StatusCodeRedirect, ErrorHandler, Routes, controllers)."""
from __future__ import absolute_import

import pytest

from .helpers import (ABSOLUTE, IDLE, MARKS, NAV, TOUCH, XHR, check_expires_in,
                      check_problem)

pytestmark = MARKS

COOKIE = "timeoutdemo"  # beaker.session.key in the generated development.ini


@pytest.fixture(scope="session", params=["test.ini", "production.ini"],
                ids=["debug", "production"])
def wsgi_app(request, pylons_project, server_clock):
    """The project as ``paster serve`` would load it: Pylons' debug stack (EvalException,
    StatusCodeRedirect for 400/401/403/404) and its production stack (ErrorMiddleware,
    StatusCodeRedirect for 400/401/403/404/500)."""
    from paste.deploy import loadapp

    return loadapp("config:" + request.param, relative_to=pylons_project.root)


@pytest.fixture
def browser(wsgi_app):
    """A fresh cookie jar on the loaded app."""
    from webtest import TestApp

    return TestApp(wsgi_app)


def headers_of(response):
    return dict((name.lower(), value) for name, value in response.headerlist)


def sign_in(browser, name="alice", came_from="/account"):
    response = browser.post("/login", {"name": name, "came_from": came_from}, status=303)
    assert response.headers["Location"].endswith(came_from)
    return response


def problem(response, error):
    return check_problem(response.status_int, headers_of(response), response.body, error)


def test_navigation_without_session_is_sent_to_login_and_back(browser):
    response = browser.get("/account", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Faccount"

    form = browser.get(response.headers["Location"], status=200)
    assert 'name="came_from" value="/account"' in form.text

    response = sign_in(browser, came_from="/account")
    page = response.follow(headers=NAV, status=200)
    assert page.text == "Hello alice, visit 1 (theme: -)"
    check_expires_in(headers_of(page), IDLE)


def test_idle_timeout_gives_xhr_a_401_problem(browser, server_clock):
    sign_in(browser)
    data = browser.get("/account/data", headers=XHR, status=200)
    assert data.json["user"] == "alice"

    server_clock.advance(IDLE + 1)
    response = browser.get("/account/data", headers=XHR, status=401)
    document = problem(response, "session_expired")
    assert document["reason"] == "idle"
    # The dead session's cookie is dropped...
    assert any(value.startswith(COOKIE + "=;") for name, value in response.headerlist
               if name == "Set-Cookie"), response.headerlist
    # ...and the next script request is still told why.
    problem(browser.get("/account/data", headers=XHR, status=401), "session_expired")


def test_idle_timeout_sends_navigation_to_login_with_came_from(browser, server_clock):
    sign_in(browser)
    browser.get("/account", status=200)
    browser.get("/account", status=200)

    server_clock.advance(IDLE + 1)
    response = browser.get("/account", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Faccount"

    response.follow(status=200)
    page = sign_in(browser, came_from="/account").follow(status=200)
    assert page.text == "Hello alice, visit 1 (theme: -)"  # the expired session's data is gone


def test_activity_keeps_the_session_alive(browser, server_clock):
    sign_in(browser)
    for _ in range(3):  # 3 x 800 s: longer than the idle timeout in total
        server_clock.advance(IDLE - 100)
        check_expires_in(headers_of(browser.get("/account", status=200)), IDLE)


def test_absolute_timeout_ends_even_an_active_session(browser, server_clock):
    sign_in(browser)
    for _ in range(4):
        server_clock.advance(800)
        page = browser.get("/account/data", headers=XHR, status=200)
    check_expires_in(headers_of(page), ABSOLUTE - 4 * 800)

    server_clock.advance(ABSOLUTE - 4 * 800 + 1)
    document = problem(browser.get("/account/data", headers=XHR, status=401), "session_expired")
    assert document["reason"] == "absolute"


def test_json_action_works_signed_in(browser):
    sign_in(browser)
    response = browser.get("/account/data", headers=XHR, status=200)
    assert response.content_type == "application/json"
    assert response.json == {"user": "alice", "visits": 0, "theme": None}
    check_expires_in(headers_of(response), IDLE)


def test_sign_out_then_script_is_told_login_required(browser):
    sign_in(browser)
    old_cookie = browser.cookies[COOKIE]
    response = browser.post("/logout", status=303)
    assert response.headers["Location"].endswith("/login")

    problem(browser.get("/account/data", headers=XHR, status=401), "login_required")
    response = browser.get("/account", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Faccount"

    # Replaying the signed-in cookie does not sign anyone in.
    browser.reset()
    browser.set_cookie(COOKIE, old_cookie)
    problem(browser.get("/account/data", headers=XHR, status=401), "login_required")


def test_session_writes_survive_sign_in_and_activity_writes(browser, server_clock):
    assert browser.get("/prefs?theme=dark", status=200).text == "theme: dark"
    anonymous_id = browser.cookies[COOKIE]

    sign_in(browser)
    assert browser.cookies[COOKIE] != anonymous_id  # a new id for the signed-in session
    assert browser.get("/account", status=200).text == "Hello alice, visit 1 (theme: dark)"
    assert browser.get("/account", status=200).text == "Hello alice, visit 2 (theme: dark)"

    # The middleware records activity (a session write) in the same request in which
    # the controller writes its counter: neither write may be lost.
    server_clock.advance(TOUCH + 1)
    page = browser.get("/account", status=200)
    assert page.text == "Hello alice, visit 3 (theme: dark)"
    check_expires_in(headers_of(page), IDLE)
    server_clock.advance(TOUCH + 1)
    data = browser.get("/account/data", headers=XHR, status=200)
    assert data.json == {"user": "alice", "visits": 3, "theme": "dark"}
    assert browser.get("/account", status=200).text == "Hello alice, visit 4 (theme: dark)"

    # The pre-sign-in id is dead: replaying it is not signed in.
    browser.reset()
    browser.set_cookie(COOKIE, anonymous_id)
    problem(browser.get("/account/data", headers=XHR, status=401), "login_required")


def test_app_401_outside_protected_paths_becomes_the_middlewares_answer(browser):
    problem(browser.get("/report", headers=XHR, status=401), "login_required")
    response = browser.get("/report", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?came_from=%2Freport"

    sign_in(browser, came_from="/report")
    assert browser.get("/report", status=200).text == "Report for alice"


def test_pylons_error_documents_still_render_the_apps_own_errors(browser):
    response = browser.get("/no/such/page", status=404)
    assert "Server Error 404" in response.text


def test_middleware_endpoints_answer_through_pylons(browser):
    sign_in(browser)
    status = browser.get("/_session/status", headers=XHR, status=200)
    assert status.json["authenticated"] is True
    # A refused extend (not a same-origin script) is the middleware's own 403: Pylons'
    # StatusCodeRedirect must not render its HTML error page over it either.
    refused = browser.post("/_session/extend", status=403)
    assert refused.content_type == "application/problem+json", refused.text[:200]


def test_freeze_clock_moves_the_middleware_inside_the_pylons_stack(browser):
    """The in-process test examples/pylons/README.md shows."""
    from wsgi_session_timeout import testing

    with testing.freeze_clock(browser) as clock:
        testing.sign_in(browser, "alice")
        assert browser.get("/account", status=200).text.startswith("Hello alice")
        clock.advance(IDLE + 1)
        testing.assert_session_expired(browser.get("/account", status=302),
                                       kind="navigation", came_from="/account")
