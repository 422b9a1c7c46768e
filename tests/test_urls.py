# -*- coding: utf-8 -*-
import pytest

from wsgi_session_timeout._compat import bytes_to_wsgi
from wsgi_session_timeout.urls import (
    is_safe_path, login_location, request_path, same_origin_path, strip_unsafe_came_from)

ENV = {"wsgi.url_scheme": "http", "HTTP_HOST": "example.com", "SCRIPT_NAME": "", "PATH_INFO": "/"}


@pytest.mark.parametrize("value", [
    "/", "/account", "/a/b?x=1&y=2", "/caf%C3%A9", u"/caf\u00e9", "/a//b", "/%2e%2e/x", "/path#frag",
])
def test_safe_paths(value):
    assert is_safe_path(value)


@pytest.mark.parametrize("value", [
    "", "account", "http://evil.com/", "https://evil.com", "//evil.com", "///evil.com",
    "/\\evil.com", "\\\\evil.com", "javascript:alert(1)", "/\t/evil.com", "/\n/evil.com",
    "/\r\nSet-Cookie:x=1", "/%2F/evil.com", "/%2f%2fevil.com".replace("/%2f", "%2f"),
    "/%5Cevil.com", u"/\uff0fevil.com", u"/\uff3cevil.com", u"/\u2215evil.com", "/x\x00",
    "/" + "a" * 3000, " /account", "data:text/html,x",
])
def test_unsafe_paths(value):
    assert not is_safe_path(value)


def test_request_path_keeps_script_name_query_and_raw_bytes():
    environ = dict(ENV, SCRIPT_NAME="/app", PATH_INFO=bytes_to_wsgi(b"/caf\xc3\xa9 x"),
                   QUERY_STRING="a=1&b=%20")
    assert request_path(environ) == "/app/caf%C3%A9%20x?a=1&b=%20"


def test_request_path_of_root():
    assert request_path(dict(ENV, PATH_INFO="")) == "/"


@pytest.mark.parametrize("script_name, path_info, query, expected", [
    pytest.param("", "/account/a%41", "", "/account/a%2541", id="literal-percent"),
    pytest.param("", "/100%", "", "/100%25", id="trailing-percent"),
    pytest.param("/m%41", "/p", "q=%41", "/m%2541/p?q=%41", id="script-name-and-raw-query"),
    pytest.param("", u"/caf\u00e9\u4e2d", "", "/caf%C3%A9%E4%B8%AD", id="text-beyond-latin-1"),
    pytest.param(u"/\u4e2d", bytes_to_wsgi(b"/caf\xc3\xa9"), "", "/%E4%B8%AD/caf%C3%A9",
                 id="text-and-bytes"),
])
def test_request_path_is_the_url_of_the_same_request(script_name, path_info, query, expected):
    """SCRIPT_NAME and PATH_INFO are decoded: a "%" in them is a literal percent. Text
    beyond latin-1 (outside PEP 3333) is taken as UTF-8."""
    environ = dict(ENV, SCRIPT_NAME=script_name, PATH_INFO=path_info, QUERY_STRING=query)
    assert request_path(environ) == expected


@pytest.mark.parametrize("url, expected", [
    pytest.param("http://example.com/page?x=1", "/page?x=1", id="same-origin"),
    pytest.param("http://EXAMPLE.com:80/page", "/page", id="default-port-and-case"),
    pytest.param("http://example.com", "/", id="no-path"),
    pytest.param("https://example.com/page", None, id="other-scheme"),
    pytest.param("http://example.com:8080/page", None, id="other-port"),
    pytest.param("http://evil.com/page", None, id="other-host"),
    pytest.param("http://example.com.evil.com/page", None, id="suffix-host"),
    pytest.param("http://example.com@evil.com/page", None, id="userinfo"),
    pytest.param("http://example.com//evil.com/x", None, id="protocol-relative-path"),
    pytest.param("http://example.com:99999999/x", None, id="bad-port"),
    pytest.param("/relative", None, id="relative"),
    pytest.param("", None, id="empty"),
    pytest.param(None, None, id="missing"),
    pytest.param("http://[::1/x", None, id="broken-ipv6"),
])
def test_same_origin_path(url, expected):
    assert same_origin_path(url, ENV) == expected


def test_same_origin_path_without_host_header_uses_server_name_and_port():
    environ = {"wsgi.url_scheme": "http", "SERVER_NAME": "example.com", "SERVER_PORT": "8080"}
    assert same_origin_path("http://example.com:8080/p", environ) == "/p"
    assert same_origin_path("http://example.com/p", environ) is None


def test_same_origin_path_ipv6_host():
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "[::1]:8000"}
    assert same_origin_path("http://[::1]:8000/p", environ) == "/p"


@pytest.mark.parametrize("login_url, script_name, came_from, expected", [
    pytest.param("/login", "", "/page", "/login?came_from=%2Fpage", id="plain"),
    pytest.param("/login", "/app", "/app/page?x=1", "/app/login?came_from=%2Fapp%2Fpage%3Fx%3D1",
                 id="mounted"),
    pytest.param("/login?lang=en", "", "/p", "/login?lang=en&came_from=%2Fp", id="login-has-query"),
    pytest.param("https://sso.example.com/login", "/app", "/app/p",
                 "https://sso.example.com/login?came_from=%2Fapp%2Fp", id="absolute-login"),
    pytest.param("/login", "", "//evil.com", "/login", id="unsafe-came-from-dropped"),
    pytest.param("/login", "", None, "/login", id="no-came-from"),
])
def test_login_location(login_url, script_name, came_from, expected):
    environ = dict(ENV, SCRIPT_NAME=script_name)
    assert login_location(login_url, environ, "came_from", came_from) == expected


@pytest.mark.parametrize("query, expected", [
    pytest.param("came_from=%2Faccount", "came_from=%2Faccount", id="safe-kept-verbatim"),
    pytest.param("came_from=%2F%2Fevil.com&x=1", "x=1", id="unsafe-removed"),
    pytest.param("x=1&came_from=http%3A%2F%2Fevil.com", "x=1", id="absolute-removed"),
    pytest.param("came_from=javascript%3Aalert(1)", "", id="javascript-removed"),
    pytest.param("came_from=%2Fok&came_from=%2F%2Fevil", "came_from=%2Fok", id="duplicates"),
    pytest.param("other=came_from", "other=came_from", id="name-in-value-untouched"),
    pytest.param("x=1", "x=1", id="absent"),
])
def test_strip_unsafe_came_from(query, expected):
    assert strip_unsafe_came_from(query, "came_from") == expected
