"""A test's own HAProxy in front of the engine, running the shipped examples/socket-proxy/haproxy.cfg.

Only what must differ for a test is changed: where the proxy listens (a
socket in the test's directory or a free loopback port), which engine socket
it talks to, and, when asked, its timeouts or its ``# write`` rules (left out
for the read-only variant, as docs/deploy.md tells users to do).  Its log
(method, path, status per request) goes to a file the test reads.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
CONFIG = REPO / "examples" / "socket-proxy" / "haproxy.cfg"
DEPLOY_DOC = REPO / "docs" / "deploy.md"
WRITE_MARK = "# write"
REFUSED = b"Request forbidden by administrative rules"  # HAProxy's own 403 page, never the engine's

_LOG_LINE = re.compile(r"^\S+ ([A-Z]+) (\S+) (\d{3})$")  # log-format "%tr %HM %HU %ST"


def haproxy_binary() -> str | None:
    return shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")


def engine_socket() -> str | None:
    """The main engine's unix socket, or None when DOCKER_HOST is not one."""
    host = os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"
    return host.removeprefix("unix://") if host.startswith("unix://") else None


def _replace_line(text: str, pattern: str, new: str) -> str:
    """Replace the one line matching ``pattern``; the shipped file must have exactly one."""
    regex = re.compile(pattern, re.MULTILINE)
    found = regex.findall(text)
    if len(found) != 1:
        raise AssertionError(f"{CONFIG}: expected one line matching {pattern!r}, found {len(found)}")
    return regex.sub(lambda _: new, text)


def proxy_config(
    *, listen: str, engine: str, writes: bool = True, timeouts: Mapping[str, str] | None = None
) -> str:
    """The shipped configuration with a test's listening address and engine socket.

    ``listen`` is a socket path, whose ``bind`` options (mode, group) stay as
    shipped, or ``HOST:PORT``, which replaces the whole ``bind`` line.
    """
    text = CONFIG.read_text()
    if listen.startswith("/"):
        text = _replace_line(text, r"^    bind unix@\S+", f"    bind unix@{listen}")
    else:
        text = _replace_line(text, r"^    bind unix@.*$", f"    bind {listen}")
    text = _replace_line(text, r"^    server engine \S+$", f"    server engine {engine}")
    for name, value in (timeouts or {}).items():
        text = _replace_line(text, rf"^    timeout {name} \S+$", f"    timeout {name} {value}")
    if not writes:
        kept = [line for line in text.splitlines() if not line.rstrip().endswith(WRITE_MARK)]
        if len(kept) == len(text.splitlines()):
            raise AssertionError(f"{CONFIG}: no rule is marked {WRITE_MARK!r}")
        text = "\n".join(kept) + "\n"
    return text


class Request(NamedTuple):
    """One request the proxy logged."""

    method: str
    uri: str  # path and query, as the client sent it
    status: int

    @property
    def path(self) -> str:
        return self.uri.split("?", 1)[0]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HAProxy:
    """``haproxy -db`` with the shipped configuration, listening on a unix socket or a loopback port."""

    def __init__(self, directory: Path, *, tcp: bool = False, writes: bool = True,
                 timeouts: Mapping[str, str] | None = None) -> None:
        binary, engine = haproxy_binary(), engine_socket()
        if binary is None or engine is None:
            raise RuntimeError("haproxy and the engine's unix socket are needed")
        directory.mkdir(parents=True, exist_ok=True)
        self.socket_path = str(directory / "proxy.sock")
        self.port = _free_port() if tcp else 0
        listen = f"127.0.0.1:{self.port}" if tcp else self.socket_path
        self.endpoint = f"tcp://127.0.0.1:{self.port}" if tcp else f"unix://{self.socket_path}"
        self.config_path = directory / "haproxy.cfg"
        self.config_path.write_text(proxy_config(listen=listen, engine=engine, writes=writes, timeouts=timeouts))
        self.log_path = directory / "haproxy.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [binary, "-db", "-f", str(self.config_path)], stdout=self._log, stderr=subprocess.STDOUT
        )
        self._wait_until_listening()

    def _wait_until_listening(self, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"haproxy exited with {self.process.returncode}:\n{self.log_path.read_text()}")
            try:
                self._connect(1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _connect(self, timeout: float) -> socket.socket:
        if self.port:
            return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        return sock

    def request(self, method: str, uri: str, body: bytes = b"") -> tuple[int, bytes]:
        """One raw request through the proxy: its status and body (read until the engine ends it).

        Head and body go out in one write: the proxy answers a refused request
        as soon as it has read the head, and closes the connection.
        """
        head = f"{method} {uri} HTTP/1.1\r\nHost: docker\r\nConnection: close\r\nContent-Length: {len(body)}\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        with self._connect(10) as sock:
            sock.sendall(head.encode("ascii") + b"\r\n" + body)
            response = http.client.HTTPResponse(sock, method=method)
            response.begin()
            return response.status, response.read()

    def requests(self) -> list[Request]:
        """Every request logged so far (HAProxy's own notices left out)."""
        found = []
        for line in self.log_path.read_text().splitlines():
            match = _LOG_LINE.match(line)
            if match:
                method, uri, status = match.groups()
                found.append(Request(method, uri, int(status)))
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


class Row(NamedTuple):
    """One row of docs/deploy.md's table of the requests dockergen makes."""

    feature: str
    method: str
    path: str  # with {id} placeholders
    rule: str  # "read" or "write": whether the shipped config marks its rule "# write"


def documented_requests() -> list[Row]:
    """The table of section "Least privilege" in docs/deploy.md."""
    text = DEPLOY_DOC.read_text()
    start = text.index("## Least privilege: what dockergen asks of the Docker API")
    section = text[start:text.index("\n## ", start + 1)]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[1] in ("GET", "POST"):
            rows.append(Row(cells[0], cells[1], cells[2].strip("`"), cells[3]))
    return rows
