"""Default mode: an AJAX call that meets an expired session takes the user to the login
page, with came_from = the page they were on, whatever library made the call; signing in
brings them back."""

import pytest
from playwright.sync_api import expect

from .app import IDLE_TIMEOUT
from .conftest import wait_ready

LIBRARIES = ["jquery", "jquery1", "yui3", "yui2", "fetch", "xhr", "htmx"]


def came_from(page):
    return page.evaluate("new URL(location.href).searchParams.get('came_from')")


@pytest.mark.parametrize("library", LIBRARIES)
def test_ajax_after_expiry_goes_to_login(browser, server, library):
    page = browser.new_page()
    browser.sign_in(page, then="/app/ajax?lib=" + library)
    # The server's session ends; the page has not counted down (its clock stands still):
    # only the AJAX answer can tell it.
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    delivered = []
    page.expose_function("noteDelivered", lambda what: delivered.append(what))
    page.evaluate("""
        var record_ = record;
        record = function (lib, value) { noteDelivered(lib); record_(lib, value); };
        document.body.addEventListener("htmx:beforeSwap", function () {
          noteDelivered("htmx");
        });""")
    page.click("#" + library)
    page.wait_for_url(browser.url("/login?*"))
    assert came_from(page) == "/app/ajax?lib=" + library
    # The failed call never reached the page's callbacks, nor htmx.
    assert delivered == []
    page.get_by_label("Name").fill("alice")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(browser.url("/app/ajax?lib=" + library))
    wait_ready(page)
    assert browser.status()["authenticated"] is True


def test_htmx_never_swaps_the_expiry_answer_in(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/ajax?xhr=false")
    # With the XHR wrapper off, htmx sees the answer itself: the htmx integration takes
    # it over (htmx neither follows HX-Redirect on its own nor swaps anything in).
    assert page.evaluate("/\\[native code\\]/.test(String(window.XMLHttpRequest))")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    seen = []
    page.expose_function("note", lambda what: seen.append(what))
    page.evaluate("""
        document.body.addEventListener("htmx:afterSwap", function () { note("swap"); });
        document.addEventListener("sessiontimeout:unauthorized", function (e) {
          note(e.detail.error);
        });""")
    page.click("#htmx")
    page.wait_for_url(browser.url("/login?*"))
    assert came_from(page) == "/app/ajax?xhr=false"
    assert seen == ["session_expired"]


@pytest.mark.parametrize("mount", ["/s419", "/envelope"], ids=["status-419", "envelope-200"])
@pytest.mark.parametrize("library", ["jquery", "fetch"])
def test_every_xhr_status_is_recognised(browser, server, mount, library):
    page = browser.new_page()
    browser.sign_in(page, mount=mount, then="/app/ajax")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    page.click("#" + library)
    page.wait_for_url(browser.url("/login?*", mount))
    assert came_from(page) == mount + "/app/ajax"
