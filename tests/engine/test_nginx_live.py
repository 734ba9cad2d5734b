"""templates/nginx.tmpl under the real watcher: routing follows containers as they change.

``python -m dockergen -watch -notify "nginx -s reload -c ... -p ..." templates/nginx.tmpl <dest>``
runs against a real nginx; the tests start, stop, ``rm -f``, scale, connect and disconnect
containers and wait for the answers nginx gives to change.  After each test the current
destination passes ``nginx -t``.
"""

from __future__ import annotations

import uuid

import pytest

from cli_support import RunningGenerator
from engine_support import wait_for
from nginx_support import (
    CASE_LABEL,
    NGINX_TEMPLATE,
    Nginx,
    backends_seen,
    free_port,
    proxy_env,
    request,
    start_backends,
    status,
)

pytestmark = pytest.mark.engine

TIMEOUT = 20


class Live:
    """A generator + nginx pair watching the containers labelled with one case id."""

    def __init__(self, engine, root, log_path, **env_extra):
        self.engine = engine
        self.scope = engine.scope()
        self.case = uuid.uuid4().hex[:12]
        self.prefix = engine.unique_name("dgt-live")
        self.nginx = Nginx(root)
        self.port = free_port()
        self.env = proxy_env(self.nginx, self.port, free_port(), **env_extra)
        self.nginx.apply("")  # running before the generator's first reload
        self.gen = RunningGenerator(
            "-watch", "-wait", "100ms:500ms", "-notify", self.nginx.reload_cmd,
            "-container-filter", f"label={CASE_LABEL}={self.case}",
            str(NGINX_TEMPLATE), str(self.nginx.rendered),
            log_path=log_path, env=self.env,
        )

    def start(self, key: str, **spec):
        return start_backends(self.scope, {key: spec}, self.case, self.prefix)[key]

    def start_many(self, specs: dict):
        return start_backends(self.scope, specs, self.case, self.prefix)

    def wait(self, predicate, what: str):
        try:
            return wait_for(predicate, timeout=TIMEOUT, message=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- generator log ---\n{self.gen.log()[-3000:]}\n--- nginx error log ---\n"
                                 f"{self.nginx.error_log()[-2000:]}") from None

    def status(self, host: str) -> int | str:
        return status(self.port, host, "/cgi-bin/x", timeout=3)

    def backend(self, host: str) -> str:
        return backends_seen(self.port, host, 1, timeout=3)[0]

    def close(self):
        try:
            self.gen.stop()
        finally:
            self.nginx.stop()
            self.scope.cleanup()


@pytest.fixture(scope="module")
def live(engine, test_image, tmp_path_factory):
    root = tmp_path_factory.mktemp("nginx-live")
    lv = Live(engine, root / "nginx", root / "generator.log")
    yield lv
    lv.close()


@pytest.fixture(autouse=True)
def _nginx_t_after_each_test(request):
    yield
    for name in ("live", "anchored"):
        if name in request.fixturenames:
            request.getfixturevalue(name).nginx.check()


def test_start_stop_start_rm(live):
    c = live.start("web", env={"VIRTUAL_HOST": "web.live.test"})
    live.wait(lambda: live.backend("web.live.test") == c.name, "web.live.test served after start")
    c.stop()
    live.wait(lambda: "web.live.test" not in live.nginx.rendered.read_text(), "render without it")
    live.wait(lambda: live.status("web.live.test") == 503, "503 after stop")
    c.start()
    live.wait(lambda: live.backend("web.live.test") == c.name, "served again after start")
    live.engine.api.remove_container(c.id, force=True)
    live.wait(lambda: live.status("web.live.test") == 503, "503 after rm -f")


def test_scale_one_to_three_and_back(live):
    first = live.start("s0", env={"VIRTUAL_HOST": "scale.live.test"})
    live.wait(lambda: live.backend("scale.live.test") == first.name, "scale.live.test served")
    more = live.start_many({f"s{i}": {"env": {"VIRTUAL_HOST": "scale.live.test"}} for i in (1, 2)})
    names = {first.name} | {c.name for c in more.values()}
    live.wait(lambda: set(backends_seen(live.port, "scale.live.test", 6)) == names, "three backends in rotation")
    for c in more.values():
        live.engine.api.remove_container(c.id, force=True)
    # (a request nginx sends to a removed container's address before the reload would wait for
    # proxy_connect_timeout: wait for the new render first)
    live.wait(lambda: not any(c.name in live.nginx.rendered.read_text() for c in more.values()), "render without them")
    live.wait(lambda: set(backends_seen(live.port, "scale.live.test", 6, timeout=3)) == {first.name}, "back to one backend")
    upstream = live.nginx.rendered.read_text().split("upstream scale.live.test {", 1)[1].split("}", 1)[0]
    assert upstream.count("    server ") == 1


def test_removing_one_path_keeps_the_others(live):
    root = live.start("proot", env={"VIRTUAL_HOST": "paths.live.test"})
    api = live.start("papi", env={"VIRTUAL_HOST": "paths.live.test", "VIRTUAL_PATH": "/api/", "VIRTUAL_DEST": "/"})
    live.wait(lambda: request(live.port, "paths.live.test", "/api/cgi-bin/x").backend == api.name, "/api/ served")
    assert live.backend("paths.live.test") == root.name
    live.engine.api.remove_container(api.id, force=True)
    live.wait(lambda: api.name not in live.nginx.rendered.read_text(), "render without it")
    live.wait(lambda: status(live.port, "paths.live.test", "/api/cgi-bin/x", timeout=3) == 404, "/api/ gone")
    assert live.backend("paths.live.test") == root.name


@pytest.fixture(scope="module")
def anchored(engine, test_image, tmp_path_factory):
    """A second generator + nginx in "anchor" mode: a container labelled as the proxy's
    (NGINX_CONTAINER_LABEL, a label of this test) decides which networks are reachable."""
    root = tmp_path_factory.mktemp("nginx-anchored")
    label = f"dockergen.test.proxy-{uuid.uuid4().hex[:8]}"
    lv = Live(engine, root / "nginx", root / "generator.log", NGINX_CONTAINER_LABEL=label)
    lv.network = lv.scope.network()
    lv.anchor_label = label
    yield lv
    lv.close()


def test_network_connect_and_disconnect(anchored):
    lv = anchored
    net = lv.network["Name"]
    lv.start("anchor", cmd=("sleep", "3600"), labels={lv.anchor_label: "true"}, networks=[net])
    backend = lv.start("backend", env={"VIRTUAL_HOST": "net.live.test"})  # on the default bridge only
    lv.wait(lambda: "net.live.test" in lv.nginx.rendered.read_text(), "net.live.test rendered")
    lv.wait(lambda: lv.status("net.live.test") == 502, "502: not on the proxy's network")
    assert f"# {backend.name}: not reachable (not on a network the proxy is on)" in lv.nginx.rendered.read_text()
    lv.engine.api.connect_container_to_network(backend.id, net)
    lv.wait(lambda: lv.backend("net.live.test") == backend.name, "served after network connect")
    upstream = lv.nginx.rendered.read_text().split("upstream net.live.test {", 1)[1].split("}", 1)[0]
    assert backend.ip(net) in upstream  # the address on the shared network, not the bridge one
    lv.engine.api.disconnect_container_from_network(backend.id, net)
    lv.wait(lambda: lv.status("net.live.test") == 502, "502 after network disconnect")
