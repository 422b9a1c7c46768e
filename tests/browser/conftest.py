"""Fixtures for the browser tests: Debian's chromium driven by Playwright (sync API), the
test app (``app.py``) in a real WSGI server on 127.0.0.1, and both clocks under the
test's control.

Run them with::

    bash scripts/setup-browser        # as root: chromium, fonts, npm ci
    scripts/tox -e py311-browser      # or py313-browser; -- ARGS go to pytest

Time is moved, never waited for: :meth:`Browser.advance` moves the server's
:class:`~wsgi_session_timeout.testing.ManualClock` and the pages' clock (Playwright's
``clock``, installed for the whole context before any page loads, and paused) together,
after every request the pages have in flight has been answered. The pages' timers fire
only when a test moves their clock (``advance``, ``run_timers``).

Screenshots go to a temporary directory; ``scripts/screenshots`` (``make screenshots``)
regenerates the ones in docs/screenshots.
"""

import os
import re

try:
    from urllib.parse import quote
except ImportError:  # Python 2: the suite is not collected there
    from urllib import quote

import pytest

try:
    from playwright.sync_api import expect
except (ImportError, SyntaxError):
    # Python 2, or an interpreter set up for the other suites only (make test): the
    # browser suite needs its own requirements (VENV_HINT) and is not collected.
    collect_ignore_glob = ["test_*.py"]
else:
    # A busy machine (two cores, other suites running) needs more than the default 5 s.
    expect.set_options(timeout=10000)

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = "/usr/bin/chromium"
SETUP_HINT = "run scripts/setup-browser (as root)"
VENV_HINT = "scripts/tox -e py311-browser (requirements/browser.txt)"
# Without the background-networking flags Chromium keeps trying to reach Google's
# services, which the closed network refuses; --no-sandbox because the tests run as root.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
# Where the pages' clock starts (ms since the epoch, 2024-01-01 UTC); the server's starts
# elsewhere: the client counts the seconds the server tells it, never comparing clocks.
PAGE_EPOCH = 1704067200000
# Screenshots go to a temporary directory, unless scripts/screenshots names the one of
# the documentation (docs/screenshots): a test run never rewrites tracked files.
SCREENSHOT_DIR_VARIABLE = "WST_SCREENSHOT_DIR"

# Chrome reports every 4xx answer to a script as a console error. The middleware's
# expiry answers are expected; anything else on the console fails the test.
_EXPECTED_HTTP_ERROR = re.compile(
    r"^Failed to load resource: the server responded with a status of (401|419) ")
_EXPECTED_URL = re.compile(r"^https?://[^/]+(/[a-z0-9]+)?/(api/|_session/extend)")


@pytest.fixture(scope="session")
def server():
    """The test app on a free port, for the whole run."""
    from .app import TestServer

    test_server = TestServer().start()
    yield test_server
    test_server.stop()


@pytest.fixture(scope="session")
def chromium():
    """Debian's chromium under Playwright. Missing pieces fail the run (never skip)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail("%s is missing: %s" % (CHROMIUM, SETUP_HINT), pytrace=False)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "htmx.org")):
        pytest.fail("tests/browser/node_modules is missing: %s" % SETUP_HINT, pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Browser(object):
    """One test's browser context (a browser profile: its tabs share cookies, storage and
    the clock), with the helpers the tests share."""

    def __init__(self, context, server, problems, screenshot_dir):
        self.context = context
        self.server = server
        self.problems = problems
        self.screenshot_dir = screenshot_dir

    def new_page(self):
        """A new tab whose console errors and uncaught exceptions fail the test."""
        page = self.context.new_page()
        page.set_default_timeout(10000)
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(
            "uncaught exception on %s: %s" % (page.url, error)))
        return page

    def _console(self, page, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if _EXPECTED_HTTP_ERROR.match(message.text) and _EXPECTED_URL.match(url):
            return
        self.problems.append("console error on %s: %s (%s)" % (page.url, message.text, url))

    def url(self, path, mount=""):
        return self.server.url + mount + path

    def sign_in(self, page, name="alice", mount="", then="/app/orders"):
        """Sign in through the login form, landing on ``then``."""
        page.goto(self.url("/login?came_from=" + quote(mount + then, safe="/"), mount))
        page.get_by_label("Name").fill(name)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(self.url(then, mount))
        wait_ready(page)

    def advance(self, seconds, pages=True):
        """Let ``seconds`` pass on the server and (unless ``pages=False``) in every tab:
        the server first, so that what a page asks when its timers fire sees the new time.

        Every request the pages have in flight is answered and handled first (and again
        afterwards): an answer computed after the server's clock moved but counted from
        before the page's clock moved would be off by ``seconds``."""
        self.settle()
        self.server.clock.advance(seconds)
        if pages:
            self.context.clock.fast_forward(int(seconds * 1000))
            self.settle()

    def run_timers(self, milliseconds=1):
        """Answer every request in flight, then fire the tabs' timers due within
        ``milliseconds`` (zero-delay timers that libraries use to call back)."""
        self.settle()
        self.context.clock.run_for(milliseconds)
        self.settle()

    def settle(self):
        """Wait until no tab has a request in flight (answers handled included)."""
        for page in self.context.pages:
            page.wait_for_function("window.__requestsInFlight === 0", polling=20)

    def status(self, mount=""):
        """The server's status document for this context's cookies (asked from outside
        the pages; reading it is never activity)."""
        response = self.context.request.get(self.url("/_session/status", mount))
        try:
            assert response.status == 200, response.status
            return response.json()
        finally:
            response.dispose()

    def screenshot(self, page, name):
        """Save ``<name>.png`` in the run's screenshot directory (``screenshot_dir``)."""
        page.screenshot(path=os.path.join(self.screenshot_dir, name + ".png"))


# Counts each page's requests in flight, so that a test can wait until every answer has
# been handled before it moves a clock (settle). The prototype's send is wrapped, not the
# constructor: the pages check that XMLHttpRequest itself stays native.
COUNT_REQUESTS = """
(function () {
  var pending = 0;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function () {
    var ended = false;
    function end() {
      if (!ended) { ended = true; pending -= 1; }
    }
    pending += 1;
    this.addEventListener("loadend", end);
    try {
      return send.apply(this, arguments);
    } catch (e) {
      end();
      throw e;
    }
  };
  Object.defineProperty(window, "__requestsInFlight", {get: function () { return pending; }});
})();
"""


def wait_ready(page):
    """Wait until the page's libraries are loaded and the client has asked the status."""
    page.wait_for_function(
        "window.pageReady === true && !!window.SessionTimeout && "
        "SessionTimeout.state() !== 'unknown'")


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory):
    """Where :meth:`Browser.screenshot` writes: ``$WST_SCREENSHOT_DIR`` (set by
    scripts/screenshots to docs/screenshots), else a temporary directory."""
    path = os.environ.get(SCREENSHOT_DIR_VARIABLE)
    if not path:
        return str(tmp_path_factory.mktemp("screenshots"))
    if not os.path.isdir(path):
        os.makedirs(path)
    return path


@pytest.fixture
def browser(chromium, server, screenshot_dir):
    """A fresh browser context on the test app, its clock installed and paused. At
    teardown no page may have logged a console error or thrown, and the app may not have
    raised.

    The pages' clock starts in 2024 and the server's in 2023: the client counts the
    seconds the server tells it and never compares the two clocks."""
    context = chromium.new_context(base_url=server.url,
                                   viewport={"width": 1000, "height": 680})
    # The pages' clock stands still: it moves only when a test moves it (advance), so
    # what a page shows never depends on how fast this machine runs the test.
    context.add_init_script(COUNT_REQUESTS)
    context.clock.install(time=PAGE_EPOCH)
    context.clock.pause_at(PAGE_EPOCH + 1000)
    problems = []
    errors_before = len(server.errors)
    yield Browser(context, server, problems, screenshot_dir)
    context.close()
    problems.extend("the app raised: " + e for e in server.errors[errors_before:])
    assert not problems, "\n".join(problems)
