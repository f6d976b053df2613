"""Incident: opening and resuming journals, verifying again, interrupted rollbacks, sync/async."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from magento_ir import AdminCredentials, ConfigurationError
from magento_ir.containment import (
    DisableCmsBlocks,
    Incident,
    QuarantineProducts,
    StoreConnection,
    SuspendPayments,
    load_playbook,
)
from magento_ir.evidence import verify
from tests.containment.conftest import ADMIN_PASSWORD, PLAYBOOK_INPUTS, SKIMMER_BLOCK_ID, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store


def test_new_incident_records_who_what_when(key: SigningKey, tmp_path: Path) -> None:
    """A new journal starts with incident.opened: id, title, store, opened and detected times."""
    store = make_store(with_module=False)
    detected = datetime(2024, 5, 1, 2, 30, tzinfo=UTC)
    journal = tmp_path / "j.jsonl"
    with Incident.open(
        journal, key=key, store=store.connection, title="Skimmer", incident_id="INC-7",
        detected_at=detected,
    ) as incident:  # fmt: skip
        assert (incident.id, incident.title, incident.detected_at) == ("INC-7", "Skimmer", detected)
        incident.plan([])  # the journal is written once the store has answered
    with Incident.open(journal, key=key, store=store.connection) as again:
        assert (again.id, again.title, again.opened_at) == ("INC-7", "Skimmer", incident.opened_at)
    assert verify(journal, key.verifier()).ok


def test_journal_refuses_another_store_and_a_missing_title(key: SigningKey, tmp_path: Path) -> None:
    """A journal belongs to one store; a new one needs a title; ids are checked."""
    store = make_store(with_module=False)
    journal = tmp_path / "j.jsonl"
    with pytest.raises(ConfigurationError, match="needs a title"):
        Incident.open(journal, key=key, store=store.connection)
    with Incident.open(journal, key=key, store=store.connection, title="t") as first:
        first.plan([])  # the store answered: the journal is now bound to it
    same = replace(store.connection, base_url="http://magento.test/rest/")
    Incident.open(journal, key=key, store=same).close()  # the same store, written differently
    other = StoreConnection("http://elsewhere.test", auth=AdminCredentials("a", ADMIN_PASSWORD))
    with pytest.raises(ConfigurationError, match="open it with that store"):
        Incident.open(journal, key=key, store=other)
    with pytest.raises(ConfigurationError, match="incident_id 'has space' is not valid"):
        Incident.open(tmp_path / "k", key=key, store=store.connection, incident_id="has space")


def test_rerun_skips_done_steps(key: SigningKey, tmp_path: Path) -> None:
    """Running the same playbook again changes nothing: every step is reported skipped."""
    store = make_store(with_module=True)
    playbook = load_playbook("magecart")
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run(playbook, PLAYBOOK_INPUTS["magecart"])
        before = store.sandbox.inspect.action_log()
        report = incident.run(playbook, PLAYBOOK_INPUTS["magecart"])
        assert {step.status for step in report.steps} == {"skipped"}
        assert store.sandbox.inspect.action_log() == before
        again = incident.verify()
    # Checkout is closed by now, but the guest-cart API (REST) is not: even the payment
    # suspension is observed.
    assert {step.status for step in again.steps} == {"verified"}, again
    assert again.ok


def _module_actions(store: Store) -> Counter[str]:
    return Counter(record["action"] for record in store.sandbox.inspect.action_log())


def test_interrupted_rollback_finishes_once(key: SigningKey, tmp_path: Path) -> None:
    """A rollback that failed mid-way is completed by the next rollback, releasing only once."""
    store = make_store(with_module=True)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run([QuarantineProducts(["IR-SKU-001"]), DisableCmsBlocks([SKIMMER_BLOCK_ID])])
        # The store applies the release but every answer is lost, beyond the retry budget.
        store.sandbox.faults.schedule(
            "truncated_body", path="/V1/incident-response/catalog/release", times=20
        )
        first = incident.rollback()
        store.sandbox.faults.clear()
        assert [step.status for step in first.steps] == ["rolled_back", "failed"]
        assert store.block_active()
        second = incident.rollback()
        assert [step.status for step in second.steps] == ["rolled_back"]
        assert [state.status for state in incident.status()] == ["rolled_back"] * 2
    assert _module_actions(store) == {"catalog.quarantine": 1, "catalog.release": 1}
    assert store.sandbox.inspect.product_status("IR-SKU-001") == {"admin": 1, "default": 1}


def test_apply_again_after_rollback(key: SigningKey, tmp_path: Path) -> None:
    """After a rollback the same step can be applied again (a new generation, a new key)."""
    store = make_store(with_module=False)
    action = DisableCmsBlocks([SKIMMER_BLOCK_ID])
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run([action])
        incident.rollback()
        assert store.block_active()
        (step,) = incident.run([action]).steps
        assert step.status == "verified"
        (state,) = incident.status()
        assert state.generation == 1
    assert not store.block_active()


@pytest.mark.anyio
async def test_sync_methods_refuse_inside_an_event_loop(key: SigningKey, tmp_path: Path) -> None:
    """Inside async code the sync entry points point at the a-methods; arun works."""
    store = make_store(with_module=False)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        with pytest.raises(ConfigurationError, match="await arun"):
            incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])])
        report = await incident.arun([DisableCmsBlocks([SKIMMER_BLOCK_ID])])
    assert report.ok


def test_failed_step_is_reported_and_retried_on_rerun(key: SigningKey, tmp_path: Path) -> None:
    """A write the store refuses is journaled as failed; a rerun tries it again."""
    store = make_store(with_module=True)
    action = SuspendPayments(["no_such_method"])
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="f") as incident:
        (first,) = incident.run([action]).steps
        assert first.status == "failed"
        assert "no_such_method" in (first.error or "")
        (state,) = incident.status()
        assert (state.status, state.in_flight) == ("failed", True)
        (second,) = incident.run([action]).steps
        assert second.status == "failed"
    assert store.sandbox.inspect.config_value("payment/checkmo/active") == "1"
