"""The bundled Go templates (templates/go/) rendered by dockergen's Go engine on model containers.

containers.tmpl must print exactly what its Jinja2 twin prints; nginx.tmpl is checked for what
it routes, for what it leaves out, and by the real ``nginx -t`` (Debian's 1.22 here).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dockergen.gotemplate.context import make_root
from dockergen.gotemplate.template import TemplateSet
from dockergen.model import Address, Docker, DockerImage, Health, Network, RuntimeContainer, State
from dockergen.pipeline.render import RenderInput, Template, remove_blank_lines

REPO = Path(__file__).resolve().parents[2]
GO = REPO / "templates" / "go"
NGINX = "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else shutil.which("nginx")
LABEL = "com.github.nginx-proxy.nginx-proxy."
DOCKER = Docker(Name="host1", Version="20.10.24", ApiVersion="1.41", OperatingSystem="Debian GNU/Linux 12",
                Architecture="x86_64")


def container(
    n: int,
    name: str,
    env: dict[str, str] | None = None,
    *,
    networks: dict[str, str] | None = None,
    ports: list[str] = (),
    labels: dict[str, str] | None = None,
    health: str = "",
    **kw,
) -> RuntimeContainer:
    """A running container; ``networks`` maps name -> IPv4 (default bridge), ``ports`` are "80/tcp"."""
    if networks is None:
        networks = {"bridge": f"172.17.0.{n + 1}"}
    addresses = [Address(Port=p.split("/")[0], Proto=p.split("/")[1]) for p in ports]
    return RuntimeContainer(
        ID=f"{n:064x}", Name=name, Env=dict(env or {}), Labels=dict(labels or {}),
        Networks=[Network(IP=ip, Name=net) for net, ip in sorted(networks.items())],
        Addresses=addresses, Image=DockerImage.split("busybox:stable"),
        State=State(Running=True, Health=Health(Status=health)), NetworkMode=kw.pop("network_mode", "bridge"),
        **kw,
    )


def render_go(name: str, containers: list[RuntimeContainer], env: dict[str, str] | None = None,
              current: RuntimeContainer | None = None, docker: Docker = DOCKER) -> str:
    templates = TemplateSet.from_files(str(GO / name))
    return remove_blank_lines(templates.execute(make_root(containers, docker, env or {}, current)))


# ----------------------------------------------------------------------------- containers.tmpl


def table_cases() -> dict[str, tuple[list[RuntimeContainer], Docker]]:
    web = container(1, "web", ports=["80/tcp"], health="healthy")
    web.Addresses.append(Address(Port="8080", Proto="tcp", HostPort="32768", HostIP="127.0.0.1"))
    db = container(2, "a-db", networks={"bridge": "172.17.0.3", "backend": "10.1.0.2"})
    v6 = container(3, "v6", networks={"v6net": "10.2.0.2"})
    v6.Networks[0].GlobalIPv6Address = "fd00::2"
    v6.Addresses = [Address(Port="53", Proto="udp", HostPort="5353", HostIP="::1"), Address(Port="53")]
    idle = container(4, "c-idle", networks={}, network_mode="none", health="starting")
    unnamed = container(5, "")
    unnamed.Image = DockerImage()
    return {
        "mixed": ([web, db, v6, idle, unnamed], DOCKER),
        "one": ([web], Docker(Name="h", Version="24.0.7")),
        "empty": ([], Docker()),
    }


@pytest.mark.parametrize("case", ["mixed", "one", "empty"])
def test_containers_go_prints_what_the_jinja2_template_prints(case):
    containers, docker = table_cases()[case]
    jinja = Template(str(REPO / "templates" / "containers.tmpl")).render(
        RenderInput(containers=containers, docker=docker, env={}))
    assert render_go("containers.tmpl", containers, docker=docker) == jinja


def test_containers_go_table_cells():
    containers, docker = table_cases()["mixed"]
    lines = render_go("containers.tmpl", containers, docker=docker).splitlines()
    assert lines[0] == "Docker daemon host1: Docker 20.10.24, API 1.41, Debian GNU/Linux 12/x86_64 -- 5 containers"
    assert lines[1].split() == ["NAME", "IMAGE", "IPS", "PORTS", "NETWORKS", "HEALTH"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert [cell.strip() for cell in rows["a-db"].split("   ") if cell.strip()] == [
        "a-db", "busybox:stable", "backend:10.1.0.2, bridge:172.17.0.3", "-", "backend, bridge", "-"]
    assert "v6net:10.2.0.2, v6net:fd00::2" in rows["v6"]
    assert "[::1]:5353->53/udp, 53/tcp" in rows["v6"]
    assert "127.0.0.1:32768->8080/tcp" in rows["web"] and rows["web"].endswith("healthy")
    assert rows["c-idle"].endswith("starting")
    # The unnamed container shows its short ID and "-" for the image.
    assert f"{5:064x}"[:12] in rows and rows[f"{5:064x}"[:12]].split()[1] == "-"
    # Columns line up under the header.
    starts = [lines[1].index(h) for h in ("IMAGE", "IPS", "PORTS", "NETWORKS", "HEALTH")]
    for line in lines[2:]:
        assert all(line[s - 1] == " " and line[s] != " " for s in starts), line


def test_containers_go_singular():
    lines = render_go("containers.tmpl", [container(1, "x")], docker=Docker()).splitlines()
    assert lines[0] == "Docker daemon (unnamed): Docker ? -- 1 container"


# ----------------------------------------------------------------------------- nginx.tmpl


def nginx_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    for sub in ("certs", "vhost.d"):
        (tmp_path / sub).mkdir(exist_ok=True)
    return {"NGINX_CERTS_DIR": str(tmp_path / "certs"), "NGINX_VHOST_DIR": str(tmp_path / "vhost.d"), **extra}


def upstreams(out: str) -> dict[str, list[str]]:
    """upstream name -> its lines (comments included), stripped."""
    found: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("upstream "):
            current = line.split()[1]
            assert current not in found, f"duplicate upstream {current}"
            found[current] = []
        elif line == "}":
            current = None
        elif current is not None:
            found[current].append(line.strip())
    return found


def servers(out: str) -> list[str]:
    """The server blocks, as text."""
    blocks, current = [], None
    for line in out.splitlines():
        if line == "server {":
            current = [line]
        elif current is not None:
            current.append(line)
            if line == "}":
                blocks.append("\n".join(current))
                current = None
    return blocks


def server_for(out: str, name: str, listen: str | None = None) -> list[str]:
    return [b for b in servers(out) if f"    server_name {name};" in b and (listen is None or f"listen {listen}" in b)]


def write_cert(certs: Path, name: str) -> None:
    """A self-signed certificate and key that nginx can load."""
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(certs / f"{name}.key"), "-out", str(certs / f"{name}.crt"), "-subj", f"/CN={name}",
         "-days", "2"],
        check=True, capture_output=True, timeout=60,
    )


def nginx_t(tmp_path: Path, rendered: str) -> subprocess.CompletedProcess:
    """``nginx -t`` with the rendered fragment included inside http {} of a minimal nginx.conf."""
    fragment = tmp_path / "proxy.conf"
    fragment.write_text(rendered)
    conf = tmp_path / "nginx.conf"
    temp = "\n".join(f"    {kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf.write_text(
        f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    access_log off;\n{temp}\n    include {fragment};\n}}\n"
    )
    return subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True,
                          timeout=60)


def test_nginx_upstreams_ports_and_host_merging(tmp_path):
    cs = [
        container(1, "one", {"VIRTUAL_HOST": "one.test"}, ports=["8080/tcp"]),
        container(2, "multi", {"VIRTUAL_HOST": "multi.test, One.test ,", "VIRTUAL_PORT": "8081"},
                  ports=["81/tcp", "8081/tcp"]),
        container(3, "several", {"VIRTUAL_HOST": "default.test"}, ports=["81/tcp", "82/tcp"]),
        container(4, "bare", {"VIRTUAL_HOST": "default.test"}),
        container(5, "twice", {"VIRTUAL_HOST": "twice.test,twice.test"}),
        container(6, "nohost", {"VIRTUAL_HOST": " "}),
        container(7, "other", {"OTHER": "1"}),
    ]
    out = render_go("nginx.tmpl", cs, nginx_env(tmp_path))
    assert out.startswith("# 4 hosts, 7 containers")
    ups = upstreams(out)
    assert set(ups) == {"one.test", "multi.test", "default.test", "twice.test"}
    # " One.test" sorts before "one.test" among groupByMulti's keys: its containers come first.
    assert ups["one.test"] == ["# multi", "server 172.17.0.3:8081;", "# one", "server 172.17.0.2:8080;"]
    assert ups["multi.test"] == ["# multi", "server 172.17.0.3:8081;"]
    # Several exposed ports or none: 80.
    assert ups["default.test"] == ["# several", "server 172.17.0.4:80;", "# bare", "server 172.17.0.5:80;"]
    assert ups["twice.test"] == ["# twice", "server 172.17.0.6:80;"]  # listed once
    assert "server_name ;" not in out
    (one,) = server_for(out, "one.test")
    assert "listen 80;" in one and "proxy_pass http://one.test;" in one and "ssl" not in one
    # The fallback server comes first and answers 503.
    fallback = servers(out)[0]
    assert "server_name _;" in fallback and "return 503;" in fallback and "default_server" not in fallback
    assert "ssl_reject_handshake on;" in fallback


def test_nginx_paths_proto_labels_and_left_out(tmp_path):
    cs = [
        container(1, "api", {"VIRTUAL_HOST": "app.test", "VIRTUAL_PATH": "/api/", "VIRTUAL_DEST": "/"},
                  labels={LABEL + "loadbalance": "least_conn;", LABEL + "keepalive": "16"}),
        container(2, "grpc", {"VIRTUAL_HOST": "grpc.test", "VIRTUAL_PROTO": "grpc", "VIRTUAL_PORT": "50051"}),
        container(3, "tls", {"VIRTUAL_HOST": "app.test", "VIRTUAL_PROTO": "https", "VIRTUAL_PORT": "443"}),
        container(4, "evil-port", {"VIRTUAL_HOST": "app.test", "VIRTUAL_PORT": "80;return 418"}),
        container(5, "evil-path", {"VIRTUAL_HOST": "app.test", "VIRTUAL_PATH": "/x { return 418; }"}),
        container(6, "evil-proto", {"VIRTUAL_HOST": "app.test", "VIRTUAL_PROTO": "http;"}),
        container(7, "evil-lb", {"VIRTUAL_HOST": "app.test"}, labels={LABEL + "loadbalance": "least_conn; return 418"}),
        container(8, "sick", {"VIRTUAL_HOST": "app.test"}, health="unhealthy"),
        container(9, "evil-host", {"VIRTUAL_HOST": "x.test;return 418, good.test"}),
        container(10, "big-port", {"VIRTUAL_HOST": "big.test", "VIRTUAL_PORT": "65536"}),
    ]
    out = render_go("nginx.tmpl", cs, nginx_env(tmp_path))
    assert "418" not in out
    for name in ("evil-port", "evil-path", "evil-proto", "evil-lb", "sick"):
        assert f"# left out container {name}: " in out
    assert "# left out container big-port: VIRTUAL_PORT" in out
    assert "# left out a host: " in out
    ups = upstreams(out)
    api = [name for name in ups if name.startswith("app.test-")]
    assert len(api) == 1 and ups[api[0]] == ["least_conn;", "# api", "server 172.17.0.2:80;", "keepalive 16;"]
    assert ups["app.test"] == ["# tls", "server 172.17.0.4:443;"]
    assert ups["big.test"] == ["server 127.0.0.1 down;"]  # its only container was left out
    # A bad name leaves out that name only: the container still serves its other host.
    assert ups["good.test"] == ["# evil-host", "server 172.17.0.10:80;"]
    (app,) = server_for(out, "app.test")
    assert f"location /api/ {{\n        proxy_pass http://{api[0]}/;" in app
    assert "location / {\n        proxy_pass https://app.test;" in app
    (grpc,) = server_for(out, "grpc.test")
    assert "grpc_pass grpc://grpc.test;" in grpc and ups["grpc.test"] == ["# grpc", "server 172.17.0.3:50051;"]
    # A host serving only a sub-path answers 404 on /.
    only = render_go("nginx.tmpl", cs[:1], nginx_env(tmp_path))
    assert "location / {\n        return 404;" in server_for(only, "app.test")[0]


def test_nginx_reachability_through_the_current_container(tmp_path):
    proxy = container(1, "proxy", networks={"bridge": "172.17.0.2", "front": "10.5.0.2"})
    cs = [
        proxy,
        container(2, "shared", {"VIRTUAL_HOST": "a.test"}, networks={"back": "10.6.0.3", "front": "10.5.0.3"}),
        container(3, "alone", {"VIRTUAL_HOST": "b.test"}, networks={"back": "10.6.0.4"}),
        container(4, "isolated", {"VIRTUAL_HOST": "c.test"}, networks={}, network_mode="none"),
    ]
    out = render_go("nginx.tmpl", cs, nginx_env(tmp_path), current=proxy)
    ups = upstreams(out)
    assert ups["a.test"] == ["# shared", "server 10.5.0.3:80;"]
    assert ups["b.test"] == ["# alone", "# (no network shared with the proxy)", "server 127.0.0.1 down;"]
    assert ups["c.test"][-1] == "server 127.0.0.1 down;"
    # Without a current container (dockergen on the host): the first network.
    ups = upstreams(render_go("nginx.tmpl", cs, nginx_env(tmp_path)))
    assert ups["a.test"] == ["# shared", "server 10.6.0.3:80;"] and ups["b.test"] == ["# alone", "server 10.6.0.4:80;"]


def test_nginx_https_methods_hsts_default_host_and_vhost_d(tmp_path):
    env = nginx_env(tmp_path, DEFAULT_HOST="Secure.test", HTTPS_PORT="8443")
    certs = tmp_path / "certs"
    for host in ("secure.test", "noredirect.test", "nohttp.test", "nohttps.test"):
        (certs / f"{host}.crt").write_text("")
        (certs / f"{host}.key").write_text("")
    (certs / "nokey.test.crt").write_text("")
    (tmp_path / "vhost.d" / "secure.test").write_text("client_max_body_size 10m;\n")
    cs = [
        container(1, "secure", {"VIRTUAL_HOST": "secure.test", "HSTS": "max-age=63072000; includeSubDomains"}),
        container(2, "noredirect", {"VIRTUAL_HOST": "noredirect.test", "HTTPS_METHOD": "noredirect"}),
        container(3, "nohttp", {"VIRTUAL_HOST": "nohttp.test", "HTTPS_METHOD": "nohttp", "HSTS": "off"}),
        container(4, "nohttps", {"VIRTUAL_HOST": "nohttps.test", "HTTPS_METHOD": "nohttps"}),
        container(5, "nokey", {"VIRTUAL_HOST": "nokey.test"}),
    ]
    out = render_go("nginx.tmpl", cs, env)
    (redirect,) = server_for(out, "secure.test", "80")
    assert "listen 80 default_server;" in redirect
    assert "return 301 https://$host:8443$request_uri;" in redirect
    (secure,) = server_for(out, "secure.test", "8443")
    assert "listen 8443 ssl http2 default_server;" in secure
    assert f"ssl_certificate {certs}/secure.test.crt;" in secure
    assert 'add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;' in secure
    assert f"include {tmp_path}/vhost.d/secure.test;" in secure
    (both,) = server_for(out, "noredirect.test")
    assert "listen 80;" in both and "listen 8443 ssl http2;" in both and "Strict-Transport" not in both
    (nohttp,) = server_for(out, "nohttp.test")
    assert "listen 80" not in nohttp and "listen 8443 ssl" in nohttp and "Strict-Transport" not in nohttp
    (nohttps,) = server_for(out, "nohttps.test")
    assert "listen 80;" in nohttps and "ssl" not in nohttps
    (nokey,) = server_for(out, "nokey.test")
    assert "listen 80;" in nokey and "ssl" not in nokey
    assert 'max-age=31536000' not in out.split("secure.test")[0]


def test_nginx_no_containers(tmp_path):
    out = render_go("nginx.tmpl", [], nginx_env(tmp_path))
    assert out.startswith("# 0 hosts, 0 containers")
    assert len(servers(out)) == 1 and not upstreams(out)


@pytest.mark.skipif(not NGINX or shutil.which("openssl") is None, reason="needs nginx and openssl")
def test_nginx_t_accepts_the_output(tmp_path):
    env = nginx_env(tmp_path, DEFAULT_HOST="www.test")
    certs = tmp_path / "certs"
    for name in ("default", "www.test", "both.test", "only.test", "*.wild.test"):
        write_cert(certs, name)
    (tmp_path / "vhost.d" / "www.test").write_text("client_max_body_size 10m;\n")
    proxy = container(1, "proxy", networks={"bridge": "172.17.0.2", "front": "10.5.0.2"})
    cs = [
        proxy,
        container(2, "www", {"VIRTUAL_HOST": "www.test,WWW.test, api.test", "VIRTUAL_PORT": "3000"},
                  labels={LABEL + "loadbalance": "hash $remote_addr consistent", LABEL + "keepalive": "8"}),
        container(3, "www2", {"VIRTUAL_HOST": "www.test"}, ports=["8080/tcp"]),
        container(4, "api", {"VIRTUAL_HOST": "api.test", "VIRTUAL_PATH": "/v1/", "VIRTUAL_DEST": "/"}),
        container(5, "both", {"VIRTUAL_HOST": "both.test", "HTTPS_METHOD": "noredirect"}, networks={"front": "10.5.0.5"}),
        container(6, "only", {"VIRTUAL_HOST": "only.test", "HTTPS_METHOD": "nohttp", "VIRTUAL_PROTO": "grpcs"}),
        container(7, "wild", {"VIRTUAL_HOST": "*.wild.test"}),
        container(8, "trail", {"VIRTUAL_HOST": "trail.*"}),
        container(9, "regex", {"VIRTUAL_HOST": r"~^app-[a-z0-9]+\.test$"}),
        container(10, "ip", {"VIRTUAL_HOST": "192.0.2.10"}),
        container(11, "nowhere", {"VIRTUAL_HOST": "nowhere.test"}, networks={"back": "10.6.0.4"}),
        container(12, "hostnet", {"VIRTUAL_HOST": "hostnet.test"}, networks={}, network_mode="host"),
        container(13, "evil", {"VIRTUAL_HOST": "evil.test", "VIRTUAL_PORT": "80; return 418"}),
        container(14, "evil2", {"VIRTUAL_HOST": "evil2.test{}", "HSTS": "max-age=1\" always; return 418"}),
    ]
    for current in (None, proxy):
        out = render_go("nginx.tmpl", cs, env, current=current)
        result = nginx_t(tmp_path, out)
        assert result.returncode == 0, f"{result.stderr}\n--- rendered ---\n{out}"
        assert "418" not in out
    # No containers at all, and no default certificate: still a valid config.
    (certs / "default.crt").unlink()
    out = render_go("nginx.tmpl", [], env)
    result = nginx_t(tmp_path, out)
    assert result.returncode == 0, f"{result.stderr}\n--- rendered ---\n{out}"


@pytest.mark.parametrize("name", ["containers.tmpl", "nginx.tmpl"])
def test_render_template_runs_them_with_the_go_engine(name, tmp_path):
    """The generator's own path (engine auto) picks Go for the bundled Go templates."""
    cs = [container(1, "web", {"VIRTUAL_HOST": "web.test"}, ports=["8080/tcp"]), container(2, "db")]
    env = nginx_env(tmp_path)
    template = Template(str(GO / name))
    assert template.engine == "go"
    assert template.render(RenderInput(containers=cs, docker=DOCKER, env=env)) == render_go(name, cs, env)
