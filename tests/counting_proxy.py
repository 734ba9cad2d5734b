"""A unix-socket proxy in front of an engine that records every HTTP request passing through.

Tests and benchmarks point dockergen at it (``-endpoint unix://...``) to see
exactly which API calls a run makes, in which order, whatever part of
dockergen makes them.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import threading
import time

REQUEST_LINE = re.compile(rb"(?:GET|POST|PUT|DELETE|HEAD) (\S+) HTTP/1\.[01]\r\n")


class CountingProxy:
    """A unix-socket proxy in front of the engine that counts the HTTP requests passing through."""

    def __init__(self, path: str, target: str) -> None:
        self.path, self.target = path, target
        self.requests: list[tuple[float, str]] = []
        self._lock = threading.Lock()
        if os.path.exists(path):
            os.unlink(path)
        proxy = self

        class Connection(socketserver.BaseRequestHandler):
            def handle(self) -> None:  # one client: its requests counted on the way up
                upstream = socket.socket(socket.AF_UNIX)
                upstream.connect(proxy.target)
                threading.Thread(target=proxy._pipe, args=(upstream, self.request, False), daemon=True).start()
                proxy._pipe(self.request, upstream, True)

        self.server = socketserver.ThreadingUnixStreamServer(path, Connection)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, count: bool) -> None:
        try:
            while data := source.recv(65536):
                if count:
                    with self._lock:
                        for match in REQUEST_LINE.finditer(data):
                            self.requests.append((time.monotonic(), match.group(1).decode().split("?")[0]))
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def since(self, start: float) -> list[str]:
        with self._lock:
            return [path for when, path in self.requests if when >= start]

    def paths(self) -> list[str]:
        """Every request's path (no query), in the order they reached the proxy."""
        with self._lock:
            return [path for _, path in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if os.path.exists(self.path):
            os.unlink(self.path)
