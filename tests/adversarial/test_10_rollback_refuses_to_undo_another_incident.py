"""Issue 9 item 10: a rollback that would undo another incident's later change is refused, with
the reason read from the store, unless forced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import Incident, LockdownAdmins, Maintenance, QuarantineProducts
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.containment import Action
    from tests.containment.conftest import Store

pytestmark = pytest.mark.usefixtures("no_waits")
SKU = "IR-SKU-001"


def _contain(store: Store, path: Path, incident_id: str, action: Action) -> Incident:
    incident = Incident.open(
        path, key=KEY, store=store.connection, title=incident_id, incident_id=incident_id
    )
    try:
        (step,) = incident.run([action]).steps
        assert step.status in {"verified", "unverified"}, step
    except BaseException:
        incident.close()
        raise
    return incident


def test_maintenance_of_a_later_incident_is_not_undone(tmp_path: Path) -> None:
    """A closes the storefront, B then closes checkout: rolling A back first is refused (the
    store shows B's mode), B then A works, and --force overrides."""
    store = make_store(with_module=True)
    first = _contain(store, tmp_path / "a", "INC-A", Maintenance("storefront"))
    second = _contain(store, tmp_path / "b", "INC-B", Maintenance("checkout", retry_after=600))
    with first, second:
        (refused,) = first.rollback().steps
        assert refused.status == "rollback_refused"
        assert refused.error is not None
        assert "maintenance is now 'checkout'" in refused.error
        assert "incident INC-B" in refused.error
        assert "--force" in refused.error
        assert store.maintenance_mode() == "checkout"  # B's containment stands
        (state,) = first.status()
        assert state.applied
        assert [step.status for step in second.rollback().steps] == ["rolled_back"]
        assert store.maintenance_mode() == "storefront"
        assert [step.status for step in first.rollback().steps] == ["rolled_back"]
    assert store.maintenance_mode() == "off"


def test_force_rolls_back_anyway(tmp_path: Path) -> None:
    """With force, the out-of-order rollback happens (the responder's call)."""
    store = make_store(with_module=True)
    first = _contain(store, tmp_path / "a", "INC-A", Maintenance("storefront"))
    second = _contain(store, tmp_path / "b", "INC-B", Maintenance("checkout", retry_after=600))
    with first, second:
        assert [step.status for step in first.rollback(force=True).steps] == ["rolled_back"]
    assert store.maintenance_mode() == "off"


@pytest.mark.parametrize(
    ("action", "what"),
    [
        (QuarantineProducts([SKU]), "catalog.quarantine on the same skus"),
        (LockdownAdmins(), "admins.lockdown on the same admins"),
    ],
    ids=["quarantine", "lockdown"],
)
def test_a_later_incident_relying_on_this_change_is_named(
    tmp_path: Path, action: Action, what: str
) -> None:
    """B contains what A already contained ("already quarantined", nobody left to lock): A's
    rollback would undo B's containment, so it is refused naming B; after B's own undo, or
    with force, it goes ahead."""
    store = make_store(with_module=True)
    first = _contain(store, tmp_path / "a", "INC-A", action)
    second = _contain(store, tmp_path / "b", "INC-B", action)
    with first, second:
        writes = store.module_actions()
        (refused,) = first.rollback().steps
        assert refused.status == "rollback_refused"
        assert refused.error is not None
        assert f"incident INC-B wrote {what}" in refused.error
        assert store.module_actions() == writes  # nothing was undone
        (forced,) = first.rollback(force=True).steps
        assert forced.status == "rolled_back"
