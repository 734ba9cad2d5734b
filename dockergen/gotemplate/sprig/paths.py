"""Sprig's path functions (spec §9.13): Go's ``path`` and, on Linux identically,
``path/filepath`` (written once, in :mod:`dockergen.golang.path`)."""

from __future__ import annotations

from dockergen.golang.path import base as go_base, clean as go_clean, dir as go_dir, ext as go_ext

from ..funcs import Function, define
from ..values import BOOL, STRING

__all__ = ["FUNCTIONS", "go_clean", "go_base", "go_dir", "go_ext"]

FUNCTIONS: dict[str, Function] = {}


def _is_abs(path: str) -> bool:
    return path.startswith("/")


# Sprig maps path.X and filepath.X (the os* names) to the same Linux behaviour.
define(FUNCTIONS, "base", (STRING,), STRING, aliases=("osBase",))(go_base)
define(FUNCTIONS, "clean", (STRING,), STRING, aliases=("osClean",))(go_clean)
define(FUNCTIONS, "ext", (STRING,), STRING, aliases=("osExt",))(go_ext)
define(FUNCTIONS, "isAbs", (STRING,), BOOL, aliases=("osIsAbs",))(_is_abs)
define(FUNCTIONS, "dir", (STRING,), STRING, aliases=("sprigDir", "osDir"))(go_dir)
