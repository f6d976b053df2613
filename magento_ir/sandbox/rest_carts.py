"""Guest cart routes: create a cart, add an item, list the payment methods it may use.

As Magento 2.4.7's `Magento_Quote` answers them anonymously (checked against a real store): the
cart id in the URL is the 32-character masked id, an unknown one is a 404 on reads but
`"quoteId" is required` on item saves (the mask resolves to no quote), and the payment methods
follow `payment/<code>/active` at the cart's store view.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.errors import (
    WebapiError,
    internal_error,
    invalid_value,
    no_such_entity,
    required_field,
)
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.state import GuestCart
from magento_ir.sandbox.storefront import active_payment_methods, cart_total

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["CART_ITEM", "add_line", "routes"]

routes = RouteTable()
# Magento\Quote\Api\Data\CartItemInterface
CART_ITEM = frozenset(
    {
        "item_id",
        "sku",
        "qty",
        "name",
        "price",
        "product_type",
        "quote_id",
        "product_option",
        "extension_attributes",
    }
)
_MASK_ALPHABET = string.ascii_letters + string.digits
_MASK_LENGTH = 32
# cataloginventory/item_options/max_sale_qty's default.
_MAX_SALE_QTY = 10_000
_NOT_AVAILABLE = "Product that you are trying to add is not available."


@routes.rest("POST", "/V1/guest-carts", acl="anonymous")
def create_cart(call: Call) -> JsonValue:
    state = call.state
    state.last_quote_id += 1
    masked = "".join(secrets.choice(_MASK_ALPHABET) for _ in range(_MASK_LENGTH))
    state.guest_carts[masked] = GuestCart(state.last_quote_id, call.store.id)
    return masked


@routes.rest("GET", "/V1/guest-carts/:cartId/payment-methods", acl="anonymous")
def payment_methods(call: Call) -> JsonValue:
    cart = call.state.guest_carts.get(call.params["cartId"])
    if cart is None:
        raise no_such_entity("cartId", None)
    total = cart_total(call.state, {pid: line[1] for pid, line in cart.lines.items()})
    return [
        {"code": code, "title": title}
        for code, title in active_payment_methods(call.state, cart.store_id, total)
    ]


@routes.rest(
    "POST",
    "/V1/guest-carts/:cartId/items",
    acl="anonymous",
    body={"cartItem": CART_ITEM},
    required=("cartItem",),
)
def add_item(call: Call) -> JsonValue:
    cart = call.state.guest_carts.get(call.params["cartId"])
    if cart is None:
        raise required_field("quoteId")
    return add_line(call, cart, call.body["cartItem"])


def add_line(call: Call, cart: GuestCart, item: dict[str, Any]) -> JsonValue:
    """`CartItemRepository::save` for one cart (guest or customer): a new line or a new qty."""
    qty = _qty(item.get("qty"))
    state = call.state
    if qty is None:
        raise invalid_value("qty", item.get("qty"))
    if item.get("item_id") is not None:
        return _update_line(call, cart, item["item_id"], qty)
    if not isinstance(item.get("sku"), str):
        # PHP's TypeError in ProductRepository::get: a 500 (plain text in developer mode).
        raise internal_error()
    product_id = state.product_id_for_sku(item["sku"])
    row = state.products.get(product_id) if product_id is not None else None
    if product_id is None or row is None:
        raise WebapiError(
            404, "The product that was requested doesn't exist. Verify the product and try again."
        )
    # 2.4.7 does not check the product's websites here: one in no website is accepted.
    if state.product_status(product_id, cart.store_id) != 1 or int(row.get("qty", 0)) <= 0:
        raise WebapiError(400, _NOT_AVAILABLE)
    line = cart.lines.get(product_id)
    wanted = max(qty, 1) + (line[1] if line else 0)
    _check_qty(qty, wanted, row)
    if line is None:
        state.last_quote_item_id += 1
        line = cart.lines[product_id] = [state.last_quote_item_id, 0]
    line[1] = int(wanted)
    return _item(cart, row, line)


def _qty(raw: object) -> float | None:
    """The qty as Magento's input processor casts it to float; None when absent."""
    if raw is None:
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            pass
    shown = "1" if raw is True else raw
    raise WebapiError(
        400,
        f'Error occurred during "qty" processing. The "{shown}" value\'s type is invalid. '
        'The "float" type was expected. Verify and try again.',
        traced=False,
    )


def _check_qty(qty: float, wanted: float, row: dict[str, Any]) -> None:
    if not qty.is_integer():
        raise WebapiError(400, "You cannot use decimal quantity for this product.")
    if wanted > _MAX_SALE_QTY:
        raise WebapiError(400, "The requested qty exceeds the maximum qty allowed in shopping cart")
    if wanted > float(row.get("qty", 0)):
        raise WebapiError(400, "The requested qty is not available")


def _update_line(call: Call, cart: GuestCart, item_id: object, qty: float) -> JsonValue:
    for product_id, line in cart.lines.items():
        if str(line[0]) == str(item_id):
            row = call.state.products.get(product_id)
            if row is not None:
                _check_qty(qty, max(qty, 1), row)
                line[1] = int(max(qty, 1))
                return _item(cart, row, line)
    raise WebapiError(
        404, "The %1 Cart doesn't contain the %2 item.", [str(cart.quote_id), item_id]
    )


def _item(cart: GuestCart, row: dict[str, Any], line: list[int]) -> JsonValue:
    price = float(row.get("price") or 0)
    return {
        "item_id": line[0],
        "sku": row["sku"],
        "qty": line[1],
        "name": row["name"],
        "price": int(price) if price.is_integer() else price,
        "product_type": row.get("type_id", "simple"),
        "quote_id": str(cart.quote_id),
    }
