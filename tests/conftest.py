import os
import shutil
import sys
import tempfile

import pytest
from webtest import TestApp

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps


# The suites, and what each needs: the core runs anywhere the library's test
# requirements are installed; the others need a stack (real servers, stores, a browser,
# Pylons) and have their own tox environments (tox.ini). WST_SUITES names the suites to
# collect (comma-separated, or "all"); a suite named there whose stack is missing is an
# error, never a skip. Without WST_SUITES every suite whose Python packages are installed
# is collected, and the run's header names the others and how to install them; under CI
# (CI=true) or WST_REQUIRE_ALL_STACKS=1 a missing one is an error there too.
SUITE_PATHS = {
    "servers": ["servers/test_apache.py", "servers/test_bottle_app.py",
                "servers/test_paste_ini.py", "servers/test_servers.py"],
    "backends": ["backends"],
    "browser": ["browser"],
    "pylons": ["pylons"],
}
SUITE_NEEDS = {  # (Python modules, how to install them, the interpreters it runs on)
    "servers": (("gunicorn", "waitress", "bottle", "paste.deploy"),
                "tox -e py311-servers (or pip install -r requirements/servers.txt)", 3),
    "backends": (("redis", "memcache", "sqlalchemy", "gunicorn"),
                 "tox -e py311-backends (or pip install -r requirements/backends.txt)", 3),
    "browser": (("playwright",),
                "tox -e py311-browser (or pip install -r requirements/browser.txt; "
                "scripts/setup-browser as root)", 3),
    "pylons": (("pylons",), "tox -e pylons (scripts/test-pylons)", 2),
}
SUITES = ("core",) + tuple(sorted(SUITE_PATHS))


def _missing(suite):
    """The first Python module ``suite`` needs that does not import here, or None."""
    for name in SUITE_NEEDS[suite][0]:
        try:
            __import__(name)
        except ImportError:
            return name
    return None


def _choose_suites():
    """(suites to collect, [(suite, missing module)] not collected, error or None)."""
    wanted = os.environ.get("WST_SUITES", "").replace(" ", "")
    strict = bool(wanted) or os.environ.get("WST_REQUIRE_ALL_STACKS") == "1" or \
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
    if wanted == "all" or not wanted:
        # A suite that is not here at all (the sdist ships the core suite only) is not
        # asked for.
        here = os.path.dirname(os.path.abspath(__file__))
        names = [suite for suite in SUITES if suite == "core" or (
            SUITE_NEEDS[suite][2] == sys.version_info[0] and
            os.path.exists(os.path.join(here, SUITE_PATHS[suite][0])))]
    else:
        names = wanted.split(",")
        unknown = [name for name in names if name not in SUITES]
        if unknown:
            return (), [], "WST_SUITES: unknown suite %r (known: %s)" % (
                unknown[0], ", ".join(SUITES))
    chosen, left_out = [], []
    for suite in names:
        module = None if suite == "core" else _missing(suite)
        if module is None:
            chosen.append(suite)
        else:
            left_out.append((suite, module))
    if strict and left_out:
        return chosen, left_out, "\n".join(
            "tests/%s: cannot import %s; install it with %s" % (
                suite, module, SUITE_NEEDS[suite][1]) for suite, module in left_out)
    return chosen, left_out, None


SELECTED, NOT_COLLECTED, SELECTION_ERROR = _choose_suites()
collect_ignore = [path for suite, paths in sorted(SUITE_PATHS.items())
                  if suite not in SELECTED for path in paths]
if "core" not in SELECTED:
    collect_ignore += [name for name in os.listdir(os.path.dirname(__file__))
                       if name.startswith("test_") and name.endswith(".py")]
    collect_ignore.append("servers/test_bare_wsgi.py")


def pytest_configure(config):
    if SELECTION_ERROR:
        raise pytest.UsageError(SELECTION_ERROR)


def pytest_report_header(config):
    lines = ["suites: %s" % ", ".join(SELECTED)]
    lines += ["not collected: tests/%s (cannot import %s; %s)" % (
        suite, module, SUITE_NEEDS[suite][1]) for suite, module in NOT_COLLECTED]
    return lines


def pytest_terminal_summary(terminalreporter):
    for suite, module in NOT_COLLECTED:
        terminalreporter.write_line(
            "NOT COLLECTED: tests/%s (cannot import %s; %s)" % (
                suite, module, SUITE_NEEDS[suite][1]), yellow=True)


@pytest.fixture
def tmp_dir():
    """A fresh directory, removed afterwards."""
    path = tempfile.mkdtemp(prefix="wst-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def fresh_memory_store():
    """Beaker's memory store lives as long as the process: the test starts and ends it
    empty."""
    from beaker.container import MemoryNamespaceManager
    MemoryNamespaceManager.namespaces.clear()
    yield
    MemoryNamespaceManager.namespaces.clear()


class Recorder(object):
    """An ``on_event`` hook that keeps what it is told."""

    def __init__(self):
        self.events = []

    def __call__(self, event):
        self.events.append(event)

    def kinds(self):
        return [e.kind for e in self.events]

    def of(self, kind):
        return [e for e in self.events if e.kind == kind]


@pytest.fixture
def recorder():
    return Recorder()


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
