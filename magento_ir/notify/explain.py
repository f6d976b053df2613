"""Why an obligation is in the plan (issue 12, item 6): the rule, the facts that fired it, the
citation, the deadline arithmetic and the questions. Pure, like the engine.

`explain(key, facts, rules, as_of=...)` takes an obligation key (`eu-gdpr/art33-authority/DE`)
or, for an obligation still waiting on a person's answer, the key of its question.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict

from magento_ir._exceptions import InvalidArgumentError
from magento_ir.notify.categories import expand
from magento_ir.notify.engine import (
    Facts,
    Obligation,
    Question,
    _counted,  # the engine's own test, so the explanation cannot drift from it
    _covers,
    plan,
)

if TYPE_CHECKING:
    from magento_ir.notify.rules import Deadline, ObligationRule, Rule, Trigger

__all__ = ["Explanation", "explain"]

_WEEKEND = 5  # Saturday


class Explanation(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    rule_id: str
    rule_title: str
    rule_source: str
    confidence: str
    last_reviewed: date
    recipient: str
    recipient_name: str
    # The facts that fired it: each group counted, and the trigger it met.
    counted: tuple[str, ...]
    trigger: tuple[str, ...]
    answers: tuple[str, ...]
    # The deadline, step by step.
    deadline: tuple[str, ...]
    due: datetime | None
    citation: str
    citation_url: str | None
    # Open questions of this obligation (it is not in the plan until they are answered).
    questions: tuple[str, ...]
    obligation: Obligation | None

    def lines(self) -> list[str]:
        """The explanation as text, one fact a line."""
        head = [
            f"{self.key}: {self.recipient_name} ({self.recipient})",
            (
                f"Rule {self.rule_id}: {self.rule_title} [{self.confidence}, reviewed "
                f"{self.last_reviewed}] ({self.rule_source})"
            ),
            f"Citation: {self.citation}" + (f" <{self.citation_url}>" if self.citation_url else ""),
        ]
        out = [*head, "Fired by:"]
        out += [f"  {line}" for line in (*self.counted, *self.trigger, *self.answers)]
        out += ["Deadline:"] + [f"  {line}" for line in self.deadline]
        if self.questions:
            out += ["Undecided (answer before it is planned):"]
            out += [f"  {line}" for line in self.questions]
        return out


def _find(key: str, rules: tuple[Rule, ...]) -> tuple[Rule, ObligationRule, str]:
    rule_id, _, rest = key.partition("/")
    spec_id, _, scope = rest.partition("/")
    for rule in rules:
        if rule.rule.id != rule_id:
            continue
        for spec in rule.obligations:
            if spec.id == spec_id:
                return rule, spec, scope
        # A question key names the risk test, not the obligation.
        for spec in rule.obligations:
            if any(test.id == spec_id for test in spec.trigger.risk_tests):
                return rule, spec, scope
    raise InvalidArgumentError(
        f"no obligation {key!r} in the rules: `magento-ir notify plan` lists the keys "
        "(e.g. eu-gdpr/art33-authority/DE)"
    )


def _trigger(trigger: Trigger) -> list[str]:
    out = []
    if trigger.categories:
        out.append(f"any of: {', '.join(sorted(expand(trigger.categories)))}")
    else:
        out.append("any personal data")
    if trigger.all_categories:
        out.append(f"all of together: {', '.join(sorted(expand(trigger.all_categories)))}")
    if trigger.encryption_safe_harbour:
        out.append("encrypted data whose key was safe does not count (safe harbour)")
    if trigger.employees_only:
        out.append("employees' records only")
    if trigger.more_than is not None:
        out.append(f"more than {trigger.more_than} people")
    elif trigger.at_least is not None:
        out.append(f"at least {trigger.at_least} people")
    if trigger.fewer_than is not None:
        out.append(f"fewer than {trigger.fewer_than} people")
    if trigger.scale_at_least is not None:
        out.append(f"risk tests not needed at {trigger.scale_at_least} people or more")
    if trigger.exempted_by is not None:
        out.append(f"only when an answer exempted {trigger.exempted_by} (what the exception costs)")
    return [f"trigger: {line}" for line in out]


def _counted_lines(rule: Rule, spec: ObligationRule, scope: str, facts: Facts) -> list[str]:
    out = []
    for group in facts.affected:
        if not _covers(rule.rule.jurisdictions, group.jurisdiction):
            continue
        # One authority per member state: only that state's people, unless it is the lead.
        own_scope = spec.per_jurisdiction and scope
        if own_scope and scope not in {facts.lead_authority, group.jurisdiction}:
            continue
        hit = _counted(spec.trigger, group, facts)
        who = "employees" if group.employees else "people"
        out.append(
            f"{group.jurisdiction}: {group.count} {who}, {', '.join(sorted(group.categories))}"
            + ("" if hit else " (not counted: the trigger's categories are not exposed)")
        )
    return out or ["no affected group in the rule's jurisdictions"]


def _business_walk(local: datetime, amount: int, calendar: str) -> tuple[datetime, list[str]]:
    country, _, subdivision = calendar.partition("-")
    days = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(local.year, local.year + 2)
    )
    skipped = []
    day = local
    while amount:
        day += timedelta(days=1)
        if day.weekday() >= _WEEKEND:
            skipped.append(f"{day.date()} weekend")
        elif day.date() in days:
            skipped.append(f"{day.date()} holiday: {days.get(day.date())}")
        else:
            amount -= 1
    return day, skipped


def _deadline_lines(
    deadline: Deadline, start: datetime | None, zone: ZoneInfo, facts: Facts, event: str
) -> tuple[list[str], datetime | None]:
    out = [f"rule: {deadline.text}"]
    if deadline.kind == "none":
        return [*out, "no fixed period: due now"], None
    if start is None:
        return [*out, f"no time given for {event}: add it to the facts' clock"], None
    amount = deadline.amount or 0
    if facts.small_processing_agent and deadline.small_agent_amount is not None:
        amount = deadline.small_agent_amount
        out.append(f"small processing agent: {amount} instead of {deadline.amount}")
    out.append(f"clock starts at {event}: {start.astimezone(UTC):%Y-%m-%d %H:%M} UTC")
    if deadline.kind == "hours":
        due = (start + timedelta(hours=amount)).astimezone(UTC)
        out.append(f"+ {amount} elapsed hours = {due:%Y-%m-%d %H:%M} UTC")
        return out, due
    local = start.astimezone(zone).replace(tzinfo=None)
    out.append(f"on the recipient's wall clock ({zone.key}): {local:%Y-%m-%d %H:%M}")
    if deadline.kind == "calendar_days":
        local += timedelta(days=amount)
        out.append(f"+ {amount} calendar days = {local:%Y-%m-%d %H:%M} {zone.key}")
    else:
        calendar = deadline.calendar or ""
        if calendar == "merchant":
            if facts.merchant_country is None:
                return [*out, "business days of the merchant's country: not given"], None
            calendar = facts.merchant_country
        local, skipped = _business_walk(local, amount, calendar)
        out.append(
            f"+ {amount} business days ({calendar} calendar) = {local:%Y-%m-%d %H:%M} {zone.key}"
        )
        out += [f"  skipped {line}" for line in skipped]
    due = local.replace(tzinfo=zone).astimezone(UTC)
    out.append(f"= {due:%Y-%m-%d %H:%M} UTC")
    return out, due


def explain(key: str, facts: Facts, rules: tuple[Rule, ...], *, as_of: date) -> Explanation:
    """Why `key` is (or is not yet) an obligation under `facts`."""
    rule, spec, scope = _find(key, rules)
    result = plan(facts, rules, as_of=as_of)
    prefix = f"{rule.rule.id}/{spec.id}"
    obligation = next(
        (o for o in result.obligations if o.key == key or (o.key == prefix and not scope)),
        None,
    )
    questions: list[Question] = [
        q for q in result.questions if q.key in {key, prefix} or q.question_id == key
    ]
    answers = [
        f"answered {test_key} = {'yes' if facts.answers[test_key] else 'no'}: {test.text}"
        for test in spec.trigger.risk_tests
        if (test_key := f"{rule.rule.id}/{test.id}") in facts.answers
    ]
    deadline = spec.deadline
    zone = ZoneInfo(rule.rule.timezones.get(scope, rule.rule.timezone))
    if deadline.after is not None:
        before = next(
            (o for o in result.obligations if o.key.startswith(f"{rule.rule.id}/{deadline.after}")),
            None,
        )
        sent = facts.sent.get(before.key) if before else None
        start = sent or (before.deadline if before else None)
        event = f"{deadline.after} sent" if sent else f"{deadline.after}'s deadline (not sent yet)"
    else:
        event = deadline.from_ or ""
        if deadline.from_ == "earliest":
            start = min(facts.clock.values(), default=None)
            event = "the earliest clock event known"
        else:
            start = facts.clock.get(deadline.from_) if deadline.from_ else None
    lines, due = _deadline_lines(deadline, start, zone, facts, event)
    if obligation is None and not questions:
        lines.append("not in the plan: the facts do not meet the trigger")
    return Explanation(
        key=obligation.key if obligation else key,
        rule_id=rule.rule.id,
        rule_title=rule.rule.title,
        rule_source=Path(rule.source).name,
        confidence=rule.rule.confidence,
        last_reviewed=rule.rule.last_reviewed,
        recipient=spec.recipient,
        recipient_name=spec.recipient_name,
        counted=tuple(_counted_lines(rule, spec, scope, facts)),
        trigger=tuple(_trigger(spec.trigger)),
        answers=tuple(answers),
        deadline=tuple(lines),
        due=due,
        citation=spec.citation.statute,
        citation_url=spec.citation.url,
        questions=tuple(f"{q.question_id}: {q.text}" for q in questions),
        obligation=obligation,
    )
