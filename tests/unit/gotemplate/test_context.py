"""The Go engine's view of docker-gen's context: types, nil versus empty, the root's methods."""

from __future__ import annotations


import pytest

from dockergen import model
from dockergen.gotemplate import context as ctx
from dockergen.gotemplate.values import GoMap, GoSlice, NilPointer, is_nil, methods_of, struct_info, type_name
from reference_support import CONTEXTS


needs_vectors = pytest.mark.skipif(not CONTEXTS.is_dir(), reason="vectors not available")


def _call(root, name):
    return methods_of(root.type)[name].call(root)


def test_struct_names_and_field_order():
    info = ctx.RUNTIME_CONTAINER.struct
    assert info.name == "context.RuntimeContainer" and info.pointer
    assert [n for n, _ in info.fields][:5] == ["ID", "Created", "Addresses", "Networks", "Devices"]
    assert [n for n, _ in info.fields][-2:] == ["Mounts", "State"]
    assert "Endpoint" not in dict(info.fields) and "Endpoint" in info.methods
    assert dict(info.fields)["Volumes"].name == "map[string]context.Volume"
    assert ctx.DOCKER_IMAGE.struct.methods["String"].pointer_receiver


def test_to_go_container_types_and_nil():
    c = model.RuntimeContainer(ID="x", Labels=None, Mounts=None, Networks=[model.Network(Name="n", Aliases=["a"])])
    go = ctx.to_go_container(c)
    assert type_name(go) == "*context.RuntimeContainer"
    assert type_name(go.Labels) == "map[string]string" and is_nil(go.Labels)
    assert type_name(go.Mounts) == "[]context.Mount" and is_nil(go.Mounts)
    assert type_name(go.Env) == "map[string]string" and not is_nil(go.Env)
    assert type_name(go.Networks[0].Aliases) == "[]string"
    go.Networks[0].Aliases.sort(reverse=True)
    assert c.Networks[0].Aliases == ["a"] and go.Image is c.Image


def test_empty_collections_are_shared_and_stay_empty():
    # Thousands of containers without devices or volumes share one empty slice / map each.
    from dockergen.gotemplate.template import TemplateSet

    a, b = (ctx.to_go_container(model.RuntimeContainer(ID=i, Labels=None, Networks=[model.Network(Name=i)]))
            for i in "ab")
    assert a.Devices is b.Devices and a.Volumes is b.Volumes and a.Labels is b.Labels
    assert a.Networks[0].Aliases is b.Networks[0].Aliases and a.Networks is not b.Networks
    assert not is_nil(a.Devices) and is_nil(a.Labels) and a.Env is not a.Volumes
    root = ctx.make_root([a, b], model.Docker(), {}, None)
    text = ('{{range .}}{{range .Networks}}{{sortStringsAsc .Aliases}}{{$_ := .Aliases | sortStringsDesc}}{{end}}'
            '{{append .Devices 1}}{{end}}|{{range .}}{{len .Devices}}{{len .Volumes}}{{.Labels}}{{end}}')
    out = TemplateSet([("t", text)]).execute(root)
    assert out == "[][1][][1]|00map[]00map[]" and a.Devices == [] and a.Networks[0].Aliases == []


def test_make_root_methods():
    a, b = model.RuntimeContainer(ID="a"), model.RuntimeContainer(ID="b", Endpoint="tcp://x")
    docker = model.Docker(Name="host")
    root = ctx.make_root([a, b], docker, {"K": "V"}, model.RuntimeContainer(ID="b"))
    assert type_name(root) == "*context.Context" and type_name(root.target) == "context.Context"
    assert _call(root, "CurrentContainer") is root.target[1]
    assert _call(root, "Env") == {"K": "V"} and type_name(_call(root, "Env")) == "map[string]string"
    assert _call(root, "Docker") is docker and type_name(docker) == "context.Docker"
    assert struct_info(root.target[1]).methods["Endpoint"].call(root.target[1]) == "tcp://x"
    assert list(_call(root, "Services")) == [] and type_name(_call(root, "Nodes")) == "[]*swarm.Node"
    outside = ctx.make_root([a], docker, {}, model.RuntimeContainer(ID="z"))
    assert _call(outside, "CurrentContainer").ID == "z"
    nobody = ctx.make_root([a], docker, {}, None)
    assert isinstance(_call(nobody, "CurrentContainer"), NilPointer)
    # a method reached through the list (not the pointer) still finds the root's data
    assert methods_of(root.type)["Env"].call(root.target) == {"K": "V"}


def test_swarm_copies_keep_sharing():
    node = model.Node(ID="n1")
    task = model.Task(ID="t1", Node=node, State="running")
    service = model.Service(ID="s1", Tasks=[task], Replicas=2)
    services, tasks, nodes = ctx.to_go_swarm([service], [task], [node])
    assert services[0].Tasks[0] is tasks[0] and tasks[0].Node is nodes[0]
    assert type_name(services[0]) == "*swarm.Service" and type_name(services[0].Replicas) == "*uint64"
    assert struct_info(services[0]).methods["RunningTasks"].call(services[0]) == [tasks[0]]
    global_services, _, _ = ctx.to_go_swarm([model.Service(ID="g")], [], [])
    assert is_nil(global_services[0].Replicas)


@needs_vectors
def test_load_fixture_edge():
    root, env = ctx.load_fixture(CONTEXTS / "edge.json")
    first = root.target[0]
    assert isinstance(first.Addresses, GoSlice) and first.Addresses.nil
    assert isinstance(first.Labels, GoMap) and first.Labels.nil
    assert not root.target[2].Addresses.nil and len(root.target[2].Addresses) == 0
    assert str(root.target[1].Created) == "2024-06-30 23:59:59 +0200 +0200"
    assert str(root.target[2].Created) == "2023-12-31 23:59:59.999999999 +0000 UTC"
    assert isinstance(_call(root, "CurrentContainer"), NilPointer)
    assert env["WITH_EQUALS"] == "k=v=w"


@needs_vectors
def test_load_fixture_basic_fresh_copies():
    root, _ = ctx.load_fixture(CONTEXTS / "basic.json")
    current = _call(root, "CurrentContainer")
    assert any(c is current for c in root.target) and current.Name == "nginx-proxy"
    again, _ = ctx.load_fixture(CONTEXTS / "basic.json")
    assert again.target[0] is not root.target[0]
    empty, _ = ctx.load_fixture(CONTEXTS / "empty.json")
    assert len(empty.target) == 0 and not empty.target.nil
