"""The project's image, built here from the Dockerfile, run as an nginx sidecar.

No registry is reachable, so the image is built on a local base
(tests/sidecar_support.py: Debian from debootstrap, wheels downloaded on the
host).  The sidecar shares a named volume at /etc/nginx/conf.d with a busybox
"nginx" stand-in that, on every SIGHUP, copies the config it sees and records
the signal.  Backends with VIRTUAL_HOST come and go; the stand-in must see
the matching config and one HUP per change.  The template is the test's own
(below), so this test does not depend on templates/nginx.tmpl; the bundled
templates are checked with a one-shot run of containers.tmpl.
"""

from __future__ import annotations

import os
import shlex
import uuid
import warnings
from pathlib import Path

import docker.errors
import pytest
import yaml

import sidecar_support
from dockergen.cli import parse_args
from engine_support import LABEL_KEY, is_stale

pytestmark = [pytest.mark.engine, pytest.mark.slow]

SOCKET = "/var/run/docker.sock"
BACKEND_LABEL = "dockergen.test.sidecar.backend"
NGINX_LABEL = "dockergen.test.sidecar.nginx"
IMAGE_USER = "10001"
HEALTH_TIMEOUT = 60
CHANGE_TIMEOUT = 20

TEMPLATE = """\
# sidecar {{ current_container.ID if current_container else "unknown" }}
{% for host, group in groupByMulti(containers, "Env.VIRTUAL_HOST", ",").items() %}
upstream {{ host }} {
{% for c in group|sortObjectsByKeysAsc("Name") %}
    server {{ c.Networks[0].IP }}:{{ c.Env.VIRTUAL_PORT or "80" }};  # {{ c.Name }}
{% endfor %}
}
server {
    listen 80;
    server_name {{ host }};
    location / { proxy_pass http://{{ host }}; }
}
{% endfor %}
{{ 1 // 0 if env.BREAK_RENDER else "" }}
"""

# The nginx stand-in: on each HUP, snapshot the config directory (content and
# owners), then append to /out/signals, so that the n-th recorded signal's
# snapshot is complete when the test sees it.
STAND_IN = r"""
n=0
snap() {
    cat /etc/nginx/conf.d/default.conf >/out/seen-$1.tmp 2>&1
    ls -ln /etc/nginx/conf.d >>/out/seen-$1.ls 2>&1
    mv /out/seen-$1.tmp /out/seen-$1.conf
}
trap 'n=$((n+1)); snap $n; echo HUP >>/out/signals' HUP
snap 0
while true; do sleep 0.1; done
"""


@pytest.fixture(scope="module")
def sidecar_image():
    try:
        sidecar_support.build_image()
    except sidecar_support.BuildError as exc:
        pytest.fail(f"could not build the image: {exc}", pytrace=False)
    return sidecar_support.IMAGE


@pytest.fixture
def conf_volume(docker_api, engine, engine_scope):
    """A named volume for /etc/nginx/conf.d, removed after the test's containers."""
    for old in docker_api.volumes(filters={"label": LABEL_KEY}).get("Volumes") or []:
        owner = (old.get("Labels") or {}).get(LABEL_KEY, "")
        if owner != engine.session_id and is_stale(owner, old.get("CreatedAt")):
            try:
                docker_api.remove_volume(old["Name"])
            except docker.errors.APIError:
                pass
    name = engine.unique_name("dgt-conf")
    docker_api.create_volume(name, labels=engine.label)
    yield name
    for err in engine_scope.cleanup():
        warnings.warn(f"test cleanup: {err}", stacklevel=1)
    try:
        docker_api.remove_volume(name, force=True)
    except docker.errors.APIError as exc:
        warnings.warn(f"could not remove volume {name}: {exc}", stacklevel=1)


def socket_group() -> str:
    return str(os.stat(SOCKET).st_gid)


def write_template(tmp_path: Path) -> Path:
    directory = tmp_path / "templates"
    directory.mkdir()
    directory.chmod(0o755)  # the image's user is not root
    (directory / "sidecar.tmpl").write_text(TEMPLATE)
    (directory / "sidecar.tmpl").chmod(0o644)
    return directory


def start_sidecar(make_container, image, templates: Path, volume: str, tag: str, *flags: str, env=None):
    """The image as users run it: socket at /tmp/docker.sock, the socket's group added,
    the config volume at /etc/nginx/conf.d; health checked every second (the image's check)."""
    return make_container(
        "-watch",
        "-container-filter", f"label={BACKEND_LABEL}={tag}",
        *flags,
        "/templates/sidecar.tmpl", "/etc/nginx/conf.d/default.conf",
        image=image,
        env=env,
        mounts=[f"{SOCKET}:/tmp/docker.sock:ro", f"{templates}:/templates:ro", f"{volume}:/etc/nginx/conf.d"],
        group_add=[socket_group()],
        healthcheck={"interval": 1_000_000_000, "start_period": 1_000_000},
    )


def health_log(container) -> list[dict]:
    return (container.inspect()["State"].get("Health") or {}).get("Log") or []


def test_sidecar_renders_and_signals_nginx(sidecar_image, conf_volume, tmp_path, make_container, docker_api, wait_for):
    tag = uuid.uuid4().hex[:10]
    templates = write_template(tmp_path)
    out = tmp_path / "out"
    out.mkdir()

    sidecar = start_sidecar(
        make_container, sidecar_image, templates, conf_volume, tag,
        "-notify-filter", f"label={NGINX_LABEL}={tag}", "-notify-signal", "1",
        "-metrics-addr", ":9100",
    )
    # the image's own HEALTHCHECK command, run by Docker, says the sidecar is healthy
    wait_for(lambda: sidecar.health == "healthy" or sidecar.status != "running", timeout=HEALTH_TIMEOUT,
             message="the sidecar to become healthy")
    assert sidecar.status == "running", sidecar.logs()
    assert sidecar["Config"]["Healthcheck"]["Test"] == \
        docker_api.inspect_image(sidecar_image)["Config"]["Healthcheck"]["Test"]
    assert "/healthz: 200" in health_log(sidecar)[-1]["Output"]
    assert sidecar.exec("id", "-u") == (0, f"{IMAGE_USER}\n")

    nginx = make_container("sh", "-c", STAND_IN, labels={NGINX_LABEL: tag},
                           mounts=[f"{conf_volume}:/etc/nginx/conf.d", f"{out}:/out"])

    def seen(n: int) -> str:
        path = out / f"seen-{n}.conf"
        wait_for(path.exists, timeout=CHANGE_TIMEOUT, message=f"the stand-in's snapshot {path.name}")
        return path.read_text()

    def after_signal(n: int) -> str:
        """Wait for the n-th HUP; exactly n so far; the config the stand-in saw then."""
        signals = out / "signals"
        wait_for(lambda: signals.exists() and len(signals.read_text().split()) >= n, timeout=CHANGE_TIMEOUT,
                 message=f"HUP number {n} at the stand-in (sidecar log:\n{sidecar.logs()})")
        assert signals.read_text().split() == ["HUP"] * n
        return seen(n)

    # the config the sidecar wrote before nginx started: its own, non-root
    initial = seen(0)
    assert initial.splitlines()[0] == f"# sidecar {sidecar.id}"
    assert "upstream" not in initial
    listing = (out / "seen-0.ls").read_text()
    assert f" {IMAGE_USER} " in next(line for line in listing.splitlines() if line.endswith("default.conf"))

    host_a, host_b = f"a-{tag}.example.test", f"b-{tag}.example.test"
    backend_a = make_container(labels={BACKEND_LABEL: tag}, env={"VIRTUAL_HOST": host_a})
    conf = after_signal(1)
    assert f"server_name {host_a};" in conf
    assert f"server {backend_a.ip()}:80;  # {backend_a.name}" in conf

    backend_b = make_container(labels={BACKEND_LABEL: tag}, env={"VIRTUAL_HOST": host_b, "VIRTUAL_PORT": "8080"})
    conf = after_signal(2)
    assert f"server {backend_a.ip()}:80;  # {backend_a.name}" in conf
    assert f"server_name {host_b};" in conf
    assert f"server {backend_b.ip()}:8080;  # {backend_b.name}" in conf

    # the bundled templates are in the image, and DOCKER_HOST points at the socket's mount
    oneshot = make_container("-container-filter", f"label={BACKEND_LABEL}={tag}", "templates/containers.tmpl",
                             image=sidecar_image, mounts=[f"{SOCKET}:/tmp/docker.sock:ro"],
                             group_add=[socket_group()])
    wait_for(lambda: oneshot.status == "exited", timeout=CHANGE_TIMEOUT, message="the one-shot run to exit")
    assert oneshot["State"]["ExitCode"] == 0, oneshot.logs()
    table = oneshot.logs()
    assert "-- 2 containers" in table and backend_a.name in table and backend_b.name in table

    ip_a = backend_a.ip()
    docker_api.remove_container(backend_a.id, force=True)
    conf = after_signal(3)
    assert host_a not in conf and ip_a not in conf
    assert f"server {backend_b.ip()}:8080;  # {backend_b.name}" in conf

    backend_b.stop()
    conf = after_signal(4)
    assert "upstream" not in conf and host_b not in conf
    assert conf.splitlines()[0] == f"# sidecar {sidecar.id}"

    assert nginx.status == "running"
    assert sidecar.status == "running" and sidecar.health == "healthy"


def test_healthcheck_passes_when_the_health_server_is_off(sidecar_image, conf_volume, tmp_path, make_container, wait_for):
    sidecar = start_sidecar(make_container, sidecar_image, write_template(tmp_path), conf_volume, uuid.uuid4().hex[:10])
    wait_for(lambda: health_log(sidecar) or sidecar.status != "running", timeout=HEALTH_TIMEOUT,
             message="a first health check")
    assert sidecar.health == "healthy", (health_log(sidecar), sidecar.logs())
    assert "without -metrics-addr" in health_log(sidecar)[-1]["Output"]


def test_healthcheck_fails_while_healthz_says_not_ready(sidecar_image, conf_volume, tmp_path, make_container, wait_for):
    # every render fails, so /healthz keeps answering 503 "first render not done"
    sidecar = start_sidecar(make_container, sidecar_image, write_template(tmp_path), conf_volume,
                            uuid.uuid4().hex[:10], "-metrics-addr", "127.0.0.1:9100", env={"BREAK_RENDER": "1"})
    wait_for(lambda: sidecar.health == "unhealthy" or sidecar.status != "running", timeout=HEALTH_TIMEOUT,
             message="the sidecar to become unhealthy")
    assert sidecar.status == "running", sidecar.logs()
    output = health_log(sidecar)[-1]["Output"]
    assert "/healthz: 503" in output and "first render not done" in output


# ---------------------------------------------------------------- the examples users copy
# They cannot run here (no registry for nginx and the sample backend), so they are
# checked against what the test above proves: same mounts, same signalling, valid flags.

EXAMPLES = sidecar_support.REPO / "examples"


def docker_gen_args(argv: list[str]) -> tuple[dict, list[str]]:
    options = parse_args(argv)
    return options.values, options.args


def test_compose_example_is_the_tested_sidecar_setup():
    compose = yaml.safe_load((EXAMPLES / "compose" / "docker-compose.yml").read_text())
    services = compose["services"]
    dockergen, nginx = services["dockergen"], services["nginx"]
    flags, args = docker_gen_args(dockergen["command"])
    assert flags["watch"] is True
    template, dest = args
    assert template.startswith("/etc/docker-gen/templates/")
    assert (sidecar_support.REPO / "templates" / template.rsplit("/", 1)[1]).is_file()
    assert dest.startswith("/etc/nginx/conf.d/")

    # the socket goes to dockergen only, where the image's DOCKER_HOST expects it
    assert f"{SOCKET}:/tmp/docker.sock:ro" in dockergen["volumes"]
    for name, service in services.items():
        if name != "dockergen":
            assert not any(SOCKET in volume for volume in service.get("volumes", [])), name
    assert dockergen["group_add"]

    # one named volume (a directory) at /etc/nginx/conf.d in both; nginx's without copy-up
    def conf_volume(service):
        long = [v for v in service["volumes"] if isinstance(v, dict) and v["target"] == "/etc/nginx/conf.d"]
        short = [v.split(":")[0] for v in service["volumes"] if isinstance(v, str) and v.split(":")[1] == "/etc/nginx/conf.d"]
        (volume,) = [v["source"] for v in long] + short
        return volume

    assert conf_volume(dockergen) == conf_volume(nginx)
    assert conf_volume(dockergen) in compose["volumes"]
    (nginx_conf,) = [v for v in nginx["volumes"] if isinstance(v, dict)]
    assert nginx_conf["read_only"] and nginx_conf["volume"]["nocopy"]
    assert "dockergen" in nginx["depends_on"]

    # dockergen checks and reloads inside the container with a label nginx has (what
    # tests/engine/test_proxy_images.py runs with a real nginx)
    (exec_filter,) = flags["exec-filter"]
    key, _, label = exec_filter.partition("=")
    assert key == "label" and label.split("=")[0] in nginx["labels"]
    assert flags["check-cmd"] == "nginx -t" and flags["notify-exec"] == "nginx -s reload"
    assert any("VIRTUAL_HOST" in (s.get("environment") or {}) for s in services.values())


def test_systemd_unit_runs_a_valid_command():
    unit = (EXAMPLES / "systemd" / "docker-gen.service").read_text()
    (exec_start,) = [line for line in unit.replace("\\\n", " ").splitlines() if line.startswith("ExecStart=")]
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    assert argv[0] == "/opt/dockergen/bin/docker-gen"
    flags, args = docker_gen_args(argv[1:])
    assert flags["watch"] is True and flags["notify"] and flags["metrics-addr"]
    assert args[0].startswith("/etc/docker-gen/templates/") and args[1].startswith("/etc/nginx/conf.d/")
