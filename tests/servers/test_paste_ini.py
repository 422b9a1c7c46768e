"""examples/paste.ini and examples/beaker_outside.ini load with PasteDeploy and behave;
a broken ini fails at load time with a message naming the key and the value."""

import os
import textwrap

import pytest
import webtest
from beaker.middleware import SessionMiddleware

import bare_wsgi
from wsgi_session_timeout import SessionTimeoutMiddleware

from ..clocks import ENV_CLOCK
from .support import EXAMPLES, NAV, XHR, require

loadapp = require("paste.deploy").loadapp

INIS = ["paste.ini", "beaker_outside.ini"]


def load(name, **global_conf):
    return loadapp("config:" + os.path.join(EXAMPLES, name), global_conf=global_conf)


def find_middleware(app):
    while not isinstance(app, SessionTimeoutMiddleware):
        app = app.wrap_app
    return app


@pytest.mark.parametrize("name", INIS)
def test_defaults(name):
    app = load(name)
    middleware = find_middleware(app)
    assert middleware.app is bare_wsgi.demo_app
    s = middleware.settings
    assert (s.idle_timeout, s.absolute_timeout) == (30, 300)
    assert s.protected_paths == ("/account", "/api")
    sessions = os.path.join(EXAMPLES, "data", "sessions")
    if name == "paste.ini":
        assert middleware.beaker["type"] == "file"
        assert middleware.beaker["data_dir"] == sessions
    else:
        assert isinstance(app, SessionMiddleware)
        assert middleware.beaker is None
        assert app.options["data_dir"] == sessions


@pytest.mark.parametrize("name", INIS)
def test_behaves(name, tmp_dir, clock, clock_file, monkeypatch):
    # global_conf values are ini strings: the clock is named, and reads clock_file.
    monkeypatch.setenv("WSGI_SESSION_TIMEOUT_CLOCK_FILE", clock_file)
    sessions = os.path.join(tmp_dir, "sessions")
    app = webtest.TestApp(load(name, data_dir=sessions, clock=ENV_CLOCK), lint=True)
    reply = app.get("/account", headers=NAV, status=302)
    assert reply.location.endswith("/login?came_from=%2Faccount")
    reply = app.post("/login", {"name": "erin", "came_from": "/account"}, status=303)
    assert reply.location.endswith("/account")
    assert 0 < int(app.get("/account").headers["Session-Expires-In"]) <= 30
    assert app.get("/api/whoami", headers=XHR).json["user"] == "erin"
    assert os.listdir(sessions)  # the sessions went where global_conf said
    clock.advance(31)
    reply = app.get("/api/whoami", headers=XHR, status=401)
    assert reply.json["error"] == "session_expired"
    assert app.get("/account", headers=NAV, status=302)


BROKEN_BASE = """
[pipeline:main]
pipeline = session_timeout demo

[filter:session_timeout]
use = egg:wsgi_session_timeout#session_timeout
beaker.session.type = memory
%s

[app:demo]
paste.app_factory = bare_wsgi:app_factory
"""


@pytest.mark.parametrize("lines, key, value", [
    pytest.param("idle_timeout = abc\nbeaker.session.secret = s", "idle_timeout", "'abc'",
                 id="bad-number"),
    pytest.param("absolute_timeout = 10\nbeaker.session.secret = s", "absolute_timeout",
                 "10", id="absolute-shorter-than-idle"),
    pytest.param("xhr_status = 302\nbeaker.session.secret = s", "xhr_status", "'302'",
                 id="redirect-status"),
    pytest.param("protected_paths = account\nbeaker.session.secret = s", "protected_paths",
                 "'account'", id="relative-path"),
    pytest.param("clock = nowhere.at_all:clock\nbeaker.session.secret = s", "clock",
                 "'nowhere.at_all:clock'", id="clock-not-importable"),
    pytest.param("beaker.session.cookie_expires = soon\nbeaker.session.secret = s",
                 "beaker.session.cookie_expires", "'soon'", id="bad-beaker-value"),
    pytest.param("", "beaker.session.secret", "None", id="missing-secret"),
])
def test_broken_ini_names_key_and_value(tmp_dir, lines, key, value):
    path = os.path.join(tmp_dir, "broken.ini")
    with open(path, "w") as handle:
        handle.write(BROKEN_BASE % lines)
    with pytest.raises(ValueError) as info:
        loadapp("config:" + path)
    message = str(info.value)
    assert key in message and value in message, message


def test_unknown_key_is_named(tmp_dir):
    path = os.path.join(tmp_dir, "broken.ini")
    with open(path, "w") as handle:
        handle.write(BROKEN_BASE % "idle_timout = 30\nbeaker.session.secret = s")
    with pytest.raises(ValueError) as info:
        loadapp("config:" + path)
    assert "'idle_timout'" in str(info.value)


def test_unknown_app_key_is_named(tmp_dir):
    path = os.path.join(tmp_dir, "broken.ini")
    with open(path, "w") as handle:
        handle.write(textwrap.dedent("""
            [app:main]
            paste.app_factory = bare_wsgi:app_factory
            colour = blue
            """))
    with pytest.raises(ValueError) as info:
        loadapp("config:" + path)
    assert "'colour'" in str(info.value)
