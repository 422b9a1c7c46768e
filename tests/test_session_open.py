"""A session opened with its id read already is the session Beaker's own ``__init__``
makes for that id.

``OwnSession.with_id`` skips the part of Beaker's ``Session.__init__`` that depends on the
options alone (learnt once by ``OwnSession.prepare``) and the cookie Beaker parses for an
id; the oracle is Beaker's ``__init__`` itself, on the same class, options and record.
"""

import time

import pytest
import webtest
from beaker import session as beaker_session

from wsgi_session_timeout import SessionTimeoutMiddleware, store

from .apps import signed_cookie_value

SECRET = "a long random string"
KEY = "beaker.session.id"
NOW = 1700000000.0

CONFIGS = {
    "defaults": {},
    "file-store": {"type": "file"},
    "domain-path-secure": {"cookie_domain": "example.org", "cookie_path": "/shop",
                           "secure": True},
    "persistent-strict": {"cookie_expires": False, "samesite": "Strict",
                          "httponly": False},
    "json": {"data_serializer": "json"},
    "encrypted": {"encrypt_key": "another long random string",
                  "validate_key": "and a third one"},
    "beaker-timeout": {"timeout": 600},
}


class _Clock(object):
    """Stands in for the ``time`` module Beaker's session module reads: stopped."""

    def time(self):
        return NOW

    def __getattr__(self, name):
        return getattr(time, name)


def _session_class(name, tmpdir):
    options = {"secret": SECRET, "key": KEY, "type": "memory"}
    options.update(CONFIGS[name])
    if options["type"] == "file":
        options["data_dir"] = str(tmpdir.join("sessions"))
    config = dict(("beaker.session.%s" % key, value) for key, value in options.items())
    beaker = SessionTimeoutMiddleware(None, config).beaker
    return beaker["session_class"], beaker.session_kwargs


def _comparable(session):
    fields = dict(session.__dict__)
    fields.pop("request")
    namespace = fields.pop("namespace")
    fields["cookie"] = (type(session.cookie), dict(session.cookie), session.cookie.secret
                        if hasattr(session.cookie, "secret") else None)
    fields["serializer"] = type(fields["serializer"])
    return fields, (type(namespace), namespace.namespace), dict(session)


@pytest.mark.parametrize("config", sorted(CONFIGS))
def test_a_session_opened_by_id_is_the_one_beakers_init_makes(config, tmpdir, monkeypatch):
    monkeypatch.setattr(beaker_session, "time", _Clock())
    cls, kwargs = _session_class(config, tmpdir)
    assert cls.prepared is not None
    first = cls({"cookie": ""}, **kwargs)
    first["cart"] = ["book"]
    first["count"] = 3
    first.save()
    for session_id in (first.id, "0" * 32):  # a stored record, and one the store lacks
        beakers = cls({"cookie": ""}, id=session_id, **kwargs)
        ours = cls.with_id({"cookie": ""}, session_id)
        assert "cookie" not in ours.__dict__  # made when it is rendered
        assert _comparable(ours) == _comparable(beakers)
    one, other = cls.with_id({}, first.id), cls.with_id({}, first.id)
    assert one["cart"] == ["book"]
    shared = [name for name, value in one.__dict__.items()
              if isinstance(value, (dict, list)) and value is other.__dict__[name]]
    assert shared == []  # what Beaker or the app may change is each session's own


@pytest.mark.parametrize("config", ["defaults", "domain-path-secure", "persistent-strict"])
def test_the_cookie_made_when_rendered_is_the_one_beaker_renders(config, tmpdir):
    cls, kwargs = _session_class(config, tmpdir)
    first = cls({"cookie": ""}, **kwargs)
    first.save()
    beakers = cls({"cookie": ""}, id=first.id, **kwargs)
    ours = cls.with_id({"cookie": ""}, first.id)
    for session in (beakers, ours):
        session.regenerate_id()  # renders Set-Cookie for a new id
    rendered = [session.request["cookie_out"].replace(
        signed_cookie_value(SECRET, session.id), "VALUE") for session in (ours, beakers)]
    assert rendered[0] == rendered[1]
    assert "%s=VALUE;" % KEY in rendered[0]


def _sign_in_and_read(app):
    def inner(environ, start_response):
        session = environ["beaker.session"]
        if environ["PATH_INFO"] == "/sign-in":
            session["user"] = "alice"
            session.save()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [("user: %s" % session.get("user")).encode("utf-8")]
    return webtest.TestApp(SessionTimeoutMiddleware(inner, {
        "beaker.session.secret": SECRET, "beaker.session.type": "memory"}))


def test_a_signed_in_read_opens_its_session_by_id():
    app = _sign_in_and_read(None)
    app.get("/sign-in")
    opened = []
    original = store.OwnSession.with_id.__func__

    def spy(cls, request, session_id):
        opened.append(session_id)
        return original(cls, request, session_id)

    cls = app.app.beaker["session_class"]
    cls.with_id = classmethod(spy)
    try:
        assert app.get("/").text == "user: alice"
    finally:
        del cls.with_id
    assert opened == [app.cookies[KEY][40:]]


def test_a_beaker_that_sets_a_field_unknown_here_makes_every_session_itself(monkeypatch):
    # As a Beaker version with a new field in Session.__init__ would: it is not copied
    # blindly, every session is made by Beaker's own __init__.
    monkeypatch.setattr(store, "_OPTION_FIELDS", store._OPTION_FIELDS - {"samesite"})
    app = _sign_in_and_read(None)
    assert app.app.beaker["session_class"].prepared is None
    app.get("/sign-in")
    assert app.get("/").text == "user: alice"
    assert app.get("/", headers={"Cookie": "%s=%s" % (
        KEY, signed_cookie_value("not the secret", "0" * 32))}).text == "user: None"


@pytest.mark.parametrize("config", ["defaults", "json"])
def test_a_record_is_decoded_as_beaker_decodes_it(config, tmpdir):
    cls, kwargs = _session_class(config, tmpdir)
    session = cls({"cookie": ""}, **kwargs)
    written = session._encrypt_data({"user": "alice", "cart": ["book", 2]})
    records = [written, written.encode("ascii"), written[:-3], u"\u00e9" + written,
               "not base64 at all", "", u"\u00e9"]
    for record in records:
        try:
            expected = beaker_session.Session._decrypt_data(session, record)
        except Exception:
            expected = store._Corrupt
        try:
            got = session._decrypt_data(record)
        except store._Corrupt:
            got = store._Corrupt
        assert got == expected, record
    assert session._decrypt_data(written) == {"user": "alice", "cart": ["book", 2]}


def test_each_session_opened_by_id_makes_its_own_cookie(tmpdir):
    cls, kwargs = _session_class("defaults", tmpdir)
    first = cls({"cookie": ""}, **kwargs)
    first.save()
    one, other = cls.with_id({}, first.id), cls.with_id({}, first.id)
    assert one.cookie is not other.cookie
    assert one.cookie is one.cookie  # made once, then Beaker's attribute
    assert isinstance(one.cookie, beaker_session.SignedCookie)
    # On the class (help(), documentation tools) it is the descriptor itself.
    assert isinstance(cls.cookie, store._LazyCookie)
