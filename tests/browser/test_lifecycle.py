"""A session ended from somewhere else: the page says why, instead of a bare "timed out"
(or a silent trip to the login page). Two browser profiles stand for two devices of
one user."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import COUNT_REQUESTS, PAGE_EPOCH, Browser

SINGLE = "/single"  # the mount with max_sessions = 1


@pytest.fixture
def laptop(chromium, server, screenshot_dir):
    """A second device: a browser profile of its own (its own cookies), its clock
    installed and paused as the ``browser`` fixture's is."""
    context = chromium.new_context(base_url=server.url)
    context.add_init_script(COUNT_REQUESTS)
    context.clock.install(time=PAGE_EPOCH)
    context.clock.pause_at(PAGE_EPOCH + 1000)
    problems = []
    yield Browser(context, server, problems, screenshot_dir)
    context.close()
    assert not problems, "\n".join(problems)


def ended_notice(page):
    return page.get_by_role("alertdialog", name="Your session has ended")


def test_signed_out_from_another_device(browser, laptop):
    phone = browser.new_page()
    browser.sign_in(phone, name="dana")  # a user no other test signs in
    other = laptop.new_page()
    laptop.sign_in(other, name="dana")
    ended = laptop.context.request.post(laptop.url("/api/end-others"))
    try:
        assert ended.status == 200 and ended.json() == {"ended": 1}
    finally:
        ended.dispose()
    # The phone's next status check hears why its session ended.
    phone.evaluate("() => { SessionTimeout.check(); }")
    notice = ended_notice(phone)
    expect(notice).to_be_visible()
    expect(notice).to_have_accessible_description(re.compile(
        r"^Your session was ended from another device or by an administrator\."))
    assert phone.evaluate("SessionTimeout.state()") == "expired"
    browser.screenshot(phone, "ended-elsewhere")
    # The laptop stays signed in.
    assert laptop.status()["authenticated"] is True


def test_signed_out_because_of_a_sign_in_elsewhere(browser, laptop):
    phone = browser.new_page()
    browser.sign_in(phone, name="erin", mount=SINGLE, then="/app/ajax")
    other = laptop.new_page()
    laptop.sign_in(other, name="erin", mount=SINGLE)  # max_sessions = 1: the phone's session ends
    # A script request of the phone is answered "replaced": in the default redirect
    # mode the page says why first, instead of going to the login page unexplained.
    phone.click("#fetch")
    notice = ended_notice(phone)
    expect(notice).to_be_visible()
    expect(notice).to_have_accessible_description(re.compile(
        r"^You were signed out because you signed in elsewhere\."))
    assert phone.url == browser.url("/app/ajax", SINGLE)
    browser.screenshot(phone, "signed-in-elsewhere")
    with phone.expect_navigation():
        notice.get_by_role("button", name="Sign in again").click()
    assert "/single/login?came_from=" in phone.url
