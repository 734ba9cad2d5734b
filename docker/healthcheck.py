"""The image's HEALTHCHECK: ask docker-gen's own /healthz, when it serves one.

docker-gen serves /healthz only when it runs with ``-metrics-addr HOST:PORT``
(watch mode).  This finds the docker-gen process in the container (PID 1, or
the first one found, e.g. under ``--init``), reads that flag from its command
line and requests ``http://HOST:PORT/healthz``:

* 200 -> healthy (exit 0): first render done, event stream connected;
* anything else, or no answer -> unhealthy (exit 1), with the reason;
* no ``-metrics-addr`` (health server off), or no docker-gen process ->
  nothing to check: exit 0, so the container is never marked unhealthy
  merely because the health server was not asked for.

A wildcard address (``:9100``, ``0.0.0.0:9100``, ``[::]:9100``) is reached
on the loopback interface.  Standard library only.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

PROGRAMS = {"docker-gen", "dockergen"}
TIMEOUT = 4.0


def read_cmdline(pid: str) -> list[str]:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            raw = handle.read()
    except OSError:
        return []
    return [part.decode("utf-8", "replace") for part in raw.split(b"\0")[:-1]]


def docker_gen_args(argv: list[str]) -> list[str] | None:
    """The arguments after the program when ``argv`` runs docker-gen, else None.

    Matches ``docker-gen ...``, ``/opt/dockergen/bin/docker-gen ...`` (also as
    ``python /opt/dockergen/bin/docker-gen ...``) and ``python -m dockergen ...``.
    """
    for index, arg in enumerate(argv[:3]):
        if os.path.basename(arg) in PROGRAMS:
            return argv[index + 1 :]
        if arg == "-m" and index + 1 < len(argv) and argv[index + 1] == "dockergen":
            return argv[index + 2 :]
    return None


def metrics_addr(args: list[str]) -> str:
    """The -metrics-addr value docker-gen parsed from ``args`` ("" when not given)."""
    try:
        from dockergen.cli import parse_args  # the very parser docker-gen used

        return str(parse_args(args)["metrics-addr"] or "")
    except Exception:  # noqa: BLE001 - fall back to a plain scan
        pass
    for index, arg in enumerate(args):
        name, has_value, value = arg.lstrip("-").partition("=")
        if arg.startswith("-") and name == "metrics-addr":
            if has_value:
                return value
            return args[index + 1] if index + 1 < len(args) else ""
    return ""


def find_docker_gen() -> tuple[str, list[str]] | None:
    """(pid, arguments) of the docker-gen process, PID 1 preferred."""
    me = str(os.getpid())
    pids = sorted((p for p in os.listdir("/proc") if p.isdigit() and p != me), key=int)
    for pid in pids:
        args = docker_gen_args(read_cmdline(pid))
        if args is not None:
            return pid, args
    return None


def url_for(address: str) -> str:
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    found = find_docker_gen()
    if found is None:
        print("no docker-gen process found: nothing to check")
        return 0
    pid, args = found
    address = metrics_addr(args)
    if not address:
        print(f"docker-gen (pid {pid}) runs without -metrics-addr: no /healthz to check")
        return 0
    url = url_for(address)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            body = response.read(500).decode("utf-8", "replace").strip()
            print(f"{url}: {response.status} {body}")
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as exc:
        body = exc.read(500).decode("utf-8", "replace").strip()
        print(f"{url}: {exc.code} {body}")
    except (OSError, ValueError) as exc:
        print(f"{url}: {exc}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
