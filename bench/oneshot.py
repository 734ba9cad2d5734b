"""One-shot render of a names template with 100 and 500 running containers: wall time and peak memory.

Measured for the Jinja2 template and for its Go (docker-gen syntax) twin, and
next to them, in the same rounds: the Go docker-gen (``../shared/reference/docker-gen``)
on the Go twin, and a bare ``python -c "import jinja2"`` with the same
interpreter (a one-shot cannot start faster than the template engine's own
import, so the ratio to it says how much dockergen adds on this machine,
whatever its speed).  The runs are interleaved (one of each per round), so a
busy moment of the machine hits all of them alike.  Without the reference
docker-gen its column says so and the rest is measured.

Usage: python bench/oneshot.py [--runs 15] [--counts 100,500]
Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile

from common import (
    GO_NAMES, NAMES, append_results, compile_package, docker_gen_command, engine_support, start_containers, timed_run,
)

from reference_support import SHARED  # noqa: E402  (common puts tests/ on sys.path)

REFERENCE = SHARED / "reference" / "docker-gen"  # the Go docker-gen, when ../shared/ is here
GO = "docker-gen (Go)"


def measure_round_robin(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, tuple[list[float], list[float], int]]:
    """Each command ``runs`` times, one of each per round; per command: the walls, the peak RSS figures
    and its output lines."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    lines: dict[str, int] = {}
    for command in commands.values():
        timed_run(command, env)  # warm the page cache
    for _ in range(runs):
        for name, command in commands.items():
            wall, peak, output = timed_run(command, env)
            walls[name].append(wall)
            peaks[name].append(peak)
            lines[name] = len(output.splitlines())
    return {name: (walls[name], peaks[name], lines[name]) for name in commands}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--counts", default="100,500")
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
        "| containers | program | wall p50 (s) | wall min (s) | peak RSS p50 (MiB, GNU time) | × bare `import jinja2` (p50) "
        "| × Go docker-gen (p50) |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        for count in counts:
            start_containers(session, count)
            flt = ["-container-filter", f"label={session.label_filter}"]
            commands = {engine: [*docker_gen_command(), *flt, path] for engine, path in templates.items()}
            if reference:
                commands[GO] = [str(REFERENCE), *flt, templates["go"]]
            commands["bare"] = bare
            results = measure_round_robin(commands, env, args.runs)
            bare_p50 = statistics.median(results["bare"][0])
            go_p50 = statistics.median(results[GO][0]) if reference else None
            for name in [*templates, *([GO] if reference else [])]:
                walls, peaks, rendered = results[name]
                if rendered != count:
                    raise SystemExit(f"{name}: rendered {rendered} names, expected {count}")
                p50 = statistics.median(walls)
                versus_go = f"{p50 / go_p50:.2f}" if go_p50 else "no reference here"
                lines.append(
                    f"| {count} | {name} | {p50:.3f} | {min(walls):.3f} | {statistics.median(peaks):.1f} | "
                    f"{p50 / bare_p50:.2f} | {versus_go} |"
                )
                print(lines[-1], flush=True)
            lines.append(
                f"| {count} | bare `python -c \"import jinja2\"` | {bare_p50:.3f} | {min(results['bare'][0]):.3f} | - "
                f"| 1.00 | - |"
            )
            print(lines[-1], flush=True)
    finally:
        session.cleanup()
        for path in templates.values():
            os.unlink(path)
    append_results(f"bench/oneshot.py (one-shot names template, {args.runs} interleaved runs each)", lines)


if __name__ == "__main__":
    main()
