"""What to answer a request that needs a signed-in session and has none.

A browser navigation is redirected to the login page. A script (XHR, ``fetch``, htmx, an
API client) gets a status it can see, because browsers follow redirects for scripts
silently and hand them the login page's HTML with a 200. Pure: data in, data out.
"""

import json

from . import classify
from .urls import login_location, request_path, same_origin_path

#: ``error`` code -> (title, detail) of the answer.
TITLES = {
    "session_expired": ("Session expired", "Your session has expired. Sign in again to continue."),
    "login_required": ("Sign-in required", "This request needs a signed-in session."),
}
_PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%(title)s</title></head>'
    '<body><h1>%(title)s</h1><p>%(detail)s</p>'
    '<p><a href="%(href)s">Sign in</a></p></body></html>\n')


def came_from(kind, environ):
    """The page the user should return to after signing in: the page itself for a
    navigation, the page that made the request (same-origin only) for a script."""
    if kind == classify.NAVIGATION:
        return request_path(environ)
    if kind == classify.HTMX:
        current = same_origin_path(environ.get("HTTP_HX_CURRENT_URL"), environ)
        if current:
            return current
    return same_origin_path(environ.get("HTTP_REFERER"), environ)


def login_url_for(kind, environ, settings):
    """The login URL for a request of ``kind``, with its ``came_from``."""
    return login_location(settings.login_url, environ, settings.came_from_param,
                          came_from(kind, environ))


def answer(kind, consulted, verdict, environ, settings):
    """``(status, headers, body)`` for a request of ``kind`` whose session ``verdict``
    is not signed in. ``consulted`` names the headers the kind was decided on."""
    location = login_url_for(kind, environ, settings)
    error = verdict.error
    title, detail = TITLES[error]
    headers = [("Cache-Control", "no-store"), ("Vary", ", ".join(consulted + ("Cookie",)))]
    if kind == classify.NAVIGATION:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        status = "302 Found" if method in ("GET", "HEAD") else "303 See Other"
        headers.append(("Location", location))
        headers.append(("Content-Type", "text/html; charset=utf-8"))
        body = _PAGE % {"title": title, "detail": detail, "href": _html_escape(location)}
        return _finish(status, headers, body, environ)
    status = "%d %s" % (settings.xhr_status, settings.status_reason)
    if settings.xhr_status == 200:
        document = {"success": False, "error": error, "login_url": location}
        headers.append(("Content-Type", "application/json"))
    else:
        document = {
            "type": "urn:wsgi-session-timeout:" + error,
            "title": title,
            "status": settings.xhr_status,
            "detail": detail,
            "error": error,
            "reason": verdict.reason,
            "login_url": location,
        }
        headers.append(("Content-Type", "application/problem+json"))
        headers.append(("WWW-Authenticate", '%s realm="%s", error="%s"' % (
            settings.auth_scheme, _quoted(settings.realm), error)))
    if kind == classify.HTMX:
        headers.append(("HX-Redirect", location))
    body = json.dumps(document, sort_keys=True)
    return _finish(status, headers, body, environ)


def _finish(status, headers, body, environ):
    body = body.encode("utf-8") if not isinstance(body, bytes) else body
    headers.append(("Content-Length", str(len(body))))
    if environ.get("REQUEST_METHOD", "").upper() == "HEAD":
        body = b""
    return status, headers, body


def _quoted(value):
    """``value`` escaped for the inside of an HTTP quoted-string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _html_escape(value):
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


RETRY_AFTER = 5
_UNAVAILABLE = ("Session store unavailable",
                "Sessions are unavailable for a moment. Please try again shortly.")


def unavailable(kind, consulted, environ):
    """``(status, headers, body)`` for a request that needs the session while the store
    is down: ``503`` with ``Retry-After``, nothing that signs the user out."""
    title, detail = _UNAVAILABLE
    headers = [("Cache-Control", "no-store"), ("Retry-After", str(RETRY_AFTER)),
               ("Vary", ", ".join(consulted + ("Cookie",)))]
    if kind == classify.NAVIGATION:
        headers.append(("Content-Type", "text/html; charset=utf-8"))
        body = _PAGE_503 % {"title": title, "detail": detail}
    else:
        headers.append(("Content-Type", "application/problem+json"))
        body = json.dumps({
            "type": "urn:wsgi-session-timeout:store_unavailable", "title": title,
            "status": 503, "detail": detail, "error": "store_unavailable",
            "retry_after": RETRY_AFTER}, sort_keys=True)
    return _finish("503 Service Unavailable", headers, body, environ)


_PAGE_503 = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%(title)s</title></head>'
    '<body><h1>%(title)s</h1><p>%(detail)s</p></body></html>\n')
