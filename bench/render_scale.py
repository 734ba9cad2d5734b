"""Render templates/nginx.tmpl (Jinja2) and templates/go/nginx.tmpl (Go) for 100, 1 000 and 10 000
synthetic containers: time and memory.

No engine is needed: each container is a ``GET /containers/{id}/json`` answer shaped like Docker
20.10's (tests/nginx_support.py's ``fake_inspect``), turned into the template's context by
dockergen's own ``container_from_inspect``.  The mix is meant to look like a busy host:

* about two containers per host name (1 to 3), a few wildcard and regex hosts;
* 10 % with a VIRTUAL_PATH (+ VIRTUAL_DEST), 15 % with VIRTUAL_PORT, 5 % VIRTUAL_HOST_MULTIPORTS;
* 0, 1 or 2 exposed ports; 20 % on a second (user) network;
* HTTPS_METHOD / HSTS / labels (loadbalance, keepalive) on some; 2 % with invalid values;
* certificate files for a fifth of the hosts and a few vhost.d snippets.

Each size and engine runs in a fresh process: the template is compiled, rendered once to warm
up, then rendered 3 times (the median is reported); a separate render under tracemalloc gives the
peak memory the render itself allocates, and the process's RSS high-water mark (ru_maxrss) covers
everything (interpreter, containers, template, output).  Both engines see the same synthetic
containers (the same seed).  The Go render is timed over its whole per-render path: building
docker-gen's context from the model containers (``make_root``, Go-typed copies of every
container), executing the template and removing blank lines.  It is also timed through
``dockergen.pipeline.render.Template`` (engine go), which reuses the Go-typed copies of unchanged
containers between renders, as the generator does.  Figures are appended to bench/results.md.

    .venv/bin/python bench/render_scale.py [--sizes 100,1000,10000] [--engines jinja2,go]
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
from common import REPO, append_results, load_average, synthetic_host  # noqa: E402  (also puts tests/ on sys.path)

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
        host = synthetic_host(rnd, host_index)
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


JINJA_TEMPLATE = REPO / "templates" / "nginx.tmpl"
GO_TEMPLATE = REPO / "templates" / "go" / "nginx.tmpl"


def _timed(render, runs: int = 3) -> tuple[str, list[float], list[float], int]:
    """Warm up, time ``runs`` renders, then trace one: (output, wall times, CPU times, tracemalloc peak).

    CPU time (time.process_time) is reported next to wall time: on a shared machine it is the
    steadier figure, since it leaves out the time the process waited for a core."""
    out = render()
    times, cpu_times = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), time.process_time()
        render()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    tracemalloc.start()
    render()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return out, times, cpu_times, peak


def measure(n: int, engine: str = "jinja2") -> dict:
    """Run in a fresh process: build the context, render, time and trace."""
    from dockergen.model import Docker, container_from_inspect
    from dockergen.pipeline.render import RenderInput, Template, remove_blank_lines

    extra: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        inspects, env = synthetic(n, Path(tmp))
        containers = [container_from_inspect(data) for data in inspects]
        del inspects
        docker = Docker()
        if engine == "go":
            from dockergen.gotemplate.context import make_root
            from dockergen.gotemplate.template import TemplateSet

            templates = TemplateSet.from_files(str(GO_TEMPLATE))

            def render() -> str:
                return remove_blank_lines(templates.execute(make_root(containers, docker, env, None)))

            out, times, cpu_times, peak = _timed(render)
            # The generator's path: render.Template keeps the Go-typed copies between renders.
            template = Template(str(GO_TEMPLATE), engine="go")
            data = RenderInput(containers=containers, docker=docker, env=env)
            cached_out, cached_times, cached_cpu, _ = _timed(lambda: template.render(data))
            assert cached_out == out
            extra["template_median_s"] = statistics.median(cached_times)
            extra["template_cpu_s"] = statistics.median(cached_cpu)
        else:
            template = Template(str(JINJA_TEMPLATE), engine="jinja2")
            data = RenderInput(containers=containers, docker=docker, env=env)
            out, times, cpu_times, peak = _timed(lambda: template.render(data))
    return {
        "engine": engine,
        "containers": n,
        "hosts": int(re.search(r"^# (\d+) hosts, ", out, re.M).group(1)),
        "left_out": out.count("# left out container "),
        "median_s": statistics.median(times),
        "best_s": min(times),
        "cpu_s": statistics.median(cpu_times),
        "peak_render_mib": peak / 2**20,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "output_mib": len(out) / 2**20,
        **extra,
    }


def profile(n: int, engine: str = "go", top: int = 25) -> None:
    """cProfile of one warm render, top functions by own time (printed, not recorded)."""
    import cProfile
    import pstats

    from dockergen.model import Docker, container_from_inspect
    from dockergen.pipeline.render import remove_blank_lines

    with tempfile.TemporaryDirectory() as tmp:
        inspects, env = synthetic(n, Path(tmp))
        containers = [container_from_inspect(data) for data in inspects]
        docker = Docker()
        if engine != "go":
            raise SystemExit("--profile is for the Go engine")
        from dockergen.gotemplate.context import make_root
        from dockergen.gotemplate.template import TemplateSet

        templates = TemplateSet.from_files(str(GO_TEMPLATE))
        templates.execute(make_root(containers, docker, env, None))  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        remove_blank_lines(templates.execute(make_root(containers, docker, env, None)))
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--engines", default="jinja2,go")
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one Go render of N containers")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--engine", default="jinja2", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        profile(args.profile)
        return
    if args.one:
        print(json.dumps(measure(args.one, args.engine)))
        return
    engines = args.engines.split(",")
    load_before = load_average()
    rows: dict[tuple[str, int], dict] = {}
    sizes = [int(x) for x in args.sizes.split(",")]
    for n in sizes:
        for engine in engines:
            proc = subprocess.run(
                [sys.executable, __file__, "--one", str(n), "--engine", engine], capture_output=True, text=True, cwd=REPO
            )
            if proc.returncode:
                sys.exit(proc.stderr)
            rows[engine, n] = json.loads(proc.stdout)
    lines = [f"load average before / after the run: {load_before} / {load_average()} (CPU time is the steadier figure "
             "when the machine is busy)", ""]
    if "jinja2" in engines:
        lines += [
            "templates/nginx.tmpl rendered in-process for synthetic inspect data (bench/render_scale.py); "
            "render time is the median of 3 renders after a warm-up (wall, and CPU = process time), "
            "peak = tracemalloc peak of one render, "
            "RSS = the process's high-water mark (Python, containers, template and output included).",
            "",
            "| containers | hosts | left out | render (median) | CPU (median) | per container | render peak "
            "| RSS high-water | output |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sizes:
            r = rows["jinja2", n]
            lines.append(
                f"| {r['containers']} | {r['hosts']} | {r['left_out']} | {r['median_s']:.3f} s | {r['cpu_s']:.3f} s | "
                f"{r['median_s'] / r['containers'] * 1e6:.0f} µs | {r['peak_render_mib']:.1f} MiB | "
                f"{r['rss_mib']:.1f} MiB | {r['output_mib']:.1f} MiB |"
            )
    if "go" in engines:
        if "jinja2" in engines:
            lines.append("")
        lines += [
            "templates/go/nginx.tmpl (Go engine) on the same containers, each size in its own process; render = "
            "make_root + execute + blank-line removal (median of 3 after a warm-up, wall and CPU); via Template = "
            "dockergen.pipeline.render.Template(engine go), which reuses the Go-typed container copies between renders; "
            "ratio = Go / Jinja2 of the same size in this run (wall, CPU).",
            "",
            "| containers | hosts | left out | Go render (median) | CPU (median) | per container | via Template "
            "(wall / CPU) | ratio to Jinja2 (wall / CPU) | render peak | RSS high-water | output |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for n in sizes:
            r = rows["go", n]
            jinja = rows.get(("jinja2", n))
            ratio = f"{r['median_s'] / jinja['median_s']:.2f}× / {r['cpu_s'] / jinja['cpu_s']:.2f}×" if jinja else "-"
            lines.append(
                f"| {r['containers']} | {r['hosts']} | {r['left_out']} | {r['median_s']:.3f} s | {r['cpu_s']:.3f} s | "
                f"{r['median_s'] / r['containers'] * 1e6:.0f} µs | "
                f"{r['template_median_s']:.3f} s / {r['template_cpu_s']:.3f} s | {ratio} | "
                f"{r['peak_render_mib']:.1f} MiB | {r['rss_mib']:.1f} MiB | {r['output_mib']:.1f} MiB |"
            )
        if len(sizes) > 1:
            first, last = rows["go", sizes[0]], rows["go", sizes[-1]]
            scale = (last["cpu_s"] / last["containers"]) / (first["cpu_s"] / first["containers"])
            lines += ["", f"Go scaling: the CPU time per container at {sizes[-1]} containers is {scale:.2f}× "
                          f"that at {sizes[0]} (1.00 = linear)."]
    title = "render_scale: nginx.tmpl" + (" (Jinja2 and Go)" if len(engines) > 1 else f" ({engines[0]})")
    append_results(f"{title} at {' / '.join(f'{n:,}'.replace(',', ' ') for n in sizes)} containers", lines)


if __name__ == "__main__":
    main()
