"""The containers a render sees: Docker API calls plus a cache of inspected containers.

docker-gen inspects every container, one by one, for every render.  Here an
inspect result is kept until an event says the container changed
(:meth:`Inventory.forget`), and the ones that are needed are inspected in
parallel.  After an event, :meth:`Inventory.update` re-inspects just that
container and re-applies the config's filters to it locally, so a render
costs one API call however many containers run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from dockergen.daemon.api import api_errors
from dockergen.errors import InventoryError
from dockergen.daemon.filters import Facts, can_match_locally, matches
from dockergen.model import Address, Docker, RuntimeContainer, State, SwarmNode, container_from_inspect
from dockergen.records import record
from dockergen.daemon.snapshot_requests import (
    Filters, filters_key, list_arguments, send_ahead, send_facts_ahead, unique_filter_sets,
)

if TYPE_CHECKING:  # swarm support is imported only by configs in swarm mode
    from dockergen.model import Swarm

log = logging.getLogger(__name__)


@record()
class Snapshot:
    """Everything a template sees besides the generator's environment."""

    containers: list[RuntimeContainer]
    docker: Docker
    current_container: RuntimeContainer | None = None
    swarm: Swarm | None = None  # services, tasks and nodes, when some config is in swarm mode


class Entry(NamedTuple):
    """A cached inspect: the template's view and the facts filters need."""

    container: RuntimeContainer
    facts: Facts


def newest_first(containers: Iterable[RuntimeContainer]) -> list[RuntimeContainer]:
    """Docker's list order (newest created first), also for lists built without the engine."""
    return sorted(containers, key=lambda c: (c.Created, c.ID), reverse=True)


class ApiCallCounter:
    """Counts Docker API calls by kind, for debug logs and benchmarks (thread-safe)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _is_not_found(exc: BaseException) -> bool:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status == 404


def _health_from_status(status: str) -> str:
    """``Up 5 minutes (healthy)`` -> ``healthy``; ``(health: starting)`` -> ``starting``."""
    if "(health: starting)" in status:
        return "starting"
    if "(unhealthy)" in status:
        return "unhealthy"
    if "(healthy)" in status:
        return "healthy"
    return ""


def _list_summary(item: Mapping[str, Any]) -> tuple:
    """The parts of a ``/containers/json`` entry that a cached inspect must agree with."""
    networks = (item.get("NetworkSettings") or {}).get("Networks") or {}
    return (
        item.get("State") in ("running", "paused", "restarting"),  # inspect says Running for these
        ((item.get("Names") or [""])[0]).lstrip("/"),
        _health_from_status(item.get("Status") or ""),
        tuple(sorted((name, (net or {}).get("IPAddress") or "") for name, net in networks.items())),
    )


def _container_summary(container: RuntimeContainer) -> tuple:
    return (
        container.State.Running,
        container.Name,
        container.State.Health.Status if container.State.Running else "",
        tuple(sorted((n.Name, n.IP) for n in container.Networks)),
    )


class Inventory:
    """Lists, inspects and caches containers of one Docker engine.

    Thread-safe: renders of several configs may ask for snapshots at once.
    """

    def __init__(
        self,
        api: Any,
        *,
        current_id: str = "",
        workers: int = 8,
        endpoint: str = "",
        node_address: str = "",
        calls: ApiCallCounter | None = None,
    ) -> None:
        self.api = api
        self.current_id = current_id
        self.workers = workers
        self.endpoint = endpoint  # set when several engines are rendered together
        self.node_address = node_address
        self.calls = calls or ApiCallCounter()
        self._node: SwarmNode | None = None
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        # Stopped containers whose networks changed since their entry was made (see network_changed).
        self._stale: set[str] = set()
        # Bumped by forget(): an inspect that started before an event must not be cached after it.
        self._generation: dict[str, int] = {}
        self._listed_ids: set[str] | None = None  # IDs seen by the last reconcile
        self._internal_networks: frozenset[str] | None = None
        self._version: dict[str, Any] | None = None
        self._info: dict[str, Any] = {}
        self._prefetching: dict[str, Filters] = {}  # filter sets whose lists were sent ahead
        self._listed_ahead: dict[str, list[dict[str, Any]]] = {}  # ... and read: for the next snapshot

    # -- cache control -------------------------------------------------------------------

    def forget(self, container_id: str) -> None:
        """Drop one container so that the next snapshot inspects it again."""
        with self._lock:
            self._entries.pop(container_id, None)
            self._stale.discard(container_id)
            self._generation[container_id] = self._generation.get(container_id, 0) + 1

    def mark_stopped(self, container_id: str) -> None:
        """A ``die``/``stop`` event: the cached container is no longer running.

        Re-inspecting right away would block: the engine holds the container
        while it tears down its network.  Later events (disconnect, destroy)
        refresh it through :meth:`forget`.
        """
        with self._lock:
            self._generation[container_id] = self._generation.get(container_id, 0) + 1
            cached = self._entries.get(container_id)
            if cached is not None and cached.container.State.Running:
                container = cached.container
                stopped = replace(container, State=State(Running=False, Health=container.State.Health))
                self._entries[container_id] = Entry(stopped, cached.facts.stopped())

    def network_changed(self, container_id: str) -> None:
        """A network ``connect``/``disconnect`` event about a container.

        A running container is inspected again (:meth:`forget`).  A stopped one keeps its
        entry, marked stale: right after a stop the engine answers its inspect only once the
        network is torn down (tens of ms, during which the next event's render would wait),
        and only its networks can be out of date, which a render whose filters leave it out
        (by status, labels, ...) never reads.  :meth:`update` and :meth:`snapshot` inspect a
        stale container the moment a render could show it.
        """
        with self._lock:
            cached = self._entries.get(container_id)
            if cached is None or cached.container.State.Running:
                self._entries.pop(container_id, None)
                self._stale.discard(container_id)
            else:
                self._stale.add(container_id)
            self._generation[container_id] = self._generation.get(container_id, 0) + 1

    def forget_networks(self) -> None:
        with self._lock:
            self._internal_networks = None

    def clear(self) -> None:
        """Forget everything (after a reconnect, when events may have been missed)."""
        with self._lock:
            for container_id in self._entries:
                self._generation[container_id] = self._generation.get(container_id, 0) + 1
            self._entries.clear()
            self._stale.clear()
            self._internal_networks = None
            self._version = None

    # -- API -----------------------------------------------------------------------------

    def prefetch(self, filter_sets: Iterable[Filters]) -> None:
        """Send now the requests that snapshots of ``filter_sets`` will make (a one-shot's start).

        Only the lean unix-socket reader can send ahead; with the SDK client
        this and :meth:`prefetch_inspects` do nothing.  Requests already sent
        ahead (:func:`dockergen.daemon.snapshot_requests.send_ahead`) are not sent again.
        """
        if send_ahead(self.api, filter_sets):
            self._prefetching = unique_filter_sets(filter_sets)

    def prefetch_inspects(self, info: bool = False) -> None:
        """The second step: read the lists sent ahead and send the inspects of what they listed,
        then the daemon-fact requests (``info``: /info too).

        The lists are kept for the snapshots that asked for them, so the
        engine answers the inspects while the caller does something else.
        """
        try:
            for key, filters in self._prefetching.items():
                listed = self.list_containers(filters)
                self._listed_ahead[key] = listed
                with self._lock:
                    missing = [item["Id"] for item in listed if not self._fresh(item["Id"])]
                self.api.prefetch_inspects(missing, connections=self.workers)
        finally:
            if self._prefetching:
                send_facts_ahead(self.api, info)
        self._prefetching = {}

    def list_containers(self, filters: Filters, all: bool = True) -> list[dict[str, Any]]:
        self.calls.add("list")
        try:
            return self.api.containers(**list_arguments(filters, all))
        except api_errors() as exc:
            raise InventoryError(f"Error listing containers: {exc}") from exc

    def _fetch_networks(self) -> frozenset[str]:
        if self._internal_networks is None:
            self.calls.add("networks")
            try:
                networks = self.api.networks()
            except api_errors() as exc:
                log.warning("Error listing networks: %s", exc)
                return frozenset()
            self._internal_networks = frozenset(n.get("Name", "") for n in networks if n.get("Internal"))
        return self._internal_networks

    def _entry(self, container_id: str, data: Any, internal: frozenset[str]) -> Entry | None:
        """The cache entry for one inspect answer; None (logged) when the inspect failed."""
        if isinstance(data, Exception):
            if _is_not_found(data):
                log.debug("Container %s disappeared before it could be inspected", container_id[:12])
            else:
                log.warning("Error inspecting container: %s: %s", container_id, data)
            return None
        container = container_from_inspect(data, internal)
        if self.endpoint:
            container.Endpoint = self.endpoint
            container.Node = self._node_identity()
        return Entry(container, Facts.from_inspect(data))

    def _inspect_one(self, container_id: str) -> Any:
        try:
            return self.api.inspect_container(container_id)
        except api_errors() as exc:
            return exc

    def inspect_many(self, ids: Iterable[str]) -> dict[str, Entry]:
        """Inspect containers (several at a time when there are several) and cache the results.

        The lean reader pipelines the requests over a few connections; the SDK
        client is run from a thread pool.
        """
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        with self._lock:
            generations = {cid: self._generation.get(cid, 0) for cid in wanted}
        internal = self._fetch_networks()
        self.calls.add("inspect", len(wanted))
        if len(wanted) == 1 or self.workers <= 1:
            answers = [self._inspect_one(cid) for cid in wanted]
        elif hasattr(self.api, "inspect_containers"):
            answers = self.api.inspect_containers(wanted, connections=self.workers)
        else:
            from concurrent.futures import ThreadPoolExecutor  # only for the SDK client (tcp endpoints)

            with ThreadPoolExecutor(max_workers=min(self.workers, len(wanted))) as pool:
                answers = list(pool.map(self._inspect_one, wanted))
        results = [self._entry(cid, answer, internal) for cid, answer in zip(wanted, answers)]
        found = {cid: entry for cid, entry in zip(wanted, results) if entry is not None}
        with self._lock:
            for cid, entry in found.items():
                if self._generation.get(cid, 0) == generations[cid]:
                    self._entries[cid] = entry
                    self._stale.discard(cid)
        return found

    def reconcile(self) -> set[str]:
        """Compare one list call with the cache and forget what differs.

        Catches anything an event did not tell us (state, name, health, networks,
        containers that came or went).  Returns the IDs found changed.
        """
        listed = self.list_containers({}, all=True)
        with self._lock:
            cached = {cid: entry.container for cid, entry in self._entries.items()}
            previously_listed = self._listed_ids
        changed: set[str] = set()
        seen: set[str] = set()
        for item in listed:
            container_id = item["Id"]
            seen.add(container_id)
            container = cached.get(container_id)
            if container is None:
                if previously_listed is not None and container_id not in previously_listed:
                    changed.add(container_id)
            elif _list_summary(item) != _container_summary(container):
                changed.add(container_id)
        changed.update(cid for cid in cached if cid not in seen)
        if previously_listed is not None:
            changed.update(cid for cid in previously_listed if cid not in seen)
        for container_id in changed:
            self.forget(container_id)
        with self._lock:
            self._listed_ids = seen
            # Generations only matter while an inspect is in flight: forget those of
            # containers that are gone, so a long-running watcher does not grow.
            for container_id in [cid for cid in self._generation if cid not in seen and cid not in self._entries]:
                del self._generation[container_id]
        return changed

    def _node_identity(self) -> SwarmNode:
        """Which engine a container runs on: its name and ID from ``/info``, the configured address."""
        if self._node is None:
            self.docker_facts()
        return self._node or SwarmNode()

    def owns(self, container_id: str) -> bool:
        with self._lock:
            return container_id in self._entries

    def docker_facts(self, info: bool = True) -> Docker:
        """Daemon facts; version fields are re-fetched after :meth:`clear` (daemon upgrades).

        ``info=False`` leaves out what only ``/info`` says (name, counts), one
        of the engine's most expensive calls, for renders that never read it.
        """
        if self._version is None:
            self.calls.add("version")
            try:
                self._version = self.api.version()
            except api_errors() as exc:
                log.warning("Error retrieving docker server version info: %s", exc)
                self._version = {}
        if info:
            self.calls.add("info")
            try:
                self._info = self.api.info()
            except api_errors() as exc:  # keep the previous values, as docker-gen does
                log.warning("Error retrieving docker server info: %s", exc)
        self._node = SwarmNode(
            ID=self._info.get("ID", ""), Name=self._info.get("Name", ""), Address=Address(IP=self.node_address)
        )
        return Docker(
            Name=self._info.get("Name", ""),
            NumContainers=self._info.get("Containers", 0),
            NumImages=self._info.get("Images", 0),
            Version=self._version.get("Version", ""),
            ApiVersion=self._version.get("ApiVersion", ""),
            GoVersion=self._version.get("GoVersion", ""),
            OperatingSystem=self._version.get("Os", ""),
            Architecture=self._version.get("Arch", ""),
            CurrentContainerID=self.current_id,
        )

    def _fresh(self, container_id: str) -> bool:
        """Cached and not stale (call with the lock held)."""
        return container_id in self._entries and container_id not in self._stale

    def _known(self, found: Mapping[str, Entry]) -> dict[str, Entry]:
        with self._lock:
            return {**self._entries, **found}

    def _current(self, known: Mapping[str, Entry]) -> RuntimeContainer | None:
        """docker-gen's CurrentContainer: ours even when the filters exclude it."""
        if not self.current_id:
            return None
        if self.current_id not in known:
            found = self.inspect_many([self.current_id])
            return found[self.current_id].container if self.current_id in found else None
        return known[self.current_id].container

    def snapshot(self, filters: Filters, docker: Docker | None = None) -> Snapshot:
        """List the containers matching ``filters`` and return them fully inspected.

        Only containers missing from the cache are inspected.
        """
        ahead = self._listed_ahead.pop(filters_key(filters), None)
        listed = [item["Id"] for item in (self.list_containers(filters) if ahead is None else ahead)]
        with self._lock:
            missing = [cid for cid in listed if not self._fresh(cid)]
        known = self._known(self.inspect_many(missing))
        # Right after a container's `die` event the engine may still list it as
        # running while its inspect already says it stopped: trust the inspect.
        running_only = list(filters.get("status", [])) == ["running"]
        containers = [
            known[cid].container
            for cid in listed
            if cid in known and (not running_only or known[cid].container.State.Running)
        ]
        return Snapshot(
            containers=newest_first(containers),
            docker=docker if docker is not None else self.docker_facts(),
            current_container=self._current(known),
        )

    def update(
        self, filters: Filters, previous: Iterable[str], changed: Iterable[str], docker: Docker
    ) -> Snapshot | None:
        """The snapshot after events about ``changed`` containers, without listing all containers.

        ``previous`` are the IDs of the last snapshot for these filters.  Returns
        None when the filters need the engine's list (keys not evaluated locally).
        """
        if not can_match_locally(filters):
            return None
        changed = set(changed)
        members = set(previous)
        with self._lock:
            # A stale entry (a stopped container whose networks changed) is inspected only when
            # these filters could list it: judged by its other facts, or whenever they name networks.
            missing = [
                cid for cid in changed
                if cid not in self._entries or cid in self._stale
                and ("network" in filters or matches(cid, self._entries[cid].facts, filters))
            ]
        known = self._known(self.inspect_many(missing))
        for container_id in changed:
            entry = known.get(container_id)
            if entry is not None and matches(container_id, entry.facts, filters):
                members.add(container_id)
            else:
                members.discard(container_id)
        if not all(cid in known for cid in members):
            return None  # something previously listed is no longer cached: list again
        return Snapshot(
            containers=newest_first(known[cid].container for cid in members),
            docker=docker,
            current_container=self._current(known),
        )
