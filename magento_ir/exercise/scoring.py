"""Scoring an exercise run: pure functions of the run's times, the scenario's targets, the legal
deadlines and the team's previous runs (no clock, no I/O; docs/exercises.md, "Scoring").

- **Objectives**: seconds from the start to detect, contain, preserve evidence, the first
  regulator draft and approval, each against the scenario's target.
- **Deadlines**: slack of every legal deadline the breach triggers (magento_ir.notify's plan):
  the deadline minus when that notice was approved; negative is late.
- **Decisions**: each expected decision, the choice made, whether it matched.
- **Procedure**: the scenario's procedure steps the run never performed.
- **Trend**: each objective against the team's previous runs (same scenario first).
- **Score**: the share, in percent, of targets met, decisions matched, procedure steps performed
  and fixed deadlines met; every item counts once.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 - pydantic reads the annotations at run time
from typing import TYPE_CHECKING, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from magento_ir.exercise.scenario import OBJECTIVES, Objective, ProcedureStep

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

    from magento_ir.exercise.result import DeadlineRef, ExerciseRun
    from magento_ir.exercise.scenario import Decision, Scenario

__all__ = [
    "DeadlineSlack",
    "DecisionScore",
    "HistoryEntry",
    "ObjectiveScore",
    "ObjectiveTrend",
    "Scores",
    "Trend",
    "deadline_slack",
    "decision_scores",
    "history_entry",
    "objective_scores",
    "overall",
    "score_run",
    "skipped_steps",
    "trend",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObjectiveScore(_Frozen):
    objective: Objective
    seconds: float | None
    target_seconds: int | None
    # None: the scenario sets no target for it.
    met: bool | None


class DeadlineSlack(_Frozen):
    key: str
    recipient: str
    deadline: AwareDatetime | None
    done_at: AwareDatetime | None
    # deadline - done_at; None when either is missing.
    slack_seconds: float | None
    met: bool


class DecisionScore(_Frozen):
    decision: str
    expected: str
    choice: str | None
    by: str | None
    matched: bool


class HistoryEntry(_Frozen):
    """A previous run, as the trend needs it (read from its run.json)."""

    run_id: str
    scenario: str
    started_at: AwareDatetime
    seconds: dict[Objective, float | None]
    percent: int | None


Direction = Literal["faster", "slower", "same", "first", "not_reached"]


class ObjectiveTrend(_Frozen):
    objective: Objective
    seconds: float | None
    # The most recent previous run of the same scenario that reached it, and the mean of every
    # previous run (any scenario) that reached it.
    previous_same_scenario: float | None
    previous_mean: float | None
    change_seconds: float | None
    direction: Direction


class Trend(_Frozen):
    previous_runs: int
    same_scenario_runs: int
    objectives: tuple[ObjectiveTrend, ...]
    previous_percent: int | None
    percent_change: int | None
    history: tuple[HistoryEntry, ...]


class Scores(_Frozen):
    objectives: tuple[ObjectiveScore, ...]
    deadlines: tuple[DeadlineSlack, ...]
    decisions: tuple[DecisionScore, ...]
    skipped_steps: tuple[ProcedureStep, ...]
    percent: int
    trend: Trend | None = None


def objective_scores(
    targets: Mapping[Objective, int], seconds: Mapping[Objective, float | None]
) -> tuple[ObjectiveScore, ...]:
    """Every objective a target is set for or a time was taken of, in OBJECTIVES order."""
    scores = []
    for objective in OBJECTIVES:
        target = targets.get(objective)
        taken = seconds.get(objective)
        if target is None and taken is None:
            continue
        met = None if target is None else taken is not None and taken <= target
        scores.append(
            ObjectiveScore(objective=objective, seconds=taken, target_seconds=target, met=met)
        )
    return tuple(scores)


def deadline_slack(
    obligations: Sequence[DeadlineRef], approved: Mapping[str, datetime]
) -> tuple[DeadlineSlack, ...]:
    """Each obligation's slack: its deadline minus when its notice was approved (`approved` by
    obligation key). Without a fixed deadline it is met when approved at all."""
    found = []
    for obligation in obligations:
        done = approved.get(obligation.key)
        slack = (
            (obligation.deadline - done).total_seconds()
            if obligation.deadline is not None and done is not None
            else None
        )
        met = done is not None and (slack is None or slack >= 0)
        found.append(
            DeadlineSlack(
                key=obligation.key,
                recipient=obligation.recipient,
                deadline=obligation.deadline,
                done_at=done,
                slack_seconds=slack,
                met=met,
            )
        )
    return tuple(found)


def decision_scores(
    expected: Sequence[Decision], made: Mapping[str, tuple[str, str]]
) -> tuple[DecisionScore, ...]:
    """Each expected decision against the choice made (`made`: id -> (choice, by))."""
    scores = []
    for decision in expected:
        choice, by = made.get(decision.id, (None, None))
        scores.append(
            DecisionScore(
                decision=decision.id,
                expected=decision.expected,
                choice=choice,
                by=by,
                matched=choice == decision.expected,
            )
        )
    return tuple(scores)


def skipped_steps(
    expected: Sequence[ProcedureStep], done: Collection[ProcedureStep]
) -> tuple[ProcedureStep, ...]:
    """The procedure's steps not performed, in the procedure's order."""
    return tuple(step for step in expected if step not in done)


def overall(
    objectives: Sequence[ObjectiveScore],
    deadlines: Sequence[DeadlineSlack],
    decisions: Sequence[DecisionScore],
    procedure: Sequence[ProcedureStep],
    skipped: Sequence[ProcedureStep],
) -> int:
    """Percent of the items passed: targets met, fixed deadlines met, decisions matched, steps
    performed. A run with nothing to score gets 100."""
    items = [score.met for score in objectives if score.met is not None]
    items += [slack.met for slack in deadlines if slack.deadline is not None]
    items += [score.matched for score in decisions]
    items += [step not in skipped for step in procedure]
    if not items:
        return 100
    return round(100 * sum(items) / len(items))


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def trend(
    scenario: str,
    seconds: Mapping[Objective, float | None],
    percent: int,
    history: Sequence[HistoryEntry],
) -> Trend:
    """This run against `history` (previous runs, any order; later runs are ignored by the
    caller). The same scenario's most recent run is the comparison when there is one, else the
    mean of all previous runs."""
    ordered = sorted(history, key=lambda entry: entry.started_at)
    same = [entry for entry in ordered if entry.scenario == scenario]
    objectives = []
    for objective in OBJECTIVES:
        now = seconds.get(objective)
        same_values = [v for e in same if (v := e.seconds.get(objective)) is not None]
        all_values = [v for e in ordered if (v := e.seconds.get(objective)) is not None]
        previous_same = same_values[-1] if same_values else None
        previous_mean = _mean(all_values)
        if now is None and previous_same is None and previous_mean is None:
            continue
        compared = previous_same if previous_same is not None else previous_mean
        change = None if now is None or compared is None else now - compared
        direction: Direction
        if now is None:
            direction = "not_reached"
        elif change is None:
            direction = "first"
        elif change < 0:
            direction = "faster"
        elif change > 0:
            direction = "slower"
        else:
            direction = "same"
        objectives.append(
            ObjectiveTrend(
                objective=objective,
                seconds=now,
                previous_same_scenario=previous_same,
                previous_mean=previous_mean,
                change_seconds=change,
                direction=direction,
            )
        )
    percents = [entry.percent for entry in (same or ordered) if entry.percent is not None]
    previous_percent = percents[-1] if percents else None
    return Trend(
        previous_runs=len(ordered),
        same_scenario_runs=len(same),
        objectives=tuple(objectives),
        previous_percent=previous_percent,
        percent_change=None if previous_percent is None else percent - previous_percent,
        history=tuple(ordered),
    )


def history_entry(run: ExerciseRun) -> HistoryEntry:
    return HistoryEntry(
        run_id=run.run_id,
        scenario=run.scenario,
        started_at=run.started_at,
        seconds={objective: run.seconds(objective) for objective in run.reached},
        percent=run.scores.percent if run.scores else None,
    )


def score_run(run: ExerciseRun, scenario: Scenario, history: Sequence[HistoryEntry] = ()) -> Scores:
    """The run's scores; `history` holds the team's previous runs (this one excluded)."""
    seconds = {objective: run.seconds(objective) for objective in OBJECTIVES}
    objectives = objective_scores(scenario.objectives, seconds)
    approved = {
        str(event.detail["obligation"]): run.exercise_time(event.at)
        for event in run.events
        if event.kind == "action"
        and event.step == "approve_notices"
        and isinstance(event.detail.get("obligation"), str)
    }
    deadlines = deadline_slack(run.obligations, approved)
    decisions = decision_scores(
        scenario.decisions, {made.decision: (made.choice, made.by) for made in run.decisions}
    )
    skipped = skipped_steps(scenario.procedure, run.steps)
    percent = overall(objectives, deadlines, decisions, scenario.procedure, skipped)
    earlier = [entry for entry in history if entry.run_id != run.run_id]
    return Scores(
        objectives=objectives,
        deadlines=deadlines,
        decisions=decisions,
        skipped_steps=skipped,
        percent=percent,
        trend=trend(run.scenario, seconds, percent, earlier),
    )
