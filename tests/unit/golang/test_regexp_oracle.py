"""dockergen.golang.regexp against Go itself (../shared/reference/gotmpl-oracle, Go 1.25).

Two sets of cases run through the real Go engine in one batch: the tables of
test_regexp.py (each expected value must be Go's), and a few thousand random
patterns and texts (seeded) whose Sprig results must equal those of our Go
engine byte for byte: matches, captures in ReplaceAll, Split, and error texts.
"""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest

from dockergen.gotemplate.context import load_fixture
from dockergen.gotemplate.errors import ExecError
from dockergen.gotemplate.template import TemplateSet

from .test_regexp import CASES, ERRORS

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
ORACLE = SHARED / "reference" / "gotmpl-oracle"
CONTEXTS = SHARED / "go-template-vectors" / "contexts"

pytestmark = pytest.mark.skipif(
    not (ORACLE.is_file() and CONTEXTS.is_dir()), reason=f"the Go oracle is not here ({ORACLE}): Go not consulted"
)


def go_string(text: str) -> str:
    """A Go string literal; lone surrogates are the invalid bytes they stand for."""
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def listed(call: str) -> str:
    return "{{ range " + call + " }}[{{ . }}]{{ end }}"


def case_template(method: str, pattern: str, text: str, arg: object) -> str:
    p, s = go_string(pattern), go_string(text)
    calls = {
        "match": f"{{{{ mustRegexMatch {p} {s} }}}}",
        "find": f"{{{{ mustRegexFind {p} {s} }}}}",
        "find_all": listed(f"(mustRegexFindAll {p} {s} {arg})"),
        "replace": f"{{{{ mustRegexReplaceAll {p} {s} {go_string(str(arg))} }}}}",
        "replace_literal": f"{{{{ mustRegexReplaceAllLiteral {p} {s} {go_string(str(arg))} }}}}",
        "split": listed(f"(mustRegexSplit {p} {s} {arg})"),
    }
    return calls[method]


def printed(value: object) -> str:
    """What the template above prints for one of our expected values."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list) or value is None:
        return "".join(f"[{item}]" for item in value or ())
    return str(value)


def random_cases(seed: int, count: int) -> list[str]:
    """Templates over random patterns built from pieces whose meaning differs most between engines."""
    rnd = random.Random(seed)
    atoms = ["a", "b", "é", ".", "[ab]", "[^a]", "\\b", "\\B", "^", "$", "(?m:^)", "(?m:$)", "\\w", "(?i)A", ""]
    broken = ["(", ")", "[", "*", "{2,1}", "\\", "\\p{", "(?P<", "\\8", "{1001}", "(?", "\\Q", "\\E", "??"]

    def pattern(depth: int) -> str:
        r = rnd.random()
        if depth > 3 or r < 0.3:
            return rnd.choice(atoms + broken[: 1 if rnd.random() < 0.9 else len(broken)])
        if r < 0.5:
            return pattern(depth + 1) + pattern(depth + 1)
        if r < 0.6:
            return pattern(depth + 1) + "|" + pattern(depth + 1)
        if r < 0.8:
            return "(" + pattern(depth + 1) + ")"
        ops = ["*", "+", "?", "*?", "+?", "??", "{2}", "{1,2}", "{0,}", "{2,}?", "{0}"]
        return "(?:" + (pattern(depth + 1) or "a") + ")" + rnd.choice(ops)

    templates = []
    for _ in range(count):
        p = go_string(pattern(0))
        s = go_string("".join(rnd.choice(["a", "b", "é", " ", "\n", "A", "\udcff"]) for _ in range(rnd.randint(0, 7))))
        repl = go_string(rnd.choice(["<$1|$2|$3>", "[$0]", "<${1}${2}>", "$$"]))
        templates.append(
            "{{ $p := " + p + " }}{{ $s := " + s + " }}"
            + listed("(mustRegexFindAll $p $s -1)") + "|{{ mustRegexReplaceAll $p $s " + repl + " }}|"
            + listed("(mustRegexSplit $p $s -1)") + "|" + listed("(mustRegexSplit $p $s 2)") + "|"
            + "{{ mustRegexReplaceAllLiteral $p $s \"-\" }}|{{ mustRegexFind $p $s }}"
        )
    return templates


TABLE = [case_template(*case[:4]) for case in CASES]
REFUSED = [f"{{{{ mustRegexMatch {go_string(pattern)} \"\" }}}}" for pattern, _ in ERRORS]
RANDOM = random_cases(seed=2024, count=2000)


@pytest.fixture(scope="module")
def go(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str | None, str | None]]:
    """Go's output (or error message) for every template above, from one oracle run."""
    templates = list(dict.fromkeys(TABLE + REFUSED + RANDOM))
    cases = [{"name": str(i), "context": "empty", "files": {"main.tmpl": t}} for i, t in enumerate(templates)]
    path = tmp_path_factory.mktemp("oracle") / "cases.json"
    path.write_text(json.dumps(cases))
    done = subprocess.run([str(ORACLE), "-j", "2", str(path), str(CONTEXTS)], capture_output=True, check=True)
    results = {}
    for template, result in zip(templates, json.loads(done.stdout)):
        output = result.get("output")
        if result.get("output_base64") is not None:
            import base64

            output = base64.b64decode(result["output_base64"]).decode("utf-8", "surrogateescape")
        results[template] = (output, (result.get("error") or {}).get("message"))
    return results


def ours(template: str) -> tuple[str | None, str | None]:
    root, _ = load_fixture(CONTEXTS / "empty.json")
    try:
        return TemplateSet([("main.tmpl", template)]).execute(root), None
    except ExecError as exc:
        return None, str(exc)


@pytest.mark.parametrize(("template", "case"), list(zip(TABLE, CASES)))
def test_table_values_are_gos(go: dict, template: str, case: tuple) -> None:
    assert go[template] == (printed(case[4]), None)


@pytest.mark.parametrize(("template", "error"), list(zip(REFUSED, ERRORS)))
def test_table_errors_are_gos(go: dict, template: str, error: tuple) -> None:
    output, message = go[template]
    # The oracle's JSON shows an invalid byte as U+FFFD.
    expected = "error parsing regexp: " + error[1].translate({cp: 0xFFFD for cp in range(0xDC80, 0xDD00)})
    assert output is None and message is not None and message.endswith(expected)


def test_random_patterns_match_go(go: dict) -> None:
    different = [(t, go[t], ours(t)) for t in RANDOM if go[t] != ours(t)]
    assert not different, f"{len(different)} of {len(RANDOM)} differ; first: {different[0]}"
