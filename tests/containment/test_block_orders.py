"""BlockOrders: a payment-guard rule pushed as a containment step, verified, rolled back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import InvalidArgumentError
from magento_ir.containment import BlockOrders, Incident
from tests.containment.conftest import BASE_URL, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store

EMAIL = "carder@example.com"
ADDRESS = {
    "firstname": "A",
    "lastname": "B",
    "street": ["1 Main St"],
    "city": "Austin",
    "region_id": 57,
    "postcode": "78701",
    "country_id": "US",
    "telephone": "5125550100",
    "email": EMAIL,
}


def _checkout(store: Store) -> tuple[httpx.Client, str]:
    http = httpx.Client(transport=store.sandbox.transport(), base_url=BASE_URL)
    cart = http.post("/rest/V1/guest-carts").json()
    item = {"cartItem": {"sku": "IR-SKU-001", "qty": 1, "quote_id": cart}}
    assert http.post(f"/rest/V1/guest-carts/{cart}/items", json=item).status_code == 200
    info = {
        "shipping_address": ADDRESS,
        "billing_address": ADDRESS,
        "shipping_carrier_code": "flatrate",
        "shipping_method_code": "flatrate",
    }
    shipped = http.post(
        f"/rest/V1/guest-carts/{cart}/shipping-information", json={"addressInformation": info}
    )
    assert shipped.status_code == 200, shipped.text
    return http, cart


def _pay(http: httpx.Client, cart: str) -> httpx.Response:
    return http.post(
        f"/rest/V1/guest-carts/{cart}/payment-information",
        json={"email": EMAIL, "paymentMethod": {"method": "checkmo"}},
    )


def test_blocked_until_rolled_back(key: SigningKey, tmp_path: Path) -> None:
    """The step's rule refuses the shopper's order; after rollback the same cart orders."""
    store = make_store(with_module=True)
    http, cart = _checkout(store)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="b") as incident:
        (step,) = incident.run([BlockOrders("email", [EMAIL], ttl=3600)]).steps
        assert step.verification is not None
        assert step.verification.passed, step.verification
        refused = _pay(http, cart)
        assert refused.status_code == 400
        assert refused.json()["message"].startswith("We cannot place this order right now.")
        (rolled,) = incident.rollback().steps
    assert rolled.verification is not None
    assert rolled.verification.passed, rolled.verification
    placed = _pay(http, cart)
    assert placed.status_code == 200, placed.text
    actions = [record["action"] for record in store.sandbox.inspect.action_log()]
    assert actions == ["guard.rule_add", "guard.rules_remove"]


def test_plan_touches_nothing_and_names_the_rule(key: SigningKey, tmp_path: Path) -> None:
    """A dry run describes the rule and leaves the store byte-identical."""
    store = make_store(with_module=True)
    before = store.sandbox.inspect.digest()
    action = BlockOrders("velocity", subject="ip", metric="failures", limit=5, window=600)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="d") as incident:
        (step,) = incident.plan([action]).steps
    assert store.sandbox.inspect.digest() == before
    assert step.plan is not None
    assert "more than 5 failures per ip in 600 s" in step.plan.summary
    assert action.params() == {
        "rule": "velocity",
        "subject": "ip",
        "metric": "failures",
        "limit": 5,
        "window": 600,
    }


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rule": "velocity", "values": ["1.2.3.4"]}, "velocity rule takes"),
        ({"rule": "ip"}, "takes values"),
        ({"rule": "ip", "values": ["1.2.3.4"], "limit": 3}, "no velocity settings"),
        ({"rule": "cidr", "values": ["1.2.3.4"]}, "rule must be one of"),
        ({"rule": "email", "values": "a@example.com"}, "list"),
    ],
)
def test_malformed_rules_fail_before_any_request(
    arguments: dict[str, object], message: str
) -> None:
    """Mistakes in a step's rule are refused when the step is built, naming the fix."""
    with pytest.raises(InvalidArgumentError, match=message):
        BlockOrders(**arguments)  # type: ignore[arg-type]
