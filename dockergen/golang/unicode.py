"""Go's view of Unicode: ``unicode.IsSpace``, ``strings.TrimSpace``, general categories.

Python's ``str.isspace`` and ``str.strip`` also count U+001C..U+001F as white
space, which Go does not: a template's output or a helper's result would
differ on them.

Go 1.25's tables are Unicode 15.0; Python 3.11's ``unicodedata`` is Unicode
14.0, where the 4,489 characters 15.0 added (Kawi, Nag Mundari, CJK extension
H, Kaktovik numerals, new emoji...) are unassigned.  :func:`category` and
:func:`is_print` add them, so that ``%q``, ``js``, Sprig's case conversions
and the like treat them as Go does.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right

SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
SPACE_CHARS = "".join(sorted(SPACE))  # for str.strip
BYTE_SPACE = frozenset(b"\t\n\v\f\r \x85\xa0")  # unicode.IsSpace(rune(b)) for a byte b


def is_space(char: str) -> bool:
    """Go's ``unicode.IsSpace`` for one character."""
    return char in SPACE


def trim_space(text: str) -> str:
    """Go's ``strings.TrimSpace``."""
    return text.strip(SPACE_CHARS)


# Unicode 15.0's new characters: (first, last, general category), from the UCD 15.0.
_ADDED_IN_15 = (
    (0x0CF3, 0x0CF3, "Mc"), (0x0ECE, 0x0ECE, "Mn"), (0x10EFD, 0x10EFF, "Mn"), (0x1123F, 0x11240, "Lo"),
    (0x11241, 0x11241, "Mn"), (0x11B00, 0x11B09, "Po"), (0x11F00, 0x11F01, "Mn"), (0x11F02, 0x11F02, "Lo"),
    (0x11F03, 0x11F03, "Mc"), (0x11F04, 0x11F10, "Lo"), (0x11F12, 0x11F33, "Lo"), (0x11F34, 0x11F35, "Mc"),
    (0x11F36, 0x11F3A, "Mn"), (0x11F3E, 0x11F3F, "Mc"), (0x11F40, 0x11F40, "Mn"), (0x11F41, 0x11F41, "Mc"),
    (0x11F42, 0x11F42, "Mn"), (0x11F43, 0x11F4F, "Po"), (0x11F50, 0x11F59, "Nd"), (0x1342F, 0x1342F, "Lo"),
    (0x13439, 0x1343F, "Cf"), (0x13440, 0x13440, "Mn"), (0x13441, 0x13446, "Lo"), (0x13447, 0x13455, "Mn"),
    (0x1B132, 0x1B132, "Lo"), (0x1B155, 0x1B155, "Lo"), (0x1D2C0, 0x1D2D3, "No"), (0x1DF25, 0x1DF2A, "Ll"),
    (0x1E030, 0x1E06D, "Lm"), (0x1E08F, 0x1E08F, "Mn"), (0x1E4D0, 0x1E4EA, "Lo"), (0x1E4EB, 0x1E4EB, "Lm"),
    (0x1E4EC, 0x1E4EF, "Mn"), (0x1E4F0, 0x1E4F9, "Nd"), (0x1F6DC, 0x1F6DC, "So"), (0x1F774, 0x1F776, "So"),
    (0x1F77B, 0x1F77F, "So"), (0x1F7D9, 0x1F7D9, "So"), (0x1FA75, 0x1FA77, "So"), (0x1FA87, 0x1FA88, "So"),
    (0x1FAAD, 0x1FAAF, "So"), (0x1FABB, 0x1FABD, "So"), (0x1FABF, 0x1FABF, "So"), (0x1FACE, 0x1FACF, "So"),
    (0x1FADA, 0x1FADB, "So"), (0x1FAE8, 0x1FAE8, "So"), (0x1FAF7, 0x1FAF8, "So"), (0x2B739, 0x2B739, "Lo"),
    (0x31350, 0x323AF, "Lo"),
)
_ADDED = _ADDED_IN_15 if tuple(map(int, unicodedata.unidata_version.split("."))) < (15,) else ()
_ADDED_STARTS = [first for first, _, _ in _ADDED]


def category(char: str) -> str:
    """The general category Go 1.25 (Unicode 15.0) gives ``char``: ``Lu``, ``Nd``, ``Cn``..."""
    found = unicodedata.category(char)
    if found == "Cn" and _ADDED:
        index = bisect_right(_ADDED_STARTS, ord(char)) - 1
        if index >= 0 and ord(char) <= _ADDED[index][1]:
            return _ADDED[index][2]
    return found


def is_print(char: str) -> bool:
    """Go's ``unicode.IsPrint`` (and ``strconv.IsPrint``): letters, marks, numbers,
    punctuation, symbols and U+0020 (Python's ``isprintable``, in Go's Unicode)."""
    return char.isprintable() or (bool(_ADDED) and category(char)[0] in "LMNPS")


def is_letter(char: str) -> bool:
    """Go's ``unicode.IsLetter``."""
    return category(char)[0] == "L"
