"""String helpers: counts and texts that multiply each other are bounded, scans stay linear."""

from __future__ import annotations

import pytest

from dockergen.helpers.functions import comment, replace, sprigReplace
from dockergen.limits import MAX_TEXT, LimitError

from .support import go, go_error

BIG = 10**12  # a count a label can carry: Go would try to allocate it


@pytest.mark.parametrize(
    ("template", "function"),
    [
        ('{{ repeat (atoi .N) "ab" }}', "repeat"),
        ('{{ indent (atoi .N) "x" }}', "repeat"),  # its padding is a repeat
        ('{{ nindent (atoi .N) "x" }}', "repeat"),
        ("{{ randAlphaNum (atoi .N) }}", "randAlphaNum"),
        ("{{ randAlpha (atoi .N) }}", "randAlpha"),
        ("{{ randNumeric (atoi .N) }}", "randNumeric"),
        ("{{ randAscii (atoi .N) }}", "randAscii"),
        ("{{ randBytes (atoi .N) }}", "randBytes"),
    ],
)
def test_a_huge_count_is_refused(template: str, function: str) -> None:
    message = go_error(template, N=str(BIG))
    assert f"error calling {template.split()[1]}: {function}: a result of" in message
    assert f"exceeds dockergen's limit of {MAX_TEXT}" in message


def test_counts_within_the_limit_still_work() -> None:
    assert go('{{ repeat (atoi .N) "ab" | len }}', N="1000000") == "2000000"
    text = go("{{ randAlphaNum 100000 }}")
    assert len(text) == 100000 and text.isalnum() and text.isascii()
    assert set(go("{{ randNumeric 5000 }}")) == set("0123456789")  # every digit drawn


@pytest.mark.parametrize(
    "template",
    [
        "{{ indent 100000 .T }}",  # 100 000 spaces after each of 3000 newlines: 300 MB
        "{{ nindent 100000 .T }}",
        "{{ wrapWith 1 .S .S }}",  # a 3000-byte separator after each of 3000 characters
        "{{ sprigReplace .E .S .S }}",  # "" matches between every two characters
        '{{ replace .S .E .S -1 }}',
        "{{ comment .S .T }}",
    ],
)
def test_a_text_multiplied_by_a_text_is_refused(template: str) -> None:
    message = go_error(template, T="\n" * 3000, S="a" * 6000, E="")
    assert "exceeds dockergen's limit of" in message


def test_products_below_the_limit_are_exact() -> None:
    assert go("{{ indent 4 .T }}", T="a\nb") == "    a\n    b"
    assert go("{{ wrapWith 2 .S .T }}", S="|", T="abcdef") == "ab|cd|ef"
    assert go('{{ sprigReplace "" "-" "abc" }}') == "-a-b-c-"


def test_shared_replace_helpers_check_before_building() -> None:
    big = "x" * 5000
    for call in (
        lambda: replace(big, "", big),
        lambda: sprigReplace("", big, big),
        lambda: comment(big, "\n" * 5000),
    ):
        with pytest.raises(LimitError, match="dockergen's limit"):
            call()
    assert replace("aaa", "a", "bb", 2) == "bbbba"  # a count keeps the result small: allowed


def test_trim_all_with_a_long_cut_set_is_linear() -> None:
    # str.strip scans the whole cut set per stripped character: 9 * 10**12 steps here.
    cutset = "b" * 3_000_000 + "a"
    assert go("{{ trimAll .C .T | len }}", C=cutset, T="a" * 3_000_000 + "z" + "a" * 10) == "1"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ substr 1000000000000 2000000000000 .T | len }}", None),  # Go's slice-bounds error
        ("{{ trunc 1000000000000 .T | len }}", "100000"),
        ("{{ abbrev 1000000000000 .T | len }}", "100000"),
        ("{{ abbrevboth 1000000000000 2000000000000 .T | len }}", "100000"),
        ('{{ splitn "," 1000000000000 .T | len }}', "1"),
        ('{{ splitN .T "," 1000000000000 | len }}', "1"),
        ("{{ wrap 1000000000000 .T | len }}", "100000"),
    ],
)
def test_huge_numbers_that_only_cut_are_already_bounded(template: str, expected: str | None) -> None:
    if expected is None:
        assert "slice bounds out of range" in go_error(template, T="a" * 100000)
    else:
        assert go(template, T="a" * 100000) == expected
