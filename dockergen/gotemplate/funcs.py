"""How template functions are declared: a Python callable plus its Go signature.

Go converts every argument to the declared parameter type before the call
(``expected integer; found 1.5``, ``wrong type for value; expected int; got
int64``), so the executor needs the signature.  Each function family module
builds its own table::

    FUNCTIONS: dict[str, Function] = {}

    @define(FUNCTIONS, "repeat", (INT, STRING), STRING)
    def repeat(count: int, text: str) -> str: ...

The callable receives converted values (an ``ANY`` parameter receives
whatever was passed, ``None`` for nil or a missing value) and raises
:class:`~dockergen.gotemplate.errors.GoError` with Go's text when Go's
function would return an error or panic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dockergen.records import record

from .values import ANY, GoType

__all__ = ["Function", "define"]


@record(frozen=True, slots=True)
class Function:
    """A function callable from templates by name."""

    name: str
    call: Callable[..., Any]
    params: tuple[GoType, ...] = ()
    result: GoType = ANY  # an interface result holding nil becomes "missing"
    variadic: GoType | None = None  # element type of a final ...T parameter
    needs_state: bool = False  # call(state, *args): eval and friends need the executor
    memo: bool = False  # the same arguments give the same answer within a render: asked once
    file_probe: bool = False  # true iff the file its one argument names exists: a directory listing can say "no"


def define(
    table: dict[str, Function],
    name: str,
    params: tuple[GoType, ...] = (),
    result: GoType = ANY,
    *,
    variadic: GoType | None = None,
    needs_state: bool = False,
    memo: bool = False,
    file_probe: bool = False,
    aliases: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated callable in ``table`` under ``name`` (and ``aliases``)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for each in (name, *aliases):
            table[each] = Function(each, fn, tuple(params), result, variadic, needs_state, memo, file_probe)
        return fn

    return register
