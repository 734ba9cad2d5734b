"""One bad container can never take the proxy down: check, quarantine, dry run, logs, metrics.

Uses the real Debian nginx with the test's own minimal nginx.conf and ports.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from cli_support import RunningGenerator, run_cli
from nginx_support import free_port

pytestmark = pytest.mark.engine

# Deliberately naive: VIRTUAL_HOST goes into the config unescaped.
NAIVE_TEMPLATE = """\
{% for c in containers|sort(attribute="Name") if c.Env.VIRTUAL_HOST %}
server {
    listen 127.0.0.1:{{ env.PROXY_PORT }};
    server_name {{ c.Env.VIRTUAL_HOST }};
    location / { proxy_pass http://{{ c.Networks[0].IP }}:80; }
}
{% endfor %}
"""

BACKEND = ("sh", "-c", 'mkdir -p /www && echo "$NAME" > /www/index.html && exec httpd -f -p 80 -h /www')



class Nginx:
    """A private nginx: its own prefix, config, pid file and port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        (root / "conf.d").mkdir(parents=True)
        (root / "logs").mkdir()
        self.conf = root / "nginx.conf"
        temp = "\n".join(f"    {kind}_temp_path {root}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        self.conf.write_text(
            f"pid {root}/nginx.pid;\nerror_log {root}/logs/error.log;\nevents {{}}\n"
            f"http {{\n    access_log off;\n{temp}\n"
            f"    server {{ listen 127.0.0.1:{self.port} default_server; return 503; }}\n"
            f"    include {root}/conf.d/*.conf;\n}}\n"
        )
        self.args = f"-c {self.conf} -p {root}"
        self.dest = root / "conf.d" / "app.conf"

    def command(self, *extra: str) -> list[str]:
        return ["nginx", *self.args.split(), *extra]

    def start(self) -> None:
        subprocess.run(self.command(), check=True)

    def stop(self) -> None:
        subprocess.run(self.command("-s", "quit"), check=False, capture_output=True)

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True)

    def get(self, host: str) -> tuple[int, str]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/", headers={"Host": host})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.read().decode().strip()
        except urllib.error.HTTPError as exc:
            return exc.code, ""


@pytest.fixture
def nginx(tmp_path):
    server = Nginx(tmp_path / "nginx")
    server.start()
    yield server
    server.stop()


def test_bad_container_is_quarantined_and_the_rest_is_served(tmp_path, nginx, make_container, wait_for):
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "naive.tmpl"
    template.write_text(NAIVE_TEMPLATE)
    for name in ("good1", "good2"):
        make_container(*BACKEND, name=f"dgt-{name}-{tag}", labels={"t": tag},
                       env={"NAME": name, "VIRTUAL_HOST": f"{name}.example"})
    bad = make_container(*BACKEND, name=f"dgt-bad-{tag}", labels={"t": tag},
                         env={"NAME": "bad", "VIRTUAL_HOST": "bad.example; }"})
    gen = RunningGenerator(
        "-watch", "-check-cmd", f"nginx -t -q {nginx.args}", "-notify", f"nginx -s reload {nginx.args}",
        "-container-filter", f"label=t={tag}", str(template), str(nginx.dest),
        log_path=tmp_path / "gen.log", env={"PROXY_PORT": str(nginx.port)},
    )
    try:
        # (both polled: for a moment after a reload, old nginx workers may still answer)
        wait_for(lambda: nginx.get("good2.example") == (200, "good2") and nginx.get("good1.example") == (200, "good1"),
                 timeout=15)
        assert "bad.example" not in nginx.dest.read_text()
        assert nginx.test_config().returncode == 0
        assert f"Quarantined container {bad.name}" in gen.log()
        assert "rejected by the check command" in gen.log()

        make_container(*BACKEND, name=f"dgt-good3-{tag}", labels={"t": tag},
                       env={"NAME": "good3", "VIRTUAL_HOST": "good3.example"})
        wait_for(lambda: nginx.get("good3.example") == (200, "good3"), timeout=10)
        assert nginx.test_config().returncode == 0
        assert gen.process.poll() is None
    finally:
        gen.stop()


def test_dry_run_prints_a_diff_and_touches_nothing(tmp_path, make_container):
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}\n{% endfor %}")
    dest = tmp_path / "out"
    dest.write_text("old-line\n")
    os.utime(dest, (1_000_000, 1_000_000))
    before = dest.stat()
    c = make_container(labels={"t": tag})
    notes = tmp_path / "notes"
    result = run_cli("-dry-run", "-notify", f"echo x > {notes}", "-container-filter", f"label=t={tag}",
                     str(template), str(dest))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"--- {dest}\n+++ {dest} (rendered)\n@@ -1 +1 @@\n-old-line\n+{c.name}\n"
    after = dest.stat()
    assert dest.read_text() == "old-line\n" and (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert not notes.exists()

    broken = tmp_path / "broken.tmpl"
    broken.write_text("{{ mustBeInt('x') }}")
    result = run_cli("-dry-run", "-container-filter", f"label=t={tag}", str(broken), str(dest))
    assert result.returncode == 1 and "must be an integer" in result.stderr


def test_dry_run_of_several_configs_names_each_destination(tmp_path, make_container):
    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}\n{% endfor %}")
    c = make_container(labels={"t": tag})
    existing, fresh, lost = tmp_path / "existing.conf", tmp_path / "fresh.conf", tmp_path / "gone" / "lost.conf"
    existing.write_text(f"{c.name}\n")
    body = "".join(
        f'[[config]]\ntemplate = "{template}"\ndest = "{dest}"\n[config.ContainerFilter]\nlabel = ["t={tag}"]\n'
        for dest in (existing, fresh)
    )
    config = tmp_path / "two.toml"
    config.write_text(body)
    result = run_cli("-dry-run", "-config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"--- {existing}\n+++ {existing} (rendered)\n"  # unchanged: its header alone
        f"--- {fresh} (does not exist yet)\n+++ {fresh} (rendered)\n@@ -0,0 +1 @@\n+{c.name}\n"
    )
    assert not fresh.exists()
    config.write_text(body + f'[[config]]\ntemplate = "{template}"\ndest = "{lost}"\n')
    result = run_cli("-dry-run", "-config", str(config))
    assert result.returncode == 1
    assert f"docker-gen: {lost}: destination directory {lost.parent} does not exist" in result.stderr.splitlines()
    assert result.stdout.startswith(f"--- {existing}\n")


def test_json_logs_and_metrics(tmp_path, make_container, wait_for):
    from prometheus_client.parser import text_string_to_metric_families

    tag = uuid.uuid4().hex[:8]
    template = tmp_path / "names.tmpl"
    template.write_text("{% for c in containers %}{{ c.Name }}\n{% endfor %}")
    dest = tmp_path / "out"
    port = free_port()
    gen = RunningGenerator(
        "-watch", "-log-format", "json", "-log-level", "debug", "-metrics-addr", f"127.0.0.1:{port}",
        "-container-filter", f"label=t={tag}", str(template), str(dest), log_path=tmp_path / "gen.log",
    )

    def fetch(path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            return 0, ""

    def samples() -> dict[tuple[str, tuple], float]:
        status, text = fetch("/metrics")
        assert status == 200
        return {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }

    try:
        wait_for(lambda: fetch("/healthz")[0] == 200, timeout=10)
        before = samples()
        renders_key = ("dockergen_renders_total", (("dest", str(dest)),))
        c = make_container(labels={"t": tag})
        wait_for(lambda: c.name in (dest.read_text() if dest.exists() else ""), timeout=10)
        wait_for(lambda: samples().get(renders_key, 0) > before.get(renders_key, 0), timeout=5)
        after = samples()
        started = ("dockergen_events_total", (("action", "start"), ("type", "container")))
        assert after[started] >= before.get(started, 0) + 1
        assert after[("dockergen_containers", (("dest", str(dest)),))] == 1
        assert after[("dockergen_last_success_timestamp_seconds", (("dest", str(dest)),))] > 0
        assert any(name == "dockergen_event_to_write_seconds_count" for name, _ in after)
        assert fetch("/nope")[0] == 404
    finally:
        assert gen.stop() == 0
    lines = [line for line in gen.log().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= set(records[0])
    assert any(r["message"].startswith(f"Generated '{dest}'") and r["level"] == "info" for r in records)
    assert any(r["level"] == "debug" and r["message"].startswith("Received event container start") for r in records)
