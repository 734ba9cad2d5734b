"""Reading the swarm from a manager node, cached between renders.

A listing costs three API calls (services, tasks, nodes; the network list only
when a network ID has no name yet).  It is kept until something says the swarm
changed: a service or node event, an event about a task's container, or a
periodic re-list that finds a difference (task events are unreliable and tasks
on other nodes send none to this engine).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from dockergen.errors import DockerGenError
from dockergen.daemon.api import api_errors
from dockergen.daemon.inventory import ApiCallCounter
from dockergen.errors import InventoryError
from dockergen.daemon.podman import is_podman
from dockergen.daemon.swarm import build_swarm
from dockergen.model import Swarm

log = logging.getLogger(__name__)


class NotAManager(DockerGenError):
    """``-swarm`` against an engine that cannot list services."""


def check_manager(api: Any, where: str) -> None:
    """Fail early, in one line, when ``-swarm`` points at an engine that is no swarm manager."""
    try:
        info = api.info()
    except api_errors() as exc:
        raise NotAManager(f"-swarm: cannot ask {where} about its swarm: {exc}") from exc
    swarm = info.get("Swarm") or {}
    if swarm.get("LocalNodeState") != "active" or not swarm.get("ControlAvailable"):
        if _is_podman(api):
            raise NotAManager(f"-swarm: the engine at {where} is Podman, which has no swarm mode")
        state = swarm.get("LocalNodeState") or "inactive"
        role = "a worker" if state == "active" else f"not in a swarm (state {state})"
        raise NotAManager(f"-swarm: the engine at {where} is {role}; point -endpoint at a swarm manager")


def _is_podman(api: Any) -> bool:
    try:
        return is_podman(api.version())
    except api_errors():  # the message without it is still right
        return False


class SwarmInventory:
    """The current :class:`~dockergen.model.Swarm`, listed on demand and cached."""

    def __init__(self, api: Any, calls: ApiCallCounter | None = None) -> None:
        self.api = api
        self.calls = calls or ApiCallCounter()
        self._lock = threading.Lock()
        self._current: Swarm | None = None
        self._networks: dict[str, str] = {}  # network ID -> name, for service VIPs
        self._self_id = ""

    def invalidate(self) -> None:
        """The next :meth:`state` lists again."""
        with self._lock:
            self._current = None

    def state(self) -> Swarm:
        """The cached listing, or a fresh one when something invalidated it."""
        with self._lock:
            if self._current is None:
                self._current = self._list()
            return self._current

    def refresh(self) -> bool:
        """List again now; True when the template's view changed (the periodic re-list)."""
        with self._lock:
            fresh = self._list()
            changed = fresh != self._current
            self._current = fresh
            return changed

    def _list(self) -> Swarm:
        try:
            if not self._self_id:
                self.calls.add("info")
                self._self_id = ((self.api.info().get("Swarm") or {}).get("NodeID")) or ""
            self.calls.add("services")
            services = self.api.services()
            self.calls.add("tasks")
            tasks = self.api.tasks(filters={"desired-state": ["running", "ready"]})
            self.calls.add("nodes")
            nodes = self.api.nodes()
        except api_errors() as exc:
            raise InventoryError(f"Error listing the swarm: {exc}") from exc
        self._learn_networks(services, tasks)
        networks = [{"Id": network_id, "Name": name} for network_id, name in self._networks.items()]
        return build_swarm(services, tasks, nodes, networks, self_id=self._self_id)

    def _learn_networks(self, services: list[dict[str, Any]], tasks: list[dict[str, Any]]) -> None:
        """Network names for service VIPs: from task attachments, else one network list call."""
        for task in tasks:
            for attachment in task.get("NetworksAttachments") or []:
                network = attachment.get("Network") or {}
                if network.get("ID"):
                    self._networks[network["ID"]] = (network.get("Spec") or {}).get("Name", "")
        wanted = {
            vip.get("NetworkID", "")
            for service in services
            for vip in (service.get("Endpoint") or {}).get("VirtualIPs") or []
        }
        for service in services:
            template = (service.get("Spec") or {}).get("TaskTemplate") or {}
            wanted.update(n.get("Target", "") for n in template.get("Networks") or [])
        if wanted - set(self._networks) - {""}:
            self.calls.add("networks")
            try:
                listed = self.api.networks()
            except api_errors() as exc:
                log.warning("Error listing networks: %s", exc)
                return
            self._networks.update({n.get("Id", ""): n.get("Name", "") for n in listed})
            for missing in wanted - set(self._networks) - {""}:
                self._networks[missing] = missing  # not listed (yet): do not ask again on every re-list
