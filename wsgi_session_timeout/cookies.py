"""The cookies the middleware writes itself.

``wsgi_session_timeout`` (the marker) carries, signed with the Beaker secret: when the
browser signed in, when its session was last active, and a tag of the session id it
belongs to. It does two jobs:

- It tells an expired session apart from one that never existed after the store has
  purged the record (Beaker alone cannot tell them apart then). For that only its
  signature matters, not the session it is tied to.
- It holds the activity clock, so recording activity costs a header instead of a write
  to the store, and can never overwrite data a concurrent request saved. The activity
  time is only believed for the session id it is tied to, and only moves a deadline
  forward within that session's own sign-in.

It never grants access: being signed in is decided from the session alone.
"""

import hashlib
import hmac
import re
from collections import namedtuple

MARKER = "wsgi_session_timeout"
_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"


class Marker(namedtuple("Marker", "login_at seen_at session_tag")):
    """A verified marker: whole seconds since the epoch, and the session id's tag."""

    __slots__ = ()

    def tagged_for(self, secret, session_id):
        """True when this marker was written for ``session_id``."""
        return same_tag(self.session_tag, session_tag(secret, session_id))

    def belongs_to(self, secret, session_id, login_at):
        """True when this marker was written for ``session_id`` and that sign-in."""
        return self.tagged_for(secret, session_id) and self.login_at == int(login_at)


def read_marker(environ, secret):
    """The verified :class:`Marker` the request carries, or ``None``."""
    header = environ.get("HTTP_COOKIE", "")
    if MARKER not in header:
        return None
    value = split_marker(header)[1]
    if value is None:
        return None
    key = (secret, value)
    try:
        return _verified[key]
    except KeyError:
        return _remember(_verified, key, _verify(secret, value))


def split_marker(header):
    """``(header without the marker, the marker's value or None)``.

    Beaker is handed the header without the marker (it would otherwise check a signature
    on it too). Cached: a browser sends the same header until the marker changes.
    """
    try:
        return _split[header]
    except KeyError:
        pass
    kept = []
    value = None
    for part in header.split(";"):
        name, _, rest = part.strip().partition("=")
        if name == MARKER:
            value = rest.strip().strip('"')
        else:
            kept.append(part)
    result = (";".join(kept).strip(), value)
    if len(header) <= _CACHEABLE:
        _remember(_split, header, result)
    return result


_MARKER_VALUE = re.compile(r"^[0-9]{1,12}\.[0-9]{1,12}\.[0-9a-f]{16}\.[0-9a-f]{32}$")


def _verify(secret, value):
    if not _MARKER_VALUE.match(value):
        return None
    fields = value.split(".")
    if not same_tag(fields[3], _sign(secret, ".".join(fields[:3]))):
        return None
    return Marker(int(fields[0]), int(fields[1]), fields[2])


# Bounded caches of pure functions (a dict's get and set are atomic under the GIL).
_CACHE_SIZE = 4096
_CACHEABLE = 4096  # longer headers are parsed every time, never kept
_split = {}
_verified = {}
_tags = {}


def _remember(cache, key, value):
    if len(cache) >= _CACHE_SIZE:
        cache.clear()
    cache[key] = value
    return value


def marker_value(secret, login_at, seen_at, session_id):
    """The marker's value for a session signed in at ``login_at``, last active at
    ``seen_at`` (both rounded down: the clock never gains), tied to ``session_id``."""
    body = "%d.%d.%s" % (int(login_at), int(seen_at), session_tag(secret, session_id))
    return "%s.%s" % (body, _sign(secret, body))


def session_tag(secret, session_id):
    """A short keyed tag of a session id: ties a marker to a session without putting
    the id itself in a second cookie."""
    key = (secret, session_id)
    try:
        return _tags[key]
    except KeyError:
        return _remember(_tags, key, _mac(secret, "session:%s" % (session_id,))[:16])


def same_tag(a, b):
    """Constant-time comparison of two tags."""
    return hmac.compare_digest(a, b)


def _sign(secret, body):
    return _mac(secret, "marker:" + body)[:32]


def _mac(secret, message):
    key = (secret or "").encode("utf-8")
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


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
