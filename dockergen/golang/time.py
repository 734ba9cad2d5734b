"""Go's ``time`` package where the generator and templates meet it: durations, and its error quoting.

``parse_duration`` is ``time.ParseDuration`` (what docker-gen's ``-wait`` and
dockergen's timeouts accept, and Sprig's ``duration``/``dateModify`` read),
``format_duration`` is ``Duration.String``.
"""

from __future__ import annotations

from dockergen.limits import digits_value

_NS = 1_000_000_000
_INT64_MAX = (1 << 63) - 1


class DurationError(ValueError):
    """A text ``time.ParseDuration`` refuses; the message is Go's."""


# --- quoting (the time package's own, simpler than strconv.Quote) ------------------------


def go_time_quote(text: str) -> str:
    """Quote as Go's time package does in errors: only ``"`` and ``\\`` escaped, other
    non-printable-ASCII bytes as ``\\xNN``."""
    out = ['"']
    for byte in text.encode("utf-8", "surrogateescape"):
        if byte >= 0x80 or byte < 0x20:
            out.append(f"\\x{byte:02x}")
        else:
            ch = chr(byte)
            if ch in '"\\':
                out.append("\\")
            out.append(ch)
    out.append('"')
    return "".join(out)


# --- durations ---------------------------------------------------------------------------


def _frac_text(value: int, digits: int) -> str:
    """``value`` (< 10**digits) as a fraction with trailing zeros (and the dot) dropped."""
    text = f"{value:0{digits}d}".rstrip("0")
    return "." + text if text else ""


def format_duration(ns: int) -> str:
    """``time.Duration.String()``: ``1h2m3.5s``, ``1.5µs``, ``0s``; negative gets a ``-``."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    u = abs(ns)
    if u < _NS:
        for unit, size, digits in (("ns", 1, 0), ("µs", 1_000, 3), ("ms", 1_000_000, 6)):
            if u < size * 1000:
                whole, frac = divmod(u, size)
                return f"{sign}{whole}{_frac_text(frac, digits) if digits else ''}{unit}"
    seconds, frac = divmod(u, _NS)
    text = f"{seconds % 60}{_frac_text(frac, 9)}s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m" + text
        hours = minutes // 60
        if hours:
            text = f"{hours}h" + text
    return sign + text


_UNITS = {
    "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": _NS,
    "m": 60 * _NS, "h": 3600 * _NS,
}


def parse_duration(text: str) -> int:
    """``time.ParseDuration``: ``[-+]?(digits[.digits]unit)+`` or ``0``; nanoseconds.

    Raises :class:`DurationError` with Go's message.  Fractions are scaled with float64
    arithmetic, as Go does, so ``1.1ns``-style inputs truncate the same way.
    """
    original = text
    invalid = DurationError("time: invalid duration " + go_time_quote(original))
    s = text
    negative = False
    if s[:1] in ("-", "+"):
        negative = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if not s:
        raise invalid
    total = 0
    n = len(s)
    i = 0  # an index rather than slices: "1h1h1h..." from a container would be quadratic
    while i < n:
        if not (s[i] == "." or s[i].isascii() and s[i].isdigit()):
            raise invalid
        start = i
        while i < n and "0" <= s[i] <= "9":
            i += 1
        whole_digits = s[start:i]
        value = digits_value(whole_digits)
        if value is None or value > _INT64_MAX + 1:
            raise invalid
        frac, scale, has_frac_digits = 0, 1.0, False
        if s[i:i + 1] == ".":
            i += 1
            start = i
            overflow = False
            while i < n and "0" <= s[i] <= "9":
                if not overflow:
                    if frac > (_INT64_MAX + 1) // 10:
                        overflow = True  # further digits are ignored, as in Go
                    else:
                        frac = frac * 10 + int(s[i])
                        scale *= 10
                i += 1
            has_frac_digits = i > start
        if not whole_digits and not has_frac_digits:
            raise invalid  # "." or ".s"
        start = i
        while i < n and s[i] != "." and not ("0" <= s[i] <= "9"):
            i += 1
        if i == start:
            raise DurationError("time: missing unit in duration " + go_time_quote(original))
        unit_name = s[start:i]
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise DurationError(
                "time: unknown unit " + go_time_quote(unit_name) + " in duration " + go_time_quote(original)
            )
        if value > (_INT64_MAX + 1) // unit:
            raise invalid
        value *= unit
        if frac > 0:
            value += int(float(frac) * (float(unit) / scale))
            if value > _INT64_MAX + 1:
                raise invalid
        total += value
        if total > _INT64_MAX + 1:
            raise invalid
    if negative:
        return -total
    if total > _INT64_MAX:
        raise invalid
    return total
