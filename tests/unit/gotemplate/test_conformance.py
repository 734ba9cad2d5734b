"""The Go engine against the golden vectors of ../shared/go-template-vectors/.

Every case was produced by the real Go text/template with Sprig and
docker-gen's function map; the engine must give the same bytes, or fail at
the same stage with the same message (and the same partial output), when
the template is compiled afresh and again when it is loaded from the disk
cache (dockergen.gotemplate.cache).
"""

from __future__ import annotations

import json
import re

import pytest

from gotemplate_cases import expected, run_fresh_and_cached, run_ours
from reference_support import VECTORS

# Cases whose cost is their execution (100 000 nested template calls, RSA key generation,
# scrypt), not their one-line template: run once, compiled afresh, not again from the cache.
EXECUTION_BOUND = frozenset({"exec-max-depth", "genPrivateKey-rsa", "derivePassword-types", "derivePassword"})


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


@pytest.mark.parametrize("case", _cases())
def test_vector(case: dict, tmp_path) -> None:
    if case["name"] in EXECUTION_BOUND:
        check(case, run_ours(case, VECTORS / "contexts"))
        return
    for got in run_fresh_and_cached(case, VECTORS / "contexts", tmp_path / "cache"):
        check(case, got)


def check(case: dict, got: dict) -> None:
    want = expected(case)
    if want["error"]:
        assert got["output"] is None, f"expected a {want['error']['stage']} error, got output {got['output']!r}"
    else:
        assert got["error"] is None, f"unexpected error: {got['error']['message']}"
    if case.get("output_regex") is not None:
        assert re.fullmatch(case["output_regex"], got["output"]), got["output"]
    else:
        assert got == want
