"""Swarm mode figures: API calls and renders per minute at rest, and scale-to-file latency.

Usage: python bench/swarm.py [--services 10] [--replicas 2] [--rest 60] [--samples 10]

On the test-only single-node swarm (tests/extra_engine.py; started if needed),
``--services`` services with ``--replicas`` tasks each run on one overlay
network.  The watcher (``-watch -swarm``, default 15 s reconciliation) talks
to the engine through a counting proxy on a unix socket, so every HTTP request
it makes is counted, whatever part of dockergen makes it.

* At rest: requests and renders during ``--rest`` seconds, scaled to a minute.
* Latency: ``--samples`` times, one service is scaled up by one task, then
  down again; measured from the moment ``docker service scale`` (the update
  API call) returns to the moment the destination lists the new task's IP
  (resp. no longer lists the removed one).  This includes the swarm's own
  scheduling and the container start, so the engine's container ``start``
  event time is also recorded to show dockergen's own share.

Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import append_results, compile_package, docker_gen_command, engine_support  # noqa: F401

from extra_engine import SWARM  # noqa: E402  (tests/ is on sys.path via common)
from swarm_support import SwarmSession  # noqa: E402
from counting_proxy import CountingProxy  # noqa: E402

TEMPLATE = (
    '{% for s in services if s.Labels["dockergen.test"] == env.SESSION %}'
    "{{ s.Name }}:{% for t in s.Tasks if t.State == 'running' %} {{ t.Networks[0].IP }}{% endfor %}\n"
    "{% endfor %}"
)
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--rest", type=float, default=60)
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()
    compile_package()
    swarm = SwarmSession()
    workdir = Path(tempfile.mkdtemp(prefix="dgbench-swarm-"))
    proxy = CountingProxy(str(workdir / "engine.sock"), SWARM.socket)
    generator = None
    try:
        network = swarm.create_overlay()
        services = [
            swarm.create_service(networks=[network["Id"]], replicas=args.replicas, cmd=["sleep", "3600"])
            for _ in range(args.services)
        ]
        for service in services:
            swarm.wait_running(service["ID"], args.replicas, timeout=120)
        template, dest, log_path = workdir / "t.tmpl", workdir / "out", workdir / "gen.log"
        template.write_text(TEMPLATE)
        env = dict(os.environ, DOCKER_HOST=f"unix://{proxy.path}", SESSION=swarm.session_id)
        generator = subprocess.Popen(
            [*docker_gen_command(), "-watch", "-swarm", "-wait", "100ms:1s", "-log-level", "debug", str(template), str(dest)],
            env=env, stdout=subprocess.DEVNULL, stderr=open(log_path, "w"),
        )

        def lines() -> dict[str, list[str]]:
            text = dest.read_text() if dest.exists() else ""
            return {line.split(":")[0]: line.split()[1:] for line in text.splitlines() if ":" in line}

        deadline = time.monotonic() + 30
        while len(lines()) < args.services or any(len(v) != args.replicas for v in lines().values()):
            if time.monotonic() > deadline:
                raise SystemExit(f"startup render incomplete; see {log_path}")
            time.sleep(0.05)
        time.sleep(2)  # let the startup burst settle

        # -- at rest
        rest_start = time.monotonic()
        renders_before = log_path.read_text().count("DEBUG: Rendering ")
        time.sleep(args.rest)
        rest_requests = proxy.since(rest_start)
        rest_renders = log_path.read_text().count("DEBUG: Rendering ") - renders_before
        per_minute = 60 / args.rest
        kinds: dict[str, int] = {}
        for path in rest_requests:
            kind = re.sub(r"^/v[\d.]+", "", path)
            kinds[kind] = kinds.get(kind, 0) + 1

        # -- scale latency
        target = services[0]
        name = target["Spec"]["Name"]
        up, down, up_from_start = [], [], []
        for _ in range(args.samples):
            for replicas, bucket in ((args.replicas + 1, up), (args.replicas, down)):
                before = set(lines().get(name, []))
                asked = time.time()
                events = swarm.api.events(
                    decode=True, since=int(asked) - 1,
                    filters={"type": ["container"], "event": ["start"], "label": [f"com.docker.swarm.service.id={target['ID']}"]},
                )
                swarm.scale(target["ID"], replicas)
                returned = time.monotonic()
                while True:
                    now_ips = set(lines().get(name, []))
                    if len(now_ips) == replicas and now_ips != before:
                        break
                    if time.monotonic() - returned > 60:
                        raise SystemExit(f"scale to {replicas} never reached the file; see {log_path}")
                    time.sleep(0.002)
                seen = time.monotonic()
                seen_wall = time.time()
                bucket.append(seen - returned)
                if replicas > args.replicas:
                    for event in events:  # the first start event of this scale-up (since= is in whole seconds)
                        if event.get("Action") == "start" and event["timeNano"] / 1e9 >= asked:
                            up_from_start.append(seen_wall - event["timeNano"] / 1e9)
                            break
                events.close()
                swarm.wait_running(target["ID"], replicas)
                time.sleep(0.5)

        def fmt(values: list[float]) -> str:
            return f"p50 {statistics.median(values) * 1000:.0f} ms / p90 {percentile(values, 0.9) * 1000:.0f} ms"

        lines_out = [
            f"swarm: {args.services} services x {args.replicas} tasks on one overlay network, single-node swarm, "
            f"default reconciliation (15 s)",
            f"at rest ({args.rest:.0f} s): {len(rest_requests) * per_minute:.1f} API requests/min "
            f"({', '.join(f'{k} {v * per_minute:.1f}' for k, v in sorted(kinds.items()))}), "
            f"{rest_renders * per_minute:.1f} renders/min",
            f"scale up by one, API call returned -> new task in the file: {fmt(up)} ({len(up)} samples)",
            f"  of which after the task container's start event: {fmt(up_from_start)}" if up_from_start else "",
            f"scale down by one, API call returned -> task gone from the file: {fmt(down)} ({len(down)} samples)",
        ]
        append_results("bench/swarm.py", [line for line in lines_out if line])
    finally:
        if generator is not None:
            generator.terminate()
            generator.wait(10)
        swarm.cleanup()


if __name__ == "__main__":
    main()
