"""Sprig's OS, network, UUID, flow and URL functions (§9.14).

``expandenv`` follows Go's ``os.ExpandEnv`` (not Python's ``os.path.expandvars``,
which keeps unknown variables), and ``urlParse``/``urlJoin`` follow Go's
``net/url`` parsing and printing, because templates compare and print the
results byte for byte.
"""

from __future__ import annotations

import ipaddress
import os
import random
import socket
import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import GoError
from ..funcs import Function, define
from ..values import DICT, STRING, type_name

__all__ = ["FUNCTIONS", "expand", "parse_url", "GoURL", "URLError"]

FUNCTIONS: dict[str, Function] = {}


# --- environment -------------------------------------------------------------------------


@define(FUNCTIONS, "env", (STRING,), STRING)
def env(name: str) -> str:
    return os.environ.get(name, "")


_SPECIAL_VARS = frozenset("*#$@!?-0123456789")


def _is_name_char(c: str) -> bool:
    return c == "_" or ("0" <= c <= "9") or ("a" <= c <= "z") or ("A" <= c <= "Z")


def _shell_name(s: str, start: int, close: int) -> tuple[str, int]:
    """The variable name at ``s[start:]`` (after a ``$``) and how many characters it spans.

    ``("", n > 0)`` means bad syntax whose characters are dropped; ``("", 0)``
    means no name at all (the ``$`` stays literal).  ``close`` is the index of
    a ``}`` at or after ``start``, or -1 when none follows (found once by the caller).
    """
    first = s[start:start + 1]
    if first == "{":
        if len(s) - start > 2 and s[start + 1] in _SPECIAL_VARS and s[start + 2] == "}":
            return s[start + 1], 3
        if close == -1:
            return "", 1  # unterminated: only the "{" is dropped
        if close == start + 1:
            return "", 2  # "${}"
        return s[start + 1:close], close - start + 1
    if first and first in _SPECIAL_VARS:
        return first, 1
    i = start
    while i < len(s) and _is_name_char(s[i]):
        i += 1
    return s[start:i], i - start


def expand(text: str, mapping: Any) -> str:
    """Go's ``os.Expand``: replace ``$NAME`` and ``${NAME}`` with ``mapping(NAME)``.

    Works with indexes into ``text``, and looks for each ``}`` once: a value made
    of ``$`` or ``${`` would otherwise be copied or searched again at every one.
    """
    out: list[str] = []
    i = 0
    j = 0
    close = -2  # the next "}" at or after j + 1 (-1: none left); -2: not searched yet
    while j < len(text):
        if text[j] == "$" and j + 1 < len(text):
            out.append(text[i:j])
            if close != -1 and close < j + 1:
                close = text.find("}", j + 1)
            name, width = _shell_name(text, j + 1, close)
            if name:
                out.append(mapping(name))
            elif width == 0:
                out.append("$")
            j += width
            i = j + 1
        j += 1
    out.append(text[i:])
    return "".join(out)


@define(FUNCTIONS, "expandenv", (STRING,), STRING)
def expandenv(text: str) -> str:
    return expand(text, lambda name: os.environ.get(name, ""))


# --- network, uuid, flow -----------------------------------------------------------------


def _lookup_host(name: str) -> list[str]:
    """``net.LookupHost``: an IP literal is returned as given, else the resolver's answers."""
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return [name]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


@define(FUNCTIONS, "getHostByName", (STRING,), STRING)
def get_host_by_name(name: str) -> str:
    """One resolved address at random; no address panics like ``rand.Intn(0)``."""
    addresses = _lookup_host(name)
    if not addresses:
        raise GoError("invalid argument to Intn")
    return random.choice(addresses)


@define(FUNCTIONS, "uuidv4", (), STRING)
def uuidv4() -> str:
    return str(uuid.uuid4())


@define(FUNCTIONS, "fail", (STRING,), STRING)
def fail(message: str) -> str:
    """Abort the render with the template's own message."""
    raise GoError(message)


# --- net/url -----------------------------------------------------------------------------

_HEX = "0123456789ABCDEF"
_PATH, _USER, _HOST, _FRAGMENT = "path", "user", "host", "fragment"


def _go_quote(text: str) -> str:
    try:
        from ..fmt import go_quote
    except ImportError:  # pragma: no cover - fmt is written in parallel
        import json

        return json.dumps(text, ensure_ascii=False)
    return go_quote(text)


class URLError(GoError):
    """A ``*url.Error``/``EscapeError`` text: ``parse "URL": reason``."""


def _should_escape(c: int, mode: str) -> bool:
    """Go's per-byte escaping decision for each URL component."""
    ch = chr(c)
    if c < 0x80 and (ch.isalnum()):
        return False
    if mode == _HOST and ch in "!$&'()*+,;=:[]<>\"":
        return False
    if ch in "-_.~":
        return False
    if ch in "$&+,/:;=?@":
        if mode == _PATH:
            return ch == "?"
        if mode == _USER:
            return ch in "@/?:"
        if mode == _FRAGMENT:
            return False
        return True
    if mode == _FRAGMENT and ch in "!()*":
        return False
    return True


def _escape(text: str, mode: str) -> str:
    out: list[str] = []
    for byte in text.encode("utf-8", "surrogateescape"):
        if _should_escape(byte, mode):
            out.append("%" + _HEX[byte >> 4] + _HEX[byte & 15])
        else:
            out.append(chr(byte))
    return "".join(out)


def _is_hex(c: str) -> bool:
    return c in "0123456789abcdefABCDEF" and c != ""


def _unescape(text: str, mode: str) -> str:
    """Decode ``%XX``; Go rejects bad escapes and, in hosts, characters that need one."""
    data = text.encode("utf-8", "surrogateescape")
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x25:  # %
            chunk = data[i:i + 3].decode("utf-8", "surrogateescape")
            if i + 2 >= len(data) or not (_is_hex(chr(data[i + 1])) and _is_hex(chr(data[i + 2]))):
                raise GoError("invalid URL escape " + _go_quote(chunk))
            value = int(data[i + 1:i + 3], 16)
            if mode == _HOST and value < 0x80 and chunk != "%25":
                raise GoError("invalid URL escape " + _go_quote(chunk))
            out.append(value)
            i += 3
            continue
        if mode == _HOST and c < 0x80 and _should_escape(c, _HOST):
            raise GoError("invalid character " + _go_quote(chr(c)) + " in host name")
        out.append(c)
        i += 1
    return out.decode("utf-8", "surrogateescape")


@dataclass
class GoURL:
    """The fields of Go's ``url.URL`` that Sprig reads and writes."""

    scheme: str = ""
    opaque: str = ""
    user: str | None = None  # the escaped userinfo text, as ``Userinfo.String()`` gives it
    host: str = ""
    path: str = ""
    raw_query: str = ""
    force_query: bool = False
    fragment: str = ""

    @property
    def hostname(self) -> str:
        host = self.host
        colon = host.rfind(":")
        if colon != -1 and _valid_optional_port(host[colon:]):
            host = host[:colon]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host

    def __str__(self) -> str:
        out = []
        if self.scheme:
            out.append(self.scheme + ":")
        if self.opaque:
            out.append(self.opaque)
        else:
            if self.scheme or self.host or self.user is not None:
                if self.host or self.path or self.user is not None:
                    out.append("//")
                if self.user is not None:
                    out.append(self.user + "@")
                if self.host:
                    out.append(_escape(self.host, _HOST))
            path = "*" if self.path == "*" else _escape(self.path, _PATH)
            if path and path[0] != "/" and self.host:
                out.append("/")
            if not out and ":" in path.partition("/")[0]:
                out.append("./")
            out.append(path)
        if self.force_query or self.raw_query:
            out.append("?" + self.raw_query)
        if self.fragment:
            out.append("#" + _escape(self.fragment, _FRAGMENT))
        return "".join(out)


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    return port[0] == ":" and all("0" <= c <= "9" for c in port[1:])


_USERINFO_CHARS = frozenset("-._:~!$&'()*+,;=%@")


def _user_string(userinfo: str) -> str:
    """``Userinfo.String()`` of a raw ``user[:password]`` authority part."""
    if any(not (c.isascii() and c.isalnum()) and c not in _USERINFO_CHARS for c in userinfo):
        raise GoError("net/url: invalid userinfo")
    if ":" in userinfo:
        name, _, password = userinfo.partition(":")
        return _escape(_unescape(name, _USER), _USER) + ":" + _escape(_unescape(password, _USER), _USER)
    return _escape(_unescape(userinfo, _USER), _USER)


def _parse_host(host: str) -> str:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise GoError("missing ']' in host")
        port = host[close + 1:]
        if not _valid_optional_port(port):
            raise GoError(f"invalid port {_go_quote(port)} after host")
    else:
        colon = host.rfind(":")
        if colon != -1 and not _valid_optional_port(host[colon:]):
            raise GoError(f"invalid port {_go_quote(host[colon:])} after host")
    return _unescape(host, _HOST)


def _split_scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise GoError("missing protocol scheme")
            return raw[:i], raw[i + 1:]
        return "", raw
    return "", raw


def _parse(raw: str) -> GoURL:
    if any(ord(c) < 0x20 or c == "\x7f" for c in raw):
        raise GoError("net/url: invalid control character in URL")
    url = GoURL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _split_scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        url.force_query = True
        rest = rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.partition("/")[0]:
            raise GoError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, remainder = rest[2:].partition("/")
        rest = slash + remainder
        at = authority.rfind("@")
        if at >= 0:
            url.user = _user_string(authority[:at])
        url.host = _parse_host(authority[at + 1:])
    url.path = _unescape(rest, _PATH)
    return url


def parse_url(raw: str) -> GoURL:
    """``url.Parse``; errors carry Go's ``parse "RAW": reason`` text."""
    body, hash_mark, fragment = raw.partition("#")
    try:
        url = _parse(body)
    except URLError:
        raise
    except GoError as exc:  # Go names the URL without its fragment here
        raise URLError(f"parse {_go_quote(body)}: {exc}") from None
    if hash_mark:
        try:
            url.fragment = _unescape(fragment, _FRAGMENT)
        except GoError as exc:
            raise URLError(f"parse {_go_quote(raw)}: {exc}") from None
    return url


@define(FUNCTIONS, "urlParse", (STRING,), DICT)
def url_parse(text: str) -> dict:
    """The parts of a URL as a dict of strings (``path`` decoded, ``query`` raw)."""
    try:
        url = parse_url(text)
    except URLError as exc:
        raise GoError(f"unable to parse url: {exc}") from None
    return {
        "scheme": url.scheme, "host": url.host, "hostname": url.hostname, "path": url.path,
        "query": url.raw_query, "opaque": url.opaque, "fragment": url.fragment,
        "userinfo": url.user or "",
    }


def _string_key(parts: dict, key: str) -> str:
    if key not in parts:
        return ""
    value = parts[key]
    if type(value) is str:
        return value
    if value is None:
        raise GoError("runtime error: invalid memory address or nil pointer dereference")
    raise GoError(f"unable to parse {key} key, must be of type string, but {type_name(value)} found")


@define(FUNCTIONS, "urlJoin", (DICT,), STRING)
def url_join(parts: dict) -> str:
    """Rebuild a URL from ``urlParse``-style keys, escaping as Go's ``URL.String``."""
    url = GoURL(
        scheme=_string_key(parts, "scheme"), host=_string_key(parts, "host"),
        path=_string_key(parts, "path"), raw_query=_string_key(parts, "query"),
        opaque=_string_key(parts, "opaque"), fragment=_string_key(parts, "fragment"),
    )
    userinfo = _string_key(parts, "userinfo")
    if userinfo:
        try:
            url.user = parse_url(f"proto://{userinfo}@host").user
        except URLError as exc:
            raise GoError(f"unable to parse userinfo in dict: {exc}") from None
    return str(url)
