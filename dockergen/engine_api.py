"""A lean read-only Docker Engine API client for unix sockets, used on the hot path.

The docker SDK costs about 0.1 s to import (requests, urllib3) and about 1 ms
of Python per request; a one-shot render of 500 containers spends most of its
time there.  Reading containers only needs five GET requests, so for the
usual unix-socket endpoint this stdlib client serves them with one keep-alive
connection per thread.  Everything else (events, signals, restarts, TLS
endpoints) goes through the docker SDK.

Its methods mirror the SDK's ``APIClient`` (same names, arguments and return
shapes), so the inventory does not care which one it is given.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode


class APIError(Exception):
    """A non-2xx answer; ``response.status_code`` mimics the SDK's errors for 404 checks."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.response = type("Response", (), {"status_code": status})()


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class UnixReadClient:
    """GET-only Engine API client over a unix socket; thread-safe (a connection per thread)."""

    def __init__(self, socket_path: str, timeout: float = 60) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._local = threading.local()
        self._version_info: dict[str, Any] | None = None
        self._prefix = ""

    def _connection(self) -> _UnixConnection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = _UnixConnection(self.socket_path, self.timeout)
        return connection

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        url = self._prefix + path
        if params:
            url += "?" + urlencode({k: v for k, v in params.items() if v is not None})
        for attempt in (1, 2):  # a kept-alive connection the daemon closed is retried once
            connection = self._connection()
            try:
                connection.request("GET", url)
                response = connection.getresponse()
                body = response.read()
                break
            except (http.client.HTTPException, ConnectionError, BrokenPipeError):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        if response.status >= 400:
            try:
                message = json.loads(body).get("message", "")
            except ValueError:
                message = body.decode("utf-8", "replace")
            raise APIError(response.status, message)
        return json.loads(body)

    def version(self) -> dict[str, Any]:
        """``GET /version``; also fixes the API version of every later request (the daemon's own)."""
        if self._version_info is None:
            saved, self._prefix = self._prefix, ""
            try:
                self._version_info = self._get("/version")
            finally:
                self._prefix = saved
            self._prefix = f"/v{self._version_info.get('ApiVersion', '')}" if self._version_info.get("ApiVersion") else ""
        return self._version_info

    def info(self) -> dict[str, Any]:
        self.version()
        return self._get("/info")

    def networks(self) -> list[dict[str, Any]]:
        self.version()
        return self._get("/networks")

    def containers(self, all: bool = False, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.version()
        params: dict[str, Any] = {"all": "1" if all else "0"}
        if filters:
            params["filters"] = json.dumps({k: v if isinstance(v, list) else [v] for k, v in filters.items()})
        return self._get("/containers/json", params)

    def inspect_container(self, container: str) -> dict[str, Any]:
        self.version()
        return self._get(f"/containers/{quote(container, safe='')}/json")

    # -- swarm (manager nodes only) ----------------------------------------------------------

    def services(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.version()
        return self._get("/services", {"filters": json.dumps(filters)} if filters else None)

    def tasks(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.version()
        return self._get("/tasks", {"filters": json.dumps(filters)} if filters else None)

    def nodes(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        self.version()
        return self._get("/nodes", {"filters": json.dumps(filters)} if filters else None)
