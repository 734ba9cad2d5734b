"""Go's string and character literal syntax (``strconv.Unquote``), for template constants."""

from __future__ import annotations

__all__ = ["UnquoteError", "unquote", "unquote_char"]


class UnquoteError(ValueError):
    """The literal is malformed; ``str()`` is Go's message (usually ``invalid syntax``)."""


_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_HEX = "0123456789abcdefABCDEF"


def unquote_char(s: str, quote: str) -> tuple[int | str, str]:
    """Decode the first character or escape of ``s``: (code point, or a raw byte as str; the rest).

    A ``\\x``/octal escape denotes a byte; it is returned as a one-character
    str holding that byte (as a lone surrogate above 0x7f) so that strings
    keep Go's bytes.  Callers wanting a rune get an int for everything else.
    """
    if not s:
        raise UnquoteError("invalid syntax")
    c = s[0]
    if c == quote and quote in "'\"":
        raise UnquoteError("invalid syntax")
    if c != "\\":
        return ord(c), s[1:]
    if len(s) < 2:
        raise UnquoteError("invalid syntax")
    e = s[1]
    rest = s[2:]
    if e in _SIMPLE:
        return ord(_SIMPLE[e]), rest
    if e == quote and quote in "'\"":
        return ord(e), rest
    if e in "xuU":
        size = {"x": 2, "u": 4, "U": 8}[e]
        digits = rest[:size]
        if len(digits) < size or any(ch not in _HEX for ch in digits):
            raise UnquoteError("invalid syntax")
        value = int(digits, 16)
        if e == "x":
            return (chr(value) if value < 0x80 else chr(0xDC00 + value)), rest[size:]
        if value > 0x10FFFF or 0xD800 <= value < 0xE000:
            raise UnquoteError("invalid syntax")
        return value, rest[size:]
    if e in "01234567":
        digits = s[1:4]
        if len(digits) < 3 or any(ch not in "01234567" for ch in digits):
            raise UnquoteError("invalid syntax")
        value = int(digits, 8)
        if value > 255:
            raise UnquoteError("invalid syntax")
        return (chr(value) if value < 0x80 else chr(0xDC00 + value)), s[4:]
    raise UnquoteError("invalid syntax")


def unquote(quoted: str) -> str:
    """The value of a Go ``"..."`` or `` `...` `` literal (raw strings lose their CRs)."""
    if len(quoted) < 2:
        raise UnquoteError("invalid syntax")
    q = quoted[0]
    if q != quoted[-1]:
        raise UnquoteError("invalid syntax")
    body = quoted[1:-1]
    if q == "`":
        if "`" in body:
            raise UnquoteError("invalid syntax")
        return body.replace("\r", "")
    if q != '"':
        raise UnquoteError("invalid syntax")
    if "\\" not in body and '"' not in body and "\n" not in body:
        return body
    out: list[str] = []
    s = body
    while s:
        if s[0] == "\n":
            raise UnquoteError("invalid syntax")
        value, s = unquote_char(s, '"')
        out.append(value if isinstance(value, str) else chr(value))
    text = "".join(out)
    # Bytes given as escapes may combine into valid UTF-8: normalise through bytes.
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "surrogateescape")
    return text
