"""Issue 9 item 11: ended sessions and reset passwords roll back as `not_reversible`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import ForcePasswordReset, Incident, Maintenance, TerminateSessions
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("no_waits")


def test_irreversible_steps_are_never_rolled_back(tmp_path: Path) -> None:
    """terminate_sessions and force_password_reset report not_reversible (and stay applied);
    the reversible step beside them is rolled back."""
    store = make_store(with_module=True)
    actions = [
        Maintenance("storefront"),
        TerminateSessions("customers"),
        ForcePasswordReset([store.customer_id]),
    ]
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="t") as incident:
        assert incident.run(actions).ok
        writes = store.module_actions()
        report = incident.rollback()
        statuses = {step.action: step.status for step in report.steps}
        assert statuses == {
            "force_password_reset": "not_reversible",
            "terminate_sessions": "not_reversible",
            "maintenance": "rolled_back",
        }
        assert report.ok
        for step in report.steps:
            if step.status == "not_reversible":
                assert step.error is not None
                assert step.error.startswith("not reversible: ")
        # Nothing was written for them, and the journal still shows them in place.
        assert store.module_actions() == [*writes, "maintenance.set"]
        kept = {state.action: state.applied for state in incident.status()}
        assert kept == {
            "maintenance": False,
            "terminate_sessions": True,
            "force_password_reset": True,
        }
        again = incident.rollback()
        assert {step.status for step in again.steps} == {"not_reversible"}
