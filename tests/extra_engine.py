"""Test-only Docker engines beside the main one: a second plain engine, one to restart, and a swarm manager.

Each has its own data root, exec root, socket, pid file and containerd
namespace, and its own bridge on another subnet.  None touches the main
engine's networking: no iptables rules of their own and never ``--bridge none``
(which would delete the shared docker0).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import docker

from engine_support import TEST_IMAGE, EngineSession


@dataclass(frozen=True)
class ExtraEngine:
    name: str
    bridge: str
    bridge_address: str
    extra_args: tuple[str, ...] = ()
    fresh: bool = False  # start from empty data and exec roots every time (see SWARM)

    @property
    def socket(self) -> str:
        return f"/var/run/{self.name}.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    @property
    def pidfile(self) -> Path:
        return Path(f"/var/run/{self.name}.pid")

    @property
    def log(self) -> Path:
        return Path(f"/tmp/{self.name}.log")

    def client(self) -> docker.APIClient:
        return docker.APIClient(base_url=self.url, version="auto", timeout=30)

    def answers(self) -> bool:
        try:
            self.client().ping()
            return True
        except Exception:
            return False

    def _ensure_bridge(self) -> None:
        if subprocess.run(["ip", "link", "show", self.bridge], capture_output=True).returncode == 0:
            return
        subprocess.run(["ip", "link", "add", self.bridge, "type", "bridge"], check=True)
        subprocess.run(["ip", "addr", "add", self.bridge_address, "dev", self.bridge], check=True)
        subprocess.run(["ip", "link", "set", self.bridge, "up"], check=True)

    def start(self, timeout: float = 60) -> docker.APIClient:
        """Start the engine (if it is not running) and return a client once it answers."""
        if not self.answers():
            self._ensure_bridge()
            if self.fresh:
                self._wipe()
            for directory in (f"/var/lib/{self.name}", f"/var/run/{self.name}"):
                os.makedirs(directory, exist_ok=True)
            with open(self.log, "ab") as log:
                subprocess.Popen(
                    [
                        "dockerd", "--data-root", f"/var/lib/{self.name}", "--exec-root", f"/var/run/{self.name}",
                        "-H", self.url, "--pidfile", str(self.pidfile), "--containerd-namespace", self.name,
                        "--containerd-plugins-namespace", f"{self.name}-plugins", "--bridge", self.bridge,
                        "--iptables=false", "--ip-masq=false", *self.extra_args,
                    ],
                    stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                )
            deadline = time.monotonic() + timeout
            while not self.answers():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"engine {self.name} did not answer within {timeout} s (see {self.log})")
                time.sleep(0.2)
        client = self.client()
        try:
            client.inspect_image(TEST_IMAGE)
        except docker.errors.ImageNotFound:
            saved = subprocess.run(["docker", "save", TEST_IMAGE], check=True, capture_output=True).stdout
            subprocess.run(["docker", "-H", self.url, "load"], input=saved, check=True, capture_output=True)
        return client

    def _wipe(self) -> None:
        """Remove the data and exec roots of a stopped engine (unmounting what a crash left mounted)."""
        roots = (f"/var/lib/{self.name}", f"/var/run/{self.name}")
        with open("/proc/self/mountinfo") as handle:
            mounts = [line.split()[4] for line in handle]
        for mount in sorted((m for m in mounts if m.startswith(roots)), reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        for root in roots:
            shutil.rmtree(root, ignore_errors=True)
        self.pidfile.unlink(missing_ok=True)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM the engine and wait until it is gone."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                raise RuntimeError(f"engine {self.name} did not stop")
            time.sleep(0.1)

    def session(self) -> EngineSession:
        """Labelled containers on this engine, removed with ``cleanup()``."""
        return EngineSession(self.client())


def _link_exists(name: str) -> bool:
    return subprocess.run(["ip", "link", "show", name], capture_output=True).returncode == 0


def _alive(pid: int) -> bool:
    """Running (a zombie child of ours is reaped, not counted)."""
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass  # not our child
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# For several-endpoint tests: its containers keep running while it is stopped, as on a lost host.
SECOND = ExtraEngine("dockergen-engine2", "dgt-br2", "10.213.0.1/24", ("--live-restore",))

# For the daemon-restart test: stopped and started again mid-test, without --live-restore so that
# shutting it down stops its containers (as a restart of a host's engine does).  The main engine is
# never the one restarted.
RESTART = ExtraEngine("dockergen-restart", "dgt-br4", "10.217.0.1/24")

# A single-node swarm manager (swarm rejects --live-restore).  Its local networks and the swarm's
# overlay networks get their own address pools, so they never overlap the main engine's.
# Always a new swarm: dockerd 20.10 restarted on the data root of a swarm manager deletes the
# host's docker0 -- the main engine's bridge -- while it re-creates its own default network.
SWARM = ExtraEngine(
    "dockergen-swarm", "dgt-br3", "10.214.0.1/24", ("--default-address-pool", "base=10.215.0.0/16,size=24"),
    fresh=True,
)
SWARM_ADDRESS_POOL = "10.216.0.0/16"


def start_swarm(timeout: float = 60) -> docker.APIClient:
    """The swarm engine, a swarm manager (``swarm init`` the first time)."""
    had_docker0 = _link_exists("docker0")
    client = SWARM.start(timeout)
    if had_docker0 and not _link_exists("docker0"):
        raise RuntimeError("starting the swarm engine deleted docker0, the main engine's bridge (see tests/extra_engine.py)")
    if (client.info().get("Swarm") or {}).get("LocalNodeState") != "active":
        client.init_swarm(advertise_addr="127.0.0.1", listen_addr="127.0.0.1:2377", default_addr_pool=[SWARM_ADDRESS_POOL])
    return client
