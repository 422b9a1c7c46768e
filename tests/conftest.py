import shutil
import tempfile

import pytest
from webtest import TestApp

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps


def _importable(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True


# Suites for one stack are collected only where that stack is installed; each has its own
# stage in scripts/test (a missing stack there is an error, never a skip).
collect_ignore = []
if not _importable("pylons"):
    collect_ignore.append("pylons")


@pytest.fixture
def clock(session_clock):
    """The clock the tests move by hand (the plugin's ``session_clock``)."""
    return session_clock


@pytest.fixture(params=["memory", "file"])
def backend(request):
    """Beaker settings for a real backend; the file backend in a fresh directory."""
    config = {"beaker.session.type": request.param, "beaker.session.secret": "s3cret"}
    if request.param == "file":
        tmp = tempfile.mkdtemp(prefix="wst-sessions-")
        request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
        config["beaker.session.data_dir"] = tmp
    return config


@pytest.fixture
def memory():
    return {"beaker.session.type": "memory", "beaker.session.secret": "s3cret"}


@pytest.fixture
def make(clock, backend):
    """make(**options) -> a WebTest TestApp over the middleware running Beaker itself."""
    def make(app=apps.app, config=None, **options):
        options.setdefault("clock", clock)
        middleware = SessionTimeoutMiddleware(app, dict(backend, **(config or {})), **options)
        return TestApp(middleware, lint=True)
    return make


XHR = {"X-Requested-With": "XMLHttpRequest"}
FETCH = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
HTMX = {"HX-Request": "true"}
API = {"Accept": "application/json"}
NAV = {"Sec-Fetch-Mode": "navigate", "Accept": "text/html"}
