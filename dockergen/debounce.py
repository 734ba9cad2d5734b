"""Debouncing bursts of events with docker-gen's ``min:max`` semantics (spec §6.3).

A burst renders once: ``min`` after its last event, but never later than
``max`` after its first.  With no wait (or a zero min) every event renders.
The timing logic is a plain object with an injectable clock so it can be
tested without sleeping; :class:`DebouncedQueue` puts it behind a thread-safe
wait used by each config's worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from dockergen.config import Wait

T = TypeVar("T")


@dataclass
class Debouncer:
    """When the pending burst is due.  Times are seconds on any monotonic clock."""

    wait: Wait
    _min_deadline: float | None = None
    _max_deadline: float | None = None

    @property
    def enabled(self) -> bool:
        return self.wait.min > 0

    @property
    def pending(self) -> bool:
        return self._min_deadline is not None

    def add(self, now: float, immediate: bool = False) -> None:
        """An event arrived: re-arm the min timer, and arm the max timer if the burst is new.

        Without a wait, or for an ``immediate`` trigger, the burst is due at once.
        """
        if immediate or not self.enabled:
            self._min_deadline = self._max_deadline = now
            return
        self._min_deadline = now + self.wait.min
        if self._max_deadline is None:
            self._max_deadline = now + max(self.wait.max, self.wait.min)

    def deadline(self) -> float | None:
        """When the pending burst fires (the earlier of the two timers), or None."""
        if self._min_deadline is None or self._max_deadline is None:
            return None
        return min(self._min_deadline, self._max_deadline)

    def fire_if_due(self, now: float) -> bool:
        """True (and the burst is consumed) when a pending burst is due at ``now``."""
        deadline = self.deadline()
        if deadline is None or now < deadline:
            return False
        self._min_deadline = self._max_deadline = None
        return True


@dataclass
class DebouncedQueue(Generic[T]):
    """Collects triggers for one config and hands them out debounced.

    ``put`` never blocks (the event reader must never wait on a render);
    ``get`` blocks until a burst is due and returns every trigger of it.
    """

    wait: Wait
    clock: Callable[[], float] = time.monotonic
    _items: list[T] = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _closed: bool = False

    def __post_init__(self) -> None:
        self._debouncer = Debouncer(self.wait)

    def put(self, item: T, immediate: bool = False) -> None:
        """Add a trigger; ``immediate`` skips the wait (SIGHUP, template edits)."""
        with self._condition:
            self._items.append(item)
            self._debouncer.add(self.clock(), immediate)
            self._condition.notify()

    def close(self) -> None:
        """Wake the consumer; pending triggers are dropped, as in docker-gen."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def get(self) -> list[T] | None:
        """Block until a burst is due; None once closed."""
        with self._condition:
            while not self._closed:
                now = self.clock()
                if self._debouncer.fire_if_due(now):
                    items, self._items = self._items, []
                    return items
                deadline = self._debouncer.deadline()
                self._condition.wait(None if deadline is None else max(0.0, deadline - now))
            return None
