"""The application the browser tests drive, and the real WSGI server it runs in.

A small WebOb app behind the real middleware (real Beaker, memory backend), mounted five
times: with different ``xhr_status`` (the default ``401``, ``419``, and ``200`` with the
``{"success": false}`` envelope), under ``/portal`` with its endpoints moved
(``endpoint_prefix = /auth/session-api``), and under ``/single`` with one session per
user (``max_sessions = 1``). Pages come from ``pages/*.html``; the AJAX
libraries are served from ``node_modules`` (``scripts/setup-browser`` installs them), never
a CDN.

Routes, under each mount:

- ``/login`` (GET form, POST signs in any name and goes to ``came_from``), ``/logout``
- ``/app/<page>``: ``pages/<page>.html``, protected. Query parameters become ``data-``
  attributes of the client script's tag (``?mode=dialog`` -> ``data-mode="dialog"``).
- ``/app/submitted``: a form's target, protected; shows what it received (a ``GET``:
  "Nothing saved").
- ``/app/plain-form``: a form page without the client script (a legacy page).
- ``/api/echo``: JSON ``{user, method, msg, lib}``, protected.
- ``/api/fragment``: an HTML fragment for htmx, protected.
- ``/api/end-others`` (POST): "sign out other devices", protected.
- ``/static/<package>/<file>``: from ``node_modules``, public.
"""

import json
import mimetypes
import os
import re
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

try:
    from socketserver import ThreadingMixIn
except ImportError:  # pragma: no cover (Python 2 never collects these tests)
    from SocketServer import ThreadingMixIn

from webob import Request, Response

from wsgi_session_timeout import SessionTimeoutMiddleware, end_sessions, login, logout
from wsgi_session_timeout.protocol import CLIENT, DEFAULT_ENDPOINT_PREFIX
from wsgi_session_timeout.testing import ManualClock

HERE = os.path.dirname(os.path.abspath(__file__))
PAGES = os.path.join(HERE, "pages")
NODE_MODULES = os.path.join(HERE, "node_modules")

IDLE_TIMEOUT = 600

#: (mount, xhr_status): the same app under four middlewares.
MOUNTS = (("", 401), ("/s419", 419), ("/envelope", 200), ("/portal", 401), ("/single", 401))

#: The mounts whose endpoints are not under the default prefix.
PREFIXES = {"/portal": "/auth/session-api"}

#: Options of the mounts that have more than the others.
OPTIONS = {"/single": {"max_sessions": 1}}


def endpoint_prefix(mount):
    """The ``endpoint_prefix`` of the middleware at ``mount``."""
    return PREFIXES.get(mount, DEFAULT_ENDPOINT_PREFIX)


def client_src(mount):
    """The client script's URL under ``mount``."""
    return mount + endpoint_prefix(mount) + "/" + CLIENT


_ATTRIBUTE = re.compile(r"^[a-z][a-z-]*$")


def _escape(text):
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&#x27;"))


def _user(req):
    return req.environ["beaker.session"].get("user")


def _safe_came_from(value):
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def _html(body, status=200):
    response = Response(status=status, content_type="text/html", charset="utf-8")
    response.cache_control = "no-store"
    response.body = body.encode("utf-8")
    return response


LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<link rel="icon" href="data:,">
<script src="%(client)s"></script>
<style>
  body { font: 16px/1.5 "DejaVu Sans", sans-serif; margin: 0; padding: 1.5rem;
         color: #1f2937; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
  label { display: block; margin: 0 0 .75rem; }
  input { display: block; width: 100%%; box-sizing: border-box; padding: .4rem; font: inherit;
          border: 1px solid #94a3b8; border-radius: .25rem; }
  button { font: inherit; padding: .45rem 1.2rem; background: #1d4ed8; color: #fff;
           border: 0; border-radius: .25rem; }
</style></head>
<body><h1>Sign in to Example Shop</h1>%(notice)s
<form method="post" action="%(action)s">
<label>Name <input name="name" autocomplete="username" autofocus required></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label>
<input type="hidden" name="came_from" value="%(came_from)s">
<button type="submit">Sign in</button>
</form></body></html>
"""


def login_page(req):
    if req.method == "POST":
        name = req.POST.get("name", "").strip()
        came_from = _safe_came_from(req.POST.get("came_from"))
        if name:
            login(req.environ, name)
            return Response(status=303, location=came_from or req.script_name + "/app/orders")
    else:
        came_from = _safe_came_from(req.GET.get("came_from"))
    notice = ""
    if came_from:
        notice = "<p>Sign in to continue to <code>%s</code>.</p>" % _escape(came_from)
    return _html(LOGIN_PAGE % {"action": _escape(req.script_name + "/login"),
                               "client": _escape(client_src(req.script_name)),
                               "came_from": _escape(came_from or ""), "notice": notice})


def logout_page(req):
    # A GET keeps the tests short; a real app signs out with a POST (logoutMethod).
    logout(req.environ)
    return Response(status=303, location=req.script_name + "/login")


def page(req):
    name = req.path_info[len("/app/"):]
    path = os.path.join(PAGES, name + ".html")
    if not re.match(r"^[a-z0-9-]+$", name) or not os.path.isfile(path):
        return _html("<h1>Not found</h1>", 404)
    attributes = "".join(
        ' data-%s="%s"' % (key, _escape(value)) for key, value in sorted(req.GET.items())
        if _ATTRIBUTE.match(key))
    with open(path) as handle:
        template = handle.read()
    base = req.script_name
    client = '<script src="%s"%s></script>' % (_escape(client_src(base)), attributes)
    html = (template.replace("{{client}}", client).replace("{{base}}", _escape(base))
            .replace("{{user}}", _escape(_user(req) or "")))
    return _html(html)


def submitted(req):
    if req.method != "POST":
        # What a browser shows after signing in with came_from = a form's action, when
        # the form was not kept: the app's own page, no error.
        return _html('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Nothing '
                     'saved</title><link rel="icon" href="data:,"></head><body><h1>Nothing '
                     'saved</h1></body></html>')
    rows = "".join('<dt>%s</dt><dd id="field-%s">%s</dd>' % (_escape(k), _escape(k),
                                                              _escape(v))
                   for k, v in req.POST.items())
    return _html('<!DOCTYPE html><html><head><meta charset="utf-8"><title>Saved</title>'
                 '<link rel="icon" href="data:,"></head><body><h1>Saved</h1>'
                 '<p id="saved-by">Saved for %s.</p><dl>%s</dl></body></html>'
                 % (_escape(_user(req) or ""), rows))


def echo(req):
    msg = None
    if req.method == "POST":
        if req.content_type == "application/json":
            try:
                msg = json.loads(req.body.decode("utf-8")).get("msg")
            except (ValueError, AttributeError):
                msg = None
        else:
            msg = req.POST.get("msg")
    response = Response(content_type="application/json", charset=None)
    response.cache_control = "no-store"
    response.body = json.dumps({"user": _user(req), "method": req.method, "msg": msg,
                                "lib": req.GET.get("lib")}, sort_keys=True).encode("utf-8")
    return response


def end_others(req):
    if req.method != "POST":
        return _html("<h1>Method not allowed</h1>", 405)
    response = Response(content_type="application/json", charset=None)
    response.cache_control = "no-store"
    response.body = json.dumps({"ended": end_sessions(req.environ, keep_current=True)}
                               ).encode("utf-8")
    return response


def fragment(req):
    response = Response(content_type="text/html", charset="utf-8")
    response.cache_control = "no-store"
    response.body = ('<p id="fragment">Fragment for %s: %s</p>' % (
        _escape(_user(req) or ""), _escape(req.POST.get("msg", "")))).encode("utf-8")
    return response


def static(req):
    relative = req.path_info[len("/static/"):]
    path = os.path.realpath(os.path.join(NODE_MODULES, relative))
    if not path.startswith(NODE_MODULES + os.sep) or not os.path.isfile(path):
        return _html("<h1>Not found</h1>", 404)
    with open(path, "rb") as handle:
        body = handle.read()
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = Response(content_type=kind, charset=None)
    response.body = body
    return response


ROUTES = {
    "/login": login_page,
    "/logout": logout_page,
    "/app/submitted": submitted,
    "/api/echo": echo,
    "/api/fragment": fragment,
    "/api/end-others": end_others,
}


def application(environ, start_response):
    """The app itself, unwrapped."""
    req = Request(environ)
    path = req.path_info
    handler = ROUTES.get(path)
    if handler is None and path.startswith("/static/"):
        handler = static
    elif handler is None and path.startswith("/app/"):
        handler = page
    elif handler is None and path == "/":
        handler = lambda req: Response(status=302, location=req.script_name + "/app/orders")
    if handler is None:
        return _html("<h1>Not found</h1>", 404)(environ, start_response)
    return handler(req)(environ, start_response)


def make_wsgi(clock, errors):
    """Every mount's middleware around :func:`application`, behind one dispatcher that
    records any exception a request raised in ``errors``."""
    mounts = []
    for prefix, status in MOUNTS:
        config = {"beaker.session.type": "memory",
                  "beaker.session.secret": "browser-tests",
                  "beaker.session.key": "session" + prefix.replace("/", "-")}
        mounts.append((prefix, SessionTimeoutMiddleware(
            application, config, idle_timeout=IDLE_TIMEOUT, xhr_status=status,
            protected_paths=["/app", "/api"], endpoint_prefix=endpoint_prefix(prefix),
            clock=clock, **OPTIONS.get(prefix, {}))))

    def dispatch(environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            for prefix, middleware in mounts:
                if prefix and (path == prefix or path.startswith(prefix + "/")):
                    environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
                    environ["PATH_INFO"] = path[len(prefix):]
                    return middleware(environ, start_response)
            return mounts[0][1](environ, start_response)
        except Exception as exc:
            errors.append("%s %s: %r" % (environ.get("REQUEST_METHOD"), path, exc))
            raise

    return dispatch


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        """No access log on the test's output."""


class TestServer(object):
    """The app on a free port of 127.0.0.1, in a thread, on a :class:`ManualClock`.

    ``requests`` lists ``(method, path, headers)`` of every request, for tests that count
    what the page sent; ``errors`` lists exceptions the app raised.
    """

    __test__ = False  # not a test class, whatever its name

    def __init__(self):
        self.clock = ManualClock()
        self.errors = []
        self.requests = []
        self._arrived = threading.Condition()
        wsgi = make_wsgi(self.clock, self.errors)

        def recording(environ, start_response):
            headers = dict((k[5:].replace("_", "-").lower(), v) for k, v in environ.items()
                           if k.startswith("HTTP_"))
            with self._arrived:
                self.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                      headers, environ.get("QUERY_STRING", "")))
                self._arrived.notify_all()
            return wsgi(environ, start_response)

        self.httpd = _ThreadingServer(("127.0.0.1", 0), _QuietHandler)
        self.httpd.set_app(recording)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05})
        self.thread.daemon = True

    def start(self):
        # The socket listens from the constructor on: connections wait in its backlog.
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def requests_to(self, path):
        """The requests made to ``path`` (the full path, mount included) so far."""
        return [r for r in self.requests if r[1] == path]

    def wait_for_request(self, path, query, timeout=10):
        """Wait until a request to ``path`` with query string ``query`` has arrived.

        A request the page cancels may still be on its way: counting before it
        arrives would count it later.
        """
        def arrived():
            return any(r[1] == path and r[3] == query for r in self.requests)
        with self._arrived:
            if not self._arrived.wait_for(arrived, timeout):
                raise AssertionError("no request to %s?%s within %ss" % (path, query, timeout))
