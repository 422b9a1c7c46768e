"""A store that fails part of the way: reads that work while writes fail, notes or kept
forms that cannot be read, a store that drops what it is given. Each is an outage (503,
nothing signed out, nothing lost), never a sign-out.

The store is Beaker's real file backend, through ``namespace_class`` (Beaker's own
extension point for a backend): :class:`Disk` opens and closes files as Beaker does,
except where a test has told it that the disk fails. Running as root makes ``chmod``
useless for this, and a read-only or flaky disk is what these failures look like in
production (a Redis replica answering ``READONLY``, a full or failing disk).
"""

import errno
import glob
import logging
import os

import pytest
import webtest
from beaker.container import FileNamespaceManager

from wsgi_session_timeout import SessionTimeoutMiddleware, logout, set_timeouts, store
from wsgi_session_timeout.store import StoreUnavailable

from . import apps
from .conftest import NAV, XHR

ORIGIN = "http://localhost"
FORM_POST = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Origin": ORIGIN, "Referer": ORIGIN + "/account"}
PAGE_LOAD = {"Sec-Fetch-Mode": "navigate", "Sec-Fetch-Site": "same-origin",
             "Sec-Fetch-Dest": "document", "Accept": "text/html"}
HELD = "beaker.session.id.held"
IDLE = 600
OPTIONS = dict(protected_paths=["/account", "/api"], idle_timeout=IDLE)


def kind_of(namespace):
    """What a namespace of the session store holds."""
    if namespace.endswith(".ended"):
        return "note"
    if namespace.startswith(store.HELD_NAMESPACE % ""):
        return "held"
    if namespace.startswith(store.INDEX_PREFIX):
        return "index"
    if namespace.startswith("wsgi_session_timeout."):
        return "probe"
    return "record"


class Disk(object):
    """The disk under a file store: what fails (``reads``/``writes`` of the kinds of
    namespace named, see :func:`kind_of`; ``"*"`` for all) and what is lost."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.repair()

    def repair(self):
        self.failing_reads = set()
        self.failing_writes = set()
        self.forgetting = False
        self.code = errno.EIO
        self.opened = []  # (namespace kind, writing) of every file opened

    def read_only(self):
        self.failing_writes.add("*")
        self.code = errno.EROFS

    def fails(self, namespace, writing):
        failing = self.failing_writes if writing else self.failing_reads
        return "*" in failing or kind_of(namespace) in failing

    def evict(self, session_id):
        """Remove a session's record, as a store that purges old records does."""
        paths = glob.glob(os.path.join(self.data_dir, "container_file", "*", "*",
                                       session_id + ".cache"))
        assert len(paths) == 1, paths
        os.remove(paths[0])

    def namespace_class(self):
        disk = self

        class DiskNamespace(FileNamespaceManager):
            def do_open(self, flags, replace):
                disk.opened.append((kind_of(self.namespace), flags != "r"))
                if disk.fails(self.namespace, flags != "r"):
                    raise IOError(disk.code, os.strerror(disk.code))
                FileNamespaceManager.do_open(self, flags, replace)

            def do_close(self):
                if disk.forgetting and self.flags in ("c", "w"):
                    self.flags = None  # the write is acknowledged, and lost
                FileNamespaceManager.do_close(self)
        return DiskNamespace


@pytest.fixture
def disk(tmpdir):
    return Disk(str(tmpdir.join("sessions")))


@pytest.fixture
def config(disk):
    return {"beaker.session.type": "file", "beaker.session.data_dir": disk.data_dir,
            "beaker.session.secret": "s3cret",
            "beaker.session.namespace_class": disk.namespace_class()}


def session_id(browser):
    return browser.cookies["beaker.session.id"].strip('"')[40:]


def problem(response):
    return response.json["error"]


def errors(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def make(config, clock):
    def make(app=apps.app, **options):
        for name, value in OPTIONS.items():
            options.setdefault(name, value)
        return webtest.TestApp(
            SessionTimeoutMiddleware(app, config, clock=clock, **options), lint=True)
    return make


# -- writes fail, reads work -------------------------------------------------------------

def test_a_save_on_a_read_only_store_is_a_503_and_loses_nothing(make, disk, clock, caplog):
    app = make()
    app.post("/login")
    app.get("/put?apple")
    cookies = dict(app.cookies)
    disk.read_only()
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        # A visitor's first save: no session to read, the write fails.
        visitor = webtest.TestApp(app.app, lint=True)
        response = visitor.get("/put?pear", headers=XHR, status=503)
        assert problem(response) == "store_unavailable"
        assert "Set-Cookie" not in response.headers and visitor.cookies == {}
        [error] = errors(caplog)
        assert "session store unavailable" in error and "Read-only file system" in error
        clock.advance(1)
        # Reading works (the probe succeeds), saving does not.
        assert app.get("/get").text == "cart=apple user=alice"
        clock.advance(1)
        response = app.get("/put?banana", headers=XHR, status=503)
        assert problem(response) == "store_unavailable"
        assert "Set-Cookie" not in response.headers
    assert dict(app.cookies) == cookies
    disk.repair()
    clock.advance(1)
    assert app.get("/get").text == "cart=apple user=alice"
    assert app.get("/put?cherry").text == "put"
    assert app.get("/get").text == "cart=cherry user=alice"


def test_while_the_store_is_known_to_fail_a_save_does_not_ask_it(make, disk, clock):
    app = make()
    app.post("/login")
    disk.read_only()
    del disk.opened[:]
    first = webtest.TestApp(app.app, lint=True)
    assert problem(first.get("/put?pear", headers=XHR, status=503)) == "store_unavailable"
    assert disk.opened == [("record", True)]
    second = webtest.TestApp(app.app, lint=True)
    assert problem(second.get("/put?plum", headers=XHR, status=503)) == "store_unavailable"
    assert disk.opened == [("record", True)]  # the breaker answered, not the disk
    disk.repair()
    clock.advance(1)
    assert app.get("/get").text == "cart=None user=alice"  # the probe: the store is back
    assert second.get("/put?plum").text == "put"
    assert second.get("/get").text == "cart=plum user=None"


def test_a_visitors_save_probes_the_store_when_a_probe_is_due(make, disk, clock, caplog):
    """Requests without a session to read probe the store too: with only visitors
    coming, the outage ends the first time one of them saves after the store is back."""
    app = make()
    disk.read_only()
    visitor = webtest.TestApp(app.app, lint=True)
    with caplog.at_level(logging.INFO, logger="wsgi_session_timeout"):
        assert problem(visitor.get("/put?pear", headers=XHR, status=503)) == \
            "store_unavailable"
        assert problem(visitor.get("/put?pear", headers=XHR, status=503)) == \
            "store_unavailable"  # no probe due yet: the breaker answers
        clock.advance(1)
        assert problem(visitor.get("/put?pear", headers=XHR, status=503)) == \
            "store_unavailable"  # the probe, and the store still fails
        disk.repair()
        clock.advance(1)
        assert visitor.get("/put?plum").text == "put"  # the probe: the store is back
        assert visitor.get("/get").text == "cart=plum user=None"
        other = webtest.TestApp(app.app, lint=True)
        assert other.post("/login").status_int == 200  # closed: no wait for a probe
    messages = [r.getMessage() for r in caplog.records]
    assert len([m for m in messages if "session store unavailable" in m]) == 1
    assert len([m for m in messages if "available again" in m]) == 1


def test_a_sign_in_answer_that_cannot_save_the_session_is_a_503(make, disk):
    """The app notes where the visitor was going in the session, then says 401: the
    middleware's own sign-in answer saves that session, and the store refuses it."""
    def remembers(environ, start_response):
        session = environ["beaker.session"]
        session["wanted"] = environ["PATH_INFO"]
        session.save()
        start_response("401 Unauthorized", list(apps.TEXT))
        return [b"sign in first"]

    app = make(remembers, protected_paths=None)
    assert problem(app.get("/orders", headers=XHR, status=401)) == "login_required"
    disk.read_only()
    visitor = webtest.TestApp(app.app, lint=True)
    response = visitor.get("/orders", headers=XHR, status=503)
    assert problem(response) == "store_unavailable"
    assert "Set-Cookie" not in response.headers


def test_the_end_of_a_signed_in_request_meets_notes_it_cannot_read(make, disk, clock):
    """A save checks that no other request ended the session meanwhile (the note beside
    the record): when that note cannot be read, the save is not made."""
    app = make()
    app.post("/login")
    app.get("/put?apple")
    disk.failing_reads.add("note")
    assert app.get("/get").text == "cart=apple user=alice"  # no save, no note read
    assert problem(app.get("/put?pear", headers=XHR, status=503)) == "store_unavailable"
    disk.repair()
    clock.advance(1)
    assert app.get("/get").text == "cart=apple user=alice"


# -- a record the store lost ---------------------------------------------------------------

def test_a_lost_record_on_a_store_that_refuses_writes_is_an_outage(make, disk, clock):
    """The activity cookie says the session should be live and the store has no record:
    the probe write tells an evicted record from a store that fails. It fails here."""
    app = make()
    app.post("/login")
    cookies = dict(app.cookies)
    disk.evict(session_id(app))
    disk.read_only()
    response = app.get("/api/me", headers=XHR, status=503)
    assert problem(response) == "store_unavailable" and "Set-Cookie" not in response.headers
    assert dict(app.cookies) == cookies
    disk.repair()
    clock.advance(1)
    # The store works: the record is gone for good, and so is the cookie.
    assert problem(app.get("/api/me", headers=XHR, status=401)) == "login_required"
    assert "beaker.session.id" not in app.cookies


def test_an_ended_session_whose_note_cannot_be_read_is_an_outage(make, disk, clock):
    """Signed out in another tab: the record is gone and a note says why. This browser
    still holds the activity cookie; the note, which cannot be read, would tell."""
    app = make()
    app.post("/login")
    other = webtest.TestApp(app.app, lint=True)
    for name, value in app.cookies.items():
        other.set_cookie(name, value)
    other.get("/logout")
    disk.failing_reads.add("note")
    assert problem(app.get("/api/me", headers=XHR, status=503)) == "store_unavailable"
    nav = app.get("/account", headers=NAV, status=503)
    assert "Set-Cookie" not in nav.headers
    disk.repair()
    clock.advance(1)
    assert problem(app.get("/api/me", headers=XHR, status=401)) == "login_required"


def test_a_store_that_drops_what_it_is_given_is_an_outage(make, disk, clock, caplog):
    app = make()
    app.post("/login")
    disk.evict(session_id(app))
    disk.forgetting = True
    with caplog.at_level(logging.WARNING, logger="wsgi_session_timeout"):
        assert problem(app.get("/api/me", headers=XHR, status=503)) == "store_unavailable"
    [error] = errors(caplog)
    assert "did not keep a probe value" in error


# -- forms posted into an ended session ----------------------------------------------------

def _expired(app, clock):
    app.post("/login")
    clock.advance(IDLE + 1)


def _held(response):
    return [c for c in response.headers.getall("Set-Cookie") if c.startswith(HELD + "=")]


def test_a_form_the_store_cannot_keep_still_sends_the_user_to_sign_in(make, disk, clock,
                                                                      caplog):
    app = make()
    _expired(app, clock)
    disk.failing_writes.add("held")
    with caplog.at_level(logging.WARNING, logger="wsgi_session_timeout"):
        response = app.post("/account/save", [("comment", "hello")], headers=FORM_POST,
                            status=303)
    assert response.headers["Location"] == "/login?came_from=%2Faccount%2Fsave"
    assert _held(response) == []
    assert "a form posted into an ended session was not kept" in caplog.text
    assert errors(caplog) == []  # the session store answers: not an outage
    disk.repair()
    app.post("/login")
    assert app.get("/account/save", headers=PAGE_LOAD).text == \
        "page /account/save user=alice"


def test_a_kept_form_the_store_cannot_give_back_waits_for_the_next_page(make, disk, clock):
    app = make()
    _expired(app, clock)
    assert _held(app.post("/account/save", [("comment", "hello")], headers=FORM_POST,
                          status=303))
    app.post("/login")
    disk.failing_writes.add("held")
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert page.text == "page /account/other user=alice"  # the app's own page
    assert _held(page) == [] and HELD in app.cookies  # the cookie stays: offered later
    disk.repair()
    page = app.get("/account/other", headers=PAGE_LOAD)
    assert page.forms[0].action == "/account/save"
    assert page.forms[0]["comment"].value == "hello"
    assert any(c.startswith(HELD + "=;") for c in page.headers.getall("Set-Cookie"))


# -- the application during an outage ----------------------------------------------------

@pytest.fixture
def broken(disk):
    """Breaks the whole store (every read and write fails)."""
    def broken():
        disk.failing_reads.add("*")
        disk.failing_writes.add("*")
    return broken


def outage_app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/logout":
        logout(environ)
    elif path == "/timeouts":
        set_timeouts(environ, idle_timeout=60)
    elif path == "/whose":
        session = environ["beaker.session"]
        body = ("session %s" % session.id).encode("utf-8")  # an attribute, not a key
        start_response("200 OK", list(apps.TEXT))
        return [body]
    elif path == "/late":
        start_response("200 OK", list(apps.TEXT))
        return [("user=%s" % environ["beaker.session"].get("user")).encode("utf-8")]
    else:
        return apps.app(environ, start_response)
    start_response("200 OK", list(apps.TEXT))
    return [b"done"]


@pytest.mark.parametrize("path", ["/logout", "/timeouts", "/whose"])
def test_what_needs_the_session_during_an_outage_is_a_503(make, broken, path):
    app = make(outage_app)
    app.post("/login")
    cookies = dict(app.cookies)
    broken()
    response = app.get(path, headers=XHR, status=503)
    assert problem(response) == "store_unavailable"
    assert "Set-Cookie" not in response.headers and dict(app.cookies) == cookies
    assert app.get("/write").text == "written and returned"  # what does not still works


def test_an_outage_met_after_the_app_started_its_answer_reaches_the_server(make, broken):
    """The status line and headers are gone: there is no 503 left to send."""
    app = make(outage_app)
    app.post("/login")
    broken()
    with pytest.raises(StoreUnavailable):
        app.get("/late")


def test_an_apps_own_401_during_an_outage_touches_no_session(make, broken):
    """The app says "sign in" without reading the session: its answer is made usable
    for a script, and no cookie is sent or dropped (the store cannot be asked)."""
    app = make(outage_app)
    app.post("/login")
    cookies = dict(app.cookies)
    broken()
    response = app.get("/always-401", headers=XHR, status=401)
    assert problem(response) == "login_required"
    assert "Set-Cookie" not in response.headers and "Session-Expires-In" not in response.headers
    assert dict(app.cookies) == cookies
