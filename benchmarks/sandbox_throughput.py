"""The served sandbox at full size: searches on every filterable field, simple GETs meanwhile.

The store (1,000,000 customers / 100,000 products / 1,000,000 orders by default) is served in its
own process; it measures its own start-up (building the store and listening, wall and CPU;
`--runs` fresh processes, the last one serves) and reports its peak RSS when stopped. This
process drives it over raw keep-alive connections (asyncio, so the
client is not what is measured):

- one connection sends searchCriteria searches, field after field, on every filterable field of
  customers, products and orders (the collections' own field lists, `sandbox/columns.py`): eq,
  like 'prefix%', like '%middle%', gt, in, neq, notnull and a sort on the field, with values
  taken from the store's own rows. The store builds its search columns on a thread of its own
  once it listens (it reports when they are done); the first search on a field is reported apart
  (as "first", it would build the column if that were not done yet), the others give the
  p50/p95/p99 of that field;
- another connection sends simple GETs (`/rest/V1/store/websites`) all the while, every 5 ms
  (and for 3 s before the searches, for the GETs' latency at the machine's load alone);
- then 8 connections send `--requests` simple GETs as fast as they are answered (throughput).

The sweep and the throughput burst are repeated `--runs` times (5), interleaved; each goal is
given as min/median/max over the runs (a run's search figure is its worst field's p95).

Goals (issue 16 item 5): every field's search p95 < 100 ms; simple GETs p99 < 10 ms while the
searches run; start-up < 2 s; peak RSS < 1 GiB. And >= 2,000 simple GETs/s, so the sandbox never
bounds another benchmark.

    python benchmarks/sandbox_throughput.py [--customers N] [--products N] [--orders N]
        [--queries 8] [--requests 5000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import resource
import statistics
import sys
import threading
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from _goals import goal, machine, spread

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

GET_EVERY = 0.005
BASELINE_SECONDS = 3.0
TABLES = (
    # path, the collection's fields, the id field, the item key of each field
    ("/rest/V1/customers/search", "CUSTOMER", "entity_id", {"entity_id": "id"}),
    (
        "/rest/V1/products",
        "PRODUCT",
        "entity_id",
        {"entity_id": "id", "category_id": "category_ids", "website_id": "website_ids"},
    ),
    ("/rest/V1/orders", "ORDER", "entity_id", {}),
)


def _serve(pipe: Connection, customers: int, products: int, orders: int) -> None:
    started = time.perf_counter()
    from magento_ir.sandbox import Sandbox  # noqa: PLC0415 - the import is part of start-up
    from magento_ir.sandbox.server import SandboxServer  # noqa: PLC0415

    imported, cpu = time.perf_counter(), time.process_time()
    sandbox = Sandbox(customers=customers, products=products, orders=orders, seed=1)
    server = SandboxServer(sandbox, workers=4)
    server.start()
    ready, cpu = time.perf_counter(), time.process_time() - cpu
    pipe.send((server.port, sandbox.admin_token(), ready - imported, imported - started, cpu))
    # The search columns are built on a thread of the server's once it listens: when done.
    built: list[float] = []
    watcher = threading.Thread(
        target=lambda: built.extend([time.perf_counter() - ready] if server.columns_built() else [])
    )
    watcher.start()
    pipe.recv()  # serve until the parent says stop
    server.stop()
    watcher.join()
    pipe.send((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, built))


class RawConnection:
    """One raw HTTP/1.1 keep-alive connection."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes, float]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None  # noqa: S101
        started = time.perf_counter()
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.token}\r\n"
            "Accept: application/json\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await self.reader.readexactly(length)
        return status, body, time.perf_counter() - started

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _criteria(filters: list[tuple[str, Any, str]], sort: str | None, page: int) -> str:
    params: dict[str, str] = {"searchCriteria[pageSize]": "20"}
    for index, (field, value, condition) in enumerate(filters):
        prefix = f"searchCriteria[filter_groups][{index}][filters][0]"
        params |= {
            f"{prefix}[field]": field,
            f"{prefix}[value]": str(value),
            f"{prefix}[condition_type]": condition,
        }
    if sort is not None:
        params |= {
            "searchCriteria[sortOrders][0][field]": sort,
            "searchCriteria[sortOrders][0][direction]": "DESC",
        }
    params["searchCriteria[currentPage]"] = str(page)
    return urlencode(params)


def _text(value: object) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return "" if value is None else str(value)


def _queries(field: str, samples: list[Any], count: int) -> list[str]:
    """`count` searches on `field` with conditions and values that exist in the store."""
    texts = [_text(value) for value in samples if value is not None] or ["1"]
    made = []
    for index in range(count):
        text = texts[index % len(texts)]
        middle = text[1:4] if len(text) > 4 else text  # noqa: PLR2004
        conditions = [
            (text, "eq"),
            (text[:4] + "%", "like"),
            (f"%{middle}%", "like"),
            (text, "gt"),
            (",".join(texts[:3]), "in"),
            (text, "neq"),
            ("", "notnull"),
        ]
        if index % (len(conditions) + 1) == len(conditions):
            made.append(_criteria([(field, text, "lteq")], field, 1 + index % 3))
        else:
            value, condition = conditions[index % (len(conditions) + 1)]
            made.append(_criteria([(field, value, condition)], None, 1 + index % 3))
    return made


async def _samples(connection: RawConnection, path: str, sizes: int) -> list[dict[str, Any]]:
    """Rows from a few places in the table (first, middle and last pages)."""
    import json  # noqa: PLC0415

    rows: list[dict[str, Any]] = []
    for page in (1, max(sizes // 40, 1), max(sizes // 20, 1)):
        query = urlencode({"searchCriteria[pageSize]": "20", "searchCriteria[currentPage]": page})
        _, body, _ = await connection.get(f"{path}?{query}")
        rows += json.loads(body)["items"]
    return rows


def _value(row: dict[str, Any], key: str) -> Any:  # noqa: ANN401 - a JSON value
    if key in row:
        return row[key]
    for attribute in row.get("custom_attributes", []):
        if attribute.get("attribute_code") == key:
            return attribute.get("value")
    return row.get("extension_attributes", {}).get(key)


async def _simple_gets(
    connection: RawConnection, latencies: list[float], done: asyncio.Event
) -> None:
    while not done.is_set():
        status, _, elapsed = await connection.get("/rest/V1/store/websites")
        if status != 200:  # noqa: PLR2004
            raise SystemExit(f"simple GET: unexpected status {status}")
        latencies.append(elapsed)
        await asyncio.sleep(GET_EVERY)


async def _sweep(
    searcher: RawConnection, gets: list[float], args: argparse.Namespace, results: dict[str, Any]
) -> list[tuple[str, str, float | None, list[float]]]:
    """One search of every filterable field (its first search ever reported apart)."""
    from magento_ir.sandbox import columns  # noqa: PLC0415

    sizes = {"CUSTOMER": args.customers, "PRODUCT": args.products, "ORDER": args.orders}
    fields = []
    cold = not results["runs"]
    for path, collection, _, keys in TABLES:
        samples = await _samples(searcher, path, sizes[collection])
        for field in sorted(getattr(columns, collection).names):
            key = keys.get(field, field)
            values = [_value(row, key) for row in samples]
            queries = _queries(field, values, args.queries + 1)
            first = None
            if cold:
                mark = len(gets)
                status, body, first = await searcher.get(f"{path}?{queries[0]}")
                results["gets_cold"] += gets[mark:]
                if status != 200:  # noqa: PLR2004
                    raise SystemExit(f"{path} {field}: status {status} {body[:200]!r}")
            mark = len(gets)
            times = []
            for query in queries[1:]:
                status, body, elapsed = await searcher.get(f"{path}?{query}")
                if status != 200:  # noqa: PLR2004
                    raise SystemExit(f"{path} {field}: status {status} {body[:200]!r}")
                times.append(elapsed)
            results["gets_warm"][-1] += gets[mark:]
            fields.append((collection.lower(), field, first, times))
    return fields


async def _drive(port: int, token: str, args: argparse.Namespace) -> dict[str, Any]:
    searcher, getter = RawConnection(port, token), RawConnection(port, token)
    results: dict[str, Any] = {"runs": [], "gets_cold": [], "gets_warm": [], "throughput": []}
    # The same GETs with no search running: what the machine's load alone costs them.
    alone: list[float] = []
    quiet = asyncio.Event()
    baseline = asyncio.create_task(_simple_gets(getter, alone, quiet))
    await asyncio.sleep(BASELINE_SECONDS)
    quiet.set()
    await baseline
    results["gets_alone"] = alone
    try:
        for _ in range(args.runs):
            # Each run: every field searched while simple GETs go on, then the GETs/s burst.
            done = asyncio.Event()
            gets: list[float] = []
            results["gets_warm"].append([])
            load = asyncio.create_task(_simple_gets(getter, gets, done))
            try:
                results["runs"].append(await _sweep(searcher, gets, args, results))
            finally:
                done.set()
                with contextlib.suppress(Exception):
                    await load
            results["throughput"].append(await _throughput(port, token, args.requests))
    finally:
        searcher.close()
        getter.close()
    return results


async def _throughput(port: int, token: str, total: int, connections: int = 8) -> float:
    """Simple GETs per second over `connections` keep-alive connections."""

    async def client(count: int) -> None:
        connection = RawConnection(port, token)
        for _ in range(count):
            await connection.get("/rest/V1/store/websites")
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(total // connections) for _ in range(connections)))
    return (total // connections * connections) / (time.perf_counter() - started)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def _ms(value: float) -> str:
    return f"{value * 1000:.1f}"


def _start(args: argparse.Namespace) -> tuple[Any, Connection, int, str, list[float], float]:
    """Start the server `runs` times, each in a fresh process (start-up measured each time);
    the last one stays up and serves."""
    startups: list[float] = []
    cpus: list[float] = []
    for run in range(args.runs):
        # A fresh process each time: start-up is measured `runs` times, the last one serves.
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.Process(
            target=_serve, args=(child, args.customers, args.products, args.orders), daemon=True
        )
        process.start()
        port, token, startup, imports, cpu = parent.recv()
        startups.append(startup)
        cpus.append(cpu)
        if run < args.runs - 1:
            parent.send("stop")
            parent.recv()
            process.join(10)
    print(f"start-up CPU (process time): {spread(cpus)} s")
    return process, parent, port, token, startups, imports


def _report(results: dict[str, Any]) -> tuple[list[float], list[float]]:
    """Print the per-field table and the per-run figures; the per-run worst p95 and GET p99."""
    by_field: dict[tuple[str, str], list[float]] = {}
    firsts: dict[tuple[str, str], float] = {}
    for run in results["runs"]:
        for collection, field, first, times in run:
            by_field.setdefault((collection, field), []).extend(times)
            if first is not None:
                firsts[collection, field] = first
    print(f"{'collection field':48} {'p50':>7} {'p95':>7} {'p99':>7} {'first':>8}  ms")
    for (collection, field), times in by_field.items():
        first = firsts.get((collection, field))
        print(
            f"{collection + ' ' + field:48} {_ms(statistics.median(times)):>7} "
            f"{_ms(_percentile(times, 0.95)):>7} {_ms(_percentile(times, 0.99)):>7} "
            f"{_ms(first) if first is not None else '-':>8}"
        )
    every = [time_ for times in by_field.values() for time_ in times]
    print(
        f"all searches after the first on their field: {len(every)}, p50 "
        f"{_ms(statistics.median(every))} / p95 {_ms(_percentile(every, 0.95))} / p99 "
        f"{_ms(_percentile(every, 0.99))} ms; first search on a field (builds its column): "
        f"median {_ms(statistics.median(firsts.values()))}, max {_ms(max(firsts.values()))} ms"
    )
    # Per run: the worst field's p95 (over that run's searches of it), the GETs' p99.
    worst = [max(_percentile(times, 0.95) for *_, times in run if times) for run in results["runs"]]
    warm = [_percentile(gets, 0.99) for gets in results["gets_warm"] if gets]
    for number, (slowest, p99) in enumerate(zip(worst, warm, strict=False), start=1):
        print(
            f"run {number}: worst field p95 {_ms(slowest)} ms, simple GET p99 meanwhile "
            f"{_ms(p99)} ms, {results['throughput'][number - 1]:,.0f} simple GETs/s"
        )
    for label, gets in (
        ("none: the machine's load alone", results["gets_alone"]),
        ("warm, all runs", [get for run in results["gets_warm"] for get in run]),
        ("cold: first search on each field", results["gets_cold"]),
    ):
        if gets:
            print(
                f"simple GETs meanwhile (searches: {label}): {len(gets)}, p50 "
                f"{_ms(statistics.median(gets))} / p95 {_ms(_percentile(gets, 0.95))} / p99 "
                f"{_ms(_percentile(gets, 0.99))} / max {_ms(max(gets))} ms"
            )
    return worst, warm


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=8, help="searches per field after the first")
    parser.add_argument("--requests", type=int, default=5000, help="GETs of the throughput load")
    parser.add_argument("--runs", type=int, default=5, help="sweeps over every field (>= 1)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves it runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.products, args.orders, args.queries = 300, 100, 300, 2
        args.requests, args.runs = 400, 2
    print(machine())
    print(
        f"sandbox: {args.customers:,} customers / {args.products:,} products / "
        f"{args.orders:,} orders, served in its own process"
    )
    process, parent, port, token, startups, imports = _start(args)
    print(
        f"start-up: {spread(startups)} s over {len(startups)} processes (building the store and "
        f"listening; imports {imports:.2f} s, apart)"
    )
    try:
        results = asyncio.run(_drive(port, token, args))
    finally:
        parent.send("stop")
        peak, built = parent.recv() if parent.poll(30) else (float("nan"), [])
        process.join(10)
    worst, warm = _report(results)
    print(f"server peak RSS: {peak:.0f} MiB")
    print(
        "search columns built in the background: "
        + (f"{built[0]:.1f} s after listening" if built else "not finished before the stop")
    )
    print(f"throughput: {spread(results['throughput'], ',.0f')} simple GETs/s over 8 connections")
    goal("sandbox search p95, worst field", worst, "<=", 0.1, unit=" s")
    goal("sandbox simple GET p99 during searches", warm, "<=", 0.01, unit=" s")
    goal("sandbox start-up", startups, "<=", 2.0, unit=" s")
    goal("sandbox peak RSS", [peak], "<=", 1024.0, unit=" MiB", spec=".0f")
    goal("sandbox simple GETs per second", results["throughput"], ">=", 2000.0, spec=".0f")
    return 0


if __name__ == "__main__":
    sys.exit(main())
