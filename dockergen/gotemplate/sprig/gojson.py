"""Go's ``encoding/json`` for template values: ``Marshal`` and ``Unmarshal`` into ``interface{}``.

Templates compare JSON output byte for byte, so the encoder follows Go's
rules (sorted map keys, struct fields in declaration order, ``<>&`` escaped
unless asked not to, nil slices and maps as ``null``, ``[]byte`` as base64,
Go's float formatting, times as RFC 3339 with nanoseconds) and the decoder
reports syntax errors with Go's texts (``invalid character 'x' after
top-level value``, ``unexpected end of JSON input``), since ``mustFromJson``
shows them.  JSON numbers decode to float64, as Go's do.
"""

from __future__ import annotations

import base64
import math
from datetime import datetime
from typing import Any

from dockergen.golang import json as go_json
from dockergen.helpers.serialize import rfc3339

from ...limits import deeper
from ..errors import GoError
from ..values import (
    MISSING, Float32, GoMap, GoSlice, NilPointer, Pointer, struct_info, type_name, typeof,
)

__all__ = ["marshal", "unmarshal"]


# --- encoding --------------------------------------------------------------------

def _number(value: float, bits: int) -> str:
    try:
        return go_json.number(value, bits)
    except go_json.UnsupportedValue as exc:
        raise GoError(str(exc)) from None


def _map_key(key: Any, map_value: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(int(key))
    raise GoError(f"json: unsupported type: {type_name(map_value)}")


class _Encoder:
    def __init__(self, escape_html: bool, indent: str | None) -> None:
        self.escape_html = escape_html
        self.indent = indent
        self.out: list[str] = []

    def newline(self, depth: int) -> None:
        if self.indent is not None:
            self.out.append("\n" + self.indent * depth)

    def sequence(self, items: list[Any], depth: int) -> None:
        deeper("json", depth)
        if not items:
            self.out.append("[]")
            return
        self.out.append("[")
        for i, item in enumerate(items):
            if i:
                self.out.append(",")
            self.newline(depth + 1)
            self.value(item, depth + 1)
        self.newline(depth)
        self.out.append("]")

    def members(self, pairs: list[tuple[str, Any]], depth: int) -> None:
        deeper("json", depth)
        if not pairs:
            self.out.append("{}")
            return
        self.out.append("{")
        colon = ":" if self.indent is None else ": "
        for i, (key, item) in enumerate(pairs):
            if i:
                self.out.append(",")
            self.newline(depth + 1)
            self.out.append(go_json.quote(key, self.escape_html) + colon)
            self.value(item, depth + 1)
        self.newline(depth)
        self.out.append("}")

    def value(self, value: Any, depth: int) -> None:  # noqa: C901 - one branch per Go kind
        out = self.out
        if value is None or value is MISSING or isinstance(value, NilPointer):
            out.append("null")
        elif value is True or value is False:
            out.append("true" if value else "false")
        elif isinstance(value, str):
            out.append(go_json.quote(value, self.escape_html))
        elif isinstance(value, int):
            out.append(str(int(value)))
        elif isinstance(value, float):
            out.append(_number(float(value), 32 if isinstance(value, Float32) else 64))
        elif isinstance(value, (bytes, bytearray)):
            out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
        elif isinstance(value, list):
            if isinstance(value, GoSlice):
                if value.nil:
                    out.append("null")
                    return
                elem = value.type.elem
                if elem is not None and elem.kind == "uint8":
                    out.append('"' + base64.b64encode(bytes(value)).decode("ascii") + '"')
                    return
            self.sequence(value, depth)
        elif isinstance(value, dict):
            if isinstance(value, GoMap) and value.nil:
                out.append("null")
                return
            keyed = {_map_key(k, value): v for k, v in value.items()}
            self.members(sorted(keyed.items()), depth)
        elif isinstance(value, Pointer):
            self.value(value.target, depth)
        elif isinstance(value, datetime):
            text = rfc3339(value)
            if not 0 <= value.year + 400 * getattr(value, "cycles", 0) <= 9999:  # RFC 3339 has 4-digit years
                raise GoError("json: error calling MarshalJSON for type time.Time: "
                              "Time.MarshalJSON: year outside of range [0,9999]")
            out.append('"' + text + '"')
        else:
            self.struct(value, depth)

    def struct(self, value: Any, depth: int) -> None:
        info = struct_info(value)
        if info is None:
            raise GoError(f"json: unsupported type: {_type_text(value)}")
        marshal_json = info.methods.get("MarshalJSON")
        if marshal_json is not None:
            self.out.append(_text(marshal_json.call(value)))
            return
        marshal_text = info.methods.get("MarshalText")  # encoding.TextMarshaler: a JSON string
        if marshal_text is not None:
            self.value(_text(marshal_text.call(value)), depth)
            return
        pairs = [
            (name, getattr(value, info.attribute(name), None))
            for name, _ in info.fields
            if name[:1].isupper()  # encoding/json only sees exported fields
        ]
        self.members(pairs, depth)


def _type_text(value: Any) -> str:
    t = typeof(value)
    return "complex128" if isinstance(value, complex) else (t.name if t is not None else type(value).__name__)


def marshal(value: Any, *, escape_html: bool = True, indent: str | None = None) -> str:
    """``json.Marshal`` (or ``MarshalIndent(v, "", indent)``); errors raise :class:`GoError`."""
    encoder = _Encoder(escape_html, indent)
    encoder.value(value, 0)
    return "".join(encoder.out)


def _text(result: Any) -> str:
    return result.decode("utf-8", "surrogateescape") if isinstance(result, (bytes, bytearray)) else str(result)


# --- decoding --------------------------------------------------------------------

_WHITESPACE = " \t\r\n"
_END = "unexpected end of JSON input"


def _quote_char(char: str) -> str:
    """How Go's scanner names an offending character: ``'x'``, ``'\\n'``, ``'\\''``."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    if ord(char) >= 0x80:  # Go's scanner reads bytes: it names the first byte as a rune
        char = chr(char.encode("utf-8", "surrogateescape")[0])
    code = ord(char)
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v", "\\": "\\\\"}
    if char in named:
        return f"'{named[char]}'"
    if code < 0x20 or code == 0x7F:
        return f"'\\x{code:02x}'"
    if not char.isprintable():
        return f"'\\u{code:04x}'"
    return f"'{char}'"


class _Syntax(Exception):
    pass


class _Decoder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0  # arrays and objects open around the current value

    def enter(self) -> None:
        """One array or object deeper: Go allows 10000 levels, dockergen no more than
        its walkers (encoders, printing, deepCopy) take without exhausting Python's stack."""
        self.depth = deeper("json", self.depth)

    def fail(self, context: str, inside: bool = False) -> _Syntax:
        """A syntax error at the current character.  At the end, Go's scanner feeds one
        more space: ``inside`` a literal, number or escape that space is the offender."""
        if self.pos >= len(self.text):
            return _Syntax(f"invalid character ' ' {context}" if inside else _END)
        return _Syntax(f"invalid character {_quote_char(self.text[self.pos])} {context}")

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self) -> Any:
        self.skip()
        char = self.peek()
        if char == "{":
            return self.obj()
        if char == "[":
            return self.array()
        if char == '"':
            return self.string()
        if char == "-" or "0" <= char <= "9":
            return self.number()
        for word, result in (("true", True), ("false", False), ("null", None)):
            if char == word[0]:
                return self.literal(word, result)
        raise self.fail("looking for beginning of value")

    def literal(self, word: str, result: Any) -> Any:
        self.pos += 1
        for expected in word[1:]:
            if self.peek() != expected:
                raise self.fail(f"in literal {word} (expecting '{expected}')", inside=True)
            self.pos += 1
        return result

    def obj(self) -> dict:
        self.pos += 1
        self.enter()
        result: dict[str, Any] = {}
        self.skip()
        if self.peek() == "}":
            self.pos += 1
            self.depth -= 1
            return result
        while True:
            self.skip()
            if self.peek() != '"':
                raise self.fail("looking for beginning of object key string")
            key = self.string()
            self.skip()
            if self.peek() != ":":
                raise self.fail("after object key")
            self.pos += 1
            result[key] = self.value()
            self.skip()
            char = self.peek()
            self.pos += 1
            if char == ",":
                continue
            if char == "}":
                self.depth -= 1
                return result
            self.pos -= 1
            raise self.fail("after object key:value pair")

    def array(self) -> list:
        self.pos += 1
        self.enter()
        result: list[Any] = []
        self.skip()
        if self.peek() == "]":
            self.pos += 1
            self.depth -= 1
            return result
        while True:
            result.append(self.value())
            self.skip()
            char = self.peek()
            self.pos += 1
            if char == ",":
                continue
            if char == "]":
                self.depth -= 1
                return result
            self.pos -= 1
            raise self.fail("after array element")

    def string(self) -> str:
        self.pos += 1
        text = self.text
        out: list[str] = []
        while True:
            if self.pos >= len(text):
                raise _Syntax(_END)
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(out)
            if char == "\\":
                self.pos += 1
                out.append(self.escape())
                continue
            if ord(char) < 0x20:
                raise self.fail("in string literal")
            out.append("\ufffd" if 0xD800 <= ord(char) <= 0xDFFF else char)
            self.pos += 1

    def escape(self) -> str:
        char = self.peek()
        simple = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
        if char in simple and char:
            self.pos += 1
            return simple[char]
        if char != "u":
            raise self.fail("in string escape code", inside=True)
        self.pos += 1
        code = self.hex4()
        if 0xD800 <= code < 0xDC00 and self.text.startswith("\\u", self.pos):
            save = self.pos
            self.pos += 2
            low = self.hex4()
            if 0xDC00 <= low <= 0xDFFF:
                return chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
            self.pos = save
        if 0xD800 <= code <= 0xDFFF:
            return "\ufffd"
        return chr(code)

    def hex4(self) -> int:
        digits = ""
        for _ in range(4):
            char = self.peek()
            if not char or char not in "0123456789abcdefABCDEF":
                raise self.fail("in \\u hexadecimal character escape", inside=True)
            digits += char
            self.pos += 1
        return int(digits, 16)

    def digits(self) -> None:
        while "0" <= self.peek() <= "9" and self.peek():
            self.pos += 1

    def number(self) -> float:
        start = self.pos
        if self.peek() == "-":
            self.pos += 1
            if not ("0" <= self.peek() <= "9" and self.peek()):
                raise self.fail("in numeric literal", inside=True)
        if self.peek() == "0":
            self.pos += 1
        else:
            self.digits()
        if self.peek() == ".":
            self.pos += 1
            if not ("0" <= self.peek() <= "9" and self.peek()):
                raise self.fail("after decimal point in numeric literal", inside=True)
            self.digits()
        if self.peek() in ("e", "E") and self.peek():
            self.pos += 1
            if self.peek() in ("+", "-") and self.peek():
                self.pos += 1
            if not ("0" <= self.peek() <= "9" and self.peek()):
                raise self.fail("in exponent of numeric literal", inside=True)
            self.digits()
        literal = self.text[start:self.pos]
        number = float(literal)
        if math.isinf(number) and self.range_error is None:
            self.range_error = literal
        return number

    range_error: str | None = None


def unmarshal(text: str) -> Any:
    """``json.Unmarshal`` into an ``interface{}``; Go's error text as :class:`GoError`."""
    decoder = _Decoder(text)
    try:
        result = decoder.value()
        decoder.skip()
        if decoder.pos < len(text):
            raise decoder.fail("after top-level value")
    except _Syntax as exc:
        raise GoError(str(exc)) from None
    except RecursionError:
        raise GoError("exceeded max depth") from None
    if decoder.range_error is not None:
        raise GoError(f"json: cannot unmarshal number {decoder.range_error} into Go value of type float64")
    return result
