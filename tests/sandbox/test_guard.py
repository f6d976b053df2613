"""The sandbox's payment guard: rule matching as the module's PaymentGuard does it, velocity over
placement outcomes, lapsing rules, the block cursor; and no guard without the module."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_guard import BLOCKED_MESSAGE, FROZEN_MESSAGE, normalize_value
from magento_ir.sandbox.module_state import GuardRule

BASE = "http://magento.test"
ADDRESS = {
    "firstname": "A",
    "lastname": "B",
    "street": ["1 Main St"],
    "city": "Austin",
    "region_id": 57,
    "postcode": "78701",
    "country_id": "US",
    "telephone": "5125550100",
}


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _shop(sandbox: Sandbox, ip: str = "203.0.113.9") -> httpx.Client:
    return httpx.Client(transport=sandbox.transport(client_ip=ip), base_url=BASE)


def _cart(http: httpx.Client, email: str) -> str:
    cart: str = http.post("/rest/V1/guest-carts").json()
    item = {"cartItem": {"sku": "IR-SKU-001", "qty": 1, "quote_id": cart}}
    assert http.post(f"/rest/V1/guest-carts/{cart}/items", json=item).status_code == 200
    address = {**ADDRESS, "email": email}
    info = {
        "shipping_address": address,
        "billing_address": address,
        "shipping_carrier_code": "flatrate",
        "shipping_method_code": "flatrate",
    }
    response = http.post(
        f"/rest/V1/guest-carts/{cart}/shipping-information", json={"addressInformation": info}
    )
    assert response.status_code == 200, response.text
    return cart


def _pay(http: httpx.Client, cart: str, email: str, method: str = "checkmo") -> httpx.Response:
    return http.post(
        f"/rest/V1/guest-carts/{cart}/payment-information",
        json={"email": email, "paymentMethod": {"method": method}},
    )


def _add(admin: httpx.Client, **rule: Any) -> dict[str, Any]:
    response = admin.post("/rest/V1/incident-response/guard/rules", json={"reason": "r", **rule})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()["rule"]
    return body


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(with_module=True, clock=clock)


@pytest.fixture
def admin(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(
        transport=sandbox.transport(),
        base_url=BASE,
        headers={"Authorization": f"Bearer {sandbox.admin_token()}"},
    )


@pytest.mark.parametrize(
    ("rule_type", "value", "stored"),
    [
        ("ip", "2001:DB8:0:0::1/32", "2001:db8::/32"),
        ("ip", "192.0.2.77/24", "192.0.2.0/24"),
        ("ip", "192.0.2.77/32", "192.0.2.77"),
        ("ip", "::ffff:192.0.2.1", "192.0.2.1"),
        ("ip", "192.0.2.1/33", None),
        ("email", "Carder@Example.COM", "carder@example.com"),
        ("email", "not an address", None),
        ("customer", "07", None),
        ("bin", "4111111", "4111111"),
        ("bin", "41111", None),
        ("freeze", "Checkmo", None),
    ],
)
def test_values_are_stored_as_the_module_stores_them(
    rule_type: str, value: str, stored: str | None
) -> None:
    """RuleInput::normalize: CIDR host bits cleared, v4-mapped addresses as v4, e-mails lower."""
    assert normalize_value(rule_type, value) == stored


def test_a_cidr_blocks_its_network_only(sandbox: Sandbox, admin: httpx.Client) -> None:
    """An IPv6 /32 refuses a client inside it; one outside still orders."""
    _add(admin, type="ip", values=["2001:db8::/32"])
    inside, outside = _shop(sandbox, "2001:db8:5::9"), _shop(sandbox, "2001:db9::1")
    refused = _pay(inside, _cart(inside, "a@example.com"), "a@example.com")
    assert (refused.status_code, refused.json()["message"]) == (400, BLOCKED_MESSAGE)
    assert _pay(outside, _cart(outside, "b@example.com"), "b@example.com").status_code == 200
    (block,) = admin.get("/rest/V1/incident-response/guard/blocks").json()["items"]
    assert (block["ip"], block["email"], block["channel"]) == (
        "2001:db8:5::9",
        "a@example.com",
        "webapi_rest",
    )


def test_a_frozen_method_says_so(sandbox: Sandbox, admin: httpx.Client) -> None:
    """freeze refuses the method with its own message."""
    _add(admin, type="freeze", values=["checkmo"])
    http = _shop(sandbox)
    refused = _pay(http, _cart(http, "a@example.com"), "a@example.com")
    assert refused.json()["message"] == FROZEN_MESSAGE


def test_failures_per_ip_are_counted_in_the_window(
    sandbox: Sandbox, admin: httpx.Client, clock: Clock
) -> None:
    """Two placements from an IP that fail inside placeOrder (an unavailable method given to
    PUT .../order) block its third attempt, until the window has passed; a refusal of
    payment-information, which comes before placeOrder, is not counted."""
    _add(admin, type="velocity", subject="ip", metric="failures", limit=2, window=600)
    http = _shop(sandbox)
    cart = _cart(http, "a@example.com")
    refused = _pay(http, cart, "a@example.com", method="no_such_method")
    assert refused.json()["message"] == "The requested Payment Method is not available."
    for _ in range(2):
        failed = http.put(
            f"/rest/V1/guest-carts/{cart}/order", json={"paymentMethod": {"method": "no_such"}}
        )
        assert failed.json()["message"] == "The requested Payment Method is not available."
    assert _pay(http, cart, "a@example.com").json()["message"] == BLOCKED_MESSAGE
    clock.now += 601
    assert _pay(http, cart, "a@example.com").status_code == 200


def test_a_rule_lapses_after_its_ttl(sandbox: Sandbox, admin: httpx.Client, clock: Clock) -> None:
    """ttl: in force, then gone from the list and from the checkout."""
    rule = _add(admin, type="email", values=["a@example.com"], ttl=60)
    http = _shop(sandbox)
    cart = _cart(http, "a@example.com")
    assert _pay(http, cart, "a@example.com").status_code == 400
    clock.now += 61
    assert admin.get("/rest/V1/incident-response/guard/rules").json()["items"] == []
    listed = admin.get(
        "/rest/V1/incident-response/guard/rules", params={"includeInactive": 1}
    ).json()["items"]
    assert [item["rule_id"] for item in listed] == [rule["rule_id"]]
    assert _pay(http, cart, "a@example.com").status_code == 200


def test_the_block_cursor_reads_only_what_is_new(sandbox: Sandbox, admin: httpx.Client) -> None:
    """afterId / last_block_id page through refusals without repeats."""
    _add(admin, type="email", values=["a@example.com"])
    http = _shop(sandbox)
    cart = _cart(http, "a@example.com")
    for _ in range(3):
        _pay(http, cart, "a@example.com")
    url = "/rest/V1/incident-response/guard/blocks"
    first = admin.get(url, params={"pageSize": 2}).json()
    second = admin.get(url, params={"afterId": first["last_block_id"]}).json()
    assert [b["block_id"] for b in first["items"] + second["items"]] == [1, 2, 3]
    assert admin.get(url, params={"afterId": 3}).json() == {"items": [], "last_block_id": 3}


def test_without_the_module_nothing_is_guarded() -> None:
    """The guard is the module's: a sandbox without it places every order."""
    sandbox = Sandbox(with_module=False)
    # A rule left in the tables (say, by a module since removed) must not act.
    sandbox.state.incident_response.guard_rules[1] = GuardRule(
        1, "freeze", ["checkmo"], None, None, None, None, 0, None, "r", None
    )
    http = _shop(sandbox)
    assert _pay(http, _cart(http, "a@example.com"), "a@example.com").status_code == 200


def test_the_manifest_cursor_is_opaque_and_resumes_exactly(admin: httpx.Client) -> None:
    """next_cursor resumes after the last file listed; a path given as cursor is a 400."""
    url = "/rest/V1/incident-response/code/manifest"
    first = admin.get(url, params={"pageSize": 2}).json()
    second = admin.get(url, params={"pageSize": 2, "after": first["next_cursor"]}).json()
    everything = admin.get(url).json()["items"]
    assert [i["path"] for i in first["items"] + second["items"]] == [
        i["path"] for i in everything[:4]
    ]
    refused = admin.get(url, params={"after": everything[0]["path"]})
    assert refused.status_code == 400
    assert refused.json()["parameters"]["fieldName"] == "after"
