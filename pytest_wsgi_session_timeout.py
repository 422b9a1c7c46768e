"""pytest plugin: fixtures for applications that use the middleware.

Installed with the package (the ``pytest11`` entry point ``wsgi_session_timeout``), so
pytest imports this module in every run. It lives outside the package, so loading it
imports nothing but pytest: the package (and through it Beaker and WebOb, never
WebTest) is imported only when a test asks for a fixture. ``-p no:wsgi_session_timeout``
turns it off.

.. code-block:: python

    @pytest.fixture
    def testapp(session_clock):
        return webtest.TestApp(make_app(clock=session_clock))

    def test_session_expires(testapp, session_clock):
        sign_in(testapp, "alice")
        session_clock.advance(1800)
        assert_session_expired(testapp.get("/account", status=302), kind="navigation")
"""

from __future__ import absolute_import

import pytest


@pytest.fixture
def session_clock():
    """A :class:`wsgi_session_timeout.testing.ManualClock`, new for each test, reading
    :data:`~wsgi_session_timeout.testing.DEFAULT_START` (2023-11-14 22:13:20 UTC) until
    the test moves it: pass it as the middleware's ``clock``."""
    from wsgi_session_timeout.testing import ManualClock

    return ManualClock()
