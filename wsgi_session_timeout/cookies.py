"""The ``Cookie`` header as Beaker reads it: is the session cookie there, what session id
it carries, and the header with the activity cookie taken out.

Beaker's ``Session`` reads its id with ``http.cookies`` (``SignedCookie``): a parse of
the whole header into ``Morsel`` objects and an HMAC-SHA1 of every cookie in it, on
every request. That is 30 of the 96 Python calls of a signed-in read under Beaker alone
(``make bench``), and about a fifth of its time. For a header of the plain form browsers
send (``name=value`` pairs, ``;`` between them, values without quotes or white space),
what that parse gives is certain, and :func:`session_id` gives it with one regular
expression and one HMAC (11 built-in calls; 2 when the value was checked before). Any
other header (quotes, attributes such as ``Path=``, ``$`` names, characters
``http.cookies`` refuses or reads otherwise on some Python) is left to Beaker's own
parser, so the answer is always Beaker's.
"""

import hmac
import re

from ._compat import HmacPads

try:
    from http.cookies import Morsel
except ImportError:  # pragma: no cover (Python 2.7)
    from Cookie import Morsel

#: ``session_id``'s answer for a header whose reading is left to Beaker.
UNSURE = object()

#: A cookie name ``http.cookies`` takes as a cookie (its legal key characters), but
#: ``$``, which starts an attribute.
_NAME = r"[A-Za-z0-9!#%&'*+\-.^_`|~:]+"
#: Value characters every supported Python's parser reads as themselves: no quotes, no
#: white space, no ``;`` or ``\``, no ``[`` ``]`` (which 2.7 refuses).
_VALUE = r"[A-Za-z0-9!#$%&'()*+\-./:<=>?@^_`{|}~,]*"
#: Names ``http.cookies`` reads as attributes of the cookie before them, in any case.
_ATTRIBUTES = sorted(set(["expires", "path", "comment", "domain", "max-age", "secure",
                          "httponly", "version", "samesite", "partitioned"]) |
                     set(getattr(Morsel, "_reserved", {})))


def _any_case(word):
    return "".join("[%s%s]" % (c.lower(), c.upper()) if c.isalpha() else re.escape(c)
                   for c in word)


class Reader(object):
    """What :func:`session_id` needs for one session cookie, decided at start-up:
    ``None`` from :meth:`of` when Beaker signs no cookie (no ``secret``)."""

    __slots__ = ("pattern", "mac", "checked")

    def __init__(self, key, secret):
        self.mac = HmacPads(secret, "sha1")
        self.checked = {}  # a cookie's value: its id, or None (see session_id)
        attributes = "|".join(_any_case(word) for word in _ATTRIBUTES)
        key = re.escape(key)
        # Each pair is read one way only: the session cookie's, or (by the look-ahead)
        # any other name's, so a header that does not match fails in linear time. A
        # group in a repeat keeps its last match: the session cookie's last value, which
        # is the one SimpleCookie keeps.
        self.pattern = re.compile(
            r"[ \t]*(?:(?:%s=(%s)|(?!(?:%s|%s)=)%s=%s)(?:;[ \t]*|$))+\Z"
            % (key, _VALUE, key, attributes, _NAME, _VALUE))

    @classmethod
    def of(cls, key, secret):
        if not secret or not key or not re.match(_NAME + r"\Z", key) or \
                key.lower() in _ATTRIBUTES:
            return None  # no signature, or a name http.cookies would not take as one
        try:
            secret = secret.encode("utf-8")  # as SignedCookie does
        except (AttributeError, UnicodeError):
            return None  # Beaker fails on such a secret by itself
        return cls(key, secret)


def session_id(header, reader):
    """The session id Beaker's ``SignedCookie`` reads from ``header`` (``None``: no
    valid session cookie, so a new session), or :data:`UNSURE` when the header is not
    of the plain form and Beaker must parse it."""
    match = reader.pattern.match(header)
    if match is None:
        return UNSURE
    value = match.group(1)
    if not value:
        return None  # no session cookie, or an empty one: SignedCookie gives None
    session = value[40:]
    if not session:
        return UNSURE  # a signature without an id: Beaker's own checks decide
    checked = reader.checked
    # A browser sends the same cookie all session long. A test and a lookup, not
    # try/except KeyError: with many sessions most values miss, and a raised KeyError
    # costs about 1 us inside a request (with marker.find's two: 1.39 -> 1.31 x Beaker
    # alone's time in process, 10 000 sessions; docs/benchmark.md).
    if value in checked:
        return checked[value]
    # As SignedCookie.value_decode: the 40 hex digits of HMAC-SHA1(secret, id) before
    # the id, compared in constant time (HmacPads.hexdigest inline: a call fewer).
    mac = reader.mac
    inner = mac.inner.copy()
    inner.update(session.encode("ascii"))
    outer = mac.outer.copy()
    outer.update(inner.digest())
    if not hmac.compare_digest(outer.hexdigest(), value[:40]):
        session = None
    if len(checked) >= CHECKED_SIZE:
        checked.clear()
    if not value[200:]:  # Beaker's are 72 characters; never keep a long one
        checked[value] = session
    return session


#: How many checked session cookies a :class:`Reader` remembers (at most 300 KiB).
CHECKED_SIZE = 1024


def sends_cookie(header, name):
    """A cheap test that ``header`` may name cookie ``name`` (Beaker parses it for real).

    It may say yes wrongly (then Beaker finds no session: no harm) but never no wrongly:
    ``name`` at the start or after any separator or white space Python's cookie parser
    accepts, then optional white space and ``=``. So ``session`` is not found in
    ``other_session=...``, and ``beaker.session.id =x`` is found.
    """
    if name not in header:
        return False
    try:
        pattern = _COOKIE_PATTERNS[name]
    except KeyError:
        pattern = _COOKIE_PATTERNS[name] = re.compile(
            r"(?:^|[\s;,])" + re.escape(name) + r"\s*=")
    return pattern.search(header) is not None


_COOKIE_PATTERNS = {}  # one per configured session cookie name


def _hidden(name):
    """The pattern that takes cookie ``name`` out of a Cookie header (see
    :func:`hide`), so Beaker never sees the middleware's own cookie: it would parse
    it and check a signature on it for nothing."""
    try:
        return _HIDDEN[name]
    except KeyError:
        pass
    # A ";" and the name: a literal start, which the engine finds with a fast scan (0.6
    # us on a two-cookie header, against 2.6 us for a pattern that also matches at the
    # start of the header, by an alternative).
    pattern = re.compile(r";[ \t]*" + re.escape(name) + r"[ \t]*=[^;]*")
    if len(_HIDDEN) < 16:
        _HIDDEN[name] = pattern
    return pattern


def hide(request, name):
    """Take cookie ``name`` out of the Cookie header in Beaker's ``request`` dict."""
    header = request["cookie"] if "cookie" in request else None  # (no call: in)
    if header and name in header:
        try:
            pattern = _HIDDEN[name]
        except KeyError:
            pattern = _hidden(name)
        header = pattern.sub("", ";" + header)
        request["cookie"] = header[1:] if header[:1] == ";" else header


_HIDDEN = {}  # one pattern per activity cookie name
