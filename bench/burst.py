"""A burst of container starts under ``-wait 500ms:2s``: how many renders and notifies, and is the end state right.

Usage: python bench/burst.py [--count 200]

Starts ``--count`` containers back to back (8 in parallel) while a watcher
with ``-wait 500ms:2s -notify ...`` runs, then waits until the output lists
all of them.  The goal is at most (burst seconds ÷ 2) + 2 renders: one per
2 s max-wait window, plus the start and the tail.  Figures are printed and
appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from common import NAMES, append_results, compile_package, docker_gen_command, engine_support

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    compile_package()
    session = engine_support.EngineSession()
    workdir = Path(tempfile.mkdtemp(prefix="dockergen-burst-"))
    template, dest, notified, log_path = (workdir / n for n in ("names.tmpl", "out.txt", "notified", "watch.log"))
    template.write_text(NAMES)
    command = [
        *docker_gen_command(), "-watch", "-wait", "500ms:2s", "-notify", f"echo >> {notified}",
        "-container-filter", f"label={session.label_filter}", str(template), str(dest),
    ]
    with open(log_path, "w") as log:
        watcher = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not dest.exists():
            if time.monotonic() > deadline:
                raise SystemExit("the watcher did not render")
            time.sleep(0.05)
        renders_before = log_path.read_text().count("Generated '")
        notifies_before = len(notified.read_text().splitlines()) if notified.exists() else 0
        started = time.monotonic()
        containers = session.create_containers(args.count)
        burst_seconds = time.monotonic() - started
        names = {c.name for c in containers}
        deadline = time.monotonic() + 30
        while not names <= set(dest.read_text().split()):
            if time.monotonic() > deadline:
                raise SystemExit("the output never listed every container")
            time.sleep(0.05)
        time.sleep(3)  # anything still pending would show up now
        renders = log_path.read_text().count("Generated '") - renders_before
        notifies = len(notified.read_text().splitlines()) - notifies_before
        listed = names <= set(dest.read_text().split())
    finally:
        watcher.terminate()
        watcher.wait()
        session.cleanup()
    goal = burst_seconds / 2 + 2
    lines = [
        "| containers | burst (s) | renders | notifies | goal: renders ≤ | all listed at the end |",
        "|---|---|---|---|---|---|",
        f"| {args.count} | {burst_seconds:.1f} | {renders} | {notifies} | {goal:.1f} | {'yes' if listed else 'NO'} |",
    ]
    append_results("bench/burst.py (-wait 500ms:2s, containers started back to back)", lines)


if __name__ == "__main__":
    main()
