"""The notification policy: exposed data categories -> teams paged and drafts prepared (pure)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from magento_ir.notify import AffectedGroup, Facts
from magento_ir.notify.policy import (
    PolicyError,
    decide,
    facts_categories,
    parse_policy,
    shipped_policy,
)

CASES = tomllib.loads((Path(__file__).with_name("policy_cases.toml")).read_text("utf-8"))["cases"]
POLICY = shipped_policy()


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_policy_cases(case: dict[str, Any]) -> None:
    """Each row of policy_cases.toml holds against the shipped policy."""
    decision = decide(POLICY, case["categories"], employees=case.get("employees", False))
    paged = {page.team for page in decision.pages}
    assert set(case["pages"]) <= paged
    assert not set(case.get("not_pages", [])) & paged
    assert set(case["drafts"]) <= set(decision.drafts)
    assert not set(case.get("not_drafts", [])) & set(decision.drafts)


def test_each_page_names_its_channel_and_the_rules_behind_it() -> None:
    decision = decide(POLICY, ["payment_card.pan"])
    payments = next(page for page in decision.pages if page.team == "payments")
    assert payments.channel == "pagerduty"
    assert payments.because == ("card-data",)
    assert len({page.team for page in decision.pages}) == len(decision.pages)


def test_categories_come_from_the_facts() -> None:
    facts = Facts(
        clock={},
        affected=(
            AffectedGroup(jurisdiction="DE", count=3, categories=frozenset({"hr.payroll"}),
                          employees=True),
            AffectedGroup(jurisdiction="US-CA", count=9, categories=frozenset({"contact"})),
        ),
    )  # fmt: skip
    categories, employees = facts_categories(facts)
    assert categories == {"hr.payroll", "contact"}
    assert employees


BASE = """
[policy]
title = "t"
owner = "o"
last_reviewed = 2026-12-01
[teams.a]
channel = "email"
"""


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        ('[[rules]]\nid = "r"\nwhen_any = ["payment_cards"]\n', "policy.toml:10: rules.0.when_any"),
        ('[[rules]]\nid = "r"\npage = ["b"]\n', "pages team 'b'"),
        ('[[rules]]\nid = "r"\npages = ["a"]\n', "rules.0.pages: Extra inputs"),
        ('[teams.b]\nchannel = "fax"\n', "teams.b.channel"),
    ],
)
def test_a_bad_policy_names_the_file_line_and_key(tail: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace(".", r"\.").replace("'", "'")):
        parse_policy(BASE + tail, source="policy.toml")
