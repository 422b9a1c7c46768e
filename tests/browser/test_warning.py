"""The countdown: a warning before the session ends, with a live countdown, that extends
it (by mouse or keyboard alone); the notice when it has ended; and the status polls that
never keep a session alive."""

import re

from playwright.sync_api import expect

from .app import IDLE_TIMEOUT

WARN_BEFORE = 60


def warning(page):
    return page.get_by_role("alertdialog", name="Your session is about to end")


def test_warning_shows_a_countdown_and_stay_signed_in_extends(browser, server):
    page = browser.new_page()
    browser.sign_in(page)
    browser.advance(IDLE_TIMEOUT - WARN_BEFORE - 30)
    expect(warning(page)).to_have_count(0)  # 90 s left: not yet

    browser.advance(35)  # 55 s left
    dialog = warning(page)
    expect(dialog).to_be_visible()
    expect(dialog).to_have_attribute("aria-modal", "true")
    expect(dialog).to_have_accessible_description(re.compile(r"signed out in \d:\d\d"))
    # The pages' clock moves only when the test moves it: the countdown is exact.
    expect(dialog.get_by_role("timer")).to_have_text("0:55")
    browser.advance(10)
    expect(dialog.get_by_role("timer")).to_have_text("0:45")
    assert browser.status()["expires_in"] == 45
    browser.screenshot(page, "warning-dialog")

    with page.expect_request("**/_session/extend") as extend:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert extend.value.method == "POST"
    assert extend.value.headers["x-requested-with"] == "XMLHttpRequest"
    expect(dialog).to_be_hidden()
    assert browser.status() == {"authenticated": True, "expires_in": IDLE_TIMEOUT,
                                "idle_expires_in": IDLE_TIMEOUT, "absolute_expires_in": None}
    assert page.evaluate("SessionTimeout.remaining()") == IDLE_TIMEOUT


def test_keyboard_only_tab_cycles_and_escape_stays_signed_in(browser, server):
    page = browser.new_page()
    browser.sign_in(page)
    browser.advance(IDLE_TIMEOUT - 30)
    dialog = warning(page)
    expect(dialog).to_be_visible()
    stay = dialog.get_by_role("button", name="Stay signed in")
    sign_out = dialog.get_by_role("button", name="Sign out")
    expect(stay).to_be_focused()
    for key, focused in [("Tab", sign_out), ("Tab", stay), ("Tab", sign_out),
                         ("Shift+Tab", stay), ("Shift+Tab", sign_out)]:
        page.keyboard.press(key)
        expect(focused).to_be_focused()
    # Focus does not get out by a click on the page behind either.
    page.evaluate("document.getElementById('refresh').focus()")
    expect(page.locator("#refresh")).not_to_be_focused()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("body")).to_be_visible()
    assert browser.status()["idle_expires_in"] == IDLE_TIMEOUT


def test_the_end_of_the_countdown_is_confirmed_and_announced(browser, server):
    page = browser.new_page()
    browser.sign_in(page)
    browser.advance(IDLE_TIMEOUT + 1)
    notice = page.get_by_role("alertdialog", name="Your session has ended")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("button", name="Sign in again")).to_be_focused()
    assert page.evaluate("SessionTimeout.state()") == "expired"
    # Default mode: signing in again is a trip to the login page and back.
    notice.get_by_role("button", name="Sign in again").click()
    page.wait_for_url(browser.url("/login?came_from=%2Fapp%2Forders"))


def test_status_polls_do_not_keep_the_session_alive(browser, server):
    page = browser.new_page()
    browser.sign_in(page)
    polls = []
    for _ in range(4):
        # Past the page's 120 s poll interval each time: every step makes it ask.
        with page.expect_request("**/_session/status") as poll:
            browser.advance(140)
        polls.append(poll.value.headers)
    assert all(headers.get("x-session-passive") == "1" for headers in polls)
    expect(page.get_by_role("alertdialog")).to_be_visible()  # 40 s left: the warning
    assert browser.status()["expires_in"] == IDLE_TIMEOUT - 4 * 140
    browser.advance(IDLE_TIMEOUT - 4 * 140)
    assert browser.status()["authenticated"] is False
    expect(page.get_by_role("alertdialog", name="Your session has ended")).to_be_visible()
