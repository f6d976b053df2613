"""Issue 9 item 17: restoring a lockdown does not bring the integrations' revoked access tokens
back to life (they may be the attacker's): it re-issues them, and the plan says which."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir import AuthenticationError, MagentoClient, OAuth1Credentials
from magento_ir.cli import ExitCode, app
from magento_ir.containment import Incident, LockdownAdmins, load_playbook
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import BASE_URL, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox
    from tests.containment.conftest import Store

pytestmark = pytest.mark.usefixtures("no_waits")


def _erp(store: Store) -> OAuth1Credentials:
    """The ERP integration's OAuth values as they are now (what an attacker may have copied)."""
    with store.sandbox.lock:
        erp = store.sandbox.state.integrations[1]
        return OAuth1Credentials(
            erp.consumer_key, erp.consumer_secret, erp.access_token, erp.access_token_secret
        )


def _works(store: Store, credentials: OAuth1Credentials) -> bool:
    with MagentoClient(BASE_URL, auth=credentials, transport=store.sandbox.transport()) as client:
        try:
            client.store.websites()
        except AuthenticationError:
            return False
    return True


def test_rollback_reissues_the_tokens_and_the_old_ones_stay_dead(tmp_path: Path) -> None:
    """By default the old integration token never works again after the restore; the plan and
    the rollback name the integrations whose tokens are re-issued."""
    store = make_store(with_module=True)
    stolen = _erp(store)
    assert _works(store, stolen)
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="i") as incident:
        (planned,) = incident.plan([LockdownAdmins()]).steps
        assert planned.plan is not None
        assert "re-issues new tokens" in planned.plan.summary
        assert "active now: 1 (ERP Connector), 2 (Shipping Sync)" in planned.plan.summary
        assert "integration:1 token re-issued on rollback" in planned.plan.changes
        (locked,) = incident.run([LockdownAdmins()]).steps
        assert locked.outcome is not None
        assert not _works(store, stolen)
        note = LockdownAdmins().rollback_note(locked.outcome)
        assert note is not None
        assert "integrations 1, 2 get new access tokens" in note
        (rolled,) = incident.rollback().steps
    assert rolled.status == "rolled_back"
    assert rolled.outcome is not None
    assert rolled.outcome.data["reissued_integration_ids"] == [1, 2]
    assert rolled.outcome.data["revived_integration_ids"] == []
    assert not _works(store, stolen)  # the stolen token stays dead
    assert _works(store, _erp(store))  # the integration works with its new token
    with store.sandbox.lock:
        assert store.sandbox.state.integrations[1].status == 1


def test_reviving_the_old_tokens_is_a_named_choice(tmp_path: Path) -> None:
    """`restore_tokens="revive"` brings the old tokens back, and the plan says so loudly."""
    store = make_store(with_module=True)
    old = _erp(store)
    action = LockdownAdmins(restore_tokens="revive")
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="i") as incident:
        (locked,) = incident.run([action]).steps
        assert locked.plan is not None
        assert "REVIVES those old tokens" in locked.plan.summary
        assert locked.outcome is not None
        note = action.rollback_note(locked.outcome)
        assert note is not None
        assert "come back to life" in note
        incident.rollback()
    assert _works(store, old)


@pytest.mark.parametrize("name", ["compromised_admin", "customer_data_exfiltration"])
def test_the_admin_lockdown_playbooks_reissue(name: str) -> None:
    """The playbooks that lock admins out re-issue integration tokens on rollback."""
    lockdowns = [
        action for action in load_playbook(name).actions({}) if isinstance(action, LockdownAdmins)
    ]
    assert lockdowns
    assert all(action.restore_tokens == "reissue" for action in lockdowns)


def test_the_rollback_command_says_which_tokens_come_back(served: Sandbox) -> None:
    """`magento-ir rollback` names, before it writes, the integrations a restore re-issues."""
    runner = CliRunner()
    contained = runner.invoke(app, ["contain", "--action", "lockdown_admins", "--yes"])
    assert contained.exit_code == ExitCode.OK, contained.output
    rolled = runner.invoke(app, ["rollback", "--yes"])
    assert rolled.exit_code == ExitCode.OK, rolled.output
    text = " ".join(rolled.output.split())
    assert "integrations 1, 2 get new access tokens; their revoked tokens stay dead" in text
    with served.lock:
        assert served.state.integrations[1].status == 1
