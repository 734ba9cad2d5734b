"""Numbers read from text: a million digits parse in linear time and to Go's answers.

Python's ``int()`` refuses decimal strings of more than 4300 digits (a
ValueError that leaked into the render), and a pattern with two ways to take
each digit backtracked for ever on a long number followed by a letter.
Expected values are what Go's template engine gives for the same inputs.
"""

from __future__ import annotations

import pytest

from dockergen.helpers.nginx import nginxMustParseHSTS
from dockergen.helpers.sort import sortObjectsByKeysAsc
from dockergen.helpers.yamlfmt import mustFromYaml, toYaml

from .support import go, go_error

NINES = "9" * 100_000
PADDED = "0" * 100_000 + "42"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (NINES, "9223372036854775807 0 0 0 1"),  # atoi clamps; the others fail to 0
        (PADDED, "42 34 34 42 35"),  # a leading 0 makes toInt64 read octal, as in Go
        ("-" + PADDED, "-42 -34 -34 -42 -33"),
    ],
)
def test_long_integers_convert_as_in_go(value: str, expected: str) -> None:
    template = "{{ atoi .X }} {{ int .X }} {{ int64 .X }} {{ float64 .X }} {{ add .X 1 }}"
    assert go(template, X=value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "1" * 5000 + "x",  # each split of the digit run between two parts was tried: 2**5000 ways
        "1_" * 3000 + "x",
        "0x" + "1" * 50000 + "!",
        "." + "1" * 50000 + "e",
    ],
)
def test_a_long_number_that_is_not_one_fails_fast(value: str) -> None:
    assert go("{{ float64 .X }} {{ int64 .X }} {{ addf .X 1 }}", X=value) == "0 0 1"


def test_float_digits_beyond_any_precision_still_round() -> None:
    assert go("{{ float64 .X }}", X="0." + "5" * 100_000) == "0.5555555555555556"
    assert go("{{ float64 .X }}", X=NINES) == "0"  # +Inf is an error, which gives 0


def test_durations_of_many_digits() -> None:
    assert go("{{ duration .X }}", X=NINES) == "-1s"  # clamped to int64, then times 1e9 wraps
    assert go("{{ duration .X }}", X="0" * 100_000 + "90") == "1m30s"
    assert go("{{ toDecimal .X }}", X="0" * 100_000 + "777") == "511"


def test_validation_helpers_read_leading_zeros() -> None:
    assert go("{{ mustBeIntInRange 1 50 .X }}", X="0" * 10 + "42") == "0" * 10 + "42"
    assert go("{{ mustBeInt .X | len }}", X=PADDED) == "100002"
    assert 'value must be an integer; got "999' in go_error("{{ mustBeInt .X }}", X=NINES)
    assert nginxMustParseHSTS("max-age=" + "0" * 100_000 + "5") == "max-age=5"
    with pytest.raises(Exception, match="invalid Strict-Transport-Security max-age directive"):
        nginxMustParseHSTS("max-age=" + NINES)


def test_sorting_by_a_huge_number_compares_it_as_text() -> None:
    items = [{"k": "5"}, {"k": NINES}, {"k": "10"}]
    assert [item["k"][:2] for item in sortObjectsByKeysAsc(items, "k")] == ["5", "10", "99"]


def test_yaml_numbers_beyond_64_bits_stay_text() -> None:
    assert mustFromYaml("a: " + NINES) == {"a": NINES}
    assert mustFromYaml("a: " + PADDED) == {"a": 34}  # octal, as yaml.v3 reads 0-prefixed digits
    assert mustFromYaml("a: 0x" + "0" * 100_000 + "ff") == {"a": 255}


def test_yaml_key_order_compares_long_digit_runs_in_int64() -> None:
    # yaml.v3 orders keys "naturally", reading digit runs as int64: as Python ints that
    # grew a digit at a time, 40 keys of 100 000 digits took hours to sort, and keys that
    # share a long prefix were compared a character at a time.
    keys = [str(i) + "7" * 100_000 for i in range(1, 41)] + ["x" * 100_000 + str(i) for i in range(40)]
    lines = toYaml({key: i for i, key in enumerate(keys)}).splitlines()
    # Go's order: the runs wrap to equal int64s, so the shorter run, then the smaller digit, wins.
    shown = [(line[:2], line.rsplit(": ", 1)[1]) for line in lines]
    assert shown[:3] + shown[8:11] == [("17", "0"), ("27", "1"), ("37", "2"), ("97", "8"), ("10", "9"), ("11", "10")]
    assert [line[-6:] for line in lines[40:43]] == ["x0: 40", "x1: 41", "x2: 42"]
    assert toYaml({"a10": 1, "a9": 2, "a" + NINES: 3}).splitlines()[0] == "a9: 2"
