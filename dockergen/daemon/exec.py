"""Run a command inside other containers through the engine's exec API.

This is what keeps validate-then-swap in the deployments where nginx and the
generator are separate containers: the candidate file is in a volume both
see, and ``nginx -t`` (or ``nginx -s reload``) runs where nginx is.  Unlike a
signal, an exec reports back: its exit status and output decide a check and
are logged for a notify.

Targets are the running containers selected by name or by Docker list
filters, looked up on every endpoint; each is reached on the endpoint that
runs it.  All targets run at once; one that does not answer within the
timeout counts as a failure named after its container.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from dockergen.daemon.api import api_errors

log = logging.getLogger(__name__)

MAX_OUTPUT = 64 * 1024  # output kept per target, for the log: nginx -t prints a few lines


class ExecTarget(NamedTuple):
    """A running container a command is run in."""

    endpoint: str
    api: Any  # the docker SDK client of that endpoint
    id: str
    name: str

    def describe(self) -> str:
        return f"{self.name} on {self.endpoint}" if self.endpoint else self.name


class ExecResult(NamedTuple):
    """What one target answered; ``exit_code`` is None when the command did not run to its end."""

    target: ExecTarget
    exit_code: int | None
    output: str = ""
    failure: str = ""  # why it did not succeed ("" on exit status 0)
    gone: bool = False  # the container stopped before the command could run in it

    @property
    def ok(self) -> bool:
        return not self.failure


def _not_running(exc: BaseException) -> bool:
    """The engine's answer when the container is gone or stopped: 404, or 409 'is not running'."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status in (404, 409)


def select_targets(
    apis: Mapping[str, Any], names: Iterable[str], filters: Mapping[str, Sequence[str]]
) -> list[ExecTarget]:
    """The running containers named by ``names`` or matched by ``filters``, on every endpoint.

    A name is looked up exactly (inspect), not as the substring Docker's
    ``name`` filter matches.  An endpoint that cannot be asked is logged and
    skipped: its containers are simply not targets this time.
    """
    errors = api_errors()
    names = list(names)
    targets: dict[tuple[str, str], ExecTarget] = {}
    for endpoint, api in apis.items():
        try:
            for name in names:
                try:
                    info = api.inspect_container(name)
                except errors as exc:
                    if _not_running(exc):
                        continue
                    raise
                if (info.get("State") or {}).get("Running"):
                    targets[(endpoint, info["Id"])] = ExecTarget(endpoint, api, info["Id"], info["Name"].lstrip("/"))
            if filters:
                wanted = {key: list(values) for key, values in filters.items()}
                wanted["status"] = ["running"]
                for item in api.containers(filters=wanted):
                    name = (item.get("Names") or ["/" + item["Id"][:12]])[0].lstrip("/")
                    targets[(endpoint, item["Id"])] = ExecTarget(endpoint, api, item["Id"], name)
        except errors as exc:
            log.error("Cannot list the containers to run commands in%s: %s", f" on {endpoint}" if endpoint else "", exc)
    return sorted(targets.values(), key=lambda t: (t.name, t.endpoint))


def exec_once(target: ExecTarget, cmd: str, env: Mapping[str, str]) -> ExecResult:
    """``/bin/sh -c cmd`` in the target; waits for it to end (the caller bounds the wait)."""
    errors = api_errors()
    api = target.api
    try:
        created = api.exec_create(
            target.id, ["/bin/sh", "-c", cmd], stdout=True, stderr=True,
            environment=[f"{key}={value}" for key, value in env.items()],
        )
        raw = api.exec_start(created["Id"])
        exit_code = api.exec_inspect(created["Id"]).get("ExitCode")
    except errors as exc:
        if _not_running(exc):
            return ExecResult(target, None, "", f"{target.describe()} is not running", gone=True)
        return ExecResult(target, None, "", f"exec in {target.describe()} failed: {exc}")
    output = (raw or b"")[-MAX_OUTPUT:].decode("utf-8", "replace").strip()
    if exit_code is None:
        return ExecResult(target, None, output, f"'{cmd}' did not finish in {target.describe()}")
    failure = f"exit status {exit_code} in {target.describe()}" if exit_code else ""
    return ExecResult(target, exit_code, output, failure)


def run_in(
    targets: Sequence[ExecTarget],
    cmd: str,
    *,
    env: Mapping[str, str],
    timeout: float,
    run: Callable[[ExecTarget, str, Mapping[str, str]], ExecResult] = exec_once,
) -> list[ExecResult]:
    """Run ``cmd`` in every target at once; a target still running at the timeout is a failure.

    The engine's exec API cannot kill what it started: a command that hangs
    keeps running in its container (and its thread here keeps waiting until
    the SDK's socket timeout), but nothing waits for it any more.
    """
    if not targets:
        return []
    import threading

    answers: dict[int, ExecResult] = {}

    def one(index: int, target: ExecTarget) -> None:
        try:
            answers[index] = run(target, cmd, env)
        except Exception as exc:  # a bug must not pass for a check that passed
            answers[index] = ExecResult(target, None, "", f"exec in {target.describe()} failed: {exc!r}")

    # Daemon threads: one that hangs must not keep a one-shot run from exiting.
    threads = [
        threading.Thread(target=one, args=(index, target), name=f"exec {target.name}", daemon=True)
        for index, target in enumerate(targets)
    ]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [
        answers.get(index) or ExecResult(target, None, "", f"'{cmd}' timed out after {timeout:g} s in {target.describe()}")
        for index, target in enumerate(targets)
    ]


def log_results(what: str, cmd: str, results: Iterable[ExecResult], seconds: float) -> None:
    """One line per target: info when it passed (output at debug), error with its output when not."""
    for result in results:
        if result.ok:
            log.info("%s '%s' passed in %s (%.1f ms)", what, cmd, result.target.describe(), seconds * 1000)
            for line in result.output.splitlines():
                log.debug("[%s in %s]: %s", cmd, result.target.describe(), line)
        elif result.gone:
            log.warning("%s '%s': %s", what, cmd, result.failure)
        else:
            output = " | ".join(line for line in result.output.splitlines() if line.strip())
            log.error("%s '%s' failed: %s%s", what, cmd, result.failure, f": {output}" if output else "")


def timed_run(
    apis: Mapping[str, Any], names: Iterable[str], filters: Mapping[str, Sequence[str]],
    cmd: str, *, env: Mapping[str, str], timeout: float,
) -> tuple[list[ExecResult], float]:
    """Select the targets and run ``cmd`` in them; returns the results and the seconds it took."""
    started = time.monotonic()
    results = run_in(select_targets(apis, names, filters), cmd, env=env, timeout=timeout)
    return results, time.monotonic() - started
