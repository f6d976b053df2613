"""Served-sandbox throughput: a bounded loopback load of simple authenticated GETs at latency 0.

The server runs in its own process (one core, as in production); the load comes from an asyncio
client with raw keep-alive connections so the client is not what is measured. Prints requests/s and
p50/p99 latency. Also prints how long a 100,000-product / 1,000,000-customer store takes to start.

    python benchmarks/sandbox_throughput.py [--requests 20000] [--connections 8]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import time
from typing import TYPE_CHECKING

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def _serve(pipe: Connection) -> None:
    sandbox = Sandbox()
    server = SandboxServer(sandbox, workers=4)
    server.start()
    pipe.send((server.port, sandbox.admin_token()))
    pipe.recv()  # run until the parent says stop
    server.stop()


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def _client(port: int, request: bytes, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(count):
        started = time.perf_counter()
        writer.write(request)
        status = await _read_response(reader)
        latencies.append(time.perf_counter() - started)
        if status != 200:  # noqa: PLR2004
            raise SystemExit(f"unexpected status {status}")
    writer.close()


async def _load(port: int, token: str, total: int, connections: int) -> tuple[float, list[float]]:
    request = (
        "GET /rest/V1/store/websites HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nAccept: application/json\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    per_client = total // connections
    started = time.perf_counter()
    await asyncio.gather(
        *(_client(port, request, per_client, latencies) for _ in range(connections))
    )
    return time.perf_counter() - started, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    big = Sandbox(products=100_000, customers=1_000_000, orders=10_000, seed=1)
    startup = time.perf_counter() - started
    started = time.perf_counter()
    last = big.state.customers.get(
        big.state.customer_id_for_email("customer1000000@example.com") or 0
    )
    lookup = time.perf_counter() - started
    print(
        f"100k products / 1M customers / 10k orders: start-up {startup * 1000:.1f} ms, "
        f"last customer lookup {lookup * 1000:.2f} ms (found: {last is not None})"
    )

    parent, child = multiprocessing.Pipe()
    process = multiprocessing.Process(target=_serve, args=(child,), daemon=True)
    process.start()
    port, token = parent.recv()
    try:
        asyncio.run(_load(port, token, 500, args.connections))  # warm-up
        elapsed, latencies = asyncio.run(_load(port, token, args.requests, args.connections))
    finally:
        parent.send("stop")
        process.join(10)
    latencies.sort()
    done = len(latencies)
    print(f"served GET /rest/V1/store/websites, latency factor 0, {args.connections} connections")
    print(f"  {done} requests in {elapsed:.2f} s = {done / elapsed:,.0f} requests/s")
    print(
        f"  p50 {statistics.median(latencies) * 1000:.2f} ms, "
        f"p99 {latencies[int(done * 0.99) - 1] * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
