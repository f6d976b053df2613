"""Scoring is pure: each function is pinned by a table of cases (docs/exercises.md, "Scoring")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from magento_ir.exercise.result import DeadlineRef, DecisionMade, ExerciseRun, TimelineEvent
from magento_ir.exercise.scenario import Scenario
from magento_ir.exercise.scoring import (
    DeadlineSlack,
    DecisionScore,
    HistoryEntry,
    ObjectiveScore,
    deadline_slack,
    decision_scores,
    objective_scores,
    overall,
    score_run,
    skipped_steps,
    trend,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

SCENARIO = Scenario.from_text(
    """\
[scenario]
name = "mine"
title = "Mine"
playbook = "hr_data_breach"
stage = "hr_data_breach"
roles = ["incident_commander", "hr"]
procedure = ["detect", "contain", "draft_notices", "approve_notices"]
last_reviewed = 2026-12-01

[[decisions]]
id = "lock"
question = "Lock?"
options = ["lock", "wait"]
expected = "lock"
role = "incident_commander"

[[decisions]]
id = "tell-staff"
question = "Tell staff?"
options = ["now", "later"]
expected = "now"
role = "hr"

[objectives]
detect = 600
contain = 1800
approval = 7200
""",
    source="mine.toml",
)


@pytest.mark.parametrize(
    ("targets", "seconds", "expected"),
    [
        pytest.param({"detect": 60}, {"detect": 30.0}, [("detect", 30.0, 60, True)], id="within"),
        pytest.param(
            {"detect": 60}, {"detect": 60.0}, [("detect", 60.0, 60, True)], id="on-target"
        ),
        pytest.param({"detect": 60}, {"detect": 61.0}, [("detect", 61.0, 60, False)], id="late"),
        pytest.param({"detect": 60}, {}, [("detect", None, 60, False)], id="never-reached"),
        pytest.param({}, {"contain": 5.0}, [("contain", 5.0, None, None)], id="no-target"),
        pytest.param({}, {"contain": None}, [], id="nothing-to-say"),
        pytest.param(
            {"approval": 10, "detect": 10},
            {"contain": 1.0},
            [
                ("detect", None, 10, False),
                ("contain", 1.0, None, None),
                ("approval", None, 10, False),
            ],
            id="objectives-order",
        ),
    ],
)
def test_objective_scores(targets, seconds, expected) -> None:
    """Each objective: time, target, met (None without a target), in OBJECTIVES order."""
    assert objective_scores(targets, seconds) == tuple(
        ObjectiveScore(objective=o, seconds=s, target_seconds=t, met=m) for o, s, t, m in expected
    )


def _ref(key: str, deadline: datetime | None) -> DeadlineRef:
    return DeadlineRef(key=key, recipient=key.upper(), deadline=deadline)


@pytest.mark.parametrize(
    ("deadline", "approved", "slack", "met"),
    [
        pytest.param(T0 + 72 * HOUR, T0 + HOUR, 71 * 3600.0, True, id="early"),
        pytest.param(T0 + HOUR, T0 + HOUR, 0.0, True, id="at-the-deadline"),
        pytest.param(T0 + HOUR, T0 + 2 * HOUR, -3600.0, False, id="late: negative slack"),
        pytest.param(T0 + HOUR, None, None, False, id="never approved"),
        pytest.param(None, T0 + 5 * HOUR, None, True, id="no fixed period, approved"),
        pytest.param(None, None, None, False, id="no fixed period, never approved"),
    ],
)
def test_deadline_slack(deadline, approved, slack, met) -> None:
    """Slack = deadline - approval; late is negative; undated obligations need an approval."""
    done = {"k": approved} if approved else {"other": T0}
    assert deadline_slack([_ref("k", deadline)], done) == (
        DeadlineSlack(
            key="k",
            recipient="K",
            deadline=deadline,
            done_at=approved,
            slack_seconds=slack,
            met=met,
        ),
    )


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        pytest.param(
            {"lock": ("lock", "ann"), "tell-staff": ("now", "bo")},
            [("lock", "lock", "ann", True), ("tell-staff", "now", "bo", True)],
            id="both-right",
        ),
        pytest.param(
            {"lock": ("wait", "ann")},
            [("lock", "wait", "ann", False), ("tell-staff", None, None, False)],
            id="wrong-and-missing",
        ),
        pytest.param(
            {"unknown": ("x", "y")},
            [("lock", None, None, False), ("tell-staff", None, None, False)],
            id="answers-to-nothing-asked-are-ignored",
        ),
    ],
)
def test_decision_scores(made, expected) -> None:
    """Each expected decision once, in the scenario's order, matched only on the right choice."""
    wanted = {"lock": "lock", "tell-staff": "now"}
    assert decision_scores(SCENARIO.decisions, made) == tuple(
        DecisionScore(decision=d, expected=wanted[d], choice=c, by=b, matched=m)
        for d, c, b, m in expected
    )


@pytest.mark.parametrize(
    ("done", "skipped"),
    [
        pytest.param({"detect", "contain", "draft_notices", "approve_notices"}, (), id="all"),
        pytest.param(
            {"contain", "detect", "roll_back"}, ("draft_notices", "approve_notices"), id="notices"
        ),
        pytest.param(set(), ("detect", "contain", "draft_notices", "approve_notices"), id="none"),
    ],
)
def test_skipped_steps_keep_the_procedure_order(done, skipped) -> None:
    assert skipped_steps(SCENARIO.procedure, done) == skipped


def _objective(*, met: bool | None) -> ObjectiveScore:
    return ObjectiveScore(objective="detect", seconds=1.0, target_seconds=1, met=met)


def _slack(deadline: datetime | None, *, met: bool) -> DeadlineSlack:
    return DeadlineSlack(
        key="k", recipient="r", deadline=deadline, done_at=None, slack_seconds=None, met=met
    )


def _decision(*, matched: bool) -> DecisionScore:
    return DecisionScore(decision="d", expected="a", choice="a", by="x", matched=matched)


@pytest.mark.parametrize(
    ("objectives", "deadlines", "decisions", "procedure", "skipped", "percent"),
    [
        pytest.param([], [], [], [], [], 100, id="nothing-to-score"),
        pytest.param([_objective(met=True)], [], [], [], [], 100, id="one-met"),
        pytest.param([_objective(met=False), _objective(met=True)], [], [], [], [], 50, id="half"),
        pytest.param([_objective(met=None)], [], [], [], [], 100, id="no-target-does-not-count"),
        pytest.param(
            [], [_slack(None, met=False)], [], [], [], 100, id="undated-deadline-not-counted"
        ),
        pytest.param(
            [], [_slack(T0, met=False)], [_decision(matched=True)], [], [], 50, id="late-deadline"
        ),
        pytest.param(
            [_objective(met=True)],
            [_slack(T0, met=True)],
            [_decision(matched=False)],
            ["detect", "contain"],
            ["contain"],
            60,
            id="each-item-counts-once",
        ),
        pytest.param(
            [], [], [], ["detect", "contain", "roll_back"], ["roll_back"], 67, id="rounded"
        ),
    ],
)
def test_overall_percent(  # noqa: PLR0917 - one parametrised case per row
    objectives, deadlines, decisions, procedure, skipped, percent
) -> None:
    assert overall(objectives, deadlines, decisions, procedure, skipped) == percent


def _history(run_id: str, scenario: str, day: int, percent: int | None, **seconds: float | None):
    return HistoryEntry(
        run_id=run_id,
        scenario=scenario,
        started_at=T0 + timedelta(days=day),
        seconds=seconds,
        percent=percent,
    )


@pytest.mark.parametrize(
    ("history", "now", "expected", "previous_percent"),
    [
        pytest.param(
            [], {"detect": 10.0}, {"detect": (None, None, None, "first")}, None, id="first-run"
        ),
        pytest.param(
            [_history("a", "mine", 1, 80, detect=20.0), _history("b", "mine", 2, 90, detect=15.0)],
            {"detect": 10.0},
            {"detect": (15.0, 17.5, -5.0, "faster")},
            90,
            id="against-the-same-scenario's-last-run",
        ),
        pytest.param(
            [_history("b", "mine", 2, 90, detect=15.0), _history("a", "mine", 1, 80, detect=20.0)],
            {"detect": 10.0},
            {"detect": (15.0, 17.5, -5.0, "faster")},
            90,
            id="history-in-any-order",
        ),
        pytest.param(
            [_history("x", "other", 1, 40, detect=8.0, contain=100.0)],
            {"detect": 10.0, "contain": 100.0},
            {"detect": (None, 8.0, 2.0, "slower"), "contain": (None, 100.0, 0.0, "same")},
            40,
            id="no-same-scenario: the mean of all",
        ),
        pytest.param(
            [_history("a", "mine", 1, None, detect=5.0)],
            {"detect": None},
            {"detect": (5.0, 5.0, None, "not_reached")},
            None,
            id="not-reached-this-time",
        ),
        pytest.param(
            [_history("a", "mine", 1, 50, detect=None)],
            {"contain": 3.0},
            {"contain": (None, None, None, "first")},
            50,
            id="earlier-runs-that-never-reached-it",
        ),
    ],
)
def test_trend(history, now, expected, previous_percent) -> None:
    """Per objective: the same scenario's last time, the mean of all, the change, its direction."""
    result = trend("mine", now, 70, history)
    found = {
        item.objective: (
            item.previous_same_scenario,
            item.previous_mean,
            item.change_seconds,
            item.direction,
        )
        for item in result.objectives
    }
    assert found == expected
    assert result.previous_runs == len(history)
    assert result.same_scenario_runs == sum(entry.scenario == "mine" for entry in history)
    assert result.previous_percent == previous_percent
    assert result.percent_change == (None if previous_percent is None else 70 - previous_percent)
    assert [entry.started_at for entry in result.history] == sorted(e.started_at for e in history)


def _run(**changes) -> ExerciseRun:
    base = {
        "run_id": "mine-1",
        "scenario": "mine",
        "title": "Mine",
        "playbook": "hr_data_breach",
        "mode": "facilitated",
        "started_at": T0,
    }
    return ExerciseRun(**{**base, **changes})


def test_score_run_puts_it_together() -> None:
    """A run: detect in time, contain late, approval of one notice, a wrong decision, one step
    skipped; the history's own entry for this run is left out of the trend."""
    approved_at = T0 + 2 * HOUR
    run = _run(
        reached={"detect": T0 + timedelta(seconds=300), "contain": T0 + HOUR},
        steps={"detect": T0, "contain": T0 + HOUR, "draft_notices": T0 + HOUR},
        obligations=(_ref("us-ca", T0 + 30 * 24 * HOUR), _ref("us-va", None)),
        events=(
            TimelineEvent(
                at=approved_at,
                kind="action",
                ref="approve_notices",
                title="approved",
                step="approve_notices",
                detail={"obligation": "us-ca"},
            ),
        ),
        decisions=(
            DecisionMade(
                decision="lock",
                question="Lock?",
                choice="wait",
                expected="lock",
                by="ann",
                role="incident_commander",
                via="cli",
                at=T0,
            ),
        ),
    )
    scores = score_run(run, SCENARIO, [_history("mine-1", "mine", 0, 10, detect=1.0)])
    assert [(s.objective, s.met) for s in scores.objectives] == [
        ("detect", True),
        ("contain", False),
        ("approval", False),
    ]
    assert [(s.key, s.met, s.slack_seconds) for s in scores.deadlines] == [
        ("us-ca", True, (30 * 24 - 2) * 3600.0),
        ("us-va", False, None),
    ]
    assert [(d.decision, d.matched) for d in scores.decisions] == [
        ("lock", False),
        ("tell-staff", False),
    ]
    assert scores.skipped_steps == ("approve_notices",)
    # 1 of 3 targets, 1 of 1 dated deadline, 0 of 2 decisions, 3 of 4 steps: 5 of 10.
    assert scores.percent == 50
    assert scores.trend is not None
    assert scores.trend.previous_runs == 0


def test_a_compressed_exercise_is_scored_in_exercise_time() -> None:
    """At --time-scale 60 a real minute is an exercise hour: contain after 40 real seconds
    misses a 30-minute target, and an approval after 2 real minutes is 2 exercise hours late
    against a 1-hour deadline."""
    run = _run(
        time_scale=60.0,
        reached={"detect": T0 + timedelta(seconds=5), "contain": T0 + timedelta(seconds=40)},
        obligations=(_ref("us-ca", T0 + HOUR),),
        events=(
            TimelineEvent(
                at=T0 + timedelta(minutes=2),
                kind="action",
                ref="approve_notices",
                title="approved",
                step="approve_notices",
                detail={"obligation": "us-ca"},
            ),
        ),
    )
    assert run.seconds("contain") == 2400.0
    scores = score_run(run, SCENARIO)
    assert [(s.objective, s.seconds, s.met) for s in scores.objectives][:2] == [
        ("detect", 300.0, True),
        ("contain", 2400.0, False),
    ]
    (slack,) = scores.deadlines
    assert slack.done_at == T0 + 2 * HOUR
    assert slack.slack_seconds == -3600.0
    assert slack.met is False
