"""The demo app (examples/bare_wsgi.py) under real servers: gunicorn (from the PasteDeploy
configs, one and several workers), waitress, uWSGI (several processes), wsgiref (the
script itself) and scripts/demo. Each tells the same story (support.check_expiry)."""

import html
import os
import re
import subprocess
import sys

import pytest

from ..clocks import ENV_CLOCK
from .support import (
    EXAMPLES, NAV, REPO, Client, Server, _path, check_expiry, demo_env, free_port, serve,
    venv_tool)


def gunicorn(request, tmp_dir, clock_file, ini, workers):
    port = free_port()
    argv = [
        venv_tool("gunicorn"), "--paste", os.path.join(EXAMPLES, ini),
        # The examples for bare_wsgi, the repository for the clock (tests.clocks).
        "--pythonpath", "%s,%s" % (EXAMPLES, REPO), "--bind", "127.0.0.1:%d" % port,
        "--workers", str(workers), "--graceful-timeout", "5",
        # [DEFAULT] values replaced at start-up: the sessions' place and the clock.
        "--paste-global", "data_dir=%s" % os.path.join(tmp_dir, "sessions"),
        "--paste-global", "clock=" + ENV_CLOCK,
    ]
    if _has_control_socket():
        # Newer gunicorn opens a control socket in ~/.gunicorn: one per server here.
        argv += ["--control-socket", os.path.join(tmp_dir, "gunicorn.ctl")]
    return serve(request, Server("gunicorn", argv, port, tmp_dir,
                                 env=demo_env(tmp_dir, clock_file)))


def _has_control_socket():
    from gunicorn.config import KNOWN_SETTINGS
    return any(setting.name == "control_socket" for setting in KNOWN_SETTINGS)


@pytest.mark.parametrize("ini, workers", [
    pytest.param("paste.ini", 1, id="paste.ini-1-worker"),
    pytest.param("paste.ini", 3, id="paste.ini-3-workers"),
    pytest.param("beaker_outside.ini", 3, id="beaker_outside.ini-3-workers"),
])
def test_gunicorn_paste(request, tmp_dir, clock, clock_file, ini, workers):
    server = gunicorn(request, tmp_dir, clock_file, ini, workers)
    check_expiry(server, clock)
    assert os.listdir(os.path.join(tmp_dir, "sessions"))


def test_gunicorn_refuses_a_broken_ini(tmp_dir):
    with open(os.path.join(EXAMPLES, "paste.ini")) as handle:
        text = handle.read()
    path = os.path.join(tmp_dir, "broken.ini")
    with open(path, "w") as handle:
        handle.write(text.replace("idle_timeout = 30", "idle_timeout = 30s"))
    argv = [venv_tool("gunicorn"), "--paste", path, "--pythonpath", EXAMPLES, "--preload",
            "--bind", "127.0.0.1:%d" % free_port()]
    if _has_control_socket():
        argv += ["--control-socket", os.path.join(tmp_dir, "gunicorn.ctl")]
    result = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, cwd=REPO, timeout=60)
    output = result.stdout.decode("utf-8", "replace")
    assert result.returncode != 0, output
    assert "idle_timeout: expected a whole number (got '30s')" in output, output


def test_waitress(request, tmp_dir, clock, clock_file):
    port = free_port()
    argv = [venv_tool("waitress-serve"), "--listen=127.0.0.1:%d" % port,
            "bare_wsgi:application"]
    server = serve(request, Server("waitress", argv, port, tmp_dir,
                                   env=demo_env(tmp_dir, clock_file), cwd=EXAMPLES))
    check_expiry(server, clock)


def test_waitress_mounted_under_a_prefix(request, tmp_dir, clock, clock_file):
    port = free_port()
    argv = [venv_tool("waitress-serve"), "--listen=127.0.0.1:%d" % port,
            "--url-prefix=/demo", "bare_wsgi:application"]
    server = serve(request, Server("waitress", argv, port, tmp_dir,
                                   env=demo_env(tmp_dir, clock_file), cwd=EXAMPLES,
                                   probe_path="/demo/"))
    check_expiry(server, clock, prefix="/demo")


def test_uwsgi(request, tmp_dir, clock, clock_file):
    port = free_port()
    argv = [
        venv_tool("uwsgi"), "--strict", "--master", "--processes", "3", "--need-app",
        "--die-on-term", "--http-socket", "127.0.0.1:%d" % port,
        "--home", sys.prefix, "--wsgi-file", os.path.join(EXAMPLES, "bare_wsgi.py"),
    ]
    server = serve(request, Server("uwsgi", argv, port, tmp_dir,
                                   env=demo_env(tmp_dir, clock_file)))
    check_expiry(server, clock)


def demo_server(name, argv, port, tmp_dir, clock_file, start_timeout=30):
    return Server(name, argv, port, tmp_dir, env=demo_env(tmp_dir, clock_file),
                  start_timeout=start_timeout)


def test_bare_wsgi_script(request, tmp_dir, clock, clock_file):
    port = free_port()
    server = serve(request, demo_server(
        "bare_wsgi", [sys.executable, os.path.join(EXAMPLES, "bare_wsgi.py"), str(port)],
        port, tmp_dir, clock_file))
    check_expiry(server, clock)
    with open(server.log_path) as handle:
        assert "http://127.0.0.1:%d/" % port in handle.read()


def test_scripts_demo(request, tmp_dir, clock, clock_file):
    """``make demo``: scripts/demo prepares its venv (made already here, so this is
    quick) and serves the demo; DEMO_PORT moves it off 8080."""
    port = free_port()
    # On a fresh machine scripts/venv installs packages first: allow for it.
    server = demo_server("demo", [os.path.join(REPO, "scripts", "demo")], port, tmp_dir,
                         clock_file, start_timeout=300)
    server.env["DEMO_PORT"] = str(port)
    serve(request, server)
    reply = Client(server.url).get("/", headers=NAV)
    assert reply.status == 200 and "Session timeout demo" in reply.text, reply
    check_expiry(server, clock)


def test_a_form_posted_into_an_ended_session_is_sent_after_sign_in(
        request, tmp_dir, clock, clock_file):
    """The form is kept in the file store by one worker and offered back by whichever
    worker serves the page after sign-in (gunicorn, three workers, no client script)."""
    server = gunicorn(request, tmp_dir, clock_file, "paste.ini", 3)
    client = Client(server.url)
    form_post = dict(NAV, Origin=server.url, **{"Sec-Fetch-Site": "same-origin",
                                                "Sec-Fetch-Mode": "navigate"})
    reply = client.post("/login", {"name": "alice", "came_from": "/account"})
    assert reply.status in (302, 303), reply
    clock.advance(31)

    note = "Typed before the session ended: <b>bold</b> & \u00fcml\u00e4uts\r\nline two"
    reply = client.post("/account", {"note": note}, headers=form_post)
    assert reply.status == 303, reply
    assert _path(reply.headers["Location"]) == "/login?came_from=%2Faccount"
    assert "beaker.session.id.held" in client.cookie_names()

    client.post("/login", {"name": "alice", "came_from": "/account"})
    page = client.get("/account", headers=NAV)
    assert page.status == 200 and "Send your form again?" in page.text, page
    assert page.headers["Cache-Control"] == "no-store"
    assert "beaker.session.id.held" not in client.cookie_names()
    fields = [(html.unescape(k), html.unescape(v)) for k, v in re.findall(
        r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page.text)]
    assert fields == [("note", note)]

    reply = client.post("/account", fields, headers=form_post)
    assert reply.status == 200, reply
    assert "Note saved: <q>%s</q>" % html.escape(note) in reply.text
    assert "Send your form again?" not in client.get("/account", headers=NAV).text
