"""Several Docker engines rendered as one: each endpoint keeps its own inventory.

A render sees the containers of every endpoint, each marked with its
``Endpoint`` and ``Node``.  An endpoint that cannot be reached does not block
the others: its last known containers are kept for a grace period, then
dropped (and brought back when it returns).  With a single endpoint nothing
changes from plain :class:`~dockergen.daemon.inventory.Inventory` behaviour: an
unreachable engine fails the render and the destination keeps its content.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from dockergen.daemon.inventory import ApiCallCounter, Inventory, Snapshot, newest_first
from dockergen.errors import InventoryError
from dockergen.model import Docker, RuntimeContainer
from dockergen.daemon.snapshot_requests import Filters, filters_key

if TYPE_CHECKING:  # swarm support is imported only by configs in swarm mode
    from dockergen.daemon.swarm_inventory import SwarmInventory

log = logging.getLogger(__name__)


class Endpoints:
    """The inventories of all endpoints, by endpoint name (the first one is the local/primary one)."""

    def __init__(
        self,
        members: Mapping[str, Inventory],
        *,
        grace: float = 30.0,
        calls: ApiCallCounter | None = None,
        swarm: SwarmInventory | None = None,
    ) -> None:
        self.members = dict(members)
        self.swarm = swarm  # the primary endpoint's swarm, when some config is in swarm mode
        self.grace = grace
        self.calls = calls or next(iter(self.members.values())).calls
        self._lock = threading.Lock()
        self._down_since: dict[str, float] = {}
        self._last: dict[tuple[str, str], list[RuntimeContainer]] = {}

    @property
    def primary(self) -> Inventory:
        return next(iter(self.members.values()))

    @property
    def several(self) -> bool:
        return len(self.members) > 1

    # -- endpoint state --------------------------------------------------------------------

    def mark_down(self, name: str) -> None:
        with self._lock:
            self._down_since.setdefault(name, time.monotonic())

    def mark_up(self, name: str) -> None:
        with self._lock:
            self._down_since.pop(name, None)

    def down(self) -> dict[str, float]:
        """Endpoints that are down, with how long they have been."""
        now = time.monotonic()
        with self._lock:
            return {name: now - since for name, since in self._down_since.items()}

    def _lost(self, name: str) -> bool:
        """Down for longer than the grace period: its containers are no longer rendered."""
        with self._lock:
            since = self._down_since.get(name)
        return since is not None and time.monotonic() - since >= self.grace

    # -- what renders call -------------------------------------------------------------------

    def prefetch(self, filter_sets: Iterable[Filters]) -> None:
        """Ask every endpoint now for what snapshots of ``filter_sets`` will need."""
        for inventory in self.members.values():
            inventory.prefetch(filter_sets)

    def prefetch_inspects(self, info: bool = False) -> None:
        """Read the lists sent ahead and send the inspects they call for, then the daemon-fact
        requests (:meth:`Inventory.prefetch_inspects`)."""
        for inventory in self.members.values():
            inventory.prefetch_inspects(info)

    def docker_facts(self, info: bool = True) -> Docker:
        """The ``docker`` context object is the primary endpoint's; the others refresh their node facts."""
        facts = self.primary.docker_facts(info=info or self.several)  # Node identities come from /info
        for inventory in list(self.members.values())[1:]:
            inventory.docker_facts()
        return facts

    def _with_swarm(self, snapshot: Snapshot) -> Snapshot:
        if self.swarm is not None:
            snapshot.swarm = self.swarm.state()
        return snapshot

    def snapshot(self, filters: Filters, docker: Docker | None = None) -> Snapshot:
        if not self.several:
            return self._with_swarm(self.primary.snapshot(filters, docker=docker))
        docker = docker if docker is not None else self.docker_facts()
        key = filters_key(filters)
        containers: list[RuntimeContainer] = []
        current = None
        for name, inventory in self.members.items():
            try:
                part = inventory.snapshot(filters, docker=docker)
            except InventoryError as exc:
                self.mark_down(name)
                if self._lost(name):
                    continue
                log.warning("Endpoint %s: %s; keeping its last known containers", name, exc)
                containers.extend(self._last.get((name, key), []))
                continue
            self._last[(name, key)] = part.containers
            containers.extend(part.containers)
            current = current or part.current_container
        return self._with_swarm(Snapshot(containers=newest_first(containers), docker=docker, current_container=current))

    def update(
        self, filters: Filters, previous: Iterable[str], changed: Mapping[str, set[str]], docker: Docker
    ) -> Snapshot | None:
        """Like :meth:`Inventory.update` for each endpoint; None when a full snapshot is needed."""
        if not self.several:
            snapshot = self.primary.update(filters, previous, changed.get(self.primary_name, set()), docker)
            return None if snapshot is None else self._with_swarm(snapshot)
        if self.down():
            return None  # keeps the grace-period bookkeeping in one place: snapshot()
        previous = list(previous)
        key = filters_key(filters)
        containers: list[RuntimeContainer] = []
        current = None
        claimed: set[str] = set()
        for name, inventory in self.members.items():
            mine_changed = changed.get(name, set())
            mine = [cid for cid in previous if cid in mine_changed or inventory.owns(cid)]
            claimed.update(mine)
            part = inventory.update(filters, mine, mine_changed, docker)
            if part is None:
                return None
            self._last[(name, key)] = part.containers
            containers.extend(part.containers)
            current = current or part.current_container
        if claimed != set(previous):
            return None  # some container's owner is unknown (its cache was cleared): list again
        return self._with_swarm(Snapshot(containers=newest_first(containers), docker=docker, current_container=current))

    @property
    def primary_name(self) -> str:
        return next(iter(self.members))

    def endpoint_of(self, name: str) -> Inventory:
        return self.members[name]
