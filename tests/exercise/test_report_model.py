"""The after-action report as a pure function of a run: trend, late deadlines, skipped steps,
no plot, and the plot's lanes for a run that never finished (no sandbox: a run built here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from magento_ir.exercise import DeadlineRef, ExerciseRun, Participant, TimelineEvent
from magento_ir.exercise.plot import describe
from magento_ir.exercise.report import after_action
from magento_ir.exercise.scoring import (
    DeadlineSlack,
    HistoryEntry,
    ObjectiveScore,
    ObjectiveTrend,
    Scores,
    Trend,
)

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

START = datetime(2027, 2, 10, 9, 0, tzinfo=UTC)


def _run() -> ExerciseRun:
    late = START + timedelta(hours=80)
    return ExerciseRun(
        run_id="magecart-20270210T090000Z-abcdef", scenario="magecart", title="Checkout skimmer",
        playbook="magecart", mode="facilitated", started_at=START,
        participants=(Participant(name="Dana", role="dpo"),
                      Participant(name="simulated legal", role="legal", simulated=True)),
        events=(TimelineEvent(at=START + timedelta(minutes=5), kind="inject", ref="chargeback",
                              title="A customer reports a fraudulent charge", actor="Dana"),),
        obligations=(DeadlineRef(key="eu-gdpr/art33-authority", recipient="Lead SA",
                                 deadline=START + timedelta(hours=72)),),
        scores=Scores(
            objectives=(ObjectiveScore(objective="contain", seconds=5400.0, target_seconds=3600,
                                       met=False),),
            deadlines=(DeadlineSlack(key="eu-gdpr/art33-authority", recipient="Lead SA",
                                     deadline=START + timedelta(hours=72), done_at=late,
                                     slack_seconds=-8 * 3600.0, met=False),),
            decisions=(), skipped_steps=("roll_back",), percent=40,
            trend=Trend(
                previous_runs=1, same_scenario_runs=1,
                objectives=(ObjectiveTrend(objective="contain", seconds=5400.0,
                                           previous_same_scenario=3000.0, previous_mean=3000.0,
                                           change_seconds=2400.0, direction="slower"),),
                previous_percent=70, percent_change=-30,
                history=(HistoryEntry(run_id="magecart-20261110T090000Z-012345",
                                      scenario="magecart", started_at=START - timedelta(days=92),
                                      seconds={"contain": 3000.0}, percent=70),),
            ),
        ),
    )  # fmt: skip


def test_trend_late_deadline_and_skipped_step_are_reported() -> None:
    """A slower run with a missed deadline says so in each section; no plot is said plainly."""
    markdown = after_action(_run()).to_markdown()
    assert markdown.startswith("# After-action report: Checkout skimmer (40%)")
    assert "| contain | 1.5 h | 1.0 h | NO | 50 min | 40 min | slower |" in markdown
    assert (
        "| eu-gdpr/art33-authority | Lead SA | 2027-02-13 09:00 | 2027-02-13 17:00:00 | "
        "-8.0 h | NO |"
    ) in markdown
    assert "- `roll_back`" in markdown
    assert "1 previous runs (1 of this scenario); score 40%, -30 points" in markdown
    assert "| magecart-20261110T090000Z-012345 | magecart | 2026-11-10 09:00 | 70% |" in markdown
    assert "No plot: matplotlib is not installed" in markdown
    assert "No decision was expected." in markdown
    assert "2 participants (1 people, 1 simulated)" in markdown
    assert ", not finished;" in markdown
    assert "None recorded yet: `magento-ir exercise lessons" in markdown


def test_the_alt_text_names_empty_lanes_and_fixed_deadlines() -> None:
    """Lanes with nothing say so; a deadline is placed in days after the start."""
    alt = describe(_run())
    assert "1 injects from 5 min to 5 min" in alt
    assert "no actions" in alt
    assert "objectives reached: none" in alt
    assert "eu-gdpr/art33-authority at 3.0 d" in alt


def test_the_run_summary_names_what_the_missing_report_extra_left_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without matplotlib/fpdf2 the run folder lacks the PDF and plot: the command says so."""
    from magento_ir.cli._output import Output  # noqa: PLC0415 - the CLI extra
    from magento_ir.cli.exercise import _report  # noqa: PLC0415

    run = _run().model_copy(update={"files": {"run": "run.json", "report_md": "r.md"}})
    _report(Output("json", json_flag=True), run, tmp_path)
    said = " ".join(capsys.readouterr().err.split())
    assert "Not written: report_pdf, timeline_png" in said
    assert "pip install 'magento-ir[report]'" in said

    whole = {"report_pdf": "r.pdf", "timeline_png": "t.png"}
    _report(Output("json", json_flag=True), run.model_copy(update={"files": whole}), tmp_path)
    assert "Not written" not in capsys.readouterr().err
