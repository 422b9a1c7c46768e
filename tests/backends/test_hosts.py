"""Many workers, two hosts, one Redis.

Two gunicorn instances ("hosts" A and B, on two ports of 127.0.0.1) with two sync
workers each serve ``hosts.ini`` (the middleware running Beaker on ``ext:redis``) from
one redis-server. One browser (one cookie jar: cookies belong to the host name, not the
port) alternates between them. Time is moved with a FileClock that every worker reads
(``clock = tests.clocks:env_clock``; gunicorn's ``--pythonpath`` puts the repository on
``sys.path``).
"""

import http.client
import http.cookiejar
import os
import socket
import urllib.request

import pytest

from bench import servers

from ..clocks import FileClock
from . import support

HERE = os.path.dirname(os.path.abspath(__file__))
IDLE = 600  # as in hosts.ini
XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}


class Reply(servers.Reply):
    @property
    def expires_in(self):
        value = self.headers.get("Session-Expires-In")
        return int(value) if value is not None else None

    @property
    def worker(self):
        return self.headers.get("X-Worker")


class Browser(object):
    """One cookie jar for both hosts; redirects are handed back, bodies read and closed."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = servers.no_redirect_opener(self.jar)

    def request(self, host, path, method="GET", headers=None, cookie=None):
        """``cookie``: send this Cookie header instead of the jar's (a copied cookie)."""
        headers = dict(headers or {})
        data = b"" if method == "POST" else None
        req = urllib.request.Request(host.url + path, data=data, headers=headers,
                                     method=method)
        opener = self.opener
        if cookie is not None:
            req.add_header("Cookie", cookie)
            opener = servers.no_redirect_opener()
        return servers.fetch(opener, req, reply=Reply)

    def cookie_header(self):
        return "; ".join("%s=%s" % (c.name, c.value) for c in self.jar)

    def names(self):
        return sorted(c.name for c in self.jar)


class HeldRequest(object):
    """A request whose headers are not finished yet: a sync worker that accepted it
    waits for the rest, so the host's other requests go to its other worker."""

    def __init__(self, host, path, cookie):
        self.sock = socket.create_connection(("127.0.0.1", host.port), timeout=20)
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: %s\r\n"
                           "X-Requested-With: XMLHttpRequest\r\nConnection: close\r\n"
                           % (path, cookie)).encode("latin-1"))

    def finish(self):
        try:
            self.sock.sendall(b"\r\n")
            reply = http.client.HTTPResponse(self.sock)
            reply.begin()
            return Reply(reply.status, reply.headers, reply.read())
        finally:
            self.sock.close()


@pytest.fixture(scope="module")
def hosts(request, redis_server, server_dir):
    """``(A, B, clock, redis client)``: two gunicorns, two workers each, one Redis (db 1)."""
    url, client = support.redis_db(request, redis_server, 1)
    clock_file = os.path.join(server_dir, "hosts-clock")
    env = dict(os.environ, WSGI_SESSION_TIMEOUT_CLOCK_FILE=clock_file, PYTHONUNBUFFERED="1")
    started = []
    for name in ("host-a", "host-b"):
        server = support.fail_on_server_error(
            servers.gunicorn_server, server_dir, name,
            ["--paste", os.path.join(HERE, "hosts.ini"), "--paste-global",
             "redis_url=%s" % url], env, 2)
        started.append(support.serve(request, server))
    return started[0], started[1], FileClock(clock_file), client


def sign_in(browser, host):
    reply = browser.request(host, "/login", "POST")
    assert reply.status == 200 and reply.expires_in == IDLE, reply
    assert browser.names() == ["beaker.session.id", "beaker.session.id.activity"], browser.names()
    return reply


def me(browser, host, **kwargs):
    return browser.request(host, "/api/me", headers=XHR, **kwargs)


def assert_expired(reply, reason):
    assert reply.status == 401, reply
    assert reply.json["error"] == "session_expired" and reply.json["reason"] == reason, reply
    assert reply.expires_in is None, reply


def test_sign_in_on_one_host_is_seen_by_every_worker_of_both(hosts):
    a, b, clock, _ = hosts
    browser = Browser()
    sign_in(browser, a)
    for host in (b, a):
        held = HeldRequest(host, "/api/me", browser.cookie_header())
        other = me(browser, host)
        first = held.finish()
        for reply in (first, other):
            assert reply.status == 200 and reply.json["user"] == "alice", reply
        assert first.worker != other.worker, "both requests reached one worker"


def test_activity_on_one_host_moves_the_clock_seen_on_the_other(hosts):
    a, b, clock, _ = hosts
    browser = Browser()
    sign_in(browser, a)
    clock.advance(IDLE // 2)
    reply = me(browser, b)  # activity, recorded by B in the activity cookie
    assert reply.status == 200 and reply.expires_in == IDLE, reply
    assert "beaker.session.id.activity=" in reply.headers.get("Set-Cookie", ""), reply
    status = browser.request(a, "/_session/status").json  # not activity itself
    assert IDLE - 5 <= status["idle_expires_in"] <= IDLE, status
    clock.advance(IDLE - 100)  # past the sign-in's idle deadline, not B's activity's
    reply = me(browser, a)
    assert reply.status == 200 and reply.json["user"] == "alice", reply


def test_expiry_is_seen_on_both_hosts(hosts):
    a, b, clock, _ = hosts
    browser = Browser()
    sign_in(browser, b)
    copied = browser.cookie_header()
    clock.advance(IDLE + 1)
    assert_expired(me(browser, a), "idle")
    assert_expired(me(browser, b, cookie=copied), "idle")
    assert_expired(me(browser, b), "idle")


def test_extend_on_one_host_is_seen_on_the_other(hosts):
    a, b, clock, _ = hosts
    browser = Browser()
    sign_in(browser, b)
    clock.advance(IDLE // 2)
    before = browser.request(b, "/_session/status").json
    assert IDLE // 2 - 5 <= before["idle_expires_in"] <= IDLE // 2, before
    reply = browser.request(a, "/_session/extend", "POST", headers=XHR)
    assert reply.status == 200 and reply.json["idle_expires_in"] == IDLE, reply
    after = browser.request(b, "/_session/status").json
    assert IDLE - 5 <= after["idle_expires_in"] <= IDLE, after


def test_sign_out_on_one_host_is_final_on_the_other(hosts):
    a, b, clock, redis = hosts
    browser = Browser()
    sign_in(browser, a)
    copied = browser.cookie_header()
    sid = support.session_id([c.value for c in browser.jar if c.name == support.SESSION_KEY][0])
    assert redis.exists("beaker_cache:%s:session" % sid)
    reply = browser.request(b, "/logout", "POST")
    assert reply.status == 200, reply
    assert browser.names() == [], browser.names()
    assert not redis.exists("beaker_cache:%s:session" % sid)
    reply = me(browser, a)
    assert reply.status == 401 and reply.json["error"] == "login_required", reply
    replayed = me(browser, a, cookie=copied)
    assert replayed.status == 401 and replayed.expires_in is None, replayed
    page = browser.request(a, "/page", cookie=copied)
    assert page.body.endswith(b"user=None"), page


def test_a_revocation_on_one_host_is_seen_by_every_worker_of_both(hosts):
    a, b, clock, redis = hosts
    phone, laptop = Browser(), Browser()
    sign_in(phone, a)
    sign_in(laptop, b)
    copied = phone.cookie_header()
    # (The other tests of this module sign alice in too: hers are ended as well.)
    listed = laptop.request(a, "/api/sessions", headers=XHR).json
    assert len(listed) >= 2 and sum(s["current"] for s in listed) == 1, listed
    ended = laptop.request(b, "/api/end-others", "POST", headers=XHR)
    assert ended.status == 200 and ended.json == {"ended": len(listed) - 1}, ended
    assert len(laptop.request(a, "/api/sessions", headers=XHR).json) == 1
    # Both hosts, several workers each, say why the phone's session ended.
    held = HeldRequest(a, "/api/me", copied)
    on_b = me(phone, b, cookie=copied)
    on_a = held.finish()
    for reply in (on_a, on_b):
        assert_expired(reply, "revoked")
    assert_expired(me(phone, a), "revoked")
    reply = me(phone, a)  # told once: then the browser has forgotten the session
    assert reply.status == 401 and reply.json["error"] == "login_required", reply
    for host in (a, b):
        assert me(laptop, host).json["user"] == "alice"
