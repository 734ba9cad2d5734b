"""One-shot runs of a Go template with the compiled-template cache cold, warm and off.

nginx-proxy's ``nginx.tmpl`` (read from ../shared/reference/workloads/ at run time, never copied
here) and a one-line names template, run by ``docker-gen -template-engine go`` on the real
Docker engine with no container selected (``-container-filter label=nonexistent=1``): what is
left is the process's own start, the engine's answer and the template's parse and compile, or
its load from the cache (``-template-cache``):

* off: ``-template-cache off``, parsed and compiled at every run (as before the cache);
* cold: an empty cache directory at every run: parsed, compiled, and the entry written;
* warm: the entry of an earlier run loaded.

Runs alternate (one of each per round, in a shuffled order) and the package is byte-compiled
first, as an install would be.  When ``../shared/reference/docker-gen`` is present, the Go docker-gen runs the same
command in the same rounds.  In-process figures (CPU time, median) split the work: parse only;
parse, generate, compile and render; load from the cache and render; render only.

    python bench/oneshot_cache.py [--runs 15] [--baseline REV]

``--baseline REV`` also times the parse and the first compile of git revision REV (its package
exported to a temporary directory) against this checkout, in fresh processes, alternating.

Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import GO_NAMES, REPO, append_results, compile_package, docker_gen_command  # noqa: E402
from timing import cpu_median_ms  # noqa: E402

from reference_support import SHARED  # noqa: E402  (../shared/, found from a worktree too)

WORKLOAD = SHARED / "reference" / "workloads" / "nginx-proxy-nginx.tmpl"
GO_DOCKER_GEN = SHARED / "reference" / "docker-gen"
NO_CONTAINERS = ["-container-filter", "label=nonexistent=1"]


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float, bytes]:
    """Wall time, CPU time (user + system: steadier than the wall on a busy machine), output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise SystemExit(f"{command} failed: {result.stderr.decode(errors='replace')}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, result.stdout


def one_shots(template: Path, runs: int, work: Path, env: dict[str, str]) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU times of the variants, alternating; the outputs must all be the same."""
    ours = [*docker_gen_command(), "-template-engine", "go", *NO_CONTAINERS]
    warm = work / f"warm-{template.stem}"
    variants = {
        "off": lambda: [*ours, "-template-cache", "off", str(template)],
        "cold": lambda: [*ours, "-template-cache", tempfile.mkdtemp(prefix="cold-", dir=work), str(template)],
        "warm": lambda: [*ours, "-template-cache", str(warm), str(template)],
    }
    if GO_DOCKER_GEN.exists():
        variants["docker-gen (Go)"] = lambda: [str(GO_DOCKER_GEN), *NO_CONTAINERS, str(template)]
    outputs = {name: run_once(make(), env)[2] for name, make in variants.items()}  # warms the cache and the page cache
    if len(set(outputs.values())) != 1:
        kept = Path(tempfile.mkdtemp(prefix="oneshot_cache-"))
        for name, out in outputs.items():
            (kept / f"{name.split()[0]}.out").write_bytes(out)
        raise SystemExit(f"outputs differ (kept in {kept})")
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in variants}
    order = list(variants)
    shuffle = random.Random(21).shuffle  # each round in another order: no variant always runs first
    for _ in range(runs):
        shuffle(order)
        for name in order:
            wall, cpu, _ = run_once(variants[name](), env)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    return times


def phases(template: Path) -> dict[str, float]:
    """CPU time (ms, median of 15) of each part of the work, in this process."""
    from dockergen.gotemplate.cache import TemplateCache
    from dockergen.gotemplate.context import make_root
    from dockergen.gotemplate.template import TemplateSet
    from dockergen.model import Docker

    root = make_root([], Docker(), {}, None)
    cache = TemplateCache(tempfile.mkdtemp(prefix="phases-"))
    try:
        TemplateSet.from_files(str(template), cache).execute(root)  # imports everything; writes the entry
        warm = TemplateSet.from_files(str(template), cache)
        warm.execute(root)

        return {
            "parse": cpu_median_ms(lambda: TemplateSet.from_files(str(template)), 15),
            "parse + generate + compile + render":
                cpu_median_ms(lambda: TemplateSet.from_files(str(template)).execute(root), 15),
            "load from the cache + render":
                cpu_median_ms(lambda: TemplateSet.from_files(str(template), cache).execute(root), 15),
            "render only": cpu_median_ms(lambda: warm.execute(root), 15),
        }
    finally:
        shutil.rmtree(cache.directory, ignore_errors=True)


# Parse, and parse + generate + compile + render, of one template: CPU ms, median of 21 (no cache).
_COMPILE_TIMES = """
import gc, json, sys
gc.disable()
from dockergen.gotemplate.context import make_root
from dockergen.gotemplate.template import TemplateSet
from dockergen.model import Docker
sys.path.insert(0, sys.argv[2])
from timing import cpu_median_ms
path, root = sys.argv[1], make_root([], Docker(), {}, None)
TemplateSet.from_files(path).execute(root)
print(json.dumps([cpu_median_ms(lambda: TemplateSet.from_files(path), 21),
                  cpu_median_ms(lambda: TemplateSet.from_files(path).execute(root), 21)]))
"""


def compile_times(revision: str, template: Path, rounds: int = 7) -> list[str]:
    """Parse and first-compile CPU times of ``revision`` and of this checkout, alternating."""
    with tempfile.TemporaryDirectory(prefix="baseline-") as baseline:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "dockergen"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", baseline], input=archive.stdout, check=True)
        subprocess.run([sys.executable, "-m", "compileall", "-q", baseline], check=True)
        found: dict[str, list[list[float]]] = {revision: [], "this checkout": []}
        for _ in range(rounds):
            for name, path in ((revision, baseline), ("this checkout", str(REPO))):
                done = subprocess.run([sys.executable, "-c", _COMPILE_TIMES, str(template), str(REPO / "bench")], capture_output=True,
                                      text=True, check=True, env={**os.environ, "PYTHONPATH": path})
                found[name].append(json.loads(done.stdout))
    lines = [f"Parse, and parse + generate + compile + render (no container), of nginx-proxy's nginx.tmpl without "
             f"the cache: CPU ms, median of 21 in a fresh process; the median (and the least) of {rounds} "
             f"alternating processes.", "",
             "| code | parse | parse + generate + compile + render |", "|---|---:|---:|"]
    for name, values in found.items():
        cells = [f"{statistics.median(v[i] for v in values):.1f} ({min(v[i] for v in values):.1f})" for i in (0, 1)]
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--note", default="", help="added to the title in bench/results.md")
    parser.add_argument("--baseline", metavar="REV", help="also time parse and compile of this git revision")
    args = parser.parse_args()
    if not WORKLOAD.exists():
        print(f"skipped: nginx-proxy's template is not here ({WORKLOAD})")
        return
    compile_package()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryDirectory(prefix="oneshot_cache-") as tmp:
        work = Path(tmp)
        templates = {"nginx-proxy's nginx.tmpl": work / "nginx.tmpl", "names (`{{ range $ }}{{ .Name }}`)": work / "names.tmpl"}
        templates["nginx-proxy's nginx.tmpl"].write_text(WORKLOAD.read_text(encoding="utf-8"), encoding="utf-8")
        templates["names (`{{ range $ }}{{ .Name }}`)"].write_text(GO_NAMES)
        results = {name: one_shots(path, args.runs, work, env) for name, path in templates.items()}
        split = {name: phases(path) for name, path in templates.items()}
        baseline = compile_times(args.baseline, templates["nginx-proxy's nginx.tmpl"]) if args.baseline else []
    names = list(next(iter(results.values())))
    lines = [
        (f"One-shot `docker-gen -template-engine go -container-filter label=nonexistent=1 T` on the Docker engine "
         f"(no container selected), package byte-compiled, {args.runs} rounds of one run of each (shuffled order); "
         f"wall time p50 (min), "
         f"then CPU time (user + system) p50. "
         f"off = `-template-cache off`; cold = an empty cache directory each run (parse, compile, write); warm = the "
         f"entry loaded. Go = the reference docker-gen in the same rounds, same output."),
        "",
        "| template | time | " + " | ".join(names) + " | warm / off | warm / Go |",
        "|---|---|" + "---:|" * (len(names) + 2),
    ]
    for template, times in results.items():
        for label, index in (("wall", 0), ("CPU", 1)):
            p50 = {name: statistics.median(values[index]) for name, values in times.items()}
            cells = [f"{p50[name]:.3f} s" + (f" ({min(times[name][index]):.3f})" if index == 0 else "") for name in names]
            go = p50.get("docker-gen (Go)")
            lines.append(f"| {template} | {label} | " + " | ".join(cells) + f" | {p50['warm'] / p50['off']:.2f}x | "
                         + (f"{p50['warm'] / go:.2f}x |" if go else "- |"))
    lines += ["", "In-process CPU time (median of 15, ms):", "",
              "| template | " + " | ".join(next(iter(split.values()))) + " |",
              "|---|" + "---:|" * len(next(iter(split.values())))]
    for template, parts in split.items():
        lines.append(f"| {template} | " + " | ".join(f"{value:.1f}" for value in parts.values()) + " |")
    if baseline:
        lines += ["", *baseline]
    append_results("bench/oneshot_cache.py: one-shot Go templates with the compiled-template cache off / cold / warm"
                   + (f" ({args.note})" if args.note else ""), lines)


if __name__ == "__main__":
    main()
