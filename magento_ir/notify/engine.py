"""The notification engine: facts + rules -> obligations, questions and stale rules.

Pure and deterministic: no I/O, no clock (`as_of` and every clock event are inputs). What a person
must decide (a risk test) comes back as a `Question` carrying the rule's own text; it is never
guessed. Changing a fact and planning again re-plans.
"""

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from magento_ir.notify.categories import expand
from magento_ir.notify.rules import (
    Citation,
    Contact,
    Deadline,
    ObligationRule,
    Rule,
    Trigger,
)

__all__ = ["STALE_AFTER", "AffectedGroup", "Facts", "Obligation", "Plan", "Question", "plan"]

STALE_AFTER = timedelta(days=180)


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must be timezone-aware, e.g. 2026-03-02T09:00:00+00:00")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AffectedGroup(_Frozen):
    """People of one jurisdiction whose records held these categories."""

    jurisdiction: str
    count: Annotated[int, Field(ge=0)]
    categories: frozenset[str]
    employees: bool = False


class Facts(_Frozen):
    clock: Mapping[
        Literal["awareness", "discovery", "determination", "assessment", "materiality"],
        AwareDatetime,
    ]
    affected: tuple[AffectedGroup, ...]
    # category -> "encrypted" (key safe) or "key_exposed"; absent means exposed in the clear.
    encryption: Mapping[str, Literal["encrypted", "key_exposed"]] = {}
    answers: Mapping[str, bool] = {}
    card_schemes: frozenset[str] = frozenset()
    # Facts a rule may require (e.g. "hipaa_covered_plan", "sec_registrant").
    flags: frozenset[str] = frozenset()
    # ISO country of the merchant, for card-scheme business days.
    merchant_country: str | None = None
    # GDPR one-stop-shop: the member state of the lead supervisory authority, if any.
    lead_authority: str | None = None
    # ISO 3166-2 subdivision of the controller's seat (e.g. "DE-BY"): where a country has one
    # authority per region (Germany's Länder), the seat's is the competent one.
    controller_region: Annotated[str, Field(pattern=r"^[A-Z]{2}-[A-Z0-9]{1,3}$")] | None = None
    small_processing_agent: bool = False
    # obligation key -> when it was met, for deadlines that run after another notice.
    sent: Mapping[str, AwareDatetime] = {}


class Obligation(_Frozen):
    key: str
    rule_id: str
    recipient: str
    recipient_name: str
    # The recipient's contact in this jurisdiction, where the rule gives one.
    contact: Contact | None = None
    jurisdiction: str | None
    affected: int
    deadline: datetime | None
    deadline_local: datetime | None
    timezone: str
    deadline_text: str
    content: tuple[str, ...]
    delay_allowances: tuple[str, ...]
    template: str
    citation: Citation
    confidence: str


class Question(_Frozen):
    key: str
    rule_id: str
    question_id: str
    text: str
    citation: Citation


class Plan(_Frozen):
    as_of: date
    obligations: tuple[Obligation, ...]
    questions: tuple[Question, ...]
    # Rules reviewed more than 180 days before `as_of`.
    stale_rules: tuple[str, ...]
    # Rules with a clock event the facts do not give, and which event.
    missing_clock: tuple[str, ...]
    # Rules whose citation has no verified address.
    unverified_citations: tuple[str, ...]


def _clear(category: str, facts: Facts, safe_harbour: bool) -> bool:
    return not safe_harbour or facts.encryption.get(category) != "encrypted"


def _counted(trigger: Trigger, group: AffectedGroup, facts: Facts) -> bool:
    if trigger.employees_only and not group.employees:
        return False
    exposed = {c for c in group.categories if _clear(c, facts, trigger.encryption_safe_harbour)}
    wanted = expand(trigger.categories)
    if wanted and not exposed & wanted:
        return False
    return expand(trigger.all_categories) <= exposed and bool(exposed)


def _covers(jurisdictions: list[str], jurisdiction: str) -> bool:
    return any(j in {"*", jurisdiction} or jurisdiction.startswith(f"{j}-") for j in jurisdictions)


def _threshold(trigger: Trigger, count: int) -> bool:
    if trigger.fewer_than is not None and count >= trigger.fewer_than:
        return False
    if trigger.more_than is not None:
        return count > trigger.more_than
    return count >= (trigger.at_least or 1)


def _start(deadline: Deadline, facts: Facts) -> datetime | None:
    if deadline.from_ == "earliest":
        return min(facts.clock.values(), default=None)
    return facts.clock.get(deadline.from_)  # type: ignore[arg-type]  # from_ set by the caller


def _business_days(start: datetime, amount: int, calendar: str) -> datetime:
    country, _, subdivision = calendar.partition("-")
    days = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(start.year, start.year + 2)
    )
    day = start
    while amount:
        day += timedelta(days=1)
        if day.weekday() < 5 and day.date() not in days:  # noqa: PLR2004 - Saturday is 5
            amount -= 1
    return day


def _due(deadline: Deadline, start: datetime, zone: ZoneInfo, facts: Facts) -> datetime | None:
    """The deadline in UTC. Days are counted on the recipient's wall clock, so a DST change
    between start and deadline moves the UTC instant, not the local time."""
    amount = deadline.amount
    if facts.small_processing_agent and deadline.small_agent_amount is not None:
        amount = deadline.small_agent_amount
    if deadline.kind == "hours":
        return (start + timedelta(hours=amount or 0)).astimezone(UTC)
    local = start.astimezone(zone).replace(tzinfo=None)
    if deadline.kind == "calendar_days":
        local += timedelta(days=amount or 0)
    else:
        calendar = deadline.calendar or ""
        if calendar == "merchant":
            if facts.merchant_country is None:
                return None
            calendar = facts.merchant_country
        local = _business_days(local, amount or 0, calendar)
    return local.replace(tzinfo=zone).astimezone(UTC)


class _Planner:
    def __init__(self, facts: Facts, as_of: date) -> None:
        self.facts = facts
        self.as_of = as_of
        self.obligations: list[Obligation] = []
        self.questions: list[Question] = []
        self.missing_clock: list[str] = []

    def rule(self, rule: Rule) -> None:
        header = rule.rule
        if header.effective_from is not None and header.effective_from > self.as_of:
            return
        if header.card_scheme is not None and header.card_scheme not in self.facts.card_schemes:
            return
        if not set(header.requires) <= self.facts.flags:
            return
        fired: dict[str, Obligation | None] = {}
        # "<obligation id>/<scope>" held back by a person's answer (an exception applied).
        exempted: set[str] = set()
        for spec in rule.obligations:
            for scope, groups in self._scopes(rule, spec):
                key = f"{header.id}/{spec.id}" + (f"/{scope}" if scope else "")
                fired[f"{spec.id}/{scope}"] = self._one(
                    rule,
                    spec,
                    key=key,
                    scope=scope,
                    groups=groups,
                    fired=fired,
                    exempted=exempted,
                )

    def _scopes(self, rule: Rule, spec: ObligationRule) -> list[tuple[str, list[AffectedGroup]]]:
        header = rule.rule
        groups = [g for g in self.facts.affected if _covers(header.jurisdictions, g.jurisdiction)]
        lead = self.facts.lead_authority
        if not spec.per_jurisdiction or lead in header.jurisdictions:
            return [(lead if spec.per_jurisdiction and lead else "", groups)]
        names = sorted({g.jurisdiction for g in groups})
        return [(name, [g for g in groups if g.jurisdiction == name]) for name in names]

    def _one(
        self,
        rule: Rule,
        spec: ObligationRule,
        *,
        key: str,
        scope: str,
        groups: list[AffectedGroup],
        fired: dict[str, Obligation | None],
        exempted: set[str],
    ) -> Obligation | None:
        trigger = spec.trigger
        if trigger.exempted_by is not None and f"{trigger.exempted_by}/{scope}" not in exempted:
            return None
        counted = [g for g in groups if _counted(trigger, g, self.facts)]
        count = sum(g.count for g in counted)
        if not counted or not _threshold(trigger, count):
            return None
        if trigger.scale_at_least is None or count < trigger.scale_at_least:
            employees = all(g.employees for g in counted)
            for test in trigger.risk_tests:
                if test.employees_only and not employees:
                    continue
                answer = self.facts.answers.get(f"{rule.rule.id}/{test.id}")
                if answer is None:
                    self.questions.append(
                        Question(
                            key=key,
                            rule_id=rule.rule.id,
                            question_id=f"{rule.rule.id}/{test.id}",
                            text=test.text,
                            citation=spec.citation,
                        )
                    )
                    return None
                if answer != test.fires_when:
                    exempted.add(f"{spec.id}/{scope}")
                    return None
        return self._obligation(rule, spec, key=key, scope=scope, count=count, fired=fired)

    def _obligation(
        self,
        rule: Rule,
        spec: ObligationRule,
        *,
        key: str,
        scope: str,
        count: int,
        fired: dict[str, Obligation | None],
    ) -> Obligation | None:
        header = rule.rule
        zone_name = header.timezones.get(scope, header.timezone)
        zone = ZoneInfo(zone_name)
        deadline = spec.deadline
        due: datetime | None = None
        if deadline.after is not None:
            before = fired.get(f"{deadline.after}/{scope}")
            if before is None:
                return None
            start = self.facts.sent.get(before.key, before.deadline)
            if start is not None:
                due = _due(deadline, start, zone, self.facts)
        elif deadline.from_ is not None:
            start = _start(deadline, self.facts)
            if start is None:
                self.missing_clock.append(f"{key}: {deadline.from_}")
            else:
                due = _due(deadline, start, zone, self.facts)
        contact = spec.contacts.get(scope)
        seat = self.facts.controller_region
        if seat is not None and seat.startswith(f"{scope}-"):
            contact = spec.contacts.get(seat, contact)
        obligation = Obligation(
            key=key,
            rule_id=header.id,
            recipient=spec.recipient,
            recipient_name=contact.name if contact else spec.recipient_name,
            contact=contact,
            jurisdiction=scope or None,
            affected=count,
            deadline=due,
            deadline_local=due.astimezone(zone) if due else None,
            timezone=zone_name,
            deadline_text=deadline.text,
            content=tuple(spec.content),
            delay_allowances=tuple(spec.delay_allowances),
            template=spec.template,
            citation=spec.citation,
            confidence=header.confidence,
        )
        self.obligations.append(obligation)
        return obligation


def plan(facts: Facts, rules: tuple[Rule, ...], *, as_of: date) -> Plan:
    """Every obligation the facts trigger, soonest first; undated ones ("without undue delay")
    lead, because they are due now."""
    planner = _Planner(facts, as_of)
    for rule in rules:
        planner.rule(rule)
    far = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(
        planner.obligations,
        key=lambda o: (o.deadline is not None, o.deadline or far, o.key),
    )
    return Plan(
        as_of=as_of,
        obligations=tuple(ordered),
        questions=tuple(sorted(planner.questions, key=lambda q: q.key)),
        stale_rules=tuple(r.rule.id for r in rules if as_of - r.rule.last_reviewed > STALE_AFTER),
        missing_clock=tuple(planner.missing_clock),
        unverified_citations=tuple(
            sorted({r.rule.id for r in rules for o in r.obligations if o.citation.url is None})
        ),
    )
