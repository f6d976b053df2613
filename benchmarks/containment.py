"""Containment of a large sandbox store at real latency: module path vs core-REST fallback.

For each path, a fresh sandbox (10,000 products and 100,000 customers by default, Magento's
latencies) is served on loopback, the drill's Magecart breach is staged on it, and then, over
real HTTP with the Incident API: every step of the shipped magecart playbook, one at a time,
and a quarantine of `--skus` generated products. Wall time and requests (the sandbox's own
request counts) are printed per action, with the goals:

- the whole magecart playbook in under 5 s on the module path, at most 10 requests per action;
- the fallback quarantine of 1,000 SKUs within 1.2x of N x save latency / workers (its apply
  phase, timed from the journal's prior-state and result records; plan and verify are shown
  apart).

    python benchmarks/containment.py [--products 10000] [--customers 100000] [--skus 1000]
                                     [--workers 8] [--latency real] [--paths module,core]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from magento_ir import set_testing
from magento_ir.auth import AdminCredentials, CustomerCredentials, OAuth1Credentials
from magento_ir.containment._context import StoreConnection
from magento_ir.containment.actions import QuarantineProducts
from magento_ir.containment.incident import Incident
from magento_ir.containment.playbooks import load_playbook
from magento_ir.drill._staging import stage_magecart
from magento_ir.evidence import SigningKey, read_records
from magento_ir.sandbox import Sandbox, SandboxServer
from magento_ir.sandbox.latency import PRODUCT_SAVE_SECONDS

if TYPE_CHECKING:
    from magento_ir.containment.actions import Action

MAGECART_GOAL_SECONDS = 5.0
REQUESTS_PER_ACTION_GOAL = 10
FALLBACK_SLACK = 1.2


@dataclass(frozen=True)
class Row:
    path: str
    action: str
    status: str
    seconds: float
    requests: int
    apply_seconds: float | None = None
    routes: str = ""


def _top_routes(before: dict[str, int], after: dict[str, int], top: int = 3) -> str:
    """The routes that took most of an action's requests, e.g. `GET /:path x 600`."""
    spent = {route: after[route] - before.get(route, 0) for route in after}
    busiest = sorted((count, route) for route, count in spent.items() if count)[::-1][:top]
    return "; ".join(f"{route} x {count}" for count, route in busiest)


def _apply_seconds(journal: Path, step: str) -> float | None:
    """Prior state -> result of the step's latest run, from the journal's record times."""
    started = finished = None
    for record in read_records(journal):
        if record.payload.get("step") != step:
            continue
        if record.type == "journal.prior_state":
            started = datetime.fromisoformat(record.time)
        elif record.type == "journal.result" and started is not None:
            finished = datetime.fromisoformat(record.time)
    if started is None or finished is None:
        return None
    return (finished - started).total_seconds()


async def _run_step(
    incident: Incident, sandbox: Sandbox, action: Action, path: str, journal: Path
) -> Row:
    before = sandbox.inspect.request_counts()
    clock = time.perf_counter()
    report = await incident.arun([action])
    seconds = time.perf_counter() - clock
    after = sandbox.inspect.request_counts()
    step = report.steps[0]
    return Row(
        path,
        action.kind,
        step.status,
        seconds,
        sum(after.values()) - sum(before.values()),
        _apply_seconds(journal, step.step) if action.kind == "quarantine_products" else None,
        _top_routes(before, after),
    )


async def _bench_path(args: argparse.Namespace, with_module: bool) -> list[Row]:
    path = "module" if with_module else "core"
    sandbox = Sandbox(
        products=args.products,
        customers=args.customers,
        orders=200,
        with_module=with_module,
        latency=args.latency,
        workers=args.workers,
    )
    rows = []
    with (
        SandboxServer(sandbox, workers=args.workers) as server,
        tempfile.TemporaryDirectory() as tmp,
    ):
        breach = await stage_magecart(sandbox, server.base_url)
        await breach.close()
        await asyncio.sleep(1.0 - sandbox.now() % 1.0)
        store = StoreConnection(
            base_url=server.base_url,
            auth=OAuth1Credentials(**sandbox.inspect.integration_credentials("ERP Connector")),
            concurrency=args.workers,
            canary_customer=CustomerCredentials(
                "ir.customer12@example.com", sandbox.options.customer_password
            ),
            # As the drill does: ending admin sessions is proven on a canary admin's token.
            canary_admin=AdminCredentials(
                sandbox.options.admin_user, sandbox.options.admin_password
            ),
        )
        journal = Path(tmp) / "journal.log"
        playbook = load_playbook("magecart")
        actions = playbook.actions(
            {
                "skimmer_block_ids": breach.skimmer_block_ids,
                "skimmer_live_since": breach.orders_since or "",
                "payment_methods": ["braintree"],
            }
        )
        key = SigningKey.generate("benchmark")
        with Incident.open(journal, key=key, store=store, title="Benchmark") as incident:
            rows.extend(
                [await _run_step(incident, sandbox, action, path, journal) for action in actions]
            )
            skus = [f"SB{number:06d}" for number in range(1, args.skus + 1)]
            quarantine = QuarantineProducts(skus)
            rows.append(await _run_step(incident, sandbox, quarantine, path, journal))
    return rows


def _print(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"{'path':<7} {'action':<22} {'status':<20} {'wall s':>8} {'requests':>9} {'apply s':>8}"
        "  busiest routes"
    )
    for row in rows:
        apply = f"{row.apply_seconds:8.2f}" if row.apply_seconds is not None else " " * 8
        print(
            f"{row.path:<7} {row.action:<22} {row.status:<20} {row.seconds:8.2f} "
            f"{row.requests:9d} {apply}  {row.routes}"
        )
    print()
    module = [row for row in rows if row.path == "module" and row.action != "quarantine_products"]
    if module:
        total = sum(row.seconds for row in module)
        worst = max(row.requests for row in module)
        verdict = "met" if total < MAGECART_GOAL_SECONDS else "MISSED"
        print(f"magecart playbook, module path: {total:.2f} s (goal < 5 s: {verdict})")
        verdict = "met" if worst <= REQUESTS_PER_ACTION_GOAL else "MISSED"
        print(f"most requests in one magecart action: {worst} (goal <= 10: {verdict})")
    for row in rows:
        if row.path == "module" and row.action == "quarantine_products":
            verdict = "met" if row.requests <= REQUESTS_PER_ACTION_GOAL else "MISSED"
            print(
                f"module quarantine of {args.skus} SKUs: {row.requests} requests "
                f"(goal <= 10: {verdict})"
            )
    for row in rows:
        save = PRODUCT_SAVE_SECONDS * float(args.latency_factor)
        ideal = args.skus * save / args.workers
        if (
            row.path == "core"
            and row.action == "quarantine_products"
            and row.apply_seconds
            and ideal
        ):
            ratio = row.apply_seconds / ideal
            verdict = "met" if ratio <= FALLBACK_SLACK else "MISSED"
            print(
                f"fallback quarantine of {args.skus} SKUs: apply {row.apply_seconds:.1f} s, "
                f"ideal {args.skus} x {save:.2f} s / {args.workers} workers = {ideal:.1f} s, "
                f"ratio {ratio:.2f} (goal <= 1.2: {verdict}); whole action {row.seconds:.1f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--skus", type=int, default=1_000)
    parser.add_argument("--workers", type=int, default=8, help="client concurrency = PHP workers")
    parser.add_argument("--latency", default="real")
    parser.add_argument("--paths", default="module,core")
    args = parser.parse_args()
    args.latency_factor = Sandbox(latency=args.latency).options.latency_factor
    # No client-side backoff waits: the sandbox's latencies are what is measured.
    set_testing(False)
    rows: list[Row] = []
    for path in args.paths.split(","):
        rows.extend(asyncio.run(_bench_path(args, with_module=path == "module")))
    _print(rows, args)


if __name__ == "__main__":
    main()
