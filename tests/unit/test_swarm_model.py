"""dockergen.daemon.swarm: the API's service/task/node lists as the template sees them, and swarm flags."""

from __future__ import annotations

import pytest

from dockergen.cli import build_configs, parse_args, settings_from_flags
from dockergen.config import Settings, load_files
from dockergen.daemon.events import merge_event_filters
from dockergen.helpers.groupby import groupByLabel
from dockergen.daemon.swarm import build_swarm, service_matches
from dockergen.helpers.where import where

NODE = {
    "ID": "node1",
    "Spec": {"Role": "manager", "Availability": "active", "Labels": {"zone": "a"}},
    "Description": {"Hostname": "host-a", "Engine": {"EngineVersion": "20.10.24"}},
    "Status": {"State": "ready", "Addr": "192.0.2.10"},
    "ManagerStatus": {"Leader": True, "Addr": "192.0.2.10:2377"},
}


def service(sid: str, name: str, *, replicas: int | None = 2, labels=None, env=None, vips=(), ports=(), networks=()):
    mode = {"Replicated": {"Replicas": replicas}} if replicas is not None else {"Global": {}}
    return {
        "ID": sid,
        "Spec": {
            "Name": name,
            "Labels": labels or {},
            "Mode": mode,
            "TaskTemplate": {
                "ContainerSpec": {"Image": "img:1", "Env": env or [], "Labels": {"c": "1"}},
                "Networks": [{"Target": n} for n in networks],
            },
            "EndpointSpec": {"Mode": "vip"},
        },
        "Endpoint": {"VirtualIPs": [{"NetworkID": n, "Addr": a} for n, a in vips], "Ports": list(ports)},
    }


def task(tid: str, sid: str, slot: int, state: str = "running", desired: str = "running", addresses=()):
    return {
        "ID": tid,
        "ServiceID": sid,
        "Slot": slot,
        "NodeID": "node1",
        "DesiredState": desired,
        "Spec": {"ContainerSpec": {"Image": "img:1", "Env": ["A=1"], "Labels": {"c": "1"}}},
        "Status": {"State": state, "ContainerStatus": {"ContainerID": f"c-{tid}"}},
        "NetworksAttachments": [
            {"Network": {"ID": net, "Spec": {"Name": f"name-{net}"}}, "Addresses": [addr]} for net, addr in addresses
        ],
    }


def sample():
    services = [
        service("s2", "web", labels={"tier": "front"}, env=["VIRTUAL_HOST=web.test"], networks=["n1"],
                vips=[("n1", "10.0.1.2/24"), ("ing", "10.0.0.5/24")],
                ports=[{"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 8080, "PublishMode": "ingress"}]),
        service("s1", "agent", replicas=None, labels={"tier": "ops"}),
    ]
    tasks = [
        task("t2", "s2", 2, addresses=[("n1", "10.0.1.4/24")]),
        task("t1", "s2", 1, addresses=[("n1", "10.0.1.3/24")]),
        task("t0", "s2", 1, state="shutdown", desired="shutdown"),  # history of slot 1: left out
        task("t3", "s1", 0, state="starting"),
        task("orphan", "gone", 1),  # its service was removed meanwhile: left out
    ]
    networks = [{"Id": "ing", "Name": "ingress"}]
    return build_swarm(services, tasks, [NODE], networks, self_id="node1")


def test_services_are_flattened_with_api_field_names_and_sorted():
    swarm = sample()
    assert [s.Name for s in swarm.services] == ["agent", "web"]
    web = swarm.services[1]
    assert (web.ID, web.Mode, web.Replicas, web.Image, web.EndpointMode) == ("s2", "replicated", 2, "img:1", "vip")
    assert web.Env == {"VIRTUAL_HOST": "web.test"} and web.ContainerLabels == {"c": "1"}
    assert [(v.NetworkName, v.IP, v.Addr) for v in web.VirtualIPs] == [
        ("ingress", "10.0.0.5", "10.0.0.5/24"), ("name-n1", "10.0.1.2", "10.0.1.2/24"),
    ]
    assert [(p.PublishedPort, p.TargetPort, p.PublishMode) for p in web.Ports] == [(8080, 80, "ingress")]
    assert web.Networks == ["name-n1"]  # names learnt from the tasks' attachments
    assert [t.ID for t in web.Tasks] == ["t1", "t2"]
    agent = swarm.services[0]
    assert (agent.Mode, agent.Replicas) == ("global", None)


def test_tasks_keep_only_those_meant_to_run():
    swarm = sample()
    assert [t.ID for t in swarm.tasks] == ["t3", "t1", "t2"]
    t1 = swarm.tasks[1]
    assert (t1.Name, t1.ServiceName, t1.Slot, t1.State, t1.ContainerID) == ("web.1", "web", 1, "running", "c-t1")
    assert [(n.Name, n.IP, n.Addresses) for n in t1.Networks] == [("name-n1", "10.0.1.3", ["10.0.1.3/24"])]
    assert t1.Node.Hostname == "host-a" and t1.Env == {"A": "1"}
    assert swarm.tasks[0].Name == "agent.node1"  # global tasks are named by node, like `docker service ps`


def test_nodes():
    (node,) = sample().nodes
    assert (node.Hostname, node.Role, node.Availability, node.State, node.Address) == (
        "host-a", "manager", "active", "ready", "192.0.2.10",
    )
    assert node.Leader and node.Self and node.Labels == {"zone": "a"} and node.EngineVersion == "20.10.24"


def test_converging_until_every_replica_runs():
    swarm = sample()
    assert swarm.converging  # agent's task is still starting
    settled = build_swarm(
        [service("s2", "web", replicas=2)], [task("t1", "s2", 1), task("t2", "s2", 2)], [NODE]
    )
    assert not settled.converging
    short = build_swarm([service("s2", "web", replicas=3)], [task("t1", "s2", 1), task("t2", "s2", 2)], [NODE])
    assert short.converging


def test_a_relist_of_the_same_state_compares_equal():
    assert sample() == sample()


def test_helpers_take_services_and_tasks():
    swarm = sample()
    groups = groupByLabel(swarm.services, "tier")
    assert {k: [s.Name for s in v] for k, v in groups.items()} == {"front": ["web"], "ops": ["agent"]}
    assert [t.ID for t in where(swarm.tasks, "State", "running")] == ["t1", "t2"]
    assert [s.Name for s in where(swarm.services, "Env.VIRTUAL_HOST", "web.test")] == ["web"]


@pytest.mark.parametrize(
    "selector, matches",
    [
        ("web", True), ("s2", False), ("s2-long-id-000", True), ("label=tier", True), ("label=tier=front", True),
        ("label=tier=back", False), ("label=other", False), ("we", False),
    ],
)
def test_service_selectors(selector, matches):
    web = build_swarm([service("s2-long-id-000000", "web", labels={"tier": "front"})], [], []).services[0]
    assert service_matches(web, selector) is matches


def test_swarm_flags_and_keys(tmp_path):
    options = parse_args(["-swarm", "-notify-service", "label=a=b", "-notify-service", "web", "-notify-signal", "-1", "t"])
    (config,), _ = build_configs(options, {})
    assert config.swarm and config.notify_services == {"label=a=b": -1, "web": -1}
    path = tmp_path / "c.toml"
    path.write_text('[[config]]\ntemplate = "t"\nSwarm = true\n[config.NotifyServices]\n"label=role=proxy" = "HUP"\n')
    (config,) = load_files([str(path)]).configs
    assert config.swarm and config.notify_services == {"label=role=proxy": 1}


def test_reconcile_interval_defaults_to_15s_in_swarm_mode():
    assert Settings().reconcile_every(swarm=True) == 15.0
    assert Settings().reconcile_every(swarm=False) == 60.0
    settings = settings_from_flags(parse_args(["-reconcile-interval", "5s", "t"]), {})
    assert settings.reconcile_every(swarm=True) == 5.0


def test_swarm_mode_follows_service_and_node_updates():
    assert "update" not in merge_event_filters({})["event"]
    merged = merge_event_filters({}, swarm=True)["event"]
    assert {"create", "update", "remove"} <= set(merged)


def test_the_stack_example_notifies_its_own_nginx_service():
    """examples/swarm/docker-stack.yml: the flags parse, and the notify selector picks the nginx service."""
    from pathlib import Path

    import yaml

    root = Path(__file__).resolve().parents[2]
    stack = yaml.safe_load((root / "examples" / "swarm" / "docker-stack.yml").read_text())
    dockergen, nginx = stack["services"]["dockergen"], stack["services"]["nginx"]
    options = parse_args(dockergen["command"])
    (config,), _ = build_configs(options, {})
    assert config.swarm and config.watch
    assert (root / "templates" / Path(config.template).name).is_file()
    (selector,) = config.notify_services
    nginx_service = build_swarm([service("n1", "edge_nginx", labels=nginx["deploy"]["labels"])], [], []).services[0]
    assert service_matches(nginx_service, selector)
    assert dockergen["environment"]["SWARM_NETWORK"] in nginx["networks"]
    assert dockergen["deploy"]["placement"] == nginx["deploy"]["placement"]  # same nodes: the volume is shared
