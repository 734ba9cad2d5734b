"""Pathological regular expressions against crafted container values, through every entry point.

Each pattern is one a backtracking matcher explores in exponential time on the
input given (nested and overlapping quantifiers, overlapping alternations, a
long optional chain); the input is a container's ``VIRTUAL_HOST`` (and label),
1 KB, 10 KB and 100 KB long.  Entry points: Sprig's regexMatch, regexFind,
regexFindAll, regexReplaceAll, regexReplaceAllLiteral and regexSplit in a Go
template (the ``must`` variants share their code), docker-gen's
whereLabelValueMatches in a Go template and in a Jinja2 template.  A figure is
the median of 5 renders of the whole template (``dockergen.pipeline.render.Template``),
the pattern already compiled by a warm-up render.

"Before" runs the same renders on the code before dockergen.golang.regexp (the
parent of the commit that deleted dockergen/gotemplate/re2.py, taken with
``git archive``): Python's backtracking ``re``, one render per case in a child
process killed after --timeout seconds, for two entry points and small inputs.

"Go" is regexMatch at the largest size in the real Go engine
(../shared/reference/gotmpl-oracle, when present): the best of 5 runs of a
case that builds the value and matches it, less the best of 5 that only
builds it (so process start-up cancels out, within a millisecond or two).

Usage: python bench/regex.py [--sizes 1000,10000,100000] [--before-sizes 20,1000] [--timeout 10] [--shared DIR]
Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHAIN = 30  # a?{n}a{n} written out: 2**30 ways to fail

# name -> (pattern, unit, last): the crafted value of length n is the unit repeated, then `last`.
CASES = {
    "hostname `^([a-z0-9]+-?)*[a-z0-9]+$`": ("^([a-z0-9]+-?)*[a-z0-9]+$", "a", "_"),
    "nested `(a+)+$`": ("(a+)+$", "a", "b"),
    "overlapping `(a|aa)+$`": ("(a|aa)+$", "a", "b"),
    "optional `^(a|a?)+$`": ("^(a|a?)+$", "a", "b"),
    "words `^(\\w+\\s?)*$`": ("^(\\w+\\s?)*$", "word ", "!"),
    f"chain `^(a?){{{CHAIN}}}a{{{CHAIN}}}$` written out": ("^" + "a?" * CHAIN + "a" * CHAIN + "$", "a", "a"),
}


def crafted(case: str, n: int) -> str:
    _, unit, last = CASES[case]
    return (unit * n)[: n - 1] + last

_EACH = "{{ $p := .Env.PATTERN }}{{ range $ }}{{ $v := .Env.VIRTUAL_HOST }}%s{{ end }}"
ENTRIES = {
    "regexMatch": ("go", _EACH % "{{ regexMatch $p $v }}"),
    "regexFind": ("go", _EACH % "{{ len (regexFind $p $v) }}"),
    "regexFindAll": ("go", _EACH % "{{ len (regexFindAll $p $v -1) }}"),
    "regexReplaceAll": ("go", _EACH % '{{ len (regexReplaceAll $p $v "<$1>") }}'),
    "regexReplaceAllLiteral": ("go", _EACH % '{{ len (regexReplaceAllLiteral $p $v "x") }}'),
    "regexSplit": ("go", _EACH % "{{ len (regexSplit $p $v -1) }}"),
    "whereLabelValueMatches (Go)": ("go", '{{ len (whereLabelValueMatches $ "host" .Env.PATTERN) }}'),
    "whereLabelValueMatches (Jinja2)": ("jinja2", "{{ whereLabelValueMatches(containers, 'host', env.PATTERN)|length }}"),
}
BEFORE_ENTRIES = ("regexMatch", "whereLabelValueMatches (Jinja2)")


def measure(entry: str, case: str, sizes: list[int], repeats: int) -> dict[int, float]:
    """Median render time per size, in this process (whichever dockergen is first on sys.path)."""
    from dockergen.model import Docker, RuntimeContainer
    from dockergen.pipeline.render import RenderInput, Template

    engine, source = ENTRIES[entry]
    pattern = CASES[case][0]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "main.tmpl"
        path.write_text(source)
        template = Template(str(path), engine=engine, keep_blank_lines=True)

        def render(text: str) -> float:
            container = RuntimeContainer(ID="1", Name="bench", Env={"VIRTUAL_HOST": text}, Labels={"host": text})
            data = RenderInput(containers=[container], docker=Docker(), env={"PATTERN": pattern})
            started = time.perf_counter()
            template.render(data)
            return time.perf_counter() - started

        render("ab")  # compiles the pattern
        return {size: statistics.median(render(crafted(case, size)) for _ in range(repeats)) for size in sizes}


def in_child(pythonpath: Path, entry: str, case: str, sizes: list[int], repeats: int, timeout: float) -> dict[int, float] | None:
    """``measure`` in a child process with ``pythonpath`` first; None when it ran out of time."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, __file__, "--child", json.dumps([entry, case, sizes, repeats])]
    try:
        done = subprocess.run(command, capture_output=True, env=env, timeout=timeout, check=True, cwd=pythonpath)
    except subprocess.TimeoutExpired:
        return None
    return {int(size): seconds for size, seconds in json.loads(done.stdout).items()}


def old_tree(directory: Path) -> str:
    """The dockergen package as it was before dockergen.golang.regexp, unpacked in ``directory``."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()

    deleting = git("log", "-1", "--format=%H", "--diff-filter=D", "--", "dockergen/gotemplate/re2.py")
    if not deleting:
        raise SystemExit("no commit deletes dockergen/gotemplate/re2.py: cannot find the old engine")
    archive = directory / "old.tar"
    subprocess.run(["git", "archive", "-o", str(archive), f"{deleting}^", "dockergen"], cwd=REPO, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(directory, filter="data")
    return git("rev-parse", "--short", f"{deleting}^")


def go_match_seconds(shared: Path, case: str, size: int) -> float | None:
    """Go's regexMatch of the crafted value, by difference (None without the oracle)."""
    oracle = shared / "reference" / "gotmpl-oracle"
    contexts = shared / "go-template-vectors" / "contexts"
    if not oracle.is_file():
        return None
    pattern, unit, last = CASES[case]
    value = f"(print (substr 0 {size - 1} (repeat {size} {json.dumps(unit)})) {json.dumps(last)})"

    def best(template: str) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            cases = Path(tmp) / "cases.json"
            cases.write_text(json.dumps([{"name": "c", "context": "empty", "files": {"main.tmpl": template}}]))
            runs = []
            for _ in range(5):
                started = time.perf_counter()
                subprocess.run([str(oracle), "-j", "1", str(cases), str(contexts)], capture_output=True, check=True)
                runs.append(time.perf_counter() - started)
            return min(runs)

    return max(0.0, best(f"{{{{ regexMatch {json.dumps(pattern)} {value} }}}}") - best(f"{{{{ len {value} }}}}"))


def seconds(value: float | None, timeout: float) -> str:
    if value is None:
        return f"> {timeout:g} s"
    return f"{value * 1000:.2f} ms" if value < 1 else f"{value:.2f} s"


def size_name(size: int) -> str:
    return f"{size // 1000} KB" if size >= 1000 and size % 1000 == 0 else f"{size} B"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--before-sizes", default="20,1000", help="input sizes for the old engine ('' to skip)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a child is killed")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"), help="where reference/gotmpl-oracle is")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        entry, case, sizes, repeats = json.loads(args.child)
        print(json.dumps(measure(entry, case, sizes, repeats)))
        return

    sys.path.insert(0, str(REPO / "bench"))
    from common import append_results

    sizes = [int(s) for s in args.sizes.split(",")]
    before_sizes = [int(s) for s in args.before_sizes.split(",") if s]
    after: dict[tuple[str, str], dict[int, float] | None] = {}
    for case in CASES:
        for entry in ENTRIES:
            after[entry, case] = in_child(REPO, entry, case, sizes, args.repeats, timeout=600)
            print(f"after  {entry:32} {case:45} {after[entry, case]}", file=sys.stderr)
    before: dict[tuple[str, str, int], float | None] = {}
    old = "-"
    if before_sizes:
        with tempfile.TemporaryDirectory() as tmp:
            old = old_tree(Path(tmp))
            for case in CASES:
                for entry in BEFORE_ENTRIES:
                    for size in before_sizes:
                        got = in_child(Path(tmp), entry, case, [size], 1, args.timeout)
                        before[entry, case, size] = None if got is None else got[size]
                        print(f"before {entry:32} {case:45} {size} {before[entry, case, size]}", file=sys.stderr)

    go = {case: go_match_seconds(Path(args.shared), case, sizes[-1]) for case in CASES}
    head = ["pattern (crafted value)", "entry point", *(size_name(s) for s in sizes)]
    head += [f"before, {size_name(s)}" for s in before_sizes]
    head += [f"Go, {size_name(sizes[-1])}"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for case in CASES:
        for entry in ENTRIES:
            figures = after[entry, case]
            cells = [seconds(None if figures is None else figures[s], 600) for s in sizes]
            for size in before_sizes:
                cells.append(seconds(before[entry, case, size], args.timeout) if entry in BEFORE_ENTRIES else "")
            cells.append(seconds(go[case], 0) if entry == "regexMatch" and go[case] is not None else "")
            lines.append(f"| {case.replace('|', chr(92) + '|')} | {entry} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"After: dockergen.golang.regexp (RE2), median of {args.repeats} renders. Before: Python's re, the "
        f"code at {old}, one render per case, killed after {args.timeout:g} s. Go: regexMatch in gotmpl-oracle "
        "(Go 1.25), by difference of two timed runs.",
    ]
    append_results("bench/regex.py (pathological patterns through every regex entry point)", lines)


if __name__ == "__main__":
    main()
