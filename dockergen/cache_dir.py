"""Where both engines keep compiled templates on disk, and when a directory is safe for them.

A cache of compiled templates is a cache of code: what is read back from it
runs in this process (Jinja2's marshalled bytecode, the Go engine's pickled
programs).  So a directory is used only when it belongs to the current user
and nobody else can write to it, and a cache that cannot be created or
written is simply not used: rendering never depends on it.

Where: ``-template-cache DIR`` (per config; empty or ``off``: no cache), else
``$DOCKERGEN_CACHE_DIR`` (empty: no cache), else ``$XDG_CACHE_HOME/dockergen``
or ``~/.cache/dockergen``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping

__all__ = ["CACHE_DIR_VARIABLE", "OFF", "cache_root", "private_directory"]

CACHE_DIR_VARIABLE = "DOCKERGEN_CACHE_DIR"
OFF = ("", "off")  # the values of -template-cache that turn the cache off


def cache_root(setting: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The cache directory to use ("" when caching is off); ``setting``: ``-template-cache``, None if not given."""
    if setting is not None:
        return "" if setting.strip() in OFF else setting
    environ = os.environ if environ is None else environ
    if CACHE_DIR_VARIABLE in environ:
        return environ[CACHE_DIR_VARIABLE]
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dockergen")


def private_directory(path: str) -> bool:
    """Create ``path`` (mode 0700) if needed; True when it is ours and nobody else can write to it."""
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        info = os.stat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        and os.access(path, os.W_OK)
    )
