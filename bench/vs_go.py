"""Render speed of dockergen's Go engine against Go's own text/template, in the same run.

The workload is nginx-proxy's ``nginx.tmpl`` (read from ../shared/reference/workloads/ at run time,
never copied here) on synthetic nginx-proxy hosts of 100, 1 000 and 3 000 containers.  The
reference is ``gotmpl-oracle`` (docker-gen's template engine behind a batch case runner): it gets
the same containers as a context fixture and runs, in one worker, K copies of the nginx case and
K copies of a baseline case (``{{ repeat N "x" }}``, as many output bytes): both pay for the
process, the fixture decoding and the output encoding, so the difference over K is Go's render.
Ours is ``GoTemplate.render`` (blank lines kept, so the two outputs can be compared byte for byte)
with the Go-typed copies of the containers kept between renders, as the watcher does; the first
render (every container converted) is reported beside it.  Rounds alternate the two engines,
and each ratio is taken within a round (the machine is shared: a busy moment hits both alike).

Peak memory is the RSS high-water mark of a fresh process that compiles the template, builds the
containers and renders them twice, at the largest size.

    python bench/vs_go.py [--sizes 100,1000,3000] [--rounds 5]
    python bench/vs_go.py --profile 1000     # cProfile of one warm render (printed only)
    python bench/vs_go.py --oneshot 100      # one-shot runs against the reference docker-gen
    python bench/vs_go.py --oneshot 100 --baseline 'env PYTHONPATH=../old .venv/bin/python -m dockergen'

``--oneshot N`` runs dockergen and the reference ``docker-gen`` binary alternately on the real
Docker engine with N labelled containers (``dockergen-test=1``, removed afterwards) and the same
template: wall and CPU time and peak RSS per run, outputs checked identical.  dockergen keeps its
compiled template in a cache directory of the run (``-template-cache``), which the first (warm-up)
run fills, as any run after the first would find it by default; it also runs with the cache off
(parsed and compiled every time, as before there was a cache).

Figures are printed and appended to bench/results.md; without ../shared/reference/ the script
says so and exits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PROXY_LABEL as LABEL, REPO, append_results, synthetic_host  # noqa: E402  (also puts tests/ on sys.path)

from nginx_support import fake_inspect  # noqa: E402

from reference_support import ORACLE, SHARED  # noqa: E402  (../shared/, found from a worktree too)

REFERENCE = SHARED / "reference"
WORKLOAD = REFERENCE / "workloads" / "nginx-proxy-nginx.tmpl"


def hosts(n: int) -> tuple[list, object, dict[str, str]]:
    """n application containers behind an nginx-proxy container: (containers, docker, env).

    About two containers per host name (1 to 3), a few wildcard and regex hosts, paths, ports,
    multiport hosts, several networks.  Settings that nginx-proxy reads per host (HTTPS_METHOD,
    HSTS, its labels) are the same on every container of a host: with different ones the real
    template picks one through a Go map's random order, and two Go runs would disagree."""
    from dockergen.model import Docker, container_from_inspect

    rnd = random.Random(n)
    containers = []  # each inspect answer converted at once: the answers would dominate peak memory
    i = 0
    host_index = 0
    while i < n:
        host_index += 1
        host = synthetic_host(rnd, host_index)
        shared_env: dict[str, str] = {}
        labels: dict[str, str] = {}
        if rnd.random() < 0.10:
            shared_env["HTTPS_METHOD"] = rnd.choice(["noredirect", "nohttp", "nohttps"])
        if rnd.random() < 0.05:
            shared_env["HSTS"] = "max-age=63072000; includeSubDomains; preload"
        if rnd.random() < 0.05:
            labels[LABEL + "loadbalance"] = "least_conn"
            labels[LABEL + "keepalive"] = "16"
        multiport = rnd.random() < 0.05
        with_path = rnd.random() < 0.10
        for _ in range(min(rnd.choice((1, 1, 2, 2, 3)), n - i)):
            i += 1
            env = {"VIRTUAL_HOST": host, "APP_ENV": "production", "TZ": "UTC", **shared_env}
            if with_path:
                env.update(VIRTUAL_PATH="/api/", VIRTUAL_DEST="/")
            if rnd.random() < 0.15:
                env["VIRTUAL_PORT"] = rnd.choice(["8080", "3000", "9000"])
            if multiport:
                del env["VIRTUAL_HOST"]
                env["VIRTUAL_HOST_MULTIPORTS"] = (
                    f"mp{host_index}.example.com:\n  /:\n    port: 8080\n  /admin/:\n    port: 9000\n"
                )
            ports = rnd.choice([[], ["80/tcp"], ["80/tcp"], ["80/tcp", "443/tcp"]])
            networks = {"bridge": f"172.17.{(i // 250) % 250}.{i % 250 + 2}"}
            if rnd.random() < 0.2:
                networks = {f"app-net-{i % 5}": f"10.{i % 5}.{(i // 250) % 250}.{i % 250 + 2}", **networks}
            containers.append(container_from_inspect(
                fake_inspect(i, env, labels, networks=networks, ports=ports, name=f"app-{i}")))
    proxy_networks = {"bridge": "172.17.250.2", **{f"app-net-{k}": f"10.{k}.250.2" for k in range(5)}}
    containers.append(container_from_inspect(fake_inspect(
        n + 1, {}, {LABEL + "nginx": ""}, networks=proxy_networks, name="nginx-proxy", ports=["80/tcp", "443/tcp"])))
    docker = Docker(Name="bench", NumContainers=len(containers), CurrentContainerID=containers[-1].ID)
    return containers, docker, {"DEFAULT_HOST": "svc1.example.com"}


def fixture(containers: list, docker: object, env: dict[str, str]) -> dict:
    """The same data as an oracle context fixture, written by our ``json`` (Go's encoding)."""
    from dockergen.gotemplate.context import make_root
    from dockergen.gotemplate.funcmap import function_map

    to_json = function_map()["json"].call
    root = make_root(containers, docker, env, containers[-1])  # type: ignore[arg-type]
    return {"env": env, "docker": json.loads(to_json(docker)), "current_container_id": containers[-1].ID,
            "containers": json.loads(to_json(root.target))}


class Oracle:
    """K copies of the nginx case and K of the baseline, each list run by one oracle worker."""

    def __init__(self, workdir: Path, data: dict, template: str, copies: int) -> None:
        self.workdir = workdir
        self.copies = copies
        (workdir / "contexts").mkdir()
        (workdir / "contexts" / "hosts.json").write_text(json.dumps(data))
        self.output = self._write_and_check("nginx", template)
        self._write_and_check("baseline", '{{ repeat %d "x" }}' % len(self.output.encode()))

    def _write_and_check(self, name: str, template: str) -> str:
        cases = [{"name": f"{name}-{i}", "context": "hosts", "files": {"main.tmpl": template}}
                 for i in range(self.copies)]
        (self.workdir / f"{name}.json").write_text(json.dumps(cases))
        results = json.loads(self._run(name)[1])
        if results[0].get("error"):
            raise SystemExit(f"gotmpl-oracle: {name}: {results[0]['error']}")
        outputs = {r["output"] for r in results}
        if len(outputs) != 1:
            raise SystemExit(f"gotmpl-oracle: {name}: the {self.copies} runs disagree (map order?)")
        return outputs.pop()

    def _run(self, name: str) -> tuple[float, bytes]:
        started = time.perf_counter()
        proc = subprocess.run([str(ORACLE), "-j", "1", str(self.workdir / f"{name}.json"),
                               str(self.workdir / "contexts")], capture_output=True)
        wall = time.perf_counter() - started
        if proc.returncode:
            raise SystemExit(f"gotmpl-oracle failed: {proc.stderr.decode(errors='replace')}")
        return wall, proc.stdout

    def render_time(self) -> float:
        """Go's render time of one case (s): (nginx run - baseline run) / K."""
        nginx = self._run("nginx")[0]
        baseline = self._run("baseline")[0]
        return (nginx - baseline) / self.copies


def ours(containers: list, docker: object, env: dict[str, str], template_path: Path):
    """dockergen's Go template and the render input the generator would hand it."""
    from dockergen.gotemplate.engine import GoTemplate
    from dockergen.pipeline.render import RenderInput

    template = GoTemplate(str(template_path), keep_blank_lines=True)
    data = RenderInput(containers=containers, docker=docker, env=env, current_container=containers[-1])
    return template, data


def measure_size(n: int, rounds: int, workdir: Path) -> dict:
    containers, docker, env = hosts(n)
    text = WORKLOAD.read_text(encoding="utf-8")
    copies = max(3, 2000 // n)
    oracle = Oracle(workdir, fixture(containers, docker, env), text, copies)
    template_path = workdir / "nginx.tmpl"
    template_path.write_text(text, encoding="utf-8")
    template, data = ours(containers, docker, env, template_path)
    started = time.perf_counter()
    first = template.render(data)
    first_s = time.perf_counter() - started
    if first != oracle.output:
        (workdir.parent / f"go-{n}.txt").write_text(oracle.output)
        (workdir.parent / f"ours-{n}.txt").write_text(first)
        raise SystemExit(f"{n} containers: outputs differ (kept in {workdir.parent})")
    go_times, our_times, ratios = [], [], []
    for _ in range(rounds):
        go = oracle.render_time()
        walls = []
        for _ in range(copies):
            started = time.perf_counter()
            template.render(data)
            walls.append(time.perf_counter() - started)
        mine = statistics.fmean(walls)
        go_times.append(go)
        our_times.append(mine)
        ratios.append(mine / go)
        print(f"  {n}: Go {go * 1e3:.1f} ms, ours {mine * 1e3:.1f} ms ({mine / go:.2f}x)", flush=True)
    return {"containers": n, "copies": copies, "output_kib": len(first.encode()) / 1024, "first_s": first_s,
            "go": statistics.median(go_times), "ours": statistics.median(our_times),
            "ratio": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios)}


def _high_water_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent on Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_memory(n: int) -> dict:
    """In a fresh process, in the generator's order: compile the template (a job does it when it
    starts), build the containers, render twice: RSS high-water marks (MiB); then the
    tracemalloc peak of a third render (traced last: tracing costs memory of its own)."""
    import tracemalloc

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nginx.tmpl"
        path.write_text(WORKLOAD.read_text(encoding="utf-8"), encoding="utf-8")
        from dockergen.gotemplate.engine import GoTemplate
        from dockergen.pipeline.render import RenderInput

        template = GoTemplate(str(path), keep_blank_lines=True)
        compiled = _high_water_mib()
        containers, docker, env = hosts(n)
        data = RenderInput(containers=containers, docker=docker, env=env, current_container=containers[-1])
        template.render(data)
        template.render(data)
        rss = _high_water_mib()
        tracemalloc.start()
        template.render(data)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return {"compiled_mib": compiled, "rss_mib": rss, "render_peak_mib": peak}


def profile(n: int, top: int = 30) -> None:
    """cProfile of one warm render, by own time (printed, not recorded)."""
    import cProfile
    import pstats

    containers, docker, env = hosts(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "nginx.tmpl"
        path.write_text(WORKLOAD.read_text(encoding="utf-8"), encoding="utf-8")
        template, data = ours(containers, docker, env, path)
        template.render(data)
        profiler = cProfile.Profile()
        profiler.enable()
        template.render(data)
        profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)


def oneshot(count: int, runs: int, note: str = "", baseline: str = "") -> None:
    """One-shot wall time and peak RSS of dockergen and the reference docker-gen on the real
    engine: ``count`` labelled containers behind a labelled nginx-proxy container, runs
    alternating; the outputs must be identical.  ``baseline``: another docker-gen command
    (say, an earlier checkout's) measured in the same rounds."""
    from common import (
        compile_package, docker_gen_command, engine_support, load_average, ratio, start_proxy_hosts, timed_run,
    )

    reference = REFERENCE / "docker-gen"
    if not reference.exists():
        print(f"skipped: no reference docker-gen in {REFERENCE}")
        return
    compile_package()
    session = engine_support.EngineSession()
    mark = {"dockergen-test": "1"}  # besides the session's own label: easy to find and remove

    try:
        start_proxy_hosts(session, 0, count, labels=mark)
        with tempfile.TemporaryDirectory(prefix="vs_go-") as tmp:
            template = Path(tmp) / "nginx.tmpl"
            template.write_text(WORKLOAD.read_text(encoding="utf-8"), encoding="utf-8")
            flt = ["-container-filter", f"label={session.label_filter}"]
            commands = {
                "dockergen": [*docker_gen_command(), "-template-engine", "go", "-template-cache",
                              str(Path(tmp) / "cache"), *flt, str(template)],
                "dockergen, -template-cache off": [*docker_gen_command(), "-template-engine", "go",
                                                   "-template-cache", "off", *flt, str(template)],
                "docker-gen (Go)": [str(reference), *flt, str(template)],
            }
            if baseline:
                commands = {"baseline": [*shlex.split(baseline), "-template-engine", "go", *flt, str(template)],
                            **commands}
            outputs = {name: timed_run(command).stdout for name, command in commands.items()}  # warm the caches
            if len(set(outputs.values())) != 1:
                kept = Path(tempfile.mkdtemp(prefix="vs_go-oneshot-"))
                for name, out in outputs.items():
                    (kept / f"{name.split()[0]}.conf").write_bytes(out)
                raise SystemExit(f"one-shot outputs differ (kept in {kept})")
            measured: dict[str, list] = {name: [] for name in commands}
            load_before = load_average()
            for _ in range(runs):
                for name, command in commands.items():
                    measured[name].append(timed_run(command))
            load_after = load_average()
    finally:
        session.cleanup()

    def p50(name: str, field: str) -> float:
        return statistics.median(getattr(run, field) for run in measured[name])

    go = "docker-gen (Go)"
    lines = [
        f"One-shot `docker-gen nginx.tmpl` (nginx-proxy's template) on the Docker engine, {count} labelled "
        f"containers + the proxy container, {runs} alternating runs each, outputs identical; CPU time (user + "
        f"system, all threads) and peak RSS from GNU time; load average before / after the runs: {load_before} / "
        f"{load_after}.",
        "",
        "| program | wall p50 (s) | wall min (s) | / Go (wall p50) | CPU p50 (s) | / Go (CPU p50) | peak RSS (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name in commands:
        lines.append(
            f"| {name} | {p50(name, 'wall'):.3f} | {min(run.wall for run in measured[name]):.3f} | "
            f"{ratio(p50(name, 'wall'), p50(go, 'wall'))}x | {p50(name, 'cpu'):.3f} | "
            f"{ratio(p50(name, 'cpu'), p50(go, 'cpu'))}x | {p50(name, 'peak_mib'):.1f} |"
        )
    if baseline:
        lines += ["", f"baseline: `{baseline}`"]
    append_results(f"bench/vs_go.py --oneshot: nginx-proxy's nginx.tmpl, dockergen vs docker-gen, {count} "
                   f"containers{f' ({note})' if note else ''}", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,3000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, metavar="N", help="cProfile one warm render of N containers")
    parser.add_argument("--oneshot", type=int, metavar="N", help="one-shot runs against docker-gen, N containers")
    parser.add_argument("--runs", type=int, default=15, help="runs of each program for --oneshot")
    parser.add_argument("--note", default="", help="added to the title in bench/results.md (e.g. which code ran)")
    parser.add_argument("--baseline", default="", metavar="CMD",
                        help="--oneshot: also run this docker-gen command in the same rounds, e.g. "
                             "'env PYTHONPATH=../old-checkout .venv/bin/python -m dockergen'")
    parser.add_argument("--memory", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not ORACLE.exists() or not WORKLOAD.exists():
        print(f"skipped: the reference engine is not here ({REFERENCE}): nothing to compare with")
        return
    if args.oneshot:
        oneshot(args.oneshot, args.runs, args.note, args.baseline)
        return
    if args.memory:
        print(json.dumps(peak_memory(args.memory)))
        return
    if args.profile:
        profile(args.profile)
        return
    sizes = [int(x) for x in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="vs_go-") as tmp:
        for n in sizes:
            workdir = Path(tmp) / str(n)
            workdir.mkdir()
            rows.append(measure_size(n, args.rounds, workdir))
    memory = json.loads(subprocess.run(
        [sys.executable, __file__, "--memory", str(sizes[-1])], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPO)]))},
    ).stdout)
    lines = [
        f"nginx-proxy's nginx.tmpl on synthetic hosts, render only, outputs byte-identical; Go = gotmpl-oracle "
        f"(one worker, K cases minus K baseline cases, per case); ours = GoTemplate.render with the container "
        f"copies kept (mean of K renders); {args.rounds} alternating rounds, ratio = ours / Go within a round "
        f"(median, [min-max]).",
        "",
        "| containers | output | K | Go render | ours | ours / Go | ours, first render (all converted) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['containers']} | {r['output_kib']:.0f} KiB | {r['copies']} | {r['go'] * 1e3:.0f} ms | "
            f"{r['ours'] * 1e3:.0f} ms | {r['ratio']:.2f}x [{r['ratio_min']:.2f}-{r['ratio_max']:.2f}] | "
            f"{r['first_s'] * 1e3:.0f} ms |"
        )
    lines += ["", f"Peak RSS (VmHWM) of a fresh process at {sizes[-1]} containers (template compiled, containers "
                  f"built, two renders): {memory['rss_mib']:.1f} MiB ({memory['compiled_mib']:.1f} MiB once the "
                  f"template is compiled); tracemalloc peak of one warm render: {memory['render_peak_mib']:.1f} MiB."]
    append_results(f"bench/vs_go.py: nginx-proxy's nginx.tmpl, dockergen vs Go text/template at "
                   f"{' / '.join(str(n) for n in sizes)} containers{f' ({args.note})' if args.note else ''}", lines)


if __name__ == "__main__":
    main()
