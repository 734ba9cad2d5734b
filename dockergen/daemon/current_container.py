"""Find the ID of the container dockergen itself runs in, from /proc files and $HOSTNAME.

docker-gen's rules (spec §3.7): a first pass trusts a 12-character hostname
prefix, a second pass takes the first 64-character alphanumeric run.  In
mountinfo lines only Docker's own per-container paths count, so overlay and
volume hashes are never mistaken for a container ID.  Those paths count only in
a mount's root field (what is mounted, as seen from inside a container), never
in its mount point: on a Podman host, every running container's ``shm`` is
mounted at ``.../overlay-containers/<id>/userdata/shm`` in the host's own mount
table, and a dockergen running next to them is in no container.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence

DEFAULT_FILES = ("/proc/1/cpuset", "/proc/self/cgroup", "/proc/self/mountinfo")
_MAX_LINE = 1024 * 1024

_MOUNTINFO_LINE = re.compile(r"^\d+ \d+ \d+:\d+ /")
_HOSTNAME_PREFIX = re.compile(r"^[0-9A-Za-z]{12}$")


def _patterns(id_pattern: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    anywhere = re.compile(f"({id_pattern})")
    containers_dir = re.compile(f"containers/({id_pattern})")
    per_container_file = re.compile(f"/({id_pattern})/(?:userdata/)?(?:hostname|hosts|resolv\\.conf)")
    return anywhere, containers_dir, per_container_file


def _match_line(line: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    anywhere, containers_dir, per_container_file = patterns
    if _MOUNTINFO_LINE.match(line):
        mount_root = line.split(" ", 4)[3]
        for pattern in (containers_dir, per_container_file):
            found = pattern.search(mount_root)
            if found:
                return found.group(1)
        return ""
    found = anywhere.search(line)
    return found.group(1) if found else ""


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = []
            for line in handle:
                if len(line) > _MAX_LINE:
                    return []  # docker-gen's scanner gives up on the whole file
                lines.append(line.rstrip("\n"))
            return lines
    except OSError:
        return []


def _scan(files: Iterable[list[str]], id_pattern: str) -> str:
    patterns = _patterns(id_pattern)
    for lines in files:
        for line in lines:
            found = _match_line(line, patterns)
            if found:
                return found
    return ""


def current_container_id(files: Sequence[str] = DEFAULT_FILES, hostname: str | None = None) -> str:
    """Return the 64-character ID of our own container, or "" when not in one."""
    if hostname is None:
        hostname = os.environ.get("HOSTNAME", "")
    contents = [_read_lines(path) for path in files]
    if _HOSTNAME_PREFIX.match(hostname):
        found = _scan(contents, re.escape(hostname) + "[0-9A-Za-z]{52}")
        if found:
            return found
    return _scan(contents, "[0-9A-Za-z]{64}")
