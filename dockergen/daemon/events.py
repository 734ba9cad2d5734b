"""Reading the Docker event stream without ever blocking it, and reconnecting when it ends.

Docker drops a subscriber's events when it does not read them promptly, so the
reader does nothing but parse and hand each event to a callback that must not
block (the watcher puts it on an unbounded queue).  When the stream ends or
fails, it reconnects with exponential backoff and jitter, resuming with
``since=`` the last event's time so that nothing in between is lost.

Podman's stream is read unfiltered and filtered here (see :mod:`dockergen.daemon.podman`).
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockergen.daemon.api import api_errors
from dockergen.daemon.podman import HealthFollowUp, as_docker_event, is_podman, matches

log = logging.getLogger(__name__)

# docker-gen's defaults plus what it misses: removals, renames, pauses and network changes.
DEFAULT_EVENT_FILTER: dict[str, list[str]] = {
    "event": [
        "start", "stop", "die", "health_status", "create", "destroy", "rename",
        "pause", "unpause", "connect", "disconnect",
    ],
}


# Swarm mode also follows services and nodes (create, update, remove).
SWARM_EVENTS = ["update", "remove"]


def merge_event_filters(extra: Mapping[str, list[str]], swarm: bool = False) -> dict[str, list[str]]:
    """``-event-filter`` values are added to the defaults (which cannot be removed)."""
    merged = {key: list(values) for key, values in DEFAULT_EVENT_FILTER.items()}
    if swarm:
        merged["event"].extend(SWARM_EVENTS)
    for key, values in extra.items():
        bucket = merged.setdefault(key, [])
        bucket.extend(v for v in values if v not in bucket)
    return merged


@dataclass(frozen=True)
class Event:
    """One Docker event, normalised across API versions."""

    type: str
    action: str
    actor_id: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    time_nano: int = 0

    @classmethod
    def from_api(cls, raw: Mapping[str, Any]) -> "Event":
        actor = raw.get("Actor") or {}
        time_nano = raw.get("timeNano") or int(raw.get("time") or 0) * 1_000_000_000
        return cls(
            type=raw.get("Type") or "container",
            action=(raw.get("Action") or raw.get("status") or "").split(":", 1)[0],
            actor_id=actor.get("ID") or raw.get("id") or "",
            attributes=actor.get("Attributes") or {},
            time_nano=int(time_nano),
        )

    @property
    def container_id(self) -> str:
        """The container this event is about ("" for events about no container)."""
        if self.type == "container":
            return self.actor_id
        if self.type == "network":
            return self.attributes.get("container", "")
        return ""

    def describe(self) -> str:
        name = self.attributes.get("name", "")
        target = self.container_id[:12] or self.actor_id[:12]
        return f"{self.type} {self.action} {name or target}".rstrip()


@dataclass(frozen=True)
class Connected:
    """The stream is (re)connected; ``resumed`` is False only for the first connection."""

    resumed: bool


@dataclass(frozen=True)
class Disconnected:
    """The stream broke; the reader has logged why and reconnects after a backoff."""

    reason: str


@dataclass
class Backoff:
    """Exponential backoff with full jitter: never a tight loop, never more than ``cap``."""

    start: float = 0.1
    cap: float = 10.0
    attempt: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.start * (2 ** self.attempt))
        self.attempt += 1
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempt = 0


_HEALTHY_CONNECTION = 1.0  # seconds a stream must live before the backoff starts over


def _since(time_nano: int) -> str:
    return f"{time_nano // 1_000_000_000}.{time_nano % 1_000_000_000:09d}"


class EventReader:
    """Owns the event stream of one engine; runs in its own thread until ``stop``."""

    def __init__(
        self,
        api: Any,
        filters: Mapping[str, list[str]],
        deliver: Callable[[Event | Connected | Disconnected], None],
        *,
        backoff: Backoff | None = None,
        socket_path: str = "",
        name: str = "",
    ) -> None:
        self.api = api
        self.filters = dict(filters)
        self.deliver = deliver
        self.backoff = backoff or Backoff()
        self.socket_path = socket_path
        self.where = f" on {name}" if name else ""  # for logs, when there are several endpoints
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._stream: Any = None
        self._last_time_nano = 0
        self._thread = threading.Thread(target=self._run, name="docker-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._close_stream()
        self._thread.join(timeout=5)

    def reconnect(self) -> None:
        """Drop the current stream (e.g. after a failed ping); the reader reconnects."""
        self._close_stream()

    def _close_stream(self) -> None:
        stream = self._stream
        if stream is not None:
            try:
                stream.close()
            except Exception:  # closing a dead socket may fail in many ways
                pass

    def _run(self) -> None:
        first = True
        while not self._stop.is_set():
            try:
                since = _since(self._last_time_nano) if self._last_time_nano else None
                podman = is_podman(self.api.version())  # asked at every connection: engines get replaced
                server_filters = {} if podman else self.filters
                self._stream = self.api.events(decode=True, filters=server_filters, since=since)
            except api_errors() as exc:
                self._failed(f"cannot subscribe to Docker events: {exc}")
                continue
            self.connected.set()
            log.info("Watching docker events%s%s", self.where, "" if first else " again (resumed)")
            self.deliver(Connected(resumed=not first))
            first = False
            connected_at = time.monotonic()
            try:
                self._read(self._stream, podman)
                reason = "event stream ended"
            except api_errors() as exc:
                reason = f"event stream failed: {exc}"
            except Exception:  # a bug of ours: said as one, and the stream is read again from where it was
                log.exception("Unexpected error reading Docker events%s", self.where)
                reason = "unexpected error"
            self._stream = None
            if time.monotonic() - connected_at > _HEALTHY_CONNECTION:
                self.backoff.reset()  # a stream that closes at once keeps backing off
            if self._stop.is_set():
                break
            self._failed(f"Docker daemon connection interrupted ({reason})")

    def _read(self, stream: Any, podman: bool) -> None:
        """Deliver the stream's events until it ends; Podman's are reshaped and filtered here."""
        health = HealthFollowUp(self.api, self.deliver, self._stop)  # no thread until it follows an event
        for raw in stream:
            if self._stop.is_set():
                return
            if podman:
                raw = as_docker_event(raw)
            event = Event.from_api(raw)
            self._last_time_nano = max(self._last_time_nano, event.time_nano)
            if not podman:
                self.deliver(event)
            elif matches(raw, self.filters):
                self.deliver(event)
                if event.action == "health_status":
                    health.follow(event, event.container_id, raw.get("HealthStatus"))

    def _failed(self, reason: str) -> None:
        self.connected.clear()
        if self._stop.is_set():
            return
        delay = self.backoff.next_delay()
        log.warning("%s%s; reconnecting in %.2f s", reason, self.where, delay)
        self.deliver(Disconnected(reason))
        self._sleep(delay)

    def _sleep(self, delay: float) -> None:
        """Wait ``delay``, or less when the unix socket is re-created (the daemon is back)."""
        before = _socket_identity(self.socket_path)
        remaining = delay
        while remaining > 0 and not self._stop.is_set():
            step = min(0.1, remaining)
            self._stop.wait(step)
            remaining -= step
            if self.socket_path and _socket_identity(self.socket_path) not in (before, None):
                return


def _socket_identity(path: str) -> tuple[int, int] | None:
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns
