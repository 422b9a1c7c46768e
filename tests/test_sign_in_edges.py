"""Signing in and out at the edges of what an app may do: no user, a ``timeouts`` hook
answering something else than it may, timeouts changed without a signed-in session, a
sign-in and a sign-out in one request, a session given a longer idle timeout than the
configured one, and an app that reverts the session (Beaker's ``revert()``) after the
middleware ended it. WebTest over real Beaker (memory and file)."""

import json

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, login, logout, set_timeouts

from .conftest import XHR

ACTIVITY = "beaker.session.id.activity"
IDLE = 600


def _int(environ, name):
    for pair in environ.get("QUERY_STRING", "").split("&"):
        key, _, value = pair.partition("=")
        if key == name and value:
            return int(value)
    return None


def app(environ, start_response):
    path = environ["PATH_INFO"]
    session = environ["beaker.session"]
    if path == "/login":
        login(environ, environ.get("test.user", "alice"), idle_timeout=_int(environ, "idle"))
    elif path == "/login-logout":
        login(environ, "alice")
        logout(environ)
    elif path == "/timeouts":
        set_timeouts(environ, idle_timeout=_int(environ, "idle"))
    elif path == "/app-logout":  # the app's own sign-out, without logout()
        del session["user"]
        session.save()
    elif path == "/revert":
        session.revert()  # Beaker's: back to the data as this request loaded it
        session.save()
    elif path == "/logout-revert":
        logout(environ)
        session.revert()
        session.save()
    body = json.dumps({"user": session.get("user")}).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


@pytest.fixture
def make(clock, backend, recorder):
    def make(**options):
        options.setdefault("clock", clock)
        options.setdefault("idle_timeout", IDLE)
        options.setdefault("protected_paths", ["/api"])
        options.setdefault("on_event", recorder)
        return webtest.TestApp(SessionTimeoutMiddleware(app, dict(backend), **options),
                               lint=True)
    return make


def me(b, status=200):
    return b.get("/api/me", headers=XHR, status=status)


def activity_set(response):
    return any(c.startswith(ACTIVITY + "=") and "Max-Age=0" not in c
               for c in response.headers.getall("Set-Cookie"))


# -- what the app may not do --------------------------------------------------------------

def test_signing_in_nobody_is_refused(make):
    b = make()
    with pytest.raises(ValueError) as info:
        b.post("/login", extra_environ={"test.user": None})
    assert "login() needs a user" in str(info.value)
    assert me(b, 401).json["error"] == "login_required"


@pytest.mark.parametrize("answer", [(60, 120, 180), "600", 600],
                         ids=["three-values", "text", "number"])
def test_a_timeouts_hook_must_answer_a_dict_a_pair_or_none(make, answer):
    b = make(timeouts=lambda user: answer)
    with pytest.raises(ValueError) as info:
        b.post("/login")
    message = str(info.value)
    assert "timeouts('alice') must answer a dict, an (idle, absolute) pair or None" in message
    assert repr(answer) in message


def test_timeouts_need_a_signed_in_session(make):
    b = make()
    with pytest.raises(RuntimeError) as info:
        b.post("/timeouts?idle=60")
    assert "set_timeouts() needs a signed-in session" in str(info.value)


# -- in and out in one request ----------------------------------------------------------------

def test_a_sign_in_and_a_sign_out_in_one_request_leave_nobody_signed_in(make, recorder):
    b = make()
    response = b.post("/login-logout")
    assert response.json == {"user": None}
    assert not activity_set(response)
    assert "Session-Expires-In" not in response.headers
    assert me(b, 401).json["error"] == "login_required"
    assert [(e.kind, e.user) for e in recorder.events] == [("sign_in", "alice"),
                                                           ("sign_out", "alice")]
    # The session signed out never was stored: the event names none.
    assert recorder.events[1].session is None


# -- a session's own idle timeout longer than the configured one --------------------------------

def test_a_longer_idle_timeout_keeps_the_configured_touch_interval(make, clock):
    """Configured: idle 600 s, activity written at most once a minute. A session given
    3000 s (under a ceiling of 3600) is touched once a minute too, not once every
    300 s (a tenth of its own timeout)."""
    b = make(max_idle_timeout=3600)
    assert b.post("/login?idle=3000").headers["Session-Expires-In"] == "3000"
    clock.advance(59)
    assert not activity_set(me(b))
    clock.advance(2)
    response = me(b)
    assert activity_set(response) and response.headers["Session-Expires-In"] == "3000"
    clock.advance(2999)
    assert me(b).json == {"user": "alice"}


# -- reverting an ended session -----------------------------------------------------------------

@pytest.mark.parametrize("with_activity_cookie", [True, False], ids=["activity", "none"])
def test_reverting_an_expired_session_does_not_bring_it_back(make, clock, recorder,
                                                             with_activity_cookie):
    """The request found the session expired and ended it; the app then puts back the
    data it loaded (``revert()``) and saves. Its clocks are judged again: it stays
    ended, and nothing of it is stored under the new id."""
    b = make()
    b.post("/login")
    if not with_activity_cookie:
        for cookie in list(b.cookiejar):
            if cookie.name == ACTIVITY:
                b.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
    clock.advance(IDLE + 1)
    response = b.get("/revert")
    assert response.json == {"user": "alice"}  # what the app saw in the reverted session
    assert "Session-Expires-In" not in response.headers
    assert b.get("/whoami").json == {"user": None}
    # The activity cookie still tells that this browser's session expired.
    told = me(b, 401).json
    assert (told["error"], told["reason"]) == (
        ("session_expired", "idle") if with_activity_cookie else ("login_required", None))
    assert [(e.kind, e.reason) for e in recorder.events] == [
        ("sign_in", None), ("expired", "idle"), ("expired", "idle")]


def test_reverting_a_session_the_request_signed_out_does_not_bring_it_back(make, recorder):
    """logout(), then the app puts back the data the request loaded and saves: the
    session stays signed out, under the old id and the new one."""
    b = make()
    b.post("/login")
    old = "beaker.session.id=%s" % b.cookies["beaker.session.id"]
    response = b.get("/logout-revert")
    assert response.json == {"user": "alice"}  # what the app saw in the reverted session
    assert "Session-Expires-In" not in response.headers
    assert b.get("/whoami").json == {"user": None}
    assert me(b, 401).json["error"] in ("login_required", "session_expired")
    replay = webtest.TestApp(b.app, lint=True)
    assert replay.get("/api/me", headers=dict(XHR, Cookie=old), status=401).json[
        "error"] == "login_required"
    assert [e.kind for e in recorder.events] == ["sign_in", "sign_out"]


# -- a cookie session signed out by the app ------------------------------------------------------

def test_a_cookie_session_signed_out_by_the_app_stays_out_with_its_old_activity_cookie(
        clock):
    """A cookie session keeps its id when the app signs out by deleting the user; the
    activity cookie of the signed-in session, replayed beside it, finds no user there:
    nobody is signed in, however often it is replayed."""
    b = webtest.TestApp(SessionTimeoutMiddleware(app, {
        "beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32},
        clock=clock, protected_paths=["/api"]), lint=True)
    b.post("/login")
    activity = "%s=%s" % (ACTIVITY, b.cookies[ACTIVITY])
    response = b.get("/app-logout")
    assert any(c.startswith(ACTIVITY + "=;") for c in response.headers.getall("Set-Cookie"))
    signed_out = "beaker.session.id=%s" % b.cookies["beaker.session.id"]
    replay = webtest.TestApp(b.app, lint=True)
    response = replay.get("/api/me", headers=dict(XHR, Cookie=signed_out + "; " + activity),
                          status=401)
    assert response.json["error"] == "login_required"
    again = "beaker.session.id=%s" % replay.cookies["beaker.session.id"]
    response = webtest.TestApp(b.app, lint=True).get(
        "/api/me", headers=dict(XHR, Cookie=again + "; " + activity), status=401)
    assert response.json["error"] == "login_required"
