"""The sandbox's guest carts against its own config (tests/contract checks them against Magento)."""

from __future__ import annotations

from magento_ir.sandbox import Sandbox
from tests.sandbox.conftest import client_for


def _methods_of_new_cart(
    sandbox: Sandbox, store: str | None = None, sku: str | None = None
) -> list[str]:
    prefix = f"/rest/{store}" if store else "/rest"
    with client_for(sandbox) as shopper:
        cart = shopper.post(f"{prefix}/V1/guest-carts").json()
        if sku is not None:
            item = {"cartItem": {"sku": sku, "qty": 1}}
            assert (
                shopper.post(f"{prefix}/V1/guest-carts/{cart}/items", json=item).status_code == 200
            )
        answer = shopper.get(f"{prefix}/V1/guest-carts/{cart}/payment-methods").json()
    return [method["code"] for method in answer]


def test_payment_methods_follow_active_flags_per_scope() -> None:
    """A store view's `payment/<code>/active` row beats its website's and the default; a
    cart belongs to the store view it was made on; titles and sort orders come from config."""
    sandbox = Sandbox(store_views=2)
    second = next(store.code for store in sandbox.state.stores.values() if store.id == 2)
    state = sandbox.state
    state.set_config("payment/banktransfer/active", "1", "websites", 1)
    state.set_config("payment/banktransfer/sort_order", "-1")
    state.set_config("payment/checkmo/active", "0", "stores", 2)
    assert _methods_of_new_cart(sandbox, sku="IR-SKU-001") == ["banktransfer", "checkmo"]
    assert _methods_of_new_cart(sandbox, second, sku="IR-SKU-001") == ["banktransfer"]
    state.set_config("payment/free/active", "0")
    assert _methods_of_new_cart(sandbox, second) == ["banktransfer"]
    state.set_config("payment/free/active", "1", "stores", 2)
    assert _methods_of_new_cart(sandbox, second) == ["banktransfer", "free"]


def test_an_item_without_sku_is_a_server_error() -> None:
    """Magento fails with PHP's TypeError (a 500); outside developer mode it is masked."""
    sandbox = Sandbox()
    with client_for(sandbox) as shopper:
        cart = shopper.post("/rest/V1/guest-carts").json()
        answer = shopper.post(f"/rest/V1/guest-carts/{cart}/items", json={"cartItem": {"qty": 1}})
    assert answer.status_code == 500
    assert answer.json()["message"].startswith("Internal Error. Details are available")
