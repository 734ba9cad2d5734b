"""Sorting helpers: strings byte-wise, objects by a field path.

Both return new lists; docker-gen's ``sortStrings*`` sort their input in
place, which surprises a template that uses the list again.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cmp_to_key
from typing import Any

from ..errors import HelperError
from ..limits import digits_value
from .fieldpath import PathRules, as_list, describe, get_parts, split_path

__all__ = [
    "sortStringsAsc",
    "sortStringsDesc",
    "sortObjectsByKeysAsc",
    "sortObjectsByKeysDesc",
    "field_as_string",
    "parse_go_int",
]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_DECIMAL = re.compile(r"[+-]?[0-9]+")


def parse_go_int(text: str, lo: int = _INT64_MIN, hi: int = _INT64_MAX) -> int | None:
    """Go's ``strconv.ParseInt(text, 10, 64)``: ``None`` unless it is a base-10 int64.

    Stricter than ``int()``: no surrounding spaces, no underscores, ASCII only.
    """
    if _DECIMAL.fullmatch(text) is None:
        return None
    magnitude = digits_value(text.lstrip("+-"))
    if magnitude is None:
        return None
    value = -magnitude if text[0] == "-" else magnitude
    if value < lo or value > hi:
        return None
    return value


def _strings(fn: str, values: Any) -> list[str]:
    items = as_list(values, fn)
    for item in items:
        if not isinstance(item, str):
            raise HelperError(f"'{fn}' sorts strings only; got {describe(item)}")
    return list(items)


def _sort_strings(fn: str, values: Any, descending: bool, in_place: bool) -> list[str]:
    checked = _strings(fn, values)
    target = values if in_place else checked  # in place: docker-gen's own behaviour, kept by the Go engine
    # Code point order is UTF-8 byte order, except for the lone surrogates that
    # stand for invalid bytes (0x80-0xFF), which sort after U+FFFF there.
    key = _utf8 if any(_ESCAPED_BYTE.search(text) for text in checked if not text.isascii()) else None
    target.sort(key=key, reverse=descending)
    return target  # type: ignore[no-any-return]


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def sortStringsAsc(values: Any, *, in_place: bool = False) -> list[str]:  # noqa: N802 - docker-gen's name
    """The strings in byte-wise ascending order (``"B"`` before ``"a"``), as a new list
    unless ``in_place``."""
    return _sort_strings("sortStringsAsc", values, False, in_place)


def sortStringsDesc(values: Any, *, in_place: bool = False) -> list[str]:  # noqa: N802
    """The strings in byte-wise descending order, as a new list unless ``in_place``."""
    return _sort_strings("sortStringsDesc", values, True, in_place)


def _go_time(value: datetime) -> str:
    # GoTime prints like Go's time.Time.String(); borrow that for plain datetimes.
    from ..model import GoTime

    if not isinstance(value, GoTime):
        value = GoTime(
            value.year, value.month, value.day, value.hour, value.minute, value.second,
            value.microsecond, tzinfo=value.tzinfo,
        )
    return str(value)


def field_as_string(value: Any) -> str:
    """How docker-gen stringifies a sort key: str, int, bool and time; else ``""``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return _go_time(value)
    return ""


def _compare(a: tuple[str, int | None], b: tuple[str, int | None]) -> int:
    # Numeric when both keys are int64, else byte-wise (code point order is the same).
    x, y = (a[1], b[1]) if a[1] is not None and b[1] is not None else (a[0], b[0])
    return -1 if x < y else (1 if y < x else 0)  # type: ignore[operator]


def _sort_objects(fn: str, entries: Any, path: str, descending: bool, rules: PathRules | None) -> list[Any]:
    items = as_list(entries, fn)
    if len(items) < 2:
        return list(items)
    parts = split_path(path)
    keyed = []
    for item in items:
        text = field_as_string(get_parts(item, parts, rules))
        keyed.append(((text, parse_go_int(text)), item))
    numbers = sum(1 for (_, number), _ in keyed if number is not None)
    if numbers == 0 or numbers == len(keyed):
        # One kind of key (the usual case): a plain key gives the comparator's order.
        index = 1 if numbers else 0
        keyed.sort(key=lambda pair: pair[0][index], reverse=descending)  # reverse keeps ties in order
        return [item for _, item in keyed]
    if descending:
        # A reversed comparator on a stable sort: ties keep their input order.
        key = cmp_to_key(lambda a, b: _compare(b[0], a[0]))
    else:
        key = cmp_to_key(lambda a, b: _compare(a[0], b[0]))
    keyed.sort(key=key)
    return [item for _, item in keyed]


def sortObjectsByKeysAsc(entries: Any, path: str, *, rules: PathRules | None = None) -> list[Any]:  # noqa: N802
    """A new list sorted by the field at ``path``: numerically when both are integers.

    ``rules`` let the Go engine walk paths as Go's ``deepGet`` does.
    """
    return _sort_objects("sortObjectsByKeysAsc", entries, path, False, rules)


def sortObjectsByKeysDesc(entries: Any, path: str, *, rules: PathRules | None = None) -> list[Any]:  # noqa: N802
    """Like :func:`sortObjectsByKeysAsc`, descending; equal keys keep their input order."""
    return _sort_objects("sortObjectsByKeysDesc", entries, path, True, rules)
