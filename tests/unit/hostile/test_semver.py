"""Versions and constraints: no backtracking blow-up, a length bound, Go's number rules."""

from __future__ import annotations

import pytest

from dockergen.limits import MAX_VERSION

from .support import go, go_error


@pytest.mark.parametrize(
    "constraint",
    [
        "1" + "  1" * 40 + "!",  # two ways to split each double blank: 2**40 tries
        ">1" + "\t\n" * 40 + "<2!",
        "1 , 1" * 40 + "!",
    ],
)
def test_an_improper_constraint_fails_fast(constraint: str) -> None:
    message = go_error('{{ semverCompare .C "1.0.0" }}', C=constraint)
    assert "error calling semverCompare: improper constraint:" in message


def test_long_runs_within_the_bound_are_parsed_in_linear_time() -> None:
    # 10 000 digits took 9 s (cubic) in the range pattern; this is the longest constraint allowed.
    assert go_error('{{ semverCompare .C "1.0.0" }}', C="1" * MAX_VERSION).endswith("constraint Parser Error")
    blanks = ">=1" + " " * (MAX_VERSION - 6) + "<2"
    assert go('{{ semverCompare .C "1.5.0" }}', C=blanks) == "true"
    assert go('{{ semverCompare .C "1.0.0" }}', C="1 - 2 || " * 400 + "1 - 2") == "true"


@pytest.mark.parametrize(
    ("template", "what"),
    [
        ('{{ semverCompare .C "1.0.0" }}', "a constraint of 1000000 characters"),
        ('{{ semverCompare ">1" .C }}', "a version of 1000000 characters"),
    ],
)
def test_a_longer_text_is_refused(template: str, what: str) -> None:
    message = go_error(template, C="1" * 1_000_000)
    assert f"semverCompare: {what} exceeds dockergen's limit of {MAX_VERSION}" in message
    assert "semver: a version of 1000000 characters" in go_error("{{ semver .C }}", C="1" * 1_000_000)


def test_numbers_beyond_uint64_follow_go() -> None:
    # Go parses segments with ParseUint: leading zeros are fine, more than 64 bits is not,
    # and a prerelease number beyond 64 bits compares as text ("1000..." < "9999...").
    assert go("{{ (semver .V).Major }}", V="0" * 3000 + "7.1.2") == "7"
    assert "strconv.ParseUint: parsing" in go_error("{{ semver .V }}", V="9" * 3000 + ".1.2")
    newer = "1.0.0-" + "1" + "0" * 3000
    older = "1.0.0-" + "9" * 3000
    assert go("{{ semverCompare (printf \">%s\" .O) .N }}", O=older, N=newer) == "false"
