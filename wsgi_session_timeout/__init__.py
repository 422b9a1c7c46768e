"""Session-expiry handling for legacy WSGI applications on Beaker sessions.

Knows who is asking (a browser navigation, XHR, ``fetch``, htmx, an API client) and what
happened to the session (expired while idle, expired after the absolute timeout, never
signed in), and answers each the way that client can use.
"""

from .middleware import SessionTimeoutMiddleware
from .state import end_sessions, login, logout, sessions, set_timeouts

__all__ = ["SessionTimeoutMiddleware", "login", "logout", "set_timeouts", "sessions",
           "end_sessions"]
__version__ = "0.2.0"
