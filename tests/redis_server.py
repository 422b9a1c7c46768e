"""A real redis-server for the core suite, on Python 2.7 and 3 alike: 127.0.0.1 only, a
free port, no persistence, stopped when the test module ends. A missing redis-server
or redis-py fails the tests that need them (never a skip)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

HINT = ("redis-server comes from scripts/setup-backends (as root); redis-py from "
        "requirements/test.txt (Python 3) or requirements/test-py27.txt (Python 2.7)")
START_TIMEOUT = 30.0


def wanted():
    """True when the core suite runs its Redis cases: where redis-server is installed,
    and always under ``make test``, CI or ``WST_REQUIRE_ALL_STACKS=1`` (a missing
    redis-server is then a failure). Elsewhere (``tox -e py311`` on a machine without
    it) the core suite runs without them, as it runs without the other stacks."""
    if os.environ.get("WST_REQUIRE_ALL_STACKS") == "1" or \
            os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        return True
    return any(os.access(os.path.join(d, "redis-server"), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/bin"])


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def _answers(port):
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=1)
    except socket.error:
        return False
    try:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")
    except socket.error:
        return False
    finally:
        sock.close()


class RedisServer(object):
    """``url`` (db 0), ``client`` (redis-py), ``flush()`` and ``stop()``."""

    def __init__(self):
        try:
            import redis
        except ImportError as exc:
            pytest.fail("cannot import redis (%s): %s" % (exc, HINT), pytrace=False)
        binary = shutil.which("redis-server") if hasattr(shutil, "which") else None
        candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]
        for candidate in ([binary] if binary else []) + candidates:
            if candidate and os.access(candidate, os.X_OK):
                binary = candidate
                break
        else:
            pytest.fail("redis-server is missing: %s" % HINT, pytrace=False)
        self.dir = tempfile.mkdtemp(prefix="wst-redis-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "redis.log"), "wb")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--dir", self.dir],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + START_TIMEOUT
        while not _answers(self.port):  # waiting for a process, not for time to pass
            if self.process.poll() is not None or time.time() > deadline:
                self.stop()
                pytest.fail("redis-server did not start on port %d" % self.port,
                            pytrace=False)
            time.sleep(0.05)
        self.url = "redis://127.0.0.1:%d/0" % self.port
        self.client = redis.StrictRedis.from_url(self.url)

    def flush(self):
        self.client.flushdb()

    def stop(self):
        client = getattr(self, "client", None)
        if client is not None:
            _close(client)
            close_beaker_clients()
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def _close(client):
    close = getattr(client, "close", None)
    if close is not None:
        close()
    else:  # redis-py 3 (Python 2.7)
        client.connection_pool.disconnect()


def close_beaker_clients():
    """Close the clients Beaker's ext:redis keeps in a class-level cache, so no socket
    is left for the garbage collector (a ResourceWarning)."""
    from beaker.ext.redisnm import RedisNamespaceManager
    for client in list(RedisNamespaceManager.clients.dict.values()):
        _close(client)
    RedisNamespaceManager.clients.dict.clear()
