"""The drill's notification section: the staged breach assessed (who, where, what) and the
obligations it triggers, with their deadlines (issue 12).

The assessment reads the store over HTTP as a responder would, with the responder integration,
before containment starts. The drill's clock: awareness, discovery and determination are all the
moment of assessment (a drill has no earlier complaint); no risk test is answered, so the questions
a person must decide are listed, not guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from magento_ir._async import AsyncMagentoClient
from magento_ir._exceptions import MagentoIRError
from magento_ir.auth import OAuth1Credentials
from magento_ir.drill._render import Items, Section, Table, Text
from magento_ir.notify import Facts, Plan, plan, shipped_rules
from magento_ir.notify.exposure import (
    CustomerSelection,
    Exposure,
    RecipientKey,
    aadmin_exposure,
    acustomer_exposure,
    askimmer_exposure,
)
from magento_ir.notify.hr import hr_exposure
from magento_ir.notify.register import incident_clock

if TYPE_CHECKING:
    from magento_ir.drill._staging import StagedBreach
    from magento_ir.sandbox import Sandbox

__all__ = ["MERCHANT_COUNTRY", "Assessment", "assess_breach", "notify_section"]

# The sandbox store is a US merchant (USD, Texas and Colorado buyers).
MERCHANT_COUNTRY = "US"
_RESPONDER = "ERP Connector"
# The admin whose login each scenario's attacker holds: what that role can read is exposed.
_STOLEN_ADMIN = {"compromised_admin": "catalog", "ransomware_admin": "admin"}
# Scenarios whose attacker read a range of customer records (StagedBreach.exposed_customer_ids).
_CUSTOMERS_READ = frozenset(
    {"customer_data_exfiltration", "credential_stuffing", "malicious_integration"}
)
_HR_EXPORT = "hr-export.csv"


@dataclass(frozen=True, slots=True)
class Assessment:
    """What the drill assessed and planned."""

    description: str
    exposure: Exposure | None
    facts: Facts
    plan: Plan
    notes: tuple[str, ...] = field(default=())


def _magento_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _role_resources(sandbox: Sandbox, username: str) -> frozenset[str]:
    """What System > Permissions > User Roles shows for the admin's role (no route lists it)."""
    with sandbox.lock:
        state = sandbox.state
        user = next(u for u in state.admin_users.values() if u.username == username)
        return state.admin_resources(user)


def hr_export() -> str:
    """The drill's staged HR export: staff records the attacker took."""
    return (resources.files("magento_ir.drill") / "data" / _HR_EXPORT).read_text(encoding="utf-8")


async def _exposure(
    scenario: str, sandbox: Sandbox, client: AsyncMagentoClient, breach: StagedBreach, now: datetime
) -> tuple[str, Exposure | None]:
    key = RecipientKey.generate()
    if scenario == "magecart":
        start = _magento_time(breach.orders_since) if breach.orders_since else now
        found = await askimmer_exposure(client, start, now, key=key)
        return f"card-paid orders from {start:%Y-%m-%d %H:%M:%S} UTC to now (the skimmer)", found
    stolen = _STOLEN_ADMIN.get(scenario)
    if stolen is not None:
        found = await aadmin_exposure(
            client,
            stolen,
            _role_resources(sandbox, stolen),
            key=key,
            as_of=now.date(),
            merchant_country=MERCHANT_COUNTRY,
        )
        return f"what admin {stolen!r} could read", found
    if scenario in _CUSTOMERS_READ and breach.exposed_customer_ids:
        low, high = breach.exposed_customer_ids
        # Stuffed accounts: the attacker holds the e-mail and the password that signs in.
        taken = frozenset(
            {"contact", "account_credentials"} if scenario == "credential_stuffing" else {"contact"}
        )
        selection = CustomerSelection(id_from=low, id_to=high, categories=taken)
        found = await acustomer_exposure(client, selection, key=key, as_of=now.date())
        return f"customers read out: {selection.describe()}", found
    if scenario in {"hr_data_breach", "hr_portal_exfiltration"}:
        found = hr_exposure(hr_export(), key=key, source=_HR_EXPORT)
        return f"staff records of the staged HR export ({_HR_EXPORT})", found
    # Card testing abuses stolen cards against the store; it exposes no data the store holds.
    return "no personal data the store holds was exposed (card testing)", None


async def assess_breach(
    scenario: str, sandbox: Sandbox, base_url: str, breach: StagedBreach
) -> Assessment:
    """The staged breach's exposure and its notification plan, read over HTTP."""
    now = datetime.fromtimestamp(int(sandbox.now()), UTC)
    credentials = sandbox.inspect.integration_credentials(_RESPONDER)
    notes: list[str] = []
    async with AsyncMagentoClient(base_url, auth=OAuth1Credentials(**credentials)) as client:
        try:
            description, exposure = await _exposure(scenario, sandbox, client, breach, now)
        except MagentoIRError as error:
            description, exposure = "not assessed", None
            notes.append(f"the assessment could not read the store: {error}")
    facts = Facts(
        clock=incident_clock(detected=now, determination=now),
        affected=exposure.groups if exposure else (),
        card_schemes=exposure.card_schemes if exposure else frozenset(),
        merchant_country=MERCHANT_COUNTRY,
    )
    if exposure is not None:
        notes.extend(exposure.notes)
    result = plan(facts, shipped_rules(), as_of=now.date())
    return Assessment(description, exposure, facts, result, tuple(notes))


def _data(assessment: Assessment) -> dict[str, Any]:
    exposure = assessment.exposure
    return {
        "assessed": assessment.description,
        "people": exposure.people if exposure else 0,
        "by_jurisdiction": exposure.by_jurisdiction() if exposure else {},
        "by_category": exposure.by_category() if exposure else {},
        "clock": {name: moment.isoformat() for name, moment in assessment.facts.clock.items()},
        "obligations": [
            {
                "key": o.key,
                "recipient": o.recipient_name,
                "jurisdiction": o.jurisdiction,
                "affected": o.affected,
                "deadline": o.deadline.isoformat() if o.deadline else None,
                "deadline_text": o.deadline_text,
                "citation": o.citation.statute,
            }
            for o in assessment.plan.obligations
        ],
        "questions": [q.question_id for q in assessment.plan.questions],
        "notes": list(assessment.notes),
        # The facts as `notify plan` and `notify explain --facts` read them.
        "facts": assessment.facts.model_dump(mode="json"),
    }


def notify_section(assessment: Assessment) -> Section:
    """The report's "Notification obligations" section (`sections.notify` in the JSON)."""
    exposure = assessment.exposure
    people = exposure.people if exposure else 0
    where = ", ".join(
        f"{k} {v}" for k, v in (exposure.by_jurisdiction() if exposure else {}).items()
    )
    what = ", ".join(f"{k} {v}" for k, v in (exposure.by_category() if exposure else {}).items())
    blocks: list[Any] = [
        Text(
            (
                f"Assessed: {assessment.description}. {people} people"
                + (f" ({where}); data: {what}." if people else ".")
                + " The clocks start at the assessment (awareness = detection in a drill).",
            )
        )
    ]
    rows = tuple(
        (
            o.deadline.strftime("%Y-%m-%d %H:%M") if o.deadline else f"now ({o.deadline_text})",
            o.recipient_name,
            o.jurisdiction or "",
            str(o.affected),
            o.citation.statute,
            o.key,
        )
        for o in assessment.plan.obligations
    )
    if rows:
        blocks.append(
            Table(
                ("Deadline (UTC)", "Recipient", "Jurisdiction", "People", "Citation", "Key"),
                rows,
                numeric=frozenset({3}),
            )
        )
    else:
        blocks.append(Text(("No notification obligation: record the incident in the register.",)))
    if assessment.plan.questions:
        blocks.append(Text(("Questions a person must answer before these are planned:",)))
        blocks.append(
            Items(
                tuple(
                    (f"{q.question_id} (for {q.key}): {q.text}",) for q in assessment.plan.questions
                )
            )
        )
    blocks.append(
        Text(
            (
                (
                    "Why each applies: save sections.notify.facts of drill-report.json as "
                    "facts.json, then run magento-ir notify explain KEY --facts facts.json. "
                    "This plan supports legal counsel; it does not replace it."
                ),
            )
        )
    )
    return Section("notify", "Notification obligations", tuple(blocks), data=_data(assessment))
