"""Notification policy (issue 13, item 8): incident facts -> who is paged, on which channel, and
which drafts are prepared.

The policy is data (TOML: `policy.toml` ships a default; give your own with the owner and the
review date of your organisation). `decide` is a pure function of the policy and the exposed
data categories, so an HR-records breach pages HR and legal while a card-data breach pages the
payments team and prepares the card-brand report. Category names are the controlled vocabulary
of `magento_ir.notify.categories` (a group such as `hr` means every `hr.*` category).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date  # noqa: TC003 - pydantic reads the annotation at run time
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from magento_ir._toml import parse_model
from magento_ir.notify.categories import expand
from magento_ir.notify.rules import RuleError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from magento_ir.notify.engine import Facts

__all__ = ["Decision", "Page", "Policy", "PolicyError", "decide", "load_policy", "shipped_policy"]

ChannelKind = Literal[
    "pagerduty", "servicenow", "slack", "slack-webhook", "teams", "webhook", "email"
]
_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"


class PolicyError(RuleError):
    """A policy file that cannot be used; the message names the file, line and key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Header(_Strict):
    title: str
    owner: str
    last_reviewed: date


class Team(_Strict):
    channel: ChannelKind
    description: str = ""


class PolicyRule(_Strict):
    id: str = Field(pattern=_ID)
    description: str = ""
    # Fires when any of these categories (or groups) was exposed; empty means any breach.
    when_any: list[str] = []
    # Fires only when employees are among those affected (HR records).
    employees: bool = False
    page: list[str] = []
    drafts: list[str] = []

    @field_validator("when_any")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        try:
            expand(value)
        except KeyError as error:
            raise ValueError(f"unknown data category {error.args[0]!r}") from None
        return value


class Policy(_Strict):
    policy: Header
    teams: dict[str, Team]
    rules: list[PolicyRule]

    @model_validator(mode="after")
    def _teams_exist(self) -> Policy:
        for rule in self.rules:
            for team in rule.page:
                if team not in self.teams:
                    raise ValueError(f"rule {rule.id} pages team {team!r}, which [teams] lacks")
        return self


@dataclass(frozen=True)
class Page:
    team: str
    channel: str
    because: tuple[str, ...]  # the policy rules that page this team


@dataclass(frozen=True)
class Decision:
    pages: tuple[Page, ...]
    drafts: tuple[str, ...]
    rules: tuple[str, ...]


def decide(policy: Policy, categories: Iterable[str], *, employees: bool = False) -> Decision:
    """Who to page and which drafts to prepare for a breach exposing `categories`; pure.

    Teams and drafts come in the order the policy first names them, each once.
    """
    exposed = expand(categories)
    pages: dict[str, list[str]] = {}
    drafts: dict[str, None] = {}
    matched: list[str] = []
    for rule in policy.rules:
        wanted = expand(rule.when_any)
        if wanted and not wanted & exposed:
            continue
        if rule.employees and not employees:
            continue
        if not exposed:
            continue
        matched.append(rule.id)
        for team in rule.page:
            pages.setdefault(team, []).append(rule.id)
        drafts.update(dict.fromkeys(rule.drafts))
    return Decision(
        pages=tuple(
            Page(team=team, channel=policy.teams[team].channel, because=tuple(because))
            for team, because in pages.items()
        ),
        drafts=tuple(drafts),
        rules=tuple(matched),
    )


def facts_categories(facts: Facts) -> tuple[frozenset[str], bool]:
    """The categories exposed across the facts' affected groups, and whether employees are."""
    categories: set[str] = set()
    employees = False
    for group in facts.affected:
        categories |= group.categories
        employees = employees or group.employees
    return frozenset(categories), employees


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    return parse_model(text, Policy, PolicyError, source=source)


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise PolicyError(f"cannot read the policy {path}: {error.strerror}") from None
    return parse_policy(text, source=path.name)


def shipped_policy() -> Policy:
    return load_policy(Path(__file__).with_name("policy.toml"))
