"""Programme records (issue 15, item 5): the quarterly exercise plan, and who was trained in what
and when.

The plan is data (TOML, like the rules: a `source` and a `last_reviewed` date, validated on load
with the file, line and key of a mistake): the people and roles to train, the training hours
each person should have every quarter (8 to 12 by default) and the exercises planned, one or
more per quarter. Training records are `exercise.training` records in the programme's evidence
log (one per person and activity: an exercise, a tabletop, a course), and the plan itself is
kept there too (`exercise.plan`, recorded whenever it changes), so the history an auditor reads
is signed like the incident journals.

`schedule()` and `history()` are pure functions of the plan, the records and the day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import first_problem, read_text
from magento_ir.exercise.roster import ROLES

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path

    from magento_ir.evidence import Record

__all__ = [
    "PLAN_RECORD",
    "TRAINING_RECORD",
    "History",
    "Plan",
    "PlanError",
    "Schedule",
    "Training",
    "history",
    "load_plan",
    "parse_plan",
    "quarter_of",
    "schedule",
    "training_payload",
]

PLAN_RECORD = "exercise.plan"
TRAINING_RECORD = "exercise.training"
# A procedure not exercised for this long is flagged (ISO 27001 A.5.24 / PCI DSS 12.10.2: at
# least yearly).
EXERCISE_EVERY = timedelta(days=365)
# The plan says "review it quarterly", as the notification policy and contacts do.
REVIEW_EVERY = timedelta(days=90)
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"


class PlanError(MagentoIRError, ValueError):
    """The plan file cannot be used; the message names the file, the line and the key."""


def quarter_of(day: date) -> str:
    """`2027-Q1` for any day of January to March 2027."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _quarter_start(quarter: str) -> date:
    found = _QUARTER.match(quarter)
    if found is None:  # pragma: no cover - validated on load
        raise ValueError(quarter)
    return date(int(found[1]), 3 * (int(found[2]) - 1) + 1, 1)


def _next_quarter(quarter: str) -> str:
    start = _quarter_start(quarter)
    months = start.year * 12 + start.month - 1 + 3
    return quarter_of(date(months // 12, months % 12 + 1, 1))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Header(_Strict):
    title: str
    owner: str
    # Why the programme exists: the standards it answers (SOC 2 CC7.4, PCI DSS 12.10.2, ...).
    source: str
    last_reviewed: date
    # Training hours each person should have per quarter: [at least, at most].
    hours_per_quarter: Annotated[list[float], Field(min_length=2, max_length=2)] = [8.0, 12.0]

    @model_validator(mode="after")
    def _ordered(self) -> Header:
        low, high = self.hours_per_quarter
        if not 0 <= low <= high:
            raise ValueError("hours_per_quarter must be [at least, at most] with 0 <= at least")
        return self


def _role(value: str) -> str:
    if value not in ROLES:
        raise ValueError(f"unknown role {value!r}: use one of {', '.join(ROLES)}")
    return value


class Person(_Strict):
    name: Annotated[str, Field(min_length=1)]
    # The role they hold in an exercise (the roster's: magento_ir.exercise.roster.ROLES).
    role: str

    _known = field_validator("role")(_role)


class PlannedExercise(_Strict):
    quarter: str
    # A scenario name (`magento-ir exercise run NAME`) or another procedure's name.
    scenario: Annotated[str, Field(pattern=_NAME)]
    date: dt.date | None = None
    facilitator: str = ""
    # The roles that must take part.
    roles: list[str] = []
    hours: Annotated[float, Field(gt=0)] = 2.0
    # The playbooks it exercises (procedures not exercised in 12 months are flagged).
    playbooks: list[str] = []

    @field_validator("roles")
    @classmethod
    def _roles(cls, value: list[str]) -> list[str]:
        for role in value:
            _role(role)
        return value

    @field_validator("quarter")
    @classmethod
    def _quarter(cls, value: str) -> str:
        if not _QUARTER.match(value):
            raise ValueError("must be YYYY-QN, e.g. 2027-Q1")
        return value

    @model_validator(mode="after")
    def _date_in_quarter(self) -> PlannedExercise:
        if self.date is not None and quarter_of(self.date) != self.quarter:
            raise ValueError(f"date {self.date} is not in {self.quarter}")
        return self


class Plan(_Strict):
    programme: Header
    people: list[Person] = []
    exercises: list[PlannedExercise] = []
    # Filled on load: the file's SHA-256, so a record names the exact plan.
    sha256: str = ""
    path: str = ""

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role the plan names, in the order first named."""
        named = [person.role for person in self.people]
        named += [role for item in self.exercises for role in item.roles]
        return tuple(dict.fromkeys(named))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def parse_plan(text: str, *, source: str = "<plan>") -> Plan:
    """Validate a plan's text; pure. A mistake names the file, line and key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PlanError(f"{source}: not valid TOML: {error}") from None
    for key in ("sha256", "path"):
        if key in data:
            raise PlanError(f"{source}: {key}: not a plan key (the tool fills it)")
    try:
        plan = Plan.model_validate(data)
    except ValidationError as error:
        raise PlanError(first_problem(error, text, source)) from None
    digest = hashlib.sha256(text.encode()).hexdigest()
    return plan.model_copy(update={"sha256": digest, "path": source})


def load_plan(path: Path) -> Plan:
    return parse_plan(read_text(path, PlanError, what="the exercise plan"), source=str(path))


# --- training records ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Training:
    """One person's training: an exercise they took part in, a tabletop, a course."""

    person: str
    role: str
    day: date
    hours: float
    activity: str
    scenario: str | None = None
    playbooks: tuple[str, ...] = ()
    run: str | None = None
    seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "role": self.role,
            "date": self.day.isoformat(),
            "hours": self.hours,
            "activity": self.activity,
            "scenario": self.scenario,
            "playbooks": list(self.playbooks),
            "run": self.run,
            "seq": self.seq,
        }


def training_payload(training: Training) -> dict[str, Any]:
    """The `exercise.training` record's payload (no `seq`: the log numbers its records)."""
    payload = training.to_json()
    del payload["seq"]
    return payload


def trainings(records: Iterable[Record]) -> list[Training]:
    """The `exercise.training` records of a log, in log order."""
    found = []
    for record in records:
        if record.type != TRAINING_RECORD:
            continue
        payload = record.payload
        found.append(
            Training(
                person=str(payload["person"]),
                role=str(payload["role"]),
                day=date.fromisoformat(str(payload["date"])),
                hours=float(payload["hours"]),
                activity=str(payload.get("activity", "")),
                scenario=payload.get("scenario"),
                playbooks=tuple(payload.get("playbooks", ())),
                run=payload.get("run"),
                seq=record.seq,
            )
        )
    return found


def last_plan_digest(records: Iterable[Record]) -> str | None:
    """The SHA-256 of the plan last recorded in the log (None: never recorded)."""
    digest = None
    for record in records:
        if record.type == PLAN_RECORD:
            digest = str(record.payload.get("sha256"))
    return digest


def plan_payload(plan: Plan) -> dict[str, Any]:
    return plan.to_json()


# --- the views ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """The plan by quarter from this quarter on, and what it leaves out."""

    as_of: date
    plan: Plan
    # The next four quarters, each with its planned exercises (possibly none).
    quarters: tuple[tuple[str, tuple[PlannedExercise, ...]], ...]
    review_due: bool
    # Procedures the next four quarters do not exercise.
    not_planned: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "plan": {
                "path": self.plan.path,
                "sha256": self.plan.sha256,
                "title": self.plan.programme.title,
                "owner": self.plan.programme.owner,
                "source": self.plan.programme.source,
                "last_reviewed": self.plan.programme.last_reviewed.isoformat(),
                "review_due": self.review_due,
            },
            "quarters": [
                {
                    "quarter": quarter,
                    "exercises": [item.model_dump(mode="json") for item in planned],
                }
                for quarter, planned in self.quarters
            ],
            "quarters_without_exercise": [q for q, planned in self.quarters if not planned],
            "not_planned": list(self.not_planned),
        }


def _procedures_of(item: PlannedExercise | Training) -> set[str]:
    names = set(item.playbooks)
    if item.scenario:
        names.add(item.scenario)
    return names


def schedule(plan: Plan, *, as_of: date, procedures: Sequence[str] = ()) -> Schedule:
    """The next four quarters of the plan (this one first); `procedures` (playbook and scenario
    names) not exercised by any of them are listed."""
    quarter = quarter_of(as_of)
    quarters = []
    for _ in range(4):
        quarters.append((quarter, tuple(e for e in plan.exercises if e.quarter == quarter)))
        quarter = _next_quarter(quarter)
    planned = set().union(*(_procedures_of(e) for _, items in quarters for e in items))
    return Schedule(
        as_of=as_of,
        plan=plan,
        quarters=tuple(quarters),
        review_due=as_of - plan.programme.last_reviewed > REVIEW_EVERY,
        not_planned=tuple(name for name in procedures if name not in planned),
    )


@dataclass(frozen=True, slots=True)
class PersonQuarter:
    person: str
    role: str
    hours: float
    status: str  # "not trained", "below", "within", "above"


@dataclass(frozen=True, slots=True)
class History:
    """Who took part in what and when; this quarter's hours; what is overdue."""

    as_of: date
    quarter: str
    trainings: tuple[Training, ...]
    people: tuple[PersonQuarter, ...]
    roles_not_trained: tuple[str, ...]
    # Procedure -> the last day it was exercised (None: never), for those older than 12 months.
    stale_procedures: tuple[tuple[str, date | None], ...]
    hours_per_quarter: tuple[float, float]

    @property
    def people_not_trained(self) -> tuple[str, ...]:
        return tuple(p.person for p in self.people if p.status == "not trained")

    @property
    def ok(self) -> bool:
        """Everyone within their hours, every role trained, every procedure exercised."""
        return (
            all(p.status == "within" for p in self.people)
            and not self.roles_not_trained
            and not self.stale_procedures
        )

    def to_json(self) -> dict[str, Any]:
        low, high = self.hours_per_quarter
        return {
            "as_of": self.as_of.isoformat(),
            "quarter": self.quarter,
            "hours_per_quarter": {"at_least": low, "at_most": high},
            "trainings": [item.to_json() for item in self.trainings],
            "people": [
                {"person": p.person, "role": p.role, "hours": p.hours, "status": p.status}
                for p in self.people
            ],
            "people_not_trained": list(self.people_not_trained),
            "roles_not_trained": list(self.roles_not_trained),
            "stale_procedures": [
                {"procedure": name, "last_exercised": day.isoformat() if day else None}
                for name, day in self.stale_procedures
            ],
            "ok": self.ok,
        }


def _status(hours: float, low: float, high: float) -> str:
    if hours == 0:
        return "not trained"
    if hours < low:
        return "below"
    return "above" if hours > high else "within"


def history(
    plan: Plan | None,
    records: Sequence[Training],
    *,
    as_of: date,
    procedures: Sequence[str] = (),
) -> History:
    """Training up to `as_of`: each person's hours this quarter against the plan's range (people
    of the plan, and anyone else with a record), the plan's roles nobody holding them trained in
    this quarter, and `procedures` (with those the records name) not exercised in 12 months."""
    quarter = quarter_of(as_of)
    low, high = plan.programme.hours_per_quarter if plan else (8.0, 12.0)
    past = tuple(item for item in records if item.day <= as_of)
    this_quarter = [item for item in past if quarter_of(item.day) == quarter]
    hours: dict[tuple[str, str], float] = {}
    for person in plan.people if plan else ():
        hours[(person.name, person.role)] = 0.0
    for item in this_quarter:
        known = [key for key in hours if key[0] == item.person]
        key = known[0] if known else (item.person, item.role)
        hours[key] = hours.get(key, 0.0) + item.hours
    people = tuple(
        PersonQuarter(name, role, round(total, 2), _status(total, low, high))
        for (name, role), total in hours.items()
    )
    trained_roles = {item.role for item in this_quarter}
    trained_roles |= {role for (_, role), total in hours.items() if total > 0}
    roles = plan.roles if plan else ()
    last: dict[str, date | None] = dict.fromkeys(procedures)
    for item in past:
        for name in _procedures_of(item):
            seen = last.get(name)
            last[name] = item.day if seen is None or item.day > seen else seen
    stale = tuple(
        (name, day)
        for name, day in sorted(last.items())
        if day is None or as_of - day > EXERCISE_EVERY
    )
    return History(
        as_of=as_of,
        quarter=quarter,
        trainings=past,
        people=people,
        roles_not_trained=tuple(role for role in roles if role not in trained_roles),
        stale_procedures=stale,
        hours_per_quarter=(low, high),
    )


def known_procedures(extra: Mapping[str, object] | Iterable[str] = ()) -> tuple[str, ...]:
    """The shipped playbooks, and the names given (scenarios), each once, sorted."""
    from magento_ir.containment.playbooks import shipped_playbooks  # noqa: PLC0415

    return tuple(sorted({*shipped_playbooks(), *extra}))
