"""Whether an app's redirect goes to the login page, at the edges: an absolute login URL
(a single sign-on host), malformed ``Location`` and ``Host`` values. The pure rule
(:func:`urls.is_login_location`), then the same cases end to end: an app's redirect to
the login page is turned into the sign-in answer for a script, and any other redirect
passes untouched."""

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.urls import is_login_location, same_origin_path

from .conftest import NAV, XHR

ENV = {"wsgi.url_scheme": "http", "HTTP_HOST": "example.com", "SCRIPT_NAME": "",
       "PATH_INFO": "/"}
SSO = "https://sso.example.com/login"


@pytest.mark.parametrize("location, login_url, expected", [
    pytest.param("", "/login", False, id="empty"),
    pytest.param(None, "/login", False, id="missing"),
    pytest.param("http://[::1/login", "/login", False, id="broken-ipv6"),
    pytest.param(SSO, SSO, True, id="sso"),
    pytest.param(SSO + "?came_from=%2Fa", SSO, True, id="sso-with-query"),
    pytest.param("https://SSO.example.com/login", SSO, True, id="sso-host-case"),
    pytest.param("https://sso.example.org/login", SSO, False, id="sso-other-host"),
    pytest.param("https://sso.example.com/logout", SSO, False, id="sso-other-path"),
    pytest.param("/login", SSO, False, id="relative-against-sso"),
    pytest.param("http://example.com/login", "/login", True, id="absolute-own-origin"),
    pytest.param("http://example.org/login", "/login", False, id="absolute-other-host"),
])
def test_is_login_location(location, login_url, expected):
    assert is_login_location(location, ENV, login_url) is expected


def test_a_host_header_that_is_not_one_matches_no_origin():
    environ = dict(ENV, HTTP_HOST="[::1")
    assert same_origin_path("http://[::1]/page", environ) is None
    assert is_login_location("http://[::1]/login", environ, "/login") is False


# -- end to end ----------------------------------------------------------------------------

def redirecting(environ, start_response):
    """Sends every request where its query says (an app's own "please sign in")."""
    start_response("302 Found", [("Location", environ["QUERY_STRING"]),
                                 ("Content-Type", "text/plain")])
    return [b"elsewhere"]


@pytest.fixture
def sso_app(clock, memory):
    return webtest.TestApp(SessionTimeoutMiddleware(redirecting, memory, clock=clock,
                                                    login_url=SSO), lint=True)


def test_an_apps_redirect_to_the_sign_on_host_is_a_sign_in_answer_for_scripts(sso_app):
    response = sso_app.get("/orders?" + SSO + "?came_from=%2Forders", status=401,
                           headers=dict(XHR, Referer="http://localhost/cart"))
    assert response.json["error"] == "login_required"
    assert response.json["login_url"] == SSO + "?came_from=%2Fcart"  # the page it is on
    # A navigation follows it as it is.
    nav = sso_app.get("/orders?" + SSO, headers=NAV, status=302)
    assert nav.headers["Location"] == SSO


@pytest.mark.parametrize("location", [
    "https://sso.example.org/login", "https://sso.example.com/welcome", "/login",
    "http://[::1/login",
])
def test_any_other_redirect_passes_untouched(sso_app, location):
    response = sso_app.get("/orders?" + location, headers=XHR, status=302)
    assert response.headers["Location"] == location
    assert response.text == "elsewhere"
