"""The status endpoint reads a session and changes nothing, even for sessions the next
ordinary request will change: one signed in before the middleware kept clocks, a cookie
session whose activity cookie is gone, and a replayed session whose note says it
expired. The ordinary request after it then does what it must. WebTest over real Beaker.
"""

import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware, login

from . import apps
from .conftest import XHR

ACTIVITY = "beaker.session.id.activity"


def status(app, cookie=None):
    headers = {"Cookie": cookie} if cookie else {}
    response = app.get("/_session/status", headers=headers)
    assert "Set-Cookie" not in response.headers, response.headers
    return response.json


def me(app, status=200, cookie=None):
    headers = dict(XHR, Cookie=cookie) if cookie else XHR
    return app.get("/api/me", headers=headers, status=status)


def test_a_session_from_before_the_middleware(clock, backend):
    """Signed in by the app under Beaker alone: the status says signed in and keeps no
    clocks; the next ordinary request starts them."""
    beaker = dict((key[len("beaker.session."):], value) for key, value in backend.items())
    before = webtest.TestApp(SessionMiddleware(apps.app, **beaker), lint=True)
    assert before.get("/legacy-login").text == "legacy signed in"
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, backend, clock=clock,
                                                   protected_paths=["/api"]), lint=True)
    app.set_cookie("beaker.session.id", before.cookies["beaker.session.id"])
    assert status(app)["authenticated"] is True
    assert status(app)["authenticated"] is True
    assert ACTIVITY not in app.cookies
    response = me(app)
    assert response.json == {"user": "legacy"}
    assert ACTIVITY in app.cookies
    assert response.headers["Session-Expires-In"] == "1800"


def test_a_cookie_session_without_its_activity_cookie(clock):
    """Beaker sends a cookie session back on every request that reads it, the status
    poll included: what it sends back is still the signed-in session."""
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, {
        "beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32},
        clock=clock, protected_paths=["/api"]), lint=True)
    app.post("/login")
    activity = "%s=%s" % (ACTIVITY, app.cookies[ACTIVITY])
    poll = webtest.TestApp(app.app, lint=True)
    lost = "beaker.session.id=%s" % app.cookies["beaker.session.id"]
    response = poll.get("/_session/status", headers={"Cookie": lost})
    assert response.json["authenticated"] is False
    assert not any(c.startswith(ACTIVITY) for c in response.headers.getall("Set-Cookie"))
    sent = "beaker.session.id=%s" % poll.cookies["beaker.session.id"]
    assert me(webtest.TestApp(app.app), cookie=sent + "; " + activity).json == {
        "user": "alice"}
    # An ordinary request: a cookie session has no record the server could drop, so a
    # missing activity cookie is the proof it was signed out. The session is cleared.
    replay = webtest.TestApp(app.app, lint=True)
    assert me(replay, 401, lost).json["error"] == "login_required"
    cleared = "beaker.session.id=%s" % replay.cookies["beaker.session.id"]
    assert me(webtest.TestApp(app.app), 401, cleared + "; " + activity).json["error"] == \
        "login_required"


def short_app(environ, start_response):
    if environ["PATH_INFO"] == "/login":
        login(environ, "alice", idle_timeout=300)
        start_response("200 OK", list(apps.TEXT))
        return [b"signed in"]
    return apps.app(environ, start_response)


def test_a_replayed_session_whose_note_says_it_expired(clock, backend):
    """Its own idle timeout (300 s) is shorter than the configured one: the activity
    cookie alone (judged on the configured ceiling) would call it live; the note left
    when it expired says why it ended."""
    app = webtest.TestApp(SessionTimeoutMiddleware(short_app, backend, clock=clock,
                                                   protected_paths=["/api"]), lint=True)
    app.post("/login")
    old = "; ".join("%s=%s" % pair for pair in sorted(app.cookies.items()))
    clock.advance(301)
    assert me(app, 401).json["reason"] == "idle"
    replay = webtest.TestApp(app.app, lint=True)
    document = status(replay, old)
    assert (document["authenticated"], document["reason"]) == (False, "idle")
    response = me(replay, 401, old)
    assert (response.json["error"], response.json["reason"]) == ("session_expired", "idle")
    assert any(c.startswith("beaker.session.id=") for c in response.headers.getall(
        "Set-Cookie"))
