"""client: the script's sources joined into one file, and how it is served."""

import json
import os
import re

import pytest

from wsgi_session_timeout import client, protocol

OPTIONS = dict(protected_paths=["/account"], idle_timeout=600)
NAMES_LINE = re.compile(br"^  var NAMES = (\{.*\});$", re.M)


def names_of(body):
    return json.loads(NAMES_LINE.search(body).group(1).decode("utf-8"))


def test_every_source_is_joined_in_order():
    body = client.build()
    at = 0
    for name in client.SOURCES:
        with open(os.path.join(client._SOURCE_DIR, name), "rb") as handle:
            source = handle.read()
        found = body.find(source, at)
        assert found >= at, name
        at = found + len(source)
    assert at == len(body)


def test_one_function_around_it_all_with_the_names_first_inside():
    body = client.build()
    assert body.startswith(b"/*!")
    opening = b"(function (window, document) {\n  \"use strict\";\n"
    assert NAMES_LINE.search(body).start() == body.index(opening) + len(opening)
    assert body.rstrip().endswith(b"typeof document !== \"undefined\" ? document : null));")


@pytest.mark.parametrize("prefix", [protocol.DEFAULT_ENDPOINT_PREFIX, "/auth/session-api"])
def test_the_names_are_the_protocols_and_the_prefix(prefix):
    expected = dict(protocol.for_client(), ENDPOINT_PREFIX=prefix)
    assert names_of(client.build(prefix)) == expected
    assert client.names(prefix) == expected


def test_the_names_line_cannot_close_a_script_element():
    assert b"</" not in NAMES_LINE.search(client.build("/a</script>")).group(1)


def test_the_wire_names_are_not_spelled_out_in_the_sources():
    # Comments may mention them; the code reads NAMES.
    literal = re.compile(r"""["'](%s)["']""" % "|".join(re.escape(value) for value in (
        protocol.SESSION_EXPIRED, protocol.LOGIN_REQUIRED, protocol.EXPIRES_IN_HEADER,
        protocol.PASSIVE_HEADER, protocol.DEFAULT_ENDPOINT_PREFIX, protocol.CLIENT,
        "/" + protocol.STATUS, "/" + protocol.EXTEND)))
    for name in client.SOURCES:
        with open(os.path.join(client._SOURCE_DIR, name)) as handle:
            assert not literal.findall(handle.read()), name


def test_a_source_missing_from_the_list_is_refused(monkeypatch):
    monkeypatch.setattr(client, "SOURCES", client.SOURCES[:-1])
    with pytest.raises(RuntimeError) as raised:
        client.build()
    assert "99-tail.js" in str(raised.value)


def test_built_once_per_prefix():
    first = client.script()
    assert client.script() is first
    assert client.script(protocol.DEFAULT_ENDPOINT_PREFIX) is first
    moved = client.script("/auth/session-api")
    assert moved[0] != first[0] and moved[1] != first[1]
    assert re.match(r'^"[0-9a-f]{20}"$', first[1])


def test_answer():
    status, headers, body = client.answer({"PATH_INFO": "/_session/client.js"})
    assert status == "200 OK"
    assert body == client.script()[0]
    assert dict(headers) == {
        "ETag": client.script()[1], "Cache-Control": "public, max-age=3600",
        "Content-Type": "application/javascript; charset=utf-8",
        "Content-Length": str(len(body))}
    assert all(type(name) is str and type(value) is str for name, value in headers)


@pytest.mark.parametrize("if_none_match", ['%s', 'W/"x", %s', ' %s ,"y"'])
def test_answer_not_modified(if_none_match):
    etag = client.script()[1]
    status, headers, body = client.answer({"PATH_INFO": "/_session/client.js",
                                           "HTTP_IF_NONE_MATCH": if_none_match % etag})
    assert (status, body) == ("304 Not Modified", b"")
    assert dict(headers) == {"ETag": etag, "Cache-Control": "public, max-age=3600"}


@pytest.mark.parametrize("path, prefix", [
    ("/_session/client.js", "/_session"),
    ("/auth/session-api/client.js", "/auth/session-api"),
    ("", protocol.DEFAULT_ENDPOINT_PREFIX),
    ("/client.js", protocol.DEFAULT_ENDPOINT_PREFIX),
])
def test_answer_serves_the_prefix_it_was_asked_under(path, prefix):
    assert client.answer({"PATH_INFO": path})[2] == client.script(prefix)[0]


def test_served_by_the_middleware_under_a_moved_prefix_and_a_mount(make):
    app = make(endpoint_prefix="/auth/session-api", **OPTIONS)
    response = app.get("/auth/session-api/client.js",
                       extra_environ={"SCRIPT_NAME": "/portal"})
    assert response.body == client.script("/auth/session-api")[0]
    assert names_of(response.body)["ENDPOINT_PREFIX"] == "/auth/session-api"
    app.get("/auth/session-api/client.js", headers={"If-None-Match": response.headers["ETag"]},
            status=304)
