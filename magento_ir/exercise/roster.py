"""An exercise's roster: who takes part, in which role, and where injects reach them (issue 15,
item 2).

The roster is the exercise's whole contact list: the exercise guard (`guard.py`) refuses every
e-mail address and endpoint that is not on it. One TOML file::

    title = "Q4 2026 breach drill"
    owner = "Dana Lead"                 # who keeps it right
    reviewed = 2026-11-30

    [[participants]]
    id = "dana"                         # what `--as` names
    name = "Dana Lead"
    roles = ["incident_commander"]
    email = "dana.lead@drills.example.com"

    [smtp]                              # where e-mailed injects are submitted
    host = "smtp.example.com"
    sender = "drills@example.com"
    username = "drills"                 # password: MAGENTO_IR_EXERCISE_SMTP_PASSWORD

    [[channels]]                        # shared endpoints (a war-room channel, a test pager)
    name = "war-room"
    kind = "slack-webhook"
    url_env = "MAGENTO_IR_EXERCISE_SLACK_WEBHOOK_URL"

Secrets (passwords, tokens, routing keys, and webhook URLs that are credentials themselves)
are named by environment variable, never written in the file.

Errors::

    MagentoIRError
    └── RosterError                 the file cannot be read or does not match the format
"""

from __future__ import annotations

import re
from datetime import date  # noqa: TC003 - pydantic reads it at run time
from typing import TYPE_CHECKING, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import load_model

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from pathlib import Path

__all__ = [
    "ROLES",
    "Participant",
    "Roster",
    "RosterChannel",
    "RosterError",
    "RosterSmtp",
    "load_roster",
]

# Roles are the scenario's own (`[scenario].roles`: incident_commander, engineer, legal, dpo,
# hr, communications, payments ...); `check_scenario` refuses a run a role nobody fills. legal,
# dpo and hr are also the notice approvers' roles (notify/approvals.py).
_ROLE = re.compile(r"[a-z][a-z0-9_]{0,63}")
# The roles the shipped scenarios and programme records use (a roster may add its own).
ROLES = (
    "incident_lead",
    "dpo",
    "legal",
    "comms",
    "it",
    "hr",
    "security",
    "executive",
    "facilitator",
    "observer",
    "incident_commander",
    "engineer",
    "communications",
    "payments",
    "customer_support",
    "marketing",
)
ChannelKind = Literal["slack", "slack-webhook", "teams", "webhook", "pagerduty", "servicenow"]
# Kinds whose URL is itself the credential: it must come from the environment.
_SECRET_URL_KINDS = frozenset({"slack-webhook", "teams"})
_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}")
_ENV = re.compile(r"[A-Z][A-Z0-9_]*")


class RosterError(MagentoIRError, ValueError):
    """The roster cannot be used; the message names the file, the entry and the key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _env_name(value: str | None, key: str) -> None:
    if value is not None and not _ENV.fullmatch(value):
        raise ValueError(f"{key} must name an environment variable (A-Z, 0-9, _), not {value!r}")


def _known_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    bad = [role for role in roles if not _ROLE.fullmatch(role)]
    if bad:
        raise ValueError(
            f"role {bad[0]!r}: a scenario role name (lower-case letters, digits, '_'), e.g. "
            "incident_commander, legal, dpo"
        )
    return roles


class Participant(_Strict):
    """One person taking part."""

    id: str
    name: str
    roles: tuple[str, ...] = Field(min_length=1)
    email: str | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.fullmatch(value):
            raise ValueError(f"{value!r}: use lower-case letters, digits, '_', '.', '-'")
        return value

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known_roles(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _ADDRESS.fullmatch(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value


class RosterSmtp(_Strict):
    """The submission server e-mailed injects go through."""

    host: str
    port: int = 587
    sender: str
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str = "MAGENTO_IR_EXERCISE_SMTP_PASSWORD"  # noqa: S105 - a name, not a secret

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if not _ADDRESS.fullmatch(self.sender):
            raise ValueError(f"sender {self.sender!r} is not an e-mail address")
        _env_name(self.password_env, "password_env")
        return self


class RosterChannel(_Strict):
    """A shared endpoint injects are posted to. `url` or `url_env` (required for Slack and Teams
    webhooks, whose URL is the credential); the credential's environment variable by kind:
    `secret_env` (webhook signing secret), `token_env` (Slack bot token, ServiceNow OAuth
    token), `routing_key_env` (PagerDuty), `user_env` + `password_env` (ServiceNow)."""

    name: str
    kind: ChannelKind
    url: str | None = None
    url_env: str | None = None
    roles: tuple[str, ...] = ()
    slack_channel: str | None = None
    table: str = "incident"
    secret_env: str | None = None
    token_env: str | None = None
    routing_key_env: str | None = None
    user_env: str | None = None
    password_env: str | None = None

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if not _ID.fullmatch(self.name):
            raise ValueError(f"name {self.name!r}: lower-case letters, digits, '_', '.', '-'")
        for key in ("url_env", "secret_env", "token_env", "routing_key_env", "user_env"):
            _env_name(getattr(self, key), key)
        _env_name(self.password_env, "password_env")
        if self.kind in _SECRET_URL_KINDS and (self.url is not None or self.url_env is None):
            raise ValueError(
                f"a {self.kind} URL is a credential: give url_env (the environment variable "
                "holding it), not url"
            )
        if self.kind in ("webhook", "servicenow") and self.url is None and self.url_env is None:
            raise ValueError(f"a {self.kind} channel needs url (or url_env)")
        needs = {
            "webhook": ("secret_env",),
            "pagerduty": ("routing_key_env",),
            "slack": ("token_env", "slack_channel"),
        }.get(self.kind, ())
        missing = [key for key in needs if getattr(self, key) is None]
        if self.kind == "servicenow" and self.token_env is None and self.user_env is None:
            missing.append("token_env (or user_env and password_env)")
        if missing:
            raise ValueError(f"a {self.kind} channel needs {', '.join(missing)}")
        return self

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _known_roles(value)

    def resolved_url(self, environ: Mapping[str, str]) -> str | None:
        """The URL, read from the environment when the file names a variable (None: the
        service's default, for Slack's Web API and PagerDuty's Events API)."""
        if self.url_env is None:
            return self.url
        value = environ.get(self.url_env, "").strip()
        if not value:
            raise RosterError(
                f"channel {self.name!r}: set {self.url_env} to the exercise's {self.kind} URL"
            )
        return value


class Roster(_Strict):
    """The exercise's participants, its mail server and its shared channels."""

    title: str
    owner: str
    reviewed: date
    participants: tuple[Participant, ...] = Field(min_length=1)
    smtp: RosterSmtp | None = None
    channels: tuple[RosterChannel, ...] = ()
    # Addresses that may receive injects without taking part (an auditor observing, say).
    observers: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _valid(self) -> Self:
        for kind, values in (
            ("participant id", [p.id for p in self.participants]),
            ("e-mail address", [p.email.lower() for p in self.participants if p.email]),
            ("channel name", [c.name for c in self.channels]),
        ):
            seen: set[str] = set()
            for value in values:
                if value in seen:
                    raise ValueError(f"{kind} {value!r} appears twice")
                seen.add(value)
        bad = [address for address in self.observers if not _ADDRESS.fullmatch(address)]
        if bad:
            raise ValueError(f"observer {bad[0]!r} is not an e-mail address")
        if self.smtp is None and (self.observers or any(p.email for p in self.participants)):
            raise ValueError("participants have e-mail addresses: add [smtp] (host, sender)")
        covered = {role for channel in self.channels for role in channel.roles}
        for person in self.participants:
            if person.email is None and not covered.intersection(person.roles):
                raise ValueError(
                    f"participant {person.id!r} cannot be reached: give an email, or list one "
                    "of their roles in a channel's roles"
                )
        return self

    def participant(self, who: str) -> Participant:
        """The participant with this id (or exact name); RosterError names the known ones."""
        for person in self.participants:
            if who in (person.id, person.name):
                return person
        known = ", ".join(p.id for p in self.participants)
        raise RosterError(f"{who!r} is not on the exercise roster ({known}): use --as ID")

    def with_role(self, role: str) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if role in p.roles)

    def check_roles(self, roles: Iterable[str], what: str) -> None:
        """Refuse (RosterError) when a role `what` needs (a scenario's) nobody on the roster
        holds, so a drill never waits on a decision nobody can make."""
        held = {role for person in self.participants for role in person.roles}
        missing = [role for role in roles if role not in held]
        if missing:
            raise RosterError(
                f"{what} needs someone in role {', '.join(missing)}, and nobody on the roster "
                f'{self.title!r} holds it: add roles = ["{missing[0]}"] to a participant'
            )

    def addresses(self) -> tuple[str, ...]:
        """Every e-mail address on the list, lower-case, once."""
        found = [p.email for p in self.participants if p.email] + list(self.observers)
        return tuple(dict.fromkeys(address.lower() for address in found))


def load_roster(path: str | Path) -> Roster:
    """Read and validate a roster; an error names the entry and key
    (`participants.2.email: 'x' is not an e-mail address`)."""
    return load_model(path, Roster, RosterError, what="the roster")
