"""Go's view of Unicode (dockergen/golang/unicode.py): Go 1.25 has Unicode 15.0's tables.

The engine-level cases (``%q``, ``js``, case conversions, identifiers) are golden
cases the real engine answered; these pin the table itself.
"""

from __future__ import annotations

import unicodedata

import pytest

from dockergen.golang.unicode import category, is_letter, is_print, is_space, trim_space


@pytest.mark.parametrize(("char", "expected"), [
    ("a", "Ll"), ("A", "Lu"), ("\u00b2", "No"), ("\u0663", "Nd"), (" ", "Zs"), ("\u0378", "Cn"),
    ("\U00011f04", "Lo"), ("\U00011f50", "Nd"), ("\U00011f43", "Po"), ("\U0001df25", "Ll"), ("\U0001e030", "Lm"),
    ("\U0001d2c0", "No"), ("\U0001fa75", "So"), ("\U00013439", "Cf"), ("\u0cf3", "Mc"), ("\U00031350", "Lo"),
    ("\U000323af", "Lo"), ("\U000323b0", "Cn"), ("\U00011f11", "Cn"),
])
def test_category_is_unicode_15(char: str, expected: str) -> None:
    assert category(char) == expected


def test_every_addition_is_unassigned_in_python_or_the_same() -> None:
    # The table only fills what Python's (older) data leaves unassigned.
    for char in ("\U00011f04", "\U00031350", "\U0001fa75"):
        assert unicodedata.category(char) in ("Cn", category(char))


@pytest.mark.parametrize(("char", "printable"), [
    ("a", True), (" ", True), ("\u00a0", False), ("\n", False), ("\U00011f04", True), ("\U0001fa75", True),
    ("\U00013439", False), ("\U00011f11", False),
])
def test_is_print(char: str, printable: bool) -> None:
    assert is_print(char) is printable


def test_letters_and_spaces() -> None:
    assert is_letter("\U0001e4d0") and not is_letter("\U0001e4f0")
    assert is_space("\u2028") and not is_space("\x1c")
    assert trim_space("\x1c a \u3000") == "\x1c a"
