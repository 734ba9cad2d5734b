"""Methods of Go's ``time.Time`` that templates call: ``.Created.Format "2006-01-02"``, ``.Unix``...

docker-gen's ``Created`` is a ``time.Time``, and templates use its methods
directly.  Layout formatting is Sprig's date code (:mod:`.sprig.dates`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from .values import (
    BOOL, DURATION, INT, INT64, STRING, TIME, GoType, Int64, Method, register_methods, register_type,
)

__all__ = ["Month", "Weekday", "MONTH", "WEEKDAY"]

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
    aware = t if t.tzinfo is not None else t.replace(tzinfo=timezone.utc)
    delta = aware - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta.days * 86400 + delta.seconds


def _format(t: datetime, layout: str) -> str:
    from .sprig.dates import format_time

    return format_time(t, layout)


def _add(t: datetime, d: int) -> Any:
    from .sprig.dates import time_from_ns, time_to_ns

    return time_from_ns(time_to_ns(t) + int(d), t.tzinfo or timezone.utc)


def _sub(t: datetime, u: datetime) -> Any:
    from .sprig.dates import time_to_ns
    from .values import Duration

    return Duration(time_to_ns(t) - time_to_ns(u))


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


register_methods(TIME, [
    Method("String", lambda t: str(t), (), STRING),
    Method("Format", _format, (STRING,), STRING),
    Method("Unix", lambda t: Int64(_seconds(t)), (), INT64),
    Method("UnixMilli", lambda t: Int64(_seconds(t) * 1000 + _ns(t) // 1_000_000), (), INT64),
    Method("UnixMicro", lambda t: Int64(_seconds(t) * 1_000_000 + _ns(t) // 1000), (), INT64),
    Method("UnixNano", lambda t: Int64(_seconds(t) * _NS + _ns(t)), (), INT64),
    Method("Nanosecond", lambda t: _ns(t), (), INT),
    Method("Second", lambda t: t.second, (), INT),
    Method("Minute", lambda t: t.minute, (), INT),
    Method("Hour", lambda t: t.hour, (), INT),
    Method("Day", lambda t: t.day, (), INT),
    Method("Month", lambda t: Month(t.month), (), MONTH),
    Method("Year", lambda t: t.year, (), INT),
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
