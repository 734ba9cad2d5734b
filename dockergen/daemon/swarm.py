"""The swarm's services, tasks and nodes, read from the API into the model's records.

Field names follow the Docker API (``Spec.Name`` becomes ``Name``,
``Status.State`` becomes ``State`` ...), flattened the way the container
context is, so that the same helpers work on them: ``groupByLabel(services,
"x")``, ``where(tasks, "State", "running")``, ``whereLabelExists(services,
"x")``.  Only what a template can use is kept: versions and timestamps that
move without anything a template could show changing are left out, so a
re-list at rest compares equal and renders nothing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

from dockergen.model import (
    Node,
    PublishedPort,
    Service,
    Swarm,
    Task,
    TaskNetwork,
    VirtualIP,
    split_key_values,
)

SERVICE_ID_LABEL = "com.docker.swarm.service.id"


def _ip(cidr: str) -> str:
    try:
        return str(ipaddress.ip_interface(cidr).ip)
    except ValueError:
        return cidr.split("/", 1)[0]


def _ports(items: Iterable[Mapping[str, Any]] | None) -> list[PublishedPort]:
    ports = [
        PublishedPort(
            Protocol=item.get("Protocol") or "tcp",
            TargetPort=int(item.get("TargetPort") or 0),
            PublishedPort=int(item.get("PublishedPort") or 0),
            PublishMode=item.get("PublishMode") or "ingress",
        )
        for item in items or []
    ]
    return sorted(ports, key=lambda p: (p.TargetPort, p.Protocol, p.PublishedPort))


def node_from_api(data: Mapping[str, Any], self_id: str = "") -> Node:
    spec = data.get("Spec") or {}
    description = data.get("Description") or {}
    status = data.get("Status") or {}
    manager = data.get("ManagerStatus") or {}
    return Node(
        ID=data.get("ID", ""),
        Hostname=description.get("Hostname", ""),
        Role=spec.get("Role", ""),
        Availability=spec.get("Availability", ""),
        State=status.get("State", ""),
        Address=status.get("Addr", ""),
        Labels=dict(spec.get("Labels") or {}),
        Leader=bool(manager.get("Leader")),
        EngineVersion=(description.get("Engine") or {}).get("EngineVersion", ""),
        Self=bool(self_id) and data.get("ID") == self_id,
    )


def _mode(spec: Mapping[str, Any]) -> tuple[str, int | None]:
    mode = spec.get("Mode") or {}
    if "Replicated" in mode:
        return "replicated", int((mode["Replicated"] or {}).get("Replicas", 1))
    if "Global" in mode:
        return "global", None
    if "ReplicatedJob" in mode:
        return "replicated-job", None
    if "GlobalJob" in mode:
        return "global-job", None
    return "", None


def task_from_api(data: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]], nodes: Mapping[str, Node]) -> Task:
    spec = data.get("Spec") or {}
    container = spec.get("ContainerSpec") or {}
    status = data.get("Status") or {}
    service_name = ((services.get(data.get("ServiceID", "")) or {}).get("Spec") or {}).get("Name", "")
    slot = int(data.get("Slot") or 0)
    node_id = data.get("NodeID", "")
    networks = []
    for attachment in data.get("NetworksAttachments") or []:
        network = attachment.get("Network") or {}
        addresses = list(attachment.get("Addresses") or [])
        networks.append(
            TaskNetwork(
                ID=network.get("ID", ""),
                Name=(network.get("Spec") or {}).get("Name", ""),
                Addresses=addresses,
                IP=_ip(addresses[0]) if addresses else "",
            )
        )
    return Task(
        ID=data.get("ID", ""),
        Name=f"{service_name}.{slot}" if slot else f"{service_name}.{node_id}",
        ServiceID=data.get("ServiceID", ""),
        ServiceName=service_name,
        Slot=slot,
        NodeID=node_id,
        Node=nodes.get(node_id) or Node(ID=node_id),
        State=status.get("State", ""),
        DesiredState=data.get("DesiredState", ""),
        Message=status.get("Message", ""),
        Error=status.get("Err", ""),
        ContainerID=(status.get("ContainerStatus") or {}).get("ContainerID", ""),
        Image=container.get("Image", ""),
        Env=split_key_values(container.get("Env")),
        Labels=dict(container.get("Labels") or {}),
        Networks=sorted(networks, key=lambda n: n.Name),
        Ports=_ports((status.get("PortStatus") or {}).get("Ports")),
    )


def service_from_api(data: Mapping[str, Any], tasks: list[Task], network_names: Mapping[str, str]) -> Service:
    spec = data.get("Spec") or {}
    template = spec.get("TaskTemplate") or {}
    container = template.get("ContainerSpec") or {}
    endpoint = data.get("Endpoint") or {}
    mode, replicas = _mode(spec)
    targets = [n.get("Target", "") for n in template.get("Networks") or spec.get("Networks") or []]
    vips = [
        VirtualIP(
            NetworkID=vip.get("NetworkID", ""),
            NetworkName=network_names.get(vip.get("NetworkID", ""), ""),
            Addr=vip.get("Addr", ""),
            IP=_ip(vip.get("Addr", "")),
        )
        for vip in endpoint.get("VirtualIPs") or []
    ]
    return Service(
        ID=data.get("ID", ""),
        Name=spec.get("Name", ""),
        Labels=dict(spec.get("Labels") or {}),
        Mode=mode,
        Replicas=replicas,
        Image=container.get("Image", ""),
        Env=split_key_values(container.get("Env")),
        ContainerLabels=dict(container.get("Labels") or {}),
        EndpointMode=(spec.get("EndpointSpec") or {}).get("Mode") or "vip",
        VirtualIPs=sorted(vips, key=lambda v: v.NetworkName),
        Ports=_ports(endpoint.get("Ports")),
        Networks=sorted(network_names.get(t, t) for t in targets),
        Tasks=tasks,
    )


def build_swarm(
    services: Iterable[Mapping[str, Any]],
    tasks: Iterable[Mapping[str, Any]],
    nodes: Iterable[Mapping[str, Any]],
    networks: Iterable[Mapping[str, Any]] = (),
    self_id: str = "",
) -> Swarm:
    """The template's view of the API's service, task, node (and network) lists.

    Only tasks meant to run are kept (desired state running or ready): the task
    history of every slot is noise to a template.  Lists are sorted by name so
    that a re-list renders the same text.
    """
    by_node = {n.ID: n for n in (node_from_api(item, self_id) for item in nodes)}
    raw_services = {item.get("ID", ""): item for item in services}
    network_names = {n.get("Id") or n.get("ID", ""): n.get("Name", "") for n in networks}
    built_tasks = [
        task_from_api(item, raw_services, by_node)
        for item in tasks
        if item.get("DesiredState") in ("running", "ready") and item.get("ServiceID") in raw_services
    ]
    for task in built_tasks:
        for network in task.Networks:
            network_names.setdefault(network.ID, network.Name)
    built_tasks.sort(key=lambda t: (t.ServiceName, t.Slot, t.NodeID, t.ID))
    tasks_of: dict[str, list[Task]] = {}
    for task in built_tasks:
        tasks_of.setdefault(task.ServiceID, []).append(task)
    built_services = [
        service_from_api(item, tasks_of.get(service_id, []), network_names) for service_id, item in raw_services.items()
    ]
    built_services.sort(key=lambda s: (s.Name, s.ID))
    return Swarm(
        services=built_services,
        tasks=built_tasks,
        nodes=sorted(by_node.values(), key=lambda n: (n.Hostname, n.ID)),
    )


def service_matches(service: Service, selector: str) -> bool:
    """``-notify-service`` selectors: a service name or ID, or ``label=KEY`` / ``label=KEY=VALUE``."""
    if selector.startswith("label="):
        key, sep, value = selector[len("label="):].partition("=")
        if key not in service.Labels:
            return False
        return not sep or service.Labels[key] == value
    return selector in (service.Name, service.ID) or (len(selector) >= 12 and service.ID.startswith(selector))
