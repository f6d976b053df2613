"""Shared inputs of the drafting tests: a magecart breach's facts, its plan, the example details,
and one draft of every kind in every language it is written in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from magento_ir.notify import AffectedGroup, Facts, Obligation, Plan, plan, shipped_rules
from magento_ir.notify.drafts import KINDS, Draft, load_details, render_draft, template_kind

EXAMPLES = Path(str(resources.files("magento_ir.notify") / "examples"))
AWARE = datetime(2026, 6, 1, 16, tzinfo=UTC)
NOW = datetime(2026, 6, 2, 9, tzinfo=UTC)
FACTS = Facts(
    clock={"awareness": AWARE, "discovery": AWARE},
    affected=(
        AffectedGroup(
            jurisdiction="US-CA",
            count=612,
            categories=frozenset({"contact", "payment_card.pan", "payment_card.cvv"}),
        ),
        AffectedGroup(
            jurisdiction="DE", count=40, categories=frozenset({"contact", "payment_card.pan"})
        ),
        AffectedGroup(
            jurisdiction="US-VA",
            count=3,
            categories=frozenset({"hr.payroll", "hr.tax_withholding", "government_id.tax_id"}),
            employees=True,
        ),
    ),
    card_schemes=frozenset({"visa"}),
    merchant_country="US",
    answers={
        "eu-gdpr/art33-unlikely-risk": False,
        "eu-gdpr/art34-high-risk": True,
        "eu-gdpr/art34-measures": False,
        "eu-gdpr/art34-disproportionate": False,
    },
)


def details() -> dict[str, object]:
    return load_details(EXAMPLES / "details.example.toml")


@cache
def the_plan() -> Plan:
    return plan(FACTS, shipped_rules(), as_of=date(2026, 6, 2))


def obligation_for(kind: str) -> Obligation:
    """The plan's first obligation whose template is of this kind (a made-up one otherwise)."""
    for item in the_plan().obligations:
        if template_kind(item.template) == kind:
            return item
    # No rule asks for an employee notice or a brief: borrow a plan entry's shape.
    base = the_plan().obligations[0]
    return base.model_copy(update={"template": kind, "key": f"internal/{kind}"})


def all_drafts() -> list[Draft]:
    """Every kind in every locale it is written in, rendered from the example details."""
    found = details()
    return [
        render_draft(
            kind,
            details=found,
            obligation=obligation_for(kind),
            facts=FACTS,
            plan=the_plan(),
            locale=locale,
            now=NOW,
        )
        for kind, (_, locales, _) in KINDS.items()
        for locale in locales
    ]
