"""A real Pylons 1.0.3 project, generated fresh for the test run by ``paster create``.

Two projects are made in a temporary directory (nothing generated is committed):

* ``timeoutdemo``: the documented integration. The one line in ``config/middleware.py``
  is changed (``SessionMiddleware(app, config)`` -> ``SessionTimeoutMiddleware(app,
  config)``, with its import), ``examples/pylons/auth.py`` is copied in as the
  ``auth`` controller with its routes, and the settings go into the generated
  ``development.ini`` (and the test clock into ``test.ini``). Pylons' ErrorHandler and
  StatusCodeRedirect stay where the template put them.
* ``plaindemo``: left exactly as generated, for wrapping from outside with a paste
  pipeline.

Both are put on ``sys.path`` (and ``PYTHONPATH`` for ``paster serve``), not installed.
"""
from __future__ import absolute_import

import os
import shutil
import subprocess
import sys

import pytest

from .helpers import SETTINGS, TEST_SETTINGS, paster, start_server

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
EXAMPLE_CONTROLLER = os.path.join(REPO, "examples", "pylons", "auth.py")

# The exact lines of Pylons 1.0.3's template that the README tells users to change.
BEAKER_IMPORT = "from beaker.middleware import SessionMiddleware\n"
BEAKER_LINE = "    app = SessionMiddleware(app, config)\n"
OUR_IMPORT = "from wsgi_session_timeout import SessionTimeoutMiddleware\n"
OUR_LINE = "    app = SessionTimeoutMiddleware(app, config)\n"
ROUTES_ANCHOR = "    # CUSTOM ROUTES HERE\n"
ROUTES = ("    from ..controllers.auth import connect_routes\n"
          "    connect_routes(map)\n")


def _replace_once(path, old, new):
    with open(path) as handle:
        text = handle.read()
    assert text.count(old) == 1, "%s: expected %r exactly once" % (path, old)
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))


class Project(object):
    """A generated Pylons project: ``root`` holds the ini files, ``name`` the package."""

    def __init__(self, workspace, name):
        self.name = name
        self.root = os.path.join(workspace, name)
        self.package = os.path.join(self.root, name)

    def generate(self):
        command = [paster(), "create", "-t", "pylons", "--no-interactive", self.name,
                   "template_engine=mako", "sqlalchemy=false"]
        process = subprocess.Popen(command, cwd=os.path.dirname(self.root),
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output = process.communicate()[0]
        if process.returncode != 0 or not os.path.isdir(self.package):
            pytest.fail("paster create failed (%s):\n%s" % (process.returncode,
                                                            output.decode("utf-8", "replace")))

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def use_session_timeout(self):
        """The documented integration (examples/pylons/README.md)."""
        middleware = os.path.join(self.package, "config", "middleware.py")
        _replace_once(middleware, BEAKER_IMPORT, OUR_IMPORT)
        _replace_once(middleware, BEAKER_LINE, OUR_LINE)
        shutil.copy(EXAMPLE_CONTROLLER, os.path.join(self.package, "controllers", "auth.py"))
        _replace_once(os.path.join(self.package, "config", "routing.py"),
                      ROUTES_ANCHOR, ROUTES_ANCHOR + ROUTES)
        _replace_once(self.path("development.ini"), "beaker.session.secret = somesecret\n",
                      "beaker.session.secret = somesecret\n" + SETTINGS)
        _replace_once(self.path("test.ini"), "use = config:development.ini\n",
                      "use = config:development.ini\n" + TEST_SETTINGS)
        # paster serve picks the port: `paster serve test.ini http_port=NNNN`.
        _replace_once(self.path("test.ini"), "port = 5000\n", "port = %(http_port)s\n")
        # The same app with Pylons' production stack (ErrorMiddleware, and
        # StatusCodeRedirect for 400/401/403/404/500).
        with open(self.path("production.ini"), "w") as handle:
            handle.write("[app:main]\nuse = config:test.ini\nset debug = false\n")


@pytest.fixture(scope="session")
def pylons_workspace(tmpdir_factory):
    return str(tmpdir_factory.mktemp("pylons"))


def _on_path(request, project):
    import pkg_resources

    sys.path.insert(0, project.root)
    # egg:NAME is looked up through pkg_resources: show it the generated .egg-info.
    pkg_resources.working_set.add_entry(project.root)
    request.addfinalizer(lambda: sys.path.remove(project.root))


@pytest.fixture(scope="session")
def pylons_project(request, pylons_workspace):
    """The generated project with the one-line change, the controller and settings."""
    project = Project(pylons_workspace, "timeoutdemo")
    project.generate()
    project.use_session_timeout()
    _on_path(request, project)
    return project


@pytest.fixture(scope="session")
def plain_project(request, pylons_workspace):
    """The generated project, untouched."""
    project = Project(pylons_workspace, "plaindemo")
    project.generate()
    _on_path(request, project)
    return project


@pytest.fixture(scope="session")
def server_clock(request, pylons_workspace):
    """The clock of every app in this run, in-process or served: ``.advance(seconds)``.

    ``session_timeout.clock = tests.clocks:env_clock`` reads its offset from the file
    named by WSGI_SESSION_TIMEOUT_CLOCK_FILE, in this process and in the ``paster serve``
    started with this environment.
    """
    from ..clocks import FileClock

    path = os.path.join(pylons_workspace, "clock-offset")
    old = os.environ.get("WSGI_SESSION_TIMEOUT_CLOCK_FILE")
    os.environ["WSGI_SESSION_TIMEOUT_CLOCK_FILE"] = path

    def restore():
        if old is None:
            os.environ.pop("WSGI_SESSION_TIMEOUT_CLOCK_FILE", None)
        else:
            os.environ["WSGI_SESSION_TIMEOUT_CLOCK_FILE"] = old
    request.addfinalizer(restore)
    return FileClock(path)


@pytest.fixture(scope="session")
def paster_server(request, pylons_project, server_clock):
    """``paster serve test.ini`` of the generated project, on a free port of 127.0.0.1."""
    server = start_server(request, pylons_project, "test.ini", "paster-serve.log")
    server.wait_until_up()
    return server

