"""Validate-then-swap: put a candidate in place, run the check command, keep it or restore.

The check runs against the live file because tools such as ``nginx -t``
check the whole configuration tree, not a fragment.  A rejected candidate is
replaced by the previous content atomically, so the file on disk is never
left in a state the check rejected.

The check runs next to dockergen (``run_check``) or, when nginx lives in
another container, inside the selected containers through the engine's exec
API (``run_check_in_containers``); both answer a :class:`CheckResult`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from dockergen.pipeline.writer import replace_contents


class CheckResult(NamedTuple):
    ok: bool
    output: str = ""
    # False when nothing could run the check: no selected container was running.  The
    # candidate then goes live unverified, and is checked as soon as one runs.
    verified: bool = True


def run_check(cmd: str, dest: str, previous: bytes | None, timeout: float) -> CheckResult:
    """Run ``/bin/sh -c cmd`` with ``DOCKERGEN_DEST`` and ``DOCKERGEN_PREVIOUS`` (a copy of the old content)."""
    from dockergen.pipeline.shell import run_shell  # subprocess is imported only by configs that run commands

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


def run_check_in_containers(
    cmd: str, dest: str, timeout: float, apis: Mapping[str, Any],
    names: Iterable[str], filters: Mapping[str, Sequence[str]],
) -> CheckResult:
    """Run ``cmd`` in every selected running container (exec); it passes only if each exits 0.

    A container that stops before the command runs in it is not a vote
    either way; when none is left the result is unverified, not a pass.
    """
    from dockergen.daemon.exec import log_results, timed_run

    results, seconds = timed_run(apis, names, filters, cmd, env={"DOCKERGEN_DEST": dest}, timeout=timeout)
    log_results("Check", cmd, results, seconds)
    ran = [result for result in results if not result.gone]
    if not ran:
        return CheckResult(True, "no selected container is running", verified=False)
    failed = [result for result in ran if not result.ok]
    if failed:
        reasons = []
        for result in failed:
            output = " | ".join(line for line in result.output.splitlines() if line.strip())
            reasons.append(f"{result.failure}: {output}" if output else result.failure)
        return CheckResult(False, "; ".join(reasons))
    return CheckResult(True, "\n".join(result.output for result in ran))


def restore(dest: str, previous: bytes | None) -> None:
    """Put the previous content back (or remove a file that did not exist before)."""
    if previous is None:
        try:
            os.unlink(dest)
        except FileNotFoundError:
            pass
    else:
        replace_contents(dest, previous)


def try_candidate(
    check: Callable[[bytes | None], CheckResult], dest: str, candidate: bytes, previous: bytes | None
) -> CheckResult:
    """Make ``candidate`` live, ``check(previous)`` it, and restore ``previous`` when the check fails."""
    replace_contents(dest, candidate)
    result = check(previous)
    if not result.ok:
        restore(dest, previous)
    return result
