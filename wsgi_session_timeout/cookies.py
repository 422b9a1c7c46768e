"""Cookies the middleware writes itself: the sign-in marker and the removal of a dead
session's cookie.

The marker says "this browser signed in at T and has not signed out". It is how an
expired session is told apart from one that never existed after the store has purged
the record (Beaker alone cannot tell them apart then). It never grants access: being
signed in is decided from the session alone. It is signed so that the time it carries,
which picks the ``reason`` reported, is the one the server wrote.
"""

import hashlib
import hmac

from beaker.cookie import SimpleCookie

MARKER = "wsgi_session_timeout"
_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"


def read_marker(environ, secret):
    """The sign-in time the marker carries, or ``None`` when there is no valid marker.

    The cookie header is parsed as Beaker parses it, so both always agree on what the
    browser sent.
    """
    header = environ.get("HTTP_COOKIE", "")
    if MARKER not in header:
        return None
    try:
        morsel = SimpleCookie(header).get(MARKER)
    except Exception:  # http.cookies rejects some headers outright; same as no cookie
        return None
    if morsel is None:
        return None
    stamp, _, signature = morsel.value.partition(".")
    if not stamp.isdigit() or len(stamp) > 12:
        return None
    if not hmac.compare_digest(signature, _sign(secret, stamp)):
        return None
    return int(stamp)


def marker_value(secret, login_at):
    """The marker's value for a sign-in at ``login_at``."""
    stamp = "%d" % int(login_at)
    return "%s.%s" % (stamp, _sign(secret, stamp))


def _sign(secret, stamp):
    key = (secret or "").encode("utf-8")
    message = ("wsgi_session_timeout.marker:" + stamp).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def set_cookie(name, value, path="/", domain=None, secure=False, delete=False):
    """A ``Set-Cookie`` header tuple: HttpOnly, SameSite=Lax, a browser-session cookie
    unless ``delete`` asks the browser to drop it."""
    parts = ["%s=%s" % (name, "" if delete else value), "Path=%s" % (path or "/")]
    if domain:
        parts.append("Domain=%s" % domain)
    if delete:
        parts.append("Expires=%s" % _EXPIRED)
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    parts.append("HttpOnly")
    parts.append("SameSite=Lax")
    return ("Set-Cookie", "; ".join(parts))
