"""Checkout over REST: shipping information, payment information and order placement.

As Magento 2.4.7's `Magento_Checkout` and `Magento_Quote` answer them, for guest carts (masked id,
anonymous) and a customer's own cart (`carts/mine`, customer token). Every placement goes through
`place_order`, where the companion module's payment guard sits on a real store (its plugin on
`CartManagementInterface::placeOrder`); GraphQL's `placeOrder` calls it too.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import fixtures, module_guard
from magento_ir.sandbox.errors import WebapiError, no_such_entity, required_field
from magento_ir.sandbox.rest_carts import CART_ITEM, add_line
from magento_ir.sandbox.routing import Call, PageCall, RouteTable
from magento_ir.sandbox.state import USER_TYPE_CUSTOMER, GuestCart, magento_time
from magento_ir.sandbox.storefront import active_payment_methods, cart_total

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue
    from magento_ir.sandbox.state import StoreState

__all__ = ["place_order", "routes"]

routes = RouteTable()
# The flat-rate carrier's defaults: $5 per item.
FLAT_RATE_PER_ITEM = 5.0
SHIPPING_METHOD_MISSING = (
    "The shipping method is missing. Select the shipping method and try again."
)
METHOD_NOT_AVAILABLE = "The requested Payment Method is not available."
SHIPPING_ADDRESS_MISSING = "The shipping address is missing. Set the address and try again."
_ADDRESS_INFORMATION = frozenset(
    {
        "shipping_address",
        "billing_address",
        "shipping_method_code",
        "shipping_carrier_code",
        "extension_attributes",
        "custom_attributes",
    }
)
_PAYMENT_METHOD = frozenset({"method", "po_number", "additional_data", "extension_attributes"})


def _lines(cart: GuestCart) -> dict[int, int]:
    return {product_id: line[1] for product_id, line in cart.lines.items()}


def _totals(state: StoreState, cart: GuestCart) -> dict[str, Any]:
    subtotal = cart_total(state, _lines(cart))
    qty = sum(_lines(cart).values())
    shipping = FLAT_RATE_PER_ITEM * qty if cart.shipping_method else 0.0
    grand = subtotal + shipping
    return {
        "grand_total": grand,
        "base_grand_total": grand,
        "subtotal": subtotal,
        "base_subtotal": subtotal,
        "shipping_amount": shipping,
        "base_shipping_amount": shipping,
        "items_qty": qty,
        "base_currency_code": "USD",
        "quote_currency_code": "USD",
    }


def _guest_cart(call: Call) -> GuestCart:
    cart = call.state.guest_carts.get(call.params["cartId"])
    if cart is None:
        raise no_such_entity("cartId", call.params["cartId"])
    return cart


def _customer_id(call: Call) -> int:
    if call.caller.user_type != USER_TYPE_CUSTOMER or call.caller.user_id is None:
        raise required_field("customerId")
    return call.caller.user_id


def _my_cart(call: Call) -> GuestCart:
    cart = call.state.customer_carts.get(_customer_id(call))
    if cart is None:
        raise WebapiError(
            404,
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "customerId", "fieldValue": _customer_id(call)},
        )
    return cart


def _shipping_information(call: Call, cart: GuestCart) -> JsonValue:
    info: dict[str, Any] = call.body["addressInformation"] or {}
    if not cart.lines:
        raise WebapiError(
            400,
            "The shipping method can't be set for an empty cart. "
            "Add an item to cart and try again.",
        )
    carrier, method = info.get("shipping_carrier_code"), info.get("shipping_method_code")
    if not info.get("shipping_address"):
        raise WebapiError(400, SHIPPING_ADDRESS_MISSING)
    if (carrier, method) != ("flatrate", "flatrate"):
        raise WebapiError(
            400, "Carrier with such method not found: %1, %2", [str(carrier), str(method)]
        )
    cart.shipping_address = dict(info["shipping_address"])
    cart.billing_address = dict(info.get("billing_address") or info["shipping_address"])
    cart.shipping_method = "flatrate_flatrate"
    if cart.customer_id is None and cart.shipping_address.get("email"):
        cart.email = str(cart.shipping_address["email"])
    totals = _totals(call.state, cart)
    methods = active_payment_methods(call.state, cart.store_id, totals["grand_total"])
    return {
        "payment_methods": [{"code": code, "title": title} for code, title in methods],
        "totals": totals,
    }


def place_order(
    call: Call | PageCall, cart: GuestCart, channel: str, payment: dict[str, Any] | None
) -> int:
    """`QuoteManagement::placeOrder` with the module's guard plugin around it: the order id."""
    state: StoreState = call.state
    method = (payment or {}).get("method") or cart.payment_method
    email = cart.email
    if cart.customer_id is not None:
        customer = state.customers.get(cart.customer_id) or {}
        email = str(customer.get("email") or "") or None
    attempt = module_guard.Attempt(
        channel,
        call.request.client_ip or None,
        email.lower() if email else None,
        cart.customer_id,
        cart.quote_id,
        method,
        module_guard.card_prefix(((payment or {}).get("additional_data") or {}).get("cc_number")),
    )
    guarded = call.sandbox.options.with_module
    module = state.incident_response
    if guarded:
        refusal = module_guard.check(module, attempt, call.now)
        if refusal is not None:
            raise WebapiError(400, refusal)
    try:
        order_id = _submit(call, cart, method, email)
    except WebapiError:
        if guarded:
            module_guard.record(module, attempt, "failure", call.now)
        raise
    if guarded:
        module_guard.record(module, attempt, "order", call.now)
    return order_id


def _submit(call: Call | PageCall, cart: GuestCart, method: str | None, email: str | None) -> int:
    state: StoreState = call.state
    if not cart.shipping_method:
        raise WebapiError(400, SHIPPING_METHOD_MISSING)
    totals = _totals(state, cart)
    if method not in dict(active_payment_methods(state, cart.store_id, totals["grand_total"])):
        raise WebapiError(400, METHOD_NOT_AVAILABLE)
    order = copy.deepcopy(fixtures.ORDER_1)
    entity_id = state.orders.next_id()
    now = magento_time(call.now)
    address = cart.billing_address or {}
    order.update(
        {
            "entity_id": entity_id,
            "increment_id": f"{entity_id:09d}",
            "created_at": now,
            "updated_at": now,
            "quote_id": cart.quote_id,
            "remote_ip": call.request.client_ip,
            "customer_email": email,
            "customer_firstname": address.get("firstname"),
            "customer_lastname": address.get("lastname"),
            "customer_is_guest": 1 if cart.customer_id is None else 0,
            "customer_group_id": 0 if cart.customer_id is None else 1,
            "state": "new",
            "status": "pending",
            "store_id": cart.store_id,
            "grand_total": totals["grand_total"],
            "base_grand_total": totals["grand_total"],
            "subtotal": totals["subtotal"],
            "base_subtotal": totals["subtotal"],
            "total_due": totals["grand_total"],
            "base_total_due": totals["grand_total"],
            "total_qty_ordered": totals["items_qty"],
            "status_histories": [],
        }
    )
    if cart.customer_id is None:
        order.pop("customer_id", None)
    else:
        order["customer_id"] = cart.customer_id
    order["payment"] = {**order["payment"], "method": method, "parent_id": entity_id}
    state.orders.put(entity_id, order)
    # The quote is inactive now: its masked id and the customer's cart are gone.
    for masked, candidate in list(state.guest_carts.items()):
        if candidate is cart:
            del state.guest_carts[masked]
    if cart.customer_id is not None:
        state.customer_carts.pop(cart.customer_id, None)
    return entity_id


def _save_payment(call: Call, cart: GuestCart, payment: dict[str, Any]) -> None:
    """`savePaymentInformation`, which runs before `placeOrder` (so before the module's guard):
    its refusals are not placement failures."""
    if not cart.shipping_address:
        raise WebapiError(400, SHIPPING_ADDRESS_MISSING)
    total = _totals(call.state, cart)["grand_total"]
    method = payment.get("method")
    if method not in dict(active_payment_methods(call.state, cart.store_id, total)):
        raise WebapiError(400, METHOD_NOT_AVAILABLE)
    cart.payment_method = method


def _payment(call: Call) -> dict[str, Any]:
    payment = call.body.get("paymentMethod")
    if not isinstance(payment, dict):
        raise required_field("paymentMethod")
    return payment


# --- guest carts ----------------------------------------------------------------------------
@routes.rest(
    "POST",
    "/V1/guest-carts/:cartId/shipping-information",
    acl="anonymous",
    body={"addressInformation": _ADDRESS_INFORMATION},
    required=("addressInformation",),
)
def guest_shipping_information(call: Call) -> JsonValue:
    return _shipping_information(call, _guest_cart(call))


@routes.rest(
    "POST",
    "/V1/guest-carts/:cartId/payment-information",
    acl="anonymous",
    body={"email": None, "paymentMethod": _PAYMENT_METHOD, "billingAddress": None},
    required=("email", "paymentMethod"),
)
def guest_payment_information(call: Call) -> JsonValue:
    cart = _guest_cart(call)
    payment = _payment(call)
    _save_payment(call, cart, payment)
    cart.email = str(call.body["email"])
    if isinstance(call.body.get("billingAddress"), dict):
        cart.billing_address = dict(call.body["billingAddress"])
    # The card data stays on the quote payment for this request (what BIN rules read).
    return place_order(call, cart, "webapi_rest", payment)


@routes.rest(
    "PUT",
    "/V1/guest-carts/:cartId/order",
    acl="anonymous",
    body={"paymentMethod": _PAYMENT_METHOD},
)
def guest_place_order(call: Call) -> JsonValue:
    cart = _guest_cart(call)
    payment = (
        call.body.get("paymentMethod") if isinstance(call.body.get("paymentMethod"), dict) else None
    )
    return place_order(call, cart, "webapi_rest", payment)


# --- a customer's own cart ------------------------------------------------------------------
@routes.rest("POST", "/V1/carts/mine", acl="self")
def create_my_cart(call: Call) -> JsonValue:
    customer_id = _customer_id(call)
    cart = call.state.customer_carts.get(customer_id)
    if cart is None:
        call.state.last_quote_id += 1
        cart = GuestCart(call.state.last_quote_id, call.store.id, customer_id=customer_id)
        call.state.customer_carts[customer_id] = cart
    return cart.quote_id


@routes.rest(
    "POST",
    "/V1/carts/mine/items",
    acl="self",
    body={"cartItem": CART_ITEM},
    required=("cartItem",),
)
def add_my_item(call: Call) -> JsonValue:
    return add_line(call, _my_cart(call), call.body["cartItem"])


@routes.rest(
    "POST",
    "/V1/carts/mine/shipping-information",
    acl="self",
    body={"addressInformation": _ADDRESS_INFORMATION},
    required=("addressInformation",),
)
def my_shipping_information(call: Call) -> JsonValue:
    return _shipping_information(call, _my_cart(call))


@routes.rest(
    "POST",
    "/V1/carts/mine/payment-information",
    acl="self",
    body={"paymentMethod": _PAYMENT_METHOD, "billingAddress": None},
    required=("paymentMethod",),
)
def my_payment_information(call: Call) -> JsonValue:
    cart = _my_cart(call)
    payment = _payment(call)
    _save_payment(call, cart, payment)
    return place_order(call, cart, "webapi_rest", payment)


@routes.rest("PUT", "/V1/carts/mine/order", acl="self", body={"paymentMethod": _PAYMENT_METHOD})
def my_place_order(call: Call) -> JsonValue:
    cart = _my_cart(call)
    payment = (
        call.body.get("paymentMethod") if isinstance(call.body.get("paymentMethod"), dict) else None
    )
    return place_order(call, cart, "webapi_rest", payment)
