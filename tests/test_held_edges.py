# -*- coding: utf-8 -*-
"""Forms posted into an ended session, at the edges: forms with nothing to keep, a body
that cannot be parsed, a later form replacing an earlier one, a held-form cookie that
names nothing or arrives on a request that cannot be answered with the confirm page,
cookie sessions, and how the confirm page shows empty and long values. WebTest over
real Beaker (memory and file)."""

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, held
from wsgi_session_timeout.responses import HELD_SHOWN_CHARS, HELD_TEXTS

from . import apps

HELD = "beaker.session.id.held"
ORIGIN = "http://localhost"
FORM_POST = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Origin": ORIGIN, "Referer": ORIGIN + "/account"}
PAGE_LOAD = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Accept": "text/html"}
IDLE = 600
COOKIE_CONFIG = {"beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32}


@pytest.fixture
def make(clock, backend):
    def make(config=None):
        middleware = SessionTimeoutMiddleware(apps.app, config or backend, clock=clock,
                                              idle_timeout=IDLE, protected_paths=["/account"])
        return webtest.TestApp(middleware, lint=True)
    return make


def held_cookies(response):
    return [c for c in response.headers.getall("Set-Cookie") if c.startswith(HELD + "=")]


def kept_token(response):
    [cookie] = held_cookies(response)
    return cookie.split(";")[0].split("=", 1)[1]


def expire(app, clock):
    app.post("/login")
    clock.advance(IDLE + 1)


def post(app, fields, **kwargs):
    kwargs.setdefault("status", 303)
    kwargs.setdefault("content_type", held.URLENCODED + "; charset=utf-8")
    return app.post("/account/save", fields, headers=FORM_POST, **kwargs)


def the_apps_page(response, path="/account/other"):
    return response.text == "page %s user=alice" % path


# -- nothing to keep -----------------------------------------------------------------------

def test_an_empty_form_is_not_kept(make, clock):
    app = make()
    expire(app, clock)
    response = post(app, [])
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"
    assert held_cookies(response) == []


def test_a_form_with_a_file_is_not_kept(make, clock):
    app = make()
    expire(app, clock)
    response = app.post("/account/save", [("comment", "see attached")], headers=FORM_POST,
                        upload_files=[("file", "a.txt", b"data")], status=303)
    assert held_cookies(response) == []


def test_a_body_that_cannot_be_parsed_is_not_kept(make, clock):
    app = make()
    expire(app, clock)
    body = b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--\r\n'
    response = app.request("/account/save", method="POST", body=body, headers=FORM_POST,
                           content_type="multipart/form-data", status=303)  # no boundary
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"
    assert held_cookies(response) == []


# -- one form at a time ------------------------------------------------------------------------

def test_a_later_form_replaces_one_still_waiting(make, clock):
    """Signed in again, the user ran only scripts (no page load offered the first form)
    and the session ended again: the second form replaces the first, which is gone."""
    app = make()
    expire(app, clock)
    first = kept_token(post(app, [("comment", "first")]))
    app.post("/login")
    clock.advance(IDLE + 1)
    second = kept_token(post(app, [("comment", "second")]))
    assert second != first
    app.post("/login")
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert page.forms[0]["comment"].value == "second"
    app.set_cookie(HELD, first)
    assert the_apps_page(app.get("/account/other", headers=PAGE_LOAD))


def test_a_token_that_names_no_form_is_dropped(make):
    app = make()
    app.post("/login")
    app.set_cookie(HELD, held.new_token())  # used already, expired from the store, forged
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert the_apps_page(page)
    assert any(c.startswith(HELD + "=;") for c in page.headers.getall("Set-Cookie"))


def test_the_form_waits_while_the_user_posts_another_form(make, clock):
    """A POST is not a page load the confirm page can answer: the app answers it, and
    the kept form is offered on the next page load."""
    app = make()
    expire(app, clock)
    post(app, [("comment", "kept")])
    app.post("/login")
    response = app.post("/account/other", [("x", "1")], headers=FORM_POST)
    assert response.text == "page /account/other user=alice"
    assert held_cookies(response) == []
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert page.forms[0]["comment"].value == "kept"


# -- cookie sessions ---------------------------------------------------------------------------

def test_a_cookie_session_signed_out_keeps_no_form(make):
    app = make(COOKIE_CONFIG)
    app.post("/login")
    app.get("/logout")
    response = post(app, [("comment", "hello")])
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"
    assert held_cookies(response) == []


def test_a_cookie_session_ignores_a_held_form_cookie(make):
    app = make(COOKIE_CONFIG)
    app.post("/login")
    app.set_cookie(HELD, held.new_token())
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert the_apps_page(page)
    assert any(c.startswith(HELD + "=;") for c in page.headers.getall("Set-Cookie"))


# -- the confirm page --------------------------------------------------------------------------

def test_the_confirm_page_marks_empty_fields_and_shortens_long_values(make, clock):
    app = make()
    expire(app, clock)
    essay = u"word " * 200
    post(app, [("note", ""), ("essay", essay)])
    app.post("/login")
    page = app.get("/account/other", headers=PAGE_LOAD)
    table = page.text.split("<table")[1]
    assert "<em>%s</em>" % HELD_TEXTS["empty"] in table
    assert essay[:HELD_SHOWN_CHARS] + u"\u2026" in table and essay not in table
    form = page.forms[0]
    assert form["essay"].value == essay and form["note"].value == ""
