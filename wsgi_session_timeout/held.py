"""Forms posted into an ended session: which are kept, what is kept, and when they are
offered back.

A page that does not know its session has ended (no client script, or the session ended
in a way the page could not see) posts its form into the ended session; the answer is
a redirect to the login page, and the typed text would be lost. As Shibboleth's service
provider does with its POST data preservation, the middleware keeps the submitted
fields in the session store, tied to the browser (a random token in an ``HttpOnly``
cookie) and to the user who was signed in, for a short time. When that same user has
signed in again, the next page the browser opens shows the form with what will be sent,
and one button sends it to its original action.

Kept: a same-origin navigation ``POST`` (urlencoded, or multipart without files) of at
most ``held_form_max_bytes`` (``Content-Length`` is checked before anything is read),
into a session that was signed in and has ended. Never kept: file uploads, larger or
unsized bodies, cross-site posts, posts that were never signed in (there is no user to
tie them to), and anything on a cookie session (there is no server-side store).

Everything here is a plain function of the request's environ and plain data; the store
work is :mod:`store`'s, the page :mod:`responses`'.
"""

import binascii
import os
import re

from webob import Request

from . import classify, protocol
from ._compat import text_type
from .urls import request_path, same_origin_path

#: The form encodings that can be kept and sent again by a plain HTML form.
URLENCODED = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"

#: Why a form is not kept (:func:`refusal`).
NOT_A_POST = "not_a_post"
CROSS_SITE = "cross_site"
NOT_A_FORM = "not_a_form"
NO_LENGTH = "no_length"
TOO_LARGE = "too_large"

_TOKEN = re.compile(r"^[0-9a-f]{32}$")

#: Field names that look secret: shown on the confirm page by name only. Whole words of
#: the name (split at punctuation and camelCase), or these anywhere in it.
SECRET_WORDS = frozenset([
    "pass", "passwd", "password", "passphrase", "pwd", "pw", "pin", "otp", "totp", "mfa",
    "token", "csrf", "xsrf", "secret", "key", "apikey", "auth", "card", "cc", "ccnum",
    "cvv", "cvc", "cvn", "iban", "ssn", "nonce", "signature", "sig", "credential",
    "credentials", "session", "sessionid", "authenticity"])
SECRET_PARTS = ("password", "passwd", "secret", "token", "csrf", "xsrf", "apikey",
                "cardnumber", "creditcard")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


def cookie_name(session_key):
    """The held-form cookie's name for a session cookie named ``session_key``."""
    return session_key + protocol.HELD_COOKIE_SUFFIX


def new_token():
    """A random token naming one kept form (128 bits from the OS)."""
    token = binascii.hexlify(os.urandom(16))
    return token if str is bytes else token.decode("ascii")


def token_from(header, name):
    """The well-formed token of the cookie ``name`` in a ``Cookie`` header, or ``None``.
    Anything else is ignored: the token names a record in the store, so only 32 hex
    digits are ever used as one."""
    if not header or name not in header:
        return None
    prefix = name + "="
    for part in header.split(";"):
        part = part.strip()
        if part.startswith(prefix):
            value = part[len(prefix):].strip('"')
            if _TOKEN.match(value):
                return value
    return None


def is_same_origin(environ):
    """True when a form post comes from a page of this very origin: ``Sec-Fetch-Site``
    says ``same-origin`` where the browser sends it, ``Origin`` (sent with every form
    post by current browsers) names this origin, and without ``Origin`` a ``Referer``
    must. A post that carries none of them is refused."""
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site.strip().lower() != "same-origin":
        return False
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None:
        return same_origin_path(origin.strip() + "/", environ) is not None
    return same_origin_path(environ.get("HTTP_REFERER"), environ) is not None


def refusal(environ, max_bytes):
    """Why the request's form cannot be kept, or ``None`` when it can be read and kept:
    a navigation ``POST`` from this origin, urlencoded or multipart, with a
    ``Content-Length`` of at most ``max_bytes``."""
    if environ.get("REQUEST_METHOD") != "POST":
        return NOT_A_POST
    if not is_same_origin(environ):
        return CROSS_SITE
    media = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if media not in (URLENCODED, MULTIPART):
        return NOT_A_FORM
    length = environ.get("CONTENT_LENGTH", "").strip()
    if not length.isdigit() or environ.get("HTTP_TRANSFER_ENCODING"):
        return NO_LENGTH
    if int(length) > max_bytes:
        return TOO_LARGE
    return None


def keep_readable(environ):
    """Make the body of a form that may be kept readable again after the app has read
    it (the app may read it before it redirects to its login page): WebOb's
    ``make_body_seekable``, which reads at most ``Content-Length`` bytes, bounded by
    :func:`refusal`, and hands the app the same bytes."""
    Request(environ).make_body_seekable()


def read_fields(environ):
    """The form's fields as ``[(name, value), ...]`` (text, in order), or ``None`` when
    the form holds a file or cannot be parsed. Reads at most ``Content-Length`` bytes
    (WebOb's own limit), which :func:`refusal` has bounded."""
    try:
        post = Request(environ).POST
        fields = []
        for name, value in post.items():
            if hasattr(value, "filename") or not isinstance(value, text_type):
                return None  # a file upload: never kept
            fields.append((name, value))
    except Exception:  # a body WebOb cannot parse is simply not kept
        return None
    return fields


def record(user, fields, environ, now, ttl):
    """What is kept for one form: who posted it, until when, where it goes, how it is
    encoded, its fields, and the page it was posted from (for "discard")."""
    media = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    return {
        "user": user,
        "expires_at": now + ttl,
        "action": request_path(environ),
        "enctype": MULTIPART if media == MULTIPART else URLENCODED,
        "fields": list(fields),
        "back": same_origin_path(environ.get("HTTP_REFERER"), environ),
    }


def is_current(held, user, now):
    """True when ``held`` may be offered to ``user`` at ``now``: the same user who was
    signed in when it was posted, within its time."""
    return (isinstance(held, dict) and held.get("user") is not None and
            held.get("user") == user and now < held.get("expires_at", 0))


def wants_offer(environ):
    """True for a request the confirm page may answer: a top-level page load (a ``GET``
    navigation, not a frame, an image or a script's request)."""
    if environ.get("REQUEST_METHOD") != "GET":
        return False
    dest = environ.get("HTTP_SEC_FETCH_DEST")
    if dest is not None and dest.strip().lower() != "document":
        return False
    return classify.classify(environ)[0] == classify.NAVIGATION


def is_secret(name):
    """True when a field's name looks like it holds a secret (a password, a token, a
    card number): the confirm page shows its name, never its value."""
    lowered = name.lower()
    if any(part in lowered for part in SECRET_PARTS):
        return True
    return any(word.lower() in SECRET_WORDS for word in _WORDS.findall(name))
