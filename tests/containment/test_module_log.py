"""Anchoring the module's action log in the journal, and finding it rewritten (issue 9 item 4)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.containment import (
    DisableCmsBlocks,
    Incident,
    Maintenance,
    QuarantineProducts,
    SuspendPayments,
)
from magento_ir.containment.module_log import (
    GENESIS_HASH,
    MODULE_LOG_HEAD,
    Anchor,
    anchors_in,
    averify_module_log,
    check_module_log,
    module_record_hash,
)
from magento_ir.models.incident_response import ActionRecord
from magento_ir.sandbox.module_api import chain_hash
from tests.containment.conftest import SKIMMER_BLOCK_ID, make_store, rehashed
from tests.php.test_contract import load_contract_document

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store


def _record(action_id: int, previous: str, **fields: Any) -> ActionRecord:
    data: dict[str, Any] = {
        "action_id": action_id,
        "action": "maintenance.set",
        "status": "succeeded",
        "created_at": "2026-01-01 00:00:00",
        "actor_type": 2,
        "actor_id": 1,
        "reason": f"reason {action_id}",
        "request": "{}",
        "prior_state": "null",
        "result": "{}",
        "previous_hash": previous,
        "hash": "",
        **fields,
    }
    record = ActionRecord.model_validate(data)
    return record.model_copy(update={"hash": module_record_hash(previous, record)})


def _chain(count: int) -> list[ActionRecord]:
    records: list[ActionRecord] = []
    previous = GENESIS_HASH
    for action_id in range(1, count + 1):
        records.append(_record(action_id, previous))
        previous = records[-1].hash
    return records


def test_the_client_computes_the_contracts_example_hash() -> None:
    """module_record_hash follows x-magento-ir-hash-chain: the contract's real example matches."""
    operation = load_contract_document()["paths"]["/V1/incident-response/actions"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]["items"][0]
    record = ActionRecord.model_validate(example)
    assert module_record_hash(record.previous_hash, record) == record.hash
    assert chain_hash(record.previous_hash, example) == record.hash


def test_an_intact_log_holds_its_anchors() -> None:
    """Every anchored head present with its hash, the chain unbroken: ok, and the tail is named."""
    records = _chain(5)
    report = check_module_log([Anchor(2, records[1].hash), Anchor(4, records[3].hash)], records)
    assert report.ok, report.problems
    assert (report.records, report.anchors, report.newest_anchor) == (5, 2, 4)
    assert "1 written after the newest anchor" in report.summary()


def test_nothing_anchored_is_not_ok() -> None:
    """With no anchor there is nothing to hold the log to: never reported as verified."""
    report = check_module_log([], _chain(3), ["401 on GET actions"])
    assert not report.ok
    assert report.summary().startswith("nothing to check")
    assert report.missed == ("401 on GET actions",)


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        # Edited, not re-hashed: the record no longer matches its own hash.
        (
            lambda r: [*r[:1], r[1].model_copy(update={"reason": "routine"}), *r[2:]],
            "record #2 does not match its own hash",
        ),
        # Edited and the chain re-hashed: the anchored hash is not the one kept.
        (
            lambda r: rehashed([*r[:1], r[1].model_copy(update={"reason": "routine"}), *r[2:]]),
            "anchored record #3",
        ),
        # A record deleted and the rest re-hashed.
        (lambda r: rehashed([*r[:1], *r[2:]]), "anchored record #3"),
        # A record deleted, nothing re-hashed: the chain no longer links.
        (lambda r: [*r[:1], *r[2:]], "record #3 no longer links"),
        # The log cut before the anchor.
        (lambda r: r[:2], "anchored record #3 (written 2026-01-01 00:00:00 UTC) is gone"),
        # A record inserted before the anchor, re-hashed.
        (lambda r: rehashed([*r[:2], _record(3, GENESIS_HASH), *r[2:]]), "anchored record #3"),
    ],
    ids=["edit", "edit-rehash", "delete-rehash", "delete", "truncate", "insert-rehash"],
)
def test_a_rewritten_log_is_detected(tamper: Any, expected: str) -> None:
    """Every way of rewriting the log up to an anchor is reported, naming the record."""
    records = _chain(4)
    anchors = [Anchor(3, records[2].hash, "2026-01-01 00:00:00")]
    report = check_module_log(anchors, tamper(records))
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems
    assert report.summary().startswith("the module's action log was rewritten")


def test_anchors_are_read_from_journal_records() -> None:
    """module.log_head records become anchors; the ones that could not be read are reasons."""
    records = [
        ("incident.opened", {"id": "INC"}),
        (MODULE_LOG_HEAD, {"writes": 2, "action_id": 3, "hash": "h", "at": "t"}),
        (MODULE_LOG_HEAD, {"writes": 1, "error": "401"}),
    ]
    assert anchors_in(records) == ([Anchor(3, "h", "t")], ["401"])


def _heads(incident: Incident) -> list[dict[str, Any]]:
    return [payload for kind, payload in incident.journal.records() if kind == MODULE_LOG_HEAD]


def test_each_module_write_is_anchored_before_its_check(key: SigningKey, tmp_path: Path) -> None:
    """Each step (and each rollback) that wrote through the module has the head journaled right
    after its write, before its outside check; a step without module writes has none."""
    store = make_store(with_module=True)
    steps = [
        Maintenance("storefront"),
        DisableCmsBlocks([SKIMMER_BLOCK_ID]),  # core REST only: no anchor of its own
        QuarantineProducts(["IR-SKU-001"]),
    ]
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run(steps)
        log = store.sandbox.inspect.action_log()
        heads = _heads(incident)
        assert [(h["action"], h["phase"], h["writes"], h["action_id"]) for h in heads] == [
            ("maintenance", "apply", 1, 1),
            ("quarantine_products", "apply", 1, 2),
        ]
        assert [h["hash"] for h in heads] == [log[0]["hash"], log[1]["hash"]]
        # Each anchor sits between its step's result and its verification.
        kinds = [
            (kind, payload.get("action"))
            for kind, payload in incident.journal.records()
            if kind in {"journal.result", MODULE_LOG_HEAD, "journal.verification"}
        ]
        for action in ("maintenance", "quarantine_products"):
            at = kinds.index(("journal.result", action))
            assert kinds[at : at + 3] == [
                ("journal.result", action),
                (MODULE_LOG_HEAD, action),
                ("journal.verification", action),
            ]
        incident.rollback()
        log = store.sandbox.inspect.action_log()
        assert [(h["action"], h["phase"], h["action_id"]) for h in _heads(incident)[2:]] == [
            ("quarantine_products", "rollback", 3),
            ("maintenance", "rollback", 4),
        ]
        assert _heads(incident)[-1]["hash"] == log[-1]["hash"]
        report = asyncio.run(_verify(store, incident))
        assert report.ok, report.problems


async def _verify(store: Store, incident: Incident) -> Any:
    async with store.connection.open_client() as client:
        return await averify_module_log(client, incident.journal.records())


def test_a_refused_module_write_is_anchored_too(key: SigningKey, tmp_path: Path) -> None:
    """A write the module refuses is logged there (rejected) and its head anchored here."""
    store = make_store(with_module=True)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        report = incident.run([SuspendPayments(["nosuchpay"])])
        assert report.steps[0].status == "failed"
        log = store.sandbox.inspect.action_log()
        assert [(r["action"], r["status"]) for r in log] == [("payments.suspend", "rejected")]
        assert json.loads(log[0]["result"]) == {
            "error": "Unknown payment method code(s): nosuchpay."
        }
        assert [h["action_id"] for h in _heads(incident)] == [1]


def test_a_head_that_cannot_be_read_is_journaled_as_such(key: SigningKey, tmp_path: Path) -> None:
    """Without the actions_view resource the head is not anchored, and the journal says why."""
    store = make_store(with_module=True)
    with store.sandbox.lock:
        state = store.sandbox.state
        admin = state.admin_by_username("admin")
        assert admin is not None
        granted = {route.acl for route in store.sandbox.router.rest_routes}
        granted.discard("MagentoIr_IncidentResponse::actions_view")
        state.admin_roles[admin.role_id].resources = frozenset(granted)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run([Maintenance("storefront")])
        (head,) = _heads(incident)
        assert "MagentoIr_IncidentResponse::actions_view" in head["error"]


def test_a_core_only_store_anchors_nothing(key: SigningKey, tmp_path: Path) -> None:
    """No module, no module writes, no anchor (and no extra request)."""
    store = make_store(with_module=False)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])])
        assert _heads(incident) == []


def test_the_verdict_names_what_is_not_protected() -> None:
    """The summary of an intact log says how many records only the chain covers."""
    records = _chain(3)
    report = check_module_log([Anchor(3, records[2].hash)], records)
    assert report.summary().endswith(
        "(3 records; 0 written after the newest anchor are covered by the chain only)"
    )
    assert replace(report, problems=("x",)).summary().endswith("rewritten: x")
