"""Issue 9 item 4: the module's action log is anchored in the journal, and a rewrite is found.

The module's log is a plain SHA-256 chain: whoever holds the store's database credentials can
rewrite a record and recompute every hash after it. The journal keeps the log's head after each
module write, before that step's outside check (a run killed later keeps it); `magento-ir verify
--module-log` must then find any rewrite up to an anchored head.
Refused module writes are logged too (`rejected`), on the sandbox and on a real store.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from magento_ir import (
    AdminCredentials,
    BadRequestError,
    MagentoClient,
    NotFoundError,
    SearchCriteria,
)
from magento_ir.cli import ExitCode, app
from magento_ir.containment import (
    Incident,
    Maintenance,
    QuarantineProducts,
    StoreConnection,
    SuspendPayments,
)
from magento_ir.containment.journal import Journal
from magento_ir.containment.module_log import (
    GENESIS_HASH,
    MODULE_LOG_HEAD,
    Anchor,
    ModuleLogReport,
    anchors_in,
    averify_module_log,
    check_module_log,
    module_record_hash,
)
from magento_ir.evidence import read_records
from magento_ir.models.incident_response import ActionRecord
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_api import chain_hash
from tests.adversarial._store_db import StoreDatabase
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import make_store, rehashed

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.testing import MagentoStore

pytestmark = pytest.mark.usefixtures("no_waits")
MAGECART = ["contain", "magecart", "-i", "skimmer_block_ids=[1]", "--yes"]


def _rehash_from(log: list[dict[str, Any]], index: int) -> None:
    """What an attacker with the database does after an edit: recompute the chain onwards."""
    previous = log[index - 1]["hash"] if index else GENESIS_HASH
    for record in log[index:]:
        record["previous_hash"] = previous
        record["hash"] = previous = chain_hash(previous, record)


@pytest.mark.usefixtures("cli_env")
def test_a_rehashed_rewrite_of_the_module_log_is_detected(served: Sandbox) -> None:
    """Contain with the module, rewrite an early record and re-hash: verify --module-log fails."""
    runner = CliRunner()
    result = runner.invoke(app, MAGECART)
    assert result.exit_code == ExitCode.OK, result.output
    heads = [
        record.payload
        for record in read_records("incident-journal.log")
        if record.type == MODULE_LOG_HEAD
    ]
    assert heads, "no module.log_head in the journal"
    checked = runner.invoke(app, ["verify", "--module-log"])
    assert checked.exit_code == ExitCode.OK, checked.output
    assert "OK: the module's action log holds all" in checked.output

    with served.lock:
        log = served.state.action_log
        log[0]["reason"] = "routine maintenance"  # hide why the shop was closed
        _rehash_from(log, 0)
    tampered = runner.invoke(app, ["verify", "--module-log"])
    assert tampered.exit_code == ExitCode.VERIFICATION_FAILED, tampered.output
    assert "REWRITTEN anchored record #1" in tampered.output
    assert "re-hashed" in tampered.output


class _Crash(BaseException):
    """The process dying mid-run (nothing of the engine catches it)."""


class _CrashAtWrite(httpx.AsyncBaseTransport):
    """The sandbox, until the first request to `path`: then the run dies before sending it."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str) -> None:
        self.inner = inner
        self.path = path

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith(self.path):
            raise _Crash
        return await self.inner.handle_async_request(request)


def test_a_crash_mid_run_leaves_the_writes_before_it_anchored(tmp_path: Path) -> None:
    """Killed at its third step's write, a run has already journaled the head after each of the
    two module writes before: a re-hashed rewrite of those is detected without any rerun."""
    store = make_store(with_module=True)
    crashing = replace(
        store.connection,
        transport=_CrashAtWrite(store.sandbox.transport(), "/incident-response/catalog/quarantine"),
    )
    steps = [
        SuspendPayments(["checkmo"]),
        Maintenance("storefront"),
        QuarantineProducts(["IR-SKU-001"]),
    ]
    journal = tmp_path / "incident.jsonl"
    with (
        pytest.raises(_Crash),
        Incident.open(journal, key=KEY, store=crashing, title="killed") as incident,
    ):
        incident.run(steps)
    log = store.sandbox.inspect.action_log()
    assert [record["action"] for record in log] == ["payments.suspend", "maintenance.set"]
    records = Journal.read(journal, verifier=KEY.verifier()).records()
    anchors, missed = anchors_in(records)
    assert [(a.action_id, a.hash) for a in anchors] == [(1, log[0]["hash"]), (2, log[1]["hash"])]
    assert missed == []

    async def check() -> ModuleLogReport:
        async with store.connection.open_client() as client:
            return await averify_module_log(client, records)

    assert asyncio.run(check()).ok
    with store.sandbox.lock:
        written = store.sandbox.state.action_log
        written[0]["reason"] = "routine maintenance"
        _rehash_from(written, 0)
    report = asyncio.run(check())
    assert not report.ok
    assert report.problems[0].startswith("anchored record #1 ")
    assert "re-hashed" in report.problems[0]


@pytest.mark.usefixtures("cli_env")
def test_nothing_anchored_is_not_reported_as_verified(served: Sandbox) -> None:  # noqa: ARG001
    """A journal without a module write cannot vouch for the log: exit 1, and it says why."""
    runner = CliRunner()
    result = runner.invoke(
        app, ["contain", "--action", "disable_cms_blocks ids=[1]", "--title", "t", "--yes"]
    )
    assert result.exit_code == ExitCode.OK, result.output
    checked = runner.invoke(app, ["verify", "--module-log"])
    assert checked.exit_code == ExitCode.VERIFICATION_FAILED, checked.output
    assert "nothing to check" in checked.output


@pytest.mark.usefixtures("cli_env")
def test_module_log_is_checked_against_the_journals_own_store(
    served: Sandbox,  # noqa: ARG001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another store's log is never held to this journal's anchors: exit 2, naming both."""
    runner = CliRunner()
    assert runner.invoke(app, MAGECART).exit_code == ExitCode.OK
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", "http://127.0.0.1:9")
    checked = runner.invoke(app, ["verify", "--module-log"])
    assert checked.exit_code == ExitCode.USAGE, checked.output
    assert "not http://127.0.0.1:9" in checked.output


@pytest.mark.usefixtures("cli_env")
def test_heads_that_could_not_be_read_are_named(served: Sandbox) -> None:
    """Without the actions_view resource nothing is anchored: the journal and the check say why."""
    with served.lock:
        admin = served.state.admin_by_username("admin")
        assert admin is not None
        granted = {route.acl for route in served.router.rest_routes}
        granted.discard("MagentoIr_IncidentResponse::actions_view")
        served.state.admin_roles[admin.role_id].resources = frozenset(granted)
    runner = CliRunner()
    assert runner.invoke(app, MAGECART).exit_code == ExitCode.OK
    heads = [r.payload for r in read_records("incident-journal.log") if r.type == MODULE_LOG_HEAD]
    assert heads
    assert all("MagentoIr_IncidentResponse::actions_view" in head["error"] for head in heads)
    # The log cannot be read back either: Magento's 401, naming the resource to grant.
    checked = runner.invoke(app, ["verify", "--module-log"])
    assert checked.exit_code == ExitCode.AUTHENTICATION, checked.output
    assert "MagentoIr_IncidentResponse::actions_view" in checked.output


def _chain(size: int) -> list[ActionRecord]:
    records: list[ActionRecord] = []
    previous = GENESIS_HASH
    for action_id in range(1, size + 1):
        record = ActionRecord.model_validate(
            {
                "action_id": action_id,
                "action": "payments.suspend",
                "status": "succeeded",
                "created_at": "2026-01-01 00:00:00",
                "actor_type": 2,
                "actor_id": 1,
                "reason": f"r{action_id}",
                "request": "{}",
                "prior_state": "null",
                "result": "{}",
                "previous_hash": previous,
                "hash": "",
            }
        )
        record = record.model_copy(update={"hash": module_record_hash(previous, record)})
        records.append(record)
        previous = record.hash
    return records


@settings(max_examples=200, deadline=None)
@given(
    size=st.integers(2, 12),
    data=st.data(),
    kind=st.sampled_from(["modify", "delete", "insert", "reorder", "truncate"]),
    rehash=st.booleans(),
)
def test_every_rewrite_up_to_an_anchor_is_detected(
    size: int, data: st.DataObject, kind: str, rehash: bool
) -> None:
    """Modify, delete, insert, reorder or truncate at or before an anchored record, re-hashed or
    not: always detected, and the report names a record."""
    records = _chain(size)
    anchored = data.draw(st.integers(1, size), label="anchored action_id")
    target = data.draw(st.integers(0, anchored - 1), label="index tampered")
    changed = list(records)
    if kind == "modify":
        changed[target] = changed[target].model_copy(update={"reason": "nothing to see"})
    elif kind == "delete":
        del changed[target]
    elif kind == "insert":
        changed.insert(target, changed[target].model_copy(update={"reason": "planted"}))
    elif kind == "reorder":
        other = target + 1 if target + 1 < size else target - 1
        changed[target], changed[other] = changed[other], changed[target]
    else:
        changed = changed[:target]
    if rehash:
        changed = rehashed(changed)
    report = check_module_log([Anchor(anchored, records[anchored - 1].hash)], changed)
    assert not report.ok
    assert "#" in report.problems[0]


# --- rejected writes are logged, on both backends ---------------------------------------------
def _log_tail(store: MagentoStore, after: int) -> list[ActionRecord]:
    page = store.client().incident_response.actions(
        SearchCriteria().where("action_id", "gt", after).order_by("action_id").page(100, 1)
    )
    return list(page.items)


@pytest.mark.magento_sandbox(with_module=True)
def test_refused_module_writes_are_logged(magento_store: MagentoStore) -> None:
    """Unknown payment codes, unknown lockdown and quarantine ids and an idempotency conflict are
    refused, and each refusal is in the action log as `rejected`."""
    client = magento_store.client()
    api = client.incident_response
    head = api.action_log_head()
    start = head.action_id if head is not None else 0
    key = f"adversarial-04-{uuid.uuid4().hex}"
    with pytest.raises(BadRequestError):
        api.suspend_payments(["nosuchpay"], reason="item 4: unknown code")
    with pytest.raises(NotFoundError):
        api.restore_admins(999_999_999, reason="item 4: unknown lockdown")
    with pytest.raises(NotFoundError):
        api.release_products(999_999_999, reason="item 4: unknown quarantine")
    api.resume_payments(["nosuchpay"], reason="item 4: first use of the key", idempotency_key=key)
    with pytest.raises(BadRequestError, match="already used for a different request"):
        api.resume_payments(["nosuchpay"], reason="item 4: reused key", idempotency_key=key)
    tail = _log_tail(magento_store, start)
    assert [(r.action, r.status) for r in tail] == [
        ("payments.suspend", "rejected"),
        ("admins.restore", "rejected"),
        ("catalog.release", "rejected"),
        ("payments.resume", "succeeded"),
        ("payments.resume", "rejected"),
    ]
    assert json.loads(tail[0].result) == {"error": "Unknown payment method code(s): nosuchpay."}
    assert json.loads(tail[1].result) == {"error": "No such entity with lockdownId = 999999999"}
    assert tail[4].idempotency_key == key
    assert tail[4].reason == "item 4: reused key"


def test_a_second_restore_is_refused_and_logged() -> None:
    """Restoring one lockdown twice: the second is refused (400) and logged as rejected."""
    store = Sandbox(with_module=True, customers=2, orders=1)
    with _client(store) as client:
        lockdown = client.incident_response.lockdown_admins(reason="item 4")
        assert lockdown.lockdown_id is not None
        client.incident_response.restore_admins(lockdown.lockdown_id, reason="item 4")
        with pytest.raises(BadRequestError, match="already restored"):
            client.incident_response.restore_admins(lockdown.lockdown_id, reason="again")
    log = store.inspect.action_log()
    assert [(r["action"], r["status"]) for r in log] == [
        ("admins.lockdown", "succeeded"),
        ("admins.restore", "succeeded"),
        ("admins.restore", "rejected"),
    ]


def _client(store: Sandbox) -> MagentoClient:
    return MagentoClient(
        "http://sandbox.magento.test",
        auth=AdminCredentials("admin", "Sandbox123!"),
        transport=store.transport(),
    )


# --- the real store: the same rewrite through its database -----------------------------------
@pytest.mark.real_store
def test_a_rewrite_in_the_real_stores_database_is_detected(
    magento_store: MagentoStore, cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a real store: contain, rewrite our record in MySQL with the env.php credentials and
    re-hash the chain after it; verify --module-log finds it; put the rows back; it verifies."""
    if magento_store.magento_root is None:
        pytest.fail("set MAGENTO_IR_TEST_MAGENTO_ROOT: this test edits the store's database")
    database = StoreDatabase(magento_store.magento_root)
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", magento_store.base_url)
    monkeypatch.setenv("MAGENTO_IR_USERNAME", magento_store.admin_user)
    monkeypatch.setenv("MAGENTO_IR_PASSWORD", magento_store.admin_password)
    journal = cli_env / "incident-journal.log"
    connection = StoreConnection(
        magento_store.base_url,
        auth=AdminCredentials(magento_store.admin_user, magento_store.admin_password),
    )
    with Incident.open(journal, key=KEY, store=connection, title="item 4 real store") as incident:
        try:
            report = incident.run([QuarantineProducts(["IR-SKU-029"])])
            assert report.steps[0].outcome is not None, report.steps[0]
        finally:
            incident.rollback()
    anchors = [r.payload for r in read_records(journal) if r.type == MODULE_LOG_HEAD]
    assert anchors
    assert all("hash" in anchor for anchor in anchors), anchors
    runner = CliRunner()
    assert runner.invoke(app, ["verify", "--module-log"]).exit_code == ExitCode.OK

    first = anchors[0]["action_id"]
    original = _log_tail(magento_store, first - 1)
    forged = [record.model_dump() for record in original]
    forged[0]["reason"] = "routine configuration check"
    previous = original[0].previous_hash
    for record in forged:
        record["previous_hash"] = previous
        record["hash"] = previous = chain_hash(previous, record)
    update = (
        "UPDATE magento_ir_action_log SET reason = ?, previous_hash = ?, hash = ? "
        "WHERE action_id = ?"
    )
    try:
        database.run(
            *[
                (update, [r["reason"], r["previous_hash"], r["hash"], r["action_id"]])
                for r in forged
            ]
        )
        tampered = runner.invoke(app, ["verify", "--module-log"])
        assert tampered.exit_code == ExitCode.VERIFICATION_FAILED, tampered.output
        assert f"REWRITTEN anchored record #{first}" in tampered.output
    finally:
        database.run(
            *[(update, [r.reason, r.previous_hash, r.hash, r.action_id]) for r in original]
        )
    assert runner.invoke(app, ["verify", "--module-log"]).exit_code == ExitCode.OK
