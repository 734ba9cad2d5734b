"""Watch mode: keep every destination equal to a fresh render as containers come and go.

Threads, each with one job:

* the event reader (:mod:`dockergen.daemon.events`) only reads the stream and queues;
* the dispatcher (the main thread) turns events into inventory updates and
  triggers, and handles SIGHUP/SIGTERM;
* one worker per config waits for its debounced triggers and renders, so a
  slow config (or a hung notify command) never delays another;
* interval tickers, the periodic reconciliation and the template watcher
  only queue triggers.

In swarm mode the dispatcher also keeps the swarm listing fresh: swarm events
invalidate it, and short-lived timers queue quick re-lists while tasks converge.
"""

from __future__ import annotations

import logging
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from dockergen.debounce import DebouncedQueue
from dockergen.daemon.endpoint import EndpointClients, sdk_clients, socket_path
from dockergen.daemon.endpoints import Endpoints
from dockergen.errors import DockerGenError, InventoryError
from dockergen.daemon.events import Connected, Disconnected, Event, EventReader
from dockergen.pipeline.job import Job
from dockergen.metrics import Metrics
from dockergen.model import Docker
from dockergen.daemon.swarm import SERVICE_ID_LABEL

log = logging.getLogger(__name__)

DEFAULT_RECONCILE_INTERVAL = 60.0
# After a swarm event, re-list the swarm after 0.25 s, 0.5 s, then every second until its tasks
# have converged (or for 30 s): tasks on other nodes send this engine no events, and a task
# is reported running a little after its container's start event.
SWARM_SETTLE_FIRST = 0.25
SWARM_SETTLE_POLL = 1.0
SWARM_SETTLE_FOR = 30.0


@dataclass(frozen=True)
class Trigger:
    """Why a config should render."""

    reason: str  # "startup", "event", "swarm", "interval", "signal", "template", "resync", "endpoint"
    container_id: str = ""
    endpoint: str = ""  # which engine the container is on
    detail: str = ""
    always_notify: bool = False  # interval ticks notify even when nothing changed
    time: float | None = None  # when the engine saw the event (seconds since the epoch)

    def describe(self) -> str:
        return f"{self.reason} {self.detail}".strip()


class FromEndpoint(NamedTuple):
    """What an endpoint's event reader says (an Event, Connected or Disconnected), or its grace timer."""

    endpoint: str
    message: Event | Connected | Disconnected | GraceOver


class GraceOver(NamedTuple):
    """An endpoint has been unreachable for the grace period: its containers go."""


class Reconcile(NamedTuple):
    """Time to check the inventory against the engine."""


class SwarmPoll(NamedTuple):
    """Time to list the swarm again while its tasks converge."""


# What the dispatcher's queue carries: the above, and the signals the handlers queue.
Message = FromEndpoint | Reconcile | SwarmPoll | signal.Signals


@dataclass
class Busy:
    """A worker's run under way: since when, and the containers it renders."""

    since: float
    containers: list[str]
    reported: bool = False


WATCHDOG_NAMES = 10  # containers named in a watchdog's log line; the rest are counted


class Worker:
    """Renders one config whenever its debounced triggers are due."""

    def __init__(
        self,
        job: Job,
        inventory: Endpoints,
        docker: Callable[[], Docker],
        get_api: Callable[[], Any],
        incremental: bool = True,
        get_apis: Callable[[], Mapping[str, Any]] | None = None,
    ) -> None:
        self.job = job
        # Re-inspect only the containers the events named: right only when every change sends
        # an event this watcher receives (not with an -event-filter on labels, names, ...).
        self.incremental = incremental
        self.get_api = get_api
        self.get_apis = get_apis
        self.inventory = inventory
        self.docker = docker
        self.triggers: DebouncedQueue[Trigger] = DebouncedQueue(job.config.wait)
        self.last_ids: list[str] | None = None
        self.busy: Busy | None = None  # the run under way, for the watchdog
        self._thread = threading.Thread(target=self._run, name=f"render {job.config.label}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self.triggers.close()
        self._thread.join(timeout)

    def _run(self) -> None:
        while (triggers := self.triggers.get()) is not None:
            try:
                self.render(triggers)
            except Exception:  # a watcher never dies of one bad render
                log.exception("Unexpected error rendering %s", self.job.config.label)

    def render(self, triggers: list[Trigger]) -> None:
        config = self.job.config
        calls_before = self.inventory.calls.total
        try:
            snapshot = None
            if self.incremental and self.last_ids is not None and all(t.reason in ("event", "swarm") for t in triggers):
                changed: dict[str, set[str]] = {}
                for trigger in triggers:
                    if trigger.container_id:
                        changed.setdefault(trigger.endpoint, set()).add(trigger.container_id)
                snapshot = self.inventory.update(config.filters, self.last_ids, changed, self.docker())
            if snapshot is None:
                snapshot = self.inventory.snapshot(config.filters, docker=self.docker())
        except InventoryError as exc:
            log.error("%s; %s keeps its last content", exc, config.label)
            return
        ids = [c.ID for c in snapshot.containers]
        if self._irrelevant(triggers, ids):
            log.debug(
                "Skipping %s: %d event(s) about containers it does not see (%d API calls)",
                config.label, len(triggers), self.inventory.calls.total - calls_before,
            )
            return
        for trigger in triggers:
            if trigger.container_id:
                self.job.release(trigger.container_id)
        described = sorted({t.describe() for t in triggers})
        reasons = ", ".join(described[:3]) + (f" (+{len(described) - 3} more)" if len(described) > 3 else "")
        log.debug(
            "Rendering %s (%s): %d containers, %d API calls",
            config.label, reasons, len(ids), self.inventory.calls.total - calls_before,
        )
        started = time.monotonic()
        event_times = [t.time for t in triggers if t.time is not None]
        self.busy = Busy(started, [c.Name or c.ID[:12] for c in snapshot.containers])
        try:
            outcome = self.job.run(
                snapshot,
                self.get_api,
                trigger=reasons,
                always_notify=any(t.always_notify for t in triggers),
                event_time=min(event_times) if event_times else None,
                get_apis=self.get_apis,
            )
        finally:
            busy, self.busy = self.busy, None
            if busy.reported:
                self.job.metrics.unstuck(config.label)
                log.warning("The render of %s ended after %.1f s", config.label, time.monotonic() - started)
        log.debug("Rendered %s in %.1f ms", config.label, (time.monotonic() - started) * 1000)
        if outcome.ok:
            self.last_ids = ids

    def _irrelevant(self, triggers: list[Trigger], ids: list[str]) -> bool:
        """Container events about containers this config neither saw nor sees: no render."""
        if self.last_ids is None or ids != self.last_ids or self.job.awaiting_check:
            return False
        visible = set(ids)
        return all(t.reason == "event" and t.container_id not in visible for t in triggers)


class Watcher:
    """Runs the watch/interval loop until SIGTERM/SIGINT; returns the exit status."""

    def __init__(
        self,
        jobs: Sequence[Job],
        endpoints: Endpoints,
        clients: Mapping[str, EndpointClients],
        *,
        metrics: Metrics | None = None,
        event_filters: dict[str, list[str]],
        reconcile_interval: float = DEFAULT_RECONCILE_INTERVAL,
    ) -> None:
        self.jobs = list(jobs)
        self.endpoints = endpoints
        self.reconcile_interval = reconcile_interval
        self.metrics = metrics or Metrics()
        # Unbounded, so producers never block; SimpleQueue because its put() is
        # reentrant and the signal handlers use it (see _install_signal_handlers).
        self.messages: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.stopping = threading.Event()
        self._docker = Docker(CurrentContainerID=endpoints.primary.current_id)
        primary = next(iter(clients.values()))
        every_change_seen = all(key == "event" for key in event_filters)
        self.workers = [
            Worker(
                job, endpoints, lambda: self._docker, lambda: primary.sdk, incremental=every_change_seen,
                get_apis=lambda: sdk_clients(clients),
            )
            for job in self.jobs
        ]
        self.watching = [w for w in self.workers if w.job.config.watch]
        self.swarm_watching = [w for w in self.watching if w.job.config.swarm]
        self._settle_until = 0.0  # swarm re-lists until then (monotonic), while tasks converge
        self._settle_step = 0  # re-lists since the last swarm event
        # One event reader per endpoint; each tags what it delivers with the endpoint's name.
        self.readers = {
            name: EventReader(
                client.sdk,
                event_filters,
                lambda message, name=name: self.messages.put(FromEndpoint(name, message)),
                socket_path=socket_path(client.endpoint),
                name=name if len(clients) > 1 else "",
            )
            for name, client in clients.items()
        } if self.watching else {}
        if self.readers:
            self.metrics.health.connected = False

    # -- producers -----------------------------------------------------------------------

    def _ticker(self, period: float, action: Callable[[], None], name: str) -> None:
        def loop() -> None:
            while not self.stopping.wait(period):
                action()

        threading.Thread(target=loop, name=name, daemon=True).start()

    def _start_intervals(self) -> None:
        for worker in self.workers:
            seconds = worker.job.config.interval
            if seconds > 0:
                log.info("Generating %s every %d seconds", worker.job.config.label, seconds)
                tick = Trigger("interval", detail=f"{seconds}s", always_notify=True)
                self._ticker(seconds, lambda w=worker, t=tick: w.triggers.put(t, immediate=True), "interval")

    def _start_template_watcher(self) -> None:
        from dockergen.template_watch import TemplateWatcher

        def changed(job: Job) -> None:
            for worker in self.workers:
                if worker.job is job:
                    worker.triggers.put(Trigger("template", detail=job.config.template), immediate=True)

        TemplateWatcher([w.job for w in self.workers], on_reloaded=changed, stop=self.stopping).start()

    # -- the dispatcher ------------------------------------------------------------------

    def refresh_docker_facts(self) -> None:
        self._docker = self.endpoints.docker_facts()

    def trigger_all(self, trigger: Trigger, workers: Sequence[Worker] | None = None, immediate: bool = False) -> None:
        for worker in self.workers if workers is None else workers:
            worker.triggers.put(trigger, immediate=immediate)

    def handle(self, message: Message) -> None:
        if isinstance(message, FromEndpoint):
            self.handle_endpoint(message.endpoint, message.message)
        elif isinstance(message, Reconcile):
            self._reconcile()
        elif isinstance(message, SwarmPoll):
            self._poll_swarm()
        elif message == signal.SIGHUP:
            log.info("Received signal: hangup")
            self.trigger_all(Trigger("signal", detail="SIGHUP"), immediate=True)

    def handle_endpoint(self, name: str, message: Any) -> None:
        """A message from one endpoint's event reader (or its grace timer)."""
        inventory = self.endpoints.endpoint_of(name)
        if isinstance(message, Event):
            self.metrics.event(message.type, message.action)
            log.debug("Received event %s%s", message.describe(), f" on {name}" if self.endpoints.several else "")
            if message.type == "network" and message.action in ("create", "destroy"):
                inventory.forget_networks()
                return
            swarm = self.endpoints.swarm
            if swarm is not None and self.swarm_watching and inventory is self.endpoints.primary and self._about_swarm(message):
                swarm.invalidate()
                self.trigger_all(Trigger("swarm", detail=message.describe()), self.swarm_watching)
                self._settle_swarm()
            container_id = message.container_id
            if not container_id:
                return
            if message.type == "container" and message.action in ("die", "stop"):
                inventory.mark_stopped(container_id)
            elif message.type == "network":
                inventory.network_changed(container_id)
            else:
                inventory.forget(container_id)
            trigger = Trigger("event", container_id, name, message.describe(), time=message.time_nano / 1e9 or None)
            self.trigger_all(trigger, self.watching)
        elif isinstance(message, Connected):
            self.endpoints.mark_up(name)
            self.metrics.endpoint_up(name, True)
            self.metrics.health.connected = not self.endpoints.down()
            if message.resumed:
                self.metrics.reconnected()
                inventory.clear()  # events may have been missed: start from a clean inventory
                if self.endpoints.swarm is not None and inventory is self.endpoints.primary:
                    self.endpoints.swarm.invalidate()
            self.refresh_docker_facts()
            reason = "resync" if message.resumed else "startup"
            self.trigger_all(Trigger(reason, detail=name if self.endpoints.several else ""), immediate=True)
        elif isinstance(message, Disconnected):
            # The reader logs and reconnects; with several endpoints the others go on.
            newly_down = name not in self.endpoints.down()
            self.endpoints.mark_down(name)
            self.metrics.endpoint_up(name, False)
            self.metrics.health.connected = len(self.endpoints.down()) < len(self.endpoints.members)
            if self.endpoints.several and newly_down:
                timer = threading.Timer(self.endpoints.grace, self.messages.put, args=(FromEndpoint(name, GraceOver()),))
                timer.daemon = True
                timer.start()
        elif isinstance(message, GraceOver) and name in self.endpoints.down() and self.endpoints.several:
            log.warning("Endpoint %s unreachable for %.0f s: its containers are dropped", name, self.endpoints.grace)
            self.trigger_all(Trigger("endpoint", detail=f"{name} lost"), immediate=True)

    # -- swarm ---------------------------------------------------------------------------

    @staticmethod
    def _about_swarm(event: Event) -> bool:
        """Service and node events, and events about a task's container (it starts, dies, ...)."""
        return event.type in ("service", "node") or (
            event.type == "container" and SERVICE_ID_LABEL in event.attributes
        )

    def _settle_swarm(self) -> None:
        """Re-list the swarm quickly, then every second, while its tasks converge (see SWARM_SETTLE_*)."""
        polling = time.monotonic() < self._settle_until
        self._settle_until = time.monotonic() + SWARM_SETTLE_FOR
        self._settle_step = 0
        if not polling:
            self._schedule_swarm_poll()

    def _schedule_swarm_poll(self) -> None:
        delay = min(SWARM_SETTLE_POLL, SWARM_SETTLE_FIRST * 2**self._settle_step)
        self._settle_step += 1
        timer = threading.Timer(delay, self.messages.put, args=(SwarmPoll(),))
        timer.daemon = True
        timer.start()

    def _refresh_swarm(self, why: str) -> bool:
        """Re-list the swarm; a changed view triggers the swarm configs.  False if listing failed."""
        assert self.endpoints.swarm is not None
        try:
            changed = self.endpoints.swarm.refresh()
        except InventoryError as exc:
            log.warning("%s; the swarm is listed again later", exc)
            return False
        if changed:
            self.trigger_all(Trigger("swarm", detail=why), self.swarm_watching)
        return True

    def _poll_swarm(self) -> None:
        if self.endpoints.swarm is None or self.stopping.is_set():
            return
        self._refresh_swarm("tasks converging")
        converging = self.endpoints.swarm.state().converging
        if converging and time.monotonic() < self._settle_until:
            self._schedule_swarm_poll()
        else:
            self._settle_until = 0.0

    def _reconcile(self) -> None:
        for name, inventory in self.endpoints.members.items():
            if name in self.endpoints.down():
                continue
            try:
                changed = inventory.reconcile()
            except InventoryError as exc:
                log.warning("Reconciliation of %s failed: %s", name, exc)
                self.readers[name].reconnect()
                continue
            if changed:
                log.info("Reconciliation found %d container(s) changed without an event", len(changed))
                for container_id in changed:
                    self.trigger_all(Trigger("event", container_id, name, "reconciliation"), self.watching)
        if self.swarm_watching and self.endpoints.primary_name not in self.endpoints.down():
            self._refresh_swarm("reconciliation")
        self.refresh_docker_facts()

    def watchdog(self) -> None:
        """Report every run that outlived its config's ``watchdog`` (once per run).

        A Python thread cannot be stopped from outside, so the run itself goes
        on; what the watchdog can do is make it visible: an error line, a
        metric, and ``/healthz`` answering 503 until the run ends, so that a
        healthcheck or an orchestrator restarts the generator.
        """
        now = time.monotonic()
        for worker in self.workers:
            busy, limit = worker.busy, worker.job.config.watchdog
            if busy is None or busy.reported or not limit or now - busy.since < limit:
                continue
            busy.reported = True
            names = ", ".join(busy.containers[:WATCHDOG_NAMES])
            if len(busy.containers) > WATCHDOG_NAMES:
                names += f" and {len(busy.containers) - WATCHDOG_NAMES} more"
            log.error(
                "The render of %s has been running for %.0f s (watchdog %gs); containers being rendered: %s",
                worker.job.config.label, now - busy.since, limit, names or "none",
            )
            worker.job.metrics.stuck(worker.job.config.label, busy.since)

    def _install_signal_handlers(self) -> None:
        """The handlers only queue the signal for the dispatcher.

        A handler runs in the main thread between two bytecodes, possibly while
        that thread holds a plain lock (a ``queue.Queue``'s, an Event's); taking
        the same lock again in the handler hangs the process for good.
        ``SimpleQueue.put`` is reentrant, so it is all they use.
        """

        def queue_signal(signum: int, frame: Any) -> None:
            self.messages.put(signal.Signals(signum))

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, queue_signal)

    def run(self) -> int:
        self._install_signal_handlers()
        for worker in self.workers:
            worker.start()
        if self.readers:
            for reader in self.readers.values():
                reader.start()  # its first Connected triggers the initial render, once
            self._ticker(self.reconcile_interval, lambda: self.messages.put(Reconcile()), "reconcile")
        else:
            self.refresh_docker_facts()
            self.trigger_all(Trigger("startup"), immediate=True)
        self._start_intervals()
        limits = [worker.job.config.watchdog for worker in self.workers if worker.job.config.watchdog]
        if limits:
            self._ticker(min(1.0, min(limits) / 4), self.watchdog, "watchdog")
        try:
            self._start_template_watcher()
        except (ImportError, DockerGenError) as exc:
            log.warning("Template files are not watched: %s", exc)
        while not self.stopping.is_set():
            try:
                message = self.messages.get(timeout=5)  # signals interrupt the wait anyway
            except queue.Empty:
                continue
            if message in (signal.SIGTERM, signal.SIGINT):
                log.info("Received signal: %s", message.name)
                break
            self.handle(message)
        self.shutdown()
        return 0

    def shutdown(self) -> None:
        self.stopping.set()
        for reader in self.readers.values():
            reader.stop()
        for worker in self.workers:
            worker.stop(timeout=max(5.0, worker.job.config.notify_timeout + 5))
