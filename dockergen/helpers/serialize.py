"""JSON helpers that print what docker-gen prints, and the plain-value view of the context.

JSON follows Go's ``encoding/json``: exact field names in declaration order,
sorted map keys, ``<``/``>``/``&`` escaped, Go's float formatting.
:func:`to_plain` (also used by :mod:`dockergen.helpers.yamlfmt`) turns context objects
into dicts and lists.  ``json`` is imported on first use to keep start-up cheap.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..errors import HelperError
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
    "go_float",
    "PlainRules",
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
    return _plain(value, yaml, map_key_order, rules)


def _plain(
    value: Any, yaml: bool, key_order: Callable[[Any], Any] | None = None, rules: PlainRules | None = None
) -> Any:
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
                result[yaml_key if yaml else json_key] = _plain(item, yaml, key_order, rules)
        return result
    if isinstance(value, Mapping):
        if yaml:
            try:
                converted = {
                    _plain(k, True, key_order, rules): _plain(v, True, key_order, rules) for k, v in value.items()
                }
            except TypeError:  # a tuple key became a list
                raise HelperError(f"yaml: unsupported map key in {describe(value)}") from None
            return {k: converted[k] for k in sorted(converted, key=key_order)}
        items = {_json_key(k): _plain(v, False, None, rules) for k, v in value.items()}
        return {k: items[k] for k in sorted(items)}
    if isinstance(value, (list, tuple)):
        return [_plain(item, yaml, key_order, rules) for item in value]
    if isinstance(value, (set, frozenset)):
        return [_plain(item, yaml, key_order, rules) for item in sorted(value, key=repr)]
    if is_missing(value):
        return None
    if rules is not None:
        return _plain(rules.resolve(value), yaml, key_order, rules)
    raise HelperError(f"cannot serialise a value of type {cls.__name__}: {describe(value)}")


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, int) and not isinstance(key, bool):
        return str(int(key))
    raise HelperError(f"json: unsupported map key {describe(key)}")


# --- Go float formatting ----------------------------------------------------


def _digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of abs(value) and the decimal point position."""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    if not stripped:
        return "0", 1
    point -= len(digits) - len(stripped)
    return stripped.rstrip("0"), point


def _fmt_f(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def _fmt_e(digits: str, point: int) -> str:
    exponent = point - 1
    head = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{head}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def go_float(value: float, style: str = "g") -> str:
    """``strconv.FormatFloat(value, style, -1, 64)`` for finite values (``g``/``f``/``e``)."""
    digits, point = _digits(value)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if style == "g":
        # Shortest 'g' switches to an exponent below 1e-4 and from 1e6 up.
        exponent = point - 1
        style = "e" if exponent < -4 or exponent >= 6 else "f"
    return sign + (_fmt_e(digits, point) if style == "e" else _fmt_f(digits, point))


def _json_float(value: float) -> str:
    if not math.isfinite(value):
        raise HelperError(f"json: unsupported value: {go_float_special(value)}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = go_float(value, "e")
        # Go writes e-7, not e-07.
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return go_float(value, "f")


def go_float_special(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "+Inf" if value > 0 else "-Inf"


# --- JSON -------------------------------------------------------------------

_HTML_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"))


def _encode_json(value: Any, indent: str | None, escape_html: bool) -> str:
    from json.encoder import encode_basestring  # C accelerated when available

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
            append(encode_basestring(item))
        elif type(item) is int:
            append(str(item))
        elif type(item) is float:
            append(_json_float(item))
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
                append(encode_basestring(key))
                append(colon)
                encode(element, depth + 1)
            if indent is not None:
                append("\n" + indent * depth)
            append("}")
        else:  # pragma: no cover - _plain only produces the types above
            raise HelperError(f"json: unsupported type {type(item).__name__}")

    encode(to_plain(value), 0)
    text = "".join(out)
    # Go escapes U+2028/U+2029 always, and <, >, & unless HTML escaping is off.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html:
        for char, escaped in _HTML_ESCAPES:
            text = text.replace(char, escaped)
    return text


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
    """Decode JSON text; invalid JSON fails the render (Sprig's ``mustFromJson``)."""
    import json as _json

    try:
        return _json.loads(_text("parseJson", text), parse_constant=_reject_constant)
    except ValueError as exc:
        raise HelperError(f"parseJson: invalid JSON: {exc}") from None


def fromJson(text: Any) -> Any:  # noqa: N802
    """Decode JSON text; ``None`` when it is invalid (Sprig's ``fromJson``)."""
    if is_missing(text):
        return None
    try:
        return parseJson(text)
    except HelperError:
        return None
