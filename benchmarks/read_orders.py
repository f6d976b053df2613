"""Reading 100,000 orders from the served sandbox: magento_ir sync/async, httpx, pymagento.

The sandbox (100,000 generated orders, latency factor `--latency`, `--workers` PHP-like workers)
is served in its own process. Every client reads the same `GET /rest/V1/orders` pages of
`--page-size` orders, in a fresh subprocess per (client, count) so each peak RSS is its own:

- magento_ir sync:  `MagentoClient.orders.iterate(page_size=...)`, typed `Order` models;
- magento_ir async: `AsyncMagentoClient.orders.iterate(page_size=..., concurrency=...)`;
- httpx loop:       a plain `httpx.Client` page loop decoding JSON (no models);
- pymagento:        pymagento 2.14.0, `Magento.get_orders(limit=...)`;
- my-magento:       my-magento 2.2.0 (`Client.orders`, pages as `entity_id` ranges of --page-size:
                    it has no page-size option), its own DEBUG log file and all, as it ships.

The peers are pinned. pymagento comes from the `bench` extra when it is installed at 2.14.0;
both peers ship a top-level `magento` package, so each is otherwise installed with pip into a
directory of its own (my-magento always), put first on the child's path.

Each run measures every (client, count) once, clients interleaved; `--runs` repeats that and
the table gives min/median/max. Client CPU counts from after the imports (the client's
construction, e.g. its TLS context, is inside); the server's CPU over each read is shown too,
since on two cores a fast client waits for the server's share of them. Goals, each a ratio
computed within a run (paired) and printed with PASS/MISS: client CPU per 1,000 orders within
1.3x of the plain httpx + json.loads loop (sync and async); sync at least 0.9 of the httpx
loop's speed (its wall time over ours); async at least 3x pymagento; memory flat (peak RSS
at 10k and 100k orders).

    python benchmarks/read_orders.py [--orders 100000] [--page-size 100] [--latency 0.1]
                                     [--workers 8] [--concurrency 4] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.connection import Connection

from _goals import goal, machine

CLIENTS = ("magento_ir sync", "magento_ir async", "httpx loop", "pymagento", "my-magento")
# Peers, pinned: (distribution, version). Both install a top-level `magento` package.
PEERS = {"pymagento": ("pymagento", "2.14.0"), "my-magento": ("my-magento", "2.2.0")}
PEER_DIR_ENV = "MAGENTO_IR_BENCH_PEER_DIR"
TOKEN_ENV = "MAGENTO_IR_BENCH_TOKEN"  # noqa: S105 - the name of the variable, not a token
ASYNC_GOAL = 3.0  # pymagento's wall time over async's
SYNC_SPEED_GOAL = 0.9  # the httpx loop's wall time over sync's
CPU_SLACK = 1.3  # client CPU per 1,000 orders over the httpx loop's


def _serve(pipe: Connection, orders: int, latency: str, workers: int) -> None:
    from magento_ir.sandbox import Sandbox, SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(orders=orders, latency=latency, workers=workers)
    server = SandboxServer(sandbox, workers=workers)
    server.start()
    pipe.send((server.base_url, sandbox.admin_token()))
    while pipe.recv() == "cpu":  # serve until the parent says stop
        pipe.send(_cpu_seconds())  # the server's own CPU, to show what bounds a fast client
    server.stop()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _import(client: str) -> None:
    """Import the contestant's modules before the clock starts."""
    if client.startswith("magento_ir"):
        import magento_ir  # noqa: PLC0415, F401
    elif client == "httpx loop":
        import httpx  # noqa: PLC0415, F401
    else:
        directory = os.environ.get(PEER_DIR_ENV)
        if directory:
            sys.path.insert(0, directory)
        import magento  # noqa: PLC0415, F401  # ty: ignore - installed for the benchmark


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


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
    from magento import Magento  # noqa: PLC0415  # ty: ignore - installed for the benchmark

    client = Magento(token=token, base_url=url, scope="default", batch_page_size=page_size)
    return sum(1 for _order in client.get_orders(limit=count))


def _read_my_magento(url: str, token: str, count: int, page_size: int) -> int:
    from magento import Client  # noqa: PLC0415  # ty: ignore - installed for the benchmark

    scheme, _, domain = url.partition("://")
    client = Client(
        domain.rstrip("/"), "benchmark", "unused", local=scheme == "http", token=token,
        login=False, log_level="WARNING",
        user_agent="magento-ir-benchmark",  # else it fetches a browser's from a website
    )  # fmt: skip
    client.BASE_URL = f"{url.rstrip('/')}/rest/V1/"  # its domain parsing drops the port
    seen, low = 0, 1
    while seen < count:
        page = (
            client.orders.add_criteria("entity_id", low, "gteq")
            .add_criteria("entity_id", low + page_size, "lt", group=1)
            .execute()
        )
        orders = page if isinstance(page, list) else [page] if page is not None else []
        if not orders:
            break
        seen += min(len(orders), count - seen)
        low += page_size
    return seen


def _child(args: argparse.Namespace) -> None:
    token = os.environ[TOKEN_ENV]
    # my-magento writes log files into the working directory, from its import on.
    os.chdir(tempfile.mkdtemp(prefix="magento-ir-bench-"))
    _import(args.child)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    if args.child == "magento_ir sync":
        seen = _read_sync(args.url, token, args.count, args.page_size)
    elif args.child == "magento_ir async":
        seen = asyncio.run(
            _read_async(args.url, token, args.count, args.page_size, args.concurrency)
        )
    elif args.child == "httpx loop":
        seen = _read_httpx(args.url, token, args.count, args.page_size)
    elif args.child == "pymagento":
        seen = _read_pymagento(args.url, token, args.count, args.page_size)
    else:
        seen = _read_my_magento(args.url, token, args.count, args.page_size)
    seconds = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    shutil.rmtree(Path.cwd(), ignore_errors=True)
    print(
        json.dumps(
            {"items": seen, "seconds": seconds, "cpu_seconds": cpu, "peak_rss_mib": _peak_rss_mib()}
        )
    )


def _peer_dir(client: str) -> tuple[str | None, str | None]:
    """(directory to put first on the path or None for this environment, why it cannot run)."""
    distribution, version = PEERS[client]
    if client == "pymagento":
        try:
            if metadata.version(distribution) == version:
                return None, None  # the `bench` extra
        except metadata.PackageNotFoundError:
            pass
    directory = Path(tempfile.gettempdir()) / f"magento-ir-bench-{distribution}-{version}"
    if (directory / "magento" / "__init__.py").exists():
        return str(directory), None
    result = subprocess.run(  # noqa: S603 - pip with fixed arguments
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(directory),
         f"{distribution}=={version}"],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip
    if result.returncode != 0:
        return None, (result.stderr.strip().splitlines() or ["pip failed"])[-1]
    return str(directory), None


def _measure(
    args: argparse.Namespace, client: str, count: int, url: str, token: str, *, peer_dir: str | None
) -> dict:
    env = {**os.environ, TOKEN_ENV: token}
    if peer_dir:
        env[PEER_DIR_ENV] = peer_dir
    result = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, "--child", client, "--count", str(count), "--url", url,
         "--page-size", str(args.page_size), "--concurrency", str(args.concurrency)],
        capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    if result.returncode != 0:
        return {"error": (result.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(result.stdout.strip().splitlines()[-1])


def _spread(values: list[float], spec: str) -> str:
    """min/median/max of the runs."""
    return "/".join(
        format(value, spec) for value in (min(values), statistics.median(values), max(values))
    )


def _report(
    runs: list[dict[tuple[str, int], dict]],
    counts: list[int],
    args: argparse.Namespace,
    clients_run: list[str],
) -> None:
    print(machine())
    print(
        f"{args.orders:,} orders served; page size {args.page_size}; latency factor "
        f"{args.latency}; {args.workers} server workers; async concurrency {args.concurrency}; "
        f"{len(runs)} interleaved run(s)"
    )
    print("figures are min/median/max over the runs")
    print(
        f"{'client':<18} {'orders':>8} {'seconds':>20} {'orders/s':>18} "
        f"{'CPU s per 1k orders':>22} {'server CPU s per 1k':>22} {'peak RSS MiB':>18}"
    )
    for client in CLIENTS:
        for count in counts:
            rows = [run[client, count] for run in runs if (client, count) in run]
            if not rows:
                continue
            failed = [row for row in rows if "error" in row]
            if failed:
                print(f"{client:<18} {count:>8} not measured: {failed[0]['error']}")
                continue
            print(
                f"{client:<18} {count:>8} {_spread([r['seconds'] for r in rows], '.2f'):>20} "
                f"{_spread([r['items'] / r['seconds'] for r in rows], '.0f'):>18} "
                f"{_spread([1000 * r['cpu_seconds'] / r['items'] for r in rows], '.3f'):>22} "
                f"{_spread([1000 * r['server_cpu_seconds'] / r['items'] for r in rows], '.3f'):>22}"
                " "
                f"{_spread([r['peak_rss_mib'] for r in rows], '.1f'):>18}"
            )
    top = max(counts)

    def ratios(mine: str, theirs: str, measure: Callable[[dict, dict], float]) -> list[float]:
        pairs = [(run.get((mine, top)), run.get((theirs, top))) for run in runs]
        return [
            measure(ours, other)
            for ours, other in pairs
            if ours and other and "error" not in ours and "error" not in other
        ]

    def cpu_ratio(ours: dict, other: dict) -> float:
        return (ours["cpu_seconds"] / ours["items"]) / (other["cpu_seconds"] / other["items"])

    def speed_ratio(ours: dict, other: dict) -> float:
        return other["seconds"] / ours["seconds"]

    goals = (
        ("sync client CPU / httpx loop CPU", "magento_ir sync", "httpx loop", cpu_ratio, "<=",
         CPU_SLACK),
        ("async client CPU / httpx loop CPU", "magento_ir async", "httpx loop", cpu_ratio, "<=",
         CPU_SLACK),
        ("sync speed / httpx loop speed", "magento_ir sync", "httpx loop", speed_ratio, ">=",
         SYNC_SPEED_GOAL),
        ("async speed / pymagento speed", "magento_ir async", "pymagento", speed_ratio, ">=",
         ASYNC_GOAL),
    )  # fmt: skip
    print()
    print(f"goals at {top:,} orders (ratio per run; verdict on the median):")
    for name, mine, theirs, measure, sense, target in goals:
        if mine in clients_run and theirs in clients_run:
            goal(f"read {top:,} orders: {name}", ratios(mine, theirs, measure), sense, target,
                 spec=".2f")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--latency", default="0.1")
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--clients", default=",".join(CLIENTS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--counts", type=int, nargs="+", help="orders read per client (default: 10k and --orders)"
    )
    parser.add_argument("--child", choices=CLIENTS, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return 0
    clients = [name.strip() for name in args.clients.split(",")]
    counts = sorted(set(args.counts or {min(10_000, args.orders), args.orders}))
    missing: dict[tuple[str, int], dict] = {}
    peer_dirs: dict[str, str | None] = {}
    for peer in PEERS:
        if peer in clients:
            peer_dirs[peer], problem = _peer_dir(peer)
            if problem is not None:
                for count in counts:
                    missing[peer, count] = {"error": f"{peer} not installable: {problem}"}
                clients.remove(peer)
    runs: list[dict[tuple[str, int], dict]] = []
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(
        target=_serve, args=(child, args.orders, args.latency, args.workers)
    )
    server.start()
    url, token = parent.recv()
    try:
        for _ in range(args.runs):
            results = dict(missing)
            for count in counts:
                for client in clients:
                    parent.send("cpu")
                    server_cpu = parent.recv()
                    result = _measure(
                        args, client, count, url, token, peer_dir=peer_dirs.get(client)
                    )
                    parent.send("cpu")
                    result["server_cpu_seconds"] = parent.recv() - server_cpu
                    results[client, count] = result
            runs.append(results)
    finally:
        parent.send("stop")
        server.join(timeout=10)
    _report(runs, counts, args, [*clients, *(peer for peer, _ in missing)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
