"""Knowing that many files do not exist with one ``stat`` per directory.

nginx-proxy's template asks ``exists`` about five files per host (``certs/HOST.crt``,
``vhost.d/HOST``, ``htpasswd/HOST``, ...): about 500 ``stat`` calls a render at 100 hosts,
nearly all of them for files that are not there, and a watcher asks them all again after
every event.  A directory's listing answers them at once.

Only absence is ever answered here; every other case (the name is listed, the directory
cannot be listed, the path is unusual) goes to a real ``stat``, so errors and symlinks
behave exactly as before.  A listing is reused by later renders only while the directory
provably has not changed: same device, inode, mtime and ctime, and listed more than
:data:`SETTLED` after its last change (timestamps are coarse: a change in the same clock
tick as the listing could leave both equal).  ctime cannot be set back by ``touch`` or
``rsync``, so a tool that restores a directory's mtime does not fool it.
"""

from __future__ import annotations

import os
import time
import unicodedata
from typing import NamedTuple

__all__ = ["SETTLED", "AbsentFiles"]

SETTLED = 2_000_000_000  # ns: a directory unchanged for this long at listing time keeps its listing

# Paths are built from container values, which can name any directory (``../../usr/lib/x``):
# what is listed and kept is bounded, and past a bound a path is simply asked with stat.
MAX_DIRECTORIES = 16  # listings kept across renders (a template names a handful)
MAX_NAMES = 4096  # a directory with more entries is not listed
RENDER_BUDGET = 8192  # entries listed in one render, all directories together


class _Listing(NamedTuple):
    identity: tuple[int, int, int, int]  # st_dev, st_ino, st_mtime_ns, st_ctime_ns
    settled: bool  # listed long enough after its last change to be reused while identity holds
    names: frozenset[str]
    folded: frozenset[str]  # the names case-folded: on a case-insensitive directory "A" is "a"


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


class AbsentFiles:
    """Per-template knowledge of which paths certainly do not exist; :meth:`begin` each render."""

    def __init__(self, settled: int = SETTLED) -> None:
        self.settled = settled
        self._listings: dict[str, _Listing] = {}
        self._this_render: dict[str, _Listing | None] = {}  # None: no answer from this directory
        self._left = RENDER_BUDGET

    def begin(self) -> None:
        """A new render: every directory is looked at again (once)."""
        self._this_render = {}
        self._left = RENDER_BUDGET

    def certainly_absent(self, path: str) -> bool:
        """True when ``path`` does not exist, known from its directory; False means "ask stat"."""
        if type(path) is not str or "\x00" in path:
            return False
        directory, _, name = path.rpartition("/")
        if name in ("", ".", ".."):
            return False
        if not directory:
            directory = "/" if path.startswith("/") else "."
        this_render = self._this_render
        listing = this_render.get(directory, False)
        if listing is False:
            listing = this_render[directory] = self._look(directory)
        if listing is None:
            return False
        if listing.identity[1] == -1:  # the directory does not exist: nothing in it does
            return True
        return name not in listing.names and _folded(name) not in listing.folded

    def _look(self, directory: str) -> _Listing | None:
        try:
            info = os.stat(directory)
        except FileNotFoundError:
            return _Listing((0, -1, 0, 0), False, frozenset(), frozenset())
        except (OSError, ValueError):
            return None
        if not os.access(directory, os.X_OK):
            return None  # readable but not searchable: stat fails for every name, listed or not
        identity = (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
        kept = self._listings.get(directory)
        if kept is not None and kept.settled and kept.identity == identity:
            return kept
        now = time.time_ns()
        limit = min(MAX_NAMES, self._left)
        names: list[str] = []
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    names.append(entry.name)
                    if len(names) > limit:
                        break
        except (OSError, ValueError):
            return None
        finally:
            self._left -= len(names)
        if len(names) > limit:
            return None
        settled = now - max(info.st_mtime_ns, info.st_ctime_ns) > self.settled
        listing = _Listing(identity, settled, frozenset(names), frozenset(map(_folded, names)))
        if settled:
            if directory not in self._listings and len(self._listings) >= MAX_DIRECTORIES:
                self._listings.pop(next(iter(self._listings)))
            self._listings[directory] = listing
        return listing
