"""text/template's own functions: ``and or not len index slice print printf println
html js urlquery call eq ne lt le gt ge`` (spec §4.8, §4.9, §6).

They take their arguments as they are (Go's ``reflect.Value`` parameters,
``VALUE`` here), so a missing value reaches them as :data:`MISSING`.
``and``/``or`` are lazy: the executor evaluates their arguments one by one.
"""

from __future__ import annotations

from typing import Any

from ..golang.unicode import is_print
from .errors import GoError
from .fmt import action_text, format_v, sprint, sprintf, sprintln
from .funcs import Function, define
from .values import (
    ANY, BOOL, INT, INT_CLASSES, STRING, VALUE, Addr, GoMap, GoSlice, MISSING, NilPointer, Pointer, Uint8, go_bytes, is_nil,
    from_go_bytes, struct_info, truth, typeof,
)

__all__ = ["BUILTINS"]

BUILTINS: dict[str, Function] = {}


def _passthrough(*args: Any) -> Any:  # and/or: the executor does the work
    raise AssertionError("and/or are evaluated by the executor")  # pragma: no cover


BUILTINS["and"] = Function("and", _passthrough, (VALUE,), VALUE, VALUE)
BUILTINS["or"] = Function("or", _passthrough, (VALUE,), VALUE, VALUE)


@define(BUILTINS, "not", (VALUE,), BOOL)
def not_(value: Any) -> bool:
    return not truth(value)


def _indirect(value: Any) -> tuple[Any, bool]:
    """Follow pointers; (value, is a nil pointer)."""
    if type(value) is Addr:
        value = value.value
    while isinstance(value, Pointer):
        value = value.target
    return value, isinstance(value, NilPointer)


@define(BUILTINS, "len", (VALUE,), INT)
def len_(item: Any) -> int:
    value, nil_pointer = _indirect(item)
    if value is MISSING or value is None:
        raise GoError("reflect: call of reflect.Value.Type on zero Value")
    if nil_pointer:
        raise GoError("len of nil pointer")
    if isinstance(value, str):
        return len(value) if value.isascii() else len(go_bytes(value))
    if isinstance(value, (list, dict, bytes)):
        return len(value)
    info = struct_info(value)
    if info is not None and info.pointer:
        raise GoError(f"len of type {info.name}")
    raise GoError(f"len of type {typeof(value)}")


def _index_value(index: Any, length: int, cap_: int) -> int:
    t = typeof(index)
    if t is None:
        raise GoError("cannot index slice/array with nil")
    if t.kind in ("int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
                  "uintptr"):
        x = int(index)
        if x < 0 or x > cap_:
            raise GoError(f"index out of range: {x}")
        return x
    raise GoError(f"cannot index slice/array with type {t}")


@define(BUILTINS, "index", (VALUE,), VALUE, variadic=VALUE)
def index(item: Any, *indexes: Any) -> Any:
    if item is MISSING or item is None:
        raise GoError("index of untyped nil")
    value = item  # with no index, the item itself (a pointer stays one)
    for raw in indexes:
        if type(raw) is Addr:
            raw = raw.value
        value, nil_pointer = _indirect(value)
        if value is MISSING or value is None or nil_pointer:  # a nil element or a missing entry
            raise GoError("index of nil pointer")
        if isinstance(value, str):
            data = go_bytes(value) if not value.isascii() else value
            x = _index_value(raw, len(data), len(data))
            if x == len(data):
                raise GoError("reflect: string index out of range")
            value = Uint8(data[x] if isinstance(data, bytes) else ord(data[x]))
        elif isinstance(value, (list, bytes)):
            x = _index_value(raw, len(value), len(value))
            if x == len(value):
                raise GoError("reflect: slice index out of range")
            value = Uint8(value[x]) if isinstance(value, bytes) else value[x]
        elif isinstance(value, dict):
            value = _map_index(value, raw)
        else:
            t = typeof(value)
            info = struct_info(value)
            name = info.name if info is not None else t
            raise GoError(f"can't index item of type {name}")
    return value


def _map_index(mapping: dict, key: Any) -> Any:
    map_type = mapping.type if isinstance(mapping, GoMap) else None
    key_type = map_type.key if map_type is not None else None
    elem_type = map_type.elem if map_type is not None else ANY
    kt = typeof(key)
    if key_type is None or key_type.kind == "string":
        if key is MISSING or key is None:
            raise GoError("value is nil; should be of type string")
        if kt is None or kt.kind != "string":
            raise GoError(f"value has type {kt}; should be string")
    elif key is MISSING or key is None:
        raise GoError(f"value is nil; should be of type {key_type}")
    if key in mapping:
        return mapping[key]
    return _zero(elem_type)


def _zero(t: Any) -> Any:
    """The zero value of a map's element type (what a missing key yields)."""
    if t is None or t.kind == "interface":
        return None
    kind = t.kind
    if kind == "string":
        return ""
    if kind == "bool":
        return False
    if kind in ("int", "int64", "int32", "int16", "int8", "uint", "uint8", "uint16", "uint32", "uint64"):
        return INT_CLASSES[kind](0)
    if kind in ("float64", "float32"):
        return 0.0
    if kind == "slice":
        return GoSlice(t, (), nil=True)
    if kind == "map":
        return GoMap(t, (), nil=True)
    if kind == "ptr":
        return NilPointer(t)
    if t.struct is not None:
        cls = t.struct.cls
        return cls()
    return None


@define(BUILTINS, "slice", (VALUE,), VALUE, variadic=VALUE)
def slice_(item: Any, *indexes: Any) -> Any:
    value, nil_pointer = _indirect(item)
    if value is MISSING or value is None:
        raise GoError("slice of untyped nil")
    if len(indexes) > 3:
        raise GoError(f"too many slice indexes: {len(indexes)}")
    if isinstance(value, str):
        if len(indexes) == 3:
            raise GoError("cannot 3-index slice a string")
        data = go_bytes(value)
    elif isinstance(value, (list, bytes)):
        data = value
    else:
        raise GoError(f"can't slice item of type {typeof(value)}")
    cap_ = len(data)
    idx = [0, len(data)]
    for i, raw in enumerate(indexes):
        idx_value = _index_value(raw, len(data), cap_)
        if i < 2:
            idx[i] = idx_value
    if len(indexes) > 1 and idx[0] > idx[1]:
        raise GoError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3:
        third = int(indexes[2])
        if idx[1] > third:
            raise GoError(f"invalid slice index: {idx[1]} > {third}")
    part = data[idx[0]:idx[1]]
    if isinstance(value, str):
        return from_go_bytes(bytes(part))
    if isinstance(value, GoSlice):
        return GoSlice(value.type, part)
    return part


@define(BUILTINS, "print", (), STRING, variadic=ANY)
def print_(*args: Any) -> str:
    return sprint(*args)


@define(BUILTINS, "println", (), STRING, variadic=ANY)
def println(*args: Any) -> str:
    return sprintln(*args)


@define(BUILTINS, "printf", (STRING,), STRING, variadic=ANY)
def printf(format: str, *args: Any) -> str:
    return sprintf(format, *args)


def _eval_args(args: tuple[Any, ...]) -> str:
    """The text the escapers work on: one string as it is, else what actions would print."""
    if len(args) == 1 and type(args[0]) is str:
        return args[0]
    texts = [action_text(MISSING if a is None else a) for a in args]
    # print's spacing: a space between operands that are not strings.
    out: list[str] = []
    prev_string = False
    for i, (arg, text) in enumerate(zip(args, texts)):
        is_string = isinstance(arg, str) or arg is None or arg is MISSING  # missing became "<no value>"
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(text)
        prev_string = is_string
    return "".join(out)


_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\0": "\ufffd"}


@define(BUILTINS, "html", (), STRING, variadic=ANY)
def html(*args: Any) -> str:
    text = _eval_args(args)
    if not any(c in text for c in "<>&'\"\0"):
        return text
    return "".join(_HTML.get(c, c) for c in text)


def _js_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "'":
        return "\\'"
    if ch == '"':
        return '\\"'
    if ch in "<>&=":
        return f"\\u{ord(ch):04X}"
    code = ord(ch)
    if code < 0x20:
        return f"\\u{code:04X}"
    if code < 0x80:
        return ch
    if "\udc80" <= ch <= "\udcff":  # an invalid UTF-8 byte: Go writes U+FFFD's escape? keep the byte
        return ch
    if is_print(ch):
        return ch
    return f"\\u{code:04X}"


@define(BUILTINS, "js", (), STRING, variadic=ANY)
def js(*args: Any) -> str:
    return "".join(_js_char(c) for c in _eval_args(args))


_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


@define(BUILTINS, "urlquery", (), STRING, variadic=ANY)
def urlquery(*args: Any) -> str:
    out = []
    for b in go_bytes(_eval_args(args)):
        if b in _SAFE:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


@define(BUILTINS, "call", (VALUE,), VALUE, variadic=VALUE)
def call(name: str | None, fn: Any, *args: Any) -> Any:
    """``name`` is the callee's node text; None when the pipe gave it (Go then names its value)."""
    if type(fn) is Addr:
        fn = fn.value
    if fn is MISSING or fn is None:
        raise GoError("call of nil")
    if name is None:  # reflect.Value.String: a string's text, else "<T Value>"
        name = fn if isinstance(fn, str) else f"<{typeof(fn)} Value>"
    if not callable(fn) or struct_info(fn) is not None or isinstance(fn, (Pointer, NilPointer)):
        raise GoError(f"non-function {name} of type {typeof(fn)}")
    want = _arity(fn)
    if want is not None and want != len(args):
        raise GoError(f"wrong number of args for {name}: got {len(args)} want {want}")
    return fn(*args)


def _arity(fn: Any) -> int | None:
    """How many arguments a Python function value takes (None: any number)."""
    import inspect

    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        return None
    return sum(1 for p in parameters if p.default is p.empty and p.kind != p.KEYWORD_ONLY)


# --- comparisons ------------------------------------------------------------------

_BASIC = {
    "bool": "bool", "int": "int", "int8": "int", "int16": "int", "int32": "int", "int64": "int",
    "uint": "uint", "uint8": "uint", "uint16": "uint", "uint32": "uint", "uint64": "uint", "uintptr": "uint",
    "float32": "float", "float64": "float", "complex64": "complex", "complex128": "complex", "string": "string",
}


def _unwrap(value: Any) -> Any:
    return value.value if type(value) is Addr else value


def _basic_kind(value: Any) -> str | None:
    t = typeof(value)
    if t is None:
        return "invalid" if value is MISSING or value is None else None
    if t.struct is not None and t.name == "time.Time":
        return None
    return _BASIC.get(t.kind)


def _type_name(value: Any) -> str:
    t = typeof(value)
    return "<nil>" if t is None else t.name


def _comparable(value: Any) -> bool:
    if isinstance(value, (list, dict, bytes)):
        return False
    if callable(value) and struct_info(value) is None:
        return False
    info = struct_info(value)
    if info is not None and not info.pointer:
        return all(_comparable(getattr(value, info.attribute(n))) for n, _ in info.fields)
    return True


def _equal_pair(a: Any, ka: str | None, b: Any) -> bool:
    kb = _basic_kind(b)
    if ka != kb:
        if ka == "int" and kb == "uint":
            return int(a) >= 0 and int(a) == int(b)
        if ka == "uint" and kb == "int":
            return int(b) >= 0 and int(a) == int(b)
        if a is not MISSING and b is not MISSING and ka != "invalid" and kb != "invalid":
            raise GoError(f"incompatible types for comparison: {_type_name(a)} and {_type_name(b)}")
        if (ka is None or kb is None) and not (ka == "invalid" or kb == "invalid"):
            raise GoError(f"incompatible types for comparison: {_type_name(a)} and {_type_name(b)}")
        if ka is None or kb is None:
            # One side missing/nil, the other not basic: nil comparison.
            return is_nil(a) and is_nil(b)
        return False
    if ka is not None and ka != "invalid":
        if ka == "bool":
            return bool(a) == bool(b)
        if ka in ("int", "uint"):
            return int(a) == int(b)
        if ka == "float":
            return float(a) == float(b)
        if ka == "complex":
            return complex(a) == complex(b)
        return a == b
    # Both "other" kinds (or both missing).
    ta, tb = typeof(a), typeof(b)
    untyped = a is None or a is MISSING or b is None or b is MISSING  # only an untyped nil meets any kind
    if not untyped and (ta is None or tb is None or ta.kind != tb.kind):
        raise GoError(f"non-comparable types {sprintf('%s', a)}: {ta}, {tb}: {format_v(b)}")
    if is_nil(a) or is_nil(b):
        return is_nil(a) == is_nil(b)
    if not _comparable(b):
        raise GoError(f"non-comparable type {sprintf('%s', b)}: {tb}")
    if ta is not tb:
        return False
    info = struct_info(a)
    if info is not None and info.pointer:
        return a is b
    if info is not None:
        return all(
            _equal_pair(getattr(a, info.attribute(n)), _basic_kind(getattr(a, info.attribute(n))),
                        getattr(b, info.attribute(n)))
            for n, _ in info.fields)
    if isinstance(a, Pointer):
        return a is b
    return a == b


@define(BUILTINS, "eq", (VALUE,), BOOL, variadic=VALUE)
def eq(first: Any, *others: Any) -> bool:
    first = _unwrap(first)
    if not others:
        raise GoError("missing argument for comparison")
    kind = _basic_kind(first)
    for other in others:
        if _equal_pair(first, kind, _unwrap(other)):
            return True
    return False


@define(BUILTINS, "ne", (VALUE, VALUE), BOOL)
def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


def _less(a: Any, b: Any) -> bool:
    a, b = _unwrap(a), _unwrap(b)
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka is None or ka == "invalid" or kb is None or kb == "invalid":
        raise GoError("invalid type for comparison")
    if ka != kb:
        if ka == "int" and kb == "uint":
            return int(a) < 0 or int(a) < int(b)
        if ka == "uint" and kb == "int":
            return int(b) >= 0 and int(a) < int(b)
        raise GoError(f"incompatible types for comparison: {_type_name(a)} and {_type_name(b)}")
    if ka in ("bool", "complex"):
        raise GoError("invalid type for comparison")
    if ka == "string":
        if a.isascii() and b.isascii():
            return a < b
        return go_bytes(a) < go_bytes(b)
    if ka == "float":
        return float(a) < float(b)
    return int(a) < int(b)


@define(BUILTINS, "lt", (VALUE, VALUE), BOOL)
def lt(a: Any, b: Any) -> bool:
    return _less(a, b)


@define(BUILTINS, "le", (VALUE, VALUE), BOOL)
def le(a: Any, b: Any) -> bool:
    return _less(a, b) or eq(a, b)


@define(BUILTINS, "gt", (VALUE, VALUE), BOOL)
def gt(a: Any, b: Any) -> bool:
    return not le(a, b)


@define(BUILTINS, "ge", (VALUE, VALUE), BOOL)
def ge(a: Any, b: Any) -> bool:
    return not _less(a, b)
