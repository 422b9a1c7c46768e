"""Where to send the user: the login URL, the ``came_from`` value, and whether a
``came_from`` is safe to redirect to (a path on this site, nothing else)."""

import re

from ._compat import PY2, quote, unquote_to_text, urlencode, urlsplit, wsgi_to_bytes

# Characters left as they are when a path is quoted: RFC 3986 pchar and "/". A raw path
# (from a URL: Referer, HX-Current-URL) is already percent-encoded where it had to be, so
# "%" stays; SCRIPT_NAME and PATH_INFO are decoded (PEP 3333, CGI), so a "%" in them is a
# literal percent and is encoded, or "/a%2541" would come back as "/aA".
_DECODED_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_PATH_SAFE = _DECODED_PATH_SAFE + "%"
_QUERY_SAFE = _PATH_SAFE + "?"

# Control characters (browsers strip tab and newlines, so "/\t/evil" is "//evil"), the
# backslash (browsers read "/\evil" as "//evil") and look-alikes of "/" and "\" that
# URL parsers may fold into the real thing.
_UNSAFE = re.compile(
    u"[\x00-\x1f\x7f\\\\\u2044\u2215\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c\u3002\ufe52\uff0e]")
_PORT = re.compile(r"^[0-9]{1,5}$")

MAX_CAME_FROM = 2048


def is_safe_path(value):
    """True when ``value`` (a ``came_from`` as the login page receives it) is a path on
    this site: it starts with exactly one ``/`` and holds no control characters, no
    backslashes and no slash look-alikes, and all of that still holds after one more
    round of percent-decoding (some login pages decode twice).
    """
    if not value or len(value) > MAX_CAME_FROM:
        return False
    if PY2 and isinstance(value, bytes):  # pragma: no cover
        value = value.decode("utf-8", "replace")
    return _safe_once(value) and ("%" not in value or _safe_once(unquote_to_text(value)))


def _safe_once(value):
    return (value.startswith("/") and not value.startswith("//") and
            not _UNSAFE.search(value))


def request_path(environ):
    """The path and query the browser asked for, SCRIPT_NAME included, percent-encoded:
    the URL that reaches the same SCRIPT_NAME, PATH_INFO and QUERY_STRING again."""
    # Each part on its own: on Python 2 a unicode part and a str part with non-ASCII
    # bytes cannot be joined.
    path = wsgi_to_bytes(environ.get("SCRIPT_NAME", "")) + wsgi_to_bytes(
        environ.get("PATH_INFO", ""))
    result = quote(path, _DECODED_PATH_SAFE) or "/"
    query = environ.get("QUERY_STRING", "")
    if query:
        result += "?" + quote(wsgi_to_bytes(query), _QUERY_SAFE)
    return result


def same_origin_path(url, environ):
    """The path and query of ``url`` when it is on the request's own origin, else ``None``.

    Used for ``Referer`` and ``HX-Current-URL``: the page the user is on.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme = environ.get("wsgi.url_scheme", "http")
    if parts.scheme.lower() != scheme or "@" in parts.netloc:
        return None
    default = 443 if scheme == "https" else 80
    theirs = _host_port(parts.netloc, default)
    if theirs is None or theirs != _own_host(environ, default):
        return None
    path = quote(wsgi_to_bytes(parts.path or "/"), _PATH_SAFE)
    if parts.query:
        path += "?" + quote(wsgi_to_bytes(parts.query), _QUERY_SAFE)
    return path if is_safe_path(path) else None


def _host_port(hostport, default):
    """``(host, port)`` from ``host[:port]`` or ``[v6]:port``; ``None`` when malformed."""
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[1:end], hostport[end + 1:]
    else:
        host, sep, port = hostport.partition(":")
        rest = sep + port
    if not host:
        return None
    if not rest:
        return host.lower(), default
    if not rest.startswith(":") or not _PORT.match(rest[1:]) or not 0 < int(rest[1:]) < 65536:
        return None
    return host.lower(), int(rest[1:])


def _own_host(environ, default):
    if environ.get("HTTP_HOST"):
        return _host_port(environ["HTTP_HOST"], default)
    port = environ.get("SERVER_PORT", "")
    return environ.get("SERVER_NAME", "").lower(), int(port) if _PORT.match(port) else default


def login_location(login_url, environ, param, came_from):
    """The URL to send the user to: ``login_url`` (resolved against the app's mount point
    when it starts with ``/``) with ``param=came_from`` appended when there is a safe one.

    The result is an absolute path (or ``login_url``'s own absolute URL): no ``Host``
    header value is ever copied into it.
    """
    if login_url.startswith("/"):
        # Never "//host/login", whatever a proxy put in SCRIPT_NAME.
        script_name = wsgi_to_bytes(environ.get("SCRIPT_NAME", "")).strip(b"/")
        url = (quote(b"/" + script_name, _PATH_SAFE) if script_name else "") + login_url
    else:
        url = login_url
    if came_from and is_safe_path(came_from):
        url += ("&" if "?" in url else "?") + urlencode([(param, came_from)])
    return url


def strip_unsafe_came_from(query_string, param):
    """``query_string`` without any ``param`` pair whose value is not a safe path.

    Pairs are split on ``&`` and ``;`` (WebOb reads both) and names are compared after
    decoding (``came%5Ffrom`` is ``came_from`` to the app). Everything else is kept byte
    for byte, and a query string with nothing to remove is returned unchanged.
    """
    if param not in query_string and "%" not in query_string:
        return query_string
    pieces = re.split("([&;])", query_string)
    kept = []
    removed = False
    for index in range(0, len(pieces), 2):
        name, _, value = pieces[index].partition("=")
        if unquote_to_text(name.replace("+", " ")) == param and not is_safe_path(
                unquote_to_text(value.replace("+", " "))):
            removed = True
            continue
        if kept:
            kept.append(pieces[index - 1])
        kept.append(pieces[index])
    return "".join(kept) if removed else query_string


def is_login_location(location, environ, login_url):
    """True when ``location`` (an app's ``Location`` header) points at the login page:
    ``login_url``'s path (mounted where the request was, when it starts with ``/``),
    relative or absolute on this very origin, with any query."""
    if not location:
        return False
    try:
        parts = urlsplit(location.strip())
        want = urlsplit(login_location(login_url, environ, "", None))
    except ValueError:
        return False
    if parts.netloc:
        if want.netloc:
            if parts.netloc.lower() != want.netloc.lower():
                return False
        else:
            default = 443 if environ.get("wsgi.url_scheme") == "https" else 80
            if parts.scheme.lower() not in ("", environ.get("wsgi.url_scheme", "http")) or \
                    _host_port(parts.netloc, default) != _own_host(environ, default):
                return False
    elif want.netloc:
        return False
    return parts.path == want.path or (
        not parts.netloc and not want.netloc and parts.path == login_url.split("?")[0])
