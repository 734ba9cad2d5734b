"""docker-gen's ``groupBy`` family: bucket containers by a field or a label.

Results are dicts whose iteration order is sorted by key, so
``{% for host, containers in groupByMulti(...).items() %}`` is as
deterministic as Go's ``range`` over a map.  Within a group, items keep their
input order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..errors import HelperError
from .fieldpath import NotAStringError, PathRules, as_list, describe, get_parts, go_split, is_missing, split_path

__all__ = [
    "groupBy",
    "groupByWithDefault",
    "groupByKeys",
    "groupByMulti",
    "groupByLabel",
    "groupByLabelWithDefault",
    "container_labels",
]


def _string_key(fn: str, what: str, value: Any) -> str:
    # Go type-asserts the value to string and panics otherwise; say so clearly.
    if isinstance(value, str):
        return value
    raise NotAStringError(f"'{fn}': the value of {what} must be a string; got {describe(value)}", value)


def _string_arg(fn: str, name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    raise HelperError(f"'{fn}': {name} must be a string; received {describe(value)}")


def _sorted(groups: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {key: groups[key] for key in sorted(groups)}


def _group(
    fn: str,
    entries: Any,
    keys_of: Callable[[Any], Iterable[str] | None],
) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in as_list(entries, fn):
        keys = keys_of(item)
        if keys is None:
            continue
        for key in keys:
            bucket = groups.get(key)
            if bucket is None:
                groups[key] = [item]
            else:
                bucket.append(item)
    return _sorted(groups)


def _by_path(
    fn: str, path: str, default: str | None = None, rules: PathRules | None = None
) -> Callable[[Any], Iterable[str] | None]:
    parts = split_path(path)
    what = f"'{path}'"

    def keys_of(item: Any) -> Iterable[str] | None:
        value = get_parts(item, parts, rules)
        if value is None:
            return None if default is None else (default,)
        return (_string_key(fn, what, value),)

    return keys_of


def groupBy(entries: Any, path: str, *, rules: PathRules | None = None) -> dict[str, list[Any]]:  # noqa: N802
    """Group items by the string at ``path``; items where it is missing are left out.

    ``rules`` (here and below) let the Go engine walk paths as Go's ``deepGet`` does.
    """
    return _group("groupBy", entries, _by_path("groupBy", path, rules=rules))


def groupByWithDefault(  # noqa: N802
    entries: Any, path: str, default: str, *, rules: PathRules | None = None
) -> dict[str, list[Any]]:
    """Like :func:`groupBy`, but items missing the field go under ``default``."""
    default = _string_arg("groupByWithDefault", "the default", default)
    return _group("groupByWithDefault", entries, _by_path("groupByWithDefault", path, default, rules))


def groupByKeys(entries: Any, path: str, *, rules: PathRules | None = None) -> list[str]:  # noqa: N802
    """The keys :func:`groupBy` would produce, sorted (Go's order is random)."""
    keys_of = _by_path("groupByKeys", path, rules=rules)
    found: set[str] = set()
    for item in as_list(entries, "groupByKeys"):
        keys = keys_of(item)
        if keys is not None:
            found.update(keys)
    return sorted(found)


def groupByMulti(  # noqa: N802
    entries: Any, path: str, sep: str, *, rules: PathRules | None = None
) -> dict[str, list[Any]]:
    """Group by each ``sep``-separated piece of the string at ``path``.

    ``VIRTUAL_HOST=a.com,b.com`` puts the container under both hosts.  A piece
    that repeats adds the item twice, as in docker-gen.
    """
    fn = "groupByMulti"
    sep = _string_arg(fn, "the separator", sep)
    parts = split_path(path)
    what = f"'{path}'"

    def keys_of(item: Any) -> Iterable[str] | None:
        value = get_parts(item, parts, rules)
        if value is None:
            return None
        return go_split(_string_key(fn, what, value), sep)

    return _group(fn, entries, keys_of)


def container_labels(item: Any, fn: str) -> dict[str, str]:
    """The ``Labels`` of a container; anything without that attribute is refused."""
    try:
        labels = item.Labels
    except AttributeError:
        raise HelperError(
            f"'{fn}' needs a list of containers; an item has no Labels: {describe(item)}"
        ) from None
    if is_missing(labels):
        return {}
    return labels


def _by_label(fn: str, label: str, default: str | None = None) -> Callable[[Any], Iterable[str] | None]:
    label = _string_arg(fn, "the label", label)
    what = f"label '{label}'"

    def keys_of(item: Any) -> Iterable[str] | None:
        labels = container_labels(item, fn)
        if label in labels:
            return (_string_key(fn, what, labels[label]),)
        return None if default is None else (default,)

    return keys_of


def groupByLabel(entries: Any, label: str) -> dict[str, list[Any]]:  # noqa: N802
    """Group containers by a label's value; containers without the label are left out."""
    return _group("groupByLabel", entries, _by_label("groupByLabel", label))


def groupByLabelWithDefault(entries: Any, label: str, default: str) -> dict[str, list[Any]]:  # noqa: N802
    """Like :func:`groupByLabel`; containers without the label go under ``default``.

    A label that is present but empty stays under ``""``.
    """
    fn = "groupByLabelWithDefault"
    default = _string_arg(fn, "the default", default)
    return _group(fn, entries, _by_label(fn, label, default))
