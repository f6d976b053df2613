"""Single actions: dry runs, the core-REST quarantine and its store-view trap, module errors."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import BearerToken, ConfigurationError
from magento_ir.containment import (
    DisableCmsBlocks,
    ForcePasswordReset,
    HoldOrders,
    Incident,
    LockdownAdmins,
    Maintenance,
    QuarantineProducts,
    RevokeOwnCustomerToken,
    StoreConnection,
    SuspendPayments,
    TerminateSessions,
    load_playbook,
)
from tests.containment.conftest import (
    BASE_URL,
    CANARY_ADMIN,
    PLAYBOOK_INPUTS,
    SKIMMER_BLOCK_ID,
    make_store,
)

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.containment import Action
    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store

SKUS = ["IR-SKU-001", "IR-SKU-002", "IR-SKU-003"]


def _every_action() -> list[Action]:
    return [
        Maintenance("checkout", retry_after=600),
        TerminateSessions("all"),
        QuarantineProducts(SKUS),
        SuspendPayments(["checkmo"]),
        LockdownAdmins(keep=[1]),
        ForcePasswordReset("all"),
        HoldOrders(statuses=["pending", "processing"]),
        DisableCmsBlocks([SKIMMER_BLOCK_ID]),
    ]


def test_plan_changes_nothing(store: Store, key: SigningKey, tmp_path: Path) -> None:
    """A dry run of every action leaves the store byte-identical (state digest)."""
    before = store.sandbox.inspect.digest()
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="dry") as incident:
        report = incident.plan(_every_action())
    assert store.sandbox.inspect.digest() == before
    planned = {step.action for step in report.steps if step.status == "planned"}
    assert {"quarantine_products", "hold_orders", "disable_cms_blocks"} <= planned


@pytest.mark.parametrize("name", sorted(PLAYBOOK_INPUTS))
def test_playbook_dry_run_changes_nothing(
    store: Store, key: SigningKey, tmp_path: Path, name: str
) -> None:
    """plan() of each shipped playbook leaves the store byte-identical."""
    before = store.sandbox.inspect.digest()
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="dry") as incident:
        report = incident.plan(load_playbook(name), PLAYBOOK_INPUTS[name])
    assert store.sandbox.inspect.digest() == before
    assert {step.status for step in report.steps} <= {"planned", "blocked"}
    assert incident.status()  # the dry run is journaled


def _override_status(store: Store, sku: str, store_code: str) -> None:
    """A merchant saved the product on a store view: that view now has its own status."""
    token = store.sandbox.admin_token()
    with httpx.Client(transport=store.sandbox.transport(), base_url=BASE_URL) as http:
        response = http.put(
            f"/rest/{store_code}/V1/products/{sku}",
            json={"product": {"sku": sku, "status": 1}},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200


def test_core_quarantine_also_disables_store_view_overrides(
    key: SigningKey, tmp_path: Path
) -> None:
    """Without the module, a SKU with a store-view override is disabled on that view too."""
    store = make_store(with_module=False, store_views=2)
    _override_status(store, "IR-SKU-001", "default")
    assert store.sandbox.inspect.product_store_overrides("IR-SKU-001")
    saves_before = store.sandbox.inspect.request_counts()["PUT /V1/products/:sku"]
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="q") as incident:
        report = incident.run([QuarantineProducts([*SKUS, "NO-SUCH-SKU"])])
        (step,) = report.steps
        assert step.outcome is not None
        statuses = {entity.entity: entity.status for entity in step.outcome.entities}
        assert statuses == {
            "sku:IR-SKU-001": "ok",
            "sku:IR-SKU-002": "ok",
            "sku:IR-SKU-003": "ok",
            "sku:NO-SUCH-SKU": "failed",
        }
        assert step.verification is not None
        assert step.verification.passed, step.verification
        for sku in SKUS:
            assert set(store.sandbox.inspect.product_status(sku).values()) == {2}
        counts = store.sandbox.inspect.request_counts()
        # One save per SKU at the default scope plus one for the override; reads are pages.
        assert counts["PUT /V1/products/:sku"] - saves_before == len(SKUS) + 1
        assert "GET /V1/products/:sku" not in counts
        rolled = incident.rollback()
    assert rolled.ok
    for sku in SKUS:
        assert set(store.sandbox.inspect.product_status(sku).values()) == {1}


def test_module_quarantine_is_one_request(key: SigningKey, tmp_path: Path) -> None:
    """With the module, quarantine is one write, and release restores every scope."""
    store = make_store(with_module=True, store_views=2)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="q") as incident:
        report = incident.run([QuarantineProducts(SKUS)])
        assert report.ok, report
        counts = store.sandbox.inspect.request_counts()
        assert counts["POST /V1/incident-response/catalog/quarantine"] == 1
        assert not any(route.startswith("PUT /V1/products") for route in counts)
        for sku in SKUS:
            assert set(store.sandbox.inspect.product_status(sku).values()) == {2}
        (rolled,) = incident.rollback().steps
    assert rolled.verification is not None
    assert rolled.verification.passed, rolled.verification  # on sale again, seen by GraphQL
    for sku in SKUS:
        assert set(store.sandbox.inspect.product_status(sku).values()) == {1}


def test_module_required_says_what_and_how(key: SigningKey, tmp_path: Path) -> None:
    """Without the module, module-only actions are blocked with the reason and the install hint."""
    store = make_store(with_module=False)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="m") as incident:
        report = incident.run([TerminateSessions("customers"), SuspendPayments(["checkmo"])])
    errors = [step.error or "" for step in report.steps]
    assert [step.status for step in report.steps] == ["blocked", "blocked"]
    assert "cannot revoke other users' tokens" in errors[0]
    assert "cannot write configuration" in errors[1]
    assert all("composer require magento-ir/module-incident-response" in e for e in errors)
    assert not report.ok


def test_use_module_false_takes_the_core_rest_path(key: SigningKey, tmp_path: Path) -> None:
    """StoreConnection(use_module=False) ignores an installed module: core REST or blocked."""
    store = make_store(with_module=True)
    connection = dataclasses.replace(store.connection, use_module=False)
    with Incident.open(tmp_path / "j", key=key, store=connection, title="core") as incident:
        report = incident.run([QuarantineProducts(SKUS), TerminateSessions("customers")])
        detected = [
            payload for kind, payload in incident.journal.records() if kind == "journal.detect"
        ]
    quarantined, terminated = report.steps
    assert quarantined.outcome is not None
    assert quarantined.outcome.path == "core"
    assert terminated.status == "blocked"
    counts = store.sandbox.inspect.request_counts()
    assert not any("/V1/incident-response/" in route for route in counts), counts
    assert detected == [{"module": None, "ignored": True}]


def test_maintenance_keeps_the_responder_in(key: SigningKey, tmp_path: Path) -> None:
    """Storefront maintenance: the shop answers 503 + Retry-After, REST still answers us."""
    store = make_store(with_module=True)
    action = Maintenance("storefront", message="Back soon & safe", retry_after=1200)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="m") as incident:
        (step,) = incident.run([action]).steps
    assert step.verification is not None
    checks = {check.name: check for check in step.verification.checks}
    assert checks["responder keeps API access"].passed
    assert checks["storefront / answers 503 with Retry-After and the accessible page"].passed, (
        checks
    )
    assert store.maintenance_mode() == "storefront"


def test_lockdown_keeps_listed_admins(key: SigningKey, tmp_path: Path) -> None:
    """LockdownAdmins(keep=[...]) leaves those admins and the responder active; the canary
    admin's old token and new logins are refused, and it signs in again after the rollback."""
    store = make_store(with_module=True)
    with store.sandbox.lock:
        support_id = store.sandbox.state.admin_by_username("support").user_id
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="l") as incident:
        (step,) = incident.run([LockdownAdmins(keep=[support_id])]).steps
        assert store.admin_active("support")
        assert not store.admin_active(CANARY_ADMIN)
        assert step.verification is not None
        checks = {check.name: check.passed for check in step.verification.checks}
        assert checks == {
            "responder keeps API access": True,
            "an admin token issued before is refused": True,
            "a locked-out admin cannot sign in": True,
        }
        (rolled,) = incident.rollback().steps
    assert store.admin_active(CANARY_ADMIN)
    assert rolled.verification is not None
    assert rolled.verification.passed, rolled.verification


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TerminateSessions("everyone"), "scope must be"),  # type: ignore[arg-type]
        (lambda: QuarantineProducts([]), "non-empty list"),
        # "off" is a mode of its own (it opens the shop); "closed" is not a mode.
        (lambda: Maintenance("closed"), "'full' or 'off', not 'closed'"),  # type: ignore[arg-type]
        (lambda: SuspendPayments(["Check Mo"]), "payment method codes"),
        (lambda: ForcePasswordReset("some"), "list of customer ids or 'all'"),
        (lambda: DisableCmsBlocks([0]), "positive integer ids"),
        (lambda: HoldOrders(statuses=[]), "at least one order status"),
    ],
)
def test_bad_parameters_are_refused_with_the_fix(build: object, message: str) -> None:
    """Actions refuse nonsense parameters at construction, naming the fix."""
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_journal_holds_no_secret(key: SigningKey, tmp_path: Path) -> None:
    """Passwords and tokens (the responder's, the canary's) never reach the journal."""
    store = make_store(with_module=True)
    journal = tmp_path / "j.jsonl"
    with Incident.open(journal, key=key, store=store.connection, title="s") as incident:
        report = incident.run([TerminateSessions("all"), ForcePasswordReset("all")])
    assert report.ok, report
    text = journal.read_text()
    assert "journal.verification" in text
    for secret in ("Sandbox123!", "Customer123!", "eyJ"):
        assert secret not in text


def test_progress_and_timing_are_reported(key: SigningKey, tmp_path: Path) -> None:
    """run(progress=...) hears each step start and end; reports carry the time to contain."""
    store = make_store(with_module=False)
    heard: list[tuple[str, str | None]] = []
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        report = incident.run(
            [DisableCmsBlocks([SKIMMER_BLOCK_ID]), TerminateSessions("all")],
            progress=lambda action, step: heard.append(
                (action.kind, None if step is None else step.status)
            ),
        )
    assert heard == [
        ("disable_cms_blocks", None),
        ("disable_cms_blocks", "verified"),
        ("terminate_sessions", None),
        ("terminate_sessions", "blocked"),
    ]
    applied, blocked = report.steps
    assert applied.apply_seconds is not None
    assert applied.seconds >= applied.apply_seconds
    assert blocked.apply_seconds is None


def test_run_report_is_plain_json(key: SigningKey, tmp_path: Path) -> None:
    """RunReport.to_json() round-trips through json for the drill's report files."""
    store = make_store(with_module=True)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="r") as incident:
        report = incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])])
    data = json.loads(json.dumps(report.to_json()))
    assert data["ok"] is True
    (step,) = data["steps"]
    assert step["outcome"]["entities"] == [
        {"entity": f"block:{SKIMMER_BLOCK_ID}", "status": "ok", "detail": "disabled"}
    ]
    assert step["verification"]["passed"] is True


def test_revoke_own_customer_token_with_core_rest(key: SigningKey, tmp_path: Path) -> None:
    """Without the module, a customer's own token revokes all their tokens (canary refused)."""
    store = make_store(with_module=False)
    assert store.live_customer_tokens() == 1
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="r") as incident:
        (step,) = incident.run([RevokeOwnCustomerToken(store.customer_email)]).steps
    assert step.status == "verified", step
    assert store.live_customer_tokens() == 0


def test_revoke_own_token_needs_the_customer_password(key: SigningKey, tmp_path: Path) -> None:
    """Without the customer's credentials the step fails saying how to give them."""
    store = make_store(with_module=False)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="r") as incident:
        (step,) = incident.run([RevokeOwnCustomerToken("someone@example.com")]).steps
    assert step.status == "failed"
    assert "canary_customer=CustomerCredentials" in (step.error or "")


def test_unauthorised_api_user_is_told_about_the_acl(key: SigningKey, tmp_path: Path) -> None:
    """A 401 on the module's capabilities route names the ACL resources to grant."""
    store = make_store(with_module=True)
    connection = StoreConnection(
        BASE_URL, auth=BearerToken("not-a-token"), transport=store.sandbox.transport()
    )
    with (
        Incident.open(tmp_path / "j", key=key, store=connection, title="a") as incident,
        pytest.raises(ConfigurationError, match="grant MagentoIr_IncidentResponse"),
    ):
        incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])])


def test_disabled_skimmer_block_leaves_the_storefront(key: SigningKey, tmp_path: Path) -> None:
    """The skimmer's script is on the home page before and gone after, seen as a shopper."""
    store = make_store(with_module=False)
    skimmer = "https://cdn-analytics.example.net/jquery.min.js"
    with httpx.Client(transport=store.sandbox.transport(), base_url=BASE_URL) as shopper:
        assert skimmer in shopper.get("/").text
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="b") as incident:
        (step,) = incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])]).steps
    assert step.verification is not None
    checks = {check.name: check for check in step.verification.checks}
    storefront = checks["the storefront no longer serves the blocks' scripts"]
    assert storefront.passed is True, storefront
    # The journal keeps the whole block, skimmer included, as evidence.
    assert skimmer in (tmp_path / "j").read_text()


def test_reset_everyone_with_email_pages_the_emails(key: SigningKey, tmp_path: Path) -> None:
    """'all' with e-mails: one reset of everyone, then e-mails in pages of 1,000 (module limit)."""
    store = make_store(with_module=True, customers=1500)
    with store.sandbox.lock:
        customers = len(store.sandbox.state.customers)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="e") as incident:
        (step,) = incident.run([ForcePasswordReset("all", send_reset_email=True)]).steps
    assert step.status == "verified", step
    log = store.sandbox.inspect.action_log()
    assert [record["action"] for record in log] == ["customers.force_password_reset"] * 3
    assert len(store.sandbox.inspect.sent_emails()) == customers


def test_connection_repr_hides_credentials() -> None:
    """A StoreConnection's repr names the store and users, never a password."""
    store = make_store(with_module=False)
    shown = repr(store.connection)
    assert "magento.test" in shown
    assert "Sandbox123!" not in shown
    assert "Customer123!" not in shown


def test_connection_refuses_credentials_in_the_url() -> None:
    """user:password@ in the store URL is refused before anything is journaled."""
    with pytest.raises(ConfigurationError, match="must not embed credentials"):
        StoreConnection("https://u:secret@shop.example.com", auth=BearerToken("t"))
    with pytest.raises(ConfigurationError, match="concurrency"):
        StoreConnection("https://shop.example.com", auth=BearerToken("t"), concurrency=0)
