"""The companion module's routes in the sandbox: semantics, idempotency and the action log."""

from __future__ import annotations

import hashlib
import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_api import GENESIS_HASH
from magento_ir.sandbox.state import USER_TYPE_ADMIN, AdminSession, CustomerSession
from tests.conftest import REPO_ROOT, require_tool
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from tests.sandbox.conftest import Clock

BASE = "/rest/V1/incident-response"
CUSTOMER = "ir.customer01@example.com"


@pytest.fixture
def store(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock, with_module=True, store_views=2)


@pytest.fixture
def responder(store: Sandbox) -> Iterator[httpx.Client]:
    with client_for(store, store.admin_token()) as client:
        yield client


def write(client: httpx.Client, route: str, body: dict[str, Any], key: str | None = None) -> Any:
    headers = {"X-Idempotency-Key": key} if key else {}
    method = "PUT" if route == "maintenance" else "POST"
    response = client.request(method, f"{BASE}/{route}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_routes_exist_only_with_the_module() -> None:
    """Without the module, capabilities is Magento's 404 route-not-found (SDK detection)."""
    plain = Sandbox()
    with client_for(plain, plain.admin_token()) as client:
        response = client.get(f"{BASE}/capabilities")
    assert response.status_code == 404
    assert response.json()["message"] == "Request does not match any route."


def test_capabilities(responder: httpx.Client) -> None:
    """Capabilities lists every action, session storage and the maintenance mode."""
    body = responder.get(f"{BASE}/capabilities").json()
    assert body["module_version"] == "1.0.0"
    assert "catalog.quarantine" in body["actions"]
    assert body["session_storage"] == "files"
    assert body["maintenance_mode"] == "off"


def test_acl_per_route(store: Sandbox) -> None:
    """An admin whose role lacks the route's resource gets Magento's 401 naming it."""
    with client_for(store, store.admin_token("support")) as support:
        response = support.get(f"{BASE}/capabilities")
    assert response.status_code == 401
    assert response.json()["parameters"] == {
        "resources": "MagentoIr_IncidentResponse::capabilities"
    }


def test_terminate_sessions_everyone_but_the_caller(
    store: Sandbox, responder: httpx.Client
) -> None:
    """All tokens and sessions in scope die at once; the caller stays logged in."""
    customer_token = store.customer_token(CUSTOMER)
    other_admin = store.admin_token("catalog")
    customer_id = store.state.customer_id_for_email(CUSTOMER)
    store.state.admin_sessions[1] = AdminSession(1, 3, 1, "t", "t", "10.0.0.1")
    store.state.customer_sessions["abc"] = CustomerSession("abc", customer_id, store.now(), 0)
    store.state.persistent_sessions["remember"] = customer_id or 0
    result = write(responder, "sessions/terminate", {"scope": "all", "reason": "leak"})
    assert result["caller_kept"] is True
    assert result["admin_tokens_revoked"] == 2
    assert result["admin_sessions_ended"] == 1
    assert result["customer_tokens_revoked"] == result["customer_sessions_cut_off"] == 12
    assert result["persistent_sessions_deleted"] == 1
    assert store.inspect.customer_sessions() == []
    assert store.inspect.admin_sessions()[0]["status"] == 3
    for token in (customer_token, other_admin):
        with client_for(store, token) as client:
            assert client.get("/rest/V1/customers/me").status_code == 401
    assert responder.get(f"{BASE}/capabilities").status_code == 200


def test_terminate_customers_by_id_and_db_sessions(store: Sandbox, responder: httpx.Client) -> None:
    """Id lists narrow the scope; session rows go only when everyone is logged out."""
    store.state.incident_response.session_storage = "db"
    store.state.customer_sessions["x"] = CustomerSession("x", 3, store.now(), 0)
    narrow = write(
        responder,
        "sessions/terminate",
        {"scope": "customers", "reason": "r", "customerIds": [3, 4], "excludeCustomerIds": [4]},
    )
    assert narrow["customer_tokens_revoked"] == 1
    assert narrow["session_rows_deleted"] == 0
    everyone = write(
        responder, "sessions/terminate", {"scope": "all", "reason": "r", "logoutCaller": True}
    )
    assert everyone["caller_kept"] is False
    assert everyone["session_rows_deleted"] == 1
    assert responder.get(f"{BASE}/capabilities").status_code == 401


def test_quarantine_and_release_restore_exact_states(
    store: Sandbox, responder: httpx.Client
) -> None:
    """Quarantine disables at every scope incl. overrides; release restores the recorded values."""
    product_id = store.state.product_id_for_sku("IR-SKU-002")
    store.state.product_store_values[(product_id or 0, 2)] = {"status": 2, "name": "Other"}
    result = write(
        responder,
        "catalog/quarantine",
        {"skus": ["IR-SKU-001", "IR-SKU-002", "ir-sku-001", "NO-SUCH"], "reason": "skimmer"},
    )
    assert result["requested"] == 3
    assert result["quarantined"] == 2
    assert [item["result"] for item in result["items"]] == [
        "quarantined",
        "quarantined",
        "not_found",
    ]
    assert result["items"][1]["prior_statuses"] == [
        {"store_id": 0, "status": 1},
        {"store_id": 2, "status": 2},
    ]
    assert set(store.inspect.product_status("IR-SKU-002").values()) == {2}
    again = write(responder, "catalog/quarantine", {"skus": ["IR-SKU-001"], "reason": "again"})
    assert again["items"][0]["result"] == "already_quarantined"
    assert "quarantine_id" not in again
    listed = responder.get(f"{BASE}/catalog/quarantine").json()
    assert listed["total_count"] == 2
    released = write(
        responder, "catalog/release", {"quarantineId": result["quarantine_id"], "reason": "clean"}
    )
    assert released["released"] == 2
    assert store.inspect.product_status("IR-SKU-002") == {"admin": 1, "default": 1, "fr": 2}
    assert responder.get(f"{BASE}/catalog/quarantine").json()["total_count"] == 0


def test_quarantine_limits_and_unknown_release(responder: httpx.Client) -> None:
    """More than 10,000 SKUs is a 400 and an unknown quarantine id a 404 (logged as failed)."""
    skus = [f"SKU-{number}" for number in range(10_001)]
    response = responder.post(f"{BASE}/catalog/quarantine", json={"skus": skus, "reason": "r"})
    assert response.status_code == 400
    assert response.json()["parameters"]["fieldName"] == "skus"
    missing = responder.post(f"{BASE}/catalog/release", json={"quarantineId": 99, "reason": "r"})
    assert missing.status_code == 404
    assert missing.json()["parameters"] == {"fieldName": "quarantineId", "fieldValue": 99}


def test_maintenance_full_allow_lists_the_caller(store: Sandbox, responder: httpx.Client) -> None:
    """Mode full sets Magento's flag with the caller's IP allowed; off restores the prior list."""
    store.state.maintenance_ips = ("10.1.1.1",)
    result = write(
        responder, "maintenance", {"mode": "full", "reason": "r", "allowIps": ["192.0.2.7"]}
    )
    assert result["previous_mode"] == "off"
    assert result["state"]["magento_flag"] is True
    assert result["state"]["allowed_ips"] == ["10.1.1.1", "127.0.0.1", "192.0.2.7"]
    assert responder.get(f"{BASE}/maintenance").json()["mode"] == "full"
    off = write(responder, "maintenance", {"mode": "off", "reason": "done"})
    assert off["state"]["magento_flag"] is False
    assert off["state"]["allowed_ips"] == ["10.1.1.1"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "sideways", "reason": "r"}, "mode"),
        ({"mode": "storefront", "reason": "r", "retryAfter": 5}, "retryAfter"),
        ({"mode": "full", "reason": "r", "allowIps": ["nope"]}, "allowIps"),
    ],
)
def test_maintenance_rejects_bad_input(
    responder: httpx.Client, body: dict[str, Any], field: str
) -> None:
    """Bad mode, retryAfter or IP is Magento's invalid-value 400 naming the field."""
    response = responder.put(f"{BASE}/maintenance", json=body)
    assert response.status_code == 400
    assert response.json()["parameters"]["fieldName"] == field


def test_payments_suspend_and_resume(store: Sandbox, responder: httpx.Client) -> None:
    """Suspend zeroes every active scope, reports locked ones; resume restores prior rows."""
    store.state.set_config("payment/checkmo/active", "1", "websites", 1)
    store.state.locked_config[("payment/braintree/active", "default", 0)] = "1"
    result = write(
        responder,
        "payments/suspend",
        {"methods": ["checkmo", "banktransfer", "braintree"], "reason": "r"},
    )
    checkmo, banktransfer, braintree = result["items"]
    assert checkmo["result"] == "suspended"
    assert checkmo["changed"] == [
        {"scope": "default", "scope_id": 0, "value": "1"},
        {"scope": "websites", "scope_id": 1, "value": "1"},
    ]
    assert banktransfer["result"] == "already_inactive"
    assert braintree == {
        "method": "braintree",
        "result": "locked",
        "changed": [],
        "locked": [{"scope": "default", "scope_id": 0, "value": "1"}],
    }
    assert store.inspect.config_value("payment/checkmo/active", "default") == "0"
    resumed = write(responder, "payments/resume", {"reason": "clean"})
    assert [item["method"] for item in resumed["items"]] == ["checkmo"]
    assert store.inspect.config_value("payment/checkmo/active", "default") == "1"


def test_unknown_payment_method(responder: httpx.Client) -> None:
    """An unknown method code is a 400 and changes nothing."""
    response = responder.post(f"{BASE}/payments/suspend", json={"methods": ["nope"], "reason": "r"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Unknown payment method code(s): %codes.",
        "parameters": {"codes": "nope"},
    }


def test_admin_lockdown_and_restore(store: Sandbox, responder: httpx.Client) -> None:
    """Lockdown deactivates everyone but the caller and kept ids; restore puts them back."""
    support_token = store.admin_token("support")
    result = write(responder, "admins/lockdown", {"reason": "rogue", "keepAdminIds": [3]})
    assert result["admin_ids"] == [2]
    assert result["kept_admin_ids"] == [1, 3]
    assert result["integration_ids"] == [1, 2]
    with client_for(store, support_token) as support:
        assert support.get("/rest/V1/orders/1").status_code == 401
    restored = write(
        responder, "admins/restore", {"lockdownId": result["lockdown_id"], "reason": "ok"}
    )
    assert restored["admin_ids"] == [2]
    assert store.state.admin_users[2].is_active == 1
    again = responder.post(
        f"{BASE}/admins/restore", json={"lockdownId": result["lockdown_id"], "reason": "ok"}
    )
    assert again.status_code == 400
    assert again.json()["message"] == "Lockdown %1 was already restored."


def test_lock_mode_locks_the_panel_but_not_the_rest_token_route(
    store: Sandbox, responder: httpx.Client
) -> None:
    """Lockdown `lock` sets lock_expires; like Magento, the REST token route ignores that lock."""
    write(responder, "admins/lockdown", {"reason": "r", "mode": "lock", "keepAdminIds": [3]})
    locked = [user for user in store.state.admin_users.values() if user.username == "support"]
    assert locked[0].lock_expires is not None
    assert locked[0].is_active
    with client_for(store) as anonymous:
        response = anonymous.post(
            "/rest/V1/integration/admin/token",
            json={"username": "support", "password": "Sandbox123!"},
        )
    assert response.status_code == 200


def test_deactivate_mode_blocks_rest_sign_in(store: Sandbox, responder: httpx.Client) -> None:
    """Lockdown `deactivate` (is_active=0) makes the REST token route refuse the password."""
    write(responder, "admins/lockdown", {"reason": "r", "mode": "deactivate", "keepAdminIds": [3]})
    with client_for(store) as anonymous:
        response = anonymous.post(
            "/rest/V1/integration/admin/token",
            json={"username": "support", "password": "Sandbox123!"},
        )
    assert response.status_code == 401


def test_force_password_reset_sends_batched_emails(store: Sandbox, responder: httpx.Client) -> None:
    """Passwords stop working, tokens die, reset e-mails are recorded in batches."""
    token = store.customer_token(CUSTOMER)
    result = write(
        responder,
        "customers/force-password-reset",
        {
            "reason": "dump",
            "customerIds": [3, 4, 5, 999],
            "sendResetEmail": True,
            "emailBatchSize": 2,
        },
    )
    assert result["customers"] == 3
    assert result["unknown_customer_ids"] == [999]
    assert result["emails_attempted"] == 3
    assert [mail["batch"] for mail in store.inspect.sent_emails()] == [1, 1, 2]
    with client_for(store, token) as customer:
        assert customer.get("/rest/V1/customers/me").status_code == 401
    with client_for(store) as anonymous:
        login = anonymous.post(
            "/rest/V1/integration/customer/token",
            json={"username": CUSTOMER, "password": "Customer123!"},
        )
    assert login.status_code == 401


def test_force_password_reset_needs_exactly_one_scope(responder: httpx.Client) -> None:
    """Neither (or both) customerIds and allCustomers is a 400."""
    response = responder.post(f"{BASE}/customers/force-password-reset", json={"reason": "r"})
    assert response.status_code == 400


def test_idempotency_key_replays_first_result(store: Sandbox, responder: httpx.Client) -> None:
    """A repeated key returns the stored result with replayed true and changes nothing again."""
    body = {"skus": ["IR-SKU-001"], "reason": "r"}
    first = write(responder, "catalog/quarantine", body, key="incident-1")
    digest = store.inspect.digest()
    second = write(responder, "catalog/quarantine", body, key="incident-1")
    assert second == {**first, "replayed": True}
    assert store.inspect.digest() == digest
    other = responder.post(
        f"{BASE}/catalog/quarantine",
        json={"skus": ["IR-SKU-002"], "reason": "r"},
        headers={"X-Idempotency-Key": "incident-1"},
    )
    assert other.status_code == 400
    assert other.json()["parameters"] == {"key": "incident-1"}
    bad = responder.post(
        f"{BASE}/catalog/quarantine", json=body, headers={"X-Idempotency-Key": "a b"}
    )
    assert bad.json()["parameters"]["fieldName"] == "X-Idempotency-Key"


def test_action_log_is_hash_chained_and_searchable(responder: httpx.Client) -> None:
    """Every write is logged with who/what/prior/result, chained by SHA-256; search filters it."""
    write(responder, "maintenance", {"mode": "storefront", "reason": "r", "incidentId": "INC-1"})
    write(responder, "catalog/quarantine", {"skus": ["IR-SKU-001"], "reason": "r"}, key="k-1")
    responder.post(f"{BASE}/catalog/release", json={"quarantineId": 9, "reason": "r"})
    assert responder.get(f"{BASE}/actions").status_code == 400
    log = responder.get(f"{BASE}/actions", params={"searchCriteria[pageSize]": 10}).json()
    assert log["total_count"] == 3
    previous = GENESIS_HASH
    for record in log["items"]:
        canonical = json.dumps(
            [
                record["action"],
                record["status"],
                record["created_at"],
                record["actor_type"],
                record["actor_id"],
                record.get("incident_id"),
                record["reason"],
                record.get("idempotency_key"),
                record["request"],
                record["prior_state"],
                record["result"],
            ],
            separators=(",", ":"),
            ensure_ascii=False,
        )
        assert record["previous_hash"] == previous
        assert record["hash"] == hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()
        previous = record["hash"]
    first, second, third = log["items"]
    assert (first["actor_type"], first["actor_id"], first["incident_id"]) == (
        USER_TYPE_ADMIN,
        1,
        "INC-1",
    )
    assert json.loads(first["prior_state"])["mode"] == "off"
    assert second["idempotency_key"] == "k-1"
    # An unknown quarantine is a refusal (404): logged as rejected, with the rendered message.
    assert third["status"] == "rejected"
    assert json.loads(third["result"]) == {"error": "No such entity with quarantineId = 9"}
    rejected = responder.get(
        f"{BASE}/actions",
        params={
            "searchCriteria[filterGroups][0][filters][0][field]": "status",
            "searchCriteria[filterGroups][0][filters][0][value]": "rejected",
        },
    ).json()
    assert [item["action"] for item in rejected["items"]] == ["catalog.release"]


def test_inspection_sees_module_state(store: Sandbox, responder: httpx.Client) -> None:
    """Drills read maintenance, quarantines, remember-me and checkout methods from inspect."""
    store.state.persistent_sessions["k"] = 4
    write(responder, "maintenance", {"mode": "checkout", "reason": "r", "message": "Soon"})
    write(responder, "catalog/quarantine", {"skus": ["IR-SKU-003"], "reason": "r"})
    write(responder, "payments/suspend", {"methods": ["checkmo"], "reason": "r"})
    assert store.inspect.module_maintenance()["mode"] == "checkout"
    assert store.inspect.quarantined_skus() == ["IR-SKU-003"]
    assert store.inspect.persistent_sessions() == [4]
    assert "checkmo" not in store.inspect.active_payment_methods()
    with pytest.raises(KeyError):
        store.inspect.active_payment_methods("nowhere")


def test_everyone_cut_off_at_once_on_a_large_store(clock: Clock) -> None:
    """All customers of a 200,000-customer store are cut off in one step; later logins work."""
    store = Sandbox(clock=clock, with_module=True, customers=200_000)
    before = store.customer_token("customer0150000@example.com")
    with client_for(store, store.admin_token()) as admin:
        result = write(admin, "sessions/terminate", {"scope": "customers", "reason": "r"})
    assert result["customer_tokens_revoked"] == 200_012
    assert len(store.state.revoked_before) == 0
    assert store.inspect.live_tokens(user_type=3) == []
    clock.advance(1)
    after = store.customer_token("customer0150000@example.com")
    with client_for(store, after) as customer:
        assert customer.get("/rest/V1/customers/me").status_code == 200
    with client_for(store, before) as customer:
        assert customer.get("/rest/V1/customers/me").status_code == 401


def test_force_reset_of_all_customers_kills_every_password(clock: Clock) -> None:
    """allCustomers invalidates every password (generated and changed ones) in one step."""
    store = Sandbox(clock=clock, with_module=True, customers=200_000)
    store.state.customer_password_hashes[3] = store.state.default_customer_password_hash
    with client_for(store, store.admin_token()) as admin:
        result = write(
            admin, "customers/force-password-reset", {"reason": "dump", "allCustomers": True}
        )
    assert result["passwords_invalidated"] == result["customers"] == 200_012
    with client_for(store) as anonymous:
        for email in (CUSTOMER, "customer0199999@example.com"):
            login = anonymous.post(
                "/rest/V1/integration/customer/token",
                json={"username": email, "password": "Customer123!"},
            )
            assert login.status_code == 401, email


def test_reset_emails_are_limited_per_call() -> None:
    """More than 1,000 customers with sendResetEmail is refused before anything changes."""
    big = Sandbox(with_module=True, customers=1_000)
    hash_before = big.state.default_customer_password_hash
    with client_for(big, big.admin_token()) as admin:
        response = admin.post(
            f"{BASE}/customers/force-password-reset",
            json={"reason": "r", "allCustomers": True, "sendResetEmail": True},
        )
    assert response.status_code == 400
    assert response.json()["parameters"] == {"max": 1000, "count": 1012}
    assert big.state.default_customer_password_hash == hash_before
    assert big.state.sent_emails == []
    # The refusal itself is logged, as every refused write is.
    assert [(r["action"], r["status"]) for r in big.inspect.action_log()] == [
        ("customers.force_password_reset", "rejected")
    ]


PHP_VERIFY = r"""
require $argv[1] . '/Test/Unit/bootstrap.php';
$records = json_decode(stream_get_contents(STDIN), true);
$broken = (new \MagentoIr\IncidentResponse\Model\ActionLog\HashChain())->firstBrokenIndex($records);
echo json_encode($broken);
"""


@pytest.mark.tools
def test_php_hash_chain_verifies_the_sandbox_log(responder: httpx.Client) -> None:
    """The module's own HashChain (PHP) finds the sandbox's log intact, unicode and slashes too."""
    php = require_tool("php")
    write(responder, "maintenance", {"mode": "checkout", "reason": "Skimmer in /checkout — é"})
    write(responder, "catalog/quarantine", {"skus": ["IR-SKU-001"], "reason": "r\u2028x"}, "k:1")
    responder.post(f"{BASE}/catalog/release", json={"quarantineId": 7, "reason": "r"})
    log = responder.get(f"{BASE}/actions", params={"searchCriteria[pageSize]": 10}).json()["items"]
    result = subprocess.run(  # noqa: S603 - fixed program, our own script
        [php, "-r", PHP_VERIFY, "--", str(REPO_ROOT / "php-module")],
        input=json.dumps(log),
        capture_output=True,
        check=True,
        text=True,
    )
    assert result.stdout == "null"
    log[1]["reason"] = "tampered"
    tampered = subprocess.run(  # noqa: S603
        [php, "-r", PHP_VERIFY, "--", str(REPO_ROOT / "php-module")],
        input=json.dumps(log),
        capture_output=True,
        check=True,
        text=True,
    )
    assert tampered.stdout == "1"


@pytest.mark.parametrize(
    ("statuses", "created_from", "created_to"),
    [
        (["processing"], None, None),
        (["processing", "holded", "canceled"], None, None),
        (["processing"], "2025-04-27 05:00:00", None),
        (["processing", "canceled"], "2025-04-27 03:00:00", "2025-04-27 08:00:00"),
        (["processing", "pending"], None, "2025-04-27 06:00:00"),
        (["pending"], None, None),
    ],
)
def test_bulk_hold_by_status_selects_what_walking_the_orders_selects(
    clock: Clock, statuses: list[str], created_from: str | None, created_to: str | None
) -> None:
    """A hold by statuses and creation window read from the order columns selects (and
    counts) the orders a walk over every order selects: generated, stored and changed ones."""
    import copy  # noqa: PLC0415

    from magento_ir.sandbox import module_api  # noqa: PLC0415

    store = Sandbox(clock=clock, with_module=True, orders=300)
    orders = store.state.orders
    changed = copy.deepcopy(orders.get(10))
    orders.put(10, {**changed, "status": "pending", "state": "new"})
    orders.put(20, {**copy.deepcopy(orders.get(20)), "created_at": None})
    orders.delete(30)
    body: dict[str, Any] = {"reason": "r", "statuses": statuses}
    body |= {"createdFrom": created_from, "createdTo": created_to}

    def selected(order: dict[str, Any]) -> bool:
        created = order.get("created_at") or ""
        return (
            order["status"] in statuses
            and (created_from is None or created >= created_from)
            and (created_to is None or created <= created_to)
        )

    expected = [order["entity_id"] for order in orders.rows() if selected(order)]
    assert 0 < len(expected) < len(orders) - 1  # a filter that selects and leaves out
    with (
        pytest.MonkeyPatch.context() as patch,
        client_for(store, store.admin_token()) as client,
    ):
        patch.setattr(module_api, "MAX_ORDERS", 7)
        result = write(client, "orders/hold", body)
    assert result["matched"] == len(expected)
    assert result["remaining"] == max(len(expected) - 7, 0)
    assert [item["order_id"] for item in result["items"]] == expected[:7]
