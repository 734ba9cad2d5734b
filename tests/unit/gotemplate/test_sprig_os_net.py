"""Sprig OS, network and URL functions (spec §9.14)."""

import re

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig.os_net import FUNCTIONS

F = {name: fn.call for name, fn in FUNCTIONS.items()}


def test_env_and_expandenv(monkeypatch):
    for key, value in {"DEFAULT_HOST": "app.example.com", "HTTPS_METHOD": "redirect", "EMPTY_VAR": "",
                       "SPACES": "  a b  "}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("NOPE", raising=False)
    assert F["env"]("NOPE") == ""
    assert F["expandenv"]("host=$DEFAULT_HOST method=${HTTPS_METHOD} missing=[$NOPE] x=${EMPTY_VAR}.") == (
        "host=app.example.com method=redirect missing=[] x=.")
    assert F["expandenv"]("${SPACES}|$1|${}|$") == "  a b  |||$"
    assert F["expandenv"]("${DEFAULT_HOST") == "DEFAULT_HOST"
    assert F["expandenv"]("a$ x") == "a$ x"


def test_hosts_uuid_fail():
    assert F["getHostByName"]("192.0.2.7") == "192.0.2.7"
    assert F["getHostByName"]("::1") == "::1"
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", F["uuidv4"]())
    with pytest.raises(GoError, match="^stop$"):
        F["fail"]("stop")


def test_url_parse():
    parts = F["urlParse"]("https://user:pw@host.example.com:8443/p/a%20th?q=1&r=two#frag")
    assert parts == {"scheme": "https", "host": "host.example.com:8443", "hostname": "host.example.com",
                     "path": "/p/a th", "query": "q=1&r=two", "fragment": "frag", "userinfo": "user:pw",
                     "opaque": ""}
    assert F["urlParse"]("/just/a/path")["path"] == "/just/a/path"
    assert F["urlParse"]("mailto:a@b")["opaque"] == "a@b"


@pytest.mark.parametrize("url, reason", [
    ("http://[::1", "missing ']' in host"), ("http://h:x/", 'invalid port ":x" after host'),
    ("/%zz", 'invalid URL escape "%zz"'), ("://x", "missing protocol scheme"),
])
def test_url_parse_errors(url, reason):
    with pytest.raises(GoError) as info:
        F["urlParse"](url)
    assert str(info.value) == f'unable to parse url: parse "{url}": {reason}'


def test_url_join():
    assert F["urlJoin"]({"scheme": "https", "host": "example.com:8080", "path": "/a b", "query": "x=1",
                         "fragment": "f"}) == "https://example.com:8080/a%20b?x=1#f"
    assert F["urlJoin"]({"scheme": "ftp", "host": "h", "userinfo": "u:p"}) == "ftp://u:p@h"
    assert F["urlJoin"]({"userinfo": "only", "host": "h"}) == "//only@h"
    assert F["urlJoin"]({}) == ""
    assert F["urlJoin"](F["urlParse"]("http://u:p@h/p?q#f")) == "http://u:p@h/p?q#f"
    with pytest.raises(GoError, match="^unable to parse host key, must be of type string, but int found$"):
        F["urlJoin"]({"host": 5})
