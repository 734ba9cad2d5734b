"""One-shot render of a names template with 100 and 500 running containers: wall time and peak memory.

Measured for the Jinja2 template and for its Go (docker-gen syntax) twin, and
next to them, in the same rounds, a bare ``python -c "import jinja2"`` with
the same interpreter: a one-shot cannot start faster than the template
engine's own import, so the ratio to it says how much dockergen adds on this
machine, whatever its speed.  The runs are interleaved (one of each per
round), so a busy moment of the machine hits all of them alike.

Usage: python bench/oneshot.py [--runs 15] [--counts 100,500]
Figures are printed and appended to bench/results.md.  The reference is the Go
docker-gen on the same engine: 101 containers 0.153 s / 15.6 MiB; 500: 0.696 s / 16.1 MiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import GO_NAMES, NAMES, append_results, compile_package, docker_gen_command, engine_support, start_containers

REFERENCE = {100: "0.153 s / 15.6 MiB (101)", 500: "0.696 s / 16.1 MiB"}


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time (s) and output lines of one run."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {result.stderr.decode()}")
    return wall, len(result.stdout.splitlines())


def measure_round_robin(commands: dict[str, list[str]], env: dict[str, str], runs: int) -> dict[str, tuple[list[float], int]]:
    """Each command ``runs`` times, one of each per round; per command: the walls and its output lines."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    lines: dict[str, int] = {}
    for command in commands.values():
        run_once(command, env)  # warm the page cache
    for _ in range(runs):
        for name, command in commands.items():
            wall, lines[name] = run_once(command, env)
            walls[name].append(wall)
    return {name: (walls[name], lines[name]) for name in commands}


def peak_rss(command: list[str], env: dict[str, str]) -> float:
    """Peak RSS (MiB) of one run, from the kernel's accounting of the child."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--counts", default="100,500")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]

    compile_package()
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
        "| containers | engine | wall p50 (s) | wall min (s) | peak RSS (MiB) | × bare `import jinja2` (p50) | Go reference |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        for count in counts:
            start_containers(session, count)
            commands = {
                engine: [*docker_gen_command(), "-container-filter", f"label={session.label_filter}", path]
                for engine, path in templates.items()
            }
            commands["bare"] = bare
            results = measure_round_robin(commands, env, args.runs)
            bare_p50 = statistics.median(results["bare"][0])
            for engine in templates:
                walls, rendered = results[engine]
                if rendered != count:
                    raise SystemExit(f"{engine}: rendered {rendered} names, expected {count}")
                p50 = statistics.median(walls)
                lines.append(
                    f"| {count} | {engine} | {p50:.3f} | {min(walls):.3f} | {peak_rss(commands[engine], env):.1f} | "
                    f"{p50 / bare_p50:.2f} | {REFERENCE.get(count, '-')} |"
                )
                print(lines[-1], flush=True)
            lines.append(
                f"| {count} | bare `python -c \"import jinja2\"` | {bare_p50:.3f} | {min(results['bare'][0]):.3f} | - | 1.00 | - |"
            )
            print(lines[-1], flush=True)
    finally:
        session.cleanup()
        for path in templates.values():
            os.unlink(path)
    append_results(f"bench/oneshot.py (one-shot names template, {args.runs} interleaved runs each)", lines)


if __name__ == "__main__":
    main()
