import pytest

from wsgi_session_timeout.classify import API, FETCH, HTMX, NAVIGATION, XHR, classify, prefers_json


def env(**headers):
    return dict(("HTTP_" + k.upper().replace("-", "_"), v) for k, v in headers.items())


@pytest.mark.parametrize("headers, kind", [
    pytest.param({}, NAVIGATION, id="no-signal"),
    pytest.param({"Sec-Fetch-Mode": "navigate"}, NAVIGATION, id="navigate"),
    pytest.param({"Sec-Fetch-Mode": "navigate", "Accept": "application/json"}, NAVIGATION,
                 id="navigate-beats-accept"),
    pytest.param({"X-Requested-With": "XMLHttpRequest"}, XHR, id="jquery-yui"),
    pytest.param({"X-Requested-With": "xmlhttprequest"}, XHR, id="xhr-any-case"),
    pytest.param({"X-Requested-With": "ShockwaveFlash"}, NAVIGATION, id="other-requested-with"),
    pytest.param({"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}, FETCH, id="fetch-cors"),
    pytest.param({"Sec-Fetch-Mode": "same-origin", "Sec-Fetch-Dest": "empty"}, FETCH,
                 id="fetch-same-origin"),
    pytest.param({"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "empty"}, FETCH, id="fetch-no-cors"),
    pytest.param({"Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "image"}, NAVIGATION, id="img-tag"),
    pytest.param({"HX-Request": "true"}, HTMX, id="htmx"),
    pytest.param({"HX-Request": "true", "X-Requested-With": "XMLHttpRequest"}, HTMX,
                 id="htmx-beats-xhr"),
    pytest.param({"HX-Request": "false"}, NAVIGATION, id="htmx-false"),
    pytest.param({"Accept": "application/json"}, API, id="api-json"),
    pytest.param({"Accept": "application/json, text/plain, */*"}, API, id="axios"),
    pytest.param({"Accept": "application/problem+json"}, API, id="problem-json"),
    pytest.param({"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
                 NAVIGATION, id="browser-accept"),
    pytest.param({"Accept": "*/*"}, NAVIGATION, id="curl"),
    pytest.param({"Accept": "text/html;q=0.5, application/json"}, API, id="json-higher-q"),
    pytest.param({"Accept": "application/json;q=0, text/html"}, NAVIGATION, id="json-refused"),
    pytest.param({"Accept": ";;;,,,/"}, NAVIGATION, id="garbage-accept"),
    pytest.param({"Accept": "application/json;q=abc"}, NAVIGATION, id="bad-q"),
    pytest.param({"Accept": "application/json;q=nan"}, NAVIGATION, id="nan-q"),
    pytest.param({"Accept": "application/*"}, NAVIGATION, id="application-star-tie-html-first"),
])
def test_classify(headers, kind):
    assert classify(env(**headers))[0] == kind


@pytest.mark.parametrize("headers, consulted", [
    pytest.param({"Sec-Fetch-Mode": "navigate"}, ("Sec-Fetch-Mode",), id="navigate"),
    pytest.param({"HX-Request": "true"}, ("Sec-Fetch-Mode", "HX-Request"), id="htmx"),
    pytest.param({"X-Requested-With": "XMLHttpRequest"},
                 ("Sec-Fetch-Mode", "HX-Request", "X-Requested-With"), id="xhr"),
    pytest.param({"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
                 ("Sec-Fetch-Mode", "HX-Request", "X-Requested-With", "Sec-Fetch-Dest"), id="fetch"),
    pytest.param({}, ("Sec-Fetch-Mode", "HX-Request", "X-Requested-With", "Accept"), id="fallback"),
])
def test_consulted_headers_are_the_ones_read(headers, consulted):
    assert classify(env(**headers))[1] == consulted


def test_prefers_json_needs_more_than_a_wildcard():
    assert not prefers_json("")
    assert not prefers_json("*/*")
    assert prefers_json("application/vnd.api+json")
    assert not prefers_json("text/*, application/json;q=0.9")
