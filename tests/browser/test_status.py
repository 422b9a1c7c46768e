"""Status checks that overlap: the news another tab brings while this tab's own status
request is on its way is not lost, whatever that request answers."""

import json

from playwright.sync_api import expect

STATUS = "**/_session/status"


def hold_status(page):
    """Hold the page's next status request (``route.continue_()`` or ``fulfill()`` lets
    it go) and let later ones through; returns the list the held one is put in."""
    held = []
    taken = []

    def handle(route):
        if taken:
            route.continue_()
        else:
            taken.append(route)
            held.append(route)

    page.route(STATUS, handle)
    return held


def ask_and_hold(page, held):
    """Let the page ask the status, and wait until that request is held."""
    with page.expect_request(STATUS):
        page.evaluate("() => { SessionTimeout.check(); }")
    for _ in range(200):  # route handlers run while the page is being talked to
        if held:
            return held.pop()
        page.evaluate("0")
    raise AssertionError("the status request was never held")


def sign_out_elsewhere(browser, page):
    """Sign out on the server, then open the login page in a second tab, which (finding
    the session gone) tells the other tabs; wait until ``page`` has heard it."""
    response = browser.context.request.get(browser.url("/logout"))
    response.dispose()
    # A channel opened after the script's hears each message after the script did.
    page.evaluate("""() => {
        window.heardLost = false;
        new BroadcastChannel("wsgi-session-timeout").onmessage = function (event) {
            if (event.data.t === "lost") { window.heardLost = true; }
        };
    }""")
    other = browser.new_page()
    other.goto(browser.url("/login"))
    other.wait_for_function("window.SessionTimeout && SessionTimeout.state() === 'anonymous'")
    page.wait_for_function("window.heardLost === true")


def ended_notice(page):
    return page.get_by_role("alertdialog", name="Your session has ended")


def signed_out_while_asking(browser):
    """A signed-in page asks the status; while that request is held, the user signs out
    elsewhere and the page hears it. ``(page, the held request)``."""
    page = browser.new_page()
    browser.sign_in(page)
    request = ask_and_hold(page, hold_status(page))
    sign_out_elsewhere(browser, page)
    return page, request


def expect_told_of_the_sign_out(page):
    notice = ended_notice(page)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("You were signed out in another window.")


def test_news_while_asking_keeps_its_reason(browser, server):
    page, request = signed_out_while_asking(browser)
    request.continue_()  # the server now says: signed out
    expect_told_of_the_sign_out(page)
    assert page.evaluate("SessionTimeout.state()") == "expired"


def test_news_after_asking_is_not_answered_by_an_older_signed_in(browser, server):
    page, request = signed_out_while_asking(browser)
    # The answer to a request the server saw before the sign-out.
    before = len(server.requests_to("/_session/status"))
    with page.expect_request(STATUS):
        request.fulfill(status=200, content_type="application/json", body=json.dumps({
            "authenticated": True, "expires_in": 500, "idle_expires_in": 500,
            "absolute_expires_in": None}))
    expect_told_of_the_sign_out(page)
    assert len(server.requests_to("/_session/status")) == before + 1
