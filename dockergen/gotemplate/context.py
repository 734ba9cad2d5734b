"""The data a Go template sees: docker-gen's ``*context.Context`` and its structs.

docker-gen executes templates with a pointer to its container list; the list
type has the methods ``Env``, ``Docker`` and ``CurrentContainer``.  Templates
observe the Go types (``%T``, error messages, what a ``[]string`` parameter
accepts, nil versus empty collections), so the model dataclasses are
registered here as Go structs with docker-gen's names, fields and order, and
their collections are handed over as typed :class:`GoSlice`/:class:`GoMap`
copies.  dockergen's own additions (``Endpoint``, ``ImageID``, swarm data)
are methods, so that printing a container shows exactly docker-gen's fields.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dockergen import model
from dockergen.model import GoTime
from dockergen.records import record

from .values import (
    BOOL, INT, STRING, STRINGS, TIME, UINT64, GoMap, GoSlice, GoType, Method, NilPointer, Pointer,
    Uint64, map_of, pointer_to, register_methods, register_struct, slice_of,
)

__all__ = [
    "ADDRESS", "NETWORK", "DEVICE", "MOUNT", "VOLUME", "SWARM_NODE", "HEALTH", "STATE", "DOCKER_IMAGE",
    "RUNTIME_CONTAINER", "CONTAINER_POINTER", "DOCKER", "CONTEXT", "CONTEXT_POINTER",
    "SERVICE_POINTER", "TASK_POINTER", "NODE_POINTER",
    "Root", "to_go_container", "to_go_swarm", "make_root", "load_fixture",
]

_MSS = map_of(STRING, STRING)

# --- docker-gen's structs ------------------------------------------------------
# Declared from the model's dataclasses, whose fields are docker-gen's, in its order: a
# field's Go type follows from its annotation (a struct registered with ``pointer=True``
# is referred to by pointer, as docker-gen's are).  A new field is one edit, in the model.

_SCALARS = {"str": STRING, "bool": BOOL, "int": INT, "GoTime": TIME}
_STRUCTS: dict[str, GoType] = {}  # model class name -> its Go type as a field refers to it


def _go_type(annotation: str) -> GoType:
    """The Go type of a model field from its annotation (a string: the model postpones annotations)."""
    text = annotation.removesuffix(" | None")
    if text in _SCALARS:
        return _SCALARS[text]
    if text.startswith("list[") and text.endswith("]"):
        return slice_of(_go_type(text[5:-1]))
    if text.startswith("dict[str, ") and text.endswith("]"):
        return map_of(STRING, _go_type(text[10:-1]))
    return _STRUCTS[text]


def model_struct(
    cls: type, go_name: str, *, leave_out: tuple[str, ...] = (), types: Mapping[str, GoType] | None = None,
    pointer: bool = False, methods: list[Method] = (),  # type: ignore[assignment]
) -> GoType:
    """Register a model dataclass as the Go struct ``go_name``: its fields (less ``leave_out``) in order."""
    fields = [
        (item.name, (types or {}).get(item.name) or _go_type(item.type))
        for item in dataclasses.fields(cls) if item.name not in leave_out
    ]
    struct = register_struct(cls, go_name, fields, pointer=pointer, methods=methods)
    _STRUCTS[cls.__name__] = pointer_to(struct) if pointer else struct
    return struct


ADDRESS = model_struct(model.Address, "context.Address")
NETWORK = model_struct(model.Network, "context.Network")
DEVICE = model_struct(model.Device, "context.Device")
MOUNT = model_struct(model.Mount, "context.Mount")
VOLUME = model_struct(model.Volume, "context.Volume")
SWARM_NODE = model_struct(model.SwarmNode, "context.SwarmNode")
HEALTH = model_struct(model.Health, "context.Health")
STATE = model_struct(model.State, "context.State")
# docker-gen declares String() on *DockerImage: `{{ .Image }}` through the container
# pointer uses it, a copy passed to print/printf does not.
DOCKER_IMAGE = model_struct(
    model.DockerImage, "context.DockerImage",
    methods=[Method("String", model.DockerImage.__str__, (), STRING, pointer_receiver=True)],
)

_ADDRESSES = slice_of(ADDRESS)
_NETWORKS = slice_of(NETWORK)
_DEVICES = slice_of(DEVICE)
_MOUNTS = slice_of(MOUNT)
_VOLUMES = map_of(STRING, VOLUME)

RUNTIME_CONTAINER = model_struct(
    model.RuntimeContainer, "context.RuntimeContainer", pointer=True,
    # dockergen's additions: reachable as .Endpoint / .ImageID, never printed.
    leave_out=("Endpoint", "ImageID"),
    methods=[
        Method("Endpoint", lambda c: c.Endpoint, (), STRING),
        Method("ImageID", lambda c: c.ImageID, (), STRING),
    ],
)
# docker-gen's (*RuntimeContainer).Equals(RuntimeContainer): the same ID and image.
register_methods(RUNTIME_CONTAINER, [Method(
    "Equals", lambda a, b: a.ID == b.ID and a.Image == b.Image, (RUNTIME_CONTAINER,), BOOL, pointer_receiver=True,
)])
CONTAINER_POINTER = pointer_to(RUNTIME_CONTAINER)

DOCKER = model_struct(model.Docker, "context.Docker")

# type Context []*RuntimeContainer; templates get a *Context.
CONTEXT = GoType("slice", "context.Context", elem=CONTAINER_POINTER)
CONTEXT_POINTER = pointer_to(CONTEXT)

# --- dockergen's swarm extension ----------------------------------------------

SWARM_NODE_INFO = model_struct(model.Node, "swarm.Node", pointer=True)
NODE_POINTER = pointer_to(SWARM_NODE_INFO)
TASK_NETWORK = model_struct(model.TaskNetwork, "swarm.TaskNetwork")
PUBLISHED_PORT = model_struct(model.PublishedPort, "swarm.PublishedPort")
VIRTUAL_IP = model_struct(model.VirtualIP, "swarm.VirtualIP")
_PORTS = slice_of(PUBLISHED_PORT)
TASK = model_struct(model.Task, "swarm.Task", pointer=True)
TASK_POINTER = pointer_to(TASK)
_TASKS = slice_of(TASK_POINTER)
_REPLICAS = pointer_to(UINT64)  # as the Docker API has it: nil unless replicated
SERVICE = model_struct(
    model.Service, "swarm.Service", pointer=True, types={"Replicas": _REPLICAS},
    methods=[
        Method("RunningTasks", lambda s: GoSlice(_TASKS, (t for t in s.Tasks if t.State == "running")), (), _TASKS),
    ],
)
SERVICE_POINTER = pointer_to(SERVICE)
_SERVICES = slice_of(SERVICE_POINTER)
_NODES = slice_of(NODE_POINTER)


# --- conversion of model objects ----------------------------------------------


# Empty and nil typed collections, one of each per type: most containers have no devices,
# volumes or mounts, and thousands of empty copies cost memory.  Sharing them is safe: a
# template cannot grow a typed slice or map in place (Sprig's set/unset/merge take
# map[string]interface{}, append makes a new slice; sorting an empty slice changes nothing).
_EMPTY: dict[tuple[int, bool], Any] = {}


def _empty(cls: type, type_: GoType, nil: bool) -> Any:
    found = _EMPTY.get((id(type_), nil))
    if found is None:
        found = _EMPTY[(id(type_), nil)] = cls(type_, (), nil=nil)
    return found


def _slice(type_: GoType, items: Iterable[Any] | None) -> GoSlice:
    """A typed slice; ``None`` is Go's nil slice."""
    if items is None:
        return _empty(GoSlice, type_, True)
    if not items:
        return _empty(GoSlice, type_, False)
    return GoSlice(type_, items)


def _map(type_: GoType, items: Mapping[str, Any] | None) -> GoMap:
    """A typed map; ``None`` is Go's nil map."""
    if items is None:
        return _empty(GoMap, type_, True)
    if not items:
        return _empty(GoMap, type_, False)
    return GoMap(type_, items)


def _go_network(n: model.Network) -> model.Network:
    return model.Network(
        n.IP, n.Name, _slice(STRINGS, n.Aliases), n.Gateway, n.EndpointID, n.IPv6Gateway,
        n.GlobalIPv6Address, n.MacAddress, n.GlobalIPv6PrefixLen, n.IPPrefixLen, n.Internal,
    )


def to_go_container(c: model.RuntimeContainer) -> model.RuntimeContainer:
    """A copy of ``c`` whose collections carry their Go types.

    Structs made only of scalars (addresses, image, state...) are shared with
    ``c``: no template function can change them.  Collections are copied,
    since some functions (``sortStringsAsc``) sort their argument in place.
    """
    networks = c.Networks
    return model.RuntimeContainer(
        c.ID, c.Created, _slice(_ADDRESSES, c.Addresses),
        _slice(_NETWORKS, None if networks is None else [_go_network(n) for n in networks]),
        _slice(_DEVICES, c.Devices), c.Gateway, c.Name, c.Hostname, c.NetworkMode, c.Image,
        _map(_MSS, c.Env), _map(_VOLUMES, c.Volumes), c.Node, _map(_MSS, c.Labels), c.IP,
        c.IP6LinkLocal, c.IP6Global, _slice(_MOUNTS, c.Mounts), c.State, c.Endpoint, c.ImageID,
    )


def to_go_swarm(
    services: Iterable[model.Service], tasks: Iterable[model.Task], nodes: Iterable[model.Node],
) -> tuple[GoSlice, GoSlice, GoSlice]:
    """Go-typed copies of the swarm lists; an object shared in the model stays shared."""
    node_copies: dict[int, model.Node] = {}
    task_copies: dict[int, model.Task] = {}

    def node(n: model.Node) -> model.Node:
        found = node_copies.get(id(n))
        if found is None:
            found = node_copies[id(n)] = model.Node(
                n.ID, n.Hostname, n.Role, n.Availability, n.State, n.Address, _map(_MSS, n.Labels),
                n.Leader, n.EngineVersion, n.Self,
            )
        return found

    def task(t: model.Task) -> model.Task:
        found = task_copies.get(id(t))
        if found is None:
            found = task_copies[id(t)] = model.Task(
                t.ID, t.Name, t.ServiceID, t.ServiceName, t.Slot, t.NodeID, node(t.Node), t.State,
                t.DesiredState, t.Message, t.Error, t.ContainerID, t.Image, _map(_MSS, t.Env),
                _map(_MSS, t.Labels),
                _slice(slice_of(TASK_NETWORK), [
                    model.TaskNetwork(w.ID, w.Name, _slice(STRINGS, w.Addresses), w.IP) for w in t.Networks
                ]),
                _slice(_PORTS, t.Ports),
            )
        return found

    def service(s: model.Service) -> model.Service:
        replicas = NilPointer(_REPLICAS) if s.Replicas is None else Pointer(Uint64(s.Replicas), _REPLICAS)
        return model.Service(
            s.ID, s.Name, _map(_MSS, s.Labels), s.Mode, replicas, s.Image, _map(_MSS, s.Env),  # type: ignore[arg-type]
            _map(_MSS, s.ContainerLabels), s.EndpointMode, _slice(slice_of(VIRTUAL_IP), s.VirtualIPs),
            _slice(_PORTS, s.Ports), _slice(STRINGS, s.Networks), _slice(_TASKS, [task(t) for t in s.Tasks]),
        )

    go_nodes = GoSlice(_NODES, [node(n) for n in nodes])
    go_tasks = GoSlice(_TASKS, [task(t) for t in tasks])
    go_services = GoSlice(_SERVICES, [service(s) for s in services])
    return go_services, go_tasks, go_nodes


# --- the root -----------------------------------------------------------------


@record(slots=True)
class _RootData:
    """What the root's methods return (``.Env``, ``.Docker``, ``.CurrentContainer``, the swarm's lists)."""

    env: GoMap
    docker: model.Docker
    current: Any  # a container of the list, another container, or NilPointer
    services: GoSlice
    tasks: GoSlice
    nodes: GoSlice


class Root(Pointer):
    """``&containers`` (a ``*context.Context``) plus what its methods return."""

    __slots__ = ("data",)

    def __init__(self, target: GoSlice, data: _RootData) -> None:
        super().__init__(target, CONTEXT_POINTER)
        self.data = data


def _data(receiver: Any) -> _RootData:
    # The executor may hand a method the pointer or the list it points to.
    if isinstance(receiver, Root):
        return receiver.data
    return receiver.root_data


class _ContextSlice(GoSlice):
    """The container list itself, remembering its root so that methods found through it work."""

    __slots__ = ("root_data",)


register_methods(CONTEXT_POINTER, [
    Method("Env", lambda r: _data(r).env, (), _MSS),
    Method("Docker", lambda r: _data(r).docker, (), DOCKER),
    Method("CurrentContainer", lambda r: _data(r).current, (), CONTAINER_POINTER),
    Method("Services", lambda r: _data(r).services, (), _SERVICES),
    Method("Tasks", lambda r: _data(r).tasks, (), _TASKS),
    Method("Nodes", lambda r: _data(r).nodes, (), _NODES),
])


def make_root(
    containers: Iterable[model.RuntimeContainer],
    docker: model.Docker,
    env: Mapping[str, str],
    current_container: model.RuntimeContainer | None,
    services: Iterable[model.Service] | None = None,
    tasks: Iterable[model.Task] | None = None,
    nodes: Iterable[model.Node] | None = None,
    convert: Callable[[model.RuntimeContainer], model.RuntimeContainer] | None = None,
) -> Root:
    """The template data ``$``: a ``*context.Context`` over Go-typed copies of ``containers``.

    ``.CurrentContainer`` is the list's own element when the IDs match (Go
    hands out the same pointer), otherwise a copy of ``current_container``,
    or a typed nil pointer.
    """
    convert = convert or to_go_container  # a caller may cache the Go-typed copies
    items = [convert(c) for c in containers]
    current: Any = NilPointer(CONTAINER_POINTER)
    if current_container is not None:
        current = next((c for c in items if c.ID == current_container.ID), None) or convert(current_container)
    go_services, go_tasks, go_nodes = to_go_swarm(services or (), tasks or (), nodes or ())
    data = _RootData(GoMap(_MSS, env), docker, current, go_services, go_tasks, go_nodes)
    target = _ContextSlice(CONTEXT, items)
    target.root_data = data
    return Root(target, data)


# --- the vectors' fixtures ----------------------------------------------------


def _from_json(value: Any, type_: GoType) -> Any:
    """Decode like Go's encoding/json into a value of ``type_`` (``null`` is nil, absent is zero)."""
    k = type_.kind
    if type_ is TIME:
        return GoTime.parse(value)
    if k == "string":
        return value or ""
    if k == "bool":
        return bool(value)
    if k == "int":
        return int(value or 0)
    if k == "slice":
        if value is None:
            return GoSlice(type_, (), nil=True)
        return GoSlice(type_, [_from_json(v, type_.elem) for v in value])  # type: ignore[arg-type]
    if k == "map":
        if value is None:
            return GoMap(type_, (), nil=True)
        return GoMap(type_, {key: _from_json(v, type_.elem) for key, v in value.items()})  # type: ignore[arg-type]
    if k == "ptr":
        return _from_json(value, type_.elem)  # type: ignore[arg-type]  # pointer-natured structs
    info = type_.struct
    if info is not None:
        data = value or {}
        return info.cls(**{info.attribute(name): _from_json(data.get(name), t) for name, t in info.fields})
    raise TypeError(f"no JSON decoding for {type_.name}")


def load_fixture(path: str | os.PathLike[str]) -> tuple[Root, dict[str, str]]:
    """The root and the environment of a vectors context file, freshly decoded each call."""
    with open(path, encoding="utf-8") as handle:
        fixture = json.load(handle)
    containers = [_from_json(c, CONTAINER_POINTER) for c in fixture.get("containers") or ()]
    docker = _from_json(fixture.get("docker"), DOCKER)
    env = dict(fixture.get("env") or {})
    wanted = fixture.get("current_container_id")
    current: Any = NilPointer(CONTAINER_POINTER)
    if wanted is not None:
        current = next((c for c in containers if c.ID == wanted), current)
    empty = GoSlice(_SERVICES, ()), GoSlice(_TASKS, ()), GoSlice(_NODES, ())
    data = _RootData(GoMap(_MSS, env), docker, current, *empty)
    target = _ContextSlice(CONTEXT, containers)
    target.root_data = data
    return Root(target, data), env
