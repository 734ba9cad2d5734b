"""Go's fmt package for our value model: ``%v``, ``Sprint``, ``Sprintf``, ``strconv.Quote``.

Templates print through fmt (actions, ``print``, ``printf``, Sprig's ``toString``),
so the output must match Go byte for byte: ``map[a:1]`` with sorted keys,
``{a b}`` for structs, ``1e+06`` for floats, ``%!d(string=x)`` for a verb that
does not fit.  Values are the Python values of :mod:`.values`.

One :class:`_Printer` formats one call; it keeps the current verb's flags the
way Go's printer does, because flags such as width apply to every leaf of a
composite value (``%3v`` of ``[1 2]`` pads each number).
"""

from __future__ import annotations

import math
import struct
from datetime import datetime, timezone
from typing import Any

from ..golang.unicode import is_print
from ..limits import check_text, deeper
from .values import (
    ANY, BYTES, DICT, LIST, MISSING, STRING, UINT8, UINT_KINDS, Duration, Float32, GoMap, GoSlice, GoType,
    Int8, Int16, Int32, Int64, Method, NilPointer, Pointer, Uint, Uint8, Uint16, Uint32, Uint64, go_bytes,
    methods_of, struct_info, type_name, typeof,
)

__all__ = [
    "format_v", "format_indirect", "sprint", "sprintln", "sprintf", "go_quote", "go_quote_rune", "format_float",
    "action_text", "duration_string", "can_backquote",
]

_SIGNED_TYPES = (int, Int8, Int16, Int32, Int64, Duration)
# Types without methods: fmt never looks for a String method on them (named types such as
# time.Month are int subclasses registered with methods, so they are not in this set).
_PLAIN_TYPES = frozenset((bool, int, float, complex, str, bytes, list, dict, Int8, Int16, Int32, Int64,
                          Float32, Uint, Uint8, Uint16, Uint32, Uint64))
_UNSIGNED_TYPES = (Uint, Uint8, Uint16, Uint32, Uint64)
_UINT64_MASK = 0xFFFFFFFFFFFFFFFF
_MAX_RUNE = 0x10FFFF
_TOO_LARGE = 1_000_000  # Go rejects widths and precisions beyond this


# --- public API ----------------------------------------------------------------


def format_v(value: Any) -> str:
    """``fmt.Sprint(value)``: the ``%v`` text of one operand (missing prints ``<nil>``)."""
    t = type(value)
    if t is str:  # the common cases, without a printer
        return value
    if t is int:
        return str(value)
    if t is bool:
        return "true" if value else "false"
    p = _Printer()
    p.print_arg(value, "v")
    return p.text()


def format_indirect(value: Any) -> str:
    """``%v`` of what a pointer points to (Go's ``indirect``): a container prints without ``&``."""
    info = struct_info(value)
    if info is None or not info.pointer:
        return format_v(value)
    p = _Printer()
    p.print_value(value, "v", 0, None, as_value=True)
    return p.text()


def sprint(*args: Any) -> str:
    """``fmt.Sprint``: a space between two operands only when neither is a string."""
    p = _Printer()
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            p.write(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return p.text()


def sprintln(*args: Any) -> str:
    """``fmt.Sprintln``: operands always separated by one space, then a newline."""
    p = _Printer()
    for i, arg in enumerate(args):
        if i > 0:
            p.write(" ")
        p.print_arg(arg, "v")
    p.write("\n")
    return p.text()


def sprintf(format: str, *args: Any) -> str:
    """``fmt.Sprintf``, with Go's in-band error texts (``%!d(string=x)``, ``%!(EXTRA ...)``)."""
    p = _Printer()
    p.do_printf(format, args)
    return p.text()


def go_quote(s: str, ascii_only: bool = False) -> str:
    """``strconv.Quote`` (``%q`` of a string); ``ascii_only`` is ``QuoteToASCII`` (``%+q``)."""
    out = ['"']
    for ch in s:
        _escape_char(out, ch, '"', ascii_only)
    out.append('"')
    return "".join(out)


def go_quote_rune(code: int, ascii_only: bool = False) -> str:
    """``strconv.QuoteRune`` (``%q`` of an integer): ``'A'``; invalid code points become U+FFFD."""
    if code < 0 or code > _MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    out = ["'"]
    _escape_char(out, chr(code), "'", ascii_only)
    out.append("'")
    return "".join(out)


def can_backquote(s: str) -> bool:
    """``strconv.CanBackquote``: may ``%#q`` use a raw string?"""
    for ch in s:
        o = ord(ch)
        if 0xD800 <= o <= 0xDFFF or ch == "\ufeff" or ch == "`" or o == 0x7F or (o < 0x20 and ch != "\t"):
            return False
    return True


def format_float(f: float, verb: str = "v", prec: int = -1, bits: int = 64) -> str:
    """``strconv.FormatFloat(f, verb, prec, bits)``; ``'v'`` is fmt's ``%v`` (shortest ``'g'``)."""
    if verb == "v":
        verb, prec = "g", -1
    return _float_text(float(f), verb, prec, bits)


def duration_string(ns: int) -> str:
    """``time.Duration.String``: ``1h2m3s``, ``1.5s``, ``500ms``, ``0s``."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < 1_000_000_000:
        for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
            if u < size * 1000:
                return sign + _decimal_fraction(u, size) + unit
    seconds_text = _decimal_fraction(u % 60_000_000_000, 1_000_000_000) + "s"
    minutes_total = u // 60_000_000_000
    if minutes_total == 0:
        return sign + seconds_text
    hours, minutes = divmod(minutes_total, 60)
    if hours == 0:
        return f"{sign}{minutes}m{seconds_text}"
    return f"{sign}{hours}h{minutes}m{seconds_text}"


def action_text(value: Any, addressable: bool = False) -> str:
    """What ``{{ value }}`` writes (§5.1): pointers are followed, missing is ``<no value>``.

    A struct whose ``String`` needs a pointer receiver uses it only when the
    value is addressable (reached through a pointer), as Go's ``printableValue``.
    """
    if type(value) is str:
        return value
    while isinstance(value, Pointer):
        value = value.target
        addressable = True
    if value is MISSING or value is None:
        return "<no value>"
    if isinstance(value, NilPointer):
        return "<nil>"
    info = struct_info(value)
    if info is None:
        return format_v(value)
    if info.pointer:
        addressable = True  # the instance stands for *T: its pointee is addressable
    p = _Printer()
    p.print_value(value, "v", 0, None, as_value=True, addressable=addressable)
    return p.text()


# --- quoting -------------------------------------------------------------------

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


_is_print = is_print  # Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols, U+0020


def _escape_char(out: list[str], ch: str, quote: str, ascii_only: bool) -> None:
    o = ord(ch)
    if 0xDC80 <= o <= 0xDCFF:  # an invalid UTF-8 byte kept by surrogateescape
        out.append(f"\\x{o - 0xDC00:02x}")
        return
    if ch == quote or ch == "\\":
        out.append("\\" + ch)
        return
    if o < 0x80:
        if 0x20 <= o < 0x7F:
            out.append(ch)
            return
    elif not ascii_only and _is_print(ch):
        out.append(ch)
        return
    if ch in _ESCAPES:
        out.append(_ESCAPES[ch])
    elif o < 0x20 or o == 0x7F:
        out.append(f"\\x{o:02x}")
    elif 0xD800 <= o <= 0xDFFF:
        out.append("\\ufffd")
    elif o < 0x10000:
        out.append(f"\\u{o:04x}")
    else:
        out.append(f"\\U{o:08x}")


# --- floats --------------------------------------------------------------------


def _shortest_digits(f: float, bits: int) -> tuple[str, int]:
    """Shortest round-trip decimal digits of ``abs(f)`` and the decimal point position.

    ``0.d1d2... x 10**dp``; zero gives ``("0", 1)``.
    """
    f = abs(f)
    if f == 0:
        return "0", 1
    if bits == 32:
        target = struct.unpack("f", struct.pack("f", f))[0]
        for p in range(9):
            text = f"{f:.{p}e}"
            if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
                break
    else:
        text = repr(f)
    if "e" in text:
        mantissa, exp_text = text.split("e")
        exp = int(exp_text)
    else:
        mantissa, exp = text, 0
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    digits = all_digits.lstrip("0")
    leading_zeros = len(all_digits) - len(digits)
    dp = len(int_part) + exp - leading_zeros
    digits = digits.rstrip("0") or "0"
    return digits, dp


def _rounded_digits(f: float, ndigits: int) -> tuple[str, int]:
    """``abs(f)`` correctly rounded (half to even on the exact value) to ``ndigits`` significant digits."""
    text = f"{abs(f):.{ndigits - 1}e}"
    mantissa, exp_text = text.split("e")
    digits = mantissa.replace(".", "").rstrip("0")
    if not digits:
        return "0", 1
    return digits, int(exp_text) + 1


def _exp_form(digits: str, dp: int, frac: int, e_char: str) -> str:
    """``d.ddde±XX`` with exactly ``frac`` digits after the point (zeros appended)."""
    body = digits[0]
    if frac > 0:
        rest = digits[1 : 1 + frac]
        body += "." + rest + "0" * (frac - len(rest))
    exp = 0 if digits == "0" else dp - 1
    return f"{body}{e_char}{'-' if exp < 0 else '+'}{abs(exp):02d}"


def _fixed_form(digits: str, dp: int, frac: int) -> str:
    """Plain decimal with ``frac`` digits after the point; the digits need no rounding here."""
    if dp > 0:
        int_part = digits[:dp] + "0" * max(0, dp - len(digits))
    else:
        int_part = "0"
    if frac <= 0:
        return int_part
    fraction = []
    for i in range(frac):
        pos = dp + i
        fraction.append(digits[pos] if 0 <= pos < len(digits) else "0")
    return int_part + "." + "".join(fraction)


def _hex_float(f: float, prec: int, upper: bool) -> str:
    """``%x`` of a float: ``0x1.8p+01``; ``prec`` hex digits after the point (-1: as few as needed)."""
    a = abs(f)
    if a == 0:
        mant, exp = 0, 0
    else:
        m, e = math.frexp(a)
        mant, exp = int(m * (1 << 53)), e - 1  # a == mant / 2**52 * 2**exp, 2**52 <= mant < 2**53
    if 0 <= prec < 13 and mant:
        shift = 52 - 4 * prec
        q, r = mant >> shift, mant & ((1 << shift) - 1)
        half = 1 << (shift - 1)
        if r > half or (r == half and q & 1):
            q += 1
        mant = q << shift
        if mant >= 1 << 53:
            mant >>= 1
            exp += 1
    lead = "1" if mant else "0"
    frac_digits = f"{mant & ((1 << 52) - 1):013x}"
    if prec < 0:
        frac_digits = frac_digits.rstrip("0")
    else:
        frac_digits = (frac_digits + "0" * max(0, prec - 13))[:prec]
    text = "0x" + lead + ("." + frac_digits if frac_digits else "") + "p" + ("+" if exp >= 0 else "-") + f"{abs(exp):02d}"
    return text.upper() if upper else text


def _binary_float(f: float, bits: int) -> str:
    """``%b`` of a float: decimal mantissa and binary exponent, ``4503599627370496p-52``."""
    if bits == 32:
        raw = struct.unpack(">I", struct.pack(">f", f))[0]
        mant_bits, exp_bits, bias = 23, (raw >> 23) & 0xFF, 127
        sign = raw >> 31
    else:
        raw = struct.unpack(">Q", struct.pack(">d", f))[0]
        mant_bits, exp_bits, bias = 52, (raw >> 52) & 0x7FF, 1023
        sign = raw >> 63
    mant = raw & ((1 << mant_bits) - 1)
    if exp_bits == 0:
        exp_bits = 1
    else:
        mant |= 1 << mant_bits
    exp = exp_bits - bias - mant_bits
    return f"{'-' if sign else ''}{mant}p{'+' if exp >= 0 else ''}{exp}"


def _float_text(f: float, verb: str, prec: int, bits: int = 64) -> str:
    """``strconv.FormatFloat``: the sign only when negative; ``+Inf``, ``-Inf``, ``NaN``."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = math.copysign(1.0, f) < 0
    sign = "-" if neg else ""
    if verb == "b":
        return _binary_float(f, bits)
    if verb in "xX":
        return sign + _hex_float(f, prec, verb == "X")
    lower = verb.lower()
    e_char = "E" if verb in "EG" else "e"
    if prec < 0:
        digits, dp = _shortest_digits(f, bits)
        nd = len(digits) if digits != "0" else 1
        if lower == "e":
            return sign + _exp_form(digits, dp, nd - 1, e_char)
        if lower == "f":
            return sign + _fixed_form(digits, dp, max(nd - dp, 0))
        exp = dp - 1 if digits != "0" else 0
        if exp < -4 or exp >= 6:
            return sign + _exp_form(digits, dp, nd - 1, e_char)
        return sign + _fixed_form(digits, dp, max(nd - dp, 0))
    if lower == "e":
        return sign + f"{abs(f):.{prec}{verb}}"
    if lower == "f":
        return sign + f"{abs(f):.{prec}f}"
    # %g with an explicit precision: significant digits, exponent form decided like Go.
    if prec == 0:
        prec = 1
    digits, dp = _rounded_digits(f, prec)
    if digits == "0":
        return sign + "0"
    nd = len(digits)
    eprec = prec
    if eprec > nd and nd >= dp:
        eprec = nd
    exp = dp - 1
    if exp < -4 or exp >= eprec:
        return sign + _exp_form(digits, dp, min(prec, nd) - 1, e_char)
    shown = nd if prec > dp else prec
    return sign + _fixed_form(digits, dp, max(shown - dp, 0))


def _sharp_float(body: str, verb: str, prec: int) -> str:
    """The ``#`` flag: always a decimal point; ``%#g`` keeps trailing zeros up to the precision."""
    digits = 0
    if verb in "vgGx":
        digits = 6 if prec == -1 else prec
    tail = ""
    cut = -1
    for i, c in enumerate(body):
        if c in "pP" or (c in "eE" and verb not in "xX"):
            cut = i
            break
    if cut >= 0:
        body, tail = body[:cut], body[cut:]
    has_point = "." in body
    seen_nonzero = False
    for c in body:
        if c == ".":
            continue
        if c != "0":
            seen_nonzero = True
        if seen_nonzero:
            digits -= 1
    if not has_point:
        if body == "0":
            digits -= 1
        body += "."
    if digits > 0:
        body += "0" * digits
    return body + tail


# --- time values -----------------------------------------------------------------


def _decimal_fraction(value: int, unit: int) -> str:
    """``value / unit`` in decimal without trailing zeros (``1500, 1000`` -> ``1.5``)."""
    whole, rest = divmod(value, unit)
    if not rest:
        return str(whole)
    width = len(str(unit)) - 1
    return f"{whole}.{rest:0{width}d}".rstrip("0")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _time_gostring(t: datetime) -> str:
    """``time.Time.GoString`` (``%#v``), best effort for the zones we produce."""
    from .sprig.dates import is_local

    ns = getattr(t, "nanosecond", t.microsecond * 1000)
    name = t.tzname() or ""
    if is_local(t.tzinfo):
        loc = "time.Local"
    elif t.tzinfo is None or name in ("UTC", "UTC+00:00"):
        loc = "time.UTC"
    else:
        loc = 'time.Location("")' if name.startswith("UTC") else f"time.Location({go_quote(name)})"
    year = t.year + 400 * getattr(t, "cycles", 0)
    return (f"time.Date({year}, time.{_MONTHS[t.month - 1]}, {t.day}, {t.hour}, {t.minute}, "
            f"{t.second}, {ns}, {loc})")


_UNIX_TO_INTERNAL = 62135596800  # seconds from 0001-01-01 to 1970-01-01
_WALL_TO_INTERNAL = 59453308800  # seconds from 0001-01-01 to 1885-01-01
_LOCATION_POINTER = GoType("ptr", "*time.Location")


def _time_fields(t: datetime) -> tuple[int, int, Any]:
    """Go's ``time.Time{wall, ext, loc}``: ``loc`` is None for UTC (Go's nil), else the zone."""
    from .sprig.dates import time_to_ns

    ns = time_to_ns(t)
    seconds, nanos = divmod(ns, 1_000_000_000)
    seconds += _UNIX_TO_INTERNAL
    mono = getattr(t, "mono_ns", None)
    if mono is not None:  # time.Now(): wall seconds since 1885 and the monotonic reading
        wall, ext = (1 << 63) | ((seconds - _WALL_TO_INTERNAL) << 30) | nanos, mono
    else:
        wall, ext = nanos, seconds
    zone = t.tzinfo
    return wall, ext, None if zone is None or zone is timezone.utc else zone


# --- the printer -------------------------------------------------------------------


class _Flags:
    __slots__ = ("wid", "prec", "wid_present", "prec_present", "minus", "plus", "sharp", "space", "zero",
                 "plus_v", "sharp_v")

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = False
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False


def _is_composite(value: Any) -> bool:
    """Kinds a top-level pointer prints as ``&`` + value: struct, slice, array, map."""
    return isinstance(value, (list, dict, bytes)) or struct_info(value) is not None


_NIL = object()  # the target of a nil pointer, for fmt_pointer


def _address(obj: Any) -> int:
    """A stable fake heap address that looks like Go's (``0xc000123456``)."""
    return 0xC000000000 | (id(obj) & 0xFFFFFFFFF)


def _elem_type(value: Any) -> GoType:
    if isinstance(value, (GoSlice, GoMap)):
        return value.type.elem or ANY
    if isinstance(value, bytes):
        return UINT8
    return ANY


def _text_method(value: Any, as_value: bool, addressable: bool) -> tuple[Method, Any] | None:
    """The ``Error`` or ``String`` method fmt would use for ``value`` and its receiver (Error wins)."""
    info = struct_info(value)
    if info is not None:
        pointer = (info.pointer and not as_value) or addressable
        for name in ("Error", "String"):
            m = info.methods.get(name)
            if m is not None and not m.params and m.variadic is None and (pointer or not m.pointer_receiver):
                return m, value
        return None
    if isinstance(value, Pointer):
        target_info = struct_info(value.target)
        target_methods = target_info.methods if target_info is not None else methods_of(typeof(value.target))
        for name in ("Error", "String"):
            m = methods_of(value.type).get(name)
            receiver = value
            if m is None:
                m, receiver = target_methods.get(name), value.target
            if m is not None and not m.params and m.variadic is None:
                return m, receiver
        return None
    if isinstance(value, (GoSlice, GoMap)):
        for name in ("Error", "String"):
            m = methods_of(value.type).get(name)
            if m is not None and not m.params and not m.pointer_receiver:
                return m, value
        return None
    methods = methods_of(typeof(value))  # named basic types: time.Month, time.Weekday, ...
    if methods:
        for name in ("Error", "String"):
            m = methods.get(name)
            if m is not None and not m.params and not m.pointer_receiver:
                return m, value
    return None


def _nil_pointer_has_text_method(value: NilPointer) -> bool:
    elem = value.type.elem
    table = elem.struct.methods if elem is not None and elem.struct is not None else methods_of(value.type)
    return "String" in table or "Error" in table


def _sort_key(key: Any) -> Any:
    if isinstance(key, bool):
        return (0, int(key))
    if isinstance(key, (int, float)):
        if isinstance(key, float) and math.isnan(key):
            return (1, 0, -math.inf)
        return (1, 1, key)
    if isinstance(key, str):
        return (2, key.encode("utf-8", "surrogateescape") if not key.isascii() else key.encode())
    return (3, type_name(key), str(key))


def _sorted_items(mapping: dict) -> list[tuple[Any, Any]]:
    """Map entries in Go's print order (§5.4); mixed key types sort by type first."""
    items = list(mapping.items())
    try:
        return sorted(items, key=lambda kv: _sort_key(kv[0]))
    except TypeError:
        return sorted(items, key=lambda kv: (type_name(kv[0]), str(kv[0])))


class _Printer:
    """Formats one fmt call; mirrors Go's per-verb state (flags, erroring)."""

    __slots__ = ("buf", "f", "erroring", "reordered", "good_argnum", "widened")

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.f = _Flags()
        self.erroring = False
        self.reordered = False
        self.good_argnum = True
        self.widened = 0  # characters that widths and precisions may add to composites' leaves

    def enter(self, depth: int, leaves: int) -> None:
        """Checks before printing a composite's ``leaves`` elements at ``depth``.

        Go has no bound on either, but a width or precision (up to a million) applies
        to every leaf: ``%1000000v`` of a long list from a container value would be
        gigabytes.  A value nested past dockergen's limit (``set $d "x" $d``) fails too.
        """
        deeper("fmt", depth)
        f = self.f
        widest = max(f.wid if f.wid_present else 0, f.prec if f.prec_present else 0)
        if widest > 1:
            self.widened += leaves * widest
            check_text("fmt", self.widened)

    def text(self) -> str:
        return "".join(self.buf)

    def write(self, s: str) -> None:
        self.buf.append(s)

    # padding ---------------------------------------------------------------

    def pad(self, s: str, zero_ok: bool = True) -> None:
        """Write ``s`` padded to the width (runes, as Go counts them)."""
        f = self.f
        if not f.wid_present or f.wid == 0:
            self.buf.append(s)
            return
        n = f.wid - len(s)
        if n <= 0:
            self.buf.append(s)
        elif f.minus:
            self.buf.append(s + " " * n)
        else:
            self.buf.append(("0" if f.zero and zero_ok else " ") * n + s)

    # leaves ----------------------------------------------------------------

    def fmt_bool(self, v: bool, verb: str, value: Any, tname: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, value, tname)

    def fmt_integer(self, v: int, signed: bool, verb: str, value: Any, tname: str) -> None:
        f = self.f
        if not signed:
            v &= _UINT64_MASK
        if verb == "v":
            if f.sharp_v and not signed:
                self.fmt_0x64(v, True)
            else:
                self.integer(v, 10, verb, False)
        elif verb == "d":
            self.integer(v, 10, verb, False)
        elif verb == "b":
            self.integer(v, 2, verb, False)
        elif verb in "oO":
            self.integer(v, 8, verb, False)
        elif verb == "x":
            self.integer(v, 16, verb, False)
        elif verb == "X":
            self.integer(v, 16, verb, True)
        elif verb == "c":
            u = v & _UINT64_MASK
            self.pad(chr(u) if u <= _MAX_RUNE and not 0xD800 <= u <= 0xDFFF else "\ufffd")
        elif verb == "q":
            u = v & _UINT64_MASK
            self.pad(go_quote_rune(u if u <= _MAX_RUNE else 0xFFFD, ascii_only=f.plus))
        elif verb == "U":
            self.unicode(v & _UINT64_MASK)
        else:
            self.bad_verb(verb, value, tname)

    def fmt_0x64(self, v: int, leading: bool) -> None:
        sharp = self.f.sharp
        self.f.sharp = leading
        self.integer(v, 16, "v", False)
        self.f.sharp = sharp

    def integer(self, v: int, base: int, verb: str, upper: bool) -> None:
        """Go's integer layout: precision or zero flag as minimum digits, then prefix and sign."""
        f = self.f
        negative = v < 0
        a = -v if negative else v
        prec = 0
        if f.prec_present:
            prec = f.prec
            if prec == 0 and a == 0:
                self.pad("", zero_ok=False)
                return
        elif f.zero and f.wid_present:
            prec = f.wid
            if negative or f.plus or f.space:
                prec -= 1
        digits = {2: "b", 8: "o", 10: "d", 16: "X" if upper else "x"}[base]
        text = format(a, digits)
        if len(text) < prec:
            text = "0" * (prec - len(text)) + text
        if f.sharp:
            if base == 2:
                text = "0b" + text
            elif base == 8:
                if text[0] != "0":
                    text = "0" + text
            elif base == 16:
                text = ("0X" if upper else "0x") + text
        if verb == "O":
            text = "0o" + text
        if negative:
            text = "-" + text
        elif f.plus:
            text = "+" + text
        elif f.space:
            text = " " + text
        self.pad(text, zero_ok=False)

    def unicode(self, u: int) -> None:
        f = self.f
        hexdigits = format(u, "X")
        width = f.prec if f.prec_present and f.prec > 4 else 4
        text = "U+" + hexdigits.rjust(width, "0")
        if f.sharp and u <= _MAX_RUNE and not 0xD800 <= u <= 0xDFFF and _is_print(chr(u)):
            text += " '" + chr(u) + "'"
        self.pad(text, zero_ok=False)

    def fmt_float(self, v: float, bits: int, verb: str, value: Any, tname: str) -> None:
        if verb == "v":
            self.float(v, bits, "g", -1)
        elif verb in "bgGxX":
            self.float(v, bits, verb, -1)
        elif verb in "fFeE":
            self.float(v, bits, verb, 6)
        else:
            self.bad_verb(verb, value, tname)

    def float(self, v: float, bits: int, verb: str, prec: int) -> None:
        f = self.f
        if f.prec_present:
            prec = f.prec
        num = _float_text(v, verb, prec, bits)
        if num[0] in "+-":
            sign, body = num[0], num[1:]
        else:
            sign, body = "+", num
        if f.space and sign == "+" and not f.plus:
            sign = " "
        if body[0] in "IN":  # infinities and NaN are never zero padded
            if body[0] == "N" and not f.space and not f.plus:
                sign = ""
            self.pad(sign + body, zero_ok=False)
            return
        if f.sharp and verb != "b":
            body = _sharp_float(body, verb, prec)
        if f.plus or sign != "+":
            whole = sign + body
            if f.zero and f.wid_present and f.wid > len(whole):
                self.buf.append(sign + "0" * (f.wid - len(whole)) + body)
                return
            self.pad(whole)
            return
        self.pad(body)

    def fmt_complex(self, v: complex, verb: str, value: Any, tname: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, value, tname)
            return
        plus = self.f.plus
        self.buf.append("(")
        self.fmt_float(v.real, 64, verb, value, tname)
        self.f.plus = True
        self.fmt_float(v.imag, 64, verb, value, tname)
        self.buf.append("i)")
        self.f.plus = plus

    def fmt_string(self, s: str, verb: str, value: Any, tname: str) -> None:
        if verb == "v":
            if self.f.sharp_v:
                self.quote(s)
            else:
                self.plain(s)
        elif verb == "s":
            self.plain(s)
        elif verb in "xX":
            self.hex_bytes(go_bytes(s), verb == "X")
        elif verb == "q":
            self.quote(s)
        else:
            self.bad_verb(verb, value, tname)

    def plain(self, s: str) -> None:
        if self.f.prec_present:
            s = s[: self.f.prec]
        self.pad(s)  # the 0 flag pads strings with zeros too: %05s of "b" is 0000b

    def quote(self, s: str) -> None:
        f = self.f
        if f.prec_present:
            s = s[: f.prec]
        if f.sharp and can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(go_quote(s, ascii_only=f.plus))

    def hex_bytes(self, data: bytes, upper: bool) -> None:
        """``%x`` of a string or byte slice; precision limits the bytes, ``% x`` spaces them."""
        f = self.f
        length = len(data)
        if f.prec_present and f.prec < length:
            length = f.prec
        width = 2 * length
        if width > 0:
            if f.space:
                if f.sharp:
                    width *= 2
                width += length - 1
            elif f.sharp:
                width += 2
        else:
            if f.wid_present:
                self.buf.append(("0" if f.zero else " ") * f.wid)
            return
        prefix = "0X" if upper else "0x"
        parts = []
        for i in range(length):
            h = f"{data[i]:02X}" if upper else f"{data[i]:02x}"
            if f.space:
                parts.append((prefix if f.sharp else "") + h)
            else:
                parts.append(h)
        text = " ".join(parts) if f.space else (prefix if f.sharp else "") + "".join(parts)
        if f.wid_present and f.wid > width:
            gap = ("0" if f.zero else " ") * (f.wid - width)  # never zeros on the right: - clears 0
            text = text + gap if f.minus else gap + text
        self.buf.append(text)

    def fmt_bytes(self, data: bytes, verb: str, type_string: str, value: Any, depth: int) -> None:
        if verb in "vd":
            self.enter(depth, len(data))
            if self.f.sharp_v:
                self.buf.append(type_string + "{")
                for i, c in enumerate(data):
                    if i:
                        self.buf.append(", ")
                    self.fmt_0x64(c, True)
                self.buf.append("}")
            else:
                self.buf.append("[")
                for i, c in enumerate(data):
                    if i:
                        self.buf.append(" ")
                    self.integer(c, 10, verb, False)
                self.buf.append("]")
        elif verb == "s":
            self.plain(data.decode("utf-8", "surrogateescape"))
        elif verb in "xX":
            self.hex_bytes(data, verb == "X")
        elif verb == "q":
            self.quote(data.decode("utf-8", "surrogateescape"))
        else:
            self.print_list([Uint8(c) for c in data], verb, depth, BYTES)

    def fmt_pointer(self, target: Any, verb: str, tname: str, value: Any) -> None:
        """A pointer to ``target`` (``_NIL``: a nil one); its made-up address only when printed."""
        f = self.f
        if verb not in "vpbodxX":
            self.bad_verb(verb, value, tname)
            return
        addr = 0 if target is _NIL else _address(target)
        if verb == "v":
            if f.sharp_v:
                self.buf.append("(" + tname + ")(")
                if addr == 0:
                    self.buf.append("nil")
                else:
                    self.fmt_0x64(addr, True)
                self.buf.append(")")
            elif addr == 0:
                self.pad("<nil>")
            else:
                self.fmt_0x64(addr, not f.sharp)
        elif verb == "p":
            self.fmt_0x64(addr, not f.sharp)
        else:
            self.fmt_integer(addr, False, verb, value, tname)

    def bad_verb(self, verb: str, value: Any, tname: str | None, declared: GoType | None = None) -> None:
        """``%!verb(type=value)``: the value printed with ``%v`` and no String methods."""
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if tname is None:
            self.buf.append("<nil>")
        else:
            self.buf.append(tname + "=")
            self.print_value(value, "v", 0, declared)
        self.buf.append(")")
        self.erroring = False

    # methods ---------------------------------------------------------------

    def handle_methods(self, value: Any, verb: str, as_value: bool, addressable: bool) -> bool:
        """Use ``Error()``/``String()`` (verbs v s x X q) or ``GoString`` (``%#v``) when the value has one."""
        if self.erroring:
            return False
        if self.f.sharp_v:
            if isinstance(value, datetime):
                self.buf.append(_time_gostring(value))
                return True
            return False
        if verb not in "vsxXq":
            return False
        if isinstance(value, datetime):
            self.fmt_string(str(value), verb, value, "time.Time")
            return True
        if type(value) is Duration:
            self.fmt_string(duration_string(value), verb, value, "time.Duration")
            return True
        if isinstance(value, NilPointer):
            if _nil_pointer_has_text_method(value):
                self.buf.append("<nil>")  # Go's String on a nil receiver panics; fmt prints <nil>
                return True
            return False
        if value is None or value is MISSING:
            return False
        t = type(value)
        if t in _PLAIN_TYPES:
            return False
        found = _text_method(value, as_value, addressable)
        if found is None:
            return False
        m, receiver = found
        try:
            text = m.call(receiver)
        except Exception as exc:  # a panicking String method is printed, not raised
            self.buf.append(f"%!{verb}(PANIC={m.name} method: {exc})")
            return True
        self.fmt_string(str(text), verb, value, type_name(value))
        return True

    # values ----------------------------------------------------------------

    def print_arg(self, arg: Any, verb: str) -> None:
        """One top-level operand (Go's ``printArg``)."""
        if arg is None or arg is MISSING:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, None, None)
            return
        if verb == "T":
            self.plain(type_name(arg))
            return
        if verb == "p":
            self.fmt_pointer_verb(arg)
            return
        if type(arg) is bytes:
            self.fmt_bytes(arg, verb, "[]byte", arg, 0)
            return
        self.print_value(arg, verb, 0, None)

    def fmt_pointer_verb(self, arg: Any) -> None:
        """``%p``: the address of a pointer, slice, map or func; anything else is a bad verb."""
        info = struct_info(arg)
        if isinstance(arg, NilPointer) or (isinstance(arg, (GoSlice, GoMap)) and arg.nil):
            self.fmt_pointer(_NIL, "p", type_name(arg), arg)
        elif isinstance(arg, Pointer):
            self.fmt_pointer(arg.target, "p", type_name(arg), arg)
        elif isinstance(arg, (list, dict)) or (info is not None and info.pointer) or (info is None and callable(arg)):
            self.fmt_pointer(arg, "p", type_name(arg), arg)
        else:
            self.bad_verb("p", arg, type_name(arg))

    def print_value(self, value: Any, verb: str, depth: int, declared: GoType | None, *,
                    as_value: bool = False, addressable: bool = False) -> None:
        """Go's ``printValue``: ``declared`` is the static type of the slot holding ``value``."""
        if self.handle_methods(value, verb, as_value, addressable):
            return
        f = self.f
        if value is None or value is MISSING:
            self.print_nil(verb, declared)
            return
        t = type(value)
        if t is bool:
            self.fmt_bool(value, verb, value, "bool")
            return
        if isinstance(value, int):
            if t is int and declared is not None and declared.kind in UINT_KINDS:
                self.fmt_integer(value, False, verb, value, declared.name)
            else:
                self.fmt_integer(value, not isinstance(value, _UNSIGNED_TYPES), verb, value,
                                 self.type_name(value, declared))
            return
        if isinstance(value, float):
            bits = 32 if t is Float32 or (declared is not None and declared.kind == "float32") else 64
            self.fmt_float(value, bits, verb, value, self.type_name(value, declared))
            return
        if isinstance(value, complex):
            self.fmt_complex(value, verb, value, "complex128")
            return
        if isinstance(value, str):
            self.fmt_string(value, verb, value, self.type_name(value, declared))
            return
        if isinstance(value, bytes):
            self.fmt_bytes(value, verb, "[]uint8", value, depth)
            return
        if isinstance(value, datetime):  # no String for this verb: Go prints the struct's fields
            self.print_time_struct(value, verb, depth)
            return
        if isinstance(value, NilPointer):
            self.fmt_pointer(_NIL, verb, value.type.name, value)
            return
        if isinstance(value, Pointer):
            if depth == 0 and _is_composite(value.target):
                self.buf.append("&")
                self.print_value(value.target, verb, depth + 1, value.type.elem, as_value=True)
            else:
                self.fmt_pointer(value.target, verb, value.type.name, value)
            return
        if isinstance(value, dict):
            self.print_map(value, verb, depth)
            return
        if isinstance(value, list):
            slice_type = value.type if isinstance(value, GoSlice) else LIST
            if isinstance(value, GoSlice) and value.type.elem is not None and value.type.elem.kind == "uint8" \
                    and verb in "sqxX":
                self.fmt_bytes(bytes(int(c) & 0xFF for c in value), verb, value.type.name, value, depth)
                return
            if f.sharp_v and isinstance(value, GoSlice) and value.nil:
                self.buf.append(value.type.name + "(nil)")
                return
            self.print_list(value, verb, depth, slice_type)
            return
        info = struct_info(value)
        if info is not None:
            if info.pointer and not as_value:
                if depth == 0:
                    self.buf.append("&")
                    self.print_value(value, verb, depth + 1, None, as_value=True)
                else:
                    self.fmt_pointer(value, verb, type_name(value), value)
                return
            if declared is not None and declared.kind == "ptr" and depth > 0:  # a *T field holding a T
                self.fmt_pointer(value, verb, declared.name, value)
                return
            self.print_struct(value, info, verb, depth)
            return
        if callable(value):
            self.fmt_pointer(value, verb, type_name(value), value)
            return
        self.fmt_string(str(value), verb, value, type_name(value))

    def type_name(self, value: Any, declared: GoType | None) -> str:
        """The dynamic type name; a plain Python value in a typed slot has the slot's type."""
        if declared is not None and declared.kind != "interface" and type(value) in (int, float, str):
            return declared.name
        return type_name(value)

    def print_nil(self, verb: str, declared: GoType | None) -> None:
        """A nil in a typed slot: ``<nil>`` for interfaces and pointers, ``[]``/``map[]`` for nil slices/maps."""
        sharp_v = self.f.sharp_v
        kind = declared.kind if declared is not None else "interface"
        if kind == "slice":
            self.buf.append(declared.name + "(nil)" if sharp_v else "[]")
        elif kind == "map":
            self.buf.append(declared.name + "(nil)" if sharp_v else "map[]")
        elif kind in ("ptr", "func", "chan"):
            self.fmt_pointer(_NIL, verb, declared.name, None)
        elif sharp_v:
            self.buf.append((declared.name if declared is not None else "interface {}") + "(nil)")
        else:
            self.buf.append("<nil>")

    def print_list(self, items: list, verb: str, depth: int, slice_type: GoType) -> None:
        self.enter(depth, len(items))
        elem = slice_type.elem or ANY
        if self.f.sharp_v:
            self.buf.append(slice_type.name + "{")
            for i, item in enumerate(items):
                if i:
                    self.buf.append(", ")
                self.print_value(item, verb, depth + 1, elem)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, item in enumerate(items):
            if i:
                self.buf.append(" ")
            self.print_value(item, verb, depth + 1, elem)
        self.buf.append("]")

    def print_map(self, mapping: dict, verb: str, depth: int) -> None:
        self.enter(depth, 2 * len(mapping))
        map_type = mapping.type if isinstance(mapping, GoMap) else DICT
        key_type = map_type.key or STRING
        elem = map_type.elem or ANY
        sharp_v = self.f.sharp_v
        if sharp_v:
            self.buf.append(map_type.name)
            if isinstance(mapping, GoMap) and mapping.nil:
                self.buf.append("(nil)")
                return
            self.buf.append("{")
        else:
            self.buf.append("map[")
        for i, (key, val) in enumerate(_sorted_items(mapping)):
            if i:
                self.buf.append(", " if sharp_v else " ")
            self.print_value(key, verb, depth + 1, key_type)
            self.buf.append(":")
            self.print_value(val, verb, depth + 1, elem)
        self.buf.append("}" if sharp_v else "]")

    def print_struct(self, obj: Any, info: Any, verb: str, depth: int) -> None:
        self.enter(depth, len(info.fields))
        f = self.f
        if f.sharp_v:
            self.buf.append(info.name)
        self.buf.append("{")
        for i, (name, ftype) in enumerate(info.fields):
            if i:
                self.buf.append(", " if f.sharp_v else " ")
            if f.plus_v or f.sharp_v:
                self.buf.append(name + ":")
            self.print_value(getattr(obj, info.attribute(name), None), verb, depth + 1, ftype,
                             addressable=False)
        self.buf.append("}")

    def print_time_struct(self, t: datetime, verb: str, depth: int) -> None:
        """``time.Time`` as the struct it is: ``{wall ext loc}`` (``%d`` of a time)."""
        wall, ext, location = _time_fields(t)
        f = self.f
        names = ("wall:", "ext:", "loc:") if f.plus_v else ("", "", "")
        self.buf.append("{" + names[0])
        self.fmt_integer(wall, False, verb, Uint64(wall), "uint64")
        self.buf.append(" " + names[1])
        self.fmt_integer(ext, True, verb, Int64(ext), "int64")
        self.buf.append(" " + names[2])
        if location is None:
            self.fmt_pointer(_NIL, verb, "*time.Location", NilPointer(_LOCATION_POINTER))
        else:
            self.fmt_pointer(location, verb, "*time.Location", Pointer(location, _LOCATION_POINTER))
        self.buf.append("}")

    # Printf ----------------------------------------------------------------

    def do_printf(self, fmt: str, args: tuple) -> None:
        end = len(fmt)
        argnum = 0
        after_index = False
        self.reordered = False
        i = 0
        f = self.f
        while i < end:
            self.good_argnum = True
            j = fmt.find("%", i)
            if j < 0:
                self.buf.append(fmt[i:])
                break
            if j > i:
                self.buf.append(fmt[i:j])
            i = j + 1
            f.clear()
            while i < end:  # flags
                c = fmt[i]
                if c == "#":
                    f.sharp = True
                elif c == "0":
                    f.zero = not f.minus
                elif c == "+":
                    f.plus = True
                elif c == "-":
                    f.minus = True
                    f.zero = False
                elif c == " ":
                    f.space = True
                else:
                    break
                i += 1
            argnum, i, after_index = self.arg_number(argnum, fmt, i, len(args))
            if i < end and fmt[i] == "*":  # width from an argument
                i += 1
                f.wid, f.wid_present, argnum = _int_from_arg(args, argnum)
                if not f.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                if f.wid < 0:
                    f.wid = -f.wid
                    f.minus = True
                    f.zero = False
                after_index = False
            else:
                f.wid, f.wid_present, i = _parse_num(fmt, i, end)
                if after_index and f.wid_present:  # "%[3]2d"
                    self.good_argnum = False
            if i + 1 < end and fmt[i] == ".":  # precision
                i += 1
                if after_index:  # "%[3].2d"
                    self.good_argnum = False
                argnum, i, after_index = self.arg_number(argnum, fmt, i, len(args))
                if i < end and fmt[i] == "*":
                    i += 1
                    f.prec, f.prec_present, argnum = _int_from_arg(args, argnum)
                    if f.prec < 0:
                        f.prec = 0
                        f.prec_present = False
                    if not f.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    f.prec, f.prec_present, i = _parse_num(fmt, i, end)
                    if not f.prec_present:
                        f.prec, f.prec_present = 0, True
            if not after_index:
                argnum, i, after_index = self.arg_number(argnum, fmt, i, len(args))
            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            i += 1
            if verb == "%":
                self.buf.append("%")
            elif not self.good_argnum:
                self.buf.append("%!" + verb + "(BADINDEX)")
            elif argnum >= len(args):
                self.buf.append("%!" + verb + "(MISSING)")
            else:
                if verb == "v":
                    f.sharp_v, f.sharp = f.sharp, False
                    f.plus_v, f.plus = f.plus, False
                if verb == "w":
                    self.bad_verb(verb, args[argnum], None if args[argnum] in (None, MISSING) else type_name(args[argnum]))
                else:
                    self.print_arg(args[argnum], verb)
                argnum += 1
        if not self.reordered and argnum < len(args):
            f.clear()
            self.buf.append("%!(EXTRA ")
            for k, arg in enumerate(args[argnum:]):
                if k:
                    self.buf.append(", ")
                if arg is None or arg is MISSING:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(type_name(arg) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")

    def arg_number(self, argnum: int, fmt: str, i: int, nargs: int) -> tuple[int, int, bool]:
        """An explicit ``[n]`` argument index (1-based) at ``fmt[i]``, if any."""
        if i >= len(fmt) or fmt[i] != "[":
            return argnum, i, False
        self.reordered = True
        index, width, ok = _parse_arg_number(fmt, i)
        if ok and 0 <= index < nargs:
            return index, i + width, True
        self.good_argnum = False
        return argnum, i + width, ok


def _parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    """Decimal digits at ``s[start:]``: (number, present, next index); absurd numbers consume everything."""
    num = 0
    present = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE:
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        present = True
        i += 1
    return num, present, i


def _parse_arg_number(s: str, start: int) -> tuple[int, int, bool]:
    """``[n]`` at ``s[start]``: (zero-based index, characters used, ok)."""
    if len(s) - start < 3:
        return 0, 1, False
    close = s.find("]", start + 1)
    if close < 0:
        return 0, 1, False
    num, present, nxt = _parse_num(s, start + 1, close)
    if not present or nxt != close:
        return 0, close - start + 1, False
    return num - 1, close - start + 1, True


def _int_from_arg(args: tuple, argnum: int) -> tuple[int, bool, int]:
    """A ``*`` width or precision: it must be an integer of any Go integer type."""
    if argnum >= len(args):
        return 0, False, argnum
    arg = args[argnum]
    num, ok = 0, False
    if isinstance(arg, int) and not isinstance(arg, bool):
        if isinstance(arg, _UNSIGNED_TYPES) and arg >= 1 << 63:
            ok = False
        else:
            num, ok = int(arg), True
    if ok and (num > _TOO_LARGE or num < -_TOO_LARGE):
        num, ok = 0, False
    return num, ok, argnum + 1
