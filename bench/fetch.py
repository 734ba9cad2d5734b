"""How fast a one-shot run reads N containers from the engine: one list call, then an inspect per container.

docker-gen asks the same questions (list, then one inspect per container,
one after the other).  Measured in one process, after the imports, on the
Docker engine with N labelled running containers:

* the lean unix-socket client (dockergen.daemon.api) with the inspects
  pipelined over 1, 2, 4, 8 (the inventory's default) and 16 connections;
* the docker SDK's APIClient, inspects one after the other (docker-gen's way)
  and from 8 threads (what the inventory does on tcp endpoints).

Each variant runs in turn within a round (a fresh client each time: a one-shot
run starts with no connection), ``--rounds`` rounds; wall time p50 and min.

Usage: python bench/fetch.py [--count 100] [--rounds 15]
Figures are printed and appended to bench/results.md.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from common import append_results, engine_support, load_average, start_containers

from dockergen.daemon.api import UnixReadClient

SOCKET = "/var/run/docker.sock"


def lean(connections: int) -> Callable[[dict], int]:
    def fetch(filters: dict) -> int:
        client = UnixReadClient(SOCKET)
        ids = [item["Id"] for item in client.containers(all=True, filters=filters)]
        answers = client.inspect_containers(ids, connections=connections)
        assert all(isinstance(answer, dict) for answer in answers)
        return len(answers)

    return fetch


def sdk(threads: int) -> Callable[[dict], int]:
    def fetch(filters: dict) -> int:
        import docker

        client = docker.APIClient(base_url=f"unix://{SOCKET}", version="auto")
        try:
            ids = [item["Id"] for item in client.containers(all=True, filters=filters)]
            if threads == 1:
                answers = [client.inspect_container(cid) for cid in ids]
            else:
                with ThreadPoolExecutor(max_workers=threads) as pool:
                    answers = list(pool.map(client.inspect_container, ids))
            return len(answers)
        finally:
            client.close()

    return fetch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    variants: dict[str, Callable[[dict], int]] = {
        **{f"lean client, {n} connection{'s' if n > 1 else ''}": lean(n) for n in (1, 2, 4, 8, 16)},
        "docker SDK, one inspect after the other (docker-gen's way)": sdk(1),
        "docker SDK, 8 threads": sdk(8),
    }
    session = engine_support.EngineSession()
    walls: dict[str, list[float]] = {name: [] for name in variants}
    try:
        start_containers(session, args.count)
        filters = {"label": [session.label_filter]}
        load_before = load_average()
        for fetch in variants.values():
            fetch(filters)  # warm up (the SDK's import included)
        for _ in range(args.rounds):
            for name, fetch in variants.items():
                started = time.perf_counter()
                found = fetch(filters)
                walls[name].append(time.perf_counter() - started)
                if found != args.count:
                    raise SystemExit(f"{name}: read {found} containers, expected {args.count}")
    finally:
        session.cleanup()
    lines = [
        f"List + {args.count} inspects of running labelled containers, a fresh client per fetch, {args.rounds} "
        f"rounds (each variant once per round); load average before / after: {load_before} / {load_average()}.",
        "",
        "| client | wall p50 (ms) | wall min (ms) |",
        "|---|---:|---:|",
    ]
    for name, values in walls.items():
        lines.append(f"| {name} | {statistics.median(values) * 1e3:.1f} | {min(values) * 1e3:.1f} |")
        print(lines[-1], flush=True)
    append_results(f"bench/fetch.py: reading {args.count} containers from the engine", lines)


if __name__ == "__main__":
    main()
