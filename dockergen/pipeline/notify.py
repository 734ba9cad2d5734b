"""After a changed render: run the notify command, then signal or restart containers.

Unlike docker-gen, the command has a timeout (a hung reload must not stall the
watcher forever) and containers are signalled in a stable order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from dockergen.config import RESTART, Config
from dockergen.daemon.api import api_errors
from dockergen.errors import DockerGenError
from dockergen.metrics import Metrics

log = logging.getLogger(__name__)

RESTART_TIMEOUT = 10


def run_notify_command(cmd: str, *, timeout: float, log_output: bool = False, dest: str = "") -> bool:
    """Run ``/bin/sh -c cmd``; returns True on exit status 0.  Killed (with its children) at the timeout."""
    if not cmd:
        return True
    from dockergen.pipeline.shell import run_shell  # subprocess is imported only by configs that run commands

    log.info("Running '%s'", cmd)
    result = run_shell(cmd, env=dict(os.environ, DOCKERGEN_DEST=dest), timeout=timeout)
    if log_output:
        for line in result.output.split("\n"):
            if line.strip():
                log.info("[%s]: %s", cmd, line)
    if not result.ok:
        log.error("Error running notify command: %s, %s", cmd, result.failure)
    return result.ok


def send_signal(api: Any, container: str, signal_number: int) -> bool:
    """Signal one container (``-1`` restarts it); errors are logged, not raised."""
    log.info("Sending container '%s' signal '%s'", container, signal_number)
    try:
        if signal_number == RESTART:
            api.restart(container, timeout=RESTART_TIMEOUT)
        else:
            api.kill(container, signal=signal_number)
    except api_errors() as exc:
        verb = "restarting container" if signal_number == RESTART else "sending signal to container"
        log.error("Error %s '%s': %s", verb, container, exc)
        return False
    return True


def signal_containers(api: Any, targets: Mapping[str, int]) -> bool:
    results = [send_signal(api, container, targets[container]) for container in sorted(targets)]
    return all(results)


def signal_filtered(api: Any, filters: Mapping[str, list[str]], signal_number: int) -> bool:
    """Signal every running container matching Docker list filters."""
    if not filters:
        return True
    try:
        matches = api.containers(all=False, filters=dict(filters))
    except api_errors() as exc:
        log.error("Error getting containers: %s", exc)
        return False
    return all([send_signal(api, item["Id"], signal_number) for item in matches])


def force_update_service(api: Any, service: Mapping[str, Any]) -> bool:
    """``docker service update --force``: the swarm replaces every task, rolling as the service says."""
    name = (service.get("Spec") or {}).get("Name") or service.get("ID", "")
    log.info("Force-updating service '%s'", name)
    try:
        spec = service["Spec"]
        template = dict(spec.get("TaskTemplate") or {})
        template["ForceUpdate"] = int(template.get("ForceUpdate") or 0) + 1
        api.update_service(service["ID"], service["Version"]["Index"], task_template=template, fetch_current_spec=True)
    except (*api_errors(), KeyError, TypeError) as exc:  # KeyError, TypeError: a service without its spec
        log.error("Error force-updating service '%s': %s", name, exc)
        return False
    return True


def signal_services(api: Any, targets: Mapping[str, int]) -> bool:
    """Signal the running task containers, on this node, of every service a selector matches.

    A selector is a service name or ID, or ``label=KEY[=VALUE]``; signal ``-1``
    force-updates the service instead (its tasks are replaced on every node).
    """
    from dockergen.daemon.swarm import SERVICE_ID_LABEL, service_from_api, service_matches

    try:
        services = api.services()
    except api_errors() as exc:
        log.error("Error listing services: %s", exc)
        return False
    ok = True
    for selector in sorted(targets):
        signal_number = targets[selector]
        matched = [raw for raw in services if service_matches(service_from_api(raw, [], {}), selector)]
        if not matched:
            log.warning("No service matches '%s'", selector)
        for raw in matched:
            if signal_number == RESTART:
                ok = force_update_service(api, raw) and ok
            else:
                ok = signal_filtered(api, {"label": [f"{SERVICE_ID_LABEL}={raw['ID']}"]}, signal_number) and ok
    return ok


def run_notify_exec(config: Config, apis: Mapping[str, Any], metrics: Metrics | None = None) -> bool:
    """Run ``notify_exec`` in the selected running containers; a non-zero exit is logged with its output."""
    from dockergen.daemon.exec import log_results, timed_run

    results, seconds = timed_run(
        apis, config.exec_containers, config.exec_containers_filter, config.notify_exec,
        env={"DOCKERGEN_DEST": config.dest}, timeout=config.notify_timeout,
    )
    if not results:
        log.warning("No selected container is running: '%s' was not run", config.notify_exec)
    log_results("Notify", config.notify_exec, results, seconds)
    failed = [result for result in results if not result.ok and not result.gone]
    if failed and metrics is not None:
        metrics.exec_failed(config.label, "notify", len(failed))
    return not failed


def notify(
    config: Config,
    get_api: Callable[[], Any],
    get_apis: Callable[[], Mapping[str, Any]] | None = None,
    metrics: Metrics | None = None,
) -> bool:
    """Everything a changed render of ``config`` triggers, in docker-gen's order; False if any part failed.

    ``get_api`` returns the primary endpoint's docker SDK client and
    ``get_apis`` every endpoint's by name; they are only called when
    containers are to be signalled or run a command.
    """
    ok = run_notify_command(
        config.notify_cmd, timeout=config.notify_timeout, log_output=config.notify_output, dest=config.dest
    )
    if config.notify_exec:
        try:
            apis = get_apis() if get_apis is not None else {"": get_api()}
        except (DockerGenError, *api_errors()) as exc:
            log.error("Cannot run '%s' in containers: %s", config.notify_exec, exc)
            ok = False
        else:
            ok = run_notify_exec(config, apis, metrics) and ok
    if not config.notify_containers and not config.notify_containers_filter and not config.notify_services:
        return ok
    try:
        api = get_api()
    except (DockerGenError, *api_errors()) as exc:
        log.error("Cannot signal containers: %s", exc)
        return False
    ok = signal_containers(api, config.notify_containers) and ok
    ok = signal_filtered(api, config.notify_containers_filter, config.notify_containers_signal) and ok
    if config.notify_services:
        ok = signal_services(api, config.notify_services) and ok
    return ok
