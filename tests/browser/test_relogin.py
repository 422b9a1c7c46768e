"""Dialog mode: an AJAX call that meets an expired session opens the login page in the
page; after signing in there, every call that failed meanwhile is sent again and its
caller gets the real answer, as if nothing had happened."""

from playwright.sync_api import expect

from .app import IDLE_TIMEOUT

LIBRARIES = ["jquery", "jquery1", "yui3", "yui2", "fetch", "xhr"]
MESSAGES = {"jquery": "from jQuery 3", "jquery1": "from jQuery 1", "yui3": "from YUI 3",
            "yui2": "from YUI 2", "fetch": "from fetch", "xhr": "from XHR"}


def sign_in_in_dialog(dialog, name):
    frame = dialog.frame_locator("iframe")
    frame.get_by_label("Name").fill(name)
    frame.get_by_role("button", name="Sign in").click()


def test_sign_in_inside_the_dialog_replays_the_failed_requests(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/ajax?mode=dialog")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    before = len(server.requests_to("/api/echo"))
    page.click("#all")  # six libraries and htmx at once, all answered 401

    dialog = page.get_by_role("dialog", name="Sign in to continue")
    expect(dialog).to_be_visible()
    frame = dialog.frame_locator("iframe")
    expect(frame.get_by_label("Name")).to_be_focused()
    # Every call failed, none of them reached its caller or htmx's target.
    assert len(server.requests_to("/api/echo")) - before == len(LIBRARIES)
    assert page.evaluate("window.results") == {}
    expect(page.locator("#htmx-target")).to_have_text("htmx: nothing yet")

    sign_in_in_dialog(dialog, "alice")
    expect(dialog).to_be_hidden()
    # YUI 2 polls readyState every 50 ms and YUI 3 calls back from a zero-delay timer:
    # run the pages' timers once the replayed requests are answered.
    browser.run_timers(100)
    for library in LIBRARIES:
        expect(page.locator("#out-" + library)).not_to_be_empty()
    results = page.evaluate("window.results")
    for library in LIBRARIES:
        assert results[library] == {"user": "alice", "method": "POST",
                                    "msg": MESSAGES[library], "lib": library}, library
    expect(page.locator("#fragment")).to_have_text("Fragment for alice: from htmx")
    # Each call went out twice: the one that failed, and the replay.
    assert len(server.requests_to("/api/echo")) - before == 2 * len(LIBRARIES)
    assert browser.status()["authenticated"] is True
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_cancel_hands_the_expiry_answer_to_the_caller(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/orders?mode=dialog")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    page.click("#refresh")
    dialog = page.get_by_role("dialog", name="Sign in to continue")
    expect(dialog).to_be_visible()
    # The login page in the frame was told where the user is (came_from = this page).
    frame = dialog.frame_locator("iframe")
    expect(frame.get_by_text("Sign in to continue to /app/orders?mode=dialog")).to_be_visible()
    expect(frame.get_by_label("Name")).to_be_focused()
    browser.screenshot(page, "relogin-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#refreshed")).to_have_text("Refresh failed: 401.")
    assert page.url == browser.url("/app/orders?mode=dialog")


def test_a_held_request_the_page_aborts_is_not_sent_again(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/ajax?mode=dialog")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    page.evaluate("""
        window.outcome = {};
        window.held = jq3.ajax({url: URL_ + "aborted", dataType: "json"})
          .fail(function (xhr, status) { outcome.jquery = [xhr.status, status]; });
        window.controller = new AbortController();
        fetch(URL_ + "aborted-fetch", {signal: controller.signal})
          .catch(function (e) { outcome.fetch = e.name; });
        null;  // not the pending promise: evaluate() would wait for it""")
    dialog = page.get_by_role("dialog", name="Sign in to continue")
    expect(dialog).to_be_visible()
    page.wait_for_function("SessionTimeout.state() === 'expired'")
    page.evaluate("held.abort(); controller.abort();")
    page.wait_for_function("outcome.jquery && outcome.fetch")
    assert page.evaluate("outcome") == {"jquery": [0, "abort"], "fetch": "AbortError"}
    server.wait_for_request("/api/echo", "lib=aborted")  # both met the ended session
    server.wait_for_request("/api/echo", "lib=aborted-fetch")
    sent = len(server.requests_to("/api/echo"))
    sign_in_in_dialog(dialog, "alice")
    expect(dialog).to_be_hidden()
    page.click("#xhr")  # a request after sign-in goes through as usual
    expect(page.locator("#out-xhr")).to_contain_text('"user":"alice"')
    assert len(server.requests_to("/api/echo")) == sent + 1
