"""A session's life under the application's control, on real Beaker with the memory and
file stores and a real redis-server (on Python 2.7 and 3 alike): timeouts of its own,
lifecycle events, the per-user index of sessions, ending them ("sign out other devices",
after a password change) and a cap on how many a user has.
"""

import json
import logging
import os
import re
import shutil
import tempfile

import pytest
import webtest

from wsgi_session_timeout import (SessionTimeoutMiddleware, end_sessions, login, logout,
                                  sessions, set_timeouts)
from wsgi_session_timeout import events, registry, store
from wsgi_session_timeout.testing import assert_session_expired

from .conftest import NAV, XHR
from .redis_server import RedisServer, wanted as redis_wanted

IDLE = 1800
ABSOLUTE = 8 * 3600
TAG = re.compile(r"^[0-9a-f]{16}$")


def _int(environ, name):
    for pair in environ.get("QUERY_STRING", "").split("&"):
        key, _, value = pair.partition("=")
        if key == name and value:
            return int(value)
    return None


def _text(environ, name):
    for pair in environ.get("QUERY_STRING", "").split("&"):
        key, _, value = pair.partition("=")
        if key == name:
            return value
    return None


def app(environ, start_response):
    """Sign-in with timeouts, sign-out, the session list and its actions, as an app
    would write them."""
    path = environ.get("PATH_INFO", "")
    session = environ["beaker.session"]
    body = {"path": path}
    if path == "/login":
        login(environ, _text(environ, "user") or "alice",
              idle_timeout=_int(environ, "idle"), absolute_timeout=_int(environ, "absolute"))
    elif path == "/legacy-login":
        session["user"] = _text(environ, "user") or "legacy"
        session.save()
    elif path == "/logout":
        logout(environ)
    elif path == "/timeouts":
        set_timeouts(environ, _int(environ, "idle"), _int(environ, "absolute"))
    elif path == "/sessions":
        body["sessions"] = [dict(s._asdict()) for s in sessions(environ, _text(environ, "user"))]
    elif path == "/end":
        tag = _text(environ, "tag")
        body["ended"] = end_sessions(environ, _text(environ, "user"),
                                     keep_current=_text(environ, "keep") == "1",
                                     tags=[tag] if tag else None)
    elif path == "/put":
        session["cart"] = environ.get("QUERY_STRING", "")
        session.save()
    body["user"] = session.get("user")
    data = json.dumps(body).encode("utf-8")
    start_response("200 OK", [("Content-Type", "application/json")])
    return [data]


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "file"] + (["redis"] if redis_wanted() else []))
def backend(request):
    """Beaker settings for a real store, empty at the start of the test."""
    config = {"beaker.session.secret": "s3cret"}
    if request.param == "redis":
        server = request.getfixturevalue("redis_server")
        server.flush()
        config.update({"beaker.session.type": "ext:redis",
                       "beaker.session.url": server.url})
    else:
        config["beaker.session.type"] = request.param
    if request.param == "file":
        tmp = tempfile.mkdtemp(prefix="wst-sessions-")
        request.addfinalizer(lambda: shutil.rmtree(tmp, ignore_errors=True))
        config["beaker.session.data_dir"] = tmp
    return config


@pytest.fixture(autouse=True)
def fresh_memory_store():
    """Beaker's memory store lives as long as the process: each test starts without the
    sessions (and indexes) of the ones before."""
    from beaker.container import MemoryNamespaceManager
    MemoryNamespaceManager.namespaces.clear()
    yield
    MemoryNamespaceManager.namespaces.clear()


@pytest.fixture
def middleware(clock, backend, recorder):
    """make(**options) -> the middleware over ``app`` on the test's backend."""
    def make(**options):
        options.setdefault("clock", clock)
        options.setdefault("on_event", recorder)
        options.setdefault("protected_paths", ["/api"])
        options.setdefault("idle_timeout", IDLE)
        options.setdefault("absolute_timeout", ABSOLUTE)
        config = options.pop("config", {})
        return SessionTimeoutMiddleware(app, dict(backend, **config), **options)
    return make


def browser(mw, agent="Browser A"):
    """One browser (one cookie jar) on the middleware."""
    return webtest.TestApp(mw, lint=True, extra_environ={"HTTP_USER_AGENT": agent})


def me(b, status=200):
    return b.get("/api/me", headers=XHR, status=status)


# -- timeouts of a session's own -----------------------------------------------------------

def test_a_session_given_a_shorter_idle_timeout_runs_on_it(middleware, clock):
    b = browser(middleware())
    signed_in = b.post("/login?idle=600")
    assert signed_in.headers["Session-Expires-In"] == "600"
    status = b.get("/_session/status").json
    assert status["idle_expires_in"] == 600 and status["absolute_expires_in"] == ABSOLUTE
    clock.advance(599)
    assert me(b).headers["Session-Expires-In"] == "600"  # activity recorded
    clock.advance(601)
    assert_session_expired(me(b, 401), kind="xhr", reason="idle")


def test_another_users_session_keeps_the_configured_timeouts(middleware, clock):
    mw = middleware()
    short, plain = browser(mw), browser(mw)
    short.post("/login?user=admin&idle=600")
    plain.post("/login?user=bob")
    clock.advance(900)
    assert_session_expired(me(short, 401), kind="xhr", reason="idle")
    assert me(plain).json["user"] == "bob"


@pytest.mark.parametrize("options, asked, expected", [
    pytest.param({}, 7200, IDLE, id="default-ceiling-is-the-configured-timeout"),
    pytest.param({"max_idle_timeout": 3600}, 7200, 3600, id="cut-to-the-ceiling"),
    pytest.param({"max_idle_timeout": 3600}, 2400, 2400, id="under-the-ceiling"),
])
def test_an_idle_timeout_is_never_longer_than_the_ceiling(middleware, options, asked,
                                                          expected):
    b = browser(middleware(**options))
    assert b.post("/login?idle=%d" % asked).headers["Session-Expires-In"] == str(expected)


def test_remember_me_a_longer_absolute_timeout_under_its_ceiling(middleware, clock):
    month = 30 * 24 * 3600
    mw = middleware(max_absolute_timeout=month)
    # The store keeps records as long as the longest session may live.
    assert mw.beaker["session_class"].store_ttl == month + 120
    remembered, plain = browser(mw), browser(mw)
    remembered.post("/login?absolute=%d" % (2 * month))
    plain.post("/login")
    assert remembered.get("/_session/status").json["absolute_expires_in"] == month
    start = clock()
    while clock() - start < ABSOLUTE - 1200:  # both active every 20 minutes
        clock.advance(1200)
        assert me(remembered).json["user"] == me(plain).json["user"] == "alice"
    clock.advance(1200)
    me(remembered)
    clock.advance(1200)  # twenty minutes past ABSOLUTE
    assert me(remembered).json["user"] == "alice"
    assert_session_expired(me(plain, 401), kind="xhr", reason="absolute")


def timeouts_for(user):
    """The ``timeouts`` hook of the tests: administrators get ten minutes."""
    if user == "admin":
        return {"idle_timeout": 600}
    if user == "kiosk":
        return (300, 3600)
    return None


@pytest.mark.parametrize("given", [
    pytest.param(timeouts_for, id="callable"),
    pytest.param("tests.test_lifecycle:timeouts_for", id="ini-string"),
])
def test_the_timeouts_option_computes_them_from_the_user(middleware, given):
    mw = middleware(timeouts=given)
    assert browser(mw).post("/login?user=admin").headers["Session-Expires-In"] == "600"
    assert browser(mw).post("/login?user=kiosk").headers["Session-Expires-In"] == "300"
    kiosk = browser(mw)
    kiosk.post("/login?user=kiosk")
    assert kiosk.get("/_session/status").json["absolute_expires_in"] == 3600
    assert browser(mw).post("/login?user=bob").headers["Session-Expires-In"] == str(IDLE)
    # Timeouts given to login() win over the hook's.
    assert browser(mw).post("/login?user=admin&idle=900").headers["Session-Expires-In"] == "900"


def test_timeouts_from_an_ini_file(clock, backend):
    config = dict(backend, **{"session_timeout.timeouts": "tests.test_lifecycle:timeouts_for",
                              "session_timeout.max_absolute_timeout": "86400",
                              "session_timeout.absolute_timeout": "3600",
                              "session_timeout.max_sessions": "3",
                              "session_timeout.on_event": "none"})
    mw = SessionTimeoutMiddleware(app, config, clock=clock)
    s = mw.settings
    assert (s.timeouts, s.max_absolute_timeout, s.max_idle_timeout, s.max_sessions) == (
        timeouts_for, 86400, 1800, 3)
    assert browser(mw).post("/login?user=admin").headers["Session-Expires-In"] == "600"


AUDIT = []


def audit(event):
    """An ``on_event`` hook an ini file names."""
    AUDIT.append(event)


def test_a_paste_filter_section_sets_the_lifecycle_options(clock, backend):
    from wsgi_session_timeout.paste import filter_app_factory
    del AUDIT[:]
    mw = filter_app_factory(app, {}, on_event="tests.test_lifecycle:audit",
                            timeouts="tests.test_lifecycle:timeouts_for",
                            max_idle_timeout="3600", max_sessions="1",
                            protected_paths="/api", clock=clock,
                            **dict((k, v) for k, v in backend.items()))
    first, second = browser(mw, "first"), browser(mw, "second")
    assert first.post("/login?user=admin&idle=2400").headers["Session-Expires-In"] == "2400"
    second.post("/login?user=admin")
    assert me(first, 401).json["reason"] == "replaced"
    assert [(e.kind, e.reason) for e in AUDIT] == [
        ("sign_in", None), ("sign_in", None), ("revoked", "replaced")]


def test_an_app_that_signs_in_by_itself_gets_the_hooks_timeouts(middleware):
    b = browser(middleware(timeouts=timeouts_for))
    assert b.post("/legacy-login?user=admin").headers["Session-Expires-In"] == "600"


def test_set_timeouts_changes_them_later(middleware, clock):
    b = browser(middleware(max_absolute_timeout=24 * 3600))
    b.post("/login")
    changed = b.post("/timeouts?idle=300")
    assert changed.headers["Session-Expires-In"] == "300"
    assert b.get("/_session/status").json["idle_expires_in"] == 300
    longer = b.post("/timeouts?absolute=%d" % (24 * 3600)).json
    assert longer["user"] == "alice"
    assert b.get("/_session/status").json["absolute_expires_in"] == 24 * 3600
    clock.advance(301)
    assert_session_expired(me(b, 401), kind="xhr", reason="idle")


def test_set_timeouts_shorter_than_the_time_gone_ends_the_session(middleware, clock):
    b = browser(middleware())
    b.post("/login")
    clock.advance(700)
    b.post("/timeouts?absolute=600")
    assert me(b, 401).json["error"] == "login_required"


@pytest.mark.parametrize("options, message", [
    pytest.param({"max_idle_timeout": 600}, "max_idle_timeout (600) is shorter than "
                 "idle_timeout", id="idle-ceiling-below-default"),
    pytest.param({"max_absolute_timeout": 60}, "max_absolute_timeout (60) is shorter",
                 id="absolute-ceiling-below-default"),
    pytest.param({"max_idle_timeout": None}, "max_idle_timeout (None) is off",
                 id="no-ceiling-over-a-timeout"),
    pytest.param({"max_sessions": 0}, "max_sessions: must be at least 1",
                 id="max-sessions-zero"),
    pytest.param({"timeouts": "no.such.module:x"}, "timeouts: cannot import it",
                 id="timeouts-import"),
    pytest.param({"on_event": 42}, "on_event: expected a callable", id="on-event-value"),
])
def test_bad_lifecycle_options_are_refused_naming_the_value(middleware, options, message):
    with pytest.raises(ValueError) as raised:
        middleware(**options)
    assert message in str(raised.value)


@pytest.mark.parametrize("query, message", [
    pytest.param("idle=0", "idle_timeout: must be at least 1", id="zero"),
])
def test_bad_timeouts_from_the_app_raise(middleware, query, message):
    b = browser(middleware())
    with pytest.raises(ValueError) as raised:
        b.post("/login?" + query)
    assert message in str(raised.value)


def test_a_hook_answering_nonsense_raises(middleware):
    b = browser(middleware(timeouts=lambda user: {"idle": 5}))
    with pytest.raises(ValueError) as raised:
        b.post("/login")
    assert "unknown keys idle" in str(raised.value)


# -- lifecycle events -----------------------------------------------------------------------

def _assert_no_session_id(event, *cookie_jars):
    for jar in cookie_jars:
        for value in jar.cookies.values():
            for field in event:
                assert value.strip('"')[40:] not in ("%s" % (field,)), event


def test_events_of_a_session_from_sign_in_to_expiry(middleware, clock, recorder):
    b = browser(middleware())
    b.post("/login")
    b.post("/_session/extend", headers=XHR)
    clock.advance(IDLE + 1)
    me(b, 401)
    assert recorder.kinds() == ["sign_in", "extend", "expired"]
    sign_in, extend, expired = recorder.events
    assert (sign_in.user, sign_in.path, sign_in.reason) == ("alice", "/login", None)
    assert TAG.match(sign_in.session) and extend.session == sign_in.session
    assert (expired.reason, expired.path, expired.time) == ("idle", "/api/me", clock())
    for event in recorder.events:
        _assert_no_session_id(event, b)


def test_absolute_expiry_and_sign_out_events(middleware, clock, recorder):
    mw = middleware()
    a, b = browser(mw), browser(mw)
    a.post("/login")
    b.post("/login?user=bob")
    b.post("/logout")
    clock.advance(ABSOLUTE)
    me(a, 401)
    assert [(e.kind, e.user, e.reason) for e in recorder.events] == [
        ("sign_in", "alice", None), ("sign_in", "bob", None), ("sign_out", "bob", None),
        ("expired", "alice", "absolute")]


def test_the_apps_own_sign_in_and_out_are_events(middleware, recorder):
    b = browser(middleware())
    b.post("/legacy-login")
    b.post("/logout")
    assert [(e.kind, e.user) for e in recorder.events] == [
        ("sign_in", "legacy"), ("sign_out", "legacy")]


def test_a_hook_that_raises_is_logged_and_the_request_goes_on(middleware, caplog):
    def broken(event):
        raise RuntimeError("audit database down")
    b = browser(middleware(on_event=broken))
    with caplog.at_level(logging.ERROR, logger="wsgi_session_timeout"):
        assert b.post("/login").json["user"] == "alice"
    assert me(b).json["user"] == "alice"
    failures = [r for r in caplog.records if "on_event hook" in r.getMessage()]
    assert len(failures) == 1 and "sign_in" in failures[0].getMessage()
    assert "audit database down" in failures[0].exc_text


def test_by_default_events_go_to_the_audit_logger(clock, backend, caplog):
    b = browser(SessionTimeoutMiddleware(app, backend, clock=clock))
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout.audit"):
        b.post("/login?user=al%0Aice")
        b.post("/logout")
    lines = [r for r in caplog.records if r.name == "wsgi_session_timeout.audit"]
    assert [r.session_event.kind for r in lines] == ["sign_in", "sign_out"]
    text = lines[0].getMessage()
    assert re.match(r"^sign_in user=al%0Aice reason=- path=/login session=[0-9a-f]{16}$",
                    text), text
    assert "\n" not in text


def test_a_user_name_cannot_forge_an_audit_line():
    line = []
    handler = logging.Handler()
    handler.emit = lambda record: line.append(record.getMessage())
    events.audit.addHandler(handler)
    try:
        level = events.audit.level
        events.audit.setLevel(logging.INFO)
        events.log_event(events.Event("sign_in", "eve\nsign_out user=admin", None, 0,
                                      "/x\r", None))
    finally:
        events.audit.setLevel(level)
        events.audit.removeHandler(handler)
    assert line == ["sign_in user=eve\\x0asign_out user=admin reason=- path=/x\\x0d "
                    "session=-"]


def test_store_outage_start_and_end_are_events(clock, tmpdir, recorder):
    data_dir = str(tmpdir.join("sessions"))
    os.mkdir(data_dir)
    config = {"beaker.session.type": "file", "beaker.session.data_dir": data_dir,
              "beaker.session.secret": "s3cret"}
    b = browser(SessionTimeoutMiddleware(app, config, clock=clock, on_event=recorder,
                                         protected_paths=["/api"]))
    b.post("/login")
    os.rename(data_dir, data_dir + ".away")
    with open(data_dir, "w") as handle:
        handle.write("not a directory")
    me(b, 503)
    me(b, 503)  # the same outage: no second event
    os.remove(data_dir)
    os.rename(data_dir + ".away", data_dir)
    clock.advance(2)
    me(b)
    assert recorder.kinds() == ["sign_in", "store_down", "store_up"]
    down, up = recorder.events[1:]
    assert down.user is None and down.session is None and down.time is not None
    assert "Not a directory" in down.reason and up.reason.endswith(" s")


# -- the index, listing and ending sessions -------------------------------------------------

def index_of(mw, user):
    return store.read_index(store.handle(mw.beaker), user)


def test_sessions_lists_each_browser_once(middleware, clock):
    mw = middleware()
    a, b = browser(mw, "Browser A"), browser(mw, "Browser B")
    a.post("/login")
    clock.advance(60)
    b.post("/login")
    clock.advance(60)
    a.post("/login")  # signs in again: the same browser, a new id, still one entry
    listed = b.get("/sessions").json["sessions"]
    assert [(s["user_agent"], s["current"]) for s in listed] == [
        ("Browser B", True), ("Browser A", False)]
    assert [s["login_at"] for s in listed] == [clock() - 60, clock()]
    assert all(TAG.match(s["tag"]) for s in listed)
    assert len(index_of(mw, "alice")) == 2


def test_last_activity_as_far_as_known(middleware, clock):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    start = clock()
    clock.advance(100)
    a.get("/put?x")  # the app saves: the store learns of the activity
    clock.advance(100)
    b.post("/login")
    clock.advance(100)
    listed = dict((s["user_agent"], s) for s in b.get("/sessions").json["sessions"])
    assert listed["A"]["login_at"] == start and listed["A"]["seen_at"] == start + 100
    assert listed["B"]["seen_at"] == clock()  # this very request's activity


def test_sign_out_other_devices(middleware, recorder):
    mw = middleware()
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    for each in (a, b, c):
        each.post("/login")
    bob = browser(mw, "bob's")
    bob.post("/login?user=bob")
    assert a.post("/end?keep=1").json["ended"] == 2
    assert me(a).json["user"] == "alice"
    for each in (b, c):
        assert_session_expired(me(each, 401), kind="xhr", reason="revoked")
        # Said once: the browser forgets the session, then it never signed in.
        assert me(each, 401).json["error"] == "login_required"
    assert me(bob).json["user"] == "bob"
    revoked = recorder.of("revoked")
    assert [(e.user, e.reason, e.path) for e in revoked] == [("alice", "revoked", "/end")] * 2
    assert [s["user_agent"] for s in a.get("/sessions").json["sessions"]] == ["A"]


def test_end_one_session_by_its_tag(middleware):
    mw = middleware()
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    for each in (a, b, c):
        each.post("/login")
    tag = [s["tag"] for s in a.get("/sessions").json["sessions"] if s["user_agent"] == "B"][0]
    assert a.post("/end?tag=%s" % tag).json["ended"] == 1
    assert me(b, 401).json["reason"] == "revoked"
    assert me(a).json["user"] == me(c).json["user"] == "alice"


def test_ending_all_sessions_signs_the_current_one_out_too(middleware):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    ended = a.post("/end")
    assert ended.json["ended"] == 2
    assert "beaker.session.id=;" in ended.headers["Set-Cookie"] or not a.cookies.get(
        "beaker.session.id")
    assert me(a, 401).json["error"] == "login_required"
    assert me(b, 401).json["reason"] == "revoked"
    assert index_of(mw, "alice") == {}


def test_a_revoked_session_is_told_on_every_channel(middleware):
    mw = middleware()
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    for each in (a, b, c):
        each.post("/login")
    a.post("/end?keep=1")
    status = b.get("/_session/status").json
    assert status["authenticated"] is False and status["reason"] == "revoked"
    # The status poll changes nothing: the next request is told too.
    nav = b.get("/api/page", headers=NAV, status=302)
    assert "/login?came_from=%2Fapi%2Fpage" in nav.headers["Location"]
    assert b.get("/_session/status").json.get("reason") is None
    extend = c.post("/_session/extend", headers=XHR, status=401)
    assert extend.json["reason"] == "revoked"


def test_an_administrator_ends_a_users_sessions_outside_a_request(middleware, recorder,
                                                                  clock):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    clock.advance(1)
    b.post("/login")
    listed = mw.sessions("alice")
    assert [(s.user_agent, s.current) for s in listed] == [("A", False), ("B", False)]
    assert mw.end_sessions("alice") == 2
    for each in (a, b):
        assert me(each, 401).json["reason"] == "revoked"
    assert [(e.kind, e.path) for e in recorder.of("revoked")] == [("revoked", None)] * 2
    assert mw.sessions("alice") == []


def test_an_administrator_ends_one_by_tag(middleware):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    tag = [s.tag for s in mw.sessions("alice") if s.user_agent == "A"][0]
    assert mw.end_sessions("alice", tags=[tag]) == 1
    assert me(a, 401).json["reason"] == "revoked"
    assert me(b).json["user"] == "alice"


def test_max_sessions_ends_the_oldest_as_replaced(middleware, clock, recorder):
    mw = middleware(max_sessions=2)
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    for each in (a, b, c):
        each.post("/login")
        clock.advance(10)
    assert_session_expired(me(a, 401), kind="xhr", reason="replaced")
    assert me(b).json["user"] == me(c).json["user"] == "alice"
    assert [(e.kind, e.reason, e.path) for e in recorder.of("revoked")] == [
        ("revoked", "replaced", "/login")]
    assert len(index_of(mw, "alice")) == 2
    # Signing out makes room: no session is replaced.
    c.post("/logout")
    a.post("/login")
    assert me(b).json["user"] == "alice"


def test_max_sessions_counts_only_live_sessions(middleware, clock):
    mw = middleware(max_sessions=2)
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    a.post("/login?absolute=600")
    b.post("/login")
    clock.advance(601)  # A's session is past its own absolute timeout
    c.post("/login")
    assert me(b).json["user"] == "alice"
    assert me(a, 401).json["reason"] == "absolute"


def test_a_host_whose_clock_lags_is_told_why_the_session_ended(middleware, clock, backend,
                                                               recorder):
    """Host A's clock passed the idle deadline and ended the session; host B's clock
    lags, so the activity cookie alone would say the session is live: the note left
    beside the record says it expired."""
    from wsgi_session_timeout.testing import ManualClock
    lagging = ManualClock(clock())
    host_a = middleware()
    host_b = SessionTimeoutMiddleware(app, dict(backend), clock=lagging, on_event=recorder,
                                      protected_paths=["/api"], idle_timeout=IDLE,
                                      absolute_timeout=ABSOLUTE)
    a = browser(host_a)
    a.post("/login")
    cookie = "; ".join("%s=%s" % item for item in sorted(a.cookies.items()))
    clock.advance(IDLE + 1)
    assert_session_expired(me(a, 401), kind="xhr", reason="idle")
    replayed = webtest.TestApp(host_b, lint=True).get(
        "/api/me", headers=dict(XHR, Cookie=cookie), status=401)
    assert_session_expired(replayed, kind="xhr", reason="idle")


# -- the index stays small and never signs anyone in ----------------------------------------

def test_dead_entries_are_dropped_when_found(middleware, clock):
    mw = middleware()
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    a.post("/login")
    b.post("/login?absolute=600")
    c.post("/login")
    c.post("/logout")  # sign-out takes its entry out at once
    assert len(index_of(mw, "alice")) == 2
    clock.advance(601)
    assert [s["user_agent"] for s in a.get("/sessions").json["sessions"]] == ["A"]
    assert list(index_of(mw, "alice").values())[0]["user_agent"] == "A"


def test_entries_past_their_deadline_are_dropped_at_the_next_sign_in(middleware, clock):
    mw = middleware()
    for _ in range(5):
        browser(mw).post("/login")
    clock.advance(ABSOLUTE)
    browser(mw).post("/login")
    assert len(index_of(mw, "alice")) == 1


def test_the_index_has_a_bound_of_its_own(middleware, clock):
    mw = middleware()
    browsers = [browser(mw, "B%d" % i) for i in range(registry.LIMIT + 2)]
    for each in browsers:
        each.post("/login")
        clock.advance(1)
    assert len(index_of(mw, "alice")) == registry.LIMIT
    for oldest in browsers[:2]:
        assert me(oldest, 401).json["reason"] == "replaced"
    assert me(browsers[2]).json["user"] == "alice"
    assert me(browsers[-1]).json["user"] == "alice"


def test_losing_the_index_never_signs_anyone_in_or_out(middleware):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    b.post("/logout")
    handle = store.handle(mw.beaker)
    store.change_index(handle, "alice", lambda entries: entries.clear())
    assert me(a).json["user"] == "alice"
    assert me(b, 401).json["error"] == "login_required"
    assert a.get("/sessions").json["sessions"] == []  # not listed: not signed out either
    assert a.post("/end?keep=1").json["ended"] == 0
    assert me(a).json["user"] == "alice"


def test_an_entry_for_another_users_or_sign_ins_record_is_dead(middleware):
    mw = middleware()
    a = browser(mw, "A")
    a.post("/login")
    entries = index_of(mw, "alice")
    handle = store.handle(mw.beaker)
    # A forged entry under mallory's index, pointing at alice's session: never listed,
    # never ended through mallory.
    store.change_index(handle, "mallory", lambda e: e.update(entries))
    assert mw.sessions("mallory") == []
    assert index_of(mw, "mallory") == {}
    assert me(a).json["user"] == "alice"


def test_ordinary_requests_never_touch_the_index(middleware, clock, monkeypatch):
    mw = middleware()
    a = browser(mw)
    a.post("/login")
    touched = []
    for name in ("read_index", "change_index", "ended_reason", "peek"):
        original = getattr(store, name)
        monkeypatch.setattr(store, name, lambda *args, **kw: touched.append(args) or
                            original(*args, **kw))
    for _ in range(3):
        me(a)
        a.get("/put?x")
        a.get("/_session/status")
        clock.advance(120)
    assert touched == []


# -- cookie sessions --------------------------------------------------------------------

@pytest.fixture
def cookie_config():
    return {"beaker.session.type": "cookie", "beaker.session.validate_key": "v" * 32}


def test_cookie_sessions_have_timeouts_and_events_but_no_index(clock, cookie_config,
                                                               recorder):
    mw = SessionTimeoutMiddleware(app, cookie_config, clock=clock, on_event=recorder,
                                  protected_paths=["/api"])
    b = browser(mw)
    assert b.post("/login?idle=300").headers["Session-Expires-In"] == "300"
    listed = b.get("/sessions").json["sessions"]
    assert [(s["current"], s["user_agent"]) for s in listed] == [(True, None)]
    with pytest.raises(RuntimeError) as raised:
        b.post("/end?keep=1")
    assert "validate_key" in str(raised.value)
    with pytest.raises(RuntimeError):
        mw.end_sessions("alice")
    b.post("/logout")
    assert recorder.kinds() == ["sign_in", "sign_out"]


def test_max_sessions_needs_a_store(cookie_config):
    with pytest.raises(ValueError) as raised:
        SessionTimeoutMiddleware(app, cookie_config, max_sessions=2)
    assert "type = cookie" in str(raised.value)


def test_outside_a_request_the_middleware_must_run_beaker(clock):
    from beaker.middleware import SessionMiddleware
    inner = SessionTimeoutMiddleware(app, clock=clock)
    outer = SessionMiddleware(inner, type="memory", secret="s3cret")
    assert webtest.TestApp(outer).post("/login").json["user"] == "alice"
    with pytest.raises(RuntimeError) as raised:
        inner.sessions("alice")
    assert "wsgi_session_timeout.sessions(environ, user)" in str(raised.value)


def test_with_beaker_outside_the_index_works_in_requests(clock, recorder):
    from beaker.middleware import SessionMiddleware
    tmp = tempfile.mkdtemp(prefix="wst-lifecycle-")
    try:
        inner = SessionTimeoutMiddleware(app, clock=clock, on_event=recorder,
                                         protected_paths=["/api"])
        outer = SessionMiddleware(inner, type="file", data_dir=tmp, secret="s3cret")
        a, b = browser(outer, "A"), browser(outer, "B")
        a.post("/login")
        b.post("/login")
        assert len(a.get("/sessions").json["sessions"]) == 2
        assert a.post("/end?keep=1").json["ended"] == 1
        assert me(b, 401).json["reason"] == "revoked"
        assert me(a).json["user"] == "alice"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
