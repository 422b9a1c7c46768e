"""The smoke test of an installed sdist or wheel (run by scripts/check-dist from an empty
directory, with warnings as errors, on Python 2.7 and 3.13): the package imports from
site-packages with its client script, wraps a tiny app, and answers through WebTest."""
from __future__ import print_function

import os
import sys

import webtest

import wsgi_session_timeout
from wsgi_session_timeout import SessionTimeoutMiddleware, login


def app(environ, start_response):
    if environ["PATH_INFO"] == "/login":
        login(environ, "alice")
    body = ("hello %s" % environ["beaker.session"].get("user")).encode("ascii")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def main():
    here = os.path.dirname(os.path.abspath(wsgi_session_timeout.__file__))
    assert "site-packages" in here, here
    assert os.path.isfile(os.path.join(here, "static", "src", "00-head.js")), here
    testapp = webtest.TestApp(SessionTimeoutMiddleware(
        app, {"beaker.session.type": "memory", "beaker.session.secret": "smoke"},
        protected_paths=["/account"]), lint=True)
    page = testapp.get("/account", headers={"Accept": "text/html"}, status=302)
    assert "/login?came_from=%2Faccount" in page.headers["Location"], page.headers
    script = testapp.get("/account", headers={"X-Requested-With": "XMLHttpRequest"},
                         status=401)
    assert script.json["error"] == "login_required", script.json
    testapp.get("/login")
    assert testapp.get("/account").text == "hello alice"
    client = testapp.get("/_session/client.js")
    assert "SessionTimeout" in client.text
    print("smoke test passed: Python %s, %s" % (sys.version.split()[0], here))


if __name__ == "__main__":
    main()
