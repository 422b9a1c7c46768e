"""A form submitted after the session ended is held, the user signs in inside the page,
and the form goes through with what was typed (whatever the mode: a navigation to the
login page would lose it). The page asks the server before it sends a form when its news
of the session is a few seconds old, so a session that ended where the page could not
see it (a server clock ahead, a sign-out in another browser, a revoked session) is
caught too. Without the script, the middleware keeps the form and offers it back after
sign-in (held.py)."""

from beaker.container import MemoryNamespaceManager
from playwright.sync_api import expect

from .app import IDLE_TIMEOUT

REVIEW = "Arrived quickly, well packed.\nWould order again."


def ended_notice(page):
    return page.get_by_role("alertdialog", name="Your session has ended")


def relogin_dialog(page):
    return page.get_by_role("dialog", name="Sign in to continue")


def sign_in_in_dialog(page, name="alice"):
    frame = relogin_dialog(page).frame_locator("iframe")
    frame.get_by_label("Name").fill(name)
    frame.get_by_role("button", name="Sign in").click()


def form_with_a_review(browser):
    """A new page of the form (the script on it), signed in as alice, a review typed."""
    page = browser.new_page()
    browser.sign_in(page, then="/app/form")
    page.get_by_label("Your review").fill(REVIEW)
    return page


def expect_saved_for_alice(page):
    """The app's page for the form that went through: alice's, with what was typed and
    the button pressed."""
    expect(page.locator("#saved-by")).to_have_text("Saved for alice.")
    expect(page.locator("#field-comment")).to_have_text(REVIEW.replace("\n", "\r\n"))
    expect(page.locator("#field-action")).to_have_text("save")


def test_form_submitted_after_expiry_is_held_and_sent_after_sign_in(browser, server):
    page = form_with_a_review(browser)
    browser.advance(IDLE_TIMEOUT + 1)
    expect(ended_notice(page)).to_be_visible()
    ended_notice(page).get_by_role("button", name="Close").click()
    expect(page.get_by_label("Your review")).to_have_value(REVIEW)

    page.get_by_role("button", name="Save review").click()
    expect(relogin_dialog(page)).to_be_visible()
    assert server.requests_to("/app/submitted") == []  # held, not lost to a redirect
    sign_in_in_dialog(page)
    page.wait_for_url(browser.url("/app/submitted"))
    expect_saved_for_alice(page)
    assert len(server.requests_to("/app/submitted")) == 1


def test_sign_in_again_keeps_a_page_with_typed_data(browser, server):
    page = form_with_a_review(browser)
    browser.advance(IDLE_TIMEOUT + 1)
    # Redirect mode, but a form holds typed data: "Sign in again" opens the dialog.
    ended_notice(page).get_by_role("button", name="Sign in again").click()
    sign_in_in_dialog(page)
    expect(relogin_dialog(page)).to_be_hidden()
    assert page.url == browser.url("/app/form")
    expect(page.get_by_label("Your review")).to_have_value(REVIEW)
    assert browser.status()["authenticated"] is True


# -- the page did not know: it asks before it sends ------------------------------------------

def later_in_the_page(browser, seconds=10):
    """Time passes in the page only: its news of the session gets stale (past the
    script's few seconds), while its countdown still shows minutes left."""
    browser.context.clock.fast_forward(seconds * 1000)


def save_and_sign_in_again(browser, server, page):
    before = len(server.requests_to("/app/submitted"))  # the server runs for every test
    page.get_by_role("button", name="Save review").click()
    expect(relogin_dialog(page)).to_be_visible()
    assert len(server.requests_to("/app/submitted")) == before  # held, not sent
    sign_in_in_dialog(page)
    page.wait_for_url(browser.url("/app/submitted"))
    expect_saved_for_alice(page)
    assert len(server.requests_to("/app/submitted")) == before + 1


def test_a_form_sent_when_the_server_ended_the_session_unseen_is_held(browser, server):
    page = form_with_a_review(browser)
    browser.advance(IDLE_TIMEOUT + 1, pages=False)  # a server whose clock runs ahead
    later_in_the_page(browser)
    assert page.evaluate("SessionTimeout.remaining()") > 500  # the page has no idea
    save_and_sign_in_again(browser, server, page)


def test_a_form_sent_after_a_sign_out_in_another_browser_is_held(browser, server, chromium):
    page = form_with_a_review(browser)
    other = chromium.new_context(base_url=server.url)
    try:
        other.add_cookies(browser.context.cookies())
        response = other.request.get(browser.url("/logout"), max_redirects=0)
        assert response.status == 303
        response.dispose()
    finally:
        other.close()
    later_in_the_page(browser)
    save_and_sign_in_again(browser, server, page)


def test_a_form_sent_after_the_session_was_revoked_is_held(browser, server):
    page = form_with_a_review(browser)
    # The store restarted empty: every session is gone (the browser's marker says its
    # own would still be live).
    MemoryNamespaceManager.namespaces.dict.clear()
    later_in_the_page(browser)
    save_and_sign_in_again(browser, server, page)


def test_a_form_sent_on_stale_news_of_a_live_session_goes_after_one_check(browser, server):
    page = form_with_a_review(browser)
    later_in_the_page(browser)
    checks = len(server.requests_to("/_session/status"))
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(browser.url("/app/submitted"))
    expect(page.locator("#field-comment")).to_have_text(REVIEW.replace("\n", "\r\n"))
    expect(page.locator("#field-action")).to_have_text("save")
    assert len(server.requests_to("/_session/status")) == checks + 1


# -- no script: the server keeps the form ---------------------------------------------------

def plain_form_sent_after_expiry(browser):
    """A new page without the script, signed in as alice, a review typed; then the session
    ends and the form is sent: the server sends the page to the login page."""
    page = browser.new_page()
    browser.sign_in(page)
    page.goto(browser.url("/app/plain-form"))
    page.get_by_label("Your review").fill(REVIEW)
    browser.advance(IDLE_TIMEOUT + 1)
    page.get_by_role("button", name="Save review").click()
    page.wait_for_url(browser.url("/login?came_from=%2Fapp%2Fsubmitted"))
    return page


def sign_in_on_the_login_page(page, name):
    page.get_by_label("Name").fill(name)
    page.get_by_role("button", name="Sign in").click()


def test_without_the_script_the_form_reaches_the_app_after_sign_in(browser, server):
    page = plain_form_sent_after_expiry(browser)
    assert server.requests_to("/app/submitted")[-1][0] == "POST"  # met the ended session
    sign_in_on_the_login_page(page, "alice")

    page.wait_for_url(browser.url("/app/submitted"))
    expect(page.get_by_role("heading", name="Send your form again?")).to_be_visible()
    confirm = page.locator("table")
    expect(confirm).to_contain_text("comment")
    expect(confirm).to_contain_text("Would order again.")
    expect(confirm).to_contain_text("csrf_token")
    expect(confirm).not_to_contain_text("page-token")  # a secret-looking field: name only
    assert server.requests_to("/app/submitted")[-1][0] == "GET"  # nothing sent yet

    page.get_by_role("button", name="Send the form again").click()
    expect_saved_for_alice(page)
    expect(page.locator("#field-csrf_token")).to_have_text("page-token")
    page.goto(browser.url("/app/submitted"))  # one use only: the app's own page now
    expect(page.locator("h1")).to_have_text("Nothing saved")


def test_without_the_script_another_user_never_sees_the_form(browser, server):
    page = plain_form_sent_after_expiry(browser)
    sign_in_on_the_login_page(page, "mallory")
    page.wait_for_url(browser.url("/app/submitted"))
    expect(page.locator("h1")).to_have_text("Nothing saved")  # the app's own page
    assert "Would order again" not in page.content()
