"""A legacy app as it is: it signs in and out by writing the Beaker session itself, and
its "login required" code redirects to the login page. Nothing in it knows the
middleware; every test uses it through the one-line swap or with Beaker outside."""

import json
import time

import pytest
import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware

from .apps import cart, sign_out_in_the_session
from .conftest import FETCH, HTMX, NAV, XHR

IDLE = 600


def legacy_app(environ, start_response):
    """Signs in with ``session['user'] = ...``, signs out in the ways Beaker allows, and
    redirects to ``/login?next=...`` when a page needs a user."""
    session = environ["beaker.session"]
    path = environ["PATH_INFO"]
    query = environ.get("QUERY_STRING", "")

    def reply(body, status="200 OK", headers=()):
        start_response(status, [("Content-Type", "text/plain")] + list(headers))
        return [body.encode("utf-8")]

    if path == "/signin":
        session["user"] = query or "alice"
        session.save()
        return reply("welcome")
    if path in ("/signout/del", "/signout/delete", "/signout/invalidate"):
        sign_out_in_the_session(session, path[len("/signout/"):])
        return reply("bye")
    if path == "/resignin/clear":
        session.clear()
        session["user"] = query or "bob"
        session.save()
        return reply("again")
    if path == "/resignin/invalidate":
        session.invalidate()
        session["user"] = query or "bob"
        session.save()
        return reply("again")
    if path == "/put":
        return cart(path, environ, reply)
    if path == "/login":
        return reply("the login form")
    if session.get("user") is None:
        location = {"absolute": "http://localhost/login?next=%s" % path,
                    "other-host": "http://elsewhere.example/login"}.get(
            query, "/login?next=%s" % path)
        return reply("see the login page", "302 Found", [("Location", location)])
    return reply("page %s for %s cart=%s" % (path, session["user"], session.get("cart")))


@pytest.fixture
def swapped(clock, backend):
    """The legacy app with the one-line swap (the middleware runs Beaker)."""
    return webtest.TestApp(SessionTimeoutMiddleware(legacy_app, backend, idle_timeout=IDLE,
                                                    clock=clock), lint=True)


def sid(app):
    return app.cookies["beaker.session.id"]


def document(response):
    return json.loads(response.body.decode("utf-8"))


# -- its own "login required" redirects --------------------------------------------------

@pytest.mark.parametrize("headers", [XHR, FETCH, HTMX], ids=["xhr", "fetch", "htmx"])
@pytest.mark.parametrize("query", ["", "absolute"])
def test_a_script_redirected_to_the_login_page_gets_the_script_answer(swapped, headers,
                                                                      query):
    response = swapped.get("/orders", query, headers=dict(
        headers, Referer="http://localhost/board"), status=401)
    body = document(response)
    assert body["error"] == "login_required"
    assert body["login_url"] == "/login?came_from=%2Fboard"


def test_a_navigation_keeps_the_apps_own_redirect(swapped):
    response = swapped.get("/orders", headers=NAV, status=302)
    assert response.headers["Location"] == "/login?next=/orders"


def test_a_redirect_to_another_host_is_left_alone(swapped):
    response = swapped.get("/orders", "other-host", headers=XHR, status=302)
    assert response.headers["Location"] == "http://elsewhere.example/login"


def test_a_timed_out_session_redirected_by_the_app_says_session_expired(swapped, clock):
    swapped.get("/signin")
    assert swapped.get("/orders", headers=XHR).text == "page /orders for alice cart=None"
    clock.advance(IDLE)
    body = document(swapped.get("/orders", headers=XHR, status=401))
    assert (body["error"], body["reason"]) == ("session_expired", "idle")
    # The navigation still gets the app's own redirect, the dead session gone.
    assert swapped.get("/orders", headers=NAV, status=302).headers["Location"] == \
        "/login?next=/orders"


# -- its own sign-in --------------------------------------------------------------------

def test_its_own_sign_in_moves_the_session_to_a_new_id(swapped, clock):
    swapped.get("/put", "apples")
    before = sid(swapped)
    swapped.get("/signin")
    after = sid(swapped)
    assert after != before
    assert swapped.get("/orders").text == "page /orders for alice cart=apples"
    # The pre-sign-in id (a fixated one, say) is empty and dead.
    stranger = webtest.TestApp(swapped.app, lint=True)
    stranger.set_cookie("beaker.session.id", before)
    assert stranger.get("/orders", headers=XHR, status=401)


def test_its_own_sign_in_keeps_the_clocks(swapped, clock):
    swapped.get("/signin")
    clock.advance(IDLE - 1)
    swapped.get("/orders", status=200)
    clock.advance(IDLE - 1)
    swapped.get("/orders", status=200)
    clock.advance(IDLE)
    assert document(swapped.get("/orders", headers=XHR, status=401))["reason"] == "idle"


# -- its own sign-out -------------------------------------------------------------------

@pytest.mark.parametrize("how", ["del", "delete", "invalidate"])
def test_its_own_sign_out_ends_the_old_id_for_good(swapped, how):
    swapped.get("/signin")
    old = sid(swapped)
    swapped.get("/signout/" + how)
    assert swapped.get("/orders", headers=XHR, status=401)
    replay = webtest.TestApp(swapped.app, lint=True)
    replay.set_cookie("beaker.session.id", old)
    assert document(replay.get("/orders", headers=XHR, status=401))["error"] == \
        "login_required"


@pytest.mark.parametrize("how", ["del", "delete", "invalidate"])
def test_a_request_in_flight_cannot_save_a_signed_out_session_back(swapped, how):
    swapped.get("/signin")
    old = sid(swapped)
    slow = webtest.TestApp(swapped.app, lint=True)
    slow.set_cookie("beaker.session.id", old)
    swapped.get("/signout/" + how)
    # The slow request saves after the sign-out: it must not bring the user back.
    slow.get("/put", "pears", status="*")
    assert slow.get("/orders", headers=XHR, status=401)


@pytest.mark.parametrize("how", ["clear", "invalidate"])
def test_signing_in_again_over_a_signed_in_session_never_fails(swapped, how):
    swapped.get("/signin")
    assert swapped.get("/resignin/" + how, "bob").text == "again"
    assert swapped.get("/orders").text.startswith("page /orders for bob")


# -- cookie-only sessions ---------------------------------------------------------------

COOKIE = {"beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32}


@pytest.mark.parametrize("outside", [False, True], ids=["run-by-us", "beaker-outside"])
def test_a_cookie_session_never_answers_503_for_a_working_store(clock, outside):
    if outside:
        app = SessionMiddleware(
            SessionTimeoutMiddleware(legacy_app, idle_timeout=IDLE, clock=clock),
            type="cookie", validate_key="k" * 32)
    else:
        app = SessionTimeoutMiddleware(legacy_app, COOKIE, idle_timeout=IDLE, clock=clock)
    browser = webtest.TestApp(app, lint=True)
    browser.get("/signin")
    assert browser.get("/put", "apples").text == "put"
    assert browser.get("/orders").text == "page /orders for alice cart=apples"
    clock.advance(IDLE)
    assert document(browser.get("/orders", headers=XHR, status=401))["reason"] == "idle"


def test_a_cookie_session_from_before_the_middleware_cannot_be_replayed_forever(clock):
    clock.set(time.time())  # Beaker stamps its own times from the real clock
    plain = webtest.TestApp(SessionMiddleware(legacy_app, type="cookie",
                                              validate_key="k" * 32))
    plain.get("/signin")
    old_cookie = plain.cookies["beaker.session.id"]
    app = SessionTimeoutMiddleware(legacy_app, COOKIE, idle_timeout=IDLE, clock=clock)
    for _ in range(3):
        replay = webtest.TestApp(app, lint=True)
        replay.set_cookie("beaker.session.id", old_cookie)
        assert replay.get("/orders").text.startswith("page /orders for alice")
    clock.advance(IDLE + 1)  # the clock was read just before Beaker stamped the cookie
    replay = webtest.TestApp(app, lint=True)
    replay.set_cookie("beaker.session.id", old_cookie)
    assert replay.get("/orders", headers=XHR, status=401)
