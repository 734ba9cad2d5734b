"""Lists and loops a count asks for are bounded; uniq no longer compares every pair."""

from __future__ import annotations

import json

import pytest

from dockergen.limits import MAX_COMPARISONS, MAX_ITEMS, LimitError

from .support import go, go_error, jinja, jinja_error


@pytest.mark.parametrize(
    ("template", "refused"),
    [
        ("{{ until (atoi .N) }}", "until: 1000000000000 elements"),
        ("{{ untilStep 0 (atoi .N) 1 }}", "untilStep: 1000000000000 elements"),
        ("{{ untilStep (atoi .N) 0 -1 }}", "untilStep: 1000000000000 elements"),
        ("{{ seq (atoi .N) }}", "seq: 1000000000000 elements"),
        ("{{ seq 1 2 (atoi .N) }}", "seq: 500000000000 elements"),
    ],
)
def test_a_sequence_longer_than_the_limit_is_refused(template: str, refused: str) -> None:
    assert f"{refused} exceed dockergen's limit of {MAX_ITEMS}" in go_error(template, N=str(10**12))


def test_the_limit_counts_elements_not_the_range_they_span() -> None:
    assert go("{{ untilStep 0 (atoi .N) 100000000000 }}", N=str(10**12)) == (
        "[0 100000000000 200000000000 300000000000 400000000000 500000000000 600000000000 700000000000 "
        "800000000000 900000000000]"
    )
    assert go("{{ until 1000000 | len }}") == "1000000"


def test_range_over_a_huge_integer_is_refused_before_looping() -> None:
    message = go_error("{{ range atoi .N }}x{{ end }}", N=str(10**12))
    assert message.startswith('template: t:1:14: executing "t" at <.N>: range: 1000000000000 elements')
    assert go("{{ range atoi .N }}x{{ end }}", N="3") == "xxx"


def test_jinja_range_is_bounded_too() -> None:
    assert "range: 1000000000000 elements" in jinja_error(
        "{% for i in range(n|int) %}x{% endfor %}", LimitError, n=str(10**12)
    )
    assert jinja("{% for i in range(1, 10, 4) %}{{ i }}{% endfor %}") == "159"


def test_uniq_of_many_distinct_strings_is_linear() -> None:
    # Every item compared with every kept one: 2 * 10**10 comparisons for 200 000 items.
    values = ",".join(f"v{i % 200000}" for i in range(220000))
    assert go('{{ $u := uniq (splitList "," .V) }}{{ len $u }} {{ first $u }} {{ last $u }}', V=values) == (
        "200000 v0 v199999"
    )


def test_uniq_keeps_go_types_apart() -> None:
    assert go('{{ uniq (list 1 "1" 1 (int64 1) 1.0 true "1" (int64 1)) }}') == "[1 1 1 1 true]"
    assert go("{{ uniq (list (list 1) (list 1) (dict) (dict)) }}") == "[[1] map[]]"


def test_uniq_of_many_maps_stays_within_the_comparison_budget() -> None:
    # Maps cannot be hashed: they are compared one by one, at most MAX_COMPARISONS times.
    many = json.dumps([{"k": i} for i in range(20000)])  # 2 * 10**8 comparisons: minutes
    message = go_error("{{ uniq (parseJson .V) | len }}", V=many)
    assert f"comparisons exceed dockergen's limit of {MAX_COMPARISONS}" in message
    few = json.dumps([{"k": i % 100} for i in range(500)])
    assert go("{{ uniq (parseJson .V) | len }}", V=few) == "100"
