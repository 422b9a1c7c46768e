"""The one place that knows about Python 2.7 versus Python 3."""

import hashlib
import sys
import threading
import time

PY2 = sys.version_info[0] == 2

if PY2:  # pragma: no cover (exercised by the Python 2.7 run)
    from httplib import responses as status_reasons  # noqa: F401
    from urllib import quote, unquote, urlencode  # noqa: F401
    from urlparse import parse_qsl, urlsplit  # noqa: F401

    text_type = unicode  # noqa: F821
    string_types = (str, unicode)  # noqa: F821
    integer_types = (int, long)  # noqa: F821

    def wsgi_to_bytes(value):
        """An environ string as the bytes the client sent. A unicode value (outside
        PEP 3333, but some servers and test clients hand one on) is text: its UTF-8."""
        if isinstance(value, unicode):  # noqa: F821
            return value.encode("utf-8")
        return value

    def bytes_to_wsgi(value):
        """Bytes as a native environ string."""
        return value

    def unquote_to_text(value):
        """Percent-decode an environ string (bytes as the client sent them) into text."""
        if isinstance(value, unicode):  # noqa: F821
            value = value.encode("utf-8")
        return unquote(value).decode("utf-8", "replace")

else:
    from http.client import responses as status_reasons  # noqa: F401
    from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode, urlsplit  # noqa: F401

    text_type = str
    string_types = (str,)
    integer_types = (int,)

    def wsgi_to_bytes(value):
        """An environ string (PEP 3333: latin-1 decoded) as the bytes the client sent.
        A str beyond latin-1 (outside PEP 3333, but some servers and test clients hand
        one on) is text: its UTF-8."""
        try:
            return value.encode("latin-1")
        except UnicodeEncodeError:
            return value.encode("utf-8")

    def bytes_to_wsgi(value):
        """Bytes as a native environ string."""
        return value.decode("latin-1")

    def unquote_to_text(value):
        """Percent-decode an environ string (PEP 3333: the client's bytes as latin-1)
        into text: raw bytes and %-escapes alike are read as UTF-8."""
        try:
            raw = value.encode("latin-1")
        except UnicodeEncodeError:  # already text beyond latin-1 (a caller's own value)
            raw = value.encode("utf-8")
        return unquote_to_bytes(raw).decode("utf-8", "replace")


if hasattr(time, "monotonic"):
    monotonic = time.monotonic
else:  # pragma: no cover (exercised by the Python 2.7 run)

    class _Steady(object):
        """``time.time`` that never goes back (Python 2.7 has no ``time.monotonic``):
        a step back of the wall clock is absorbed, so intervals never come out
        negative."""

        def __init__(self):
            self._lock = threading.Lock()
            self._last = 0.0
            self._offset = 0.0

        def __call__(self):
            with self._lock:
                now = time.time() + self._offset
                if now < self._last:
                    self._offset += self._last - now
                    now = self._last
                self._last = now
                return now

    monotonic = _Steady()


class HmacPads(object):
    """HMAC(``key``) as its two hash objects with the key's pads already hashed, to
    ``copy()`` and feed per message: ``inner`` takes the message, ``outer`` the inner
    digest (RFC 2104). From the interpreter's own SHA code when it has it: OpenSSL's
    objects (what ``hmac`` uses) cost more to copy and, run with cold caches between two
    requests of a busy server, about 10 us more per HMAC (in process on Redis, make
    bench's stacks: 43 us added per request with OpenSSL's, 23 us with these)."""

    __slots__ = ("inner", "outer")

    def __init__(self, key, name):
        constructor = _builtin_hash(name)
        if len(key) > 64:  # SHA-1 and SHA-256 blocks are 64 bytes
            key = constructor(key).digest()
        key = bytearray(key.ljust(64, b"\0"))
        self.inner = constructor(bytes(bytearray(byte ^ 0x36 for byte in key)))
        self.outer = constructor(bytes(bytearray(byte ^ 0x5C for byte in key)))

    def hexdigest(self, message):
        """HMAC(key, ``message``) in hex (what the callers on the hot path do inline)."""
        inner = self.inner.copy()
        inner.update(message)
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def _builtin_hash(name):
    """The interpreter's own constructor for ``name`` (sha1, sha256), else hashlib's."""
    for module, attribute in _BUILTIN_HASHES[name]:
        try:
            return getattr(__import__(module), attribute)
        except (ImportError, AttributeError):
            continue
    return getattr(hashlib, name)


_BUILTIN_HASHES = {  # (module, constructor): 3.12+, 3.8 to 3.11, 2.7
    "sha1": (("_sha1", "sha1"), ("_sha", "new")),
    "sha256": (("_sha2", "sha256"), ("_sha256", "sha256")),
}


def intern_name(name):
    """``name`` interned when it is a native string (a keyword argument's name)."""
    return _intern(name) if type(name) is str else name


_intern = getattr(sys, "intern", None) or intern  # noqa: F821 (Python 2.7: a built-in)
