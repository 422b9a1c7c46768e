"""The application the backend tests run, in process and under gunicorn: plain WSGI,
Beaker's session from the environ, ``login``/``logout`` from the middleware.

Routes: ``POST /login`` (signs ``alice`` in; ``?remember`` with a 30-day absolute
timeout), ``POST /logout``, ``/pre`` (stores something before sign-in, so the session
has an id), ``/put?VALUE`` (stores ``cart``), ``/page`` (a public page that reads the
session), ``/api/me`` (JSON: user, cart; the tests guard ``/api``), ``/api/sessions``
(JSON: the user's sessions) and ``POST /api/end-others`` ("sign out other devices").
Every answer names the worker process in ``X-Worker``.
"""

import json
import os

from wsgi_session_timeout import end_sessions, login, logout, sessions

REMEMBER = 30 * 24 * 3600


def app(environ, start_response):
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    session = environ["beaker.session"]
    content_type = "text/plain; charset=utf-8"
    if path == "/login" and method == "POST":
        remember = environ.get("QUERY_STRING") == "remember"
        login(environ, "alice", absolute_timeout=REMEMBER if remember else None)
        body = "signed in"
    elif path == "/logout" and method == "POST":
        logout(environ)
        body = "signed out"
    elif path == "/pre":
        session["pre"] = "before sign-in"
        session.save()
        body = "stored"
    elif path == "/put":
        session["cart"] = environ.get("QUERY_STRING", "")
        session.save()
        body = "put"
    elif path == "/api/sessions":
        content_type = "application/json"
        body = json.dumps([dict(s._asdict()) for s in sessions(environ)])
    elif path == "/api/end-others" and method == "POST":
        content_type = "application/json"
        body = json.dumps({"ended": end_sessions(environ, keep_current=True)})
    elif path == "/api/me":
        content_type = "application/json"
        body = json.dumps({"user": session.get("user"), "cart": session.get("cart")})
    else:
        body = "page %s user=%s" % (path, session.get("user"))
    data = body.encode("utf-8")
    start_response("200 OK", [("Content-Type", content_type),
                              ("Content-Length", str(len(data))),
                              ("X-Worker", str(os.getpid()))])
    return [data]


def app_factory(global_conf, **local_conf):
    """``paste.app_factory`` for ``hosts.ini``."""
    return app
