"""A second, test-only Docker engine beside the main one (for several-endpoint tests).

It has its own data root, exec root, socket, pid file and containerd
namespace, and its own bridge on another subnet.  It never touches the main
engine's networking: no iptables rules of its own and never ``--bridge none``
(which would delete the shared docker0).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import docker

from engine_support import TEST_IMAGE, EngineSession

NAME = "dockergen-engine2"
SOCKET = f"/var/run/{NAME}.sock"
URL = f"unix://{SOCKET}"
PIDFILE = Path(f"/var/run/{NAME}.pid")
BRIDGE = "dgt-br2"
BRIDGE_ADDRESS = "10.213.0.1/24"
LOG = Path(f"/tmp/{NAME}.log")


def _client() -> docker.APIClient:
    return docker.APIClient(base_url=URL, version="auto", timeout=30)


def answers() -> bool:
    try:
        _client().ping()
        return True
    except Exception:
        return False


def _ensure_bridge() -> None:
    if subprocess.run(["ip", "link", "show", BRIDGE], capture_output=True).returncode == 0:
        return
    subprocess.run(["ip", "link", "add", BRIDGE, "type", "bridge"], check=True)
    subprocess.run(["ip", "addr", "add", BRIDGE_ADDRESS, "dev", BRIDGE], check=True)
    subprocess.run(["ip", "link", "set", BRIDGE, "up"], check=True)


def start(timeout: float = 60) -> docker.APIClient:
    """Start the second engine (if it is not running) and return a client once it answers."""
    if not answers():
        _ensure_bridge()
        for directory in (f"/var/lib/{NAME}", f"/var/run/{NAME}"):
            os.makedirs(directory, exist_ok=True)
        with open(LOG, "ab") as log:
            subprocess.Popen(
                [
                    "dockerd", "--data-root", f"/var/lib/{NAME}", "--exec-root", f"/var/run/{NAME}",
                    "-H", URL, "--pidfile", str(PIDFILE), "--containerd-namespace", "dockergen2",
                    "--containerd-plugins-namespace", "dockergen2-plugins", "--bridge", BRIDGE,
                    "--iptables=false", "--ip-masq=false",
                    "--live-restore",  # its containers keep running while it is stopped, as on a lost host
                ],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not answers():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the second engine did not answer within {timeout} s (see {LOG})")
            time.sleep(0.2)
    client = _client()
    try:
        client.inspect_image(TEST_IMAGE)
    except docker.errors.ImageNotFound:
        saved = subprocess.run(["docker", "save", TEST_IMAGE], check=True, capture_output=True).stdout
        subprocess.run(["docker", "-H", URL, "load"], input=saved, check=True, capture_output=True)
    return client


def stop(timeout: float = 60) -> None:
    """SIGTERM the second engine and wait until it is gone (its socket too)."""
    try:
        pid = int(PIDFILE.read_text().strip())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            raise RuntimeError("the second engine did not stop")
        time.sleep(0.1)


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


def session() -> EngineSession:
    """Labelled containers on the second engine, removed with ``cleanup()``."""
    return EngineSession(_client())
