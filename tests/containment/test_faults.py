"""Containment under injected faults: 20% of reads fail transiently, 5% of writes lose their
answer after the store applied them. Every action still lands exactly once."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import DisableCmsBlocks, Incident, QuarantineProducts, load_playbook
from tests.containment.conftest import PLAYBOOK_INPUTS, SKIMMER_BLOCK_ID, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store

SKUS = [f"IR-SKU-{number:03d}" for number in range(1, 21)]


def _faulty(store: Store) -> None:
    """About 20% of reads fail (proxy 503s and dropped connections), and 5% of writes: half of
    those never reach the store, half are applied and lose their answer on the way back."""
    faults = store.sandbox.faults
    faults.at_rate("503", 0.1, method="GET")
    faults.at_rate("connection_reset", 0.11, method="GET")
    for method in ("POST", "PUT"):
        faults.at_rate("connection_reset", 0.025, method=method)
        faults.at_rate("truncated_body", 0.025, method=method)


def _run_magecart(store: Store, key: SigningKey, path: Path) -> list[object]:
    with Incident.open(path, key=key, store=store.connection, title="faults") as incident:
        report = incident.run(
            [
                *load_playbook("magecart").actions(PLAYBOOK_INPUTS["magecart"]),
                QuarantineProducts(SKUS),
            ]
        )
    return list(report.steps)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_module_actions_apply_exactly_once(key: SigningKey, tmp_path: Path, seed: int) -> None:
    """Module path: each action once in the module's log, the state contained, all verified."""
    store = make_store(with_module=True, seed=seed)
    holdable = [
        oid for oid, state in store.order_states().items() if state in {"new", "processing"}
    ]
    _faulty(store)
    steps = _run_magecart(store, key, tmp_path / "j")
    store.sandbox.faults.clear()
    assert [step.status for step in steps] == ["verified"] * len(steps), [  # type: ignore[attr-defined]
        (step.action, step.error, step.verification)
        for step in steps  # type: ignore[attr-defined]
    ]
    log = store.sandbox.inspect.action_log()
    assert Counter(record["action"] for record in log) == {
        "payments.suspend": 1,
        "maintenance.set": 1,
        "sessions.terminate": 1,
        "orders.hold": 1,
        "catalog.quarantine": 1,
    }
    assert {record["status"] for record in log} == {"succeeded"}
    counts = store.sandbox.inspect.request_counts()
    # The module holds them all in one bulk call; core's per-order hold is never sent.
    assert counts.get("POST /V1/orders/:id/hold", 0) == 0
    assert all(store.order_states()[order_id] == "holded" for order_id in holdable)
    assert not store.block_active()
    for sku in SKUS:
        assert set(store.sandbox.inspect.product_status(sku).values()) == {2}


@pytest.mark.parametrize("seed", [4, 5])
def test_core_actions_apply_exactly_once(key: SigningKey, tmp_path: Path, seed: int) -> None:
    """Core path: each hold sent once (ambiguous answers settled by reading back), SKUs off."""
    store = make_store(with_module=False, seed=seed)
    holdable = [
        oid for oid, state in store.order_states().items() if state in {"new", "processing"}
    ]
    _faulty(store)
    steps = _run_magecart(store, key, tmp_path / "j")
    store.sandbox.faults.clear()
    done = {step.action: step.status for step in steps}  # type: ignore[attr-defined]
    assert done["hold_orders"] == "verified"
    assert done["disable_cms_blocks"] == "verified"
    assert done["quarantine_products"] == "verified"
    counts = store.sandbox.inspect.request_counts()
    assert counts["POST /V1/orders/:id/hold"] == len(holdable)
    assert store.sandbox.inspect.action_log() == []
    for sku in SKUS:
        assert set(store.sandbox.inspect.product_status(sku).values()) == {2}


def test_a_disable_whose_answers_were_all_lost_is_rolled_back(
    key: SigningKey, tmp_path: Path
) -> None:
    """Every answer to the block's PUT is lost after the store applied it: the step fails, and
    the rollback still puts the block back (its write may have happened), once retried too."""
    store = make_store(with_module=True)
    store.sandbox.faults.schedule(
        "truncated_body", path="/V1/cmsBlock", method="PUT", times=store.connection.max_retries + 1
    )
    action = DisableCmsBlocks([SKIMMER_BLOCK_ID])
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="lost") as incident:
        [failed] = incident.run([action]).steps
        assert failed.status == "failed", failed
        assert not store.block_active()  # applied, though no answer said so
        [retried] = incident.run([action], retry_failed=True).steps
        assert retried.status == "verified", retried
        [undone] = incident.rollback().steps
    assert undone.status == "rolled_back", undone
    assert store.block_active()


def test_a_core_quarantine_whose_answers_were_all_lost_is_rolled_back(
    key: SigningKey, tmp_path: Path
) -> None:
    """Core path: every answer to the SKU's PUT is lost after the store applied it; the step
    fails, a retry finds it already off, and the rollback still puts its status back."""
    store = make_store(with_module=False)
    sku = SKUS[0]
    before = store.sandbox.inspect.product_status(sku)
    store.sandbox.faults.schedule(
        "truncated_body", path="/V1/products", method="PUT", times=store.connection.max_retries + 1
    )
    action = QuarantineProducts([sku])
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="lost") as incident:
        [failed] = incident.run([action]).steps
        assert failed.status == "failed", failed
        assert set(store.sandbox.inspect.product_status(sku).values()) == {2}
        [retried] = incident.run([action], retry_failed=True).steps
        assert retried.status == "verified", retried
        [undone] = incident.rollback().steps
    assert undone.status == "rolled_back", undone
    assert store.sandbox.inspect.product_status(sku) == before
