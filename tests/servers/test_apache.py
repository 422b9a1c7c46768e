"""The demo app under Apache + mod_wsgi (examples/apache/), in daemon mode with two
processes, mounted at /demo. Needs root (Apache switches to www-data) and the Debian
packages of scripts/setup-system."""

import os
import shutil
import subprocess

import pytest

from .support import (
    REPO, SETUP_HINT, Client, Server, check_expiry, copy_tree, demo_env, free_port,
    serve, system_tool)

APACHE = "/usr/sbin/apache2"
MOD_WSGI = "/usr/lib/apache2/modules/mod_wsgi.so"
SYSTEM_PYTHON = "/usr/bin/python3"


def check_system():
    system_tool(APACHE)
    if not os.path.exists(MOD_WSGI):
        pytest.fail("%s is missing (libapache2-mod-wsgi-py3): %s" % (MOD_WSGI, SETUP_HINT))
    # Debian's mod_wsgi runs Debian's Python: the app's dependencies must be there.
    found = subprocess.run([system_tool(SYSTEM_PYTHON), "-c", "import webob, beaker"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if found.returncode != 0:
        pytest.fail("%s cannot import webob and beaker (python3-webob, python3-beaker): "
                    "%s\n%s" % (SYSTEM_PYTHON, SETUP_HINT, found.stdout.decode()))
    if os.geteuid() != 0:
        pytest.fail("the Apache test runs Apache as root (it switches to www-data)")


@pytest.fixture
def apache(request, tmp_dir, clock_file):
    check_system()
    # www-data must read the code and write the sessions; the checkout may sit in a
    # directory it cannot enter, so the test serves a copy: the library, the examples,
    # and the clock DEMO_CLOCK names (tests/clocks.py), all under the python-path of
    # examples/apache/demo-site.conf (DEMO_REPO).
    repo = os.path.join(tmp_dir, "repo")
    copy_tree(os.path.join(REPO, "wsgi_session_timeout"),
              os.path.join(repo, "wsgi_session_timeout"))
    copy_tree(os.path.join(REPO, "examples"), os.path.join(repo, "examples"))
    os.mkdir(os.path.join(repo, "tests"))
    for name in ("__init__.py", "clocks.py"):
        shutil.copy(os.path.join(REPO, "tests", name), os.path.join(repo, "tests", name))
    run_dir = os.path.join(tmp_dir, "run")
    docroot = os.path.join(tmp_dir, "htdocs")
    sessions = os.path.join(tmp_dir, "sessions")
    for path in (run_dir, docroot, sessions):
        os.mkdir(path)
    shutil.chown(sessions, "www-data", "www-data")
    with open(os.path.join(docroot, "index.html"), "w") as handle:
        handle.write("<!DOCTYPE html><title>static</title><p>Apache's own page</p>\n")
    with open(clock_file, "w") as handle:
        handle.write("0")
    os.chmod(clock_file, 0o644)

    port = free_port()
    env = demo_env(tmp_dir, clock_file, DEMO_PORT=str(port), DEMO_REPO=repo,
                   DEMO_RUN_DIR=run_dir, DEMO_DOCROOT=docroot, DEMO_DATA_DIR=sessions)
    # The daemons import from the copy, through python-path alone.
    env.pop("PYTHONPATH", None)
    conf = os.path.join(repo, "examples", "apache", "httpd.conf")
    checked = subprocess.run([APACHE, "-f", conf, "-t"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT)
    assert checked.returncode == 0, checked.stdout.decode("utf-8", "replace")
    server = Server("apache", [APACHE, "-f", conf, "-DFOREGROUND"], port, tmp_dir, env=env,
                    probe_path="/demo/",
                    extra_logs=[os.path.join(run_dir, "error.log"),
                                os.path.join(run_dir, "access.log")])
    return serve(request, server)


def test_apache_mod_wsgi(apache, clock):
    reply = Client(apache.url).get("/")
    assert reply.status == 200 and "Apache's own page" in reply.text, reply
    assert "mod_wsgi" in reply.headers["Server"]
    check_expiry(apache, clock, prefix="/demo")
    with open(os.path.join(os.path.dirname(apache.log_path), "run", "error.log")) as handle:
        log = handle.read()
    assert log.count("Starting process 'session-demo'") >= 2, log
