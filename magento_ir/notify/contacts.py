"""Contact lists: who to reach inside the company, at the authorities and at processors (issue 13,
item 6).

One TOML file with three lists: `[[internal]]` (DPO, legal, PR, HR, executives, on-call),
`[[authorities]]` (supervisory authorities, attorneys general, card brands, the acquirer) and
`[[processors]]`. Every entry names an `owner` (who keeps it right) and the day it was last
`reviewed`; `check()` reports each entry reviewed more than 90 days ago (a quarterly review) or
without any channel, each internal role nobody fills and, given a plan, each obligation to an
authority, regulator, card brand or acquirer no entry `covers`. Channels hold addresses and
names only: a webhook URL or an integration key is a secret and belongs in the environment.

Errors::

    MagentoIRError
    └── ContactsError               the file cannot be read or does not match the format
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import load_model

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from magento_ir.notify.engine import Obligation

__all__ = [
    "EXTERNAL_RECIPIENTS",
    "INTERNAL_ROLES",
    "REVIEW_EVERY",
    "Channels",
    "Contact",
    "ContactList",
    "ContactProblem",
    "ContactsError",
    "check",
    "load_contacts",
]

REVIEW_EVERY = timedelta(days=90)
INTERNAL_ROLES = ("dpo", "legal", "pr", "hr", "executive", "on_call")


class ContactsError(MagentoIRError):
    """The contacts file cannot be used; the message names the file, the entry and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channels(_Strict):
    """How to reach a contact. Names and addresses only, never a secret."""

    email: str | None = None
    phone: str | None = None
    # The PagerDuty service or escalation policy name (the routing key stays in the environment).
    pagerduty: str | None = None
    slack: str | None = None
    teams: str | None = None
    # A web form or portal (most authorities take breach reports through one).
    web_form: str | None = None
    postal: str | None = None

    def any(self) -> bool:
        return any(value for value in self.model_dump().values())


class Contact(_Strict):
    name: str
    owner: str
    reviewed: date
    channels: Channels = Channels()
    # internal: one of INTERNAL_ROLES (or your own); authorities: supervisory_authority,
    # attorney_general, regulator, card_brand, acquirer; processors: what they process.
    role: str = ""
    # ISO 3166 code ("DE", "US-CA") for authorities; "*" for a card brand.
    jurisdiction: str | None = None
    # The obligations (keys from `notify plan`, or a prefix: "visa" covers "visa/notify") this
    # contact receives, so a plan can be checked for recipients nobody knows how to reach.
    covers: tuple[str, ...] = ()
    notes: str = ""

    def receives(self, key: str) -> bool:
        return any(key == cover or key.startswith(f"{cover}/") for cover in self.covers)


class ContactList(_Strict):
    internal: tuple[Contact, ...] = ()
    authorities: tuple[Contact, ...] = ()
    processors: tuple[Contact, ...] = ()

    def by_role(self, role: str) -> tuple[Contact, ...]:
        return tuple(c for c in self.internal if c.role == role)


class ContactProblem(_Strict):
    section: Literal["internal", "authorities", "processors"]
    name: str
    problem: str

    def __str__(self) -> str:
        return f"{self.section}: {self.name}: {self.problem}"


def load_contacts(path: str | Path) -> ContactList:
    """Read and validate a contacts file; an error names the entry and key (`internal.2.owner`)."""
    return load_model(path, ContactList, ContactsError, what="the contacts file")


# Recipients outside the company that need an address in the contact list.
EXTERNAL_RECIPIENTS = frozenset(
    {"authority", "attorney_general", "regulator", "credit_agencies", "card_brand", "acquirer"}
)


def check(
    contacts: ContactList, *, as_of: date, obligations: Iterable[Obligation] = ()
) -> list[ContactProblem]:
    """Every entry due for review (more than 90 days) or without a channel, every internal role
    no entry fills, and every planned obligation to an authority, regulator, card brand or
    acquirer that no entry `covers`, in file order."""
    problems: list[ContactProblem] = []
    sections: tuple[Literal["internal", "authorities", "processors"], ...] = (
        "internal",
        "authorities",
        "processors",
    )
    for section in sections:
        for contact in getattr(contacts, section):
            age = as_of - contact.reviewed
            if age > REVIEW_EVERY:
                problems.append(
                    ContactProblem(
                        section=section,
                        name=contact.name,
                        problem=f"last reviewed {contact.reviewed} ({age.days} days ago; review "
                        f"at least every {REVIEW_EVERY.days} days), owner {contact.owner}",
                    )
                )
            if not contact.channels.any():
                problems.append(
                    ContactProblem(
                        section=section,
                        name=contact.name,
                        problem="no channel: add at least one of email, phone, pagerduty, "
                        "slack, teams, web_form, postal",
                    )
                )
    problems.extend(
        ContactProblem(
            section="internal",
            name=role,
            problem=f'nobody has role = "{role}": add who to call for it',
        )
        for role in INTERNAL_ROLES
        if not contacts.by_role(role)
    )
    known = (*contacts.authorities, *contacts.processors, *contacts.internal)
    problems.extend(
        ContactProblem(
            section="authorities",
            name=obligation.recipient_name,
            problem=f"no contact covers {obligation.key}: add covers = "
            f'["{obligation.key}"] to the entry that receives it',
        )
        for obligation in obligations
        if obligation.recipient in EXTERNAL_RECIPIENTS
        and not any(contact.receives(obligation.key) for contact in known)
    )
    return problems
