"""Every configuration Beaker's ``SessionMiddleware`` takes, taken the same way.

The oracle is Beaker itself: for each configuration, ``beaker.middleware.SessionMiddleware``
is built with the same arguments and its ``options`` compared with the middleware's, so
the only differences left are the ones listed in ``INTENDED``.
"""

import inspect
import json
import os
import re
import warnings
from datetime import timedelta

import pytest
import webtest
from beaker.middleware import SessionMiddleware
from beaker.session import CookieSession, Session
from beaker.util import coerce_session_params

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.settings import (
    BEAKER_COERCED, BEAKER_NAMES, DEPRECATED_WARNING, OPTIONS, parse)

from . import apps
from .conftest import NAV, XHR

SECRET = "a long random string"


def _no_app(environ, start_response):
    start_response("204 No Content", [])
    return []


def _intended(options, args, kwargs):
    """Beaker's options with the middleware's documented differences applied."""
    given = set(kwargs)
    for config in args:
        given.update(config or {})
    options = dict(options)
    for key in list(options):
        if "." in key:
            del options[key]  # Beaker also keeps prefixed keyword arguments as given
    options.setdefault("httponly", True)
    options.setdefault("samesite", "Lax")
    if options.get("type") != "cookie":
        options["timeout"] = None  # the idle timeout now, kept by the middleware
    if options["timeout"] is None and not any(key.endswith("save_accessed_time") for key in given):
        options["save_accessed_time"] = False  # no write on every request
    return options


CONFIGS = [
    pytest.param(({"beaker.session.secret": SECRET},), {}, id="dict"),
    pytest.param(({"session.secret": SECRET, "session.type": "memory"},), {}, id="dict-session-prefix"),
    pytest.param((None,), {"secret": SECRET, "type": "memory"}, id="keywords-bare"),
    pytest.param((), {"session.secret": SECRET, "session.key": "sid"}, id="keywords-prefixed"),
    pytest.param(({"beaker.session.secret": "from-config"},), {"secret": SECRET},
                 id="bare-keyword-wins"),
    pytest.param(({"beaker.session.secret": "from-config"},), {"session.secret": SECRET},
                 id="prefixed-keyword-wins"),
    pytest.param(({"beaker.session.secret": SECRET, "beaker.session.secure": "t",
                   "beaker.session.httponly": "n", "beaker.session.auto": "y",
                   "beaker.session.cookie_expires": "f"},), {}, id="beaker-boolean-words"),
    pytest.param(({"beaker.session.secret": SECRET, "beaker.session.cookie_expires": "300",
                   "beaker.session.encrypt_nonce_bits": "64"},), {}, id="numbers"),
    pytest.param(({"beaker.session.type": "cookie", "beaker.session.validate_key": True},), {},
                 id="validate-key-bool-coerced"),
    pytest.param(({"session.type": "cookie", "session.validate_key": "k", "session.timeout": "60"},),
                 {}, id="cookie-keeps-beakers-timeout"),
    pytest.param(({"beaker.session.secret": SECRET, "beaker.session.timeout": "600",
                   "beaker.session.save_accessed_time": "true"},), {}, id="timeout-kept-accessed-time"),
    pytest.param(({"beaker.session.secret": SECRET, "debug": "true", "sqlalchemy.url": "x"},), {},
                 id="app-keys-ignored"),
    pytest.param(({"beaker.session.secret": SECRET, "beaker.session.url": "redis://127.0.0.1/0",
                   "beaker.session.table_name": "t"},), {}, id="backend-options-pass-through"),
]


@pytest.mark.parametrize("args, kwargs", CONFIGS)
def test_options_are_beakers_with_the_intended_differences(args, kwargs):
    theirs = SessionMiddleware(_no_app, *args, **kwargs).options
    ours = SessionTimeoutMiddleware(_no_app, *args, **kwargs).options
    assert ours == _intended(theirs, args, kwargs)


def test_keyword_timeout_string_is_coerced_where_beaker_would_crash():
    # Beaker applies bare keyword arguments after coercion, as given: its Session then
    # fails on the first request comparing a number with "1800". Here they are coerced.
    middleware = SessionTimeoutMiddleware(apps.app, secret=SECRET, timeout="1800")
    assert middleware.settings.idle_timeout == 1800
    assert middleware.options["timeout"] is None
    assert SessionMiddleware(_no_app, secret=SECRET, timeout="1800").options["timeout"] == "1800"


def test_beakers_coerced_keys_are_the_ones_listed_here():
    names = set(re.findall(r"\(\s*'(\w+)',\s*\(", inspect.getsource(coerce_session_params)))
    assert names == set(BEAKER_COERCED)


def test_no_name_is_both_an_option_and_a_beaker_option():
    assert not set(name for name, _, _ in OPTIONS) & set(BEAKER_NAMES)


def test_unknown_keyword_is_refused_naming_both_lists():
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(apps.app, secret=SECRET, idle_timout=60)
    message = str(info.value)
    assert "Unknown option 'idle_timout' (got 60; known: absolute_timeout" in message
    assert "Beaker session options: auto, cookie_domain" in message
    assert "or any other with the session. prefix" in message


@pytest.mark.parametrize("key", ["session_type", "session_data_dir", "session_secret"])
def test_deprecated_session_underscore_keys_are_honoured_with_beakers_warning(key, tmp_dir):
    config = {"session_type": "file", "session_data_dir": tmp_dir, "session_secret": SECRET}
    with pytest.warns(DeprecationWarning) as record:
        middleware = SessionTimeoutMiddleware(apps.app, config)
    assert DEPRECATED_WARNING in [str(w.message) for w in record]
    with warnings.catch_warnings(record=True) as beakers:
        warnings.simplefilter("always")
        SessionMiddleware(_no_app, config)
    assert set(str(w.message) for w in beakers) == set([DEPRECATED_WARNING])
    assert middleware.options["type"] == "file" and middleware.options["data_dir"] == tmp_dir
    app = webtest.TestApp(middleware, lint=True)
    app.post("/login")
    assert app.get("/get").text == "cart=None user=alice"
    assert os.listdir(tmp_dir), "the file store was not used"


def test_session_timeout_prefix_is_not_a_deprecated_beaker_key():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settings = parse({"session_timeout.idle_timeout": "600", "beaker.session.secret": SECRET})
    assert settings.idle_timeout == 600 and "timeout.idle_timeout" not in settings.beaker


@pytest.mark.parametrize("word, value", [
    ("t", True), ("f", False), ("y", True), ("n", False), ("on", True), ("off", False),
    ("TRUE", True), ("0", False),
])
def test_beakers_boolean_words(word, value):
    s = parse({"beaker.session.secret": SECRET, "beaker.session.secure": word,
               "beaker.session.invalidate_corrupt": word, "beaker.session.httponly": word})
    assert (s.beaker["secure"], s.beaker["invalidate_corrupt"], s.beaker["httponly"]) == (value,) * 3


def test_environ_key_holds_the_session():
    seen = {}

    def app(environ, start_response):
        seen["session"] = environ.get("my.session")
        seen["beaker"] = environ.get("beaker.session")
        return apps.app(environ, start_response)

    middleware = SessionTimeoutMiddleware(app, {"beaker.session.secret": SECRET},
                                          environ_key="my.session")
    assert middleware.environ_key == "my.session"
    webtest.TestApp(middleware, lint=True).get("/get")
    assert seen["session"] is not None and seen["session"] is seen["beaker"]


def test_environ_key_positional_as_in_beaker():
    middleware = SessionTimeoutMiddleware(apps.app, {"beaker.session.secret": SECRET}, "my.session")
    assert middleware.beaker.environ_key == "my.session"


def test_environ_key_without_beaker_settings_is_refused():
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(apps.app, environ_key="my.session")
    assert "environ_key (got 'my.session') names where the middleware's own Beaker" in str(info.value)


def test_get_session_makes_a_new_cookieless_session_as_beaker_does(tmp_dir):
    made = {}

    def app(environ, start_response):
        made["request"] = environ["beaker.session"]
        made["new"] = environ["beaker.get_session"]()
        made["new"]["x"] = 1
        made["new"].save()
        return apps.app(environ, start_response)

    middleware = SessionTimeoutMiddleware(app, {
        "beaker.session.secret": SECRET, "beaker.session.type": "file",
        "beaker.session.data_dir": tmp_dir})
    response = webtest.TestApp(middleware, lint=True).get("/get")
    new = made["new"]
    assert isinstance(new, Session) and new.id != made["request"].id
    assert new.use_cookies is False and not response.headers.getall("Set-Cookie")
    again = Session({}, id=new.id, use_cookies=False, **middleware.options)
    assert again["x"] == 1


def test_webtest_varname_exposes_the_session():
    middleware = SessionTimeoutMiddleware(apps.app, {"beaker.session.secret": SECRET,
                                                     "beaker.session.webtest_varname": "sess"})
    response = webtest.TestApp(middleware, lint=True).get("/put?apples")
    assert response.sess["cart"] == "apples"


def test_options_is_none_with_beaker_outside():
    assert SessionTimeoutMiddleware(apps.app).options is None


# -- beaker.session.timeout is the idle timeout -----------------------------------------


def test_beaker_timeout_becomes_the_idle_timeout(clock, tmp_dir):
    middleware = SessionTimeoutMiddleware(apps.app, {
        "beaker.session.secret": SECRET, "beaker.session.type": "file",
        "beaker.session.data_dir": tmp_dir, "beaker.session.timeout": "600"}, clock=clock)
    assert middleware.settings.idle_timeout == 600
    assert middleware.options["timeout"] is None
    assert middleware.options["save_accessed_time"] is False
    app = webtest.TestApp(middleware, lint=True)
    app.post("/login")
    clock.advance(599)
    assert app.get("/get").text == "cart=None user=alice"
    clock.advance(600)
    response = app.get("/get", headers=XHR, status=200)
    assert response.text == "cart=None user=None"
    response = app.get("/needs-login", headers=XHR, status=401)
    assert json.loads(response.text)["reason"] == "idle"


def test_beaker_timeout_no_longer_writes_on_every_request(clock, tmp_dir):
    middleware = SessionTimeoutMiddleware(apps.app, {
        "beaker.session.secret": SECRET, "beaker.session.type": "file",
        "beaker.session.data_dir": tmp_dir, "beaker.session.timeout": "600"}, clock=clock)
    app = webtest.TestApp(middleware, lint=True)
    app.get("/put?apples")
    before = _store_files(tmp_dir)
    for _ in range(3):
        assert app.get("/get").text == "cart=apples user=None"
    assert _store_files(tmp_dir) == before


def _store_files(root):
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            with open(path, "rb") as handle:
                found[path] = handle.read()
    return found


def test_explicit_idle_timeout_keeps_beakers_timeout():
    s = parse({"beaker.session.secret": SECRET, "beaker.session.timeout": "3600"},
              idle_timeout=1800)
    assert (s.idle_timeout, s.beaker["timeout"], s.beaker["save_accessed_time"]) == (1800, 3600, True)


def test_pylons_ini_with_a_short_beaker_timeout_starts():
    # A generated Pylons project's development.ini, plus an existing timeout.
    config = {"cache_dir": "/tmp/x", "beaker.session.key": "myapp",
              "beaker.session.secret": "somesecret", "beaker.session.timeout": "600"}
    middleware = SessionTimeoutMiddleware(apps.app, config)
    assert middleware.settings.idle_timeout == 600 and middleware.settings.touch_interval == 60


# -- the keyword form, end to end --------------------------------------------------------


def test_keyword_form_cookie_sessions_with_validate_key_true(clock):
    """The options of a Bottle auth library's example: the bool validate_key is
    coerced as Beaker does, so sign-in works instead of failing in Beaker's cookie code."""
    middleware = SessionTimeoutMiddleware(apps.app, {
        "session.cookie_expires": True, "session.httponly": True,
        "session.timeout": 3600 * 24, "session.type": "cookie",
        "session.validate_key": True}, clock=clock)
    assert middleware.options["validate_key"] == "True"
    assert middleware.settings.idle_timeout == 86400
    app = webtest.TestApp(middleware, lint=True)
    app.post("/login")
    assert app.get("/get").text == "cart=None user=alice"
    clock.advance(86401)
    app.get("/needs-login", headers=NAV, status=302)


def test_keyword_form_runs_beaker(clock, tmp_dir):
    middleware = SessionTimeoutMiddleware(apps.app, type="file", data_dir=tmp_dir,
                                          secret=SECRET, clock=clock, idle_timeout=300)
    assert isinstance(middleware.options, dict) and middleware.options["type"] == "file"
    app = webtest.TestApp(middleware, lint=True)
    app.post("/login")
    assert app.get("/get").text == "cart=None user=alice"
    clock.advance(301)
    app.get("/needs-login", headers=XHR, status=401)


def test_cookie_session_class_for_type_cookie():
    middleware = SessionTimeoutMiddleware(apps.app, type="cookie", validate_key=SECRET)
    assert issubclass(middleware.beaker["session_class"], CookieSession)
    assert "session_class" not in middleware.options


def test_cookie_expires_as_beaker_reads_it():
    now_ish = timedelta(minutes=5)
    for value, expected in [("300", timedelta(seconds=300)), (300, timedelta(seconds=300)),
                            (True, True), ("True", True), ("t", True), (False, False),
                            ("false", False), ("f", False), (now_ish, now_ish)]:
        config = {"beaker.session.cookie_expires": value, "beaker.session.secret": SECRET}
        assert SessionTimeoutMiddleware(_no_app, config).options["cookie_expires"] == expected
        assert SessionMiddleware(_no_app, config).options["cookie_expires"] == expected


def test_paste_filter_section_takes_bare_beaker_keys_as_beakers_filter_does():
    from beaker.middleware import session_filter_app_factory
    from wsgi_session_timeout.paste import filter_app_factory
    local = {"type": "memory", "secret": SECRET, "key": "sid", "idle_timeout": "900"}
    ours = filter_app_factory(apps.app, {}, **local)
    theirs = session_filter_app_factory(_no_app, {}, **dict(local, idle_timeout=None))
    assert (ours.options["type"], ours.options["key"]) == (theirs.options["type"], "sid")
    assert ours.settings.idle_timeout == 900
    app = webtest.TestApp(ours, lint=True)
    app.post("/login")
    assert "sid" in app.cookies


class _Registry(object):
    def __init__(self):
        self.reglist = [{}]
        self.registered = []

    def register(self, proxy, obj):
        self.registered.append((proxy, obj))


def test_paste_registry_gets_the_session_as_beaker_gives_it():
    from beaker.middleware import beaker_session
    registry = _Registry()
    seen = []

    def app(environ, start_response):
        seen.append(environ["beaker.session"])
        return apps.app(environ, start_response)

    middleware = SessionTimeoutMiddleware(app, {"beaker.session.secret": SECRET})
    webtest.TestApp(middleware, extra_environ={"paste.registry": registry}).get("/get")
    expected = [(beaker_session, seen[0])] if beaker_session is not None else []
    assert registry.registered == expected


def test_a_cookie_expires_keyword_in_seconds_is_a_timedelta_and_a_wrong_one_is_refused():
    middleware = SessionTimeoutMiddleware(_cookie_app, None, secret="s" * 20,
                                          cookie_expires=3600)
    assert middleware.beaker["cookie_expires"] == timedelta(seconds=3600)
    response = webtest.TestApp(middleware).get("/")
    [cookie] = response.headers.getall("Set-Cookie")
    assert "Max-Age=3600" in cookie or "expires=" in cookie.lower()
    with pytest.raises(ValueError) as info:
        SessionTimeoutMiddleware(_cookie_app, None, secret="s" * 20, cookie_expires=[3600])
    assert str(info.value).startswith("cookie_expires: cookie_expires takes True, False")


def _cookie_app(environ, start_response):
    environ["beaker.session"]["seen"] = True
    environ["beaker.session"].save()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
