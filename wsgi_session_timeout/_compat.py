"""The one place that knows about Python 2.7 versus Python 3."""

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
