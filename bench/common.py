"""Shared bits of the benchmarks: an engine session with labelled containers, and the results file."""

from __future__ import annotations

import datetime
import os
import platform
import random
import shutil
import sys
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results.md"
sys.path.insert(0, str(REPO / "tests"))

import engine_support  # noqa: E402  (tests/engine_support.py: labelled containers, cleanup)

NAMES = "{% for c in containers %}{{ c.Name }}\n{% endfor %}"  # the template every benchmark renders
GO_NAMES = "{{ range $ }}{{ .Name }}\n{{ end }}"  # the same, as a docker-gen (Go) template


def synthetic_host(rnd: "random.Random", index: int) -> str:
    """A host name for synthetic nginx-proxy workloads: mostly plain, a few wildcard and regex ones."""
    kind = rnd.random()
    if kind < 0.03:
        return f"*.tenant{index}.example.com"
    if kind < 0.04:
        return rf"~^app{index}-[a-z0-9]+\.example\.com$"
    return f"svc{index}.example.com"


def compile_package() -> None:
    """Byte-compile dockergen as an install would: an editable checkout under
    PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every run."""
    import subprocess

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "dockergen")], check=True)


class Run(NamedTuple):
    """One run of a program: wall and CPU time (s), peak RSS (MiB), standard output."""

    wall: float
    cpu: float
    peak_mib: float
    stdout: bytes


def timed_run(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``command`` once, measured; a failure stops the benchmark.

    CPU time (user + system, all threads) and the peak come from GNU time (NaN
    without it): the kernel's figures for a child of this process (``wait4``)
    can be this large process's own, which the child was forked from.  On a
    busy machine CPU time is the steadier figure.
    """
    import subprocess
    import tempfile
    import time

    timer = shutil.which("time", path="/usr/bin:/bin")
    with tempfile.NamedTemporaryFile("r") as report:
        prefix = [timer, "-f", "%M %U %S", "-o", report.name] if timer else []
        started = time.perf_counter()
        result = subprocess.run([*prefix, *command], capture_output=True, env=env)
        wall = time.perf_counter() - started
        if result.returncode:
            raise SystemExit(f"{command[0]} failed: {result.stderr.decode(errors='replace')}")
        figures = (report.read().strip().splitlines() or [""])[-1].split() if timer else []
    if len(figures) != 3:
        return Run(wall, float("nan"), float("nan"), result.stdout)
    return Run(wall, float(figures[1]) + float(figures[2]), int(figures[0]) / 1024, result.stdout)


def ratio(value: float, reference: float) -> str:
    """``value / reference`` for a table ("-" when the reference is 0: GNU time counts CPU in 10 ms steps)."""
    return f"{value / reference:.2f}" if reference else "-"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to print beside figures taken on a shared machine."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}"


def docker_gen_command() -> list[str]:
    """The installed console script when there is one (what users run), else ``python -m dockergen``."""
    script = Path(sys.executable).parent / "docker-gen"
    if script.exists():
        return [str(script)]
    found = shutil.which("docker-gen")
    return [found] if found else [sys.executable, "-m", "dockergen"]


def append_results(title: str, lines: list[str]) -> None:
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"## {title} — {stamp}", f"machine: {machine()}", "", *lines, ""]
    with open(RESULTS, "a") as handle:
        handle.write("\n".join(block) + "\n")
    print("\n".join(block))


PROXY_LABEL = "com.github.nginx-proxy.nginx-proxy."  # the prefix of nginx-proxy's container labels


def proxy_host_env(i: int) -> dict[str, str]:
    """The environment of the i-th synthetic nginx-proxy application container (two per host name)."""
    env = {"VIRTUAL_HOST": f"svc{i // 2}.example.com", "APP_ENV": "production"}
    if i % 7 == 0:
        env["VIRTUAL_PORT"] = "8080"
    return env


def start_proxy_hosts(session: "engine_support.EngineSession", first: int, count: int,
                      labels: dict[str, str] | None = None) -> None:
    """Start application containers ``first`` .. ``first + count - 1`` as nginx-proxy sees them
    (``VIRTUAL_HOST``, exposed ports), in parallel; ``first == 0`` also starts the proxy's own
    container (labelled ``...nginx``), whose networks the template reaches the others through."""

    def app(i: int) -> None:
        session.create_container(name=None, env=proxy_host_env(i), labels=labels,
                                 expose=[80] if i % 3 else [80, 8080])

    engine_support._parallel(app, list(range(first, first + count)))
    if first == 0:
        session.create_container(name=None, labels={**(labels or {}), PROXY_LABEL + "nginx": ""}, expose=[80, 443])


def start_containers(session: "engine_support.EngineSession", count: int) -> None:
    """Bring the session's running containers up to ``count`` (created in parallel)."""
    existing = session.api.containers(filters={"label": session.label_filter})
    missing = count - len(existing)
    if missing > 0:
        session.create_containers(missing, name=None)
