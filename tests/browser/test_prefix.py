"""A middleware whose endpoints are not at ``/_session``: the app mounted at ``/portal``
(its SCRIPT_NAME) with ``endpoint_prefix = /auth/session-api``. The script finds its
endpoints from its own URL, and the mount (the default login and logout URLs, beside it)
from the prefix it was served under."""

import re

try:
    from urllib.parse import quote
except ImportError:  # Python 2: the suite is not collected there
    from urllib import quote

from playwright.sync_api import expect

from wsgi_session_timeout import client

from .app import IDLE_TIMEOUT, PREFIXES
from .conftest import wait_ready

MOUNT = "/portal"
PREFIX = PREFIXES[MOUNT]
ENDPOINTS = MOUNT + PREFIX
WARN_BEFORE = 60


def warning(page):
    return page.get_by_role("alertdialog", name="Your session is about to end")


def status(browser):
    response = browser.context.request.get(browser.url(PREFIX + "/status", MOUNT))
    try:
        assert response.status == 200, response.status
        return response.json()
    finally:
        response.dispose()


def test_the_script_is_served_with_its_prefix(browser, server):
    response = browser.context.request.get(browser.url(PREFIX + "/client.js", MOUNT))
    try:
        assert response.status == 200
        assert response.body() == client.script(PREFIX)[0]
        assert b'"ENDPOINT_PREFIX": "/auth/session-api"' in response.body()
    finally:
        response.dispose()
    old = browser.context.request.get(browser.url("/_session/client.js", MOUNT))
    try:
        assert old.status == 404  # the app's answer: the endpoints moved
    finally:
        old.dispose()


def test_the_script_asks_the_moved_endpoints(browser, server):
    before = len(server.requests)
    page = browser.new_page()
    browser.sign_in(page, mount=MOUNT)
    assert page.evaluate("SessionTimeout.state()") == "active"
    paths = [r[1] for r in server.requests[before:]]
    assert ENDPOINTS + "/status" in paths
    assert not [path for path in paths if "/_session/" in path]


def test_warning_and_stay_signed_in(browser, server):
    page = browser.new_page()
    browser.sign_in(page, mount=MOUNT)
    browser.advance(IDLE_TIMEOUT - WARN_BEFORE + 5)
    dialog = warning(page)
    expect(dialog).to_be_visible()
    assert status(browser)["expires_in"] == WARN_BEFORE - 5

    with page.expect_request("**" + ENDPOINTS + "/extend") as extend:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert extend.value.method == "POST"
    expect(dialog).to_be_hidden()
    assert status(browser)["expires_in"] == IDLE_TIMEOUT


def test_sign_out_goes_to_the_mounts_logout(browser, server):
    page = browser.new_page()
    browser.sign_in(page, mount=MOUNT)
    browser.advance(IDLE_TIMEOUT - WARN_BEFORE + 5)
    dialog = warning(page)
    with page.expect_navigation(url=browser.url("/login", MOUNT)):
        dialog.get_by_role("button", name="Sign out").click()
    assert len(server.requests_to(MOUNT + "/logout")) == 1
    assert status(browser)["authenticated"] is False


def test_the_default_login_url_is_beside_the_mount(browser, server):
    # With the server unreachable the page ends the session itself when its count reaches
    # zero, and knows no login_url from the server: it falls back to <mount>/login.
    page = browser.new_page()
    browser.sign_in(page, mount=MOUNT)
    for name in ("status", "extend"):
        page.route("**" + ENDPOINTS + "/" + name, lambda route: route.fulfill(
            status=200, content_type="text/plain", body="down for maintenance"))
    browser.advance(IDLE_TIMEOUT + 5)
    notice = page.get_by_role("alertdialog", name="Your session has ended")
    expect(notice).to_be_visible()
    came_from = quote(MOUNT + "/app/orders", safe="")
    with page.expect_navigation(url=browser.url("/login?came_from=" + came_from, MOUNT)):
        notice.get_by_role("button", name="Sign in again").click()
    expect(page.get_by_role("heading", name="Sign in to Example Shop")).to_be_visible()


def test_a_custom_logout_url_still_wins(browser, server):
    page = browser.new_page()
    browser.sign_in(page, mount=MOUNT, then="/app/orders?logout-url=" + quote(
        MOUNT + "/logout?next=1", safe=""))
    wait_ready(page)
    browser.advance(IDLE_TIMEOUT - WARN_BEFORE + 5)
    with page.expect_navigation(url=re.compile(re.escape(browser.url("/login", MOUNT)))):
        warning(page).get_by_role("button", name="Sign out").click()
    assert [r for r in server.requests if r[1] == MOUNT + "/logout"]
