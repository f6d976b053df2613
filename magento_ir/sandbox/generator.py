"""Build a store: the reference fixtures, plus a seeded generator for large realistic stores.

Generated entities are never built up front: each table derives a row from its id and the seed
(`_mix` is a splitmix64 step), so 100,000 products and 1,000,000 customers start in milliseconds.
The same options always give the same store.
"""

from __future__ import annotations

import base64
import copy
import functools
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from magento_ir.sandbox import fixtures
from magento_ir.sandbox.columnar import GeneratedIndex, digits_text
from magento_ir.sandbox.state import (
    AdminRole,
    AdminUser,
    EntityTable,
    Integration,
    StoreGroup,
    StoreState,
    StoreView,
    Website,
    hash_password,
)
from magento_ir.sandbox.state import magento_time as _time

if TYPE_CHECKING:
    from collections.abc import Callable

    from numpy.typing import NDArray

    from magento_ir.sandbox.messages import JsonValue
    from magento_ir.sandbox.options import SandboxOptions

__all__ = [
    "FIRST_GENERATED_CUSTOMER_ID",
    "FIRST_GENERATED_PRODUCT_ID",
    "add_card_testing_burst",
    "build_state",
]

FIRST_GENERATED_PRODUCT_ID = 34
FIRST_GENERATED_CUSTOMER_ID = 15
FIRST_GENERATED_ORDER_ID = 2
FIXTURE_CUSTOMERS = 12
GENERATED_EPOCH = 1_763_000_000  # 2025-11-13: generated history ends before the fixtures
CARD_TESTING_IP = "203.0.113.77"

# (code, name, locale) of the store views after `default`.
_EXTRA_VIEWS = (
    ("fr", "French Store View", "fr_FR"),
    ("de", "German Store View", "de_DE"),
    ("es", "Spanish Store View", "es_ES"),
    ("it", "Italian Store View", "it_IT"),
    ("nl", "Dutch Store View", "nl_NL"),
)
_ADJECTIVES = ("Classic", "Trail", "Urban", "Summit", "Breeze", "Nova", "Harbor", "Canyon")
_MATERIALS = ("Cotton", "Wool", "Leather", "Linen", "Fleece", "Denim", "Canvas", "Bamboo")
_NOUNS = ("Jacket", "Tee", "Backpack", "Hoodie", "Sneaker", "Cap", "Scarf", "Tote", "Short")
_FIRST_NAMES = ("Alex", "Maria", "Sam", "Priya", "Jordan", "Chen", "Fatima", "Lucas", "Noor")
_LAST_NAMES = ("Smith", "Garcia", "Nguyen", "Okafor", "Muller", "Rossi", "Kowalski", "Silva")
_CITIES = (("Austin", "TX", 57, "Texas", "78701"), ("Denver", "CO", 13, "Colorado", "80202"))
_SKU = re.compile(r"SB(\d{6,})", re.IGNORECASE)
_EMAIL = re.compile(r"customer(\d{7,})@example\.com")
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
# The seeded order as JSON types. A generated order copies only the dicts it changes and shares
# the rest with this template (rows are never mutated in place: writes deep-copy first), which
# is 6x cheaper than a deep copy of the whole template per order.
_ORDER_TEMPLATE: dict[str, Any] = json.loads(json.dumps(fixtures.ORDER_1))
_ASSIGNMENT_TEMPLATE: dict[str, Any] = _ORDER_TEMPLATE["extension_attributes"][
    "shipping_assignments"
][0]
DEFAULT_HEAD_INCLUDES = (
    '<link  rel="stylesheet" type="text/css"  media="all" href="{{MEDIA_URL}}styles.css" />'
)


def _mix(seed: int, stream: int, index: int) -> int:
    """splitmix64 of (seed, stream, index): cheap, well spread, reproducible."""
    value = (seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03 + index) & (2**64 - 1)
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & (2**64 - 1)
    return value ^ (value >> 31)


def _mix_many(seed: int, stream: int, count: int | NDArray[np.int64]) -> NDArray[np.uint64]:
    """`_mix(seed, stream, i)` for i in 1..count (or in an array), as one array (uint64
    arithmetic wraps)."""
    numbers = np.arange(1, count + 1) if isinstance(count, int) else count
    value = numbers.astype(np.uint64) + np.uint64(
        (seed * 0x9E3779B97F4A7C15 + stream * 0xD1B54A32D192ED03) & (2**64 - 1)
    )
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: NDArray[np.uint64] = value ^ (value >> np.uint64(31))
    return mixed


def _times(timestamps: NDArray[np.int64]) -> tuple[NDArray[np.bytes_], NDArray[np.int64]]:
    """`_time` of each timestamp, as (distinct texts, index of each), in integer arithmetic on
    arrays: no Python object per row, and NumPy releases the GIL meanwhile. Each distinct day's
    date and each second of the day's clock are written once, then copied to the rows."""
    distinct, codes = np.unique(timestamps, return_inverse=True)
    days, seconds = np.divmod(distinct.astype(np.int64), 86_400)
    # `days` ascends, as the timestamps do: each run of one day is that day's.
    new_day = np.ones(len(days), dtype=np.bool_)
    new_day[1:] = days[1:] != days[:-1]
    matrix = np.empty((len(distinct), 19), dtype=np.uint8)
    matrix[:, :11] = _rows(_dates(days[new_day]))[np.cumsum(new_day) - 1]
    matrix[:, 11:] = _rows(_clock())[seconds]
    return matrix.view("S19").reshape(-1), codes.reshape(-1)


def _rows(texts: NDArray[np.bytes_]) -> NDArray[np.uint8]:
    return texts.view(np.uint8).reshape(len(texts), texts.dtype.itemsize)


def _dates(days: NDArray[np.int64]) -> NDArray[np.bytes_]:
    """`YYYY-MM-DD ` of days since 1970-01-01 (H. Hinnant's civil_from_days)."""
    shifted = days + 719_468
    era = shifted // 146_097
    day_of_era = shifted - era * 146_097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = np.where(month_index < 10, month_index + 3, month_index - 9)  # noqa: PLR2004
    year = year_of_era + era * 400 + (month <= 2)  # noqa: PLR2004
    return _joined(len(days), [(year, 4), b"-", (month, 2), b"-", (day, 2), b" "])


@functools.cache
def _clock() -> NDArray[np.bytes_]:
    """`HH:MM:SS` of every second of a day, by its index."""
    seconds = np.arange(86_400, dtype=np.int64)
    parts: list[bytes | tuple[NDArray[np.int64], int]] = [
        (seconds // 3600, 2), b":", (seconds // 60 % 60, 2), b":", (seconds % 60, 2),
    ]  # fmt: skip
    return _joined(86_400, parts)


def _joined(count: int, parts: list[bytes | tuple[NDArray[np.int64], int]]) -> NDArray[np.bytes_]:
    """Texts of `count` rows, each the concatenation of the parts: constant bytes, or
    (numbers, width) written zero-padded to at least that width (all of one width here)."""
    pieces = []
    for part in parts:
        if isinstance(part, bytes):
            pieces.append(np.broadcast_to(np.frombuffer(part, dtype=np.uint8), (count, len(part))))
        else:
            numbers, width = part
            texts = digits_text(numbers, width=width)
            pieces.append(texts.view(np.uint8).reshape(count, texts.dtype.itemsize))
    matrix = np.ascontiguousarray(np.concatenate(pieces, axis=1))
    joined: NDArray[np.bytes_] = matrix.view(f"S{matrix.shape[1]}").reshape(-1)
    return joined


# --- products -------------------------------------------------------------------------------
def _product_row(  # noqa: PLR0917 - one argument per recorded column
    entity_id: int,
    sku: str,
    name: str,
    price: float,
    created: str,
    updated: str,
    url_key: str,
    **extra: JsonValue,
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": entity_id,
        "sku": sku,
        "name": name,
        "attribute_set_id": 4,
        "price": price,
        "status": 1,
        "visibility": 4,
        "type_id": "simple",
        "created_at": created,
        "updated_at": updated,
        "weight": 1,
        "website_ids": [1],
        "url_key": url_key,
        "qty": 100,
        "has_options": "0",
        "required_options": "0",
        "category_ids": [],
    }
    row.update(extra)
    return row


def _generated_product(seed: int, entity_id: int) -> dict[str, Any]:
    number = entity_id - FIRST_GENERATED_PRODUCT_ID + 1
    bits = _mix(seed, 1, number)
    block, position = divmod(number - 1, 10)
    parent_bits = _mix(seed, 1, block * 10 + 1)
    name = " ".join(
        (
            _ADJECTIVES[parent_bits % 8],
            _MATERIALS[(parent_bits >> 8) % 8],
            _NOUNS[(parent_bits >> 16) % 9],
        )
    )
    extra: dict[str, Any] = {}
    if position == 0:
        extra = {"type_id": "configurable", "has_options": "1", "required_options": "1"}
        extra["weight"] = 0
    elif position <= 3:  # noqa: PLR2004 - three children per configurable
        name = f"{name}-{('S', 'M', 'L')[position - 1]}"
        extra = {"visibility": 1}
    else:
        name = f"{name} {number}"
    created = GENERATED_EPOCH - 86_400 * 400 + (number * 37) % (86_400 * 390)
    sku = f"SB{number:06d}"
    row = _product_row(
        entity_id,
        sku,
        name,
        round(5 + (bits % 19_500) / 100, 2),
        _time(created),
        _time(created + (bits >> 20) % 86_400 * 30),
        f"{name.lower().replace(' ', '-')}-{sku.lower()}",
        qty=(bits >> 40) % 500,
        category_ids=[str(3 + (bits >> 12) % 20)],
        **extra,
    )
    if (bits >> 50) % 20 == 0:
        row["status"] = 2
    return row


def _product_columns(seed: int, count: int) -> dict[str, Callable[[], Any]]:  # noqa: C901 - one closure per column
    """The fields that vary between generated products, as columns (see columnar.py): what
    `_generated_product` derives, for every product at once."""

    def numbers() -> NDArray[np.int64]:
        return np.arange(1, count + 1, dtype=np.int64)

    def bits() -> NDArray[np.uint64]:
        return _mix_many(seed, 1, count)

    def position() -> NDArray[np.int64]:
        return (numbers() - 1) % 10

    def names() -> list[str]:
        parents = _mix_many(seed, 1, (numbers() - 1) // 10 * 10 + 1)
        bases = [
            f"{_ADJECTIVES[a]} {_MATERIALS[m]} {_NOUNS[n]}"
            for a, m, n in zip(
                (parents % 8).tolist(),
                ((parents >> 8) % 8).tolist(),
                ((parents >> 16) % 9).tolist(),
                strict=True,
            )
        ]
        return [
            base if place == 0 else f"{base}-{'SML'[place - 1]}" if place <= 3 else f"{base} {n}"  # noqa: PLR2004
            for base, place, n in zip(bases, position().tolist(), range(1, count + 1), strict=True)
        ]

    def skus() -> list[str]:
        return [f"SB{number:06d}" for number in range(1, count + 1)]

    def created() -> NDArray[np.int64]:
        stamps: NDArray[np.int64] = (
            GENERATED_EPOCH - 86_400 * 400 + (numbers() * 37) % (86_400 * 390)
        )
        return stamps

    def price() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        values = np.array([round(5 + cents / 100, 2) for cents in range(19_500)])
        return values, (bits() % 19_500).astype(np.int64)

    def categories() -> tuple[list[list[str]], NDArray[np.int64]]:
        return [[str(3 + code)] for code in range(20)], ((bits() >> 12) % 20).astype(np.int64)

    def parent() -> NDArray[np.bool_]:
        first: NDArray[np.bool_] = position() == 0
        return first

    def texts(values: list[str]) -> tuple[list[str], NDArray[np.int64]]:
        return values, np.arange(len(values), dtype=np.int64)

    return {
        "sku": lambda: texts(skus()),
        "name": lambda: texts(names()),
        "url_key": lambda: texts(
            [
                f"{name.lower().replace(' ', '-')}-{sku.lower()}"
                for name, sku in zip(names(), skus(), strict=True)
            ]
        ),
        "price": price,
        "created_at": lambda: _times(created()),
        "updated_at": lambda: _times(created() + ((bits() >> 20) % 86_400 * 30).astype(np.int64)),
        "qty": lambda: ((bits() >> 40) % 500).astype(np.int64),
        "category_ids": categories,
        "category_id": categories,
        "type_id": lambda: (["simple", "configurable"], parent()),
        "has_options": lambda: (["0", "1"], parent()),
        "required_options": lambda: (["0", "1"], parent()),
        "weight": lambda: np.where(parent(), 0, 1),
        "visibility": lambda: np.where((position() >= 1) & (position() <= 3), 1, 4),  # noqa: PLR2004
        "status": lambda: np.where((bits() >> 50) % 20 == 0, 2, 1),
    }


# --- customers ------------------------------------------------------------------------------
def _customer_row(  # noqa: PLR0917 - one argument per recorded column
    entity_id: int, email: str, firstname: str, lastname: str, created: str, updated: str
) -> dict[str, Any]:
    return {
        "id": entity_id,
        "group_id": 1,
        "created_at": created,
        "updated_at": updated,
        "created_in": "Default Store View",
        "email": email,
        "firstname": firstname,
        "lastname": lastname,
        "store_id": 1,
        "website_id": 1,
        "addresses": [],
        "disable_auto_group_change": 0,
        "is_subscribed": False,
        "is_active": 1,
    }


def _customer_email(number: int) -> str:
    return f"customer{number:07d}@example.com"


def _customer_emails(numbers: NDArray[np.int64]) -> NDArray[np.bytes_]:
    """`_customer_email` of each number, as bytes texts (zero-padded numbers share a width;
    past 9,999,999 they do not, and one text at a time is right then)."""
    if len(numbers) and int(numbers.max()) >= 10**7:
        return np.array([_customer_email(number) for number in numbers.tolist()], dtype=np.bytes_)
    return _joined(len(numbers), [b"customer", (numbers, 7), b"@example.com"])


def _customer_created(number: Any) -> Any:  # noqa: ANN401 - an int or an array
    """created_at (unix seconds) of generated customer `number` (an int or an array)."""
    return GENERATED_EPOCH - 86_400 * 1000 + number * 61 % (86_400 * 990)


def _generated_customer(seed: int, entity_id: int) -> dict[str, Any]:
    number = entity_id - FIRST_GENERATED_CUSTOMER_ID + 1
    bits = _mix(seed, 2, number)
    created = _customer_created(number)
    return _customer_row(
        entity_id,
        _customer_email(number),
        _FIRST_NAMES[bits % 9],
        _LAST_NAMES[(bits >> 8) % 8],
        _time(created),
        _time(created + (bits >> 16) % 86_400),
    )


def _customer_columns(seed: int, count: int) -> dict[str, Callable[[], Any]]:
    """The fields that vary between generated customers, as columns (see columnar.py)."""

    def bits() -> NDArray[np.uint64]:
        return _mix_many(seed, 2, count)

    def created() -> NDArray[np.int64]:
        return _customer_created(np.arange(1, count + 1, dtype=np.int64))  # type: ignore[no-any-return]

    return {
        "email": lambda: (
            _customer_emails(np.arange(1, count + 1, dtype=np.int64)),
            np.arange(count, dtype=np.int64),
        ),
        "firstname": lambda: (list(_FIRST_NAMES), bits() % 9),
        "lastname": lambda: (list(_LAST_NAMES), (bits() >> 8) % 8),
        "created_at": lambda: _times(created()),
        "updated_at": lambda: _times(created() + ((bits() >> 16) % 86_400).astype(np.int64)),
    }


# --- orders, invoices, transactions ---------------------------------------------------------
def _burst_size(orders: int) -> int:
    return 0 if orders == 0 else max(1, min(50, orders // 10))


def _order_customer_email(customer_id: int) -> str:
    if customer_id >= FIRST_GENERATED_CUSTOMER_ID:
        return _customer_email(customer_id - FIRST_GENERATED_CUSTOMER_ID + 1)
    return f"ir.customer{customer_id - 2:02d}@example.com"


def _order_customer(seed: int, customer_id: int) -> tuple[str, str, str]:
    """(email, firstname, lastname) of an order's customer, as `_generated_customer` has them
    (without deriving the rest of the customer: its two timestamps cost more than the order's)."""
    if customer_id >= FIRST_GENERATED_CUSTOMER_ID:
        number = customer_id - FIRST_GENERATED_CUSTOMER_ID + 1
        bits = _mix(seed, 2, number)
        return _customer_email(number), _FIRST_NAMES[bits % 9], _LAST_NAMES[(bits >> 8) % 8]
    return _order_customer_email(customer_id), f"Ir{customer_id - 2}", "Customer"


def _regular_created(number: Any) -> Any:  # noqa: ANN401 - an int or an array
    """created_at (unix seconds) of generated order `number` (an int or an array)."""
    return GENERATED_EPOCH - 86_400 * 200 + number * 113 % (86_400 * 199)


def _burst_created(number: Any) -> Any:  # noqa: ANN401 - an int or an array
    return GENERATED_EPOCH - 3600 + number % 3600


def _order_money(price_bits: int, qty: int, burst: bool) -> tuple[float, float, int, float]:
    """(price, subtotal, shipping, grand total) of a generated order."""
    price = (
        round(1 + price_bits % 400 / 100, 2) if burst else round(10 + price_bits % 9000 / 100, 2)
    )
    subtotal = round(price * qty, 2)
    shipping = 0 if burst else 10
    return price, subtotal, shipping, round(subtotal + shipping, 2)


def _remote_ip(bits: int) -> str:
    return f"198.51.100.{1 + bits % 250}"


def _protect_code(seed: int, entity_id: int) -> str:
    # Magento's protect_code is 32 hex digits (an md5 of a random id): two splitmix words,
    # which `_protect_codes` makes for a million orders as arrays.
    return f"{_mix(seed, 5, entity_id):016x}{_mix(seed, 6, entity_id):016x}"


def _protect_codes(
    seed: int, ids: NDArray[np.int64]
) -> tuple[NDArray[np.bytes_], NDArray[np.int64]]:
    """`_protect_code` of each id, as (distinct texts, sorted; index of each): the first word
    orders the texts (fixed-width lower-case hex orders as its number), and splitmix64 is a
    bijection, so no two ids share it."""
    high, low = _mix_many(seed, 5, ids), _mix_many(seed, 6, ids)
    order = np.argsort(high)
    raw = np.stack([high[order], low[order]], axis=1).astype(">u8").view(np.uint8)
    hexes = np.empty((len(ids), 32), dtype=np.uint8)
    hexes[:, 0::2] = _HEX_DIGITS[raw >> 4]
    hexes[:, 1::2] = _HEX_DIGITS[raw & 15]
    codes = np.empty(len(ids), dtype=np.int64)
    codes[order] = np.arange(len(ids), dtype=np.int64)
    return hexes.view("S32").reshape(-1), codes


def _generated_order(
    options: SandboxOptions,
    entity_id: int,
    *,
    burst_at: int | None = None,
    keys: frozenset[str] | None = None,
) -> dict[str, Any]:
    """A generated order; `burst_at`: a card-testing attempt created then (staged bursts).

    `keys`: only these top-level fields (the rest are not derived; `extension_attributes.*`
    with `extension_attributes.<name>`: only those of it, see `fields.item_fields`): a `?fields=`
    page of a million orders then skips the items, shipping assignments and hashes it does not
    send.
    """
    seed = options.seed
    number = entity_id - FIRST_GENERATED_ORDER_ID + 1
    bits = _mix(seed, 3, number)
    burst = burst_at is not None or number > options.orders - _burst_size(options.orders)
    # `bool`: every (non-empty) field name is wanted when no projection is asked for.
    want: Callable[[str], bool] = keys.__contains__ if keys is not None else bool
    # A projection copies no template: the fields it names and leaves unset are the template's.
    order = dict(_ORDER_TEMPLATE) if keys is None else {}
    product_count = len(fixtures.PRODUCTS) + options.products
    product_id = 1 + bits % product_count
    customer_total = FIXTURE_CUSTOMERS + options.customers
    customer_id = 3 + (bits >> 10) % customer_total
    email, firstname, lastname = _order_customer(seed, customer_id)
    created = _burst_created(number) if burst else _regular_created(number)
    if burst_at is not None:
        created = burst_at
    created_text = _time(created)
    qty = 1 if burst else 1 + (bits >> 20) % 3
    extended = want("extension_attributes")
    assigned = extended and (
        not want("extension_attributes.*") or want("extension_attributes.shipping_assignments")
    )
    # A page that sends and reads no amount (e.g. `payment[cc_last4]`) skips the money.
    priced = keys is None or want("items") or assigned or _priced(keys)
    # Unpriced, the amounts are placeholders no projected field carries (see `_projected`).
    price, subtotal, shipping, total = (
        _order_money(bits >> 24, qty, burst) if priced else (0.0, 0.0, 0, 0.0)
    )
    last4 = f"{(bits >> 32) % 10000:04d}"
    order.update(
        {
            "entity_id": entity_id,
            "increment_id": f"{entity_id:09d}",
            "created_at": created_text,
            "updated_at": _time(created + 120) if want("updated_at") else "",
            "quote_id": entity_id,
            "billing_address_id": entity_id * 2,
            "protect_code": _protect_code(seed, entity_id) if want("protect_code") else "",
            "remote_ip": CARD_TESTING_IP if burst else _remote_ip(bits),
            "customer_email": email,
            "customer_firstname": firstname,
            "customer_lastname": lastname,
            "customer_id": None if burst else customer_id,
            "customer_is_guest": 1 if burst else 0,
            "state": "canceled" if burst else "processing",
            "status": "canceled" if burst else "processing",
            "total_qty_ordered": qty,
        }
    )
    if burst:
        del order["customer_id"]
        order["customer_group_id"] = 0
    if priced:
        _set_amounts(order, burst, subtotal, shipping, total)
    if want("items") or assigned:
        item = dict(_ORDER_TEMPLATE["items"][0])
        order["items"] = [item]
        item.update(
            {
                "item_id": entity_id,
                "order_id": entity_id,
                "quote_item_id": entity_id,
                "product_id": product_id,
                "sku": f"SB{product_id - FIRST_GENERATED_PRODUCT_ID + 1:06d}"
                if product_id >= FIRST_GENERATED_PRODUCT_ID
                else fixtures.PRODUCTS[product_id - 1][1],
                "name": "Generated item",
                "created_at": created_text,
                "updated_at": created_text,
                "qty_ordered": qty,
                "qty_invoiced": 0 if burst else qty,
                "row_total": subtotal,
                "base_row_total": subtotal,
                "row_total_incl_tax": subtotal,
                "base_row_total_incl_tax": subtotal,
                "price": price,
                "base_price": price,
                "original_price": price,
                "base_original_price": price,
                "price_incl_tax": price,
                "base_price_incl_tax": price,
            }
        )
    city = _CITIES[bits % 2]
    address = {
        "city": city[0],
        "region_code": city[1],
        "region_id": city[2],
        "region": city[3],
        "postcode": city[4],
        "email": email,
        "firstname": firstname,
        "lastname": lastname,
        "parent_id": entity_id,
    }
    order["billing_address"] = {
        **_ORDER_TEMPLATE["billing_address"],
        **address,
        "entity_id": entity_id * 2,
    }
    title = "Credit Card (Braintree)"
    if extended:
        extension = dict(_ORDER_TEMPLATE["extension_attributes"])
        del extension["shipping_assignments"]  # the template's: this order's are built below
        if assigned:
            delivery = dict(_ASSIGNMENT_TEMPLATE["shipping"])
            delivery["address"] = {**delivery["address"], **address, "entity_id": entity_id * 2 - 1}
            extension["shipping_assignments"] = [
                {
                    **_ASSIGNMENT_TEMPLATE,
                    "shipping": delivery,
                    "items": [{**item, "extension_attributes": {"itemized_taxes": []}}],
                }
            ]
        order["extension_attributes"] = extension
        extension["payment_additional_info"] = [
            {"key": "method_title", "value": title},
            {"key": "cc_type", "value": ("VI", "MC", "AE")[bits % 3]},
            {
                "key": "processorResponseText",
                "value": "Processor Declined" if burst else "Approved",
            },
        ]
    order["payment"] = payment = dict(_ORDER_TEMPLATE["payment"])
    payment.update(
        {
            "entity_id": entity_id,
            "parent_id": entity_id,
            "method": "braintree",
            "additional_information": [title],
            "cc_last4": last4,
            "amount_ordered": total,
            "base_amount_ordered": total,
            "base_shipping_amount": shipping,
            "shipping_amount": shipping,
        }
    )
    return order if keys is None else _projected(order, keys, burst=burst, priced=priced)


def _set_amounts(
    order: dict[str, Any], burst: bool, subtotal: float, shipping: int, total: float
) -> None:
    for key in ("base_grand_total", "grand_total", "base_total_due", "total_due"):
        order[key] = 0 if not burst and "due" in key else total
    for key in ("base_subtotal", "base_subtotal_incl_tax", "subtotal", "subtotal_incl_tax"):
        order[key] = subtotal
    for key in (
        "base_shipping_amount",
        "shipping_amount",
        "base_shipping_incl_tax",
        "shipping_incl_tax",
    ):
        order[key] = shipping


def _projected(
    order: dict[str, Any], keys: frozenset[str], *, burst: bool, priced: bool
) -> dict[str, Any]:
    """The fields of `keys` (the template's where the order left them unset), in order."""
    named = _payment_fields(keys)
    if not priced and named is not None:  # the payment's amounts were not derived: not sent
        order["payment"] = {key: v for key, v in order["payment"].items() if key in named}
    template = _ORDER_TEMPLATE
    return {
        key: order[key] if key in order else template[key]
        for key in _in_order(keys)
        if key in order or not (burst and key == "customer_id")
    }


_PAYMENT_AMOUNTS = (
    "amount_ordered",
    "base_amount_ordered",
    "base_shipping_amount",
    "shipping_amount",
)
_ORDER_AMOUNTS = frozenset(
    {
        "base_grand_total",
        "grand_total",
        "base_total_due",
        "total_due",
        "base_subtotal",
        "base_subtotal_incl_tax",
        "subtotal",
        "subtotal_incl_tax",
        "base_shipping_amount",
        "shipping_amount",
        "base_shipping_incl_tax",
        "shipping_incl_tax",
    }
)


@functools.lru_cache(maxsize=64)
def _priced(keys: frozenset[str]) -> bool:
    """Whether a projection names an amount: of the order, or of its payment (a payment named
    without `payment.*` is sent whole)."""
    if not keys.isdisjoint(_ORDER_AMOUNTS):
        return True
    named = _payment_fields(keys)
    return "payment" in keys and (named is None or not named.isdisjoint(_PAYMENT_AMOUNTS))


@functools.lru_cache(maxsize=64)
def _payment_fields(keys: frozenset[str]) -> frozenset[str] | None:
    """The payment fields a projection names (`payment.*` with `payment.<field>`); None: all."""
    if "payment.*" not in keys:
        return None
    return frozenset(key.removeprefix("payment.") for key in keys if key.startswith("payment."))


@functools.lru_cache(maxsize=64)
def _in_order(keys: frozenset[str]) -> tuple[str, ...]:
    """The order fields among `keys`, in a generated order's (Magento's) key order: every
    field a generated order has is one of the template's, in its order."""
    return tuple(key for key in _ORDER_TEMPLATE if key in keys)


def _order_columns(options: SandboxOptions) -> dict[str, Callable[[], Any]]:  # noqa: C901 - one closure per column
    """The fields that vary between generated orders, as columns (see columnar.py)."""
    seed, count = options.seed, options.orders
    first = FIRST_GENERATED_ORDER_ID

    def numbers() -> NDArray[np.int64]:
        return np.arange(1, count + 1, dtype=np.int64)

    def burst() -> NDArray[np.bool_]:
        return numbers() > count - _burst_size(count)

    def bits() -> NDArray[np.uint64]:
        return _mix_many(seed, 3, count)

    def qty() -> NDArray[np.int64]:
        return np.where(burst(), 1, 1 + ((bits() >> 20) % 3).astype(np.int64))

    def created() -> NDArray[np.int64]:
        stamps: NDArray[np.int64] = np.where(
            burst(), _burst_created(numbers()), _regular_created(numbers())
        )
        return stamps

    # Shared by the customer columns (e-mail, names, id) and by the money columns: computed
    # once per store (13 and 8 MB kept), not once per column (0.1 s of CPU each).
    @functools.cache
    def customers() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        ids = 3 + ((bits() >> 10) % (FIXTURE_CUSTOMERS + options.customers)).astype(np.int64)
        distinct, codes = np.unique(ids, return_inverse=True)
        return distinct, codes.reshape(-1)

    def customer_email() -> tuple[NDArray[np.bytes_], NDArray[np.int64]]:
        distinct, codes = customers()
        generated = distinct >= FIRST_GENERATED_CUSTOMER_ID
        emails = _customer_emails(distinct[generated] - FIRST_GENERATED_CUSTOMER_ID + 1)
        fixture = [_order_customer_email(entity_id) for entity_id in distinct[~generated].tolist()]
        width = max([emails.dtype.itemsize, *map(len, fixture)])
        texts = np.empty(len(distinct), dtype=f"S{width}")
        texts[generated] = emails
        texts[~generated] = np.array(fixture, dtype=np.bytes_) if fixture else texts[:0]
        return texts, codes

    def customer_name(names: tuple[str, ...], shift: int, fixture: Callable[[int], str]) -> Any:  # noqa: ANN401
        def column() -> tuple[list[str], NDArray[np.int64]]:
            ids, codes = customers()
            generated = ids >= FIRST_GENERATED_CUSTOMER_ID
            numbers = ids - FIRST_GENERATED_CUSTOMER_ID + 1
            picked = (_mix_many(seed, 2, numbers) >> shift) % len(names)
            fixtures_at = len(names) + ids - 3  # fixture customers 3..14 after the names
            per_customer = np.where(generated, picked.astype(np.int64), fixtures_at)
            values = [
                *names,
                *(fixture(entity_id) for entity_id in range(3, FIRST_GENERATED_CUSTOMER_ID)),
            ]
            return values, per_customer[codes]

        return column

    def customer_id() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        distinct, codes = customers()
        return distinct, np.where(burst(), len(distinct), codes)  # len(distinct): NULL

    @functools.cache
    def money_combos() -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        flags, quantities = burst(), qty()
        price_bits = ((bits() >> 24) % np.where(flags, 400, 9000)).astype(np.int64)
        distinct, codes = np.unique((price_bits * 4 + quantities) * 2 + flags, return_inverse=True)
        return distinct, codes.reshape(-1)

    def money(part: int, *, due: bool = False) -> Callable[[], Any]:
        def column() -> tuple[list[Any], NDArray[np.int64]]:
            distinct, codes = money_combos()
            values = []
            for combo in distinct.tolist():
                flag, rest = bool(combo % 2), combo // 2
                amount = _order_money(rest // 4, rest % 4, flag)[part]
                values.append(0 if due and not flag else amount)
            return values, codes

        return column

    def state() -> tuple[list[str], NDArray[np.bool_]]:
        return ["processing", "canceled"], burst()

    return {
        "increment_id": lambda: (
            digits_text(np.arange(first, first + count, dtype=np.int64), width=9),
            np.arange(count, dtype=np.int64),
        ),
        "created_at": lambda: _times(created()),
        "updated_at": lambda: _times(created() + 120),
        "quote_id": lambda: numbers() + (first - 1),
        "billing_address_id": lambda: (numbers() + (first - 1)) * 2,
        "protect_code": lambda: _protect_codes(seed, numbers() + (first - 1)),
        "remote_ip": lambda: (
            [_remote_ip(value) for value in range(250)] + [CARD_TESTING_IP],
            np.where(burst(), 250, (bits() % 250).astype(np.int64)),
        ),
        "customer_email": customer_email,
        "customer_firstname": customer_name(
            _FIRST_NAMES, 0, lambda entity_id: f"Ir{entity_id - 2}"
        ),
        "customer_lastname": customer_name(_LAST_NAMES, 8, lambda _: "Customer"),
        "customer_id": customer_id,
        "customer_is_guest": lambda: burst().astype(np.int64),
        "customer_group_id": lambda: np.where(
            burst(), 0, int(_ORDER_TEMPLATE["customer_group_id"])
        ),
        "state": state,
        "status": state,
        "total_qty_ordered": qty,
        **dict.fromkeys(("base_grand_total", "grand_total"), money(3)),
        **dict.fromkeys(("base_total_due", "total_due"), money(3, due=True)),
        **dict.fromkeys(
            ("base_subtotal", "base_subtotal_incl_tax", "subtotal", "subtotal_incl_tax"), money(1)
        ),
        **dict.fromkeys(
            (
                "base_shipping_amount",
                "shipping_amount",
                "base_shipping_incl_tax",
                "shipping_incl_tax",
            ),
            money(2),
        ),
    }


def _head(data: Any, count: int) -> Any:  # noqa: ANN401 - a column's data
    """The first `count` rows of a column's data (per-row array or list, or distinct values
    and a code per row)."""
    if isinstance(data, tuple):
        distinct, codes = data
        return distinct, codes[:count]
    return data[:count]


def _invoice_columns(options: SandboxOptions, count: int) -> dict[str, Callable[[], Any]]:
    """The fields that vary between generated invoices: invoice `n` is order number `n`'s
    (`_generated_invoice`), so each is the first `count` rows of an order column."""
    order = _order_columns(options)

    def of_order(field: str) -> Callable[[], Any]:
        return lambda: _head(order[field](), count)

    first = FIRST_GENERATED_ORDER_ID
    return {
        "base_grand_total": of_order("grand_total"),
        "grand_total": of_order("grand_total"),
        "base_subtotal": of_order("subtotal"),
        "subtotal": of_order("subtotal"),
        "billing_address_id": of_order("billing_address_id"),
        "created_at": of_order("updated_at"),
        "updated_at": of_order("updated_at"),
        "total_qty": of_order("total_qty_ordered"),
        "increment_id": lambda: (
            digits_text(np.arange(1, count + 1, dtype=np.int64), width=9),
            np.arange(count, dtype=np.int64),
        ),
        "order_id": lambda: np.arange(first, first + count, dtype=np.int64),
    }


def _transaction_columns(options: SandboxOptions) -> dict[str, Callable[[], Any]]:
    """The fields that vary between generated transactions: transaction `n` is order number
    `n`'s payment (`_generated_transaction`)."""
    order, count, first = _order_columns(options), options.orders, FIRST_GENERATED_ORDER_ID

    def declined() -> Any:  # noqa: ANN401 - the codes of the order's state: 1 when canceled
        return order["state"]()[1]

    return {
        "order_id": lambda: np.arange(first, first + count, dtype=np.int64),
        "payment_id": lambda: np.arange(first, first + count, dtype=np.int64),
        "txn_id": lambda: digits_text(
            (_mix_many(options.seed, 4, count) % np.uint64(36**8)).astype(np.int64),
            base=16,
            width=8,
        ),
        "txn_type": lambda: (["capture", "authorization"], declined()),
        "additional_information": lambda: ([["Approved"], ["Processor Declined"]], declined()),
        "created_at": order["created_at"],
    }


def _generated_invoice(options: SandboxOptions, entity_id: int) -> dict[str, Any]:
    order = _generated_order(options, entity_id + 1)
    return {
        "base_currency_code": "USD",
        "base_grand_total": order["grand_total"],
        "base_subtotal": order["subtotal"],
        "billing_address_id": order["billing_address_id"],
        "created_at": order["updated_at"],
        "entity_id": entity_id,
        "global_currency_code": "USD",
        "grand_total": order["grand_total"],
        "increment_id": f"{entity_id:09d}",
        "order_currency_code": "USD",
        "order_id": order["entity_id"],
        "state": 2,
        "store_id": 1,
        "subtotal": order["subtotal"],
        "total_qty": order["total_qty_ordered"],
        "updated_at": order["updated_at"],
        "items": [],
        "comments": [],
    }


def add_card_testing_burst(
    state: StoreState, options: SandboxOptions, *, start: float, count: int, spacing: float
) -> list[int]:
    """A card-testing burst placed now: `count` small declined guest orders from
    CARD_TESTING_IP, one every `spacing` seconds from `start`, each with its declined
    authorization (what a drill stages after the watcher's baseline). Answers the order ids."""
    ids = []
    for n in range(count):
        entity_id = state.orders.next_id()
        order = copy.deepcopy(
            _generated_order(options, entity_id, burst_at=int(start + n * spacing))
        )
        state.orders.put(entity_id, order)
        transaction_id = state.transactions.next_id()
        state.transactions.put(transaction_id, _transaction_of(options, transaction_id, order))
        ids.append(entity_id)
    return ids


def _generated_transaction(options: SandboxOptions, entity_id: int) -> dict[str, Any]:
    return _transaction_of(options, entity_id, _generated_order(options, entity_id + 1))


def _transaction_of(
    options: SandboxOptions, entity_id: int, order: dict[str, Any]
) -> dict[str, Any]:
    declined = order["state"] == "canceled"
    bits = _mix(options.seed, 4, entity_id)
    return {
        "transaction_id": entity_id,
        "parent_id": None,
        "order_id": order["entity_id"],
        "payment_id": order["payment"]["entity_id"],
        "txn_id": f"{bits % 36**8:08x}",
        "parent_txn_id": None,
        "txn_type": "authorization" if declined else "capture",
        "is_closed": 1,
        "additional_information": ["Processor Declined" if declined else "Approved"],
        "created_at": order["created_at"],
        "child_transactions": [],
    }


def _credential(seed: int, name: str, length: int) -> str:
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return base64.b32encode(digest).decode().lower()[:length]


def _build_invoices_and_transactions(
    state: StoreState, options: SandboxOptions, regular: int
) -> None:
    """Invoice `n` is regular order number `n`'s; transaction `n` is order number `n`'s
    payment: both are searched by the order columns they come from."""
    derive_invoice = functools.partial(_generated_invoice, options)
    invoices = range(1, 1 + regular)
    state.invoices = EntityTable(
        derive=derive_invoice,
        generated=invoices,
        index=GeneratedIndex(invoices, derive_invoice, _invoice_columns(options, regular)),
    )
    derive_transaction = functools.partial(_generated_transaction, options)
    transactions = range(1, 1 + options.orders)
    state.transactions = EntityTable(
        derive=derive_transaction,
        generated=transactions,
        index=GeneratedIndex(transactions, derive_transaction, _transaction_columns(options)),
    )


def build_state(options: SandboxOptions) -> StoreState:
    """The store for these options; every generated part is lazy."""
    state = StoreState()
    _build_scopes(state, options)
    salt = _credential(options.seed, "salt", 16)
    state.password_salt = salt
    state.default_customer_password_hash = hash_password(options.customer_password, salt)

    seed = options.seed

    derive_product = functools.partial(_generated_product, seed)
    products = range(FIRST_GENERATED_PRODUCT_ID, FIRST_GENERATED_PRODUCT_ID + options.products)
    state.products = EntityTable(
        derive=derive_product,
        generated=products,
        index=GeneratedIndex(products, derive_product, _product_columns(seed, options.products)),
    )
    for entity_id, sku, name, price, created, updated, url_key in fixtures.PRODUCTS:
        state.products.put(
            entity_id, _product_row(entity_id, sku, name, price, created, updated, url_key)
        )
        state.sku_index[sku] = entity_id

    def sku_resolver(sku: str) -> int | None:
        found = _SKU.fullmatch(sku)
        return None if found is None else FIRST_GENERATED_PRODUCT_ID + int(found.group(1)) - 1

    state.sku_resolver = sku_resolver

    derive_customer = functools.partial(_generated_customer, seed)
    customers = range(FIRST_GENERATED_CUSTOMER_ID, FIRST_GENERATED_CUSTOMER_ID + options.customers)
    state.customers = EntityTable(
        derive=derive_customer,
        generated=customers,
        index=GeneratedIndex(
            customers, derive_customer, _customer_columns(seed, options.customers)
        ),
    )
    for number in range(1, FIXTURE_CUSTOMERS + 1):
        customer_id = number + 2
        created_ts = 1_795_339_271 + number - 1  # 2026-11-22 09:21:11, one per second
        updated_ts = {1: 1_795_339_286, 2: 1_795_339_284}.get(number, created_ts)
        address = f"ir.customer{number:02d}@example.com"
        customer = _customer_row(
            customer_id, address, f"Ir{number}", "Customer", _time(created_ts), _time(updated_ts)
        )
        state.customers.put(customer_id, customer)
        state.email_index[address] = customer_id

    def email_resolver(email: str) -> int | None:
        found = _EMAIL.fullmatch(email)
        return None if found is None else FIRST_GENERATED_CUSTOMER_ID + int(found.group(1)) - 1

    state.email_resolver = email_resolver

    regular = options.orders - _burst_size(options.orders)

    derive_order = functools.partial(_generated_order, options)
    orders = range(FIRST_GENERATED_ORDER_ID, FIRST_GENERATED_ORDER_ID + options.orders)
    state.orders = EntityTable(
        derive=derive_order,
        derive_part=lambda entity_id, keys: _generated_order(options, entity_id, keys=keys),
        generated=orders,
        index=GeneratedIndex(orders, derive_order, _order_columns(options)),
    )
    state.orders.put(1, copy.deepcopy(fixtures.ORDER_1))
    _build_invoices_and_transactions(state, options, regular)

    state.store_content = {
        kind: {item["entity_id"]: copy.deepcopy(item) for item in items}
        for kind, items in fixtures.STORE_CONTENT.items()
    }
    for block in fixtures.CMS_BLOCKS:
        state.cms_blocks.put(block["id"], dict(block))
        state.cms_block_stores[block["id"]] = [0]
    pages = [dict(page) for page in fixtures.CMS_PAGES]
    pages.append(
        {
            "id": 4,
            "identifier": "privacy-policy-cookie-restriction-mode",
            "title": "Privacy Policy",
            "page_layout": "1column",
            "content_heading": "Privacy Policy",
            "content": "<p>Privacy Policy</p>",
            "creation_time": "2026-11-22 09:15:46",
            "update_time": "2026-11-22 09:15:46",
            "sort_order": "0",
            "active": True,
        }
    )
    for page in pages:
        state.cms_pages.put(page["id"], page)
        state.cms_page_stores[page["id"]] = [0]
    state.modules = list(fixtures.MODULES)
    if options.two_factor:
        # The recording host had Magento_TwoFactorAuth disabled; enabled, it sits with the
        # other security-package modules.
        state.modules.insert(
            state.modules.index("Magento_Securitytxt") + 1, "Magento_TwoFactorAuth"
        )
    if options.with_module:
        # Installed from app/code, the module loads after every Magento_ module (as on a real
        # 2.4.7-p3 with it installed).
        last_core = max(i for i, name in enumerate(state.modules) if name.startswith("Magento_"))
        state.modules.insert(last_core + 1, "MagentoIr_IncidentResponse")

    _build_admin(state, options, salt)
    _build_config(state, options)
    return state


def _build_scopes(state: StoreState, options: SandboxOptions) -> None:
    state.websites = {
        0: Website(0, "admin", "Admin", 0),
        1: Website(1, "base", "Main Website", 1),
    }
    state.groups = {
        0: StoreGroup(0, 0, 0, 0, "Default", "default"),
        1: StoreGroup(1, 1, 2, 1, "Main Website Store", "main_website_store"),
    }
    state.stores = {
        0: StoreView(0, "admin", "Admin", 0, 0, 1),
        1: StoreView(1, "default", "Default Store View", 1, 1, 1),
    }
    for index, (code, name, locale) in enumerate(_EXTRA_VIEWS[: options.store_views - 1], start=2):
        state.stores[index] = StoreView(index, code, name, 1, 1, 1)
        state.set_config("general/locale/code", locale, "stores", index)


def _build_admin(state: StoreState, options: SandboxOptions, salt: str) -> None:
    state.admin_roles = {
        1: AdminRole(1, "Administrators", frozenset({"Magento_Backend::all"})),
        2: AdminRole(
            2,
            "Customer Support",
            frozenset(
                {
                    "Magento_Backend::admin",
                    "Magento_Sales::sales",
                    "Magento_Sales::actions_view",
                    "Magento_Sales::hold",
                    "Magento_Sales::unhold",
                    "Magento_Sales::comment",
                    "Magento_Customer::customer",
                }
            ),
        ),
        3: AdminRole(
            3,
            "Catalog Managers",
            frozenset(
                {"Magento_Backend::admin", "Magento_Catalog::products", "Magento_Cms::block"}
            ),
        ),
    }
    password_hash = hash_password(options.admin_password, salt)
    totp = options.totp_secret or _credential(options.seed, "totp", 32).upper()
    state.admin_users = {
        1: AdminUser(
            1,
            options.admin_user,
            "Store",
            "Owner",
            "owner@example.com",
            1,
            password_hash,
            salt,
            totp_secret=totp if options.two_factor else None,
        ),
        2: AdminUser(2, "support", "Sam", "Support", "support@example.com", 2, password_hash, salt),
        3: AdminUser(3, "catalog", "Cat", "Manager", "catalog@example.com", 3, password_hash, salt),
    }
    state.integrations = {
        1: Integration(
            1,
            "ERP Connector",
            "erp@example.com",
            1,
            1,
            consumer_key=_credential(options.seed, "ck1", 32),
            consumer_secret=_credential(options.seed, "cs1", 32),
            access_token=_credential(options.seed, "at1", 32),
            access_token_secret=_credential(options.seed, "as1", 32),
        ),
        2: Integration(
            2,
            "Shipping Sync",
            "shipping@example.com",
            1,
            2,
            consumer_key=_credential(options.seed, "ck2", 32),
            consumer_secret=_credential(options.seed, "cs2", 32),
            access_token=_credential(options.seed, "at2", 32),
            access_token_secret=_credential(options.seed, "as2", 32),
            resources=frozenset({"Magento_Sales::actions_view"}),
        ),
    }


def _build_config(state: StoreState, options: SandboxOptions) -> None:
    defaults = {
        "web/unsecure/base_url": "http://127.0.0.1:8080/",
        "web/secure/base_url": "http://127.0.0.1:8080/",
        "general/locale/code": "en_US",
        "general/locale/timezone": "UTC",
        "general/locale/weight_unit": "lbs",
        "currency/options/base": "USD",
        "currency/options/default": "USD",
        "design/head/includes": DEFAULT_HEAD_INCLUDES,
        "design/footer/absolute_footer": None,
        "payment/checkmo/active": "1",
        "payment/banktransfer/active": "0",
        "payment/braintree/active": "1" if options.orders else "0",
        "webapi/jwtauth/admin_expiration": "60",
        "webapi/jwtauth/customer_expiration": "60",
        "oauth/consumer/enable_integration_as_bearer": "1"
        if options.integration_as_bearer
        else "0",
        "oauth/authentication_lock/max_failures_count": "6",
        "oauth/authentication_lock/timeout": "1800",
        "twofactorauth/general/force_providers": "google" if options.two_factor else None,
        "webapi/validation/input_limit_enabled": "0",
        # Magento_Email's config.xml defaults: the module's 503 page links to the support address.
        "trans_email/ident_general/email": "owner@example.com",
        "trans_email/ident_support/email": "support@example.com",
    }
    for path, value in defaults.items():
        state.set_config(path, value)
