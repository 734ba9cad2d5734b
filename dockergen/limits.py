"""Bounds on what one template helper may cost, because container values are untrusted.

A container's labels and environment are written by whoever runs that
container, and templates hand them to helpers: counts (``repeat``,
``until``), texts multiplied by other texts (``indent``, ``replace``),
documents to decode (``parseJson``, ``fromYaml``).  Go's template engine
would allocate the 2 GB string or loop the billion times; dockergen refuses
instead, with a render error that names the bound, so that the watcher
quarantines the container to blame and keeps rendering the others.

Every bound is declared here once; the helper families of both engines
import it.  A bound is far above what a sane configuration needs: it only
ever stops a value that would otherwise eat the machine.
"""

from __future__ import annotations

from .errors import HelperError

__all__ = [
    "MAX_TEXT", "MAX_ITEMS", "MAX_NESTING", "MAX_VERSION", "MAX_SCAN", "MAX_COMPARISONS", "MAX_CACHED_KEY",
    "LimitError", "check_text", "check_replace", "check_items", "too_deep", "deeper",
    "check_scan", "check_comparisons", "digits_value",
]

MAX_TEXT = 16 * 1024 * 1024
"""Characters of one string a helper builds (``repeat``, ``indent``, ``replace``, ``wrapWith``...)."""

MAX_ITEMS = 1_000_000
"""Elements of one list, or turns of one loop, that a count asks for (``until``, ``seq``, ``range N``)."""

MAX_NESTING = 100
"""Levels of maps and lists inside one another that a decoder returns or a walker descends
(``parseJson``, ``fromYaml``, ``toJson``, ``toYaml``, printing, ``deepCopy``, ``merge``)."""

MAX_VERSION = 4096
"""Characters of a semantic version or version constraint (``semver``, ``semverCompare``):
they are parsed with backtracking regular expressions, and real ones are a few dozen."""

MAX_SCAN = 1 << 26
"""Characters one helper may scan when its work is the product of two values (``closest``
over a list and a text, PEM blocks over their text, ``toDate`` a layout over a value)."""

MAX_COMPARISONS = 100_000
"""Deep comparisons one helper may make when its work grows with the square of a list (``uniq``)."""

MAX_CACHED_KEY = 1024
"""Characters of a text a helper's cache may keep (field paths, time layouts): templates write
short ones, and a long one is a value that would fill the cache with megabytes."""


class LimitError(HelperError):
    """A helper was asked for more than a bound of this module allows; the render fails."""


def check_text(what: str, size: int) -> None:
    """Refuse to build a string of ``size`` characters beyond :data:`MAX_TEXT`."""
    if size > MAX_TEXT:
        raise LimitError(f"{what}: a result of {size} characters exceeds dockergen's limit of {MAX_TEXT}")


def check_replace(what: str, text: str, old: str, new: str, count: int = -1) -> None:
    """Refuse ``text.replace(old, new, count)`` when its result would exceed :data:`MAX_TEXT`.

    An empty ``old`` matches between every two characters, so ``replace "" BIG BIG``
    would square a value's size.
    """
    if len(new) <= len(old):
        return
    matches = text.count(old) if old else len(text) + 1
    if count >= 0:
        matches = min(matches, count)
    check_text(what, len(text) + matches * (len(new) - len(old)))


def check_items(what: str, count: int) -> None:
    """Refuse a list or loop of ``count`` elements beyond :data:`MAX_ITEMS`."""
    if count > MAX_ITEMS:
        raise LimitError(f"{what}: {count} elements exceed dockergen's limit of {MAX_ITEMS}")


def too_deep(what: str) -> LimitError:
    """The error for a value nested deeper than :data:`MAX_NESTING` levels."""
    return LimitError(f"{what}: value nested deeper than dockergen's limit of {MAX_NESTING} levels")


def deeper(what: str, depth: int) -> int:
    """The depth of the elements of a map or list found at ``depth`` (0 for the outermost).

    Recursive walkers call it on every map and list they enter, so that a
    value nested past :data:`MAX_NESTING` (or containing itself) fails cleanly
    long before Python's recursion limit.
    """
    if depth >= MAX_NESTING:
        raise too_deep(what)
    return depth + 1


def check_scan(what: str, size: int) -> None:
    """Refuse work that would scan ``size`` characters beyond :data:`MAX_SCAN`."""
    if size > MAX_SCAN:
        raise LimitError(f"{what}: scanning {size} characters exceeds dockergen's limit of {MAX_SCAN}")


def check_comparisons(what: str, count: int) -> None:
    """Refuse work that would make ``count`` deep comparisons beyond :data:`MAX_COMPARISONS`."""
    if count > MAX_COMPARISONS:
        raise LimitError(f"{what}: {count} comparisons exceed dockergen's limit of {MAX_COMPARISONS}")


# Digits of the largest 64-bit value (2**64 - 1) in each base Go's parsers take.
_MAX_DIGITS = {2: 64, 8: 22, 10: 20, 16: 16}


def digits_value(digits: str, base: int = 10) -> int | None:
    """``int(digits, base)`` for a string of valid digits, or ``None`` when it has more
    significant digits than any 64-bit value (callers still check their own range).

    Go's parsers read any number of leading zeros, and Python's ``int()``
    refuses decimal strings over 4300 digits (its guard against quadratic
    conversion): leading zeros are dropped first, and a longer rest cannot
    fit 64 bits anyway, so the cost stays linear and the answer exact.
    """
    significant = digits.lstrip("0")
    if len(significant) > _MAX_DIGITS[base]:
        return None
    return int(significant or "0", base)
