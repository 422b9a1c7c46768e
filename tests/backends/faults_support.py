"""What test_faults.py and test_races.py need beyond support.py (Python 3 only): a
redis-server the tests crash, restart and pause, an HTTP client that keeps its own cookie
jar and notes when each request was sent and answered, a client that hangs up in the
middle of a body, and the application the real servers run.

Nothing here imports pytest: gunicorn and waitress import this module to serve
:func:`application`, configured by environment variables (:func:`served_env`):

- ``FAULTS_REDIS_URL``: the Redis the middleware keeps the sessions in;
- ``FAULTS_DIR``: where the barrier files and the log of ``close()`` calls live;
- ``WSGI_SESSION_TIMEOUT_CLOCK_FILE``: the :class:`~tests.clocks.FileClock` every worker
  reads;
- ``FAULTS_BEAKER`` (optional): JSON of ``beaker.session.*`` settings for another store
  than ``FAULTS_REDIS_URL``'s Redis;
- ``FAULTS_OPTIONS`` (optional): JSON of more middleware options
  (``{"store_probe_interval": 30}``);
- ``FAULTS_MEMCACHED_DEAD_RETRY`` (optional): python-memcached's ``dead_retry`` for an
  ``ext:memcached`` store (Beaker has no setting for it; 30 s by default).

Routes of the application (``/api`` is guarded; every answer names its process in
``X-Worker``):

- ``POST /login`` signs ``alice`` in (``?user=NAME``: someone else), ``POST /logout``;
- ``/pre`` stores something before sign-in; ``/put?VALUE`` stores ``cart``;
- ``/api/me``: JSON of the session's ``user``, ``cart``, ``pre`` and ``streamed``;
- ``/page`` reads the session; ``/hello`` never touches it;
- ``/slow?name=N&cart=V``: reads the session, says so (file ``N.loaded``), waits until
  the test lets it go on (file ``N.go``), then stores ``cart = V``;
- ``/stream?name=N&chunks=K``: stores ``streamed = N``, then streams ``K`` blocks of
  64 KiB;
- ``/fail-midway?name=N``: a body that calls ``start_response`` from its first item,
  stores ``streamed = N``, and raises after three blocks;
- ``/raise?name=N``: stores ``cart = corrupted``, then raises before answering.

Every body the app returns records its ``close()`` calls in ``FAULTS_DIR/closes.log``
(``close NAME produced=COUNT``), from whichever process served it.
"""

import base64
import http.client
import json
import logging
import os
import pickle
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse

from bench import servers
from wsgi_session_timeout import SessionTimeoutMiddleware, login, logout

from ..clocks import env_clock

SECRET = "faults-and-races-secret-0123456789"
SESSION_KEY = "beaker.session.id"
MARKER = "beaker.session.id.activity"
IDLE = 600
ABSOLUTE = 3600
TOUCH = 60
BLOCK = 64 * 1024
#: How long the app's ``/slow`` waits for the test, and the test for the app.
BARRIER_TIMEOUT = 30.0
#: How long a test waits for something a server does after answering (a close() call).
SETTLE_TIMEOUT = 20.0
LOG_PREFIX = "WST"

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
NAV = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8", "Sec-Fetch-Mode": "navigate",
       "Sec-Fetch-Dest": "document"}


# -- the application -------------------------------------------------------------------


def _record(directory, line):
    """Append one line to ``closes.log``: one ``write`` of an ``O_APPEND`` file, so the
    lines of concurrent processes never mix."""
    fd = os.open(os.path.join(directory, "closes.log"),
                 os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


class Body(object):
    """A streamed response body that records its ``close()`` calls.

    :param start: when given, called from the first iteration (``start_response`` from
        inside the body, as a generator app does).
    :param fail_after: raise after this many blocks.
    """

    def __init__(self, directory, name, chunks, start=None, fail_after=None):
        self.directory = directory
        self.name = name
        self.chunks = chunks
        self.start = start
        self.fail_after = fail_after
        self.produced = 0

    def __iter__(self):
        if self.start is not None:
            self.start()
        block = b"x" * BLOCK
        for _ in range(self.chunks):
            if self.fail_after is not None and self.produced >= self.fail_after:
                raise RuntimeError("the body failed halfway (on purpose)")
            self.produced += 1
            yield block

    def close(self):
        _record(self.directory, "close %s produced=%d" % (self.name, self.produced))


def inner_app(environ, start_response):
    """The application behind the middleware (see the module's docstring)."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    query = environ.get("QUERY_STRING", "")
    params = dict(urllib.parse.parse_qsl(query))
    directory = os.environ.get("FAULTS_DIR", "")
    worker = ("X-Worker", "%d/%s" % (os.getpid(), threading.current_thread().name))
    content_type = "text/plain; charset=utf-8"
    if path == "/hello":  # never touches the session
        body = "hello"
    elif path == "/login" and method == "POST":
        login(environ, params.get("user", "alice"))
        body = "signed in"
    elif path == "/logout" and method == "POST":
        logout(environ)
        body = "signed out"
    else:
        session = environ["beaker.session"]
        if path == "/pre":
            session["pre"] = "before sign-in"
            session.save()
            body = "stored"
        elif path == "/put":
            session["cart"] = query
            session.save()
            body = "put"
        elif path == "/api/me":
            content_type = "application/json"
            body = json.dumps(dict((key, session.get(key)) for key in
                                   ("user", "cart", "pre", "streamed")))
        elif path == "/slow":
            before = session.get("user")  # loaded (the middleware loaded it already)
            name = os.path.join(directory, params["name"])
            with open(name + ".loaded", "w") as handle:
                handle.write(str(os.getpid()))
            if not _wait_for(name + ".go", BARRIER_TIMEOUT):
                start_response("500 Internal Server Error", [("Content-Type", content_type)])
                return [b"the test never let /slow go on"]
            session["cart"] = params.get("cart", "late write")
            session.save()
            content_type = "application/json"
            body = json.dumps({"user_before": before})
        elif path == "/stream":
            session["streamed"] = params["name"]
            session.save()
            start_response("200 OK", [("Content-Type", "application/octet-stream"), worker])
            return Body(directory, params["name"], int(params.get("chunks", "4096")))
        elif path == "/fail-midway":
            def start():
                session["streamed"] = params["name"]
                session.save()
                start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                          worker])
            return Body(directory, params["name"], 64, start=start, fail_after=3)
        elif path == "/raise":
            session["cart"] = "corrupted"
            session.save()
            raise RuntimeError("the app failed (on purpose)")
        else:
            body = "page %s user=%s" % (path, session.get("user"))
    data = body.encode("utf-8")
    start_response("200 OK", [("Content-Type", content_type),
                              ("Content-Length", str(len(data))), worker])
    return [data]


def _wait_for(path, timeout):
    """Poll for a file the other side creates; False when it never came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.005)  # polling for the other side, not waiting for time to pass
    return False


def make_middleware(redis_url, clock, beaker=None, **options):
    """The middleware around :func:`inner_app`, running Beaker on ``ext:redis`` (or on
    the ``beaker.session.*`` settings ``beaker``)."""
    settings = dict(clock=clock, idle_timeout=IDLE, absolute_timeout=ABSOLUTE,
                    touch_interval=TOUCH, protected_paths=["/api"])
    settings.update(options)
    config = dict(beaker or {"beaker.session.type": "ext:redis",
                             "beaker.session.url": redis_url})
    config["beaker.session.secret"] = SECRET
    return SessionTimeoutMiddleware(inner_app, config, **settings)


_SERVED = []
_SERVED_LOCK = threading.Lock()


def application(environ, start_response):
    """What gunicorn and waitress serve: built on the first request from the
    environment (see the module's docstring)."""
    if not _SERVED:
        with _SERVED_LOCK:
            if not _SERVED:
                handler = logging.StreamHandler(sys.stderr)
                handler.setFormatter(logging.Formatter(
                    LOG_PREFIX + " %(levelname)s %(process)d %(message)s"))
                logger = logging.getLogger("wsgi_session_timeout")
                logger.addHandler(handler)
                logger.setLevel(logging.INFO)
                logger.propagate = False
                beaker = os.environ.get("FAULTS_BEAKER")
                if os.environ.get("FAULTS_MEMCACHED_DEAD_RETRY"):
                    _memcached_dead_retry(json.loads(beaker)["beaker.session.url"],
                                          int(os.environ["FAULTS_MEMCACHED_DEAD_RETRY"]))
                _SERVED.append(make_middleware(
                    os.environ.get("FAULTS_REDIS_URL"), env_clock,
                    json.loads(beaker) if beaker else None,
                    **json.loads(os.environ.get("FAULTS_OPTIONS") or "{}")))
    return _SERVED[0](environ, start_response)


def _memcached_dead_retry(url, seconds):
    """Give Beaker's ext:memcached a python-memcached client that tries a server it
    found dead again after ``seconds`` (Beaker builds its own with the default 30)."""
    import memcache
    from beaker.ext.memcached import MemcachedNamespaceManager
    MemcachedNamespaceManager.clients.get(
        ("memcache", url), lambda: memcache.Client(url.split(";"), dead_retry=seconds))


def served_env(redis_url, directory, clock_file, beaker=None, **options):
    """The environment of a server that serves :func:`application`; ``beaker``: the
    store's ``beaker.session.*`` settings instead of ``redis_url``; ``options``: more
    middleware options. The repository's root is first on ``PYTHONPATH``: the servers
    import this module as ``tests.backends.faults_support``."""
    path = [servers.REPO] + [p for p in [os.environ.get("PYTHONPATH")] if p]
    env = dict(os.environ, FAULTS_REDIS_URL=redis_url or "", FAULTS_DIR=directory,
               WSGI_SESSION_TIMEOUT_CLOCK_FILE=clock_file, PYTHONUNBUFFERED="1",
               PYTHONPATH=os.pathsep.join(path),
               FAULTS_BEAKER=json.dumps(beaker) if beaker else "",
               FAULTS_OPTIONS=json.dumps(options))
    return env


def closes(directory, name):
    """The ``close()`` calls recorded for body ``name``: a list of ``produced`` counts."""
    try:
        with open(os.path.join(directory, "closes.log")) as handle:
            lines = handle.read().splitlines()
    except FileNotFoundError:
        return []
    prefix = "close %s produced=" % name
    return [int(line[len(prefix):]) for line in lines if line.startswith(prefix)]


def wait_for_closes(directory, name):
    """The ``close()`` calls of body ``name``, once there is one (bounded wait), plus a
    moment for a second one that must not come."""
    deadline = time.monotonic() + SETTLE_TIMEOUT
    while not closes(directory, name) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)  # a second close() would come right after the first
    return closes(directory, name)


# -- servers -----------------------------------------------------------------------------


class Pausable(object):
    """A server of the test's own that can be hung (SIGSTOP) and let go (SIGCONT)."""

    paused = False

    def pause(self):
        os.kill(self.server.process.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self):
        if self.paused:
            os.kill(self.server.process.pid, signal.SIGCONT)
            self.paused = False


class RedisProcess(Pausable):
    """A redis-server on 127.0.0.1 that the test crashes (SIGKILL), restarts on the same
    port, and pauses (SIGSTOP: it hangs, connections open but unanswered).

    Its data survives a crash: append-only file, fsync'd on every write, in a directory
    of its own. ``url`` carries a one-second socket timeout, so a hung Redis fails a
    request instead of hanging it.
    """

    def __init__(self, log_dir):
        self.log_dir = log_dir
        self.port = servers.free_port()
        self.data_dir = os.path.join(log_dir, "redis-data-%d" % self.port)
        os.makedirs(self.data_dir)
        self.url = ("redis://127.0.0.1:%d/0?socket_timeout=1&socket_connect_timeout=1"
                    % self.port)
        self.server = None
        self.paused = False
        self.runs = 0

    def start(self):
        self.runs += 1
        self.server = servers.Server(
            "redis-faults-%d-run%d" % (self.port, self.runs),
            [servers.system_binary("redis-server"), "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", self.data_dir, "--daemonize", "no",
             "--logfile", ""],
            self.port, self.log_dir, lambda s: servers.ask(s.port, b"PING\r\n", b"+PONG"))
        self.server.start()
        return self

    def crash(self):
        """Kill it outright (SIGKILL), as a crash or an OOM kill would."""
        self.resume()
        process = self.server.process
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(servers.STOP_TIMEOUT)

    restart = start

    def stop(self):
        if self.server is not None:
            self.resume()
            self.server.stop()

    def logs(self):
        return self.server.logs() if self.server is not None else ""


class DroppingProxy(object):
    """A TCP proxy on 127.0.0.1 in front of ``target_port``.

    After :meth:`drop_next`, the next bytes any client sends are swallowed and that
    client's connection is reset: a connection lost in the middle of a command (a
    failover, a restart between two commands, a proxy or firewall dropping it).
    Everything else is passed through. :meth:`close` closes every socket it opened.
    """

    def __init__(self, target_port):
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # so that the accepting thread sees close()
        self.port = self.listener.getsockname()[1]
        self.dropped = 0
        self._closed = threading.Event()
        self._armed = False
        self._lock = threading.Lock()
        self._sockets = []
        self._threads = []
        self._start(self._accept)

    def _start(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def drop_next(self):
        with self._lock:
            self._armed = True

    def _take(self):
        with self._lock:
            armed, self._armed = self._armed, False
            self.dropped += armed
            return armed

    def _accept(self):
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.extend((client, upstream))
            self._start(self._pump, client, upstream, True)
            self._start(self._pump, upstream, client, False)

    def _pump(self, source, sink, from_client):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if from_client and self._take():
                    source.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
                    source.close()  # a reset, the command never forwarded
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                _shut(sock)

    def close(self):
        self._closed.set()
        self._threads[0].join(5)  # the accepting thread: no new sockets or threads
        self.listener.close()
        for sock in self._sockets:
            _shut(sock)
        for thread in self._threads[1:]:
            thread.join(5)


def _shut(sock):
    """Wake whoever waits on ``sock`` and close it."""
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


def waitress_server(log_dir, env, threads=8):
    """waitress, one process, ``threads`` threads, serving :func:`application`."""
    port = servers.free_port()
    server = servers.Server(
        "waitress-faults-%d" % port,
        [servers.venv_binary("waitress-serve"), "--listen=127.0.0.1:%d" % port,
         "--threads=%d" % threads, "tests.backends.faults_support:application"],
        port, log_dir, servers.http_ready("/hello"), env=env)
    server.url = "http://127.0.0.1:%d" % port
    return server


def gunicorn_server(log_dir, env, workers=3, threads=1):
    """gunicorn, ``workers`` processes (of ``threads`` threads each), serving
    :func:`application`."""
    args = ["--threads", str(threads), "tests.backends.faults_support:application"]
    return servers.gunicorn_server(log_dir, "gunicorn-faults", args, env, workers,
                                   probe_path="/hello")


def log_lines(server, level):
    """The middleware's log lines of ``level`` in a server's output."""
    with open(server.log_path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    prefix = "%s %s " % (LOG_PREFIX, level)
    return [line for line in text.splitlines() if line.startswith(prefix)]


def redis_record(client, sid):
    """The session ``sid`` as Beaker's ext:redis stored it (a dict), or ``None``."""
    stored = client.get("beaker_cache:%s:session" % sid)
    if stored is None:
        return None
    inner = pickle.loads(stored)
    return pickle.loads(base64.b64decode(inner)) if isinstance(inner, (bytes, str)) else inner


# -- the client --------------------------------------------------------------------------


class Reply(servers.Reply):
    """One answer, with the monotonic times its request was sent and its answer read."""

    def __init__(self, status, headers, body, sent, received):
        servers.Reply.__init__(self, status, headers, body)
        self.sent = sent
        self.received = received

    @property
    def signed_in(self):
        """The middleware says this answer went to a signed-in session."""
        return "Session-Expires-In" in self.headers

    @property
    def error(self):
        if self.headers.get("Content-Type", "").startswith("application/problem+json"):
            return self.json.get("error")
        return None

    def set_cookies(self):
        """``{name: value}`` of the response's ``Set-Cookie`` headers (``""``: deleted)."""
        found = {}
        for header in self.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower().replace(" ", ""):
                value = ""
            found[name.strip()] = value.strip()
        return found


def session_id(cookie_value):
    """The session id in Beaker's signed cookie (40 hex digits of HMAC-SHA1, then the id)."""
    return cookie_value.strip('"')[40:]


class Browser(object):
    """An HTTP client for one server with its own cookie jar; one connection per
    request, always closed."""

    def __init__(self, url):
        self.port = int(url.rsplit(":", 1)[1])
        self.cookies = {}

    def request(self, path, method="GET", headers=None, cookie=None, timeout=30,
                keep_cookies=True):
        """``cookie``: send this Cookie header instead of the jar's (a copied cookie);
        the jar is then left alone."""
        headers = dict(headers or {})
        if cookie is None:
            cookie = self.cookie_header()
        else:
            keep_cookies = False
        if cookie:
            headers["Cookie"] = cookie
        if method == "POST":
            headers.setdefault("Content-Length", "0")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            sent = time.monotonic()
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            received = time.monotonic()
        finally:
            conn.close()
        reply = Reply(response.status, response.headers, body, sent, received)
        if keep_cookies:
            for name, value in reply.set_cookies().items():
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
        return reply

    def cookie_header(self):
        return "; ".join("%s=%s" % item for item in sorted(self.cookies.items()))

    def session_id(self):
        return session_id(self.cookies[SESSION_KEY])

    def sign_in(self, user=None):
        reply = self.request("/login" + ("?user=%s" % user if user else ""), "POST")
        if reply.status != 200 or not reply.signed_in or sorted(self.cookies) != [
                SESSION_KEY, MARKER]:
            raise AssertionError("sign-in failed: %r, cookies %r" % (reply, self.cookies))
        return reply

    def me(self, cookie=None, headers=XHR, **kwargs):
        return self.request("/api/me", headers=headers, cookie=cookie, **kwargs)


def read_part_and_hang_up(url, path, cookie, limit):
    """Send ``GET path``, read ``limit`` bytes of the answer, and hang up abruptly (a
    reset, as a browser tab closed mid-download). Returns what was read."""
    port = int(url.rsplit(":", 1)[1])
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\n\r\n"
               % (path, port, cookie)).encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.sendall(request)
        got = b""
        while len(got) < limit:
            data = sock.recv(65536)
            if not data:
                break
            got += data
    return got


def read_until_closed(url, path, cookie):
    """Send ``GET path`` (``Connection: close``) and read until the server closes the
    connection; return the raw answer (status line, headers, body)."""
    port = int(url.rsplit(":", 1)[1])
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nCookie: %s\r\nConnection: close"
               "\r\n\r\n" % (path, port, cookie)).encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return b"".join(chunks)
