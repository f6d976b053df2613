"""Exposure assessments over the served sandbox: time and peak memory.

The sandbox (`--orders` generated card orders, `--customers` customers) is served in its own
process; this process assesses (sync client, keyset pages of 200 trimmed rows):

- `skimmer`: every card-paid order of an all-time window (`skimmer_orders` + `skimmer_exposure`);
- `customers`: every customer (`customer_exposure`), placing those without an address by their
  newest order (a second pass over the orders).

Goal (issue 12): 100,000 customers and 1,000,000 orders in under 60 s on 2 cores, memory flat
(compare peak RSS at two sizes). Not a timed test: it prints the figures.

    python benchmarks/notify_exposure.py [--orders 1000000] [--customers 100000] [--only skimmer]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def _serve(pipe: Connection, orders: int, customers: int) -> None:
    from magento_ir.sandbox import Sandbox, SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(orders=orders, customers=customers)
    server = SandboxServer(sandbox)
    server.start()
    pipe.send((server.base_url, sandbox.admin_token()))
    pipe.recv()  # serve until the parent says stop
    server.stop()


def _rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--only", choices=["skimmer", "customers"], default=None)
    args = parser.parse_args()

    from magento_ir import BearerToken, MagentoClient  # noqa: PLC0415
    from magento_ir.notify.exposure import (  # noqa: PLC0415
        CustomerSelection,
        RecipientKey,
        customer_exposure,
        skimmer_exposure,
        skimmer_orders,
    )

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
                clock = time.perf_counter()
                window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
                found = skimmer_exposure(skimmer_orders(client, *window), key=key)
                print(
                    f"skimmer: {found.records} card orders, {found.people} people in "
                    f"{len(found.by_jurisdiction())} jurisdictions: "
                    f"{time.perf_counter() - clock:.1f} s, peak RSS {_rss():.0f} MiB"
                )
            if args.only in {None, "customers"}:
                clock = time.perf_counter()
                found = customer_exposure(
                    client, CustomerSelection(), key=key, as_of=date(2026, 12, 1)
                )
                print(
                    f"customers: {found.records} customers, {found.people} placed, "
                    f"{found.unplaced} without any address: "
                    f"{time.perf_counter() - clock:.1f} s, peak RSS {_rss():.0f} MiB"
                )
    finally:
        parent.send("stop")
        server.join()


if __name__ == "__main__":
    main()
