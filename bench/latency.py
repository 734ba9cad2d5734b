"""Watch mode figures: event-to-file latency, API calls per event, resident memory, idle CPU.

Usage: python bench/latency.py [--counts 100,500] [--samples 30] [--idle 60] [--health-samples 30]
                               [--cases start-stop,health] [--podman]

For each count, that many containers run (all visible to the template); then
``--samples`` containers are started and as many removed, one at a time.  The
latency of each is measured from the engine's own event time (``timeNano`` of
the ``start``, resp. ``die`` event) to the moment the container's name is
readable in (resp. gone from) the destination.  API calls per render are read
from the watcher's ``-log-level debug`` output.  Figures are printed and
appended to bench/results.md.  Go docker-gen reference on the same engine:
p50 154 ms / p90 305 ms at ~100 containers, p50 745 ms / p90 792 ms at 500;
16 MB RSS; 0.15 s CPU per idle minute.

The health case (``-only-healthy``) runs among the first count's containers: one more
container's healthcheck (``test -f /tmp/ok`` every 100 ms) is flipped ``--health-samples``
times each way with ``docker exec``; latency is from the ``health_status: healthy``
(resp. ``unhealthy``) event to the name appearing in (resp. leaving) the destination.
Target: p50 <= 25 ms, the budget of a start or stop.  ``BENCH_TRACE=1`` prints each flip's
event and file times (to tell the watcher's delays from the engine's).

``--podman`` runs the same against a test-only Podman service (tests/podman_engine.py)
instead of the Docker engine, and also reports how long Podman's events take to reach a
subscriber (its file events backend is read by polling): the target there is event -> file
p50 <= 50 ms.  Its healthchecks run when ``podman healthcheck run`` is called (no systemd
here), after each flip; Podman's health event comes before inspect shows the result.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import queue
import re
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from common import NAMES, append_results, compile_package, docker_gen_command, engine_support, start_containers

def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


class EventTimes:
    """Collects the engine's event times per (container id, action) from our own subscription."""

    def __init__(self, api, podman: bool = False) -> None:
        self.times: dict[tuple[str, str], int] = {}
        self.delivery_ms: list[float] = []  # event time -> this subscriber has it
        self.arrived: "queue.Queue[tuple[str, str]]" = queue.Queue()
        events = ["start", "die", "health_status"]  # health actions read "health_status: healthy"
        # Podman's own filter drops event=die (see dockergen/daemon/podman.py): filter by type only.
        filters = {"type": ["container"]} if podman else {"type": ["container"], "event": events}
        self.stream = api.events(decode=True, filters=filters)
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        try:
            for event in self.stream:
                key = (event["Actor"]["ID"], event["Action"])
                self.delivery_ms.append((time.time_ns() - event["timeNano"]) / 1e6)
                self.times[key] = event["timeNano"]
                self.arrived.put(key)
        except Exception:
            pass

    def wait(self, container_id: str, action: str, timeout: float = 10) -> int:
        deadline = time.monotonic() + timeout
        while (container_id, action) not in self.times:
            if time.monotonic() > deadline:
                raise SystemExit(f"no {action} event for {container_id[:12]}")
            time.sleep(0.001)
        return self.times[(container_id, action)]


def wait_file(dest: Path, name: str, present: bool, timeout: float = 10) -> int:
    """Poll the destination until ``name`` is (or is no longer) a line of it; returns time.time_ns()."""
    deadline = time.monotonic() + timeout
    line = name + "\n"
    while True:
        try:
            content = dest.read_text()
        except FileNotFoundError:
            content = ""
        now = time.time_ns()
        if (line in content) == present:
            return now
        if time.monotonic() > deadline:
            raise SystemExit(f"{name} did not {'appear' if present else 'disappear'} in {dest}")
        time.sleep(0.0005)


def in_background(function, *args, **kwargs) -> threading.Thread:
    thread = threading.Thread(target=function, args=args, kwargs=kwargs, daemon=True)
    thread.start()
    return thread


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


API_CALLS = re.compile(r"Rendering .*: (\d+) containers, (\d+) API calls")


def own_part(log_text: str, names: list[str]) -> list[float]:
    """From the watcher's JSON log: ms from receiving each sample's start/die event to the write it caused."""
    lines = [json.loads(line) for line in log_text.splitlines() if line.startswith("{")]
    received: dict[str, float] = {}
    figures = []
    for line in lines:
        when = datetime.datetime.fromisoformat(line["time"]).timestamp()
        message = line["message"]
        for name in names:
            for action in ("start", "die"):
                if message == f"Received event container {action} {name}":
                    received.setdefault(f"{action} {name}", when)
        if message.startswith("Generated "):
            for key in [k for k in received if f"container {k}" in message]:
                figures.append((when - received.pop(key)) * 1000)
    return figures


def run_count(session, count: int, samples: int, workdir: Path, endpoint: tuple[str, ...] = ()) -> dict:
    start_containers(session, count)
    template = workdir / "names.tmpl"
    template.write_text(NAMES)
    dest = workdir / f"names-{count}.txt"
    log_path = workdir / f"watch-{count}.log"
    command = [
        *docker_gen_command(), *endpoint, "-watch", "-log-level", "debug", "-log-format", "json",
        "-container-filter", f"label={session.label_filter}", str(template), str(dest),
    ]
    with open(log_path, "w") as log:
        watcher = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not dest.exists() or len(dest.read_text().splitlines()) < count:
            if time.monotonic() > deadline:
                raise SystemExit("initial render did not list every container")
            time.sleep(0.05)
        events = EventTimes(session.api, podman=bool(endpoint))
        time.sleep(0.5)
        log_offset = len(log_path.read_text())
        starts, removals = [], []
        for i in range(samples):
            name = f"lat-{count}-{i}-{session.session_id[:6]}"
            container = session.create_container(name=name, start=False)
            # The API call returns after the engine's own work; the file may change before
            # that, so the call runs in the background while this thread watches the file.
            in_background(session.api.start, container.id)
            seen_ns = wait_file(dest, name, True)
            event_ns = events.wait(container.id, "start")
            starts.append((seen_ns - event_ns) / 1e6)
            time.sleep(0.05)
        for i in range(samples):
            name = f"lat-{count}-{i}-{session.session_id[:6]}"
            container_id = session.api.inspect_container(name)["Id"]
            in_background(session.api.remove_container, container_id, force=True)
            gone_ns = wait_file(dest, name, False)
            event_ns = events.wait(container_id, "die")
            removals.append((gone_ns - event_ns) / 1e6)
            time.sleep(0.05)
        watched = log_path.read_text()[log_offset:]
        calls = [int(m.group(2)) for m in API_CALLS.finditer(watched)]
        own = own_part(watched, [f"lat-{count}-{i}-{session.session_id[:6]}" for i in range(samples)])
        rss = rss_mib(watcher.pid)
        return {"count": count, "starts": starts, "removals": removals, "calls": calls, "rss": rss,
                "pid": watcher.pid, "process": watcher, "delivery": events.delivery_ms, "own": own}
    except BaseException:
        watcher.terminate()
        raise


HEALTH_TARGET_MS = 25.0
HEALTHCHECK = {"test": ["CMD", "test", "-f", "/tmp/ok"], "interval": 100_000_000, "timeout": 2_000_000_000, "retries": 1}


def run_health(session, count: int, samples: int, workdir: Path, podman=None) -> dict:
    """Flip one container's health ``samples`` times each way under a ``-watch -only-healthy`` watcher.

    ``podman``: the :class:`PodmanService` the session is on (it runs each check when asked).
    """
    start_containers(session, count)
    template = workdir / "names.tmpl"
    template.write_text(NAMES)
    dest = workdir / f"health-{count}.txt"
    name = f"hlat-{count}-{session.session_id[:6]}"
    flipping = session.create_container(name=name, healthcheck=HEALTHCHECK)
    endpoint = ("-endpoint", podman.url) if podman else ()
    command = [
        *docker_gen_command(), *endpoint, "-watch", "-only-healthy", "-log-level", "debug", "-log-format", "json",
        "-container-filter", f"label={session.label_filter}", str(template), str(dest),
    ]
    with open(workdir / f"health-{count}.log", "w") as log:
        watcher = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not dest.exists() or len(dest.read_text().splitlines()) < count:
            if time.monotonic() > deadline:
                raise SystemExit("initial render did not list every container")
            time.sleep(0.05)
        events = EventTimes(session.api, podman=podman is not None)
        while flipping.health != "unhealthy":  # the starting container is out; wait for its first verdict
            if podman:
                podman.healthcheck(flipping.name)
            time.sleep(0.05)
        time.sleep(0.5)
        healthy, unhealthy = [], []
        for flip in ("touch", "rm") * samples:
            action, present, figures = (
                ("health_status: healthy", True, healthy) if flip == "touch" else ("health_status: unhealthy", False, unhealthy)
            )
            if podman:
                action = "health_status"  # Podman's health events name no status
            events.times.pop((flipping.id, action), None)
            if podman:
                flipping.exec(flip, *(["-f"] if flip == "rm" else []), "/tmp/ok")
                check = in_background(podman.healthcheck, flipping.name)  # checks never overlap
            else:
                in_background(flipping.exec, flip, *(["-f"] if flip == "rm" else []), "/tmp/ok")
            seen_ns = wait_file(dest, name, present)
            event_ns = events.wait(flipping.id, action)
            figures.append((seen_ns - event_ns) / 1e6)
            if podman:
                check.join()
            if os.environ.get("BENCH_TRACE"):
                print(f"{action}: event {event_ns / 1e9:.3f} seen {seen_ns / 1e9:.3f} = {figures[-1]:.1f} ms", flush=True)
            time.sleep(0.05)
        return {"count": count, "healthy": healthy, "unhealthy": unhealthy, "rss": rss_mib(watcher.pid)}
    finally:
        watcher.terminate()
        watcher.wait()
        session.remove([flipping.id])


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {percentile(values, 0.9):.1f} / {max(values):.1f}"


def health_case(session, count: int, samples: int, workdir: Path, podman=None) -> None:
    result = run_health(session, count, samples, workdir, podman)
    both = result["healthy"] + result["unhealthy"]
    verdict = "meets" if statistics.median(both) <= HEALTH_TARGET_MS else "MISSES"
    lines = [
        "| containers | healthy -> in p50 / p90 / max (ms) | unhealthy -> out p50 / p90 / max (ms) | all p50 (target <= 25 ms) |",
        "|---|---|---|---|",
        f"| {count + 1} | {summary(result['healthy'])} | {summary(result['unhealthy'])} "
        f"| {statistics.median(both):.1f} ({verdict} the target) |",
    ]
    print(lines[-1], flush=True)
    engine = "Podman, checks run by `podman healthcheck run`, " if podman else ""
    append_results(
        f"bench/latency.py health case ({engine}watch mode, -only-healthy, {samples} flips each way, -wait unset)", lines
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,500")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement after the last count")
    parser.add_argument("--health-samples", type=int, default=30, help="health flips each way (the health case)")
    parser.add_argument("--cases", default="start-stop,health", help="start-stop and/or health")
    parser.add_argument("--podman", action="store_true", help="against a test-only Podman service")
    args = parser.parse_args()
    compile_package()
    if not args.podman:
        run(args, engine_support.EngineSession())
        return
    from podman_engine import PodmanService

    podman = PodmanService()
    podman.start()
    try:
        run(args, podman.session(), podman)
    finally:
        podman.stop()


def run(args: argparse.Namespace, session, podman=None) -> None:
    cases = set(args.cases.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="dockergen-bench-"))
    if "health" in cases:
        try:
            health_case(session, int(args.counts.split(",")[0]), args.health_samples, workdir, podman)
        finally:
            if "start-stop" not in cases:
                session.cleanup()
    if "start-stop" not in cases:
        return
    endpoint = ("-endpoint", podman.url) if podman else ()
    delivery = (
        " | Podman's event delivery p50 / p90 (ms) | dockergen's part: event received -> file written, p50 / p90 (ms)"
        if podman else ""
    )
    lines = [
        "| containers | start p50 / p90 / max (ms) | removal p50 / p90 / max (ms) | API calls per render (max, mean) "
        f"| RSS (MiB){delivery} |",
        "|---|---|---|---|---|" + ("---|---|" if podman else ""),
    ]
    results = []
    try:
        counts = [int(c) for c in args.counts.split(",")]
        for index, count in enumerate(counts):
            result = run_count(session, count, args.samples, workdir, endpoint)
            results.append(result)
            s, r, calls, d, a = (result[k] for k in ("starts", "removals", "calls", "delivery", "own"))
            lines.append(
                f"| {count} | {statistics.median(s):.1f} / {percentile(s, 0.9):.1f} / {max(s):.1f} "
                f"| {statistics.median(r):.1f} / {percentile(r, 0.9):.1f} / {max(r):.1f} "
                f"| {max(calls)}, {statistics.mean(calls):.2f} | {result['rss']:.1f} |"
                + (f" {statistics.median(d):.1f} / {percentile(d, 0.9):.1f} "
                   f"| {statistics.median(a):.1f} / {percentile(a, 0.9):.1f} |" if podman else "")
            )
            print(lines[-1], flush=True)
            if index < len(counts) - 1:  # the last watcher stays for the idle measurement
                result["process"].terminate()
                result["process"].wait()
        last = results[-1]
        if args.idle > 0:  # --idle 0: latency only
            time.sleep(2)
            before = cpu_seconds(last["pid"])
            time.sleep(args.idle)
            idle = cpu_seconds(last["pid"]) - before
            lines.append("")
            lines.append(
                f"Idle: {idle:.2f} CPU s over {args.idle:.0f} s with {last['count']} containers "
                f"({idle * 60 / args.idle:.2f} s per minute); RSS {rss_mib(last['pid']):.1f} MiB."
            )
        last["process"].terminate()
        last["process"].wait()
    finally:
        session.cleanup()
    engine = "Podman, " if podman else ""
    append_results(
        f"bench/latency.py ({engine}watch mode, {args.samples} starts + {args.samples} removals, -wait unset)", lines
    )


if __name__ == "__main__":
    main()
