"""status, extend and client.js, and passive requests."""

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps
from .test_middleware import CountingMemory, counting  # noqa: F401 (fixture)
from .conftest import XHR

MARKER = "beaker.session.id.activity"  # the activity cookie, named after the session cookie

OPTIONS = dict(protected_paths=["/account", "/api"], idle_timeout=600, absolute_timeout=3600)
SAME_ORIGIN = dict(XHR, **{"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})


@pytest.fixture
def app(make):
    return make(**OPTIONS)


def sign_in(app):
    app.post("/login")


def test_status_when_never_signed_in(app):
    response = app.get("/_session/status", headers={"Referer": "http://localhost/orders?p=2"})
    assert response.json == {"authenticated": False, "expires_in": None,
                             "idle_expires_in": None, "absolute_expires_in": None,
                             "login_url": "/login?came_from=%2Forders%3Fp%3D2"}
    assert response.headers["Cache-Control"] == "no-store"


def test_status_reports_both_clocks(app, clock):
    sign_in(app)
    clock.advance(100)
    assert app.get("/_session/status").json == {
        "authenticated": True, "expires_in": 500, "idle_expires_in": 500,
        "absolute_expires_in": 3500}


def test_polling_status_never_keeps_a_session_alive(app, clock):
    sign_in(app)
    for _ in range(20):
        clock.advance(30)
        response = app.get("/_session/status")
        assert MARKER not in response.headers.get("Set-Cookie", "")
    clock.advance(1)
    assert app.get("/_session/status").json["authenticated"] is False
    assert app.get("/api/x", headers=XHR, status=401).json["error"] == "session_expired"


def test_status_never_writes_or_creates_a_session(counting, clock):  # noqa: F811
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, counting, clock=clock, **OPTIONS), lint=True)
    response = app.get("/_session/status")
    assert "Set-Cookie" not in response.headers and CountingMemory.calls == []
    sign_in(app)
    clock.advance(601)  # expired: status reports it but does not end the session
    del CountingMemory.calls[:]
    response = app.get("/_session/status")
    assert response.json["authenticated"] is False
    assert "set" not in CountingMemory.calls and "Set-Cookie" not in response.headers


def test_extend_counts_as_activity(app, clock):
    sign_in(app)
    clock.advance(590)
    response = app.post("/_session/extend", headers=SAME_ORIGIN)
    assert response.json["idle_expires_in"] == 600 and response.json["authenticated"] is True
    assert response.headers["Session-Expires-In"] == "600"
    clock.advance(590)
    assert app.get("/account").status_int == 200


def test_extend_never_passes_the_absolute_timeout(app, clock):
    sign_in(app)
    for _ in range(6):
        clock.advance(590)
        app.post("/_session/extend", headers=SAME_ORIGIN)
    clock.advance(50)  # 3590 s after sign-in
    response = app.post("/_session/extend", headers=SAME_ORIGIN)
    assert response.json["expires_in"] == 10 and response.json["absolute_expires_in"] == 10
    clock.advance(10)
    response = app.post("/_session/extend", headers=SAME_ORIGIN, status=401)
    assert (response.json["error"], response.json["reason"]) == ("session_expired", "absolute")


def test_extend_after_expiry_gets_the_expiry_answer(app, clock):
    sign_in(app)
    clock.advance(601)
    assert app.post("/_session/extend", headers=SAME_ORIGIN, status=401).json["error"] == "session_expired"


@pytest.mark.parametrize("headers", [
    pytest.param({}, id="plain-form-post"),
    pytest.param({"Sec-Fetch-Site": "same-origin"}, id="no-x-requested-with"),
    pytest.param(dict(XHR, **{"Sec-Fetch-Site": "cross-site"}), id="cross-site"),
    pytest.param(dict(XHR, **{"Sec-Fetch-Site": "same-site"}), id="sibling-subdomain"),
    pytest.param(dict(XHR, Origin="http://evil.example"), id="foreign-origin"),
    pytest.param(dict(XHR, Origin="null"), id="null-origin"),
])
def test_extend_refuses_cross_site_requests(app, clock, headers):
    sign_in(app)
    clock.advance(300)
    response = app.post("/_session/extend", headers=headers, status=403)
    assert "Session-Expires-In" not in response.headers
    assert app.get("/_session/status").json["idle_expires_in"] == 300  # not extended


def test_extend_from_an_old_browser_with_only_x_requested_with(app):
    sign_in(app)
    assert app.post("/_session/extend", headers=XHR).json["authenticated"] is True


@pytest.mark.parametrize("method, path", [("GET", "/_session/extend"), ("POST", "/_session/status"),
                                          ("DELETE", "/_session/client.js")])
def test_wrong_methods(app, method, path):
    response = app.request(path, method=method, status=405)
    assert response.headers["Allow"] in ("POST", "GET, HEAD")


def test_unknown_names_under_the_prefix_go_to_the_app(app):
    assert app.get("/_session/other").text == "page /_session/other user=None"


def test_client_script_is_cacheable_with_an_etag(app):
    response = app.get("/_session/client.js")
    assert response.content_type == "application/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    etag = response.headers["ETag"]
    again = app.get("/_session/client.js", headers={"If-None-Match": etag}, status=304)
    assert again.body == b"" and again.headers["ETag"] == etag


def test_passive_requests_are_not_activity(app, clock):
    sign_in(app)
    clock.advance(500)
    response = app.get("/account", headers={"X-Session-Passive": "1"})
    assert response.headers["Session-Expires-In"] == "100"
    assert MARKER not in response.headers.get("Set-Cookie", "")
    clock.advance(101)
    app.get("/account", status=302)


def test_endpoints_can_be_moved_or_turned_off(make):
    moved = make(endpoint_prefix="/auth/session", **OPTIONS)
    assert moved.get("/auth/session/status").json["authenticated"] is False
    off = make(endpoint_prefix=None, **OPTIONS)
    assert off.get("/_session/status").text == "page /_session/status user=None"


def test_bad_prefix_is_refused(make):
    with pytest.raises(ValueError) as info:
        make(endpoint_prefix="_session/")
    assert "endpoint_prefix: must start with '/'" in str(info.value)
