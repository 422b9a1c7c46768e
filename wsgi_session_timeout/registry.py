"""The per-user index of signed-in sessions, kept in the session store itself.

Each user who signs in has one small record beside the sessions (a namespace of the
session's own store, named by a digest of the user: :func:`store.index_name`) holding
``{session id: {login_at, seen_at, user_agent, until}}``. It is written at sign-in,
sign-out and revocation only, never on an ordinary request.

The index only ever finds sessions to list or to end: whether a request is signed in is
decided from the session's own record, so an index that is lost, stale or evicted never
signs anyone in (at worst a session is not listed). Entries whose session is gone are
dropped when they are found (a record that is missing, ended, of another user or of
another sign-in) and when their absolute deadline (``until``) has passed; on Redis the
whole index expires with the store's own expiry, renewed at each sign-in. One user's
index never holds more than :data:`LIMIT` sessions: beyond that, the oldest is ended
(without reading any record: sessions past the limit are rare, and each sign-in there
stays cheap).
"""

from collections import namedtuple

from . import expiry, store
from .store import LOGIN_AT, SEEN_AT

#: The most sessions one user may have at once when ``max_sessions`` is not set: a
#: sign-in beyond it ends the oldest (with ``reason`` ``replaced``).
LIMIT = 100
#: The most characters of a user agent kept.
AGENT_LENGTH = 256


class SessionInfo(namedtuple("SessionInfo", "tag login_at seen_at user_agent current")):
    """One signed-in session of a user, as :func:`~wsgi_session_timeout.sessions` lists it.

    :ivar tag: the session's tag (16 hex digits; never the id): pass it to
        :func:`~wsgi_session_timeout.end_sessions` to end this one.
    :ivar login_at: when it signed in (seconds since the epoch).
    :ivar seen_at: its last activity as far as the store knows: the sign-in, or the last
        request that saved the session (for the current session: this request's).
    :ivar user_agent: the ``User-Agent`` it signed in with, or ``None``.
    :ivar current: True for the session of the request that asks.
    """

    __slots__ = ()


def entry(login_at, user_agent, absolute_timeout):
    """The index entry of a session that signs in now."""
    agent = user_agent[:AGENT_LENGTH] if user_agent else None
    return {"login_at": login_at, "seen_at": login_at, "user_agent": agent,
            "until": None if absolute_timeout is None else login_at + absolute_timeout}


def _past(value, now):
    return value is not None and expiry._finite(value) is not None and value <= now


def _record_of(handle, settings, user, session_id, value, now):
    """The stored data of the session ``value`` describes, or ``None`` when it is dead:
    no record, another user's or another sign-in's record, or past its absolute
    deadline. (The idle clock runs in the browser's activity cookie as well as the
    record, so only a request can judge it.)"""
    data = store.peek(handle, session_id)
    if data is None or data.get(settings.auth_key) != user:
        return None
    login_at = data.get(LOGIN_AT)
    try:
        if login_at is None or int(login_at) != int(value.get("login_at")):
            return None
    except (TypeError, ValueError):
        return None
    absolute = expiry.own_timeout(store.own_timeouts(data)[1], settings.absolute_timeout,
                                  settings.max_absolute_timeout)
    if absolute is not None and login_at + absolute <= now:
        return None
    return data


def _age(value):
    """Sort key of an entry, oldest first: sign-in time, then the order of sign-ins
    within one second."""
    return (value.get("login_at") or 0, value.get("n") or 0)


def signed_in(handle, settings, user, session_id, value, now):
    """Add ``session_id`` (signed in now, :func:`entry` ``value``) to ``user``'s index.
    Beyond ``max_sessions`` live sessions (or :data:`LIMIT` entries), the oldest others
    are taken out of the index and returned, to be ended as ``replaced``."""
    max_sessions = settings.max_sessions
    limit = min(max_sessions or LIMIT, LIMIT)

    def change(entries):
        for other in [sid for sid, v in entries.items()
                      if not isinstance(v, dict) or _past(v.get("until"), now)]:
            del entries[other]
        value["n"] = 1 + max([v.get("n") or 0 for v in entries.values()] or [0])
        entries[session_id] = value
        if max_sessions is not None and len(entries) > max_sessions:
            # Only live sessions count: a few records read, at sign-ins over the cap.
            for other in [sid for sid in entries if sid != session_id]:
                if _record_of(handle, settings, user, other, entries[other], now) is None:
                    del entries[other]
        if len(entries) <= limit:
            return []
        others = sorted((_age(v), sid) for sid, v in entries.items() if sid != session_id)
        replaced = [sid for _, sid in others[:len(entries) - limit]]
        for sid in replaced:
            del entries[sid]
        return replaced

    return store.change_index(handle, user, change)


def signed_out(handle, user, session_ids):
    """Take ``session_ids`` out of ``user``'s index."""
    session_ids = set(session_ids)

    def change(entries):
        for sid in session_ids:
            entries.pop(sid, None)

    store.change_index(handle, user, change)


def live(handle, settings, user, now):
    """``[(session id, entry, stored data)]`` of ``user``'s live sessions, oldest
    sign-in first; the dead entries found are dropped from the index."""
    entries = store.read_index(handle, user)
    found, dead = [], []
    for sid, value in entries.items():
        data = None
        if isinstance(value, dict) and not _past(value.get("until"), now):
            data = _record_of(handle, settings, user, sid, value, now)
        if data is None:
            dead.append(sid)
        else:
            found.append((sid, value, data))
    if dead:
        signed_out(handle, user, dead)
    found.sort(key=lambda item: (_age(item[1]), item[0]))
    return found


def info(tag, value, data, current_seen_at=None):
    """The :class:`SessionInfo` of one live session."""
    seen = [t for t in (value.get("seen_at"), data.get(SEEN_AT), current_seen_at)
            if expiry._finite(t) is not None]
    return SessionInfo(tag, data.get(LOGIN_AT), max(seen) if seen else None,
                       value.get("user_agent"), current_seen_at is not None)


def end(handle, user, session_ids, now, reason):
    """End ``session_ids`` of ``user`` for good (a note with ``reason`` beside each) and
    take them out of the index."""
    session_ids = list(session_ids)
    for sid in session_ids:
        store.end(handle, sid, now, user, reason)
    if session_ids:
        signed_out(handle, user, session_ids)
    return session_ids


def listing(handle, settings, user, now, tag_of, current_id=None, current_seen_at=None):
    """``user``'s live sessions as :class:`SessionInfo`, oldest sign-in first.
    ``tag_of(session id)`` gives a session's tag; ``current_id`` is the asking
    request's session (last active at ``current_seen_at``)."""
    return [info(tag_of(sid), value, data,
                 current_seen_at if sid == current_id else None)
            for sid, value, data in live(handle, settings, user, now)]


def chosen(handle, user, tag_of, tags=None, keep=None):
    """The ids in ``user``'s index whose tag is in ``tags`` (``None``: all of them),
    except ``keep``."""
    wanted = None if tags is None else set(tags)
    return [sid for sid in sorted(store.read_index(handle, user))
            if sid != keep and (wanted is None or tag_of(sid) in wanted)]
