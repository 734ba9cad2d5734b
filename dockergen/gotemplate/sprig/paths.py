"""Sprig's path functions (spec §9.13): Go's ``path`` and, on Linux identically,
``path/filepath``.

Go's ``Clean`` is purely lexical and differs from ``posixpath.normpath`` (which
keeps a leading ``//``), so the rules are written out here.
"""

from __future__ import annotations

from ..funcs import Function, define
from ..values import BOOL, STRING

__all__ = ["FUNCTIONS", "go_clean", "go_base", "go_dir", "go_ext"]

FUNCTIONS: dict[str, Function] = {}


def go_clean(path: str) -> str:
    """Shortest equivalent path: no repeated or trailing ``/``, no ``.``, ``x/..`` resolved."""
    if path == "":
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue  # ".." at the root is the root
        parts.append(segment)
    cleaned = "/".join(parts)
    if rooted:
        return "/" + cleaned
    return cleaned or "."


def go_base(path: str) -> str:
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1:]


def go_dir(path: str) -> str:
    return go_clean(path[: path.rfind("/") + 1])


def go_ext(path: str) -> str:
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""


def _is_abs(path: str) -> bool:
    return path.startswith("/")


# Sprig maps path.X and filepath.X (the os* names) to the same Linux behaviour.
define(FUNCTIONS, "base", (STRING,), STRING, aliases=("osBase",))(go_base)
define(FUNCTIONS, "clean", (STRING,), STRING, aliases=("osClean",))(go_clean)
define(FUNCTIONS, "ext", (STRING,), STRING, aliases=("osExt",))(go_ext)
define(FUNCTIONS, "isAbs", (STRING,), BOOL, aliases=("osIsAbs",))(_is_abs)
define(FUNCTIONS, "dir", (STRING,), STRING, aliases=("sprigDir", "osDir"))(go_dir)
