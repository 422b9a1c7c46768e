"""The per-user index of sessions at its edges: entries whose session is gone in every
way a session goes (expired, evicted, given a shorter life, another sign-in), users that
are not text, stores without an index yet, and listing or ending sessions from a request
that is not signed in. WebTest over real Beaker (memory and file)."""

import json

import pytest
import webtest

from wsgi_session_timeout import (SessionTimeoutMiddleware, end_sessions, login, logout,
                                  sessions, set_timeouts, store)

from .conftest import XHR

# Beaker's memory store lives as long as the process: each test starts it empty.
pytestmark = pytest.mark.usefixtures("fresh_memory_store")

IDLE = 1800
ABSOLUTE = 8 * 3600


def _query(environ):
    pairs = [pair.partition("=") for pair in environ.get("QUERY_STRING", "").split("&")]
    return dict((key, value) for key, _, value in pairs if key)


def _int(query, name):
    return int(query[name]) if query.get(name) else None


def app(environ, start_response):
    path = environ["PATH_INFO"]
    query = _query(environ)
    user = environ.get("test.user", query.get("user"))
    body = {}
    if path == "/login":
        login(environ, user or "alice", idle_timeout=_int(query, "idle"),
              absolute_timeout=_int(query, "absolute"))
    elif path == "/logout":
        logout(environ)
    elif path == "/timeouts":
        set_timeouts(environ, _int(query, "idle"), _int(query, "absolute"))
    elif path == "/sessions":
        body["sessions"] = [s.tag for s in sessions(environ, user)]
    elif path == "/end":
        body["ended"] = end_sessions(environ, user)
    body["user"] = environ["beaker.session"].get("user")
    if not isinstance(body["user"], (type(None), int, str, type(u""))):
        body["user"] = repr(body["user"])
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(body).encode("utf-8")]


@pytest.fixture
def middleware(clock, backend):
    def middleware(**options):
        options.setdefault("clock", clock)
        options.setdefault("protected_paths", ["/api"])
        options.setdefault("idle_timeout", IDLE)
        options.setdefault("absolute_timeout", ABSOLUTE)
        return SessionTimeoutMiddleware(app, dict(backend), **options)
    return middleware


def browser(mw, name="A"):
    return webtest.TestApp(mw, lint=True, extra_environ={"HTTP_USER_AGENT": name})


def session_id(b):
    return b.cookies["beaker.session.id"].strip('"')[40:]


def index_of(mw, user):
    return store.read_index(store.handle(mw.beaker), user)


def me(b, status=200):
    return b.get("/api/me", headers=XHR, status=status)


def listed(mw, user="alice"):
    return sorted(s.user_agent for s in mw.sessions(user))


def evict(mw, sid):
    """Drop a session's record as the store's own expiry or cleanup does."""
    handle = store.handle(mw.beaker)
    handle.namespace_class(sid, data_dir=handle.data_dir, digest_filenames=False,
                           **handle.namespace_args).remove()


# -- entries whose session is gone ------------------------------------------------------------

def test_an_expired_session_leaves_the_list_once_it_is_found(middleware, clock):
    """The request that finds a session expired drops its record; its entry goes when
    the user's sessions are next read."""
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login?idle=300")
    b.post("/login")
    clock.advance(301)
    assert me(a, 401).json["reason"] == "idle"
    assert len(index_of(mw, "alice")) == 2
    assert len(b.get("/sessions").json["sessions"]) == 1
    assert listed(mw) == ["B"] and len(index_of(mw, "alice")) == 1


def test_an_evicted_session_leaves_the_list(middleware):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    evict(mw, session_id(a))
    assert listed(mw) == ["B"]
    assert list(index_of(mw, "alice")) == [session_id(b)]


@pytest.mark.parametrize("change", [
    pytest.param(lambda entry: entry.update(login_at=entry["login_at"] + 5), id="another"),
    pytest.param(lambda entry: entry.update(login_at=None), id="none"),
    pytest.param(lambda entry: entry.update(login_at="soon"), id="text"),
])
def test_an_entry_of_another_sign_in_is_dead(middleware, change):
    """The index says when the session it lists signed in: an entry that does not match
    the record's sign-in (or says nothing usable) lists nothing, and is dropped."""
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    sid = session_id(a)
    store.change_index(store.handle(mw.beaker), "alice", lambda entries: change(entries[sid]))
    assert listed(mw) == ["B"]
    assert sid not in index_of(mw, "alice")
    assert me(a).json["user"] == "alice"  # the index never signs anyone out


def test_a_session_given_a_shorter_absolute_timeout_leaves_the_list_on_time(middleware,
                                                                            clock):
    """The entry keeps the deadline of the sign-in; the record knows the shorter one
    given later."""
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    a.get("/timeouts?absolute=600")
    clock.advance(599)
    assert listed(mw) == ["A", "B"]
    clock.advance(1)
    assert listed(mw) == ["B"]
    assert me(a, 401).json["reason"] == "absolute"


def test_max_sessions_does_not_count_a_session_that_expired(middleware, clock):
    mw = middleware(max_sessions=2)
    a, b, c = browser(mw, "A"), browser(mw, "B"), browser(mw, "C")
    a.post("/login?idle=300")
    b.post("/login")
    clock.advance(301)
    assert me(a, 401).json["reason"] == "idle"
    c.post("/login")  # two live sessions: nobody is replaced
    assert me(b).json["user"] == me(c).json["user"] == "alice"
    assert listed(mw) == ["B", "C"]


def test_signing_out_a_session_the_index_lost_leaves_the_index_alone(middleware):
    mw = middleware()
    a, b = browser(mw, "A"), browser(mw, "B")
    a.post("/login")
    b.post("/login")
    sid = session_id(a)
    store.change_index(store.handle(mw.beaker), "alice", lambda entries: entries.pop(sid))
    a.post("/logout")
    assert me(a, 401).json["error"] == "login_required"
    assert list(index_of(mw, "alice")) == [session_id(b)]
    assert listed(mw) == ["B"]


# -- users that are not text -------------------------------------------------------------------

@pytest.mark.parametrize("user", [
    pytest.param(7, id="int"),
    pytest.param(b"bob", id="bytes"),
    pytest.param(("acme", 7), id="tuple"),
])
def test_any_user_value_has_an_index(middleware, user):
    mw = middleware()
    a = webtest.TestApp(mw, lint=True, extra_environ={"test.user": user})
    a.post("/login")
    other = webtest.TestApp(mw, lint=True, extra_environ={"test.user": "carol"})
    other.post("/login")
    [listed] = mw.sessions(user)
    assert listed.current is False and listed.login_at is not None
    assert len(a.get("/sessions").json["sessions"]) == 1
    assert mw.end_sessions(user) == 1
    assert me(a, 401).json["reason"] == "revoked"
    assert me(other).json["user"] == "carol"


def test_a_user_who_never_signed_in_has_no_sessions(middleware):
    mw = middleware()
    browser(mw).post("/login")
    assert mw.sessions("nobody") == []
    assert mw.end_sessions("nobody") == 0
    assert index_of(mw, "nobody") == {}


# -- from a request that is not signed in --------------------------------------------------------

def test_an_anonymous_request_lists_and_ends_nothing_of_its_own(middleware):
    mw = middleware()
    a = browser(mw)
    a.post("/login")
    visitor = browser(mw, "V")
    visitor.get("/put")  # a session cookie, nobody signed in
    assert visitor.get("/sessions").json["sessions"] == []
    assert visitor.get("/end").json["ended"] == 0
    assert me(a).json["user"] == "alice"


def test_a_request_may_list_and_end_another_users_sessions(middleware):
    """An administrator's page: the user is named; the administrator's own session is
    neither listed nor ended."""
    mw = middleware()
    a = browser(mw)
    a.post("/login")
    admin = browser(mw, "admin")
    admin.post("/login?user=root")
    assert len(admin.get("/sessions?user=alice").json["sessions"]) == 1
    assert admin.get("/end?user=alice").json["ended"] == 1
    assert me(a, 401).json["reason"] == "revoked"
    assert me(admin).json["user"] == "root"


def test_a_cookie_session_knows_only_its_own_user(clock):
    mw = SessionTimeoutMiddleware(app, {"beaker.session.type": "cookie",
                                        "beaker.session.validate_key": "v" * 32},
                                  clock=clock, protected_paths=["/api"])
    a = browser(mw)
    a.post("/login")
    assert len(a.get("/sessions").json["sessions"]) == 1
    assert a.get("/sessions?user=bob").json["sessions"] == []
    assert browser(mw).get("/sessions").json["sessions"] == []


def test_users_that_differ_only_in_type_have_indexes_of_their_own():
    from wsgi_session_timeout.store import index_name
    names = set(index_name(user) for user in (7, "7", "int:7", (7,), "(7,)", "repr:(7,)"))
    assert len(names) == 6
    assert index_name(u"alice") == index_name(b"alice")  # one user on Python 2 and 3
