"""-only-healthy against the real engine: healthchecks that flip move containers in and out of the output.

Each flipping container's healthcheck is ``test -f /tmp/ok`` every 200 ms with one retry, toggled
with ``docker exec touch``/``rm``: Docker then sends ``health_status`` events, and the watcher
must follow them as it follows starts and stops.  The nginx test proves what a proxy's users see:
a host whose only container is not healthy answers 503, as a host nobody serves, and is served
again once it is healthy.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator, run_cli
from engine_support import wait_for
from nginx_support import CASE_LABEL, NGINX_TEMPLATE, Nginx, backends_seen, free_port, proxy_env, start_backends, status

pytestmark = [pytest.mark.engine]

HEALTHCHECK = {"test": ["CMD", "test", "-f", "/tmp/ok"], "interval": 200_000_000, "timeout": 2_000_000_000, "retries": 1}
TEMPLATE = "{% for c in containers|sort(attribute='Name') %}{{ c.Name }} {{ c.State.Health.Status or '-' }}\n{% endfor %}"
TIMEOUT = 15


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def names(path: Path) -> set[str]:
    return {line.split()[0] for line in read(path).splitlines() if line}


def set_ok(container, ok: bool) -> None:
    code, output = container.exec("touch" if ok else "rm", *([] if ok else ["-f"]), "/tmp/ok")
    assert code == 0, output


def waiting(gen: RunningGenerator):
    """wait_for that shows the generator's log when it times out."""

    def wait(predicate, what: str):
        try:
            return wait_for(predicate, timeout=TIMEOUT, message=what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- generator log ---\n{gen.log()[-3000:]}") from None

    return wait


def test_flipping_healthcheck_enters_and_leaves_the_output(tmp_path, make_container):
    tag = uuid.uuid4().hex[:8]
    template, dest = tmp_path / "t.tmpl", tmp_path / "out.txt"
    template.write_text(TEMPLATE)
    gen = RunningGenerator(
        "-watch", "-only-healthy", "-container-filter", f"label=t={tag}", str(template), str(dest),
        log_path=tmp_path / "gen.log",
    )
    wait = waiting(gen)
    try:
        wait(lambda: dest.exists() and "Watching docker events" in gen.log(), "the watcher's first render")
        flips = make_container(name=f"dgt-hflip-{tag}", labels={"t": tag}, healthcheck=HEALTHCHECK)
        routed = make_container(
            name=f"dgt-hignore-{tag}", labels={"t": tag, "dockergen.health": "ignore"}, healthcheck=HEALTHCHECK
        )
        plain = make_container(name=f"dgt-hplain-{tag}", labels={"t": tag})  # no healthcheck: unaffected

        wait(lambda: names(dest) == {routed.name, plain.name}, "the opted-out and the plain container, not the starting one")
        wait(lambda: flips.health == "unhealthy" and routed.health == "unhealthy", "both healthchecks failing")
        wait(lambda: "1 container left out: 1 unhealthy" in gen.log(), "the left-out count in the log")
        wait(lambda: f"{routed.name} unhealthy" in read(dest), "the opted-out container routed while unhealthy")
        assert flips.name not in read(dest)

        set_ok(flips, True)
        wait(lambda: f"{flips.name} healthy" in read(dest), "healthy: in")
        set_ok(flips, False)
        wait(lambda: flips.name not in read(dest), "unhealthy: out again")
        set_ok(flips, True)
        wait(lambda: f"{flips.name} healthy" in read(dest), "healthy again: back in")
        assert names(dest) == {flips.name, routed.name, plain.name}

        fresh = run_cli("-only-healthy", "-container-filter", f"label=t={tag}", str(template))
        assert fresh.returncode == 0, fresh.stderr
        assert read(dest) == fresh.stdout
        assert gen.process.poll() is None
    finally:
        gen.stop()


def test_nginx_answers_503_for_a_host_whose_only_container_is_unhealthy(engine, test_image, tmp_path):
    scope = engine.scope()
    case = uuid.uuid4().hex[:12]
    prefix = engine.unique_name("dgt-health")
    nginx = Nginx(tmp_path / "nginx")
    port = free_port()
    nginx.apply("")
    gen = RunningGenerator(
        "-watch", "-only-healthy", "-wait", "50ms:300ms", "-notify", nginx.reload_cmd,
        "-container-filter", f"label={CASE_LABEL}={case}", str(NGINX_TEMPLATE), str(nginx.rendered),
        log_path=tmp_path / "gen.log", env=proxy_env(nginx, port, free_port()),
    )
    wait = waiting(gen)

    def backend(host: str) -> str:
        return backends_seen(port, host, 1, timeout=3)[0]

    try:
        backends = start_backends(
            scope,
            {
                "sick": {"env": {"VIRTUAL_HOST": "sick.health.test"}, "healthcheck": HEALTHCHECK},
                "plain": {"env": {"VIRTUAL_HOST": "plain.health.test"}},
                "bad": {"env": {"VIRTUAL_HOST": "bad host;x"}},  # the template leaves it out: "invalid"
            },
            case, prefix,
        )
        sick, plain, bad = backends["sick"], backends["plain"], backends["bad"]
        wait(lambda: backend("plain.health.test") == plain.name, "the container without a healthcheck served")
        wait(lambda: sick.health == "unhealthy", "the healthcheck failing")
        wait(lambda: "2 containers left out: 1 unhealthy, 1 invalid" in gen.log(), "the unhealthy and the invalid one counted")
        assert "sick.health.test" not in nginx.rendered.read_text()  # no upstream at all, stale or not
        assert status(port, "sick.health.test", "/cgi-bin/x", timeout=3) == 503

        set_ok(sick, True)
        wait(lambda: backend("sick.health.test") == sick.name, "served once healthy")
        set_ok(sick, False)
        wait(lambda: status(port, "sick.health.test", "/cgi-bin/x", timeout=3) == 503, "503 once unhealthy again")
        assert "sick.health.test" not in nginx.rendered.read_text()
        set_ok(sick, True)
        wait(lambda: backend("sick.health.test") == sick.name, "served again")
        assert backend("plain.health.test") == plain.name
        nginx.check()

        # -dry-run renders the real output: its diff carries the template's comments.
        other = tmp_path / "other.conf"
        other.write_text("")
        dry = run_cli(
            "-dry-run", "-only-healthy", "-container-filter", f"label={CASE_LABEL}={case}",
            str(NGINX_TEMPLATE), str(other), env=proxy_env(nginx, port, free_port()),
        )
        assert dry.returncode == 0, dry.stderr
        assert any(line.startswith("+# left out") and bad.name in line for line in dry.stdout.splitlines()), dry.stdout[:3000]
        assert other.read_text() == ""
    finally:
        try:
            gen.stop()
        finally:
            nginx.stop()
            scope.cleanup()
