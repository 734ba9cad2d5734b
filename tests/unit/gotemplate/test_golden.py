"""dockergen's own golden Go template cases: differences from Go found by the fuzzer, fixed.

``golden/*.json`` holds cases in the vectors' format; every expected
``output``/``error`` was written by the real Go engine (``gotmpl-oracle``),
none by hand: ``python tests/fuzz/gotemplate_fuzz.py --golden FILE`` fills
them in again.  The contexts in ``golden/contexts`` are the project's own, so
these cases run without ``../shared/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gotemplate_cases import expected, run_fresh_and_cached

GOLDEN = Path(__file__).resolve().parent / "golden"


def _cases() -> list:
    params = []
    for path in sorted(GOLDEN.glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}/{case['name']}"))
    return params


@pytest.mark.parametrize("case", _cases())
def test_golden(case: dict, tmp_path) -> None:
    """Compiled afresh, and loaded from the disk cache (dockergen.gotemplate.cache)."""
    assert "output" in case or "error" in case, "no expected result: fill it in with --golden"
    for got in run_fresh_and_cached(case, GOLDEN / "contexts", tmp_path / "cache"):
        assert got == expected(case)
