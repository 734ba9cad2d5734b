"""Sprig's defaults, emptiness tests, ``ternary`` and JSON functions (spec §9.6).

"Empty" is template falsiness (nil, zero, empty string or collection, nil
pointer; structs never).  The JSON functions use Go's ``encoding/json``
rules (:mod:`.gojson`); the non-``must`` forms swallow errors the way Sprig
does (``fromJson`` gives nil, ``toJson`` gives ``""``) except ``toRawJson``,
which Sprig lets panic.
"""

from __future__ import annotations

from typing import Any

from ..funcs import Function, define
from ..values import ANY, BOOL, STRING
from ..errors import GoError
from .coerce import empty
from .gojson import marshal, unmarshal

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[str, Function] = {}


@define(FUNCTIONS, "default", (ANY,), ANY, variadic=ANY)
def default(fallback: Any, *given: Any) -> Any:
    """``given[0]`` unless it is absent or empty; usually piped: ``.X | default "d"``."""
    if not given or empty(given[0]):
        return fallback
    return given[0]


@define(FUNCTIONS, "empty", (ANY,), BOOL)
def empty_(value: Any) -> bool:
    return empty(value)


@define(FUNCTIONS, "coalesce", (), ANY, variadic=ANY)
def coalesce(*values: Any) -> Any:
    """Sprig's coalesce: the first non-empty value (docker-gen masks the name, §10)."""
    return next((v for v in values if not empty(v)), None)


@define(FUNCTIONS, "all", (), BOOL, variadic=ANY)
def all_(*values: Any) -> bool:
    return not any(empty(v) for v in values)


@define(FUNCTIONS, "any", (), BOOL, variadic=ANY)
def any_(*values: Any) -> bool:
    return any(not empty(v) for v in values)


@define(FUNCTIONS, "ternary", (ANY, ANY, BOOL), ANY)
def ternary(if_true: Any, if_false: Any, condition: bool) -> Any:
    return if_true if condition else if_false


# --- JSON ----------------------------------------------------------------------------


@define(FUNCTIONS, "fromJson", (STRING,), ANY)
def from_json(text: str) -> Any:
    try:
        return unmarshal(text)
    except GoError:
        return None


@define(FUNCTIONS, "mustFromJson", (STRING,), ANY)
def must_from_json(text: str) -> Any:
    return unmarshal(text)


def _swallowing(encode):
    def swallow(value: Any) -> str:
        try:
            return encode(value)
        except GoError:
            return ""

    return swallow


def _compact(value: Any) -> str:
    return marshal(value)


def _pretty(value: Any) -> str:
    return marshal(value, indent="  ")


def _raw(value: Any) -> str:
    return marshal(value, escape_html=False)


for _name, _encode in (("toJson", _compact), ("toPrettyJson", _pretty)):
    define(FUNCTIONS, _name, (ANY,), STRING)(_swallowing(_encode))
    define(FUNCTIONS, "must" + _name[0].upper() + _name[1:], (ANY,), STRING)(_encode)
# toRawJson panics where toJson would return "": both forms abort with the same text.
define(FUNCTIONS, "toRawJson", (ANY,), STRING, aliases=("mustToRawJson",))(_raw)
