"""Records the middleware did not write as it writes them: a record that cannot be
decoded, clocks that are text or not finite, notes beside ended records, through WebTest
over real Beaker (memory and file).

The records are changed the way another process would change them: with Beaker's own
``Session`` (and its namespace) on the same store.
"""

import pytest
import webtest
from beaker.session import Session

from wsgi_session_timeout import SessionTimeoutMiddleware
from wsgi_session_timeout.store import LOGIN_AT, SEEN_AT

from . import apps
from .conftest import XHR

# Beaker's memory store lives as long as the process: each test starts it empty.
pytestmark = pytest.mark.usefixtures("fresh_memory_store")

IDLE = 600
GUARDED = dict(protected_paths=["/api"], idle_timeout=IDLE)
ACTIVITY = "beaker.session.id.activity"


def session_id(browser):
    return browser.cookies["beaker.session.id"].strip('"')[40:]


def forget(browser, name):
    """The browser drops cookie ``name`` (lost, or cleared by its user)."""
    for cookie in list(browser.cookiejar):
        if cookie.name == name:
            browser.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
    assert name not in browser.cookies


def beaker_options(config):
    return dict((key[len("beaker.session."):], value) for key, value in config.items()
                if key in ("beaker.session.type", "beaker.session.data_dir"))


def rewrite(config, sid, change):
    """Load ``sid``'s record with Beaker's own Session, ``change(session)``, save it."""
    session = Session({}, id=sid, use_cookies=False, **beaker_options(config))
    assert not session.is_new
    change(session)
    session.save()


GARBAGE = b"\x00 this is not a session \xff"


def namespace_of(config, sid):
    """Beaker's namespace that holds ``sid``'s record."""
    session = Session({}, use_cookies=False, **beaker_options(config))
    return session.namespace_class(sid, data_dir=session.data_dir, digest_filenames=False,
                                   **session.namespace_args)


def corrupt(config, sid):
    """Store bytes under ``sid`` that no Beaker session decodes."""
    namespace = namespace_of(config, sid)
    namespace.acquire_write_lock(replace=True)
    try:
        namespace["session"] = GARBAGE
    finally:
        namespace.release_write_lock()


def raw(config, sid):
    namespace = namespace_of(config, sid)
    namespace.acquire_read_lock()
    try:
        return namespace["session"]
    finally:
        namespace.release_read_lock()


def stored(config, sid):
    session = Session({}, id=sid, use_cookies=False, **beaker_options(config))
    return None if session.is_new else dict(session)


@pytest.fixture
def middleware(clock, backend):
    def middleware(**options):
        for name, value in GUARDED.items():
            options.setdefault(name, value)
        options.setdefault("clock", clock)
        return SessionTimeoutMiddleware(apps.app, dict(backend, **options.pop("config", {})),
                                        **options)
    return middleware


def browser(middleware):
    return webtest.TestApp(middleware, lint=True)


def me(app, status=200):
    return app.get("/api/me", headers=XHR, status=status)


# -- a record that cannot be decoded -------------------------------------------------------

def test_a_record_that_cannot_be_decoded_is_replaced_by_a_new_session(middleware, backend):
    app = browser(middleware())
    app.post("/login")
    sid = session_id(app)
    corrupt(backend, sid)
    response = me(app, 401)
    assert response.json["error"] == "login_required"  # never a 500, never an outage
    assert app.get("/get").text == "cart=None user=None"
    app.post("/login")  # and a sign-in works at once
    assert me(app).json == {"user": "alice"}
    assert session_id(app) != sid


def test_with_invalidate_corrupt_off_the_record_is_left_as_it_is(middleware, backend):
    """Beaker's ``invalidate_corrupt = false``: a record that cannot be decoded is an
    error, not a new session; the middleware answers it as the store failing and
    leaves the record for whoever inspects it."""
    app = browser(middleware(config={"beaker.session.invalidate_corrupt": "false"}))
    app.post("/login")
    sid = session_id(app)
    corrupt(backend, sid)
    response = me(app, 503)
    assert response.json["error"] == "store_unavailable"
    assert "Set-Cookie" not in response.headers
    assert raw(backend, sid) == GARBAGE


def test_an_index_entry_whose_record_cannot_be_decoded_is_dropped(middleware, backend):
    mw = middleware()
    a, b = browser(mw), browser(mw)
    a.post("/login")
    b.post("/login")
    assert len(mw.sessions("alice")) == 2
    corrupt(backend, session_id(a))
    assert [s.login_at for s in mw.sessions("alice")] == [stored(backend, session_id(b))[
        LOGIN_AT]]
    assert mw.end_sessions("alice") == 1
    assert me(b, 401).json["reason"] == "revoked"


# -- clocks that are not plain numbers -------------------------------------------------------

def test_clocks_kept_as_text_are_read_as_numbers(middleware, backend, clock):
    """A record whose clocks another writer kept as decimal text: the same deadlines."""
    app = browser(middleware())
    app.post("/login")
    forget(app, ACTIVITY)  # the record alone says when the session was active
    start = int(clock())

    def as_text(session):
        session[LOGIN_AT] = session[SEEN_AT] = "%d" % start
    rewrite(backend, session_id(app), as_text)
    clock.advance(IDLE - 1)
    response = me(app)
    assert response.json == {"user": "alice"}
    assert response.headers["Session-Expires-In"] == str(IDLE)  # activity recorded now
    forget(app, ACTIVITY)
    clock.advance(IDLE)
    response = me(app, 401)
    assert (response.json["error"], response.json["reason"]) == ("session_expired", "idle")


@pytest.mark.parametrize("value", [float("inf"), float("nan")], ids=["inf", "nan"])
def test_a_sign_in_time_that_is_not_finite_fails_closed(middleware, backend, value):
    app = browser(middleware())
    app.post("/login")
    assert ACTIVITY in app.cookies

    def broken(session):
        session[LOGIN_AT] = value
    rewrite(backend, session_id(app), broken)
    response = me(app, 401)
    assert (response.json["error"], response.json["reason"]) == ("session_expired",
                                                                 "absolute")
    assert me(app, 401).json["error"] == "login_required"


def test_an_activity_time_that_is_not_a_number_yields_to_the_activity_cookie(
        middleware, backend, clock):
    app = browser(middleware())
    app.post("/login")
    clock.advance(100)
    me(app)  # recorded in the activity cookie only
    clock.advance(100)
    me(app)

    def broken(session):
        session[SEEN_AT] = "yesterday"
    rewrite(backend, session_id(app), broken)
    clock.advance(IDLE - 150)
    assert me(app).json == {"user": "alice"}
    clock.advance(IDLE)
    assert me(app, 401).json["reason"] == "idle"


# -- notes beside ended records ----------------------------------------------------------------

def test_the_id_a_second_sign_in_replaced_is_dead_not_expired(middleware):
    """Signing in again in the same browser moves the session to a new id and ends the
    old one with a note that gives no reason. The old cookies, replayed, are not a
    session that expired: they never sign in again, and the browser is told to forget
    them."""
    mw = middleware()
    app = browser(mw)
    app.post("/login")
    first = "; ".join("%s=%s" % pair for pair in sorted(app.cookies.items()))
    app.post("/login")
    assert me(app).json == {"user": "alice"}
    replay = browser(mw)
    response = replay.get("/api/me", headers=dict(XHR, Cookie=first), status=401)
    assert response.json["error"] == "login_required"
    assert any(c.startswith("beaker.session.id=") and "Max-Age=0" in c or
               c.startswith("beaker.session.id=") and "expires=" in c.lower()
               for c in response.headers.getall("Set-Cookie"))
    assert me(app).json == {"user": "alice"}
