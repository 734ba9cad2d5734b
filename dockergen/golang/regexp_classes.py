"""Go's character classes in RE2's terms, for :mod:`.regexp_syntax`.

A bracket expression keeps its RE2 spelling (``[^\\d\\p{Greek}[:alpha:]]``), which RE2
folds under ``(?i)`` and negates exactly as Go does (fold first, then negate).
Go 1.25's ``\\p{...}`` names are read loosely (``\\p{greek}``, ``\\p{ Letter }``)
and mapped to RE2's; the sets RE2 cannot name (``LC``, ``Cn``, ``Assigned``, and
Go's ``C``, which holds the unassigned code points) become explicit ranges read
from RE2's own Unicode tables, so one Unicode version serves every class.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import NamedTuple, Union

import re2

__all__ = ["Part", "Range", "class_text", "is_posix_name", "unicode_class"]

_MAX_RUNE = 0x10FFFF
_POSIX_NAMES = frozenset(
    "alnum alpha ascii blank cntrl digit graph lower print punct space upper word xdigit".split()
)

# General categories by their long names and aliases (Unicode's PropertyValueAliases).
_CATEGORIES = {
    "C": "Other", "Cc": "Control cntrl", "Cf": "Format", "Co": "Private_Use", "Cs": "Surrogate",
    "L": "Letter", "Ll": "Lowercase_Letter", "Lm": "Modifier_Letter", "Lo": "Other_Letter",
    "Lt": "Titlecase_Letter", "Lu": "Uppercase_Letter", "M": "Mark Combining_Mark", "Mc": "Spacing_Mark",
    "Me": "Enclosing_Mark", "Mn": "Nonspacing_Mark", "N": "Number", "Nd": "Decimal_Number digit",
    "Nl": "Letter_Number", "No": "Other_Number", "P": "Punctuation punct", "Pc": "Connector_Punctuation",
    "Pd": "Dash_Punctuation", "Pe": "Close_Punctuation", "Pf": "Final_Punctuation",
    "Pi": "Initial_Punctuation", "Po": "Other_Punctuation", "Ps": "Open_Punctuation", "S": "Symbol",
    "Sc": "Currency_Symbol", "Sk": "Modifier_Symbol", "Sm": "Math_Symbol", "So": "Other_Symbol",
    "Z": "Separator", "Zl": "Line_Separator", "Zp": "Paragraph_Separator", "Zs": "Space_Separator",
    # Go 1.25's additions: RE2 knows Any, spells ASCII [:ascii:], and lacks the rest (_SPECIAL).
    "LC": "Cased_Letter", "Cn": "Unassigned", "Assigned": "", "Any": "", "ASCII": "",
}

# Unicode 15 scripts whose name Go 1.25's loose lookup can reach: the one-word names.  (It folds
# case and drops "_", " " and "-" from the request but not from its table, so Old_Italic,
# SignWriting and the like are refused by Go, and so here.)
_SCRIPTS = (
    "Adlam Ahom Arabic Armenian Avestan Balinese Bamum Batak Bengali Bhaiksuki Bopomofo Brahmi "
    "Braille Buginese Buhid Carian Chakma Cham Cherokee Chorasmian Common Coptic Cuneiform Cypriot "
    "Cyrillic Deseret Devanagari Dogra Duployan Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic "
    "Grantha Greek Gujarati Gurmukhi Han Hangul Hanunoo Hatran Hebrew Hiragana Inherited Javanese "
    "Kaithi Kannada Katakana Kawi Kharoshthi Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Lisu "
    "Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Medefaidrin Miao Modi "
    "Mongolian Mro Multani Myanmar Nabataean Nandinagari Newa Nko Nushu Ogham Oriya Osage Osmanya "
    "Palmyrene Phoenician Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham Sinhala Sogdian "
    "Soyombo Sundanese Syriac Tagalog Tagbanwa Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan "
    "Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Yezidi Yi"
).split()


def _loose(name: str) -> str:
    """Go 1.25's loose matching of class names: case, "_", " " and "-" do not count."""
    return name.replace("_", "").replace(" ", "").replace("-", "").lower()


def _name_table() -> dict[str, str]:
    table = {}
    for short, aliases in _CATEGORIES.items():
        for name in (short, *aliases.split()):
            table[_loose(name)] = short
    for script in _SCRIPTS:
        table[script.lower()] = script
    return table


_NAMES = _name_table()
_SPECIAL = frozenset({"LC", "Cn", "Assigned", "C"})  # Go's sets that RE2 cannot name


class _Special(NamedTuple):
    """A Go class name RE2 lacks, resolved to explicit ranges when the class is written out."""

    name: str
    negated: bool


class Range(NamedTuple):
    lo: int
    hi: int


# A class part: an RE2 bracket item ("\\d", "[:alpha:]", "\\p{Greek}"), a code-point range, or a _Special.
Part = Union[str, Range, _Special]
Ranges = list[tuple[int, int]]


def _normalize(ranges: Ranges) -> Ranges:
    out: Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: Ranges) -> Ranges:
    out: Ranges = []
    nxt = 0
    for lo, hi in _normalize(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


@lru_cache(maxsize=1)
def _scalars() -> bytes:
    """Every Unicode scalar value in order, as UTF-8 (4.3 MB, built on first need)."""
    return "".join(map(chr, itertools.chain(range(0xD800), range(0xE000, _MAX_RUNE + 1)))).encode()


@lru_cache(maxsize=64)
def _ranges_of(bracket: str) -> tuple[tuple[int, int], ...]:
    """The code points RE2 matches with ``bracket`` (one character wide), as ranges.

    Read by scanning every scalar value once: RE2 is the only Unicode table used,
    so explicit classes agree with the symbolic ones it folds and negates itself.
    """
    options = re2.Options()
    options.log_errors = False
    rx = re2.compile(f"(?:{bracket})+".encode(), options)
    data = _scalars()
    found: Ranges = []
    for match in rx.finditer(data):
        start, end = match.span()
        first = data[start : start + 4].decode("utf-8", "ignore")[0]
        last = data[max(0, end - 4) : end].decode("utf-8", "ignore")[-1]
        found.append((ord(first), ord(last)))
    return tuple(_normalize(found))


_ASSIGNED = r"[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Z}\p{C}]"  # RE2's \p{C} has no unassigned code points


def _special_ranges(special: _Special) -> Ranges:
    """Go's LC, Cn, Assigned and C; Go folds none of them under (?i) (LC: it has no fold table)."""
    if special.name == "LC":
        ranges = list(_ranges_of(r"[\p{Lu}\p{Ll}\p{Lt}]"))
    elif special.name == "Assigned":
        ranges = list(_ranges_of(_ASSIGNED))
    elif special.name == "Cn":
        ranges = _negate(list(_ranges_of(_ASSIGNED)))
    else:  # C
        ranges = _normalize([*_ranges_of(r"\p{C}"), *_negate(list(_ranges_of(_ASSIGNED)))])
    return _negate(ranges) if special.negated else ranges


def _hex(cp: int) -> str:
    return f"\\x{{{cp:x}}}"


def _range_text(lo: int, hi: int) -> str:
    return _hex(lo) if lo == hi else f"{_hex(lo)}-{_hex(hi)}"


def _explicit_class(ranges: Ranges) -> str:
    if not ranges:
        return f"[^{_range_text(0, _MAX_RUNE)}]"
    return "[" + "".join(_range_text(lo, hi) for lo, hi in ranges) + "]"


def class_text(parts: list[Part], negated: bool, fold: bool) -> str:
    """One bracket expression for RE2; explicit ranges when a part is a Go-only name."""
    if not any(isinstance(part, _Special) for part in parts):
        body = "".join(_range_text(*part) if isinstance(part, Range) else part for part in parts)
        text = f"[{'^' if negated else ''}{body}]"
        return f"(?i:{text})" if fold else text
    ranges: Ranges = []
    plain = [part for part in parts if isinstance(part, Range)]
    if plain and fold:
        ranges.extend(_ranges_of("(?i:[" + "".join(_range_text(*part) for part in plain) + "])"))
    elif plain:
        ranges.extend(plain)
    for part in parts:
        if isinstance(part, _Special):
            ranges.extend(_special_ranges(part))
        elif isinstance(part, str):
            ranges.extend(_ranges_of(f"(?i:[{part}])" if fold else f"[{part}]"))
    ranges = _normalize(ranges)
    return _explicit_class(_negate(ranges) if negated else ranges)


def is_posix_name(name: str) -> bool:
    """``alpha`` or ``^alpha`` in ``[[:alpha:]]``: one of Go's (and RE2's) fourteen names."""
    return (name[1:] if name.startswith("^") else name) in _POSIX_NAMES


def unicode_class(name: str, negated: bool) -> Part | None:
    """The class part for ``\\p{name}`` (``\\P`` when negated), or None when Go knows no such name."""
    if name.startswith("^"):
        negated = not negated
        name = name[1:]
    canonical = _NAMES.get(_loose(name)) if name else None
    if canonical is None:
        return None
    if canonical in _SPECIAL:
        return _Special(canonical, negated)
    if canonical == "ASCII":
        return "[:^ascii:]" if negated else "[:ascii:]"
    return f"\\{'P' if negated else 'p'}{{{canonical}}}"
