"""Configuration at its edges: ``none`` in an ini file for options that have a default,
values that are not what an option takes, compiled patterns as protected paths, store
URLs the start-up check cannot read, and the rules the middleware applies before the
app runs."""

import logging
import re

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, endpoints, events, policy
from wsgi_session_timeout.expiry import ANONYMOUS_VERDICT
from wsgi_session_timeout.settings import parse

from . import apps
from .conftest import XHR

SECRET = {"beaker.session.secret": "x", "beaker.session.type": "memory"}


@pytest.mark.parametrize("name, value", [
    ("touch_interval", 60),
    ("held_form_hook", None),
    ("max_sessions", None),
    ("activity_cookie", None),
])
def test_none_in_an_ini_file_means_the_default(name, value):
    given = parse(dict(SECRET, **{"session_timeout." + name: "none"}))
    assert getattr(given, name) == value == getattr(parse(dict(SECRET)), name)


@pytest.mark.parametrize("name, value, named", [
    ("type", "no-such-backend", "KeyError: 'no-such-backend'"),
    ("data_serializer", "yaml", "Invalid value for data_serializer: yaml"),
    ("encrypt_nonce_bits", "12", "multiples of 8"),
    ("crypto_type", "no-such-crypto", "no-such-crypto"),
])
def test_settings_beakers_session_refuses_fail_at_start_up(name, value, named):
    # Beaker's own middleware starts, then fails every request with a 500.
    config = dict(SECRET, **{"beaker.session." + name: value})
    with pytest.raises(ValueError) as raised:
        SessionTimeoutMiddleware(apps.app, config)
    message = str(raised.value)
    assert "Beaker's Session refuses the beaker.session.* settings" in message
    assert named in message and "correct the setting it names" in message


def test_none_in_an_ini_file_names_the_activity_cookie_after_the_session_cookie(clock):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, dict(SECRET, **{
        "session_timeout.activity_cookie": "none", "beaker.session.key": "shop"}),
        clock=clock), lint=True)
    app.post("/login")
    assert sorted(app.cookies) == ["shop", "shop.activity"]


@pytest.mark.parametrize("value", [2, -1, 0.5, [True]])
def test_a_switch_takes_booleans_only(value):
    with pytest.raises(ValueError) as info:
        parse(dict(SECRET), hold_forms=value)
    message = str(info.value)
    assert "hold_forms" in message and "expected a boolean" in message
    assert repr(value) in message


def test_compiled_patterns_guard_the_paths_they_match(clock, memory):
    app = webtest.TestApp(SessionTimeoutMiddleware(
        apps.app, memory, clock=clock,
        protected_paths=[re.compile(r"^/api/v[0-9]+/"), "/account"],
        public_paths=[re.compile(r"/status$")]), lint=True)
    assert app.get("/api/v2/orders", headers=XHR, status=401).json["error"] == \
        "login_required"
    assert app.get("/account", headers=XHR, status=401).json["error"] == "login_required"
    assert app.get("/api/v2/status", headers=XHR).json == {"user": None}  # public
    assert app.get("/api/latest/orders", headers=XHR).json == {"user": None}
    app.post("/login")
    assert app.get("/api/v2/orders", headers=XHR).json == {"user": "alice"}


@pytest.mark.parametrize("url", [
    pytest.param("redis://[::1:6379/0?socket_timeout=1", id="unreadable-url"),
    pytest.param("redis://127.0.0.1:6379/0?socket_timeout=soon", id="timeout-not-a-number"),
    pytest.param("redis://127.0.0.1:6379/0?socket_timeout=0", id="timeout-zero"),
])
def test_a_store_url_whose_timeout_cannot_be_read_is_warned_about(url, caplog):
    with caplog.at_level(logging.WARNING, logger="wsgi_session_timeout"):
        SessionTimeoutMiddleware(apps.app, {
            "beaker.session.type": "ext:redis", "beaker.session.url": url,
            "beaker.session.secret": "s3cret"}, absolute_timeout=3600)
    found = [r.getMessage() for r in caplog.records if "hung store" in r.getMessage()]
    assert len(found) == 1 and "has no socket_timeout" in found[0], found


# -- the rules before the app runs ---------------------------------------------------------------

def test_before_the_app_runs_only_a_guarded_path_is_answered():
    anonymous = ANONYMOUS_VERDICT
    assert policy.decide(policy.GUARDED, anonymous) == policy.SIGN_IN
    assert policy.decide(policy.GUARDED, anonymous, outage=True) == policy.UNAVAILABLE
    assert policy.decide(policy.GUARDED, anonymous, preflight=True) == policy.PASS
    for where in (policy.OPEN, policy.EXEMPT):
        assert policy.decide(where, anonymous) == policy.PASS
        assert policy.decide(where, anonymous, outage=True) == policy.PASS


def test_without_an_endpoint_prefix_no_path_is_an_endpoint():
    assert endpoints.route("/_session/status", "/_session") == "status"
    assert endpoints.route("/_session/status", None) is None
    assert endpoints.route("/_sessions/status", "/_session") is None


def test_an_event_outside_a_request_has_no_path():
    assert events.path_of(None) is None and events.path_of({}) is None
    assert events.path_of({"SCRIPT_NAME": "/shop", "PATH_INFO": "/cart"}) == "/shop/cart"
    assert events.path_of({"SCRIPT_NAME": "", "PATH_INFO": ""}) == "/"


def test_the_client_script_under_any_number_of_endpoint_prefixes(clock, memory):
    """Apps mounted with prefixes of their own, more than the script cache keeps: each
    is served the script naming its own prefix, the same bytes each time."""
    for n in range(20):
        prefix = "/_session%d" % n
        app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, memory, clock=clock,
                                                       endpoint_prefix=prefix), lint=True)
        first = app.get(prefix + "/client.js")
        assert ('"ENDPOINT_PREFIX": "%s"' % prefix).encode("ascii") in first.body
        again = app.get(prefix + "/client.js")
        assert again.body == first.body and again.headers["ETag"] == first.headers["ETag"]
