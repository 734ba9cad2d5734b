"""Go's encoding/json where both engines write JSON: strings and numbers, written once.

The two encoders walk different values (the Go engine's typed slices, maps
and structs; the helpers' plain Python data), but a string and a float come
out the same way from both, as Go writes them.
"""

from __future__ import annotations

import math
import re
import struct as _struct
from json.encoder import encode_basestring  # C accelerated when available

_SURROGATE = re.compile("[\ud800-\udfff]")  # invalid UTF-8 read with surrogateescape


def quote(text: str, escape_html: bool = True) -> str:
    """A JSON string as Go writes it: U+2028/U+2029 always escaped, ``<>&`` unless HTML escaping
    is off, invalid UTF-8 (lone surrogates here) as ``\\ufffd``."""
    out = encode_basestring(text).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if escape_html:
        out = out.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    if _SURROGATE.search(out):
        out = _SURROGATE.sub("\\\\ufffd", out)
    return out


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


def format_float(value: float, style: str = "g") -> str:
    """``strconv.FormatFloat(value, style, -1, 64)`` for finite values (``g``/``f``/``e``)."""
    digits, point = _digits(value)
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if style == "g":
        # Shortest 'g' switches to an exponent below 1e-4 and from 1e6 up.
        exponent = point - 1
        style = "e" if exponent < -4 or exponent >= 6 else "f"
    return sign + (_fmt_e(digits, point) if style == "e" else _fmt_f(digits, point))


def special_name(value: float) -> str:
    """How Go names a float that JSON cannot hold."""
    if math.isnan(value):
        return "NaN"
    return "+Inf" if value > 0 else "-Inf"


class UnsupportedValue(ValueError):
    """NaN or an infinity: encoding/json refuses them (``json: unsupported value: NaN``)."""


def float32_shortest(value: float) -> float:
    """The float64 nearest the shortest decimal that reads back as the same float32."""
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if _struct.unpack("f", _struct.pack("f", float(text)))[0] == value:
            return float(text)
    return value  # pragma: no cover - 9 digits always suffice


def number(value: float, bits: int = 64) -> str:
    """A float as encoding/json writes it: plain digits, exponent form below 1e-6 or from 1e21 up."""
    if not math.isfinite(value):
        raise UnsupportedValue(f"json: unsupported value: {special_name(value)}")
    if bits == 32:
        value = float32_shortest(value)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float(value, "e")
        # Go writes e-7, not e-07.
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float(value, "f")
