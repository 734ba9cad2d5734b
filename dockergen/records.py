"""Dataclasses that are cheaper to create: the model, the Go parse tree's nodes, the configs ...

``@dataclass`` writes the source of ``__init__``, ``__repr__`` and ``__eq__``
(and a frozen class's ``__hash__``) for each class and compiles it when the
module is imported: about 0.5 ms a class, 48 classes on a one-shot run's path,
a tenth of the run.  :func:`record` is ``@dataclass`` with ``__repr__``,
``__eq__`` and ``__hash__`` taken from functions written once: only
``__init__`` (and a frozen class's ``__setattr__``/``__delattr__``) is
compiled per class.  Everything else is the dataclass's own (``fields``,
``replace``, ``__match_args__``, slots), and the shared methods behave as the
generated ones do: ``Name(a=1, b='x')`` (``...`` for an object already being
shown), equality of objects of the very same class, field by field, as tuples
compare (``x is y`` counts as equal), and a frozen object's hash of the same
tuple.
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
def record(*, slots: bool = False, eq: bool = True, frozen: bool = False) -> Callable[[type[T]], type[T]]:
    """``@dataclass(slots=slots, eq=eq, frozen=frozen)``, the representation, comparison and
    hash shared rather than generated."""

    def wrap(cls: type[T]) -> type[T]:
        own = set(cls.__dict__)  # a method the class writes itself is kept, as @dataclass keeps it
        made = dataclasses.dataclass(cls, slots=slots, frozen=frozen, repr=False, eq=False)
        fields = dataclasses.fields(made)
        if "__repr__" not in own:
            made.__repr__ = _repr_of(made, tuple(item.name for item in fields if item.repr))  # type: ignore[method-assign]
        if eq and "__eq__" not in own:
            made.__eq__ = _eq_of(made, _values([item.name for item in fields if item.compare]))  # type: ignore[method-assign]
            if "__hash__" not in own:  # as @dataclass(eq=True) does: a hash of the fields when frozen, else none
                hashed = [item.name for item in fields if (item.compare if item.hash is None else item.hash)]
                made.__hash__ = _hash_of(made, _values(hashed)) if frozen else None  # type: ignore[assignment]
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


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The values of fields ``names`` of an object, as a tuple (``attrgetter`` of one name gives the bare value)."""
    if len(names) == 1:
        one = attrgetter(names[0])

        def values(obj: Any) -> tuple[Any, ...]:
            return (one(obj),)
    elif names:
        values = attrgetter(*names)
    else:
        def values(obj: Any) -> tuple[Any, ...]:
            return ()
    return values


def _eq_of(cls: type, values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any, Any], Any]:
    """Equality of the compared fields' values as tuples."""

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return values(self) == values(other)
        return NotImplemented

    return _named(cls, __eq__)


def _hash_of(cls: type, values: Callable[[Any], tuple[Any, ...]]) -> Callable[[Any], int]:
    def __hash__(self: Any) -> int:
        return hash(values(self))

    return _named(cls, __hash__)
