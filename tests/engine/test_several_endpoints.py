"""Several Docker endpoints in one render, with a second real engine on this machine."""

from __future__ import annotations

import os
import uuid

import pytest

from extra_engine import SECOND as second_engine
from cli_support import RunningGenerator, run_cli

pytestmark = [
    pytest.mark.engine,
    pytest.mark.slow,
    pytest.mark.skipif(os.getuid() != 0, reason="starting a second dockerd needs root"),
]

TEMPLATE = (
    "{% for c in containers|sort(attribute='Name') %}"
    "{{ c.Endpoint }} {{ c.Name }} {{ c.Node.Name != '' }} {{ c.Node.Address.IP }}\n"
    "{% endfor %}"
)


@pytest.fixture(scope="module")
def engine2():
    second_engine.start()
    session = second_engine.session()
    yield session
    session.cleanup()
    second_engine.stop()


def read(path) -> str:
    return path.read_text() if path.exists() else ""


def test_one_render_sees_both_engines(tmp_path, engine2, make_container):
    tag = uuid.uuid4().hex[:8]
    local = make_container(name=f"dgt-local-{tag}", labels={"t": tag})
    remote = engine2.create_container(name=f"dgt-remote-{tag}", labels={"t": tag})
    template = tmp_path / "t.tmpl"
    template.write_text(TEMPLATE)
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[endpoints]]\nname = "local"\nurl = "unix:///var/run/docker.sock"\naddress = "192.0.2.1"\n'
        f'[[endpoints]]\nname = "remote"\nurl = "{second_engine.url}"\naddress = "192.0.2.2"\n'
        f'[[config]]\ntemplate = "{template}"\n[config.ContainerFilter]\nlabel = ["t={tag}"]\n'
    )
    result = run_cli("-config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"local {local.name} True 192.0.2.1\nremote {remote.name} True 192.0.2.2\n"

    # The same from repeated -endpoint flags (NAME=URL).
    result = run_cli("-endpoint", "a=unix:///var/run/docker.sock", "-endpoint", f"b={second_engine.url}",
                     "-container-filter", f"label=t={tag}", str(template))
    assert result.stdout == f"a {local.name} True \nb {remote.name} True \n"


def test_lost_endpoint_kept_for_the_grace_period_then_dropped_and_back(tmp_path, engine2, make_container, wait_for):
    tag = uuid.uuid4().hex[:8]
    local = make_container(name=f"dgt-local-{tag}", labels={"t": tag})
    remote = engine2.create_container(name=f"dgt-remote-{tag}", labels={"t": tag})
    template = tmp_path / "t.tmpl"
    template.write_text("{% for c in containers|sort(attribute='Name') %}{{ c.Endpoint }} {{ c.Name }}\n{% endfor %}")
    dest = tmp_path / "out"
    gen = RunningGenerator(
        "-watch", "-endpoint", "local=unix:///var/run/docker.sock", "-endpoint", f"remote={second_engine.url}",
        "-endpoint-grace", "3s", "-container-filter", f"label=t={tag}", str(template), str(dest),
        log_path=tmp_path / "gen.log",
    )
    both = f"local {local.name}\nremote {remote.name}\n"
    try:
        wait_for(lambda: read(dest) == both, timeout=10)
        second_engine.stop()
        later = make_container(name=f"dgt-later-{tag}", labels={"t": tag})  # changes on the first keep flowing
        wait_for(lambda: later.name in read(dest), timeout=5)
        assert f"remote {remote.name}" in read(dest)  # kept during the grace period
        wait_for(lambda: "remote" not in read(dest), timeout=10, message="lost endpoint's containers not dropped")
        assert read(dest) == f"local {later.name}\nlocal {local.name}\n"  # sorted by name
        assert "Endpoint remote unreachable" in gen.log()

        second_engine.start()  # live-restore: the container ran on while its engine was away
        wait_for(lambda: read(dest) == f"local {later.name}\nlocal {local.name}\nremote {remote.name}\n", timeout=15)
        assert gen.process.poll() is None
    finally:
        second_engine.start()
        gen.stop()


def test_commands_run_in_the_container_on_the_endpoint_that_runs_it(tmp_path, engine2, make_container):
    tag = uuid.uuid4().hex[:8]
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    local = make_container(name=f"dgt-xl-{tag}", labels={"t": tag, "nginx": tag}, mounts=[f"{out}:/out"])
    remote = engine2.create_container(name=f"dgt-xr-{tag}", labels={"t": tag, "nginx": tag}, mounts=[f"{out}:/out"])
    template = tmp_path / "t.tmpl"
    template.write_text(TEMPLATE)
    result = run_cli(
        "-endpoint", "a=unix:///var/run/docker.sock", "-endpoint", f"b={second_engine.url}",
        "-container-filter", f"label=t={tag}", "-exec-filter", f"label=nginx={tag}", "-check-cmd", "true",
        "-notify-exec", "hostname >> /out/reloaded", str(template), str(tmp_path / "dest"),
    )
    assert result.returncode == 0, result.stderr
    assert sorted((out / "reloaded").read_text().split()) == sorted([local.id[:12], remote.id[:12]])
    assert f"passed in {local.name} on a" in result.stderr and f"passed in {remote.name} on b" in result.stderr
