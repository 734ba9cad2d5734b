"""Finding the containers whose data breaks a render or its check, by bisection.

One container with a hostile value must not keep every other change from
going live.  ``find_culprits`` tests subsets of the container list: each
culprit costs about log2(N) + 1 attempts, so one bad container among 200 is
found in about 10 renders/checks instead of 200.  Containers are assumed to
fail independently of each other (a subset fails iff it holds a culprit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Attempt(NamedTuple):
    ok: bool
    reason: str = ""


@dataclass
class Search(Generic[T]):
    """Outcome of a culprit search."""

    culprits: dict[int, str] = field(default_factory=dict)  # index in the input list -> reason
    attempts: int = 0
    passing: list[T] | None = None  # the subset whose attempt succeeded last (None: gave up)


def find_culprits(
    items: Sequence[T],
    attempt: Callable[[list[T]], Attempt],
    *,
    first: Attempt | None = None,
    max_culprits: int = 16,
) -> Search[T]:
    """Remove culprits from ``items`` until ``attempt`` succeeds on the rest.

    ``first`` is the already known (failed) attempt on all items, if any.
    Gives up (``passing`` None) when the empty list fails too (the template or
    check is broken for everyone) or after ``max_culprits`` culprits.
    """
    search: Search[T] = Search()

    def run(indices: list[int]) -> Attempt:
        search.attempts += 1
        return attempt([items[i] for i in indices])

    rest = list(range(len(items)))
    result = first if first is not None else run(rest)
    if result.ok:
        search.passing = list(items)
        return search
    if not rest or not run([]).ok:
        return search
    while not result.ok:
        if len(search.culprits) >= max_culprits:
            return search
        culprit, reason = _find_one(rest, run, result.reason)
        search.culprits[culprit] = reason
        rest.remove(culprit)
        result = run(rest)
    search.passing = [items[i] for i in rest]
    return search


def _find_one(candidates: list[int], run: Callable[[list[int]], Attempt], reason: str) -> tuple[int, str]:
    """Binary search for one culprit in a failing candidate list (one attempt per halving)."""
    while len(candidates) > 1:
        half = candidates[: len(candidates) // 2]
        result = run(half)
        if result.ok:
            candidates = candidates[len(candidates) // 2 :]  # the failure is in the other half
        else:
            candidates, reason = half, result.reason
    return candidates[0], reason
