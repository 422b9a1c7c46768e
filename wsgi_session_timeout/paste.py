"""PasteDeploy factories: ``use = egg:wsgi_session_timeout#session_timeout``.

Every value arrives as an ini string and goes through the same converter table as the
keyword arguments (:mod:`wsgi_session_timeout.settings`).
"""

from .middleware import SessionTimeoutMiddleware
from .settings import BEAKER_PREFIXES, OPTIONS, PREFIX

_OWN = frozenset(name for name, _, _ in OPTIONS)
_PREFIXES = BEAKER_PREFIXES + (PREFIX,)


def filter_app_factory(app, global_conf, **local_conf):
    """``paste.filter_app_factory``: wrap ``app`` using the filter section's settings.

    Unprefixed keys of the section are the middleware's options or, as in Beaker's own
    ``beaker_session`` filter, Beaker session options (``type``, ``secret``, ...); an
    unknown one is an error. ``beaker.session.*``/``session.*`` keys configure Beaker.
    Values from ``[DEFAULT]`` apply where the section does not set them (PasteDeploy
    drops a section key that repeats a ``[DEFAULT]`` key unless it is written
    ``set key = ...``).
    """
    config = {}
    options = {}
    for source in (global_conf, local_conf):
        for key, value in source.items():
            if key.startswith(_PREFIXES):
                config[key] = value
            elif source is local_conf or key in _OWN:
                options[key] = value
    return SessionTimeoutMiddleware(app, config, **options)


def filter_factory(global_conf, **local_conf):
    """``paste.filter_factory``: the same, as a function that takes the app later."""
    def make_filter(app):
        return filter_app_factory(app, global_conf, **local_conf)
    return make_filter
