"""A test-only Podman service (``podman system service``) beside the main Docker engine.

Everything it keeps is its own: storage, run and tmp roots, network configs, a
``containers.conf``, its socket, and a default network named ``podman`` (as on
any Podman host) on its own bridge and subnet.  The firewall chains netavark
adds and leaves behind are removed at :func:`PodmanService.stop`, and only
those that were not there before it started.

The sandbox this runs in refuses Podman's default rlimits (``error setting
rlimit type 7``), so ``containers.conf`` sets them to the current hard limits.
No systemd runs here, so healthchecks run only when asked (:meth:`healthcheck`).

No pytest imports: ``bench/`` uses it too.
"""

from __future__ import annotations

import json
import os
import resource
import shlex
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import docker

from engine_support import TEST_IMAGE, EngineSession

BRIDGE = "dgt-pm0"
SUBNET = "10.218.0.0/16"
GATEWAY = "10.218.0.1"
NETWORK_POOL = "10.219.0.0/16"  # networks the tests create
_TABLES = ("filter", "nat", "mangle")


def installed() -> bool:
    return shutil.which("podman") is not None


def _containers_conf(events_log: Path) -> str:
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], 32768)
    nofile = 1048576 if nofile == resource.RLIM_INFINITY else nofile
    nproc = 32768 if nproc == resource.RLIM_INFINITY else nproc
    return "\n".join(
        [
            "[containers]",
            f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]',
            "[engine]",
            'cgroup_manager = "cgroupfs"',
            'events_logger = "file"',
            f'events_logfile_path = "{events_log}"',
            "[network]",
            f'default_subnet_pools = [{{"base" = "{NETWORK_POOL}", "size" = 24}}]',
            "",
        ]
    )


def _default_network() -> dict:
    """Podman's built-in ``podman`` network, moved to a bridge and subnet of our own."""
    return {
        "name": "podman",
        "id": "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9",
        "driver": "bridge",
        "network_interface": BRIDGE,
        "created": "2026-01-01T00:00:00Z",
        "subnets": [{"subnet": SUBNET, "gateway": GATEWAY}],
        "ipv6_enabled": False,
        "internal": False,
        "dns_enabled": False,
        "ipam_options": {"driver": "host-local"},
    }


def _chains(table: str) -> tuple[set[str], list[str]]:
    """The chains and the rules (``-A ...`` lines) of one iptables table."""
    saved = subprocess.run(["iptables-save", "-t", table], capture_output=True, text=True).stdout.splitlines()
    chains = {line[1:].split()[0] for line in saved if line.startswith(":")}
    rules = [line for line in saved if line.startswith("-A ")]
    return chains, rules


def _link_exists(name: str) -> bool:
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


@dataclass
class PodmanService:
    name: str = "dockergen-podman"
    _process: subprocess.Popen | None = None
    _chains_before: dict[str, set[str]] = field(default_factory=dict)
    _had_bridge: bool = False

    @property
    def data(self) -> Path:
        return Path(f"/var/lib/{self.name}")

    @property
    def run_dir(self) -> Path:
        return Path(f"/run/{self.name}")

    @property
    def socket(self) -> str:
        return str(self.run_dir / "podman.sock")

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def log(self) -> Path:
        return Path(f"/tmp/{self.name}.log")

    @property
    def conf(self) -> Path:
        return self.data / "containers.conf"

    def environment(self) -> dict[str, str]:
        return {**os.environ, "CONTAINERS_CONF": str(self.conf)}

    def _global_options(self) -> list[str]:
        return [
            "--root", str(self.data / "storage"), "--runroot", str(self.run_dir / "storage"),
            "--tmpdir", str(self.run_dir / "libpod"), "--network-config-dir", str(self.data / "networks"),
            "--storage-driver", "vfs", "--runtime", "runc",
        ]

    def cli(self, *args: str, check: bool = True, input: bytes | None = None) -> subprocess.CompletedProcess:
        """``podman ARGS`` on this service's storage (what a user's ``podman`` command does)."""
        return subprocess.run(
            ["podman", *self._global_options(), *args],
            env=self.environment(), capture_output=True, check=check, input=input,
        )

    def client(self, timeout: int = 30) -> docker.APIClient:
        return docker.APIClient(base_url=self.url, version="auto", timeout=timeout, max_pool_size=16)

    def answers(self) -> bool:
        try:
            return docker.APIClient(base_url=self.url, version="1.41", timeout=2).ping()
        except Exception:
            return False

    def start(self, timeout: float = 60) -> docker.APIClient:
        """A fresh service (new roots), with the test image loaded; returns a client."""
        if not installed():
            raise RuntimeError("podman is not installed; run the tests with `bash scripts/test` (it installs podman)")
        self.stop()
        self._wipe()
        self._chains_before = {table: _chains(table)[0] for table in _TABLES}
        self._had_bridge = _link_exists(BRIDGE)
        (self.data / "networks").mkdir(parents=True)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.conf.write_text(_containers_conf(self.run_dir / "events.log"))
        (self.data / "networks" / "podman.json").write_text(json.dumps(_default_network(), indent=1))
        self.start_service(timeout)
        saved = subprocess.run(["docker", "save", TEST_IMAGE], check=True, capture_output=True).stdout
        self.cli("load", input=saved)
        return self.client()

    def start_service(self, timeout: float = 60) -> None:
        """Start ``podman system service`` on the current roots and wait until it answers."""
        with open(self.log, "ab") as log:
            self._process = subprocess.Popen(
                ["podman", *self._global_options(), "system", "service", "--time=0", self.url],
                env=self.environment(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"podman service did not answer within {timeout} s (see {self.log})")
            time.sleep(0.1)

    def stop_service(self, timeout: float = 30) -> None:
        """Stop only the API service: containers keep running (conmon holds them), as when
        ``podman.socket``'s service exits or is restarted on a real host."""
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def healthcheck(self, container: str) -> int:
        """Run a container's healthcheck once (systemd timers run them on a real Podman host)."""
        return self.cli("healthcheck", "run", container, check=False).returncode

    def session(self) -> EngineSession:
        return EngineSession(self.client(), image=TEST_IMAGE)

    def stop(self, timeout: float = 30) -> None:
        """Remove its containers and networks, stop it, and undo what netavark left behind."""
        if self._process is not None and self._process.poll() is None:
            self.cli("rm", "--all", "--force", "--time", "0", check=False)
            self.cli("network", "prune", "--force", check=False)
            self.stop_service(timeout)
        self._process = None
        self._stop_stale_service()
        self._clean_firewall()
        if not self._had_bridge and _link_exists(BRIDGE):
            subprocess.run(["ip", "link", "delete", BRIDGE], capture_output=True)
        self._wipe()

    def _stop_stale_service(self) -> None:
        """A service an aborted session left running on our socket (found by its command line)."""
        for entry in Path("/proc").iterdir():
            try:
                words = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"service" in words and self.url.encode() in words and words[0].endswith(b"podman"):
                os.kill(int(entry.name), signal.SIGTERM)
                deadline = time.monotonic() + 10
                while (entry / "cmdline").exists() and time.monotonic() < deadline:
                    time.sleep(0.1)

    def _clean_firewall(self) -> None:
        """Delete the NETAVARK chains that appeared since start, and every rule that jumps to them."""
        for table, before in self._chains_before.items():
            chains, rules = _chains(table)
            ours = {c for c in chains - before if c.startswith("NETAVARK")}
            if not ours:
                continue
            for rule in rules:
                words = shlex.split(rule)
                chain, target = words[1], words[words.index("-j") + 1] if "-j" in words else ""
                if chain not in ours and target in ours:
                    subprocess.run(["iptables", "-t", table, "-D", *words[1:]], capture_output=True)
            for chain in ours:
                subprocess.run(["iptables", "-t", table, "-F", chain], capture_output=True)
            for chain in ours:
                subprocess.run(["iptables", "-t", table, "-X", chain], capture_output=True)
        self._chains_before = {}

    def _wipe(self) -> None:
        for root in (self.data, self.run_dir):
            with open("/proc/self/mountinfo") as handle:
                mounts = [line.split()[4] for line in handle]
            for mount in sorted((m for m in mounts if m.startswith(str(root))), reverse=True):
                subprocess.run(["umount", "-l", mount], capture_output=True)
            shutil.rmtree(root, ignore_errors=True)
