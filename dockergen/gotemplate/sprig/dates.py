"""Sprig's date functions (§9.12), with Go's layouts, durations and zones.

Templates written for docker-gen format times with Go layouts
(``2006-01-02 15:04``), not strftime, and print durations the way
``time.Duration`` does (``1h0m0s``), so both are implemented here from Go's
documented behaviour.  Times are :class:`dockergen.model.GoTime` values; all
arithmetic is done on integer nanoseconds since the Unix epoch so that no
precision is lost below the microsecond.
"""

from __future__ import annotations

import calendar
import os
import time as _time
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from ...golang.time import DurationError, format_duration, go_time_quote
from ...golang.time import parse_duration as go_parse_duration
from ...limits import MAX_CACHED_KEY, check_scan
from ...model import GoTime
from .coerce import clamped_int10, wrap_int64
from ..errors import GoError
from ..funcs import Function, define
from ..values import ANY, STRING, TIME, Int32, Int64, Pointer

__all__ = [
    "FUNCTIONS", "format_duration", "parse_duration", "format_time", "parse_time", "local_zone",
    "load_location", "is_local", "go_year", "time_from_ns", "time_to_ns", "TimeParseError", "go_time_quote",
]

FUNCTIONS: dict[str, Function] = {}

_NS = 1_000_000_000
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_START_MONO = _time.monotonic_ns()  # Go prints monotonic readings relative to process start


def parse_duration(text: str) -> int:
    """``time.ParseDuration`` in nanoseconds; Go's error as a template error."""
    try:
        return go_parse_duration(text)
    except DurationError as exc:
        raise GoError(str(exc)) from None


def _saturate(ns: int) -> int:
    return max(_INT64_MIN, min(_INT64_MAX, ns))


def round_duration(ns: int, multiple: int) -> int:
    """``Duration.Round``: halves away from zero, saturating at the int64 limits."""
    if multiple <= 0:
        return ns
    q, r = divmod(abs(ns), multiple)
    if r + r >= multiple:
        q += 1
    result = q * multiple if ns >= 0 else -q * multiple
    if result > _INT64_MAX:
        return _INT64_MAX
    if result < _INT64_MIN:
        return _INT64_MIN
    return result


# --- zones -------------------------------------------------------------------------------


# Go's time.Local is its own *Location even when it is UTC: %#v prints time.Local and %d a
# non-nil pointer, where a time in UTC has none.  So Local-as-UTC is a distinct object.
_LOCAL_UTC = timezone(timedelta(0), "UTC")


@lru_cache(maxsize=8)
def _local_for(tz_env: str | None) -> tzinfo:
    if tz_env is not None:
        name = tz_env[1:] if tz_env.startswith(":") else tz_env
        if name in ("", "UTC"):
            return _LOCAL_UTC
        try:
            return ZoneInfo.no_cache(name) if not name.startswith("/") else ZoneInfo.from_file(open(name, "rb"))
        except Exception:  # noqa: BLE001 - Go falls back to UTC for an unusable TZ
            return _LOCAL_UTC
    try:
        with open("/etc/localtime", "rb") as handle:
            zone = ZoneInfo.from_file(handle, key="Local")
    except OSError:
        return _LOCAL_UTC
    probe = datetime(2000, 1, 1, tzinfo=zone)
    if zone.utcoffset(probe) == timedelta(0) and zone.utcoffset(probe.replace(month=7)) == timedelta(0) \
            and zone.tzname(probe) == "UTC":
        return _LOCAL_UTC
    return zone


def local_zone() -> tzinfo:
    """Go's ``time.Local``: from ``TZ`` (empty means UTC), else ``/etc/localtime``."""
    return _local_for(os.environ.get("TZ"))


def is_local(zone: tzinfo | None) -> bool:
    """Whether ``zone`` is Go's ``time.Local`` (not merely a zone with the same rules)."""
    return zone is not None and zone is local_zone()


def load_location(name: str) -> tzinfo | None:
    """``time.LoadLocation``: ``""``/``UTC`` are UTC, ``Local`` the process zone, else IANA."""
    if name in ("", "UTC"):
        return timezone.utc
    if name == "Local":
        return local_zone()
    try:
        return ZoneInfo(name)
    except Exception:  # noqa: BLE001 - unknown or malformed names
        return None


# --- time values -------------------------------------------------------------------------


class MonotonicTime(GoTime):
    """``time.Now()``: carries a monotonic clock reading, which ``String()`` shows."""

    mono_ns = 0

    def __str__(self) -> str:
        mono = self.mono_ns
        sign = "-" if mono < 0 else "+"
        whole, frac = divmod(abs(mono), _NS)
        return f"{super().__str__()} m={sign}{whole}.{frac:09d}"


# Go's time reaches years datetime cannot hold (0, -292, 10291...).  The Gregorian calendar
# repeats every 400 years (146097 days, a whole number of weeks), so such a time is held as
# the same reading whole cycles away, with GoTime.cycles saying how many.
_CYCLE_YEARS = 400
_CYCLE_NS = 146097 * 86400 * _NS
# Moved only as far as needed, so that a distant past stays before every zone transition
# (local mean time, LMT) and a distant future after them all.
_SAFE_LOW = -62104060800 * _NS  # 0002-01-01: no zone conversion near here overflows datetime
_SAFE_HIGH = 253370678400 * _NS  # 9998-12-31


def go_year(value: datetime) -> int:
    """The year Go sees, cycles included."""
    return value.year + _CYCLE_YEARS * getattr(value, "cycles", 0)


def time_to_ns(value: datetime) -> int:
    """Nanoseconds since the Unix epoch (naive values count as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    delta = value - _EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros * 1000 + getattr(value, "extra_ns", 0) + getattr(value, "cycles", 0) * _CYCLE_NS


def time_from_ns(ns: int, zone: tzinfo, cls: type[GoTime] = GoTime) -> GoTime:
    """The instant ``ns`` (since the epoch) seen in ``zone``, as a GoTime (any year)."""
    shift = 0
    if ns < _SAFE_LOW:
        shift = -((ns - _SAFE_LOW) // _CYCLE_NS)
    elif ns > _SAFE_HIGH:
        shift = (_SAFE_HIGH - ns) // _CYCLE_NS
    micros, extra = divmod(ns + shift * _CYCLE_NS, 1000)
    moment = (_EPOCH + timedelta(microseconds=micros)).astimezone(zone)
    result = cls(
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second,
        moment.microsecond, tzinfo=moment.tzinfo, fold=moment.fold,
    )
    if extra:
        result.extra_ns = extra
    if shift:
        result.cycles = -shift
    return result


def _civil(year: int, month: int, day: int, hour: int, minute: int, second: int, micro: int,
           zone: tzinfo) -> tuple[datetime, int]:
    """A wall reading of any year as a datetime whole cycles away, and the cycles it moved."""
    shift = 0
    if year < 2:
        shift = -((year - 2) // _CYCLE_YEARS)
    elif year > 9998:
        shift = (9998 - year) // _CYCLE_YEARS
    return datetime(year + _CYCLE_YEARS * shift, month, day, hour, minute, second, micro, tzinfo=zone), shift


def _in_zone(value: datetime, zone: tzinfo) -> GoTime:
    return time_from_ns(time_to_ns(value), zone)


def _now() -> MonotonicTime:
    result = time_from_ns(_time.time_ns(), local_zone(), MonotonicTime)
    result.mono_ns = _time.monotonic_ns() - _START_MONO
    return result


def _zone_name(value: datetime) -> str:
    """The zone abbreviation Go would know: ``""`` for an unnamed fixed offset."""
    name = value.tzname() or ""
    if name.startswith("UTC") and len(name) > 3:
        return ""  # Python's automatic name for timezone(timedelta(...))
    return name


def _offset_seconds(value: datetime) -> int:
    offset = value.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


# --- layouts -----------------------------------------------------------------------------

# Layout elements, longest first where one is a prefix of another.
_ZONE_TOKENS = ("-07:00:00", "-070000", "-07:00", "-0700", "-07")
_ISO_TOKENS = ("Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07")


def _tokenize(layout: str) -> tuple[tuple[str, str], ...]:
    """Split a Go layout into chunks, remembered for the layouts a template writes
    (a long one, from a container value, is not kept: 256 of them could be gigabytes)."""
    return _tokenize_cached(layout) if len(layout) <= MAX_CACHED_KEY else _chunks(layout)


def _chunks(layout: str) -> tuple[tuple[str, str], ...]:
    """Split a Go layout into ``("lit", text)`` and ``(element, text)`` chunks.

    Matches in place (``startswith(x, i)``): a layout may be a long container
    value, and copying its rest at every character would be quadratic.
    """
    chunks: list[tuple[str, str]] = []
    literal: list[str] = []
    i, n = 0, len(layout)
    at = layout.startswith

    def emit(kind: str, length: int) -> None:
        if literal:
            chunks.append(("lit", "".join(literal)))
            literal.clear()
        chunks.append((kind, layout[i:i + length]))

    while i < n:
        c = layout[i]
        token: tuple[str, int] | None = None
        # "Jan"/"Mon" followed by a lower-case letter ("Janet", "Month") are plain text.
        if c == "J" and at("Jan", i):
            if at("January", i):
                token = ("January", 7)
            elif not ("a" <= layout[i + 3:i + 4] <= "z"):
                token = ("Jan", 3)
        elif c == "M":
            if at("Monday", i):
                token = ("Monday", 6)
            elif at("Mon", i) and not ("a" <= layout[i + 3:i + 4] <= "z"):
                token = ("Mon", 3)
            elif at("MST", i):
                token = ("MST", 3)
        elif c == "0" and n - i > 1:
            if layout[i + 1] in "123456":
                token = (layout[i:i + 2], 2)
            elif at("002", i):
                token = ("002", 3)
        elif c == "1":
            token = ("15", 2) if at("15", i) else ("1", 1)
        elif c == "2":
            token = ("2006", 4) if at("2006", i) else ("2", 1)
        elif c == "_":
            if at("_2", i):
                if at("_2006", i):
                    literal.append("_")  # "_2006" is a literal "_" then the year
                    i += 1
                    continue
                token = ("_2", 2)
            elif at("__2", i):
                token = ("__2", 3)
        elif c in "345":
            token = (c, 1)
        elif c == "P" and at("PM", i):
            token = ("PM", 2)
        elif c == "p" and at("pm", i):
            token = ("pm", 2)
        elif c == "-" or c == "Z":
            for candidate in (_ZONE_TOKENS if c == "-" else _ISO_TOKENS):
                if at(candidate, i):
                    token = (candidate, len(candidate))
                    break
        elif c in ".," and n - i > 1 and layout[i + 1] in "09":
            digit = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == digit:
                j += 1
            if not (j < n and layout[j].isascii() and layout[j].isdigit()):
                token = ("frac0" if digit == "0" else "frac9", j - i)
        if token is None:
            literal.append(c)
            i += 1
            continue
        emit(*token)
        i += token[1]
    if literal:
        chunks.append(("lit", "".join(literal)))
    return tuple(chunks)


_tokenize_cached = lru_cache(maxsize=256)(_chunks)


_MONTHS = [calendar.month_name[m] for m in range(1, 13)]
_DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _format_offset(offset: int, element: str) -> str:
    if element.startswith("Z") and offset == 0:
        return "Z"
    sign = "-" if offset < 0 else "+"
    total = abs(offset)
    hours, minutes, seconds = total // 3600, total // 60 % 60, total % 60
    colon = ":" if ":" in element else ""
    text = f"{sign}{hours:02d}"
    if element[1:] in ("07",):
        return text
    text += f"{colon}{minutes:02d}"
    if element.endswith("00:00") or element.endswith("0000"):
        text += f"{colon}{seconds:02d}"
    return text


def format_time(value: datetime, layout: str) -> str:
    """``Time.Format(layout)``."""
    nanos = getattr(value, "nanosecond", value.microsecond * 1000)
    out: list[str] = []
    for element, text in _tokenize(layout):
        if element == "lit":
            out.append(text)
        elif element == "2006":
            year = go_year(value)
            out.append(f"{'-' if year < 0 else ''}{abs(year):04d}")
        elif element == "06":
            year = go_year(value)
            out.append(f"{abs(year) % 100:02d}")
        elif element == "January":
            out.append(_MONTHS[value.month - 1])
        elif element == "Jan":
            out.append(_MONTHS[value.month - 1][:3])
        elif element == "01":
            out.append(f"{value.month:02d}")
        elif element == "1":
            out.append(str(value.month))
        elif element == "Monday":
            out.append(_DAYS[(value.weekday() + 1) % 7])
        elif element == "Mon":
            out.append(_DAYS[(value.weekday() + 1) % 7][:3])
        elif element == "2":
            out.append(str(value.day))
        elif element == "_2":
            out.append(f"{value.day:2d}")
        elif element == "02":
            out.append(f"{value.day:02d}")
        elif element == "__2":
            out.append(f"{value.timetuple().tm_yday:3d}")
        elif element == "002":
            out.append(f"{value.timetuple().tm_yday:03d}")
        elif element == "15":
            out.append(f"{value.hour:02d}")
        elif element in ("3", "03"):
            hour = value.hour % 12 or 12
            out.append(str(hour) if element == "3" else f"{hour:02d}")
        elif element in ("4", "04"):
            out.append(str(value.minute) if element == "4" else f"{value.minute:02d}")
        elif element in ("5", "05"):
            out.append(str(value.second) if element == "5" else f"{value.second:02d}")
        elif element == "PM":
            out.append("PM" if value.hour >= 12 else "AM")
        elif element == "pm":
            out.append("pm" if value.hour >= 12 else "am")
        elif element == "MST":
            name = _zone_name(value)
            if name:
                out.append(name)
            else:
                minutes = _offset_seconds(value) // 60 if _offset_seconds(value) >= 0 else -(-_offset_seconds(value) // 60)
                sign = "-" if minutes < 0 else "+"
                minutes = abs(minutes)
                out.append(f"{sign}{minutes // 60:02d}{minutes % 60:02d}")
        elif element[0] in "-Z":
            out.append(_format_offset(_offset_seconds(value), element))
        elif element in ("frac0", "frac9"):
            digits = len(text) - 1
            fraction = f"{nanos:09d}"[:digits] if digits <= 9 else f"{nanos:09d}" + "0" * (digits - 9)
            if element == "frac9":
                fraction = fraction.rstrip("0")
                if not fraction:
                    continue
            out.append(text[0] + fraction)
    return "".join(out)


# --- parsing -----------------------------------------------------------------------------


class TimeParseError(GoError):
    """``time.ParseError``: the message is Go's exact text."""


def _parse_error(layout: str, value: str, elem: str, value_elem: str, message: str = "") -> TimeParseError:
    if message:
        return TimeParseError("parsing time " + go_time_quote(value) + message)
    return TimeParseError(
        "parsing time " + go_time_quote(value) + " as " + go_time_quote(layout)
        + ": cannot parse " + go_time_quote(value_elem) + " as " + go_time_quote(elem)
    )


class _Bad(Exception):
    """The value does not match the current layout element."""


def _digit(s: str, i: int) -> bool:
    return i < len(s) and "0" <= s[i] <= "9"


def _getnum(s: str, fixed: bool) -> tuple[int, str]:
    """One or two digits (exactly two when ``fixed``)."""
    if not _digit(s, 0):
        raise _Bad
    if not _digit(s, 1):
        if fixed:
            raise _Bad
        return int(s[0]), s[1:]
    return int(s[:2]), s[2:]


def _getnum3(s: str, fixed: bool) -> tuple[int, str]:
    i = 0
    while i < 3 and _digit(s, i):
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return int(s[:i]), s[i:]


def _lookup(names: list[str], s: str) -> tuple[int, str]:
    for index, name in enumerate(names):
        if len(s) >= len(name) and s[:len(name)].lower() == name.lower():
            return index, s[len(name):]
    raise _Bad


def _skip_literal(value: str, prefix: str) -> str:
    """``value`` after the layout's literal ``prefix``; _Bad carries what was left unmatched.

    A run of spaces matches any run (even none).  Indexes, not slices: a long layout
    against a long value (two container values) would otherwise copy quadratically.
    """
    i = j = 0
    while i < len(prefix):
        if prefix[i] == " ":
            if j < len(value) and value[j] != " ":
                raise _Bad(value[j:])
            while i < len(prefix) and prefix[i] == " ":
                i += 1
            while j < len(value) and value[j] == " ":
                j += 1
            continue
        if j >= len(value) or value[j] != prefix[i]:
            raise _Bad(_after_common_bytes(value[j:], prefix[i]))
        i += 1
        j += 1
    return value[j:]


def _after_common_bytes(rest: str, expected: str) -> str:
    """Go compares the layout's bytes: a leading byte two different characters share is
    consumed before the mismatch ("ß" against "é" leaves "\x9f")."""
    if not rest or rest[0].isascii() or expected.isascii():
        return rest
    got, want = (c.encode("utf-8", "surrogateescape") for c in (rest[0], expected))
    shared = 0
    while shared < min(len(got), len(want)) and got[shared] == want[shared]:
        shared += 1
    return (got[shared:].decode("utf-8", "surrogateescape") + rest[1:]) if shared else rest


def _nanoseconds(value: str, length: int) -> int:
    """Digits after the separator at ``value[0]``, ``length`` characters in all."""
    if value[0] not in ".,":
        raise _Bad
    digits = value[1:length]
    if not digits.isdigit() or not digits.isascii():
        raise _Bad
    return int(digits[:9].ljust(9, "0"))


def _signed_offset_length(value: str) -> int:
    """Length of ``+N``/``-N`` (all the digits, N at most 23) at the start; 0 when none."""
    if value[:1] not in ("+", "-"):
        return 0
    j = 1
    while _digit(value, j):
        j += 1
    return j if j > 1 and int(value[1:j]) <= 23 else 0


def _zone_abbreviation(value: str) -> int:
    """Length of a time zone abbreviation at the start of ``value`` (0 when none)."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value.startswith("GMT"):
        return 3 + _signed_offset_length(value[3:])
    if value[0] in "+-":
        return _signed_offset_length(value)
    upper = 0
    while upper < len(value) and "A" <= value[upper] <= "Z":
        upper += 1
    if upper in (0, 1, 2, 6):
        return 0
    if upper == 5:
        return 5 if value[4] == "T" else 0
    if upper == 4:
        return 4 if value[3] == "T" or value[:4] == "WITA" else 0
    return upper


def parse_time(layout: str, value: str, location: tzinfo) -> GoTime:
    """``time.ParseInLocation``; raises :class:`TimeParseError` with Go's text."""
    original = value
    year, month, day, yday = 0, -1, -1, -1
    hour = minute = second = nsec = 0
    pm_set = am_set = False
    zone_offset: int | None = None
    zone_utc = False
    zone_name = ""
    chunks = _tokenize(layout)
    # Each element below goes on with the rest of ``value`` as a new string: fine for
    # real layouts, but a long layout against a long value (two container values) is not.
    check_scan("time.Parse", len(chunks) * len(value))
    for index, (element, text) in enumerate(chunks):
        if element == "lit":
            try:
                value = _skip_literal(value, text)
            except _Bad as exc:  # Go names the value from where the literal stopped matching
                raise _parse_error(layout, original, text, exc.args[0]) from None
            continue
        hold = value
        range_error = ""
        try:
            if element == "2006":
                if len(value) < 4 or not all(_digit(value, i) for i in range(4)):
                    raise _Bad
                year, value = int(value[:4]), value[4:]
            elif element == "06":
                # time's atoi: a sign may take the first of the two places ("-5" is 1995)
                if len(value) < 2 or not _digit(value, 1) or not (_digit(value, 0) or value[0] in "+-"):
                    raise _Bad
                year, value = int(value[:2]), value[2:]
                year += 1900 if year >= 69 else 2000
            elif element in ("January", "Jan"):
                names = _MONTHS if element == "January" else [m[:3] for m in _MONTHS]
                found, value = _lookup(names, value)
                month = found + 1
            elif element in ("01", "1"):
                month, value = _getnum(value, element == "01")
                if not 1 <= month <= 12:
                    range_error = "month"
            elif element in ("Monday", "Mon"):
                names = _DAYS if element == "Monday" else [d[:3] for d in _DAYS]
                _, value = _lookup(names, value)
            elif element in ("02", "_2", "2"):
                if element == "_2" and value[:1] == " ":
                    value = value[1:]
                day, value = _getnum(value, element == "02")  # checked against the month at the end
            elif element in ("002", "__2"):
                if element == "__2":
                    for _ in range(2):
                        value = value[1:] if value[:1] == " " else value
                yday, value = _getnum3(value, element == "002")  # checked against the year at the end
            elif element == "15":
                hour, value = _getnum(value, False)
                if not 0 <= hour < 24:
                    range_error = "hour"
            elif element in ("3", "03"):
                hour, value = _getnum(value, element == "03")
                if not 0 <= hour <= 12:
                    range_error = "hour"
            elif element in ("4", "04"):
                minute, value = _getnum(value, element == "04")
                if not 0 <= minute < 60:
                    range_error = "minute"
            elif element in ("5", "05"):
                second, value = _getnum(value, element == "05")
                if not 0 <= second < 60:
                    range_error = "second"
                elif len(value) >= 2 and value[0] in ".," and _digit(value, 1):
                    following = chunks[index + 1][0] if index + 1 < len(chunks) else ""
                    if following not in ("frac0", "frac9"):
                        n = 2
                        while _digit(value, n):
                            n += 1
                        nsec = _nanoseconds(value, n)
                        value = value[n:]
            elif element == "PM" or element == "pm":
                if len(value) < 2:
                    raise _Bad
                mark = value[:2]
                upper = mark if element == "PM" else mark.upper()
                if element == "pm" and mark not in ("am", "pm") or element == "PM" and mark not in ("AM", "PM"):
                    raise _Bad
                pm_set, am_set = upper == "PM", upper == "AM"
                value = value[2:]
            elif element[0] in "-Z":
                if element[0] == "Z" and value[:1] == "Z":
                    value = value[1:]
                    zone_utc = True
                else:
                    value, zone_offset, range_error = _parse_offset(element, value)
            elif element == "MST":
                if value.startswith("UTC"):
                    zone_utc = True
                    value = value[3:]
                else:
                    length = _zone_abbreviation(value)
                    if not length:
                        raise _Bad
                    zone_name, value = value[:length], value[length:]
            elif element == "frac0":
                length = len(text)
                if len(value) < length:
                    raise _Bad
                nsec = _nanoseconds(value, length)
                value = value[length:]
            elif element == "frac9":
                if len(value) >= 2 and value[0] in ".," and _digit(value, 1):
                    n = 1
                    while _digit(value, n):
                        n += 1
                    nsec = _nanoseconds(value, n)
                    value = value[n:]
        except _Bad:
            raise _parse_error(layout, original, text, hold) from None
        if range_error:
            raise _parse_error(layout, original, text, value, f": {range_error} out of range")
    if value:
        raise _parse_error(layout, original, "", value, ": extra text: " + go_time_quote(value))
    if pm_set and hour < 12:
        hour += 12
    elif am_set and hour == 12:
        hour = 0
    if yday >= 0:
        if not 1 <= yday <= (366 if calendar.isleap(year) else 365):
            raise _parse_error(layout, original, "", value, ": day-of-year out of range")
        derived = _civil(year, 1, 1, 0, 0, 0, 0, timezone.utc)[0] + timedelta(days=yday - 1)
        if month >= 0 and month != derived.month:
            raise _parse_error(layout, original, "", value, ": day-of-year does not match month")
        if day >= 0 and day != derived.day:
            raise _parse_error(layout, original, "", value, ": day-of-year does not match day")
        month, day = derived.month, derived.day
    else:
        month = 1 if month < 0 else month
        day = 1 if day < 0 else day
    days_in_month = calendar.monthrange(year if year >= 1 else 2000 + year % 400, month)[1]
    if day < 1 or day > days_in_month:
        raise _parse_error(layout, original, "", value, ": day out of range")
    wall, shift = _civil(year, month, day, hour, minute, second, 0, timezone.utc)
    wall_ns = time_to_ns(wall) - shift * _CYCLE_NS + nsec
    if zone_utc:
        return time_from_ns(wall_ns, timezone.utc)
    if zone_offset is not None:
        instant = wall_ns - zone_offset * _NS
        local = local_zone()
        if _offset_seconds(time_from_ns(instant, local)) == zone_offset:
            return time_from_ns(instant, local)
        return time_from_ns(instant, timezone(timedelta(seconds=zone_offset)))
    if zone_name:
        local = local_zone()
        probe = time_from_ns(wall_ns, local)
        if _zone_name(probe) == zone_name:
            return time_from_ns(wall_ns - _offset_seconds(probe) * _NS, local)
        offset = 0
        if len(zone_name) > 3 and zone_name.startswith("GMT"):
            offset = int(zone_name[3:]) * 3600
        # Go attaches the made-up zone without moving the instant: the reading was taken as UTC.
        return time_from_ns(wall_ns, timezone(timedelta(seconds=offset), zone_name))
    return _wall_in(year, month, day, hour, minute, second, nsec, location)


def _wall_in(year: int, month: int, day: int, hour: int, minute: int, second: int, nsec: int,
             location: tzinfo) -> GoTime:
    """``time.Date`` in ``location``: the wall clock reading taken as local there."""
    wall, shift = _civil(year, month, day, hour, minute, second, nsec // 1000, location)
    return time_from_ns(time_to_ns(wall) - shift * _CYCLE_NS + nsec % 1000, location)


def _parse_offset(element: str, value: str) -> tuple[str, int, str]:
    """A numeric zone offset (``-0700`` family); returns the rest, seconds, range error."""
    style = element[1:]
    if style == "07:00":
        if len(value) < 6 or value[3] != ":":
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], "00", value[6:]
    elif style == "07":
        if len(value) < 3:
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], "00", "00", value[3:]
    elif style == "07:00:00":
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[4:6], value[7:9], value[9:]
    elif style == "070000":
        if len(value) < 7:
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], value[5:7], value[7:]
    else:
        if len(value) < 5:
            raise _Bad
        sign, hh, mm, ss, rest = value[0], value[1:3], value[3:5], "00", value[5:]
    # Go reads the parts until one fails, then checks their ranges, then the sign; a range
    # error wins over a bad part or sign ("/31" is an hour out of range).
    parts = [0, 0, 0]
    bad = False
    for i, digits in enumerate((hh, mm, ss)):
        try:
            parts[i] = _getnum(digits, True)[0]
        except _Bad:
            bad = True
            break
    hours, minutes, seconds = parts
    range_error = ""
    if hours > 24:
        range_error = "time zone offset hour"
    if minutes > 60:
        range_error = "time zone offset minute"
    if seconds > 60:
        range_error = "time zone offset second"
    offset = (hours * 60 + minutes) * 60 + seconds
    if sign == "-":
        offset = -offset
    elif sign != "+":
        bad = True
    if bad and not range_error:
        raise _Bad
    return rest, offset, range_error


# --- Sprig's functions -------------------------------------------------------------------


def _as_time(date: Any, allow_pointer: bool = True, allow_int32: bool = True) -> datetime:
    """Sprig's date argument: a time, Unix seconds as int/int32/int64, else *now*."""
    if isinstance(date, datetime):
        return date
    if allow_pointer and isinstance(date, Pointer) and isinstance(date.target, datetime):
        return date.target
    kind = type(date)
    if kind is int or kind is Int64 or (allow_int32 and kind is Int32):
        return time_from_ns(int(date) * _NS, local_zone())
    return _now()


def _date_in_zone(layout: str, date: Any, zone: str) -> str:
    location = load_location(zone)
    if location is None:
        location = timezone.utc
    return format_time(_in_zone(_as_time(date), location), layout)


@define(FUNCTIONS, "now", (), TIME)
def now() -> GoTime:
    """``time.Now()`` in Local, with its monotonic reading."""
    return _now()


@define(FUNCTIONS, "date", (STRING, ANY), STRING)
def date(layout: str, value: Any) -> str:
    return _date_in_zone(layout, value, "Local")


@define(FUNCTIONS, "dateInZone", (STRING, ANY, STRING), STRING, aliases=("date_in_zone",))
def date_in_zone(layout: str, value: Any, zone: str) -> str:
    return _date_in_zone(layout, value, zone)


@define(FUNCTIONS, "htmlDate", (ANY,), STRING)
def html_date(value: Any) -> str:
    return _date_in_zone("2006-01-02", value, "Local")


@define(FUNCTIONS, "htmlDateInZone", (ANY, STRING), STRING)
def html_date_in_zone(value: Any, zone: str) -> str:
    return _date_in_zone("2006-01-02", value, zone)


@define(FUNCTIONS, "toDate", (STRING, STRING), TIME)
def to_date(layout: str, text: str) -> GoTime:
    """Parse in Local; a failure gives the zero time, as Sprig swallows the error."""
    try:
        return parse_time(layout, text, local_zone())
    except TimeParseError:
        return GoTime.zero()


@define(FUNCTIONS, "mustToDate", (STRING, STRING), TIME)
def must_to_date(layout: str, text: str) -> GoTime:
    return parse_time(layout, text, local_zone())


@define(FUNCTIONS, "unixEpoch", (TIME,), STRING)
def unix_epoch(value: datetime) -> str:
    return str(time_to_ns(value) // _NS)


def _add(value: datetime, ns: int) -> GoTime:
    result = time_from_ns(time_to_ns(value) + ns, value.tzinfo or timezone.utc, type(value) if isinstance(value, GoTime) else GoTime)
    if isinstance(value, MonotonicTime):
        result.mono_ns = value.mono_ns + ns
    return result


@define(FUNCTIONS, "dateModify", (STRING, TIME), TIME, aliases=("date_modify",))
def date_modify(text: str, value: datetime) -> GoTime:
    """Add a Go duration; an unparsable one leaves the time unchanged."""
    try:
        ns = parse_duration(text)
    except GoError:
        return value
    return _add(value, ns)


@define(FUNCTIONS, "mustDateModify", (STRING, TIME), TIME, aliases=("must_date_modify",))
def must_date_modify(text: str, value: datetime) -> GoTime:
    return _add(value, parse_duration(text))


def _since(value: datetime) -> int:
    return _saturate(_time.time_ns() - time_to_ns(value))


@define(FUNCTIONS, "ago", (ANY,), STRING)
def ago(value: Any) -> str:
    """Time since ``value`` rounded to seconds; unsupported inputs mean now (``0s``)."""
    if isinstance(value, datetime):
        moment: datetime = value
    elif type(value) is int or type(value) is Int64:
        moment = time_from_ns(int(value) * _NS, timezone.utc)
    else:
        return "0s"
    return format_duration(round_duration(_since(moment), _NS))


@define(FUNCTIONS, "duration", (ANY,), STRING)
def duration(seconds: Any) -> str:
    """Seconds as Go duration text; only a string or an int64 is read (an int is 0)."""
    if type(seconds) is str:
        n = clamped_int10(seconds)
    elif type(seconds) is Int64:
        n = int(seconds)
    else:
        n = 0
    return format_duration(wrap_int64(n * _NS))


_ROUND_UNITS = (
    (365 * 24 * 3600 * _NS, "y"), (30 * 24 * 3600 * _NS, "mo"), (24 * 3600 * _NS, "d"),
    (3600 * _NS, "h"), (60 * _NS, "m"), (_NS, "s"),
)


@define(FUNCTIONS, "durationRound", (ANY,), STRING)
def duration_round(value: Any) -> str:
    """A rough, single-unit duration (``2h``, ``3mo``) of a duration string, ns or time."""
    if type(value) is str:
        try:
            ns = parse_duration(value)
        except GoError:
            ns = 0
    elif type(value) is Int64:
        ns = int(value)
    elif isinstance(value, datetime):
        ns = _since(value)
    else:
        ns = 0
    magnitude = abs(ns)
    for size, unit in _ROUND_UNITS:
        if magnitude > size:
            return f"{magnitude // size}{unit}"
    return "0s"
