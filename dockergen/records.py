"""Dataclasses that are cheaper to create: the context's model and the Go parse tree's nodes.

``@dataclass`` writes the source of ``__init__``, ``__repr__`` and ``__eq__``
for each class and compiles it when the module is imported: about 0.5 ms a
class, 38 classes on a one-shot run's path (model.py, gotemplate/nodes.py),
a tenth of the run.  :func:`record` is ``@dataclass`` with ``__repr__`` and
``__eq__`` taken from two functions written once: only ``__init__`` is
compiled per class.  Everything else is the dataclass's own (``fields``,
``replace``, ``__match_args__``, slots), and the two behave as the generated
ones do: ``Name(a=1, b='x')`` (``...`` for an object already being shown),
and equality of objects of the very same class, field by field, as tuples
compare (``x is y`` counts as equal).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

__all__ = ["record"]

T = TypeVar("T")

_showing = threading.local()  # ids of the objects being shown by this thread's reprs


@dataclass_transform(field_specifiers=(dataclasses.field,))
def record(*, slots: bool = False, eq: bool = True) -> Callable[[type[T]], type[T]]:
    """``@dataclass(slots=slots, eq=eq)``, the representation and comparison shared rather than generated."""

    def wrap(cls: type[T]) -> type[T]:
        own = set(cls.__dict__)  # a method the class writes itself is kept, as @dataclass keeps it
        made = dataclasses.dataclass(cls, slots=slots, repr=False, eq=False)
        fields = dataclasses.fields(made)
        if "__repr__" not in own:
            made.__repr__ = _repr_of(made, tuple(item.name for item in fields if item.repr))  # type: ignore[method-assign]
        if eq and "__eq__" not in own:
            made.__eq__ = _eq_of(made, [item.name for item in fields if item.compare])  # type: ignore[method-assign]
            if "__hash__" not in own:
                made.__hash__ = None  # type: ignore[assignment]  # as @dataclass(eq=True) leaves a mutable class
        return made

    return wrap


def _named(cls: type, method: Callable[..., Any]) -> Callable[..., Any]:
    method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
    return method


def _repr_of(cls: type, names: tuple[str, ...]) -> Callable[[Any], str]:
    def __repr__(self: Any) -> str:
        showing = _showing.__dict__.setdefault("ids", set())
        key = id(self)
        if key in showing:
            return "..."
        showing.add(key)
        try:
            shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        finally:
            showing.discard(key)
        return f"{self.__class__.__qualname__}({shown})"

    return _named(cls, __repr__)


def _eq_of(cls: type, names: list[str]) -> Callable[[Any, Any], Any]:
    """Equality of the compared fields' values as tuples (``attrgetter`` of one name gives the bare value)."""
    if len(names) == 1:
        one = attrgetter(names[0])

        def values(obj: Any) -> tuple[Any, ...]:
            return (one(obj),)
    elif names:
        values = attrgetter(*names)
    else:
        def values(obj: Any) -> tuple[Any, ...]:
            return ()

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return _named(cls, __eq__)
