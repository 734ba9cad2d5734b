"""Go's value model, as much of it as templates can observe.

Go templates behave according to Go *types*: ``eq 1 1.0`` is an error,
``int64`` results do not fit ``int`` parameters, a nil map prints ``map[]``
but encodes as ``null``, a missing map key prints ``<no value>``.  Python
values carry that information as follows:

=====================  ===================================================
Go                     Python
=====================  ===================================================
missing (no value)     :data:`MISSING`
untyped nil            ``None`` (also a nil ``interface{}``)
bool, int, float64     ``bool``, ``int``, ``float`` (exact types)
complex128             ``complex``
other number kinds     :class:`Int64`, :class:`Uint8`, ... (``int`` subclasses)
string                 ``str``; bytes that are not UTF-8 are lone surrogates
                       (``surrogateescape``), so ``go_bytes`` gives the Go bytes
[]byte                 ``bytes``
[]interface{}          ``list``
map[string]interface{} ``dict``
other slices / maps    :class:`GoSlice` / :class:`GoMap` (carry their type
                       and whether they are nil)
struct                 an instance of a class registered with
                       :func:`register_struct`
typed nil pointer      :class:`NilPointer`
=====================  ===================================================

A registered struct class may be declared *pointer-natured*: its instances
then stand for ``*T`` (docker-gen's containers are always
``*RuntimeContainer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import field
from datetime import datetime
from typing import Any

from dockergen.records import record

__all__ = [
    "GoType", "Missing", "MISSING", "Addr", "VALUE", "NilPointer", "Pointer", "register_methods", "methods_of", "GoSlice", "GoMap", "StructInfo", "Method",
    "Int8", "Int16", "Int32", "Int64", "Uint", "Uint8", "Uint16", "Uint32", "Uint64", "Float32",
    "Duration",
    "BOOL", "INT", "INT8", "INT16", "INT32", "INT64", "UINT", "UINT8", "UINT16", "UINT32", "UINT64",
    "FLOAT32", "FLOAT64", "COMPLEX128", "STRING", "ANY", "ERROR", "FUNC", "LIST", "DICT", "STRINGS",
    "BYTES", "INTS", "DURATION", "TIME", "MAP_STRING_STRING",
    "slice_of", "map_of", "pointer_to", "register_struct", "register_type", "struct_info", "typeof", "type_name",
    "kind", "truth", "is_nil", "go_bytes", "go_len", "from_go_bytes", "new_slice", "nil_slice",
    "new_map", "nil_map", "INT_KINDS", "UINT_KINDS", "INT_CLASSES", "FLOAT_KINDS", "NUMBER_KINDS", "can_be_nil",
]


# --- types -------------------------------------------------------------------


class GoType:
    """A Go type: its reflect kind (``"int64"``, ``"slice"``, ...) and its ``%T`` name."""

    __slots__ = ("kind", "name", "elem", "key", "struct")

    def __init__(
        self, kind: str, name: str, elem: "GoType | None" = None, key: "GoType | None" = None,
        struct: "StructInfo | None" = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.elem = elem
        self.key = key
        self.struct = struct

    def __repr__(self) -> str:
        return self.name

    __str__ = __repr__


def _basic(kind: str) -> GoType:
    return GoType(kind, kind)


BOOL = _basic("bool")
INT = _basic("int")
INT8 = _basic("int8")
INT16 = _basic("int16")
INT32 = _basic("int32")
INT64 = _basic("int64")
UINT = _basic("uint")
UINT8 = _basic("uint8")
UINT16 = _basic("uint16")
UINT32 = _basic("uint32")
UINT64 = _basic("uint64")
FLOAT32 = _basic("float32")
FLOAT64 = _basic("float64")
COMPLEX128 = _basic("complex128")
STRING = _basic("string")
ANY = GoType("interface", "interface {}")
ERROR = GoType("interface", "error")
FUNC = GoType("func", "func")
DURATION = GoType("int64", "time.Duration")
VALUE = GoType("struct", "reflect.Value")  # builtins' parameters: the argument as it is, missing included

INT_KINDS = frozenset(("int", "int8", "int16", "int32", "int64"))
UINT_KINDS = frozenset(("uint", "uint8", "uint16", "uint32", "uint64", "uintptr"))
FLOAT_KINDS = frozenset(("float32", "float64"))
NUMBER_KINDS = INT_KINDS | UINT_KINDS | FLOAT_KINDS | {"complex64", "complex128"}
_NILABLE_KINDS = frozenset(("ptr", "map", "slice", "func", "chan", "interface"))

_SLICES: dict[int, GoType] = {}
_MAPS: dict[tuple[int, int], GoType] = {}
_POINTERS: dict[int, GoType] = {}


def slice_of(elem: GoType) -> GoType:
    """The type ``[]elem`` (one instance per element type)."""
    found = _SLICES.get(id(elem))
    if found is None:
        found = _SLICES[id(elem)] = GoType("slice", f"[]{elem.name}", elem=elem)
    return found


def map_of(key: GoType, elem: GoType) -> GoType:
    """The type ``map[key]elem``."""
    found = _MAPS.get((id(key), id(elem)))
    if found is None:
        found = _MAPS[(id(key), id(elem))] = GoType("map", f"map[{key.name}]{elem.name}", elem=elem, key=key)
    return found


def pointer_to(elem: GoType) -> GoType:
    """The type ``*elem``."""
    found = _POINTERS.get(id(elem))
    if found is None:
        found = _POINTERS[id(elem)] = GoType("ptr", f"*{elem.name}", elem=elem)
    return found


def can_be_nil(t: GoType) -> bool:
    return t.kind in _NILABLE_KINDS or t is VALUE


LIST = slice_of(ANY)
DICT = map_of(STRING, ANY)
STRINGS = slice_of(STRING)
INTS = slice_of(INT)
BYTES = GoType("slice", "[]uint8", elem=UINT8)
_SLICES[id(UINT8)] = BYTES
MAP_STRING_STRING = map_of(STRING, STRING)


# --- values ------------------------------------------------------------------


class Missing:
    """Go's invalid ``reflect.Value``: a missing map key, nil data. Prints ``<no value>``."""

    __slots__ = ()
    _instance: "Missing | None" = None

    def __new__(cls) -> "Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING = Missing()


class Int8(int):
    __slots__ = ()


class Int16(int):
    __slots__ = ()


class Int32(int):
    __slots__ = ()


class Int64(int):
    __slots__ = ()


class Uint(int):
    __slots__ = ()


class Uint8(int):
    __slots__ = ()


class Uint16(int):
    __slots__ = ()


class Uint32(int):
    __slots__ = ()


class Uint64(int):
    __slots__ = ()


class Float32(float):
    __slots__ = ()


class Duration(int):
    """``time.Duration``: an int64 count of nanoseconds, printed as ``1h2m3s``."""

    __slots__ = ()


# The Python class of each integer kind: what a constant or a zero value of that kind is.
INT_CLASSES: dict[str, type] = {
    "int": int, "int8": Int8, "int16": Int16, "int32": Int32, "int64": Int64, "uint": Uint, "uint8": Uint8,
    "uint16": Uint16, "uint32": Uint32, "uint64": Uint64, "uintptr": Uint,
}


class NilPointer:
    """A typed nil pointer (``(*T)(nil)``): prints ``<nil>``, is falsy, not missing."""

    __slots__ = ("type",)

    def __init__(self, type_: GoType) -> None:
        self.type = type_

    def __bool__(self) -> bool:
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NilPointer) and other.type is self.type

    def __hash__(self) -> int:
        return hash(("nilptr", id(self.type)))

    def __repr__(self) -> str:
        return f"({self.type.name})(nil)"


class Pointer:
    """A non-nil pointer to a value that is not a registered struct (docker-gen's root
    ``*context.Context``, a pointer to the container slice).  Fields and methods are
    looked up on the pointer type first, then on ``target``."""

    __slots__ = ("target", "type")

    def __init__(self, target: Any, type_: GoType) -> None:
        self.target = target
        self.type = type_

    def __repr__(self) -> str:
        return f"&{self.target!r}"


class Addr:
    """A struct value reached through a pointer: addressable, so its pointer-receiver
    methods apply (docker-gen's ``{{ .Image }}`` prints through ``(*DockerImage).String``).
    Only the executor sees it; functions receive the value itself."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class GoSlice(list):
    """A slice whose element type is not ``interface{}``, or a nil slice of any type."""

    __slots__ = ("type", "nil")

    def __init__(self, type_: GoType, items: Any = (), nil: bool = False) -> None:
        super().__init__(items)
        self.type = type_
        self.nil = nil


class GoMap(dict):
    """A map whose type is not ``map[string]interface{}``, or a nil map of any type."""

    __slots__ = ("type", "nil")

    def __init__(self, type_: GoType, items: Any = (), nil: bool = False) -> None:
        super().__init__(items)
        self.type = type_
        self.nil = nil


def new_slice(elem: GoType, items: Any = ()) -> list:
    """A non-nil slice of ``elem``: a plain list for ``[]interface{}``."""
    if elem is ANY:
        return list(items)
    return GoSlice(slice_of(elem), items)


def nil_slice(elem: GoType) -> GoSlice:
    return GoSlice(slice_of(elem), (), nil=True)


def new_map(key: GoType, elem: GoType, items: Any = ()) -> dict:
    if key is STRING and elem is ANY:
        return dict(items)
    return GoMap(map_of(key, elem), items)


def nil_map(key: GoType, elem: GoType) -> GoMap:
    return GoMap(map_of(key, elem), (), nil=True)


@record(frozen=True)
class Method:
    """A method callable from templates as ``.Name``: ``call(receiver, *args)``.

    ``params`` excludes the receiver.  ``pointer_receiver`` methods are only
    found on pointers and addressable values (Go's method sets).  ``refused``
    is text/template's error for a method whose results it cannot take (more
    than one, or a second that is not an error): found, never called.
    """

    name: str
    call: Callable[..., Any]
    params: tuple[GoType, ...] = ()
    result: GoType = ANY
    variadic: GoType | None = None
    pointer_receiver: bool = False
    returns_error: bool = False
    refused: str = ""


@record()
class StructInfo:
    """A Python class seen from templates as a Go struct."""

    cls: type
    name: str  # "context.RuntimeContainer"
    fields: list[tuple[str, GoType]]
    pointer: bool = False  # instances stand for *T
    methods: dict[str, Method] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)  # Go field name -> Python attribute
    type: GoType = None  # type: ignore[assignment]  # the struct type T
    field_types: dict[str, GoType] = field(default_factory=dict)

    def attribute(self, name: str) -> str:
        return self.attrs.get(name, name)


_STRUCTS: dict[type, StructInfo] = {}
_METHODS: dict[int, dict[str, Method]] = {}


def register_methods(type_: GoType, methods: list[Method]) -> None:
    """Give a named type methods, e.g. ``*context.Context``'s ``Env`` (a struct's are in its
    :class:`StructInfo`: a method taking the struct itself is added once the type exists)."""
    table = type_.struct.methods if type_.struct is not None else _METHODS.setdefault(id(type_), {})
    table.update({m.name: m for m in methods})


def methods_of(type_: GoType | None) -> dict[str, Method]:
    """Methods declared for ``type_`` itself (struct methods live in :class:`StructInfo`)."""
    if type_ is None:
        return {}
    if type_.struct is not None:
        return type_.struct.methods
    return _METHODS.get(id(type_), {})


def register_struct(
    cls: type,
    name: str,
    fields: list[tuple[str, GoType]],
    *,
    pointer: bool = False,
    methods: list[Method] = (),  # type: ignore[assignment]
    attrs: dict[str, str] | None = None,
) -> GoType:
    """Make instances of ``cls`` Go structs named ``name``; returns the struct type.

    ``fields`` are in declaration order (printing shows them in that order);
    unexported fields (lower-case first letter) print but cannot be read.
    """
    info = StructInfo(cls, name, list(fields), pointer, {m.name: m for m in methods}, dict(attrs or {}))
    info.type = GoType("struct", name, struct=info)
    info.field_types = dict(fields)
    _STRUCTS[cls] = info
    return info.type


def struct_info(value: Any) -> StructInfo | None:
    return _STRUCTS.get(type(value))


_PY_TYPES: dict[type, GoType] = {
    bool: BOOL, int: INT, float: FLOAT64, complex: COMPLEX128, str: STRING, bytes: BYTES,
    list: LIST, dict: DICT, Int8: INT8, Int16: INT16, Int32: INT32, Int64: INT64, Uint: UINT,
    Uint8: UINT8, Uint16: UINT16, Uint32: UINT32, Uint64: UINT64, Float32: FLOAT32,
    Duration: DURATION,
}


def register_type(cls: type, type_: GoType) -> None:
    """Make instances of the Python class ``cls`` values of the Go type ``type_``."""
    _PY_TYPES[cls] = type_


def _time_type() -> GoType:
    t = GoType("struct", "time.Time")
    return t


TIME = _time_type()


def typeof(value: Any) -> GoType | None:
    """The dynamic Go type of a value; ``None`` for nil and missing."""
    t = _PY_TYPES.get(type(value))
    if t is not None:
        return t
    if isinstance(value, (GoSlice, GoMap, NilPointer, Pointer)):
        return value.type
    info = _STRUCTS.get(type(value))
    if info is not None:
        return pointer_to(info.type) if info.pointer else info.type
    if value is None or value is MISSING:
        return None
    if isinstance(value, datetime):
        return TIME
    if callable(value):
        return FUNC
    return ANY


def type_name(value: Any) -> str:
    """``%T``: ``int``, ``[]interface {}``, ``*context.RuntimeContainer``, ``<nil>``."""
    t = typeof(value)
    return "<nil>" if t is None else t.name


def kind(value: Any) -> str:
    """Go's reflect kind name: ``int``, ``slice``, ``map``, ``struct``, ``ptr``; ``invalid`` for nil."""
    t = typeof(value)
    return "invalid" if t is None else t.kind


def is_nil(value: Any) -> bool:
    """Nil in Go's sense: untyped nil, nil pointer, nil slice or map (missing too)."""
    if value is None or value is MISSING or isinstance(value, NilPointer):
        return True
    if isinstance(value, (GoSlice, GoMap)):
        return value.nil
    return False


def truth(value: Any) -> bool:
    """Go template truth (§4.2): zero values, empty collections and nil are false; structs true."""
    t = type(value)
    if t is str or t is list or t is dict or t is bytes:
        return len(value) > 0
    if t is bool:
        return value
    if value is None or value is MISSING:
        return False
    if isinstance(value, (int, float, complex)):
        return value != 0
    if isinstance(value, (GoSlice, GoMap)):
        return len(value) > 0
    if isinstance(value, NilPointer):
        return False
    return True


def go_bytes(text: str) -> bytes:
    """The bytes of a Go string held as ``str``."""
    return text.encode("utf-8", "surrogateescape")


def from_go_bytes(data: bytes) -> str:
    """A Go string from its bytes (invalid UTF-8 survives as lone surrogates)."""
    return data.decode("utf-8", "surrogateescape")


def go_len(text: str) -> int:
    """``len(s)`` in Go: bytes, not characters."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogateescape"))
