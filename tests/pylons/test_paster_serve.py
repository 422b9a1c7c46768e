"""The same project run by a real ``paster serve test.ini`` (Paste's HTTP server, another
process) on 127.0.0.1, driven over HTTP with urllib2 and a cookie jar. The server's
clock is moved through the clock file; nothing sleeps to make time pass."""
from __future__ import absolute_import

import json

from .helpers import (IDLE, MARKS, NAV, XHR, check_expires_in, check_problem)

pytestmark = MARKS


class Client(object):
    """A browser-ish HTTP client: keeps cookies, never follows redirects."""

    def __init__(self, base_url):
        import cookielib
        import urllib2

        class NoRedirects(urllib2.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base_url = base_url
        self.jar = cookielib.CookieJar()
        self.opener = urllib2.build_opener(urllib2.HTTPCookieProcessor(self.jar), NoRedirects)

    def request(self, path, data=None, headers=None):
        """``(status, headers, body)``; headers as a dict with lower-case names."""
        import urllib
        import urllib2

        body = urllib.urlencode(data) if data is not None else None
        request = urllib2.Request(self.base_url + path, body, dict(headers or {}))
        try:
            response = self.opener.open(request, timeout=30)
        except urllib2.HTTPError as error:
            response = error
        try:
            headers = dict((name.lower(), value) for name, value in response.info().items())
            return response.code, headers, response.read()
        finally:
            response.close()

    def cookie(self, name):
        for cookie in self.jar:
            if cookie.name == name:
                return cookie.value
        return None

    def sign_in(self, name, came_from="/account"):
        status, headers, _ = self.request("/login", {"name": name, "came_from": came_from})
        assert status == 303, (status, headers)
        assert headers["location"].endswith(came_from)


def test_served_sign_in_expiry_and_answers(paster_server, server_clock):
    client = Client(paster_server.url)
    status, headers, body = client.request("/account/data", headers=XHR)
    check_problem(status, headers, body, "login_required")
    assert headers["server"].startswith("PasteWSGIServer")

    client.sign_in("bob")
    status, headers, body = client.request("/account", headers=NAV)
    assert (status, body) == (200, b"Hello bob, visit 1 (theme: -)")
    check_expires_in(headers, IDLE)

    status, headers, body = client.request("/account/data", headers=XHR)
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body.decode("utf-8")) == {"user": "bob", "visits": 1, "theme": None}

    server_clock.advance(IDLE + 1)
    status, headers, body = client.request("/account/data", headers=XHR)
    assert check_problem(status, headers, body, "session_expired")["reason"] == "idle"

    status, headers, _ = client.request("/account", headers=NAV)
    assert status == 302
    assert headers["location"] == "/login?came_from=%2Faccount"

    status, _, body = client.request("/login?came_from=%2Faccount", headers=NAV)
    assert status == 200 and b'name="came_from" value="/account"' in body
    client.sign_in("bob", came_from="/account")
    status, _, body = client.request("/account", headers=NAV)
    assert (status, body) == (200, b"Hello bob, visit 1 (theme: -)")


def test_served_sign_out(paster_server):
    client = Client(paster_server.url)
    client.sign_in("carol")
    assert client.request("/account/data", headers=XHR)[0] == 200

    status, headers, _ = client.request("/logout", {})
    assert status == 303 and headers["location"].endswith("/login")
    assert client.cookie("timeoutdemo") is None  # the browser was told to drop it

    status, headers, body = client.request("/account/data", headers=XHR)
    check_problem(status, headers, body, "login_required")
    status, headers, _ = client.request("/account", headers=NAV)
    assert (status, headers["location"]) == (302, "/login?came_from=%2Faccount")
