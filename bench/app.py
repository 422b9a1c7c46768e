"""The benchmark's application and the stacks it is measured in.

The application is as small as a page can be while still using the session the way a
signed-in page does: it reads ``session["user"]`` and answers a few bytes. ``POST
/login?user=NAME`` signs ``NAME`` in (``alice`` without a query), with
:func:`wsgi_session_timeout.login` under the middleware, by storing the user and saving
under Beaker alone.

The stacks:

- ``bare``: the application alone (no session at all).
- ``beaker``: Beaker's ``SessionMiddleware``, no ``timeout`` and
  ``save_accessed_time=False``: reads the store, writes only when the app saves. The
  cheapest Beaker there is, and the one the middleware configures for itself.
- ``beaker_timeout``: Beaker with its own ``timeout`` (which needs
  ``save_accessed_time=True``): every request that reads a session writes it back.
- ``ours``: :class:`~wsgi_session_timeout.SessionTimeoutMiddleware` running Beaker
  itself from ``beaker.session.*`` settings.
"""

import time

from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware, login
from wsgi_session_timeout.state import FACTORY_KEY

SECRET = "bench-secret-not-for-production-0123456789"
IDLE_TIMEOUT = 1800
ABSOLUTE_TIMEOUT = 8 * 3600
#: The middleware's touch interval under gunicorn (see :mod:`bench.wsgi`).
LOAD_TOUCH_INTERVAL = 1500
USER = "alice"
USER_KEY = "user"
STACKS = ("bare", "beaker", "beaker_timeout", "ours")


def user_name(number):
    """The name of the ``number``-th benchmark user."""
    return "user%05d" % number


def app(environ, start_response):
    """Signs in on ``POST /login``; otherwise greets the session's user."""
    session = environ.get("beaker.session")
    if environ.get("PATH_INFO") == "/login" and environ.get("REQUEST_METHOD") == "POST":
        query = environ.get("QUERY_STRING", "")
        user = query[5:] if query.startswith("user=") else USER
        if FACTORY_KEY in environ:  # under the middleware
            login(environ, user)
        else:
            session[USER_KEY] = user
            session.save()
        body = b"signed in"
    else:
        user = session.get(USER_KEY) if session is not None else None
        body = ("hello %s" % (user or "stranger")).encode("utf-8")
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]


def beaker_options(backend, data_dir=None, url=None, namespace_class=None):
    """Beaker's session options for ``backend`` (``memory``, ``file``, ``ext:redis``...),
    with the cookie settings the middleware would use."""
    options = {"type": backend, "secret": SECRET, "httponly": True, "samesite": "Lax",
               "key": "beaker.session.id"}
    if data_dir is not None:
        options["data_dir"] = data_dir
    if url is not None:
        options["url"] = url
    if namespace_class is not None:
        options["namespace_class"] = namespace_class
    return options


def build(stack, options, clock=None, **middleware_options):
    """The WSGI stack named ``stack`` around :func:`app` on Beaker ``options``."""
    if stack == "bare":
        return app
    if stack == "beaker":
        return SessionMiddleware(app, **dict(options, save_accessed_time=False))
    if stack == "beaker_timeout":
        return SessionMiddleware(app, **dict(options, timeout=IDLE_TIMEOUT,
                                             save_accessed_time=True))
    if stack == "ours":
        config = dict(("beaker.session.%s" % key, value) for key, value in options.items())
        middleware_options.setdefault("idle_timeout", IDLE_TIMEOUT)
        return SessionTimeoutMiddleware(app, config, clock=clock or time.time,
                                        **middleware_options)
    raise ValueError("unknown stack %r (known: %s)" % (stack, ", ".join(STACKS)))
