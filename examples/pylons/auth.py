"""Sign-in, sign-out and a few signed-in pages for a Pylons 1.0 project that runs
``SessionTimeoutMiddleware`` in place of Beaker's ``SessionMiddleware``.

Copy this file to ``<yourproject>/controllers/auth.py`` and connect its routes in
``config/routing.py``, under ``# CUSTOM ROUTES HERE``::

    from ..controllers.auth import connect_routes
    connect_routes(map)

tests/pylons copies this very file into a freshly generated project, so what you read
here is what the tests run.
"""
from markupsafe import escape
from pylons import request, session
from pylons.controllers.util import abort, redirect
from pylons.decorators import jsonify

from wsgi_session_timeout import login, logout

from ..lib.base import BaseController

HOME = "/account"

FORM = u"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Sign in</title></head>
<body><h1>Sign in</h1>
<form method="post" action="/login">
<input type="hidden" name="came_from" value="%(came_from)s">
<label>Name <input name="name" autofocus></label>
<button>Sign in</button>
</form></body></html>
"""


def connect_routes(map):
    """Add this controller's routes to a Routes ``Mapper``."""
    map.connect("/login", controller="auth", action="login_form",
                conditions=dict(method=["GET", "HEAD"]))
    map.connect("/login", controller="auth", action="sign_in",
                conditions=dict(method=["POST"]))
    map.connect("/logout", controller="auth", action="sign_out",
                conditions=dict(method=["POST"]))
    map.connect("/account", controller="auth", action="account")
    map.connect("/account/data", controller="auth", action="data")
    map.connect("/prefs", controller="auth", action="prefs")
    map.connect("/report", controller="auth", action="report")


def _local_path(value):
    """``value`` when it is a path on this site, else the home page. The middleware
    already drops unsafe ``came_from`` values from the login page's query string; the
    form post is checked here."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME


class AuthController(BaseController):
    """``/login``, ``/logout`` and pages that need a signed-in session."""

    def login_form(self):
        """GET /login: where the middleware sends a navigation that needs a sign-in."""
        return FORM % {"came_from": escape(request.GET.get("came_from", ""))}

    def sign_in(self):
        """POST /login: a real app checks a password here. ``login()`` moves the
        session to a new id (pre-sign-in data kept) and starts the timeout clocks."""
        name = request.POST.get("name", "").strip()
        if not name:
            abort(400, "a name is required")
        login(request.environ, name)
        redirect(_local_path(request.POST.get("came_from")), code=303)

    def sign_out(self):
        """POST /logout: the session's record is removed and its cookie dropped."""
        logout(request.environ)
        redirect("/login", code=303)

    def account(self):
        """GET /account: inside ``session_timeout.protected_paths``, so the middleware
        answers for it when there is no signed-in session; the controller only ever
        sees signed-in users. It writes to the session like any Pylons controller."""
        session["visits"] = session.get("visits", 0) + 1
        session.save()
        return u"Hello %s, visit %d (theme: %s)" % (
            escape(session["user"]), session["visits"], escape(session.get("theme", "-")))

    @jsonify
    def data(self):
        """GET /account/data: the JSON action a page's scripts call."""
        return {"user": session["user"], "visits": session.get("visits", 0),
                "theme": session.get("theme")}

    def prefs(self):
        """GET /prefs?theme=...: public; writes the session before anyone signs in."""
        theme = request.GET.get("theme")
        if theme:
            session["theme"] = theme
            session.save()
        return u"theme: %s" % escape(session.get("theme", "-"))

    def report(self):
        """GET /report: outside the protected paths, so the app decides. A plain
        ``abort(401)`` is turned by the middleware into a redirect to the login page
        for a browser, or a 401 problem+json for a script."""
        if session.get("user") is None:
            abort(401)
        return u"Report for %s" % escape(session["user"])
