"""The README's demo: a bare WSGI application (WebOb only) behind SessionTimeoutMiddleware.

Pages: ``/`` (home), ``/login`` (a sign-in form; any name will do), ``/logout``,
``/account`` (protected), ``/ajax`` (one button calls the protected JSON endpoint
``/api/whoami`` with XMLHttpRequest and shows what came back; one link opens the
protected page) and ``/api/whoami``. The timeouts are short (30 s idle, 300 s absolute)
so expiry can be seen within a minute.

Run it::

    python examples/bare_wsgi.py [PORT]      # or: make demo

It serves http://127.0.0.1:8080/ with wsgiref. The environment can change:

``DEMO_PORT``
    the port (the first argument wins). Default 8080.
``DEMO_DATA_DIR``
    where the file sessions live. Default ``data/sessions`` beside this file.
``DEMO_SECRET``
    Beaker's signing secret. Default: a fixed demo value; never deploy with it.
``DEMO_CLOCK``
    the middleware's clock as ``package.module:name``: a callable returning seconds
    since the epoch (the tests name one they move). Default ``time.time``.

``application`` is the wrapped app (for a WSGI server: ``bare_wsgi:application``),
``make_app(**overrides)`` builds another one, and ``app_factory`` is a PasteDeploy
``paste.app_factory`` for the unwrapped app (see ``paste.ini``).
"""

from __future__ import print_function

import json
import os
import re
import sys
import time

from webob import Request, Response

from wsgi_session_timeout import SessionTimeoutMiddleware, login, logout

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA_DIR = os.path.join(HERE, "data", "sessions")
DEMO_SECRET = "demo-only-secret-do-not-deploy-with-this-value"

#: The middleware's options for the demo: short timeouts, and the two protected areas.
OPTIONS = {
    "login_url": "/login",
    "idle_timeout": 30,
    "absolute_timeout": 300,
    "protected_paths": ("/account", "/api"),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def demo_app(environ, start_response):
    """The application itself, unwrapped: it routes on ``PATH_INFO`` and reads the
    signed-in user from Beaker's session, where :func:`login` put it."""
    req = Request(environ)
    handler = _ROUTES.get(req.path_info)
    if handler is None:
        response = _page(req, "Not found", "<p>Nothing here.</p>", status=404)
    else:
        response = handler(req)
    return response(environ, start_response)


# -- pages -----------------------------------------------------------------------------

def home(req):
    user = _user(req)
    if user:
        who = "<p>Signed in as <strong>%s</strong>.</p>" % _escape(user)
    else:
        who = '<p>Not signed in. <a href="%s">Sign in</a>.</p>' % _url(req, "/login")
    body = who + (
        "<p>Sessions end after %(idle)s s without a request, and %(absolute)s s after "
        "signing in whatever happens.</p>"
        '<ul><li><a href="%(account)s">Your account</a> (protected)</li>'
        '<li><a href="%(ajax)s">XHR demo</a></li></ul>') % {
            "idle": OPTIONS["idle_timeout"], "absolute": OPTIONS["absolute_timeout"],
            "account": _url(req, "/account"), "ajax": _url(req, "/ajax")}
    return _page(req, "Session timeout demo", body)


def login_page(req):
    if req.method == "POST":
        name = req.POST.get("name", "").strip()
        came_from = _safe_came_from(req.POST.get("came_from"))
        if not name or _CONTROL.search(name) or len(name) > 100:
            return _login_form(req, came_from, "Enter a name (up to 100 characters).", 400)
        login(req.environ, name)
        return _redirect(came_from or req.script_name + "/account")
    came_from = _safe_came_from(req.GET.get("came_from"))
    return _login_form(req, came_from)


def logout_page(req):
    if req.method == "POST":
        logout(req.environ)
        return _redirect(req.script_name + "/")
    # Signing out changes state, so it takes a POST: a link or a prefetch cannot do it.
    return _page(req, "Sign out", _logout_form(req))


def account(req):
    body = ("<p>Hello, <strong>%s</strong>. This page is protected: after %s s without "
            "a request, reloading it sends you to the sign-in page, which brings you "
            'back here.</p><p><a href="%s">XHR demo</a></p>') % (
                _escape(_user(req) or ""), OPTIONS["idle_timeout"], _url(req, "/ajax"))
    if req.method == "POST":
        body += '<p id="saved">Note saved: <q>%s</q></p>' % _escape(req.POST.get("note", ""))
    body += _NOTE_FORM % _url(req, "/account")
    return _page(req, "Your account", body)


# A form on a page without the client script: typed, left until the session ends, then
# saved, it is kept by the middleware and offered back after signing in again.
_NOTE_FORM = (
    '<form method="post" action="%s"><p><label>A note<br>'
    '<textarea name="note" rows="4" cols="50"></textarea></label></p>'
    '<p><button type="submit">Save the note</button> (type one, wait for the session to '
    'end, then save it)</p></form>')


def ajax(req):
    body = _AJAX % {
        "account": _url(req, "/account"),
        "api": _script_string(req.script_name + "/api/whoami"),
    }
    return _page(req, "XHR demo", body)


def whoami(req):
    response = Response(content_type="application/json", charset=None)
    response.cache_control = "no-store"
    response.body = json.dumps({"user": _user(req), "time": int(time.time())},
                               sort_keys=True).encode("ascii")
    return response


_ROUTES = {
    "/": home,
    "/login": login_page,
    "/logout": logout_page,
    "/account": account,
    "/ajax": ajax,
    "/api/whoami": whoami,
}

_AJAX = """
<p><button type="button" id="call">Call /api/whoami with XMLHttpRequest</button>
<a href="%(account)s">Open /account (a plain link)</a></p>
<pre id="out">Press the button.</pre>
<script>
document.getElementById("call").onclick = function () {
  var out = document.getElementById("out");
  var xhr = new XMLHttpRequest();
  xhr.open("GET", %(api)s);
  xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
  xhr.setRequestHeader("Accept", "application/json");
  xhr.onload = function () {
    var body = xhr.responseText;
    try { body = JSON.stringify(JSON.parse(body), null, 2); } catch (e) {}
    out.textContent = xhr.status + " " + xhr.statusText + "\\n" +
      "Session-Expires-In: " + (xhr.getResponseHeader("Session-Expires-In") || "-") +
      "\\n\\n" + body;
    if (xhr.status === 401) {
      var problem = JSON.parse(xhr.responseText);
      var link = document.createElement("a");
      link.href = problem.login_url;
      link.textContent = "\\n\\n" + problem.error + ": sign in again";
      out.appendChild(link);
    }
  };
  xhr.onerror = function () { out.textContent = "network error"; };
  xhr.send();
};
</script>
"""


# -- helpers ---------------------------------------------------------------------------

def _user(req):
    return req.environ["beaker.session"].get("user")


def _url(req, path):
    """``path`` under the app's mount point (``SCRIPT_NAME``), escaped for HTML."""
    return _escape(req.script_name + path)


def _safe_came_from(value):
    """``value`` when it is a path on this site, else ``None``. The middleware already
    drops an unsafe ``came_from`` from the login page's query string; a form field is the
    app's own to check."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if _CONTROL.search(value) or len(value) > 2048:
        return None
    return value


def _login_form(req, came_from, error=None, status=200):
    body = ""
    if error:
        body += '<p role="alert">%s</p>' % _escape(error)
    if came_from:
        body += "<p>Sign in to continue to <code>%s</code>.</p>" % _escape(came_from)
    body += (
        '<form method="post" action="%s"><label>Name <input name="name" autofocus>'
        '</label><input type="hidden" name="came_from" value="%s">'
        '<button type="submit">Sign in</button></form>') % (
            _url(req, "/login"), _escape(came_from or ""))
    return _page(req, "Sign in", body, status=status)


def _logout_form(req):
    return ('<form method="post" action="%s" class="inline">'
            '<button type="submit">Sign out</button></form>') % _url(req, "/logout")


def _page(req, title, body, status=200):
    user = _user(req)
    nav = '<a href="%s">Home</a> ' % _url(req, "/")
    nav += _logout_form(req) if user else '<a href="%s">Sign in</a>' % _url(req, "/login")
    html = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title>'
        "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
        "form.inline{display:inline}"
        "pre{background:#eee;padding:1em;white-space:pre-wrap}</style></head>"
        "<body><nav>%s</nav><h1>%s</h1>%s</body></html>\n") % (
            _escape(title), nav, _escape(title), body)
    response = Response(status=status, content_type="text/html", charset="utf-8")
    # Pages show who is signed in: no cache may keep them.
    response.cache_control = "no-store"
    response.body = html.encode("utf-8")
    return response


def _redirect(location):
    return Response(status=303, location=location)


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def _script_string(text):
    """A JavaScript string literal for inline ``<script>``."""
    return json.dumps(text).replace("</", "<\\/")


# -- wiring ----------------------------------------------------------------------------

def make_app(data_dir=None, secret=None, **options):
    """The demo app inside the middleware, which runs Beaker with file sessions.

    :param data_dir: the sessions' directory. Default: ``DEMO_DATA_DIR`` from the
        environment, else ``data/sessions`` beside this file.
    :param secret: Beaker's secret. Default: ``DEMO_SECRET``, else a demo value.
    :param options: middleware options over :data:`OPTIONS` (``idle_timeout``,
        ``clock``, ...). ``clock`` defaults to ``DEMO_CLOCK`` when that is set.
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
    return SessionTimeoutMiddleware(demo_app, config, **settings)


def app_factory(global_conf, **local_conf):
    """``paste.app_factory``: the demo app, unwrapped (the ini adds the middleware)."""
    if local_conf:
        raise ValueError("Unknown option %r: the demo app takes no options"
                         % sorted(local_conf)[0])
    return demo_app


application = make_app()


def main(argv=None):
    """Serve :data:`application` with wsgiref on 127.0.0.1 until interrupted."""
    from wsgiref.simple_server import make_server

    argv = sys.argv[1:] if argv is None else argv
    port = int(argv[0] if argv else os.environ.get("DEMO_PORT") or 8080)
    server = make_server("127.0.0.1", port, application)
    print("Session timeout demo on http://127.0.0.1:%d/ (idle timeout %d s, absolute "
          "%d s; sessions in %s). Ctrl-C stops it." % (
              server.server_port, OPTIONS["idle_timeout"], OPTIONS["absolute_timeout"],
              os.environ.get("DEMO_DATA_DIR") or DEFAULT_DATA_DIR))
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
