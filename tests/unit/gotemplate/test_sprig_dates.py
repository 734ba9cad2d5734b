"""Sprig date functions (spec §9.12): Go layouts, zones and durations."""

import re

import pytest

from dockergen.gotemplate.errors import GoError
from dockergen.gotemplate.sprig import dates
from dockergen.gotemplate.sprig.dates import FUNCTIONS, format_duration, parse_duration
from dockergen.gotemplate.values import Int64
from dockergen.model import GoTime

F = {name: fn.call for name, fn in FUNCTIONS.items()}


@pytest.fixture(autouse=True)
def _utc(monkeypatch):
    monkeypatch.setenv("TZ", "UTC")


def t0():
    return F["toDate"]("2006-01-02 15:04:05", "2024-03-01 09:15:30")


def test_to_date_prints_like_go():
    assert str(F["toDate"]("2006-01-02", "2024-03-01")) == "2024-03-01 00:00:00 +0000 UTC"
    parsed = F["toDate"]("2006-01-02T15:04:05Z07:00", "2024-03-01T10:00:00+02:00")
    assert str(parsed) == "2024-03-01 10:00:00 +0200 +0200"
    assert str(F["toDate"]("2006-01-02", "not a date")) == "0001-01-01 00:00:00 +0000 UTC"
    assert str(F["mustToDate"]("02/01/2006", "31/12/2023")) == "2023-12-31 00:00:00 +0000 UTC"


@pytest.mark.parametrize(
    "layout, value, message",
    [
        ("2006-01-02", "2024-13-01", 'parsing time "2024-13-01": month out of range'),
        ("2006-01-02", "bad", 'parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006"'),
        ("2006-01-02", "2024-02-30", 'parsing time "2024-02-30": day out of range'),
        ("2006", "2024x", 'parsing time "2024x": extra text: "x"'),
        ("2006-01", "2024/01", 'parsing time "2024/01" as "2006-01": cannot parse "/01" as "-"'),
    ],
)
def test_must_to_date_errors(layout, value, message):
    with pytest.raises(GoError) as info:
        F["mustToDate"](layout, value)
    assert str(info.value) == message


def test_layout_elements():
    t = t0()
    assert F["date"]("2006-01-02 15:04:05 MST", t) == "2024-03-01 09:15:30 UTC"
    assert F["date"]("Mon Jan 2 3:04PM", t) == "Fri Mar 1 9:15AM"
    layout = "Monday January 2 2006 03:04:05.000 PM -07:00 Z07:00 MST .999 _2 002"
    assert F["date"](layout, t) == "Friday March 1 2024 09:15:30.000 AM +00:00 Z UTC   1 061"
    created = GoTime.parse("2024-03-01T09:15:30.123456789Z")
    assert F["date"]("2006-01-02T15:04:05.000Z07:00", created) == "2024-03-01T09:15:30.123Z"
    assert F["date"]("05.999999999|05,000000", created) == "30.123456789|30,123456"
    assert F["date"]("Jan _2", created) == "Mar  1"
    assert F["date"]("2006-01-02 15:04 -0700", GoTime.parse("2024-06-30T23:59:59+02:00")) == "2024-06-30 21:59 +0000"


def test_unix_seconds_and_now():
    assert F["date"]("2006-01-02 15:04:05", 1700000000) == "2023-11-14 22:13:20"
    assert F["date"]("2006", Int64(0)) == "1970"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", F["date"]("2006-01-02", "2024-03-01"))
    assert F["htmlDate"](86400) == "1970-01-02"
    text = str(F["now"]())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+0000 UTC m=\+\d+\.\d{9}", text)


def test_zones():
    t = t0()
    assert F["dateInZone"]("2006-01-02 15:04 MST", t, "America/New_York") == "2024-03-01 04:15 EST"
    assert F["dateInZone"]("15:04 -0700", t, "Asia/Kolkata") == "14:45 +0530"
    assert F["dateInZone"]("15:04 MST", t, "Mars/Olympus") == "09:15 UTC"
    assert F["date_in_zone"]("15:04 MST", 0, "Asia/Tokyo") == "09:00 JST"
    assert F["htmlDateInZone"](F["toDate"]("2006-01-02 15:04", "2024-03-01 01:00"), "America/Los_Angeles") == "2024-02-29"


def test_date_modify():
    t = t0()
    assert str(F["dateModify"]("+1h30m", t)) == "2024-03-01 10:45:30 +0000 UTC"
    assert str(F["dateModify"]("1 day", t)) == "2024-03-01 09:15:30 +0000 UTC"
    assert F["date"]("15:04", F["date_modify"]("-1.5h", t)) == "07:45"
    with pytest.raises(GoError, match='^time: unknown unit "d" in duration "1d"$'):
        F["mustDateModify"]("1d", t)
    with pytest.raises(GoError, match='^time: invalid duration ""$'):
        F["must_date_modify"]("", t)


def test_durations():
    assert [F["duration"](x) for x in ("3661", Int64(90), 3661, "x", "0", "-61", "864000")] == [
        "1h1m1s", "1m30s", "0s", "0s", "0s", "-1m1s", "240h0m0s"]
    rounded = [F["durationRound"](x) for x in ("2h10m", "3d", "800h", "9000h", "59s", "1s", "-3h", Int64(90 * 10**9), 5)]
    assert rounded == ["2h", "0s", "1mo", "1y", "59s", "0s", "3h", "1m", "0s"]
    assert [format_duration(x) for x in (0, 1, 1500, 1_500_000, 1_500_000_000, -(2**63))] == [
        "0s", "1ns", "1.5µs", "1.5ms", "1.5s", "-2562047h47m16.854775808s"]
    assert parse_duration("1.5h") == 5400 * 10**9
    assert parse_duration("1h2m3s4ms5us6ns") == 3723004005006
    assert parse_duration("2µs") == 2000


def test_ago_and_epoch():
    assert re.fullmatch(r"\d+h\d+m\d+s", F["ago"](t0()))
    assert F["ago"](F["toDate"]("2006", "2999")) == "-2562047h47m16.854775808s"
    assert F["ago"]("x") == "0s"
    assert F["unixEpoch"](t0()) == "1709284530"


def test_format_time_text_rules():
    assert dates.format_time(t0(), "pm") == "am"
    assert dates.format_time(t0(), "Month Janet Jan") == "Month Janet Mar"
