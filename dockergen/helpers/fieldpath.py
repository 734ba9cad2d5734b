"""Field paths such as ``"Env.VIRTUAL_HOST"``: docker-gen's ``deepGet``.

``groupBy*``, ``where*`` and ``sortObjectsByKeys*`` call :func:`deep_get`
once per item, so a render over many containers spends most of its helper
time here.  Paths are split once (cached) and walked with a plain loop.

Also home of :func:`is_missing` / :func:`unwrap`: Jinja2's lenient undefined
hands a missing map key to a helper as a ``jinja2.Undefined`` instance, which
every helper must treat like Go's ``nil``.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..errors import HelperError
from ..golang.strings import split_n as go_split
from ..limits import MAX_CACHED_KEY

__all__ = [
    "deep_get",
    "get_parts",
    "split_path",
    "is_missing",
    "unwrap",
    "describe",
    "as_list",
    "go_split",
    "PathRules",
    "NotAStringError",
]

# Values that never have fields to descend into (``str.upper`` is not a field).
_SCALARS = (str, bytes, int, float, complex)


class NotAStringError(HelperError):
    """A value that had to be a string (a group key, a value to split) is not one.

    ``value`` is the offending value, so that the Go engine can word the
    error as Go's failed type assertion does.
    """

    def __init__(self, message: str, value: Any) -> None:
        super().__init__(message)
        self.value = value


def is_missing(value: Any) -> bool:
    """True for ``None`` and for Jinja2's undefined (a missing map key or variable)."""
    if value is None:
        return True
    # Nothing can be an Undefined unless jinja2 was imported; avoid importing it here.
    jinja2 = sys.modules.get("jinja2")
    return jinja2 is not None and isinstance(value, jinja2.Undefined)


def unwrap(value: Any) -> Any:
    """Return ``None`` for a missing value, the value itself otherwise."""
    return None if is_missing(value) else value


def describe(value: Any) -> str:
    """A short ``repr (type)`` for error messages, cut to a readable length."""
    if is_missing(value):
        return "None (missing value)"
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def as_list(value: Any, fn: str) -> list[Any] | tuple[Any, ...]:
    """The items of a list argument, or docker-gen's error for anything else.

    Lists and tuples pass as they are; other iterables (a Jinja2 ``select``
    generator, ``dict.values()``) are materialised.  Strings, mappings and
    missing values are refused, as Go refuses non-slices.
    """
    if isinstance(value, (list, tuple)):
        return value
    if not (is_missing(value) or isinstance(value, (str, bytes, Mapping))):
        try:
            return list(value)
        except TypeError:
            pass
    raise HelperError(f"must pass an array or slice to '{fn}'; received {describe(value)}")


def _split(path: str) -> tuple[str, ...] | None:
    if path == "":
        return None
    if path[0] == ".":
        path = path[1:]
    return tuple(path.split("."))


def split_path(path: Any) -> tuple[str, ...] | None:
    """Split a field path once; ``None`` means "the item itself" (path ``""``).

    One leading ``.`` is stripped, so ``".ID"`` equals ``"ID"`` and ``"..."``
    is three empty segments, as in docker-gen.
    """
    if type(path) is not str:
        if isinstance(path, str):
            path = str.__str__(path)
        else:
            raise HelperError(f"field path must be a string; received {describe(path)}")
    # Paths are template constants, split once; a long one (a container value?) is
    # split every time rather than kept: 512 of them could hold gigabytes.
    return _split_cached(path) if len(path) <= MAX_CACHED_KEY else _split(path)


_split_cached = lru_cache(maxsize=512)(_split)


# How to descend into values of a type: computed once per type.
_MAP, _SEQ, _LEAF, _STRUCT, _OBJECT, _POINTER = range(6)
_KINDS: dict[type, tuple[int, frozenset[str] | None]] = {type(None): (_LEAF, None)}


class PathRules:
    """How another engine's values are walked (the Go engine's ``deepGet``).

    ``kind(value)`` returns ``(kind, fields, opaque)``: one of the ``*_KIND``
    constants below, the field names of a struct, and whether the elements of
    a map or slice are interface-typed, which Go's ``deepGet`` cannot descend
    into (only a last path segment may land on one).  ``POINTER_KIND`` values
    are followed once through ``deref(value)``.
    """

    MAP_KIND, SEQ_KIND, LEAF_KIND, STRUCT_KIND, POINTER_KIND = _MAP, _SEQ, _LEAF, _STRUCT, _POINTER

    def kind(self, value: Any) -> tuple[int, frozenset[str] | None, bool]:  # pragma: no cover - abstract
        raise NotImplementedError

    def deref(self, value: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _kind(cls: type) -> tuple[int, frozenset[str] | None]:
    try:
        return _KINDS[cls]
    except KeyError:
        pass
    fields = getattr(cls, "__dataclass_fields__", None)
    if issubclass(cls, Mapping):
        kind: tuple[int, frozenset[str] | None] = (_MAP, None)
    elif issubclass(cls, (list, tuple)):
        kind = (_SEQ, None)
    elif issubclass(cls, _SCALARS):
        kind = (_LEAF, None)
    elif isinstance(fields, dict):
        kind = (_STRUCT, frozenset(fields))
    else:
        kind = (_OBJECT, None)
    _KINDS[cls] = kind
    return kind


def _dotted_key(mapping: Any, parts: tuple[str, ...], i: int) -> int:
    """The end ``j`` of the shortest ``parts[i:j]`` (two parts or more) that, joined by
    dots, is a key of ``mapping``; -1 if none is.

    Only joins whose length is the length of some key are built and looked up:
    a path of thousands of dots would otherwise cost the square of its length.
    """
    if i + 1 >= len(parts):  # the last part: nothing to join it with (a missing Env.X, say)
        return -1
    lengths = {len(key) for key in mapping if isinstance(key, str)}
    if not lengths:
        return -1
    longest = max(lengths)
    size = len(parts[i])
    for j in range(i + 1, len(parts)):
        size += 1 + len(parts[j])
        if size > longest:
            return -1
        if size in lengths and ".".join(parts[i:j + 1]) in mapping:
            return j + 1
    return -1


def get_parts(item: Any, parts: tuple[str, ...] | None, rules: PathRules | None = None) -> Any:
    """Walk ``item`` along pre-split ``parts`` (see :func:`split_path`).

    Missing anything (unknown field, absent key, index out of range, a scalar
    with path left) gives ``None``; a present ``""`` stays ``""``.  ``rules``
    replace the Python view of values by another engine's (see :class:`PathRules`).
    """
    if parts is None:
        return unwrap(item)
    n = len(parts)
    i = 0
    opaque = False
    while i < n:
        if rules is None:
            kind, fields = _kind(type(item))
        else:
            kind, fields, opaque = rules.kind(item)
        seg = parts[i]
        if kind == _STRUCT:
            if seg not in fields:  # type: ignore[operator]
                return None
            item = getattr(item, seg, None)
        elif kind == _MAP:
            try:
                if seg in item:
                    item = item[seg]
                    i += 1
                else:
                    # Keys may contain dots themselves (``com.docker.compose.project``):
                    # try ``seg0.seg1``, ``seg0.seg1.seg2`` ... and go on after the first hit.
                    j = _dotted_key(item, parts, i)
                    if j < 0:
                        return None
                    item = item[".".join(parts[i:j])]
                    i = j
            except TypeError:  # a mapping whose keys cannot be compared with str
                return None
            if opaque and i < n:
                return None
            continue
        elif kind == _SEQ:
            if not (seg.isascii() and seg.isdigit()):
                return None
            index = int(seg)
            if index >= len(item):
                return None
            item = item[index]
            if opaque and i + 1 < n:
                return None
        elif kind == _LEAF:
            return None
        elif kind == _POINTER:
            item = rules.deref(item)  # type: ignore[union-attr]
            if rules.kind(item)[0] == _POINTER:  # type: ignore[union-attr]
                return None  # a pointer to a pointer: Go's deepGet gives up
            continue
        else:
            if not seg or seg[0] == "_" or is_missing(item):
                return None
            item = getattr(item, seg, None)
            if callable(item):  # methods are not fields
                return None
        i += 1
    return unwrap(item)


def deep_get(item: Any, path: str) -> Any:
    """Value at ``path`` inside ``item``, or ``None`` when any step is missing.

    Unlike Go, plain dicts nested inside plain dicts (parsed JSON/YAML,
    ``dict(...)``) can be descended: Python has no interface-typed values.
    """
    return get_parts(item, split_path(path))
