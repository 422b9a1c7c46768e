"""What the Pylons tests share: the project's settings, the legacy warnings let through,
and checks of the middleware's answers. (tests/conftest.py collects this folder only
where real Pylons is installed: scripts/test-pylons.)"""
from __future__ import absolute_import

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from ..redis_server import free_port


#: Every test module's ``pytestmark``.
MARKS = [
    # On every request Pylons 1.0.3 (PylonsApp.setup_app_env, pylons/wsgiapp.py:168)
    # builds its Request with two arguments WebOb 1.2+ ignores and warns about
    # (webob/request.py:114, 123). Only these two warnings, only from there.
    pytest.mark.filterwarnings(
        "ignore:You unicode_errors='replace' to the Request constructor:"
        "DeprecationWarning:webob.request"),
    pytest.mark.filterwarnings(
        "ignore:You passed decode_param_names=False to the Request constructor:"
        "DeprecationWarning:webob.request"),
]

#: The settings the tests write into the generated development.ini ([app:main]).
IDLE = 900
ABSOLUTE = 3600
TOUCH = 60  # the default touch_interval: min(60, IDLE // 10)
SETTINGS = """\
# Sessions: SessionTimeoutMiddleware runs Beaker with these beaker.session.* keys.
beaker.session.type = file
beaker.session.data_dir = %%(here)s/data/sessions/data
beaker.session.lock_dir = %%(here)s/data/sessions/lock
# Session expiry (wsgi_session_timeout): sign in again after 15 minutes without a
# request, and after 1 hour whatever the activity.
session_timeout.protected_paths = /account
session_timeout.idle_timeout = %d
session_timeout.absolute_timeout = %d
""" % (IDLE, ABSOLUTE)
#: ... and into test.ini: the clock the tests move (never sleep to make time pass), from
#: tests/clocks.py (the repository's root is on ``sys.path`` here and on ``paster
#: serve``'s ``PYTHONPATH``).
TEST_SETTINGS = """\
session_timeout.clock = tests.clocks:env_clock
"""

#: The repository's root, where ``tests.clocks`` imports from.
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

XHR = {"X-Requested-With": "XMLHttpRequest"}
NAV = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def check_problem(status, headers, body, error):
    """Assert an answer is the middleware's 401 problem+json for ``error``.

    ``headers`` maps lower-case names to values; ``body`` is bytes.
    """
    if b"Server Error 401" in body:
        pytest.fail(
            "Pylons' StatusCodeRedirect replaced the middleware's 401 by its HTML error "
            "document (headers, WWW-Authenticate and Set-Cookie lost): the middleware "
            "must set environ['pylons.status_code_redirect'] when it answers itself. "
            "Got %s %r" % (status, headers))
    assert status == 401, (status, headers, body)
    assert headers.get("content-type") == "application/problem+json", headers
    assert headers.get("www-authenticate") == 'Session realm="app", error="%s"' % error
    assert headers.get("cache-control") == "no-store"
    document = json.loads(body.decode("utf-8"))
    assert document["error"] == error
    assert document["status"] == 401
    assert document["login_url"] == "/login"
    return document


def check_expires_in(headers, expected):
    """``Session-Expires-In`` is there and within a second or two of ``expected``."""
    value = headers.get("session-expires-in")
    assert value is not None, "no Session-Expires-In header in %r" % (headers,)
    assert expected - 3 <= int(value) <= expected, (value, expected)


def paster():
    """The ``paster`` script of the running interpreter's environment."""
    return os.path.join(os.path.dirname(sys.executable), "paster")


class Server(object):
    """A ``paster serve`` child process on 127.0.0.1; :meth:`stop` always ends it."""

    def __init__(self, root, ini, log_path, env):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [paster(), "serve", ini, "http_port=%d" % self.port],
            cwd=root, env=env, stdout=self._log, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.log_path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")

    def wait_until_up(self, timeout=60.0):
        """Poll (bounded) until the port accepts connections."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError("paster serve exited with %s:\n%s"
                                     % (self.process.returncode, self.log()))
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(1.0)
            try:
                sock.connect(("127.0.0.1", self.port))
                return
            except socket.error:
                time.sleep(0.1)
            finally:
                sock.close()
        raise AssertionError("paster serve did not listen on %s within %ss:\n%s"
                             % (self.url, timeout, self.log()))

    def stop(self, timeout=10.0):
        """Terminate, wait (bounded), kill if it would not go."""
        try:
            if self.process.poll() is None:
                self.process.terminate()
                deadline = time.time() + timeout
                while self.process.poll() is None and time.time() < deadline:
                    time.sleep(0.05)
                if self.process.poll() is None:
                    self.process.kill()
                    self.process.wait()
        finally:
            self._log.close()


def start_server(request, project, ini, log_name):
    """Start ``paster serve INI`` in ``project`` and stop it when ``request`` ends. The
    project and the repository (for ``tests.clocks``) are on its ``PYTHONPATH``."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # its log is complete when it is killed
    env["PYTHONPATH"] = os.pathsep.join(
        [project.root, REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    server = Server(project.root, ini, os.path.join(os.path.dirname(project.root), log_name),
                    env)
    request.addfinalizer(server.stop)
    return server
