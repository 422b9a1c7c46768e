"""repoze.who + repoze.who-use_beaker, with Beaker's SessionMiddleware swapped for ours:
sign-in through the app's form, activity, idle expiry, sign-out, replay of the old cookie.
Both ways the plugin signs out: removing its key (the default) and ``delete()``.
"""

import json
import shutil
import tempfile

import pytest
import webtest

from wsgi_session_timeout.testing import freeze_clock

from .app import make_app

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
NAV = {"Accept": "text/html,application/xhtml+xml"}
IDLE = 1800  # from the deployment's beaker.session.timeout

# repoze.who 1.0's own: its redirecting form plugin builds its URL with cgi.parse_qs, and
# its ini reader loads plugins with pkg_resources' old EntryPoint.load(False).
pytestmark = [
    pytest.mark.filterwarnings("ignore:cgi.parse_qs is deprecated:PendingDeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Parameters to load are deprecated"),
]


@pytest.fixture(params=[False, True], ids=["forget-key", "delete-on-logout"])
def browser(request):
    folder = tempfile.mkdtemp(prefix="wst-repoze-who-")
    request.addfinalizer(lambda: shutil.rmtree(folder, ignore_errors=True))
    config = {
        # A legacy deployment's settings, as a Pylons or Paste ini carries them.
        "beaker.session.type": "file",
        "beaker.session.data_dir": folder,
        "beaker.session.secret": "a long random string",
        "beaker.session.timeout": str(IDLE),
        "session_timeout.auth_key": "repoze.who.tkt",
    }
    app = webtest.TestApp(make_app(config, delete_on_logout=request.param), lint=True)
    with freeze_clock(app) as clock:
        app.clock = clock
        yield app


def sign_in(browser):
    form = browser.get("/login").forms["login"]
    form["login"] = "alice"
    form["password"] = "wonderland"
    response = form.submit(status=302)
    assert response.location.endswith("/account")
    return response.follow()


def test_sign_in_through_its_form_with_came_from(browser):
    response = browser.get("/account", headers=NAV, status=302)
    assert "/login?came_from=" in response.location
    assert sign_in(browser).text == "Welcome alice"
    assert json.loads(browser.get("/api/orders", headers=XHR).text)["user"] == "alice"


def test_wrong_password_is_not_signed_in(browser):
    form = browser.get("/login").forms["login"]
    form["login"] = "alice"
    form["password"] = "nope"
    response = form.submit(status=302)
    assert "/login?came_from=" in response.follow(status=302).location
    browser.get("/account", headers=NAV, status=302)


def test_activity_keeps_the_session(browser):
    sign_in(browser)
    for _ in range(3):
        browser.clock.advance(IDLE - 100)
        assert browser.get("/account").text == "Welcome alice"


def test_idle_expiry_answers_scripts_with_401_json(browser):
    sign_in(browser)
    browser.clock.advance(IDLE + 1)
    response = browser.get("/api/orders", headers=XHR, status=401)
    assert response.content_type == "application/problem+json"
    assert json.loads(response.text)["error"] == "session_expired"


def test_idle_expiry_sends_navigation_to_login_with_came_from(browser):
    sign_in(browser)
    browser.clock.advance(IDLE + 1)
    response = browser.get("/account", headers=NAV, status=302)
    assert "/login?came_from=" in response.location and "%2Faccount" in response.location


def test_sign_out_and_replay_of_the_old_cookie(browser):
    sign_in(browser)
    old = browser.cookies["beaker.session.id"]
    response = browser.get("/logout_handler", status=302)
    assert "/login?came_from=" in response.location
    browser.get("/account", headers=NAV, status=302)
    browser.set_cookie("beaker.session.id", old)
    browser.get("/account", headers=NAV, status=302)
    browser.get("/api/orders", headers=XHR, status=401)
