"""Go's ``unicode.IsSpace`` and ``strings.TrimSpace``.

Python's ``str.isspace`` and ``str.strip`` also count U+001C..U+001F as white
space, which Go does not: a template's output or a helper's result would
differ on them.
"""

from __future__ import annotations

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
