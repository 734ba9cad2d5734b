"""Helpers for tests and benchmarks that drive a REAL Docker engine.

No pytest imports here: ``bench/`` scripts may use this module too
(``sys.path.insert(0, "tests"); import engine_support``).

Ownership model
---------------
Every container and network made through an :class:`EngineSession` carries
the label ``dockergen.test=<session id>`` where the session id is
``<random>.<pid>@<hostname>``.  That lets us

* remove everything a session made at its end (``EngineSession.cleanup``),
* remove leftovers of *aborted* earlier sessions (``sweep_stale``): only
  objects carrying the ``dockergen.test`` label whose owning process is dead
  (same host) or that are older than ``FOREIGN_STALE_AFTER`` (other host),
  so concurrently running test sessions on the same engine are left alone,
* never touch anything else: removal is by tracked id or by our own label.
"""

from __future__ import annotations

import datetime as _dt
import itertools
import os
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Mapping, Sequence

import docker
import docker.errors
import docker.types

TEST_IMAGE = "dockergen-test/busybox:latest"
LABEL_KEY = "dockergen.test"
DEFAULT_CMD = ("sleep", "3600")
PARALLEL_WORKERS = 8
# Leftovers made by a test session on another host (shared DOCKER_HOST) are
# only considered stale after this many seconds.
FOREIGN_STALE_AFTER = 6 * 3600
# Host address published ports bind to unless a test says otherwise: keep
# test traffic on loopback.
DEFAULT_PUBLISH_IP = "127.0.0.1"

HINT = "Run the tests with `bash scripts/test` (it installs/starts dockerd and imports the test image)."

# create_container() keywords (everything else goes to create_host_config()).
_CONTAINER_KWARGS = frozenset(
    {
        "hostname",
        "domainname",
        "user",
        "working_dir",
        "entrypoint",
        "stop_signal",
        "stop_timeout",
        "tty",
        "stdin_open",
        "mac_address",
        "volumes",
        "runtime",
        "platform",
    }
)


class EngineUnavailable(RuntimeError):
    """The Docker engine cannot be reached."""


# --------------------------------------------------------------------------
# small helpers


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 10,
    interval: float = 0.05,
    message: str | None = None,
) -> Any:
    """Call ``predicate`` until it returns something truthy and return that.

    Raises ``AssertionError`` (with ``message``, the predicate's name and its
    last value) after ``timeout`` seconds.  Exceptions raised by the
    predicate propagate immediately.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            what = message or f"condition {getattr(predicate, '__name__', predicate)!r}"
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {value!r}")
        time.sleep(interval)


def connect(timeout: int = 60, max_pool_size: int = 2 * PARALLEL_WORKERS) -> docker.APIClient:
    """An ``APIClient`` configured from the environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
    DOCKER_CERT_PATH), API version negotiated; raises EngineUnavailable."""
    where = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    try:
        client = docker.from_env(version="auto", timeout=timeout, max_pool_size=max_pool_size)
        api = client.api
        api.ping()
    except Exception as exc:  # DockerException, requests errors, FileNotFoundError...
        raise EngineUnavailable(f"Docker engine at {where} is not reachable: {exc}. {HINT}") from exc
    return api


def new_session_id() -> str:
    return f"{uuid.uuid4().hex[:10]}.{os.getpid()}@{socket.gethostname()}"


def parse_session_id(value: str) -> tuple[int, str] | None:
    """``(pid, host)`` of a session id, or None when it is not one of ours."""
    try:
        head, host = value.rsplit("@", 1)
        pid = int(head.rsplit(".", 1)[1])
    except (ValueError, IndexError, AttributeError):
        return None
    return pid, host


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _created_epoch(value: Any) -> float | None:
    """Container lists give epoch seconds; network lists an RFC 3339 string with nanoseconds."""
    if isinstance(value, (int, float)):
        return float(value)
    match = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", str(value or ""))
    if not match:
        return None
    base, frac, tz = match.groups()
    stamp = _dt.datetime.fromisoformat(base + (tz if tz and tz != "Z" else "+00:00"))
    return stamp.timestamp() + (float("0." + frac) if frac else 0.0)


def is_stale(session_value: str, created: Any, *, now: float | None = None) -> bool:
    """Is an object labelled ``dockergen.test=session_value`` a leftover of a dead session?"""
    owner = parse_session_id(session_value)
    if owner is None:
        return True  # not in our format: from an older scheme, can't be running
    pid, host = owner
    if host == socket.gethostname():
        return not _pid_alive(pid)
    epoch = _created_epoch(created)
    now = time.time() if now is None else now
    return epoch is not None and now - epoch > FOREIGN_STALE_AFTER


def port_key(port: int | str | tuple) -> str:
    """80 -> '80/tcp', '53/udp' -> '53/udp', (53, 'udp') -> '53/udp'."""
    if isinstance(port, tuple):
        number, proto = port
        return f"{int(number)}/{proto}"
    text = str(port)
    if "/" in text:
        number, proto = text.split("/", 1)
        return f"{int(number)}/{proto}"
    return f"{int(text)}/tcp"


def _binding(value: Any) -> tuple[str, str]:
    """Publish value -> (HostIp, HostPort). None: random port on loopback;
    int/str port: that port on loopback; (ip, port-or-None): as given."""
    if isinstance(value, tuple):
        ip, port = value
        return ip, "" if port is None else str(port)
    return DEFAULT_PUBLISH_IP, "" if value is None else str(value)


def _net_spec(item: Any) -> tuple[str, dict]:
    """'name' or ('name', {aliases: [...], ipv4_address: ...})."""
    if isinstance(item, tuple):
        name, opts = item
        return name, dict(opts or {})
    return item, {}


def _parallel(fn: Callable, items: Sequence, workers: int = PARALLEL_WORKERS) -> list:
    """Run fn over items concurrently; returns results in order; re-raises the first error
    after ALL items were attempted."""
    if not items:
        return []
    results: list = [None] * len(items)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            results[i] = fn(items[i])
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            errors.append(exc)

    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        list(pool.map(run, range(len(items))))
    if errors:
        raise errors[0]
    return results


# --------------------------------------------------------------------------
# container handle


class Container:
    """A container made by the tests: ``.id``, ``.name``, ``.attrs`` (last inspect);
    ``c["Config"]`` reads the last inspect; ``c.inspect()`` refreshes it."""

    def __init__(self, api: docker.APIClient, container_id: str):
        self.api = api
        self.id = container_id
        self.attrs: dict = {}
        self.inspect()

    # inspect data
    def inspect(self) -> dict:
        self.attrs = self.api.inspect_container(self.id)
        return self.attrs

    def __getitem__(self, key: str) -> Any:
        return self.attrs[key]

    @property
    def name(self) -> str:
        return self.attrs["Name"].lstrip("/")

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def status(self) -> str:
        return self.inspect()["State"]["Status"]

    @property
    def health(self) -> str | None:
        health = self.inspect()["State"].get("Health")
        return health and health.get("Status")

    def ip(self, network: str | None = None) -> str:
        nets = self.inspect()["NetworkSettings"]["Networks"]
        if network is None:
            network = next(iter(nets))
        return nets[network]["IPAddress"]

    def host_port(self, port: int | str | tuple) -> int:
        """Host port a container port is published on (after start)."""
        bindings = self.inspect()["NetworkSettings"]["Ports"].get(port_key(port)) or []
        if not bindings:
            raise KeyError(f"{port_key(port)} is not published by {self.name}")
        return int(bindings[0]["HostPort"])

    # actions
    def start(self) -> "Container":
        self.api.start(self.id)
        self.inspect()
        return self

    def stop(self, timeout: int = 1) -> "Container":
        self.api.stop(self.id, timeout=timeout)
        self.inspect()
        return self

    def restart(self, timeout: int = 1) -> "Container":
        self.api.restart(self.id, timeout=timeout)
        self.inspect()
        return self

    def kill(self, signal: str | int | None = None) -> "Container":
        self.api.kill(self.id, signal=signal)
        return self

    def pause(self) -> "Container":
        self.api.pause(self.id)
        return self

    def unpause(self) -> "Container":
        self.api.unpause(self.id)
        return self

    def exec(self, *cmd: str, user: str = "") -> tuple[int, str]:
        """Run a command inside; returns (exit code, combined output)."""
        exec_id = self.api.exec_create(self.id, list(cmd), user=user)["Id"]
        output = self.api.exec_start(exec_id)
        code = self.api.exec_inspect(exec_id)["ExitCode"]
        return code, output.decode("utf-8", "replace")

    def logs(self) -> str:
        return self.api.logs(self.id).decode("utf-8", "replace")

    def __repr__(self) -> str:
        return f"<Container {self.short_id} {self.attrs.get('Name', '?')}>"


# --------------------------------------------------------------------------
# sessions and scopes


class EngineSession:
    """One test (or benchmark) session on an engine; creates labelled objects."""

    def __init__(self, api: docker.APIClient | None = None, session_id: str | None = None, image: str = TEST_IMAGE):
        self.api = api or connect()
        self.session_id = session_id or new_session_id()
        self.image = image
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def label(self) -> dict[str, str]:
        return {LABEL_KEY: self.session_id}

    @property
    def label_filter(self) -> str:
        return f"{LABEL_KEY}={self.session_id}"

    def image_exists(self, image: str | None = None) -> bool:
        try:
            self.api.inspect_image(image or self.image)
        except docker.errors.ImageNotFound:
            return False
        return True

    def unique_name(self, prefix: str = "dgt") -> str:
        with self._lock:
            n = next(self._counter)
        return f"{prefix}-{self.session_id.split('.', 1)[0][:6]}-{n}"

    def scope(self) -> "Scope":
        return Scope(self)

    # --- creation ----------------------------------------------------------
    def create_container(
        self,
        *cmd: str,
        name: str | None = None,
        env: Mapping[str, Any] | Sequence[str] | None = None,
        labels: Mapping[str, str] | None = None,
        expose: Iterable[int | str | tuple] | None = None,
        publish: Mapping[int | str, Any] | None = None,
        networks: Sequence[str | tuple] | None = None,
        healthcheck: Mapping[str, Any] | None = None,
        mounts: Sequence[Any] | None = None,
        devices: Sequence[str] | None = None,
        start: bool = True,
        image: str | None = None,
        on_created: Callable[[str], None] | None = None,
        image_command: bool = False,
        **extra: Any,
    ) -> Container:
        """``image_command=True`` without ``cmd``: the image's own command instead of ``DEFAULT_CMD``."""
        api = self.api
        command = list(cmd) if cmd else (None if image_command else list(DEFAULT_CMD))
        if isinstance(env, Mapping):
            env = [f"{k}={v}" for k, v in env.items()]
        all_labels = {**(labels or {}), **self.label}

        exposed: dict[str, None] = {}
        for port in expose or ():
            exposed[port_key(port)] = None
        port_bindings: dict[str, list] = {}
        for port, value in (publish or {}).items():
            key = port_key(port)
            exposed[key] = None
            values = value if isinstance(value, list) else [value]
            port_bindings[key] = [_binding(v) for v in values]
        ports = [tuple(k.split("/", 1)) for k in exposed] or None
        ports = [(int(p), proto) for p, proto in ports] if ports else None

        binds: list[str] = []
        mount_objs: list = []
        for m in mounts or ():
            (binds if isinstance(m, str) else mount_objs).append(m)

        container_kwargs = {k: extra.pop(k) for k in list(extra) if k in _CONTAINER_KWARGS}
        nets = [_net_spec(n) for n in (networks or ())]
        if nets:
            extra.setdefault("network_mode", nets[0][0])
        host_config = api.create_host_config(
            port_bindings=port_bindings or None,
            binds=binds or None,
            mounts=mount_objs or None,
            devices=list(devices) if devices else None,
            **extra,
        )
        networking_config = None
        if nets:
            first, opts = nets[0]
            networking_config = api.create_networking_config({first: api.create_endpoint_config(**opts)})

        created = api.create_container(
            image or self.image,
            command=command,
            name=name,
            environment=env,
            labels=all_labels,
            ports=ports,
            host_config=host_config,
            networking_config=networking_config,
            healthcheck=dict(healthcheck) if healthcheck else None,
            use_config_proxy=False,  # no proxy variables from ~/.docker/config.json in Env
            **container_kwargs,
        )
        cid = created["Id"]
        if on_created is not None:
            on_created(cid)  # register for cleanup before anything else can fail
        for net, opts in nets[1:]:
            api.connect_container_to_network(cid, net, **opts)
        if start:
            api.start(cid)
        return Container(api, cid)

    def create_containers(self, n: int, *cmd: str, name: str | None = None, **kw: Any) -> list[Container]:
        """n containers made (and started) in parallel; ``name`` may contain ``{i}``."""

        def one(i: int) -> Container:
            return self.create_container(*cmd, name=name.format(i=i) if name else None, **kw)

        return _parallel(one, list(range(n)))

    def create_network(
        self,
        name: str | None = None,
        *,
        internal: bool = False,
        labels: Mapping[str, str] | None = None,
        driver: str = "bridge",
        on_created: Callable[[str], None] | None = None,
        **kw: Any,
    ) -> dict:
        """A labelled network; returns its inspect dict (``["Id"]``, ``["Name"]``)."""
        name = name or self.unique_name("dgt-net")
        created = self.api.create_network(
            name,
            driver=driver,
            internal=internal,
            labels={**(labels or {}), **self.label},
            check_duplicate=True,
            **kw,
        )
        if on_created is not None:
            on_created(created["Id"])
        return self.api.inspect_network(created["Id"])

    # --- removal -----------------------------------------------------------
    def remove_container(self, cid: str) -> str | None:
        """Force-remove (with anonymous volumes); returns an error text or None."""
        for _ in range(100):
            try:
                self.api.remove_container(cid, force=True, v=True)
                return None
            except docker.errors.NotFound:
                return None
            except docker.errors.APIError as exc:
                if "already in progress" in str(exc) or "is being removed" in str(exc):
                    time.sleep(0.1)
                    continue
                return f"container {cid[:12]}: {exc}"
        return f"container {cid[:12]}: removal did not finish"

    def remove_network(self, nid: str) -> str | None:
        for _ in range(50):
            try:
                self.api.remove_network(nid)
                return None
            except docker.errors.NotFound:
                return None
            except docker.errors.APIError as exc:
                if "active endpoints" in str(exc):  # a container still detaching
                    time.sleep(0.1)
                    continue
                return f"network {nid[:12]}: {exc}"
        return f"network {nid[:12]}: still has active endpoints"

    def remove(self, container_ids: Iterable[str] = (), network_ids: Iterable[str] = ()) -> list[str]:
        """Remove containers (in parallel) and then networks; returns error texts."""
        errors = [e for e in _parallel(self.remove_container, list(dict.fromkeys(container_ids))) if e]
        errors += [e for e in (self.remove_network(n) for n in dict.fromkeys(network_ids)) if e]
        return errors

    def cleanup(self) -> list[str]:
        """Remove everything labelled with THIS session's id."""
        flt = {"label": self.label_filter}
        cids = [c["Id"] for c in self.api.containers(all=True, filters=flt)]
        nids = [n["Id"] for n in self.api.networks(filters=flt)]
        return self.remove(cids, nids)

    def sweep_stale(self) -> tuple[int, int, list[str]]:
        """Remove leftovers of dead earlier sessions (label key ``dockergen.test`` only).
        Returns (containers removed, networks removed, errors)."""
        flt = {"label": LABEL_KEY}
        cids = [
            c["Id"]
            for c in self.api.containers(all=True, filters=flt)
            if (c.get("Labels") or {}).get(LABEL_KEY) != self.session_id
            and is_stale((c.get("Labels") or {}).get(LABEL_KEY, ""), c.get("Created"))
        ]
        nids = [
            n["Id"]
            for n in self.api.networks(filters=flt)
            if (n.get("Labels") or {}).get(LABEL_KEY) != self.session_id
            and is_stale((n.get("Labels") or {}).get(LABEL_KEY, ""), n.get("Created"))
        ]
        return len(cids), len(nids), self.remove(cids, nids)


class Scope:
    """Tracks what one test made and removes exactly that (containers, then networks)."""

    def __init__(self, engine: EngineSession):
        self.engine = engine
        self.container_ids: list[str] = []
        self.network_ids: list[str] = []
        self._lock = threading.Lock()

    def _track_container(self, cid: str) -> None:
        with self._lock:
            self.container_ids.append(cid)

    def _track_network(self, nid: str) -> None:
        with self._lock:
            self.network_ids.append(nid)

    def container(self, *cmd: str, **kw: Any) -> Container:
        return self.engine.create_container(*cmd, on_created=self._track_container, **kw)

    def containers(self, n: int, *cmd: str, **kw: Any) -> list[Container]:
        return self.engine.create_containers(n, *cmd, on_created=self._track_container, **kw)

    def network(self, name: str | None = None, **kw: Any) -> dict:
        return self.engine.create_network(name, on_created=self._track_network, **kw)

    def cleanup(self) -> list[str]:
        with self._lock:
            cids, nids = list(self.container_ids), list(self.network_ids)
            self.container_ids.clear()
            self.network_ids.clear()
        return self.engine.remove(cids, nids)
