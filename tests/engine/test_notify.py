"""Notification after a changed render: the command, container signals, restarts, timeouts."""

from __future__ import annotations

import time
import uuid

import pytest

from cli_support import run_cli

pytestmark = pytest.mark.engine

# A container that records the signals it receives in /out/signals (a host directory).
RECORDER = (
    "sh", "-c",
    'trap "echo HUP >> /out/signals" HUP; trap "echo USR1 >> /out/signals" USR1; '
    "touch /out/ready; while true; do sleep 0.1; done",
)


@pytest.fixture
def recorder(make_container, tmp_path, wait_for):
    """Factory: a signal-recording container with its own host directory."""

    def make(tag: str, name: str | None = None, **labels: str):
        out = tmp_path / (name or uuid.uuid4().hex[:8])
        out.mkdir()
        container = make_container(*RECORDER, name=name, labels={"t": tag, **labels}, mounts=[f"{out}:/out"])
        wait_for(lambda: (out / "ready").exists(), timeout=10)
        container.signals = lambda: (out / "signals").read_text().split() if (out / "signals").exists() else []
        return container

    return make


@pytest.fixture
def template(tmp_path):
    path = tmp_path / "t.tmpl"
    path.write_text("{{ env.CONTENT }}\n")
    return str(path)


def test_signals_by_name_and_id_only_when_changed(tmp_path, template, recorder, wait_for):
    tag = uuid.uuid4().hex[:8]
    hup = recorder(tag, name=f"dgt-hup-{tag}")
    usr1 = recorder(tag)
    dest = str(tmp_path / "out")
    args = ("-notify-sighup", hup.name, "-notify-container", usr1.id, "-notify-signal", "USR1", template, dest)

    result = run_cli(*args, env={"CONTENT": "one"})
    assert result.returncode == 0, result.stderr
    wait_for(lambda: hup.signals() == ["HUP"] and usr1.signals() == ["USR1"], timeout=5)

    result = run_cli(*args, env={"CONTENT": "one"})  # unchanged: nobody is signalled
    assert "did not change" in result.stderr
    time.sleep(0.5)
    assert hup.signals() == ["HUP"] and usr1.signals() == ["USR1"]

    run_cli(*args, env={"CONTENT": "two"})
    wait_for(lambda: hup.signals() == ["HUP", "HUP"] and usr1.signals() == ["USR1", "USR1"], timeout=5)


def test_signal_by_filter_from_config_file(tmp_path, template, recorder, make_container, wait_for):
    tag = uuid.uuid4().hex[:8]
    picked = [recorder(tag, role="proxy"), recorder(tag, role="proxy")]
    other = recorder(tag, role="other")
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[config]]\ntemplate = "{template}"\ndest = "{tmp_path / "out"}"\n'
        f'notifycontainerssignal = "SIGUSR1"\n'
        f'[config.NotifyContainersFilter]\nlabel = ["t={tag}", "role=proxy"]\n'
    )
    result = run_cli("-config", str(config), env={"CONTENT": "x"})
    assert result.returncode == 0, result.stderr
    wait_for(lambda: all(c.signals() == ["USR1"] for c in picked), timeout=5)
    assert other.signals() == []


def test_notify_filter_flag_and_restart(tmp_path, template, make_container, wait_for):
    tag = uuid.uuid4().hex[:8]
    target = make_container(labels={"t": tag, "restart-me": "1"}, init=True)  # stops at once on SIGTERM
    started = target.inspect()["State"]["StartedAt"]
    result = run_cli("-notify-filter", f"label=t={tag}", "-notify-filter", "label=restart-me",
                     "-notify-signal", "-1", template, str(tmp_path / "out"), env={"CONTENT": "r"})
    assert result.returncode == 0, result.stderr
    assert f"Sending container '{target.id}' signal '-1'" in result.stderr
    target.inspect()
    assert target["State"]["Running"] and target["State"]["StartedAt"] != started


def test_notify_command_runs_after_change_with_output_and_dest(tmp_path, template):
    dest = tmp_path / "out"
    marker = tmp_path / "ran"
    cmd = f'echo "dest=$DOCKERGEN_DEST"; echo second line; echo ran >> {marker}'
    result = run_cli("-notify", cmd, "-notify-output", template, str(dest), env={"CONTENT": "a"})
    assert result.returncode == 0, result.stderr
    assert f"Running '{cmd}'" in result.stderr
    assert f"[{cmd}]: dest={dest}" in result.stderr
    assert f"[{cmd}]: second line" in result.stderr
    run_cli("-notify", cmd, template, str(dest), env={"CONTENT": "a"})
    assert marker.read_text() == "ran\n"  # the unchanged second run did not notify


def test_failing_and_hanging_notify_commands(tmp_path, template):
    dest = tmp_path / "out"
    result = run_cli("-notify", "exit 3", template, str(dest), env={"CONTENT": "a"})
    assert "Error running notify command: exit 3, exit status 3" in result.stderr

    started = time.monotonic()
    result = run_cli("-notify", "sleep 30; echo never", "-notify-timeout", "1s", template, str(dest),
                     env={"CONTENT": "b"})
    elapsed = time.monotonic() - started
    assert elapsed < 10
    assert "killed after the 1 s timeout" in result.stderr
    assert dest.read_text() == "b\n"
