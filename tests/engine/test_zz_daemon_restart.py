"""The daemon goes away and comes back: the watcher survives, does not spin, and converges.

Named to run last: it stops and restarts the shared engine (started the same
way scripts/test starts it).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from cli_support import REPO, RunningGenerator, run_cli

pytestmark = [pytest.mark.engine, pytest.mark.slow]

PIDFILE = Path("/var/run/docker.pid")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def engine_answers() -> bool:
    return subprocess.run(["docker", "version"], capture_output=True, timeout=10).returncode == 0


def stop_dockerd(timeout: float = 60) -> None:
    pid = int(PIDFILE.read_text().strip())
    os.kill(pid, 15)
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, "dockerd did not stop"
        time.sleep(0.1)


def start_dockerd() -> None:
    subprocess.run(
        ["bash", "-c", f"SCRIPT_NAME=test; source {REPO}/scripts/setup.sh; start_dockerd"],
        check=True, timeout=120, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


@pytest.mark.skipif(
    os.getuid() != 0 or os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock") != "unix:///var/run/docker.sock",
    reason="restarts the local engine: needs root and the default socket",
)
def test_daemon_restart_converges_without_a_tight_loop(tmp_path, make_container, wait_for):
    assert PIDFILE.exists(), "no /var/run/docker.pid: dockerd was not started by scripts/test"
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "t.tmpl"
    template.write_text("{% for c in containers|sort(attribute='Name') %}{{ c.Name }} {{ c.State.Running }}\n{% endfor %}")
    dest = tmp_path / "out"
    # `always` comes back with the daemon; `once` is stopped by the shutdown and stays stopped.
    always = make_container(name=f"dgt-always-{tag}", labels={"t": tag}, restart_policy={"Name": "always"}, init=True)
    once = make_container(name=f"dgt-once-{tag}", labels={"t": tag}, init=True)
    port = free_port()
    gen = RunningGenerator(
        "-watch", "-include-stopped", "-log-level", "debug", "-container-filter", f"label=t={tag}",
        "-metrics-addr", f"127.0.0.1:{port}", str(template), str(dest), log_path=tmp_path / "gen.log",
    )
    try:
        wait_for(lambda: dest.exists() and dest.read_text() == f"{always.name} True\n{once.name} True\n", timeout=10)
        assert healthz(port) == 200

        stop_dockerd()
        down_at = time.monotonic()
        wait_for(lambda: healthz(port) == 503, timeout=5, message="/healthz stayed 200 with dockerd stopped")
        time.sleep(8)  # the watcher retries meanwhile
        attempts_while_down = len(re.findall(r"reconnecting in", gen.log()))
        start_dockerd()
        up_at = time.monotonic()
        assert engine_answers()

        expected = f"{always.name} True\n{once.name} False\n"
        wait_for(lambda: dest.read_text() == expected, timeout=5,
                 message="output did not converge within 5 s of the daemon answering")
        converged_in = time.monotonic() - up_at
        wait_for(lambda: healthz(port) == 200, timeout=5, message="/healthz did not come back to 200")
        fresh = run_cli("-include-stopped", "-container-filter", f"label=t={tag}", str(template))
        assert fresh.stdout == dest.read_text()
        assert gen.process.poll() is None, "the watcher died"
        # Backoff: from 100 ms doubling to 10 s; about 7 attempts in 8 s, never a tight loop.
        assert 2 <= attempts_while_down <= 12, f"{attempts_while_down} reconnection attempts in {up_at - down_at:.1f} s"
        assert "Watching docker events again (resumed)" in gen.log()
        print(f"converged {converged_in:.2f} s after the daemon answered; {attempts_while_down} attempts while down")
    finally:
        if not engine_answers():
            start_dockerd()
        assert gen.stop() == 0
