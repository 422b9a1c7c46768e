"""The client script itself: old-browser syntax, how it is served, its configuration
(data- attributes and the JS API, every integration can be turned off) and its events."""

import json
import os
import subprocess

import pytest
from playwright.sync_api import expect

from wsgi_session_timeout import client

from .app import IDLE_TIMEOUT
from .conftest import HERE, SETUP_HINT

NODE = "/usr/bin/node"

ES5_CHECK = """
var acorn = require("acorn");
var source = require("fs").readFileSync(process.argv[1], "utf8");
try { acorn.parse(source, {ecmaVersion: 5, sourceType: "script"}); }
catch (e) { console.log(e.message); process.exit(1); }
"""


def test_the_script_is_es5(tmp_path):
    if not os.access(NODE, os.X_OK):
        pytest.fail("%s is missing: %s" % (NODE, SETUP_HINT), pytrace=False)
    script = tmp_path / "client.js"
    script.write_bytes(client.script()[0])
    result = subprocess.run([NODE, "-e", ES5_CHECK, str(script)], cwd=HERE,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "not ES5: %s%s" % (result.stdout, result.stderr)


def test_the_script_is_served_cacheable(browser):
    body = client.script()[0]
    response = browser.context.request.get(browser.url("/_session/client.js"))
    assert response.status == 200
    assert response.body() == body
    assert response.headers["cache-control"] == "public, max-age=3600"
    etag = response.headers["etag"]
    again = browser.context.request.get(browser.url("/_session/client.js"),
                                        headers={"If-None-Match": etag})
    assert again.status == 304
    response.dispose()
    again.dispose()


def test_every_integration_can_be_turned_off(browser, server):
    page = browser.new_page()
    browser.sign_in(page, then="/app/ajax?fetch=false&xhr=false&htmx=false&tabs=false")
    assert page.evaluate("/\\[native code\\]/.test(String(window.fetch))")
    assert page.evaluate("/\\[native code\\]/.test(String(window.XMLHttpRequest))")
    browser.advance(IDLE_TIMEOUT + 1, pages=False)
    # The page's own callbacks get the middleware's answer, and the page stays.
    page.click("#fetch")
    expect(page.locator("#out-fetch")).to_have_text('fetch: {"failed":401}')
    page.click("#jquery")
    expect(page.locator("#out-jquery")).to_have_text('jquery: {"failed":401}')
    assert page.url.endswith("/app/ajax?fetch=false&xhr=false&htmx=false&tabs=false")

    # And turned on again from the JS API; unknown options are refused.
    page.evaluate("SessionTimeout.configure({fetch: true})")
    assert not page.evaluate("/\\[native code\\]/.test(String(window.fetch))")
    error = page.evaluate("(function () { try { SessionTimeout.configure({bogus: 1}); }"
                          " catch (e) { return e.message; } })()")
    assert error == "SessionTimeout: unknown option bogus"


def test_events_tell_the_page_what_happens(browser, server):
    page = browser.new_page()
    browser.sign_in(page)
    page.evaluate("""
        window.seen = [];
        ["warning", "extended", "expired", "signout"].forEach(function (name) {
          document.addEventListener("sessiontimeout:" + name, function (e) {
            seen.push([name, e.detail.expiresIn === undefined ? e.detail.reason
                                                               : e.detail.expiresIn]);
          });
        });""")
    browser.advance(IDLE_TIMEOUT - 20)
    page.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("alertdialog")).to_be_hidden()
    browser.advance(IDLE_TIMEOUT + 1)
    expect(page.get_by_role("alertdialog", name="Your session has ended")).to_be_visible()
    seen = page.evaluate("seen")
    assert [name for name, _ in seen] == ["warning", "extended", "expired"]
    assert seen[0][1] == 20 and seen[1][1] == IDLE_TIMEOUT
    assert seen[2][1] == "expired"


def test_texts_and_looks_are_configurable(browser, server):
    page = browser.new_page()
    texts = json.dumps({"warningTitle": "Noch eingeloggt?", "stay": "Weiter"})
    browser.sign_in(page, then="/app/orders?warn-before=120&class-prefix=acme-timeout")
    page.evaluate("SessionTimeout.configure({texts: %s})" % texts)
    browser.advance(IDLE_TIMEOUT - 100)  # 100 s left: inside the 120 s warning
    dialog = page.get_by_role("alertdialog", name="Noch eingeloggt?")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_class("acme-timeout-dialog acme-timeout-warning")
    expect(dialog.get_by_role("button", name="Weiter")).to_be_focused()
