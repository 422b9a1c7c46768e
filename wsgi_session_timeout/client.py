"""The client script: its sources, joined into the one file pages load, and its answer.

The script is written as separate ES5 files under ``static/src/`` and served as one file
with no build step: :data:`SOURCES` in order, one function around them all (it opens in
``00-head.js`` and closes in ``99-tail.js``), and right after the opening a line that
defines ``NAMES``, the wire names of :func:`wsgi_session_timeout.protocol.for_client`
plus the ``endpoint_prefix`` the script is served under (so the script can tell the
application's mount from the prefix in its own URL). The body is built once per process
and prefix, and cached with its ``ETag``.
"""

import hashlib
import json
import os
import threading

from . import protocol

_SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static", "src")

#: The source files, in the order they are joined. Every ``.js`` file in ``static/src``
#: is listed here, and nothing else (:func:`script` checks).
SOURCES = (
    "00-head.js",     # the banner and the opening of the function
    "env.js",         # once per page, and inert inside the re-login frame
    "util.js",        # pure helpers (unit-tested with node --test)
    "config.js",      # options: defaults, data- attributes, where the endpoints are
    "clock.js",       # elapsed time and the send order of requests
    "dom.js",         # URLs against the page, events
    "state.js",       # the one owner of the session's state, and its transitions
    "status.js",      # talking to the status and extend endpoints
    "countdown.js",   # the timer
    "dialog.js",      # the dialog box, focus handling, CSS
    "warning.js",     # the warning and expired dialogs, sign-out
    "relogin.js",     # going to the login page, or signing in inside the page
    "hooks-fetch.js",
    "hooks-xhr.js",
    "hooks-htmx.js",
    "forms.js",       # POST forms submitted into an ended session
    "tabs.js",        # the other tabs of this origin
    "99-tail.js",     # the public API, start-up, and the end of the function
)

#: The ``Content-Type`` of the script.
CONTENT_TYPE = "application/javascript; charset=utf-8"
#: How long browsers and proxies may keep it without asking again.
CACHE_CONTROL = "public, max-age=3600"

_CLIENT_SUFFIX = "/" + protocol.CLIENT
# Bodies by prefix: the router only sends the configured prefixes here, so this stays as
# small as the configuration; a bound keeps any other caller from growing it.
_cache = {}
_CACHE_SIZE = 16
_lock = threading.Lock()


def names(prefix=protocol.DEFAULT_ENDPOINT_PREFIX):
    """The ``NAMES`` object of the script served under ``prefix``."""
    result = protocol.for_client()
    result["ENDPOINT_PREFIX"] = prefix
    return result


def _read_sources():
    present = sorted(name for name in os.listdir(_SOURCE_DIR) if name.endswith(".js"))
    if present != sorted(SOURCES):
        raise RuntimeError("wsgi_session_timeout/static/src holds %r, client.SOURCES lists "
                           "%r" % (present, list(SOURCES)))
    texts = []
    for name in SOURCES:
        with open(os.path.join(_SOURCE_DIR, name), "rb") as handle:
            texts.append(handle.read())
    return texts


def build(prefix=protocol.DEFAULT_ENDPOINT_PREFIX):
    """The script's body (bytes) for ``prefix``, built from the sources now."""
    texts = _read_sources()
    # "</" is escaped so that the line is safe even if the script is ever inlined.
    prelude = ("  var NAMES = %s;\n" % json.dumps(names(prefix), sort_keys=True)
               .replace("</", "<\\/")).encode("utf-8")
    return texts[0] + prelude + b"".join(texts[1:])


def script(prefix=protocol.DEFAULT_ENDPOINT_PREFIX):
    """``(body, etag)`` of the script served under ``prefix``, built once per process."""
    cached = _cache.get(prefix)
    if cached is None:
        with _lock:
            cached = _cache.get(prefix)
            if cached is None:
                body = build(prefix)
                cached = (body, '"%s"' % hashlib.sha1(body).hexdigest()[:20])
                if len(_cache) < _CACHE_SIZE:
                    _cache[prefix] = cached
    return cached


def _prefix_of(environ):
    # The router sends <prefix>/client.js here: PATH_INFO says which prefix.
    path = environ.get("PATH_INFO", "")
    if (path.endswith(_CLIENT_SUFFIX) and path.startswith("/")
            and len(path) > len(_CLIENT_SUFFIX)):
        return path[:-len(_CLIENT_SUFFIX)]
    return protocol.DEFAULT_ENDPOINT_PREFIX


def answer(environ):
    """``(status, headers, body)`` for a request of the script, honouring
    ``If-None-Match`` (``304`` with no body when the browser's copy is current)."""
    body, etag = script(_prefix_of(environ))
    headers = [("ETag", etag), ("Cache-Control", CACHE_CONTROL)]
    if etag in [t.strip() for t in environ.get("HTTP_IF_NONE_MATCH", "").split(",")]:
        return "304 Not Modified", headers, b""
    headers += [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))]
    return "200 OK", headers, body
