"""`client.incident_response`: every contract route through the client, against the sandbox."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest

import magento_ir
from magento_ir import (
    AdminCredentials,
    AsyncMagentoClient,
    BadRequestError,
    BearerToken,
    InvalidArgumentError,
    MagentoClient,
    NotFoundError,
    SearchCriteria,
)
from magento_ir.models import incident_response
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.state import AdminSession
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator

BASE_URL = "http://magento.test"
AUTH = AdminCredentials("admin", "Sandbox123!")


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    magento_ir.set_testing(True)
    yield
    magento_ir.set_testing(False)


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(with_module=True, orders=3)


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[MagentoClient]:
    with MagentoClient(BASE_URL, auth=AUTH, transport=sandbox.transport()) as client:
        yield client


def test_capabilities_and_absent_module() -> None:
    """With the module: its capabilities; without: NotFoundError (route 404)."""
    with_module = Sandbox(with_module=True)
    with MagentoClient(BASE_URL, auth=AUTH, transport=with_module.transport()) as client:
        capabilities = client.incident_response.capabilities()
    assert "catalog.quarantine" in capabilities.actions
    assert capabilities.maintenance_mode == "off"
    without = Sandbox(with_module=False)
    with (
        MagentoClient(BASE_URL, auth=AUTH, transport=without.transport()) as client,
        pytest.raises(NotFoundError),
    ):
        client.incident_response.capabilities()


def test_repeated_key_replays_and_changes_nothing(sandbox: Sandbox, client: MagentoClient) -> None:
    """The same X-Idempotency-Key twice: one change, the second answer replayed."""
    first = client.incident_response.suspend_payments(
        ["checkmo"], reason="card testing", idempotency_key="INC-1.step-2"
    )
    again = client.incident_response.suspend_payments(
        ["checkmo"], reason="card testing", idempotency_key="INC-1.step-2"
    )
    assert (first.replayed, again.replayed) == (False, True)
    assert again.action_id == first.action_id
    assert [record["idempotency_key"] for record in sandbox.inspect.action_log()] == [
        "INC-1.step-2"
    ]
    with pytest.raises(BadRequestError, match="already used for a different request"):
        client.incident_response.suspend_payments(
            ["banktransfer"], reason="card testing", idempotency_key="INC-1.step-2"
        )


def test_write_whose_answer_is_lost_is_retried_once_applied(
    sandbox: Sandbox, client: MagentoClient
) -> None:
    """A module write applied but answered with a cut body is retried and replayed, not redone."""
    sandbox.faults.schedule(
        "truncated_body", path="/V1/incident-response/maintenance", method="PUT"
    )
    result = client.incident_response.set_maintenance(
        "storefront", reason="skimmer", retry_after=600, message="Back soon"
    )
    assert result.replayed
    assert result.state.mode == "storefront"
    assert [record["action"] for record in sandbox.inspect.action_log()] == ["maintenance.set"]
    assert client.incident_response.maintenance().retry_after == 600


def test_every_route_round_trips(client: MagentoClient) -> None:
    """Each route parses into its model: quarantine/release, lockdown/restore, resets, log."""
    api = client.incident_response
    quarantine = api.quarantine_products(["IR-SKU-001", "NO-SUCH"], reason="r", incident_id="I-1")
    assert [item.result for item in quarantine.items] == ["quarantined", "not_found"]
    assert quarantine.quarantine_id is not None
    listed = api.quarantined_products()
    assert [item.sku for item in listed.items] == ["IR-SKU-001"]
    released = api.release_products(quarantine.quarantine_id, reason="r")
    assert released.released == 1
    lockdown = api.lockdown_admins(reason="r", keep_admin_ids=[3])
    assert 3 in lockdown.kept_admin_ids
    assert lockdown.lockdown_id is not None
    assert api.restore_admins(lockdown.lockdown_id, reason="r").admin_ids == lockdown.admin_ids
    sessions = api.terminate_sessions("customers", reason="r")
    assert sessions.scope == "customers"
    reset = api.force_password_reset(reason="r", customer_ids=[999_999])
    assert reset.unknown_customer_ids == [999_999]
    assert api.resume_payments(reason="r").items == []
    log = api.actions(SearchCriteria().order_by("action_id").page(50, 1))
    assert [record.action for record in log.items][:2] == ["catalog.quarantine", "catalog.release"]
    assert log.items[0].incident_id == "I-1"


def test_guard_rules_and_the_code_manifest_round_trip(
    sandbox: Sandbox, client: MagentoClient
) -> None:
    """Add, list, remove guard rules; page through the whole code manifest by its cursor."""
    api = client.incident_response
    velocity = api.add_guard_rule(
        "velocity", reason="r", subject="ip", metric="failures", limit=5, window=600, ttl=3600
    ).rule
    blocked = api.add_guard_rule("bin", ["411111", 52000000], reason="r").rule
    assert (velocity.limit, velocity.expires_at is not None) == (5, True)
    assert blocked.values == ["411111", "52000000"]
    assert [rule.rule_id for rule in api.guard_rules().items] == [velocity.rule_id, blocked.rule_id]
    removed = api.remove_guard_rules([blocked.rule_id, 77], reason="r")
    assert ([rule.type for rule in removed.removed], removed.not_found) == (["bin"], [77])
    assert [rule.rule_id for rule in api.guard_rules().items] == [velocity.rule_id]
    assert len(api.guard_rules(include_inactive=True).items) == 2
    assert api.guard_blocks().items == []
    counters = api.guard_counters()
    assert (counters.items, counters.blocked, counters.last_block_id) == ([], 0, 0)
    files = list(api.iterate_code_manifest(page_size=4))
    assert [file.path for file in files] == sorted(sandbox.state.incident_response.code_files)
    assert all(file.sha256 for file in files)
    later = api.code_manifest(page_size=100, changed_since=2_000_000_000)
    assert later.complete
    assert all(file.sha256 is None for file in later.items)


def test_evidence_reads_round_trip(sandbox: Sandbox, client: MagentoClient) -> None:
    """Admins, admin sessions (since), integrations and config parse from the sandbox module."""
    sandbox.state.admin_sessions = {
        1: AdminSession(1, 1, 1, "2026-11-22 08:00:00", "2026-11-22 08:30:00", "203.0.113.7"),
        2: AdminSession(2, 2, 3, "2026-11-22 09:00:00", "2026-11-22 09:30:00", ""),
    }
    api = client.incident_response
    assert api.admins().items[0].role_name == "Administrators"
    sessions = api.admin_sessions(since="2026-11-22 09:00:00")
    assert [(item.id, item.ip) for item in sessions.items] == [(2, None)]
    assert not sessions.truncated
    assert [item.name for item in api.integrations().items] == ["ERP Connector", "Shipping Sync"]
    rows = api.config(["design/head/*", "payment/*/active"]).items
    assert {row.path for row in rows} >= {"design/head/includes", "payment/checkmo/active"}
    with pytest.raises(BadRequestError) as refused:
        api.config(["crypt/key"])
    assert refused.value.parameters == {"path": "crypt/key"}


@pytest.mark.anyio
async def test_async_client_has_the_same_routes(sandbox: Sandbox) -> None:
    """The async client offers the same resource (the sync one is generated from it)."""
    async with AsyncMagentoClient(BASE_URL, auth=AUTH, transport=sandbox.transport()) as client:
        result = await client.incident_response.terminate_sessions("admins", reason="leak")
    assert result.caller_kept


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api: api.suspend_payments([], reason="r"), "at least one"),
        (lambda api: api.set_maintenance("closed", reason="r"), "mode must be"),
        (lambda api: api.set_maintenance("full", reason="r", retry_after=5), "retry_after"),
        (lambda api: api.terminate_sessions("all", reason=" "), "reason must be"),
        (lambda api: api.force_password_reset(reason="r"), "exactly one"),
        (
            lambda api: api.terminate_sessions("all", reason="r", idempotency_key="has space"),
            "idempotency key",
        ),
        (lambda api: api.quarantine_products([], reason="r"), "1 to 10,000"),
        (lambda api: api.admin_sessions(since="2026-11-22T10:00:00Z"), "YYYY-MM-DD HH:MM:SS"),
        (lambda api: api.config([]), "non-empty list"),
        (lambda api: api.config("design/head/*"), "non-empty list"),
        (lambda api: api.add_guard_rule("ip", [], reason="r"), "takes values"),
        (lambda api: api.add_guard_rule("velocity", ["1.2.3.4"], reason="r"), "velocity rule"),
        (lambda api: api.add_guard_rule("velocity", reason="r", subject="ip"), "velocity rule"),
        (lambda api: api.remove_guard_rules([], reason="r"), "at least one rule"),
    ],
)
def test_bad_arguments_are_refused_before_sending(
    sandbox: Sandbox, client: MagentoClient, call: object, message: str
) -> None:
    """Arguments the module would refuse fail locally with the fix, and nothing is sent."""
    with pytest.raises(InvalidArgumentError, match=message):
        call(client.incident_response)  # type: ignore[operator]
    assert sandbox.inspect.action_log() == []


CONTRACT = REPO_ROOT / "php-module" / "contract" / "openapi.json"
MODELS = [
    "Capabilities",
    "SessionTerminationResult",
    "StoreStatus",
    "ProductResult",
    "QuarantineResult",
    "ReleaseResult",
    "QuarantinedProduct",
    "QuarantineList",
    "MaintenanceState",
    "MaintenanceChangeResult",
    "ConfigScopeValue",
    "PaymentMethodResult",
    "PaymentSuspensionResult",
    "AdminLockdownResult",
    "AdminRestoreResult",
    "PasswordResetResult",
    "ActionRecord",
    "AdminUser",
    "AdminUserList",
    "AdminSession",
    "AdminSessionList",
    "Integration",
    "IntegrationList",
    "ConfigValue",
    "ConfigValueList",
    "GuardRule",
    "GuardRuleResult",
    "GuardRuleList",
    "GuardRemovalResult",
    "GuardBlock",
    "GuardBlockList",
    "CodeFile",
    "CodeManifest",
]


@pytest.mark.parametrize("name", MODELS)
def test_models_follow_the_contract(name: str) -> None:
    """Each response model has exactly the contract schema's fields, required where it says."""
    schema = json.loads(CONTRACT.read_text())["components"]["schemas"][name]
    model = getattr(incident_response, name)
    fields = model.model_fields
    assert set(fields) == set(schema["properties"])
    required = {field for field, info in fields.items() if info.is_required()}
    assert required == set(schema["required"])


def test_every_contract_route_has_a_method() -> None:
    """Each contract route is called by one method, writes with a key, and its example parses."""
    contract = json.loads(CONTRACT.read_text())
    examples = {
        (method.upper(), path): operation["responses"]["200"]["content"]["application/json"][
            "example"
        ]
        for path, operations in contract["paths"].items()
        for method, operation in operations.items()
    }
    seen: list[tuple[str, str, str | None]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/rest")
        seen.append((request.method, path, request.headers.get("X-Idempotency-Key")))
        return httpx.Response(200, json=examples[(request.method, path)])

    transport = httpx.MockTransport(answer)
    with MagentoClient(BASE_URL, auth=BearerToken("t"), transport=transport) as client:
        api = client.incident_response
        api.capabilities()
        api.terminate_sessions("all", reason="r")
        api.quarantine_products(["A"], reason="r")
        api.quarantined_products()
        api.release_products(4, reason="r")
        api.hold_orders(["pending"], reason="r", created_from="2024-05-01 02:00:00")
        api.unhold_orders(3, reason="r")
        api.set_maintenance("storefront", reason="r")
        api.maintenance()
        api.suspend_payments(["checkmo"], reason="r")
        api.resume_payments(reason="r")
        api.lockdown_admins(reason="r")
        api.restore_admins(2, reason="r")
        api.force_password_reset(reason="r", all_customers=True)
        api.actions(SearchCriteria())
        api.admins()
        api.admin_sessions()
        api.integrations()
        api.config(["design/head/*"])
        api.add_guard_rule("ip", ["198.51.100.0/24"], reason="r")
        api.guard_rules()
        api.remove_guard_rules([4], reason="r")
        api.guard_blocks()
        api.guard_counters()
        api.code_manifest()
        api.store_content("layout_update")
    assert {(method, path) for method, path, _ in seen} == set(examples)
    for method, path, key in seen:
        assert (key is not None) == (method != "GET"), (method, path)
