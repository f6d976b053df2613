"""The payment guard on both backends: a pushed rule blocks REST and GraphQL order placement,
guest and customer carts, and removing it lets the same carts order again.

On a real store this is the plugin on `CartManagementInterface::placeOrder` at work. The orders
placed after the rule is removed are cancelled again (stock back), so the store is left as found
but for those cancelled orders of the test's own guest e-mails.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import pytest

from tests.contract._module import ModuleStore, module_store

if TYPE_CHECKING:
    import httpx

__all__ = ["module_store"]  # the fixture this module uses

pytestmark = pytest.mark.magento_sandbox(with_module=True)
BLOCKED = "We cannot place this order right now. Please contact us if the problem continues."
CUSTOMER_EMAIL = "ir.customer09@example.com"
CUSTOMER_PASSWORD = "Customer123!"  # seed.py's and the sandbox's
SKU = "IR-SKU-019"
ADDRESS = {
    "firstname": "Guard",
    "lastname": "Test",
    "street": ["1 Main St"],
    "city": "Austin",
    "region": "Texas",
    "region_id": 57,
    "postcode": "78701",
    "country_id": "US",
    "telephone": "5125550100",
}
PLACE_ORDER = (
    "mutation($c: String!) { placeOrder(input: {cart_id: $c}) "
    "{ order { order_number } errors { message code } } }"
)


class Checkout:
    """Carts filled up to the payment step, over REST as a shopper would."""

    def __init__(self, store: ModuleStore) -> None:
        self.store = store
        self.http: httpx.Client = store.http

    def _ok(self, response: httpx.Response) -> Any:
        assert response.status_code == 200, f"{response.request.url}: {response.text}"
        return response.json()

    def guest_cart(self, email: str) -> str:
        cart: str = self._ok(self.http.post("/rest/V1/guest-carts"))
        self._ok(
            self.http.post(
                f"/rest/V1/guest-carts/{cart}/items",
                json={"cartItem": {"sku": SKU, "qty": 1, "quote_id": cart}},
            )
        )
        address = {**ADDRESS, "email": email}
        shipping = self._ok(
            self.http.post(
                f"/rest/V1/guest-carts/{cart}/shipping-information",
                json={
                    "addressInformation": {
                        "shipping_address": address,
                        "billing_address": address,
                        "shipping_carrier_code": "flatrate",
                        "shipping_method_code": "flatrate",
                    }
                },
            )
        )
        assert "checkmo" in [method["code"] for method in shipping["payment_methods"]]
        return cart

    def guest_pay(self, cart: str, email: str) -> httpx.Response:
        return self.http.post(
            f"/rest/V1/guest-carts/{cart}/payment-information",
            json={"email": email, "paymentMethod": {"method": "checkmo"}},
        )

    def customer_cart(self, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        quote_id = self._ok(self.http.post("/rest/V1/carts/mine", headers=headers))
        self._ok(
            self.http.post(
                "/rest/V1/carts/mine/items",
                json={"cartItem": {"sku": SKU, "qty": 1, "quote_id": quote_id}},
                headers=headers,
            )
        )
        address = {**ADDRESS, "email": CUSTOMER_EMAIL}
        self._ok(
            self.http.post(
                "/rest/V1/carts/mine/shipping-information",
                json={
                    "addressInformation": {
                        "shipping_address": address,
                        "billing_address": address,
                        "shipping_carrier_code": "flatrate",
                        "shipping_method_code": "flatrate",
                    }
                },
                headers=headers,
            )
        )

    def customer_pay(self, token: str) -> httpx.Response:
        return self.http.post(
            "/rest/V1/carts/mine/payment-information",
            json={"paymentMethod": {"method": "checkmo"}},
            headers={"Authorization": f"Bearer {token}"},
        )

    def graphql_cart(self, email: str) -> str:
        cart = self.guest_cart(email)
        for mutation in (
            'setGuestEmailOnCart(input: {cart_id: $c, email: "EMAIL"}) { cart { email } }',
            (
                'setPaymentMethodOnCart(input: {cart_id: $c, payment_method: {code: "checkmo"}})'
                " { cart { selected_payment_method { code } } }"
            ),
        ):
            query = "mutation($c: String!) { " + mutation.replace("EMAIL", email) + " }"
            body = self._ok(
                self.http.post("/graphql", json={"query": query, "variables": {"c": cart}})
            )
            assert "errors" not in body, body
        return cart

    def graphql_place(self, cart: str) -> dict[str, Any]:
        body = self._ok(
            self.http.post("/graphql", json={"query": PLACE_ORDER, "variables": {"c": cart}})
        )
        assert "errors" not in body, body
        placed: dict[str, Any] = body["data"]["placeOrder"]
        return placed

    def cancel(self, order_id: int) -> None:
        response = self.store.core("POST", f"/V1/orders/{order_id}/cancel")
        assert response.status_code == 200, response.text

    def order_id_of(self, increment_id: str) -> int:
        prefix = "searchCriteria[filter_groups][0][filters][0]"
        response = self.store.core(
            "GET",
            "/V1/orders",
            params={f"{prefix}[field]": "increment_id", f"{prefix}[value]": increment_id},
        )
        assert response.status_code == 200, response.text
        return int(response.json()["items"][0]["entity_id"])


def _customer_token(store: ModuleStore) -> str:
    response = store.customer_token(CUSTOMER_EMAIL, CUSTOMER_PASSWORD)
    assert response.status_code == 200, response.text
    token: str = response.json()
    return token


def _assert_counted(
    store: ModuleStore, before: dict[str, Any], rule: dict[str, Any], ours: list[dict[str, Any]]
) -> None:
    """The module counted each of the rule's refusals as it logged it."""
    counters = store.ok("GET", "/guard/counters")
    assert counters["last_block_id"] == ours[-1]["block_id"]
    assert counters["blocked"] == before["blocked"] + len(ours)
    assert [c for c in counters["items"] if c["rule_id"] == rule["rule_id"]] == [
        {
            "rule_id": rule["rule_id"],
            "rule_type": rule["type"],
            "blocked": len(ours),
            "first_blocked_at": ours[0]["created_at"],
            "last_blocked_at": ours[-1]["created_at"],
        }
    ]


def test_a_pushed_rule_blocks_rest_and_graphql_orders_until_it_is_removed(
    module_store: ModuleStore,
) -> None:
    """Guest REST, customer REST and GraphQL placements: refused with Magento's error shape
    while the rule is in force, each refusal listed and counted; placed once it is removed."""
    store = module_store
    checkout = Checkout(store)
    guest = f"guard.{secrets.token_hex(4)}@example.com"
    graphql_guest = f"guard.{secrets.token_hex(4)}@example.com"
    token = _customer_token(store)
    rest_cart = checkout.guest_cart(guest)
    graphql_cart = checkout.graphql_cart(graphql_guest)
    checkout.customer_cart(token)
    counted = store.ok("GET", "/guard/counters")
    after = counted["last_block_id"]

    added = store.ok(
        "POST",
        "/guard/rules",
        {
            "type": "email",
            "values": [guest.upper(), graphql_guest, CUSTOMER_EMAIL],
            "reason": "card testing from these accounts",
            "incidentId": store.incident_id,
        },
    )
    rule = added["rule"]
    orders: list[int] = []
    try:
        assert rule["values"] == [guest, graphql_guest, CUSTOMER_EMAIL]
        refused = checkout.guest_pay(rest_cart, guest)
        assert (refused.status_code, refused.json()["message"]) == (400, BLOCKED)
        refused = checkout.customer_pay(token)
        assert (refused.status_code, refused.json()["message"]) == (400, BLOCKED)
        placed = checkout.graphql_place(graphql_cart)
        assert placed == {"order": None, "errors": [{"message": BLOCKED, "code": "UNDEFINED"}]}

        blocks = store.ok("GET", "/guard/blocks", params={"afterId": after})["items"]
        ours = [block for block in blocks if block["rule_id"] == rule["rule_id"]]
        assert [(b["channel"], b["email"], b["method"]) for b in ours] == [
            ("webapi_rest", guest, "checkmo"),
            ("webapi_rest", CUSTOMER_EMAIL, "checkmo"),
            ("graphql", graphql_guest, "checkmo"),
        ]
        assert ours[1]["customer_id"] == store.customer_id(CUSTOMER_EMAIL)
        assert "customer_id" not in ours[0]
        listed = store.ok("GET", "/guard/rules")["items"]
        assert [
            (r["blocked"], r["first_blocked_at"], r["last_blocked_at"])
            for r in listed
            if r["rule_id"] == rule["rule_id"]
        ] == [(3, ours[0]["created_at"], ours[-1]["created_at"])]
        _assert_counted(store, counted, rule, ours)
    finally:
        removed = store.ok(
            "POST",
            "/guard/rules/remove",
            {"ruleIds": [rule["rule_id"]], "reason": "over", "incidentId": store.incident_id},
        )
    try:
        assert [r["rule_id"] for r in removed["removed"]] == [rule["rule_id"]]
        assert rule["rule_id"] not in [
            r["rule_id"] for r in store.ok("GET", "/guard/rules")["items"]
        ]
        paid = checkout.guest_pay(rest_cart, guest)
        assert paid.status_code == 200, paid.text
        orders.append(int(paid.json()))
        paid = checkout.customer_pay(token)
        assert paid.status_code == 200, paid.text
        orders.append(int(paid.json()))
        placed = checkout.graphql_place(graphql_cart)
        assert placed["errors"] == []
        orders.append(checkout.order_id_of(placed["order"]["order_number"]))
    finally:
        for order_id in orders:
            checkout.cancel(order_id)
    # Placed orders move no counter; the removed rule's counter stays for the record.
    _assert_counted(store, counted, rule, ours)
    assert [r["action"] for r in store.actions_of_incident()] == [
        "guard.rule_add",
        "guard.rules_remove",
    ]


def test_a_velocity_rule_refuses_the_order_over_its_limit(module_store: ModuleStore) -> None:
    """Two orders per e-mail in ten minutes: two are placed, the third refused. Each placement
    counts once, though on a real store it passes both of the guard's plugins (placeOrder, then
    OrderManagementInterface::place inside it): counted twice, the second would be refused."""
    store = module_store
    checkout = Checkout(store)
    email = f"guard.{secrets.token_hex(4)}@example.com"
    carts = [checkout.guest_cart(email) for _ in range(3)]
    rule = store.ok(
        "POST",
        "/guard/rules",
        {
            "type": "velocity",
            "subject": "email",
            "metric": "orders",
            "limit": 2,
            "window": 600,
            "reason": "two orders per e-mail",
            "incidentId": store.incident_id,
        },
    )["rule"]
    order_ids: list[int] = []
    try:
        for cart in carts[:2]:
            paid = checkout.guest_pay(cart, email)
            assert paid.status_code == 200, paid.text
            order_ids.append(int(paid.json()))
        refused = checkout.guest_pay(carts[2], email)
        assert (refused.status_code, refused.json()["message"]) == (400, BLOCKED)
    finally:
        store.ok(
            "POST",
            "/guard/rules/remove",
            {"ruleIds": [rule["rule_id"]], "reason": "over", "incidentId": store.incident_id},
        )
        for order_id in order_ids:
            checkout.cancel(order_id)


def test_malformed_rules_are_refused_and_not_logged(module_store: ModuleStore) -> None:
    """A bad CIDR is Magento's 400 naming the field; nothing reaches the action log."""
    store = module_store
    response = store.call(
        "POST",
        "/guard/rules",
        {"type": "ip", "values": ["192.0.2.0/40"], "reason": "r", "incidentId": store.incident_id},
    )
    body = response.json()
    body.pop("trace", None)
    assert (response.status_code, body) == (
        400,
        {
            "message": 'Invalid value of "%value" provided for the %fieldName field.',
            "parameters": {"value": "192.0.2.0/40", "fieldName": "values"},
        },
    )
    assert store.actions_of_incident() == []


def test_failures_inside_order_placement_count_towards_a_velocity_limit(
    module_store: ModuleStore,
) -> None:
    """Two placements that fail inside placeOrder (an unavailable method given to PUT .../order)
    block the third try from the same e-mail, however good; nothing is ordered."""
    store = module_store
    checkout = Checkout(store)
    email = f"guard.{secrets.token_hex(4)}@example.com"
    cart = checkout.guest_cart(email)
    rule = store.ok(
        "POST",
        "/guard/rules",
        {
            "type": "velocity",
            "subject": "email",
            "metric": "failures",
            "limit": 2,
            "window": 600,
            "reason": "declines per e-mail",
            "incidentId": store.incident_id,
        },
    )["rule"]
    order = f"/rest/V1/guest-carts/{cart}/order"
    try:
        for _ in range(2):
            failed = checkout.http.put(order, json={"paymentMethod": {"method": "no_such_method"}})
            assert (failed.status_code, failed.json()["message"]) == (
                400,
                "The requested Payment Method is not available.",
            )
        refused = checkout.http.put(order, json={"paymentMethod": {"method": "checkmo"}})
        assert (refused.status_code, refused.json()["message"]) == (400, BLOCKED)
    finally:
        store.ok(
            "POST",
            "/guard/rules/remove",
            {"ruleIds": [rule["rule_id"]], "reason": "over", "incidentId": store.incident_id},
        )
