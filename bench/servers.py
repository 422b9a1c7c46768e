"""Servers the benchmark and tests/backends start for themselves (Python 3 only).

redis-server, memcached and gunicorn run on free ports of 127.0.0.1, each in its own
process group with its output in a log file. Start-up is waited for, but never longer
than ``START_TIMEOUT``; a server that does not come up raises :class:`ServerError` with
its command and its log. :meth:`Server.stop` always ends the whole process group.

Nothing here depends on pytest: tests/backends and tests/servers turn a
:class:`ServerError` into a test failure (never a skip), and ``bench/run.py`` into an
error message. The tests' HTTP clients share :class:`Reply` and :func:`fetch`.
"""

import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.dirname(sys.executable)
SETUP_HINT = "run scripts/setup-backends (as root) to install it"
VENV_HINT = ("install it into this interpreter: "
             "scripts/venv 3.11 requirements/test.txt requirements/backends.txt")

#: How long a server may take to answer for the first time, and to stop.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class ServerError(RuntimeError):
    """A server that is missing, or did not start; the message says why and shows its
    command and log."""


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def system_binary(name):
    """The path of a program from scripts/setup-backends, or :class:`ServerError`."""
    for directory in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin", "/usr/sbin"]:
        path = os.path.join(directory, name)
        if directory and os.access(path, os.X_OK):
            return path
    raise ServerError("%s is missing: %s" % (name, SETUP_HINT))


def venv_binary(name):
    """A console script installed beside this interpreter, or :class:`ServerError`."""
    path = os.path.join(BIN, name)
    if not os.access(path, os.X_OK):
        raise ServerError("%s is not installed beside %s: %s" % (name, sys.executable, VENV_HINT))
    return path


class Server(object):
    """A server process.

    :param name: for messages and the log file's name.
    :param argv: the command.
    :param port: the TCP port it listens on (127.0.0.1).
    :param log_dir: where ``<name>.log`` goes.
    :param ready: ``ready(server)`` returns when the server answers and raises
        :class:`OSError` (or :class:`http.client.HTTPException`) while it does not.
    :param stop_signal: the polite signal :meth:`stop` sends first.
    :param extra_logs: more files to show with the output when something fails.
    :param where: how the start-up failure message names what was asked
        (default: ``on 127.0.0.1:PORT``).
    """

    def __init__(self, name, argv, port, log_dir, ready, env=None, cwd=REPO,
                 start_timeout=START_TIMEOUT, stop_signal=signal.SIGTERM, extra_logs=(),
                 where=None):
        self.name = name
        self.argv = list(argv)
        self.port = port
        self.log_path = os.path.join(log_dir, "%s.log" % name)
        self.ready = ready
        self.env = env
        self.cwd = cwd
        self.start_timeout = start_timeout
        self.stop_signal = stop_signal
        self.extra_logs = list(extra_logs)
        self.where = where or "on 127.0.0.1:%d" % port
        self.process = None

    def start(self):
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=self.env, cwd=self.cwd, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.fail("%s exited with status %s while starting"
                          % (self.name, self.process.returncode))
            try:
                self.ready(self)
                return self
            except (OSError, http.client.HTTPException) as exc:
                last_error = exc
            time.sleep(0.05)  # polling for start-up, not waiting for time to pass
        self.fail("%s did not answer %s within %d s (last error: %r)"
                  % (self.name, self.where, self.start_timeout, last_error))

    def stop(self):
        """Stop the whole process group: politely, then by force. Idempotent."""
        if self.process is None or self.process.returncode is not None:
            return
        try:
            os.killpg(self.process.pid, self.stop_signal)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(STOP_TIMEOUT)

    def logs(self, limit=20000):
        """The end of the server's output and extra logs, for a failure message."""
        parts = []
        for path in [self.log_path] + self.extra_logs:
            try:
                with open(path, "rb") as handle:
                    text = handle.read().decode("utf-8", "replace")
            except OSError as exc:
                text = "(cannot read: %s)" % exc
            parts.append("----- %s -----\n%s" % (path, text[-limit:]))
        return "\n".join(parts)

    def fail(self, message):
        self.stop()
        raise ServerError("%s\ncommand: %s\n%s" % (message, " ".join(self.argv), self.logs()))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()


def ask(port, command, expect):
    """Send one line of a text protocol; raise OSError unless the answer starts right."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(command)
        answer = sock.recv(256)
    if not answer.startswith(expect):
        raise OSError("unexpected answer %r" % (answer,))


def redis_server(log_dir, port=None):
    """A ``redis-server`` on 127.0.0.1 without persistence (``url``: its URL, db 0)."""
    binary = system_binary("redis-server")
    port = port or free_port()
    server = Server("redis-%d" % port, [
        binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--daemonize", "no", "--dir", log_dir, "--logfile", ""],
        port, log_dir, lambda s: ask(s.port, b"PING\r\n", b"+PONG"))
    server.url = "redis://127.0.0.1:%d/0" % port
    return server


def memcached_server(log_dir, port=None):
    """A ``memcached`` on 127.0.0.1, TCP only (``url``: ``127.0.0.1:PORT``)."""
    binary = system_binary("memcached")
    port = port or free_port()
    argv = [binary, "-l", "127.0.0.1", "-p", str(port), "-U", "0", "-m", "64"]
    if os.geteuid() == 0:
        argv += ["-u", pwd.getpwuid(0).pw_name]  # memcached refuses root without -u
    server = Server("memcached-%d" % port, argv, port, log_dir,
                    lambda s: ask(s.port, b"version\r\n", b"VERSION"))
    server.url = "127.0.0.1:%d" % port
    return server


def http_ready(path="/"):
    """A ``ready`` check: the server answers ``GET path`` with any status."""
    def ready(server):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
        finally:
            conn.close()
    return ready


def gunicorn_server(log_dir, name, args, env=None, workers=2, port=None, probe_path="/"):
    """gunicorn with ``workers`` sync workers on 127.0.0.1; ``args`` name the app
    (``["bench.app:application"]`` or ``["--paste", "x.ini", ...]``)."""
    binary = venv_binary("gunicorn")
    port = port or free_port()
    argv = [binary, "--bind", "127.0.0.1:%d" % port, "--workers", str(workers),
            "--pythonpath", REPO, "--graceful-timeout", "5", "--log-level", "warning"]
    if _gunicorn_has("--no-control-socket"):
        argv.append("--no-control-socket")  # gunicorn >= 24 would make gunicorn.ctl in cwd
    argv += list(args)
    server = Server("%s-%d" % (name, port), argv, port, log_dir, http_ready(probe_path),
                    env=env)
    server.url = "http://127.0.0.1:%d" % port
    return server


_HELP = []


def _gunicorn_has(option):
    """True when this gunicorn knows a command-line ``option``."""
    if not _HELP:
        _HELP.append(subprocess.run([venv_binary("gunicorn"), "--help"],
                                    capture_output=True, timeout=60).stdout)
    return option.encode("ascii") in _HELP[0]


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


# -- HTTP replies, for the tests' clients -----------------------------------------------


class Reply(object):
    """One HTTP response: ``status``, ``headers`` (an ``http.client.HTTPMessage``),
    ``body`` (bytes). The tests subclass it where they need more."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def __repr__(self):
        return "<Reply %d %r %r>" % (self.status, dict(self.headers.items()), self.body[:300])


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # hand the 3xx back to the caller


def no_redirect_opener(jar=None):
    """A urllib opener that follows no redirect, with the cookie jar ``jar`` if given."""
    handlers = [urllib.request.HTTPCookieProcessor(jar)] if jar is not None else []
    return urllib.request.build_opener(*(handlers + [_NoRedirect]))


def fetch(opener, req, timeout=20, reply=Reply):
    """Send ``req``; the answer, whatever its status, read and closed, as a ``reply``."""
    try:
        with opener.open(req, timeout=timeout) as answer:
            return reply(answer.status, answer.headers, answer.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return reply(exc.code, exc.headers, exc.read())
