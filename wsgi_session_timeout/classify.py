"""Who is asking: decide, from request headers alone, what kind of client sent a request.

The answer picks the shape of an expiry response: a browser navigation can follow a
redirect to the login page, while a script (XHR, ``fetch``, htmx, an API client) must get
a status it can see, because browsers follow redirects for scripts silently.
"""

NAVIGATION = "navigation"
XHR = "xhr"
FETCH = "fetch"
HTMX = "htmx"
API = "api"

_FETCH_MODES = frozenset(["cors", "same-origin", "no-cors"])


def classify(environ):
    """Return ``(kind, consulted)`` for a WSGI environ.

    ``kind`` is one of :data:`NAVIGATION`, :data:`XHR`, :data:`FETCH`, :data:`HTMX` or
    :data:`API`. ``consulted`` is the tuple of header names the decision read, in the
    order read, for a ``Vary`` header: a cache must not hand one kind's answer to another.

    ``Sec-Fetch-Mode: navigate`` is checked first because scripts cannot set it.
    """
    get = environ.get
    mode = get("HTTP_SEC_FETCH_MODE", "").strip().lower()
    if mode == "navigate":
        return NAVIGATION, ("Sec-Fetch-Mode",)
    consulted = ("Sec-Fetch-Mode", "HX-Request")
    if get("HTTP_HX_REQUEST", "").strip().lower() == "true":
        return HTMX, consulted
    consulted += ("X-Requested-With",)
    if get("HTTP_X_REQUESTED_WITH", "").strip().lower() == "xmlhttprequest":
        return XHR, consulted
    if mode in _FETCH_MODES:
        consulted += ("Sec-Fetch-Dest",)
        if get("HTTP_SEC_FETCH_DEST", "").strip().lower() == "empty":
            return FETCH, consulted
    consulted += ("Accept",)
    if prefers_json(get("HTTP_ACCEPT", "")):
        return API, consulted
    return NAVIGATION, consulted


def prefers_json(accept):
    """True when an ``Accept`` header ranks JSON above HTML.

    A tie in quality goes to the more specific match, so ``application/json, */*`` (axios,
    many API clients) prefers JSON and ``*/*`` or no header at all prefers HTML. Malformed
    parts are skipped; this never raises.
    """
    html = _quality(accept, _is_html)
    json = _quality(accept, _is_json)
    return json > html


def _is_html(media):
    return media in ("text/html", "application/xhtml+xml")


def _is_json(media):
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json"))


def _quality(accept, matches):
    """(q, specificity) of the best range in ``accept`` that covers a matching type."""
    best = (0.0, 0)
    for part in accept.split(","):
        fields = part.split(";")
        media = fields[0].strip().lower()
        if matches(media):
            specificity = 3
        elif "/" in media and media.endswith("/*") and _covers(media, matches):
            specificity = 2
        elif media == "*/*":
            specificity = 1
        else:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0:  # also rejects nan
                    q = 0.0
        if q > 0 and (q, specificity) > best:
            best = (q, specificity)
    return best


def _covers(range_, matches):
    """True when a ``type/*`` range covers a media type that ``matches`` accepts."""
    major = range_[:-2]
    return major in ("text", "application") and (
        matches(major + "/html") or matches(major + "/json") or
        (major == "application" and matches("application/xhtml+xml")))
