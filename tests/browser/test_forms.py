"""A form submitted after the session ended is held, the user signs in inside the page,
and the form goes through with what was typed (whatever the mode: a navigation to the
login page would lose it)."""

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


def test_form_submitted_after_expiry_is_held_and_sent_after_sign_in(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/form")
    page.get_by_label("Your review").fill(REVIEW)
    browser.advance(IDLE_TIMEOUT + 1)
    expect(ended_notice(page)).to_be_visible()
    ended_notice(page).get_by_role("button", name="Close").click()
    expect(page.get_by_label("Your review")).to_have_value(REVIEW)

    page.get_by_role("button", name="Save review").click()
    expect(relogin_dialog(page)).to_be_visible()
    assert server.requests_to("/app/submitted") == []  # held, not lost to a redirect
    sign_in_in_dialog(page)
    page.wait_for_url(browser.url("/app/submitted"))
    expect(page.locator("#saved-by")).to_have_text("Saved for alice.")
    expect(page.locator("#field-comment")).to_have_text(REVIEW.replace("\n", "\r\n"))
    expect(page.locator("#field-action")).to_have_text("save")  # the button pressed
    assert len(server.requests_to("/app/submitted")) == 1


def test_sign_in_again_keeps_a_page_with_typed_data(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/form")
    page.get_by_label("Your review").fill(REVIEW)
    browser.advance(IDLE_TIMEOUT + 1)
    # Redirect mode, but a form holds typed data: "Sign in again" opens the dialog.
    ended_notice(page).get_by_role("button", name="Sign in again").click()
    sign_in_in_dialog(page)
    expect(relogin_dialog(page)).to_be_hidden()
    assert page.url == browser.url("/app/form")
    expect(page.get_by_label("Your review")).to_have_value(REVIEW)
    assert browser.status()["authenticated"] is True
