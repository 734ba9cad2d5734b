"""The template context built from a real engine: every field docker-gen exposes."""

from __future__ import annotations

import json
import uuid

import pytest

from dockergen.daemon.inventory import Inventory
from dockergen.pipeline.render import RenderInput, Template

pytestmark = pytest.mark.engine

EVERY_FIELD = """\
{% for c in containers %}
ID={{ c.ID }}
Name={{ c.Name }}
Hostname={{ c.Hostname }}
Created={{ c.Created }}
NetworkMode={{ c.NetworkMode }}
Image={{ c.Image }}|{{ c.Image.Registry }}|{{ c.Image.Repository }}|{{ c.Image.Tag }}
Env.VIRTUAL_HOST={{ c.Env.VIRTUAL_HOST }}
Env.EMPTY=[{{ c.Env.EMPTY }}]
Labels={{ c.Labels["com.example.role"] }}
LabelPath={{ containers|where("Labels.com.example.role", "web")|length }}
State={{ c.State.Running }}|{{ c.State.Health.Status }}
{% for a in c.Addresses %}
Address={{ a.IP }}|{{ a.Port }}|{{ a.Proto }}|{{ a.HostPort }}|{{ a.HostIP }}
{% endfor %}
{% for n in c.Networks %}
Network={{ n.Name }}|{{ n.IP }}|{{ n.Gateway }}|{{ n.IPPrefixLen }}|{{ n.MacAddress }}|{{ n.Internal }}|{{ n.Aliases|join(",") }}|{{ n.EndpointID|length }}
{% endfor %}
{% for m in c.Mounts or [] %}
Mount={{ m.Source }}|{{ m.Destination }}|{{ m.RW }}|{{ m.Mode }}
{% endfor %}
{% for d in c.Devices %}
Device={{ d.PathOnHost }}|{{ d.PathInContainer }}|{{ d.Permissions }}
{% endfor %}
{% endfor %}
Docker={{ docker.Name }}|{{ docker.NumContainers > 0 }}|{{ docker.Version }}|{{ docker.ApiVersion }}|{{ docker.OperatingSystem }}|{{ docker.Architecture }}|{{ docker.GoVersion != "" }}
Current={{ current_container }}|{{ docker.CurrentContainerID }}
Env={{ env.MARKER }}
"""


def render(tmp_path, source: str, snapshot, env=None) -> str:
    path = tmp_path / "t.tmpl"
    path.write_text(source)
    return Template(str(path)).render(RenderInput.from_snapshot(snapshot, env or {}))


def test_every_context_field(tmp_path, docker_api, make_container, make_network, wait_for):
    tag = uuid.uuid4().hex[:8]
    front = make_network(f"dgt-front-{tag}")
    back = make_network(f"dgt-back-{tag}", internal=True)
    host_dir = tmp_path / "shared"
    host_dir.mkdir()
    web = make_container(
        name=f"dgt-web-{tag}",
        env={"VIRTUAL_HOST": "web.example", "EMPTY": ""},
        labels={"com.example.role": "web", "t": tag},
        expose=[80, "53/udp"],
        publish={8080: None},
        networks=[front["Name"], back["Name"]],
        healthcheck={"test": ["CMD", "true"], "interval": 200_000_000, "start_period": 0},
        mounts=[f"{host_dir}:/data:ro"],
        devices=["/dev/null:/dev/xnull:rwm"],
        hostname="webhost",
    )
    wait_for(lambda: web.health == "healthy", timeout=15)
    inventory = Inventory(docker_api)
    snapshot = inventory.snapshot({"label": [f"t={tag}"], "status": ["running"]})
    out = render(tmp_path, EVERY_FIELD, snapshot, {"MARKER": "from-env"})
    lines = out.splitlines()
    info = web.inspect()

    assert f"ID={web.id}" in lines
    assert f"Name={web.name}" in lines
    assert "Hostname=webhost" in lines
    assert f"NetworkMode={front['Name']}" in lines
    assert "Image=dockergen-test/busybox:latest||dockergen-test/busybox|latest" in lines
    assert "Env.VIRTUAL_HOST=web.example" in lines
    assert "Env.EMPTY=[]" in lines
    assert "Labels=web" in lines
    assert "LabelPath=1" in lines
    assert "State=True|healthy" in lines
    created = [line for line in lines if line.startswith("Created=")][0]
    assert created.startswith("Created=" + info["Created"][:10]) and created.endswith("+0000 UTC")

    host_port = web.host_port(8080)
    addresses = [line for line in lines if line.startswith("Address=")]
    # Sorted by port number: 53/udp, 80/tcp, 8080/tcp; the legacy IP is empty on a user network.
    assert addresses == [
        "Address=|53|udp||",
        "Address=|80|tcp||",
        f"Address=|8080|tcp|{host_port}|127.0.0.1",
    ]
    networks = [line.split("|") for line in lines if line.startswith("Network=")]
    assert [n[0] for n in networks] == sorted([f"Network={back['Name']}", f"Network={front['Name']}"])
    by_name = {n[0][len("Network="):]: n for n in networks}
    settings = info["NetworkSettings"]["Networks"]
    for name, internal in ((front["Name"], "False"), (back["Name"], "True")):
        entry = by_name[name]
        assert entry[1] == settings[name]["IPAddress"] != ""
        assert entry[3] == str(settings[name]["IPPrefixLen"])
        assert entry[4] == settings[name]["MacAddress"]
        assert entry[5] == internal
        assert web.short_id in entry[6].split(",")
        assert entry[7] == "64"
    assert f"Mount={host_dir}|/data|False|ro" in lines
    assert "Device=/dev/null|/dev/xnull|rwm" in lines
    version = docker_api.version()
    assert (
        f"Docker={docker_api.info()['Name']}|True|{version['Version']}|{version['ApiVersion']}"
        f"|{version['Os']}|{version['Arch']}|True"
    ) in lines
    assert "Current=|" in lines  # the tests do not run inside a container
    assert "Env=from-env" in lines


def test_filters_order_and_stopped_containers(docker_api, make_container):
    tag = uuid.uuid4().hex[:8]
    first = make_container(labels={"t": tag, "role": "a"})
    second = make_container(labels={"t": tag, "role": "b"})
    stopped = make_container(labels={"t": tag, "role": "a"}, start=False)
    inventory = Inventory(docker_api)

    running = inventory.snapshot({"label": [f"t={tag}"], "status": ["running"]}).containers
    assert [c.ID for c in running] == [second.id, first.id]  # newest first, like docker-gen

    everything = inventory.snapshot({"label": [f"t={tag}"]}).containers
    assert {c.ID for c in everything} == {first.id, second.id, stopped.id}
    assert [c.State.Running for c in everything if c.ID == stopped.id] == [False]

    role_a = inventory.snapshot({"label": [f"t={tag}", "role=a"], "status": ["running"]}).containers
    assert [c.ID for c in role_a] == [first.id]


def test_json_of_the_context_uses_docker_gen_field_names(tmp_path, docker_api, make_container):
    tag = uuid.uuid4().hex[:8]
    make_container(labels={"t": tag}, env={"A": "1"})
    snapshot = Inventory(docker_api).snapshot({"label": [f"t={tag}"]})
    data = json.loads(render(tmp_path, "{{ containers|json }}", snapshot))
    assert list(data[0])[:4] == ["ID", "Created", "Addresses", "Networks"]
    assert data[0]["Env"]["A"] == "1"
    assert data[0]["Image"] == {"Registry": "", "Repository": "dockergen-test/busybox", "Tag": "latest"}


def test_parallel_inspection_matches_sequential(docker_api, make_containers):
    tag = uuid.uuid4().hex[:8]
    make_containers(12, labels={"t": tag})
    filters = {"label": [f"t={tag}"]}
    parallel = Inventory(docker_api, workers=8).snapshot(filters).containers
    sequential = Inventory(docker_api, workers=1).snapshot(filters).containers
    assert len(parallel) == 12
    assert parallel == sequential
