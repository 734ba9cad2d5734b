"""Running the user's shell commands (notify, check) with a timeout that kills the whole group."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass
class ShellResult:
    """How a command ended, and what it printed."""

    returncode: int | None  # None: could not start, or killed at the timeout
    output: str
    failure: str = ""  # why it did not succeed, for the log ("" on exit status 0)

    @property
    def ok(self) -> bool:
        return not self.failure


def run_shell(cmd: str, *, env: Mapping[str, str], timeout: float) -> ShellResult:
    """``/bin/sh -c cmd`` with stdout+stderr captured; at the timeout it and its children are killed."""
    try:
        process = subprocess.Popen(
            ["/bin/sh", "-c", cmd],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=dict(env),
            start_new_session=True,  # its own process group, so a timeout reaches the children too
        )
    except OSError as exc:
        return ShellResult(None, "", str(exc))
    try:
        output, _ = process.communicate(timeout=timeout)
        failure = f"exit status {process.returncode}" if process.returncode else ""
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            process.kill()
        output, _ = process.communicate()
        failure, returncode = f"killed after the {timeout:g} s timeout", None
    return ShellResult(returncode, output.decode("utf-8", "replace"), failure)
