"""groupBy family: vectors of section 8 and the groupBy rows of section 18."""

from __future__ import annotations

import pytest

from dockergen.errors import HelperError
from dockergen.helpers.groupby import (
    groupBy,
    groupByKeys,
    groupByLabel,
    groupByLabelWithDefault,
    groupByMulti,
    groupByWithDefault,
)
from dockergen.model import GoTime, Health, RuntimeContainer, State
from dockergen.helpers.where import where
from template_support import render

C = RuntimeContainer
PROJECT = "com.docker.compose.project"


def ids(items: list[RuntimeContainer]) -> list[str]:
    return [item.ID for item in items]


@pytest.fixture
def g() -> list[RuntimeContainer]:
    return [
        C(ID="1", Env={"VIRTUAL_HOST": "demo1.localhost", "EXTERNAL": "true"}),
        C(ID="2", Env={"VIRTUAL_HOST": "demo1.localhost"}),
        C(ID="3", Env={"VIRTUAL_HOST": "demo2.localhost", "EXTERNAL": "true"}),
        C(ID="4", Env={}),
    ]


@pytest.fixture
def labelled() -> list[RuntimeContainer]:
    return [
        C(ID="1", Labels={PROJECT: "one"}),
        C(ID="2", Labels={PROJECT: "two"}),
        C(ID="3", Labels={PROJECT: "one"}),
        C(ID="4"),
        C(ID="5", Labels={PROJECT: ""}),
    ]


def test_group_by(g: list[RuntimeContainer]) -> None:
    groups = groupBy(g, "Env.VIRTUAL_HOST")
    assert len(groups) == 2
    assert ids(groups["demo1.localhost"]) == ["1", "2"]
    assert ids(groups["demo2.localhost"]) == ["3"]


def test_group_by_after_filtering(g: list[RuntimeContainer]) -> None:
    groups = groupBy(where(g, "Env.EXTERNAL", "true"), "Env.VIRTUAL_HOST")
    assert len(groups) == 2
    assert ids(groups["demo1.localhost"]) == ["1"]
    assert ids(groups["demo2.localhost"]) == ["3"]


def test_group_by_with_default(g: list[RuntimeContainer]) -> None:
    groups = groupByWithDefault(g, "Env.VIRTUAL_HOST", "default.localhost")
    assert len(groups) == 3
    assert len(groups["demo1.localhost"]) == 2
    assert len(groups["demo2.localhost"]) == 1
    assert ids(groups["default.localhost"]) == ["4"]


def test_group_by_keys(g: list[RuntimeContainer]) -> None:
    # Go returns these in random order; they come sorted here (difference 3).
    assert groupByKeys(g, "Env.VIRTUAL_HOST") == ["demo1.localhost", "demo2.localhost"]
    assert groupByKeys(g, "ID") == ["1", "2", "3", "4"]


@pytest.mark.parametrize("func", [groupBy, groupByKeys])
def test_group_by_refuses_non_lists(func: object) -> None:
    with pytest.raises(HelperError, match="must pass an array or slice"):
        func("string", "")  # type: ignore[operator]


def test_group_by_label(labelled: list[RuntimeContainer]) -> None:
    groups = groupByLabel(labelled, PROJECT)
    assert list(groups) == ["", "one", "two"]  # sorted keys (difference 3)
    assert ids(groups["one"]) == ["1", "3"]
    assert ids(groups[""]) == ["5"]
    assert ids(groups["two"]) == ["2"]


def test_group_by_label_with_default(labelled: list[RuntimeContainer]) -> None:
    groups = groupByLabelWithDefault(labelled, PROJECT, "default")
    assert len(groups) == 4
    assert len(groups["one"]) == 2
    assert len(groups["two"]) == 1
    assert len(groups[""]) == 1
    assert ids(groups["default"]) == ["4"]


def test_group_by_label_needs_containers() -> None:
    with pytest.raises(HelperError, match="no Labels"):
        groupByLabel(["foo", "bar", "baz"], "")
    with pytest.raises(HelperError, match="no Labels"):
        groupByLabelWithDefault(["foo", "bar", "baz"], "", "")


def test_group_by_multi() -> None:
    containers = [
        C(ID="1", Env={"VIRTUAL_HOST": "demo1.localhost"}),
        C(ID="2", Env={"VIRTUAL_HOST": "demo1.localhost,demo3.localhost"}),
        C(ID="3", Env={"VIRTUAL_HOST": "demo2.localhost"}),
        C(ID="4", Env={}),
    ]
    groups = groupByMulti(containers, "Env.VIRTUAL_HOST", ",")
    assert len(groups) == 3
    assert ids(groups["demo1.localhost"]) == ["1", "2"]
    assert ids(groups["demo2.localhost"]) == ["3"]
    assert ids(groups["demo3.localhost"]) == ["2"]


def test_group_by_multi_edge_cases() -> None:
    containers = [C(ID="1", Env={"H": "a,a"}), C(ID="2", Env={"H": ""})]
    groups = groupByMulti(containers, "Env.H", ",")
    assert ids(groups["a"]) == ["1", "1"]  # a repeated piece adds the item twice, as in Go
    assert ids(groups[""]) == ["2"]
    assert list(groupByMulti([C(ID="1", Env={"H": "ab"})], "Env.H", "")) == ["a", "b"]


def test_results_iterate_in_sorted_key_order() -> None:
    containers = [C(ID=str(i), Name=name) for i, name in enumerate(["zeta", "Alpha", "beta", "10", "9"])]
    assert list(groupBy(containers, "Name")) == ["10", "9", "Alpha", "beta", "zeta"]


def test_non_string_group_values_are_errors() -> None:
    with pytest.raises(HelperError, match="must be a string"):
        groupBy([C(State=State(Running=True))], "State.Running")
    with pytest.raises(HelperError, match="must be a string"):
        groupByMulti([{"n": 1}], "n", ",")


# Section 18 rows.

C1 = C(
    ID="1",
    Name="one",
    Env={"VIRTUAL_HOST": "a.com,b.com", "PORT": "80"},
    Labels={"com.example.foo": "x"},
    Created=GoTime(2023, 1, 2, 3, 4, 5, tzinfo=GoTime.zero().tzinfo),
    State=State(Running=True, Health=Health(Status="healthy")),
)
C2 = C(ID="2", Name="two", Env={"VIRTUAL_HOST": "b.com"})


def test_template_group_by_bool_is_an_error() -> None:
    with pytest.raises(HelperError):
        render('{{ groupBy(c, "State.Running") }}', c=[C1, C2])


def test_template_range_over_groups() -> None:
    source = '{% for k, v in groupBy(c, "Name").items() %}{{ k }}={{ v|length }};{% endfor %}'
    assert render(source, c=[C1, C2]) == "one=1;two=1;"
    # A dict iterates its keys, like Go's range with one variable.
    assert render('{% for k in c|groupBy("Name") %}{{ k }};{% endfor %}', c=[C1, C2]) == "one;two;"


def test_template_group_by_multi() -> None:
    assert render('{{ groupByMulti(c, "Env.VIRTUAL_HOST", ",")|length }}', c=[C1, C2]) == "2"
    assert render('{{ c|groupByMulti("Env.VIRTUAL_HOST", ",")|length }}', c=[C1, C2]) == "2"


def test_template_group_by_label_of_a_where_result() -> None:
    assert render('{{ groupByLabel(where(c, "ID", "1"), "com.example.foo")|length }}', c=[C1, C2]) == "1"
