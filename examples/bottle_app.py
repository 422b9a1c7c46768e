"""A Bottle 0.13 application behind SessionTimeoutMiddleware, in "the app decides" mode.

No ``protected_paths``: a view that needs a signed-in user calls ``abort(401)``, and the
middleware turns that 401 (it has no ``WWW-Authenticate``) into the right answer: a
redirect to ``/login?came_from=...`` for a page, a ``401`` JSON problem for a script.

``/dashboard`` makes jQuery-style AJAX calls (``X-Requested-With: XMLHttpRequest``, as
jQuery sends it) to ``/api/profile`` and ``/api/note``, and handles an expired session in
one place, as an ``ajaxError`` handler would: it shows why and sends the browser to the
``login_url`` from the answer. The views read and write Beaker's session through
``request.environ['beaker.session']``.

Run it::

    python examples/bottle_app.py [PORT]     # http://127.0.0.1:8080/

``DEMO_DATA_DIR``, ``DEMO_SECRET``, ``DEMO_CLOCK`` and ``DEMO_PORT`` work as for
``bare_wsgi.py``; the sessions default to ``data/bottle-sessions`` beside this file.
"""

from __future__ import print_function

import json
import os
import sys

import bottle
from bottle import abort, html_escape, redirect, request, response

from wsgi_session_timeout import SessionTimeoutMiddleware, login, logout

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = os.path.join(HERE, "data", "bottle-sessions")
DEMO_SECRET = "demo-only-secret-do-not-deploy-with-this-value"

OPTIONS = {
    "login_url": "/login",
    "idle_timeout": 30,
    "absolute_timeout": 300,
}

app = bottle.Bottle()


def session():
    """Beaker's session for this request (the middleware put it in the environ)."""
    return request.environ["beaker.session"]


def current_user():
    return session().get("user")


def require_user():
    """The signed-in user; a bare ``401`` otherwise, which the middleware answers for."""
    user = current_user()
    if user is None:
        abort(401, "Sign in first.")
    return user


@app.get("/")
def home():
    user = current_user()
    if user:
        body = ('<p>Signed in as <strong>%s</strong>. <a href="%s">Dashboard</a></p>'
                % (html_escape(user), _url("/dashboard")))
    else:
        body = '<p>Not signed in. <a href="%s">Sign in</a></p>' % _url("/login")
    return _page("Bottle demo", body)


@app.get("/login")
def login_form():
    return _login_form(_safe_came_from(request.query.getunicode("came_from")))


@app.post("/login")
def login_submit():
    name = (request.forms.getunicode("name") or "").strip()
    came_from = _safe_came_from(request.forms.getunicode("came_from"))
    if not name or len(name) > 100 or any(ord(c) < 32 for c in name):
        response.status = 400
        return _login_form(came_from, "Enter a name (up to 100 characters).")
    login(request.environ, name)
    redirect(came_from or _path("/dashboard"))


@app.post("/logout")
def logout_submit():
    logout(request.environ)
    redirect(_path("/"))


@app.get("/dashboard")
def dashboard():
    user = require_user()
    return _page("Dashboard", _DASHBOARD % {
        "user": html_escape(user),
        "profile": _script_string(_path("/api/profile")),
        "note": _script_string(_path("/api/note")),
        "logout": _url("/logout"),
    })


@app.get("/api/profile")
def profile():
    user = require_user()
    response.set_header("Cache-Control", "no-store")
    return {"user": user, "note": session().get("note")}


@app.post("/api/note")
def save_note():
    require_user()
    note = (request.forms.getunicode("note") or "")[:200]
    session()["note"] = note
    session().save()
    return {"saved": True, "note": note}


_DASHBOARD = """
<p>Hello, <strong>%(user)s</strong>.</p>
<p><button type="button" id="load">Load profile</button>
<input id="text" placeholder="a note"> <button type="button" id="save">Save note</button></p>
<pre id="out"></pre>
<form method="post" action="%(logout)s"><button type="submit">Sign out</button></form>
<script>
// $.ajax in a few lines: jQuery marks its requests with X-Requested-With.
function ajax(method, url, data, done) {
  var xhr = new XMLHttpRequest();
  xhr.open(method, url);
  xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  xhr.setRequestHeader("Accept", "application/json, text/javascript, */*; q=0.01");
  if (data) xhr.setRequestHeader("Content-Type", "application/x-www-form-urlencoded");
  xhr.onload = function () {
    if (xhr.status === 401) return ajaxError(xhr);
    done(JSON.parse(xhr.responseText), xhr);
  };
  xhr.send(data || null);
}
// One handler for every call, as $(document).ajaxError(...) would be.
function ajaxError(xhr) {
  var problem = JSON.parse(xhr.responseText);
  show(xhr.status + " " + problem.error + ": " + problem.detail + "\\nSigning in again...");
  setTimeout(function () { window.location = problem.login_url; }, 1500);
}
function show(text) { document.getElementById("out").textContent = text; }
document.getElementById("load").onclick = function () {
  ajax("GET", %(profile)s, null, function (data, xhr) {
    show(JSON.stringify(data) + "\\nSession-Expires-In: " +
         xhr.getResponseHeader("Session-Expires-In"));
  });
};
document.getElementById("save").onclick = function () {
  var note = "note=" + encodeURIComponent(document.getElementById("text").value);
  ajax("POST", %(note)s, note, function (data) { show(JSON.stringify(data)); });
};
</script>
"""


def _login_form(came_from, error=None):
    body = '<p role="alert">%s</p>' % html_escape(error) if error else ""
    body += (
        '<form method="post" action="%s"><label>Name <input name="name" autofocus></label>'
        '<input type="hidden" name="came_from" value="%s"><button type="submit">Sign in'
        '</button></form>') % (_url("/login"), html_escape(came_from or ""))
    return _page("Sign in", body)


def _page(title, body):
    response.set_header("Cache-Control", "no-store")
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title></head>'
            '<body><h1>%s</h1>%s</body></html>\n') % (
                html_escape(title), html_escape(title), body)


def _path(path):
    """``path`` under the app's mount point."""
    return request.script_name.rstrip("/") + path


def _url(path):
    """``path`` under the app's mount point, escaped for HTML."""
    return html_escape(_path(path))


def _script_string(text):
    """A JavaScript string literal for inline ``<script>``."""
    return json.dumps(text).replace("</", "<\\/")


def _safe_came_from(value):
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    return value


def make_app(data_dir=None, secret=None, **options):
    """The Bottle app inside the middleware, which runs Beaker with file sessions.

    :param data_dir: the sessions' directory. Default: ``DEMO_DATA_DIR``, else
        ``data/bottle-sessions`` beside this file.
    :param secret: Beaker's secret. Default: ``DEMO_SECRET``, else a demo value.
    :param options: middleware options over :data:`OPTIONS`; ``clock`` defaults to
        ``DEMO_CLOCK`` when that is set.
    """
    data_dir = data_dir or os.environ.get("DEMO_DATA_DIR") or DEFAULT_DATA_DIR
    config = {
        "beaker.session.type": "file",
        "beaker.session.data_dir": data_dir,
        "beaker.session.lock_dir": os.path.join(data_dir, "lock"),
        "beaker.session.secret": secret or os.environ.get("DEMO_SECRET") or DEMO_SECRET,
    }
    settings = dict(OPTIONS)
    if os.environ.get("DEMO_CLOCK"):
        settings["clock"] = os.environ["DEMO_CLOCK"]
    settings.update(options)
    return SessionTimeoutMiddleware(app, config, **settings)


application = make_app()


def main(argv=None):
    """Serve :data:`application` with wsgiref on 127.0.0.1 until interrupted."""
    from wsgiref.simple_server import make_server

    argv = sys.argv[1:] if argv is None else argv
    port = int(argv[0] if argv else os.environ.get("DEMO_PORT") or 8080)
    server = make_server("127.0.0.1", port, application)
    print("Bottle demo on http://127.0.0.1:%d/ (Ctrl-C stops it)" % server.server_port)
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
