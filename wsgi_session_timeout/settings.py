"""Settings: every option's converter, default and checks, decided once at start-up.

Options arrive as keyword arguments (Python values) or as ini strings (a PasteDeploy
section, or ``session_timeout.*`` keys in a Pylons ``app_conf``). Both go through the same
converter table, so ``"900"`` and ``900`` mean the same, and an unknown key or a bad value
raises :class:`ValueError` naming the key and showing the value.
"""

import re
import time
from datetime import timedelta

from ._compat import integer_types, string_types
from .policy import Paths

PREFIX = "session_timeout."
BEAKER_PREFIXES = ("beaker.session.", "session.")

_TRUE = frozenset(["true", "yes", "on", "1"])
_FALSE = frozenset(["false", "no", "off", "0"])
_NONE = frozenset(["", "none"])
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _fail(name, value, why):
    raise ValueError("%s: %s (got %r)" % (name, why, value))


def _is_none(value):
    return value is None or (isinstance(value, string_types) and value.strip().lower() in _NONE)


def as_bool(name, value):
    """``True``/``False`` from a bool or ``true/false/yes/no/on/off/1/0``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, string_types):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    _fail(name, value, "expected a boolean (true/false, yes/no, on/off, 1/0)")


def as_int(name, value, minimum=None):
    """An integer from an int or a string of digits, at least ``minimum``."""
    if isinstance(value, bool):
        _fail(name, value, "expected a whole number")
    if isinstance(value, string_types):
        text = value.strip()
        if not re.match(r"^[+-]?\d+$", text):
            _fail(name, value, "expected a whole number")
        value = int(text)
    if not isinstance(value, integer_types):
        _fail(name, value, "expected a whole number")
    if minimum is not None and value < minimum:
        _fail(name, value, "must be at least %d" % minimum)
    return int(value)


def as_seconds(name, value):
    """A positive number of seconds, or ``None`` (``none`` or empty in an ini) for off."""
    if _is_none(value):
        return None
    return as_int(name, value, minimum=1)


def as_positive(name, value):
    """A whole number, 1 or more."""
    return as_int(name, value, minimum=1)


def as_interval(name, value):
    """Zero or more seconds, or ``None`` for the default."""
    if _is_none(value):
        return None
    return as_int(name, value, minimum=0)


def as_probe_interval(name, value):
    """Zero or more seconds, fractions allowed (``0.5``)."""
    number = value
    if isinstance(value, string_types):
        try:
            number = float(value.strip())
        except ValueError:
            _fail(name, value, "expected a number of seconds")
    if isinstance(number, bool) or not isinstance(number, integer_types + (float,)) or (
            number != number or number < 0 or number == float("inf")):
        _fail(name, value, "expected a number of seconds, 0 or more")
    return float(number)


def as_text(name, value):
    """A non-empty string without control characters."""
    if not isinstance(value, string_types) or not value.strip():
        _fail(name, value, "expected a non-empty string")
    if _CONTROL.search(value):
        _fail(name, value, "must not contain control characters")
    return str(value.strip())


def as_token(name, value):
    """An HTTP token (RFC 9110): an auth scheme or a query parameter name."""
    value = as_text(name, value)
    if not _TOKEN.match(value):
        _fail(name, value, "must be a single token of letters, digits and !#$%&'*+.^_`|~-")
    return value


def as_login_url(name, value):
    """A path on this site (``/login``) or an absolute http(s) URL."""
    value = as_text(name, value)
    if " " in value:
        _fail(name, value, "must not contain spaces")
    if value.startswith("/") and not value.startswith("//"):
        return value
    if re.match(r"^https?://[^/\\]", value, re.IGNORECASE):
        return value
    _fail(name, value, "must start with '/' (a path in this app) or be an http(s) URL")


def as_paths(name, value):
    """A tuple of path entries: a list, or a whitespace-separated string. Each is a
    prefix (``/account``), an exact path (``=/``) or a regular expression
    (``~^/api/v[0-9]+/``, or a compiled pattern)."""
    if isinstance(value, string_types):
        value = value.split()
    try:
        paths = tuple(value)
    except TypeError:
        _fail(name, value, "expected a list of paths")
    result = []
    for path in paths:
        if hasattr(path, "search"):
            result.append(path)
            continue
        if not isinstance(path, string_types) or _CONTROL.search(path) or not (
                path.startswith("/") or path.startswith("=/") or path.startswith("~")):
            _fail(name, value, "every entry must be a path prefix starting with '/', "
                               "an exact path '=/...' or a pattern '~regex'")
        if path.startswith("~"):
            try:
                re.compile(path[1:])
            except re.error as exc:
                _fail(name, value, "%r is not a regular expression: %s" % (path, exc))
        result.append(str(path))
    return tuple(result)


def as_protected_paths(name, value):
    """``None`` (the app decides) or a tuple of path prefixes the middleware guards."""
    if _is_none(value):
        return None
    return as_paths(name, value)


def as_xhr_status(name, value):
    """The status for script requests: 200 (legacy envelope) or a 4xx/5xx other than 408."""
    status = as_int(name, value)
    if status == 200:
        return status
    if status == 408:
        _fail(name, value, "408 makes browsers and proxies retry the request instead of "
                           "reporting it; use 401, 403, 419, 440 or 599")
    if 300 <= status < 400:
        _fail(name, value, "XMLHttpRequest and fetch follow redirects silently, so the "
                           "script would get the login page's HTML; use 401")
    if not 400 <= status < 600:
        _fail(name, value, "must be 200 (a {\"success\": false} envelope) or a 4xx/5xx status")
    return status


def _imported(name, value):
    """``value``, or the object an ini string ``package.module:name`` names."""
    if isinstance(value, string_types) and ":" in value:
        module_name, _, attr = value.strip().partition(":")
        try:
            module = __import__(module_name, fromlist=["__name__"])
            return getattr(module, attr)
        except (ImportError, AttributeError, ValueError) as exc:
            _fail(name, value, "cannot import it: %s" % exc)
    return value


def as_callable(name, value):
    """A callable, or an ini string ``package.module:name`` naming one."""
    value = _imported(name, value)
    if not callable(value):
        _fail(name, value, "expected a callable returning seconds since the epoch, "
                           "or 'package.module:name' naming one")
    return value


def as_hook(name, value):
    """``None``, a callable, or an ini string ``package.module:name`` naming one."""
    if _is_none(value):
        return None
    hook = _imported(name, value)
    if not callable(hook):
        _fail(name, value, "expected a callable (environ, fields) -> fields, "
                           "or 'package.module:name' naming one")
    return hook


def as_cookie_name(name, value):
    """A cookie name (an HTTP token), or ``None`` for the default."""
    if _is_none(value):
        return None
    return as_token(name, value)


def as_prefix(name, value):
    """A path prefix such as ``/_session`` (no trailing slash), or ``None`` for off."""
    if _is_none(value):
        return None
    value = as_text(name, value)
    if not value.startswith("/") or value.endswith("/") or " " in value:
        _fail(name, value, "must start with '/' and not end with one, like '/_session'")
    return value


#: The middleware's default ``clock``.
DEFAULT_CLOCK = time.time

#: (option, converter, default). The one table ini strings and keyword arguments share.
OPTIONS = (
    ("login_url", as_login_url, "/login"),
    ("idle_timeout", as_seconds, 1800),
    ("absolute_timeout", as_seconds, None),
    ("touch_interval", as_interval, None),
    ("auth_key", as_text, "user"),
    ("protected_paths", as_protected_paths, None),
    ("public_paths", as_paths, ()),
    ("xhr_status", as_xhr_status, 401),
    ("auth_scheme", as_token, "Session"),
    ("realm", as_text, "app"),
    ("came_from_param", as_token, "came_from"),
    ("clock", as_callable, DEFAULT_CLOCK),
    ("endpoint_prefix", as_prefix, "/_session"),
    ("activity_cookie", as_cookie_name, None),
    ("store_probe_interval", as_probe_interval, 1.0),
    ("hold_forms", as_bool, True),
    ("held_form_max_bytes", as_positive, 65536),
    ("held_form_ttl", as_positive, 600),
    ("held_form_hook", as_hook, None),
)
_CONVERTERS = dict((name, conv) for name, conv, _ in OPTIONS)


def as_cookie_expires(name, value):
    """Beaker's ``cookie_expires``: a boolean, or a positive number of seconds.

    Beaker itself reads ``"1"`` as ``True`` and an unprefixed ``"2"`` as 2 seconds; here a
    number always means seconds and a word always means a boolean.
    """
    if isinstance(value, (bool, timedelta)) or value.__class__.__name__ == "datetime":
        return value
    if isinstance(value, string_types) and value.strip().lower() in (_TRUE | _FALSE) - frozenset(["1", "0"]):
        return as_bool(name, value)
    return timedelta(seconds=as_int(name, value, minimum=1))


def as_samesite(name, value):
    """``Lax``, ``Strict``, ``None`` (the attribute value) or empty for no attribute."""
    if value is None or (isinstance(value, string_types) and not value.strip()):
        return None
    words = {"lax": "Lax", "strict": "Strict", "none": "None"}
    if isinstance(value, string_types) and value.strip().lower() in words:
        return words[value.strip().lower()]
    _fail(name, value, "expected Lax, Strict or None")


def _beaker_int(name, value):
    return as_int(name, value, minimum=1)


#: Beaker keys whose ini strings Beaker itself coerces wrongly or not at all. Other keys
#: (backend URLs, paths, names) are strings and pass through as given.
BEAKER_CONVERTERS = {
    "timeout": as_seconds,
    "cookie_expires": as_cookie_expires,
    "secure": as_bool,
    "httponly": as_bool,
    "invalidate_corrupt": as_bool,
    "save_accessed_time": as_bool,
    "auto": as_bool,
    "samesite": as_samesite,
    "encrypt_nonce_bits": _beaker_int,
}


class Settings(object):
    """The middleware's options after conversion and cross-checks. Read-only by habit."""

    def __init__(self, options, beaker):
        for name, _, default in OPTIONS:
            setattr(self, name, options.get(name, default))
        if self.touch_interval is None:
            self.touch_interval = min(60, self.idle_timeout // 10) if self.idle_timeout else 60
        #: Beaker session options when the middleware builds Beaker itself, else ``None``.
        self.beaker = beaker
        self.login_path = _login_path(self.login_url)
        #: Which paths the middleware guards, and which it never touches.
        self.paths = Paths(self.protected_paths, self.public_paths, self.login_path)


def _login_path(login_url):
    if not login_url.startswith("/"):
        return None
    return login_url.split("?", 1)[0].split("#", 1)[0]


def parse(config=None, **kwargs):
    """Build :class:`Settings` from an ini-style ``config`` dict and keyword arguments.

    ``session_timeout.*`` keys in ``config`` set options; keyword arguments win over them.
    ``beaker.session.*`` and ``session.*`` keys configure the Beaker the middleware builds
    when none is outside it. Other keys in ``config`` belong to the application and are
    ignored.
    """
    raw = {}
    beaker = {}
    for key, value in (config or {}).items():
        if key.startswith(PREFIX):
            raw[key[len(PREFIX):]] = (key, value)
        else:
            for prefix in BEAKER_PREFIXES:
                if key.startswith(prefix):
                    beaker[key[len(prefix):]] = (key, value)
    for key, value in kwargs.items():
        raw[key] = (key, value)
    options = {}
    for name in sorted(raw):
        key, value = raw[name]
        if name not in _CONVERTERS:
            raise ValueError("Unknown option %r (got %r; known: %s)"
                             % (key, value, ", ".join(sorted(_CONVERTERS))))
        options[name] = _CONVERTERS[name](key, value)
    beaker_options = _beaker_options(beaker, options.get("absolute_timeout")) if beaker else None
    settings = Settings(options, beaker_options)
    _cross_check(settings)
    return settings


def _beaker_options(raw, absolute_timeout):
    options = {}
    for name, (key, value) in raw.items():
        converter = BEAKER_CONVERTERS.get(name)
        options[name] = converter(key, value) if converter else value
    if options.get("type") == "cookie":
        if not options.get("validate_key"):
            raise ValueError(
                "beaker.session.validate_key is required for type = cookie: without it "
                "the session cookie is not signed (got %r)" % options.get("validate_key"))
    elif not options.get("secret"):
        raise ValueError(
            "beaker.session.secret is required: without it Beaker adopts any session id "
            "a client sends (session fixation). Set it to a long random string "
            "(got %r)" % options.get("secret"))
    # Safe defaults: the cookie is out of reach of scripts; Beaker's own timeout (which
    # writes the session on every request) is off unless asked for, because the
    # middleware keeps its own clocks and writes at most once per touch_interval.
    options.setdefault("httponly", True)
    options.setdefault("samesite", "Lax")
    options.setdefault("invalidate_corrupt", True)
    options.setdefault("key", "beaker.session.id")
    if options.get("timeout") is None:
        options.pop("timeout", None)
        options.setdefault("save_accessed_time", False)
        if absolute_timeout and options.get("type") != "cookie":
            # No session outlives its absolute timeout: the store may drop it then
            # (Beaker keeps the same two minutes of slack for its own timeout).
            options["store_ttl"] = absolute_timeout + 120
    return options


def _cross_check(settings):
    idle, absolute = settings.idle_timeout, settings.absolute_timeout
    if idle is not None and absolute is not None and absolute < idle:
        raise ValueError(
            "absolute_timeout (%r) is shorter than idle_timeout (%r): the idle timeout "
            "could never be reached" % (absolute, idle))
    if idle is not None and settings.touch_interval >= idle:
        raise ValueError(
            "touch_interval (%r) must be shorter than idle_timeout (%r)"
            % (settings.touch_interval, idle))
    store_timeout = (settings.beaker or {}).get("timeout")
    if store_timeout is not None and idle is not None and store_timeout < idle:
        raise ValueError(
            "beaker.session.timeout (%r) is shorter than idle_timeout (%r): Beaker would "
            "clear sessions before the idle timeout is reached" % (store_timeout, idle))
