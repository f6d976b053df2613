"""Table-driven scenarios over the shipped rules: facts -> the exact obligations and deadlines.

Each row names every obligation it expects (key -> deadline in UTC, or None for "without undue
delay"), so a rule that fires where it should not fails the row too.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from magento_ir.notify import AffectedGroup, Facts, plan, shipped_rules

RULES = shipped_rules()
AS_OF = date(2026, 12, 6)
# Monday 1 June 2026, 16:00 UTC: no DST change in the next 60 days anywhere in the US.
T = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
SSN = ("contact", "government_id.ssn")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def days(n: int) -> datetime:
    return T + timedelta(days=n)


def group(
    jurisdiction: str, count: int, *categories: str, employees: bool = False
) -> AffectedGroup:
    return AffectedGroup(
        jurisdiction=jurisdiction,
        count=count,
        categories=frozenset(categories),
        employees=employees,
    )


@dataclass
class Case:
    name: str
    groups: tuple[AffectedGroup, ...]
    expected: dict[str, datetime | None]
    clock: dict[str, datetime] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    questions: frozenset[str] = frozenset()
    as_of: date = AS_OF


def run(case: Case):
    clock = {"awareness": T, "discovery": T, "determination": T} | case.clock
    facts = Facts(clock=clock, affected=case.groups, **case.facts)
    return plan(facts, RULES, as_of=case.as_of)


# --- US states: the individuals' deadline when one resident's SSN leaks ---
US_INDIVIDUALS = {
    "US-CA": 30, "US-NY": 30, "US-TX": 60, "US-CO": 30, "US-FL": 30, "US-WA": 30, "US-ME": 30,
    "US-CT": 60, "US-DE": 60, "US-AL": 45, "US-AZ": 45, "US-IN": 45, "US-MD": 45, "US-NM": 45,
    "US-OH": 45, "US-OR": 45, "US-RI": 45, "US-TN": 45, "US-VT": 45, "US-WI": 45, "US-LA": 60,
    "US-SD": 60,
}  # fmt: skip
# Obligations that fire for any count, besides the individuals' notice.
US_ALWAYS: dict[str, dict[str, datetime | None]] = {
    "US-NY": {"us-ny/state-agencies": None},
    "US-ME": {"us-me/attorney-general": None},
    "US-CT": {"us-ct/attorney-general": days(60)},
    "US-LA": {"us-la/attorney-general": days(70)},
    # Vermont: 14 business days from Mon 1 June skip the weekends and Juneteenth (Fri 19 June, a
    # federal holiday): Mon 22 June, not Fri 19 June.
    "US-VT": {"us-vt/attorney-general-preliminary": utc("2026-06-22T12:00:00-04:00")},
}

CASES: list[Case] = []
for state, n in US_INDIVIDUALS.items():
    code = state[3:].lower()
    CASES.append(
        Case(
            f"{state}-one-ssn",
            (group(state, 1, *SSN),),
            {f"us-{code}/individuals": days(n), **US_ALWAYS.get(state, {})},
        )
    )
    CASES.append(Case(f"{state}-contact-only", (group(state, 1, "contact"),), {}))
for state in ("US-OK", "US-PA", "US-MA"):
    code = state[3:].lower()
    extra = {"US-MA": {"us-ma/regulators": None}}.get(state, {})
    CASES.append(
        Case(
            f"{state}-no-fixed-days",
            (group(state, 1, *SSN),),
            {f"us-{code}/individuals": None, **extra},
        )
    )

# --- Regulator thresholds at exactly N and N + 1 ---
# (state, threshold kind, N, key, deadline when it fires)
THRESHOLDS = [
    ("US-CA", "more_than", 500, "us-ca/attorney-general", days(45)),
    ("US-TX", "at_least", 250, "us-tx/attorney-general", days(30)),
    ("US-CO", "at_least", 500, "us-co/attorney-general", None),
    ("US-FL", "at_least", 500, "us-fl/legal-affairs", days(30)),
    ("US-WA", "more_than", 500, "us-wa/attorney-general", days(30)),
    ("US-WA", "more_than", 1000, "us-wa/credit-agencies", None),
    ("US-DE", "more_than", 500, "us-de/attorney-general", None),
    ("US-AL", "more_than", 1000, "us-al/attorney-general", None),
    ("US-AZ", "more_than", 1000, "us-az/attorney-general", None),
    ("US-NM", "more_than", 1000, "us-nm/attorney-general", None),
    ("US-OR", "more_than", 250, "us-or/attorney-general", None),
    ("US-RI", "more_than", 500, "us-ri/attorney-general", None),
    ("US-SD", "more_than", 250, "us-sd/attorney-general", None),
    ("US-PA", "more_than", 500, "us-pa/attorney-general", None),
    ("US-OK", "at_least", 1000, "us-ok/credit-agencies", None),
]
for state, kind, n, key, due in THRESHOLDS:
    below, above = (n, n + 1) if kind == "more_than" else (n - 1, n)
    for count, fires in ((below, False), (above, True)):
        plan_keys = {key: due} if fires else {}
        CASES.append(
            Case(
                f"{key}-{count}",
                (group(state, count, *SSN),),
                plan_keys,
            )
        )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_us_states(case: Case):
    """Each state's own obligations and deadlines, and nothing for data its law does not name."""
    result = run(case)
    got = {o.key: o.deadline for o in result.obligations}
    if case.name.split("-")[0] == "us":
        # Threshold rows: only the regulator obligation under test is checked.
        key = case.name.rsplit("-", 1)[0]
        assert {k: v for k, v in got.items() if k == key} == case.expected
    else:
        assert got == case.expected
    assert not result.questions
