"""What to do with a request: one pure decision, from plain facts to an action.

:func:`decide` is asked before the app runs (``status`` is ``None``) and again when the
app starts its response (``status`` is the app's). It reads nothing but its arguments,
so every rule can be tested without WSGI.
"""

import re

from ._compat import string_types
from .classify import NAVIGATION

#: Actions.
PASS = "pass"  # hand the request to the app, or the app's answer to the client
SIGN_IN = "sign_in"  # answer "session expired" / "sign in required" in the client's shape
UNAVAILABLE = "unavailable"  # answer 503: the session store is down

#: How the path policy sees a path.
GUARDED = "guarded"  # the middleware itself requires a signed-in session
OPEN = "open"  # the app decides; its "sign in" answers are made usable for scripts
EXEMPT = "exempt"  # the login page and public paths: never intercepted


def decide(path, verdict, outage=False, preflight=False, kind=None, status=None,
           challenged=False, to_login=False, failing=False):
    """The action for a request.

    :param path: :data:`GUARDED`, :data:`OPEN` or :data:`EXEMPT` (:class:`Paths`).
    :param verdict: the session's :class:`~wsgi_session_timeout.expiry.Verdict`.
    :param outage: the session store failed during this request.
    :param preflight: a CORS preflight (browsers send no cookies on one).
    :param kind: who is asking (:mod:`classify`); needed only to judge an app's redirect.
    :param status: the app's status line, or ``None`` before the app runs.
    :param challenged: the app's answer carries ``WWW-Authenticate``.
    :param to_login: the app's answer redirects to the login page.
    :param failing: the app passed ``exc_info``: its error page is never replaced.
    """
    if preflight:
        return PASS
    if status is None:
        if path == GUARDED:
            if outage:
                return UNAVAILABLE
            if not verdict.signed_in:
                return SIGN_IN
        return PASS
    if outage and status[:1] == "5":
        # The app failed because the store is down: say so, and when to retry.
        return UNAVAILABLE
    if path == EXEMPT or verdict.signed_in or failing:
        return PASS
    code = status[:3]
    if code == "401" and not challenged:
        # The app says "sign in" in a way scripts cannot act on.
        return SIGN_IN
    if to_login and code in _REDIRECTS and kind != NAVIGATION:
        # A script would follow the redirect silently and get the login page's HTML.
        return SIGN_IN
    return PASS


_REDIRECTS = frozenset(["301", "302", "303", "307", "308"])


def is_preflight(environ):
    """True for a CORS preflight: ``OPTIONS`` with ``Access-Control-Request-Method``."""
    return (environ.get("REQUEST_METHOD") == "OPTIONS" and
            "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ)


class Paths(object):
    """The path policy, decided once at start-up: which paths the middleware guards
    itself and which it never touches.

    ``protected`` and ``public`` entries are a prefix (``/account`` covers
    ``/account`` and ``/account/...``), an exact path (``=/``) or a regular expression
    (``~^/api/v[0-9]+/``, or a compiled pattern), matched against ``PATH_INFO``.
    ``protected=None`` guards nothing: the app decides.
    """

    def __init__(self, protected, public, login_path):
        self.login_path = login_path
        self.protected = _Matcher(protected) if protected is not None else None
        self.public = _Matcher(public or ())

    def of(self, path):
        """:data:`GUARDED`, :data:`OPEN` or :data:`EXEMPT` for ``path``."""
        if path == self.login_path or self.public.matches(path):
            return EXEMPT
        if self.protected is not None and self.protected.matches(path):
            return GUARDED
        return OPEN


class _Matcher(object):
    def __init__(self, entries):
        prefixes, self.exact, self.patterns = [], set(), []
        for entry in entries:
            if not isinstance(entry, string_types):
                self.patterns.append(entry)
            elif entry.startswith("="):
                self.exact.add(entry[1:])
            elif entry.startswith("~"):
                self.patterns.append(re.compile(entry[1:]))
            else:
                self.exact.add(entry)
                prefixes.append(entry if entry.endswith("/") else entry + "/")
        self.prefixes = tuple(prefixes)

    def matches(self, path):
        if path in self.exact or (self.prefixes and path.startswith(self.prefixes)):
            return True
        for pattern in self.patterns:
            if pattern.search(path):
                return True
        return False
