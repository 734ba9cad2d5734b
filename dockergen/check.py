"""Validate-then-swap: put a candidate in place, run the check command, keep it or restore.

The check runs against the live file because tools such as ``nginx -t``
check the whole configuration tree, not a fragment.  A rejected candidate is
replaced by the previous content atomically, so the file on disk is never
left in a state the check rejected.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from dockergen.writer import replace_contents


@dataclass
class CheckResult:
    ok: bool
    output: str = ""


def run_check(cmd: str, dest: str, previous: bytes | None, timeout: float) -> CheckResult:
    """Run ``/bin/sh -c cmd`` with ``DOCKERGEN_DEST`` and ``DOCKERGEN_PREVIOUS`` (a copy of the old content)."""
    from dockergen.shell import run_shell  # subprocess is imported only by configs that run commands

    env = dict(os.environ, DOCKERGEN_DEST=dest, DOCKERGEN_PREVIOUS="")
    previous_copy = None
    if previous is not None:
        import tempfile  # imported when first needed: keeps one-shot start-up short
        fd, previous_copy = tempfile.mkstemp(prefix="dockergen-previous-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(previous)
        env["DOCKERGEN_PREVIOUS"] = previous_copy
    try:
        result = run_shell(cmd, env=env, timeout=timeout)
    finally:
        if previous_copy:
            os.unlink(previous_copy)
    output = result.output.strip()
    if not result.ok:
        return CheckResult(False, f"{result.failure}: {output}" if output else result.failure)
    return CheckResult(True, output)


def restore(dest: str, previous: bytes | None) -> None:
    """Put the previous content back (or remove a file that did not exist before)."""
    if previous is None:
        try:
            os.unlink(dest)
        except FileNotFoundError:
            pass
    else:
        replace_contents(dest, previous)


def try_candidate(cmd: str, dest: str, candidate: bytes, previous: bytes | None, timeout: float) -> CheckResult:
    """Make ``candidate`` live, check it, and restore ``previous`` when the check fails."""
    replace_contents(dest, candidate)
    result = run_check(cmd, dest, previous, timeout)
    if not result.ok:
        restore(dest, previous)
    return result
