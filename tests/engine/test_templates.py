"""The bundled templates (templates/*.tmpl) rendered against real containers.

Each test starts its own containers on the Docker engine, takes a snapshot that
selects only them (a per-test label next to the session label), renders one
template and checks what a user of that template relies on.  nginx.tmpl output
is also checked by the real ``nginx -t``.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import docker.types
import pytest

from dockergen.daemon.inventory import Inventory
from dockergen.pipeline.render import RenderInput, Template
from engine_support import TEST_IMAGE

pytestmark = pytest.mark.engine

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
CASE_LABEL = "dockergen.test.case"
IMAGE_REPOSITORY = TEST_IMAGE.split(":", 1)[0]
NGINX = "/usr/sbin/nginx"

SECOND = 1_000_000_000  # health-check durations are in nanoseconds
HEALTHY = {"test": ["CMD", "true"], "interval": SECOND // 2, "timeout": 5 * SECOND, "retries": 1}
UNHEALTHY = {"test": ["CMD", "false"], "interval": SECOND // 2, "timeout": 5 * SECOND, "retries": 1}
STARTING = {"test": ["CMD", "true"], "interval": 3600 * SECOND, "timeout": 5 * SECOND, "retries": 1}


class Case:
    """One test's containers, and renders that see only them."""

    def __init__(self, engine, docker_api, make_container, make_network, wait_for):
        self.engine = engine
        self.api = docker_api
        self._make_container = make_container
        self.make_network = make_network
        self.wait_for = wait_for
        self.id = uuid.uuid4().hex[:12]
        self.prefix = engine.unique_name("dgt-tmpl")

    def name(self, suffix: str) -> str:
        return f"{self.prefix}-{suffix}"

    def container(self, suffix: str, *cmd: str, labels=None, **kw):
        return self._make_container(
            *cmd, name=self.name(suffix), labels={**(labels or {}), CASE_LABEL: self.id}, **kw
        )

    def wait_health(self, container, status: str) -> None:
        self.wait_for(lambda: container.health == status, timeout=30, message=f"{container.name} to be {status}")

    def snapshot(self, match_nothing: bool = False):
        case = "none-" + self.id if match_nothing else self.id
        filters = {"label": [self.engine.label_filter, f"{CASE_LABEL}={case}"]}
        return Inventory(self.api).snapshot(filters)

    def render(self, template: str, env: dict | None = None, match_nothing: bool = False) -> str:
        snapshot = self.snapshot(match_nothing)
        data = RenderInput.from_snapshot(snapshot, env=env if env is not None else {})
        return Template(str(TEMPLATES / template)).render(data)


@pytest.fixture
def case(engine, docker_api, make_container, make_network, wait_for):
    return Case(engine, docker_api, make_container, make_network, wait_for)


def ip_of(container, network: str) -> str:
    return container.inspect()["NetworkSettings"]["Networks"][network]["IPAddress"]


def ipv6_network(case) -> dict:
    """A user network with an IPv6 subnet of its own (random, so runs don't collide)."""
    subnet = "fd%02x:%s::/64" % (os.getpid() % 256, uuid.uuid4().hex[:4])
    ipam = docker.types.IPAMConfig(pool_configs=[docker.types.IPAMPool(subnet=subnet)])
    return case.make_network(enable_ipv6=True, ipam=ipam)


# ----------------------------------------------------------------------------- containers.tmpl

def table_cells(lines: list[str]) -> list[list[str]]:
    """Split aligned table lines at the header's column starts."""
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"\S+", header)]
    rows = []
    for line in lines:
        assert line == line.rstrip(), f"trailing spaces in {line!r}"
        cells = []
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(line)
            # every column begins exactly at its header's column, after at least one space
            assert start == 0 or line[start - 1] == " ", f"misaligned column {i} in {line!r}"
            cells.append(line[start:end].strip())
        rows.append(cells)
    return rows


def test_containers_table(case, make_network, docker_api):
    net = make_network()
    web = case.container("b-web", expose=[80], publish={8080: None}, healthcheck=HEALTHY)
    db = case.container("a-db", networks=[net["Name"], "bridge"])
    idle = case.container("c-idle", network_mode="none")
    case.wait_health(web, "healthy")

    out = case.render("containers.tmpl")
    lines = out.splitlines()
    info, version = docker_api.info(), docker_api.version()
    assert lines[0].startswith(f"Docker daemon {info['Name']}: Docker {version['Version']}")
    assert f"API {version['ApiVersion']}" in lines[0]
    assert lines[0].endswith(" -- 3 containers")
    assert lines[1].split() == ["NAME", "IMAGE", "IPS", "PORTS", "NETWORKS", "HEALTH"]
    assert len(lines) == 5, out

    rows = table_cells(lines[1:])
    host_port = web.host_port(8080)
    bridge_ip_db = ip_of(db, "bridge")
    assert rows[1] == [
        db.name,
        TEST_IMAGE,
        f"bridge:{bridge_ip_db}, {net['Name']}:{ip_of(db, net['Name'])}",
        "-",
        f"bridge, {net['Name']}",
        "-",
    ]
    assert rows[2] == [
        web.name,
        TEST_IMAGE,
        f"bridge:{ip_of(web, 'bridge')}",
        f"80/tcp, 127.0.0.1:{host_port}->8080/tcp",
        "bridge",
        "healthy",
    ]
    assert rows[3] == [idle.name, TEST_IMAGE, "-", "-", "none", "-"]


def test_containers_table_ipv6_and_singular(case):
    net = ipv6_network(case)
    c = case.container("v6", networks=[net["Name"]])
    attrs = c.inspect()["NetworkSettings"]["Networks"][net["Name"]]
    out = case.render("containers.tmpl")
    lines = out.splitlines()
    assert lines[0].endswith(" -- 1 container")
    rows = table_cells(lines[1:])
    assert rows[1][2] == f"{net['Name']}:{attrs['IPAddress']}, {net['Name']}:{attrs['GlobalIPv6Address']}"
    assert attrs["GlobalIPv6Address"]


def test_containers_table_empty(case):
    out = case.render("containers.tmpl", match_nothing=True)
    lines = out.splitlines()
    assert lines[0].endswith(" -- 0 containers")
    assert lines[1].split() == ["NAME", "IMAGE", "IPS", "PORTS", "NETWORKS", "HEALTH"]
    assert len(lines) == 2


# ----------------------------------------------------------------------------- nginx.tmpl

def parse_upstreams(out: str) -> dict[str, str]:
    blocks = re.findall(r"^upstream (\S+) \{\n(.*?)^\}", out, re.S | re.M)
    names = [name for name, _ in blocks]
    assert len(names) == len(set(names)), f"duplicate upstreams: {names}"
    return {name: body for name, body in blocks}


def parse_servers(out: str) -> dict[str, str]:
    """server_name -> proxy_pass target of the main server blocks (location /)."""
    found = {}
    for block in re.findall(r"^server \{\n(.*?)^\}", out, re.S | re.M):
        name = re.search(r"^    server_name (\S+);", block, re.M)
        target = re.search(r"^    location / \{\n\s*proxy_pass http://(\S+);", block, re.M)
        if name and target:
            found[name.group(1)] = target.group(1)
    return found


def servers_in(body: str) -> list[str]:
    return re.findall(r"^\s*server (\S+?)(?: down)?;", body, re.M)


def nginx_check(tmp_path: Path, rendered: str) -> subprocess.CompletedProcess:
    """Run the real `nginx -t` on the rendered fragment included inside http {}."""
    fragment = tmp_path / "proxy.conf"
    fragment.write_text(rendered)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/client_body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {fragment};
}}
"""
    )
    nginx = NGINX if os.path.exists(NGINX) else shutil.which("nginx")
    assert nginx, "nginx is not installed (bash scripts/test installs it)"
    return subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )


# Paths nginx.tmpl reads, pointed at an empty test directory (no certificates, snippets...).
def nginx_env(tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    return {name: str(empty) for name in (
        "NGINX_CERTS_DIR", "NGINX_VHOST_DIR", "NGINX_HTPASSWD_DIR", "NGINX_HTML_DIR", "NGINX_CONF_DIR")}


def test_nginx_upstreams_ports_health_and_nginx_t(case, tmp_path):
    one = case.container("one", env={"VIRTUAL_HOST": "one.test"}, expose=[8080])
    multi = case.container(
        "multi", env={"VIRTUAL_HOST": "multi.test, One.test", "VIRTUAL_PORT": "8081"}, expose=[81, 8081]
    )
    bare = case.container("bare", env={"VIRTUAL_HOST": "default.test"})
    several = case.container("several", env={"VIRTUAL_HOST": "default.test"}, expose=[81, 82])
    unexposed = case.container(
        "unexposed", env={"VIRTUAL_HOST": "default.test", "VIRTUAL_PORT": "9999"}, expose=[81, 82]
    )
    healthy = case.container("healthy", env={"VIRTUAL_HOST": "health.test"}, expose=[80], healthcheck=HEALTHY)
    sick = case.container("sick", env={"VIRTUAL_HOST": "health.test"}, expose=[80], healthcheck=UNHEALTHY)
    starting = case.container("starting", env={"VIRTUAL_HOST": "starting.test"}, expose=[80], healthcheck=STARTING)
    isolated = case.container("isolated", env={"VIRTUAL_HOST": "isolated.test"}, network_mode="none")
    wild = case.container("wild", env={"VIRTUAL_HOST": "*.wild.test"}, expose=[3000])
    evil = case.container(
        "evil", env={"VIRTUAL_HOST": "evil.test;return 200 pwned,x.test{ }\n}\nserver {,ok.evil.test"}, expose=[80]
    )
    case.wait_health(healthy, "healthy")
    case.wait_health(sick, "unhealthy")
    assert starting.health == "starting"

    out = case.render("nginx.tmpl", env=nginx_env(tmp_path))
    ip = {c.name: ip_of(c, "bridge") for c in (one, multi, bare, several, unexposed, healthy, sick, starting, wild, evil)}

    # websocket map and the 503 fallback server come first
    assert re.search(r"^map \$http_upgrade \$proxy_connection \{", out, re.M)
    fallback = out.index("server_name _;")
    assert out.index("server {") < fallback < re.search(r"^upstream ", out, re.M).start()
    assert "return 503;" in out[fallback:fallback + 400]

    upstreams = parse_upstreams(out)
    servers = parse_servers(out)
    wild_upstream = hashlib.sha1(b"*.wild.test").hexdigest()
    assert set(upstreams) == {
        "default.test", "health.test", "isolated.test", "multi.test", "one.test", "starting.test", wild_upstream,
        "ok.evil.test",  # the one valid name of the container "evil"
    }
    for name in upstreams:
        assert re.fullmatch(r"[a-z0-9_.-]+", name), name
    # every host gets a server block proxying to its own upstream
    assert servers == {
        "default.test": "default.test", "health.test": "health.test", "isolated.test": "isolated.test",
        "multi.test": "multi.test", "one.test": "one.test", "starting.test": "starting.test",
        "*.wild.test": wild_upstream, "ok.evil.test": "ok.evil.test",
    }
    # the forwarded headers are set once, at http level
    for header in ("Host $host$host_port", "X-Real-IP $remote_addr", "X-Forwarded-For $proxy_x_forwarded_for",
                   "X-Forwarded-Proto $proxy_x_forwarded_proto", "Upgrade $http_upgrade", "Connection $proxy_connection"):
        assert out.count(f"proxy_set_header {header};") == 1, header

    # the only exposed port; VIRTUAL_PORT among several; "one.test" and " One.test" merged
    assert sorted(servers_in(upstreams["one.test"])) == sorted([f"{ip[one.name]}:8080", f"{ip[multi.name]}:8081"])
    assert servers_in(upstreams["multi.test"]) == [f"{ip[multi.name]}:8081"]
    # no port or several ports without VIRTUAL_PORT: 80; VIRTUAL_PORT is used even when not exposed
    assert sorted(servers_in(upstreams["default.test"])) == sorted(
        [f"{ip[bare.name]}:80", f"{ip[several.name]}:80", f"{ip[unexposed.name]}:9999"]
    )
    # a "# <Name>" comment before each server line
    for c in (bare, several):
        assert f"    # {c.name}\n    server {ip[c.name]}:80;" in upstreams["default.test"]

    # health: a failing check is left out, "starting" is kept (as nginx-proxy does)
    assert servers_in(upstreams["health.test"]) == [f"{ip[healthy.name]}:80"]
    assert f"{sick.name}: not reachable (health check failing)" in upstreams["health.test"]
    assert f"server {ip[sick.name]}:" not in out
    assert servers_in(upstreams["starting.test"]) == [f"{ip[starting.name]}:80"]
    # no network address: a comment and a placeholder that keeps nginx loadable
    assert f"{isolated.name}: not reachable" in upstreams["isolated.test"]
    assert servers_in(upstreams["isolated.test"]) == ["127.0.0.1"]
    assert "server 127.0.0.1 down;" in upstreams["isolated.test"]

    assert servers_in(upstreams[wild_upstream]) == [f"{ip[wild.name]}:3000"]
    # names that would inject directives are dropped, each with a comment; the container's
    # valid name is still served
    assert "pwned" not in out and "x.test" not in out
    for n in (1, 2):
        assert re.search(rf"^# ignored VIRTUAL_HOST host #{n} on container {evil.name}: is not a host name", out, re.M)
    assert servers_in(upstreams["ok.evil.test"]) == [f"{ip[evil.name]}:80"]

    result = nginx_check(tmp_path, out)
    assert result.returncode == 0, result.stderr + "\n" + out
    assert "test is successful" in result.stderr


def test_nginx_without_containers_still_loads(case, tmp_path):
    out = case.render("nginx.tmpl", env=nginx_env(tmp_path), match_nothing=True)
    assert not re.search(r"^upstream ", out, re.M)
    assert "return 503;" in out
    result = nginx_check(tmp_path, out)
    assert result.returncode == 0, result.stderr + "\n" + out


def test_nginx_user_network_first_alphabetically(case, make_network, tmp_path):
    # networks sort by name: "bridge" < "dgt-net-..." so the bridge IP is used
    net = make_network()
    c = case.container("two-nets", env={"VIRTUAL_HOST": "nets.test"}, expose=[8000], networks=[net["Name"], "bridge"])
    out = case.render("nginx.tmpl", env=nginx_env(tmp_path))
    assert servers_in(parse_upstreams(out)["nets.test"]) == [f"{ip_of(c, 'bridge')}:8000"]
    result = nginx_check(tmp_path, out)
    assert result.returncode == 0, result.stderr + "\n" + out


# ----------------------------------------------------------------------------- dnsmasq.hosts.conf.tmpl

def test_dnsmasq_hosts(case):
    net = ipv6_network(case)
    first = case.container("first")
    v6 = case.container("v6", networks=[net["Name"]])
    isolated = case.container("isolated", network_mode="none")

    out = case.render("dnsmasq.hosts.conf.tmpl", env={"DOMAIN": "dgt.example"})
    lines = out.splitlines()
    for c in (first, v6, isolated):
        assert f"# {c.name} ({c.id} from {IMAGE_REPOSITORY})" in lines
    assert f"{ip_of(first, 'bridge')}\t{first.name}.dgt.example" in lines
    v6net = v6.inspect()["NetworkSettings"]["Networks"][net["Name"]]
    assert f"{v6net['IPAddress']}\t{v6.name}.dgt.example" in lines
    assert f"{v6net['GlobalIPv6Address']}\t{v6.name}.dgt.example" in lines
    # every non-comment line is "<address>\t<name>.<domain>": no empty IPs, no IPv6 lines without one
    hosts = [line for line in lines if not line.startswith("#")]
    assert len(hosts) == 3, out
    for line in hosts:
        address, name = line.split("\t")
        assert address and address.strip() == address and name.endswith(".dgt.example")
    assert isolated.name + ".dgt.example" not in out

    # the comment is followed by that container's lines
    at = lines.index(f"# {first.name} ({first.id} from {IMAGE_REPOSITORY})")
    assert lines[at + 1] == f"{ip_of(first, 'bridge')}\t{first.name}.dgt.example"


def test_dnsmasq_default_domain(case):
    c = case.container("plain")
    out = case.render("dnsmasq.hosts.conf.tmpl", env={})
    assert f"{ip_of(c, 'bridge')}\t{c.name}.docker.company.com\n" in out


# ----------------------------------------------------------------------------- etcd.tmpl

def test_etcd_script(case, docker_api):
    api_c = case.container("api", expose=[9090, 8080])
    quiet = case.container("quiet")

    out = case.render("etcd.tmpl", env={"USER": "dgtuser"})
    assert out.startswith("#!/bin/bash\n")
    header = out.splitlines()[1]
    assert "dgtuser" in header and docker_api.version()["Version"] in header
    curls = [line for line in out.splitlines() if line.startswith("curl ")]
    # only the container with ports, using its first (lowest) port
    assert curls == [
        f'curl -XPUT -q -d value="{ip_of(api_c, "bridge")}:8080" -d ttl=15 '
        f'"http://127.0.0.1:4001/v2/keys/backends/{IMAGE_REPOSITORY}/{api_c.id[:12]}"'
    ]
    assert quiet.id[:12] not in out
    syntax = subprocess.run(["bash", "-n"], input=out, capture_output=True, text=True, timeout=30)
    assert syntax.returncode == 0, syntax.stderr


# ----------------------------------------------------------------------------- fluentd.conf.tmpl

def test_fluentd_sources(case):
    containers = [case.container(f"log{i}") for i in range(3)]
    out = case.render("fluentd.conf.tmpl")
    sources = re.findall(r"^<source>\n(.*?)^</source>", out, re.S | re.M)
    assert len(sources) == 3
    by_tag = {re.search(r"^\s*tag (\S+)$", s, re.M).group(1): s for s in sources}
    for c in containers:
        source = by_tag[f"docker.container.{c.id[:12]}"]
        log = f"/var/lib/docker/containers/{c.id}/{c.id}-json.log"
        assert f"  path {log}\n" in source
        assert f"  pos_file {log}.pos\n" in source
        assert "@type tail" in source and "@type json" in source
    # one sink for all of them, after the sources
    assert out.rstrip().endswith("<match docker.**>\n  @type stdout\n</match>")


# ----------------------------------------------------------------------------- logrotate.tmpl

def logrotate_stanzas(out: str) -> dict[str, str]:
    """'paths line' -> options body."""
    return dict(re.findall(r"^(/\S.*?) \{\n(.*?)^\}", out, re.S | re.M))


def test_logrotate_stanzas(case):
    app = case.container(
        "app", env={"LOG_FILES": "/var/log/app.log, /var/log/app-err.log,relative.log,/x;y{,/var/log/app.log"}
    )
    plain = case.container("plain")
    out = case.render("logrotate.tmpl")
    stanzas = logrotate_stanzas(out)

    root = f"/var/lib/docker/containers/{app.id}/root"
    files = f"{root}/var/log/app.log {root}/var/log/app-err.log"
    assert files in stanzas
    body = stanzas[files]
    for option in ("daily", "missingok", "rotate 52", "compress", "delaycompress", "notifempty",
                   "create 644 root root"):
        assert f"  {option}\n" in body, option
    assert "# 2 LOG_FILES entries skipped" in out
    assert "relative.log" not in out and "x;y" not in out

    for c in (app, plain):
        json_log = f"/var/lib/docker/containers/{c.id}/{c.id}-json.log"
        assert json_log in stanzas, out
        assert "  rotate 7\n" in stanzas[json_log]
    # a container without LOG_FILES gets only its JSON log stanza
    assert [paths for paths in stanzas if plain.id in paths] == [f"/var/lib/docker/containers/{plain.id}/{plain.id}-json.log"]
    assert len(stanzas) == 3


@pytest.mark.skipif(shutil.which("logrotate") is None, reason="logrotate is not installed")
def test_logrotate_config_is_accepted_by_logrotate(case, tmp_path):
    case.container("app", env={"LOG_FILES": "/var/log/app.log,/var/log/other.log"})
    case.container("plain")
    conf = tmp_path / "logrotate.conf"
    conf.write_text(case.render("logrotate.tmpl"))
    conf.chmod(0o644)
    result = subprocess.run(
        ["logrotate", "-d", "-s", str(tmp_path / "state"), str(conf)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
