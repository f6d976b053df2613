"""Each module write and its reverse, the effect read from outside, on the sandbox and a real store.

The store is left as found: each test reverses what it did in a `finally`, on its own SKU.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from tests.contract._module import (
    ModuleStore,
    Principals,
    error_of,
    integration_keys_now,
    module_store,
    principals,
)

if TYPE_CHECKING:
    import httpx

    from magento_ir.auth import OAuth1Credentials
    from tests.a11y.browser import Browser

__all__ = ["module_store", "principals"]  # the fixtures this module uses

pytestmark = pytest.mark.magento_sandbox(with_module=True)
CUSTOMER_PASSWORD = "Customer123!"  # seed.py's and the sandbox's


def _reason(store: ModuleStore, text: str) -> dict[str, str]:
    return {"reason": text, "incidentId": store.incident_id}


def test_quarantine_hides_and_release_shows_the_product_again(module_store: ModuleStore) -> None:
    """After quarantine + release the product is in GraphQL and on its page again."""
    store, sku = module_store, "IR-SKU-021"
    store.release_leftovers(sku)
    page = f"/{store.url_key(sku)}.html"
    assert (store.graphql_count(sku), store.page_status(page), store.status_of(sku)) == (1, 200, 1)

    quarantined = store.ok("POST", "/catalog/quarantine", {"skus": [sku], **_reason(store, "skim")})
    quarantine_id = quarantined["quarantine_id"]
    try:
        assert quarantined["items"][0]["result"] == "quarantined"
        assert (store.graphql_count(sku), store.page_status(page), store.status_of(sku)) == (
            0,
            404,
            2,
        )
        listed = store.ok("GET", "/catalog/quarantine", params={"quarantineId": quarantine_id})
        assert [item["sku"] for item in listed["items"]] == [sku]
    finally:
        released = store.ok(
            "POST", "/catalog/release", {"quarantineId": quarantine_id, **_reason(store, "clean")}
        )
    assert released["released"] == 1
    # The release bug: the real storefront kept it hidden (GraphQL 0) until the product was saved.
    assert (store.graphql_count(sku), store.page_status(page), store.status_of(sku)) == (1, 200, 1)
    listed = store.ok("GET", "/catalog/quarantine", params={"quarantineId": quarantine_id})
    assert listed["items"] == []
    # The action log keeps the status rows each write overwrote (the sandbox as the module does).
    product = str(quarantined["items"][0]["product_id"])
    priors = {r["action"]: json.loads(r["prior_state"]) for r in store.actions_of_incident()}
    assert priors == {
        "catalog.quarantine": {"status_rows": {product: [1]}},
        "catalog.release": {"status_rows": {product: [2]}},
    }


def test_idempotent_writes_replay_once_and_refuse_a_different_body(
    module_store: ModuleStore,
) -> None:
    """Same key: same answer, replayed, applied once; same key, other body: 400. Release too."""
    store, sku = module_store, "IR-SKU-022"
    store.release_leftovers(sku)
    key = f"module-test-{secrets.token_hex(8)}"
    body = {"skus": [sku], **_reason(store, "skim")}
    first = store.ok("POST", "/catalog/quarantine", body, key=key)
    try:
        again = store.ok("POST", "/catalog/quarantine", body, key=key)
        assert first["replayed"] is False
        assert again == {**first, "replayed": True}
        conflict = store.call(
            "POST", "/catalog/quarantine", {**body, "skus": ["IR-SKU-023"]}, key=key
        )
        assert conflict.status_code == 400
        assert error_of(conflict) == {
            "message": 'The idempotency key "%key" was already used for a different request.',
            "parameters": {"key": key},
        }
        assert store.graphql_count("IR-SKU-023") == 1  # the refused body changed nothing
    finally:
        release = {"quarantineId": first["quarantine_id"], **_reason(store, "clean")}
        released = store.ok("POST", "/catalog/release", release, key=f"{key}-release")
    replayed = store.ok("POST", "/catalog/release", release, key=f"{key}-release")
    assert replayed == {**released, "replayed": True}
    assert released["released"] == 1
    assert store.graphql_count(sku) == 1
    applied = [(record["action"], record["status"]) for record in store.actions_of_incident()]
    assert sorted(applied) == [
        ("catalog.quarantine", "rejected"),  # the refused body is logged too (issue 9, item 4)
        ("catalog.quarantine", "succeeded"),
        ("catalog.release", "succeeded"),
    ]


def test_payments_suspend_and_resume(module_store: ModuleStore) -> None:
    """Suspending checkmo turns it off where checkout reads it; resuming brings it back."""
    store = module_store
    path = "payment/checkmo/active"

    def active() -> Any:
        values = store.ok("GET", "/config", params={"paths[0]": path})["items"]
        return {(value["scope"], value["scope_id"], value["value"]) for value in values}

    def checkout_methods() -> list[str] | None:
        if not store.store.is_real:
            return None  # the sandbox has no guest carts
        cart = store.http.post("/rest/V1/guest-carts").json()
        item = {"cartItem": {"sku": "IR-SKU-024", "qty": 1, "quote_id": cart}}
        assert store.http.post(f"/rest/V1/guest-carts/{cart}/items", json=item).status_code == 200
        methods = store.http.get(f"/rest/V1/guest-carts/{cart}/payment-methods").json()
        return [method["code"] for method in methods]

    before = active()
    assert checkout_methods() in (None, ["checkmo"])
    suspended = store.ok(
        "POST", "/payments/suspend", {"methods": ["checkmo"], **_reason(store, "x")}
    )
    try:
        assert suspended["items"][0]["result"] == "suspended"
        assert ("default", 0, "0") in active()
        assert checkout_methods() in (None, [])
    finally:
        resumed = store.ok(
            "POST", "/payments/resume", {"methods": ["checkmo"], **_reason(store, "y")}
        )
    assert resumed["items"][0]["result"] == "resumed"
    assert active() == before
    assert checkout_methods() in (None, ["checkmo"])


@pytest.mark.parametrize("mode", ["deactivate", "lock"])
def test_admin_lockdown_and_restore(
    module_store: ModuleStore, principals: Principals, mode: str
) -> None:
    """Lockdown refuses another admin's token, sign-in and integrations; restore undoes it."""
    store = module_store
    other = store.admin_token(principals.admin_user, principals.admin_password)
    assert store.core("GET", principals.admin_control, token=other).status_code == 200
    url = f"{str(store.http.base_url).rstrip('/')}/rest{principals.integration_control}"

    def integration_status() -> int:
        return store.http.get(url, headers=principals.signed("GET", url)).status_code

    assert integration_status() == 200
    locked = store.ok("POST", "/admins/lockdown", {"mode": mode, **_reason(store, "stolen admin")})
    try:
        assert principals.admin_id in locked["admin_ids"]
        assert store.core("GET", principals.admin_control, token=other).status_code == 401
        sign_in = store.http.post(
            "/rest/V1/integration/admin/token",
            json={"username": principals.admin_user, "password": principals.admin_password},
        )
        # A locked admin still gets a REST token: Magento checks lock_expires only in the admin
        # panel's login observer (php-module/README.md says to prefer "deactivate").
        assert sign_in.status_code == (401 if mode == "deactivate" else 200)
        assert integration_status() == 401
        admins = {a["username"]: a for a in store.ok("GET", "/admins")["items"]}
        if mode == "deactivate":
            assert admins[principals.admin_user]["is_active"] is False
        else:
            assert admins[principals.admin_user]["is_active"] is True
            assert admins[principals.admin_user]["lock_expires"] is not None
        assert admins[store.store.admin_user]["is_active"] is True  # the caller is kept
    finally:
        # Revive the integration's tokens: the next run signs with the same ones (the default,
        # reissue, replaces them; see tests/adversarial/test_17_*).
        restored = store.ok(
            "POST",
            "/admins/restore",
            {
                "lockdownId": locked["lockdown_id"],
                "integrationTokens": "revive",
                **_reason(store, "rotated"),
            },
        )
    assert principals.admin_id in restored["admin_ids"]
    # Signing in works again. (Its token is not used: Magento refuses a JWT issued in the same
    # second as a revocation, issued <= revoked, and this one may be.)
    store.admin_token(principals.admin_user, principals.admin_password)
    assert integration_status() == 200


def test_restore_reissues_the_integrations_token(
    module_store: ModuleStore, principals: Principals
) -> None:
    """Restore's default re-issues: the locked-out token (maybe the attacker's) stays refused and
    the integration's new token works."""
    store = module_store
    url = f"{str(store.http.base_url).rstrip('/')}/rest{principals.integration_control}"

    def status_with(keys: OAuth1Credentials) -> int:
        headers = {"Authorization": keys.authorization("GET", url)}
        return store.http.get(url, headers=headers).status_code

    assert status_with(principals.oauth) == 200
    locked = store.ok("POST", "/admins/lockdown", _reason(store, "stolen integration"))
    restored = store.ok(
        "POST",
        "/admins/restore",
        {"lockdownId": locked["lockdown_id"], **_reason(store, "rotated")},
    )
    assert restored["integration_tokens"] == "reissue"
    assert restored["revived_integration_ids"] == []
    assert restored["reissued_integration_ids"] == restored["integration_ids"] != []
    now = integration_keys_now(store.store, principals.integration_name)
    assert (status_with(principals.oauth), status_with(now)) == (401, 200)


def test_terminate_sessions_revokes_a_customer_token(module_store: ModuleStore) -> None:
    """After terminate-sessions the customer's token gets 401; another customer's still works."""
    store, email, other = module_store, "ir.customer03@example.com", "ir.customer04@example.com"
    token = store.customer_token(email, CUSTOMER_PASSWORD).json()
    bystander = store.customer_token(other, CUSTOMER_PASSWORD).json()
    assert store.core("GET", "/V1/customers/me", token=token).status_code == 200
    ended = store.ok(
        "POST",
        "/sessions/terminate",
        {
            "scope": "customers",
            "customerIds": [store.customer_id(email)],
            **_reason(store, "theft"),
        },
    )
    assert ended["customer_tokens_revoked"] >= 1
    refused = store.core("GET", "/V1/customers/me", token=token)
    assert (refused.status_code, error_of(refused)["parameters"]) == (401, {"resources": "self"})
    assert store.core("GET", "/V1/customers/me", token=bystander).status_code == 200


def test_terminate_admin_sessions_keeps_the_caller(
    module_store: ModuleStore, principals: Principals
) -> None:
    """Ending another admin's sessions revokes its token; the calling admin's token still works."""
    store = module_store
    other = store.admin_token(principals.admin_user, principals.admin_password)
    ended = store.ok(
        "POST",
        "/sessions/terminate",
        {"scope": "admins", "adminIds": [principals.admin_id], **_reason(store, "stolen admin")},
    )
    assert (ended["admin_tokens_revoked"], ended["customer_tokens_revoked"]) == (1, 0)
    assert store.core("GET", principals.admin_control, token=other).status_code == 401
    assert store.core("GET", "/V1/store/storeConfigs").status_code == 200


def test_force_password_reset_refuses_the_old_password(module_store: ModuleStore) -> None:
    """A reset customer can no longer sign in with its password (real store: one made for it)."""
    store = module_store
    email, password = "ir.customer05@example.com", CUSTOMER_PASSWORD
    made = None
    if store.store.is_real:  # a seeded customer's password could not be put back over REST
        email, password = f"module-test-{secrets.token_hex(4)}@example.com", "Old-pass-123"
        customer = {"email": email, "firstname": "Reset", "lastname": "Test", "website_id": 1}
        made = store.core(
            "POST", "/V1/customers", json={"customer": customer, "password": password}
        )
        assert made.status_code == 200, made.text
    try:
        assert store.customer_token(email, password).status_code == 200
        reset = store.ok(
            "POST",
            "/customers/force-password-reset",
            {"customerIds": [store.customer_id(email)], **_reason(store, "credential stuffing")},
        )
        assert reset["passwords_invalidated"] == 1
        assert store.customer_token(email, password).status_code == 401
        [record] = store.actions_of_incident()
        assert json.loads(record["prior_state"]) == {"customer_ids": [store.customer_id(email)]}
    finally:
        if made is not None:
            deleted = store.core("DELETE", f"/V1/customers/{made.json()['id']}")
            assert deleted.status_code == 200


@pytest.fixture
def closed_storefront(module_store: ModuleStore) -> Any:
    store = module_store
    body = {"mode": "storefront", "message": "Back soon", "retryAfter": 600}
    changed = store.ok("PUT", "/maintenance", {**body, **_reason(store, "skimmer")})
    try:
        yield changed
    finally:
        store.ok("PUT", "/maintenance", {"mode": "off", **_reason(store, "cleaned")})


def test_maintenance_closes_the_storefront_and_reopens_it(
    module_store: ModuleStore, closed_storefront: dict[str, Any]
) -> None:
    """Storefront mode: the shop answers 503 with Retry-After, REST stays up; off reopens it."""
    store = module_store
    assert closed_storefront["state"]["mode"] == "storefront"
    page = store.http.get("/")
    assert page.status_code == 503
    assert page.headers["retry-after"] == "600"
    assert "no-store" in page.headers["cache-control"]
    assert "Back soon" in page.text
    assert store.core("GET", "/V1/store/storeConfigs").status_code == 200
    assert store.ok("GET", "/maintenance")["mode"] == "storefront"
    # Reopening with an idempotency key: the repeat is a replay, applied once.
    key = f"module-test-{secrets.token_hex(8)}"
    opened = store.ok("PUT", "/maintenance", {"mode": "off", **_reason(store, "cleaned")}, key=key)
    again = store.ok("PUT", "/maintenance", {"mode": "off", **_reason(store, "cleaned")}, key=key)
    assert again == {**opened, "replayed": True}
    assert store.http.get("/").status_code == 200
    assert store.ok("GET", "/maintenance")["mode"] == "off"
    modes = [json.loads(record["request"])["mode"] for record in store.actions_of_incident()]
    assert sorted(modes) == ["off", "storefront"]


def test_maintenance_checkout_mode_closes_only_checkout(module_store: ModuleStore) -> None:
    """Checkout mode: the checkout answers 503 while the home and product pages stay open."""
    store = module_store
    body = {"mode": "checkout", "retryAfter": 300, **_reason(store, "skimmer in checkout")}
    store.ok("PUT", "/maintenance", body)
    try:
        checkout = store.http.get("/checkout/")
        assert (checkout.status_code, checkout.headers.get("retry-after")) == (503, "300")
        assert store.http.get("/").status_code == 200
        assert store.page_status(f"/{store.url_key('IR-SKU-025')}.html") == 200
    finally:
        store.ok("PUT", "/maintenance", {"mode": "off", **_reason(store, "cleaned")})
    assert store.http.get("/checkout/").status_code != 503


def _maintenance_answer(response: httpx.Response) -> bool:
    """Magento's own flag: its 503 page, or in developer mode (the test store's) the exception
    as a plain-text 500."""
    if response.status_code == 503:
        return "Service Temporarily Unavailable" in response.text
    return (
        response.status_code == 500
        and response.headers["content-type"].startswith("text/plain")
        and "Unable to proceed: the maintenance mode is enabled." in response.text
    )


def test_maintenance_full_mode_closes_everything_but_the_caller(module_store: ModuleStore) -> None:
    """Full mode is Magento's own flag: pages and REST answer 503 to any other address, while
    the caller, allow-listed by the module, keeps the API; off opens both again."""
    store = module_store
    # Another loopback address: a real store on loopback sees it as the client's address.
    outsider = store.store.http(client_ip="127.0.0.2")
    body = {"mode": "full", "retryAfter": 600, **_reason(store, "skimmer everywhere")}
    changed = store.ok("PUT", "/maintenance", body)
    try:
        assert changed["state"]["mode"] == "full"
        assert changed["state"]["magento_flag"] is True
        assert "127.0.0.1" in changed["state"]["allowed_ips"]
        assert "127.0.0.2" not in changed["state"]["allowed_ips"]
        assert _maintenance_answer(outsider.get("/"))
        assert _maintenance_answer(outsider.get("/rest/V1/store/storeConfigs"))
        assert store.core("GET", "/V1/store/storeConfigs").status_code == 200
        assert store.ok("GET", "/maintenance")["mode"] == "full"
    finally:
        opened = store.ok("PUT", "/maintenance", {"mode": "off", **_reason(store, "cleaned")})
    assert opened["previous_mode"] == "full"
    assert opened["state"]["magento_flag"] is False
    assert outsider.get("/").status_code == 200
    assert outsider.get("/rest/V1/store/storeConfigs").status_code == 401


@pytest.mark.tools
def test_maintenance_page_has_no_wcag_violations(
    module_store: ModuleStore,
    closed_storefront: dict[str, Any],
    browser: Browser,
    axe_source: str,
) -> None:
    """axe-core finds no WCAG 2.x A/AA violation on the 503 page the store really serves."""
    assert closed_storefront["state"]["mode"] == "storefront"
    browser.devtools("Emulation.clearDeviceMetricsOverride")
    browser.get(module_store.store.base_url + "/")
    assert browser.run("return document.title").startswith("Temporarily unavailable")
    assert browser.axe_violations(axe_source) == []


def test_capabilities_and_evidence_reads(module_store: ModuleStore) -> None:
    """The read routes answer the admin: capabilities, admins, sessions, integrations, config."""
    store = module_store
    capabilities = store.ok("GET", "/capabilities")
    assert "catalog.release" in capabilities["actions"]
    admins = store.ok("GET", "/admins")["items"]
    assert store.store.admin_user in [admin["username"] for admin in admins]
    assert "items" in store.ok("GET", "/admin-sessions")
    assert "items" in store.ok("GET", "/integrations")
    base_url = "web/unsecure/base_url"  # written by the installer, so a stored row on both
    config = store.ok("GET", "/config", params={"paths[0]": base_url})["items"]
    assert [(row["path"], row["scope"]) for row in config] == [(base_url, "default")]


def test_bulk_order_hold_and_unhold_release_only_what_it_held(module_store: ModuleStore) -> None:
    """Bulk hold of the seeded order (1): held through Magento, replayed once, reported
    already_held the next time, unknown ids not_found; unhold puts its state back."""
    store = module_store
    before = store.core("GET", "/V1/orders/1").json()
    assert (before["state"], before["status"]) == ("new", "pending")
    body = {"statuses": ["pending"], "orderIds": [1, 999999999], **_reason(store, "skimmer")}
    key = f"module-test-{secrets.token_hex(8)}"
    first = store.ok("POST", "/orders/hold", body, key=key)
    try:
        assert {k: first[k] for k in ("replayed", "matched", "held", "remaining")} == {
            "replayed": False,
            "matched": 1,
            "held": 1,
            "remaining": 0,
        }
        assert [(i["order_id"], i["result"]) for i in first["items"]] == [
            (1, "held"),
            (999999999, "not_found"),
        ]
        assert (first["items"][0]["prior_state"], first["items"][0]["prior_status"]) == (
            "new",
            "pending",
        )
        held = store.core("GET", "/V1/orders/1").json()
        assert (held["state"], held["status"]) == ("holded", "holded")
        assert store.ok("POST", "/orders/hold", body, key=key) == {**first, "replayed": True}
        again = store.ok("POST", "/orders/hold", body)
        assert "hold_id" not in again
        assert [(i["order_id"], i["result"]) for i in again["items"]] == [
            (1, "already_held"),
            (999999999, "not_found"),
        ]
    finally:
        unhold = {"holdId": first["hold_id"], **_reason(store, "reviewed")}
        released = store.ok("POST", "/orders/unhold", unhold)
    assert released["released"] == 1
    assert [(i["order_id"], i["result"]) for i in released["items"]] == [(1, "released")]
    after = store.core("GET", "/V1/orders/1").json()
    assert (after["state"], after["status"]) == ("new", "pending")
    # A second unhold finds nothing left to release; a named order outside the hold says so.
    second = store.ok("POST", "/orders/unhold", {**unhold, "orderIds": [1]})
    assert (second["released"], second["items"]) == (0, [{"order_id": 1, "result": "not_in_hold"}])
    missing = store.call("POST", "/orders/unhold", {**unhold, "holdId": 999999999})
    assert missing.status_code == 404
    assert error_of(missing) == {
        "message": "No such entity with %fieldName = %fieldValue",
        "parameters": {"fieldName": "holdId", "fieldValue": 999999999},
    }
    records = store.actions_of_incident()
    applied = sorted((record["action"], record["status"]) for record in records)
    assert applied == [
        ("orders.hold", "succeeded"),
        ("orders.hold", "succeeded"),
        ("orders.unhold", "rejected"),
        ("orders.unhold", "succeeded"),
        ("orders.unhold", "succeeded"),
    ]
    holds = [json.loads(r["prior_state"]) for r in records if r["action"] == "orders.hold"]
    assert {"orders": {"1": {"state": "new", "status": "pending"}}} in holds
