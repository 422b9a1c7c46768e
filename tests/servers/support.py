"""Real servers in child processes, and an HTTP client with a cookie jar (Python 3 only).

Time in a server is moved with :class:`tests.clocks.FileClock`: the servers run the
demo apps with ``DEMO_CLOCK = tests.clocks:env_clock``, which reads its offset from the
file named by ``WSGI_SESSION_TIMEOUT_CLOCK_FILE``. The repository's root is on every
server's ``PYTHONPATH`` (:func:`demo_env`), so ``tests.clocks`` imports there.
"""

import http.cookiejar
import importlib
import os
import shutil
import signal
import sys
import urllib.parse
import urllib.request

import pytest

from bench import servers

from ..clocks import CLOCK_FILE_VARIABLE, ENV_CLOCK

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(REPO, "examples")
BIN = os.path.dirname(sys.executable)
SETUP_HINT = "run scripts/setup-system (as root) to install it"
VENV_HINT = ("install the servers into this interpreter: "
             "scripts/venv 3.11 requirements/test.txt requirements/servers.txt")

#: How long a server may take to answer its first request.
START_TIMEOUT = servers.START_TIMEOUT

XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
NAV = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


free_port = servers.free_port


def venv_tool(name):
    """The path of a console script installed beside this interpreter, or a failure that
    says how to install it (never a skip: a missing server is a broken set-up)."""
    path = os.path.join(BIN, name)
    if not os.access(path, os.X_OK):
        pytest.fail("%s is not installed beside %s: %s" % (name, sys.executable, VENV_HINT))
    return path


def system_tool(path):
    """The path of a system program, or a failure pointing at scripts/setup-system."""
    if not os.access(path, os.X_OK):
        pytest.fail("%s is missing: %s" % (path, SETUP_HINT))
    return path


def require(module):
    """Import ``module``, or fail this test module's collection saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        pytest.fail("cannot import %s (%s): %s" % (module, exc, VENV_HINT), pytrace=False)


def demo_env(tmp_dir, clock_file, **extra):
    """The environment a server needs to run the demo apps on a clock the test moves:
    the repository's root first on ``PYTHONPATH``, so that ``DEMO_CLOCK`` imports."""
    env = dict(os.environ)
    env.update({
        "DEMO_DATA_DIR": os.path.join(tmp_dir, "sessions"),
        "DEMO_CLOCK": ENV_CLOCK,
        CLOCK_FILE_VARIABLE: clock_file,
        "PYTHONPATH": os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p]),
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra)
    return env


class Server(servers.Server):
    """A server process (:class:`bench.servers.Server`): started in its own process group
    with its output in a log file, waited for until it answers ``probe_path`` with any
    status (bounded), and always stopped; a failure to start fails the test.

    :param extra_logs: more files to show with the output when something fails.
    """

    def __init__(self, name, argv, port, log_dir, env=None, cwd=REPO,
                 stop_signal=signal.SIGTERM, probe_path="/", extra_logs=(),
                 start_timeout=START_TIMEOUT):
        url = "http://127.0.0.1:%d" % port
        servers.Server.__init__(self, name, argv, port, log_dir, servers.http_ready(probe_path),
                                env=env, cwd=cwd, start_timeout=start_timeout,
                                stop_signal=stop_signal, extra_logs=extra_logs,
                                where=url + probe_path)
        self.url = url
        self.probe_path = probe_path

    def fail(self, message):
        try:
            servers.Server.fail(self, message)
        except servers.ServerError as exc:
            pytest.fail(str(exc), pytrace=False)


def serve(request, server):
    """Start ``server`` for the test that asked, stop it afterwards, and print its logs
    on the way out (pytest shows them with a failing test's captured output)."""
    request.addfinalizer(lambda: (server.stop(), print(server.logs())))
    return server.start()


Reply = servers.Reply


class Client(object):
    """A browser in miniature: a cookie jar, redirects not followed, every response read
    and closed."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.jar = http.cookiejar.CookieJar()
        self.opener = servers.no_redirect_opener(self.jar)

    def request(self, path, data=None, headers=None, method=None):
        body = urllib.parse.urlencode(data).encode("ascii") if data is not None else None
        req = urllib.request.Request(self.base_url + path, data=body, headers=headers or {},
                                     method=method)
        return servers.fetch(self.opener, req)

    def get(self, path, headers=None):
        return self.request(path, headers=headers)

    def post(self, path, data, headers=None):
        return self.request(path, data=data, headers=headers)

    def cookie_names(self):
        return sorted(cookie.name for cookie in self.jar)


def check_expiry(server, clock, prefix="", protected="/account", api="/api/whoami",
                 idle_timeout=30, client=None):
    """The story every server must tell the same way, against the demo app mounted at
    ``prefix``: sign in, use a protected page and the JSON API, let the idle timeout pass
    (by moving the clock), then an XHR gets a 401 problem and a page gets a redirect."""
    client = client or Client(server.url)
    quoted = urllib.parse.quote(prefix + protected, safe="")

    reply = client.get(prefix + protected, headers=NAV)
    assert reply.status == 302, reply
    assert _path(reply.headers["Location"]) == "%s/login?came_from=%s" % (prefix, quoted)

    reply = client.post(prefix + "/login", {"name": "alice", "came_from": prefix + protected})
    assert reply.status in (302, 303), reply
    assert _path(reply.headers["Location"]) == prefix + protected
    assert "beaker.session.id" in client.cookie_names(), reply

    for _ in range(4):  # several requests, so several workers see the session
        reply = client.get(prefix + protected, headers=NAV)
        assert reply.status == 200, reply
        assert 0 < int(reply.headers["Session-Expires-In"]) <= idle_timeout, reply
        assert "alice" in reply.text

    reply = client.get(prefix + api, headers=XHR)
    assert reply.status == 200, reply
    assert reply.json["user"] == "alice"
    assert reply.headers["Session-Expires-In"]

    clock.advance(idle_timeout + 1)

    reply = client.get(prefix + api, headers=XHR)
    assert reply.status == 401, reply
    assert reply.headers["Content-Type"] == "application/problem+json", reply
    problem = reply.json
    assert problem["error"] == "session_expired", problem
    assert problem["status"] == 401
    assert _path(problem["login_url"]).startswith(prefix + "/login"), problem
    assert 'error="session_expired"' in reply.headers["WWW-Authenticate"], reply
    assert "Session-Expires-In" not in reply.headers

    reply = client.get(prefix + protected, headers=NAV)
    assert reply.status == 302, reply
    assert _path(reply.headers["Location"]) == "%s/login?came_from=%s" % (prefix, quoted)
    return client


def _path(url):
    """The path and query of ``url`` (servers may make a ``Location`` absolute)."""
    parts = urllib.parse.urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def copy_tree(src, dst):
    """Copy a source tree without bytecode caches."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "data"))
