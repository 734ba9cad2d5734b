"""One-shot render of a names template with 100 and 500 running containers: wall and CPU time, peak memory.

Measured for the Jinja2 template and for its Go (docker-gen syntax) twin, and
next to them, in the same rounds: the Go docker-gen (``../shared/reference/docker-gen``)
on the Go twin, and a bare ``python -c "import jinja2"`` with the same
interpreter (a one-shot cannot start faster than the template engine's own
import, so the ratio to it says how much dockergen adds on this machine,
whatever its speed).  The runs are interleaved (one of each per round), so a
busy moment of the machine hits all of them alike.  Without the reference
docker-gen its column says so and the rest is measured.

Usage: python bench/oneshot.py [--runs 15] [--counts 100,500] [--note TEXT] [--baseline CMD]
Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile

from common import (
    GO_NAMES, NAMES, Run, append_results, compile_package, docker_gen_command, engine_support, load_average, ratio,
    start_containers, timed_run,
)

from reference_support import SHARED  # noqa: E402  (common puts tests/ on sys.path)

REFERENCE = SHARED / "reference" / "docker-gen"  # the Go docker-gen, when ../shared/ is here
GO = "docker-gen (Go)"


def measure_round_robin(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, list[Run]]:
    """Each command ``runs`` times, one of each per round."""
    measured: dict[str, list[Run]] = {name: [] for name in commands}
    for command in commands.values():
        timed_run(command, env)  # warm the page cache
    for _ in range(runs):
        for name, command in commands.items():
            measured[name].append(timed_run(command, env))
    return measured


def p50(runs: list[Run], field: str) -> float:
    """The median of one figure over runs."""
    return statistics.median(getattr(run, field) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--counts", default="100,500")
    parser.add_argument("--note", default="", help="added to the title in bench/results.md (e.g. which code ran)")
    parser.add_argument("--baseline", default="", metavar="CMD",
                        help="another docker-gen command run in the same rounds, on both templates, e.g. "
                             "'env PYTHONPATH=../old-checkout .venv/bin/python -m dockergen'")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    compile_package()
    reference = REFERENCE.exists()
    if not reference:
        print(f"no reference docker-gen at {REFERENCE}: its column stays empty")
    session = engine_support.EngineSession()
    templates = {}
    for engine, text in (("jinja2", NAMES), ("go", GO_NAMES)):
        handle = tempfile.NamedTemporaryFile("w", suffix=".tmpl", delete=False)
        handle.write(text)
        handle.close()
        templates[engine] = handle.name
    env = dict(os.environ)
    bare = [sys.executable, "-c", "import jinja2"]
    lines = [
        "| containers | program | wall p50 (s) | wall min (s) | × bare `import jinja2` (wall p50) | × Go docker-gen "
        "(wall p50) | CPU p50 (s) | × Go docker-gen (CPU p50) | peak RSS p50 (MiB) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    load_before = load_average()
    try:
        for count in counts:
            start_containers(session, count)
            flt = ["-container-filter", f"label={session.label_filter}"]
            commands = {engine: [*docker_gen_command(), *flt, path] for engine, path in templates.items()}
            if args.baseline:
                commands.update({f"baseline, {engine}": [*shlex.split(args.baseline), *flt, path]
                                 for engine, path in templates.items()})
            if reference:
                commands[GO] = [str(REFERENCE), *flt, templates["go"]]
            commands["bare"] = bare
            results = measure_round_robin(commands, env, args.runs)
            bare_wall = p50(results["bare"], "wall")
            for name in [name for name in commands if name != "bare"]:
                runs = results[name]
                rendered = {len(run.stdout.splitlines()) for run in runs}
                if rendered != {count}:
                    raise SystemExit(f"{name}: rendered {sorted(rendered)} names, expected {count}")
                wall, cpu = p50(runs, "wall"), p50(runs, "cpu")
                if reference:
                    versus_go = f"{ratio(wall, p50(results[GO], 'wall'))} | {cpu:.3f} | {ratio(cpu, p50(results[GO], 'cpu'))}"
                else:
                    versus_go = f"no reference here | {cpu:.3f} | -"
                lines.append(
                    f"| {count} | {name} | {wall:.3f} | {min(run.wall for run in runs):.3f} | {ratio(wall, bare_wall)} | "
                    f"{versus_go} | {p50(runs, 'peak_mib'):.1f} |"
                )
                print(lines[-1], flush=True)
            lines.append(
                f"| {count} | bare `python -c \"import jinja2\"` | {bare_wall:.3f} | "
                f"{min(run.wall for run in results['bare']):.3f} | 1.00 | - | {p50(results['bare'], 'cpu'):.3f} | - | - |"
            )
            print(lines[-1], flush=True)
    finally:
        session.cleanup()
        for path in templates.values():
            os.unlink(path)
    lines.append("")
    lines.append(f"CPU time (user + system, all threads) and peak RSS from GNU time; load average before / after: "
                 f"{load_before} / {load_average()}.")
    if args.baseline:
        lines.append(f"baseline: `{args.baseline}`")
    note = f", {args.note}" if args.note else ""
    append_results(f"bench/oneshot.py (one-shot names template, {args.runs} interleaved runs each{note})", lines)


if __name__ == "__main__":
    main()
