"""`magento-ir exercise schedule | train | history`: the programme's quarterly plan and the
training records, kept in the programme's evidence log (magento_ir.exercise.programme)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption
from magento_ir.cli._paths import readable_file, writable_file
from magento_ir.cli._store import signing_key
from magento_ir.cli.exercise import KeyOption, exercise_app
from magento_ir.cli.exercise_report import _load

if TYPE_CHECKING:
    from magento_ir.exercise.programme import History, Plan, Schedule, Training

__all__: list[str] = []

_INTERRUPTED = "Interrupted. Every record written so far is in the programme's evidence log."
_DEFAULT_PLAN = Path("exercise-plan.toml")
_DEFAULT_LOG = Path("exercises") / "programme.evlog"

PlanOption = Annotated[
    Path,
    typer.Option("--plan", help="The quarterly plan (TOML; see magento_ir/exercise/examples)."),
]
LogOption = Annotated[
    Path,
    typer.Option("--log", help="The programme's evidence log (plan and training records)."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The day to judge by, YYYY-MM-DD (default: today, UTC)."),
]
RunsOption = Annotated[
    Path,
    typer.Option("--runs", help="The team's exercise folder: runs held count as exercised."),
]


def _day(text: str | None, option: str = "--as-of") -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"{option} {text!r} is not a date, e.g. 2027-03-31") from None


def _plan(path: Path) -> Plan:
    from magento_ir.exercise.programme import load_plan  # noqa: PLC0415

    readable_file(path, "--plan")
    return load_plan(path)


def _procedures(plan: Plan | None) -> tuple[str, ...]:
    """Every shipped playbook and scenario, and the plan's own scenarios."""
    from magento_ir.exercise import shipped_scenarios  # noqa: PLC0415
    from magento_ir.exercise.programme import known_procedures  # noqa: PLC0415

    names = {*shipped_scenarios(), *(item.scenario for item in plan.exercises)} if plan else set()
    return known_procedures(names or shipped_scenarios())


def _append(
    log_path: Path, key: Path | None, records: list[tuple[str, dict[str, Any]]]
) -> list[int]:
    from magento_ir.evidence import EvidenceLog  # noqa: PLC0415

    if log_path == _DEFAULT_LOG:
        # The team's exercise folder, as `exercise run` makes it.
        log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    writable_file(log_path, "--log")
    with EvidenceLog.open(log_path, key=signing_key(key), tool_args=["exercise"]) as log:
        return [log.append(kind, payload).seq for kind, payload in records]


def _records(log_path: Path) -> list[Any]:
    from magento_ir.evidence import read_records  # noqa: PLC0415

    return list(read_records(log_path)) if log_path.is_file() else []


@exercise_app.command("schedule")
def schedule_command(  # noqa: PLR0917 - one parameter per command-line option
    plan: PlanOption = _DEFAULT_PLAN,
    log: LogOption = _DEFAULT_LOG,
    key: KeyOption = None,
    as_of: AsOfOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """The quarterly plan for the next four quarters, the quarters without an exercise and the
    procedures they leave out; the plan is recorded in the programme's log when it changed."""
    from magento_ir.exercise.programme import (  # noqa: PLC0415
        PLAN_RECORD,
        last_plan_digest,
        plan_payload,
        schedule,
    )

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        loaded = _plan(plan)
        day = _day(as_of)
        recorded = None
        if last_plan_digest(_records(log)) != loaded.sha256:
            recorded = _append(log, key, [(PLAN_RECORD, plan_payload(loaded))])[0]
        view = schedule(loaded, as_of=day, procedures=_procedures(loaded))
        _show_schedule(out, view)
        out.note(
            f"Plan {plan} (SHA-256 {loaded.sha256[:12]}...) "
            + (f"recorded in {log} as record {recorded}." if recorded is not None
               else f"already recorded in {log}.")
        )  # fmt: skip
        out.document({**view.to_json(), "log": str(log), "recorded_seq": recorded})


def _show_schedule(out: Output, view: Schedule) -> None:
    table = Table(
        title=f"{escape(view.plan.programme.title)}: the next four quarters",
        title_justify="left",
    )
    for column in ("Quarter", "Scenario", "Date", "Facilitator", "Roles", "Hours"):
        table.add_column(column)
    for quarter, planned in view.quarters:
        if not planned:
            table.add_row(quarter, "[red]none planned[/red]", "", "", "", "")
        for item in planned:
            table.add_row(
                quarter, item.scenario, str(item.date or "-"), escape(item.facilitator or "-"),
                ", ".join(item.roles) or "-", f"{item.hours:g}",
            )  # fmt: skip
    out.table(table)
    if view.review_due:
        out.note(
            f"The plan was last reviewed {view.plan.programme.last_reviewed}: review it "
            "(every 90 days)."
        )
    if view.not_planned:
        out.note(f"Not exercised in the next four quarters: {', '.join(view.not_planned)}")


@exercise_app.command("train")
def train_command(  # noqa: PLR0917 - one parameter per command-line option
    person: Annotated[str | None, typer.Option("--person", help="Who was trained.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Their role (roster roles).")] = None,
    hours: Annotated[
        float | None, typer.Option("--hours", help="Hours of training (a run: its length).")
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The day, YYYY-MM-DD (default: today / the run's).")
    ] = None,
    activity: Annotated[
        str | None, typer.Option("--activity", help="What it was: a tabletop, a course.")
    ] = None,
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="The scenario or playbook it exercised.")
    ] = None,
    run: Annotated[
        Path | None,
        typer.Option("--run", help="A run's folder: record each of its people (not simulated)."),
    ] = None,
    log: LogOption = _DEFAULT_LOG,
    key: KeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Record training in the programme's evidence log: one person (--person --role --hours),
    or everyone who took part in a run (--run)."""
    from magento_ir.exercise.programme import (  # noqa: PLC0415
        TRAINING_RECORD,
        Training,
        training_payload,
    )
    from magento_ir.exercise.roster import ROLES  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        entries: list[Training] = []
        if run is not None:
            _, held = _load(run)
            length = (
                ((held.finished_at - held.started_at).total_seconds() / 3600)
                if held.finished_at
                else 0.0
            )
            day = _day(on, "--on") if on else held.started_at.date()
            entries = [
                Training(
                    person=item.name,
                    role=item.role,
                    day=day,
                    hours=round(hours if hours is not None else length, 2),
                    activity=activity or f"exercise {held.scenario} ({held.mode})",
                    scenario=held.scenario,
                    playbooks=(held.playbook,),
                    run=held.run_id,
                )
                for item in held.participants
                if not item.simulated and (person is None or item.name == person)
            ]
            if not entries:
                raise ConfigurationError(
                    f"run {held.run_id} had no participant to record (automated runs have only "
                    "simulated ones)"
                )
        else:
            if not person or not role or hours is None or not activity:
                raise ConfigurationError(
                    "give --person, --role, --hours and --activity (or --run RUN_FOLDER)"
                )
            if role not in ROLES:
                raise ConfigurationError(f"--role {role!r}: use one of {', '.join(ROLES)}")
            if hours <= 0:
                raise ConfigurationError("--hours must be more than 0")
            entries = [
                Training(
                    person=person,
                    role=role,
                    day=_day(on, "--on"),
                    hours=hours,
                    activity=activity,
                    scenario=scenario,
                    playbooks=(scenario,) if scenario else (),
                )
            ]
        seqs = _append(log, key, [(TRAINING_RECORD, training_payload(item)) for item in entries])
        for item, seq in zip(entries, seqs, strict=True):
            out.note(
                f"Recorded {item.person} ({item.role}): {item.hours:g} h on {item.day}, "
                f"{item.activity} (record {seq} of {log})"
            )
        out.document(
            {
                "log": str(log),
                "recorded": [
                    {**item.to_json(), "seq": seq} for item, seq in zip(entries, seqs, strict=True)
                ],
            }
        )


@exercise_app.command("history")
def history_command(  # noqa: PLR0917 - one parameter per command-line option
    plan: Annotated[
        Path | None,
        typer.Option("--plan", help="The quarterly plan: its people, roles and hours."),
    ] = None,
    log: LogOption = _DEFAULT_LOG,
    runs: RunsOption = Path("exercises"),
    as_of: AsOfOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Who was trained in what and when; each person's hours this quarter against the plan's
    range; people and roles not trained this quarter; procedures not exercised in 12 months.
    Exit 1 when anything is flagged."""
    from magento_ir.exercise.programme import Training, history, trainings  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        if plan is None and _DEFAULT_PLAN.is_file():
            plan = _DEFAULT_PLAN
        loaded = _plan(plan) if plan is not None else None
        if not log.is_file():
            out.note(f"No programme log at {log} yet: `magento-ir exercise train` starts it.")
        records = trainings(_records(log))
        # Runs held (automated ones included) exercise their scenario and playbook.
        held = [
            Training(person="", role="", day=item.started_at.date(), hours=0.0,
                     activity="run", scenario=item.scenario, playbooks=(item.playbook,),
                     run=item.run_id)
            for item in _held_runs(runs)
        ]  # fmt: skip
        view = history(loaded, records, as_of=_day(as_of), procedures=_procedures(loaded))
        exercised = history(None, [*records, *held], as_of=_day(as_of),
                            procedures=_procedures(loaded))  # fmt: skip
        view = _with_stale(view, exercised)
        _show_history(out, view)
        code = ExitCode.OK if view.ok else ExitCode.CHECK_FAILED
        out.document({**view.to_json(), "log": str(log), "exit_code": int(code)})
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


def _held_runs(folder: Path) -> list[Any]:
    from magento_ir.exercise import RUN_FILE, load_run  # noqa: PLC0415

    found = []
    for path in sorted(folder.glob(f"*/{RUN_FILE}")) if folder.is_dir() else ():
        try:
            found.append(load_run(path))
        except (OSError, ValueError):
            continue
    return found


def _with_stale(view: History, exercised: History) -> History:
    """The people's view, with the procedures' staleness judged over runs held as well."""
    import dataclasses  # noqa: PLC0415

    return dataclasses.replace(view, stale_procedures=exercised.stale_procedures)


def _show_history(out: Output, view: History) -> None:
    low, high = view.hours_per_quarter
    table = Table(title="Training records", title_justify="left")
    for column in ("Date", "Person", "Role", "Hours", "Activity", "Run"):
        table.add_column(column)
    for item in view.trainings:
        table.add_row(
            str(item.day), escape(item.person), item.role, f"{item.hours:g}",
            escape(item.activity), item.run or "-",
        )  # fmt: skip
    out.table(table)
    people = Table(
        title=f"{view.quarter}: hours per person (target {low:g}-{high:g})", title_justify="left"
    )
    for column in ("Person", "Role", "Hours", "Status"):
        people.add_column(column)
    for person in view.people:
        status = person.status if person.status == "within" else f"[red]{person.status}[/red]"
        people.add_row(escape(person.person), person.role, f"{person.hours:g}", status)
    out.table(people)
    if view.roles_not_trained:
        out.note(f"Roles nobody trained in {view.quarter}: {', '.join(view.roles_not_trained)}")
    for name, last in view.stale_procedures:
        out.note(f"Not exercised in 12 months: {name} " + (f"(last {last})" if last else "(never)"))
