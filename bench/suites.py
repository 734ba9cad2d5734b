"""How long the test suites take: the unit tests alone, and the engine tests alone.

Usage: python bench/suites.py [--suites unit,engine]

Each suite runs once through pytest (``-m "not engine"`` / ``-m engine``) in
this checkout's environment, the way ``bash scripts/test`` runs the whole
suite; the figures (tests, seconds) are printed and appended to
bench/results.md, so that a suite that grows slower shows up.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time

from common import REPO, append_results

MARKERS = {"unit": "not engine", "engine": "engine"}
SUMMARY = re.compile(r"(\d+) passed")


def run(suite: str) -> tuple[int, float, int]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", MARKERS[suite], "tests"],
        cwd=REPO, capture_output=True, text=True,
    )
    seconds = time.monotonic() - started
    found = SUMMARY.search(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "")
    return (int(found.group(1)) if found else 0), seconds, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default="unit,engine")
    args = parser.parse_args()
    lines = ["| suite | tests passed | seconds | exit status |", "|---|---|---|---|"]
    for suite in args.suites.split(","):
        passed, seconds, status = run(suite)
        lines.append(f"| {suite} (`-m \"{MARKERS[suite]}\"`) | {passed} | {seconds:.0f} | {status} |")
        print(lines[-1], flush=True)
    append_results("bench/suites.py: test suite durations", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
