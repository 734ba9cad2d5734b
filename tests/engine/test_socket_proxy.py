"""dockergen behind the filtering proxy of examples/socket-proxy/haproxy.cfg (docs/deploy.md, "Least privilege").

Each test runs its own HAProxy with the shipped configuration (see
tests/haproxy_support.py) in front of the real engine: what docs/deploy.md
lists gets through, anything else is refused, and dockergen's features work
through it, a render-only dockergen with GET requests alone.
"""

from __future__ import annotations

import json
import os
import stat
import time
import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator, run_cli
from haproxy_support import REFUSED, HAProxy, documented_requests, engine_socket, haproxy_binary

pytestmark = pytest.mark.engine

TEMPLATE = "{% for c in containers|sort(attribute='Name') %}{{ c.Name }}\n{% endfor %}"
# A container that records the signals it receives in /out/signals (a host directory).
RECORDER = (
    "sh", "-c",
    'trap "echo HUP >> /out/signals" HUP; trap "echo USR1 >> /out/signals" USR1; '
    "touch /out/ready; while true; do sleep 0.1; done",
)
# Shorter than the idle wait of the read-only watcher test, so a stream they cut would show.
SHORT_TIMEOUTS = {"client": "1s", "server": "1s"}


@pytest.fixture
def proxy(tmp_path):
    """Factory: ``proxy(tcp=False, writes=True, timeouts=None)`` starts an HAProxy, stopped after the test."""
    if haproxy_binary() is None:
        pytest.skip("haproxy is not installed (apt-get install haproxy; scripts/setup.sh installs it for the tests)")
    if engine_socket() is None:
        pytest.skip("the proxy needs the engine's unix socket; DOCKER_HOST is not one")
    started: list[HAProxy] = []

    def start(**options) -> HAProxy:
        started.append(HAProxy(tmp_path / f"proxy{len(started)}", **options))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def recorder(make_container, tmp_path, wait_for):
    """Factory: a signal-recording container with its own host directory."""

    def make(**labels: str):
        out = tmp_path / f"rec-{uuid.uuid4().hex[:8]}"
        out.mkdir()
        container = make_container(*RECORDER, labels=labels, mounts=[f"{out}:/out"])
        wait_for(lambda: (out / "ready").exists(), timeout=10)
        container.signals = lambda: (out / "signals").read_text().split() if (out / "signals").exists() else []
        return container

    return make


def read(path: Path) -> str:
    try:
        return path.read_text()
    except FileNotFoundError:
        return ""


def refused(status: int, body: bytes) -> bool:
    """The proxy's own 403, not an answer of the engine."""
    return status == 403 and REFUSED in body


def assert_create_refused(proxy: HAProxy, engine) -> None:
    """``POST /containers/create`` through the proxy is answered 403 and creates nothing."""
    name = engine.unique_name("dgt-refused")
    body = json.dumps({"Image": "dockergen-test/busybox", "Labels": engine.label}).encode()
    for prefix in ("", "/v1.41"):
        status, answer = proxy.request("POST", f"{prefix}/containers/create?name={name}", body)
        assert refused(status, answer), (status, answer)
    assert engine.api.containers(all=True, filters={"name": f"^/{name}$"}) == []


def test_documented_requests_pass_and_others_are_refused(proxy, engine, test_image):
    rows = documented_requests()
    assert {row.rule for row in rows} == {"read", "write"}
    assert len(rows) >= 16, rows  # the table was found whole
    full, read_only = proxy(), proxy(writes=False)
    missing = f"dgt-missing-{uuid.uuid4().hex[:12]}"  # no such container, service or exec: nothing changes
    for row in rows:
        for prefix in ("", "/v1.41"):
            uri = prefix + row.path.replace("{id}", missing)
            if row.path == "/events":
                uri += "?until=1"  # the past only: the stream ends at once
            for running, allowed in ((full, True), (read_only, row.rule == "read")):
                status, body = running.request(row.method, uri)
                assert refused(status, body) != allowed, (row, uri, status, body[:200])

    # Outside the table: refused by both, whatever the spelling.
    for method, uri in [
        ("GET", "/images/json"),
        ("POST", f"/containers/{missing}/start"),
        ("POST", f"/v1.41/containers/{missing}/stop"),
        ("DELETE", f"/containers/{missing}"),
        ("POST", "/v1.41/build"),
        ("PUT", f"/containers/{missing}/archive?path=/"),
        ("GET", f"/v1.41/containers/{missing}/logs"),
        ("POST", f"/v1/containers/{missing}/kill"),  # not an API version the proxy knows
        ("GET", "/v1.41/containers/..%2F..%2Fimages/json"),  # percent-encoding
        ("GET", "/containers/../images/json"),  # a ".." segment
        ("GET", "//containers/json"),
    ]:
        for running in (full, read_only):
            assert refused(*running.request(method, uri)), (method, uri)
    for running in (full, read_only):
        assert_create_refused(running, engine)

    # The socket is the shipped one's: mode 660, group 10001 (the image's user).
    info = os.stat(full.socket_path)
    assert stat.S_IMODE(info.st_mode) == 0o660 and info.st_gid == 10001


def test_watcher_signals_and_check_through_the_proxy(proxy, engine, recorder, make_container, tmp_path, wait_for):
    tag = uuid.uuid4().hex[:8]
    hup = recorder(t=tag)
    by_name = recorder(t=tag)
    by_filter = recorder(t=tag, role=f"signal-{tag}")
    template, dest, checks = tmp_path / "t.tmpl", tmp_path / "out.txt", tmp_path / "checks"
    template.write_text(TEMPLATE)
    running = proxy()
    with RunningGenerator(
        "-watch", "-endpoint", running.endpoint, "-container-filter", f"label=t={tag}",
        "-notify-sighup", hup.name,
        "-notify-container", by_name.name, "-notify-filter", f"label=role=signal-{tag}", "-notify-signal", "USR1",
        "-check-cmd", f'echo "$DOCKERGEN_DEST" >> {checks}; grep -q . "$DOCKERGEN_DEST"',
        str(template), str(dest), log_path=tmp_path / "gen.log",
    ) as generator:
        wait_for(lambda: hup.name in read(dest), timeout=15, message="the first render")
        wait_for(lambda: hup.signals() == ["HUP"] and by_name.signals() == by_filter.signals() == ["USR1"],
                 timeout=10, message="the first signals")

        later = make_container(labels={"t": tag})  # a container started after the watcher
        wait_for(lambda: later.name in read(dest), timeout=15, message="the later container in the file")
        wait_for(lambda: hup.signals() == ["HUP", "HUP"] and by_name.signals() == ["USR1", "USR1"]
                 and by_filter.signals() == ["USR1", "USR1"], timeout=10, message="the signals after it")
        assert read(checks).splitlines() == [str(dest)] * 2  # the check ran before each kept render

        assert_create_refused(running, engine)
    assert generator.process.returncode == 0, generator.log()

    requests = running.requests()
    kills = [r for r in requests if r.method == "POST" and r.path.endswith("/kill")]
    assert len(kills) == 6 and all(r.status == 204 for r in kills), kills
    assert [r for r in requests if r.status == 403] == [
        r for r in requests if r.path.endswith("/containers/create")
    ]


def test_restart_through_the_proxy(proxy, make_container, tmp_path):
    tag = uuid.uuid4().hex[:8]
    target = make_container(labels={"t": tag}, init=True)  # init: stops at once on SIGTERM
    started = target.inspect()["State"]["StartedAt"]
    template = tmp_path / "t.tmpl"
    template.write_text(TEMPLATE)
    running = proxy()
    result = run_cli("-endpoint", running.endpoint, "-container-filter", f"label=t={tag}",
                     "-notify-filter", f"label=t={tag}", "-notify-signal", "-1", str(template), str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    state = target.inspect()["State"]
    assert state["Running"] and state["StartedAt"] != started
    restarts = [r for r in running.requests() if r.method == "POST"]
    assert [(r.path.rsplit("/", 1)[1], r.status) for r in restarts] == [("restart", 204)], restarts


def test_exec_check_and_notify_through_the_proxy_and_not_through_the_read_only_one(proxy, make_container, tmp_path):
    """dockergen's checks and notifies run inside other containers (exec) pass the full rules, not the read-only ones."""
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    target = make_container(mounts=[f"{out}:{out}"])
    template = tmp_path / "t.tmpl"
    template.write_text("{{ env.CONTENT }}\n")
    dest = out / "conf"
    full, read_only = proxy(), proxy(writes=False)
    args = ("-container-filter", "label=dockergen.test.none", "-exec-container", target.name, "-check-cmd", '! grep -q REJECT "$DOCKERGEN_DEST"',
            "-notify-exec", f'cat "$DOCKERGEN_DEST" >> {out}/reloads', str(template), str(dest))
    done = run_cli("-endpoint", full.endpoint, *args, env={"CONTENT": "fine"})
    assert done.returncode == 0, done.stderr
    assert dest.read_text() == "fine\n" and (out / "reloads").read_text() == "fine\n"
    done = run_cli("-endpoint", full.endpoint, *args, env={"CONTENT": "REJECT"})
    assert done.returncode == 1 and f"rejected by the check command: exit status 1 in {target.name}" in done.stderr
    assert dest.read_text() == "fine\n"

    done = run_cli("-endpoint", read_only.endpoint, *args, env={"CONTENT": "other"})
    assert done.returncode == 1
    assert "403" in done.stderr  # the exec the check needs is refused by the proxy
    assert dest.read_text() == "fine\n"  # and an unchecked render never stays


@pytest.mark.parametrize("tcp", [False, True], ids=["unix", "tcp"])
def test_render_only_runs_make_only_get_requests(tcp, proxy, engine, make_container, tmp_path, wait_for):
    """A watcher and a one-shot that signal nothing work through the read-only variant.

    Its timeouts are shortened to a second and the watcher then waits longer
    than that with nothing happening: the event stream must stay open.
    """
    tag = uuid.uuid4().hex[:8]
    first = make_container(labels={"t": tag})
    template, dest = tmp_path / "t.tmpl", tmp_path / "out.txt"
    template.write_text(TEMPLATE)
    running = proxy(tcp=tcp, writes=False, timeouts=SHORT_TIMEOUTS)
    notified = tmp_path / "notified"
    with RunningGenerator("-watch", "-endpoint", running.endpoint, "-container-filter", f"label=t={tag}",
                          "-notify", f"echo >> {notified}", "-check-cmd", "true",  # commands: nothing for the API
                          str(template), str(dest), log_path=tmp_path / "gen.log") as generator:
        wait_for(lambda: read(dest) == f"{first.name}\n", timeout=15, message="the first render")
        time.sleep(2.5)  # silence, longer than the proxy's client and server timeouts
        later = make_container(labels={"t": tag})
        wait_for(lambda: later.name in read(dest), timeout=15, message="the started container in the file")
        later.stop()
        wait_for(lambda: read(dest) == f"{first.name}\n", timeout=15, message="the stopped container gone")
    assert generator.process.returncode == 0, generator.log()
    assert len(read(notified).splitlines()) == 3  # first render, start, stop
    log = generator.log()
    assert "interrupted" not in log and "resumed" not in log, log  # one event stream, never cut

    result = run_cli("-endpoint", running.endpoint, "-container-filter", f"label=t={tag}", str(template))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{first.name}\n"

    requests = running.requests()
    assert any(r.path.endswith("/events") for r in requests), requests  # the log has the watcher's requests
    assert any(r.path.endswith("/containers/json") for r in requests), requests
    assert {r.method for r in requests} == {"GET"}, [r for r in requests if r.method != "GET"]
    assert not [r for r in requests if r.status == 403]
