"""dockergen against a real Podman service (its Docker-compatible API), as a Podman user points it.

A test-only ``podman system service`` (tests/podman_engine.py) runs for this
module; every command gets ``-endpoint unix://<its socket>``.  Covered: engine
detection, one-shot with both template engines and the context Podman gives
(network ``podman``, Env additions), watch mode through start, stop, kill,
``rm -f``, rename, network connect/disconnect and label event filters (which
Podman's own event filters get wrong), the nginx proxy through real nginx,
notify commands and container signals and restarts, check and quarantine,
health-aware routing, and the one-line error for ``-swarm``.
"""

from __future__ import annotations

import time
import uuid

import pytest

from cli_support import RunningGenerator, run_cli
from engine_support import wait_for
from nginx_support import CASE_LABEL, NGINX_TEMPLATE, Nginx, backends_seen, free_port, proxy_env, start_backends, status
from podman_engine import PodmanService

pytestmark = pytest.mark.engine

NAMES_GO = '{{ range $ }}{{ .Name }} {{ range .Networks }}{{ .Name }}={{ .IP }} {{ end }}{{ .State.Health.Status }}\n{{ end }}'
NAMES_JINJA = "{% for c in containers|sort(attribute='Name') %}{{ c.Name }}\n{% endfor %}"


@pytest.fixture(scope="module")
def podman():
    service = PodmanService()
    try:
        service.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield service
    service.stop()


@pytest.fixture
def pm(podman):
    """A labelled session on the Podman service; its containers and networks go after each test."""
    session = podman.session()
    yield session
    session.cleanup()


def generator(podman, tmp_path, *args: str, env: dict[str, str] | None = None) -> RunningGenerator:
    return RunningGenerator("-endpoint", podman.url, *args, log_path=tmp_path / "gen.log", env=env)


def names_files(tmp_path, text: str):
    """The template (with ``text``) and the destination of one test's watcher."""
    template = tmp_path / "names.tmpl"
    template.write_text(text)
    return template, tmp_path / "out"


def lines(path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def test_podman_is_detected_and_one_shot_lists_what_it_runs(podman, pm, tmp_path):
    made = pm.create_containers(3, name=f"pm-one-{pm.session_id[:6]}-{{i}}", env={"VIRTUAL_HOST": "a.test"})
    go = tmp_path / "names.tmpl"
    go.write_text(NAMES_GO)
    result = run_cli("-endpoint", podman.url, "-container-filter", f"label={pm.label_filter}", str(go))
    assert result.returncode == 0, result.stderr
    expected = sorted(f"{c.name} podman={c.ip('podman')} " for c in made)
    assert sorted(result.stdout.splitlines()) == expected
    assert all(c.ip("podman").startswith("10.218.") for c in made)  # the test service's default network

    jinja = tmp_path / "names.j2"
    jinja.write_text(
        "{{ docker.Version }}|{{ docker.CurrentContainerID }}|"
        "{% for c in containers|sort(attribute='Name') %}{{ c.Name }}:{{ c.Env.VIRTUAL_HOST }}:{{ c.Env.container }},{% endfor %}"
    )
    result = run_cli("-endpoint", podman.url, "-container-filter", f"label={pm.label_filter}", str(jinja))
    assert result.returncode == 0, result.stderr
    version = podman.client().version()["Version"]
    # dockergen on this host, next to Podman containers, is in no container
    assert result.stdout == f"{version}||" + "".join(f"{c.name}:a.test:podman," for c in sorted(made, key=lambda c: c.name))


def test_the_bundled_containers_template(podman, pm):
    c = pm.create_container(name=f"pm-tbl-{pm.session_id[:6]}", publish={8080: None})
    result = run_cli("-endpoint", podman.url, "-container-filter", f"label={pm.label_filter}", "templates/containers.tmpl")
    assert result.returncode == 0, result.stderr
    header, columns, row = result.stdout.splitlines()
    version = podman.client().version()
    assert header.endswith(f"Docker {version['Version']}, API {version['ApiVersion']}, linux/amd64 -- 1 container")
    assert row.split()[:3] == [c.name, "localhost/dockergen-test/busybox:latest", f"podman:{c.ip('podman')}"]
    assert f"127.0.0.1:{c.host_port(8080)}->8080/tcp" in row


def test_watch_follows_every_change_podman_reports_its_own_way(podman, pm, tmp_path):
    template, dest = names_files(tmp_path, NAMES_GO)
    gen = generator(podman, tmp_path, "-watch", "-container-filter", f"label={pm.label_filter}", str(template), str(dest))
    try:
        wait_for(lambda: dest.exists(), timeout=15, message="first render")
        c = pm.create_container(name=f"pm-w-{pm.session_id[:6]}")
        listed = lambda: [line.split()[0] for line in lines(dest)]  # noqa: E731
        wait_for(lambda: listed() == [c.name], timeout=10, message="started container listed")

        c.stop()  # Podman sends die (and no stop) for this one: sleep ignores SIGTERM as PID 1
        wait_for(lambda: listed() == [], timeout=10, message="stopped container gone")
        c.start()
        wait_for(lambda: listed() == [c.name], timeout=10, message="listed again")

        net = pm.create_network()
        pm.api.connect_container_to_network(c.id, net["Id"])  # the event names no network
        wait_for(lambda: f"{net['Name']}=" in dest.read_text(), timeout=10, message="new network listed")
        pm.api.disconnect_container_from_network(c.id, net["Id"])
        wait_for(lambda: f"{net['Name']}=" not in dest.read_text(), timeout=10, message="network gone")

        renamed = f"pm-r-{uuid.uuid4().hex[:6]}"
        pm.api.rename(c.id, renamed)
        wait_for(lambda: listed() == [renamed], timeout=10, message="renamed")

        pm.api.remove_container(c.id, force=True)  # kill, die, cleanup, remove
        wait_for(lambda: listed() == [], timeout=10, message="no stale entry after rm -f")
        assert gen.process.poll() is None
        assert "trigger: event network connect" in gen.log()
    finally:
        gen.stop()


def test_a_bare_label_event_filter_works(podman, pm, tmp_path):
    # Podman's own /events filter drops everything for `label=<key>`; dockergen filters locally.
    template, dest = names_files(tmp_path, NAMES_JINJA)
    key = f"pm.watch.{uuid.uuid4().hex[:6]}"
    gen = generator(
        podman, tmp_path, "-watch", "-interval", "0", "-event-filter", f"label={key}",
        "-container-filter", f"label={pm.label_filter}", str(template), str(dest),
    )
    try:
        wait_for(lambda: dest.exists(), timeout=15, message="first render")
        watched = pm.create_container(name=f"pm-lab-{pm.session_id[:6]}", labels={key: ""})
        wait_for(lambda: lines(dest) == [watched.name], timeout=10, message="labelled container listed")
        time.sleep(1)  # its last events too (Podman's file events backend is polled every 250 ms)
        other = pm.create_container(name=f"pm-unl-{pm.session_id[:6]}")
        time.sleep(1)
        assert lines(dest) == [watched.name]  # its events are not followed (as on Docker)
        pm.api.remove_container(watched.id, force=True)
        wait_for(lambda: lines(dest) == [other.name], timeout=10, message="removal followed")
    finally:
        gen.stop()


def test_nginx_proxy_routes_to_podman_containers(podman, pm, tmp_path):
    nginx = Nginx(tmp_path / "nginx")
    port = free_port()
    env = proxy_env(nginx, port, free_port())
    nginx.apply("")
    case = uuid.uuid4().hex[:12]
    gen = generator(
        podman, tmp_path, "-watch", "-wait", "100ms:500ms", "-notify", nginx.reload_cmd,
        "-container-filter", f"label={CASE_LABEL}={case}", str(NGINX_TEMPLATE), str(nginx.rendered), env=env,
    )
    scope = pm.scope()
    try:
        backends = start_backends(scope, {
            "a": {"env": {"VIRTUAL_HOST": "a.podman.test"}},
            "b": {"env": {"VIRTUAL_HOST": "b.podman.test"}},
        }, case, f"pm-nx-{pm.session_id[:6]}")
        for key in ("a", "b"):
            wait_for(lambda key=key: backends_seen(port, f"{key}.podman.test", 1, timeout=3) == [backends[key].name],
                     timeout=20, message=f"{key}.podman.test served")
        nginx.check()
        pm.api.remove_container(backends["a"].id, force=True)
        wait_for(lambda: status(port, "a.podman.test", "/cgi-bin/x", timeout=3) == 503, timeout=20, message="503 after rm -f")
        assert backends_seen(port, "b.podman.test", 1, timeout=3) == [backends["b"].name]
        nginx.check()
    finally:
        gen.stop()
        nginx.stop()
        scope.cleanup()


RECORDER = ("sh", "-c", 'trap "echo HUP >> /tmp/signals" HUP; touch /tmp/ready; while true; do sleep 0.1; done')


def test_notify_command_signal_and_restart(podman, pm, tmp_path):
    template = tmp_path / "t.tmpl"
    template.write_text("{{ env.CONTENT }}\n")
    marker = tmp_path / "ran"
    hup = pm.create_container(*RECORDER, name=f"pm-hup-{pm.session_id[:6]}")
    wait_for(lambda: hup.exec("test", "-f", "/tmp/ready")[0] == 0, timeout=10)
    result = run_cli("-endpoint", podman.url, "-notify", f"echo ran >> {marker}", "-notify-sighup", hup.name,
                     str(template), str(tmp_path / "out"), env={"CONTENT": "one"})
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "ran\n"
    wait_for(lambda: hup.exec("cat", "/tmp/signals") == (0, "HUP\n"), timeout=5, message="HUP received")

    stops_on_term = ("sh", "-c", 'trap "exit 0" TERM; while true; do sleep 0.1; done')
    target = pm.create_container(*stops_on_term, labels={"restart-me": "1"})
    started = target.inspect()["State"]["StartedAt"]
    result = run_cli("-endpoint", podman.url, "-notify-filter", f"label={pm.label_filter}", "-notify-filter",
                     "label=restart-me", "-notify-signal", "-1", str(template), str(tmp_path / "out"), env={"CONTENT": "two"})
    assert result.returncode == 0, result.stderr
    assert f"Sending container '{target.id}' signal '-1'" in result.stderr
    assert target.inspect()["State"]["Running"] and target["State"]["StartedAt"] != started


NAIVE = """\
{% for c in containers|sort(attribute="Name") if c.Env.VIRTUAL_HOST %}
server { listen 127.0.0.1:{{ env.PROXY_PORT }}; server_name {{ c.Env.VIRTUAL_HOST }}; location / { return 200; } }
{% endfor %}
"""


def test_check_and_quarantine(podman, pm, tmp_path):
    template = tmp_path / "naive.tmpl"
    template.write_text(NAIVE)
    nginx = Nginx(tmp_path / "nginx")
    gen = generator(
        podman, tmp_path, "-watch", "-check-cmd", " ".join([*nginx.cmd, "-t", "-q"]),
        "-container-filter", f"label={pm.label_filter}", str(template), str(nginx.rendered),
        env={"PROXY_PORT": str(free_port())},
    )
    try:
        good = pm.create_container(name=f"pm-good-{pm.session_id[:6]}", env={"VIRTUAL_HOST": "good.podman.test"})
        bad = pm.create_container(name=f"pm-bad-{pm.session_id[:6]}", env={"VIRTUAL_HOST": "bad.test; }"})
        wait_for(lambda: f"Quarantined container {bad.name}" in gen.log(), timeout=20, message="quarantine")
        wait_for(lambda: "good.podman.test" in nginx.rendered.read_text(), timeout=10, message="good one served")
        assert "bad.test" not in nginx.rendered.read_text()
        nginx.check()
        del good
    finally:
        gen.stop()


HEALTHCHECK = {"test": ["CMD", "test", "-f", "/tmp/ok"], "interval": 3_600_000_000_000, "retries": 1}


def test_health_aware_routing(podman, pm, tmp_path):
    template, dest = names_files(tmp_path, NAMES_JINJA)
    c = pm.create_container(name=f"pm-hc-{pm.session_id[:6]}", healthcheck=HEALTHCHECK)
    gen = generator(podman, tmp_path, "-watch", "-only-healthy", "-container-filter", f"label={pm.label_filter}",
                    str(template), str(dest))
    try:
        wait_for(lambda: dest.exists(), timeout=15, message="first render")
        assert lines(dest) == []  # starting
        c.exec("touch", "/tmp/ok")
        podman.healthcheck(c.name)  # its event comes before inspect shows the result
        wait_for(lambda: lines(dest) == [c.name], timeout=10, message="in once healthy")
        c.exec("rm", "/tmp/ok")
        podman.healthcheck(c.name)
        wait_for(lambda: lines(dest) == [], timeout=10, message="out once unhealthy")
    finally:
        gen.stop()


def test_swarm_mode_is_refused_in_one_line(podman, tmp_path):
    template = tmp_path / "t.tmpl"
    template.write_text("{{ services|length }}\n")
    result = run_cli("-endpoint", podman.url, "-swarm", str(template))
    assert result.returncode == 1
    assert result.stderr == f"docker-gen: -swarm: the engine at {podman.url} is Podman, which has no swarm mode\n"


def test_docker_and_podman_endpoints_in_one_watcher(podman, pm, make_container, tmp_path):
    # Each endpoint's reader knows its own engine: Docker's stream filtered by Docker, Podman's here.
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "t.tmpl"
    template.write_text("{% for c in containers|sort(attribute='Name') %}{{ c.Endpoint }} {{ c.Name }}\n{% endfor %}")
    dest = tmp_path / "out"
    gen = RunningGenerator(
        "-watch", "-endpoint", "docker=unix:///var/run/docker.sock", "-endpoint", f"podman={podman.url}",
        "-container-filter", f"label=t={tag}", str(template), str(dest), log_path=tmp_path / "gen.log",
    )
    try:
        on_docker = make_container(name=f"dgt-mix-d-{tag}", labels={"t": tag})
        on_podman = pm.create_container(name=f"pm-mix-p-{tag}", labels={"t": tag})
        wait_for(lambda: lines(dest) == [f"docker {on_docker.name}", f"podman {on_podman.name}"], timeout=15,
                 message="both engines listed")
        pm.api.remove_container(on_podman.id, force=True)
        wait_for(lambda: lines(dest) == [f"docker {on_docker.name}"], timeout=10, message="Podman removal followed")
    finally:
        gen.stop()


def test_a_restarted_podman_service_loses_no_change(podman, pm, tmp_path):
    # The service goes away (its containers keep running), a container is removed and another
    # started with the podman CLI meanwhile, the service comes back: the watcher converges.
    template, dest = names_files(tmp_path, NAMES_JINJA)
    kept = pm.create_container(name=f"pm-keep-{pm.session_id[:6]}")
    gone = pm.create_container(name=f"pm-gone-{pm.session_id[:6]}")
    gen = generator(podman, tmp_path, "-watch", "-container-filter", f"label={pm.label_filter}", str(template), str(dest))
    try:
        wait_for(lambda: lines(dest) == sorted([kept.name, gone.name]), timeout=15, message="first render")
        podman.stop_service()
        wait_for(lambda: "reconnecting" in gen.log(), timeout=10, message="the watcher sees the service go")
        podman.cli("rm", "--force", "--time", "0", gone.id)
        new = f"pm-new-{pm.session_id[:6]}"
        podman.cli("run", "-d", "--name", new, "--label", pm.label_filter, "dockergen-test/busybox", "sleep", "3600")
        podman.start_service()
        wait_for(lambda: lines(dest) == sorted([kept.name, new]), timeout=20, message="converged after the restart")
        assert gen.process.poll() is None
    finally:
        gen.stop()  # (the container made with the CLI has the session's label: it goes with the session)


def test_check_and_notify_run_inside_podman_containers(podman, pm, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    target = pm.create_container(name=f"pm-exec-{pm.session_id[:6]}", mounts=[f"{out}:{out}"])
    template = tmp_path / "t.tmpl"
    template.write_text("{{ env.CONTENT }}\n")
    dest = out / "conf"
    args = ("-endpoint", podman.url, "-exec-container", target.name, "-check-cmd", '! grep -q REJECT "$DOCKERGEN_DEST"',
            "-notify-exec", f'cat "$DOCKERGEN_DEST" >> {out}/reloads', str(template), str(dest))
    result = run_cli(*args, env={"CONTENT": "fine"})
    assert result.returncode == 0, result.stderr
    assert dest.read_text() == "fine\n" and (out / "reloads").read_text() == "fine\n"

    result = run_cli(*args, env={"CONTENT": "REJECT"})
    assert result.returncode == 1
    assert f"rejected by the check command: exit status 1 in {target.name}" in result.stderr
    assert dest.read_text() == "fine\n" and (out / "reloads").read_text() == "fine\n"
