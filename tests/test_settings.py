from datetime import timedelta

import pytest

from wsgi_session_timeout.classify import XHR
from wsgi_session_timeout.expiry import ANONYMOUS_VERDICT
from wsgi_session_timeout.policy import EXEMPT, GUARDED, OPEN
from wsgi_session_timeout.responses import sign_in
from wsgi_session_timeout.settings import parse

SECRET = {"beaker.session.secret": "x"}


@pytest.mark.parametrize("given, name, value", [
    pytest.param({}, "idle_timeout", 1800, id="default-idle"),
    pytest.param({"idle_timeout": "900"}, "idle_timeout", 900, id="ini-int"),
    pytest.param({"idle_timeout": " 900 "}, "idle_timeout", 900, id="ini-int-spaces"),
    pytest.param({"idle_timeout": None}, "idle_timeout", None, id="idle-off"),
    pytest.param({"idle_timeout": "none"}, "idle_timeout", None, id="ini-none"),
    pytest.param({"idle_timeout": ""}, "idle_timeout", None, id="ini-empty"),
    pytest.param({"absolute_timeout": "28800"}, "absolute_timeout", 28800, id="absolute"),
    pytest.param({}, "touch_interval", 60, id="touch-default-cap"),
    pytest.param({"idle_timeout": 300}, "touch_interval", 30, id="touch-default-tenth"),
    pytest.param({"idle_timeout": None}, "touch_interval", 60, id="touch-default-no-idle"),
    pytest.param({"touch_interval": "0"}, "touch_interval", 0, id="touch-zero"),
    pytest.param({"protected_paths": "/account /api\n/admin"}, "protected_paths",
                 ("/account", "/api", "/admin"), id="ini-list"),
    pytest.param({"protected_paths": ["/a"]}, "protected_paths", ("/a",), id="list"),
    pytest.param({"protected_paths": ""}, "protected_paths", None, id="ini-empty-is-app-decides"),
    pytest.param({"public_paths": "/static /login"}, "public_paths", ("/static", "/login"), id="public"),
    pytest.param({"xhr_status": "200"}, "xhr_status", 200, id="legacy-envelope"),
    pytest.param({"xhr_status": 419}, "xhr_status", 419, id="419"),
    pytest.param({"xhr_status": 440}, "xhr_status", 440, id="440"),
    pytest.param({"xhr_status": "599"}, "xhr_status", 599, id="599"),
    pytest.param({"xhr_status": 403}, "xhr_status", 403, id="403"),
    pytest.param({"login_url": "https://sso.example.com/login"}, "login_url",
                 "https://sso.example.com/login", id="absolute-login"),
    pytest.param({"clock": "time:time"}, "clock", __import__("time").time, id="clock-dotted"),
])
def test_values(given, name, value):
    assert getattr(parse(**given), name) == value


def test_status_reason_for_nonstandard_codes():
    def status(code):
        return sign_in(XHR, (), ANONYMOUS_VERDICT, {"REQUEST_METHOD": "GET"},
                       parse(xhr_status=code)).status
    assert status(419) == "419 Session Expired"
    assert status(401) == "401 Unauthorized"


def test_config_prefix_and_keywords_win():
    s = parse({"session_timeout.idle_timeout": "600", "session_timeout.login_url": "/in",
               "debug": "true", "sqlalchemy.url": "sqlite://"}, idle_timeout=300)
    assert (s.idle_timeout, s.login_url) == (300, "/in")


@pytest.mark.parametrize("config, given, message", [
    pytest.param(None, {"idle_timout": 5}, "Unknown option 'idle_timout' (got 5;", id="typo"),
    pytest.param({"session_timeout.nope": "1"}, {}, "Unknown option 'session_timeout.nope' (got '1';",
                 id="typo-in-config"),
    pytest.param(None, {"idle_timeout": "abc"}, "idle_timeout: expected a whole number (got 'abc')",
                 id="not-a-number"),
    pytest.param({"session_timeout.idle_timeout": "15m"}, {},
                 "session_timeout.idle_timeout: expected a whole number (got '15m')", id="config-key-named"),
    pytest.param(None, {"idle_timeout": 0}, "idle_timeout: must be at least 1 (got 0)", id="zero"),
    pytest.param(None, {"idle_timeout": True}, "idle_timeout: expected a whole number", id="bool"),
    pytest.param(None, {"idle_timeout": 1.5}, "idle_timeout: expected a whole number", id="float"),
    pytest.param(None, {"touch_interval": -1}, "touch_interval: must be at least 0", id="negative-touch"),
    pytest.param(None, {"xhr_status": 408}, "xhr_status: 408 makes browsers", id="408"),
    pytest.param(None, {"xhr_status": "302"}, "follow redirects silently", id="302"),
    pytest.param(None, {"xhr_status": 301}, "follow redirects silently", id="301"),
    pytest.param(None, {"xhr_status": 204}, "xhr_status: must be 200", id="204"),
    pytest.param(None, {"xhr_status": 101}, "xhr_status: must be 200", id="101"),
    pytest.param(None, {"xhr_status": 600}, "xhr_status: must be 200", id="600"),
    pytest.param(None, {"login_url": "login"}, "login_url: must start with '/'", id="relative-login"),
    pytest.param(None, {"login_url": "//evil.com/login"}, "login_url: must start", id="protocol-relative"),
    pytest.param(None, {"login_url": "javascript:x"}, "login_url: must start", id="javascript-login"),
    pytest.param(None, {"login_url": ""}, "login_url: expected a non-empty string", id="empty-login"),
    pytest.param(None, {"login_url": "/a b"}, "login_url: must not contain spaces", id="space-login"),
    pytest.param(None, {"protected_paths": ["account"]}, "protected_paths: every entry must be a path prefix", id="bad-path"),
    pytest.param(None, {"protected_paths": 5}, "protected_paths: expected a list", id="not-a-list"),
    pytest.param(None, {"auth_scheme": "My Scheme"}, "auth_scheme: must be a single token", id="scheme-space"),
    pytest.param(None, {"realm": "a\r\nX: y"}, "realm: must not contain control characters", id="realm-crlf"),
    pytest.param(None, {"auth_key": ""}, "auth_key: expected a non-empty string", id="empty-auth-key"),
    pytest.param(None, {"came_from_param": "next page"}, "came_from_param: must be a single token",
                 id="param-space"),
    pytest.param(None, {"clock": 5}, "clock: expected a callable", id="clock-not-callable"),
    pytest.param(None, {"clock": "nowhere.at_all:clock"}, "clock: cannot import it", id="clock-missing"),
    pytest.param(None, {"idle_timeout": 600, "absolute_timeout": 300},
                 "absolute_timeout (300) is shorter than idle_timeout (600)", id="absolute-lt-idle"),
    pytest.param(None, {"idle_timeout": 60, "touch_interval": 60},
                 "touch_interval (60) must be shorter than idle_timeout (60)", id="touch-ge-idle"),
])
def test_bad_options_name_key_and_value(config, given, message):
    with pytest.raises(ValueError) as info:
        parse(config, **given)
    assert message in str(info.value)


def test_beaker_keys_are_coerced_and_defaults_are_safe():
    s = parse({
        "beaker.session.secret": "x", "beaker.session.type": "file",
        "beaker.session.data_dir": "/tmp/x", "session.timeout": "3600",
        "beaker.session.invalidate_corrupt": "false", "beaker.session.cookie_expires": "1",
        "beaker.session.secure": "yes", "beaker.session.samesite": "strict",
        "beaker.session.url": "redis://127.0.0.1:6379/0",
    }, idle_timeout=1800)
    assert s.beaker == {
        "secret": "x", "type": "file", "data_dir": "/tmp/x", "timeout": 3600,
        "invalidate_corrupt": False, "cookie_expires": True, "secure": True,
        "samesite": "Strict", "httponly": True, "key": "beaker.session.id",
        "url": "redis://127.0.0.1:6379/0", "save_accessed_time": True, "log_file": None,
    }
    assert s.beaker.options == s.beaker


def test_without_beaker_timeout_accessed_time_is_not_written():
    s = parse(SECRET)
    assert s.beaker["save_accessed_time"] is False and s.beaker["timeout"] is None


@pytest.mark.parametrize("value, expected", [
    # Beaker's own reading (beaker.util.coerce_session_params): a boolean word first,
    # then a number of seconds.
    ("true", True), ("false", False), ("yes", True), ("off", False), ("t", True), ("n", False),
    ("1", True), ("0", False), ("2", timedelta(seconds=2)), ("86400", timedelta(days=1)),
    (300, timedelta(seconds=300)), (True, True), (timedelta(minutes=5), timedelta(minutes=5)),
])
def test_cookie_expires(value, expected):
    assert parse(dict(SECRET, **{"beaker.session.cookie_expires": value})).beaker["cookie_expires"] == expected


@pytest.mark.parametrize("config, message", [
    pytest.param({"beaker.session.type": "file"}, "beaker.session.secret is required", id="no-secret"),
    pytest.param({"beaker.session.secret": ""}, "beaker.session.secret is required", id="empty-secret"),
    pytest.param({"beaker.session.type": "cookie", "beaker.session.secret": "x"},
                 "beaker.session.validate_key is required", id="cookie-no-validate-key"),
    pytest.param(dict(SECRET, **{"beaker.session.timeout": "ten"}),
                 "beaker.session.timeout: Session timeout must be an integer. (got 'ten')",
                 id="bad-timeout"),
    pytest.param(dict(SECRET, **{"beaker.session.timeout": "0"}),
                 "beaker.session.timeout: must be at least 1 (got 0)", id="zero-timeout"),
    pytest.param(dict(SECRET, **{"beaker.session.invalidate_corrupt": "maybe"}),
                 "beaker.session.invalidate_corrupt: expected a boolean", id="bad-bool"),
    pytest.param(dict(SECRET, **{"beaker.session.secure": "maybe"}),
                 "beaker.session.secure: Session secure must be a boolean. (got 'maybe')",
                 id="bad-beaker-bool"),
    pytest.param(dict(SECRET, **{"beaker.session.cookie_expires": "soon"}),
                 "beaker.session.cookie_expires: Cookie expires was not a boolean", id="bad-expires"),
    pytest.param(dict(SECRET, **{"beaker.session.samesite": "sometimes"}),
                 "beaker.session.samesite: expected Lax, Strict or None", id="bad-samesite"),
    pytest.param(dict(SECRET, **{"beaker.session.session_class": "x"}),
                 "beaker.session.session_class: the middleware runs its own Session class",
                 id="session-class"),
    pytest.param(dict(SECRET, **{"beaker.session.timeout": "600",
                                 "session_timeout.idle_timeout": "1800"}),
                 "beaker.session.timeout (600) is shorter than idle_timeout (1800)", id="store-shorter"),
    pytest.param(dict(SECRET, **{"beaker.session.timeout": "1800", "session_timeout.idle_timeout": "1800",
                                 "beaker.session.save_accessed_time": "false"}),
                 "beaker.session.timeout (1800) needs save_accessed_time", id="timeout-without-accessed-time"),
    pytest.param(dict(SECRET, **{"beaker.session.timeout": "600",
                                 "session_timeout.absolute_timeout": "300"}),
                 "absolute_timeout (300) is shorter than idle_timeout (beaker.session.timeout) (600)",
                 id="absolute-lt-beaker-timeout"),
])
def test_bad_beaker_settings(config, message):
    with pytest.raises(ValueError) as info:
        parse(config)
    assert message in str(info.value)


@pytest.mark.parametrize("path, guarded", [
    ("/account", True), ("/account/", True), ("/account/x", True), ("/accounting", False),
    ("/api/v1", True), ("/api/public/x", False), ("/login", False), ("/", False),
])
def test_is_guarded(path, guarded):
    s = parse(protected_paths=["/account", "/api", "/login"], public_paths=["/api/public"])
    assert (s.paths.of(path) == GUARDED) is guarded


def test_root_protection_leaves_login_page_open():
    s = parse(protected_paths=["/"])
    assert s.paths.of("/anything") == GUARDED and s.paths.of("/login") == EXEMPT


def test_nothing_guarded_when_app_decides():
    assert parse().paths.of("/account") == OPEN


@pytest.mark.parametrize("path, where", [
    ("/", GUARDED), ("/x", OPEN), ("/items/12/edit", GUARDED), ("/items/12", OPEN),
    ("/account", GUARDED), ("/account/x", GUARDED), ("/pub/x", EXEMPT),
])
def test_exact_paths_and_patterns(path, where):
    s = parse(protected_paths="=/ ~^/items/[0-9]+/edit$ /account", public_paths=["/pub"])
    assert s.paths.of(path) == where


def test_a_bad_pattern_is_refused_naming_it():
    with pytest.raises(ValueError, match=r"protected_paths: '~\[' is not a regular expression"):
        parse(protected_paths="~[")
