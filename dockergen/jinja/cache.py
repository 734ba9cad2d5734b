"""Compiled Jinja2 templates kept on disk, so a run does not compile an unchanged template again.

Compiling is most of a one-shot run's own work: templates/nginx.tmpl takes
about 0.16 s to compile and a few milliseconds to render.  Jinja2's bytecode
cache stores each compiled template under a key made of its name and path,
checked against a hash of its source, so an edited template is compiled
afresh.  The directory's name adds what else shapes the compiled code (the
dockergen and Jinja2 versions and the helper names), and a cache dir that
someone else could write to is never used: its files are code that runs.

Where, and when a directory is safe to use: :mod:`dockergen.cache_dir`.  A
cache that cannot be created or written is skipped without a word; rendering
never depends on it.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable

import jinja2
import jinja2.bccache

from dockergen import __version__
from dockergen.cache_dir import cache_root, private_directory

log = logging.getLogger(__name__)


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


def bytecode_cache(names: Iterable[str], setting: str | None = None) -> jinja2.BytecodeCache | None:
    """The cache for an environment with these helper/extension ``names``; None when it cannot be used.

    ``setting``: ``-template-cache`` (None: not given, see :func:`dockergen.cache_dir.cache_root`)."""
    root = cache_root(setting)
    if not root:
        return None
    shape = repr((__version__, jinja2.__version__, sorted(names))).encode()
    directory = os.path.join(root, f"jinja-{hashlib.sha256(shape).hexdigest()[:16]}")
    if not (private_directory(root) and private_directory(directory)):
        log.debug("Template cache %s is not usable: compiling every time", directory)
        return None
    return _QuietBytecodeCache(directory)
