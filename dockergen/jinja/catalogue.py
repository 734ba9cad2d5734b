"""The template helper catalogue: what templates can call, by docker-gen's names.

``GLOBALS`` holds every helper as a function (``where(containers, "Env.X", "y")``).
``FILTERS`` holds the helpers whose subject is the list or value being worked
on, so that ``containers|where("Env.X", "y")`` reads like Go's pipe.

Jinja2 always passes the filter subject *first*, whereas a Go pipe passes it
*last*.  For helpers whose subject is their last argument (``comment``,
``mustBeOneOf``, ``mustBeIntInRange`` and Sprig's ``hasPrefix`` family) the
filter is a subject-first wrapper: ``s|comment("# ")`` is ``comment("# ", s)``,
``s|hasPrefix("tcp://")`` is ``hasPrefix("tcp://", s)``.

Filters are never registered under Jinja2's own filter names whose meaning
differs (``first``, ``last``, ``join``, ``default``, ``trim``, ``list``,
``dict``, ``lower``, ``upper``, ``sort``).  ``replace`` is left to Jinja2's
built-in filter, which already reads ``s|replace(old, new[, count])`` exactly
as docker-gen's ``replace`` does; the global ``replace(s, old, new[, n])`` is
docker-gen's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..helpers import functions as _f
from ..helpers import groupby as _g
from ..helpers import nginx as _n
from ..helpers import serialize as _s
from ..helpers import sort as _o
from ..helpers import where as _w
from ..helpers import yamlfmt as _y

__all__ = ["GLOBALS", "FILTERS"]

_SUBJECT_FIRST: dict[str, Callable[..., Any]] = {
    # groupBy family
    "groupBy": _g.groupBy,
    "groupByWithDefault": _g.groupByWithDefault,
    "groupByKeys": _g.groupByKeys,
    "groupByMulti": _g.groupByMulti,
    "groupByLabel": _g.groupByLabel,
    "groupByLabelWithDefault": _g.groupByLabelWithDefault,
    # where family
    "where": _w.where,
    "whereNot": _w.whereNot,
    "whereExist": _w.whereExist,
    "whereNotExist": _w.whereNotExist,
    "whereAny": _w.whereAny,
    "whereAll": _w.whereAll,
    "whereLabelExists": _w.whereLabelExists,
    "whereLabelDoesNotExist": _w.whereLabelDoesNotExist,
    "whereLabelValueMatches": _w.whereLabelValueMatches,
    # sorting
    "sortStringsAsc": _o.sortStringsAsc,
    "sortStringsDesc": _o.sortStringsDesc,
    "sortObjectsByKeysAsc": _o.sortObjectsByKeysAsc,
    "sortObjectsByKeysDesc": _o.sortObjectsByKeysDesc,
    # nginx
    "nginxQuote": _n.nginxQuote,
    "nginxMustParseHSTS": _n.nginxMustParseHSTS,
    # serialisation
    "json": _s.json,
    "toJson": _s.toJson,
    "toPrettyJson": _s.toPrettyJson,
    "toRawJson": _s.toRawJson,
    "parseJson": _s.parseJson,
    "fromJson": _s.fromJson,
    "toYaml": _y.toYaml,
    "mustToYaml": _y.mustToYaml,
    "fromYaml": _y.fromYaml,
    "mustFromYaml": _y.mustFromYaml,
    # strings, maps, files, validation
    "closest": _f.closest,
    "contains": _f.contains,
    "dir": _f.dir_,
    "exists": _f.exists,
    "include": _f.include,
    "intersect": _f.intersect,
    "keys": _f.keys,
    "parseBool": _f.parseBool,
    "split": _f.split,
    "splitN": _f.splitN,
    "toLower": _f.toLower,
    "toUpper": _f.toUpper,
    "queryEscape": _f.queryEscape,
    "sha1": _f.sha1,
    "mustBeInt": _f.mustBeInt,
}

# Helpers whose subject is their last argument: same name, subject-first filter.
_SUBJECT_LAST: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "comment": (_f.comment, _f.comment_filter),
    "mustBeOneOf": (_f.mustBeOneOf, _f.mustBeOneOf_filter),
    "mustBeIntInRange": (_f.mustBeIntInRange, _f.mustBeIntInRange_filter),
    "hasPrefix": (_f.hasPrefix, lambda text, prefix: _f.hasPrefix(prefix, text)),
    "hasSuffix": (_f.hasSuffix, lambda text, suffix: _f.hasSuffix(suffix, text)),
    "trimPrefix": (_f.trimPrefix, lambda text, prefix: _f.trimPrefix(prefix, text)),
    "trimSuffix": (_f.trimSuffix, lambda text, suffix: _f.trimSuffix(suffix, text)),
}

_GLOBAL_ONLY: dict[str, Callable[..., Any]] = {
    "coalesce": _f.coalesce,
    "when": _f.when,
    "replace": _f.replace,
    "sprigCoalesce": _f.sprigCoalesce,
    "sprigContains": _f.sprigContains,
    "sprigDir": _f.sprigDir,
    "sprigReplace": _f.sprigReplace,
    "sprigSplit": _f.sprigSplit,
    "sprigSplitn": _f.sprigSplitn,
    "dict": _f.dict_,
    "list": _f.list_,
}

GLOBALS: dict[str, Callable[..., Any]] = {
    **_SUBJECT_FIRST,
    **{name: pair[0] for name, pair in _SUBJECT_LAST.items()},
    **_GLOBAL_ONLY,
}

FILTERS: dict[str, Callable[..., Any]] = {
    **_SUBJECT_FIRST,
    **{name: pair[1] for name, pair in _SUBJECT_LAST.items()},
}
