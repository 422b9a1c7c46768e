"""Clocks the tests move for servers running in other processes.

A server's middleware reads ``clock = tests.clocks:env_clock`` (an ini value, gunicorn's
``--paste-global clock=...``, the demo apps' ``DEMO_CLOCK``); the test moves it with
``FileClock(path).advance(seconds)``, where ``path`` is the file the server's environment
names in ``WSGI_SESSION_TIMEOUT_CLOCK_FILE``. Time is moved, never waited for.

These are the tests' own tools, not the library's: in-process tests use
:class:`wsgi_session_timeout.testing.ManualClock` or ``freeze_clock``. A server that
names ``tests.clocks:env_clock`` needs the repository's root on its ``sys.path``
(``PYTHONPATH``, gunicorn's ``--pythonpath``, mod_wsgi's ``python-path``).

Only the standard library, for Python 2.7 and 3 alike: Debian's Python under Apache and
Pylons' ``paster serve`` on 2.7 import this module too.
"""

from __future__ import absolute_import

import os
import time

__all__ = ["CLOCK_FILE_VARIABLE", "ENV_CLOCK", "FileClock", "env_clock"]

#: The environment variable that names the offset file :func:`env_clock` reads.
CLOCK_FILE_VARIABLE = "WSGI_SESSION_TIMEOUT_CLOCK_FILE"

#: :func:`env_clock` as an ini value or ``DEMO_CLOCK`` names it.
ENV_CLOCK = "tests.clocks:env_clock"


class FileClock(object):
    """A clock whose offset from the real time lives in a file, so a test can move the
    time of servers running in other processes: ``time.time() + <seconds in the file>``.

    :param path: the offset file; a missing or empty file means no offset.
    """

    def __init__(self, path):
        self.path = path

    def offset(self):
        """The current offset in seconds."""
        try:
            with open(self.path) as handle:
                text = handle.read().strip()
        except (IOError, OSError):
            return 0.0
        return float(text) if text else 0.0

    def advance(self, seconds):
        """Move the clock forward by ``seconds`` (written atomically)."""
        offset = self.offset() + seconds
        tmp = "%s.%d.tmp" % (self.path, os.getpid())
        with open(tmp, "w") as handle:
            handle.write(repr(offset))
        os.rename(tmp, self.path)

    def __call__(self):
        return time.time() + self.offset()


def env_clock():
    """A clock for ini files and servers: ``clock = tests.clocks:env_clock``.

    Reads its offset from the file named by ``WSGI_SESSION_TIMEOUT_CLOCK_FILE``; without
    that variable it is ``time.time``.
    """
    path = os.environ.get(CLOCK_FILE_VARIABLE)
    return FileClock(path)() if path else time.time()
