"""Fixtures for the server tests.

The servers (requirements/servers.txt) are installed for Python 3 only; on Python 2.7
only the demo app's own WebTest tests (test_bare_wsgi.py) run, so that the example is
known to work there too.
"""

import os
import sys
import tempfile
import shutil

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "examples")

# The examples are scripts, not a package: import them as their servers do.
if EXAMPLES not in sys.path:
    sys.path.insert(0, EXAMPLES)

if sys.version_info[0] == 2:
    collect_ignore = ["support.py", "test_apache.py", "test_bottle_app.py",
                      "test_paste_ini.py", "test_servers.py"]


@pytest.fixture
def tmp_dir():
    """A fresh directory, removed afterwards (tmp_path's parents are private to root,
    and Apache's www-data must be able to enter this one)."""
    path = tempfile.mkdtemp(prefix="wst-servers-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def clock_file(tmp_dir):
    """The offset file of the servers' clock; move it with FileClock(clock_file)."""
    return os.path.join(tmp_dir, "clock")


@pytest.fixture
def clock(clock_file):
    """The FileClock the servers read (``DEMO_CLOCK = tests.clocks:env_clock``)."""
    from ..clocks import FileClock
    return FileClock(clock_file)
