"""A checkout skimmer's exposure assessed over the served sandbox: time and peak memory.

The sandbox (`--orders` generated card orders, `--customers` customers) is served in its own
process; this process reads every order in the window with `skimmer_orders` (sync client, pages
of 200) and counts people per jurisdiction with `skimmer_exposure`. Goal (issue 12): 100,000
customers and 1,000,000 orders in under 60 s on 2 cores, memory flat (compare peak RSS at two
sizes).

    python benchmarks/notify_exposure.py [--orders 1000000] [--customers 100000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import time
from datetime import UTC, datetime
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()

    from magento_ir import BearerToken, MagentoClient  # noqa: PLC0415
    from magento_ir.notify.exposure import (  # noqa: PLC0415
        RecipientKey,
        skimmer_exposure,
        skimmer_orders,
    )

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=_serve, args=(child, args.orders, args.customers))
    server.start()
    try:
        url, token = parent.recv()
        started = time.perf_counter()
        with MagentoClient(url, auth=BearerToken(token)) as client:
            window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
            exposure = skimmer_exposure(
                skimmer_orders(client, *window), key=RecipientKey.generate()
            )
        elapsed = time.perf_counter() - started
    finally:
        parent.send("stop")
        server.join()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    people = sum(group.count for group in exposure.groups)
    print(
        f"{exposure.records} card orders, {people} people in {len(exposure.groups)} "
        f"jurisdictions: {elapsed:.1f} s, peak RSS {rss:.0f} MiB"
    )


if __name__ == "__main__":
    main()
