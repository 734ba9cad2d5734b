"""What a check run inside the nginx container costs: one render through `nginx -t` by exec, and bisection.

Usage: python bench/exec_check.py [--renders 20] [--backends 32]

A real nginx (Debian's, on the local base image: scripts/build-base-image nginx)
runs in a container that sees the destination's directory; a watcher on the
host runs `-check-cmd "nginx -t"` in it through exec, and `-notify-exec
"nginx -s reload"`.  Backends with VIRTUAL_HOST start one at a time, each
giving one render: the watcher's own log line says how long the render and
the check took ("render a ms, check b ms").  Then a backend whose port nginx
rejects joins ``--backends`` good ones: the quarantine's bisection costs one
exec round trip per step, and the log says how many steps and how long.
Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, append_results, docker_gen_command, engine_support

TEMPLATE = """\
{% for c in containers|sort(attribute="Name") if c.Env.VIRTUAL_HOST %}
server { listen 80; server_name {{ c.Env.VIRTUAL_HOST }};
    location / { proxy_pass http://{{ c.Networks[0].IP }}:{{ c.Env.VIRTUAL_PORT or "80" }}; } }
{% endfor %}
"""
NGINX_CONF = "pid /run/nginx.pid;\nerror_log /dev/stderr;\nevents {}\nhttp {\n    access_log off;\n    include /out/*.conf;\n}\n"
GENERATED = re.compile(r"Generated '.*?' from .*?render ([\d.]+) ms, check ([\d.]+) ms(?:, (\d+) renders/checks)?")
QUARANTINED = re.compile(r"quarantined after (\d+) renders/checks")
CHECKED = re.compile(r"render ([\d.]+) ms, check ([\d.]+) ms, (\d+) renders/checks")


def wait(predicate, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20)
    parser.add_argument("--backends", type=int, default=32)
    args = parser.parse_args()
    nginx_image = subprocess.run(["bash", str(REPO / "scripts" / "build-base-image"), "nginx"],
                                 capture_output=True, text=True, check=True).stdout.split()[-1]
    session = engine_support.EngineSession()
    scope = session.scope()
    work = Path(tempfile.mkdtemp(prefix="dockergen-bench-exec."))
    out = work / "out"
    out.mkdir()
    (work / "nginx.conf").write_text(NGINX_CONF)
    (work / "t.tmpl").write_text(TEMPLATE)
    tag = session.session_id.split(".")[0]
    log_path = work / "gen.log"
    generator = None
    try:
        nginx = scope.container("nginx", "-g", "daemon off;", image=nginx_image, labels={"bench.nginx": tag},
                                mounts=[f"{out}:/out", f"{work}/nginx.conf:/etc/nginx/nginx.conf:ro"])
        with open(log_path, "w") as log:
            generator = subprocess.Popen(
                [*docker_gen_command(), "-watch", "-container-filter", f"label=bench.backend={tag}",
                 "-exec-container", nginx.name, "-check-cmd", "nginx -t", "-notify-exec", "nginx -s reload",
                 str(work / "t.tmpl"), str(out / "proxy.conf")],
                stdout=log, stderr=subprocess.STDOUT,
            )
        text = lambda: log_path.read_text()  # noqa: E731
        wait(lambda: "Watching docker events" in text(), what="the watcher")
        checks: list[float] = []
        totals: list[float] = []
        for index in range(args.renders):
            seen = len(GENERATED.findall(text()))
            scope.container(labels={"bench.backend": tag}, env={"VIRTUAL_HOST": f"h{index}.bench.test"})
            wait(lambda: len(GENERATED.findall(text())) > seen, what=f"render {index}")
            render, check, _ = GENERATED.findall(text())[-1]
            checks.append(float(check))
            totals.append(float(render) + float(check))
        more = max(0, args.backends - args.renders)
        for index in range(more):
            scope.container(labels={"bench.backend": tag}, env={"VIRTUAL_HOST": f"m{index}.bench.test"})
        wait(lambda: all(f"m{i}.bench.test" in (out / "proxy.conf").read_text() for i in range(more)), what="backends")
        scope.container(labels={"bench.backend": tag}, env={"VIRTUAL_HOST": "bad.bench.test", "VIRTUAL_PORT": "99999"})
        wait(lambda: QUARANTINED.search(text()), what="the quarantine")
        wait(lambda: CHECKED.search(text().split("quarantined after", 1)[1]), what="the quarantine's log line")
        steps = int(QUARANTINED.search(text()).group(1))
        render, check, _ = CHECKED.search(text().split("quarantined after", 1)[1]).groups()
    finally:
        if generator is not None:
            generator.terminate()
            generator.wait(10)
        scope.cleanup()
    checks.sort()
    totals.sort()
    p = lambda values, q: values[min(len(values) - 1, int(q * len(values)))]  # noqa: E731
    containers = args.backends + 1
    lines = [
        "| what | figure |",
        "|---|---|",
        f"| one render checked by `nginx -t` through exec (render + check), {args.renders} renders | "
        f"p50 {statistics.median(totals):.1f} ms, p90 {p(totals, 0.9):.1f} ms |",
        f"| of which the exec check | p50 {statistics.median(checks):.1f} ms, p90 {p(checks, 0.9):.1f} ms |",
        f"| one bad backend among {containers}: bisection | {steps} renders/checks, {float(check):.0f} ms of checks "
        f"({float(check) / steps:.1f} ms a step), {float(render):.1f} ms of renders |",
    ]
    append_results("bench/exec_check.py: checks run inside the nginx container (exec)", lines)


if __name__ == "__main__":
    sys.exit(main())
