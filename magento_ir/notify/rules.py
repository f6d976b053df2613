"""Notification rules as data: one TOML file per jurisdiction or scheme (docs/notifications.md).

```toml
[rule]
id = "br-lgpd"
title = "Brazil LGPD art. 48 and ANPD Resolution CD/ANPD 15/2024"
jurisdictions = ["BR"]
timezone = "America/Sao_Paulo"
effective_from = 2024-04-26
last_reviewed = 2026-11-15
confidence = "confirmed"

[[obligations]]
id = "anpd"
recipient = "authority"
recipient_name = "ANPD"
template = "br-lgpd-anpd"
deadline = { kind = "business_days", amount = 3, from = "awareness", calendar = "BR" }
trigger = { categories = ["contact"], risk_tests = [
    { id = "relevant-risk", text = "...", fires_when = true },
] }
citation = { statute = "LGPD art. 48", url = "https://..." }
```

Every mistake is a `RuleError` naming the file, the line and the key. Parsing is pure; only
`load_rules` and `shipped_rules` read files.
"""

import re
import tomllib
import zoneinfo
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import line_of
from magento_ir.notify.categories import expand

__all__ = [
    "Citation",
    "ClockEvent",
    "Contact",
    "Deadline",
    "ObligationRule",
    "RiskTest",
    "Rule",
    "RuleError",
    "RuleHeader",
    "Trigger",
    "load_rules",
    "parse_rule",
    "shipped_rules",
]

# awareness: the controller is reasonably certain personal data was compromised (EDPB 9/2022);
# discovery / determination: the words US statutes use; assessment: Singapore's "assessed it
# notifiable"; earliest: the reference gives no clock start, so plan to the earliest event known.
# materiality: a public company's materiality determination (SEC Form 8-K Item 1.05).
ClockEvent = Literal[
    "awareness", "discovery", "determination", "assessment", "materiality", "earliest"
]
Confidence = Literal["confirmed", "consistent", "weak"]
_ID = r"^[a-z0-9][a-z0-9-]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _https(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        raise ValueError("must be an https:// address of the primary source")
    return value


class Citation(_Strict):
    statute: Annotated[str, Field(min_length=1)]
    # None where no primary-source address was verified; the plan lists such rules.
    url: str | None = None

    _url = field_validator("url")(_https)


class Contact(_Strict):
    """Who receives the notice in one jurisdiction (e.g. one GDPR supervisory authority)."""

    name: Annotated[str, Field(min_length=1)]
    # The authority's official website, its breach-notification page or form, and its e-mail
    # where it publishes one; None where not verified.
    website: str | None = None
    url: str | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")] | None = None
    # The postal address the authority gives on its own site (or the source says where else),
    # for notices sent by post and for authorities whose breach channel was not read.
    postal: Annotated[str, Field(min_length=1)] | None = None
    # Where url/email were checked, or why they are missing.
    source: Annotated[str, Field(min_length=1)]
    confidence: Confidence

    _url = field_validator("url", "website")(_https)


class RiskTest(_Strict):
    """A judgement a person must make; the engine asks it, never guesses it."""

    id: Annotated[str, Field(pattern=_ID)]
    text: Annotated[str, Field(min_length=1)]
    # The answer that makes the obligation fire.
    fires_when: bool
    # Asked only when every counted person is in employee records (e.g. an HR exemption).
    employees_only: bool = False


class Trigger(_Strict):
    # At least one of these exposed (in the clear) fires; empty means any personal data.
    categories: list[str] = []
    # All of these must be exposed in the clear together (e.g. tax id + withholding).
    all_categories: list[str] = []
    # Encrypted data whose key was not exposed does not count.
    encryption_safe_harbour: bool = False
    employees_only: bool = False
    more_than: Annotated[int, Field(ge=0)] | None = None
    at_least: Annotated[int, Field(ge=1)] | None = None
    # Only below this many people (HIPAA's annual log of breaches under 500).
    fewer_than: Annotated[int, Field(ge=1)] | None = None
    # At or above this many people the risk tests are not needed (Singapore's "significant scale").
    scale_at_least: Annotated[int, Field(ge=1)] | None = None
    risk_tests: list[RiskTest] = []
    # Owed only when a person's answer to a risk test of the named earlier obligation of this
    # rule held that obligation back: what an exception costs (US risk-of-harm exceptions: keep
    # the written determination, tell the Attorney General of it).
    exempted_by: Annotated[str, Field(pattern=_ID)] | None = None

    @field_validator("categories", "all_categories")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        try:
            expand(value)
        except KeyError as error:
            raise ValueError(
                f"unknown data category {error.args[0]!r}; see magento_ir.notify.categories"
            ) from None
        return value

    @model_validator(mode="after")
    def _one_threshold(self) -> Self:
        if self.more_than is not None and self.at_least is not None:
            raise ValueError("give more_than or at_least, not both")
        return self


class Deadline(_Strict):
    # none: no fixed period ("without undue delay", "as soon as practicable"); `text` says which.
    kind: Literal["hours", "calendar_days", "business_days", "none"]
    amount: Annotated[int, Field(ge=0)] | None = None
    # Small processing agents get a longer period (Brazil: 6 business days instead of 3).
    small_agent_amount: Annotated[int, Field(ge=0)] | None = None
    from_: Annotated[ClockEvent | None, Field(alias="from")] = None
    # The clock starts when an earlier obligation of the same rule was met (CA: AG after residents).
    after: Annotated[str, Field(pattern=_ID)] | None = None
    # holidays country code with optional subdivision ("BR", "US-VT"); "merchant" = facts' country.
    calendar: str | None = None
    text: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "none":
            if self.amount is not None:
                raise ValueError("kind none takes no amount")
            return self
        if self.amount is None:
            raise ValueError(f"kind {self.kind} needs an amount")
        if (self.from_ is None) == (self.after is None):
            raise ValueError('give exactly one of from = "<event>" or after = "<obligation id>"')
        if self.kind == "business_days" and self.calendar is None:
            raise ValueError('business_days needs calendar = "<country code>" or "merchant"')
        return self


class ObligationRule(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    recipient: Literal[
        "authority",
        "individuals",
        "attorney_general",
        "regulator",
        "credit_agencies",
        "card_brand",
        "acquirer",
        "media",
        "internal",
    ]
    recipient_name: Annotated[str, Field(min_length=1)]
    template: Annotated[str, Field(pattern=_ID)]
    # One obligation per affected jurisdiction of the rule (one SA per member state), unless the
    # facts name a lead authority among them (GDPR one-stop-shop).
    per_jurisdiction: bool = False
    # Jurisdiction -> the recipient there; its name replaces recipient_name in that scope.
    contacts: dict[str, Contact] = {}
    trigger: Trigger = Trigger()
    deadline: Deadline
    content: list[str] = []
    delay_allowances: list[str] = []
    citation: Citation
    notes: str = ""


class RuleHeader(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    title: Annotated[str, Field(min_length=1)]
    # ISO 3166 codes; "US" also matches "US-CA". "*" matches everyone (card schemes follow the
    # card, not the person).
    jurisdictions: Annotated[list[str], Field(min_length=1)]
    # Card scheme rules apply only when the facts name the scheme.
    card_scheme: str | None = None
    # Facts that must be true for the rule to apply at all (e.g. "hipaa_covered_plan").
    requires: list[Annotated[str, Field(pattern=r"^[a-z_]+$")]] = []
    timezone: str
    timezones: dict[str, str] = {}
    # Omitted when the sources give no date: the rule is then treated as in force.
    effective_from: date | None = None
    last_reviewed: date
    confidence: Confidence
    sources: list[str] = []

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        _check_zone(value)
        return value

    @field_validator("timezones")
    @classmethod
    def _zones(cls, value: dict[str, str]) -> dict[str, str]:
        for zone in value.values():
            _check_zone(zone)
        return value


class Rule(_Strict):
    rule: RuleHeader
    obligations: Annotated[list[ObligationRule], Field(min_length=1)]
    source: str = "<rule>"

    @model_validator(mode="after")
    def _references(self) -> Self:
        seen: set[str] = set()
        tested: set[str] = set()
        for obligation in self.obligations:
            after = obligation.deadline.after
            if after is not None and after not in seen:
                raise ValueError(
                    f"obligation {obligation.id!r}: after = {after!r} must name an earlier "
                    "obligation of this rule"
                )
            if obligation.id in seen:
                raise ValueError(f"obligation id {obligation.id!r} is used twice")
            exempted_by = obligation.trigger.exempted_by
            if exempted_by is not None and exempted_by not in tested:
                raise ValueError(
                    f"obligation {obligation.id!r}: exempted_by = {exempted_by!r} must name an "
                    "earlier obligation of this rule that has risk_tests"
                )
            seen.add(obligation.id)
            if obligation.trigger.risk_tests:
                tested.add(obligation.id)
            # A contact is keyed by a jurisdiction or, where a country has one authority per
            # region (Germany's Länder), by its ISO 3166-2 subdivision (DE-BY): the seat's.
            unknown = sorted(
                key
                for key in obligation.contacts
                if key not in self.rule.jurisdictions
                and key.split("-")[0] not in self.rule.jurisdictions
            )
            if unknown:
                raise ValueError(
                    f"obligation {obligation.id!r}: contacts for {', '.join(unknown)}, which are "
                    "not in rule.jurisdictions (or a subdivision of one)"
                )
        return self


def _check_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone, e.g. Europe/Berlin") from None


class RuleError(MagentoIRError, ValueError):
    """A rule file that cannot be used; the message names the file, line and key."""


def _index_line(text: str, path: tuple[str | int, ...]) -> int:
    """Line of `[[obligations]]` number n when the path starts there, else 0."""
    if len(path) >= 2 and path[0] == "obligations" and isinstance(path[1], int):  # noqa: PLR2004
        headers = [
            number
            for number, line in enumerate(text.splitlines())
            if re.match(r"^\s*\[\[obligations\]\]", line)
        ]
        if path[1] < len(headers):
            return headers[path[1]]
    return 0


def parse_rule(text: str, *, source: str = "<rule>") -> Rule:
    """Validate one rule file's text; pure."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RuleError(f"{source}: not valid TOML: {error}") from None
    try:
        return Rule.model_validate({**data, "source": source})
    except ValidationError as error:
        first = error.errors()[0]
        path = tuple(first["loc"])
        start = _index_line(text, path)
        line = line_of("\n".join(text.splitlines()[start:]), path[2:] if start else path)
        line = line + start if line else start + 1 if start else 0
        key = ".".join(str(part) for part in path) or "(file)"
        where = f"{source}:{line}" if line else source
        raise RuleError(f"{where}: {key}: {first['msg']}") from None


def load_rules(paths: list[Path]) -> tuple[Rule, ...]:
    """Read and validate rule files; ids must be unique across them."""
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in paths:
        rule = parse_rule(path.read_text(encoding="utf-8"), source=str(path))
        if rule.rule.id in seen:
            raise RuleError(
                f"{path}: rule.id {rule.rule.id!r} is also used by {seen[rule.rule.id]}"
            )
        seen[rule.rule.id] = str(path)
        rules.append(rule)
    return tuple(rules)


def shipped_rules() -> tuple[Rule, ...]:
    """The rules shipped in magento_ir/notify/rules/."""
    folder = resources.files("magento_ir.notify") / "rules"
    return load_rules(sorted(Path(str(folder)).glob("*.toml")))
