"""A lean read-only Docker Engine API client for unix sockets, used on the hot path.

The docker SDK costs about 0.1 s to import (requests, urllib3) and about 1 ms
of Python per request; even the standard library's ``http.client`` costs
15 ms to import (it pulls in ``email`` and ``ssl``), a tenth of a one-shot
run.  Reading containers only needs GET requests answered with JSON, so this
client speaks just that much HTTP/1.1 itself over the engine's unix socket:
a request line, the response's status and headers, a body sized by
``Content-Length`` or sent in chunks.  Everything else (events, signals,
restarts, TLS endpoints) goes through the docker SDK.

Two things make a one-shot run fast without threads, which would wait on
each other for the interpreter lock while templates compile:

* :meth:`UnixReadClient.prefetch` sends a request at once and reads its
  answer only when the same call is made later; meanwhile the engine works
  and its answer waits in the socket.
* :meth:`UnixReadClient.inspect_containers` pipelines many inspect requests
  over a few connections, so the engine serves several at a time.

Its methods mirror the SDK's ``APIClient`` (same names, arguments and return
shapes), so the inventory does not care which one it is given.  Requests use
unversioned paths, which the engine serves at its own API version, so no
request has to wait for ``/version`` first.
"""

from __future__ import annotations

import io
import json
import sys
import threading

# The socket type itself: the socket module around it costs a one-shot run 3 to 4 ms at
# start-up (it makes enums of every constant the platform has), and a GET over a unix
# socket needs none of it.
from _socket import AF_UNIX, SOCK_STREAM, socket as _socket_type
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from dockergen.errors import DockerAPIError, DockerError, ProtocolError

_MAX_LINE = 65536  # longest status or header line accepted
# What a URL carries as it is (RFC 3986's unreserved characters); the rest is percent-encoded.
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def api_errors() -> tuple[type[BaseException], ...]:
    """What a call to the engine's API raises when the engine cannot be reached or says no.

    A tuple to catch instead of ``Exception``, so that a bug of dockergen's is
    not logged as "error listing containers".  The SDK's errors count only
    once the SDK is loaded: before that, no SDK call can have raised them.
    """
    sdk = sys.modules.get("docker.errors")
    requests = sys.modules.get("requests")
    found: tuple[type[BaseException], ...] = (DockerError, OSError)
    if sdk is not None:
        found += (sdk.DockerException,)
    if requests is not None:
        found += (requests.RequestException,)
    return found


class _SocketReader(io.RawIOBase):
    """A socket as a raw stream to buffer (what ``socket.makefile("rb")`` gives, reading only)."""

    def __init__(self, sock: _socket_type) -> None:
        self._sock = sock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        return self._sock.recv_into(buffer)


class _Connection:
    """One keep-alive HTTP/1.1 connection to a unix socket."""

    def __init__(self, path: str, timeout: float) -> None:
        sock = _socket_type(AF_UNIX, SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        self.stream = io.BufferedReader(_SocketReader(sock))
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

    def send(self, urls: Iterable[str]) -> None:
        """Send ``GET`` requests for ``urls`` in one write (HTTP/1.1 pipelining); answers come in order."""
        self.sock.sendall(b"".join(
            f"GET {url} HTTP/1.1\r\nHost: docker\r\nAccept: application/json\r\n\r\n".encode("ascii") for url in urls
        ))

    def read(self) -> tuple[int, bytes]:
        """The next answer: its status code and whole body."""
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

    def get(self, url: str) -> tuple[int, bytes]:
        self.send([url])
        return self.read()

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


class _Lane:
    """Requests sent ahead on one connection; their answers are read in order, when asked for."""

    def __init__(self, connect: Callable[[], _Connection], urls: Sequence[str]) -> None:
        self._lock = threading.Lock()
        self._waiting = list(reversed(urls))  # next to read last
        self._answers: dict[str, tuple[int, bytes]] = {}
        self._failure: BaseException | None = None
        self._connection: _Connection | None = None
        try:
            self._connection = connect()
            self._connection.send(urls)
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        self._failure = exc
        self._waiting.clear()
        if self._connection is not None:
            self._connection.close()

    def answer(self, url: str) -> tuple[int, bytes]:
        """This URL's answer, reading (and keeping) the ones sent before it; raises if the connection failed."""
        with self._lock:
            while url not in self._answers and self._waiting and self._failure is None:
                assert self._connection is not None
                try:
                    self._answers[self._waiting.pop()] = self._connection.read()
                except (OSError, ValueError) as exc:
                    self._fail(exc)
            if not self._waiting and self._connection is not None:
                self._connection.close()
            if url in self._answers:
                return self._answers.pop(url)
            raise self._failure or ProtocolError(f"no answer for {url}")


def _decode(status: int, body: bytes) -> Any:
    """The JSON of a 2xx answer; a DockerAPIError carrying the engine's message otherwise."""
    if status >= 400:
        try:
            message = json.loads(body).get("message", "")
        except ValueError:
            message = body.decode("utf-8", "replace")
        raise DockerAPIError(status, message)
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ProtocolError(f"the engine's answer is not JSON: {exc}") from None


def _quote(text: str, space: str = "%20") -> str:
    """``text`` percent-encoded for a path segment (or, with ``space="+"``, a query value).

    urllib.parse's ``quote``/``urlencode`` do the same, but importing it (and
    the ipaddress module it loads) costs a one-shot run about 3 % of its time.
    """
    return "".join(
        chr(byte) if byte in _UNRESERVED else space if byte == 0x20 else f"%{byte:02X}" for byte in text.encode("utf-8")
    )


def _with_query(path: str, params: Mapping[str, Any]) -> str:
    query = "&".join(f"{_quote(k, '+')}={_quote(str(v), '+')}" for k, v in params.items() if v is not None)
    return f"{path}?{query}" if query else path


def _filters_query(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    return {"filters": json.dumps(filters)} if filters else {}


def _containers_url(all: bool = False, filters: Mapping[str, Any] | None = None) -> str:
    params: dict[str, Any] = {"all": "1" if all else "0"}
    if filters:
        params["filters"] = json.dumps({k: v if isinstance(v, list) else [v] for k, v in filters.items()})
    return _with_query("/containers/json", params)


def _inspect_url(container: str) -> str:
    if not (container.isascii() and container.isalnum()):  # IDs need no quoting; names may
        container = _quote(container)
    return f"/containers/{container}/json"


_URLS: dict[str, Callable[..., str]] = {  # the URL of each call, by method name (for prefetch)
    "version": lambda: "/version",
    "info": lambda: "/info",
    "networks": lambda: "/networks",
    "containers": _containers_url,
    "inspect_container": _inspect_url,
    "services": lambda filters=None: _with_query("/services", _filters_query(filters)),
    "tasks": lambda filters=None: _with_query("/tasks", _filters_query(filters)),
    "nodes": lambda filters=None: _with_query("/nodes", _filters_query(filters)),
}


class UnixReadClient:
    """GET-only Engine API client over a unix socket; thread-safe (a connection per thread)."""

    def __init__(self, socket_path: str, timeout: float = 60) -> None:
        self.socket_path = socket_path
        self.timeout = timeout
        self._local = threading.local()
        self._version_info: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, _Lane] = {}  # URL -> the lane its prefetched answer comes on

    def _connect(self) -> _Connection:
        return _Connection(self.socket_path, self.timeout)

    def _send_ahead(self, urls: Sequence[str], connections: int) -> None:
        with self._lock:
            urls = [url for url in dict.fromkeys(urls) if url not in self._pending]
        lanes = [urls[start::connections] for start in range(min(connections, len(urls)))]
        for lane_urls in lanes:
            lane = _Lane(self._connect, lane_urls)
            with self._lock:
                self._pending.update(dict.fromkeys(lane_urls, lane))

    def prefetch(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Send the call ``name(*args, **kwargs)`` now, on its own connection, and return at once.

        The next identical call reads that answer instead of asking again
        (later ones ask the engine as usual).  Nothing is raised here: a
        request that could not be sent is simply asked again by that call.
        """
        self._send_ahead([_URLS[name](*args, **kwargs)], connections=1)

    def prefetch_inspects(self, containers: Sequence[str], connections: int = 8) -> None:
        """Send inspect requests for ``containers`` now, pipelined over up to ``connections`` connections."""
        self._send_ahead([_inspect_url(container) for container in containers], connections)

    def _get(self, url: str) -> Any:
        with self._lock:
            lane = self._pending.pop(url, None)
        if lane is not None:
            try:
                return _decode(*lane.answer(url))
            except (OSError, ValueError):
                pass  # the request sent ahead was lost with its connection: ask again
        for attempt in (1, 2):  # a kept-alive connection the engine closed is retried once
            connection = getattr(self._local, "connection", None)
            reused = connection is not None and connection.open
            if not reused:
                connection = self._local.connection = self._connect()
            try:
                status, body = connection.get(url)
                break
            except BaseException as exc:
                connection.close()  # whatever went wrong, the stream is no longer at a response boundary
                if attempt == 2 or not reused or not isinstance(exc, ConnectionError):
                    raise
        return _decode(status, body)

    def version(self) -> dict[str, Any]:
        """``GET /version``, asked once per client."""
        if self._version_info is None:
            self._version_info = self._get(_URLS["version"]())
        return self._version_info

    def info(self) -> dict[str, Any]:
        return self._get(_URLS["info"]())

    def networks(self) -> list[dict[str, Any]]:
        return self._get(_URLS["networks"]())

    def containers(self, all: bool = False, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get(_containers_url(all, filters))

    def inspect_container(self, container: str) -> dict[str, Any]:
        return self._get(_inspect_url(container))

    def inspect_containers(self, containers: Sequence[str], connections: int = 8) -> list[Any]:
        """Inspect many containers at once: each result is the inspect data or the exception it raised.

        Requests not already sent ahead are pipelined over up to
        ``connections`` connections, then the answers are read in turn; one
        lost with its connection is asked for again on its own.
        """
        wanted = list(containers)
        self.prefetch_inspects(wanted, connections)
        results: list[Any] = []
        for container in wanted:
            try:
                results.append(self.inspect_container(container))
            except api_errors() as exc:  # this container's failure, not the batch's
                results.append(exc)
        return results

    # -- swarm (manager nodes only) ----------------------------------------------------------

    def services(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get(_URLS["services"](filters))

    def tasks(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get(_URLS["tasks"](filters))

    def nodes(self, filters: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        return self._get(_URLS["nodes"](filters))
