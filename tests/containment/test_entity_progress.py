"""Per-entity progress comes from the write loops themselves: on a sandbox run with many
entities, `Incident.on_entities` hears every SKU disabled, every order held, every module batch
answered and every rollback write, and the capture's callback every page of customers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir import AdminCredentials
from magento_ir.containment import HoldOrders, Incident, QuarantineProducts
from magento_ir.evidence import EvidenceLog
from magento_ir.evidence.collectors import CaptureOptions, capture
from magento_ir.sandbox import Sandbox
from tests.containment.conftest import ADMIN_PASSWORD, BASE_URL, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.containment._model import EntityCount
    from magento_ir.evidence import SigningKey

MANY = 400


def _skus(sandbox: Sandbox, count: int) -> list[str]:
    with sandbox.lock:
        table = sandbox.state.products
        found = [table.get(number)["sku"] for number in range(1, count * 2) if number in table]
    assert len(found) >= count
    return found[:count]


def _phase(counts: list[EntityCount], phase: str) -> list[tuple[int, int]]:
    seen = [(count.done, count.total) for count in counts if count.phase == phase]
    dones = [done for done, _ in seen]
    assert dones == sorted(dones), "done never goes back"
    assert all(done <= total for done, total in seen)
    return seen


def test_core_quarantine_and_its_rollback_count_every_sku(key: SigningKey, tmp_path: Path) -> None:
    store = make_store(with_module=False, products=MANY + 50)
    skus = _skus(store.sandbox, MANY)
    heard: list[EntityCount] = []
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="many") as ir:
        ir.on_entities = heard.append
        (step,) = ir.run([QuarantineProducts(skus)]).steps
        assert step.outcome is not None
        overrides = sum(len(codes) for codes in step.outcome.data["store_views_written"].values())
        applied = _phase(heard, "apply")
        # One report per SKU disabled (and per store-view override), as each PUT finishes.
        assert applied[-1] == (MANY + overrides, MANY + overrides)
        assert len({done for done, _ in applied}) == MANY + overrides + 1  # 0, 1, ..., all
        assert {(count.step, count.action) for count in heard} == {
            (step.step, "quarantine_products")
        }
        (back,) = ir.rollback().steps
        assert back.status == "rolled_back", back
    rolled = _phase(heard, "rollback")
    assert rolled[-1] == (MANY, MANY)
    assert len({done for done, _ in rolled}) == MANY + 1


def test_module_quarantine_counts_each_batch_as_it_is_answered(
    key: SigningKey, tmp_path: Path
) -> None:
    store = make_store(with_module=True, products=MANY + 50)
    skus = _skus(store.sandbox, MANY)
    heard: list[EntityCount] = []
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="many") as ir:
        ir.on_entities = heard.append
        ir.run([QuarantineProducts(skus)])
        # One module call for up to 10,000 SKUs: nothing, then all of them when it answers.
        assert _phase(heard, "apply") == [(0, MANY), (MANY, MANY)]
        ir.rollback()
    assert _phase(heard, "rollback")[-1] == (MANY, MANY)


def test_holding_many_orders_counts_each_order(key: SigningKey, tmp_path: Path) -> None:
    store = make_store(with_module=False, orders=300)
    heard: list[EntityCount] = []
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="orders") as ir:
        ir.on_entities = heard.append
        (step,) = ir.run([HoldOrders(statuses=["pending", "processing"])]).steps
    assert step.outcome is not None
    orders = len(step.outcome.entities)
    assert orders > 100
    applied = _phase(heard, "apply")
    assert applied[-1] == (orders, orders)
    assert len(applied) == orders + 1  # the total, then one report per order


def test_capturing_many_customers_reports_every_page(key: SigningKey, tmp_path: Path) -> None:
    sandbox = Sandbox(with_module=True, customers=1_050, orders=5, products=20)
    heard: list[tuple[str, int, int | None]] = []
    with EvidenceLog.open(tmp_path / "evidence.log", key=key) as log:
        summary = capture(
            log,
            base_url=BASE_URL,
            auth=AdminCredentials("admin", ADMIN_PASSWORD),
            transport=sandbox.transport(),
            options=CaptureOptions(categories=("customers",), page_size=100),
            progress=lambda category, done, total: heard.append((category, done, total)),
        )
    (result,) = summary.results
    assert result.captured == result.expected
    assert result.expected is not None
    assert result.expected >= 1_050
    counts = [done for category, done, _ in heard if category == "customers"]
    # The count first, then one report per 100 records written to the log, then the end.
    assert counts[0] == 0
    assert counts[-1] == result.captured
    assert set(range(100, result.captured + 1, 100)) <= set(counts)


def test_a_drill_reports_its_incident_s_entities(tmp_path: Path) -> None:
    """The CLI does not open the drill's incident: `reporting_entities` hears its steps."""
    from magento_ir import set_testing  # noqa: PLC0415
    from magento_ir.containment.incident import reporting_entities  # noqa: PLC0415
    from magento_ir.drill import DrillOptions, run_drill  # noqa: PLC0415

    heard: list[EntityCount] = []
    options = DrillOptions(
        products=30, customers=30, orders=20, latency="0", report_dir=tmp_path, seed=5
    )
    set_testing(True)
    try:
        with reporting_entities(heard.append):
            report = run_drill(options)
    finally:
        set_testing(False)
    assert report.ok
    blocks = [count for count in heard if count.action == "disable_cms_blocks"]
    assert blocks, heard
    held = next(action for action in report.actions if action.action == "disable_cms_blocks")
    assert blocks[-1].done == blocks[-1].total == held.entities_ok + held.entities_failed


def test_a_password_reset_counts_each_batch_of_customers(key: SigningKey, tmp_path: Path) -> None:
    """Reset e-mails go 1,000 customers a call: the count moves as each call is answered."""
    from magento_ir.containment import ForcePasswordReset  # noqa: PLC0415

    store = make_store(with_module=True, customers=1_200)
    with store.sandbox.lock:
        ids = [number for number in range(1, 1_300) if number in store.sandbox.state.customers]
    heard: list[EntityCount] = []
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="reset") as ir:
        ir.on_entities = heard.append
        (step,) = ir.run([ForcePasswordReset(ids, send_reset_email=True)]).steps
    assert step.outcome is not None
    assert len(ids) > 1_000
    assert _phase(heard, "apply") == [(0, len(ids)), (1_000, len(ids)), (len(ids), len(ids))]
