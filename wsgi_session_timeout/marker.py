"""The activity cookie: its format, its key, its trust rules and its attributes.

The activity cookie (named after the session cookie: ``beaker.session.id.activity`` by
default) carries, signed with a key derived from the Beaker secret: when the browser
signed in, when its session was last active, and a tag of the session id it belongs to.
It does two jobs:

- It tells an expired session apart from one that never existed after the store has
  purged the record (Beaker alone cannot tell them apart then).
- It holds the activity clock, so recording activity costs a header instead of a write
  to the store, and can never overwrite data a concurrent request saved. The activity
  time is only believed for the session id it is tied to, and only moves a deadline
  forward within that session's own sign-in.

It never grants access: being signed in is decided from the session alone.
"""

import calendar
import hashlib
import hmac
import re
import time
from collections import namedtuple
from datetime import datetime, timedelta

from ._compat import HmacPads

#: The activity cookie's name is the session cookie's name and this.
SUFFIX = ".activity"
#: The marker's key is HMAC-SHA256(secret, LABEL): never the secret itself, so the two
#: uses of the secret (Beaker's signature, this one) never share a key.
LABEL = b"wsgi_session_timeout activity cookie v2"

NO_KEY = (
    "The session has no secret to sign the activity cookie with: Beaker outside "
    "SessionTimeoutMiddleware runs without beaker.session.secret (or, for "
    "type = cookie, without beaker.session.validate_key). Without it anyone holding a "
    "session id could forge activity. Set beaker.session.secret to a long random string "
    "in Beaker's configuration.")

_EXPIRED = "Thu, 01 Jan 1970 00:00:00 GMT"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (None, "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
           "Nov", "Dec")


def name_for(session_key):
    """The activity cookie's default name for a session cookie named ``session_key``."""
    return session_key + SUFFIX


_keys = {}


def key_for(secret):
    """The marker's own key, derived from Beaker's ``secret``.

    :raises RuntimeError: when ``secret`` is empty: a marker is never signed or trusted
        without a key.
    """
    try:
        return _keys[secret]
    except (KeyError, TypeError):
        pass
    if not secret:
        raise RuntimeError(NO_KEY)
    raw = secret.encode("utf-8") if not isinstance(secret, bytes) else secret
    key = hmac.new(raw, LABEL, hashlib.sha256).digest()
    if len(_keys) < 16:  # a deployment has one secret or two; never a growing cache
        _keys[secret] = key
    return key


def _keyed(key):
    """HMAC-SHA256 keyed with ``key``, as :class:`HmacPads`."""
    try:
        return _keyed_macs[key]
    except KeyError:
        pass
    mac = HmacPads(key, "sha256")
    if len(_keyed_macs) < 16:  # one key per secret: never a growing cache
        _keyed_macs[key] = mac
    return mac


_keyed_macs = {}


def _mac(key, message):
    return _keyed(key).hexdigest(message.encode("utf-8"))


def session_tag(key, session_id):
    """A short keyed tag of a session id: ties a marker to a session without putting
    the id itself in a second cookie."""
    try:
        return _tags[key, session_id]
    except KeyError:
        pass
    tag = _mac(key, "session:%s" % (session_id,))[:16]
    if len(_tags) >= _CACHE_SIZE:
        _tags.clear()
    if len(session_id) <= 128:  # Beaker's ids are 32 characters; never keep a long one
        _tags[key, session_id] = tag
    return tag


_tags = {}


class Marker(namedtuple("Marker", "login_at seen_at tag")):
    """A verified marker: whole seconds since the epoch, and the session id's tag."""

    __slots__ = ()


def value(key, login_at, seen_at, tag):
    """The marker's value for a session signed in at ``login_at``, last active at
    ``seen_at`` (both rounded down: the clock never gains), tied to ``tag``."""
    body = "%d.%d.%s" % (int(login_at), int(seen_at), tag)
    return "%s.%s" % (body, _mac(key, "marker:" + body)[:32])


def read(header, name, key):
    """Every verified :class:`Marker` named ``name`` in a ``Cookie`` header, in order.

    A browser may send several cookies of one name (a sibling subdomain can set one with
    ``Domain``); the caller picks the one tied to its session with :func:`pick`, or uses
    :func:`find`.
    """
    found = []
    for parts in _values(name).findall(header):
        entry = key, parts
        marker = _verified[entry] if entry in _verified else _verify(key, parts)
        if marker is not None:
            found.append(marker)
    return found


def find(header, name, key, session_id, tag=None):
    """The verified marker named ``name`` in a ``Cookie`` header that was written for
    ``session_id`` (the latest, if several), or ``None``: :func:`read` and :func:`pick`
    in one pass, for the request path. ``tag``: the session id's tag when the caller
    knows it already."""
    if tag is None:
        try:
            tag = _tags[key, session_id]
        except KeyError:
            tag = session_tag(key, session_id)
    try:
        pattern = _patterns[name]
    except KeyError:
        pattern = _values(name)
    best = None
    # One regular expression finds the well-formed values, already split in their four
    # fields, and nothing else, however long the header (a split and a strip per cookie,
    # then a second expression per value, cost 5 calls more).
    for parts in pattern.findall(header):
        # A test and a lookup, not try/except KeyError: with many sessions most values
        # miss the cache, and a raised KeyError costs about 1 us inside a request (see
        # cookies.session_id).
        entry = key, parts
        marker = _verified[entry] if entry in _verified else _verify(key, parts)
        if marker is not None and marker.tag == tag and (
                best is None or marker.seen_at > best.seen_at):
            best = marker
    return best


def _values(name):
    """The compiled pattern that finds well-formed values of cookie ``name``, as their
    four fields: sign-in time, activity time, tag, signature."""
    try:
        return _patterns[name]
    except KeyError:
        pass
    # It starts with the name, a literal, which the engine finds with a fast scan (a
    # leading "(?:^|;)" made it 4 times slower: 2.8 us against 0.7 us for a
    # two-cookie header). A cookie whose name merely ends with this one is found too,
    # and is harmless: only a value signed with this key, for this session, is used.
    pattern = re.compile(re.escape(name) + r'="?' + _FORMAT + r'"?[ \t]*(?=;|$)')
    if len(_patterns) < 16:  # one name per deployment, two at most
        _patterns[name] = pattern
    return pattern


#: A value: at most 12 + 1 + 12 + 1 + 16 + 1 + 32 = 75 characters, whatever the header.
_FORMAT = r"([0-9]{1,12})\.([0-9]{1,12})\.([0-9a-f]{16})\.([0-9a-f]{32})"
_patterns = {}


def _verify(key, parts):
    """The :class:`Marker` of a well-formed value's ``parts`` (:func:`_values`) when its
    signature holds under ``key``, else ``None``; remembered either way (the callers
    look in :data:`_verified` first)."""
    login_at, seen_at, tag, signature = parts
    marker = None
    try:
        pads = _keyed_macs[key]
    except KeyError:
        pads = _keyed(key)
    # HmacPads.hexdigest inline (a call fewer per check); the signature is the first 32
    # hex digits of the MAC.
    inner = pads.inner.copy()
    inner.update(("marker:%s.%s.%s" % (login_at, seen_at, tag)).encode("ascii"))
    outer = pads.outer.copy()
    outer.update(inner.digest())
    if hmac.compare_digest(outer.hexdigest()[:32], signature):
        marker = _new_marker(Marker, (int(login_at), int(seen_at), tag))
    if len(_verified) >= _CACHE_SIZE:
        _verified.clear()
    _verified[key, parts] = marker
    return marker


_new_marker = tuple.__new__  # one call, where Marker(...) makes two


#: Verified values, keyed by (key, the value's fields). A browser sends the same value
#: until its next activity is recorded, so a worker sees each one many times. Bounded in
#: count, and each entry in size (the pattern never finds a value longer than 75
#: characters): at most about a quarter of a megabyte.
_CACHE_SIZE = 1024
_verified = {}


def pick(markers, tag):
    """The marker written for the session ``tag`` names (the latest, if several)."""
    best = None
    for marker in markers:
        if marker.tag == tag and (best is None or marker.seen_at > best.seen_at):
            best = marker
    return best


class Attributes(namedtuple("Attributes", "path domain secure samesite expires")):
    """The session cookie's attributes, which the activity cookie copies: it lives
    exactly where and as long as the session cookie does.

    ``expires`` is Beaker's ``cookie_expires``: ``True`` for a browser-session cookie,
    ``False`` for one that never expires, a :class:`~datetime.timedelta`, a number of
    seconds or a :class:`~datetime.datetime`.
    """

    __slots__ = ()

    @classmethod
    def of(cls, params, secure):
        """The attributes of the session cookie Beaker makes from ``params``; ``secure``
        also when the request came over https."""
        samesite = params.get("samesite", "Lax")
        return cls(params.get("cookie_path") or "/", params.get("cookie_domain"),
                   bool(secure or params.get("secure") or
                        (samesite or "").lower() == "none"),
                   samesite, params.get("cookie_expires", True))


def set_cookie(name, text, attributes):
    """The ``Set-Cookie`` header tuple that sets the activity cookie."""
    return ("Set-Cookie", _render(name, text, attributes, _expiry(attributes.expires)))


def delete_cookie(name, attributes):
    """The ``Set-Cookie`` header tuple that drops a cookie set with ``attributes``."""
    return ("Set-Cookie", _render(name, "", attributes, "; Expires=%s; Max-Age=0" % _EXPIRED))


def _render(name, text, attributes, expiry):
    # Beaker's own cookie attributes, written out by hand: four fixed fields are cheaper
    # and clearer than a cookie library's general parser and serialiser.
    parts = "%s=%s; Path=%s" % (name, text, attributes.path)
    if attributes.domain:
        parts += "; Domain=%s" % attributes.domain
    parts += expiry
    if attributes.secure:
        parts += "; Secure"
    parts += "; HttpOnly"
    if attributes.samesite:
        parts += "; SameSite=%s" % attributes.samesite
    return parts


def _expiry(expires):
    """The Expires (and Max-Age) attributes for Beaker's ``cookie_expires``."""
    if expires is True or expires is None:
        return ""
    now = time.time()
    if expires is False:
        when = 0x7FFFFFFF  # what Beaker writes for a cookie that never expires
    elif isinstance(expires, timedelta):
        when = now + expires.total_seconds()
    elif isinstance(expires, datetime):
        when = calendar.timegm(expires.utctimetuple())
    else:
        try:
            when = now + float(expires)
        except (TypeError, ValueError):
            return ""
    when = int(when)
    return "; Expires=%s; Max-Age=%d" % (_http_date(when), max(when - int(now), 0))


def _http_date(when):
    t = time.gmtime(when)
    return "%s, %02d %s %04d %02d:%02d:%02d GMT" % (
        _WEEKDAYS[t.tm_wday], t.tm_mday, _MONTHS[t.tm_mon], t.tm_year, t.tm_hour,
        t.tm_min, t.tm_sec)
