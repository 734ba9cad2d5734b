"""A real nginx for tests of templates/nginx.tmpl, plus HTTP(S) requests, busybox backends and a
throw-away certificate authority.

* :class:`Nginx` -- one nginx master process (``daemon off``) with its own prefix directory,
  pid file, error log and temp paths; its http {} block includes one rendered file.  ``check()``
  is ``nginx -t``; ``apply()`` checks, then starts or reloads and waits until the new config
  answers (a generation number on a control port).
* :func:`request` -- an HTTP or HTTPS request to 127.0.0.1 with any Host header (and SNI).
* :data:`BACKEND_CMD` -- busybox ``httpd`` whose CGI ``/cgi-bin/x`` prints the container's
  hostname, the request and every ``HTTP_*`` header it received.
* :class:`CertificateAuthority` -- a CA and host certificates made with the ``openssl`` CLI.
* :func:`render_nginx` -- render templates/nginx.tmpl in-process for a set of containers.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

REPO = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = REPO / "templates" / "nginx.tmpl"
NGINX = "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else (shutil.which("nginx") or "nginx")
CASE_LABEL = "dockergen.test.case"
PROXY_LABEL = "com.github.nginx-proxy.nginx-proxy."

# The backend: on each port of PORTS (space separated, default 80) busybox httpd serves
# /index.html ("root <hostname>"), /app/index.html ("app <hostname>") and a CGI /cgi-bin/x that
# prints the hostname, the port, the request and every HTTP_* header it received.
BACKEND_SCRIPT = r"""
for p in ${PORTS:-80}; do
  mkdir -p /www-$p/cgi-bin /www-$p/app
  printf 'root %s\n' "$(hostname)" > /www-$p/index.html
  printf 'app %s\n' "$(hostname)" > /www-$p/app/index.html
  { printf '#!/bin/sh\n'
    printf 'printf "Content-Type: text/plain\\r\\n\\r\\n"\n'
    printf 'echo "backend=$(hostname)"\n'
    printf 'echo "port=%s"\n' "$p"
    printf 'echo "uri=$REQUEST_URI"\n'
    printf 'echo "method=$REQUEST_METHOD"\n'
    printf 'env | grep "^HTTP_" | sort\n'
  } > /www-$p/cgi-bin/x
  chmod +x /www-$p/cgi-bin/x
  httpd -p "$p" -h /www-$p
done
exec sleep 3600
"""
BACKEND_CMD = ("sh", "-c", BACKEND_SCRIPT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))
        return sock.getsockname()[1]


# ----------------------------------------------------------------------------- requests


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    header_list: list[tuple[str, str]] = field(default_factory=list)

    @property
    def echo(self) -> dict[str, str]:
        """The backend CGI's ``key=value`` lines (backend, uri, method, port, HTTP_*)."""
        out = {}
        for line in self.body.splitlines():
            key, sep, value = line.partition("=")
            if sep:
                out[key] = value
        return out

    @property
    def backend(self) -> str:
        return self.echo.get("backend", "")


class _SNIConnection(http.client.HTTPSConnection):
    def __init__(self, server_name: str, *args: Any, **kwargs: Any) -> None:
        self._server_name = server_name
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)


def request(
    port: int,
    host: str,
    path: str = "/",
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    tls: bool = False,
    ca: str | Path | None = None,
    body: bytes | None = None,
    auth: tuple[str, str] | None = None,
    timeout: float = 10,
) -> Response:
    """One request to 127.0.0.1:port with ``Host: host`` (and SNI ``host`` over TLS).

    With ``tls`` and ``ca``, the certificate must be valid for ``host`` and signed by ``ca``.
    """
    if tls:
        context = ssl.create_default_context(cafile=str(ca)) if ca else ssl._create_unverified_context()
        conn: http.client.HTTPConnection = _SNIConnection(host, "127.0.0.1", port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Host": host, **(headers or {})}
    if auth:
        import base64

        all_headers["Authorization"] = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    try:
        conn.request(method, path, body=body, headers=all_headers)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        header_list = resp.getheaders()
        return Response(resp.status, {k.lower(): v for k, v in header_list}, data, header_list)
    finally:
        conn.close()


def status(port: int, host: str, path: str = "/", **kw: Any) -> int | str:
    """The status code, or the name of the exception when there is no HTTP answer."""
    try:
        return request(port, host, path, **kw).status
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__


def backends_seen(port: int, host: str, n: int, path: str = "/cgi-bin/x", timeout: float = 10) -> list[str]:
    """The backend of each of ``n`` requests ("" when one fails or times out)."""
    seen = []
    for _ in range(n):
        try:
            seen.append(request(port, host, path, timeout=timeout).backend)
        except (OSError, http.client.HTTPException):
            seen.append("")
    return seen


# ----------------------------------------------------------------------------- nginx


class Nginx:
    """One nginx for a test module: ``daemon off`` under our own process handle."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        for sub in ("logs", "tmp"):
            (self.root / sub).mkdir(exist_ok=True)
        self.conf = self.root / "nginx.conf"
        self.rendered = self.root / "proxy.conf"  # the template's output (dest)
        self.control = self.root / "control.conf"
        self.control_port = free_port()
        self.generation = 0
        self.process: subprocess.Popen | None = None
        self.rendered.write_text("")
        self._write_control()
        self.conf.write_text(
            f"""daemon off;
worker_processes 1;
user root;  # workers read htpasswd and html files under the test's private tmp dir
pid {self.root}/nginx.pid;
error_log {self.root}/logs/error.log notice;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {self.root}/tmp/client_body;
    proxy_temp_path {self.root}/tmp/proxy;
    fastcgi_temp_path {self.root}/tmp/fastcgi;
    uwsgi_temp_path {self.root}/tmp/uwsgi;
    scgi_temp_path {self.root}/tmp/scgi;
    include {self.control};
    include {self.rendered};
}}
"""
        )

    def _write_control(self) -> None:
        self.control.write_text(
            f"server {{ listen 127.0.0.1:{self.control_port}; location = /generation {{ return 200 \"{self.generation}\"; }} }}\n"
        )

    @property
    def cmd(self) -> list[str]:
        return [NGINX, "-c", str(self.conf), "-p", str(self.root)]

    @property
    def reload_cmd(self) -> str:
        """The shell command a generator's -notify runs."""
        return " ".join([*self.cmd, "-s", "reload"])

    def check(self) -> subprocess.CompletedProcess:
        """``nginx -t`` on the current files; asserts success."""
        result = subprocess.run([*self.cmd, "-t"], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"nginx -t failed:\n{result.stderr}\n--- rendered ---\n{self.rendered.read_text()[:20000]}"
        return result

    def _generation_live(self) -> bool:
        try:
            return request(self.control_port, "control", "/generation", timeout=2).body == str(self.generation)
        except OSError:
            return False

    def apply(self, text: str | None = None) -> None:
        """Write ``text`` (if given) as the rendered file, ``nginx -t`` it, then start or reload
        and wait until the new configuration answers."""
        if text is not None:
            self.rendered.write_text(text)
        self.generation += 1
        self._write_control()
        self.check()
        old_workers: set[int] = set()
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        else:
            old_workers = self.workers()
            subprocess.run([*self.cmd, "-s", "reload"], check=True, capture_output=True, timeout=30)
        deadline = time.monotonic() + 20
        # The new configuration answers, and the workers of the old one are gone (until they
        # exit they still accept connections now and then).
        while not self._generation_live() or old_workers & self.workers():
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.process.stderr.read().decode() if self.process.stderr else ''}")
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not load the new configuration in 20 s:\n" + self.error_log()[-3000:])
            time.sleep(0.02)

    def workers(self) -> set[int]:
        """PIDs of this master's worker processes."""
        found = set()
        if self.process is None:
            return found
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                found.add(int(entry))
        return found

    def start_external(self) -> None:
        """Start nginx on the current files (when a generator writes them)."""
        self.apply(None)

    def error_log(self) -> str:
        path = self.root / "logs" / "error.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of this master (our own child)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


# ----------------------------------------------------------------------------- certificates


class CertificateAuthority:
    """A throw-away CA (EC P-256) and host certificates signed by it, made with the openssl CLI."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.cert = self.root / "ca.crt"
        self.key = self.root / "ca.key"
        self._openssl(
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", self.key, "-out", self.cert, "-subj", "/CN=dockergen test CA", "-days", "2",
        )

    @staticmethod
    def _openssl(*args: Any) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, timeout=60)

    def issue(self, directory: Path, name: str, *dns_names: str) -> tuple[Path, Path]:
        """``directory/name.crt`` and ``.key`` for ``dns_names`` (default: ``name``)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        key, csr, crt = directory / f"{name}.key", self.root / f"{name}.csr", directory / f"{name}.crt"
        ext = self.root / f"{name}.ext"
        ext.write_text("subjectAltName=" + ",".join(f"DNS:{d}" for d in (dns_names or (name,))) + "\n")
        self._openssl(
            "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", f"/CN={(dns_names or (name,))[0]}",
        )
        self._openssl(
            "x509", "-req", "-in", csr, "-CA", self.cert, "-CAkey", self.key, "-CAcreateserial",
            "-out", crt, "-days", "2", "-extfile", ext,
        )
        return crt, key


def htpasswd_line(user: str, password: str) -> str:
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", password], check=True, capture_output=True, text=True
    ).stdout.strip()
    return f"{user}:{hashed}\n"


# ----------------------------------------------------------------------------- rendering


def proxy_env(nginx: Nginx, http_port: int, https_port: int, **extra: str) -> dict[str, str]:
    """Generator environment: ports, and every nginx directory inside the test's tmp dir."""
    dirs = {}
    for key, sub in (
        ("NGINX_CERTS_DIR", "certs"),
        ("NGINX_VHOST_DIR", "vhost.d"),
        ("NGINX_HTPASSWD_DIR", "htpasswd"),
        ("NGINX_HTML_DIR", "html"),
        ("NGINX_CONF_DIR", "conf"),
    ):
        path = nginx.root / sub
        path.mkdir(exist_ok=True)
        dirs[key] = str(path)
    return {"HTTP_PORT": str(http_port), "HTTPS_PORT": str(https_port), **dirs, **extra}


_TEMPLATES: dict[str, Any] = {}


def nginx_template() -> Any:
    """templates/nginx.tmpl compiled once per test session (compiling takes a fifth of a second)."""
    from dockergen.pipeline.render import Template

    path = str(NGINX_TEMPLATE)
    if path not in _TEMPLATES:
        _TEMPLATES[path] = Template(path)
    return _TEMPLATES[path]


def render_nginx(api: Any, label_filters: list[str], env: Mapping[str, str]) -> str:
    """Render templates/nginx.tmpl in-process for the running containers matching the labels."""
    from dockergen.daemon.inventory import Inventory
    from dockergen.pipeline.render import RenderInput

    snapshot = Inventory(api).snapshot({"label": list(label_filters), "status": ["running"]})
    return nginx_template().render(RenderInput.from_snapshot(snapshot, env=dict(env)))


# ----------------------------------------------------------------------------- containers


def start_backends(scope: Any, specs: Mapping[str, Mapping[str, Any]], case: str, prefix: str) -> dict[str, Any]:
    """Start one backend container per spec, in parallel; ``{key: Container}``.

    A spec holds make_container keywords (env, labels, expose, network_mode, ...) and optionally
    ``cmd``; each container gets the label ``CASE_LABEL=case``, the name ``<prefix>-<key>`` and
    that name as its hostname (what the backend CGI reports).
    """
    from concurrent.futures import ThreadPoolExecutor

    def one(item: tuple[str, Mapping[str, Any]]) -> tuple[str, Any]:
        key, spec = item
        kw = dict(spec)
        labels = {**kw.pop("labels", {}), CASE_LABEL: case}
        cmd = kw.pop("cmd", BACKEND_CMD)
        name = f"{prefix}-{key}"
        return key, scope.container(*cmd, name=name, hostname=name[-63:].lstrip("-."), labels=labels, **kw)

    with ThreadPoolExecutor(8) as pool:
        containers = dict(pool.map(one, specs.items()))
    wait_listening(containers.values())
    return containers


def wait_listening(containers: Any, timeout: float = 30) -> None:
    """Wait until every backend's httpd accepts connections on its ports (PORTS env, default 80)."""
    deadline = time.monotonic() + timeout
    for c in containers:
        attrs = c.inspect()
        env = dict(item.partition("=")[::2] for item in attrs["Config"]["Env"] or [])
        nets = attrs["NetworkSettings"]["Networks"] or {}
        ips = [n["IPAddress"] for n in nets.values() if n.get("IPAddress")]
        if not ips or attrs["Config"]["Cmd"][:2] != list(BACKEND_CMD[:2]):
            continue
        for port in (env.get("PORTS") or "80").split():
            while True:
                try:
                    socket.create_connection((ips[0], int(port)), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise AssertionError(f"{c.name}: nothing listens on {ips[0]}:{port}") from None
                    time.sleep(0.05)


# ----------------------------------------------------------------------------- synthetic containers


def fake_inspect(
    i: int,
    env: Mapping[str, str],
    labels: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
    networks: Mapping[str, str] | None = None,
    ports: list[str] | None = None,
    image: str = "dockergen-test/busybox:latest",
) -> dict[str, Any]:
    """A ``GET /containers/{id}/json`` answer shaped like Docker 20.10's, for renders without an
    engine.  ``networks`` maps network name -> IPv4 (default: bridge); ``ports`` are "80/tcp" keys."""
    networks = networks or {"bridge": f"172.17.{(i // 250) % 250}.{i % 250 + 2}"}
    ports = ports or []
    return {
        "Id": f"{i:012x}".rjust(64, "f"),
        "Created": f"2024-01-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}.{i:09d}Z",
        "Path": "sh",
        "Args": ["-c", "httpd -f -p 80"],
        "State": {"Status": "running", "Running": True, "Paused": False, "Pid": 1000 + i,
                  "StartedAt": "2024-01-01T00:00:00Z"},
        "Image": "sha256:" + f"{i:x}".rjust(64, "0"),
        "Name": "/" + (name or f"app-{i}"),
        "RestartCount": 0,
        "HostConfig": {"NetworkMode": next(iter(networks)) if networks else "bridge", "PortBindings": {}},
        "Mounts": [],
        "Config": {
            "Hostname": f"{i:012x}",
            "Env": [f"{k}={v}" for k, v in env.items()] + ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["sh", "-c", "httpd -f -p 80"],
            "Image": image,
            "Labels": {"com.docker.compose.project": "demo", "com.docker.compose.service": f"svc{i % 50}",
                       **(labels or {})},
            "ExposedPorts": {p: {} for p in ports},
        },
        "NetworkSettings": {
            "Ports": {p: None for p in ports},
            "IPAddress": networks.get("bridge", ""),
            "Gateway": "172.17.0.1" if "bridge" in networks else "",
            "Networks": {
                net: {"IPAMConfig": None, "Links": None, "Aliases": None, "NetworkID": f"{net:0>64}"[:64],
                      "EndpointID": f"{i:064x}", "Gateway": ip.rsplit(".", 1)[0] + ".1", "IPAddress": ip,
                      "IPPrefixLen": 16, "IPv6Gateway": "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
                      "MacAddress": "02:42:ac:11:00:02"}
                for net, ip in networks.items()
            },
        },
    }


def fake_container(i: int, env: Mapping[str, str], labels: Mapping[str, str] | None = None, **kw: Any) -> Any:
    from dockergen.model import container_from_inspect

    return container_from_inspect(fake_inspect(i, env, labels, **kw))


def render_fake(containers: list[Any], env: Mapping[str, str]) -> str:
    from dockergen.model import Docker
    from dockergen.pipeline.render import RenderInput

    return nginx_template().render(RenderInput(containers=containers, docker=Docker(), env=dict(env)))
