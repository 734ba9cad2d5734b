"""The daemon goes away and comes back: the watcher survives, does not spin, and converges.

The engine restarted is a test-only one (``extra_engine.RESTART``: its own socket,
data root, bridge and pid file), never the host's main engine: stopping that one
would stop whatever else it serves.  tests/engine/test_main_engine_untouched.py
checks that the main engine's dockerd is still the one the session started with.
"""

from __future__ import annotations

import os
import re
import time
import urllib.error
import urllib.request
import uuid

import pytest

from cli_support import RunningGenerator, run_cli
from nginx_support import free_port
from extra_engine import RESTART

pytestmark = [
    pytest.mark.engine,
    pytest.mark.slow,
    pytest.mark.skipif(os.getuid() != 0, reason="starting a test-only dockerd needs root"),
]



def healthz(port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(scope="module")
def restart_engine():
    """The test-only engine with the test image, its containers removed and the engine stopped after the module."""
    RESTART.start()
    session = RESTART.session()
    session.sweep_stale()  # leftovers of an earlier run that died (restart=always brings them back)
    yield session
    if not RESTART.answers():
        RESTART.start()
    session.cleanup()
    RESTART.stop()


def test_daemon_restart_converges_without_a_tight_loop(tmp_path, restart_engine, wait_for):
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "t.tmpl"
    template.write_text("{% for c in containers|sort(attribute='Name') %}{{ c.Name }} {{ c.State.Running }}\n{% endfor %}")
    dest = tmp_path / "out"
    # `always` comes back with the daemon; `once` is stopped by the shutdown and stays stopped.
    always = restart_engine.create_container(
        name=f"dgt-always-{tag}", labels={"t": tag}, restart_policy={"Name": "always"}, init=True,
    )
    once = restart_engine.create_container(name=f"dgt-once-{tag}", labels={"t": tag}, init=True)
    port = free_port()
    gen = RunningGenerator(
        "-watch", "-endpoint", RESTART.url, "-include-stopped", "-log-level", "debug",
        "-container-filter", f"label=t={tag}", "-metrics-addr", f"127.0.0.1:{port}", str(template), str(dest),
        log_path=tmp_path / "gen.log",
    )
    try:
        wait_for(lambda: dest.exists() and dest.read_text() == f"{always.name} True\n{once.name} True\n", timeout=10)
        assert healthz(port) == 200

        RESTART.stop()
        down_at = time.monotonic()
        wait_for(lambda: healthz(port) == 503, timeout=5, message="/healthz stayed 200 with dockerd stopped")
        time.sleep(8)  # the watcher retries meanwhile
        attempts_while_down = len(re.findall(r"reconnecting in", gen.log()))
        RESTART.start()
        up_at = time.monotonic()
        assert RESTART.answers()

        expected = f"{always.name} True\n{once.name} False\n"
        wait_for(lambda: dest.read_text() == expected, timeout=5,
                 message="output did not converge within 5 s of the daemon answering")
        converged_in = time.monotonic() - up_at
        wait_for(lambda: healthz(port) == 200, timeout=5, message="/healthz did not come back to 200")
        fresh = run_cli("-endpoint", RESTART.url, "-include-stopped", "-container-filter", f"label=t={tag}", str(template))
        assert fresh.stdout == dest.read_text()
        assert gen.process.poll() is None, "the watcher died"
        # Backoff: from 100 ms doubling to 10 s; about 7 attempts in 8 s, never a tight loop.
        assert 2 <= attempts_while_down <= 12, f"{attempts_while_down} reconnection attempts in {up_at - down_at:.1f} s"
        assert "Watching docker events again (resumed)" in gen.log()
        print(f"converged {converged_in:.2f} s after the daemon answered; {attempts_while_down} attempts while down")
    finally:
        if not RESTART.answers():
            RESTART.start()
        assert gen.stop() == 0
