"""Exposure assessments over the served sandbox: time, CPU of each process, peak memory.

The sandbox (`--orders` generated card orders, `--customers` customers) is served in its own
process; this process assesses (sync client, keyset pages of 200 trimmed rows):

- `skimmer`: every card-paid order of an all-time window (`skimmer_rows` + `skimmer_exposure`);
- `customers`: every customer (`customer_exposure`), placing those without an address by their
  newest order (a second pass over the orders).

Goal (issue 12, item 1): 100,000 customers and 1,000,000 orders in under 60 s on 2 cores, memory
flat. Each assessment reports through `_goals.goal` (run_all's table): its wall-clock seconds
against 60 s scaled to the size run (`--orders 100000` is held to 6 s), the CPU seconds of each
process (the client's and the sandbox's; on a shared machine these, not the wall clock, say what
a quiet 2-core machine would do), and the client's peak RSS (flat: orders are never held, only
the pseudonymised recipient list, ~180 bytes a person, grows). Not a timed test.

    python benchmarks/notify_exposure.py [--orders 1000000] [--customers 100000] [--only skimmer]
    python benchmarks/notify_exposure.py --quick     # 100,000 orders, 10,000 customers
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from _goals import goal, machine

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.connection import Connection

# The goal's size: 1,000,000 orders in 60 s; smaller runs are held to the same rate.
GOAL_ORDERS = 1_000_000
GOAL_SECONDS = 60.0
# The client's peak RSS ceiling (MiB) at the goal's size: 100,000 customers' worth of people.
GOAL_RSS_MIB = 300.0


def _serve(pipe: Connection, orders: int, customers: int) -> None:
    from magento_ir.sandbox import Sandbox, SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(orders=orders, customers=customers)
    server = SandboxServer(sandbox)
    server.start()
    pipe.send((server.base_url, sandbox.admin_token()))
    # Answer CPU-time and peak-RSS queries until the parent says stop.
    while pipe.recv() != "stop":
        pipe.send((time.process_time(), _rss()))
    server.stop()


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(name: str, size: float, server: Connection, assess: Callable[[], str]) -> None:
    """Run one assessment; print and record its wall, CPU (each process) and peak RSS goals."""
    server.send("cpu")
    server_cpu, _ = server.recv()
    clock, cpu = time.perf_counter(), time.process_time()
    summary = assess()
    wall, cpu = time.perf_counter() - clock, time.process_time() - cpu
    server.send("cpu")
    server_after, server_rss = server.recv()
    served = server_after - server_cpu
    print(
        f"{name}: {summary}: {wall:.1f} s wall; CPU client {cpu:.1f} s, sandbox {served:.1f} s; "
        f"peak RSS client {_rss():.0f} MiB, sandbox {server_rss:.0f} MiB",
        flush=True,
    )
    target = round(GOAL_SECONDS * size, 2)
    goal(f"{name}: wall (s)", [wall], "<=", target, spec=".1f")
    goal(f"{name}: client CPU (s)", [cpu], "<=", target, spec=".1f")
    goal(f"{name}: sandbox CPU (s)", [served], "<=", target, spec=".1f")
    goal(f"{name}: client peak RSS (MiB)", [_rss()], "<=", GOAL_RSS_MIB, spec=".0f")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="100,000 orders, 10,000 customers")
    parser.add_argument("--only", choices=["skimmer", "customers"], default=None)
    args = parser.parse_args()
    if args.quick:
        args.orders, args.customers = 100_000, 10_000

    from magento_ir import BearerToken, MagentoClient  # noqa: PLC0415
    from magento_ir.notify.exposure import (  # noqa: PLC0415
        CustomerSelection,
        RecipientKey,
        customer_exposure,
        skimmer_exposure,
        skimmer_rows,
    )

    print(machine(), flush=True)
    size = args.orders / GOAL_ORDERS
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, args.orders, args.customers))
    started = time.perf_counter()
    server.start()
    try:
        url, token = parent.recv()
        print(f"sandbox up: {args.orders} orders, {args.customers} customers "
              f"({time.perf_counter() - started:.1f} s)")  # fmt: skip
        key = RecipientKey.generate()
        with MagentoClient(url, auth=BearerToken(token)) as client:
            if args.only in {None, "skimmer"}:
                window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

                def skimmer() -> str:
                    found = skimmer_exposure(skimmer_rows(client, *window), key=key)
                    return (
                        f"{found.records} card orders, {found.people} people in "
                        f"{len(found.by_jurisdiction())} jurisdictions"
                    )

                _measure(f"skimmer {args.orders:,} orders", size, parent, skimmer)
            if args.only in {None, "customers"}:

                def customers() -> str:
                    found = customer_exposure(
                        client, CustomerSelection(), key=key, as_of=date(2026, 12, 1)
                    )
                    return (
                        f"{found.records} customers, {found.people} placed, "
                        f"{found.unplaced} without any address"
                    )

                name = f"customers {args.customers:,} (+ orders)"
                _measure(name, size, parent, customers)
    finally:
        parent.send("stop")
        server.join()
    print(machine())


if __name__ == "__main__":
    main()
