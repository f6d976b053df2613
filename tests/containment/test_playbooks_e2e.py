"""Every shipped playbook against the sandbox, with and without the companion module."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import Incident, load_playbook, shipped_playbooks
from tests.containment.conftest import PLAYBOOK_INPUTS, SKIMMER_BLOCK_ID, Store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey

MODULE_ONLY = {
    "maintenance",
    "terminate_sessions",
    "suspend_payments",
    "lockdown_admins",
    "force_password_reset",
}


def test_every_shipped_playbook_has_test_inputs() -> None:
    """The five issue playbooks and the exercises' three ship, and each has inputs here."""
    assert set(shipped_playbooks()) == set(PLAYBOOK_INPUTS)


def _run(store: Store, key: SigningKey, tmp_path: Path, name: str) -> tuple[Incident, object]:
    incident = Incident.open(
        tmp_path / f"{name}.jsonl", key=key, store=store.connection, title=f"drill {name}"
    )
    report = incident.run(load_playbook(name), PLAYBOOK_INPUTS[name])
    return incident, report


@pytest.mark.parametrize("name", sorted(PLAYBOOK_INPUTS))
def test_playbook_runs_and_reports_each_step(
    store: Store, key: SigningKey, tmp_path: Path, name: str
) -> None:
    """Module: every step verified; core only: module steps blocked, the others verified."""
    with_module = store.sandbox.options.with_module
    incident, report = _run(store, key, tmp_path, name)
    with incident:
        for step in report.steps:  # type: ignore[attr-defined]
            if step.action in MODULE_ONLY and not with_module:
                assert step.status == "blocked", step
                assert "composer require magento-ir/module-incident-response" in step.error
            else:
                assert step.status == "verified", (step.action, step.error, step.verification)
                assert step.outcome.ok


def test_magecart_contains_the_store(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """Magecart: shop closed, skimmer block off, sessions revoked, orders held, checkmo off."""
    with_module = store.sandbox.options.with_module
    open_orders = [
        oid for oid, state in store.order_states().items() if state in {"new", "processing"}
    ]
    incident, report = _run(store, key, tmp_path, "magecart")
    incident.close()
    assert not store.block_active(SKIMMER_BLOCK_ID)
    states = store.order_states()
    assert all(states[order_id] == "holded" for order_id in open_orders)
    inspect = store.sandbox.inspect
    if with_module:
        assert store.maintenance_mode() == "storefront"
        assert inspect.config_value("payment/checkmo/active") == "0"
        assert store.live_customer_tokens() == 0
        assert store.live_admin_users() == {"admin"}  # the responder is kept
        (terminate,) = [step for step in report.steps if step.action == "terminate_sessions"]
        checks = {check.name: check.passed for check in terminate.verification.checks}
        assert checks["a token issued before is refused"] is True
        assert checks["an admin token issued before is refused"] is True
        assert store.module_actions() == [
            "payments.suspend",
            "maintenance.set",
            "sessions.terminate",
            "orders.hold",
        ]
    else:
        assert inspect.config_value("payment/checkmo/active") == "1"
        assert store.live_customer_tokens() == 1
        assert store.module_actions() == []


def test_compromised_admin_shuts_other_admins_out(
    store: Store, key: SigningKey, tmp_path: Path
) -> None:
    """Compromised admin: every other admin deactivated and logged out, the responder kept."""
    incident, _ = _run(store, key, tmp_path, "compromised_admin")
    incident.close()
    assert not store.block_active(SKIMMER_BLOCK_ID)
    if store.sandbox.options.with_module:
        assert not store.admin_active("support")
        assert not store.admin_active("catalog")
        assert store.admin_active("admin")
        assert store.live_admin_users() == {"admin"}
    else:
        assert store.admin_active("support")


def test_exfiltration_resets_every_customer(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """Exfiltration: customers' tokens die and their old password no longer logs in."""
    incident, report = _run(store, key, tmp_path, "customer_data_exfiltration")
    incident.close()
    if store.sandbox.options.with_module:
        assert store.live_customer_tokens() == 0
        reset = next(s for s in report.steps if s.action == "force_password_reset")  # type: ignore[attr-defined]
        checks = {check.name: check.passed for check in reset.verification.checks}
        assert checks["the old password is refused"] is True
        assert store.sandbox.inspect.sent_emails()
    else:
        assert store.live_customer_tokens() == 1


def test_card_testing_closes_checkout_only(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """Card testing: checkout closed, the abused method off, bot orders held."""
    incident, _ = _run(store, key, tmp_path, "card_testing")
    incident.close()
    assert "holded" in store.order_states().values()
    if store.sandbox.options.with_module:
        assert store.maintenance_mode() == "checkout"
        assert store.sandbox.inspect.config_value("payment/checkmo/active") == "0"
    else:
        assert store.maintenance_mode() == "off"


def test_hr_breach_locks_staff_admins(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """HR breach: other admin accounts locked and their tokens revoked."""
    incident, _ = _run(store, key, tmp_path, "hr_data_breach")
    incident.close()
    if store.sandbox.options.with_module:
        assert store.live_admin_users() == {"admin"}
        assert store.admin_active("admin")
    else:
        assert store.live_admin_users() == {"admin", "support"}


def test_rollback_puts_the_store_back(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """Rollback of magecart: block active, orders released, maintenance off, checkmo on."""
    before_orders = store.order_states()
    incident, _ = _run(store, key, tmp_path, "magecart")
    with incident:
        report = incident.rollback()
    assert report.ok, report
    checked = {step.action: step.verification for step in report.steps}
    for action in ("disable_cms_blocks", "hold_orders"):
        assert checked[action] is not None
        assert checked[action].passed, checked[action]
    if store.sandbox.options.with_module:
        for action in ("maintenance", "suspend_payments"):
            assert checked[action] is not None
            assert checked[action].status != "verification_failed", checked[action]
    assert store.block_active(SKIMMER_BLOCK_ID)
    assert store.order_states() == before_orders
    assert store.sandbox.inspect.config_value("payment/checkmo/active") == "1"
    if store.sandbox.options.with_module:
        assert store.maintenance_mode() == "off"
