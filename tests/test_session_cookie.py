"""The session cookie the middleware sends is the one Beaker's own middleware sends.

The oracle is Beaker itself: the same app, the same Beaker settings, the same request,
once under ``beaker.middleware.SessionMiddleware`` and once under the middleware. Whether
a ``Set-Cookie`` for the session is sent, and every attribute it carries, must agree;
the value is a fresh id either way, signed as Beaker signs it. The middleware renders a
new session's cookie only when it is sent (``OwnSession._create_id``), so every way an
app can make one to be sent is here: a first save, ``invalidate()`` with and without a
save, ``delete()``, ``regenerate_id()``, a "remember me" expiry, and a session read and
never saved (no cookie).
"""

import calendar
import re
import time
from datetime import timedelta

import pytest
import webtest
from beaker.middleware import SessionMiddleware

from wsgi_session_timeout import SessionTimeoutMiddleware

from .apps import signed_cookie_value

SECRET = "a long random string"
KEY = "beaker.session.id"
TEXT = [("Content-Type", "text/plain; charset=utf-8")]


def visitor_app(environ, start_response):
    """A visitor's session (never signed in), used the ways Beaker allows."""
    session = environ["beaker.session"]
    path = environ["PATH_INFO"]
    if path == "/read":
        session.get("cart")
    elif path == "/id":
        assert re.match(r"^[0-9a-f]{32}$", session.id)
    elif path == "/save":
        session["cart"] = ["book"]
        session.save()
    elif path == "/invalidate":
        session.invalidate()
    elif path == "/invalidate-save":
        session.invalidate()
        session["cart"] = ["pen"]
        session.save()
    elif path == "/delete":
        session.delete()
    elif path == "/remember":  # "remember me", as Beaker apps write it
        session["cart"] = ["map"]
        session._set_cookie_expires(timedelta(days=30))
        session._update_cookie_out()
        session.save()
    elif path == "/regenerate":
        session["cart"] = ["ink"]
        session.save()
        session.regenerate_id()
    body = ("cart: %r" % (session.get("cart"),)).encode("utf-8") if path != "/nothing" \
        else b"no session"
    start_response("200 OK", list(TEXT))  # (Beaker's middleware appends to the list)
    return [body]


PATHS = ["/nothing", "/read", "/id", "/save", "/invalidate", "/invalidate-save", "/delete",
         "/remember", "/regenerate"]

CONFIGS = {
    "defaults": {},
    "domain-path-secure": {"cookie_domain": "example.org", "cookie_path": "/shop",
                           "secure": True},
    "persistent": {"cookie_expires": False},
    "expires-in-300-seconds": {"cookie_expires": timedelta(seconds=300)},
    "strict-not-httponly": {"samesite": "Strict", "httponly": False},
    "no-samesite": {"samesite": None},
    "file-store": {"type": "file"},
}


def _options(name, tmpdir):
    options = {"secret": SECRET, "key": KEY, "httponly": True, "samesite": "Lax",
               "type": "memory"}
    options.update(CONFIGS[name])
    if options["type"] == "file":
        options["data_dir"] = str(tmpdir.join("sessions-%s" % len(tmpdir.listdir())))
    return options


def _stacks(name, tmpdir):
    options = _options(name, tmpdir)
    beaker = SessionMiddleware(visitor_app, **options)
    config = dict(("beaker.session.%s" % key, value) for key, value in options.items())
    ours = SessionTimeoutMiddleware(visitor_app, config)
    return {"beaker": webtest.TestApp(beaker), "ours": webtest.TestApp(ours)}


def _session_cookie(response):
    """The session's ``Set-Cookie``, as (value, attributes): ``None`` when not sent."""
    found = [value.strip() for value in response.headers.getall("Set-Cookie")
             if value.strip().startswith(KEY + "=")]
    assert len(found) <= 1, found
    if not found:
        return None
    parts = [part.strip() for part in found[0].split(";")]
    value = parts[0][len(KEY) + 1:]
    attributes = {}
    for part in parts[1:]:
        name, _, attribute = part.partition("=")
        attributes[name.lower()] = attribute
    return value, attributes


def _same_cookie(ours, beaker):
    """Both sent or neither; the same attributes, the expiry within a minute."""
    assert (ours is None) == (beaker is None), (ours, beaker)
    if ours is None:
        return
    for value, _ in (ours, beaker):
        session_id = value[40:]
        assert re.match(r"^[0-9a-f]{32}$", session_id), value
        assert value == signed_cookie_value(SECRET, session_id)
    ours_attributes, beaker_attributes = dict(ours[1]), dict(beaker[1])
    ours_expires = ours_attributes.pop("expires", None)
    beaker_expires = beaker_attributes.pop("expires", None)
    assert ours_attributes == beaker_attributes
    assert (ours_expires is None) == (beaker_expires is None)
    if ours_expires:
        assert abs(_seconds(ours_expires) - _seconds(beaker_expires)) < 60, \
            (ours_expires, beaker_expires)


def _seconds(expires):
    """Beaker's cookie date (``Wed, 01-Jan-2031 00:00:00 GMT``) in seconds."""
    return calendar.timegm(time.strptime(expires.split(", ", 1)[1],
                                         "%d-%b-%Y %H:%M:%S GMT"))


@pytest.mark.parametrize("returning", [False, True], ids=["first", "returning"])
@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("path", PATHS)
def test_the_session_cookie_sent_is_the_one_beaker_sends(returning, config, path, tmpdir):
    """A visitor's first request (no cookie), or their next one (a saved session's)."""
    sent = {}
    bodies = {}
    for stack, app in _stacks(config, tmpdir).items():
        headers = {}
        if returning:
            value, _ = _session_cookie(app.get("/save"))
            app.reset()
            headers["Cookie"] = "%s=%s" % (KEY, value)
        response = app.get(path, headers=headers)
        sent[stack] = _session_cookie(response)
        bodies[stack] = response.text
        if returning and path in ("/invalidate", "/regenerate"):
            assert sent[stack][0] != value  # a new id, sent
    assert bodies["ours"] == bodies["beaker"]
    _same_cookie(sent["ours"], sent["beaker"])


def test_a_session_read_and_never_saved_sends_no_cookie(tmpdir):
    app = _stacks("defaults", tmpdir)["ours"]
    response = app.get("/read")
    assert _session_cookie(response) is None
    assert response.text == "cart: None"


@pytest.mark.parametrize("path, cart", [("/save", "['book']"),
                                        ("/invalidate-save", "['pen']")])
def test_the_cookie_rendered_at_the_save_brings_the_session_back(path, cart, tmpdir):
    for app in _stacks("defaults", tmpdir).values():
        value, _ = _session_cookie(app.get(path))
        app.reset()
        assert app.get("/read", headers={"Cookie": "%s=%s" % (KEY, value)}).text == \
            "cart: " + cart
