"""The containers a render sees: Docker API calls plus a cache of inspected containers.

docker-gen inspects every container, one by one, for every render.  Here an
inspect result is kept until an event says the container changed
(:meth:`Inventory.forget`), and the ones that are needed are inspected in
parallel, so a render after one event costs one list call and one inspect.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from dockergen.model import Docker, RuntimeContainer, container_from_inspect

log = logging.getLogger(__name__)

Filters = Mapping[str, list[str]]


@dataclass
class Snapshot:
    """Everything a template sees besides the generator's environment."""

    containers: list[RuntimeContainer]
    docker: Docker
    current_container: RuntimeContainer | None = None


@dataclass
class ApiCallCounter:
    """Counts Docker API calls by kind, for debug logs and benchmarks."""

    counts: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, kind: str, n: int = 1) -> None:
        with self._lock:
            self.counts[kind] = self.counts.get(kind, 0) + n

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class InventoryError(Exception):
    """The engine could not be asked (list failed); the render cannot go on."""


def _is_not_found(exc: BaseException) -> bool:
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return status == 404


class Inventory:
    """Lists, inspects and caches containers of one Docker engine.

    Thread-safe: renders of several configs may ask for snapshots at once.
    """

    def __init__(self, api: Any, *, current_id: str = "", workers: int = 8) -> None:
        self.api = api
        self.current_id = current_id
        self.workers = workers
        self.calls = ApiCallCounter()
        self._lock = threading.Lock()
        self._containers: dict[str, RuntimeContainer] = {}
        self._internal_networks: frozenset[str] | None = None
        self._version: dict[str, Any] | None = None
        self._info: dict[str, Any] = {}

    # -- cache control -------------------------------------------------------------------

    def forget(self, container_id: str) -> None:
        """Drop one container so that the next snapshot inspects it again."""
        with self._lock:
            self._containers.pop(container_id, None)

    def forget_networks(self) -> None:
        with self._lock:
            self._internal_networks = None

    def clear(self) -> None:
        """Forget everything (after a reconnect, when events may have been missed)."""
        with self._lock:
            self._containers.clear()
            self._internal_networks = None
            self._version = None

    def cached_ids(self) -> set[str]:
        with self._lock:
            return set(self._containers)

    # -- API -----------------------------------------------------------------------------

    def list_containers(self, filters: Filters, all: bool = True) -> list[dict[str, Any]]:
        self.calls.add("list")
        try:
            return self.api.containers(all=all, filters=dict(filters) if filters else None)
        except Exception as exc:  # the SDK raises several unrelated types
            raise InventoryError(f"Error listing containers: {exc}") from exc

    def _fetch_networks(self) -> frozenset[str]:
        if self._internal_networks is None:
            self.calls.add("networks")
            try:
                networks = self.api.networks()
            except Exception as exc:
                log.warning("Error listing networks: %s", exc)
                return frozenset()
            self._internal_networks = frozenset(n.get("Name", "") for n in networks if n.get("Internal"))
        return self._internal_networks

    def _inspect(self, container_id: str, internal: frozenset[str]) -> RuntimeContainer | None:
        self.calls.add("inspect")
        try:
            data = self.api.inspect_container(container_id)
        except Exception as exc:
            if _is_not_found(exc):
                log.debug("Container %s disappeared before it could be inspected", container_id[:12])
            else:
                log.warning("Error inspecting container: %s: %s", container_id, exc)
            return None
        return container_from_inspect(data, internal)

    def inspect_many(self, ids: Iterable[str]) -> dict[str, RuntimeContainer]:
        """Inspect containers (in parallel when there are several) and cache the results."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        internal = self._fetch_networks()
        if len(wanted) == 1 or self.workers <= 1:
            results = [self._inspect(cid, internal) for cid in wanted]
        else:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(wanted))) as pool:
                results = list(pool.map(lambda cid: self._inspect(cid, internal), wanted))
        found = {cid: c for cid, c in zip(wanted, results) if c is not None}
        with self._lock:
            self._containers.update(found)
        return found

    def docker_facts(self) -> Docker:
        """Daemon facts; version fields are re-fetched after :meth:`clear` (daemon upgrades)."""
        if self._version is None:
            self.calls.add("version")
            try:
                self._version = self.api.version()
            except Exception as exc:
                log.warning("Error retrieving docker server version info: %s", exc)
                self._version = {}
        self.calls.add("info")
        try:
            self._info = self.api.info()
        except Exception as exc:  # keep the previous values, as docker-gen does
            log.warning("Error retrieving docker server info: %s", exc)
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

    def snapshot(self, filters: Filters, docker: Docker | None = None) -> Snapshot:
        """List the containers matching ``filters`` and return them fully inspected.

        Only containers missing from the cache are inspected.  The list order is
        Docker's (newest first), as in docker-gen.
        """
        listed = [item["Id"] for item in self.list_containers(filters)]
        with self._lock:
            missing = [cid for cid in listed if cid not in self._containers]
        if self.current_id and self.current_id not in listed:
            with self._lock:
                if self.current_id not in self._containers:
                    missing.append(self.current_id)
        self.inspect_many(missing)
        with self._lock:
            containers = [self._containers[cid] for cid in listed if cid in self._containers]
            current = self._containers.get(self.current_id) if self.current_id else None
        return Snapshot(
            containers=containers,
            docker=docker if docker is not None else self.docker_facts(),
            current_container=current,
        )
