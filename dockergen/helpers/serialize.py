"""JSON helpers that print what docker-gen prints, and the plain-value view of the context.

JSON follows Go's ``encoding/json``: exact field names in declaration order,
sorted map keys, ``<``/``>``/``&`` escaped, Go's float formatting.
:func:`to_plain` (also used by :mod:`dockergen.helpers.yamlfmt`) turns context objects
into dicts and lists.  ``json`` is imported on first use to keep start-up cheap.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..errors import HelperError
from ..golang import json as go_json
from ..limits import MAX_NESTING, LimitError, deeper, too_deep
from .fieldpath import describe, is_missing

__all__ = [
    "to_plain",
    "json",
    "toJson",
    "toPrettyJson",
    "toRawJson",
    "parseJson",
    "fromJson",
    "rfc3339",
    "PlainRules",
    "nesting",
]


# --- plain values -----------------------------------------------------------


def rfc3339(value: datetime) -> str:
    """Go's ``time.RFC3339Nano``: trailing fraction zeros cut, ``Z`` for UTC."""
    year = value.year + 400 * getattr(value, "cycles", 0)  # a GoTime may lie beyond datetime's years
    text = (
        f"{'-' if year < 0 else ''}{abs(year):04d}-{value.month:02d}-{value.day:02d}"
        f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    nanos = getattr(value, "nanosecond", value.microsecond * 1000)  # GoTime keeps Docker's nine digits
    if nanos:
        text += f".{nanos:09d}".rstrip("0")
    offset = value.utcoffset()
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


_LIST, _MAP = "list", "map"
# dataclass type -> [(attribute, json key, yaml key, empty kind when None)]
_STRUCTS: dict[type, list[tuple[str, str, str, str | None]]] = {}


def _struct_info(cls: type) -> list[tuple[str, str, str, str | None]]:
    info = _STRUCTS.get(cls)
    if info is None:
        from dataclasses import fields

        info = []
        for field in fields(cls):
            annotation = field.type if isinstance(field.type, str) else str(field.type)
            annotation = annotation.replace(" ", "").replace("typing.", "").removeprefix("Optional[")
            empty = None
            if annotation.startswith(("list[", "List[", "tuple[", "Tuple[", "Sequence[")):
                empty = _LIST
            elif annotation.startswith(("dict[", "Dict[", "Mapping[")):
                empty = _MAP
            info.append((field.name, field.name, field.name.lower(), empty))
        _STRUCTS[cls] = info
    return info


class PlainRules:
    """Another engine's view of its values (the Go engine's): which fields a struct
    shows, and what a value this module does not know (a Go pointer) stands for."""

    def fields(self, value: Any) -> Any:  # pragma: no cover - abstract
        """The attributes of a dataclass instance to show (supports ``in``); ``None`` for all."""
        raise NotImplementedError

    def resolve(self, value: Any) -> Any:  # pragma: no cover - abstract
        """A plainer stand-in for ``value``; raise :class:`HelperError` if there is none."""
        raise NotImplementedError

    def text(self, value: Any) -> str | None:
        """The text a value marshals itself to (Go's ``encoding.TextMarshaler``), if it does."""
        return None


def to_plain(
    value: Any,
    *,
    yaml: bool = False,
    map_key_order: Callable[[Any], Any] | None = None,
    rules: PlainRules | None = None,
) -> Any:
    """Convert a context value into plain ``dict``/``list``/scalars, ready to encode.

    Dataclasses become dicts in field declaration order (JSON: exact field
    names; YAML: lower-cased names, ``None`` lists/maps as ``[]``/``{}``).
    Other mappings get sorted keys (YAML: by ``map_key_order``, yaml.v3's
    order).  Times become RFC 3339 strings for JSON and stay ``datetime`` for
    the YAML emitter.  Missing values (``None``, Jinja2 undefined) become ``None``.
    """
    return _plain(value, yaml, map_key_order, rules, 0)


def _plain(
    value: Any, yaml: bool, key_order: Callable[[Any], Any] | None, rules: PlainRules | None, depth: int
) -> Any:
    """``to_plain`` of ``value``, found inside ``depth`` structs, maps and lists."""
    cls = type(value)
    if value is None or cls is str or cls is int or cls is bool or cls is float:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        text = None if rules is None or not yaml else rules.text(value)  # yaml.v3 spells out a Duration
        return int(value) if text is None else text
    if isinstance(value, float):
        return float(value)
    if isinstance(value, datetime):
        return value if yaml else rfc3339(value)
    if hasattr(cls, "__dataclass_fields__") and not isinstance(value, type):
        inner = deeper("serialize", depth)
        text = None if rules is None else rules.text(value)
        if text is not None:
            return text
        result: dict[Any, Any] = {}
        shown = None if rules is None else rules.fields(value)
        for attr, json_key, yaml_key, empty in _struct_info(cls):
            if shown is not None and attr not in shown:
                continue
            item = getattr(value, attr)
            if yaml and item is None and empty is not None:
                result[yaml_key] = [] if empty is _LIST else {}
            else:
                result[yaml_key if yaml else json_key] = _plain(item, yaml, key_order, rules, inner)
        return result
    if isinstance(value, Mapping):
        inner = deeper("serialize", depth)
        if yaml:
            try:
                converted = {
                    _plain(k, True, key_order, rules, inner): _plain(v, True, key_order, rules, inner)
                    for k, v in value.items()
                }
            except TypeError:  # a tuple key became a list
                raise HelperError(f"yaml: unsupported map key in {describe(value)}") from None
            return {k: converted[k] for k in sorted(converted, key=key_order)}
        items = {_json_key(k): _plain(v, False, None, rules, inner) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}
    if isinstance(value, (list, tuple)):
        inner = deeper("serialize", depth)
        return [_plain(item, yaml, key_order, rules, inner) for item in value]
    if isinstance(value, (set, frozenset)):
        inner = deeper("serialize", depth)
        return [_plain(item, yaml, key_order, rules, inner) for item in sorted(value, key=repr)]
    if is_missing(value):
        return None
    if rules is not None:
        return _plain(rules.resolve(value), yaml, key_order, rules, depth)
    raise HelperError(f"cannot serialise a value of type {cls.__name__}: {describe(value)}")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(int(key))
    raise HelperError(f"json: unsupported map key {describe(key)}")


# --- JSON -------------------------------------------------------------------

def _encode_json(value: Any, indent: str | None, escape_html: bool) -> str:
    out: list[str] = []
    append = out.append
    colon = ":" if indent is None else ": "

    def encode(item: Any, depth: int) -> None:
        if item is None:
            append("null")
        elif item is True:
            append("true")
        elif item is False:
            append("false")
        elif type(item) is str:
            append(go_json.quote(item, escape_html))
        elif type(item) is int:
            append(str(item))
        elif type(item) is float:
            try:
                append(go_json.number(item))
            except go_json.UnsupportedValue as exc:
                raise HelperError(str(exc)) from None
        elif type(item) is list:
            if not item:
                append("[]")
                return
            append("[")
            inner = None if indent is None else "\n" + indent * (depth + 1)
            for i, element in enumerate(item):
                if i:
                    append(",")
                if inner is not None:
                    append(inner)
                encode(element, depth + 1)
            if indent is not None:
                append("\n" + indent * depth)
            append("]")
        elif type(item) is dict:
            if not item:
                append("{}")
                return
            append("{")
            inner = None if indent is None else "\n" + indent * (depth + 1)
            for i, (key, element) in enumerate(item.items()):
                if i:
                    append(",")
                if inner is not None:
                    append(inner)
                append(go_json.quote(key, escape_html))
                append(colon)
                encode(element, depth + 1)
            if indent is not None:
                append("\n" + indent * depth)
            append("}")
        else:  # pragma: no cover - _plain only produces the types above
            raise HelperError(f"json: unsupported type {type(item).__name__}")

    encode(to_plain(value), 0)
    return "".join(out)


def json(value: Any) -> str:
    """Compact JSON as Go prints it (``<``, ``>``, ``&`` escaped); errors fail the render."""
    return _encode_json(value, None, True)


def toJson(value: Any) -> str:  # noqa: N802 - Sprig's name
    """Same as :func:`json` (Sprig returns ``""`` on error; failing loudly is kinder)."""
    return _encode_json(value, None, True)


def toPrettyJson(value: Any) -> str:  # noqa: N802
    """JSON indented by two spaces, HTML characters escaped like :func:`json`."""
    return _encode_json(value, "  ", True)


def toRawJson(value: Any) -> str:  # noqa: N802
    """Compact JSON without HTML escaping (for values that must stay readable)."""
    return _encode_json(value, None, False)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON value {name}")


def _text(fn: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    raise HelperError(f"'{fn}' needs a string; received {describe(value)}")


def parseJson(text: Any) -> Any:  # noqa: N802
    """Decode JSON text; invalid JSON fails the render (Sprig's ``mustFromJson``).

    A document nested deeper than dockergen's limit is refused, so that what
    comes out can always be walked (encoded, printed, compared) again.
    """
    import json as _json

    try:
        value = _json.loads(_text("parseJson", text), parse_constant=_reject_constant)
    except ValueError as exc:
        raise HelperError(f"parseJson: invalid JSON: {exc}") from None
    except RecursionError:  # deeper than Python's decoder goes, far past the limit anyway
        raise too_deep("parseJson") from None
    if nesting(value) > MAX_NESTING:
        raise too_deep("parseJson")
    return value


def nesting(value: Any) -> int:
    """How many dicts and lists are nested in decoded data (0 for a scalar), without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def fromJson(text: Any) -> Any:  # noqa: N802
    """Decode JSON text; ``None`` when it is invalid (Sprig's ``fromJson``)."""
    if is_missing(text):
        return None
    try:
        return parseJson(text)
    except LimitError:
        raise  # a bound is a render error, never an invalid document
    except HelperError:
        return None
