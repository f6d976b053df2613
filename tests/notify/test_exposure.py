"""Exposure assessment of a checkout skimmer: who paid by card in the window, where they live."""

from datetime import UTC, date, datetime

import pytest

from magento_ir import InvalidArgumentError
from magento_ir.models import Order
from magento_ir.notify import Facts, plan, shipped_rules
from magento_ir.notify.exposure import (
    SKIMMER_CATEGORIES,
    jurisdiction_of,
    skimmer_exposure,
    skimmer_orders,
)
from magento_ir.testing import SandboxStore

SALT = b"0123456789abcdef"


def order(entity_id: int, email: str | None, country: str | None, region: str | None, **payment):
    data: dict = {"entity_id": entity_id, "customer_email": email, "payment": payment}
    if country is not None:
        data["billing_address"] = {"country_id": country, "region_code": region}
    return Order.model_validate(data)


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("US", "CA", "US-CA"),
        ("ca", "qc", "CA-QC"),
        ("AU", "NSW", "AU-NSW"),
        ("DE", "BE", "DE"),
        ("US", None, "US"),
        (None, "CA", None),
    ],
)
def test_jurisdiction_of(country, region, expected):
    """States and provinces only where laws differ by them; the country elsewhere."""
    assert jurisdiction_of(country, region) == expected


def test_counts_card_paid_people_per_jurisdiction():
    """Card orders count once per person per jurisdiction; other payments and no address do not."""
    orders = [
        order(1, "a@example.com", "US", "CA", cc_type="VI", cc_last4="1111"),
        order(2, "A@example.com ", "US", "CA", cc_type="VI", cc_last4="1111"),
        order(3, "b@example.com", "US", "TX", cc_last4="2222"),
        order(4, "c@example.com", "DE", None, cc_type="MC"),
        order(5, "d@example.com", "US", "CA", method="checkmo"),
        order(6, "e@example.com", None, None, cc_type="AE"),
        order(7, None, "US", "TX", cc_last4="3333"),
    ]
    exposure = skimmer_exposure(orders, salt=SALT)
    assert {(g.jurisdiction, g.count) for g in exposure.groups} == {
        ("DE", 1),
        ("US-CA", 1),
        ("US-TX", 2),
    }
    assert all(g.categories == SKIMMER_CATEGORIES for g in exposure.groups)
    assert exposure.card_schemes == {"visa", "mastercard", "amex"}
    assert (exposure.orders, exposure.unplaced_orders) == (6, 1)
    # Counts only: no e-mail address survives in the result.
    assert "example.com" not in repr(exposure)


def test_card_type_from_payment_additional_info():
    """Braintree keeps the card type in payment_additional_info, not in payment.cc_type."""
    paid = Order.model_validate(
        {
            "entity_id": 1,
            "customer_email": "a@example.com",
            "billing_address": {"country_id": "US", "region_code": "TX"},
            "payment": {"method": "braintree"},
            "extension_attributes": {
                "payment_additional_info": [
                    {"key": "method_title", "value": "Credit Card (Braintree)"},
                    {"key": "cc_type", "value": "MC"},
                ]
            },
        }
    )
    assert skimmer_exposure([paid], salt=SALT).card_schemes == {"mastercard"}


def test_window_times_must_be_aware(magento_sandbox: SandboxStore):
    """A naive window bound is refused before any request."""
    with magento_sandbox.client() as client, pytest.raises(InvalidArgumentError):
        skimmer_orders(client, datetime(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))  # noqa: DTZ001


@pytest.mark.magento_sandbox(orders=40)
def test_skimmer_on_the_sandbox_plans_obligations(magento_sandbox: SandboxStore):
    """From the store's orders to Texas and Colorado notices and the card scheme's deadlines."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with magento_sandbox.client() as client:
        exposure = skimmer_exposure(skimmer_orders(client, start, end), salt=SALT)
    # The 40 generated orders are Braintree card payments; the seeded order 1 is a money order.
    assert exposure.orders == 40
    assert {g.jurisdiction for g in exposure.groups} == {"US-TX", "US-CO"}
    assert exposure.card_schemes <= {"visa", "mastercard", "amex"}
    aware = datetime(2026, 6, 1, 16, tzinfo=UTC)
    facts = Facts(
        clock={"awareness": aware, "discovery": aware, "determination": aware},
        affected=exposure.groups,
        card_schemes=exposure.card_schemes,
        merchant_country="US",
    )
    keys = {o.key for o in plan(facts, shipped_rules(), as_of=date(2026, 6, 2)).obligations}
    assert {"us-tx/individuals", "us-co/individuals"} <= keys
    assert ("visa/incident-report" in keys) == ("visa" in exposure.card_schemes)
