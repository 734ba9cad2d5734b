"""The lean Engine API client's HTTP/1.1: bodies by length or in chunks, keep-alive, closed connections.

A small unix-socket server plays the engine with canned answers, so each
framing case is exercised exactly; tests/engine/test_engine_api_live.py checks the
client against the real engine.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockergen.daemon.api import UnixReadClient
from dockergen.errors import DockerAPIError, ProtocolError


class CannedEngine:
    """Answers each request with the next canned response; records the request lines."""

    def __init__(self, path: Path, answers: list[bytes], close_after: set[int] | None = None) -> None:
        self.path = str(path)
        self.answers = list(answers)
        self.close_after = close_after or set()  # close the connection after the n-th answer (1-based)
        self.requests: list[str] = []
        self.connections = 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen(4)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        answered = 0
        while self.answers:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            with conn, conn.makefile("rb") as stream:
                while self.answers:
                    request = stream.readline()
                    if not request:
                        break
                    while stream.readline() not in (b"\r\n", b""):
                        pass
                    self.requests.append(request.decode().strip())
                    conn.sendall(self.answers.pop(0))
                    answered += 1
                    if answered in self.close_after:
                        break

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[callable]:
    made: list[CannedEngine] = []

    def make(answers: list[bytes], close_after: set[int] | None = None) -> CannedEngine:
        server = CannedEngine(tmp_path / f"engine{len(made)}.sock", answers, close_after)
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def sized(body: bytes, status: str = "200 OK", extra: str = "") -> bytes:
    return f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}Content-Length: {len(body)}\r\n\r\n".encode() + body


def chunked(*pieces: bytes) -> bytes:
    out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    for piece in pieces:
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


def test_a_sized_body_is_read_and_parsed(engine) -> None:
    server = engine([sized(b'{"ApiVersion": "1.41"}')])
    assert UnixReadClient(server.path).version() == {"ApiVersion": "1.41"}
    assert server.requests == ["GET /version HTTP/1.1"]


def test_a_chunked_body_is_joined(engine) -> None:
    server = engine([chunked(b'[{"Id": "a"},', b' {"Id": "b"}]')])
    assert UnixReadClient(server.path).containers() == [{"Id": "a"}, {"Id": "b"}]


def test_requests_share_one_kept_alive_connection(engine) -> None:
    server = engine([sized(b"{}"), chunked(b"[]"), sized(b'{"Name": "x"}')])
    client = UnixReadClient(server.path)
    client.info()
    client.networks()
    assert client.inspect_container("x") == {"Name": "x"}
    assert server.connections == 1


def test_query_strings_and_ids_are_encoded(engine) -> None:
    server = engine([sized(b"[]"), sized(b"{}")])
    client = UnixReadClient(server.path)
    client.containers(all=True, filters={"label": "a=b c"})
    client.inspect_container("web/1")
    assert server.requests == [
        "GET /containers/json?all=1&filters=%7B%22label%22%3A+%5B%22a%3Db+c%22%5D%7D HTTP/1.1",
        "GET /containers/web%2F1/json HTTP/1.1",
    ]


def test_a_connection_the_engine_closed_is_reopened_once(engine) -> None:
    server = engine([sized(b'{"n": 1}'), sized(b'{"n": 2}')], close_after={1})
    client = UnixReadClient(server.path)
    assert client.info() == {"n": 1}
    assert client.info() == {"n": 2}
    assert server.connections == 2


def test_connection_close_header_is_honoured(engine) -> None:
    server = engine([sized(b'{"n": 1}', extra="Connection: close\r\n"), sized(b'{"n": 2}')], close_after={1})
    client = UnixReadClient(server.path)
    client.info()
    assert client.info() == {"n": 2}
    assert server.connections == 2


def test_an_error_status_carries_the_engine_message(engine) -> None:
    server = engine([sized(b'{"message": "No such container: nope"}', status="404 Not Found")])
    with pytest.raises(DockerAPIError) as caught:
        UnixReadClient(server.path).inspect_container("nope")
    assert str(caught.value) == "404: No such container: nope"
    assert caught.value.response.status_code == 404


def test_an_answer_cut_short_is_a_protocol_error(engine) -> None:
    server = engine([b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"short"'], close_after={1})
    with pytest.raises(ProtocolError, match="mid-answer"):
        UnixReadClient(server.path).info()


def test_something_that_is_not_http_is_a_protocol_error(engine) -> None:
    server = engine([b"SSH-2.0-OpenSSH_9.2\r\n"], close_after={1})
    with pytest.raises(ProtocolError, match="not an HTTP response"):
        UnixReadClient(server.path).info()


def test_a_missing_socket_raises_what_the_error_messages_translate(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        UnixReadClient(str(tmp_path / "absent.sock")).version()


def test_a_prefetched_call_is_sent_at_once_and_answered_later(engine) -> None:
    server = engine([sized(b'{"Name": "vm"}'), sized(b'{"Name": "again"}')])
    client = UnixReadClient(server.path)
    client.prefetch("info")
    for _ in range(100):  # the request reaches the engine before anyone asks for the answer
        if server.requests:
            break
        threading.Event().wait(0.01)
    assert server.requests == ["GET /info HTTP/1.1"]
    assert client.info() == {"Name": "vm"}  # the prefetched answer
    assert client.info() == {"Name": "again"}  # later calls ask again
    assert server.requests == ["GET /info HTTP/1.1", "GET /info HTTP/1.1"]


def test_a_prefetch_that_cannot_connect_fails_the_call_that_takes_it(tmp_path: Path) -> None:
    client = UnixReadClient(str(tmp_path / "absent.sock"))
    client.prefetch("version")  # returns at once, whatever happens
    with pytest.raises(FileNotFoundError):
        client.version()


def test_inspects_are_pipelined_and_each_answer_goes_to_its_container(engine) -> None:
    answers = [sized(f'{{"Id": "c{i}"}}'.encode()) for i in range(5)]
    answers[3] = sized(b'{"message": "No such container: c3"}', status="404 Not Found")
    server = engine(answers)
    results = UnixReadClient(server.path).inspect_containers([f"c{i}" for i in range(5)], connections=1)
    assert [r if isinstance(r, dict) else type(r) for r in results] == [
        {"Id": "c0"}, {"Id": "c1"}, {"Id": "c2"}, DockerAPIError, {"Id": "c4"}
    ]
    assert server.connections == 1  # all five requests on one connection, answered in order
    assert server.requests == [f"GET /containers/c{i}/json HTTP/1.1" for i in range(5)]


def test_inspects_lost_with_their_connection_are_asked_again(engine) -> None:
    # The engine closes the pipelined connection after the first answer: the rest are asked one by one.
    server = engine([sized(f'{{"Id": "c{i}"}}'.encode()) for i in range(3)], close_after={1, 2})
    results = UnixReadClient(server.path).inspect_containers(["c0", "c1", "c2"], connections=1)
    assert results == [{"Id": "c0"}, {"Id": "c1"}, {"Id": "c2"}]
