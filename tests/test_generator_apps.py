"""An app whose body is lazy (a generator, or an iterable that calls ``start_response``
while it is iterated) and fails before it has started its answer: the error reaches the
server as the app raised it, and the app's iterable is closed exactly once (PEP 3333).
"""

import pytest
import webtest

from wsgi_session_timeout import SessionTimeoutMiddleware

from . import apps
from .conftest import XHR


class LazyPage(object):
    """Calls ``start_response`` on the first item, unless building it fails first."""

    def __init__(self, environ, start_response, log):
        self.start_response = start_response
        self.log = log
        self.fail = environ["PATH_INFO"] == "/broken"

    def __iter__(self):
        if self.fail:
            raise KeyError("no such template")
        self.start_response("200 OK", list(apps.TEXT))
        yield b"built lazily"

    def close(self):
        self.log.append("closed")


@pytest.fixture
def log():
    return []


@pytest.fixture
def app(clock, memory, log):
    def lazy(environ, start_response):
        if environ["PATH_INFO"] == "/login":
            return apps.app(environ, start_response)
        return LazyPage(environ, start_response, log)
    return webtest.TestApp(SessionTimeoutMiddleware(lazy, memory, clock=clock,
                                                    protected_paths=["/api"]), lint=True)


def test_a_lazy_page_is_sent_as_built(app, log):
    assert app.get("/page").text == "built lazily"
    assert log == ["closed"]


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "signed-in"])
def test_a_lazy_page_that_fails_before_it_starts_is_closed_once(app, log, signed_in):
    if signed_in:
        app.post("/login")
    with pytest.raises(KeyError) as info:
        app.get("/broken", headers=XHR)
    assert "no such template" in str(info.value)
    assert log == ["closed"]
    if signed_in:
        assert app.get("/api/me", headers=XHR).text == "built lazily"


def test_a_generator_that_fails_before_it_starts_raises_its_error(clock, memory):
    def generator_app(environ, start_response):
        if environ["PATH_INFO"] == "/broken":
            raise ValueError("the page could not be built")
        start_response("200 OK", list(apps.TEXT))
        yield b"fine"

    app = webtest.TestApp(SessionTimeoutMiddleware(generator_app, memory, clock=clock),
                          lint=True)
    assert app.get("/fine").text == "fine"
    with pytest.raises(ValueError) as info:
        app.get("/broken")
    assert "could not be built" in str(info.value)
