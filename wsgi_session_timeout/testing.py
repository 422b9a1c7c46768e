"""Helpers for testing applications that use the middleware.

Time is moved, never waited for: give the middleware a clock you control.
"""

import os
import time


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
    """A clock for ini files and servers: ``clock = wsgi_session_timeout.testing:env_clock``.

    Reads its offset from the file named by ``WSGI_SESSION_TIMEOUT_CLOCK_FILE``; without
    that variable it is ``time.time``.
    """
    path = os.environ.get("WSGI_SESSION_TIMEOUT_CLOCK_FILE")
    return FileClock(path)() if path else time.time()
