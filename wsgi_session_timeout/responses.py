"""Every answer the middleware sends itself, each a :class:`webob.Response`, and the one
function that sends them (:func:`send`).

A browser navigation is redirected to the login page. A script (XHR, ``fetch``, htmx, an
API client) gets a status it can see, because browsers follow redirects for scripts
silently and hand them the login page's HTML with a 200. Errors are
``application/problem+json`` (RFC 9457) documents; the ``status`` endpoint's answers are
plain JSON.
"""

import json

from webob import Response

from . import classify, held, protocol
from ._compat import status_reasons
from .urls import login_location, request_path, same_origin_path

#: ``error`` code -> (title, detail) of the answer.
TITLES = {
    protocol.SESSION_EXPIRED: (
        "Session expired", "Your session has expired. Sign in again to continue."),
    protocol.LOGIN_REQUIRED: (
        "Sign-in required", "This request needs a signed-in session."),
    protocol.STORE_UNAVAILABLE: (
        "Session store unavailable",
        "Sessions are unavailable for a moment. Please try again shortly."),
    "method_not_allowed": ("Method not allowed", None),
    "cross_site_request": ("Cross-site request refused", None),
}

#: Pylons' StatusCodeRedirect (outside the middleware in a generated Pylons stack) turns
#: every 401/403 into its own HTML error page, headers and body dropped, unless this
#: key is set. Set on the middleware's own answers only: the app's errors still render.
KEEP_MY_STATUS = "pylons.status_code_redirect"

_PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%(title)s</title></head>'
    '<body><h1>%(title)s</h1><p>%(detail)s</p>%(link)s</body></html>\n')
_NO_STORE = ("Cache-Control", "no-store")


def send(response, environ, start_response):
    """Send one of the middleware's own answers (no body for ``HEAD``)."""
    environ[KEEP_MY_STATUS] = True
    start_response(response.status, response.headerlist)
    if environ.get("REQUEST_METHOD") == "HEAD":
        return [b""]
    return response.app_iter


def answer(status, body, content_type, headers=()):
    """A response of the middleware's own that no cache may keep."""
    return Response(status=status, body=body, headerlist=[
        ("Content-Type", content_type), _NO_STORE] + list(headers))


def json_answer(status, document, headers=()):
    """A plain JSON answer (``status`` and ``extend``)."""
    return answer(status, _json(document), protocol.JSON, headers)


def problem(code, error, detail=None, headers=(), **fields):
    """An ``application/problem+json`` answer for ``error`` with HTTP status ``code``."""
    title, default_detail = TITLES.get(error, (error, None))
    document = {"type": protocol.PROBLEM_TYPE + error, "title": title, "status": code,
                "detail": detail or default_detail, "error": error}
    document.update(fields)
    return answer(_status_line(code), _json(document), protocol.PROBLEM_JSON, headers)


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


def sign_in(kind, consulted, verdict, environ, settings):
    """The answer to a request of ``kind`` that needs a signed-in session and has none
    (``verdict`` says why). ``consulted`` names the headers the kind was decided on."""
    location = login_url_for(kind, environ, settings)
    error = verdict.error
    vary = ("Vary", ", ".join(consulted + ("Cookie",)))
    if kind == classify.NAVIGATION:
        title, detail = TITLES[error]
        method = environ.get("REQUEST_METHOD", "GET").upper()
        status = "302 Found" if method in ("GET", "HEAD") else "303 See Other"
        link = '<p><a href="%s">Sign in</a></p>' % _html_escape(location)
        body = _PAGE % {"title": title, "detail": detail, "link": link}
        return answer(status, body.encode("utf-8"), protocol.HTML,
                      [vary, ("Location", location)])
    headers = [vary]
    if kind == classify.HTMX:
        headers.append((protocol.HX_REDIRECT_HEADER, location))
    if settings.xhr_status == 200:
        document = {"success": False, "error": error, "login_url": location}
        return answer("200 OK", _json(document), protocol.JSON, headers)
    headers.append(("WWW-Authenticate", '%s realm="%s", error="%s"' % (
        settings.auth_scheme, _quoted(settings.realm), error)))
    return problem(settings.xhr_status, error, headers=headers, reason=verdict.reason,
                   login_url=location)


#: What the confirm page says. Plain text; every value is HTML-escaped.
HELD_TEXTS = {
    "title": "Send your form again?",
    "intro": ("Your session had ended when this form was sent, so it did not reach the "
              "site. You have signed in again: check what will be sent, then send it."),
    "fields": "Fields to send to %s:",
    "hidden": "(not shown)",
    "empty": "(empty)",
    "send": "Send the form again",
    "discard": "Discard it",
}
#: Values longer than this are shortened on the page (never in the form itself).
HELD_SHOWN_CHARS = 400

_HELD_PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<title>%(title)s</title></head>'
    '<body style="font: 16px/1.5 sans-serif; margin: 1.5rem; max-width: 50rem">'
    '<h1>%(title)s</h1><p>%(intro)s</p>'
    '<form class="%(form_class)s" method="post" action="%(action)s" enctype="%(enctype)s">'
    '%(inputs)s<p>%(fields)s</p>'
    '<table style="border-collapse: collapse">%(rows)s</table>'
    '<p><button type="submit">%(send)s</button> <a href="%(back)s">%(discard)s</a></p>'
    '</form></body></html>\n')
_HELD_ROW = ('<tr><th scope="row" style="text-align: left; vertical-align: top; '
             'padding: .2rem 1rem .2rem 0">%s</th><td style="white-space: pre-wrap">%s'
             '</td></tr>')
#: The confirm page loads nothing, may only post to this site, and may only be framed by
#: it (a confirmation that another site could overlay would not be the user's).
HELD_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
               "frame-ancestors 'self'; base-uri 'none'")


def held_form(action, enctype, fields, back):
    """The page that offers a kept form back: what will be sent (values of fields whose
    names look secret are not shown) and one button that posts ``fields`` to ``action``
    with ``enctype``. Nothing is sent until the user presses it."""
    inputs = "".join('<input type="hidden" name="%s" value="%s">' % (
        _attribute(name), _attribute(value)) for name, value in fields)
    rows = []
    for name, value in fields:
        if held.is_secret(name):
            shown = "<em>%s</em>" % HELD_TEXTS["hidden"]
        elif not value:
            shown = "<em>%s</em>" % HELD_TEXTS["empty"]
        else:
            if len(value) > HELD_SHOWN_CHARS:
                value = value[:HELD_SHOWN_CHARS] + u"\u2026"
            shown = _html_escape(value)
        rows.append(_HELD_ROW % (_html_escape(name), shown))
    body = _HELD_PAGE % {
        "title": HELD_TEXTS["title"], "intro": HELD_TEXTS["intro"],
        "form_class": protocol.HELD_FORM_CLASS, "action": _attribute(action),
        "enctype": _attribute(enctype), "inputs": inputs,
        "fields": HELD_TEXTS["fields"] % ("<code>%s</code>" % _html_escape(action)),
        "rows": "".join(rows), "send": HELD_TEXTS["send"], "back": _attribute(back),
        "discard": HELD_TEXTS["discard"]}
    return answer("200 OK", body.encode("utf-8"), protocol.HTML, [
        ("Content-Security-Policy", HELD_POLICY), ("X-Frame-Options", "SAMEORIGIN"),
        ("Referrer-Policy", "same-origin"), ("Vary", "Cookie")])


def unavailable(kind, consulted):
    """The answer to a request that needs the session while the store is down: ``503``
    with ``Retry-After``, nothing that signs the user out."""
    headers = [("Retry-After", str(protocol.RETRY_AFTER)),
               ("Vary", ", ".join(consulted + ("Cookie",)))]
    error = protocol.STORE_UNAVAILABLE
    if kind == classify.NAVIGATION:
        title, detail = TITLES[error]
        body = _PAGE % {"title": title, "detail": detail, "link": ""}
        return answer("503 Service Unavailable", body.encode("utf-8"), protocol.HTML,
                      headers)
    return problem(503, error, headers=headers, retry_after=protocol.RETRY_AFTER)


def _status_line(code):
    return "%d %s" % (code, status_reasons.get(code) or "Session Expired")


def _json(document):
    return json.dumps(document, sort_keys=True).encode("utf-8")


def _quoted(value):
    """``value`` escaped for the inside of an HTTP quoted-string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _html_escape(value):
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def _attribute(value):
    """``value`` for a quoted HTML attribute, line breaks included: the HTML parser
    turns a raw CR LF into LF, a character reference survives as it is."""
    return (_html_escape(value).replace("'", "&#39;").replace("\r", "&#13;")
            .replace("\n", "&#10;"))
