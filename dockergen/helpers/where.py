"""docker-gen's ``where`` family: filter containers by a field or a label.

Every helper returns a new list in input order.  Comparisons are type-strict
like Go's ``reflect.DeepEqual``: ``"80"`` does not equal ``80`` and ``True``
does not equal ``1`` (Python's ``==`` would say it does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import HelperError
from ..limits import deeper
from .fieldpath import NotAStringError, PathRules, as_list, describe, get_parts, go_split, split_path, unwrap
from .groupby import container_labels

if TYPE_CHECKING:
    from ..golang.regexp import Regexp

__all__ = [
    "where",
    "whereNot",
    "whereExist",
    "whereNotExist",
    "whereAny",
    "whereAll",
    "whereLabelExists",
    "whereLabelDoesNotExist",
    "whereLabelValueMatches",
    "strict_equal",
]


_EXACT_KINDS = (bool, int, float, str, bytes, datetime, Mapping)


def _kind(value: Any) -> Any:
    # Types that must match exactly for two values to be equal.  Subclasses
    # (GoTime, Markup) compare with their base so that they do not surprise.
    if value is None:
        return None
    for base in _EXACT_KINDS:  # bool before int: True must not equal 1
        if isinstance(value, base):
            return base
    if isinstance(value, (list, tuple)):
        return list
    return type(value)


def strict_equal(a: Any, b: Any, depth: int = 0) -> bool:
    """Deep, type-strict equality in the spirit of Go's ``reflect.DeepEqual``.

    ``depth`` counts the lists and maps around ``a`` and ``b``.
    """
    a = unwrap(a)
    b = unwrap(b)
    kind = _kind(a)
    if kind is not _kind(b):
        return False
    if kind is list:
        inner = deeper("where", depth)
        return len(a) == len(b) and all(strict_equal(x, y, inner) for x, y in zip(a, b))
    if kind is Mapping:
        inner = deeper("where", depth)
        if len(a) != len(b):
            return False
        if not (_str_keys(a) and _str_keys(b)):
            # 1, 1.0 and True are one dict key in Python but three in Go.
            a = {(_kind(k), k): v for k, v in a.items()}
            b = {(_kind(k), k): v for k, v in b.items()}
        for key, value in a.items():
            if key not in b or not strict_equal(value, b[key], inner):
                return False
        return True
    return bool(a == b)


def _str_keys(mapping: Mapping[Any, Any]) -> bool:
    return all(isinstance(k, str) for k in mapping)


def _filter(fn: str, entries: Any, keep: Callable[[Any], bool]) -> list[Any]:
    return [item for item in as_list(entries, fn) if keep(item)]


Equal = Callable[[Any, Any], bool]


def where(
    entries: Any, path: str, value: Any, *, rules: PathRules | None = None, equal: Equal = strict_equal
) -> list[Any]:
    """Items whose value at ``path`` equals ``value`` (type-strict).

    ``rules`` and ``equal`` (here and below) let the Go engine walk paths as
    Go's ``deepGet`` does and compare with Go's ``reflect.DeepEqual``.
    """
    parts = split_path(path)
    value = unwrap(value)
    if isinstance(value, str):
        # Fast path for the usual case: a string compared with strings.
        def keep(item: Any) -> bool:
            got = get_parts(item, parts, rules)
            return isinstance(got, str) and got == value
    else:

        def keep(item: Any) -> bool:
            return equal(get_parts(item, parts, rules), value)

    return _filter("where", entries, keep)


def whereNot(  # noqa: N802 - docker-gen's name
    entries: Any, path: str, value: Any, *, rules: PathRules | None = None, equal: Equal = strict_equal
) -> list[Any]:
    """Items whose value at ``path`` does not equal ``value`` (missing counts as different)."""
    parts = split_path(path)
    value = unwrap(value)
    return _filter("whereNot", entries, lambda item: not equal(get_parts(item, parts, rules), value))


def whereExist(entries: Any, path: str, *, rules: PathRules | None = None) -> list[Any]:  # noqa: N802
    """Items that have a value at ``path`` (an empty string counts as present)."""
    parts = split_path(path)
    return _filter("whereExist", entries, lambda item: get_parts(item, parts, rules) is not None)


def whereNotExist(entries: Any, path: str, *, rules: PathRules | None = None) -> list[Any]:  # noqa: N802
    """Items that have no value at ``path``."""
    parts = split_path(path)
    return _filter("whereNotExist", entries, lambda item: get_parts(item, parts, rules) is None)


def _wanted(fn: str, values: Any) -> list[str]:
    wanted = as_list(values, fn)
    for value in wanted:
        if not isinstance(value, str):
            raise HelperError(f"'{fn}': the values to compare must be strings; got {describe(value)}")
    return list(wanted)


def _pieces(fn: str, path: str, sep: Any, rules: PathRules | None) -> Callable[[Any], set[str] | None]:
    parts = split_path(path)
    if not isinstance(sep, str):
        raise HelperError(f"'{fn}': the separator must be a string; received {describe(sep)}")

    def pieces(item: Any) -> set[str] | None:
        value = get_parts(item, parts, rules)
        if value is None:
            return None
        if not isinstance(value, str):
            raise NotAStringError(f"'{fn}': the value of '{path}' must be a string; got {describe(value)}", value)
        return set(go_split(value, sep))

    return pieces


def whereAny(  # noqa: N802
    entries: Any, path: str, sep: str, values: Any, *, rules: PathRules | None = None
) -> list[Any]:
    """Items whose ``sep``-separated value at ``path`` shares a piece with ``values``."""
    wanted = set(_wanted("whereAny", values))
    pieces = _pieces("whereAny", path, sep, rules)

    def keep(item: Any) -> bool:
        have = pieces(item)
        return have is not None and not have.isdisjoint(wanted)

    return _filter("whereAny", entries, keep)


def whereAll(  # noqa: N802
    entries: Any, path: str, sep: str, values: Any, *, rules: PathRules | None = None
) -> list[Any]:
    """Items whose ``sep``-separated value at ``path`` contains every one of ``values``.

    Kept from docker-gen: the match counts *distinct* common pieces against
    ``len(values)``, so a ``values`` list with duplicates never matches, and an
    empty one matches every item that has the field.
    """
    wanted = _wanted("whereAll", values)
    distinct = set(wanted)
    pieces = _pieces("whereAll", path, sep, rules)

    def keep(item: Any) -> bool:
        have = pieces(item)
        return have is not None and len(distinct & have) == len(wanted)

    return _filter("whereAll", entries, keep)


def _label_arg(fn: str, label: Any) -> str:
    if isinstance(label, str):
        return label
    raise HelperError(f"'{fn}': the label must be a string; received {describe(label)}")


def whereLabelExists(entries: Any, label: str) -> list[Any]:  # noqa: N802
    """Containers that carry ``label`` (any value, even empty)."""
    fn = "whereLabelExists"
    label = _label_arg(fn, label)
    return _filter(fn, entries, lambda item: label in container_labels(item, fn))


def whereLabelDoesNotExist(entries: Any, label: str) -> list[Any]:  # noqa: N802
    """Containers that do not carry ``label``."""
    fn = "whereLabelDoesNotExist"
    label = _label_arg(fn, label)
    return _filter(fn, entries, lambda item: label not in container_labels(item, fn))


def whereLabelValueMatches(entries: Any, label: str, pattern: str | Regexp) -> list[Any]:  # noqa: N802
    """Containers whose ``label`` is present and matches ``pattern`` anywhere (unanchored).

    ``pattern`` is Go regexp syntax, matched in linear time (``dockergen.golang.regexp``),
    so both engines accept the same patterns; the Go engine passes it compiled.
    """
    from ..golang import regexp  # here: templates that match nothing do not load RE2

    fn = "whereLabelValueMatches"
    label = _label_arg(fn, label)
    regex = pattern if isinstance(pattern, regexp.Regexp) else _compile(fn, pattern)

    def keep(item: Any) -> bool:
        labels = container_labels(item, fn)
        if label not in labels:
            return False
        value = labels[label]
        return isinstance(value, str) and regex.match_string(value)

    return _filter(fn, entries, keep)


def _compile(fn: str, pattern: Any) -> Regexp:
    from ..golang import regexp

    if not isinstance(pattern, str):
        raise HelperError(f"'{fn}': the pattern must be a string; received {describe(pattern)}")
    try:
        return regexp.compile(pattern)
    except regexp.RegexpSyntaxError as exc:
        raise HelperError(f"'{fn}': {exc}") from None
