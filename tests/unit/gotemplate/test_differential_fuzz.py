"""The differential fuzzer in CI: a few seeds of generated templates, the real Go engine against ours.

``tests/fuzz/gotemplate_fuzz.py`` generates templates from Go's template
grammar and the whole function map on docker-gen's contexts, runs them
through ``gotmpl-oracle`` and through dockergen's engine, and compares the
bytes.  Locally it runs with many more seeds (``--seeds 1-200``); here a
few fixed ones keep every difference found and fixed from coming back.
"""

from __future__ import annotations

import pytest

from fuzz.gotemplate_fuzz import generate
from gotemplate_cases import available, compare, ignored, run_oracle, run_ours

SEEDS = (1, 2, 3, 4)
CASES_PER_SEED = 300

_missing = available()
needs_go = pytest.mark.skipif(_missing is not None, reason=f"differential fuzzing needs {_missing}")


@pytest.fixture(scope="module")
def go_results() -> dict[int, list[tuple[dict, dict]]]:
    """Each seed's generated cases with the real engine's results, in one oracle run."""
    cases = [case for seed in SEEDS for case in generate(seed, CASES_PER_SEED)]
    results = run_oracle(cases)
    by_seed: dict[int, list[tuple[dict, dict]]] = {seed: [] for seed in SEEDS}
    for index, (case, result) in enumerate(zip(cases, results)):
        by_seed[SEEDS[index // CASES_PER_SEED]].append((case, result))
    return by_seed


@needs_go
@pytest.mark.parametrize("seed", SEEDS)
def test_generated_templates_match_go(seed: int, go_results: dict) -> None:
    mismatches = []
    for case, result in go_results[seed]:
        if ignored(result):  # Go itself crashed or timed out: docker-gen would die
            continue
        mismatch = compare(result, run_ours(case))
        if mismatch is not None:
            mismatches.append(mismatch.describe())
    assert not mismatches, f"{len(mismatches)} of {CASES_PER_SEED} differ:\n" + "\n".join(mismatches[:5])


def test_generation_is_deterministic() -> None:
    assert generate(7, 30) == generate(7, 30)
    assert generate(7, 30) != generate(8, 30)
