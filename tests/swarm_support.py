"""Labelled swarm services and overlay networks on the test-only swarm engine.

Everything created here carries the session's ``dockergen.test`` label and is
removed by ``cleanup()``; nothing else on the engine is touched.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

import docker

from engine_support import TEST_IMAGE, EngineSession, wait_for
from extra_engine import SWARM, start_swarm

# A backend task: busybox httpd on port 80 whose CGI /cgi-bin/x prints the task's hostname
# (Docker sets it to the container ID's first 12 characters).
HTTPD_SCRIPT = r"""
mkdir -p /www/cgi-bin
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\necho "backend=$(hostname)"\n' > /www/cgi-bin/x
chmod +x /www/cgi-bin/x
echo "root $(hostname)" > /www/index.html
httpd -p 80 -h /www
exec sleep 3600
"""
HTTPD_CMD = ["sh", "-c", HTTPD_SCRIPT]


class SwarmSession(EngineSession):
    """An :class:`EngineSession` on the swarm engine that also makes services and overlay networks."""

    def __init__(self) -> None:
        super().__init__(start_swarm())
        self.url = SWARM.url

    def create_overlay(self, name: str | None = None) -> dict:
        """An attachable overlay network (plain containers can join it, e.g. a proxy)."""
        return self.create_network(name or self.unique_name("dgt-ov"), driver="overlay", attachable=True)

    def create_service(
        self,
        name: str | None = None,
        *,
        cmd: Sequence[str] = HTTPD_CMD,
        env: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
        container_labels: Mapping[str, str] | None = None,
        replicas: int | None = 1,
        networks: Sequence[str] = (),
        ports: Mapping[int, int] | None = None,
        mode: str = "replicated",
    ) -> dict:
        """A labelled service from the local busybox image; returns its inspect dict."""
        spec = docker.types.ContainerSpec(
            TEST_IMAGE,
            command=list(cmd),
            env=[f"{k}={v}" for k, v in (env or {}).items()],
            labels={**self.label, **(container_labels or {})},
            stop_grace_period=1_000_000_000,
        )
        template = docker.types.TaskTemplate(
            container_spec=spec,
            networks=[{"Target": n} for n in networks],
            restart_policy=docker.types.RestartPolicy(condition="on-failure"),
        )
        service_mode = docker.types.ServiceMode(mode, replicas=replicas if mode == "replicated" else None)
        endpoint = docker.types.EndpointSpec(ports=dict(ports)) if ports else None
        created = self.api.create_service(
            template,
            name=name or self.unique_name("dgt-svc"),
            labels={**self.label, **(labels or {})},
            mode=service_mode,
            endpoint_spec=endpoint,
        )
        return self.api.inspect_service(created["ID"])

    def scale(self, service_id: str, replicas: int) -> None:
        """``docker service scale``, as a user would.  (The SDK's update_service re-sends a spec the
        engine has filled with defaults, which swarm takes for a change: it would replace every task.)"""
        subprocess.run(
            ["docker", "-H", self.url, "service", "scale", "--detach", f"{service_id}={replicas}"],
            check=True, capture_output=True,
        )

    def running_tasks(self, service_id: str) -> list[dict[str, Any]]:
        tasks = self.api.tasks(filters={"service": service_id, "desired-state": "running"})
        return [t for t in tasks if t["Status"]["State"] == "running"]

    def wait_running(self, service_id: str, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        """Wait until exactly ``count`` tasks run (and no other task is still meant to run)."""

        def settled() -> list[dict[str, Any]] | None:
            wanted = self.api.tasks(filters={"service": service_id, "desired-state": "running"})
            running = [t for t in wanted if t["Status"]["State"] == "running"]
            return running if len(running) == count == len(wanted) else None

        return wait_for(settled, timeout=timeout, interval=0.2, message=f"{count} running task(s) of {service_id[:12]}")

    def cleanup(self) -> list[str]:
        """Remove this session's services first (their tasks' containers go with them), then the rest."""
        errors = []
        for service in self.api.services(filters={"label": self.label_filter}):
            try:
                self.api.remove_service(service["ID"])
            except docker.errors.APIError as exc:
                errors.append(f"service {service['ID'][:12]}: {exc}")

        def tasks_gone() -> bool:
            return not self.api.containers(all=True, filters={"label": [self.label_filter, "com.docker.swarm.service.id"]})

        try:
            wait_for(tasks_gone, timeout=30, interval=0.2)
        except AssertionError as exc:
            errors.append(str(exc))
        return errors + super().cleanup()


def task_hostnames(tasks: Sequence[Mapping[str, Any]]) -> set[str]:
    """What HTTPD_CMD's /cgi-bin/x answers for these tasks: their containers' hostnames, which
    Docker sets to the container ID's first 12 characters."""
    return {t["Status"]["ContainerStatus"]["ContainerID"][:12] for t in tasks}


def virtual_ip(session: SwarmSession, service_id: str, network_id: str) -> str:
    """The service's virtual IP on that network (without its prefix length), from inspect_service."""
    endpoint = session.api.inspect_service(service_id).get("Endpoint") or {}
    for vip in endpoint.get("VirtualIPs") or []:
        if vip.get("NetworkID") == network_id:
            return vip["Addr"].split("/", 1)[0]
    raise KeyError(f"service {service_id[:12]} has no virtual IP on network {network_id[:12]}")
