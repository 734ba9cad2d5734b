"""Swarm mode against a real single-node swarm (a test-only engine; the main one never changes mode).

Services, tasks and nodes are rendered with Docker API field names; scaling a
service 1 -> 3 -> 1 and removing it reach the destination within the
reconciliation period; helpers work on services and tasks; services are
notified by label (signal to their task containers, or a forced update).
"""

from __future__ import annotations

import json
import os

import pytest

from cli_support import RunningGenerator, run_cli
from engine_support import wait_for

pytestmark = [
    pytest.mark.engine,
    pytest.mark.slow,
    pytest.mark.skipif(os.getuid() != 0, reason="starting a test-only dockerd needs root"),
]

RECONCILE_PERIOD = 15  # swarm mode's default reconciliation interval

DUMP = """\
{%- set out = {"services": [], "tasks": [], "nodes": []} -%}
{%- for s in services if s.Labels["dockergen.test"] == env.SESSION -%}
{%- do out.services.append({"ID": s.ID, "Name": s.Name, "Mode": s.Mode, "Replicas": s.Replicas,
      "Labels": s.Labels, "Env": s.Env, "Image": s.Image, "EndpointMode": s.EndpointMode, "Networks": s.Networks,
      "VIPs": s.VirtualIPs | map(attribute="IP") | list, "VIPNetworks": s.VirtualIPs | map(attribute="NetworkName") | list,
      "Ports": s.Ports | map(attribute="PublishedPort") | list, "Tasks": s.Tasks | map(attribute="ID") | list}) -%}
{%- endfor -%}
{%- for t in tasks if t.Labels["dockergen.test"] == env.SESSION -%}
{%- do out.tasks.append({"ID": t.ID, "Name": t.Name, "ServiceName": t.ServiceName, "Slot": t.Slot, "State": t.State,
      "DesiredState": t.DesiredState, "NodeHostname": t.Node.Hostname, "ContainerID": t.ContainerID,
      "IPs": t.Networks | map(attribute="IP") | list, "NetworkNames": t.Networks | map(attribute="Name") | list}) -%}
{%- endfor -%}
{%- for n in nodes -%}
{%- do out.nodes.append({"ID": n.ID, "Hostname": n.Hostname, "Role": n.Role, "Availability": n.Availability,
      "State": n.State, "Address": n.Address, "Leader": n.Leader, "Self": n.Self, "EngineVersion": n.EngineVersion}) -%}
{%- endfor -%}
{{ out | tojson }}
"""


@pytest.fixture
def swarm_scope(swarm):
    """The swarm session, cleaned after the test (services first, then networks and containers)."""
    yield swarm
    swarm.cleanup()


def _env(swarm) -> dict[str, str]:
    return {"SESSION": swarm.session_id, "DOCKER_HOST": swarm.url}


def test_services_tasks_and_nodes_render_with_api_field_names(swarm_scope, tmp_path):
    swarm = swarm_scope
    network = swarm.create_overlay()
    web = swarm.create_service(
        env={"VIRTUAL_HOST": "web.test"}, labels={"role": "web"}, networks=[network["Id"]], replicas=2,
        ports={18081: 80},
    )
    agent = swarm.create_service(mode="global", labels={"role": "agent"}, cmd=["sleep", "3600"], replicas=None)
    web_tasks = swarm.wait_running(web["ID"], 2)
    swarm.wait_running(agent["ID"], 1)
    template = tmp_path / "dump.tmpl"
    template.write_text(DUMP)

    result = run_cli("-swarm", str(template), env=_env(swarm))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)

    services = {s["Name"]: s for s in out["services"]}
    assert set(services) == {web["Spec"]["Name"], agent["Spec"]["Name"]}
    rendered = services[web["Spec"]["Name"]]
    inspected = swarm.api.inspect_service(web["ID"])
    vips = {v["NetworkID"]: v["Addr"].split("/")[0] for v in inspected["Endpoint"]["VirtualIPs"]}
    assert rendered["ID"] == web["ID"]
    assert (rendered["Mode"], rendered["Replicas"]) == ("replicated", 2)
    assert rendered["Labels"] == inspected["Spec"]["Labels"]
    assert rendered["Env"] == {"VIRTUAL_HOST": "web.test"}
    assert rendered["Image"] == inspected["Spec"]["TaskTemplate"]["ContainerSpec"]["Image"]
    assert rendered["EndpointMode"] == "vip"
    assert rendered["Networks"] == [network["Name"]]
    assert sorted(rendered["VIPs"]) == sorted(vips.values())
    assert network["Name"] in rendered["VIPNetworks"] and "ingress" in rendered["VIPNetworks"]  # published: ingress VIP
    assert rendered["Ports"] == [18081]
    assert sorted(rendered["Tasks"]) == sorted(t["ID"] for t in web_tasks)
    global_service = services[agent["Spec"]["Name"]]
    assert (global_service["Mode"], global_service["Replicas"]) == ("global", None)

    info = swarm.api.info()
    tasks = {t["ID"]: t for t in out["tasks"]}
    for raw in web_tasks:
        task = tasks[raw["ID"]]
        attachment = next(a for a in raw["NetworksAttachments"] if a["Network"]["ID"] == network["Id"])
        assert task["Name"] == f"{web['Spec']['Name']}.{raw['Slot']}"
        assert (task["State"], task["DesiredState"], task["ServiceName"]) == ("running", "running", web["Spec"]["Name"])
        assert task["ContainerID"] == raw["Status"]["ContainerStatus"]["ContainerID"]
        assert swarm.api.inspect_container(task["ContainerID"])["State"]["Running"]
        assert attachment["Addresses"][0].split("/")[0] in task["IPs"]
        assert network["Name"] in task["NetworkNames"]
        assert task["NodeHostname"] == info["Name"]

    (node,) = out["nodes"]
    assert node["ID"] == info["Swarm"]["NodeID"]
    assert (node["Hostname"], node["Role"], node["Availability"], node["State"]) == (info["Name"], "manager", "active", "ready")
    assert node["Address"] == "127.0.0.1"  # swarm init --advertise-addr 127.0.0.1
    assert node["Leader"] and node["Self"]
    assert node["EngineVersion"] == swarm.api.version()["Version"]


def test_helpers_work_on_services_and_tasks(swarm_scope, tmp_path):
    swarm = swarm_scope
    a = swarm.create_service(labels={"tier": "front"}, env={"VIRTUAL_HOST": "a.test"}, cmd=["sleep", "3600"])
    b = swarm.create_service(labels={"tier": "front"}, env={"VIRTUAL_HOST": "b.test"}, cmd=["sleep", "3600"])
    c = swarm.create_service(labels={"tier": "back"}, cmd=["sleep", "3600"])
    for service in (a, b, c):
        swarm.wait_running(service["ID"], 1)
    template = tmp_path / "helpers.tmpl"
    template.write_text(
        '{% set mine = where(services, "Labels.dockergen.test", env.SESSION) %}'
        '{% for tier, group in groupByLabel(mine, "tier") | dictsort %}{{ tier }}: {{ group | map(attribute="Name") | sort | join(",") }}\n{% endfor %}'
        'hosts: {{ groupByKeys(mine, "Env.VIRTUAL_HOST") | sort | join(",") }}\n'
        'front: {{ whereLabelValueMatches(mine, "tier", "^fr") | length }}\n'
        'running: {{ where(tasks, "State", "running") | selectattr("ServiceName", "in", mine | map(attribute="Name") | list) | list | length }}\n'
    )
    result = run_cli("-swarm", str(template), env=_env(swarm))
    assert result.returncode == 0, result.stderr
    names = lambda *services: ",".join(sorted(s["Spec"]["Name"] for s in services))  # noqa: E731
    assert result.stdout.splitlines() == [
        f"back: {names(c)}", f"front: {names(a, b)}", "hosts: a.test,b.test", "front: 2", "running: 3",
    ]


def test_scaling_and_removal_reach_the_file_within_the_reconciliation_period(swarm_scope, tmp_path):
    swarm = swarm_scope
    network = swarm.create_overlay()
    service = swarm.create_service(env={"VIRTUAL_HOST": "scale.test"}, networks=[network["Id"]], replicas=1)
    swarm.wait_running(service["ID"], 1)
    name = service["Spec"]["Name"]
    template = tmp_path / "upstreams.tmpl"
    template.write_text(
        '{% for s in services if s.Labels["dockergen.test"] == env.SESSION %}'
        "{{ s.Name }}:{% for t in s.Tasks if t.State == 'running' %} {{ t.Networks[0].IP }}{% endfor %}\n"
        "{% endfor %}"
    )
    dest = tmp_path / "upstreams"
    with RunningGenerator(
        "-watch", "-swarm", "-wait", "100ms:1s", str(template), str(dest), log_path=tmp_path / "gen.log", env=_env(swarm)
    ) as gen:

        def task_ips() -> list[str] | None:
            text = dest.read_text() if dest.exists() else ""
            lines = [line for line in text.splitlines() if line.startswith(name + ":")]
            return lines[0].split()[1:] if lines else None

        def ips_of(count: int):
            expected = sorted(
                a["Addresses"][0].split("/")[0]
                for t in swarm.wait_running(service["ID"], count)
                for a in t["NetworksAttachments"]
                if a["Network"]["ID"] == network["Id"]
            )
            return lambda: sorted(task_ips() or []) == expected

        try:
            wait_for(ips_of(1), timeout=10)
            for count in (3, 1):
                swarm.scale(service["ID"], count)
                # ips_of() waits until the tasks run; from then on, the file follows within one period
                wait_for(ips_of(count), timeout=RECONCILE_PERIOD)
            swarm.api.remove_service(service["ID"])
            wait_for(lambda: task_ips() is None, timeout=RECONCILE_PERIOD)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- generator log ---\n{gen.log()[-3000:]}") from None
        assert "Error" not in gen.log(), gen.log()


def test_notify_service_by_label_signals_its_task_containers(swarm_scope, tmp_path):
    swarm = swarm_scope
    trap = "trap 'echo hup >> /tmp/hups' HUP; touch /tmp/hups; while true; do sleep 0.2; done"
    target = swarm.create_service(labels={"reload-me": "yes"}, cmd=["sh", "-c", trap], replicas=2)
    other = swarm.create_service(labels={"reload-me": "no"}, cmd=["sh", "-c", trap])
    target_tasks = swarm.wait_running(target["ID"], 2)
    (other_task,) = swarm.wait_running(other["ID"], 1)
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services | length }}\n")

    def hups(task) -> str:
        cid = task["Status"]["ContainerStatus"]["ContainerID"]
        exec_id = swarm.api.exec_create(cid, ["cat", "/tmp/hups"])["Id"]
        return swarm.api.exec_start(exec_id).decode()

    result = run_cli(
        "-swarm", "-notify-service", "label=reload-me=yes", "-notify-signal", "HUP",
        str(template), str(tmp_path / "out"), env=_env(swarm),
    )
    assert result.returncode == 0, result.stderr
    for task in target_tasks:
        wait_for(lambda task=task: hups(task) == "hup\n", timeout=5)
    assert hups(other_task) == ""


def test_notify_service_restart_forces_an_update(swarm_scope, tmp_path):
    swarm = swarm_scope
    service = swarm.create_service(cmd=["sleep", "3600"])
    (before,) = swarm.wait_running(service["ID"], 1)
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services | length }}\n")
    result = run_cli(
        "-swarm", "-notify-service", service["Spec"]["Name"], "-notify-signal", "-1",
        str(template), str(tmp_path / "out"), env=_env(swarm),
    )
    assert result.returncode == 0, result.stderr
    spec = swarm.api.inspect_service(service["ID"])["Spec"]["TaskTemplate"]
    assert spec["ForceUpdate"] == service["Spec"]["TaskTemplate"].get("ForceUpdate", 0) + 1

    def replaced():
        running = swarm.running_tasks(service["ID"])
        return len(running) == 1 and running[0]["ID"] != before["ID"]

    wait_for(replaced, timeout=30, interval=0.2)


def test_swarm_mode_needs_a_manager(engine, tmp_path):
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services | length }}\n")
    result = run_cli("-swarm", str(template), env={"DOCKER_HOST": "unix:///var/run/docker.sock"})
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "docker-gen: -swarm: the engine at unix:///var/run/docker.sock is not in a swarm (state inactive); "
        "point -endpoint at a swarm manager"
    ]


def test_without_swarm_mode_the_names_are_empty_lists(swarm_scope, tmp_path):
    swarm = swarm_scope
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services | length }} {{ tasks | length }} {{ nodes | length }}\n")
    result = run_cli(str(template), env=_env(swarm))
    assert (result.returncode, result.stdout) == (0, "0 0 0\n"), result.stderr
    swarm.create_service(cmd=["sleep", "3600"])
    result = run_cli("-swarm", str(template), env=_env(swarm))
    assert result.returncode == 0 and result.stdout.split()[0] != "0", result.stderr


def test_exec_filter_reaches_the_task_containers_on_this_node(swarm_scope, tmp_path):
    swarm = swarm_scope
    target = swarm.create_service(labels={"role": "nginx"}, cmd=["sh", "-c", "touch /tmp/reloads; sleep 3600"], replicas=2)
    other = swarm.create_service(cmd=["sh", "-c", "touch /tmp/reloads; sleep 3600"])
    target_tasks = swarm.wait_running(target["ID"], 2)
    (other_task,) = swarm.wait_running(other["ID"], 1)
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services | length }}\n")

    def reloads(task) -> str:
        exec_id = swarm.api.exec_create(task["Status"]["ContainerStatus"]["ContainerID"], ["cat", "/tmp/reloads"])["Id"]
        return swarm.api.exec_start(exec_id).decode()

    result = run_cli(
        "-swarm", "-exec-filter", f"label=com.docker.swarm.service.name={target['Spec']['Name']}",
        "-check-cmd", "true", "-notify-exec", "echo reload >> /tmp/reloads",
        str(template), str(tmp_path / "out"), env=_env(swarm),
    )
    assert result.returncode == 0, result.stderr
    assert [reloads(task) for task in target_tasks] == ["reload\n", "reload\n"]
    assert reloads(other_task) == ""
