"""A bare WSGI application whose users sign in through repoze.who 1.0 (the redirecting
form plugin, an htpasswd file) and are kept in Beaker's session by the
repoze.who-use_beaker identifier, wired as that plugin's README shows: repoze.who
inside, the session middleware outside it.

The one line that differs from a Beaker deployment is marked below.
"""

import json
import os

from repoze.who.config import make_middleware_with_config
from webob import Request, Response
from webob.exc import HTTPUnauthorized

from wsgi_session_timeout import SessionTimeoutMiddleware

HERE = os.path.dirname(os.path.abspath(__file__))

LOGIN_FORM = """<!DOCTYPE html><html><body><p>Please sign in</p>
<form method="post" action="/login_handler" id="login">
<input type="hidden" name="came_from" value="%s">
<input name="login"> <input type="password" name="password"> <button>Sign in</button>
</form></body></html>"""


def pages(environ, start_response):
    request = Request(environ)
    user = environ.get("REMOTE_USER")
    if request.path == "/login":
        response = Response(LOGIN_FORM % request.GET.get("came_from", "/account"))
    elif request.path.startswith(("/account", "/api/")):
        if user is None:
            response = HTTPUnauthorized()  # repoze.who's challenger sends it to /login
        elif request.path.startswith("/api/"):
            response = Response(json.dumps({"user": user, "orders": []}),
                                content_type="application/json", charset=None)
        else:
            response = Response("Welcome %s" % user)
    else:
        response = Response("Home; signed in as %s" % user)
    return response(environ, start_response)


def make_app(config, delete_on_logout=False):
    """The whole stack, as a deployment's factory would build it."""
    who_ini = "who-delete.ini" if delete_on_logout else "who.ini"
    app = make_middleware_with_config(pages, {"here": HERE}, os.path.join(HERE, who_ini))
    app = SessionTimeoutMiddleware(app, config)  # was: SessionMiddleware(app, config)
    return app
