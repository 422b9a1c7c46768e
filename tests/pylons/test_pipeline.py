"""The no-code-change route: the generated project, untouched, wrapped from outside by a
paste pipeline with ``egg:wsgi_session_timeout#session_timeout``.

The untouched project runs Beaker's ``SessionMiddleware`` inside itself, and that inner
Beaker replaces ``environ['beaker.session']`` on every request that reaches Pylons. So
no pipeline can work: the middleware must fail loudly and name the one-line fix, never
run with two sessions racing each other.
"""
from __future__ import absolute_import

import time

import pytest

from .helpers import MARKS, start_server

pytestmark = MARKS

FIX = ("replace 'app = SessionMiddleware(app, config)' by "
       "'app = SessionTimeoutMiddleware(app, config)'")

HEAD = """\
[DEFAULT]
debug = true

[server:main]
use = egg:Paste#http
host = 127.0.0.1
port = %(http_port)s

[app:plaindemo]
use = config:development.ini
"""

OWN_BEAKER = HEAD + """
[pipeline:main]
pipeline = session_timeout plaindemo

[filter:session_timeout]
use = egg:wsgi_session_timeout#session_timeout
beaker.session.secret = a long random string
protected_paths = /account
"""

NO_BEAKER = HEAD + """
[pipeline:main]
pipeline = session_timeout plaindemo

[filter:session_timeout]
use = egg:wsgi_session_timeout#session_timeout
protected_paths = /account
"""

OUTER_BEAKER = HEAD + """
[pipeline:main]
pipeline = beaker session_timeout plaindemo

[filter:beaker]
use = egg:Beaker#beaker_session
beaker.session.secret = a long random string

[filter:session_timeout]
use = egg:wsgi_session_timeout#session_timeout
protected_paths = /account
"""


def write_ini(project, name, text):
    with open(project.path(name), "w") as handle:
        handle.write(text)
    return name


def load(project, ini):
    from paste.deploy import loadapp

    return loadapp("config:" + ini, relative_to=project.root)


def test_generated_project_runs_beaker_inside(plain_project):
    from beaker.session import SessionObject
    from webtest import TestApp

    with open(plain_project.path(plain_project.name, "config", "middleware.py")) as handle:
        assert "    app = SessionMiddleware(app, config)\n" in handle.read()
    response = TestApp(load(plain_project, "development.ini")).get("/any/page", status=404)
    # Every request that reaches Pylons gets a session from the app's own Beaker.
    assert isinstance(response.request.environ.get("beaker.session"), SessionObject)


def test_filter_with_its_own_beaker_fails_at_load_naming_the_fix(plain_project):
    ini = write_ini(plain_project, "own-beaker.ini", OWN_BEAKER)
    with pytest.raises(ValueError) as info:
        load(plain_project, ini)
    message = str(info.value)
    assert "A Beaker SessionMiddleware inside the application" in message
    assert "found at start-up" in message
    assert FIX in message


def test_paster_serve_of_that_pipeline_exits_before_listening(request, plain_project):
    ini = write_ini(plain_project, "own-beaker.ini", OWN_BEAKER)
    server = start_server(request, plain_project, ini, "own-beaker-serve.log")
    deadline = time.time() + 60
    while server.process.poll() is None and time.time() < deadline:
        time.sleep(0.05)  # waiting for the process to exit, bounded; no clock is moved
    log = server.log()
    assert server.process.returncode not in (None, 0), log
    assert FIX in log
    assert "serving on" not in log


@pytest.mark.parametrize("name, text", [
    pytest.param("no-beaker.ini", NO_BEAKER, id="filter-without-beaker"),
    pytest.param("outer-beaker.ini", OUTER_BEAKER, id="between-outer-and-inner-beaker"),
])
def test_every_pipeline_around_the_generated_app_fails_at_load(plain_project, name, text):
    """The generated app always runs its own Beaker, which replaces the session on every
    request: no pipeline around it can work, and each says so before serving."""
    ini = write_ini(plain_project, name, text)
    with pytest.raises(ValueError) as info:
        load(plain_project, ini)
    message = str(info.value)
    assert "found at start-up" in message
    assert FIX in message

