"""The after-action report of an exercise run (issue 15, item 4): Markdown, one self-contained
accessible HTML page and a tagged PDF, with the timeline plot (PNG and SVG), the scores and
their trend, the lessons learned the facilitator entered and the follow-up actions with owners.

Lessons and follow-ups are records in the run's own evidence log (`exercise.lesson`,
`exercise.followup`), appended with the key that signed the run, so they are as tamper-evident as
the run; the report reads them back from there. `after_action()` is a pure function of the run,
those records and the plot; `write_report()` writes the files into the run's folder and is one of
the run's output writers (magento_ir.exercise.outputs), so every run leaves its report.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from magento_ir._exceptions import InvalidArgumentError
from magento_ir._files import write_private
from magento_ir.drill._render import (
    Block,
    Code,
    Command,
    Document,
    Figure,
    Items,
    Section,
    Strong,
    Table,
    Text,
)
from magento_ir.evidence import read_records
from magento_ir.exercise.plot import duration

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from magento_ir.evidence import EvidenceLog, Record
    from magento_ir.exercise.plot import Timeline
    from magento_ir.exercise.result import ExerciseRun

__all__ = [
    "FOLLOWUP_RECORD",
    "LESSON_RECORD",
    "REPORT_FILES",
    "FollowUp",
    "Lesson",
    "add_followup",
    "add_lesson",
    "after_action",
    "read_notes",
    "write_report",
]

LESSON_RECORD = "exercise.lesson"
FOLLOWUP_RECORD = "exercise.followup"
Format = Literal["md", "html", "pdf"]
REPORT_FILES: dict[str, str] = {
    "report_md": "after-action-report.md",
    "report_html": "after-action-report.html",
    "report_pdf": "after-action-report.pdf",
    "timeline_png": "timeline.png",
    "timeline_svg": "timeline.svg",
}
_FORMAT_ROLE: dict[Format, str] = {"md": "report_md", "html": "report_html", "pdf": "report_pdf"}


@dataclass(frozen=True, slots=True)
class Lesson:
    text: str
    by: str
    at: str
    seq: int


@dataclass(frozen=True, slots=True)
class FollowUp:
    id: str
    action: str
    owner: str
    due: date
    at: str
    seq: int


def _text(value: str, what: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidArgumentError(f"the {what} is empty: say what it is")
    return cleaned


def add_lesson(log: EvidenceLog, run: ExerciseRun, text: str, *, by: str) -> Record:
    """Record a lesson learned in the run's evidence log."""
    return log.append(
        LESSON_RECORD,
        {"run_id": run.run_id, "text": _text(text, "lesson"), "by": _text(by, "facilitator")},
    )


def add_followup(
    log: EvidenceLog, run: ExerciseRun, action: str, *, owner: str, due: date, by: str
) -> Record:
    """Record a follow-up action with its owner and due date; its id is `F<n>`, numbered in
    the order they were added."""
    existing = read_notes(log.records())[1]
    number = len(existing) + 1
    return log.append(
        FOLLOWUP_RECORD,
        {
            "run_id": run.run_id,
            "id": f"F{number}",
            "action": _text(action, "follow-up action"),
            "owner": _text(owner, "owner"),
            "due": due.isoformat(),
            "by": _text(by, "facilitator"),
        },
    )


def read_notes(records: Iterable[Record]) -> tuple[tuple[Lesson, ...], tuple[FollowUp, ...]]:
    """The lessons and follow-ups of a run's evidence log, in the order they were recorded."""
    lessons, followups = [], []
    for record in records:
        payload = record.payload
        if record.type == LESSON_RECORD:
            lessons.append(
                Lesson(str(payload["text"]), str(payload["by"]), record.time, record.seq)
            )
        elif record.type == FOLLOWUP_RECORD:
            followups.append(
                FollowUp(
                    str(payload["id"]),
                    str(payload["action"]),
                    str(payload["owner"]),
                    date.fromisoformat(str(payload["due"])),
                    record.time,
                    record.seq,
                )
            )
    return tuple(lessons), tuple(followups)


# --- the document ----------------------------------------------------------------------------


def _at(run: ExerciseRun, moment: datetime) -> str:
    return f"+{duration((moment - run.started_at).total_seconds())}"


def _yes(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "NO"


def _seconds(value: float | None) -> str:
    return "-" if value is None else duration(value)


def _scores(run: ExerciseRun) -> tuple[Section, ...]:
    scores = run.scores
    if scores is None:
        return (Section("scores", "Scores", (Text(("This run was not scored.",)),)),)
    trends = {item.objective: item for item in (scores.trend.objectives if scores.trend else ())}
    objectives = Table(
        ("Objective", "Time", "Target", "Met", "Previous (same scenario)", "Change", "Trend"),
        tuple(
            (
                item.objective,
                _seconds(item.seconds),
                _seconds(item.target_seconds),
                _yes(item.met),
                _seconds(trend.previous_same_scenario) if trend else "-",
                _seconds(trend.change_seconds) if trend else "-",
                trend.direction if trend else "-",
            )
            for item in scores.objectives
            for trend in (trends.get(item.objective),)
        ),
        numeric=frozenset({1, 2, 4, 5}),
    )
    deadlines = Table(
        ("Obligation", "Recipient", "Deadline (UTC)", "Done (UTC)", "Slack", "Met"),
        tuple(
            (
                item.key,
                item.recipient,
                item.deadline.strftime("%Y-%m-%d %H:%M") if item.deadline else "no fixed period",
                item.done_at.strftime("%Y-%m-%d %H:%M:%S") if item.done_at else "not done",
                _seconds(item.slack_seconds),
                _yes(item.met),
            )
            for item in scores.deadlines
        ),
        numeric=frozenset({4}),
    )
    decisions = Table(
        ("Decision", "Expected", "Chosen", "By", "Matched"),
        tuple(
            (item.decision, item.expected, item.choice or "not made", item.by or "-",
             _yes(item.matched))
            for item in scores.decisions
        ),
    )  # fmt: skip
    skipped: Block = (
        Items(tuple((Code(step),) for step in scores.skipped_steps))
        if scores.skipped_steps
        else Text(("Every procedure step of the scenario was performed.",))
    )
    sections = [
        Section(
            "scores",
            f"Scores: {scores.percent}%",
            (
                Text(
                    (
                        (
                            "The score is the share of targets met, decisions matched, procedure "
                            "steps performed and fixed deadlines met; each counts once."
                        ),
                    )
                ),
                objectives,
            ),
            data=scores.model_dump(mode="json"),
        ),
        Section(
            "deadlines",
            "Legal deadlines: slack",
            (
                Text(
                    (
                        (
                            "Slack is the deadline minus when the notice was approved; negative is "
                            "late."
                        ),
                    )
                ),
                deadlines,
            )
            if scores.deadlines
            else (Text(("The staged breach triggered no legal deadline.",)),),
        ),
        Section(
            "decisions",
            "Decisions",
            (decisions,) if scores.decisions else (Text(("No decision was expected.",)),),
        ),
        Section("procedure", "Procedure steps skipped", (skipped,)),
    ]
    trend = scores.trend
    if trend is not None and trend.history:
        change = (
            f"{trend.percent_change:+d} points against the previous run"
            if trend.percent_change is not None
            else "no previous score to compare with"
        )
        sections.append(
            Section(
                "trend",
                "Trend against the team's previous runs",
                (
                    Text(
                        (
                            (
                                f"{trend.previous_runs} previous runs "
                                f"({trend.same_scenario_runs} of this scenario); score "
                                f"{scores.percent}%, {change}."
                            ),
                        )
                    ),
                    Table(
                        ("Run", "Scenario", "Started (UTC)", "Score"),
                        tuple(
                            (
                                entry.run_id,
                                entry.scenario,
                                entry.started_at.strftime("%Y-%m-%d %H:%M"),
                                "-" if entry.percent is None else f"{entry.percent}%",
                            )
                            for entry in trend.history
                        ),
                        numeric=frozenset({3}),
                    ),
                ),
            )
        )
    else:
        sections.append(
            Section(
                "trend",
                "Trend against the team's previous runs",
                (Text(("This is the team's first run in this folder: no trend yet.",)),),
            )
        )
    return tuple(sections)


def _timeline(run: ExerciseRun, plot: Timeline | None) -> Section:
    blocks: list[Block] = []
    if plot is not None:
        blocks.append(
            Figure(
                alt=plot.alt,
                png=plot.png,
                file=REPORT_FILES["timeline_png"],
                caption=(
                    "Injects, actions, decisions, objectives and legal deadlines after the start "
                    f"(also as {REPORT_FILES['timeline_svg']}); the table below lists every event."
                ),
                width=plot.width,
                height=plot.height,
            )
        )
    else:
        blocks.append(
            Text(
                (
                    "No plot: matplotlib is not installed (",
                    Code('pip install "magento-ir[report]"'),
                    ").",
                )
            )
        )
    blocks.append(
        Table(
            ("After", "Kind", "What", "Ref", "Who"),
            tuple(
                (_at(run, event.at), event.kind, event.title, event.ref, event.actor)
                for event in run.events
            ),
            numeric=frozenset({0}),
        )
    )
    return Section("timeline", "Timeline", tuple(blocks))


def _people(run: ExerciseRun) -> Section:
    return Section(
        "participants",
        "Participants",
        (
            Table(
                ("Name", "Role", "Simulated"),
                tuple(
                    (person.name, person.role, "yes" if person.simulated else "no")
                    for person in run.participants
                ),
            ),
        ),
    )


def _notes(
    run: ExerciseRun, lessons: Sequence[Lesson], followups: Sequence[FollowUp]
) -> tuple[Section, ...]:
    learned: Block = (
        Items(tuple((f"{item.text} ({item.by}, {item.at[:10]})",) for item in lessons))
        if lessons
        else Text(
            (
                "None recorded yet: ",
                Code(f"magento-ir exercise lessons {run.run_id} --add TEXT"),
                ".",
            )
        )
    )
    actions: Block = (
        Table(
            ("Id", "Action", "Owner", "Due"),
            tuple((item.id, item.action, item.owner, item.due.isoformat()) for item in followups),
        )
        if followups
        else Text(
            (
                "None recorded yet: ",
                Code(
                    f"magento-ir exercise followup {run.run_id} --action TEXT --owner NAME "
                    "--due YYYY-MM-DD"
                ),
                ".",
            )
        )
    )
    return (
        Section(
            "lessons",
            "Lessons learned",
            (learned,),
            data=[
                {"text": item.text, "by": item.by, "at": item.at, "seq": item.seq}
                for item in lessons
            ],
        ),
        Section(
            "followups",
            "Follow-up actions",
            (actions,),
            data=[
                {"id": item.id, "action": item.action, "owner": item.owner,
                 "due": item.due.isoformat(), "at": item.at, "seq": item.seq}
                for item in followups
            ],
        ),
    )  # fmt: skip


def _containment(run: ExerciseRun) -> Section:
    drill = run.drill
    checks = drill.get("checks", [])
    blocks: list[Block] = [
        Text(
            (
                (
                    f"Playbook {drill.get('playbook', run.playbook)}: "
                    f"{'contained and verified' if drill.get('ok') else 'FAILED'}"
                ),
                f" in {drill['contain_seconds']:.2f} s." if "contain_seconds" in drill else ".",
                " The drill's own report is in ",
                Code(f"{run.files.get('drill', 'drill')}/drill-report.html"),
                ".",
            )
        )
    ]
    if checks:
        blocks.append(
            Items(
                tuple(
                    ((f"{check['name']}: {_MARKS.get(check.get('passed'), 'not checked')} "
                     f"({check.get('detail', '')})"),)
                    for check in checks
                )
            )
        )  # fmt: skip
    return Section("containment", "Containment", tuple(blocks))


_MARKS = {True: "held", False: "FAILED", None: "not checked"}


def verify_commands(run: ExerciseRun) -> list[str]:
    """The commands that verify the run's evidence log and the drill's journal, run in the
    run's folder (or an evidence pack unzipped)."""
    commands = []
    log = run.files.get("evidence_log")
    if log:
        args = ["magento-ir", "evidence", "verify", log]
        if run.verifier_key:
            args += ["--verifier", run.verifier_key]
        commands.append(shlex.join(args))
    journal = run.drill.get("journal")
    if journal:
        args = ["magento-ir", "evidence", "verify", str(journal)]
        if run.drill.get("journal_verifier"):
            args += ["--verifier", str(run.drill["journal_verifier"])]
        commands.append(shlex.join(args))
    return commands


def _audit(run: ExerciseRun) -> Section:
    rows = [
        ("Run", run.run_id),
        ("Scenario", run.scenario),
        ("Evidence log", run.files.get("evidence_log", "-")),
        ("Evidence log verifier key", run.verifier_key or "-"),
        ("Drill journal", str(run.drill.get("journal", "-"))),
        ("Drill journal root hash (RFC 6962, SHA-256)", str(run.drill.get("journal_root", "-"))),
        ("Drill journal verifier key", str(run.drill.get("journal_verifier", "-"))),
    ]
    commands = verify_commands(run)
    return Section(
        "audit",
        "For auditors",
        (
            Table(("Fact", "Value"), tuple(rows)),
            Text(
                (
                    (
                        "In the run's folder (or the evidence pack, unzipped), these commands "
                        "check every record of the run's evidence log (the lessons and follow-ups "
                        "above included) and of the drill's journal, and their signed checkpoints:"
                    ),
                )
            ),
            *(Command(command) for command in commands),
        ),
        data={"commands": commands},
    )


def after_action(
    run: ExerciseRun,
    *,
    lessons: Sequence[Lesson] = (),
    followups: Sequence[FollowUp] = (),
    plot: Timeline | None = None,
) -> Document:
    """The after-action report as a document (render it with `.to_markdown()`, `.to_html()` or
    magento_ir.exercise._pdf.render_pdf)."""
    score = f"{run.scores.percent}%" if run.scores else "not scored"
    ended = (
        f", finished {run.finished_at:%Y-%m-%d %H:%M:%S} UTC "
        f"({duration((run.finished_at - run.started_at).total_seconds())})"
        if run.finished_at
        else ", not finished"
    )
    people = sum(1 for person in run.participants if not person.simulated)
    intro = (
        Text(
            (
                f"Scenario {run.scenario} ({run.title}), playbook ",
                Code(run.playbook),
                (
                    f", {run.mode} run {run.run_id}: started {run.started_at:%Y-%m-%d %H:%M:%S} UTC"
                    f"{ended}; {len(run.participants)} participants ({people} people, "
                    f"{len(run.participants) - people} simulated)."
                ),
            )
        ),
        Text((Strong(f"Score {score}"), f"; containment {'passed' if run.ok else 'FAILED'}.")),
    )
    sections = (
        *_scores(run),
        _timeline(run, plot),
        *_notes(run, lessons, followups),
        _people(run),
        _containment(run),
        _audit(run),
    )
    title = f"After-action report: {run.title} ({score})"
    return Document(title, intro, sections, verdict_passed=run.ok)


def report_json(document: Document) -> dict[str, Any]:
    return {section.key: section.data for section in document.sections if section.data is not None}


def write_report(
    run: ExerciseRun, folder: Path, formats: Sequence[Format] = ("md", "html", "pdf")
) -> dict[str, str]:
    """Write the report (and the plot) into the run's folder; returns {role: file name}.

    Reads the lessons and follow-ups from the run's evidence log. Without the `report` extra
    (matplotlib, fpdf2) the Markdown and HTML are written without the plot, and no PDF.
    """
    log = run.files.get("evidence_log")
    lessons: tuple[Lesson, ...] = ()
    followups: tuple[FollowUp, ...] = ()
    if log and (folder / log).is_file():
        lessons, followups = read_notes(read_records(folder / log))
    written: dict[str, str] = {}
    try:
        from magento_ir.exercise.plot import timeline  # noqa: PLC0415

        plot: Timeline | None = timeline(run)
    except ImportError:
        plot = None
    if plot is not None:
        write_private(folder / REPORT_FILES["timeline_png"], plot.png)
        write_private(folder / REPORT_FILES["timeline_svg"], plot.svg)
        written["timeline_png"] = REPORT_FILES["timeline_png"]
        written["timeline_svg"] = REPORT_FILES["timeline_svg"]
    document = after_action(run, lessons=lessons, followups=followups, plot=plot)
    for fmt in formats:
        role = _FORMAT_ROLE[fmt]
        if fmt == "md":
            data = document.to_markdown().encode()
        elif fmt == "html":
            data = document.to_html().encode()
        else:
            try:
                from magento_ir.exercise._pdf import render_pdf  # noqa: PLC0415

                data = render_pdf(document)
            except ImportError:
                continue
        write_private(folder / REPORT_FILES[role], data)
        written[role] = REPORT_FILES[role]
    return written
