"""A lean read-only Docker Engine API client for unix sockets, used on the hot path.

The docker SDK costs about 0.1 s to import (requests, urllib3) and about 1 ms
of Python per request; even the standard library's ``http.client`` costs
15 ms to import (it pulls in ``email`` and ``ssl``), a fifth of a one-shot
run.  Reading containers only needs GET requests answered with JSON, so this
client speaks just that much HTTP/1.1 itself over the engine's unix socket:
a request line, the response's status and headers, a body sized by
``Content-Length`` or sent in chunks.  One keep-alive connection per thread.
Everything else (events, signals, restarts, TLS endpoints) goes through the
docker SDK.

Its methods mirror the SDK's ``APIClient`` (same names, arguments and return
shapes), so the inventory does not care which one it is given.  Requests use
unversioned paths, which the engine serves at its own API version, so no
request has to wait for ``/version`` first.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

_MAX_LINE = 65536  # longest status or header line accepted


class APIError(Exception):
    """A non-2xx answer; ``response.status_code`` mimics the SDK's errors for 404 checks."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.response = type("Response", (), {"status_code": status})()


class ProtocolError(ConnectionError):
    """The engine's answer is not the HTTP this client understands (or the connection ended mid-answer)."""


class _Connection:
    """One keep-alive HTTP/1.1 connection to a unix socket."""

    def __init__(self, path: str, timeout: float) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.stream = sock.makefile("rb")
        self.open = True

    def close(self) -> None:
        self.open = False
        self.stream.close()
        self.sock.close()

    def _line(self) -> bytes:
        line = self.stream.readline(_MAX_LINE + 1)
        if not line.endswith(b"\n"):
            raise ProtocolError("the engine closed the connection" if not line else "response line too long")
        return line

    def get(self, url: str) -> tuple[int, bytes]:
        """Send ``GET url`` and return the status code and the whole body."""
        self.sock.sendall(f"GET {url} HTTP/1.1\r\nHost: docker\r\nAccept: application/json\r\n\r\n".encode("ascii"))
        parts = self._line().split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
            raise ProtocolError(f"not an HTTP response: {parts!r}")
        status = int(parts[1])
        length, chunked, keep_alive = None, False, parts[0] != b"HTTP/1.0"
        while (line := self._line()) not in (b"\r\n", b"\n"):
            name, _, value = line.partition(b":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = value.endswith(b"chunked")
            elif name == b"connection":
                keep_alive = value != b"close"
        if chunked:
            body = self._chunks()
        elif length is not None:
            body = self._exactly(length)
        elif status in (204, 304) or 100 <= status < 200:
            body = b""
        else:  # no length given: the body runs to the end of the connection
            body, keep_alive = self.stream.read(), False
        if not keep_alive:
            self.close()
        return status, body

    def _exactly(self, size: int) -> bytes:
        data = self.stream.read(size)
        if len(data) != size:
            raise ProtocolError("the engine closed the connection mid-answer")
        return data

    def _chunks(self) -> bytes:
        pieces = []
        while True:
            size = int(self._line().split(b";", 1)[0], 16)
            if size == 0:
                while self._line() not in (b"\r\n", b"\n"):  # trailers
                    pass
                return b"".join(pieces)
            pieces.append(self._exactly(size))
            self._line()  # the CRLF after each chunk


class UnixReadClient:
    """GET-only Engine API client over a unix socket; thread-safe (a connection per thread)."""

    def __init__(self, socket_path: str, timeout: float = 60) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._local = threading.local()
        self._version_info: dict[str, Any] | None = None

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        url = path
        if params:
            url += "?" + urlencode({k: v for k, v in params.items() if v is not None})
        for attempt in (1, 2):  # a kept-alive connection the engine closed is retried once
            connection = getattr(self._local, "connection", None)
            reused = connection is not None and connection.open
            if not reused:
                connection = self._local.connection = _Connection(self.socket_path, self.timeout)
            try:
                status, body = connection.get(url)
                break
            except BaseException as exc:
                connection.close()  # whatever went wrong, the stream is no longer at a response boundary
                if attempt == 2 or not reused or not isinstance(exc, ConnectionError):
                    raise
        if status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except ValueError:
                message = body.decode("utf-8", "replace")
            raise APIError(status, message)
        return json.loads(body)

    def version(self) -> dict[str, Any]:
        """``GET /version``, asked once per client."""
        if self._version_info is None:
            self._version_info = self._get("/version")
        return self._version_info

    def info(self) -> dict[str, Any]:
        return self._get("/info")

    def networks(self) -> list[dict[str, Any]]:
        return self._get("/networks")

    def containers(self, all: bool = False, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"all": "1" if all else "0"}
        if filters:
            params["filters"] = json.dumps({k: v if isinstance(v, list) else [v] for k, v in filters.items()})
        return self._get("/containers/json", params)

    def inspect_container(self, container: str) -> dict[str, Any]:
        return self._get(f"/containers/{quote(container, safe='')}/json")

    # -- swarm (manager nodes only) ----------------------------------------------------------

    def services(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get("/services", {"filters": json.dumps(filters)} if filters else None)

    def tasks(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get("/tasks", {"filters": json.dumps(filters)} if filters else None)

    def nodes(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get("/nodes", {"filters": json.dumps(filters)} if filters else None)
