"""Lifecycle events: what happened to a session, for the application and the audit log.

The middleware tells one hook (the ``on_event`` option) about every sign-in, sign-out,
expiry, extension and revocation, and about the session store going down and coming
back. The hook gets an :class:`Event`. By default events are logged, one line each, to
the ``wsgi_session_timeout.audit`` logger (:func:`log_event`), ready for an audit log.
A hook that raises is logged and never breaks the request.

An event never carries a session id (a credential): only :attr:`Event.session`, a keyed
tag of it that cannot be turned back into the id, the same tag
:func:`~wsgi_session_timeout.sessions` lists sessions by.
"""

import logging
import re
from collections import namedtuple

#: A user signed in (``login()``, or the app setting the session's user itself).
SIGN_IN = "sign_in"
#: A user signed out (``logout()``, or the app clearing the session itself).
SIGN_OUT = "sign_out"
#: A request found the session past a deadline and ended it; ``reason`` is ``idle`` or
#: ``absolute``. A session nobody comes back to expires without an event.
EXPIRED = "expired"
#: The session was extended (the ``extend`` endpoint).
EXTEND = "extend"
#: A session was ended by :func:`~wsgi_session_timeout.end_sessions` (``reason``
#: ``revoked``) or by a newer sign-in beyond ``max_sessions`` (``replaced``).
REVOKED = "revoked"
#: The session store stopped answering (``reason``: the failure, without session ids).
STORE_DOWN = "store_down"
#: The session store answers again (``reason``: how long it was down).
STORE_UP = "store_up"

KINDS = (SIGN_IN, SIGN_OUT, EXPIRED, EXTEND, REVOKED, STORE_DOWN, STORE_UP)

audit = logging.getLogger("wsgi_session_timeout.audit")
log = logging.getLogger("wsgi_session_timeout")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Event(namedtuple("Event", "kind user reason time path session")):
    """One thing that happened to a session.

    :ivar kind: one of :data:`KINDS`.
    :ivar user: the signed-in user (the value at the session's ``auth_key``), ``None``
        for the store's events.
    :ivar reason: why (``idle``, ``absolute``, ``revoked``, ``replaced``, a store
        failure), or ``None``.
    :ivar time: seconds since the epoch, on the middleware's clock.
    :ivar path: the path of the request it happened in (``SCRIPT_NAME`` and
        ``PATH_INFO``), ``None`` outside a request.
    :ivar session: a keyed, non-reversible tag of the session id (16 hex digits), or
        ``None``.
    """

    __slots__ = ()


def _clean(value):
    """``value`` as text on one line: what a client sent cannot forge log lines."""
    if value is None:
        return "-"
    text = value if isinstance(value, str) else "%s" % (value,)
    return _CONTROL.sub(lambda m: "\\x%02x" % ord(m.group(0)), text)


def log_event(event):
    """The default hook: one ``INFO`` line on the ``wsgi_session_timeout.audit`` logger,
    ``kind user=... reason=... path=... session=...``, with the event as ``extra``
    (``record.session_event``) for structured handlers."""
    audit.info("%s user=%s reason=%s path=%s session=%s", event.kind, _clean(event.user),
               _clean(event.reason), _clean(event.path), _clean(event.session),
               extra={"session_event": event})


class Dispatcher(object):
    """Hands events to the hook, never letting it break the request.

    :param hook: a callable taking an :class:`Event`; ``None``: :func:`log_event`.
    """

    def __init__(self, hook=None):
        self.hook = hook or log_event

    def emit(self, kind, time, user=None, reason=None, path=None, session=None):
        """Tell the hook about one event; a hook that raises is logged, not raised."""
        event = Event(kind, user, reason, time, path, session)
        try:
            self.hook(event)
        except Exception:
            log.exception("the on_event hook %r failed on a %s event; the request goes on",
                          self.hook, kind)
        return event


def path_of(environ):
    """The request's path for an event, or ``None`` outside a request."""
    if not environ:
        return None
    return (environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")) or "/"
