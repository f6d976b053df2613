"""Reading 100,000 orders from the served sandbox: magento_ir sync/async, httpx, pymagento.

The sandbox (100,000 generated orders, latency factor `--latency`, `--workers` PHP-like workers)
is served in its own process. Every client reads the same `GET /rest/V1/orders` pages of
`--page-size` orders, in a fresh subprocess per (client, count) so each peak RSS is its own:

- magento_ir sync:  `MagentoClient.orders.iterate(page_size=...)`, typed `Order` models;
- magento_ir async: `AsyncMagentoClient.orders.iterate(page_size=..., concurrency=...)`;
- httpx loop:       a plain `httpx.Client` page loop decoding JSON (no models);
- pymagento:        the `pymagento` package from PyPI, `Magento.get_orders(limit=...)`, installed
                    with pip into a temporary directory for this benchmark only.

Goals: async at least 3x pymagento; sync within 25% of the httpx loop; memory flat (peak RSS
at 10k and 100k orders).

    python benchmarks/read_orders.py [--orders 100000] [--page-size 100] [--latency 0.1]
                                     [--workers 8] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

CLIENTS = ("magento_ir sync", "magento_ir async", "httpx loop", "pymagento")
PYMAGENTO_DIR = Path(tempfile.gettempdir()) / "magento-ir-bench-pymagento"
TOKEN_ENV = "MAGENTO_IR_BENCH_TOKEN"  # noqa: S105 - the name of the variable, not a token
ASYNC_GOAL = 3.0
SYNC_SLACK = 1.25


def _serve(pipe: Connection, orders: int, latency: str, workers: int) -> None:
    from magento_ir.sandbox import Sandbox, SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(orders=orders, latency=latency, workers=workers)
    server = SandboxServer(sandbox, workers=workers)
    server.start()
    pipe.send((server.base_url, sandbox.admin_token()))
    pipe.recv()  # serve until the parent says stop
    server.stop()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_sync(url: str, token: str, count: int, page_size: int) -> int:
    from magento_ir import BearerToken, MagentoClient  # noqa: PLC0415

    seen = 0
    with MagentoClient(url, auth=BearerToken(token)) as client:
        for _order in client.orders.iterate(page_size=page_size):
            seen += 1
            if seen == count:
                break
    return seen


async def _read_async(url: str, token: str, count: int, page_size: int, concurrency: int) -> int:
    from magento_ir import AsyncMagentoClient, BearerToken  # noqa: PLC0415

    seen = 0
    async with AsyncMagentoClient(url, auth=BearerToken(token)) as client:
        async for _order in client.orders.iterate(page_size=page_size, concurrency=concurrency):
            seen += 1
            if seen == count:
                break
    return seen


def _read_httpx(url: str, token: str, count: int, page_size: int) -> int:
    import httpx  # noqa: PLC0415

    seen = 0
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
        page = 1
        while seen < count:
            response = client.get(
                "/rest/V1/orders",
                params={"searchCriteria[pageSize]": page_size, "searchCriteria[currentPage]": page},
            )
            response.raise_for_status()
            items = response.json()["items"]
            if not items:
                break
            seen += min(len(items), count - seen)
            page += 1
    return seen


def _read_pymagento(url: str, token: str, count: int, page_size: int) -> int:
    sys.path.insert(0, str(PYMAGENTO_DIR))
    from magento import Magento  # noqa: PLC0415  # ty: ignore - installed for the benchmark

    client = Magento(token=token, base_url=url, scope="default", batch_page_size=page_size)
    return sum(1 for _order in client.get_orders(limit=count))


def _child(args: argparse.Namespace) -> None:
    token = os.environ[TOKEN_ENV]
    started = time.perf_counter()
    if args.child == "magento_ir sync":
        seen = _read_sync(args.url, token, args.count, args.page_size)
    elif args.child == "magento_ir async":
        seen = asyncio.run(
            _read_async(args.url, token, args.count, args.page_size, args.concurrency)
        )
    elif args.child == "httpx loop":
        seen = _read_httpx(args.url, token, args.count, args.page_size)
    else:
        seen = _read_pymagento(args.url, token, args.count, args.page_size)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime
    print(
        json.dumps(
            {"items": seen, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": _peak_rss_mib()}
        )
    )


def _install_pymagento() -> str | None:
    """None when pymagento is importable from its benchmark directory, else why not."""
    if (PYMAGENTO_DIR / "magento" / "client.py").exists():
        return None
    result = subprocess.run(  # noqa: S603 - pip with fixed arguments
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(PYMAGENTO_DIR),
         "pymagento"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        return (result.stderr.strip().splitlines() or ["pip failed"])[-1]
    return None


def _measure(args: argparse.Namespace, client: str, count: int, url: str, token: str) -> dict:
    result = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--child", client, "--count", str(count), "--url", url,
         "--page-size", str(args.page_size), "--concurrency", str(args.concurrency)],
        capture_output=True, text=True, check=False, env={**os.environ, TOKEN_ENV: token},
    )  # fmt: skip
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def _report(
    results: dict[tuple[str, int], dict], counts: list[int], args: argparse.Namespace
) -> None:
    print(
        f"{args.orders:,} orders served; page size {args.page_size}; latency factor "
        f"{args.latency}; {args.workers} server workers; async concurrency {args.concurrency}"
    )
    print(
        f"{'client':<18} {'orders':>8} {'seconds':>9} {'orders/s':>9} {'client CPU s':>13} "
        f"{'peak RSS MiB':>13}"
    )
    for client in CLIENTS:
        for count in counts:
            row = results.get((client, count))
            if row is None:
                continue
            if "error" in row:
                print(f"{client:<18} {count:>8} not measured: {row['error']}")
                continue
            rate = row["items"] / row["seconds"]
            print(
                f"{client:<18} {row['items']:>8} {row['seconds']:9.2f} {rate:9.0f} "
                f"{row['cpu_seconds']:13.1f} {row['peak_rss_mib']:13.1f}"
            )
    top = max(counts)

    def seconds(client: str) -> float | None:
        row = results.get((client, top))
        return None if row is None or "error" in row else float(row["seconds"])

    asynchronous, pymagento = seconds("magento_ir async"), seconds("pymagento")
    synchronous, plain = seconds("magento_ir sync"), seconds("httpx loop")
    print()
    if asynchronous and pymagento:
        speedup = pymagento / asynchronous
        verdict = "met" if speedup >= ASYNC_GOAL else "MISSED"
        print(f"async vs pymagento at {top:,}: {speedup:.2f}x (goal >= 3x: {verdict})")
    if synchronous and plain:
        ratio = synchronous / plain
        verdict = "met" if ratio <= SYNC_SLACK else "MISSED"
        print(f"sync vs plain httpx at {top:,}: {ratio:.2f}x the time (goal <= 1.25x: {verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--latency", default="0.1")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--child", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    clients = [name.strip() for name in args.clients.split(",")]
    counts = sorted({min(10_000, args.orders), args.orders})
    results: dict[tuple[str, int], dict] = {}
    if "pymagento" in clients:
        problem = _install_pymagento()
        if problem is not None:
            for count in counts:
                results["pymagento", count] = {"error": f"pymagento not installable: {problem}"}
            clients.remove("pymagento")
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=_serve, args=(child, args.orders, args.latency, args.workers)
    )
    server.start()
    url, token = parent.recv()
    try:
        for client in clients:
            for count in counts:
                results[client, count] = _measure(args, client, count, url, token)
    finally:
        parent.send("stop")
        server.join(timeout=10)
    _report(results, counts, args)


if __name__ == "__main__":
    main()
