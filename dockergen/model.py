"""The template context: containers and the Docker daemon, with docker-gen's field names.

Field names are kept exactly as docker-gen spells them (``ID``, ``Env``,
``Image.Repository`` ...) so that field paths such as ``"Env.VIRTUAL_HOST"``
port unchanged from Go templates.  The dataclasses declare their fields in
docker-gen's order, which is the order JSON/YAML serialisation shows.

The classes are dataclasses made with :func:`dockergen.records.record`, which
compiles less of each at import.  Every one has a docstring: ``dataclass``
makes one from ``inspect.signature`` for a class without, a cost every run
pays at import (tests/unit/test_oneshot_imports.py holds the package to it).
"""

from __future__ import annotations

from dataclasses import field
from datetime import datetime, timezone
from typing import Any

from dockergen.records import record


class GoTime(datetime):
    """A datetime that prints like Go's ``time.Time.String()``.

    Templates printing ``{{ c.Created }}`` get ``2023-01-02 03:04:05 +0000 UTC``
    as they did with docker-gen.
    """

    extra_ns = 0  # nanoseconds below the microsecond (Docker's timestamps carry nine digits)
    # Go's years run far beyond datetime's 1..9999: such a time is held this many whole
    # 400-year Gregorian cycles away (same month, day, weekday and zone rules there).
    cycles = 0

    @property
    def nanosecond(self) -> int:
        """Go's ``Nanosecond()``: the fraction of the second in nanoseconds."""
        return self.microsecond * 1000 + self.extra_ns

    @property
    def go_year(self) -> int:
        """The year Go sees (0 and negative years, or beyond 9999, included)."""
        return self.year + 400 * self.cycles

    def __str__(self) -> str:
        # Not strftime("%Y"): glibc prints year 1 as "1", Go as "0001" (and year -5 as "-0005").
        year = self.go_year
        text = (f"{'-' if year < 0 else ''}{abs(year):04d}-{self.month:02d}-{self.day:02d} "
                f"{self.hour:02d}:{self.minute:02d}:{self.second:02d}")
        if self.nanosecond:
            text += f".{self.nanosecond:09d}".rstrip("0")
        delta = self.utcoffset()
        seconds = int(delta.total_seconds()) if delta is not None else 0
        minutes = -(-seconds // 60) if seconds < 0 else seconds // 60  # Go truncates: LMT -4:56:02 is -0456
        offset = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
        name = self.tzname() or ""
        if name in ("UTC", "UTC+00:00"):
            name = "UTC"
        elif name.startswith("UTC"):  # an unnamed fixed offset: Go prints the offset again
            name = offset
        return f"{text} {offset} {name}".rstrip()

    @classmethod
    def zero(cls) -> "GoTime":
        return cls(1, 1, 1, tzinfo=timezone.utc)

    @classmethod
    def parse(cls, text: str | None) -> "GoTime":
        """Parse Docker's RFC 3339 timestamps (nanoseconds are cut to microseconds)."""
        if not text:
            return cls.zero()
        value = text.strip()
        if value.endswith("Z"):
            value = value[:-1] + "+00:00"
        # Python accepts at most 6 fractional digits.
        extra_ns = 0
        if "." in value:
            head, _, rest = value.partition(".")
            digits = ""
            i = 0
            while i < len(rest) and rest[i].isdigit():
                digits += rest[i]
                i += 1
            extra_ns = int(digits[6:9].ljust(3, "0"))
            value = f"{head}.{digits[:6].ljust(6, '0')}{rest[i:]}"
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return cls.zero()
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        if parsed.utcoffset() == timezone.utc.utcoffset(None):
            parsed = parsed.replace(tzinfo=timezone.utc)
        result = cls(
            parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute,
            parsed.second, parsed.microsecond, tzinfo=parsed.tzinfo,
        )
        if extra_ns:
            result.extra_ns = extra_ns
        return result


@record(slots=True)
class Address:
    """One exposed or published port of a container, with the container's addresses (docker-gen's ``Address``)."""

    IP: str = ""
    IP6LinkLocal: str = ""
    IP6Global: str = ""
    Port: str = ""
    HostPort: str = ""
    Proto: str = ""
    HostIP: str = ""


@record(slots=True)
class Network:
    """A network the container is attached to, and its address there."""

    IP: str = ""
    Name: str = ""
    Aliases: list[str] = field(default_factory=list)
    Gateway: str = ""
    EndpointID: str = ""
    IPv6Gateway: str = ""
    GlobalIPv6Address: str = ""
    MacAddress: str = ""
    GlobalIPv6PrefixLen: int = 0
    IPPrefixLen: int = 0
    Internal: bool = False


@record(slots=True)
class Device:
    """A host device mapped into the container."""

    PathOnHost: str = ""
    PathInContainer: str = ""
    Permissions: str = ""


@record(slots=True)
class Mount:
    """One of the container's mounts (bind, volume or tmpfs)."""

    Name: str = ""
    Source: str = ""
    Destination: str = ""
    Driver: str = ""
    Mode: str = ""
    RW: bool = False


@record(slots=True)
class Volume:
    """A legacy ``Volumes`` entry (only old engines report them)."""

    Path: str = ""
    HostPath: str = ""
    ReadWrite: bool = False


@record(slots=True)
class SwarmNode:
    """The classic-swarm node the container runs on (empty on a plain engine)."""

    ID: str = ""
    Name: str = ""
    Address: Address = field(default_factory=Address)


@record(slots=True)
class Health:
    """The healthcheck's status (empty without a healthcheck)."""

    Status: str = ""


@record(slots=True)
class State:
    """Whether the container runs, and its health."""

    Running: bool = False
    Health: Health = field(default_factory=Health)


@record(slots=True)
class DockerImage:
    """An image reference split docker-gen's way: registry, repository, tag."""

    Registry: str = ""
    Repository: str = ""
    Tag: str = ""

    def __str__(self) -> str:
        text = self.Repository
        if self.Registry:
            text = f"{self.Registry}/{text}"
        if self.Tag:
            text = f"{text}:{self.Tag}"
        return text

    @classmethod
    def split(cls, image: str) -> "DockerImage":
        """Split an image reference the way docker-gen does (digests are not special)."""
        registry = ""
        repository = image
        first, slash, rest = image.partition("/")
        if slash and ("." in first or ":" in first or first == "localhost"):
            registry, repository = first, rest
        repository, _, tag = repository.partition(":")
        return cls(Registry=registry, Repository=repository, Tag=tag)


@record(slots=True)
class RuntimeContainer:
    """One container as templates see it: docker-gen's fields, then dockergen's two."""

    ID: str = ""
    Created: GoTime = field(default_factory=GoTime.zero)
    Addresses: list[Address] = field(default_factory=list)
    Networks: list[Network] = field(default_factory=list)
    Devices: list[Device] = field(default_factory=list)
    Gateway: str = ""
    Name: str = ""
    Hostname: str = ""
    NetworkMode: str = ""
    Image: DockerImage = field(default_factory=DockerImage)
    Env: dict[str, str] = field(default_factory=dict)
    Volumes: dict[str, Volume] = field(default_factory=dict)
    Node: SwarmNode = field(default_factory=SwarmNode)
    Labels: dict[str, str] | None = field(default_factory=dict)
    IP: str = ""
    IP6LinkLocal: str = ""
    IP6Global: str = ""
    Mounts: list[Mount] | None = None
    State: State = field(default_factory=State)
    Endpoint: str = ""  # dockergen: the engine it runs on, when several endpoints are rendered
    ImageID: str = ""  # dockergen: the image's ID (sha256:...), which changes when a tag is rebuilt

    def Equals(self, other: "RuntimeContainer") -> bool:  # noqa: N802 - docker-gen's name
        return self.ID == other.ID and self.Image == other.Image

    def __str__(self) -> str:
        return self.Name


@record(slots=True)
class Docker:
    """The ``docker`` context object: daemon facts plus the generator's own container ID."""

    Name: str = ""
    NumContainers: int = 0
    NumImages: int = 0
    Version: str = ""
    ApiVersion: str = ""
    GoVersion: str = ""
    OperatingSystem: str = ""
    Architecture: str = ""
    CurrentContainerID: str = ""


def split_key_values(items: list[str] | None) -> dict[str, str]:
    """``["K=V", "K2"]`` -> ``{"K": "V", "K2": ""}``; split at the first ``=``, last wins."""
    result: dict[str, str] = {}
    for item in items or ():
        key, _, value = item.partition("=")
        result[key] = value
    return result


def _port_number(port: str) -> int:
    try:
        return int(port)
    except ValueError:
        return 0


def sort_addresses(addresses: list[Address]) -> list[Address]:
    addresses.sort(key=lambda a: (_port_number(a.Port), a.Proto, a.HostPort, a.HostIP, a.IP))
    return addresses


def container_addresses(config: dict, settings: dict) -> list[Address]:
    """Exposed and published ports, docker-gen style (first host binding only)."""
    ip = settings.get("IPAddress") or ""
    ip6_link = settings.get("LinkLocalIPv6Address") or ""
    ip6_global = settings.get("GlobalIPv6Address") or ""
    addresses: list[Address] = []
    for key, bindings in (settings.get("Ports") or {}).items():
        port, _, proto = key.partition("/")
        address = Address(IP=ip, IP6LinkLocal=ip6_link, IP6Global=ip6_global, Port=port, Proto=proto.split("/")[0] or "tcp")
        if bindings:
            address.HostPort = bindings[0].get("HostPort") or ""
            address.HostIP = bindings[0].get("HostIp") or ""
        addresses.append(address)
    if not addresses:
        for key in config.get("ExposedPorts") or {}:
            port, _, proto = key.partition("/")
            addresses.append(Address(IP=ip, IP6LinkLocal=ip6_link, IP6Global=ip6_global, Port=port, Proto=proto.split("/")[0] or "tcp"))
    return sort_addresses(addresses)


def container_networks(settings: dict, internal_networks: frozenset[str] | set[str] = frozenset()) -> list[Network]:
    networks = []
    for name, net in (settings.get("Networks") or {}).items():
        net = net or {}
        networks.append(
            Network(
                IP=net.get("IPAddress") or "",
                Name=name,
                Aliases=list(net.get("Aliases") or []),
                Gateway=net.get("Gateway") or "",
                EndpointID=net.get("EndpointID") or "",
                IPv6Gateway=net.get("IPv6Gateway") or "",
                GlobalIPv6Address=net.get("GlobalIPv6Address") or "",
                MacAddress=net.get("MacAddress") or "",
                GlobalIPv6PrefixLen=int(net.get("GlobalIPv6PrefixLen") or 0),
                IPPrefixLen=int(net.get("IPPrefixLen") or 0),
                Internal=name in internal_networks,
            )
        )
    networks.sort(key=lambda n: n.Name.encode())
    return networks


def container_from_inspect(data: dict[str, Any], internal_networks: frozenset[str] | set[str] = frozenset()) -> RuntimeContainer:
    """Build a RuntimeContainer from ``GET /containers/{id}/json``; missing sections are empty."""
    config = data.get("Config") or {}
    host_config = data.get("HostConfig") or {}
    settings = data.get("NetworkSettings") or {}
    state = data.get("State") or {}
    health = state.get("Health") or {}
    mounts = data.get("Mounts")
    legacy_volumes = data.get("Volumes") or {}
    volumes_rw = data.get("VolumesRW") or {}
    node = data.get("Node") or {}
    labels = config.get("Labels")
    return RuntimeContainer(
        ID=data.get("Id") or data.get("ID") or "",
        Created=GoTime.parse(data.get("Created")),
        Addresses=container_addresses(config, settings),
        Networks=container_networks(settings, internal_networks),
        Devices=[
            Device(
                PathOnHost=d.get("PathOnHost") or "",
                PathInContainer=d.get("PathInContainer") or "",
                Permissions=d.get("CgroupPermissions") or "",
            )
            for d in host_config.get("Devices") or ()
        ],
        Gateway=settings.get("Gateway") or "",
        Name=(data.get("Name") or "").lstrip("/"),
        Hostname=config.get("Hostname") or "",
        NetworkMode=host_config.get("NetworkMode") or "",
        Image=DockerImage.split(config.get("Image") or ""),
        Env=split_key_values(config.get("Env")),
        Volumes={
            path: Volume(Path=path, HostPath=host_path or "", ReadWrite=bool(volumes_rw.get(path)))
            for path, host_path in legacy_volumes.items()
        },
        Node=SwarmNode(
            ID=node.get("ID") or "",
            Name=node.get("Name") or "",
            Address=Address(IP=node.get("IP") or ""),
        ),
        Labels=dict(labels) if labels is not None else None,
        IP=settings.get("IPAddress") or "",
        IP6LinkLocal=settings.get("LinkLocalIPv6Address") or "",
        IP6Global=settings.get("GlobalIPv6Address") or "",
        Mounts=[
            Mount(
                Name=m.get("Name") or "",
                Source=m.get("Source") or "",
                Destination=m.get("Destination") or "",
                Driver=m.get("Driver") or "",
                Mode=m.get("Mode") or "",
                RW=bool(m.get("RW")),
            )
            for m in mounts
        ]
        if mounts
        else None,
        State=State(Running=bool(state.get("Running")), Health=Health(Status=health.get("Status") or "")),
        ImageID=data.get("Image") or "",
    )


# -- the swarm: services, tasks and nodes (dockergen.daemon.swarm reads them from the API) -------
# Field names follow the Docker API, flattened the way the container context is, so that the
# same helpers work on them; only what a template can use is kept.

# Task states a task passes through before it runs; a service whose tasks are
# in one of these is still converging (worth a quick re-list).
PENDING_STATES = frozenset({"new", "allocated", "pending", "assigned", "accepted", "preparing", "ready", "starting"})

@record(slots=True)
class Node:
    """A swarm node, as ``docker node ls`` lists it."""

    ID: str = ""
    Hostname: str = ""
    Role: str = ""  # "manager" or "worker"
    Availability: str = ""  # "active", "pause" or "drain"
    State: str = ""  # "ready", "down", ...
    Address: str = ""  # the address other nodes reach it at (Status.Addr)
    Labels: dict[str, str] = field(default_factory=dict)
    Leader: bool = False
    EngineVersion: str = ""
    Self: bool = False  # the node dockergen talks to


@record(slots=True)
class TaskNetwork:
    """A network a swarm task is attached to, with its addresses."""

    ID: str = ""
    Name: str = ""
    Addresses: list[str] = field(default_factory=list)  # CIDR notation, as the API gives them
    IP: str = ""  # the first address without its prefix length


@record(slots=True)
class PublishedPort:
    """A port a service or task publishes."""

    Protocol: str = "tcp"
    TargetPort: int = 0
    PublishedPort: int = 0
    PublishMode: str = "ingress"  # "ingress" (routing mesh) or "host"


@record(slots=True)
class VirtualIP:
    """A service's virtual IP on one network (endpoint mode ``vip``)."""

    NetworkID: str = ""
    NetworkName: str = ""
    Addr: str = ""  # CIDR notation
    IP: str = ""


@record(slots=True)
class Task:
    """A swarm task: one slot of a service, and the container that runs it."""

    ID: str = ""
    Name: str = ""  # "<service>.<slot>" (replicated) or "<service>.<node ID>" (global), as `docker service ps`
    ServiceID: str = ""
    ServiceName: str = ""
    Slot: int = 0
    NodeID: str = ""
    Node: Node = field(default_factory=Node)
    State: str = ""  # Status.State: "running", "starting", "failed", ...
    DesiredState: str = ""
    Message: str = ""
    Error: str = ""
    ContainerID: str = ""
    Image: str = ""
    Env: dict[str, str] = field(default_factory=dict)
    Labels: dict[str, str] = field(default_factory=dict)  # the container's labels (ContainerSpec.Labels)
    Networks: list[TaskNetwork] = field(default_factory=list)
    Ports: list[PublishedPort] = field(default_factory=list)  # host-mode published ports (Status.PortStatus)


@record(slots=True)
class Service:
    """A swarm service with the tasks meant to run it."""

    ID: str = ""
    Name: str = ""
    Labels: dict[str, str] = field(default_factory=dict)  # the service's labels (Spec.Labels)
    Mode: str = ""  # "replicated", "global", "replicated-job" or "global-job"
    Replicas: int | None = None  # wanted replicas (replicated mode only)
    Image: str = ""
    Env: dict[str, str] = field(default_factory=dict)
    ContainerLabels: dict[str, str] = field(default_factory=dict)
    EndpointMode: str = "vip"  # "vip" or "dnsrr"
    VirtualIPs: list[VirtualIP] = field(default_factory=list)
    Ports: list[PublishedPort] = field(default_factory=list)
    Networks: list[str] = field(default_factory=list)  # names of the networks its tasks join
    Tasks: list[Task] = field(default_factory=list)  # tasks meant to run, running or not yet

    @property
    def RunningTasks(self) -> list[Task]:
        return [t for t in self.Tasks if t.State == "running"]


@record(slots=True)
class Swarm:
    """One consistent listing of the swarm, as a template sees it."""

    services: list[Service] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)

    @property
    def converging(self) -> bool:
        """Some service still has tasks on their way up, or fewer running tasks than replicas."""
        for service in self.services:
            if any(t.State in PENDING_STATES for t in service.Tasks):
                return True
            if service.Replicas is not None and service.Mode == "replicated":
                if len(service.RunningTasks) != service.Replicas:
                    return True
        return False
