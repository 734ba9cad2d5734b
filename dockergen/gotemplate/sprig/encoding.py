"""Sprig's base64/base32 functions (spec §9.7).

Sprig returns a decoding error's text *as the result*, so the exact Go
message matters, including the byte offset Go's decoders report
(``illegal base64 data at input byte 4``).  Python's decoders neither
report offsets nor follow Go's padding and newline rules, hence the small
quantum-by-quantum decoders below.
"""

from __future__ import annotations

import base64
import re

from ..funcs import Function, define
from ..values import STRING, from_go_bytes, go_bytes

__all__ = ["FUNCTIONS", "go_b64decode", "go_b32decode"]

FUNCTIONS: dict[str, Function] = {}

_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B32 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}
_PAD = ord("=")
_NEWLINES = (0x0A, 0x0D)


class _Corrupt(Exception):
    def __init__(self, offset: int, kind: str) -> None:
        super().__init__(f"illegal {kind} data at input byte {offset}")


def _pack(values: list[int], bits: int, count: int) -> bytes:
    """The ``count`` whole bytes held by ``values`` of ``bits`` bits each."""
    acc = 0
    for v in values:
        acc = (acc << bits) | v
    total = len(values) * bits
    out_len = total // 8
    acc >>= total - out_len * 8
    return acc.to_bytes(out_len, "big")[:count] if out_len else b""


# Padded base64 without line breaks: what Go and Python decode alike, Python in C.
_PLAIN_B64 = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def go_b64decode(text: str) -> bytes:
    """``base64.StdEncoding.DecodeString``; raises ``_Corrupt`` with Go's offset.

    Well-formed input (the usual case, and a label can hold megabytes of it) is
    decoded by Python's C decoder; the rest byte by byte, for Go's error offsets.
    """
    src = go_bytes(text)
    if _PLAIN_B64.fullmatch(src):
        return base64.b64decode(src)
    n = len(src)
    out = bytearray()
    pos = 0
    while True:
        values: list[int] = []
        while len(values) < 4:
            if pos == n:
                if not values:
                    return bytes(out)
                raise _Corrupt(pos - len(values), "base64")
            c = src[pos]
            pos += 1
            if c in _B64:
                values.append(_B64[c])
                continue
            if c in _NEWLINES:
                continue
            if c != _PAD or len(values) < 2:
                raise _Corrupt(pos - 1, "base64")
            if len(values) == 2:  # a second "=" must follow (newlines may come between)
                while pos < n and src[pos] in _NEWLINES:
                    pos += 1
                if pos == n:
                    raise _Corrupt(n, "base64")
                if src[pos] != _PAD:
                    raise _Corrupt(pos - 1, "base64")
                pos += 1
            while pos < n and src[pos] in _NEWLINES:
                pos += 1
            if pos < n:
                raise _Corrupt(pos, "base64")  # data after the padding
            out += _pack(values, 6, len(values) * 6 // 8)
            return bytes(out)
        out += _pack(values, 6, 3)


def go_b32decode(text: str) -> bytes:
    """``base32.StdEncoding.DecodeString``: newlines are dropped first, offsets count
    the remaining bytes; whatever follows a padded quantum is ignored, as in Go."""
    src = bytes(b for b in go_bytes(text) if b not in _NEWLINES)
    n = len(src)
    out = bytearray()
    pos = 0
    while pos < n:
        values: list[int] = []
        while len(values) < 8:
            if pos == n:
                raise _Corrupt(n - len(values), "base32")
            c = src[pos]
            pos += 1
            if c in _B32:
                values.append(_B32[c])
                continue
            j = len(values)
            rest = n - pos
            if c != _PAD or j < 2 or rest >= 8:  # "=" pads only from the third symbol of the last quantum
                raise _Corrupt(pos - 1, "base32")
            if rest + j < 7:
                raise _Corrupt(n, "base32")
            for k in range(7 - j):
                if rest > k and src[pos + k] != _PAD:
                    raise _Corrupt(pos + k - 1, "base32")
            if j in (1, 3, 6):
                raise _Corrupt(pos - 1, "base32")
            out += _pack(values, 5, j * 5 // 8)
            return bytes(out)
        out += _pack(values, 5, 5)
    return bytes(out)


@define(FUNCTIONS, "b64enc", (STRING,), STRING)
def b64enc(text: str) -> str:
    return base64.b64encode(go_bytes(text)).decode("ascii")


@define(FUNCTIONS, "b64dec", (STRING,), STRING)
def b64dec(text: str) -> str:
    """Decoded text, or the error text itself (Sprig does not fail)."""
    try:
        return from_go_bytes(go_b64decode(text))
    except _Corrupt as exc:
        return str(exc)


@define(FUNCTIONS, "b32enc", (STRING,), STRING)
def b32enc(text: str) -> str:
    return base64.b32encode(go_bytes(text)).decode("ascii")


@define(FUNCTIONS, "b32dec", (STRING,), STRING)
def b32dec(text: str) -> str:
    try:
        return from_go_bytes(go_b32decode(text))
    except _Corrupt as exc:
        return str(exc)
