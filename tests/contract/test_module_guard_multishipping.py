"""The payment guard on the real store's multishipping checkout, which never calls
`CartManagementInterface::placeOrder`: `Multishipping::createOrders()` hands one order per
address to `PlaceOrderDefault`, which calls `OrderManagementInterface::place` for each. The
module's plugin on `place` must refuse each address's order, log and count each refusal, and
let Magento show its message for that address.

Real store only (the sandbox has no storefront multishipping). The test makes its own customer
with two addresses, drives the storefront as that shopper would (an HTTP session with the login
form's form_key) and deletes the customer at the end; no order is created. About 30 s on the
test store: its storefront renders each of the six pages in developer mode.
"""

from __future__ import annotations

import html
import re
import secrets
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.contract._module import ModuleStore, module_store
from tests.contract.test_module_guard import ADDRESS, BLOCKED, SKU

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["module_store"]  # the fixture this module uses

PASSWORD = f"Guard-{secrets.token_urlsafe(9)}1a"
SECOND_SKU = "IR-SKU-020"


def _form_key(page: httpx.Response) -> str:
    found = re.search(r'name="form_key" type="hidden" value="([^"]+)"', page.text)
    assert found is not None, f"{page.request.url}: no form_key in {page.status_code}"
    return found.group(1)


def _names(page: httpx.Response, pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, page.text)))


class Shopper:
    """A storefront session (cookies kept, redirects followed) of one customer."""

    def __init__(self, store: ModuleStore, email: str) -> None:
        self.http = httpx.Client(
            base_url=store.store.base_url, follow_redirects=True, timeout=180.0
        )
        login = self.http.get("/customer/account/login/")
        self.form_key = _form_key(login)
        signed_in = self.http.post(
            "/customer/account/loginPost/",
            data={
                "form_key": self.form_key,
                "login[username]": email,
                "login[password]": PASSWORD,
            },
        )
        assert "customer/account/login" not in str(signed_in.url), "the login was refused"

    def begin(self) -> httpx.Response:
        """The multishipping checkout's first step (it marks the quote multishipping)."""
        addresses = self.http.get("/multishipping/checkout/")
        assert "/multishipping/checkout/addresses" in str(addresses.url), addresses.url
        self.form_key = _form_key(addresses)
        return addresses

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        response = self.http.post(path, data={"form_key": self.form_key, **data})
        assert response.status_code == 200, f"{path}: {response.status_code}"
        return response


@pytest.fixture
def customer(module_store: ModuleStore) -> Iterator[dict[str, Any]]:
    """A customer of the test's own with two addresses, deleted afterwards."""
    email = f"guard.ms.{secrets.token_hex(4)}@example.com"
    addresses = [
        {**ADDRESS, "default_shipping": True, "default_billing": True},
        {**ADDRESS, "street": ["2 Second St"], "postcode": "78702"},
    ]
    created = module_store.core(
        "POST",
        "/V1/customers",
        json={
            "customer": {
                "email": email,
                "firstname": "Guard",
                "lastname": "Multi",
                "website_id": 1,
                "addresses": [
                    {**a, "region": {"region": a["region"], "region_id": a["region_id"]}}
                    for a in addresses
                ],
            },
            "password": PASSWORD,
        },
    )
    assert created.status_code == 200, created.text
    body: dict[str, Any] = created.json()
    try:
        yield body
    finally:
        deleted = module_store.core("DELETE", f"/V1/customers/{body['id']}")
        assert deleted.status_code == 200, deleted.text


def _fill_cart(store: ModuleStore, email: str) -> list[int]:
    """Two products in the customer's cart, over REST; the quote item ids."""
    token = store.customer_token(email, PASSWORD)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()}"}
    quote_id = store.http.post("/rest/V1/carts/mine", headers=headers).json()
    items = []
    for sku in (SKU, SECOND_SKU):
        added = store.http.post(
            "/rest/V1/carts/mine/items",
            json={"cartItem": {"sku": sku, "qty": 1, "quote_id": quote_id}},
            headers=headers,
        )
        assert added.status_code == 200, added.text
        items.append(int(added.json()["item_id"]))
    return items


@pytest.mark.real_store
def test_each_address_order_of_a_multishipping_checkout_is_refused_and_counted(
    module_store: ModuleStore, customer: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    """Both addresses' orders refused with the guard's message on Magento's results page, each
    refusal logged (channel frontend) and counted; no order exists."""
    store = module_store
    email = customer["email"]
    address_ids = [int(a["id"]) for a in customer["addresses"]]
    items = _fill_cart(store, email)
    before = store.ok("GET", "/guard/counters")
    rule = store.ok(
        "POST",
        "/guard/rules",
        {
            "type": "email",
            "values": [email],
            "reason": "multishipping card testing",
            "incidentId": store.incident_id,
        },
    )["rule"]
    try:
        shopper = Shopper(store, email)
        request.addfinalizer(shopper.http.close)
        shopper.begin()
        ship = {}
        for n, (item, address) in enumerate(zip(items, address_ids, strict=True)):
            ship[f"ship[{n}][{item}][qty]"] = "1"
            ship[f"ship[{n}][{item}][address]"] = str(address)
        shipping = shopper.post("/multishipping/checkout/addressesPost/", {"continue": "1", **ship})
        quote_addresses = _names(shipping, r'name="shipping_method\[(\d+)\]"')
        assert len(quote_addresses) == 2, "the shipping step lists one form per address"
        shopper.post(
            "/multishipping/checkout/shippingPost/",
            {f"shipping_method[{a}]": "flatrate_flatrate" for a in quote_addresses},
        )
        shopper.post("/multishipping/checkout/overview/", {"payment[method]": "checkmo"})
        results = shopper.post(
            "/multishipping/checkout/overviewPost/", {"payment[method]": "checkmo"}
        )
        # Magento lists each address's error on its results page: our message, twice.
        assert html.unescape(results.text).count(BLOCKED) == 2, results.url
        blocks = store.ok("GET", "/guard/blocks", params={"afterId": before["last_block_id"]})
        ours = [b for b in blocks["items"] if b["rule_id"] == rule["rule_id"]]
        assert [(b["channel"], b["email"], b["method"]) for b in ours] == [
            ("frontend", email, "checkmo"),
            ("frontend", email, "checkmo"),
        ]
        assert {b["customer_id"] for b in ours} == {customer["id"]}
        counted = store.ok("GET", "/guard/counters")
        assert [c["blocked"] for c in counted["items"] if c["rule_id"] == rule["rule_id"]] == [2]
        prefix = "searchCriteria[filter_groups][0][filters][0]"
        orders = store.core(
            "GET",
            "/V1/orders",
            params={f"{prefix}[field]": "customer_email", f"{prefix}[value]": email},
        ).json()
        assert orders["total_count"] == 0
    finally:
        store.ok(
            "POST",
            "/guard/rules/remove",
            {"ruleIds": [rule["rule_id"]], "reason": "over", "incidentId": store.incident_id},
        )
