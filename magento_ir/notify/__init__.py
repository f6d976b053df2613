"""Notification obligations: who must be told what, by when, and on which authority (issue 12).

The output supports legal counsel; it does not replace it (docs/notifications.md).
"""

from magento_ir.notify.categories import CATEGORIES, GROUPS
from magento_ir.notify.engine import (
    STALE_AFTER,
    AffectedGroup,
    Facts,
    Obligation,
    Plan,
    Question,
    plan,
)
from magento_ir.notify.rules import Rule, RuleError, load_rules, parse_rule, shipped_rules

__all__ = [
    "CATEGORIES",
    "GROUPS",
    "STALE_AFTER",
    "AffectedGroup",
    "Facts",
    "Obligation",
    "Plan",
    "Question",
    "Rule",
    "RuleError",
    "load_rules",
    "parse_rule",
    "plan",
    "shipped_rules",
]
