"""The activity cookie's pure functions at their edges (no key, many keys, many cookie
names, long session ids, a tag not seen before), and its attributes end to end: it
expires exactly when Beaker's session cookie does, whatever ``cookie_expires`` is, and
carries no ``SameSite`` when the session cookie has none."""

import hashlib
import hmac
import sys
import time
from datetime import datetime, timedelta

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware, marker

from . import apps

if sys.version_info[0] == 2:  # pragma: no cover
    from cookielib import http2time
else:
    from http.cookiejar import http2time

LABEL = b"wsgi_session_timeout activity cookie v2"


def reference_key(secret):
    return hmac.new(secret.encode("utf-8"), LABEL, hashlib.sha256).digest()


def reference_tag(key, session_id):
    return hmac.new(key, ("session:" + session_id).encode("utf-8"),
                    hashlib.sha256).hexdigest()[:16]


# -- keys, tags and names --------------------------------------------------------------------

@pytest.mark.parametrize("secret", ["", None])
def test_there_is_no_key_without_a_secret(secret):
    with pytest.raises(RuntimeError) as info:
        marker.key_for(secret)
    assert "beaker.session.secret" in str(info.value)


def test_every_secret_gets_its_own_key_however_many_there_are():
    secrets = ["secret number %d" % n for n in range(40)]
    for secret in secrets + secrets:
        assert marker.key_for(secret) == reference_key(secret)
    assert marker.key_for(b"bytes secret") == reference_key("bytes secret")


def test_a_long_session_id_gets_its_tag_every_time():
    key = reference_key("long ids")
    long_id = "f" * 300
    assert marker.session_tag(key, long_id) == reference_tag(key, long_id)
    assert marker.session_tag(key, long_id) == reference_tag(key, long_id)
    assert marker.session_tag(key, long_id + "0") != marker.session_tag(key, long_id)


def test_find_works_out_the_tag_of_a_session_it_has_not_seen():
    key = reference_key("unseen")
    text = marker.value(key, 1000, 1060, reference_tag(key, "an unseen id"))
    header = "a=1; beaker.session.id.activity=%s; b=2" % text
    found = marker.find(header, "beaker.session.id.activity", key, "an unseen id")
    assert (found.login_at, found.seen_at) == (1000, 1060)
    assert marker.find(header, "beaker.session.id.activity", key, "another id") is None


def test_any_number_of_cookie_names_is_read():
    key = reference_key("names")
    tag = reference_tag(key, "sid")
    for n in range(40):
        name = "app%d.activity" % n
        header = "%s=%s" % (name, marker.value(key, n, n + 1, tag))
        assert marker.read(header, name, key) == [(n, n + 1, tag)]
        assert marker.read(header, "other%d.activity" % n, key) == []


# -- its attributes ----------------------------------------------------------------------------

def test_an_expiry_that_is_not_a_time_gives_a_browser_session_cookie():
    attributes = marker.Attributes("/", None, False, "Lax", "whenever")
    name, header = marker.set_cookie("c", "v", attributes)
    assert header == "c=v; Path=/; HttpOnly; SameSite=Lax"


def cookies_of(response):
    """``{name: {attribute: value}}`` of every ``Set-Cookie``, attributes lower-cased."""
    found = {}
    for header in response.headers.getall("Set-Cookie"):
        parts = [part.strip() for part in header.split(";")]
        name = parts[0].split("=", 1)[0]
        found[name] = dict((part.split("=", 1) + [""])[:2] for part in parts[1:])
        found[name] = dict((k.lower(), v) for k, v in found[name].items())
    return found


def signed_in(clock, memory, **options):
    app = webtest.TestApp(SessionTimeoutMiddleware(apps.app, memory, clock=clock, **options),
                          lint=True)
    return cookies_of(app.post("/login"))


@pytest.mark.parametrize("cookie_expires", [
    pytest.param(datetime(2040, 1, 2, 3, 4, 5), id="datetime"),
    pytest.param(timedelta(hours=2), id="timedelta"),
    pytest.param("7200", id="ini-seconds"),
])
def test_the_activity_cookie_expires_with_the_session_cookie(clock, memory, cookie_expires):
    config = dict(memory, **{"beaker.session.cookie_expires": cookie_expires})
    cookies = signed_in(clock, config)
    session, activity = cookies["beaker.session.id"], cookies["beaker.session.id.activity"]
    assert http2time(activity["expires"]) == http2time(session["expires"])
    if isinstance(cookie_expires, datetime):
        assert activity["expires"] == "Mon, 02 Jan 2040 03:04:05 GMT"
        left = http2time(activity["expires"]) - time.time()
    else:
        left = 7200
    assert abs(int(activity["max-age"]) - left) <= 2


@pytest.mark.parametrize("expires, max_age", [
    pytest.param(3600, 3600, id="int"),
    pytest.param(90.5, 90, id="float"),
    pytest.param(False, None, id="never"),
])
def test_an_expiry_in_seconds(expires, max_age):
    attributes = marker.Attributes("/", "example.com", True, "Strict", expires)
    name, header = marker.set_cookie("c", "v", attributes)
    parts = dict((part.split("=", 1) + [""])[:2] for part in header.split("; "))
    assert parts["Path"] == "/" and parts["Domain"] == "example.com"
    assert "Secure" in parts and parts["SameSite"] == "Strict"
    if max_age is None:
        assert http2time(parts["Expires"]) == 0x7FFFFFFF
    else:
        assert abs(int(parts["Max-Age"]) - max_age) <= 1
        assert abs(http2time(parts["Expires"]) - time.time() - max_age) <= 2


def test_without_samesite_neither_cookie_has_the_attribute(clock, memory):
    cookies = signed_in(clock, dict(memory, **{"beaker.session.samesite": ""}))
    for name in ("beaker.session.id", "beaker.session.id.activity"):
        assert "samesite" not in cookies[name], cookies[name]
        assert "httponly" in cookies[name]
