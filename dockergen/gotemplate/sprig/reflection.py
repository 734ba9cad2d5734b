"""Sprig's reflection functions (spec §9.11): Go type names, kinds and deep equality.

Names are Go's (``%T``: ``[]interface {}``, ``*context.RuntimeContainer``,
``<nil>``; kinds: ``slice``, ``ptr``, ``invalid``), taken from the value
model, so a template's type checks answer as they do under docker-gen.
"""

from __future__ import annotations

from typing import Any

from ..funcs import Function, define
from ..values import ANY, BOOL, STRING, kind, type_name
from .coerce import deep_equal

__all__ = ["FUNCTIONS"]

FUNCTIONS: dict[str, Function] = {}


@define(FUNCTIONS, "typeOf", (ANY,), STRING)
def type_of(value: Any) -> str:
    return type_name(value)


@define(FUNCTIONS, "typeIs", (STRING, ANY), BOOL)
def type_is(name: str, value: Any) -> bool:
    return name == type_name(value)


@define(FUNCTIONS, "typeIsLike", (STRING, ANY), BOOL)
def type_is_like(name: str, value: Any) -> bool:
    """True for ``T`` and for ``*T``: a pointer is "like" what it points to."""
    actual = type_name(value)
    return actual in (name, "*" + name)


@define(FUNCTIONS, "kindOf", (ANY,), STRING)
def kind_of(value: Any) -> str:
    return kind(value)


@define(FUNCTIONS, "kindIs", (STRING, ANY), BOOL)
def kind_is(name: str, value: Any) -> bool:
    return name == kind(value)


@define(FUNCTIONS, "deepEqual", (ANY, ANY), BOOL)
def deep_equal_(a: Any, b: Any) -> bool:
    return deep_equal(a, b)
