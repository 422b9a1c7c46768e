"""A small application for the tests, written as legacy apps are: plain WSGI, Beaker's
session from the environ, ``login``/``logout`` from the middleware; and the session
pages the tests' other legacy apps share with it (:func:`cart`,
:func:`sign_out_in_the_session`)."""

import hashlib
import hmac
import json

from wsgi_session_timeout import login, logout

TEXT = [("Content-Type", "text/plain; charset=utf-8")]


class Closing(object):
    """An iterable that records how often it was closed."""

    def __init__(self, chunks, log):
        self.chunks = chunks
        self.log = log

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        self.log.append("closed")


def signed_cookie_value(secret, session_id):
    """The value of Beaker's session cookie for ``session_id`` signed with ``secret``
    (``SignedCookie.value_encode``): HMAC-SHA1 in hex, then the id."""
    return hmac.new(secret.encode("utf-8"), session_id.encode("ascii"),
                    hashlib.sha1).hexdigest() + session_id


def app(environ, start_response):
    """Routes by PATH_INFO. ``environ['test.log']``, when given, collects close() calls."""
    path = environ.get("PATH_INFO", "")
    method = environ.get("REQUEST_METHOD", "GET")
    session = environ["beaker.session"]
    log = environ.get("test.log", [])

    def text(body, status="200 OK", headers=()):
        start_response(status, TEXT + list(headers))
        return Closing([body.encode("utf-8")], log)

    if path == "/login" and method == "POST":
        login(environ, environ.get("test.user", "alice"))
        return text("signed in")
    if path == "/login" and environ.get("QUERY_STRING") == "failed":
        return text("wrong password", "401 Unauthorized")
    if path == "/login":
        return text("login page; query=%s" % environ.get("QUERY_STRING", ""))
    if path == "/logout":
        logout(environ)
        return text("signed out")
    if path == "/legacy-login":
        session["user"] = "legacy"
        session.save()
        return text("legacy signed in")
    if path == "/legacy-logout":
        sign_out_in_the_session(session, "del")
        return text("legacy signed out")
    if path in ("/put", "/get"):
        return cart(path, environ, text)
    if path == "/needs-login" or path == "/public/needs-login":
        if session.get("user") is None:
            return text("please sign in", "401 Unauthorized")
        return text("secret for %s" % session["user"])
    if path == "/always-401":
        return text("not for you", "401 Unauthorized")
    if path == "/basic-auth":
        return text("basic", "401 Unauthorized", [("WWW-Authenticate", 'Basic realm="x"')])
    if path == "/stream":
        return _stream(environ, start_response, log)
    if path == "/stream-401":
        return _stream(environ, start_response, log, "401 Unauthorized")
    if path == "/write":
        write = start_response("200 OK", TEXT)
        write(b"written ")
        return Closing([b"and returned"], log)
    if path == "/boom":
        try:
            raise ValueError("boom")
        except ValueError:
            import sys
            start_response("500 Internal Server Error", TEXT, sys.exc_info())
        return Closing([b"error page"], log)
    if path.startswith("/api/"):
        start_response("200 OK", [("Content-Type", "application/json")])
        return Closing([json.dumps({"user": session.get("user")}).encode("ascii")], log)
    return text("page %s user=%s" % (path, session.get("user")))


def cart(path, environ, text):
    """``/put?<cart>`` keeps the query string in the session as the cart (``put``);
    ``/get`` shows the cart and the user. ``text(body)`` makes the answer."""
    session = environ["beaker.session"]
    if path == "/put":
        session["cart"] = environ.get("QUERY_STRING", "")
        session.save()
        return text("put")
    return text("cart=%s user=%s" % (session.get("cart"), session.get("user")))


def sign_out_in_the_session(session, how):
    """Sign out through the Beaker session itself, as legacy apps do: ``how`` is
    ``"del"`` (``del session['user']``), ``"delete"`` or ``"invalidate"``."""
    if how == "delete":
        session.delete()
        return
    if how == "del":
        del session["user"]
    else:
        session.invalidate()
    session.save()


def _stream(environ, start_response, log, status="200 OK"):
    """A generator app: start_response is called lazily, during the first iteration."""
    try:
        start_response(status, TEXT)
        for part in (b"one ", b"two ", b"three"):
            yield part
    finally:
        log.append("closed")
