"""Settings: every option's converter, default and checks, decided once at start-up.

Options arrive as keyword arguments (Python values) or as ini strings (a PasteDeploy
section, or ``session_timeout.*`` keys in a Pylons ``app_conf``). Both go through the same
converter table, so ``"900"`` and ``900`` mean the same, and an unknown key or a bad value
raises :class:`ValueError` naming the key and showing the value.

Beaker's own settings are taken in every form Beaker's ``SessionMiddleware`` takes them
(:func:`parse`) and converted by Beaker's own ``coerce_session_params``.
"""

import re
import time
import warnings
from datetime import datetime, timedelta

from beaker.converters import asbool as _beaker_asbool
from beaker.session import Session
from beaker.util import coerce_session_params

from ._compat import integer_types, intern_name, string_types
from .policy import Paths

PREFIX = "session_timeout."
BEAKER_PREFIXES = ("beaker.session.", "session.")
#: Beaker's deprecated prefix: still read, with Beaker's own warning.
DEPRECATED_PREFIX = "session_"
DEPRECATED_WARNING = "Session options should start with session. instead of session_."
DEFAULT_ENVIRON_KEY = "beaker.session"

_NONE = frozenset(["", "none"])
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _fail(name, value, why):
    raise ValueError("%s: %s (got %r)" % (name, why, value))


def _is_none(value):
    return value is None or (isinstance(value, string_types) and value.strip().lower() in _NONE)


def as_bool(name, value):
    """``True``/``False`` from a bool, ``0``/``1``, or the words Beaker and PasteDeploy
    take (``beaker.converters.asbool``): ``true/yes/on/y/t/1``, ``false/no/off/n/f/0``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, string_types) or (isinstance(value, integer_types) and value in (0, 1)):
        try:
            return _beaker_asbool(value)
        except ValueError:
            pass
    _fail(name, value, "expected a boolean (true/false, yes/no, on/off, y/n, t/f, 1/0)")


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


def _as_callable(name, value, what):
    value = _imported(name, value)
    if not callable(value):
        _fail(name, value, "expected %s, or 'package.module:name' naming one" % what)
    return value


def as_callable(name, value):
    """A callable, or an ini string ``package.module:name`` naming one."""
    return _as_callable(name, value, "a callable returning seconds since the epoch")


def as_hook(name, value):
    """``None``, a callable, or an ini string ``package.module:name`` naming one."""
    if _is_none(value):
        return None
    return _as_callable(name, value, "a callable (environ, fields) -> fields")


def as_optional_callable(name, value):
    """``None``, a callable, or an ini string ``package.module:name`` naming one."""
    if _is_none(value):
        return None
    return _as_callable(name, value, "a callable")


def as_max_sessions(name, value):
    """How many signed-in sessions one user may have, or ``None`` for no limit."""
    if _is_none(value):
        return None
    return as_int(name, value, minimum=1)


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
    ("max_idle_timeout", as_seconds, None),
    ("max_absolute_timeout", as_seconds, None),
    ("timeouts", as_optional_callable, None),
    ("on_event", as_optional_callable, None),
    ("max_sessions", as_max_sessions, None),
)
_CONVERTERS = dict((name, conv) for name, conv, _ in OPTIONS)


def as_samesite(name, value):
    """``Lax``, ``Strict``, ``None`` (the attribute value) or empty for no attribute."""
    if value is None or (isinstance(value, string_types) and not value.strip()):
        return None
    words = {"lax": "Lax", "strict": "Strict", "none": "None"}
    if isinstance(value, string_types) and value.strip().lower() in words:
        return words[value.strip().lower()]
    _fail(name, value, "expected Lax, Strict or None")


#: The options Beaker's ``SessionMiddleware`` starts from, before the given ones.
BEAKER_DEFAULTS = (
    ("invalidate_corrupt", True), ("type", None), ("data_dir", None),
    ("key", "beaker.session.id"), ("timeout", None), ("save_accessed_time", True),
    ("secret", None), ("log_file", None),
)

#: The keys ``beaker.util.coerce_session_params`` converts (and so knows).
BEAKER_COERCED = frozenset([
    "data_dir", "lock_dir", "type", "cookie_expires", "cookie_domain", "cookie_path", "id",
    "key", "secret", "validate_key", "encrypt_key", "encrypt_nonce_bits", "secure",
    "httponly", "timeout", "save_accessed_time", "auto", "webtest_varname",
    "data_serializer",
])

#: Beaker session options that may be bare keyword arguments, as in
#: ``SessionTimeoutMiddleware(app, type="file", secret="...")``: the keys Beaker coerces,
#: its middleware's defaults, and what its ``Session`` takes besides (backend-specific
#: options need the ``session.`` prefix, so a misspelt option is not sent to a backend).
BEAKER_NAMES = BEAKER_COERCED | frozenset(name for name, _ in BEAKER_DEFAULTS) | frozenset([
    "samesite", "crypto_type", "url", "namespace_class",
])

#: Beaker keys Beaker passes on as given although they are not strings: ``"false"``
#: would be truthy there.
BEAKER_CONVERTERS = {
    "invalidate_corrupt": as_bool,
    "samesite": as_samesite,
}


class BeakerOptions(dict):
    """The keyword arguments the middleware gives Beaker's ``SessionObject``.

    ``options`` is what Beaker's ``SessionMiddleware.options`` would be (without the
    middleware's own ``store_ttl`` and ``session_class``); ``environ_key`` is where the
    session goes in the environ besides ``beaker.session``.
    """

    def __init__(self, params, options, environ_key=DEFAULT_ENVIRON_KEY):
        # Interned names: Python matches a keyword argument to a parameter by identity
        # first, else by comparing it with every parameter name as a string. Names cut
        # out of "beaker.session.*" keys are not interned: those comparisons cost 2,600
        # machine instructions of a 240,000-instruction request (callgrind).
        dict.__init__(self, ((intern_name(key), value) for key, value in params.items()))
        self.options = options
        self.environ_key = environ_key

    def copy_with(self, **params):
        """A copy with ``params`` added (the same ``options`` and ``environ_key``)."""
        return BeakerOptions(dict(self, **params), self.options, self.environ_key)

    def get_session(self):
        """``environ['beaker.get_session']``, as Beaker defines it: a new session that
        sends no cookie, made with the middleware's options."""
        return Session({}, use_cookies=False, **self.options)


class Settings(object):
    """The middleware's options after conversion and cross-checks. Read-only by habit."""

    def __init__(self, options, beaker):
        for name, _, default in OPTIONS:
            setattr(self, name, options.get(name, default))
        if self.touch_interval is None:
            self.touch_interval = min(60, self.idle_timeout // 10) if self.idle_timeout else 60
        # The ceilings of a session's own timeouts: by default no session outlives the
        # configured timeouts (a session may be given shorter ones only).
        if "max_idle_timeout" not in options:
            self.max_idle_timeout = self.idle_timeout
        if "max_absolute_timeout" not in options:
            self.max_absolute_timeout = self.absolute_timeout
        #: Beaker session options when the middleware builds Beaker itself, else ``None``.
        self.beaker = beaker
        self.login_path = _login_path(self.login_url)
        #: Which paths the middleware guards, and which it never touches.
        self.paths = Paths(self.protected_paths, self.public_paths, self.login_path)


def _login_path(login_url):
    if not login_url.startswith("/"):
        return None
    return login_url.split("?", 1)[0].split("#", 1)[0]


def parse(config=None, environ_key=None, **kwargs):
    """Build :class:`Settings` from a ``config`` dict and keyword arguments, taking every
    configuration Beaker's ``SessionMiddleware(app, config, environ_key, **kwargs)`` takes.

    * ``session_timeout.*`` keys in ``config`` set the middleware's options; keyword
      arguments with the same names win over them.
    * ``beaker.session.*``, ``session.*`` and Beaker's deprecated ``session_*`` keys (with
      Beaker's ``DeprecationWarning``), from ``config`` and then from the keyword
      arguments, configure the Beaker the middleware runs when none is outside it; bare
      keyword arguments named in :data:`BEAKER_NAMES` apply last, as in Beaker. All go
      through ``beaker.util.coerce_session_params``. A name that is both a middleware
      option and a Beaker option would be the middleware's (none is today).
    * Other keys in ``config`` belong to the application and are ignored; an unknown
      keyword argument is an error naming the known ones.
    """
    raw = {}
    beaker = []
    bare = []
    for source in (config or {}, kwargs):
        for key, value in source.items():
            if key.startswith(PREFIX):
                raw[key[len(PREFIX):]] = (key, value)
            elif key.startswith(BEAKER_PREFIXES[0]):
                beaker.append((key[len(BEAKER_PREFIXES[0]):], key, value))
            elif key.startswith(BEAKER_PREFIXES[1]):
                beaker.append((key[len(BEAKER_PREFIXES[1]):], key, value))
            elif key.startswith(DEPRECATED_PREFIX):
                warnings.warn(DEPRECATED_WARNING, DeprecationWarning, stacklevel=3)
                beaker.append((key[len(DEPRECATED_PREFIX):], key, value))
            elif source is kwargs:
                if key in _CONVERTERS:
                    raw[key] = (key, value)
                elif key in BEAKER_NAMES:
                    bare.append((key, key, value))
                else:
                    _unknown(key, value)
    options = {}
    for name in sorted(raw):
        key, value = raw[name]
        if name not in _CONVERTERS:
            _unknown(key, value)
        options[name] = _CONVERTERS[name](key, value)
    given = set(options)
    if beaker or bare:
        beaker_options = _beaker_options(beaker + bare, options, environ_key)
    elif environ_key not in (None, DEFAULT_ENVIRON_KEY):
        raise ValueError(
            "environ_key (got %r) names where the middleware's own Beaker puts the session, "
            "and no beaker.session.* settings were given: give them, or leave environ_key "
            "out when Beaker's SessionMiddleware is outside" % (environ_key,))
    else:
        beaker_options = None
    settings = Settings(options, beaker_options)
    _cross_check(settings, given)
    return settings


def _unknown(key, value):
    raise ValueError(
        "Unknown option %r (got %r; known: %s; Beaker session options: %s, or any other "
        "with the session. prefix)" % (key, value, ", ".join(sorted(_CONVERTERS)),
                                       ", ".join(sorted(BEAKER_NAMES))))


def _cookie_expires(key, value):
    """A ``cookie_expires`` keyword argument as Beaker's Session takes it: a number of
    seconds becomes a timedelta, as Beaker's own rule for an ini value says (its
    ``SessionMiddleware`` skips that rule for keyword arguments, and each new session
    then fails); a value of another type is refused here, not on the first request."""
    if isinstance(value, (bool, datetime, timedelta)):
        return value
    if isinstance(value, integer_types + (float,)):
        return timedelta(seconds=value)
    _fail(key, value, "cookie_expires takes True, False, a number of seconds, a timedelta "
          "or a datetime")


def _beaker_options(given, options, environ_key):
    """Beaker's options, as its ``SessionMiddleware`` makes them, then the middleware's
    safe defaults; may set ``options['idle_timeout']`` from ``timeout``."""
    params = dict(BEAKER_DEFAULTS)
    keys = {}
    for name, key, value in given:
        if name == "secret" and isinstance(value, string_types) and not value.strip():
            value = None  # said below as "required", not as Beaker's "empty string"
        params[name] = value
        keys[name] = key
    if "session_class" in params:
        raise ValueError(
            "%s: the middleware runs its own Session class (Beaker's, blind to its activity "
            "cookie); remove the option (got %r)"
            % (keys["session_class"], params["session_class"]))
    for name in sorted(params):
        key, value = keys.get(name, name), params[name]
        if key == name and name in keys and not isinstance(value, string_types):
            # A bare keyword argument: Beaker applies it as given (a serializer object,
            # a timedelta); only a string from an ini is converted, so timeout="1800"
            # works where Beaker's Session would fail on the first request.
            if name == "cookie_expires":
                params[name] = _cookie_expires(key, value)
            continue
        if name in BEAKER_COERCED:
            try:
                params[name] = coerce_session_params({name: value})[name]
            except Exception as exc:  # Beaker raises plain Exceptions with its rule's text
                _fail(key, value, exc.args[0] if exc.args else exc)
        elif name in BEAKER_CONVERTERS:
            params[name] = BEAKER_CONVERTERS[name](key, value)
    if params.get("type") == "cookie":
        if not params.get("validate_key"):
            raise ValueError(
                "beaker.session.validate_key is required for type = cookie: without it "
                "the session cookie is not signed; set it to a long random string "
                "(got %r)" % params.get("validate_key"))
    elif not params.get("secret"):
        raise ValueError(
            "beaker.session.secret is required: without it Beaker adopts any session id "
            "a client sends (session fixation); set it to a long random string "
            "(got %r)" % params.get("secret"))
    # Safe defaults: the cookie is out of reach of scripts.
    params.setdefault("httponly", True)
    params.setdefault("samesite", "Lax")
    timeout = params["timeout"]
    if timeout is not None and "idle_timeout" not in options:
        # Beaker's timeout is the idle timeout the application already has. The middleware
        # keeps that clock itself, so Beaker's, which writes a server-side session on
        # every request, is off. A cookie session is sent on every request anyway: there
        # Beaker's stays, and still clears a visitor's data after the timeout.
        options["idle_timeout"] = as_seconds(keys["timeout"], timeout)
        if params.get("type") != "cookie":
            params["timeout"] = timeout = None
    if timeout is None:
        if "save_accessed_time" not in keys:
            params["save_accessed_time"] = False
    elif params.get("save_accessed_time") is False:
        raise ValueError(
            "%s (%r) needs save_accessed_time, and %s is false: Beaker refuses a timeout "
            "without it; remove one of them"
            % (keys["timeout"], timeout, keys.get("save_accessed_time")))
    result = dict(params)
    # The longest absolute timeout a session may have: its ceiling, else the default.
    absolute_timeout = options.get("max_absolute_timeout", options.get("absolute_timeout"))
    if timeout is None and absolute_timeout and params.get("type") != "cookie":
        # No session outlives its absolute timeout: the store may drop it then
        # (Beaker keeps the same two minutes of slack for its own timeout).
        result["store_ttl"] = absolute_timeout + 120
    return BeakerOptions(result, params, environ_key or DEFAULT_ENVIRON_KEY)


def _cross_check(settings, given):
    idle, absolute = settings.idle_timeout, settings.absolute_timeout
    idle_name = ("idle_timeout" if "idle_timeout" in given
                 else "idle_timeout (beaker.session.timeout)")
    if idle is not None and absolute is not None and absolute < idle:
        raise ValueError(
            "absolute_timeout (%r) is shorter than %s (%r): the idle timeout "
            "could never be reached" % (absolute, idle_name, idle))
    if idle is not None and settings.touch_interval >= idle:
        raise ValueError(
            "touch_interval (%r) must be shorter than %s (%r)"
            % (settings.touch_interval, idle_name, idle))
    for ceiling, timeout in (("max_idle_timeout", "idle_timeout"),
                             ("max_absolute_timeout", "absolute_timeout")):
        high, low = getattr(settings, ceiling), getattr(settings, timeout)
        if high is not None and low is not None and high < low:
            raise ValueError(
                "%s (%r) is shorter than %s (%r): the ceiling of a session's own timeout "
                "cannot be below the default one" % (ceiling, high, timeout, low))
        if high is None and low is not None:
            raise ValueError(
                "%s (%r) is off while %s is %r: a session could be given no %s at all; "
                "set a number of seconds" % (ceiling, high, timeout, low,
                                             timeout.replace("_", " ")))
    if settings.max_sessions is not None and (settings.beaker or {}).get("type") == "cookie":
        raise ValueError(
            "max_sessions (%r) needs a session store: with beaker.session.type = cookie "
            "the sessions live in the browsers' cookies, where they cannot be counted or "
            "ended" % (settings.max_sessions,))
    store_timeout = (settings.beaker or {}).get("timeout")
    if store_timeout is not None and idle is not None and store_timeout < idle:
        raise ValueError(
            "beaker.session.timeout (%r) is shorter than idle_timeout (%r): Beaker would "
            "clear sessions before the idle timeout is reached; leave idle_timeout out "
            "(it is then taken from beaker.session.timeout) or make them equal"
            % (store_timeout, idle))
