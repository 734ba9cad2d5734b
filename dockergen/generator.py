"""Wiring: configs → jobs, an engine connection, then one-shot, dry-run or the watch loop.

Each stage lives in its own module (inventory, render, job, writer, notify,
watch); this one only connects them.  A one-shot run sends the engine its
requests first, then imports the stages and compiles its templates while the
engine answers: the two take about as long, so neither waits for the other.
That is why the stages are imported inside the functions here.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dockergen.config import Config, Settings
from dockergen.daemon.endpoint import EndpointClients, sdk_clients
from dockergen.errors import DockerUnreachable

if TYPE_CHECKING:
    from dockergen.daemon.endpoints import Endpoints
    from dockergen.daemon.inventory import Inventory, Snapshot
    from dockergen.pipeline.job import Job
    from dockergen.daemon.snapshot_requests import Filters

log = logging.getLogger(__name__)


def snapshots_for(filter_sets: Sequence[Filters], inventory: Inventory | Endpoints, *, info: bool = True) -> list[Snapshot]:
    """One snapshot per filter set; equal sets share one list call, and all of them the daemon facts.

    The facts are asked for last, so that their answer arrives while the
    containers are read; ``info=False``: see :meth:`Inventory.docker_facts`.
    """
    from dockergen.model import Docker
    from dockergen.daemon.snapshot_requests import filters_key

    by_key: dict[str, Snapshot] = {}
    keys = [filters_key(filters) for filters in filter_sets]
    for filters, key in zip(filter_sets, keys):
        if key not in by_key:
            by_key[key] = inventory.snapshot(filters, docker=Docker())
    docker = inventory.docker_facts(info=info)
    for snapshot in by_key.values():
        snapshot.docker = docker
    return [by_key[key] for key in keys]


def run_once(
    jobs: Sequence[Job], snapshots: Sequence[Snapshot], get_api: Callable[[], Any],
    get_apis: Callable[[], Mapping[str, Any]] | None = None,
) -> int:
    """One-shot mode: render every config once; exit status 1 if any config failed."""
    for job in jobs:
        job.one_shot = True
    outcomes = [
        job.run(snapshot, get_api, env=dict(os.environ), get_apis=get_apis) for job, snapshot in zip(jobs, snapshots)
    ]
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def dry_run(jobs: Sequence[Job], snapshots: Sequence[Snapshot]) -> int:
    """Print what each config would change (a unified diff); write and notify nothing."""
    status = 0
    for job, snapshot in zip(jobs, snapshots):
        ok, text = job.dry_run(snapshot, env=dict(os.environ))
        (sys.stdout if ok else sys.stderr).write(text)
        status |= not ok
    sys.stdout.flush()
    return status


def one_shot(configs: Sequence[Config], settings: Settings) -> int:
    """One-shot and dry-run: ask the engine, compile the templates meanwhile, then render each config once.

    A template error is reported before anything the engine says.  On unix
    sockets nothing connects before that; a tcp endpoint's SDK client
    connects when it is made, so it is made after the templates compile.
    """
    from dockergen.daemon.snapshot_requests import INFO_CALL, send_ahead
    from dockergen.engine import check_template_list
    from dockergen.engine_choice import choose_engine

    clients = {endpoint.name: EndpointClients(endpoint.url, endpoint.tls) for endpoint in settings.endpoints}
    filter_sets = [config.filters for config in configs]
    lean = all(client.lean for client in clients.values())
    if lean:  # the first requests go out before anything else is imported
        for client in clients.values():
            send_ahead(client.reader, filter_sets)
    # Which engine runs each template is known before anything compiles (0.4 ms for nginx-proxy's
    # template).  A Go template may always read the daemon facts, and the engine takes 10 to 15 ms
    # to answer /info: asked with the inspects, its answer is there when the snapshot is made.
    chosen = [choose_engine(check_template_list(config.template), config.engine) for config in configs]
    info_ahead = len(clients) > 1 or any(engine == "go" for engine, _ in chosen)

    from dockergen.daemon.current_container import current_container_id

    swarm = any(config.swarm for config in configs)
    primary = next(iter(clients.values()))
    endpoints = None
    if lean:
        endpoints = make_endpoints(settings, clients, current_container_id(), swarm=swarm)
        endpoints.prefetch(filter_sets)

    from dockergen.errors import InventoryError
    from dockergen.pipeline.job import Job

    if endpoints is not None:
        try:
            # The lists arrived while the stages were imported; the engine answers
            # the inspects they call for while the templates compile.
            endpoints.prefetch_inspects(info=info_ahead)
        except InventoryError:
            pass  # the snapshot asks again and reports it, after any template error
    # Compiles every template: syntax errors stop here.
    jobs = [Job(config, chosen=choice) for config, choice in zip(configs, chosen)]
    for job in jobs:
        log.debug("%s", job.engine_note)
    info = info_ahead or any(job.template.uses_daemon_facts for job in jobs)
    if info and lean and not info_ahead:
        for client in clients.values():
            client.reader.prefetch(INFO_CALL)
    if endpoints is None:
        endpoints = make_endpoints(settings, clients, current_container_id(), swarm=swarm)
    for client in clients.values():
        client.check()
    if swarm:
        from dockergen.daemon.swarm_inventory import check_manager

        check_manager(primary.reader, primary.endpoint)
    try:
        snapshots = snapshots_for(filter_sets, endpoints, info=info)
    except InventoryError as exc:
        if settings.dry_run:
            log.error("%s", exc)
        else:
            print(f"docker-gen: {exc}", file=sys.stderr)
        return 1
    if settings.dry_run:
        return dry_run(jobs, snapshots)
    return run_once(jobs, snapshots, lambda: primary.sdk, lambda: sdk_clients(clients))


def wait_for_engine(clients: EndpointClients) -> None:
    """Watch mode waits for the engine (with backoff) instead of failing at start-up."""
    from dockergen.daemon.events import Backoff

    backoff = Backoff()
    while True:
        try:
            clients.check()
            clients.sdk  # the event stream needs the SDK client
            return
        except DockerUnreachable as exc:
            delay = backoff.next_delay()
            log.warning("%s; retrying in %.1f s", exc, delay)
            time.sleep(delay)


def run(configs: Sequence[Config], settings: Settings) -> int:
    """The entry point behind the CLI: dry-run, one-shot, or the watch/interval loop."""
    watching = any(config.watch or config.interval for config in configs) and not settings.dry_run
    if not watching:
        return one_shot(configs, settings)
    gc.enable()  # the console script starts with it off, for a quick start; a watcher runs for months

    from dockergen.daemon.current_container import current_container_id
    from dockergen.daemon.events import merge_event_filters
    from dockergen.pipeline.job import Job
    from dockergen.metrics import Metrics, serve
    from dockergen.daemon.swarm_inventory import check_manager
    from dockergen.watch import Watcher

    metrics = Metrics(enabled=bool(settings.metrics_addr))
    jobs = [Job(config, metrics) for config in configs]  # compiles every template: syntax errors stop here
    for job in jobs:  # a watcher's start-up log says which engine runs each template
        log.info("%s", job.engine_note)
    clients = {endpoint.name: EndpointClients(endpoint.url, endpoint.tls) for endpoint in settings.endpoints}
    swarm = any(config.swarm for config in configs)
    endpoints = make_endpoints(settings, clients, current_container_id(), swarm=swarm)
    primary = next(iter(clients.values()))
    if metrics.enabled:
        serve(settings.metrics_addr, metrics)
    wait_for_engine(primary)
    if swarm:
        check_manager(primary.reader, primary.endpoint)
    watcher = Watcher(
        jobs,
        endpoints,
        clients,
        metrics=metrics,
        event_filters=merge_event_filters(settings.event_filter, swarm=swarm),
        reconcile_interval=settings.reconcile_every(swarm),
    )
    return watcher.run()


def make_endpoints(settings: Settings, clients: dict[str, EndpointClients], current_id: str, swarm: bool = False) -> Endpoints:
    """One inventory per endpoint; containers are marked with their endpoint only when there are several.

    In swarm mode, services, tasks and nodes come from the first endpoint (a manager).
    """
    from dockergen.daemon.endpoints import Endpoints
    from dockergen.daemon.inventory import ApiCallCounter, Inventory

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
    swarm_inventory = None
    if swarm:
        from dockergen.daemon.swarm_inventory import SwarmInventory

        swarm_inventory = SwarmInventory(clients[settings.endpoints[0].name].reader, calls)
    return Endpoints(inventories, grace=settings.endpoint_grace, calls=calls, swarm=swarm_inventory)
