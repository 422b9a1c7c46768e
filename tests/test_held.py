# -*- coding: utf-8 -*-
"""Forms posted into an ended session (held.py): kept server-side, offered back to the
same user after sign-in on a page they confirm, never to anyone else. WebTest over real
Beaker (memory and file backends), and the pure rules table-driven."""

import json

import pytest
import webtest
from webob import Request, Response

from wsgi_session_timeout import SessionTimeoutMiddleware, held, login, logout
from wsgi_session_timeout.protocol import HELD_FORM_CLASS

HELD = "beaker.session.id.held"
ORIGIN = "http://localhost"
#: What a browser sends with a form it posts from a page of this site.
FORM_POST = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Origin": ORIGIN,
             "Referer": ORIGIN + "/account/form"}
PAGE_LOAD = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Accept": "text/html"}
REVIEW = u"Arrived quickly, well packed.\r\nWould <b>order</b> \"again\" & again: ünïcode."
FIELDS = [("comment", REVIEW), ("rating", "5"), ("password", "hunter2"),
          ("csrf_token", "old-token"), ("action", "save")]
IDLE = 600


def form_app(environ, start_response):
    """An app as legacy apps are written: ``/login`` signs in, ``/logout`` signs out and
    goes to the login page, ``/own/...`` redirects to the login page itself when no one
    is signed in (the app decides), ``/needs-login`` answers 401; every other page echoes
    what it received as JSON."""
    req = Request(environ)
    user = environ["beaker.session"].get("user")
    path = req.path_info
    if path == "/login" and req.method == "POST" and req.POST.get("password") == "wrong":
        response = Response(status=303, location="/login?failed")
    elif path == "/login" and req.method == "POST":
        login(environ, req.POST.get("name", "alice"))
        response = Response("signed in")
    elif path == "/login":
        response = Response("login page")
    elif path == "/logout":
        logout(environ)
        response = Response(status=303, location="/login")
    elif path.startswith("/raw/") and user is None:
        environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))  # read by hand
        response = Response(status=302, location="/login?came_from=" + path)
    elif "/own/" in path and user is None:
        response = Response(status=302, location="/login?came_from=" + path)
    elif path == "/needs-login" and user is None:
        response = Response("please sign in", status=401)
    else:
        response = Response(json.dumps({
            "user": user, "method": req.method, "path": path,
            "fields": [list(pair) for pair in req.POST.items()]}).encode("utf-8"),
            content_type="application/json", charset=None)
    return response(environ, start_response)


@pytest.fixture
def make(clock, backend):
    def make(config=None, **options):
        options.setdefault("clock", clock)
        options.setdefault("idle_timeout", IDLE)
        options.setdefault("protected_paths", ["/account"])
        middleware = SessionTimeoutMiddleware(form_app, dict(backend, **(config or {})),
                                              **options)
        return webtest.TestApp(middleware, lint=True)
    return make


def sign_in(app, name="alice"):
    app.post("/login", {"name": name})


def post_form(app, path="/account/save", fields=FIELDS, headers=FORM_POST, **kwargs):
    kwargs.setdefault("status", 303)
    # With the charset WebTest encodes text as UTF-8 on Python 2 too, as browsers do.
    kwargs.setdefault("content_type", held.URLENCODED + "; charset=utf-8")
    return app.post(path, fields, headers=headers, **kwargs)


def submit(form):
    """Press the confirm page's button (WebTest encodes text as UTF-8 on Python 2 only
    when the content type names the charset)."""
    content_type = form.enctype
    if content_type == held.URLENCODED:
        content_type += "; charset=utf-8"
    return form.submit(headers=FORM_POST, content_type=content_type)


def held_cookies(response):
    return [c for c in response.headers.getall("Set-Cookie") if c.startswith(HELD + "=")]


def echoed(response):
    return json.loads(response.body.decode("utf-8"))


def expire(app, clock):
    sign_in(app)
    clock.advance(IDLE + 1)


# -- the whole story -------------------------------------------------------------------

def test_a_form_posted_into_an_expired_session_is_sent_after_sign_in(make, clock):
    app = make()
    expire(app, clock)
    response = post_form(app)
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"
    [cookie] = held_cookies(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Max-Age=600" in cookie
    assert REVIEW not in response.text and "hunter2" not in response.text

    sign_in(app)
    page = app.get("/account/save", headers=PAGE_LOAD, status=200)
    assert page.headers["Cache-Control"] == "no-store"
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]
    assert any(c.startswith(HELD + "=;") and "Max-Age=0" in c
               for c in page.headers.getall("Set-Cookie"))
    form = page.forms[0]
    assert form.action == "/account/save" and form.method.lower() == "post"
    assert HELD_FORM_CLASS in page.text
    assert [(f.name, f.value) for fs in form.fields.values() for f in fs if f.name] == FIELDS
    # The page says what is sent, secrets by name only; it sends nothing by itself.
    assert "hunter2" not in page.text.split("<table")[1]
    assert "old-token" not in page.text.split("<table")[1]
    assert "&lt;b&gt;order&lt;/b&gt;" in page.text and "<b>order" not in page.text
    assert "<script" not in page.text

    result = echoed(submit(form))
    assert result["user"] == "alice" and result["method"] == "POST"
    assert [tuple(pair) for pair in result["fields"]] == FIELDS

    # One use only: the next page load is the app's own page.
    assert echoed(app.get("/account/save", headers=PAGE_LOAD))["method"] == "GET"


def test_a_form_posted_into_a_session_ended_in_another_browser_is_kept(make):
    app = make()
    sign_in(app)
    other = webtest.TestApp(app.app, lint=True)
    for name, value in app.cookies.items():
        other.set_cookie(name, value)
    other.get("/logout", status=303)  # the same session, signed out elsewhere (revoked)
    response = post_form(app)
    assert held_cookies(response)
    sign_in(app)
    form = app.get("/account/save", headers=PAGE_LOAD, status=200).forms[0]
    assert [tuple(p) for p in echoed(submit(form))["fields"]] == FIELDS


def test_the_apps_own_redirect_to_its_login_page_keeps_the_form(make, clock):
    app = make(protected_paths=None)  # the app decides
    expire(app, clock)
    response = app.post("/own/save", FIELDS, headers=FORM_POST, status=302)
    assert response.headers["Location"].endswith("/login?came_from=/own/save")
    assert held_cookies(response)
    sign_in(app)
    page = app.get("/own/save", headers=PAGE_LOAD, status=200)
    assert page.forms[0].action == "/own/save"


def test_the_form_is_kept_when_the_app_read_the_body_itself(make, clock):
    app = make(protected_paths=None)
    expire(app, clock)
    response = post_form(app, "/raw/save", status=302)
    assert held_cookies(response)
    sign_in(app)
    form = app.get("/raw/save", headers=PAGE_LOAD).forms[0]
    assert [tuple(p) for p in echoed(submit(form))["fields"]] == FIELDS


def test_the_apps_own_401_keeps_the_form(make, clock):
    app = make(protected_paths=None)
    expire(app, clock)
    response = app.post("/needs-login", FIELDS, headers=FORM_POST, status=303)
    assert held_cookies(response)


def test_multipart_without_files_is_sent_again_as_multipart(make, clock):
    app = make()
    expire(app, clock)
    # ASCII only: WebTest on Python 2 writes text into multipart bodies as "?".
    fields = [("comment", "Line one\r\nline two & <three>"), ("password", "hunter2")]
    response = app.post("/account/save", fields, headers=FORM_POST, status=303,
                        content_type="multipart/form-data")
    assert held_cookies(response)
    sign_in(app)
    form = app.get("/account/save", headers=PAGE_LOAD).forms[0]
    assert form.enctype == "multipart/form-data"
    assert [tuple(p) for p in echoed(submit(form))["fields"]] == fields


def test_the_hook_refreshes_a_csrf_token(make, clock):
    seen = []

    def refresh(environ, fields):
        seen.append(environ["beaker.session"].get("user"))
        return [(k, "new-token" if k == "csrf_token" else v) for k, v in fields]

    app = make(held_form_hook=refresh)
    expire(app, clock)
    post_form(app)
    sign_in(app)
    form = app.get("/account/save", headers=PAGE_LOAD).forms[0]
    fields = dict(tuple(p) for p in echoed(submit(form))["fields"])
    assert fields["csrf_token"] == "new-token" and seen == ["alice"]


def test_a_later_post_without_the_session_leaves_the_kept_one(make, clock):
    app = make()
    expire(app, clock)
    post_form(app, fields=[("comment", "first")])
    # The expired session's cookie is gone now: no user to tie a second post to.
    _not_kept(post_form(app, fields=[("comment", "second")]))
    sign_in(app)
    form = app.get("/account/save", headers=PAGE_LOAD).forms[0]
    assert form["comment"].value == "first"


# -- never to anyone else ----------------------------------------------------------------

def test_another_user_never_sees_it_and_it_is_gone(make, clock):
    app = make()
    expire(app, clock)
    post_form(app)
    sign_in(app, "mallory")
    page = app.get("/account/save", headers=PAGE_LOAD)
    assert echoed(page)["method"] == "GET"  # the app's page, not the kept form
    assert any(c.startswith(HELD + "=;") for c in page.headers.getall("Set-Cookie"))
    sign_in(app, "alice")
    assert echoed(app.get("/account/save", headers=PAGE_LOAD))["method"] == "GET"


def test_a_stolen_held_cookie_is_no_use_to_another_browser(make, clock):
    app = make()
    expire(app, clock)
    token = held_cookies(post_form(app))[0].split("=", 1)[1].split(";")[0]
    thief = webtest.TestApp(app.app, lint=True)
    sign_in(thief, "mallory")
    thief.set_cookie(HELD, token)
    assert echoed(thief.get("/account/save", headers=PAGE_LOAD))["method"] == "GET"


def test_it_expires(make, clock):
    app = make()
    expire(app, clock)
    post_form(app)
    clock.advance(600)
    sign_in(app)
    assert echoed(app.get("/account/save", headers=PAGE_LOAD))["method"] == "GET"


def test_it_waits_for_a_page_load_of_the_signed_in_user(make, clock):
    app = make()
    expire(app, clock)
    post_form(app)
    app.get("/login", headers=PAGE_LOAD)  # the login page itself: not offered
    sign_in(app)
    app.get("/account/x", headers={"X-Requested-With": "XMLHttpRequest"})  # a script
    app.get("/account/x", headers=dict(PAGE_LOAD, **{"Sec-Fetch-Dest": "iframe"}))
    assert app.get("/account/other", headers=PAGE_LOAD).forms[0].action == "/account/save"


# -- what is not kept ----------------------------------------------------------------------

def _not_kept(response):
    assert not held_cookies(response)


@pytest.mark.parametrize("headers", [
    pytest.param(dict(FORM_POST, Origin="http://evil.example"), id="other-origin"),
    pytest.param(dict(FORM_POST, Origin="null"), id="opaque-origin"),
    pytest.param(dict(FORM_POST, **{"Sec-Fetch-Site": "cross-site"}), id="cross-site"),
    pytest.param(dict(FORM_POST, **{"Sec-Fetch-Site": "same-site"}), id="same-site"),
    pytest.param({"Referer": "http://evil.example/x"}, id="foreign-referer"),
    pytest.param({"Accept": "text/html"}, id="no-origin-no-referer"),
    pytest.param({"X-Requested-With": "XMLHttpRequest", "Origin": ORIGIN,
                  "Sec-Fetch-Site": "same-origin"}, id="xhr"),
])
def test_cross_site_posts_and_scripts_are_not_kept(make, clock, headers):
    app = make()
    expire(app, clock)
    _not_kept(app.post("/account/save", FIELDS, headers=headers, expect_errors=True))


def test_large_bodies_files_and_other_bodies_are_not_kept(make, clock):
    app = make(held_form_max_bytes=100)
    expire(app, clock)
    _not_kept(post_form(app, fields=[("comment", "x" * 200)]))
    _not_kept(app.post("/account/save", FIELDS, headers=FORM_POST, status=303,
                       upload_files=[("file", "a.txt", b"data")]))
    _not_kept(app.post("/account/save", json.dumps({"a": 1}), headers=FORM_POST,
                       content_type="application/json", status=303))
    _not_kept(post_form(app, fields=[]))


def test_a_post_that_was_never_signed_in_is_not_kept(make):
    app = make()
    _not_kept(post_form(app))
    app.get("/login")  # a session cookie, never signed in
    _not_kept(post_form(app))


@pytest.mark.parametrize("protected", [["/account"], None], ids=["guarded", "app-decides"])
def test_the_login_form_itself_is_never_kept(make, clock, protected):
    app = make(protected_paths=protected, public_paths=["/public"])
    expire(app, clock)
    _not_kept(post_form(app, "/login", fields=[("name", "alice"), ("password", "wrong")]))
    sign_in(app)
    expire(app, clock)
    _not_kept(post_form(app, "/public/own/x", status=302))


def test_the_apps_own_sign_out_form_is_not_kept(make):
    app = make(protected_paths=None)
    sign_in(app)
    response = app.post("/logout", [("csrf", "x")], headers=FORM_POST, status=303)
    _not_kept(response)


def test_turned_off(make, clock):
    app = make(hold_forms=False)
    expire(app, clock)
    _not_kept(post_form(app))


def test_cookie_sessions_keep_nothing(clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(form_app, {
        "beaker.session.type": "cookie", "beaker.session.validate_key": "k" * 32},
        clock=clock, idle_timeout=IDLE, protected_paths=["/account"]), lint=True)
    expire(app, clock)
    _not_kept(post_form(app))


@pytest.mark.parametrize("value", ["../../etc/passwd", "0" * 31, "G" * 32, "0" * 33, ""])
def test_a_malformed_held_cookie_is_ignored(make, value):
    app = make()
    sign_in(app)
    app.set_cookie(HELD, value)
    assert echoed(app.get("/account/x", headers=PAGE_LOAD))["method"] == "GET"


# -- the rules -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, secret", [
    ("password", True), ("new_password2", True), ("userPassword", True), ("pwd", True),
    ("pin", True), ("card_number", True), ("cvv", True), ("csrfmiddlewaretoken", True),
    ("_authenticity_token", True), ("api-key", True), ("X-CSRF", True), ("otp", True),
    ("comment", False), ("shipping", False), ("spinner", False), ("keywords", False),
    ("name", False), ("email", False), ("action", False),
])
def test_secret_looking_names(name, secret):
    assert held.is_secret(name) is secret


def _environ(**headers):
    environ = {"REQUEST_METHOD": "POST", "HTTP_HOST": "localhost:80",
               "wsgi.url_scheme": "http", "CONTENT_TYPE": held.URLENCODED,
               "CONTENT_LENGTH": "10", "SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    environ.update(headers)
    return environ


@pytest.mark.parametrize("environ, reason", [
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN), None, id="same-origin"),
    pytest.param(_environ(HTTP_REFERER=ORIGIN + "/x"), None, id="referer-only"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, REQUEST_METHOD="PUT"), held.NOT_A_POST,
                 id="put"),
    pytest.param(_environ(), held.CROSS_SITE, id="no-origin"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN + ":8080"), held.CROSS_SITE, id="other-port"),
    pytest.param(_environ(HTTP_ORIGIN="https://localhost"), held.CROSS_SITE,
                 id="other-scheme"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, CONTENT_TYPE="text/plain"), held.NOT_A_FORM,
                 id="text-plain"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, CONTENT_LENGTH=""), held.NO_LENGTH,
                 id="no-length"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, HTTP_TRANSFER_ENCODING="chunked"),
                 held.NO_LENGTH, id="chunked"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, CONTENT_LENGTH="101"), held.TOO_LARGE,
                 id="too-large"),
    pytest.param(_environ(HTTP_ORIGIN=ORIGIN, CONTENT_LENGTH="100",
                          CONTENT_TYPE=held.MULTIPART + "; boundary=x"), None,
                 id="multipart-at-the-limit"),
])
def test_refusal(environ, reason):
    assert held.refusal(environ, 100) == reason


def test_token_from():
    token = held.new_token()
    assert held.token_from("a=1; %s=%s; b=2" % (HELD, token), HELD) == token
    assert held.token_from("%s=%s" % (HELD, token.upper()), HELD) is None
    assert held.token_from("x%s=%s" % (HELD, token), HELD) is None
    assert held.token_from(None, HELD) is None


@pytest.mark.parametrize("options, message", [
    ({"hold_forms": "maybe"}, "hold_forms"),
    ({"held_form_max_bytes": "0"}, "held_form_max_bytes"),
    ({"held_form_ttl": "ten"}, "held_form_ttl"),
    ({"held_form_hook": "no.such.module:fn"}, "held_form_hook"),
    ({"held_form_hook": 42}, "held_form_hook"),
])
def test_bad_options(memory, options, message):
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(form_app, memory, **options)
    assert message in str(info.value)


def test_options_from_an_ini(memory):
    middleware = SessionTimeoutMiddleware(form_app, dict(memory, **{
        "session_timeout.hold_forms": "false", "session_timeout.held_form_ttl": "60",
        "session_timeout.held_form_max_bytes": "1024",
        "session_timeout.held_form_hook": "json:loads"}))
    s = middleware.settings
    assert (s.hold_forms, s.held_form_ttl, s.held_form_max_bytes) == (False, 60, 1024)
    assert s.held_form_hook is json.loads


def test_a_mounted_app_gets_its_mount_in_the_action_and_the_discard_link(make, clock):
    app = make()
    mounted = {"SCRIPT_NAME": "/shop"}
    app.post("/login", {"name": "alice"}, extra_environ=mounted)
    clock.advance(IDLE + 1)
    headers = dict(FORM_POST)
    del headers["Referer"]
    response = post_form(app, headers=headers, extra_environ=mounted)
    assert response.headers["Location"] == "/shop/login?came_from=%2Fshop%2Faccount%2Fsave"
    app.post("/login", {"name": "alice"}, extra_environ=mounted)
    page = app.get("/account/save", headers=PAGE_LOAD, extra_environ=mounted)
    assert page.forms[0].action == "/shop/account/save"
    assert '<a href="/shop/">' in page.text
