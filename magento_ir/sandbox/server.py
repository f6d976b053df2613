"""The sandbox served as a real HTTP/1.1 server on loopback (asyncio + h11).

A PHP-FPM-like pool: at most `workers` requests are served at once (default 4, like
`pm.max_children` on a small store), each on a worker thread (the event loop only moves bytes,
so a heavy search never holds up the loop); the rest queue. Latency-model delays and slow faults are
spent holding a worker, as PHP would. Socket faults are real: a reset is a TCP RST, a hang keeps
the worker and the connection until the client gives up, a truncated body closes the connection
mid-body.

```python
with SandboxServer(Sandbox()) as server:       # background thread, ephemeral port
    httpx.get(server.base_url + "/rest/V1/store/websites")
SandboxServer(Sandbox(), port=8080).serve_forever()   # blocking, until Ctrl-C
```
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import logging
import socket
import struct
import sys
import threading
from typing import TYPE_CHECKING, Self

import h11

from magento_ir.sandbox.errors import SandboxConfigError
from magento_ir.sandbox.messages import SandboxRequest, SandboxResponse, SocketFault

if TYPE_CHECKING:
    from types import TracebackType

    from magento_ir.sandbox.app import Sandbox

__all__ = ["SandboxServer"]

logger = logging.getLogger("magento_ir.sandbox.server")
MAX_PORT = 65535
READ_CHUNK = 65536
SWITCH_INTERVAL = 0.0005
# glibc's M_MMAP_THRESHOLD, and ours: column arrays of 1 MiB and more are mapped and unmapped.
_M_MMAP_THRESHOLD = -3
_MMAP_THRESHOLD = 1 << 20
# glibc's M_ARENA_MAX: the worker threads share two arenas instead of one each.
_M_ARENA_MAX = -8
_ARENAS = 2


def _unmap_large_arrays() -> None:
    """Have glibc give large freed blocks back to the system. Its default raises the mmap
    threshold to the size of any mapped block freed (up to 32 MiB), after which the column
    builds' temporary arrays come from per-thread arenas and stay resident: measured at 1M
    customers / 1M orders, the served store's peak RSS was ~1.2 GiB for ~0.6 GiB of live
    data. A fixed threshold ends that, and fewer arenas keep the worker threads' small freed
    blocks from pinning pages in arenas of their own; elsewhere than glibc, nothing changes."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
        libc.mallopt(_M_ARENA_MAX, _ARENAS)


class SandboxServer:
    def __init__(
        self,
        sandbox: Sandbox,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        workers: int | None = None,
    ) -> None:
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= MAX_PORT:
            raise SandboxConfigError(f"port must be an integer from 0 to {MAX_PORT}; got {port!r}")
        if not isinstance(host, str) or not host:
            raise SandboxConfigError("host must be a non-empty address such as 127.0.0.1")
        workers = sandbox.options.workers if workers is None else workers
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise SandboxConfigError(f"workers must be an integer >= 1; got {workers!r}")
        self.sandbox = sandbox
        self.host = host
        self.workers = workers
        self._requested_port = port
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._startup_error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._lifecycle = threading.Lock()
        self._warming: threading.Thread | None = None
        self._stop_warming = threading.Event()

    # --- lifecycle --------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not running; use it as a context manager or start()")
        return self._port

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Serve in a background thread; returns once the socket is listening."""
        if self._thread is not None:
            raise RuntimeError("the server is already running")
        # Hand the GIL between threads every 0.5 ms, not 5: a small request waiting behind a
        # search's Python work is then answered in about a millisecond.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        _unmap_large_arrays()
        self._thread = threading.Thread(target=self._run, name="magento-sandbox", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._startup_error is not None:
            error, self._startup_error = self._startup_error, None
            self._thread.join()
            self._thread = None
            raise SandboxConfigError(
                f"cannot listen on {self.host}:{self._requested_port}: {error}"
            ) from error
        # The search columns are built now, on a thread of their own, not by the first search
        # on each field (NumPy releases the GIL for most of it: requests go on meanwhile).
        self._stop_warming.clear()
        self._warming = threading.Thread(
            target=self._warm, name="magento-sandbox-columns", daemon=True
        )
        self._warming.start()

    def columns_built(self, timeout: float | None = None) -> bool:
        """Wait (at most `timeout` seconds) for the search columns built after start-up;
        whether they are (False: still building, or the server is stopped)."""
        warming = self._warming
        if warming is not None:
            warming.join(timeout)
            return not warming.is_alive() and not self._stop_warming.is_set()
        return False

    def _warm(self) -> None:
        try:
            self.sandbox.warm_columns(self._stop_warming)
        except Exception:
            logger.exception("sandbox: building the search columns failed; searches build them")

    def stop(self) -> None:
        """Stop serving (idempotent, callable from any thread)."""
        with self._lifecycle:
            self._stop_warming.set()
            warming, self._warming = self._warming, None
            if warming is not None:
                warming.join()  # at most the column being built
            loop, thread = self._loop, self._thread
            if loop is None or thread is None:
                return
            if self._stopping is not None:
                with contextlib.suppress(RuntimeError):  # the loop has already finished
                    loop.call_soon_threadsafe(self._stopping.set)
            thread.join()
            self._thread = None
            self._loop = None
            self._port = None
            self._ready.clear()

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl-C) or stopped; starts the server if it is not running."""
        if self._thread is None:
            self.start()
        thread = self._thread
        try:
            while thread is not None and thread.is_alive():
                thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _main(self) -> None:
        self._stopping = stopping = asyncio.Event()
        self._pool = asyncio.Semaphore(self.workers)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            self.workers, thread_name_prefix="magento-sandbox-worker"
        )
        try:
            await self._listen(stopping)
        finally:
            self._executor.shutdown(wait=False, cancel_futures=True)

    async def _listen(self, stopping: asyncio.Event) -> None:
        try:
            server = await asyncio.start_server(
                self._accept, self.host, self._requested_port, backlog=1024
            )
        except OSError as error:
            self._startup_error = error
            self._ready.set()
            return
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await stopping.wait()
            server.close()
            for task in list(self._connections):
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)

    # --- connections ------------------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            await self._serve_connection(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, h11.LocalProtocolError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            if task is not None:
                self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _serve_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connection = h11.Connection(h11.SERVER)
        peer = writer.get_extra_info("peername")
        client_ip = peer[0] if isinstance(peer, tuple) else "127.0.0.1"
        while True:
            try:
                request = await self._read_request(connection, reader, client_ip)
            except h11.RemoteProtocolError:
                await self._send(connection, writer, _bad_request())
                return
            if request is None:
                return
            async with self._pool:
                response = await asyncio.get_running_loop().run_in_executor(
                    self._executor, self.sandbox.handle, request
                )
                if response.delay > 0:
                    # Latency, a slow fault, or a hang (the client gives up first): a busy worker.
                    await asyncio.sleep(response.delay)
            if not await self._answer(connection, writer, request, response):
                return
            if connection.our_state is h11.MUST_CLOSE:
                return
            try:
                connection.start_next_cycle()
            except h11.LocalProtocolError:
                return

    async def _answer(
        self,
        connection: h11.Connection,
        writer: asyncio.StreamWriter,
        request: SandboxRequest,
        response: SandboxResponse,
    ) -> bool:
        """Write the answer (or act out its socket fault); False when the connection must end."""
        if response.fault is SocketFault.TIMEOUT:
            return False
        if response.fault is SocketFault.CONNECTION_RESET:
            _reset(writer)
            return False
        if response.fault is SocketFault.TRUNCATED_BODY:
            await self._send(connection, writer, response, truncate=True)
            return False
        if request.method == "HEAD":
            response.body = b""  # the status and headers only; h11 expects no body
        await self._send(connection, writer, response)
        return True

    @staticmethod
    async def _read_request(
        connection: h11.Connection, reader: asyncio.StreamReader, client_ip: str
    ) -> SandboxRequest | None:
        head: h11.Request | None = None
        body = bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                data = await reader.read(READ_CHUNK)
                connection.receive_data(data)
                if not data and head is None:
                    return None
                continue
            if isinstance(event, h11.Request):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                target = head.target.decode("latin-1")
                path, _, query = target.partition("?")
                headers = {
                    name.decode("latin-1").lower(): value.decode("latin-1")
                    for name, value in head.headers
                }
                return SandboxRequest(
                    method=head.method.decode("ascii"),
                    path=path,
                    query=query,
                    headers=headers,
                    body=bytes(body),
                    client_ip=client_ip,
                )
            elif isinstance(event, h11.ConnectionClosed):
                return None

    @staticmethod
    async def _send(
        connection: h11.Connection,
        writer: asyncio.StreamWriter,
        response: SandboxResponse,
        *,
        truncate: bool = False,
    ) -> None:
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        data = connection.send(h11.Response(status_code=response.status, headers=headers))
        body = response.body[: len(response.body) // 2] if truncate else response.body
        if truncate:
            # h11 refuses to send less than Content-Length: write the short body ourselves.
            writer.write((data or b"") + body)
            await writer.drain()
            return
        out = (data or b"") + (connection.send(h11.Data(data=body)) or b"")
        out += connection.send(h11.EndOfMessage()) or b""
        writer.write(out)
        await writer.drain()


def _bad_request() -> SandboxResponse:
    return SandboxResponse(400, [("Content-Type", "text/plain"), ("Connection", "close")], b"")


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0 so the peer sees a TCP RST (`connection reset by peer`)."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
