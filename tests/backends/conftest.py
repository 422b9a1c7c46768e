"""Fixtures for the backend matrix: real stores, real servers (Python 3 only).

Set-up: ``bash scripts/setup-backends`` (redis-server, memcached, wrk) and
``scripts/venv 3.11 requirements/test.txt requirements/backends.txt`` (the redis,
python-memcached, SQLAlchemy and gunicorn packages). A missing server or package fails
the tests, saying which of the two to run; it never skips them.

Servers listen on free ports of 127.0.0.1 only and are stopped at the end of the run
(one redis-server and one memcached for the whole run; each test starts from an empty
store).
"""

import os
import shutil
import sys
import tempfile

import pytest

if sys.version_info[0] == 2:
    # The stores' clients, gunicorn and the benchmark are installed for Python 3 only.
    collect_ignore_glob = ["test_*.py"]
else:
    from bench import servers

    from . import support

BACKENDS = ("file", "redis", "memcached", "sqlite")


@pytest.fixture(scope="session")
def server_dir():
    """Logs and working files of the servers of this run."""
    path = tempfile.mkdtemp(prefix="wst-backends-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _server(request, make, server_dir):
    server = support.fail_on_server_error(make, server_dir)

    def stop():
        support.close_beaker_clients()
        server.stop()
        if request.session.testsfailed:
            print(server.logs())
    request.addfinalizer(stop)
    support.fail_on_server_error(server.start)
    return server


@pytest.fixture(scope="session")
def redis_server(request, server_dir):
    """A redis-server of this run: no persistence, 127.0.0.1 only."""
    return _server(request, servers.redis_server, server_dir)


@pytest.fixture(scope="session")
def memcached_server(request, server_dir):
    """A memcached of this run: TCP on 127.0.0.1 only."""
    return _server(request, servers.memcached_server, server_dir)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_dir):
    """A :class:`support.Store` for each backend, empty at the start of the test."""
    name = request.param
    if name == "file":
        made = support.FileStore(os.path.join(tmp_dir, "sessions"))
    elif name == "redis":
        made = support.RedisStore(request.getfixturevalue("redis_server").url)
    elif name == "memcached":
        made = support.MemcachedStore(request.getfixturevalue("memcached_server").url)
    else:
        made = support.SqliteStore(os.path.join(tmp_dir, "sessions.sqlite"))
    yield made
    made.close()
