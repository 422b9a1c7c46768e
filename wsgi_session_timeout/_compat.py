"""The one place that knows about Python 2.7 versus Python 3."""

import sys

PY2 = sys.version_info[0] == 2

if PY2:  # pragma: no cover (exercised by the Python 2.7 run)
    from httplib import responses as status_reasons  # noqa: F401
    from urllib import quote, urlencode  # noqa: F401
    from urlparse import parse_qsl, urlsplit  # noqa: F401

    text_type = unicode  # noqa: F821
    string_types = (str, unicode)  # noqa: F821
    integer_types = (int, long)  # noqa: F821

    def wsgi_to_bytes(value):
        """An environ string as the bytes the client sent."""
        return value

    def bytes_to_wsgi(value):
        """Bytes as a native environ string."""
        return value

else:
    from http.client import responses as status_reasons  # noqa: F401
    from urllib.parse import parse_qsl, quote, urlencode, urlsplit  # noqa: F401

    text_type = str
    string_types = (str,)
    integer_types = (int,)

    def wsgi_to_bytes(value):
        """An environ string (PEP 3333: latin-1 decoded) as the bytes the client sent."""
        return value.encode("latin-1")

    def bytes_to_wsgi(value):
        """Bytes as a native environ string."""
        return value.decode("latin-1")


def native(value):
    """A native ``str`` for WSGI status lines and headers (PEP 3333)."""
    if isinstance(value, str):
        return value
    if PY2:  # pragma: no cover
        return value.encode("latin-1")
    return value.decode("latin-1")  # pragma: no cover (bytes never reach here on 3)
