import json

import pytest

from wsgi_session_timeout import classify
from wsgi_session_timeout.expiry import ANONYMOUS_VERDICT, EXPIRED, IDLE, Verdict
from wsgi_session_timeout.responses import sign_in
from wsgi_session_timeout.settings import parse

EXPIRED_IDLE = Verdict(EXPIRED, IDLE, None, None)
ENV = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "HTTP_HOST": "example.com",
       "SCRIPT_NAME": "/app", "PATH_INFO": "/api/data", "QUERY_STRING": "",
       "HTTP_REFERER": "http://example.com/app/page?tab=2"}


def answer(kind, consulted, verdict, environ, settings):
    """``(status, headers, body as sent)`` of the middleware's answer."""
    response = sign_in(kind, consulted, verdict, environ, settings)
    body = b"" if environ["REQUEST_METHOD"] == "HEAD" else response.body
    return response.status, response.headerlist, body


def headers_of(result):
    return dict(result[1])


@pytest.mark.parametrize("method, status", [
    ("GET", "302 Found"), ("HEAD", "302 Found"), ("POST", "303 See Other"), ("DELETE", "303 See Other"),
])
def test_navigation_redirects_with_the_page_itself(method, status):
    environ = dict(ENV, REQUEST_METHOD=method, PATH_INFO="/account", QUERY_STRING="x=1")
    result = answer(classify.NAVIGATION, ("Sec-Fetch-Mode",), EXPIRED_IDLE, environ, parse())
    assert result[0] == status
    assert headers_of(result)["Location"] == "/app/login?came_from=%2Fapp%2Faccount%3Fx%3D1"
    assert headers_of(result)["Vary"] == "Sec-Fetch-Mode, Cookie"
    assert headers_of(result)["Cache-Control"] == "no-store"
    assert (result[2] == b"") is (method == "HEAD")


@pytest.mark.parametrize("kind", [classify.XHR, classify.FETCH, classify.API])
def test_scripts_get_problem_json_with_the_referring_page(kind):
    status, headers, body = answer(kind, ("X-Requested-With",), EXPIRED_IDLE, ENV, parse())
    headers = dict(headers)
    assert status == "401 Unauthorized"
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["WWW-Authenticate"] == 'Session realm="app", error="session_expired"'
    assert headers["Cache-Control"] == "no-store"
    assert int(headers["Content-Length"]) == len(body)
    document = json.loads(body.decode("utf-8"))
    assert document["status"] == 401 and document["error"] == "session_expired"
    assert document["title"] == "Session expired" and document["reason"] == "idle"
    assert document["login_url"] == "/app/login?came_from=%2Fapp%2Fpage%3Ftab%3D2"
    assert "HX-Redirect" not in headers


def test_cross_origin_referer_gives_no_came_from():
    environ = dict(ENV, HTTP_REFERER="http://evil.com/x")
    document = json.loads(answer(classify.XHR, (), ANONYMOUS_VERDICT, environ, parse())[2].decode("utf-8"))
    assert document["login_url"] == "/app/login"
    assert document["error"] == "login_required" and document["title"] == "Sign-in required"


def test_htmx_redirects_to_the_current_url():
    environ = dict(ENV, HTTP_HX_CURRENT_URL="http://example.com/app/board#x")
    headers = headers_of(answer(classify.HTMX, (), EXPIRED_IDLE, environ, parse()))
    assert headers["HX-Redirect"] == "/app/login?came_from=%2Fapp%2Fboard"


def test_htmx_falls_back_to_the_referer():
    headers = headers_of(answer(classify.HTMX, (), EXPIRED_IDLE, ENV, parse()))
    assert headers["HX-Redirect"] == "/app/login?came_from=%2Fapp%2Fpage%3Ftab%3D2"


def test_htmx_ignores_a_foreign_current_url():
    environ = dict(ENV, HTTP_HX_CURRENT_URL="https://evil.com/", HTTP_REFERER="")
    assert headers_of(answer(classify.HTMX, (), EXPIRED_IDLE, environ, parse()))["HX-Redirect"] == "/app/login"


def test_legacy_envelope():
    status, headers, body = answer(classify.XHR, (), EXPIRED_IDLE, ENV, parse(xhr_status=200))
    assert status == "200 OK" and dict(headers)["Content-Type"] == "application/json"
    assert "WWW-Authenticate" not in dict(headers)
    assert json.loads(body.decode("utf-8")) == {
        "success": False, "error": "session_expired",
        "login_url": "/app/login?came_from=%2Fapp%2Fpage%3Ftab%3D2"}


@pytest.mark.parametrize("code, line", [(403, "403 Forbidden"), (419, "419 Session Expired"),
                                        (440, "440 Session Expired"), (599, "599 Session Expired")])
def test_configured_status(code, line):
    status, _, body = answer(classify.XHR, (), EXPIRED_IDLE, ENV, parse(xhr_status=code))
    assert status == line and json.loads(body.decode("utf-8"))["status"] == code


def test_scheme_and_realm_are_configurable_and_quoted():
    settings = parse(auth_scheme="MyApp", realm='say "hi"\\')
    headers = headers_of(answer(classify.API, (), ANONYMOUS_VERDICT, ENV, settings))
    assert headers["WWW-Authenticate"] == 'MyApp realm="say \\"hi\\"\\\\", error="login_required"'


def test_navigation_page_escapes_the_link():
    environ = dict(ENV, PATH_INFO='/a"<b>', QUERY_STRING="")
    body = answer(classify.NAVIGATION, (), EXPIRED_IDLE, environ, parse())[2].decode("utf-8")
    assert "<b>" not in body and "href=\"/app/login?came_from=%2Fapp%2Fa%2522%253Cb%253E\"" in body
