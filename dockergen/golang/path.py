"""Go's ``path`` package: slash-separated paths, handled purely lexically.

Go's ``Clean`` differs from ``posixpath.normpath`` (which keeps a leading
``//``), so the rules are written out here, once, for Sprig's path functions
and docker-gen's ``dir``.
"""

from __future__ import annotations


def clean(path: str) -> str:
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


def base(path: str) -> str:
    """The last element of ``path`` (trailing slashes dropped; ``.`` for empty, ``/`` for all slashes)."""
    if path == "":
        return "."
    path = path.rstrip("/")
    if path == "":
        return "/"
    return path[path.rfind("/") + 1:]


def dir(path: str) -> str:  # noqa: A001 - Go's name
    """All but the last element, cleaned."""
    return clean(path[: path.rfind("/") + 1])


def ext(path: str) -> str:
    """The extension of the last element: from its last dot, or empty."""
    for i in range(len(path) - 1, -1, -1):
        if path[i] == "/":
            break
        if path[i] == ".":
            return path[i:]
    return ""
