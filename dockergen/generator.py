"""Wiring: configs → jobs, an engine connection, then one-shot, dry-run or the watch loop.

Each stage lives in its own module (inventory, render, job, writer, notify,
watch); this one only connects them.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from dockergen.config import Config, Settings
from dockergen.current_container import current_container_id
from dockergen.endpoint import EngineClients
from dockergen.engines import Engines
from dockergen.errors import EngineUnreachable
from dockergen.events import Backoff, merge_event_filters
from dockergen.inventory import ApiCallCounter, Inventory, InventoryError, Snapshot
from dockergen.job import Job
from dockergen.metrics import Metrics, serve
from dockergen.swarm_inventory import SwarmInventory, check_manager

log = logging.getLogger(__name__)


def snapshots_for(jobs: Sequence[Job], inventory: Inventory | Engines) -> list[Snapshot]:
    """One snapshot per job; configs sharing a filter set share one list call."""
    docker = inventory.docker_facts()
    by_filters: dict[str, Snapshot] = {}
    keys = [repr(sorted((k, sorted(v)) for k, v in job.config.filters.items())) for job in jobs]
    for job, key in zip(jobs, keys):
        if key not in by_filters:
            by_filters[key] = inventory.snapshot(job.config.filters, docker=docker)
    return [by_filters[key] for key in keys]


def run_once(jobs: Sequence[Job], inventory: Inventory | Engines, get_api: Callable[[], Any]) -> int:
    """One-shot mode: render every config once; exit status 1 if any config failed."""
    try:
        snapshots = snapshots_for(jobs, inventory)
    except InventoryError as exc:
        print(f"docker-gen: {exc}", file=sys.stderr)
        return 1
    for job in jobs:
        job.one_shot = True
    outcomes = [job.run(snapshot, get_api, env=dict(os.environ)) for job, snapshot in zip(jobs, snapshots)]
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def dry_run(jobs: Sequence[Job], inventory: Inventory | Engines) -> int:
    """Print what each config would change (a unified diff); write and notify nothing."""
    try:
        snapshots = snapshots_for(jobs, inventory)
    except InventoryError as exc:
        log.error("%s", exc)
        return 1
    status = 0
    for job, snapshot in zip(jobs, snapshots):
        ok, text = job.dry_run(snapshot, env=dict(os.environ))
        (sys.stdout if ok else sys.stderr).write(text)
        status |= not ok
    sys.stdout.flush()
    return status


def wait_for_engine(clients: EngineClients) -> None:
    """Watch mode waits for the engine (with backoff) instead of failing at start-up."""
    backoff = Backoff()
    while True:
        try:
            clients.check()
            clients.sdk  # the event stream needs the SDK client
            return
        except EngineUnreachable as exc:
            delay = backoff.next_delay()
            log.warning("%s; retrying in %.1f s", exc, delay)
            time.sleep(delay)


def run(configs: Sequence[Config], settings: Settings) -> int:
    """The entry point behind the CLI: dry-run, one-shot, or the watch/interval loop."""
    watching = any(config.watch or config.interval for config in configs) and not settings.dry_run
    metrics = Metrics(enabled=bool(settings.metrics_addr) and watching)
    jobs = [Job(config, metrics) for config in configs]  # compiles every template: syntax errors stop here
    for job in jobs:  # a watcher's start-up log says which engine runs each template (-log-level debug: always)
        log.log(logging.INFO if watching else logging.DEBUG, "%s", job.engine_note)
    clients = {endpoint.name: EngineClients(endpoint.url, endpoint.tls) for endpoint in settings.endpoints}
    swarm = any(config.swarm for config in configs)
    engines = make_engines(settings, clients, current_container_id(), swarm=swarm)
    primary = next(iter(clients.values()))
    if not watching:
        for client in clients.values():
            client.check()
        if swarm:
            check_manager(primary.reader, primary.endpoint)
        if settings.dry_run:
            return dry_run(jobs, engines)
        return run_once(jobs, engines, lambda: primary.sdk)

    from dockergen.watch import Watcher

    if metrics.enabled:
        serve(settings.metrics_addr, metrics)
    wait_for_engine(primary)
    if swarm:
        check_manager(primary.reader, primary.endpoint)
    watcher = Watcher(
        jobs,
        engines,
        clients,
        metrics=metrics,
        event_filters=merge_event_filters(settings.event_filter, swarm=swarm),
        reconcile_interval=settings.reconcile_every(swarm),
    )
    return watcher.run()


def make_engines(settings: Settings, clients: dict[str, EngineClients], current_id: str, swarm: bool = False) -> Engines:
    """One inventory per endpoint; containers are marked with their endpoint only when there are several.

    In swarm mode, services, tasks and nodes come from the first endpoint (a manager).
    """
    several = len(settings.endpoints) > 1
    calls = ApiCallCounter()
    inventories = {
        endpoint.name: Inventory(
            clients[endpoint.name].reader,
            current_id=current_id if index == 0 else "",
            endpoint=endpoint.name if several else "",
            node_address=endpoint.address,
            calls=calls,
        )
        for index, endpoint in enumerate(settings.endpoints)
    }
    primary = clients[settings.endpoints[0].name]
    swarm_inventory = SwarmInventory(primary.reader, calls) if swarm else None
    return Engines(inventories, grace=settings.endpoint_grace, calls=calls, swarm=swarm_inventory)
