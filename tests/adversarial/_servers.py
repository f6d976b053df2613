"""Loopback servers that misbehave on purpose: trickle, flood, refuse, speak the wrong protocol."""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType


def read_head(connection: socket.socket) -> bytes:
    """Bytes up to the end of an HTTP request head (or whatever came before the peer stopped)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


class RawServer:
    """Runs `handle(connection, server)` for every connection on 127.0.0.1, each in a thread.

    `connections` counts accepted connections: tests count attempts with it, never time.
    """

    def __init__(self, handle: Callable[[socket.socket, RawServer], None]) -> None:
        self._handle = handle
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self.connections = 0
        self.sent = 0
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count_sent(self, size: int) -> None:
        with self._lock:
            self.sent += size

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            if self.stopped.is_set():  # the wake-up call from __exit__
                connection.close()
                return
            with self._lock:
                self.connections += 1
            worker = threading.Thread(target=self._run, args=(connection,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _run(self, connection: socket.socket) -> None:
        # OSError: the client hung up, which several tests provoke on purpose.
        with connection, contextlib.suppress(OSError):
            self._handle(connection, self)

    def __enter__(self) -> Self:
        acceptor = threading.Thread(target=self._serve, daemon=True)
        self._threads.append(acceptor)
        acceptor.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stopped.set()
        # accept() does not return when the socket is closed under it: wake it with a call.
        socket.create_connection(("127.0.0.1", self.port)).close()
        self._listener.close()
        for thread in self._threads:
            thread.join(timeout=5)


def respond(
    connection: socket.socket, status: str, headers: dict[str, str], body: bytes = b""
) -> None:
    """Read the request head, then answer with one complete HTTP/1.1 response."""
    read_head(connection)
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    connection.sendall(
        f"{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body
    )
