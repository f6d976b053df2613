"""What an exercise run leaves: `ExerciseRun`, written as `run.json` in the run's folder and
summarised in the evidence log (docs/exercises.md, "The run record").

Times are UTC. `reached` holds when each objective was met; `steps` when each procedure step
ended; `events` is the timeline (injects, actions, decisions, detection, deadlines) the
after-action report draws.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from magento_ir.exercise.scenario import Objective, ProcedureStep  # noqa: TC001 - pydantic
from magento_ir.exercise.scoring import Scores  # noqa: TC001 - pydantic

__all__ = [
    "RUN_FILE",
    "DeadlineRef",
    "DecisionMade",
    "EventKind",
    "ExerciseRun",
    "Mode",
    "Participant",
    "TimelineEvent",
    "load_run",
    "run_schema",
]

RUN_FILE = "run.json"
Mode = Literal["automated", "facilitated"]
EventKind = Literal["inject", "action", "decision", "detection", "deadline", "objective", "note"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Participant(_Frozen):
    """Someone who takes part in a role; automated runs have one simulated participant a role."""

    name: str
    role: str
    contact: str = ""
    simulated: bool = False


class TimelineEvent(_Frozen):
    at: AwareDatetime
    kind: EventKind
    # The inject's, decision's or obligation's id; the procedure step of an action.
    ref: str
    title: str
    actor: str = "automation"
    step: ProcedureStep | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class DecisionMade(_Frozen):
    decision: str
    question: str
    choice: str
    expected: str
    by: str
    role: str
    via: Literal["automated", "cli", "approval_page"]
    at: AwareDatetime

    @property
    def matched(self) -> bool:
        return self.choice == self.expected


class DeadlineRef(_Frozen):
    """A legal deadline the staged breach triggers (from magento_ir.notify's plan)."""

    key: str
    recipient: str
    jurisdiction: str | None = None
    audience: str = "regulator"
    # None: "without undue delay" and other deadlines with no fixed period.
    deadline: AwareDatetime | None
    deadline_text: str = ""


class ExerciseRun(_Frozen):
    run_id: str
    scenario: str
    title: str
    playbook: str
    mode: Mode
    # Exercise seconds per real second (a facilitated run's --time-scale; 1 when automated):
    # targets and legal deadlines are met or missed in exercise time.
    time_scale: float = Field(default=1.0, gt=0)
    started_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    participants: tuple[Participant, ...] = ()
    events: tuple[TimelineEvent, ...] = ()
    decisions: tuple[DecisionMade, ...] = ()
    steps: dict[ProcedureStep, AwareDatetime] = Field(default_factory=dict)
    reached: dict[Objective, AwareDatetime] = Field(default_factory=dict)
    obligations: tuple[DeadlineRef, ...] = ()
    scores: Scores | None = None
    # The containment drill underneath: journal path, root hash, verifier key, checks passed.
    drill: dict[str, Any] = Field(default_factory=dict)
    # Files in the run's folder by role (run, journal, evidence, report...): relative names.
    files: dict[str, str] = Field(default_factory=dict)
    ok: bool = False
    # Verifies the run's evidence log: magento-ir evidence verify exercise.evlog --verifier ...
    verifier_key: str = ""
    notes: tuple[str, ...] = ()

    def seconds(self, objective: Objective) -> float | None:
        """Exercise seconds from the start to reaching `objective` (real seconds times
        `time_scale`); None if it was not reached."""
        moment = self.reached.get(objective)
        return None if moment is None else self.elapsed(moment)

    def elapsed(self, moment: datetime) -> float:
        """Exercise seconds from the start to `moment` (a real time on the timeline)."""
        return (moment - self.started_at).total_seconds() * self.time_scale

    def exercise_time(self, moment: datetime) -> datetime:
        """`moment` on the exercise's clock: what a legal deadline is compared with."""
        return self.started_at + timedelta(seconds=self.elapsed(moment))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def load_run(path: str | Path) -> ExerciseRun:
    """A run.json (or the folder holding it)."""
    file = Path(path)
    if file.is_dir():
        file /= RUN_FILE
    return ExerciseRun.model_validate_json(file.read_bytes())


def run_schema() -> dict[str, Any]:
    """The JSON Schema of `exercise run --json` (docs/schemas/exercise-run.json), generated from
    the model so it cannot drift: `python scripts/exercise_schema.py` rewrites the file."""
    generated = ExerciseRun.model_json_schema(mode="serialization")
    definitions = dict(generated.pop("$defs", {}))
    definitions["ExerciseRun"] = generated
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "magento-ir/exercise-run.json",
        "title": "magento-ir exercise run --json",
        "type": "object",
        "required": ["run", "folder", "ok", "exit_code"],
        "additionalProperties": False,
        "properties": {
            "run": {"$ref": "#/$defs/ExerciseRun", "description": "What run.json holds."},
            "folder": {"type": "string", "description": "The run's folder."},
            "ok": {"type": "boolean"},
            "exit_code": {"enum": [0, 1]},
        },
        "$defs": definitions,
    }
