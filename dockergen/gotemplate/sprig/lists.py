"""Sprig's list functions (spec §9.9) and integer sequences (``until``, ``untilStep``, ``seq``, §9.4).

The list parameters are ``interface{}`` in Go, so any slice or array is
accepted (``[]string`` from ``split``, ``[]byte``...) and anything else fails
with Sprig's panic text naming the reflect kind (``Cannot find first on type
string``).  Results are new ``[]interface{}`` values; the input is never
mutated.  ``slice`` is the exception: it keeps the input's element type.
"""

from __future__ import annotations

import math
from typing import Any

from ...limits import check_comparisons, check_items
from ..errors import GoError
from ..funcs import Function, define
from ..values import (
    ANY, BOOL, INT, LIST, STRING, GoSlice, kind, new_slice, nil_slice, slice_of, truth, typeof,
)
from .coerce import check_alloc, deep_equal, list_items, to_int, wrap_int64

__all__ = ["FUNCTIONS", "untilStep"]

FUNCTIONS: dict[str, Function] = {}

_NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"


def _items(value: Any, message: str) -> list[Any]:
    """The elements of a Go slice or array; ``message`` (with the kind) for anything else.

    A nil interface makes Sprig dereference a nil ``reflect.Type``, hence the runtime error.
    """
    if value is None:
        raise GoError(_NIL_DEREFERENCE)
    value_kind = kind(value)
    if value_kind not in ("slice", "array"):
        raise GoError(message % value_kind)
    return list_items(value)


# --- construction ----------------------------------------------------------------


@define(FUNCTIONS, "list", (), LIST, variadic=ANY, aliases=("tuple",))
def list_(*values: Any) -> list:
    return list(values)


# --- picking elements ------------------------------------------------------------


def _first(value: Any) -> Any:
    items = _items(value, "Cannot find first on type %s")
    return items[0] if items else None


def _last(value: Any) -> Any:
    items = _items(value, "Cannot find last on type %s")
    return items[-1] if items else None


def _rest(value: Any) -> list:
    items = _items(value, "Cannot find rest on type %s")
    return items[1:] if items else nil_slice(ANY)


def _initial(value: Any) -> list:
    items = _items(value, "Cannot find initial on type %s")
    return items[:-1] if items else nil_slice(ANY)


for _name, _fn, _result in (
    ("first", _first, ANY), ("last", _last, ANY), ("rest", _rest, LIST), ("initial", _initial, LIST),
):
    define(FUNCTIONS, _name, (ANY,), _result, aliases=("must" + _name.capitalize(),))(_fn)


# --- building new lists ----------------------------------------------------------


@define(FUNCTIONS, "append", (ANY, ANY), LIST, aliases=("push", "mustAppend", "mustPush"))
def push(values: Any, value: Any) -> list:
    return [*_items(values, "Cannot push on type %s"), value]


@define(FUNCTIONS, "prepend", (ANY, ANY), LIST, aliases=("mustPrepend",))
def prepend(values: Any, value: Any) -> list:
    return [value, *_items(values, "Cannot prepend on type %s")]


@define(FUNCTIONS, "concat", (), LIST, variadic=ANY)
def concat(*lists: Any) -> list:
    result: list[Any] = []
    for each in lists:
        result.extend(_items(each, "Cannot concat type %s as list"))
    return result


@define(FUNCTIONS, "reverse", (ANY,), LIST, aliases=("mustReverse",))
def reverse(values: Any) -> list:
    return _items(values, "Cannot find reverse on type %s")[::-1]


def _contains(items: list[Any], needle: Any) -> bool:
    return any(deep_equal(item, needle) for item in items)


@define(FUNCTIONS, "uniq", (ANY,), LIST, aliases=("mustUniq",))
def uniq(values: Any) -> list:
    """First occurrences, compared as ``reflect.DeepEqual`` does (``1`` and ``"1"`` differ).

    Sprig compares every item with every kept one, which a long list from a
    container value turns into hours.  Strings and numbers are equal exactly
    when their Go type and value are, so they are looked up by hash; only maps,
    slices and structs are compared one by one, within dockergen's budget.
    """
    result: list[Any] = []
    seen: set[tuple[Any, Any]] = set()
    kept: list[Any] = []  # the distinct items that cannot be hashed
    comparisons = 0
    for item in _items(values, "Cannot find uniq on type %s"):
        if isinstance(item, (str, int, float)):
            key = (typeof(item), item)
            if key not in seen:
                seen.add(key)
                result.append(item)
            continue
        comparisons += len(kept)
        check_comparisons("uniq", comparisons)
        if not _contains(kept, item):
            kept.append(item)
            result.append(item)
    return result


@define(FUNCTIONS, "without", (ANY,), LIST, variadic=ANY, aliases=("mustWithout",))
def without(values: Any, *omit: Any) -> list:
    items = _items(values, "Cannot find without on type %s")
    return [item for item in items if not _contains(list(omit), item)]


@define(FUNCTIONS, "has", (ANY, ANY), BOOL, aliases=("mustHas",))
def has(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return _contains(_items(haystack, "Cannot find has on type %s"), needle)


@define(FUNCTIONS, "compact", (ANY,), LIST, aliases=("mustCompact",))
def compact(values: Any) -> list:
    return [item for item in _items(values, "Cannot compact on type %s") if truth(item)]


@define(FUNCTIONS, "slice", (ANY,), ANY, variadic=ANY, aliases=("mustSlice",))
def slice_(values: Any, *indices: Any) -> Any:
    """``list[i:j]`` of the same slice type; an empty input gives nil whatever the bounds."""
    if values is None:
        raise GoError(_NIL_DEREFERENCE)
    value_kind = kind(values)
    if value_kind not in ("slice", "array"):
        raise GoError(f"list should be type of slice or array but {value_kind}")
    length = len(values)
    if length == 0:
        return None
    start = to_int(indices[0]) if indices else 0
    end = to_int(indices[1]) if len(indices) > 1 else length
    if not 0 <= start <= end <= length:
        raise GoError("reflect.Value.Slice: slice index out of bounds")
    if isinstance(values, bytes):
        return values[start:end]
    if isinstance(values, GoSlice):
        return GoSlice(values.type, values[start:end])
    return list(values[start:end])


@define(FUNCTIONS, "chunk", (INT, ANY), slice_of(LIST), aliases=("mustChunk",))
def chunk(size: int, values: Any) -> Any:
    """Groups of ``size``; a size <= 0 fails the way Sprig's slice arithmetic does."""
    items = _items(values, "Cannot chunk type %s")
    if size > 0:
        groups = [items[i:i + size] for i in range(0, len(items), size)]
    else:
        groups = _bad_chunk_size(size, items)
    return new_slice(LIST, groups)


def _bad_chunk_size(size: int, items: list[Any]) -> list[list[Any]]:
    """Sprig computes ``floor((len-1)/size)+1`` groups in floats; with size <= 0 that
    is NaN, infinite or negative (``makeslice`` fails), zero (no group at all), or a
    single group that only a one-element list survives."""
    length = len(items)
    if size == 0 or length == 0:
        raise GoError("runtime error: makeslice: len out of range")
    groups = math.floor((length - 1) / size) + 1
    if groups < 0:
        raise GoError("runtime error: makeslice: len out of range")
    if groups == 0:
        return []
    # groups == 1 only happens for a single element; its group has fmod(1, size) slots.
    if math.fmod(length, size) == 0:
        raise GoError("runtime error: makeslice: len out of range")
    return [items]


# --- integer sequences ----------------------------------------------------------------


def untilStep(start: int, stop: int, step: int, what: str = "untilStep") -> list[int]:  # noqa: N802 - Sprig's name
    """Python's ``range`` except that a step pointing away from ``stop`` gives nothing.

    Go would try to allocate the slice whatever its length; dockergen refuses one
    longer than its limit (``until 1000000000000`` from a container value).
    """
    if (step < 0) if stop < start else (step > 0):
        numbers = range(start, stop, step)
        check_items(what, len(numbers))
        check_alloc(len(numbers), 8)
        return list(numbers)
    return []


@define(FUNCTIONS, "until", (INT,), slice_of(INT))
def until(count: int) -> list:
    return new_slice(INT, untilStep(0, count, -1 if count < 0 else 1, "until"))


@define(FUNCTIONS, "untilStep", (INT, INT, INT), slice_of(INT))
def until_step(start: int, stop: int, step: int) -> list:
    return new_slice(INT, untilStep(start, stop, step))


@define(FUNCTIONS, "seq", (), STRING, variadic=INT)
def seq(*params: int) -> str:
    """Unix ``seq``: ``seq END``, ``seq START END``, ``seq START STEP END``, ends included."""
    if len(params) == 1:
        start, end, step = 1, params[0], None
    elif len(params) == 2:
        start, end, step = params[0], params[1], None
    elif len(params) == 3:
        start, step, end = params
    else:
        return ""
    direction = -1 if end < start else 1
    if step is None:
        step = direction
    elif direction < 0 and step > 0:
        return ""
    return " ".join(str(n) for n in untilStep(start, wrap_int64(end + direction), step, "seq"))  # Go's int wraps
