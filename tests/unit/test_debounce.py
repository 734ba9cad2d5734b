"""Debounce timing (vectors §5.1) with an injected clock, plus the thread-safe queue."""

from __future__ import annotations

import threading
import time

import pytest

from dockergen.config import Wait, parse_wait
from dockergen.debounce import DebouncedQueue, Debouncer


def simulate(wait: Wait, events_ms: list[int], until_ms: int = 5000) -> list[int]:
    """Feed events at the given times; return the times (ms) at which triggers fire."""
    debouncer = Debouncer(wait)
    fired = []
    pending = sorted(events_ms)
    for now in range(until_ms + 1):
        while pending and pending[0] == now:
            debouncer.add(now / 1000)
            pending.pop(0)
        if debouncer.fire_if_due(now / 1000 + 1e-9):
            fired.append(now)
    return fired


@pytest.mark.parametrize(
    ("wait", "events", "fired"),
    [
        (Wait(0.2, 1.0), [0, 150, 300], [500]),  # min after the last event
        (Wait(0.2, 0.25), [0, 150, 300], [250, 500]),  # max caps the first burst
        (Wait(0, 0), [0, 10, 20], [0, 10, 20]),  # no wait: every event renders
        (parse_wait("500ms:2s"), list(range(0, 3000, 100)), [2000, 3400]),
        (parse_wait("1ms"), [0], [1]),
    ],
)
def test_burst_timing(wait, events, fired):
    assert simulate(wait, events) == fired


def test_immediate_trigger_is_due_at_once():
    debouncer = Debouncer(Wait(10, 20))
    debouncer.add(0.0)
    assert not debouncer.fire_if_due(1.0)
    debouncer.add(1.0, immediate=True)
    assert debouncer.fire_if_due(1.0)
    assert not debouncer.pending


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_queue_returns_whole_burst_when_due():
    clock = FakeClock()
    queue: DebouncedQueue[str] = DebouncedQueue(Wait(0.2, 1.0), clock=clock)
    for t, name in ((0.0, "a"), (0.1, "b"), (0.15, "c")):
        clock.now = t
        queue.put(name)
    clock.now = 0.36
    assert queue.get() == ["a", "b", "c"]


def test_queue_get_blocks_until_due_in_real_time():
    queue: DebouncedQueue[int] = DebouncedQueue(Wait(0.15, 0.6))
    got: list = []
    consumer = threading.Thread(target=lambda: got.append((queue.get(), time.monotonic())))
    started = time.monotonic()
    consumer.start()
    for i in range(3):
        queue.put(i)
        time.sleep(0.05)
    last_put = time.monotonic()
    consumer.join(2)
    items, when = got[0]
    assert items == [0, 1, 2]
    assert when - last_put >= 0.09  # about min (0.15 s) after the last put, which was 0.05 s ago
    assert when - started < 0.6 + 2.0  # max after the first put, with room for a loaded machine


def test_close_wakes_consumer_and_drops_pending():
    queue: DebouncedQueue[int] = DebouncedQueue(Wait(5, 10))
    queue.put(1)
    result: list = []
    consumer = threading.Thread(target=lambda: result.append(queue.get()))
    consumer.start()
    time.sleep(0.05)
    queue.close()
    consumer.join(1)
    assert result == [None]
