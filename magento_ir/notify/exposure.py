"""Exposure assessment (issue 12, item 1), first piece: a checkout skimmer's affected population.

A skimmer on the payment page reads what customers typed there, so every card-paid order placed
in the skimmer's window exposed its card data and billing contact. People are counted per
jurisdiction (US states, Canadian provinces and Australian states as `US-CA`, else the country)
and deduplicated by a keyed digest of their e-mail address, so nothing personal is kept: the
result holds counts only (GDPR data minimisation).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import InvalidArgumentError
from magento_ir.notify.engine import AffectedGroup

if TYPE_CHECKING:
    from collections.abc import Iterable

    from magento_ir import MagentoClient
    from magento_ir.models import Order

__all__ = [
    "SKIMMER_CATEGORIES",
    "Exposure",
    "jurisdiction_of",
    "skimmer_exposure",
    "skimmer_orders",
]

# What a payment-page skimmer captures: the card as typed and the billing details around it.
SKIMMER_CATEGORIES = frozenset(
    {"contact", "payment_card.pan", "payment_card.expiry", "payment_card.cvv"}
)
# Magento's credit card type codes (payment `cc_type`).
_SCHEMES = {"VI": "visa", "MC": "mastercard", "AE": "amex", "DI": "discover", "JCB": "jcb"}
# Countries whose notification laws differ by state or province.
_SUBDIVIDED = frozenset({"US", "CA", "AU"})


@dataclass(frozen=True, slots=True)
class Exposure:
    groups: tuple[AffectedGroup, ...]
    card_schemes: frozenset[str]
    orders: int
    # Card-paid orders without a billing country: counted nowhere, so they need a person.
    unplaced_orders: int


def jurisdiction_of(country: str | None, region_code: str | None) -> str | None:
    """`US-CA` for subdivided countries with a region code, the country otherwise."""
    if not country:
        return None
    country = country.upper()
    if country in _SUBDIVIDED and region_code:
        return f"{country}-{region_code.upper()}"
    return country


def _card_type(order: Order) -> str | None:
    if order.payment is not None and order.payment.cc_type:
        return order.payment.cc_type
    extension = order.extension_attributes
    for info in (extension.payment_additional_info if extension else None) or ():
        if info.key == "cc_type" and info.value:
            return info.value
    return None


def _paid_by_card(order: Order) -> bool:
    payment = order.payment
    return _card_type(order) is not None or bool(payment is not None and payment.cc_last4)


def skimmer_exposure(orders: Iterable[Order], *, salt: bytes) -> Exposure:
    """Count the people whose card-paid orders are in `orders`; pure."""
    people: defaultdict[str, set[bytes]] = defaultdict(set)
    schemes: set[str] = set()
    count = unplaced = 0
    for order in orders:
        if not _paid_by_card(order):
            continue
        count += 1
        card = _card_type(order)
        if card is not None:
            schemes.add(_SCHEMES.get(card.upper(), card.lower()))
        address = order.billing_address
        place = jurisdiction_of(address.country_id, address.region_code) if address else None
        if place is None:
            unplaced += 1
            continue
        who = (order.customer_email or f"order:{order.entity_id}").strip().lower()
        people[place].add(hashlib.blake2b(who.encode(), key=salt, digest_size=16).digest())
    groups = tuple(
        AffectedGroup(jurisdiction=place, count=len(ids), categories=SKIMMER_CATEGORIES)
        for place, ids in sorted(people.items())
    )
    return Exposure(groups, frozenset(schemes), count, unplaced)


def _magento_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidArgumentError(
            "window times must be timezone-aware, e.g. datetime(..., tzinfo=UTC)"
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def skimmer_orders(client: MagentoClient, start: datetime, end: datetime) -> Iterable[Order]:
    """The orders created in the skimmer's window (Magento stores `created_at` in UTC)."""
    criteria = (
        SearchCriteria()
        .where("created_at", "gteq", _magento_time(start))
        .where("created_at", "lteq", _magento_time(end))
        .order_by("entity_id")
    )
    return client.orders.iterate(criteria, page_size=200)
