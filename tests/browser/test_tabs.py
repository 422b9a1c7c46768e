"""Tabs agree: activity or "Stay signed in" in one tab moves every tab's countdown, and
a sign-out in one is seen in the others (two pages of one browser context)."""

import pytest
from playwright.sync_api import expect

from .app import IDLE_TIMEOUT
from .conftest import wait_ready


def warning(page):
    return page.get_by_role("alertdialog", name="Your session is about to end")


def ended_notice(page):
    return page.get_by_role("alertdialog", name="Your session has ended")


def two_tabs(browser):
    first = browser.new_page()
    browser.sign_in(first)
    second = browser.new_page()
    second.goto(browser.url("/app/orders"))
    wait_ready(second)
    return first, second


def remaining(page):
    return page.evaluate("SessionTimeout.remaining()")


def test_activity_and_extend_in_one_tab_move_the_other(browser, server):
    first, second = two_tabs(browser)
    browser.advance(300)
    assert remaining(second) == IDLE_TIMEOUT - 300

    first.click("#refresh")  # a request is activity: the server says 600 s again
    expect(first.locator("#refreshed")).to_have_text("Refreshed for alice.")
    second.wait_for_function("SessionTimeout.remaining() === %d" % IDLE_TIMEOUT)

    browser.advance(IDLE_TIMEOUT - 30)
    expect(warning(first)).to_be_visible()
    expect(warning(second)).to_be_visible()
    warning(first).get_by_role("button", name="Stay signed in").click()
    expect(warning(first)).to_be_hidden()
    expect(warning(second)).to_be_hidden()
    assert remaining(second) == IDLE_TIMEOUT
    assert browser.status()["expires_in"] == IDLE_TIMEOUT


def test_sign_out_from_the_warning_is_seen_in_the_other_tab(browser, server):
    first, second = two_tabs(browser)
    browser.advance(IDLE_TIMEOUT - 30)
    warning(first).get_by_role("button", name="Sign out").click()
    first.wait_for_url(browser.url("/login"))
    notice = ended_notice(second)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You were signed out in another window.")
    assert browser.status()["authenticated"] is False


@pytest.mark.parametrize("transport", ["BroadcastChannel", "localStorage"])
def test_sign_out_by_the_apps_own_link_is_seen_in_the_other_tab(browser, server, transport):
    if transport == "localStorage":
        # Browsers without BroadcastChannel: the storage event carries the news.
        browser.context.add_init_script("delete window.BroadcastChannel;")
    first, second = two_tabs(browser)
    assert second.evaluate("typeof BroadcastChannel") == (
        "undefined" if transport == "localStorage" else "function")
    first.get_by_role("link", name="Sign out").click()
    first.wait_for_url(browser.url("/login"))
    # The login page's own client finds no session and tells the other tabs to ask.
    notice = ended_notice(second)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You were signed out in another window.")
    assert second.evaluate("SessionTimeout.state()") == "expired"
