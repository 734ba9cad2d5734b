"""Prometheus metrics and the ``/healthz`` endpoint (``-metrics-addr HOST:PORT``).

``Metrics`` is handed to the stages that have something to count; when no
address is given it is disabled and every call returns at once, so
prometheus-client is not even imported.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from http.server import ThreadingHTTPServer

from dockergen.errors import ConfigError
from dockergen.records import record

log = logging.getLogger(__name__)


@record()
class Health:
    """Ready once the first sync is done and, when watching, the event stream is connected."""

    synced: bool = False
    connected: bool = True  # set False by a watcher until its stream connects
    stuck: dict[str, float] = field(default_factory=dict)  # destination -> when its stuck render started

    def problems(self) -> list[str]:
        problems = []
        if not self.synced:
            problems.append("first render not done")
        if not self.connected:
            problems.append("Docker event stream not connected")
        now = time.monotonic()
        for dest, since in sorted(self.stuck.items()):
            problems.append(f"render of {dest} running for {now - since:.0f} s")
        return problems


class Metrics:
    """Counters, gauges and histograms of one dockergen process."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.health = Health()
        if not enabled:
            return
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        r = self.registry
        self._renders = Counter("dockergen_renders", "Renders attempted", ["dest"], registry=r)
        self._failures = Counter("dockergen_render_failures", "Renders that failed (template error or write error)", ["dest"], registry=r)
        self._checks_failed = Counter("dockergen_checks_failed", "Candidates the check command rejected", ["dest"], registry=r)
        self._exec_failures = Counter("dockergen_exec_failures", "Commands run in other containers (check or notify exec) that failed", ["dest", "kind"], registry=r)
        self._stuck = Counter("dockergen_stuck_renders", "Renders (with check and notify) that outlived the watchdog", ["dest"], registry=r)
        self._quarantined = Gauge("dockergen_quarantined_containers", "Containers left out because they break the render or check", ["dest"], registry=r)
        self._notifications = Counter("dockergen_notifications", "Notifications run (command and signals)", ["dest"], registry=r)
        self._notification_failures = Counter("dockergen_notification_failures", "Notifications that failed", ["dest"], registry=r)
        self._events = Counter("dockergen_events", "Docker events received", ["type", "action"], registry=r)
        self._reconnects = Counter("dockergen_reconnects", "Reconnections to the Docker event stream", registry=r)
        self._endpoint_up = Gauge("dockergen_endpoint_up", "1 while the endpoint's event stream is connected", ["endpoint"], registry=r)
        self._containers = Gauge("dockergen_containers", "Containers seen by the last render", ["dest"], registry=r)
        self._last_success = Gauge("dockergen_last_success_timestamp_seconds", "When the destination was last rendered successfully", ["dest"], registry=r)
        self._render_seconds = Histogram("dockergen_render_duration_seconds", "Time to render a template", ["dest"], registry=r,
                                         buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
        self._event_to_write = Histogram("dockergen_event_to_write_seconds", "From a Docker event to the destination written", ["dest"], registry=r,
                                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))

    def rendered(self, dest: str, seconds: float, containers: int) -> None:
        if self.enabled:
            self._renders.labels(dest).inc()
            self._render_seconds.labels(dest).observe(seconds)
            self._containers.labels(dest).set(containers)

    def succeeded(self, dest: str, event_time: float | None = None) -> None:
        self.health.synced = True
        if self.enabled:
            self._last_success.labels(dest).set(time.time())
            if event_time is not None:
                self._event_to_write.labels(dest).observe(max(0.0, time.time() - event_time))

    def render_failed(self, dest: str) -> None:
        if self.enabled:
            self._failures.labels(dest).inc()

    def check_failed(self, dest: str) -> None:
        if self.enabled:
            self._checks_failed.labels(dest).inc()

    def stuck(self, dest: str, since: float) -> None:
        self.health.stuck[dest] = since
        if self.enabled:
            self._stuck.labels(dest).inc()

    def unstuck(self, dest: str) -> None:
        self.health.stuck.pop(dest, None)

    def exec_failed(self, dest: str, kind: str, count: int = 1) -> None:
        if self.enabled:
            self._exec_failures.labels(dest, kind).inc(count)

    def quarantined(self, dest: str, count: int) -> None:
        if self.enabled:
            self._quarantined.labels(dest).set(count)

    def notified(self, dest: str, ok: bool) -> None:
        if self.enabled:
            self._notifications.labels(dest).inc()
            if not ok:
                self._notification_failures.labels(dest).inc()

    def event(self, type_: str, action: str) -> None:
        if self.enabled:
            self._events.labels(type_, action).inc()

    def endpoint_up(self, endpoint: str, up: bool) -> None:
        if self.enabled:
            self._endpoint_up.labels(endpoint).set(1 if up else 0)

    def reconnected(self) -> None:
        if self.enabled:
            self._reconnects.inc()

    def exposition(self) -> bytes:
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


def parse_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"-metrics-addr: expected HOST:PORT, got {text!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def serve(address: str, metrics: Metrics) -> "ThreadingHTTPServer":
    """Serve ``/metrics`` and ``/healthz`` in a background thread."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # watch mode only

    host, port = parse_address(address)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/healthz":
                problems = metrics.health.problems()
                body = ("ok\n" if not problems else "not ready: " + "; ".join(problems) + "\n").encode()
                self._send(503 if problems else 200, body, "text/plain; charset=utf-8")
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("metrics: " + format, *args)

    try:
        server = ThreadingHTTPServer((host, port), Handler)
    except OSError as exc:
        raise ConfigError(f"-metrics-addr {address}: {exc.strerror}") from None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("Serving /metrics and /healthz on %s:%d", host, server.server_address[1])
    return server
