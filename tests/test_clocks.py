"""The clocks the tests move for servers in other processes (tests/clocks.py)."""

import os
import subprocess
import sys
import time

import pytest

from wsgi_session_timeout import testing
from wsgi_session_timeout.settings import as_callable

from .clocks import CLOCK_FILE_VARIABLE, ENV_CLOCK, FileClock, env_clock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def offset_file(tmp_dir, monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1000.0)
    return os.path.join(tmp_dir, "offset")


def test_file_clock(offset_file):
    clock = FileClock(offset_file)
    assert clock() == 1000.0 and clock.offset() == 0.0
    clock.advance(60)
    clock.advance(1.5)
    assert FileClock(offset_file)() == 1061.5
    assert sorted(os.listdir(os.path.dirname(offset_file))) == ["offset"]


def test_an_empty_file_is_no_offset(offset_file):
    open(offset_file, "w").close()
    assert FileClock(offset_file)() == 1000.0


def test_env_clock(offset_file, monkeypatch):
    monkeypatch.delenv(CLOCK_FILE_VARIABLE, raising=False)
    assert env_clock() == 1000.0
    monkeypatch.setenv(CLOCK_FILE_VARIABLE, offset_file)
    FileClock(offset_file).advance(30)
    assert env_clock() == 1030.0


def test_the_ini_value_names_env_clock():
    assert as_callable("clock", ENV_CLOCK) is env_clock


def test_a_server_with_the_repository_on_its_path_reads_the_moved_clock(tmp_dir):
    """What every server the tests start does: resolve the ini value in a process of its
    own, started elsewhere, with only PYTHONPATH pointing at the repository."""
    offset_file = os.path.join(tmp_dir, "offset")
    FileClock(offset_file).advance(3600)
    code = ("import time\n"
            "from wsgi_session_timeout.settings import as_callable\n"
            "clock = as_callable('clock', %r)\n"
            "print(int(round(clock() - time.time())))\n" % ENV_CLOCK)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([REPO] + [p for p in [env.get("PYTHONPATH")] if p])
    env[CLOCK_FILE_VARIABLE] = offset_file
    output = subprocess.check_output([sys.executable, "-c", code], cwd=tmp_dir, env=env)
    assert output.decode("ascii").strip() == "3600"


def test_the_library_publishes_no_clock_for_other_processes():
    for name in ("FileClock", "env_clock"):
        assert name not in testing.__all__ and not hasattr(testing, name)
