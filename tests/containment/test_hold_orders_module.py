"""HoldOrders on the module path: one bulk call, a set-based read-back, a rollback that releases
only what it held; the request count does not grow with the number of orders."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir.containment import HoldOrders, Incident, _orders
from magento_ir.sandbox import module_api
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store

OPEN = {"new", "processing"}


def _states(store: Store) -> dict[int, str]:
    with store.sandbox.lock:
        return {row["entity_id"]: row["state"] for row in store.sandbox.state.orders.rows()}


def _set_state(store: Store, order_id: int, state: str, status: str) -> None:
    with store.sandbox.lock:
        row = dict(store.sandbox.state.orders.get(order_id))
        row.update(state=state, status=status)
        store.sandbox.state.orders.put(order_id, row)


def _requests(store: Store) -> int:
    return sum(store.sandbox.inspect.request_counts().values())


def test_many_orders_are_held_and_released_in_a_few_requests(
    key: SigningKey, tmp_path: Path
) -> None:
    """1,000 orders: the bulk hold, its read-back and the rollback each stay at a few requests."""
    store = make_store(with_module=True, orders=1_000)
    before = _states(store)
    holdable = sorted(order_id for order_id, state in before.items() if state in OPEN)
    assert len(holdable) > 300  # more than one page of any read-back
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="many") as ir:
        sent = _requests(store)
        (step,) = ir.run([HoldOrders(statuses=["pending", "processing"])]).steps
        held_with = _requests(store) - sent
        assert step.status == "verified", step
        assert step.plan is not None
        assert step.plan.path == "module"
        assert (
            sorted(
                int(e.entity.removeprefix("order:"))
                for e in step.outcome.entities
                if e.status == "ok"
            )
            == holdable
        )
        now = _states(store)
        assert all(now[order_id] == "holded" for order_id in holdable)
        # Module detection, the bulk hold, the action-log anchor, two read-backs.
        assert held_with <= 6, store.sandbox.inspect.request_counts()
        sent = _requests(store)
        (back,) = ir.rollback().steps
        assert back.status == "rolled_back", back
        assert _requests(store) - sent <= 6
    assert _states(store) == before
    assert store.sandbox.inspect.request_counts().get("POST /V1/orders/:id/hold", 0) == 0


def test_rollback_leaves_orders_it_did_not_hold_and_refusals_fail_the_order(
    key: SigningKey, tmp_path: Path
) -> None:
    """An order on hold before, and one Magento refuses (payment review), are not touched by the
    rollback; the refused one is a failed entity with Magento's reason."""
    store = make_store(with_module=True, orders=12)
    states = _states(store)
    open_orders = sorted(order_id for order_id, state in states.items() if state in OPEN)
    held_before, review = open_orders[0], open_orders[1]
    _set_state(store, held_before, "holded", "holded")
    _set_state(store, review, "payment_review", "processing")
    named = [held_before, review, *open_orders[2:], 999_999]
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="some") as ir:
        (step,) = ir.run([HoldOrders(order_ids=named, statuses=["pending", "processing"])]).steps
        assert step.outcome is not None
        by_entity = {e.entity: (e.status, e.detail) for e in step.outcome.entities}
        assert by_entity[f"order:{held_before}"] == ("skipped", "already on hold (left as it is)")
        assert by_entity[f"order:{review}"] == ("failed", "A hold action is not available.")
        assert by_entity["order:999999"] == ("failed", "no such order 999999")
        assert step.verification is not None
        assert step.verification.status == "verified"
        ir.rollback()
    after = _states(store)
    assert after[held_before] == "holded"
    assert after[review] == "payment_review"
    assert all(after[order_id] == states[order_id] for order_id in open_orders[2:])


def test_a_rerun_replays_the_hold_instead_of_holding_again(key: SigningKey, tmp_path: Path) -> None:
    """The module's action log has one orders.hold after a crashed run is resumed."""
    store = make_store(with_module=True, orders=20)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="once") as ir:
        ir.run([HoldOrders(statuses=["pending", "processing"])])
        # A verification read that never happened: the step is checked again, nothing re-sent.
        ir.run([HoldOrders(statuses=["pending", "processing"])])
    assert store.module_actions() == ["orders.hold"]


def test_more_orders_than_one_call_takes_are_held_call_after_call(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the module taking 3 orders per call, every open order is still held (one hold per
    call, each with its own key) and the rollback releases every hold."""
    monkeypatch.setattr(module_api, "MAX_ORDERS", 3)
    store = make_store(with_module=True, orders=30)
    before = _states(store)
    holdable = sorted(order_id for order_id, state in before.items() if state in OPEN)
    assert len(holdable) > 6
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="calls") as ir:
        (step,) = ir.run([HoldOrders(statuses=["pending", "processing"])]).steps
        assert step.status == "verified", step
        assert step.outcome is not None
        assert len(step.outcome.data["hold_ids"]) == -(-len(holdable) // 3)
        now = _states(store)
        assert all(now[order_id] == "holded" for order_id in holdable)
        ir.rollback()
    assert _states(store) == before
    keys = [record["idempotency_key"] for record in store.sandbox.inspect.action_log()]
    assert len(keys) == len(set(keys))


def test_a_selection_that_cannot_shrink_stops_and_says_so(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Orders Magento refuses fill a whole call: no endless loop, the rest is a failed entity."""
    monkeypatch.setattr(module_api, "MAX_ORDERS", 2)
    store = make_store(with_module=True, orders=30)
    holdable = sorted(order_id for order_id, state in _states(store).items() if state in OPEN)
    for order_id in holdable[:2]:
        _set_state(store, order_id, "payment_review", "processing")
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="stuck") as ir:
        (step,) = ir.run([HoldOrders(statuses=["processing", "pending"])]).steps
    assert step.outcome is not None
    by_entity = {e.entity: e for e in step.outcome.entities}
    assert by_entity["orders:remaining"].status == "failed"
    assert "narrow the selection" in by_entity["orders:remaining"].detail
    assert store.module_actions() == ["orders.hold"]


def test_named_orders_go_in_calls_of_the_modules_limit_and_none_named_holds_none(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More named orders than one call takes: one call per batch; an empty list holds nothing
    (the module would read a missing list as every order)."""
    monkeypatch.setattr(_orders, "_NAMED_PER_CALL", 3)
    store = make_store(with_module=True, orders=30)
    holdable = sorted(order_id for order_id, state in _states(store).items() if state in OPEN)
    assert len(holdable) > 6
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="named") as ir:
        (none,) = ir.run([HoldOrders(order_ids=[], statuses=["pending", "processing"])]).steps
        assert none.outcome is not None
        assert none.outcome.entities == ()
        assert store.module_actions() == []
        (step,) = ir.run([HoldOrders(order_ids=holdable, statuses=["pending", "processing"])]).steps
    assert step.status == "verified", step
    assert store.module_actions() == ["orders.hold"] * -(-len(holdable) // 3)
    now = _states(store)
    assert all(now[order_id] == "holded" for order_id in holdable)
