"""Watch mode figures: event-to-file latency, API calls per event, resident memory, idle CPU.

Usage: python bench/latency.py [--counts 100,500] [--samples 30] [--idle 60] [--health-samples 30]
                               [--cases start-stop,health] [--podman] [--template names|nginx-proxy]

For each count, that many containers run (all visible to the template); then
``--samples`` containers are started and as many removed, one at a time.  The
latency of each is measured from the engine's own event time (``timeNano`` of
the ``start``, resp. ``die`` event) to the moment the container's name is
readable in (resp. gone from) the destination.  API calls per render are read
from the watcher's ``-log-level debug`` output.  Figures are printed and
appended to bench/results.md.

``--template nginx-proxy`` renders nginx-proxy's ``nginx.tmpl`` (read from
../shared/reference/workloads/ at run time, never copied here; skipped with a message when
absent) with the Go engine, over containers that look like nginx-proxy's hosts (``VIRTUAL_HOST``,
exposed ports) behind one container labelled as the proxy; a sample counts when its
``server_name`` appears in (resp. leaves) the destination.  The reference ``docker-gen -watch``
(../shared/reference/docker-gen, when present) runs the same way on the same containers in the
same run, rounds alternating between the two programs (``--rounds``), so the ratio is same-run.

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
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (
    NAMES, append_results, compile_package, docker_gen_command, engine_support, proxy_host_env, start_containers,
    start_proxy_hosts,
)
from reference_support import SHARED  # noqa: E402  (../shared/, found from a worktree too)

REFERENCE = SHARED / "reference"
NGINX_PROXY_TEMPLATE = REFERENCE / "workloads" / "nginx-proxy-nginx.tmpl"


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


def wait_file(dest: Path, name: str, present: bool, timeout: float = 10, line: str | None = None) -> int:
    """Poll the destination until ``name`` is (or is no longer) a line of it (``line``: that text
    instead); returns time.time_ns()."""
    deadline = time.monotonic() + timeout
    line = name + "\n" if line is None else line
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


def wait_initial(dest: Path, markers: list[str], timeout: float = 120) -> None:
    """Wait until the watcher's first render lists every running container (each marker is in it)."""
    deadline = time.monotonic() + timeout
    while True:
        content = dest.read_text() if dest.exists() else ""
        if all(marker in content for marker in markers):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the initial render of {dest} did not list every container")
        time.sleep(0.05)


def proxy_samples(session, events: "EventTimes", dest: Path, tag: str, samples: int) -> tuple[list, list]:
    """Start ``samples`` nginx-proxy hosts one at a time, then stop them: ms from each one's
    start (resp. die) event to its ``server_name`` appearing in (resp. leaving) ``dest``.

    Stopped rather than removed: docker-gen lists the containers again on each event, and
    at a removal's ``die`` the list may still show the container running (it only drops out
    at the next event); a stop sends ``stop`` after ``die``, which docker-gen also watches."""
    starts, removals, ids = [], [], []
    for i in range(samples):
        host = f"lat{i}-{tag}.example.com"
        container = session.create_container(name=None, env={"VIRTUAL_HOST": host}, expose=[80], start=False)
        ids.append((host, container.id))
        in_background(session.api.start, container.id)  # the file may change before the call returns
        seen_ns = wait_file(dest, host, True, line=f"server_name {host};")
        starts.append((seen_ns - events.wait(container.id, "start")) / 1e6)
        time.sleep(0.05)
    for host, container_id in ids:
        in_background(session.api.stop, container_id, timeout=0)
        gone_ns = wait_file(dest, host, False, line=f"server_name {host};")
        removals.append((gone_ns - events.wait(container_id, "die")) / 1e6)
        time.sleep(0.05)
    session.remove([container_id for _, container_id in ids])
    return starts, removals


def proxy_case(session, counts: list[int], samples: int, rounds: int, workdir: Path, note: str,
               compare_with: str = "") -> None:
    """nginx-proxy's template under ``-watch``: dockergen and the reference docker-gen in
    alternating rounds on the same containers (see the module's docstring); ``compare_with``:
    another dockergen checkout (an earlier commit, say) run as a third program."""
    if not NGINX_PROXY_TEMPLATE.exists():
        print(f"skipped: nginx-proxy's template is not here ({NGINX_PROXY_TEMPLATE})")
        return
    template = workdir / "nginx.tmpl"
    template.write_text(NGINX_PROXY_TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    reference = REFERENCE / "docker-gen"
    programs = {"dockergen": [*docker_gen_command(), "-template-engine", "go"]}
    environments: dict[str, dict[str, str] | None] = {}
    if compare_with:
        other = f"dockergen ({Path(compare_with).name})"
        programs[other] = [sys.executable, "-m", "dockergen", "-template-engine", "go"]
        environments[other] = {**os.environ, "PYTHONPATH": str(Path(compare_with).resolve())}
    if reference.exists():
        programs["docker-gen (Go)"] = [str(reference)]
    else:
        print(f"no reference docker-gen in {REFERENCE}: dockergen alone")
    flt = ["-container-filter", f"label={session.label_filter}"]
    per_round = max(1, samples // rounds)
    lines = [
        "| containers | program | start p50 / p90 / max (ms) | stop p50 / p90 / max (ms) | all p50 / p90 (ms) "
        "| start p50 / Go's |",
        "|---:|---|---|---|---|---:|",
    ]
    running = 0
    events = EventTimes(session.api)
    try:
        for count in counts:
            start_proxy_hosts(session, running, count - running)
            running = count
            markers = sorted({f"server_name {proxy_host_env(i)['VIRTUAL_HOST']};" for i in range(count)})
            figures: dict[str, tuple[list, list]] = {name: ([], []) for name in programs}
            initial: dict[str, str] = {}
            for round_ in range(rounds):
                for index, (name, command) in enumerate(programs.items()):
                    short = "".join(c for c in name if c.isalnum())[:24]
                    dest = workdir / f"{short}-{count}-{round_}.conf"
                    with open(workdir / f"{short}-{count}-{round_}.log", "w") as log:
                        watcher = subprocess.Popen([*command, "-watch", *flt, str(template), str(dest)],
                                                   stdout=log, stderr=subprocess.STDOUT, env=environments.get(name))
                    try:
                        wait_initial(dest, markers)
                        time.sleep(0.5)
                        initial.setdefault(name, dest.read_text())
                        starts, removals = proxy_samples(session, events, dest, f"p{index}n{count}r{round_}",
                                                         per_round)
                    finally:
                        watcher.terminate()
                        watcher.wait()
                    figures[name][0].extend(starts)
                    figures[name][1].extend(removals)
                    print(f"  {count} round {round_ + 1}: {name} start p50 {statistics.median(starts):.1f} ms, "
                          f"stop p50 {statistics.median(removals):.1f} ms", flush=True)
            if len(set(initial.values())) > 1:
                print(f"note: the two programs' first renders differ at {count} containers (kept in {workdir})")
            go = figures.get("docker-gen (Go)")
            for name, (starts, removals) in figures.items():
                both = starts + removals
                ratio = f"{statistics.median(starts) / statistics.median(go[0]):.2f}x" if go else "-"
                lines.append(f"| {count + 1} | {name} | {summary(starts)} | {summary(removals)} "
                             f"| {statistics.median(both):.1f} / {percentile(both, 0.9):.1f} | {ratio} |")
                print(lines[-1], flush=True)
    finally:
        session.cleanup()
    append_results(
        f"bench/latency.py --template nginx-proxy (watch mode, nginx-proxy's nginx.tmpl, {samples} starts + "
        f"{samples} stops per program in {rounds} alternating rounds, -wait unset){f' ({note})' if note else ''}",
        ["Containers: the running application containers plus the proxy's own; event -> file from the engine's "
         "event time (`start`, resp. `die` of `docker stop -t 0`) to the host's `server_name` in (resp. out of) the file.", "", *lines],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="100,500")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idle CPU measurement after the last count")
    parser.add_argument("--health-samples", type=int, default=30, help="health flips each way (the health case)")
    parser.add_argument("--cases", default="start-stop,health", help="start-stop and/or health")
    parser.add_argument("--podman", action="store_true", help="against a test-only Podman service")
    parser.add_argument("--template", choices=("names", "nginx-proxy"), default="names",
                        help="nginx-proxy: nginx-proxy's template, against the reference docker-gen (start-stop only)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per program (--template nginx-proxy)")
    parser.add_argument("--note", default="", help="added to the title in bench/results.md (e.g. which code ran)")
    parser.add_argument("--compare-with", default="", metavar="CHECKOUT",
                        help="--template nginx-proxy: also run the dockergen of this checkout (before/after, same run)")
    args = parser.parse_args()
    compile_package()
    if args.template == "nginx-proxy":
        workdir = Path(tempfile.mkdtemp(prefix="dockergen-bench-"))
        counts = [int(c) for c in args.counts.split(",")]
        proxy_case(engine_support.EngineSession(), counts, args.samples, args.rounds, workdir, args.note,
                   args.compare_with)
        return
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
