"""The controlled vocabulary of exposed data (issue 12, item 2).

Rules and facts name categories only from this list, so a typo fails on load instead of silently
never matching. A rule may name a group (`payment_card`, `government_id`, `hr`) to mean every
category in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["CATEGORIES", "GROUPS", "expand"]

CATEGORIES: dict[str, str] = {
    "contact": "name, postal address, e-mail address, telephone",
    "account_credentials": "e-mail or username together with a password or password hash",
    "payment_card.pan": "primary account number",
    "payment_card.expiry": "card expiry date",
    "payment_card.cvv": "card verification value",
    "bank_account": "bank account number (with or without an access code)",
    "government_id.ssn": "US Social Security number",
    "government_id.drivers_licence": "driver's licence or state identification number",
    "government_id.passport": "passport number",
    "government_id.tax_id": "taxpayer identification number",
    "hr.payroll": "salary and payroll records, direct-deposit details",
    "hr.tax_withholding": "income tax withheld",
    "hr.benefits": "benefits enrolment",
    "hr.health_plan": "employer group health plan records",
    "hr.performance": "performance reviews and disciplinary records",
    "health": "health information",
    "biometrics": "biometric data",
    "minors": "personal data of children",
}

GROUPS: dict[str, frozenset[str]] = {
    group: frozenset(name for name in CATEGORIES if name.startswith(f"{group}."))
    for group in ("payment_card", "government_id", "hr")
}


def expand(names: Iterable[str]) -> frozenset[str]:
    """Categories named, with each group replaced by its members; unknown names raise KeyError."""
    out: set[str] = set()
    for name in names:
        if name in GROUPS:
            out |= GROUPS[name]
        elif name in CATEGORIES:
            out.add(name)
        else:
            raise KeyError(name)
    return frozenset(out)
