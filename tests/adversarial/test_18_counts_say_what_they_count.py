"""Issue 9 item 18: the reset e-mail count is of attempts (Magento only logs a mail failure),
named so in the module, its contract, the sandbox, the SDK and the reports."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from magento_ir.containment import ForcePasswordReset, Incident
from magento_ir.models.incident_response import PasswordResetResult
from tests.adversarial._verdicts import KEY
from tests.conftest import REPO_ROOT
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("no_waits")
MODULE = REPO_ROOT / "php-module"


def test_the_contract_and_the_module_count_attempts_not_deliveries() -> None:
    """No layer claims e-mails were sent: the field is emails_attempted everywhere."""
    contract = json.loads((MODULE / "contract" / "openapi.json").read_text())
    schema = contract["components"]["schemas"]["PasswordResetResult"]
    assert "emails_attempted" in schema["required"]
    assert "emails_sent" not in schema["properties"]
    assert "not a delivery" in schema["properties"]["emails_attempted"]["description"]
    interface = (MODULE / "Api" / "Data" / "PasswordResetResultInterface.php").read_text()
    assert "getEmailsAttempted" in interface
    assert "EmailsSent" not in interface
    assert "emails_sent" not in PasswordResetResult.model_fields
    assert "emails_attempted" in PasswordResetResult.model_fields


def test_the_report_says_the_emails_were_attempted(tmp_path: Path) -> None:
    """The sandbox answers emails_attempted and the step's report says delivery is unconfirmed."""
    store = make_store(with_module=True)
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="r") as incident:
        (step,) = incident.run([ForcePasswordReset("all", send_reset_email=True)]).steps
    assert step.outcome is not None
    assert step.outcome.data["emails_attempted"] == len(store.sandbox.state.sent_emails) > 0
    (entity,) = step.outcome.entities
    assert "reset e-mails attempted (Magento does not confirm delivery)" in entity.detail
    assert "sent" not in entity.detail
