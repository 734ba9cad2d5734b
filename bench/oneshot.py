"""One-shot render of a names template with 100 and 500 running containers: wall time and peak memory.

Measured for the Jinja2 template and for its Go (docker-gen syntax) twin, in the same run.

Usage: python bench/oneshot.py [--runs 5] [--counts 100,500]
Figures are printed and appended to bench/results.md.  The reference is the Go
docker-gen on the same engine: 101 containers 0.153 s / 15.6 MiB; 500: 0.696 s / 16.1 MiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time

from common import GO_NAMES, NAMES, append_results, compile_package, docker_gen_command, engine_support, start_containers

def measure(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], float, int]:
    walls, peaks, lines = [], [], 0
    for _ in range(runs):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        started = time.perf_counter()
        _, status, usage = os.wait4(process.pid, 0)
        walls.append(time.perf_counter() - started)
        out = process.stdout.read()
        err = process.stderr.read()
        process.stdout.close()
        process.stderr.close()
        if status != 0:
            raise SystemExit(f"docker-gen failed: {err.decode()}")
        peaks.append(usage.ru_maxrss / 1024)
        lines = len(out.splitlines())
    return walls, max(peaks), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
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
    lines = [
        "| containers | engine | wall p50 (s) | wall min (s) | peak RSS (MiB) | Go reference |",
        "|---|---|---|---|---|---|",
    ]
    reference = {100: "0.153 s / 15.6 MiB (101)", 500: "0.696 s / 16.1 MiB"}
    try:
        for count in counts:
            start_containers(session, count)
            for engine, path in templates.items():
                command = [*docker_gen_command(), "-container-filter", f"label={session.label_filter}", path]
                measure(command, env, 1)  # warm the page cache
                walls, peak, rendered = measure(command, env, args.runs)
                if rendered != count:
                    raise SystemExit(f"{engine}: rendered {rendered} names, expected {count}")
                lines.append(
                    f"| {count} | {engine} | {statistics.median(walls):.3f} | {min(walls):.3f} | {peak:.1f} | "
                    f"{reference.get(count, '-')} |"
                )
                print(lines[-1], flush=True)
    finally:
        session.cleanup()
        for path in templates.values():
            os.unlink(path)
    append_results(f"bench/oneshot.py (one-shot names template, {args.runs} runs each)", lines)


if __name__ == "__main__":
    main()
