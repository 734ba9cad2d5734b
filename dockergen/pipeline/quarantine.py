"""Finding the containers whose data breaks a render or its check, by bisection.

One container with a hostile value must not keep every other change from
going live.  ``find_culprits`` tests subsets of the container list: each
culprit costs about log2(N) + 1 attempts, so one bad container among 200 is
found in about 10 renders/checks instead of 200.  Containers are assumed to
fail independently of each other (a subset fails iff it holds a culprit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Attempt(NamedTuple):
    ok: bool
    reason: str = ""


class Search(NamedTuple, Generic[T]):
    """Outcome of a culprit search."""

    culprits: dict[int, str]  # index in the input list -> reason
    attempts: int
    passing: list[T] | None  # the subset whose attempt succeeded last (None: gave up)


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
    culprits: dict[int, str] = {}
    attempts = [0]

    def run(indices: list[int]) -> Attempt:
        attempts[0] += 1
        return attempt([items[i] for i in indices])

    def done(passing: list[T] | None) -> Search[T]:
        return Search(culprits, attempts[0], passing)

    rest = list(range(len(items)))
    result = first if first is not None else run(rest)
    if result.ok:
        return done(list(items))
    if not rest or not run([]).ok:
        return done(None)
    while not result.ok:
        if len(culprits) >= max_culprits:
            return done(None)
        culprit, reason = _find_one(rest, run, result.reason)
        culprits[culprit] = reason
        rest.remove(culprit)
        result = run(rest)
    return done([items[i] for i in rest])


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
