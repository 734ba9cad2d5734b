"""Wiring: for each config, snapshot → render → write if changed → notify.

This module only connects the stages; each stage lives in its own module
(inventory, render, writer, notify).  ``Job.run`` is the "render this config
now" step that both one-shot mode and the watch loop call.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dockergen.config import Config, Settings
from dockergen.current_container import current_container_id
from dockergen.endpoint import EngineClients, socket_path
from dockergen.errors import EngineUnreachable
from dockergen.events import Backoff, merge_event_filters
from dockergen.inventory import Inventory, InventoryError, Snapshot
from dockergen.notify import notify
from dockergen.render import RenderError, RenderInput, Template
from dockergen.writer import WriteError, write_if_changed

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What one run of a job did."""

    ok: bool
    changed: bool = False
    error: str = ""


@dataclass
class Job:
    """One config with its compiled template."""

    config: Config
    template: Template = field(init=False)

    def __post_init__(self) -> None:
        self.template = Template(self.config.template, keep_blank_lines=self.config.keep_blank_lines)

    def run(
        self,
        snapshot: Snapshot,
        get_api: Callable[[], Any],
        *,
        always_notify: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> Outcome:
        """Render, write if changed, notify if changed (or always, for interval ticks).

        A failure is logged and leaves the destination as it was.
        """
        config = self.config
        try:
            text = self.template.render(RenderInput.from_snapshot(snapshot, env))
        except RenderError as exc:
            log.error("Template error: %s", exc)
            return Outcome(ok=False, error=str(exc))
        try:
            result = write_if_changed(config.dest, text)
        except WriteError as exc:
            log.error("Unable to write to dest file: %s", exc)
            return Outcome(ok=False, error=str(exc))
        if result.changed:
            if config.dest:
                log.info("Generated '%s' from %d containers", config.dest, len(snapshot.containers))
        elif not always_notify:
            log.info("Contents of %s did not change. Skipping notification '%s'", config.dest, config.notify_cmd)
            return Outcome(ok=True, changed=False)
        notify(config, get_api)
        return Outcome(ok=True, changed=result.changed)


def snapshots_for(jobs: Sequence[Job], inventory: Inventory) -> dict[int, Snapshot]:
    """One snapshot per distinct filter set (configs sharing filters share one list call)."""
    docker = inventory.docker_facts()
    by_filters: dict[str, Snapshot] = {}
    result: dict[int, Snapshot] = {}
    for index, job in enumerate(jobs):
        filters = job.config.filters
        key = repr(sorted((k, sorted(v)) for k, v in filters.items()))
        if key not in by_filters:
            by_filters[key] = inventory.snapshot(filters, docker=docker)
        result[index] = by_filters[key]
    return result


def run_once(jobs: Sequence[Job], inventory: Inventory, get_api: Callable[[], Any]) -> int:
    """One-shot mode: render every config once; exit status 1 if any config failed."""
    failed = 0
    try:
        snapshots = snapshots_for(jobs, inventory)
    except InventoryError as exc:
        log.error("%s", exc)
        return 1
    for index, job in enumerate(jobs):
        outcome = job.run(snapshots[index], get_api, env=dict(os.environ))
        failed += not outcome.ok
    return 1 if failed else 0


def load_jobs(configs: Sequence[Config]) -> list[Job]:
    """Compile every template up front, so that a syntax error stops start-up."""
    return [Job(config) for config in configs]


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
    """The entry point behind the CLI: one-shot, or the watch/interval loop."""
    jobs = load_jobs(configs)
    clients = EngineClients(settings.endpoint, settings.tls)
    current_id = current_container_id()
    if not any(config.watch or config.interval for config in configs):
        clients.check()
        return run_once(jobs, Inventory(clients.reader, current_id=current_id), lambda: clients.sdk)

    from dockergen.watch import Watcher

    wait_for_engine(clients)
    watcher = Watcher(
        jobs,
        Inventory(clients.reader, current_id=current_id),
        clients,
        event_filters=merge_event_filters(settings.event_filter),
        socket_path=socket_path(settings.endpoint),
        reconcile_interval=settings.reconcile_interval,
    )
    return watcher.run()
