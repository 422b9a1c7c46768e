"""The middleware's own endpoints, under ``endpoint_prefix`` (default ``/_session``):

- ``GET status``: is this browser signed in, and for how long (and, when it is not,
  the ``login_url``). Reading it is not activity: it never extends, writes or creates
  a session, so a page may poll it.
- ``POST extend``: counts as activity (never past the absolute timeout) and answers like
  ``status``. Only same-origin scripts may call it.
- ``GET client.js``: the client script, cacheable, with an ``ETag``.

Requests that carry ``X-Session-Passive: 1`` (background polls) are served as usual but
are not activity either.
"""

from . import client, protocol, responses
from .urls import same_origin_path

STATUS = protocol.STATUS
EXTEND = protocol.EXTEND
CLIENT = protocol.CLIENT

#: The methods each endpoint takes, matched exactly.
METHODS = {STATUS: ("GET", "HEAD"), EXTEND: ("POST",), CLIENT: ("GET", "HEAD")}

#: The environ key of the passive header.
PASSIVE_KEY = "HTTP_" + protocol.PASSIVE_HEADER.upper().replace("-", "_")


def route(path, prefix):
    """The endpoint ``path`` names under ``prefix``, or ``None``."""
    if prefix is None or not path.startswith(prefix + "/"):
        return None
    name = path[len(prefix) + 1:]
    return name if name in METHODS else None


def refuse_method(name, environ):
    """The ``405`` answer when ``environ``'s method is not one ``name`` takes, else
    ``None``."""
    allowed = METHODS[name]
    if environ.get("REQUEST_METHOD", "GET") in allowed:
        return None
    return responses.problem(405, "method_not_allowed", detail="%s takes %s." % (
        name, " or ".join(allowed)), headers=[("Allow", ", ".join(allowed))])


def is_passive(environ):
    """True when the request says it is a background poll, not the user's activity."""
    return environ.get(PASSIVE_KEY, "").strip().lower() in ("1", "true", "yes")


def status_document(verdict):
    """The JSON document ``status`` and ``extend`` answer with (with ``reason`` when a
    signed-in session ended: ``idle``, ``absolute``, ``revoked``, ``replaced``)."""
    document = {
        "authenticated": verdict.signed_in,
        "expires_in": verdict.expires_in,
        "idle_expires_in": verdict.idle_expires_in,
        "absolute_expires_in": verdict.absolute_expires_in,
    }
    if verdict.reason:
        document["reason"] = verdict.reason
    return document


def is_same_origin_script(environ):
    """True when a request may extend the session: sent by a script
    (``X-Requested-With``, which a cross-site form cannot send and a cross-origin script
    cannot send without the server's CORS consent) from this very origin
    (``Sec-Fetch-Site`` and ``Origin``, where the browser sends them)."""
    if environ.get("HTTP_X_REQUESTED_WITH", "").lower() != "xmlhttprequest":
        return False
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site.strip().lower() != "same-origin":
        return False
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and same_origin_path(origin.strip() + "/", environ) is None:
        return False
    return True


def cross_site():
    """The ``403`` answer to an ``extend`` that is not from a same-origin script."""
    return responses.problem(
        403, "cross_site_request",
        detail="extend takes same-origin requests with X-Requested-With.")


def client_script(environ):
    """The client script (:func:`client.answer`), honouring ``If-None-Match``."""
    status, headers, body = client.answer(environ)
    return responses.Response(status=status, headerlist=list(headers), body=body)
