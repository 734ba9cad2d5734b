"""Validate-then-swap in the two ways people deploy a proxy, with the project's images and a real nginx.

* Separate containers: the sidecar image (``Dockerfile``) renders into a
  volume it shares with an nginx container (Debian's nginx on the local base),
  and runs ``nginx -t`` and ``nginx -s reload`` inside it through exec.
* One image (``Dockerfile.proxy``) started like nginx-proxy's: the socket at
  /tmp/docker.sock, a published port, the bundled template.

Both images are built once per content (tests/sidecar_support.py).  Requests go
through the published ports, to backends that answer with their own name.
"""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from pathlib import Path

import pytest

import sidecar_support
from nginx_support import request
from test_sidecar import SOCKET, conf_volume, socket_group  # noqa: F401,F811 - conf_volume is a fixture

pytestmark = [pytest.mark.engine, pytest.mark.slow]

BACKEND_LABEL = "dockergen.test.proxy.backend"
NGINX_LABEL = "dockergen.test.proxy.nginx"
TIMEOUT = 30
BACKEND = ("sh", "-c", 'mkdir -p /www && echo "$NAME" > /www/index.html && exec httpd -f -p 80 -h /www')

# Deliberately naive: VIRTUAL_PORT reaches nginx unchecked, so nginx -t is what stops a bad one.
NAIVE_JINJA = """\
{% for c in containers|sort(attribute="Name") if c.Env.VIRTUAL_HOST %}
server {
    listen 80;
    server_name {{ c.Env.VIRTUAL_HOST }};
    location / { proxy_pass http://{{ c.Networks[0].IP }}:{{ c.Env.VIRTUAL_PORT or "80" }}; }
}
{% endfor %}
"""
NAIVE_GO = """\
{{ range $c := $ }}{{ if $c.Env.VIRTUAL_HOST }}
server {
    listen 80;
    server_name {{ $c.Env.VIRTUAL_HOST }};
    location / { proxy_pass http://{{ (index $c.Networks 0).IP }}:80; }
}
{{ end }}{{ end }}
"""
# The nginx container's own main configuration: the shared volume's files inside http {}.
NGINX_CONF = """\
pid /run/nginx.pid;
error_log /dev/stderr;
events {}
http {
    access_log off;
    server { listen 80 default_server; return 503; }
    include /etc/nginx/conf.d/*.conf;
}
"""


@pytest.fixture(scope="module")
def images():
    """The sidecar image, the proxy image, and the nginx base (Debian's nginx)."""
    try:
        return {
            "sidecar": (sidecar_support.build_image(sidecar_support.SIDECAR), sidecar_support.SIDECAR.latest)[1],
            "proxy": (sidecar_support.build_image(sidecar_support.PROXY), sidecar_support.PROXY.latest)[1],
            "nginx": sidecar_support.base_image("nginx"),
        }
    except sidecar_support.BuildError as exc:
        pytest.fail(f"could not build the images: {exc}", pytrace=False)


def get(port: int, host: str) -> tuple[int, str]:
    """(status, body) of ``GET /`` with ``Host: host``; the body only of a success, 0 and the
    error when nginx does not answer."""
    try:
        response = request(port, host, timeout=5)
    except (OSError, http.client.HTTPException) as exc:
        return 0, str(exc)
    return response.status, response.body.strip() if response.status < 400 else ""


class Requests(threading.Thread):
    """Asks for one host every 50 ms and keeps every answer that is not the expected one."""

    def __init__(self, port: int, host: str, body: str) -> None:
        super().__init__(daemon=True)
        self.port, self.host, self.body = port, host, body
        self.count = 0
        self.wrong: list[tuple[int, str]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.05):
            answer = get(self.port, self.host)
            self.count += 1
            if answer != (200, self.body):
                self.wrong.append((time.strftime("%H:%M:%S"), *answer))

    def stop(self) -> None:
        self.done.set()
        self.join(10)


def templates_dir(tmp_path: Path, name: str, text: str) -> Path:
    directory = tmp_path / "templates"
    directory.mkdir(exist_ok=True)
    directory.chmod(0o755)
    (directory / name).write_text(text)
    (directory / name).chmod(0o644)
    return directory


def backend(make_container, tag: str, host: str, **env: str):
    return make_container(*BACKEND, labels={BACKEND_LABEL: tag}, env={"VIRTUAL_HOST": host, **env})


def serves(port: int, host: str, body: str):
    return lambda: get(port, host) == (200, body)


def reload_finished(nginx) -> bool:
    """No worker of an earlier configuration is left: one that has not yet closed its listening
    socket still answers with the old configuration, so one good answer does not mean the reload is over."""
    status, titles = nginx.exec("sh", "-c", "cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' ' '")
    return status == 0 and "worker process" in titles and "shutting down" not in titles


def test_separate_containers_check_and_reload_inside_nginx(images, conf_volume, tmp_path, make_container, wait_for):  # noqa: F811
    tag = uuid.uuid4().hex[:10]
    templates = templates_dir(tmp_path, "naive.tmpl", NAIVE_JINJA)
    (tmp_path / "nginx.conf").write_text(NGINX_CONF)
    sidecar = make_container(
        "-watch", "-container-filter", f"label={BACKEND_LABEL}={tag}",
        "-exec-filter", f"label={NGINX_LABEL}={tag}", "-check-cmd", "nginx -t", "-notify-exec", "nginx -s reload",
        "/templates/naive.tmpl", "/etc/nginx/conf.d/default.conf",
        image=images["sidecar"], group_add=[socket_group()],
        mounts=[f"{SOCKET}:/tmp/docker.sock:ro", f"{templates}:/templates:ro", f"{conf_volume}:/etc/nginx/conf.d"],
    )
    # nginx has no socket; it sees the sidecar's output through the volume.  `nocopy`: the
    # volume keeps the sidecar's owner (a still-empty volume would take nginx's root-owned directory).
    nginx = make_container(
        "nginx", "-g", "daemon off;",
        image=images["nginx"], labels={NGINX_LABEL: tag}, publish={80: None},
        mounts=[f"{conf_volume}:/etc/nginx/conf.d:ro,nocopy", f"{tmp_path}/nginx.conf:/etc/nginx/nginx.conf:ro"],
    )
    port = nginx.host_port(80)
    backend(make_container, tag, f"a-{tag}.test", NAME="backend-a")
    wait_for(serves(port, f"a-{tag}.test", "backend-a"), timeout=TIMEOUT,
             message=f"a routed through nginx; sidecar log:\n{sidecar.logs()}")
    wait_for(lambda: reload_finished(nginx), timeout=TIMEOUT, message="nginx's old workers to exit")
    assert f"Check 'nginx -t' passed in {nginx.name}" in sidecar.logs()

    requests = Requests(port, f"a-{tag}.test", "backend-a")
    requests.start()
    try:
        hostile = backend(make_container, tag, f"h-{tag}.test", NAME="hostile", VIRTUAL_PORT="99999")
        wait_for(lambda: f"Quarantined container {hostile.name}" in sidecar.logs(), timeout=TIMEOUT,
                 message=f"the hostile backend quarantined by nginx -t in nginx; sidecar log:\n{sidecar.logs()}")
        assert "invalid port" in sidecar.logs()
        b = backend(make_container, tag, f"b-{tag}.test", NAME="backend-b")
        # the reload by exec is seen: nginx serves the new configuration
        wait_for(serves(port, f"b-{tag}.test", "backend-b"), timeout=TIMEOUT,
                 message=f"b routed after an exec reload; sidecar log:\n{sidecar.logs()}")
    finally:
        requests.stop()
    assert requests.count > 10 and requests.wrong == [], f"sidecar log:\n{sidecar.logs()}\nnginx log:\n{nginx.logs()}"
    assert f"Notify 'nginx -s reload' passed in {nginx.name}" in sidecar.logs()
    status, text = nginx.exec("cat", "/etc/nginx/conf.d/default.conf")
    assert f"b-{tag}.test" in text and "99999" not in text
    assert "emerg" not in nginx.logs()  # nginx never failed to load what it was told to reload
    assert get(port, f"h-{tag}.test") == (503, "")
    assert b.status == "running" and sidecar.status == "running"


def proxy_container(make_container, images, *, tag: str, env: dict | None = None, mounts=()):
    """The proxy image as nginx-proxy's users run theirs: socket at /tmp/docker.sock, port 80 published."""
    return make_container(
        image=images["proxy"], publish={80: None}, labels={NGINX_LABEL: tag},
        env={"DOCKER_CONTAINER_FILTERS": f"label={BACKEND_LABEL}={tag}", **(env or {})},
        mounts=[f"{SOCKET}:/tmp/docker.sock:ro", *mounts], stop_timeout=10, image_command=True,
    )


def test_the_proxy_image_routes_quarantines_and_stops_cleanly(images, tmp_path, make_container, wait_for, docker_api):
    tag = uuid.uuid4().hex[:10]
    # An operator's broken certificate: the bundled template uses it for the host whose CERT_NAME
    # names it, and only nginx -t can tell that it does not load.
    certs = tmp_path / "certs"
    certs.mkdir()
    (certs / "broken.crt").write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")
    (certs / "broken.key").write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    for path in (certs, *certs.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    proxy = proxy_container(make_container, images, tag=tag, mounts=[f"{certs}:/etc/nginx/certs:ro"])
    port = proxy.host_port(80)
    a = backend(make_container, tag, f"a-{tag}.test", NAME="backend-a")
    wait_for(serves(port, f"a-{tag}.test", "backend-a"), timeout=TIMEOUT,
             message=f"a routed through the proxy image; its log:\n{proxy.logs()}")

    hostile = backend(make_container, tag, f"h-{tag}.test", NAME="hostile", CERT_NAME="broken")
    wait_for(lambda: f"Quarantined container {hostile.name}" in proxy.logs(), timeout=TIMEOUT,
             message=f"the backend with the broken certificate quarantined; log:\n{proxy.logs()}")
    backend(make_container, tag, f"b-{tag}.test", NAME="backend-b")
    wait_for(serves(port, f"b-{tag}.test", "backend-b"), timeout=TIMEOUT, message="b routed next")
    assert get(port, f"a-{tag}.test") == (200, "backend-a")
    assert a.status == "running"

    # what acme-companion finds and runs in the proxy container after a new certificate
    config = proxy.inspect()["Config"]
    assert "com.github.nginx-proxy.nginx" in config["Labels"]
    assert any(item.startswith("DOCKER_GEN_VERSION=") for item in config["Env"])
    assert {"/etc/nginx/certs", "/etc/nginx/dhparam"} <= set(config["Volumes"])
    status, output = proxy.exec("sh", "-c", "/app/docker-entrypoint.sh /usr/local/bin/docker-gen /app/nginx.tmpl "
                                "/etc/nginx/conf.d/default.conf; /usr/sbin/nginx -s reload")
    assert status == 0, output
    assert f"Quarantined container {hostile.name}" in output  # that render was checked too
    assert get(port, f"b-{tag}.test") == (200, "backend-b")

    # docker stop: both processes end, well within the grace period, and the container says it was asked to
    started = time.monotonic()
    docker_api.stop(proxy.id, timeout=10)
    stopped_in = time.monotonic() - started
    state = proxy.inspect()["State"]
    assert state["Status"] == "exited" and state["ExitCode"] == 0, proxy.logs()
    assert stopped_in < 8, f"docker stop took {stopped_in:.1f} s"
    assert "Received signal: SIGTERM" in proxy.logs()


def test_the_proxy_image_exits_when_nginx_dies(images, make_container, wait_for):
    tag = uuid.uuid4().hex[:10]
    proxy = proxy_container(make_container, images, tag=tag)
    wait_for(lambda: "Watching docker events" in proxy.logs(), timeout=TIMEOUT, message="the watcher")
    proxy.exec("nginx", "-s", "stop")
    wait_for(lambda: proxy.status == "exited", timeout=TIMEOUT, message=f"the container to exit; log:\n{proxy.logs()}")
    assert proxy.inspect()["State"]["ExitCode"] != 0  # a failure: a restart policy acts
    assert "nginx exited" in proxy.logs()


def test_the_proxy_image_renders_a_mounted_go_template(images, tmp_path, make_container, wait_for):
    tag = uuid.uuid4().hex[:10]
    templates = templates_dir(tmp_path, "custom.tmpl", NAIVE_GO)
    proxy = proxy_container(make_container, images, tag=tag, env={"DOCKERGEN_TEMPLATE": "/templates/custom.tmpl"},
                            mounts=[f"{templates}:/templates:ro"])
    port = proxy.host_port(80)
    backend(make_container, tag, f"g-{tag}.test", NAME="backend-g")
    wait_for(serves(port, f"g-{tag}.test", "backend-g"), timeout=TIMEOUT,
             message=f"routed by the mounted Go template; log:\n{proxy.logs()}")
    assert "Go text/template engine" in proxy.logs()
