"""Deep ``{{ template }}`` recursion without running into Python's recursion limit.

Go allows 100 000 nested template calls; Python's limit (1000 frames) ends a
recursive template after about 300.  Raising the limit is not safe: it is
process-wide, and C code (``json.loads`` of a nested container label) would
then overflow the C stack of other threads instead of failing cleanly.  So
when a render's Python stack gets deep, the next template call continues on a
fresh thread, which starts with an empty stack, while the caller waits.  Only
one of the threads runs at a time; the render's state passes along unchanged.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

__all__ = ["CHECK_EVERY", "needs_fresh_stack", "run_on_fresh_stack"]

CHECK_EVERY = 4  # template levels between two looks at the stack (recursion is what makes it deep)
_MARGIN = 400  # frames kept free below the limit for the levels until the next look


def needs_fresh_stack() -> bool:
    """Whether this thread's Python stack is too deep for a few more template levels."""
    budget = sys.getrecursionlimit() - _MARGIN
    frame = sys._getframe(1)
    depth = 0
    while frame is not None:
        depth += 1
        if depth > budget:
            return True
        frame = frame.f_back
    return False


def run_on_fresh_stack(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` on a new thread, waiting for it; its exception is raised here."""
    outcome: list[tuple[bool, Any]] = []

    def target() -> None:
        try:
            outcome.append((True, fn(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller as it is
            outcome.append((False, exc))

    thread = threading.Thread(target=target, name="gotemplate-deep-call", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no more threads: deep as Python can go here
        raise RecursionError("no thread left for a deeper template call") from None
    thread.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value
