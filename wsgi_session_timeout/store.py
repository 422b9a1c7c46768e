"""Everything the middleware knows about Beaker's internals, in one module.

Opening and saving a session as Beaker's ``SessionMiddleware`` does, the notes left
beside a record that was ended, the probe that tells "no record" from "the store does
not answer", and the ``Session`` classes the middleware runs. A store failure of any
kind becomes :class:`StoreUnavailable`: an outage, never a sign-out.
"""

import errno
import hashlib
import time
import uuid
from binascii import a2b_base64 as _a2b_base64

from beaker import session as _beaker_session
from beaker.container import FileNamespaceManager
from beaker.container import pickle as _beaker_pickle  # the pickle Beaker's files use
from beaker.session import CookieSession, Session, SessionObject

try:
    from beaker.middleware import beaker_session as beaker_proxy
except ImportError:  # pragma: no cover (Beaker without paste.registry support)
    beaker_proxy = None

from . import cookies
from ._compat import integer_types, text_type

#: Keys the middleware keeps in the session, beside the app's own.
LOGIN_AT = "_session_timeout.login_at"
SEEN_AT = "_session_timeout.seen_at"
#: The session's own timeouts, when it was given some (``login(..., idle_timeout=)``):
#: ``[idle, absolute]``, seconds or ``None`` (the configured one). One key, so that a
#: session without any costs one lookup.
TIMEOUTS = "_session_timeout.timeouts"
#: ``[session id, tag]``: the activity cookie's tag of the session id it was computed
#: for, kept at sign-in so a request reads it instead of computing an HMAC (what a
#: worker serving more sessions than its tag cache holds would do on every request).
TAG = "_session_timeout.tag"


def own_timeouts(data):
    """``(idle, absolute)`` of a session's data as stored under :data:`TIMEOUTS`
    (``None`` for each it was not given)."""
    value = data.get(TIMEOUTS)
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return value[0], value[1]
    return None, None


class StoreUnavailable(Exception):
    """The session store failed (down, unreachable, or not keeping what it is given).

    Not a sign-out: nothing about the session is changed, and the middleware answers
    ``503`` with ``Retry-After`` to requests that need the session.
    """


class UnavailableSession(object):
    """Stands in for ``environ['beaker.session']`` while the store is down: any use
    raises :class:`StoreUnavailable`, so an app that needs the session fails in a way
    the middleware can answer, and one that does not still works."""

    def _fail(self, *args, **kwargs):
        raise StoreUnavailable("the session store is unavailable")

    __getitem__ = __setitem__ = __delitem__ = __contains__ = __iter__ = _fail
    get = save = delete = invalidate = persist = _fail

    def __getattr__(self, name):
        self._fail()


def call(function, *args):
    """Call ``function``; a failure of the store becomes :class:`StoreUnavailable`."""
    try:
        return function(*args)
    except StoreUnavailable:
        raise
    except Exception as exc:  # whatever the backend raises: an outage, not a sign-out
        raise StoreUnavailable(exc)


# -- a Beaker session, as the app sees it ---------------------------------------------------

def open_session(environ, options):
    """Do what Beaker's ``SessionMiddleware`` does on the way in (saving is
    :func:`persist`'s job, from ``start_response``). ``options`` are
    :class:`~wsgi_session_timeout.settings.BeakerOptions` made by :func:`own_options`."""
    session = OwnSessionObject(environ, options)
    if "paste.registry" in environ:  # (an operator where a get() is a call)
        registry = environ["paste.registry"]
        if registry is not None and registry.reglist and beaker_proxy is not None:
            registry.register(beaker_proxy, session)
    environ["beaker.session"] = session
    environ_key = options.environ_key
    if environ_key != "beaker.session":
        environ[environ_key] = session
    environ["beaker.get_session"] = options.get_session
    if "paste.testing_variables" in environ:
        varname = options.get("webtest_varname")
        if varname:
            environ["paste.testing_variables"][varname] = session
    return session


class OwnSessionObject(SessionObject):
    """Beaker's lazy ``SessionObject``, making the middleware's own ``Session`` class
    (:func:`own_options`) on first use: with the session id :func:`cookies.session_id`
    reads when the Cookie header is of the plain form (an existing one opened by
    :meth:`OwnSession.with_id`), else with the activity cookie hidden from Beaker's
    parser. Beaker's own ``_session`` would pass ``session_class``
    on to the Session as a backend argument; this one passes Beaker's options alone, to
    the class itself, one frame and one copy of the options fewer on every request that
    uses the session."""

    def __init__(self, environ, options):
        fields = self.__dict__  # (SessionObject's own attributes, as its __init__ sets them)
        fields["_params"] = dict(options)
        fields["_environ"] = environ
        fields["_sess"] = None
        fields["_headers"] = {}
        fields["_class"] = options["session_class"]
        fields["_kwargs"] = options.session_kwargs

    def _session(self):
        fields = self.__dict__
        session = fields["_sess"]
        if session is not None:
            return session
        fields["_headers"] = request = {"cookie_out": None}
        header = request["cookie"] = fields["_environ"].get("HTTP_COOKIE")
        cls = fields["_class"]
        reader = cls.cookie_reader
        if header and reader is not None:
            session_id = cookies.session_id(header, reader)
            if session_id is not cookies.UNSURE:
                if session_id is not None and cls.prepared is not None:
                    session = fields["_sess"] = cls.with_id(request, session_id)
                    return session
                # The id Beaker would read (see cookies; None: a new session), given
                # to Beaker with an empty header, put back whatever happens.
                request["cookie"] = ""
                try:
                    session = fields["_sess"] = cls(request, id=session_id,
                                                    **fields["_kwargs"])
                finally:
                    request["cookie"] = header
                return session
        if header:
            cookies.hide(request, cls.hide_cookie)
        session = fields["_sess"] = cls(request, **fields["_kwargs"])
        return session


def params(session):
    """The options a Beaker ``SessionObject`` was made with (no backend access)."""
    return getattr(session, "__dict__", {}).get("_params", {})


def real(session):
    """The Beaker ``Session`` behind a lazy ``SessionObject`` (loads it)."""
    get = getattr(session, "_session", None)
    return get() if get is not None else session


def load(session):
    """The Beaker ``Session`` behind a ``SessionObject``, loaded from the store."""
    try:
        return session._session()
    except AttributeError:
        return session  # a Session itself
    except Exception as exc:  # whatever the backend raises: an outage, not a sign-out
        raise StoreUnavailable(exc)


def session_id(session):
    """A loaded session's id, or ``None`` (a cookie session cleared by ``delete()`` has
    none until it is saved)."""
    try:
        return session.id
    except KeyError:
        return None


def is_cookie_session(session):
    """True for a ``CookieSession``: its data lives in the cookie, there is no record."""
    return isinstance(session, CookieSession)


def accessed(session):
    """True when the app (or the middleware) touched the session this request."""
    check = getattr(session, "accessed", None)
    return check() if check is not None else True


def dirty(session):
    """True when ``save()`` or ``delete()`` was called this request."""
    check = getattr(session, "dirty", None)
    return bool(check is not None and check())


def will_send_cookie(session, options=None):
    """True when an outer Beaker will send the session cookie for this response
    (``options``: the session's :func:`params`, when known already)."""
    if options is None:
        options = params(session)
    return bool(options.get("auto")) or dirty(session)


def persist(session, secure=False):
    """Save a session the middleware opened itself, as Beaker's own middleware does;
    return its ``Set-Cookie`` header (marked ``Secure`` when ``secure``), or ``None``."""
    if not session.accessed():
        return None
    try:  # as call(session.persist), one call fewer on every request that read a session
        session.persist()
    except StoreUnavailable:
        raise
    except Exception as exc:  # whatever the backend raises: an outage, not a sign-out
        raise StoreUnavailable(exc)
    out = session.__dict__["_headers"]
    if "set_cookie" in out and out["set_cookie"] and out.get("cookie_out"):
        cookie = out["cookie_out"].strip()
        if secure and "; secure" not in cookie.lower():
            cookie += "; Secure"
        return ("Set-Cookie", cookie)
    return None


# -- records and the notes beside them ------------------------------------------------------

def _namespace(session, name):
    """A namespace of the session's own store (same backend, same settings, the same
    expiry where the store keeps one), behind the same breaker as the session."""
    gate = getattr(session, "_gate", None)
    if gate is not None:
        gate()
    with_ttl = getattr(session, "_with_ttl", None)
    if with_ttl is not None:
        with_ttl()
    return session.namespace_class(name, data_dir=session.data_dir, digest_filenames=False,
                                   **session.namespace_args)


def end(session, session_id, now, user=None, reason=None):
    """End ``session_id`` for good: drop its record and leave a note beside it, so a
    request still in flight cannot save it back to life. The note also says which
    ``user`` was signed in, so a form posted into the ended session can be tied to them
    (:func:`ended_user`), and why, when ``reason`` is given (:func:`ended_reason`).
    Nothing to do for a cookie session (its data lives in the browser's cookie, which
    the caller replaces)."""
    if is_cookie_session(session):
        return
    call(_drop_record, session, session_id)
    call(_mark_ended, session, session_id, now, user, reason)


def ended_user(session, session_id):
    """The user the note of an ended ``session_id`` names, or ``None`` (no note, no
    user in it, or a cookie session)."""
    if is_cookie_session(session) or not session_id:
        return None
    return call(_ended_user, session, session_id)


def was_ended(session):
    """True when :func:`end` was called for this session's id (never for a cookie
    session: there is no store to keep a note in)."""
    if is_cookie_session(session):
        return False
    return call(_was_ended, session)


def ended_reason(session, session_id):
    """Why :func:`end` was called for ``session_id``: the ``reason`` it was given, ``""``
    when none, ``None`` when it was not ended (or is a cookie session)."""
    if is_cookie_session(session):
        return None
    return call(_ended_reason, session, session_id)


def _mark_ended(session, session_id, now, user, reason):
    namespace = _namespace(session, "%s.ended" % session_id)
    namespace.acquire_write_lock()
    try:
        # A bare time is what earlier versions wrote: both mean "ended".
        namespace["ended"] = (now, reason) if reason else now
        if user is not None:
            namespace["user"] = user
    finally:
        namespace.release_write_lock()


def _ended_user(session, session_id):
    namespace = _namespace(session, "%s.ended" % session_id)
    namespace.acquire_read_lock()
    try:
        return namespace["user"] if "user" in namespace else None
    finally:
        namespace.release_read_lock()


def _absent(namespace):
    """True when a file namespace has no file: reading it would only leave a lock file
    behind (a write, for a request that must not write)."""
    return isinstance(namespace, FileNamespaceManager) and not namespace.file_exists(
        namespace.file)


def _ended_reason(session, session_id):
    namespace = _namespace(session, "%s.ended" % session_id)
    if _absent(namespace):
        return None
    namespace.acquire_read_lock()
    try:
        try:
            note = namespace["ended"]
        except KeyError:
            return None
    finally:
        namespace.release_read_lock()
    if note is None:  # memcached answers None for "no such key"
        return None
    if isinstance(note, tuple) and len(note) == 2:
        return note[1] or ""
    return ""


def _was_ended(session):
    namespace = _namespace(session, "%s.ended" % session.id)
    namespace.acquire_read_lock()
    try:
        return "ended" in namespace
    finally:
        namespace.release_read_lock()


def _drop_record(session, session_id):
    namespace = _namespace(session, session_id)
    namespace.acquire_write_lock(replace=True)
    try:
        if "session" in namespace:
            del namespace["session"]
    finally:
        namespace.release_write_lock()


def peek(session, session_id):
    """The data stored for ``session_id`` (a dict), read beside ``session`` without
    loading it as this request's session; ``None`` when there is no record."""
    return call(_peek, session, session_id)


def _peek(session, session_id):
    namespace = _namespace(session, session_id)
    if _absent(namespace):
        return None
    namespace.acquire_read_lock()
    try:
        try:
            data = namespace["session"]
        except KeyError:
            return None
    finally:
        namespace.release_read_lock()
    if data is None:
        return None
    try:
        data = session._decrypt_data(data)
    except Exception:  # a record that cannot be decoded signs nobody in
        return None
    return data if isinstance(data, dict) and data else None


# -- the per-user index of sessions -----------------------------------------------------------

#: Namespaces of the per-user index are this and a digest of the user.
INDEX_PREFIX = "wsgi_session_timeout.user."


def index_name(user):
    """The namespace holding ``user``'s index: a digest, so any user value (and no
    user's name) goes into a key or a file name."""
    if isinstance(user, bytes):
        text = u"str:" + user.decode("utf-8", "replace")
    elif isinstance(user, text_type):
        text = u"str:" + user
    elif isinstance(user, integer_types) and not isinstance(user, bool):
        # 7 and 7L are one user on every Python; 7 and "7" are two, and so are their
        # indexes (a user is matched with ==).
        text = u"int:%d" % user
    else:
        text = u"repr:%r" % (user,)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
    return INDEX_PREFIX + digest


def read_index(session, user):
    """``user``'s index as stored: ``{session id: entry dict}`` (empty when none)."""
    return call(_read_index, session, user)


def _read_index(session, user):
    namespace = _namespace(session, index_name(user))
    if _absent(namespace):
        return {}
    namespace.acquire_read_lock()
    try:
        try:
            entries = namespace["sessions"]
        except KeyError:
            return {}
    finally:
        namespace.release_read_lock()
    return dict(entries) if isinstance(entries, dict) else {}


def change_index(session, user, change):
    """Read ``user``'s index, let ``change(entries)`` change the dict in place, and
    write it back if it changed (the key is removed when nothing is left). Returns what
    ``change`` returns. Runs under the store's own lock where it has one that holds
    across processes and hosts (file: ``flock``; Redis: its ``SET NX`` lock);
    memcached and databases have none, so there the last writer wins, as for sessions
    themselves."""
    return call(_change_index, session, user, change)


def _change_index(session, user, change):
    name = index_name(user)
    namespace = _namespace(session, name)
    lock = _index_lock(namespace)
    lock.acquire()
    try:
        namespace.acquire_write_lock()
        try:
            try:
                stored = namespace["sessions"]
            except KeyError:
                stored = None
            entries = dict(stored) if isinstance(stored, dict) else {}
            before = dict(entries)
            result = change(entries)
            if entries != before:
                if entries:
                    namespace["sessions"] = entries
                elif stored is not None:
                    del namespace["sessions"]
        finally:
            namespace.release_write_lock()
    finally:
        lock.release()
    return result


class _NoLock(object):
    def acquire(self):
        return True

    def release(self):
        pass


class _BoundedLock(object):
    """A store's lock, waited for a moment at most: a lock left behind by a process that
    died holding it (Redis keeps it for fifteen minutes) must not stop sign-ins. Past
    the wait the index is changed without it (the last writer wins, as on stores
    without a lock)."""

    TRIES = 25
    PAUSE = 0.02

    def __init__(self, lock):
        self.lock = lock
        self.held = False

    def acquire(self):
        for attempt in range(self.TRIES):
            if self.lock.acquire(wait=False):
                self.held = True
                return True
            time.sleep(self.PAUSE)
        return False

    def release(self):
        if self.held:
            self.held = False
            self.lock.release()


def _index_lock(namespace):
    """A lock across hosts for the index, where the store offers one that needs no
    local directory: Redis (Beaker's ``SET NX`` lock). File namespaces lock in
    ``acquire_write_lock`` already."""
    if type(namespace).__name__ == "RedisNamespaceManager":
        return _BoundedLock(namespace.get_creation_lock("sessions"))
    return _NoLock()


def handle(options):
    """A session object on the store ``options`` configure (the middleware's Beaker
    options), for reaching records and the index outside a request (nothing is loaded
    or saved)."""
    options = dict(options)
    cls = options.pop("session_class", None) or Session
    session = cls({}, use_cookies=False, **options)
    if isinstance(session, OwnSession):
        session.breaker = None  # an administrator's call is not a request
        session._with_ttl()
    return session


# -- held forms ---------------------------------------------------------------------------

def keep_held(session, token, record, ttl):
    """Keep ``record`` (a form posted into an ended session) under ``token`` in the
    session's own store, for ``ttl`` seconds where the backend expires records itself
    (Redis); the record carries its own expiry for the others. Returns ``False`` for a
    cookie session, which has no store to keep it in."""
    if is_cookie_session(session):
        return False
    call(_keep_held, session, token, record, ttl)
    return True


def take_held(session, token):
    """The record kept under ``token``, removed from the store (one use only), or
    ``None``."""
    if is_cookie_session(session):
        return None
    return call(_take_held, session, token)


def _held_namespace(session, token, ttl=None):
    args = dict(session.namespace_args)
    if ttl is not None:
        args["timeout"] = ttl + 60  # the store may drop it a minute after it is useless
    return session.namespace_class(HELD_NAMESPACE % token, data_dir=session.data_dir,
                                   digest_filenames=False, **args)


HELD_NAMESPACE = "wsgi_session_timeout.held.%s"


def _keep_held(session, token, record, ttl):
    namespace = _held_namespace(session, token, ttl)
    namespace.acquire_write_lock()
    try:
        namespace["held"] = record
    finally:
        namespace.release_write_lock()


def _take_held(session, token):
    namespace = _held_namespace(session, token)
    namespace.acquire_write_lock()
    try:
        if "held" not in namespace:
            return None
        record = namespace["held"]
        del namespace["held"]
        return record
    finally:
        namespace.release_write_lock()


def probe(session):
    """Write and read back a value: raises :class:`StoreUnavailable` when the store
    does not keep it (a cookie session has no store to probe)."""
    if is_cookie_session(session):
        return
    call(_probe, session)


def _probe(session):
    token = uuid.uuid4().hex  # a key of its own: concurrent probes never collide
    namespace = _namespace(session, "wsgi_session_timeout.probe")
    namespace.acquire_write_lock()
    try:
        namespace[token] = token
    finally:
        namespace.release_write_lock()
    namespace.acquire_read_lock()
    try:
        kept = namespace[token] if token in namespace else None
    finally:
        namespace.release_read_lock()
    namespace.acquire_write_lock()
    try:
        if kept is not None:
            del namespace[token]
    finally:
        namespace.release_write_lock()
    if kept != token:
        raise StoreUnavailable("the session store did not keep a probe value")


def new_id(session):
    """Give a loaded (server-side) session a fresh id, keeping its data in memory; it is
    stored (and sent) only if it is saved. Beaker's own times are wall-clock times."""
    session._create_id()
    session["_creation_time"] = session["_accessed_time"] = time.time()


def rotate(session, now):
    """Move a loaded session's data to a new id. A server-side session's old id is ended
    (its record dropped, a note left); a cookie session's data lives in the cookie, which
    the new id replaces."""
    if is_cookie_session(session):
        session["_id"] = uuid.uuid4().hex
        return
    if not session.is_new:
        end(session, session.id, now)
    session.regenerate_id()


# -- the Session classes the middleware runs ------------------------------------------------

class _Corrupt(Exception):
    """A stored session record that cannot be decoded (not a store failure)."""


class StrictFileNamespaceManager(FileNamespaceManager):
    """Beaker's file namespace, except that a record that exists but cannot be read is a
    failure of the store, not "no record" (Beaker ignores ``EACCES``, which would sign
    the user out for good over a permissions slip)."""

    def do_open(self, flags, replace):
        # Beaker's do_open but for the errors it lets through: one open of the file (a
        # check opening it first cost 9 us more of a 170 us signed-in read, make bench).
        if not replace and self.file_exists(self.file):
            try:
                with open(self.file, "rb") as handle:
                    self.hash = _beaker_pickle.load(handle)
            except (IOError, OSError) as exc:
                if exc.errno != errno.ENOENT:
                    raise
        self.flags = flags


def own_options(options, cookie_session, activity_cookie):
    """Beaker's ``options`` (:class:`~wsgi_session_timeout.settings.BeakerOptions`) as
    the middleware runs them: with a ``Session`` class of its own, made for these
    options (a subclass of :class:`OwnSession` or :class:`OwnCookieSession` whose class
    attributes are what only the middleware reads: the activity cookie it hides from
    Beaker, the store's expiry, the cookie reader, the breaker, set later), and a file
    store's strict namespace. Beaker's keyword arguments stay Beaker's: Python matches
    each against the parameter names of every ``__init__`` it goes through, by identity
    when it is one of them and by comparing it with each name when it is not."""
    own = {"hide_cookie": activity_cookie}
    given = {}
    if cookie_session:
        base = OwnCookieSession
    else:
        base = OwnSession
        own["store_ttl"] = options.get("store_ttl")
        own["replace_corrupt"] = options.get("invalidate_corrupt", True)
        # Beaker's own invalidate_corrupt would also start a new session when the store
        # merely failed to answer (a sign-out on every Redis blip): off, and done by
        # OwnSession.load for records that really cannot be read.
        given["invalidate_corrupt"] = False
        if options.get("use_cookies", True) and "id" not in options:
            own["cookie_reader"] = cookies.Reader.of(options.get("key"), options.get("secret"))
        if options.get("type") in (None, "file") and options.get("data_dir") and \
                not options.get("namespace_class"):
            given["namespace_class"] = StrictFileNamespaceManager
    given["session_class"] = session_class = type(base.__name__, (base,), own)
    result = options.copy_with(**given)
    result.pop("store_ttl", None)
    #: What OwnSessionObject gives the Session class: Beaker's options alone.
    result.session_kwargs = dict((key, value) for key, value in result.items()
                                 if key != "session_class")
    if session_class.cookie_reader is not None:
        session_class.prepare(result.session_kwargs)
    return result


class _LazyCookie(object):
    """Beaker's ``Session.cookie`` (the cookie it renders ``Set-Cookie`` from), made on
    first use: a session :meth:`OwnSession.with_id` opens has it only when it sends a
    cookie. Beaker makes it from the request's header, which such a session is not given
    (the header was read already), so it starts empty either way."""

    def __get__(self, session, cls=None):
        if session is None:
            return self
        cookie = session.__dict__["cookie"] = _beaker_session.SignedCookie(session.secret)
        return cookie


REFUSED = (
    "Beaker's Session refuses the beaker.session.* settings (%s), as it would on every "
    "request: correct the setting it names (type: a backend Beaker has; data_serializer: "
    "json or pickle; encrypt_nonce_bits: a multiple of 8; crypto_type: an installed "
    "backend)")

#: What Beaker's ``Session.__init__`` sets from its options alone: the same for every
#: session of one middleware.
_OPTION_FIELDS = frozenset([
    "type", "namespace_class", "data_dir", "key", "timeout", "save_atime", "use_cookies",
    "cookie_expires", "data_serializer", "serializer", "was_invalidated", "secret",
    "secure", "httponly", "samesite", "encrypt_key", "validate_key", "encrypt_nonce_size",
    "crypto_module", "invalidate_corrupt"])
#: What it sets for each session (copied or made afresh), or sets as it makes a new id.
_SESSION_FIELDS = frozenset([
    "_config", "namespace_args", "request", "id", "accessed_dict", "is_new", "cookie",
    "last_accessed", "unrendered"])


class OwnSession(Session):
    """The ``Session`` the middleware runs: Beaker's, blind to the activity cookie, strict
    about unreadable files (:func:`own_options`), and giving the store an expiry
    (``store_ttl`` seconds) without Beaker's own ``timeout``, which would also write the
    session on every request. Backends that take a ``timeout`` (Redis: ``SETEX``) then
    drop dead records by themselves; the others ignore it. The middleware runs a
    subclass made for its options (:func:`own_options`)."""

    hide_cookie = None  # the activity cookie's name
    store_ttl = None
    replace_corrupt = True  # the configured invalidate_corrupt
    cookie_reader = None  # a cookies.Reader, when the session cookie is signed
    breaker = None
    unrendered = False  # a new id whose Set-Cookie value is not rendered yet
    #: The fields Beaker's ``__init__`` gives every session of this class, when
    #: :meth:`prepare` knew them all; else ``None`` (every session is Beaker-made).
    prepared = None
    prepared_config = prepared_namespace_args = None  # Beaker's two dicts, copied
    cookie = _LazyCookie()

    @classmethod
    def prepare(cls, kwargs):
        """Learn what Beaker's ``__init__`` sets for ``cls(request, **kwargs)`` by making
        one new session (no store access), for :meth:`with_id`; settings Beaker refuses
        raise :class:`ValueError` at start-up. Not prepared when the Beaker
        installed sets a field :data:`_OPTION_FIELDS` and :data:`_SESSION_FIELDS` do not
        name (a Beaker version this module does not know), or when it would load with
        ``invalidate_corrupt`` (OwnSession.load replaces corrupt records itself), or
        without a signed cookie (the id is read only from a signed one)."""
        try:
            fields = cls({"cookie": ""}, **kwargs).__dict__
        except Exception as exc:  # Beaker would fail so on every request
            raise ValueError(REFUSED % ("%s: %s" % (type(exc).__name__, exc)))
        if set(fields) - _OPTION_FIELDS - _SESSION_FIELDS or \
                fields.get("invalidate_corrupt") or not fields.get("use_cookies") or \
                not fields.get("secret"):
            return
        cls.prepared = dict((name, value) for name, value in fields.items()
                            if name in _OPTION_FIELDS)
        cls.prepared_config = dict(fields["_config"])
        cls.prepared_namespace_args = dict(fields["namespace_args"])

    @classmethod
    def with_id(cls, request, session_id):
        """``cls(request, id=session_id, **kwargs)`` with the id read already: Beaker's
        ``__init__`` without the part that depends on its options alone (:meth:`prepare`
        did it once) and without the cookie it parses for an id (made when it is
        rendered, by :class:`_LazyCookie`). A signed-in read with 10 000 sessions: 1.28
        -> 1.17 x Beaker alone's time (in process, memory store; docs/benchmark.md)."""
        session = _new_dict(cls)
        fields = session.__dict__
        fields.update(cls.prepared)
        fields["_config"] = config = dict(cls.prepared_config)
        fields["namespace_args"] = dict(cls.prepared_namespace_args)
        fields["request"] = request
        fields["id"] = session_id
        fields["accessed_dict"] = {}
        fields["is_new"] = False
        dict.update(session, config)  # Beaker's clear(), on a session still empty
        session.load()  # (prepare: never with invalidate_corrupt, so what fails raises)
        return session

    def _with_ttl(self):
        if self.store_ttl and "timeout" not in self.namespace_args:
            self.namespace_args["timeout"] = self.store_ttl

    def load(self):
        """Load, with the store's expiry in place for the namespace it opens. A record
        that cannot be decoded is replaced by a new session; a store that fails raises."""
        # What _with_ttl() and _gate() do, inline: every signed-in request loads.
        if self.store_ttl and "timeout" not in self.namespace_args:
            self.namespace_args["timeout"] = self.store_ttl
        breaker = self.breaker
        if breaker is not None and breaker.opened_at is not None and not breaker.admits():
            raise StoreUnavailable("the session store is unavailable")
        try:
            Session.load(self)
        except _Corrupt:
            if not self.replace_corrupt:
                raise
            self.invalidate()
            return
        if self.unrendered:
            self._render_if_sent()

    def _create_id(self, set_new=True):
        """A new id. For a new session Beaker also renders its ``Set-Cookie`` value at
        once, to send only if the session is saved; here that waits until the cookie is
        to be sent (:meth:`load` or :meth:`save` sets Beaker's ``set_cookie``). Most
        requests without a session cookie read a new session and never save it: making
        one takes 8 instead of 23 us (timeit, Python 3.11), and such a request through
        the middleware half the time it takes under Beaker's own (docs/benchmark.md)."""
        if not set_new or not self.use_cookies:
            return Session._create_id(self, set_new)
        self.use_cookies = False
        try:
            Session._create_id(self, set_new)
        finally:
            self.use_cookies = True
        self.request["set_cookie"] = False
        self.unrendered = True

    def _update_cookie_out(self, set_cookie=True):
        self.unrendered = False
        return Session._update_cookie_out(self, set_cookie)

    def _render_if_sent(self):
        """Render a new id's cookie once Beaker has decided to send it (the callers test
        ``unrendered`` first: a signed-in read makes no call here)."""
        if self.request.get("set_cookie"):
            self._update_cookie_out()

    def _decrypt_data(self, session_data):
        try:
            if self.encrypt_key or session_data.__class__ is not text_type:
                return Session._decrypt_data(self, session_data)
            # Beaker's own two steps for a record it wrote unencrypted (base64 text, then
            # the serializer), without the three functions of the base64 module around
            # binascii's: a signed-in read with 10 000 sessions 1.14 -> 1.10 x Beaker
            # alone's time (in process, memory store).
            return self.serializer.loads(_a2b_base64(session_data))
        except Exception as exc:
            raise _Corrupt(exc)

    def save(self, accessed_only=False):
        """Save, with the store's expiry in place for the namespace it opens."""
        self._with_ttl()
        self._gate()
        Session.save(self, accessed_only)
        if self.unrendered:
            self._render_if_sent()

    def _gate(self):
        """While the breaker is open, fail at once instead of asking the store, unless
        this request is its probe, or becomes it (a probe is due): a request without a
        session to read (a visitor's first save, a sign-in) probes as well as one that
        reads a session, so the outage ends when the store is back whoever comes. The
        middleware reports how the store answered."""
        breaker = self.breaker
        if breaker is not None and breaker.opened_at is not None and \
                not breaker.admits() and not breaker.allow():
            raise StoreUnavailable("the session store is unavailable")


_new_dict = dict.__new__


class OwnCookieSession(CookieSession):
    """Beaker's ``CookieSession``, blind to the activity cookie."""

    hide_cookie = None  # the activity cookie's name (OwnSessionObject hides it)
    cookie_reader = None  # its cookie is Beaker's to read: encrypted, not only signed
