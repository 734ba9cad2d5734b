"""docker-gen's function map: Sprig v3's functions, then docker-gen's on top (spec §10).

A docker-gen name replaces the Sprig function of the same name (``coalesce``,
``contains``, ``dir``, ``keys``, ``replace``, ``split``); the Sprig originals
stay reachable as ``sprigCoalesce``, ``sprigContains``, ... .  Sprig's
``slice`` hides text/template's built-in ``slice``; the other built-ins are
looked up after the map.

The map knows every name without importing a function family
(:data:`sprig.FAMILIES`, :data:`DOCKERGEN`); a family is imported when a
template calls one of its functions, so a one-shot run of a small template
does not pay for dates, math, networking or crypto it never calls.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from functools import lru_cache

from .funcs import Function
from .sprig import FAMILIES

__all__ = ["function_map", "FunctionMap", "DOCKERGEN"]

# The names dockergen_funcs declares (tests/unit/gotemplate/test_funcmap.py holds it to them).
DOCKERGEN = frozenset((
    "closest", "coalesce", "comment", "contains", "dir", "eval", "exists", "fromYaml", "groupBy",
    "groupByKeys", "groupByLabel", "groupByLabelWithDefault", "groupByMulti", "groupByWithDefault",
    "include", "intersect", "json", "keys", "mustBeInt", "mustBeIntInRange", "mustBeOneOf",
    "mustFromYaml", "mustToYaml", "nginxMustParseHSTS", "nginxQuote", "parseBool", "parseJson",
    "queryEscape", "replace", "sha1", "sortObjectsByKeysAsc", "sortObjectsByKeysDesc", "sortStringsAsc",
    "sortStringsDesc", "split", "splitN", "sprigCoalesce", "sprigContains", "sprigDir", "sprigReplace",
    "sprigSplit", "sprigSplitn", "toLower", "toUpper", "toYaml", "when", "where", "whereAll",
    "whereAny", "whereExist", "whereLabelDoesNotExist", "whereLabelExists", "whereLabelValueMatches",
    "whereNot", "whereNotExist",
))


class FunctionMap(Mapping[str, Function]):
    """Every function a docker-gen template can call by name (built-ins excluded), each
    family imported on first use."""

    def __init__(self) -> None:
        self._module: dict[str, str] = {}
        for family, names in FAMILIES.items():
            self._module.update(dict.fromkeys(names, f"{__package__}.sprig.{family}"))
        self._module.update(dict.fromkeys(DOCKERGEN, f"{__package__}.dockergen_funcs"))  # docker-gen's win
        self._loaded: dict[str, Function] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._module

    def __getitem__(self, name: str) -> Function:
        found = self._loaded.get(name)
        if found is None:
            module = importlib.import_module(self._module[name])
            found = self._loaded[name] = module.FUNCTIONS[name]
        return found

    def loaded(self) -> Mapping[str, Function]:
        """The functions imported so far (those a template called), by name."""
        return self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(self._module)

    def __len__(self) -> int:
        return len(self._module)


@lru_cache(maxsize=1)
def function_map() -> FunctionMap:
    """Every function a docker-gen template can call by name (built-ins excluded)."""
    from . import gotime  # noqa: F401 - gives time.Time its methods

    return FunctionMap()
