"""Sorting helpers: vectors of section 10."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from dockergen.errors import HelperError
from dockergen.model import GoTime, RuntimeContainer
from dockergen.helpers.sort import (
    field_as_string,
    parse_go_int,
    sortObjectsByKeysAsc,
    sortObjectsByKeysDesc,
    sortStringsAsc,
    sortStringsDesc,
)
from template_support import render

UTC = timezone.utc
NUMBER = "com.docker.compose.container_number"


def test_sort_strings() -> None:
    values = ["foo", "bar", "baz", "qux"]
    assert sortStringsAsc(values) == ["bar", "baz", "foo", "qux"]
    assert sortStringsDesc(values) == ["qux", "foo", "baz", "bar"]
    # Go sorts in place; these return a new list and leave the input alone.
    assert values == ["foo", "bar", "baz", "qux"]


def test_sort_strings_byte_wise() -> None:
    assert sortStringsAsc(["b", "B", "a", "10", "9"]) == ["10", "9", "B", "a", "b"]
    assert sortStringsDesc(["b", "B", "a", "10", "9"]) == ["b", "a", "B", "9", "10"]


def test_sort_strings_refuses_non_strings() -> None:
    with pytest.raises(HelperError, match="sorts strings only"):
        sortStringsAsc(["a", 1])
    with pytest.raises(HelperError, match="must pass an array or slice"):
        sortStringsAsc("abc")


def test_sort_strings_accepts_any_list() -> None:
    # Go rejects `keys`/`list` results (generic lists); Python lists have no
    # element type, so they sort fine (difference: typed vs generic lists).
    assert render('{{ sortStringsAsc(keys(dict("b", 1, "a", 2))) }}') == "['a', 'b']"
    assert render("{{ ['b', 'a']|sortStringsDesc }}") == "['b', 'a']"


@dataclass
class Fields:
    String: str = "foo"
    BoolT: bool = True
    BoolF: bool = False
    Int: int = 42
    Int32: int = 43
    Int64: int = 44
    Time: datetime = GoTime(2023, 12, 19, tzinfo=UTC)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("String", "foo"),
        ("BoolT", "true"),
        ("BoolF", "false"),
        ("Int", "42"),
        ("Int32", "43"),
        ("Int64", "44"),
        ("Time", "2023-12-19 00:00:00 +0000 UTC"),
        ("InvalidField", ""),
    ],
)
def test_field_as_string(field: str, expected: str) -> None:
    assert field_as_string(getattr(Fields(), field, None)) == expected


def test_field_as_string_other_types() -> None:
    assert field_as_string(datetime(2023, 12, 19, tzinfo=UTC)) == "2023-12-19 00:00:00 +0000 UTC"
    assert field_as_string(1.5) == ""
    assert field_as_string(None) == ""
    assert field_as_string(["a"]) == ""


O0 = RuntimeContainer(ID="11", Created=GoTime(2020, 1, 2, tzinfo=UTC), Env={"VIRTUAL_HOST": "bar.localhost"}, Labels={NUMBER: "1"})
O1 = RuntimeContainer(ID="1", Created=GoTime(2021, 1, 2, 0, 0, 10, tzinfo=UTC), Env={"VIRTUAL_HOST": "foo.localhost"}, Labels={NUMBER: "11"})
O2 = RuntimeContainer(ID="3", Created=GoTime(2021, 1, 2, tzinfo=UTC), Env={"VIRTUAL_HOST": "baz.localhost"}, Labels={})
O3 = RuntimeContainer(ID="8", Created=GoTime(2020, 1, 1, tzinfo=UTC), Env={}, Labels={NUMBER: "2"})


@pytest.mark.parametrize(
    ("func", "key", "expected"),
    [
        (sortObjectsByKeysAsc, "ID", [O1, O2, O3, O0]),
        (sortObjectsByKeysDesc, "ID", [O0, O3, O2, O1]),
        (sortObjectsByKeysAsc, "Env.VIRTUAL_HOST", [O3, O0, O2, O1]),
        (sortObjectsByKeysDesc, "Env.VIRTUAL_HOST", [O1, O2, O0, O3]),
        (sortObjectsByKeysAsc, f"Labels.{NUMBER}", [O2, O0, O3, O1]),
        (sortObjectsByKeysDesc, f"Labels.{NUMBER}", [O1, O3, O0, O2]),
        (sortObjectsByKeysAsc, "Created", [O3, O0, O2, O1]),
        (sortObjectsByKeysDesc, "Created", [O1, O2, O0, O3]),
    ],
)
def test_sort_objects(func: object, key: str, expected: list[RuntimeContainer]) -> None:
    objects = [O0, O1, O2, O3]
    result = func(objects, key)  # type: ignore[operator]
    assert [o.ID for o in result] == [o.ID for o in expected]
    assert objects == [O0, O1, O2, O3]  # input left unmodified
    assert result is not objects


def test_sort_objects_extra_vectors() -> None:
    without = RuntimeContainer(ID="a", Env={})
    with_port = RuntimeContainer(ID="b", Env={"PORT": "80"})
    assert sortObjectsByKeysAsc([with_port, without], "Env.PORT") == [without, with_port]
    assert sortObjectsByKeysDesc([without, with_port], "Env.PORT") == [with_port, without]
    # Ties keep input order in both directions (stable sort, reversed comparator).
    pair = [with_port, without]
    assert sortObjectsByKeysAsc(pair, "Env.NOPE") == pair
    assert sortObjectsByKeysDesc(pair, "Env.NOPE") == pair


def test_sort_objects_numeric_only_when_both_are_integers() -> None:
    items = [{"k": "10"}, {"k": "9"}, {"k": "-1"}, {"k": "+5"}]
    assert [i["k"] for i in sortObjectsByKeysAsc(items, "k")] == ["-1", "+5", "9", "10"]
    mixed = [{"k": "b"}, {"k": "10"}, {"k": "a"}]
    assert [i["k"] for i in sortObjectsByKeysAsc(mixed, "k")] == ["10", "a", "b"]


def test_sort_objects_in_templates() -> None:
    source = '{{ c|sortObjectsByKeysDesc("ID")|map(attribute="ID")|join(",") }}'
    assert render(source, c=[O0, O1, O2, O3]) == "11,8,3,1"
    with pytest.raises(HelperError, match="must pass an array or slice"):
        render('{{ sortObjectsByKeysAsc("x", "ID") }}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-42", -42),
        ("+5", 5),
        ("007", 7),
        (" 5", None),
        ("5_000", None),
        ("", None),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("-9223372036854775808", -(2**63)),
        ("٣", None),  # Arabic-Indic digit: int() accepts it, Go does not
    ],
)
def test_parse_go_int(text: str, expected: int | None) -> None:
    assert parse_go_int(text) == expected
