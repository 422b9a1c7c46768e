"""Beaker's own SessionMiddleware tests, run through SessionTimeoutMiddleware.

The adapter is one line (in :func:`ours`): each test module's ``SessionMiddleware`` is
rebound to ``SessionTimeoutMiddleware`` for the test. The modules are Beaker's files as
they are (see README.md); what this file adds is listed in ``INTENDED`` and ``HARNESS``,
each with its reason, and a test fails if a listed difference goes away.
"""

import sys
import time as real_time
import types
import warnings

import beaker.session
import pytest
from beaker.exceptions import BeakerWarning

from wsgi_session_timeout import SessionTimeoutMiddleware

SECRET = "a long random string"
NO_SECRET = "beaker.session.secret is required"

# Beaker's tests that use its Session classes directly, not SessionMiddleware: nothing of
# the middleware is in them, so they are not collected here (Beaker's CI runs them).
NOT_MIDDLEWARE = frozenset([
    "test_cookie_expires.py::test_cookie_exprires_2",
    "test_cookie_expires.py::test_cookie_expires_different_locale",
    "test_cookie_expires.py::test_set_cookie_expires",
    "test_cookie_expires.py::test_cookiesession_expires_values",
])

# Tests that configure no secret: the middleware refuses to start (intended, README:
# "a secret is required"). Each runs twice over: the unmodified configuration must be
# refused with that message, then the test must pass with the README's one-line fix.
INTENDED = {
    "test_cookie_only.py::test_invalid_cookie": NO_SECRET,
    "test_cookie_domain_only.py::test_cookie_attributes_are_preserved": NO_SECRET,
    "test_cookie_expires.py::test_cookie_expires": NO_SECRET,
}

# Beaker's tests assume warnings are warnings and time passes; this suite turns warnings
# into errors and never sleeps.
HARNESS = {
    # time.sleep(1) to pass Beaker's session timeout: the clock is moved instead.
    "test_cookie_only.py::test_cookie_properly_expires": "moves-time",
}

# Warnings Beaker's tests cause, asserted instead of failing the test.
WARNS = {
    # Beaker warns when it replaces a cookie it cannot decrypt.
    "test_cookie_only.py::test_changing_encrypt_key_with_timeout":
        (BeakerWarning, "Invalidating corrupt session"),
}
if sys.version_info >= (3, 13):
    # The test calls re.sub(pattern, repl, string, re.M): Python 3.13 warns that the
    # flag is taken as the count.
    WARNS["test_increment.py::test_load_session_by_id"] = (
        DeprecationWarning, "'count' is passed as positional argument")

collect_ignore = []
if sys.version_info[0] == 2:
    # Python 3 syntax (a comma after **options); its middleware test runs on Python 3,
    # and tests/test_beaker_config.py checks the same table against Beaker on both.
    collect_ignore.append("test_cookie_expires.py")


def _name(item):
    return "%s::%s" % (item.fspath.basename, item.name)


def pytest_collection_modifyitems(config, items):
    deselected = [item for item in items if _name(item) in NOT_MIDDLEWARE]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if _name(item) not in NOT_MIDDLEWARE]


@pytest.fixture(autouse=True)
def ours(request, monkeypatch, tmpdir):
    monkeypatch.chdir(str(tmpdir))  # Beaker's file-store tests write to ./cache
    name = _name(request.node)
    if name in INTENDED:
        monkeypatch.setattr(request.module, "SessionMiddleware", _with_secret(INTENDED[name]))
    else:
        monkeypatch.setattr(request.module, "SessionMiddleware", SessionTimeoutMiddleware)
    kind = HARNESS.get(name)
    if kind == "moves-time":
        clock = _Clock()
        monkeypatch.setattr(beaker.session, "time", clock)
        monkeypatch.setattr(request.module, "time", clock)
    if name in WARNS:
        category, text = WARNS[name]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", category)
            yield
        assert any(issubclass(w.category, category) and text in str(w.message)
                   for w in caught), [str(w.message) for w in caught]
        return
    yield


def _with_secret(message):
    def middleware(app, config=None, environ_key="beaker.session", **kwargs):
        with pytest.raises(ValueError) as refused:
            SessionTimeoutMiddleware(app, config, environ_key, **kwargs)
        assert message in str(refused.value)
        config = dict(config or {}, **{"beaker.session.secret": SECRET})
        return SessionTimeoutMiddleware(app, config, environ_key, **kwargs)
    return middleware


class _Clock(types.ModuleType):
    """Stands in for the ``time`` module of Beaker's session code and of the test:
    ``sleep`` moves the clock instead of waiting."""

    def __init__(self):
        types.ModuleType.__init__(self, str("time"))
        self.offset = 0.0

    def time(self):
        return real_time.time() + self.offset

    def sleep(self, seconds):
        self.offset += seconds

    def __getattr__(self, name):
        return getattr(real_time, name)
