"""CPU timing of a piece of work, shared by the benchmarks and the fresh processes they start
(stdlib only: a process timing its own start-up must not import the engine session)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def cpu_median_ms(work: Callable[[], Any], rounds: int) -> float:
    """The median CPU time of ``rounds`` runs of ``work``, in ms."""
    times = []
    for _ in range(rounds):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1e3
