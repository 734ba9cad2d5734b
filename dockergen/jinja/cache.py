"""Compiled Jinja2 templates kept on disk, so a run does not compile an unchanged template again.

Compiling is most of a one-shot run's own work: templates/nginx.tmpl takes
about 0.16 s to compile and a few milliseconds to render.  Jinja2's bytecode
cache stores each compiled template under a key made of its name and path,
checked against a hash of its source, so an edited template is compiled
afresh.  The directory's name adds what else shapes the compiled code (the
dockergen and Jinja2 versions and the helper names), and a cache dir that
someone else could write to is never used: its files are code that runs.

Where: ``$DOCKERGEN_CACHE_DIR`` if set (empty: no cache), else
``$XDG_CACHE_HOME/dockergen`` or ``~/.cache/dockergen``.  A cache that cannot
be created or written is skipped without a word; rendering never depends on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
from collections.abc import Iterable, Mapping

import jinja2
import jinja2.bccache

from dockergen import __version__

log = logging.getLogger(__name__)

CACHE_DIR_VARIABLE = "DOCKERGEN_CACHE_DIR"


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A bytecode cache whose I/O failures are misses, never render failures."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError, TypeError) as exc:
            log.debug("Template cache: cannot read %s: %s", bucket.key, exc)
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as exc:
            log.debug("Template cache: cannot write %s: %s", bucket.key, exc)


def cache_root(environ: Mapping[str, str] | None = None) -> str:
    """The cache directory dockergen uses ("" when caching is turned off)."""
    environ = os.environ if environ is None else environ
    if CACHE_DIR_VARIABLE in environ:
        return environ[CACHE_DIR_VARIABLE]
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dockergen")


def _private_directory(path: str) -> bool:
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


def bytecode_cache(
    names: Iterable[str], environ: Mapping[str, str] | None = None
) -> jinja2.BytecodeCache | None:
    """The cache for an environment with these helper/extension ``names``; None when it cannot be used."""
    root = cache_root(environ)
    if not root:
        return None
    shape = repr((__version__, jinja2.__version__, sorted(names))).encode()
    directory = os.path.join(root, f"jinja-{hashlib.sha256(shape).hexdigest()[:16]}")
    if not (_private_directory(root) and _private_directory(directory)):
        log.debug("Template cache %s is not usable: compiling every time", directory)
        return None
    return _QuietBytecodeCache(directory)
