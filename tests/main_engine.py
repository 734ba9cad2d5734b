"""Which dockerd is the host's main engine, so the suite can prove it never stopped it.

The main engine is the one in the default pid file (scripts/setup.sh starts it that
way, as systemd does); the test-only engines in tests/extra_engine.py have their own.
A process is named by its pid and its start time, so a restarted engine that got
the same pid back still counts as a different one.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

PIDFILE = Path("/var/run/docker.pid")


class EngineProcess(NamedTuple):
    pid: int
    started: int  # clock ticks after boot (/proc/PID/stat field 22)

    def __str__(self) -> str:
        return f"pid {self.pid} (started at tick {self.started})"


def main_engine_process(pidfile: Path = PIDFILE) -> EngineProcess | None:
    """The running dockerd named by ``pidfile``, or None when there is none (no file, or a dead pid)."""
    try:
        pid = int(pidfile.read_text().strip())
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    if fields[0] == "Z":
        return None
    return EngineProcess(pid, int(fields[19]))  # fields after the name start at field 3 (state)
