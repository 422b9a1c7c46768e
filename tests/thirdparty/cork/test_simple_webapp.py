"""Cork's own example web application (a Bottle auth library that keeps the signed-in
user in a Beaker cookie session), with its SessionMiddleware swapped for ours, driven
through its own sign-in form: activity, idle expiry, sign-out, replay of the old cookie.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import types
import warnings

import pytest
import webtest

from wsgi_session_timeout.testing import freeze_clock

# Cork (its own code, kept as its authors wrote it) stamps sign-ins with
# datetime.utcnow(), deprecated since Python 3.12.
pytestmark = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcnow:DeprecationWarning")

HERE = os.path.dirname(os.path.abspath(__file__))
XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
NAV = {"Accept": "text/html,application/xhtml+xml"}
DAY = 3600 * 24  # the example's session.timeout: the idle timeout


@pytest.fixture(scope="module")
def example():
    """The example module, imported from a copy in a temporary folder: it reads its
    users from ./example_conf and writes their last login there."""
    folder = tempfile.mkdtemp(prefix="wst-cork-")
    copy = os.path.join(folder, "example")
    shutil.copytree(os.path.join(HERE, "example"), copy)
    cwd = os.getcwd()
    os.chdir(copy)
    sys.path.insert(0, copy)  # its copy of the cork package, as the sdist ships it
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module = _load(os.path.join(copy, "simple_webapp.py"))
        # Bottle 0.13 deprecates the ":name" route syntax two of its routes use.
        assert all("Use of old route syntax" in str(w.message) for w in caught), [
            str(w.message) for w in caught]
        yield module
    finally:
        sys.path.remove(copy)
        os.chdir(cwd)
        shutil.rmtree(folder, ignore_errors=True)


def _load(path):
    """Import the example. It is a Python 2 program: on Python 3 its two Python 2 forms,
    ``print x`` and ``except E, e:``, are read as ``print(x)`` and ``except E as e:``
    (nothing else of it changes)."""
    with open(path) as handle:
        source = handle.read()
    if sys.version_info[0] > 2:
        source = re.sub(r"^(\s*)print (.+)$", r"\1print(\2)", source, flags=re.M)
        source = re.sub(r"except (\w+), (\w+):", r"except \1 as \2:", source)
    module = types.ModuleType(str("cork_simple_webapp"))
    module.__file__ = path
    exec(compile(source, path, "exec"), module.__dict__)
    return module


@pytest.fixture
def browser(example):
    app = webtest.TestApp(example.app)
    with freeze_clock(example.app) as clock:
        app.clock = clock
        yield app


def sign_in(browser):
    form = browser.get("/login").forms[0]
    form["username"] = "admin"
    form["password"] = "admin"
    response = form.submit()
    assert response.status_int in (302, 303) and response.location.endswith("/")
    return response.follow()


def test_sign_in_through_its_form(browser):
    assert "Welcome!" in sign_in(browser).text
    assert browser.get("/my_role").text == "admin"
    assert browser.get("/user_is_anonymous").text == "False"


def test_activity_keeps_the_session(browser):
    sign_in(browser)
    for _ in range(3):
        browser.clock.advance(DAY - 60)
        assert browser.get("/my_role").text == "admin"


def test_idle_expiry_answers_scripts_with_401_json(browser):
    sign_in(browser)
    browser.clock.advance(DAY + 1)
    response = browser.get("/my_role", headers=XHR, status=401)
    assert response.content_type == "application/problem+json"
    assert json.loads(response.text)["error"] == "session_expired"


def test_idle_expiry_sends_navigation_to_login_with_came_from(browser):
    sign_in(browser)
    browser.clock.advance(DAY + 1)
    response = browser.get("/admin", headers=NAV, status=302)
    assert response.location.endswith("/login?came_from=%2Fadmin")
    assert browser.get("/user_is_anonymous").text == "True"


def test_sign_out_and_replay_of_the_old_cookie(browser):
    sign_in(browser)
    signed_in_cookie = browser.cookies["beaker.session.id"]
    response = browser.get("/logout")
    assert response.status_int in (302, 303) and response.location.endswith("/login")
    assert browser.get("/user_is_anonymous").text == "True"
    browser.set_cookie("beaker.session.id", signed_in_cookie)
    assert browser.get("/user_is_anonymous").text == "True"
    browser.get("/my_role", headers=XHR, status=401)
