"""The engine fixtures themselves, against the real Docker engine."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request
import uuid
from pathlib import Path

import docker.errors
import pytest

from engine_support import LABEL_KEY, TEST_IMAGE, EngineSession, Scope, wait_for

pytestmark = pytest.mark.engine

TESTS_DIR = Path(__file__).resolve().parents[1]

# ids made by test_full_featured_container, checked by test_previous_test_was_cleaned_up
_made: dict[str, str] = {}


def _exists_container(api, cid: str) -> bool:
    try:
        api.inspect_container(cid)
    except docker.errors.NotFound:
        return False
    return True


def _exists_network(api, nid: str) -> bool:
    try:
        api.inspect_network(nid)
    except docker.errors.NotFound:
        return False
    return True


def test_full_featured_container(make_container, make_network, engine, tmp_path):
    front = make_network()
    back = make_network(internal=True)
    (tmp_path / "hello.txt").write_text("hello from the host\n")

    c = make_container(
        env={"VIRTUAL_HOST": "a.example", "EMPTY": ""},
        labels={"com.example.role": "web"},
        expose=[80, "53/udp"],
        publish={8080: None},
        networks=[front["Name"], back["Name"]],
        healthcheck={"test": ["CMD", "true"], "interval": 200_000_000, "retries": 1},
        mounts=[f"{tmp_path}:/data:ro"],
        devices=["/dev/null:/dev/xnull:rwm"],
    )
    _made.update(container=c.id, front=front["Id"], back=back["Id"])

    info = c.inspect()
    assert info["State"]["Running"]
    assert c.name and not c.name.startswith("/")
    assert info["Config"]["Image"] == TEST_IMAGE
    assert info["Config"]["Cmd"] == ["sleep", "3600"]
    assert {"VIRTUAL_HOST=a.example", "EMPTY="} <= set(info["Config"]["Env"])
    assert info["Config"]["Labels"] == {"com.example.role": "web", LABEL_KEY: engine.session_id}
    assert set(info["Config"]["ExposedPorts"]) == {"80/tcp", "53/udp", "8080/tcp"}

    published = info["NetworkSettings"]["Ports"]["8080/tcp"]
    assert published[0]["HostIp"] == "127.0.0.1" and int(published[0]["HostPort"]) > 0
    assert c.host_port(8080) == int(published[0]["HostPort"])
    assert info["NetworkSettings"]["Ports"]["80/tcp"] is None  # exposed only

    assert set(info["NetworkSettings"]["Networks"]) == {front["Name"], back["Name"]}
    assert c.ip(front["Name"]) and c.ip(back["Name"])
    assert engine.api.inspect_network(back["Id"])["Internal"] is True

    assert info["Config"]["Healthcheck"]["Test"] == ["CMD", "true"]
    assert wait_for(lambda: c.health == "healthy", timeout=15)

    (mount,) = [m for m in info["Mounts"] if m["Destination"] == "/data"]
    assert mount["Type"] == "bind" and mount["Source"] == str(tmp_path) and mount["RW"] is False
    assert c.exec("cat", "/data/hello.txt") == (0, "hello from the host\n")

    assert info["HostConfig"]["Devices"] == [
        {"PathOnHost": "/dev/null", "PathInContainer": "/dev/xnull", "CgroupPermissions": "rwm"}
    ]
    code, out = c.exec("sh", "-c", "echo hi > /dev/xnull && test -c /dev/xnull && echo ok")
    assert (code, out.strip()) == (0, "ok")


def test_previous_test_was_cleaned_up(docker_api):
    """Finalizers of the previous test removed its container, then its networks."""
    if not _made:
        pytest.skip("test_full_featured_container did not run first")
    assert not _exists_container(docker_api, _made["container"])
    assert not _exists_network(docker_api, _made["front"])
    assert not _exists_network(docker_api, _made["back"])


def test_created_but_not_started(make_container):
    c = make_container("echo", "hi", start=False, name=f"dgt-created-{uuid.uuid4().hex[:6]}")
    assert c.status == "created"
    assert c.name.startswith("dgt-created-")
    c.start()
    wait_for(lambda: c.status == "exited")
    assert c.logs() == "hi\n"


def test_published_port_serves_on_loopback(make_container):
    c = make_container("httpd", "-f", "-p", "80", "-h", "/var/www", publish={80: None})
    assert c.exec("sh", "-c", "echo busybox-ok > /var/www/index.html")[0] == 0
    url = f"http://127.0.0.1:{c.host_port(80)}/index.html"

    def fetch():
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                return resp.read().decode()
        except OSError:
            return None

    assert wait_for(fetch, timeout=10) == "busybox-ok\n"


def test_make_containers_parallel(make_containers, engine):
    started = time.monotonic()
    cs = make_containers(5, labels={"com.example.batch": "yes"}, name="dgt-batch-" + uuid.uuid4().hex[:6] + "-{i}")
    elapsed = time.monotonic() - started
    assert len({c.id for c in cs}) == 5
    assert [c.name.rsplit("-", 1)[1] for c in cs] == ["0", "1", "2", "3", "4"]
    for c in cs:
        info = c.inspect()
        assert info["State"]["Running"]
        assert info["Config"]["Labels"][LABEL_KEY] == engine.session_id
    assert elapsed < 30, f"5 containers took {elapsed:.1f}s"


def test_foreign_containers_untouched(docker_api, engine, test_image):
    """Scope cleanup, session cleanup and the stale sweep leave other containers alone."""
    foreign = docker_api.create_container(test_image, ["sleep", "3600"], labels={"com.example.foreign": "1"})
    # a container of another, still running test session (our own pid is alive)
    alive_session = f"{uuid.uuid4().hex[:10]}.{os.getpid()}@{os.uname().nodename}"
    live = docker_api.create_container(test_image, ["sleep", "3600"], labels={LABEL_KEY: alive_session})
    try:
        scope = engine.scope()
        mine = scope.container()
        # another session's cleanup and the stale sweep leave all three alone
        assert EngineSession(docker_api).cleanup() == []
        assert engine.sweep_stale()[2] == []
        for cid in (mine.id, foreign["Id"], live["Id"]):
            assert _exists_container(docker_api, cid)
        # the scope's cleanup removes exactly what it made
        assert scope.cleanup() == []
        assert not _exists_container(docker_api, mine.id)
        assert _exists_container(docker_api, foreign["Id"])
        assert _exists_container(docker_api, live["Id"])
    finally:
        docker_api.remove_container(foreign["Id"], force=True)
        docker_api.remove_container(live["Id"], force=True)


def test_sweep_removes_leftovers_of_dead_sessions(docker_api, test_image):
    proc = subprocess.Popen(["true"])  # its pid is gone once it has been waited for
    proc.wait()
    dead_session = f"{uuid.uuid4().hex[:10]}.{proc.pid}@{os.uname().nodename}"
    leftover = docker_api.create_container(test_image, ["sleep", "3600"], labels={LABEL_KEY: dead_session})
    old_format = docker_api.create_container(test_image, ["sleep", "3600"], labels={LABEL_KEY: "1"})
    net = docker_api.create_network(f"dgt-dead-{uuid.uuid4().hex[:6]}", labels={LABEL_KEY: dead_session})
    try:
        # (counts are not checked: a concurrently starting test session may sweep them first)
        _, _, errors = EngineSession(docker_api).sweep_stale()
        ours = (leftover["Id"][:12], old_format["Id"][:12], net["Id"][:12])
        assert [e for e in errors if any(i in e for i in ours)] == []
        assert not _exists_container(docker_api, leftover["Id"])
        assert not _exists_container(docker_api, old_format["Id"])
        assert not _exists_network(docker_api, net["Id"])
    finally:
        for cid in (leftover["Id"], old_format["Id"]):
            try:
                docker_api.remove_container(cid, force=True)
            except docker.errors.NotFound:
                pass
        try:
            docker_api.remove_network(net["Id"])
        except docker.errors.NotFound:
            pass


def test_scope_cleanup_after_error(engine: EngineSession):
    scope = Scope(engine)
    made: list[str] = []
    with pytest.raises(RuntimeError):
        try:
            made.append(scope.container().id)
            made.append(scope.network()["Id"])
            raise RuntimeError("test body failed")
        finally:
            assert scope.cleanup() == []
    assert not _exists_container(engine.api, made[0])
    assert not _exists_network(engine.api, made[1])


def test_failing_test_is_cleaned_up(docker_api, tmp_path):
    """A failing test in another pytest process still gets its containers removed."""
    probe = uuid.uuid4().hex
    (tmp_path / "test_inner.py").write_text(
        textwrap.dedent(
            f"""
            def test_fails(make_container, make_network):
                net = make_network(labels={{"dgt.probe": "{probe}"}})
                make_container(labels={{"dgt.probe": "{probe}"}}, networks=[net["Name"]])
                assert False, "deliberate failure"
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "deliberate failure" in result.stdout
    flt = {"label": f"dgt.probe={probe}"}
    assert docker_api.containers(all=True, filters=flt) == []
    assert docker_api.networks(filters=flt) == []


def test_wait_for_returns_value_and_times_out():
    assert wait_for(lambda: 42) == 42
    with pytest.raises(AssertionError, match="never"):
        wait_for(lambda: 0, timeout=0.2, interval=0.01, message="never")
