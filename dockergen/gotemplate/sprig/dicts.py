"""Sprig's dict functions (spec §9.10) and ``deepCopy`` (§9.6).

Every dict parameter is ``map[string]interface{}`` exactly (the executor
rejects docker-gen's ``map[string]string`` values the way Go does).  ``set``,
``unset`` and ``merge*`` mutate their first argument, as in Sprig, because
templates rely on ``{{ $_ := set $d "k" "v" }}``.
"""

from __future__ import annotations

import copy
from typing import Any

from ...limits import deeper
from ..errors import GoError
from ..funcs import Function, define
from ..values import (
    ANY, BOOL, DICT, LIST, STRING, STRINGS, GoMap, GoSlice, NilPointer, Pointer, new_slice,
    struct_info, type_name,
)
from .coerce import empty, strval

__all__ = ["FUNCTIONS", "deep_copy"]

FUNCTIONS: dict[str, Function] = {}


@define(FUNCTIONS, "dict", (), DICT, variadic=ANY)
def dict_(*pairs: Any) -> dict:
    """Key, value pairs; keys are made strings with ``strval``; a lone last key gets ``""``."""
    result: dict[str, Any] = {}
    for i in range(0, len(pairs), 2):
        result[strval(pairs[i])] = pairs[i + 1] if i + 1 < len(pairs) else ""
    return result


@define(FUNCTIONS, "get", (DICT, STRING), ANY)
def get(d: dict, key: str) -> Any:
    return d[key] if key in d else ""


@define(FUNCTIONS, "set", (DICT, STRING, ANY), DICT)
def set_(d: dict, key: str, value: Any) -> dict:
    if isinstance(d, GoMap) and d.nil:  # a nil map[string]interface{}: Go's runtime panics
        raise GoError("assignment to entry in nil map")
    d[key] = value
    return d


@define(FUNCTIONS, "unset", (DICT, STRING), DICT)
def unset(d: dict, key: str) -> dict:
    d.pop(key, None)
    return d


@define(FUNCTIONS, "hasKey", (DICT, STRING), BOOL)
def has_key(d: dict, key: str) -> bool:
    return key in d


@define(FUNCTIONS, "pluck", (STRING,), LIST, variadic=DICT)
def pluck(key: str, *dicts: dict) -> list:
    return [d[key] for d in dicts if key in d]


@define(FUNCTIONS, "keys", (), STRINGS, variadic=DICT)
def keys(*dicts: dict) -> list:
    """Sprig's ``keys`` (docker-gen masks the name with its own)."""
    return new_slice(STRING, [key for d in dicts for key in d])


@define(FUNCTIONS, "values", (DICT,), LIST)
def values(d: dict) -> list:
    return list(d.values())


@define(FUNCTIONS, "pick", (DICT,), DICT, variadic=STRING)
def pick(d: dict, *names: str) -> dict:
    return {name: d[name] for name in names if name in d}


@define(FUNCTIONS, "omit", (DICT,), DICT, variadic=STRING)
def omit(d: dict, *names: str) -> dict:
    dropped = set(names)
    return {key: value for key, value in d.items() if key not in dropped}


# --- merging ------------------------------------------------------------------------


def _merge_into(dst: dict, src: dict, overwrite: bool, depth: int = 0) -> None:
    """mergo's map merge: nested dicts merge, otherwise dst wins unless it is empty
    (or ``overwrite``: src always wins).  A nil source value only ever overwrites."""
    inner = deeper("merge", depth)
    for key, value in src.items():
        if key in dst and type(dst[key]) is dict and type(value) is dict:
            _merge_into(dst[key], value, overwrite, inner)
        elif overwrite:
            dst[key] = value
        elif value is not None and (key not in dst or empty(dst[key])):
            dst[key] = value


def _merger(overwrite: bool):
    def merge(dst: dict, *sources: dict) -> Any:
        for source in sources:
            _merge_into(dst, source, overwrite)
        return dst

    return merge


define(FUNCTIONS, "merge", (DICT,), ANY, variadic=DICT, aliases=("mustMerge",))(_merger(False))
define(FUNCTIONS, "mergeOverwrite", (DICT,), ANY, variadic=DICT, aliases=("mustMergeOverwrite",))(
    _merger(True)
)


# --- dig ----------------------------------------------------------------------------


def _interface_conversion(value: Any, wanted: str) -> GoError:
    got = "nil" if value is None else type_name(value)
    return GoError(f"interface conversion: interface {{}} is {got}, not {wanted}")


def _as_dict(value: Any) -> dict:
    if type(value) is not dict:
        raise _interface_conversion(value, "map[string]interface {}")
    return value


@define(FUNCTIONS, "dig", (), ANY, variadic=ANY)
def dig(*args: Any) -> Any:
    """``dig k1 k2 ... default dict``: walk nested dicts; the first absent key gives default."""
    if len(args) < 3:
        raise GoError("dig needs at least three arguments")
    current = _as_dict(args[-1])
    default = args[-2]
    path = list(args[:-2])
    for key in path:
        if type(key) is not str:
            raise _interface_conversion(key, "string")
    for depth, key in enumerate(path):
        if key not in current:
            return default
        if depth == len(path) - 1:
            return current[key]
        current = _as_dict(current[key])
    return default  # pragma: no cover - the loop always returns


# --- deepCopy -----------------------------------------------------------------------


def deep_copy(value: Any, depth: int = 0) -> Any:
    """A recursive copy of maps, slices and structs; scalars are returned as they are.

    ``depth`` counts the maps, slices and structs around ``value``: Go's
    copystructure would copy a map holding itself (``set $d "x" $d``) until
    memory runs out; dockergen stops at its nesting limit.
    """
    if type(value) is list:
        inner = deeper("deepCopy", depth)
        return [deep_copy(item, inner) for item in value]
    if type(value) is dict:
        inner = deeper("deepCopy", depth)
        return {key: deep_copy(item, inner) for key, item in value.items()}
    if isinstance(value, GoSlice):
        inner = deeper("deepCopy", depth)
        return GoSlice(value.type, [deep_copy(item, inner) for item in value], nil=value.nil)
    if isinstance(value, GoMap):
        inner = deeper("deepCopy", depth)
        return GoMap(value.type, {key: deep_copy(item, inner) for key, item in value.items()}, nil=value.nil)
    if type(value) is Pointer:  # the root (a Pointer subclass) carries methods' data: keep it
        return Pointer(deep_copy(value.target, depth), value.type)
    if isinstance(value, NilPointer):
        return value
    info = struct_info(value)
    if info is not None:  # copystructure copies exported fields; unexported ones start from zero
        inner = deeper("deepCopy", depth)
        duplicate = copy.copy(value)
        for name, field_type in info.fields:
            attribute = info.attribute(name)
            copied = deep_copy(getattr(value, attribute, None), inner) if name[:1].isupper() else _zero(field_type)
            setattr(duplicate, attribute, copied)
        return duplicate
    return value  # scalars, strings and times are immutable


def _zero(t: Any) -> Any:
    """Go's zero value of a struct field's type (what copystructure leaves in an unexported one)."""
    kind = t.kind
    if kind == "string":
        return ""
    if kind == "bool":
        return False
    if kind in ("float32", "float64"):
        return 0.0
    if kind in ("slice", "map", "ptr", "interface", "func", "chan"):
        return None
    if kind == "struct":
        return None
    return 0


@define(FUNCTIONS, "deepCopy", (ANY,), ANY, aliases=("mustDeepCopy",))
def deep_copy_(value: Any) -> Any:
    if value is None:
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    return deep_copy(value)
