"""Check and notify commands run inside other containers (``-exec-container`` / ``-exec-filter``).

The target is a busybox container that sees the destination's directory at
the same path (as nginx sees a shared volume); its check command rejects any
file containing REJECT, and its notify command records each run.  These run
the generator on the host, so they need no image build; the full sidecar
set-up with a real nginx is tests/engine/test_proxy_images.py.
"""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator, run_cli
from engine_support import wait_for
from nginx_support import free_port

pytestmark = pytest.mark.engine

BACKEND_LABEL = "dockergen.test.exec.backend"
TARGET_LABEL = "dockergen.test.exec.target"
TEMPLATE = '{% for c in containers|sort(attribute="Name") %}{{ c.Name }} {{ c.Env.VALUE }}\n{% endfor %}'
CHECK = '! grep -q REJECT "$DOCKERGEN_DEST"'
TIMEOUT = 20


class Setup:
    def __init__(self, tmp_path: Path) -> None:
        self.tag = uuid.uuid4().hex[:10]
        self.dir = tmp_path / "out"
        self.dir.mkdir()
        self.dir.chmod(0o777)  # the target container's busybox runs as root anyway
        self.template = tmp_path / "t.tmpl"
        self.template.write_text(TEMPLATE)
        self.dest = self.dir / "out.conf"
        self.reloads = self.dir / "reloads"

    def flags(self, *extra: str) -> list[str]:
        return ["-container-filter", f"label={BACKEND_LABEL}={self.tag}", *extra, str(self.template), str(self.dest)]

    def target(self, make_container, start: bool = True, **kw):
        return make_container(
            labels={TARGET_LABEL: self.tag}, mounts=[f"{self.dir}:{self.dir}"], start=start, **kw
        )

    def backend(self, make_container, value: str = "ok"):
        return make_container(labels={BACKEND_LABEL: self.tag}, env={"VALUE": value})

    def content(self) -> str:
        return self.dest.read_text() if self.dest.exists() else ""

    def reload_count(self) -> int:
        return len(self.reloads.read_text().split()) if self.reloads.exists() else 0


@pytest.fixture
def setup(tmp_path, test_image):
    return Setup(tmp_path)


def test_check_and_notify_run_in_the_selected_container(setup, make_container, tmp_path):
    target = setup.target(make_container)
    good = setup.backend(make_container)
    # each notify records the destination's path and the content it reloads
    notify = f'echo "$DOCKERGEN_DEST" >> {setup.reloads}; cat "$DOCKERGEN_DEST" >> {setup.dir}/reloaded'
    with RunningGenerator(
        "-watch", *setup.flags("-exec-filter", f"label={TARGET_LABEL}={setup.tag}", "-check-cmd", CHECK,
                               "-notify-exec", notify, "-log-level", "debug"),
        log_path=tmp_path / "gen.log",
    ) as gen:
        wait_for(lambda: good.name in setup.content() and setup.reload_count() == 1, timeout=TIMEOUT,
                 message=f"the first render checked and notified; log:\n{gen.log()}")
        assert setup.reloads.read_text().split() == [str(setup.dest)]  # DOCKERGEN_DEST inside the target
        assert f"Check '{CHECK}' passed in {target.name}" in gen.log()

        hostile = setup.backend(make_container, "REJECT")
        wait_for(lambda: f"Quarantined container {hostile.name}" in gen.log(), timeout=TIMEOUT,
                 message=f"the hostile container quarantined; log:\n{gen.log()}")
        later = setup.backend(make_container)
        wait_for(lambda: later.name in setup.content() and setup.reload_count() == 2, timeout=TIMEOUT,
                 message="the next container rendered and reloaded")
        # A candidate is live only while it is checked; what stays, and what is reloaded, passed.
        assert hostile.name not in setup.content() and good.name in setup.content()
        assert "REJECT" not in (setup.dir / "reloaded").read_text()
        assert "failed: exit status 1 in " + target.name in gen.log()


def test_a_check_that_hangs_times_out_and_names_the_container(setup, make_container):
    target = setup.target(make_container)
    setup.backend(make_container)
    done = run_cli(*setup.flags("-exec-container", target.name, "-check-cmd", "sleep 30",
                                "-check-timeout", "1s", "-no-quarantine"))
    assert done.returncode == 1
    assert f"'sleep 30' timed out after 1 s in {target.name}" in done.stderr
    assert not setup.dest.exists()  # the rejected candidate is gone: nothing was there before


def test_failed_notify_exec_is_logged_with_its_output_and_counted(setup, make_container, tmp_path):
    target = setup.target(make_container)
    port = free_port()
    with RunningGenerator(
        "-watch", *setup.flags("-exec-container", target.name, "-notify-exec", "echo cannot reload; exit 3",
                               "-metrics-addr", f"127.0.0.1:{port}"),
        log_path=tmp_path / "gen.log",
    ) as gen:
        setup.backend(make_container)
        wait_for(lambda: "exit status 3" in gen.log(), timeout=TIMEOUT, message=f"the failed notify; log:\n{gen.log()}")
        assert f"Notify 'echo cannot reload; exit 3' failed: exit status 3 in {target.name}: cannot reload" in gen.log()
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert f'dockergen_exec_failures_total{{dest="{setup.dest}",kind="notify"}}' in metrics
        assert f'dockergen_notification_failures_total{{dest="{setup.dest}"}}' in metrics


def test_without_a_running_target_renders_go_live_unchecked_then_are_checked_when_one_starts(
    setup, make_container, tmp_path
):
    target = setup.target(make_container, start=False)
    backup = Path(f"{setup.dest}.bak")
    with RunningGenerator(
        "-watch", *setup.flags("-exec-container", target.name, "-check-cmd", CHECK, "-backup"),
        log_path=tmp_path / "gen.log",
    ) as gen:
        good = setup.backend(make_container)
        unchecked = "no selected container is running to run '" + CHECK + "' in; the new content goes live unchecked"
        # ("Generated" follows the render's warning: the count below is complete)
        wait_for(lambda: good.name in setup.content() and unchecked in gen.log() and " from 1 container " in gen.log(),
                 timeout=TIMEOUT, message="the unchecked render")
        said = gen.count(unchecked)  # 1, or 2 when the watcher rendered before the backend started
        hostile = setup.backend(make_container, "REJECT")
        # (the log line comes once the render is placed: a candidate is live while it is being checked)
        wait_for(lambda: gen.count(unchecked) == said + 1 and hostile.name in setup.content(), timeout=TIMEOUT,
                 message="the unchecked hostile render")
        assert not backup.exists()  # -backup keeps only what passed a check

        target.start()  # as soon as it runs, the live file is checked: the hostile container goes
        wait_for(lambda: f"Quarantined container {hostile.name}" in gen.log(), timeout=TIMEOUT,
                 message=f"the live file checked once the target started; log:\n{gen.log()}")
        wait_for(lambda: "REJECT" not in setup.content(), timeout=TIMEOUT, message="the hostile container gone")
        assert good.name in setup.content()
        wait_for(lambda: backup.exists() and backup.read_text() == setup.content(), timeout=TIMEOUT,
                 message="the checked content backed up")


def test_an_unchecked_file_that_fails_its_first_check_rolls_back_to_the_last_good_content(
    setup, make_container, tmp_path
):
    setup.dest.write_text("the content before dockergen started\n")
    target = setup.target(make_container, start=False)
    with RunningGenerator(
        "-watch", *setup.flags("-exec-container", target.name, "-check-cmd", CHECK, "-no-quarantine"),
        log_path=tmp_path / "gen.log",
    ) as gen:
        hostile = setup.backend(make_container, "REJECT")
        wait_for(lambda: hostile.name in setup.content() and "goes live unchecked" in gen.log(), timeout=TIMEOUT,
                 message="the unchecked render")
        target.start()
        wait_for(lambda: setup.content() == "the content before dockergen started\n", timeout=TIMEOUT,
                 message=f"the rollback; log:\n{gen.log()}")
        assert "rolling back to the last content that passed the check" in gen.log()


def test_the_watchdog_reports_a_run_that_outlives_it(setup, make_container, tmp_path):
    port = free_port()
    backend = setup.backend(make_container)
    healthz = f"http://127.0.0.1:{port}/healthz"

    def health() -> tuple[int, str]:
        try:
            with urllib.request.urlopen(healthz, timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    with RunningGenerator(
        "-watch", *setup.flags("-check-cmd", f"sleep 3; test -e {setup.dir}/slow", "-watchdog", "1s",
                               "-metrics-addr", f"127.0.0.1:{port}"),
        log_path=tmp_path / "gen.log",
    ) as gen:
        wait_for(lambda: "has been running for" in gen.log(), timeout=TIMEOUT, message=f"the watchdog; log:\n{gen.log()}")
        assert f"The render of {setup.dest} has been running for 1 s (watchdog 1s); containers being rendered: " \
               f"{backend.name}" in gen.log()
        code, text = health()
        assert code == 503 and f"render of {setup.dest} running for" in text
        metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert f'dockergen_stuck_renders_total{{dest="{setup.dest}"}} 1.0' in metrics
        (setup.dir / "slow").touch()
        wait_for(lambda: f"The render of {setup.dest} ended after" in gen.log(), timeout=TIMEOUT, message="the end")
        wait_for(lambda: health()[0] == 200, timeout=TIMEOUT, message="/healthz back to 200")
        assert backend.name in setup.content()
