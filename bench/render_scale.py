"""Render templates/nginx.tmpl for 100, 1 000 and 10 000 synthetic containers: time and memory.

No engine is needed: each container is a ``GET /containers/{id}/json`` answer shaped like Docker
20.10's (tests/nginx_support.py's ``fake_inspect``), turned into the template's context by
dockergen's own ``container_from_inspect``.  The mix is meant to look like a busy host:

* about two containers per host name (1 to 3), a few wildcard and regex hosts;
* 10 % with a VIRTUAL_PATH (+ VIRTUAL_DEST), 15 % with VIRTUAL_PORT, 5 % VIRTUAL_HOST_MULTIPORTS;
* 0, 1 or 2 exposed ports; 20 % on a second (user) network;
* HTTPS_METHOD / HSTS / labels (loadbalance, keepalive) on some; 2 % with invalid values;
* certificate files for a fifth of the hosts and a few vhost.d snippets.

Each size runs in a fresh process: the template is compiled, rendered once to warm up, then
rendered 3 times (the median is reported); a separate render under tracemalloc gives the peak
memory the render itself allocates, and the process's RSS high-water mark (ru_maxrss) covers
everything (interpreter, containers, template, output).  Figures are appended to
bench/results.md.

    .venv/bin/python bench/render_scale.py [--sizes 100,1000,10000]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, append_results  # noqa: E402  (also puts tests/ on sys.path)

from nginx_support import fake_inspect  # noqa: E402

LABEL = "com.github.nginx-proxy.nginx-proxy."


def synthetic(n: int, workdir: Path) -> tuple[list[dict], dict[str, str]]:
    """n inspect answers and the generator environment (with certs and vhost.d files)."""
    rnd = random.Random(n)
    certs, vhost = workdir / "certs", workdir / "vhost.d"
    for d in (certs, vhost, workdir / "htpasswd", workdir / "html", workdir / "conf"):
        d.mkdir(parents=True, exist_ok=True)
    inspects = []
    host_index = 0
    left = 0
    i = 0
    while i < n:
        host_index += 1
        kind = rnd.random()
        if kind < 0.03:
            host = f"*.tenant{host_index}.example.com"
        elif kind < 0.04:
            host = rf"~^app{host_index}-[a-z0-9]+\.example\.com$"
        else:
            host = f"svc{host_index}.example.com"
        if rnd.random() < 0.2 and not host.startswith(("~", "*")):
            (certs / f"{host}.crt").write_text("")
            (certs / f"{host}.key").write_text("")
        if rnd.random() < 0.02:
            (vhost / host).write_text("client_max_body_size 10m;\n")
        for _ in range(min(rnd.choice((1, 1, 2, 2, 3)), n - i)):
            i += 1
            env = {"VIRTUAL_HOST": host, "APP_ENV": "production", "TZ": "UTC", "LANG": "C.UTF-8"}
            labels = {}
            roll = rnd.random()
            if roll < 0.10:
                env.update(VIRTUAL_PATH="/api/", VIRTUAL_DEST="/")
            if rnd.random() < 0.15:
                env["VIRTUAL_PORT"] = rnd.choice(["8080", "3000", "9000"])
            if rnd.random() < 0.05:
                del env["VIRTUAL_HOST"]
                env["VIRTUAL_HOST_MULTIPORTS"] = f"mp{host_index}.example.com:\n  /:\n    port: 8080\n  /admin/:\n    port: 9000\n"
            if rnd.random() < 0.10:
                env["HTTPS_METHOD"] = rnd.choice(["noredirect", "nohttp", "nohttps"])
            if rnd.random() < 0.05:
                env["HSTS"] = "max-age=63072000; includeSubDomains; preload"
            if rnd.random() < 0.05:
                labels[LABEL + "loadbalance"] = "least_conn"
                labels[LABEL + "keepalive"] = "16"
            if rnd.random() < 0.02:
                env["VIRTUAL_PORT"] = "80;return 418"  # hostile: left out
                left += 1
            ports = rnd.choice([[], ["80/tcp"], ["80/tcp"], ["80/tcp", "443/tcp"]])
            networks = {"bridge": f"172.17.{(i // 250) % 250}.{i % 250 + 2}"}
            if rnd.random() < 0.2:
                networks[f"app-net-{i % 5}"] = f"10.{i % 5}.{(i // 250) % 250}.{i % 250 + 2}"
            inspects.append(fake_inspect(i, env, labels, networks=networks, ports=ports, name=f"app-{i}"))
    env = {
        "NGINX_CERTS_DIR": str(certs), "NGINX_VHOST_DIR": str(vhost), "NGINX_HTPASSWD_DIR": str(workdir / "htpasswd"),
        "NGINX_HTML_DIR": str(workdir / "html"), "NGINX_CONF_DIR": str(workdir / "conf"),
        "DEFAULT_HOST": "svc1.example.com",
    }
    return inspects, env


def measure(n: int) -> dict:
    """Run in a fresh process: build the context, render, time and trace."""
    from dockergen.model import Docker, container_from_inspect
    from dockergen.render import RenderInput, Template

    with tempfile.TemporaryDirectory() as tmp:
        inspects, env = synthetic(n, Path(tmp))
        containers = [container_from_inspect(data) for data in inspects]
        del inspects
        template = Template(str(REPO / "templates" / "nginx.tmpl"))
        data = RenderInput(containers=containers, docker=Docker(), env=env)
        out = template.render(data)  # warm-up
        times = []
        for _ in range(3):
            start = time.perf_counter()
            template.render(data)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        template.render(data)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "containers": n,
        "hosts": int(re.search(r"^# (\d+) hosts, ", out, re.M).group(1)),
        "left_out": out.count("# left out container "),
        "median_s": statistics.median(times),
        "best_s": min(times),
        "peak_render_mib": peak / 2**20,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "output_mib": len(out) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        proc = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True, cwd=REPO)
        if proc.returncode:
            sys.exit(proc.stderr)
        rows.append(json.loads(proc.stdout))
    lines = [
        "templates/nginx.tmpl rendered in-process for synthetic inspect data (bench/render_scale.py); "
        "render time is the median of 3 renders after a warm-up, peak = tracemalloc peak of one render, "
        "RSS = the process's high-water mark (Python, containers, template and output included).",
        "",
        "| containers | hosts | left out | render (median) | per container | render peak | RSS high-water | output |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['containers']} | {r['hosts']} | {r['left_out']} | {r['median_s']:.3f} s | "
            f"{r['median_s'] / r['containers'] * 1e6:.0f} µs | {r['peak_render_mib']:.1f} MiB | "
            f"{r['rss_mib']:.1f} MiB | {r['output_mib']:.1f} MiB |"
        )
    append_results("render_scale: nginx.tmpl at 100 / 1 000 / 10 000 containers", lines)


if __name__ == "__main__":
    main()
