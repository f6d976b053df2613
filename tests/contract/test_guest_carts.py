"""Guest carts, anonymously: create, add an item, list the payment methods it may use.

SuspendPayments is verified from outside through these three routes (real Magento's checkout
page lists the methods only after the shipping step, with JavaScript), so the sandbox must
answer them as Magento 2.4.7 does, errors included.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.contract.conftest import Api, error_of

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

CHECKMO = {"code": "checkmo", "title": "Check / Money order"}
FREE = {"code": "free", "title": "No Payment Information Required"}
UNKNOWN_CART = "0000000000000000000000000000nope"
NOT_AVAILABLE = (400, {"message": "Product that you are trying to add is not available."})


def new_cart(api: Api) -> str:
    response = api.request("POST", "/V1/guest-carts", auth=None)
    assert response.status_code == 200, response.text
    cart: str = response.json()
    return cart


def add(api: Api, cart: str, item: dict[str, Any]) -> httpx.Response:
    return api.request("POST", f"/V1/guest-carts/{cart}/items", json={"cartItem": item}, auth=None)


def methods(api: Api, cart: str) -> Any:
    response = api.get(f"/V1/guest-carts/{cart}/payment-methods", auth=None)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_guest_cart_and_its_payment_methods(api: Api) -> None:
    """A new cart is a 32-character masked id; empty (total 0) it may also pay with `free`; an
    item of 34 leaves checkmo; the item answer carries the cart's numeric quote id as a string."""
    cart = new_cart(api)
    assert len(cart) == 32
    assert cart.isalnum()
    assert methods(api, cart) == [CHECKMO, FREE]
    response = add(api, cart, {"sku": "ir-sku-024", "qty": 1, "quote_id": cart})
    assert response.status_code == 200, response.text
    item = response.json()
    assert {key: item[key] for key in ("sku", "qty", "name", "price", "product_type")} == {
        "sku": "IR-SKU-024",
        "qty": 1,
        "name": "Incident Test Product 24",
        "price": 34,
        "product_type": "simple",
    }
    assert isinstance(item["item_id"], int)
    assert item["quote_id"].isdigit()
    assert methods(api, cart) == [CHECKMO]
    # The same SKU again adds to its line; a qty of 0 or less counts as 1; "2" is a number.
    again = add(api, cart, {"sku": "IR-SKU-024", "qty": 0}).json()
    assert (again["item_id"], again["qty"]) == (item["item_id"], 2)
    assert add(api, cart, {"sku": "IR-SKU-024", "qty": "2"}).json()["qty"] == 4


def test_an_unknown_cart(api: Api) -> None:
    """Reading an unknown masked id is a 404 without the id; saving into one names `quoteId`."""
    response = api.get(f"/V1/guest-carts/{UNKNOWN_CART}/payment-methods", auth=None)
    assert error_of(response) == (
        404,
        {
            "message": "No such entity with %fieldName = %fieldValue",
            "parameters": {"fieldName": "cartId", "fieldValue": None},
        },
    )
    assert error_of(add(api, UNKNOWN_CART, {"sku": "IR-SKU-024", "qty": 1})) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "quoteId"},
        },
    )


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {"sku": "NO-SUCH-SKU-CARTS", "qty": 1},
            (
                404,
                {
                    "message": "The product that was requested doesn't exist. "
                    "Verify the product and try again."
                },
            ),
        ),
        (
            {"sku": "IR-SKU-024"},
            (
                400,
                {
                    "message": 'Invalid value of "%value" provided for the %fieldName field.',
                    "parameters": {"fieldName": "qty", "value": None},
                },
            ),
        ),
        (
            {"sku": "IR-SKU-024", "qty": "x"},
            (
                400,
                {
                    "message": 'Error occurred during "qty" processing. The "x" value\'s type is '
                    'invalid. The "float" type was expected. Verify and try again.'
                },
            ),
        ),
        (
            {"sku": "IR-SKU-024", "qty": 1.5},
            (400, {"message": "You cannot use decimal quantity for this product."}),
        ),
        (
            {"sku": "IR-SKU-024", "qty": 100_000},
            (
                400,
                {"message": "The requested qty exceeds the maximum qty allowed in shopping cart"},
            ),
        ),
        (
            {"sku": "IR-SKU-024", "qty": 101},
            (400, {"message": "The requested qty is not available"}),
        ),
        (
            {"sku": "IR-SKU-024", "qty": 1, "bogus": 1},
            (
                400,
                {
                    "message": '"%fieldName" is not supported. Correct the field name and try '
                    "again.",
                    "parameters": {"fieldName": "Bogus"},
                },
            ),
        ),
    ],
    ids=[
        "unknown-sku",
        "no-qty",
        "qty-not-a-number",
        "decimal-qty",
        "over-max",
        "over-stock",
        "unknown-field",
    ],
)
def test_an_item_refused(api: Api, item: dict[str, Any], expected: Any) -> None:
    """Each refusal's status and message; the cart stays empty (`free` still offered)."""
    cart = new_cart(api)
    assert error_of(add(api, cart, item)) == expected
    assert methods(api, cart) == [CHECKMO, FREE]


def test_an_item_without_cart_item(api: Api) -> None:
    """No `cartItem` is a 400 naming it. (No `sku` is a PHP TypeError: a 500, plain text in
    developer mode, so it is no contract; tests/sandbox covers the sandbox's 500.)"""
    cart = new_cart(api)
    response = api.request("POST", f"/V1/guest-carts/{cart}/items", json={}, auth=None)
    assert error_of(response) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "cartItem"},
        },
    )


def test_an_unknown_item_id(api: Api) -> None:
    """An `item_id` the cart lacks: 404 naming the cart's quote id and the item id."""
    cart = new_cart(api)
    quote_id = add(api, cart, {"sku": "IR-SKU-024", "qty": 1}).json()["quote_id"]
    response = add(api, cart, {"sku": "IR-SKU-024", "qty": 1, "item_id": 99_999_999})
    assert error_of(response) == (
        404,
        {
            "message": "The %1 Cart doesn't contain the %2 item.",
            "parameters": [quote_id, 99_999_999],
        },
    )


@pytest.fixture
def unsellable(api: Api) -> Iterator[dict[str, str]]:
    """Products of this test's own (deleted afterwards): disabled, out of stock, in no website."""
    suffix = uuid.uuid4().hex[:8].upper()
    skus = {
        "disabled": f"CARTS-DIS-{suffix}",
        "out_of_stock": f"CARTS-OOS-{suffix}",
        "no_website": f"CARTS-NOWEB-{suffix}",
    }
    for kind, sku in skus.items():
        product = {
            "sku": sku,
            "name": sku,
            "attribute_set_id": 4,
            "price": 5,
            "status": 2 if kind == "disabled" else 1,
            "visibility": 4,
            "type_id": "simple",
            "extension_attributes": {
                "website_ids": [] if kind == "no_website" else [1],
                "stock_item": {"qty": 0 if kind == "out_of_stock" else 100,
                               "is_in_stock": kind != "out_of_stock"},
            },
        }  # fmt: skip
        response = api.request("POST", "/V1/products", json={"product": product})
        assert response.status_code == 200, response.text
    try:
        yield skus
    finally:
        for sku in skus.values():
            api.request("DELETE", f"/V1/products/{sku}", store="all")


def test_a_disabled_or_out_of_stock_product(api: Api, unsellable: dict[str, str]) -> None:
    """Neither goes into a cart: the same 400 for both. A product in no website does (the
    guest-cart API does not check websites)."""
    cart = new_cart(api)
    assert error_of(add(api, cart, {"sku": unsellable["disabled"], "qty": 1})) == NOT_AVAILABLE
    assert error_of(add(api, cart, {"sku": unsellable["out_of_stock"], "qty": 1})) == NOT_AVAILABLE
    assert methods(api, cart) == [CHECKMO, FREE]
    added = add(api, cart, {"sku": unsellable["no_website"], "qty": 1})
    assert added.status_code == 200, added.text
    assert methods(api, cart) == [CHECKMO]
