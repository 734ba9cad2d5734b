"""The Go engine against the golden vectors of ../shared/go-template-vectors/.

Every case was produced by the real Go text/template with Sprig and
docker-gen's function map; the engine must give the same bytes, or fail at
the same stage with the same message (and the same partial output).
"""

from __future__ import annotations

import base64
import json
import os
import re
from pathlib import Path

import pytest

from dockergen.gotemplate.context import load_fixture
from dockergen.gotemplate.errors import ExecError, ParseError
from dockergen.gotemplate.template import TemplateSet

# ../shared/ next to the checkout; a git worktree one level deeper (wt/NAME) finds the same one.
VECTORS = next(
    (p / "shared" / "go-template-vectors" for p in Path(__file__).resolve().parents[4:6]
     if (p / "shared" / "go-template-vectors").is_dir()),
    Path(__file__).resolve().parents[4] / "shared" / "go-template-vectors",
)
DIR_TOKEN = "@DIR@"


def _cases() -> list:
    if not (VECTORS / "cases").is_dir():
        return [pytest.param(None, id="vectors-missing", marks=pytest.mark.skip(
            reason=f"the Go template vectors are not here ({VECTORS}): conformance not checked"))]
    params = []
    for path in sorted((VECTORS / "cases").glob("*.json")):
        family = path.stem
        for case in json.loads(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{family}/{case['name']}"))
    return params


def _run(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str | None, tuple | None]:
    directory = str(tmp_path)
    files = case["files"]
    template_files = ["main.tmpl"] + sorted(name for name in files if name != "main.tmpl" and "/" not in name)
    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.replace(DIR_TOKEN, directory).encode("utf-8", "surrogateescape"))
    root, env = load_fixture(VECTORS / "contexts" / f"{case['context']}.json")
    for key in list(os.environ):
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    spec = ";".join(str(tmp_path / name) for name in template_files)
    monkeypatch.chdir(tmp_path)
    try:
        templates = TemplateSet.from_files(spec)
    except ParseError as exc:
        return None, ("parse", str(exc).replace(directory, DIR_TOKEN), "")
    try:
        output = templates.execute(root)
    except ExecError as exc:
        return None, ("exec", str(exc).replace(directory, DIR_TOKEN), exc.partial_output.replace(directory, DIR_TOKEN))
    return output.replace(directory, DIR_TOKEN), None


@pytest.mark.parametrize("case", _cases())
def test_vector(case: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    output, error = _run(case, tmp_path, monkeypatch)
    expected_error = case.get("error")
    if expected_error:
        assert output is None, f"expected a {expected_error['stage']} error, got output {output!r}"
        assert error is not None
        assert (error[0], error[1]) == (expected_error["stage"], expected_error["message"])
        partial = expected_error.get("partial_output")
        if "partial_output_base64" in expected_error:
            partial = base64.b64decode(expected_error["partial_output_base64"]).decode("utf-8", "surrogateescape")
        assert error[2] == partial
        return
    assert error is None, f"unexpected error: {error[1]}"
    if case.get("output_base64") is not None:
        assert output.encode("utf-8", "surrogateescape") == base64.b64decode(case["output_base64"])
    elif case.get("output_regex") is not None:
        assert re.fullmatch(case["output_regex"], output), output
    else:
        assert output == case["output"]
