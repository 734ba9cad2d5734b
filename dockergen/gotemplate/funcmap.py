"""docker-gen's function map: Sprig v3's functions, then docker-gen's on top (spec §10).

A docker-gen name replaces the Sprig function of the same name (``coalesce``,
``contains``, ``dir``, ``keys``, ``replace``, ``split``); the Sprig originals
stay reachable as ``sprigCoalesce``, ``sprigContains``, ... .  Sprig's
``slice`` hides text/template's built-in ``slice``; the other built-ins are
looked up after the map.
"""

from __future__ import annotations

import importlib
from functools import lru_cache

from .funcs import Function

__all__ = ["function_map", "SPRIG_MODULES"]

SPRIG_MODULES = (
    "strings", "regex", "encoding", "paths", "lists", "dicts", "defaults", "reflection", "math",
    "dates", "semver", "crypto", "os_net",
)


@lru_cache(maxsize=1)
def function_map() -> dict[str, Function]:
    """Every function a docker-gen template can call by name (built-ins excluded)."""
    from . import dockergen_funcs, gotime  # noqa: F401 - gotime gives time.Time its methods

    table: dict[str, Function] = {}
    for name in SPRIG_MODULES:
        table.update(importlib.import_module(f"{__package__}.sprig.{name}").FUNCTIONS)
    sprig = dict(table)
    for original, alias in (("coalesce", "sprigCoalesce"), ("contains", "sprigContains"), ("dir", "sprigDir"),
                            ("replace", "sprigReplace"), ("split", "sprigSplit"), ("splitn", "sprigSplitn")):
        table[alias] = sprig[original]
    table.update(dockergen_funcs.FUNCTIONS)
    return table
