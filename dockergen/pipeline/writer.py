"""Writing destinations: only when the content changed, atomically, keeping mode and owner.

A reader (nginx, dnsmasq) must never see a truncated or half-written file,
not even when dockergen is killed mid-write: the new content goes to a
temporary file in the destination's directory, is fsynced, and is renamed
over the destination.  A destination that is itself a bind-mounted single
file cannot be renamed over; it is rewritten in place, and the log says so.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import sys
import time
from typing import NamedTuple

from dockergen.errors import DockerGenError

log = logging.getLogger(__name__)

_TEMP_SUFFIX = ".dockergen.tmp"
_STALE_TEMP_SECONDS = 60


class WriteError(DockerGenError):
    """The destination could not be read or written; names the path."""


class WriteResult(NamedTuple):
    """What a write did."""

    changed: bool
    atomic: bool = True
    previous: bytes | None = None  # content before the write (None: did not exist)


def read_current(dest: str) -> bytes | None:
    """The destination's bytes, or None when it does not exist."""
    try:
        with open(dest, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise WriteError(f"{dest}: destination is a directory") from None
    except NotADirectoryError:
        parent = os.path.dirname(os.path.abspath(dest))
        raise WriteError(f"{dest}: destination directory {parent} is not a directory") from None
    except OSError as exc:
        raise WriteError(f"{dest}: cannot read current contents: {exc.strerror}") from None


def _umask() -> int:
    """The process umask, read without changing it (os.umask would, for every thread, for a moment)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return _STARTUP_UMASK


def _read_startup_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_STARTUP_UMASK = _read_startup_umask()  # at import, before any writer thread exists


def _remove_stale_temps(directory: str, base: str) -> None:
    """Temp files left by a killed dockergen are removed once they are clearly abandoned."""
    prefix = f".{base}."
    try:
        names = os.listdir(directory)
    except OSError:
        return
    now = time.time()
    for name in names:
        if name.startswith(prefix) and name.endswith(_TEMP_SUFFIX):
            path = os.path.join(directory, name)
            try:
                if now - os.stat(path).st_mtime > _STALE_TEMP_SECONDS:
                    os.unlink(path)
            except OSError:
                pass


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _rewrite_in_place(dest: str, data: bytes) -> None:
    # Write first, then cut: a crash leaves old bytes after the new ones, never an empty file.
    fd = os.open(dest, os.O_WRONLY)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_contents(dest: str, data: bytes) -> bool:
    """Make ``dest`` hold ``data``; returns True when that was done atomically."""
    directory = os.path.dirname(os.path.abspath(dest))
    base = os.path.basename(dest)
    if not os.path.isdir(directory):
        problem = "is not a directory" if os.path.exists(directory) else "does not exist"
        raise WriteError(f"{dest}: destination directory {directory} {problem}")
    try:
        current = os.stat(dest)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteError(f"{dest}: {exc.strerror}") from None
    if current is not None and not stat.S_ISREG(current.st_mode):
        raise WriteError(f"{dest}: destination exists and is not a regular file")
    _remove_stale_temps(directory, base)
    try:
        import tempfile  # imported when first needed: keeps one-shot start-up short
        fd, temp = tempfile.mkstemp(prefix=f".{base}.", suffix=_TEMP_SUFFIX, dir=directory)
    except OSError as exc:
        raise WriteError(f"{dest}: cannot create a file in {directory}: {exc.strerror}") from None
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
            if current is not None:
                os.fchmod(fd, stat.S_IMODE(current.st_mode))
                if (current.st_uid, current.st_gid) != (os.getuid(), os.getgid()):
                    try:
                        os.fchown(fd, current.st_uid, current.st_gid)
                    except PermissionError:
                        log.warning("Cannot keep the owner of %s (not permitted)", dest)
            else:
                os.fchmod(fd, 0o644 & ~_umask())
        finally:
            os.close(fd)
        try:
            os.replace(temp, dest)
        except OSError as exc:
            if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM, errno.EACCES) or current is None:
                raise
            log.warning(
                "%s cannot be replaced atomically (%s; a bind-mounted file?): rewriting it in place",
                dest,
                exc.strerror,
            )
            os.unlink(temp)
            _rewrite_in_place(dest, data)
            return False
    except BaseException as exc:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"{dest}: cannot write: {exc.strerror}") from None
        raise
    _fsync_directory(directory)
    return True


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so what is still buffered cannot fail again at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def write_if_changed(dest: str, text: str) -> WriteResult:
    """Write rendered text to ``dest`` (or stdout when empty) unless it is already there."""
    data = text.encode("utf-8", "surrogateescape")  # a Go template's bytes, exactly
    if not dest:
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except OSError as exc:  # e.g. `docker-gen t.tmpl | head -1`: the reader went away
            _silence_stdout()
            raise WriteError(f"cannot write to stdout: {exc.strerror}") from None
        return WriteResult(changed=True)
    previous = read_current(dest)
    if previous == data:
        return WriteResult(changed=False, previous=previous)
    atomic = replace_contents(dest, data)
    return WriteResult(changed=True, atomic=atomic, previous=previous)
