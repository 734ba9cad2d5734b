"""Sprig's shared coercions (§8.3): toInt64, toFloat64, strval, empty, deep equality.

Sprig converts loosely where Go templates are strict: ``add "3" 1.9`` is 4.
These rules are stated once here and used by every family.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ...limits import deeper, digits_value
from ..errors import GoError
from ..values import (
    MISSING, Duration, Float32, GoMap, GoSlice, NilPointer, Uint64, struct_info, truth, typeof,
)

__all__ = [
    "clamped_int10", "to_int64", "to_int", "to_float64", "strval", "empty", "deep_equal", "is_list_like",
    "list_items", "wrap_int64", "check_alloc", "check_go_alloc", "MAX_ALLOC", "parse_go_int_literal", "parse_go_float",
    "parse_go_float_error",
]

if TYPE_CHECKING:
    from ...golang.regexp import Regexp

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def wrap_int64(value: int) -> int:
    """Two's complement wrap-around, as Go's int64 arithmetic does."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value > _INT64_MAX else value


_TRAILING_ZERO_FRACTION = re.compile(r"\.0+$")


def parse_go_int_literal(text: str) -> int | None:
    """Go's ``strconv.ParseInt(s, 0, 64)``: sign, base prefixes, legacy octal, underscores."""
    s = text
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    if not s:
        return None
    base = 10
    lead_ok = False  # may the digits start with "_" (right after a prefix or the octal 0)?
    prefix = s[:2].lower()
    if prefix in ("0b", "0o", "0x"):
        base = {"0b": 2, "0o": 8, "0x": 16}[prefix]
        s = s[2:]
        lead_ok = True
    elif len(s) > 1 and s[0] == "0":
        base = 8
        s = s[1:]
        lead_ok = True
    if "_" in s:
        if (s.startswith("_") and not lead_ok) or s.endswith("_") or "__" in s:
            return None
        s = s.replace("_", "")
    if not s:
        return None
    allowed = {2: "01", 8: "01234567", 10: "0123456789", 16: "0123456789abcdefABCDEF"}[base]
    if any(c not in allowed for c in s):
        return None
    magnitude = digits_value(s, base)
    if magnitude is None:
        return None
    value = sign * magnitude
    if value < _INT64_MIN or value > _INT64_MAX:
        return None
    return value


def clamped_int10(text: str) -> int:
    """``strconv.ParseInt(text, 10, 64)`` with its error ignored: 0 for a syntax
    error, the nearest int64 for an overflow (Sprig's ``atoi``, ``duration``)."""
    digits = text[1:] if text[:1] in ("+", "-") else text
    if not digits or not digits.isascii() or not digits.isdigit():
        return 0
    magnitude = digits_value(digits)
    if magnitude is None:  # beyond 64 bits: clamped like any overflow
        magnitude = _INT64_MAX + 1
    value = -magnitude if text[0] == "-" else magnitude
    return max(_INT64_MIN, min(_INT64_MAX, value))


# Go refuses a slice of more than 2**48 bytes outright ("len out of range"); it would try a
# smaller one, and crash if memory ran out.  dockergen fails cleanly past a size no
# configuration file needs, so that a count from a container's label cannot exhaust memory.
_GO_MAX_ALLOC = 1 << 48
MAX_ALLOC = 1 << 28


def check_go_alloc(count: int, size: int = 1) -> None:
    """Go's own refusal to make a slice of ``count`` items of ``size`` bytes (beyond 2**48 bytes)."""
    if count * size > _GO_MAX_ALLOC:
        raise GoError("runtime error: makeslice: len out of range")


def check_alloc(count: int, size: int = 1) -> None:
    """Refuse to build ``count`` items of ``size`` bytes where Go would, or where it is absurd."""
    check_go_alloc(count, size)
    total = count * size
    if total > MAX_ALLOC:
        raise GoError(f"runtime: out of memory: cannot allocate {total}-byte block (dockergen's limit)")


def to_int64(value: Any) -> int:
    """Sprig's ``toInt64`` (cast.ToInt64): numbers truncate, strings parse, anything else is 0."""
    if isinstance(value, NilPointer) or value is None or value is MISSING:
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if type(value) is Duration:  # cast knows time.Month and time.Weekday, not time.Duration
        return 0
    if isinstance(value, int):
        if isinstance(value, Uint64):
            return wrap_int64(value)
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value) or not (-(2.0**63) <= value < 2.0**63):
            return _INT64_MIN
        return int(value)
    if isinstance(value, str):
        text = _TRAILING_ZERO_FRACTION.sub("", value) if "." in value else value
        parsed = parse_go_int_literal(text)
        return 0 if parsed is None else parsed
    return 0


def to_int(value: Any) -> int:
    """Sprig's ``toInt``: :func:`to_int64` as a Go ``int``."""
    return to_int64(value)


@lru_cache(maxsize=1)
def _go_float() -> Regexp:
    """strconv.ParseFloat's syntax, on Go's regexp (linear time: the digit runs overlap, which
    costs Python's re cubic time on a long run of digits that fails at the end).  '_' may stand
    anywhere among the digits (the exponent's too, after its first digit); underscore_ok then
    checks that each one separates digits, and _has_mantissa_digit that there is a digit at all.

    Compiled on first use: loading RE2 takes milliseconds that most renders never need.
    """
    from ...golang import regexp

    return regexp.compile(
        r"^[+-]?(?:[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9][0-9_]*)?"
        r"|0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*[pP][+-]?[0-9][0-9_]*)$"
    )


def _has_mantissa_digit(text: str) -> bool:
    body = text.lstrip("+-")
    if body[:2] in ("0x", "0X"):
        mantissa = body[2:].replace("P", "p").partition("p")[0]
        return any(ch in "0123456789abcdefABCDEF" for ch in mantissa)
    return any(ch.isdigit() for ch in body.replace("E", "e").partition("e")[0])


def underscore_ok(text: str) -> bool:
    """Go's rule for '_' in a number: only between digits, or between a base prefix and a digit."""
    s = text[1:] if text[:1] in ("+", "-") else text
    saw = "^"  # ^ start, 0 digit or prefix, _ underscore, ! anything else
    i = 0
    hexadecimal = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i, saw, hexadecimal = 2, "0", s[1] in "xX"
    for ch in s[i:]:
        if "0" <= ch <= "9" or hexadecimal and ch in "abcdefABCDEF":
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_go_float(text: str) -> float | None:
    """Go's ``strconv.ParseFloat(s, 64)``; ``None`` when it fails (or overflows)."""
    s = text
    low = s.lower()
    if low in ("inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"):
        return -math.inf if s.startswith("-") else math.inf
    if low == "nan":
        return math.nan
    if not s.isascii() or not _go_float().match_string(s) or not _has_mantissa_digit(s) \
            or "_" in s and not underscore_ok(s):
        return None
    body = s.replace("_", "")
    try:
        if "x" in body.lower():
            value = float.fromhex(body)
        else:
            value = float(body)
    except (ValueError, OverflowError):
        return None
    if math.isinf(value):
        return None
    return value


def parse_go_float_error(text: str) -> str:
    """Why :func:`parse_go_float` refused ``text``, in strconv's words."""
    if text.isascii() and _go_float().match_string(text) and _has_mantissa_digit(text) and ("_" not in text or underscore_ok(text)):
        return "value out of range"
    return "invalid syntax"


def to_float64(value: Any) -> float:
    """Sprig's ``toFloat64``: numbers convert, strings parse, anything else is 0."""
    if value is None or value is MISSING or isinstance(value, NilPointer):
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if type(value) is Duration:  # as in to_int64
        return 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        parsed = parse_go_float(value)
        return 0.0 if parsed is None else parsed
    return 0.0


def strval(value: Any) -> str:
    """Sprig's ``strval``: strings as they are, bytes as text, anything else as ``%v``."""
    if type(value) is str:
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    from ..fmt import format_v

    return format_v(value)


def empty(value: Any) -> bool:
    """Sprig's ``empty``: the template notion of false."""
    return not truth(value)


def is_list_like(value: Any) -> bool:
    """A Go slice or array (not a string, not a map)."""
    return isinstance(value, list) or (isinstance(value, bytes))


def list_items(value: Any) -> list[Any]:
    """The elements of a slice (bytes become ``Uint8`` numbers)."""
    if isinstance(value, bytes):
        from ..values import Uint8

        return [Uint8(b) for b in value]
    return list(value)


def deep_equal(a: Any, b: Any, depth: int = 0) -> bool:
    """Go's ``reflect.DeepEqual``: same dynamic types, then equal contents.

    A nil slice does not equal an empty one; ``1`` does not equal ``1.0``;
    pointers are equal when they point to deeply equal values.  ``depth``
    counts the maps, lists and structs around ``a`` and ``b``.
    """
    if a is b:
        return True
    ta, tb = typeof(a), typeof(b)
    if ta is None or tb is None:
        return (a is None or a is MISSING) and (b is None or b is MISSING)
    if ta is not tb:
        return False
    if isinstance(a, NilPointer) or isinstance(b, NilPointer):
        return isinstance(a, NilPointer) and isinstance(b, NilPointer)
    if isinstance(a, list):
        if isinstance(a, GoSlice) and isinstance(b, GoSlice) and a.nil != b.nil:
            return False
        inner = deeper("deep comparison", depth)
        return len(a) == len(b) and all(deep_equal(x, y, inner) for x, y in zip(a, b))
    if isinstance(a, dict):
        if isinstance(a, GoMap) and isinstance(b, GoMap) and a.nil != b.nil:
            return False
        if len(a) != len(b):
            return False
        inner = deeper("deep comparison", depth)
        for key, value in a.items():
            if key not in b or not deep_equal(value, b[key], inner):
                return False
        return True
    info = struct_info(a)
    if info is not None:
        inner = deeper("deep comparison", depth)
        return all(
            deep_equal(getattr(a, info.attribute(name), None), getattr(b, info.attribute(name), None), inner)
            for name, _ in info.fields
        )
    if isinstance(a, float) and not isinstance(a, Float32):
        return a == b
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - incomparable values are simply unequal
        return False

