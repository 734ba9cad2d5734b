"""Methods of Go's ``time.Time`` that templates call: ``.Created.Format "2006-01-02"``, ``.Unix``...

docker-gen's ``Created`` is a ``time.Time``, and templates use its methods
directly.  Layout formatting is Sprig's date code (:mod:`.sprig.dates`).
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from .errors import GoError
from .values import (
    BOOL, BYTES, DURATION, INT, INT64, STRING, TIME, UINT8, GoSlice, GoType, Int64, Method, Pointer, Uint8,
    pointer_to, register_methods, register_struct, register_type, slice_of,
)

__all__ = ["Month", "Weekday", "Location", "MONTH", "WEEKDAY", "LOCATION"]

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


class Month(int):
    """``time.Month``: prints as its English name."""

    __slots__ = ()


class Weekday(int):
    """``time.Weekday``: prints as its English name."""

    __slots__ = ()


MONTH = GoType("int", "time.Month")
WEEKDAY = GoType("int", "time.Weekday")
register_type(Month, MONTH)
register_type(Weekday, WEEKDAY)
register_methods(MONTH, [Method("String", lambda m: _MONTHS[m - 1] if 1 <= m <= 12 else f"%!Month({int(m)})",
                                (), STRING)])
register_methods(WEEKDAY, [Method("String", lambda d: _DAYS[d] if 0 <= d <= 6 else f"%!Weekday({int(d)})",
                                  (), STRING)])

_NS = 1_000_000_000


def _ns(t: datetime) -> int:
    return int(getattr(t, "nanosecond", t.microsecond * 1000))


def _seconds(t: datetime) -> int:
    from .sprig.dates import time_to_ns

    return time_to_ns(t) // _NS


def _wrap64(n: int) -> int:
    return (n + (1 << 63)) % (1 << 64) - (1 << 63)


def _format(t: datetime, layout: str) -> str:
    from .sprig.dates import format_time

    return format_time(t, layout)


def _add(t: datetime, d: int) -> Any:
    from .sprig.dates import time_from_ns, time_to_ns

    return time_from_ns(time_to_ns(t) + int(d), t.tzinfo or timezone.utc)


def _sub(t: datetime, u: datetime) -> Any:
    from .sprig.dates import time_to_ns
    from .values import Duration

    # Go saturates a difference beyond time.Duration's range at its minimum or maximum.
    return Duration(max(-(1 << 63), min((1 << 63) - 1, time_to_ns(t) - time_to_ns(u))))


def _in_utc(t: datetime) -> Any:
    from .sprig.dates import time_from_ns, time_to_ns

    return time_from_ns(time_to_ns(t), timezone.utc)


def _local(t: datetime) -> Any:
    from .sprig.dates import local_zone, time_from_ns, time_to_ns

    return time_from_ns(time_to_ns(t), local_zone())


def _is_zero(t: datetime) -> bool:
    return _seconds(t) == _seconds(datetime(1, 1, 1, tzinfo=timezone.utc)) and _ns(t) == 0


def _cmp(a: datetime, b: datetime) -> int:
    from .sprig.dates import time_to_ns

    x, y = time_to_ns(a), time_to_ns(b)
    return (x > y) - (x < y)


class Location:
    """A ``*time.Location``: Go's struct, as far as UTC and fixed zones show it (its
    unexported fields print with ``%v`` and ``%#v``; JSON and YAML see none).

    A fixed zone (``time.FixedZone``: an offset parsed from a time) has one zone, in
    force from the beginning of time, and caches it for all time; UTC and Local hold
    none.  A zone of the tz database (Local from ``TZ``) shows only its name.
    """

    def __init__(self, zone: Any) -> None:
        from .sprig.dates import is_local

        self.tzinfo = zone  # None for UTC
        self.name = _zone_name(zone)
        self.zone = self.tx = self.cacheZone = None
        self.extend = ""
        self.cacheStart = self.cacheEnd = Int64(0)
        if isinstance(zone, timezone) and zone is not timezone.utc and not is_local(zone):
            fixed = _Zone(self.name, int(zone.utcoffset(None).total_seconds()))
            self.zone = GoSlice(_ZONES, [fixed])
            self.tx = GoSlice(_TRANSITIONS, [_ZoneTrans()])
            self.cacheStart, self.cacheEnd = Int64(-(1 << 63)), Int64((1 << 63) - 1)
            self.cacheZone = Pointer(fixed, _ZONE_POINTER)


class _Zone:
    """Go's ``time.zone``: a zone's abbreviation and offset."""

    def __init__(self, name: str, offset: int) -> None:
        self.name = name
        self.offset = offset
        self.isDST = False


class _ZoneTrans:
    """Go's ``time.zoneTrans``: the transition a fixed zone has, at the beginning of time."""

    def __init__(self) -> None:
        self.when = Int64(-(1 << 63))
        self.index = Uint8(0)
        self.isstd = self.isutc = False


def _zone_name(zone: Any) -> str:
    if zone is None or zone is timezone.utc:
        return "UTC"
    key = getattr(zone, "key", None)
    if key is not None:
        return key
    name = zone.tzname(None) or ""
    return "" if name.startswith("UTC") and len(name) > 3 else name  # an unnamed fixed offset


_ZONE = register_struct(_Zone, "time.zone", [("name", STRING), ("offset", INT), ("isDST", BOOL)])
_ZONE_POINTER = pointer_to(_ZONE)
_ZONES = slice_of(_ZONE)
_TRANSITIONS = slice_of(register_struct(
    _ZoneTrans, "time.zoneTrans", [("when", INT64), ("index", UINT8), ("isstd", BOOL), ("isutc", BOOL)],
))
LOCATION_STRUCT = register_struct(
    Location, "time.Location",
    [("name", STRING), ("zone", _ZONES), ("tx", _TRANSITIONS),
     ("extend", STRING), ("cacheStart", INT64), ("cacheEnd", INT64), ("cacheZone", _ZONE_POINTER)],
    pointer=True,
    methods=[Method("String", lambda loc: loc.name, (), STRING, pointer_receiver=True)],
)
LOCATION = pointer_to(LOCATION_STRUCT)


def _location(t: datetime) -> Location:
    zone = t.tzinfo
    return Location(None if zone is None or zone is timezone.utc else zone)


def _in(t: datetime, location: Any) -> Any:
    from .sprig.dates import time_from_ns, time_to_ns

    if not isinstance(location, Location):
        raise GoError("time: missing Location in call to Time.In")
    return time_from_ns(time_to_ns(t), location.tzinfo or timezone.utc)


_ZERO_TO_UNIX_NS = 62135596800 * _NS  # Truncate and Round count from Go's zero time, 0001-01-01


def _truncate(t: datetime, d: int) -> Any:
    if d <= 0:
        return _add(t, 0)
    return _add(t, -((_time_ns(t) + _ZERO_TO_UNIX_NS) % d))


def _round(t: datetime, d: int) -> Any:
    if d <= 0:
        return _add(t, 0)
    r = (_time_ns(t) + _ZERO_TO_UNIX_NS) % d
    return _add(t, -r if r + r < d else d - r)  # halfway rounds up


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date of any year."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = days // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _add_date(t: datetime, years: int, months: int, days: int) -> Any:
    """``AddDate``: time.Date normalises the month, then the day, then reads the wall clock."""
    from .sprig.dates import _wall_in, go_year

    total = t.month - 1 + months
    year = go_year(t) + years + total // 12
    year, month, day = _civil_from_days(_days_from_civil(year, total % 12 + 1, 1) + t.day - 1 + days)
    return _wall_in(year, month, day, t.hour, t.minute, t.second, _ns(t), t.tzinfo or timezone.utc)


def _marshal(t: datetime, what: str) -> bytes:
    from .sprig.dates import go_year
    from ..helpers.serialize import rfc3339

    if not 0 <= go_year(t) <= 9999:
        raise GoError(f"Time.{what}: year outside of range [0,9999]")
    text = rfc3339(t)
    return (f'"{text}"' if what == "MarshalJSON" else text).encode()


_ZERO_TO_UNIX_SECONDS = 62135596800


def _marshal_binary(t: datetime) -> bytes:
    """``MarshalBinary`` (and ``GobEncode``): version, seconds since year 1, nanoseconds,
    the zone offset in minutes (-1 for UTC itself), and its seconds in version 2."""
    from .sprig.dates import is_local

    zone = t.tzinfo
    seconds = 0
    if (zone is None or zone is timezone.utc) and not is_local(zone):
        minutes = -1
    else:
        offset = int(t.utcoffset().total_seconds())  # type: ignore[union-attr]
        minutes, seconds = int(offset / 60), int(math.fmod(offset, 60))  # Go's division truncates
        if minutes == -1 or not -32768 <= minutes <= 32767:
            raise GoError("Time.MarshalBinary: unexpected zone offset")
    data = bytes([2 if seconds else 1]) + (_seconds(t) + _ZERO_TO_UNIX_SECONDS).to_bytes(8, "big", signed=True)
    data += _ns(t).to_bytes(4, "big") + minutes.to_bytes(2, "big", signed=True)
    return data + seconds.to_bytes(1, "big", signed=True) if seconds else data


def _append_text(t: datetime, b: Any) -> bytes:
    if not 0 <= _go_year(t) <= 9999:
        raise GoError("Time.AppendText: year outside of range [0,9999]")
    return bytes(b) + _marshal(t, "MarshalText")


def _go_year(t: datetime) -> int:
    from .sprig.dates import go_year

    return go_year(t)


def _refused(name: str, results: tuple[GoType, ...]) -> Method:
    """A method with results text/template cannot take: found, and refused as Go refuses it."""
    if len(results) > 2:
        reason = f"function {name} has {len(results)} return values; should be 1 or 2"
    else:
        reason = f"invalid function signature for {name}: second return value should be error; is {results[1]}"
    return Method(name, lambda t: None, (), results[0], refused=reason)


def _time_ns(t: datetime) -> int:
    from .sprig.dates import time_to_ns

    return time_to_ns(t)


register_methods(TIME, [
    Method("Location", _location, (), LOCATION),
    Method("In", _in, (LOCATION,), TIME),
    Method("Truncate", _truncate, (DURATION,), TIME),
    Method("Round", _round, (DURATION,), TIME),
    Method("AddDate", _add_date, (INT, INT, INT), TIME),
    Method("IsDST", lambda t: bool(t.dst()), (), BOOL),
    Method("GoString", lambda t: _gostring(t), (), STRING),
    Method("MarshalJSON", lambda t: _marshal(t, "MarshalJSON"), (), BYTES),
    Method("MarshalText", lambda t: _marshal(t, "MarshalText"), (), BYTES),
    Method("MarshalBinary", _marshal_binary, (), BYTES),
    Method("GobEncode", _marshal_binary, (), BYTES),
    Method("AppendFormat", lambda t, b, layout: bytes(b) + _format(t, layout).encode("utf-8", "surrogateescape"),
           (BYTES, STRING), BYTES),
    Method("AppendText", _append_text, (BYTES,), BYTES),
    Method("AppendBinary", lambda t, b: bytes(b) + _marshal_binary(t), (BYTES,), BYTES),
    _refused("Date", (INT, MONTH, INT)),
    _refused("Clock", (INT, INT, INT)),
    _refused("ISOWeek", (INT, INT)),
    _refused("Zone", (STRING, INT)),
    _refused("ZoneBounds", (TIME, TIME)),
])


def _gostring(t: datetime) -> str:
    from .fmt import _time_gostring

    return _time_gostring(t)


register_methods(TIME, [
    Method("String", lambda t: str(t), (), STRING),
    Method("Format", _format, (STRING,), STRING),
    Method("Unix", lambda t: Int64(_seconds(t)), (), INT64),
    Method("UnixMilli", lambda t: Int64(_seconds(t) * 1000 + _ns(t) // 1_000_000), (), INT64),
    Method("UnixMicro", lambda t: Int64(_seconds(t) * 1_000_000 + _ns(t) // 1000), (), INT64),
    Method("UnixNano", lambda t: Int64(_wrap64(_seconds(t) * _NS + _ns(t))), (), INT64),  # int64 arithmetic
    Method("Nanosecond", lambda t: _ns(t), (), INT),
    Method("Second", lambda t: t.second, (), INT),
    Method("Minute", lambda t: t.minute, (), INT),
    Method("Hour", lambda t: t.hour, (), INT),
    Method("Day", lambda t: t.day, (), INT),
    Method("Month", lambda t: Month(t.month), (), MONTH),
    Method("Year", lambda t: t.year + 400 * getattr(t, "cycles", 0), (), INT),
    Method("YearDay", lambda t: t.timetuple().tm_yday, (), INT),
    Method("Weekday", lambda t: Weekday((t.weekday() + 1) % 7), (), WEEKDAY),
    Method("IsZero", _is_zero, (), BOOL),
    Method("UTC", _in_utc, (), TIME),
    Method("Local", _local, (), TIME),
    Method("Add", _add, (DURATION,), TIME),
    Method("Sub", _sub, (TIME,), DURATION),
    Method("Before", lambda a, b: _cmp(a, b) < 0, (TIME,), BOOL),
    Method("After", lambda a, b: _cmp(a, b) > 0, (TIME,), BOOL),
    Method("Equal", lambda a, b: _cmp(a, b) == 0, (TIME,), BOOL),
    Method("Compare", lambda a, b: _cmp(a, b), (TIME,), INT),
])
