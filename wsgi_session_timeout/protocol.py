"""The wire protocol: every name a client sees, in one place.

Error codes, reasons, header names and endpoint names are read from here by the
middleware, by :mod:`wsgi_session_timeout.testing` and (through :func:`for_client`) by
the client script, so the three can never disagree.
"""

#: ``error`` of an answer to a request whose signed-in session ended.
SESSION_EXPIRED = "session_expired"
#: ``error`` of an answer to a request that never had a signed-in session.
LOGIN_REQUIRED = "login_required"
#: ``error`` of the ``503`` answer while the session store is unavailable.
STORE_UNAVAILABLE = "store_unavailable"

#: ``reason`` of a ``session_expired`` answer: which clock ran out.
IDLE = "idle"
ABSOLUTE = "absolute"
#: ... or why the session was ended before its clocks ran out: ended on purpose (by the
#: user from another device, an administrator, or a password change), or replaced by a
#: newer sign-in of the same user beyond ``max_sessions``.
REVOKED = "revoked"
REPLACED = "replaced"

#: The JSON problem document's ``type`` is this prefix and the ``error`` code.
PROBLEM_TYPE = "urn:wsgi-session-timeout:"
PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
HTML = "text/html; charset=utf-8"

#: Seconds left on the signed-in session, on every answer to a signed-in request.
EXPIRES_IN_HEADER = "Session-Expires-In"
#: A request carrying ``X-Session-Passive: 1`` is a background poll, not activity.
PASSIVE_HEADER = "X-Session-Passive"
#: htmx follows this header with a full page load.
HX_REDIRECT_HEADER = "HX-Redirect"

#: The endpoints under ``endpoint_prefix``.
DEFAULT_ENDPOINT_PREFIX = "/_session"
STATUS = "status"
EXTEND = "extend"
CLIENT = "client.js"

#: Seconds a client is asked to wait before retrying during a store outage.
RETRY_AFTER = 5

#: The held-form cookie's name is the session cookie's name and this
#: (``beaker.session.id.held``): it carries the random token of a form posted into an
#: ended session, kept until the same user signs in again.
HELD_COOKIE_SUFFIX = ".held"
#: The confirm page's form carries this class, and its button this name, so a page script
#: or a test can find them.
HELD_FORM_CLASS = "session-timeout-held-form"


def for_client():
    """The names the client script needs, as a dict it is served with."""
    return {
        "SESSION_EXPIRED": SESSION_EXPIRED,
        "LOGIN_REQUIRED": LOGIN_REQUIRED,
        "STORE_UNAVAILABLE": STORE_UNAVAILABLE,
        "IDLE": IDLE,
        "ABSOLUTE": ABSOLUTE,
        "REVOKED": REVOKED,
        "REPLACED": REPLACED,
        "EXPIRES_IN_HEADER": EXPIRES_IN_HEADER,
        "PASSIVE_HEADER": PASSIVE_HEADER,
        "HX_REDIRECT_HEADER": HX_REDIRECT_HEADER,
        "DEFAULT_ENDPOINT_PREFIX": DEFAULT_ENDPOINT_PREFIX,
        "STATUS": STATUS,
        "EXTEND": EXTEND,
        "CLIENT": CLIENT,
    }
