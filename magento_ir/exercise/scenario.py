"""Exercise scenarios: TOML files naming a staged breach, the playbook that contains it, the
injects shown to participants, the decisions expected of them and the objectives' target times
(docs/exercises.md).

```toml
[scenario]
name = "hr_data_breach"
title = "HR data breach"
description = "Staff credentials leaked from the HR system."
playbook = "hr_data_breach"          # a shipped playbook (magento-ir playbooks)
stage = "hr_data_breach"             # a drill staging (magento_ir.drill.SCENARIOS)
roles = ["incident_commander", "dpo", "legal", "hr"]
procedure = ["detect", "assess_exposure", "contain", "preserve_evidence"]
last_reviewed = 2026-12-01

[[injects]]
id = "payroll-call"
at = 0                               # seconds after the exercise starts
audience = "hr"                      # a role of [scenario].roles
text = "Payroll says three staff were phished this morning."

[[decisions]]
id = "lock-admins"
question = "Lock every admin account except the responders'?"
options = ["lock", "wait"]
expected = "lock"
role = "incident_commander"

[objectives]                         # objective = target seconds from the start
detect = 300
contain = 900
```

Every mistake is a `ScenarioError` whose `problems` place each one at its file, line and column
(the playbooks' `Problem`, found with the same TOML position scanner).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date  # noqa: TC003 - pydantic reads the annotations at run time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
)

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import document_by_name_or_path, shipped_documents
from magento_ir.containment._toml_positions import Positions, positions
from magento_ir.containment.playbooks import Problem

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "OBJECTIVES",
    "PROCEDURE_STEPS",
    "Decision",
    "Inject",
    "Objective",
    "ProcedureStep",
    "Scenario",
    "ScenarioError",
    "ScenarioHeader",
    "load_scenario",
    "scenario_json",
    "shipped_scenarios",
]

# What a run can time; each objective is reached when its procedure step ends (docs/exercises.md).
Objective = Literal["detect", "contain", "preserve", "first_regulator_draft", "approval"]
OBJECTIVES: tuple[Objective, ...] = get_args(Objective)
# The steps of the incident-response procedure a run performs (or a team skips), in order.
ProcedureStep = Literal[
    "detect",
    "assess_exposure",
    "contain",
    "preserve_evidence",
    "verify_containment",
    "draft_notices",
    "approve_notices",
    "roll_back",
]
PROCEDURE_STEPS: tuple[ProcedureStep, ...] = get_args(ProcedureStep)

Name = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
Ident = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScenarioHeader(_Strict):
    name: Name
    title: Text
    description: str = ""
    playbook: Name
    stage: Name
    roles: tuple[Name, ...] = Field(min_length=1)
    procedure: tuple[ProcedureStep, ...] = ()
    last_reviewed: date
    references: tuple[str, ...] = ()


class Inject(_Strict):
    """A timed event shown to participants ("a customer reports a fraudulent charge")."""

    id: Ident
    at: StrictInt = Field(ge=0, description="seconds after the exercise starts")
    audience: Name
    # A notification channel kind (email, slack, ...); None: each participant's own.
    channel: Name | None = None
    text: Text


class Decision(_Strict):
    """A choice a participant in `role` must make; `expected` is the right one."""

    id: Ident
    question: Text
    options: tuple[Text, ...] = Field(min_length=2)
    expected: Text
    role: Name
    # The inject that prompts it, if any.
    after: Ident | None = None


class _Document(_Strict):
    scenario: ScenarioHeader
    injects: tuple[Inject, ...] = ()
    decisions: tuple[Decision, ...] = ()
    objectives: dict[Objective, Annotated[StrictInt, Field(gt=0)]] = Field(min_length=1)


class Scenario(BaseModel):
    """A validated scenario (frozen); `source` is the file it came from."""

    model_config = ConfigDict(frozen=True)

    header: ScenarioHeader
    injects: tuple[Inject, ...]
    decisions: tuple[Decision, ...]
    objectives: dict[Objective, int]
    source: str

    @property
    def name(self) -> str:
        return self.header.name

    @property
    def title(self) -> str:
        return self.header.title

    @property
    def playbook(self) -> str:
        return self.header.playbook

    @property
    def stage(self) -> str:
        return self.header.stage

    @property
    def roles(self) -> tuple[str, ...]:
        return self.header.roles

    @property
    def procedure(self) -> tuple[ProcedureStep, ...]:
        return self.header.procedure

    def decision(self, decision_id: str) -> Decision:
        for decision in self.decisions:
            if decision.id == decision_id:
                return decision
        raise ScenarioError(
            f"scenario {self.name} has no decision {decision_id!r}: it has "
            f"{', '.join(d.id for d in self.decisions) or 'none'}"
        )

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise ScenarioError(f"{file}: cannot read the scenario ({error.strerror})") from None
        except UnicodeDecodeError as error:
            raise ScenarioError(
                f"{file}: not UTF-8 text (byte {error.start}): save the scenario as UTF-8"
            ) from None
        return cls.from_text(text, source=str(file))

    @classmethod
    def from_text(cls, text: str, *, source: str = "<scenario>") -> Self:
        """Read and check a scenario; a ScenarioError lists every mistake at its line/column."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise _syntax_error(error, source) from None
        found = positions(text)
        try:
            document = _Document.model_validate(data)
        except ValidationError as error:
            raise _problems(source, found, _validation_problems(error)) from None
        problems = _cross_checks(document)
        if problems:
            raise _problems(source, found, problems)
        return cls(
            header=document.scenario,
            injects=tuple(sorted(document.injects, key=lambda inject: inject.at)),
            decisions=document.decisions,
            objectives=dict(document.objectives),
            source=source,
        )


class ScenarioError(MagentoIRError, ValueError):
    """A scenario file is wrong; `problems` holds each mistake with its line and column."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


_SYNTAX_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
Located = tuple[tuple[str | int, ...], str, bool]


def _syntax_error(error: tomllib.TOMLDecodeError, source: str) -> ScenarioError:
    text = str(error)
    at = _SYNTAX_AT.search(text)
    line, column = (int(at[1]), int(at[2])) if at else (0, 0)
    what = text[: at.start()] if at else text
    problem = Problem((), "", f"not valid TOML: {what}; fix the syntax there", line, column)
    return ScenarioError(problem.render(source), [problem])


def _label(path: tuple[str | int, ...]) -> str:
    """`injects[2].text` (arrays counted from 1, as the playbooks' messages do)."""
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def _validation_problems(error: ValidationError) -> list[Located]:
    found: list[Located] = []
    for item in error.errors():
        path = tuple(item["loc"])
        kind = item["type"]
        if path and path[-1] == "[key]":
            # A mapping's key is wrong (an unknown objective): placed at the key itself.
            path = path[:-1]
            found.append((path, f"{item['msg'].lower()}, not {item['input']!r}", False))
            continue
        if kind == "missing":
            message = f"missing: add {path[-1]} = ..." if path else "missing"
        elif kind == "extra_forbidden":
            message = "unknown key: remove it, or check its spelling (docs/exercises.md)"
        elif kind == "literal_error":
            message = f"{item['msg'].lower()}, not {item['input']!r}"
        else:
            message = f"{item['msg']}, not {item['input']!r}"
        # A missing key is placed at its table; a wrong value at the value.
        found.append((path, message, kind not in {"missing", "extra_forbidden"}))
    return found


def _cross_checks(document: _Document) -> list[Located]:
    """What pydantic cannot see: names that must exist, ids that must be unique."""
    from magento_ir.containment.playbooks import shipped_playbooks  # noqa: PLC0415
    from magento_ir.drill import SCENARIOS as STAGES  # noqa: PLC0415

    header = document.scenario
    found: list[Located] = []
    books = shipped_playbooks()
    if header.playbook not in books:
        found.append(
            (
                ("scenario", "playbook"),
                f"no shipped playbook {header.playbook!r}: use one of {', '.join(books)}",
                True,
            )
        )
    if header.stage not in STAGES:
        found.append(
            (
                ("scenario", "stage"),
                f"no staging {header.stage!r}: use one of {', '.join(sorted(STAGES))}",
                True,
            )
        )
    roles = set(header.roles)
    inject_ids = _unique(found, "injects", [inject.id for inject in document.injects])
    _unique(found, "decisions", [decision.id for decision in document.decisions])
    for index, inject in enumerate(document.injects):
        if inject.audience not in roles:
            found.append(
                (("injects", index, "audience"), _not_a_role(inject.audience, header), True)
            )
    for index, decision in enumerate(document.decisions):
        if decision.role not in roles:
            found.append((("decisions", index, "role"), _not_a_role(decision.role, header), True))
        if decision.expected not in decision.options:
            found.append(
                (
                    ("decisions", index, "expected"),
                    (
                        f"{decision.expected!r} is not one of the options "
                        f"({', '.join(decision.options)})"
                    ),
                    True,
                )
            )
        if decision.after is not None and decision.after not in inject_ids:
            found.append(
                (
                    ("decisions", index, "after"),
                    f"no inject {decision.after!r} in this scenario",
                    True,
                )
            )
    return found


def _not_a_role(role: str, header: ScenarioHeader) -> str:
    return f"{role!r} is not a role of this scenario: add it to [scenario].roles ({header.roles})"


def _unique(found: list[Located], table: str, ids: list[str]) -> set[str]:
    seen: set[str] = set()
    for index, item in enumerate(ids):
        if item in seen:
            found.append(((table, index, "id"), f"id {item!r} is used twice in {table}", True))
        seen.add(item)
    return seen


def _problems(source: str, found: Positions, located: list[Located]) -> ScenarioError:
    problems = []
    for path, message, value in located:
        line, column = found.of(path, value=value) or (0, 0)
        problems.append(Problem(path, _label(path), message, line, column))
    problems.sort(key=lambda problem: (problem.line, problem.column))
    return ScenarioError("\n".join(problem.render(source) for problem in problems), problems)


def shipped_scenarios() -> dict[str, Scenario]:
    """The scenarios that come with magento_ir (magento_ir/exercise/scenarios/*.toml), by name."""
    return shipped_documents(
        "magento_ir.exercise.scenarios",
        lambda text, source: Scenario.from_text(text, source=source),
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A shipped scenario by name (`"hr_data_breach"`), or a scenario file by path."""
    return document_by_name_or_path(
        name_or_path,
        shipped=shipped_scenarios,
        from_file=Scenario.from_file,
        error=ScenarioError,
        what="scenario",
        listing="magento-ir exercise list",
    )


def scenario_json(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON (run.json and `exercise list --output json` carry it)."""
    return {
        **scenario.header.model_dump(mode="json"),
        "injects": [inject.model_dump(mode="json") for inject in scenario.injects],
        "decisions": [decision.model_dump(mode="json") for decision in scenario.decisions],
        "objectives": dict(scenario.objectives),
        "source": scenario.source,
    }
