"""`magento-ir exercise list | validate FILE | run NAME --automated`: breach exercises on the
sandbox, scored and kept as evidence (docs/exercises.md).

Other modules add commands to this group the way notify_*.py do for `notify`: they import
`exercise_app` from here and are imported at the end of this file.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError, MagentoIRError
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes, fail
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption, console
from magento_ir.cli._paths import readable_file, writable_dir
from magento_ir.cli._progress import bars
from magento_ir.cli._store import global_options, signing_key
from magento_ir.cli.playbooks import refuse_problems

if TYPE_CHECKING:
    from magento_ir.exercise import ExerciseRun, Scenario, Scores
    from magento_ir.exercise.facilitate import Facilitation

__all__ = ["exercise_app", "register"]

exercise_app = typer.Typer(
    name="exercise",
    help="Breach exercises: scenarios run end to end on the sandbox, scored, kept as evidence.",
    no_args_is_help=True,
)
_INTERRUPTED = (
    "Exercise interrupted: the sandbox it ran on is discarded with it; the run's folder holds "
    "what was recorded so far."
)


def register(app: typer.Typer) -> None:
    app.add_typer(exercise_app, name="exercise")


# Options several exercise commands share, declared once so their help stays the same.
OutOption = Annotated[
    Path,
    typer.Option(
        "--out",
        help="The team's exercise folder: each run gets a folder in it; earlier runs there are "
        "the history scores are compared with.",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="Signing key of the run's evidence log (default: the journal key, created once).",
    ),
]


@exercise_app.command("list")
def list_command(
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """The shipped scenarios: what each stages, its playbook, injects and objectives."""
    out = Output(output, json_output)
    with exit_codes(interrupted="Interrupted."):
        from magento_ir.exercise import scenario_json, shipped_scenarios  # noqa: PLC0415

        table = Table(title="Exercise scenarios", title_justify="left")
        for column in ("Name", "Title", "Playbook", "Injects", "Decisions", "Objectives"):
            table.add_column(column)
        listed = []
        for name, scenario in shipped_scenarios().items():
            table.add_row(
                name,
                escape(scenario.title),
                scenario.playbook,
                str(len(scenario.injects)),
                str(len(scenario.decisions)),
                ", ".join(f"{key} {value}s" for key, value in scenario.objectives.items()),
            )
            listed.append(scenario_json(scenario))
        out.table(table)
        out.document({"scenarios": listed})


@exercise_app.command("validate")
def validate_command(
    file: Annotated[Path, typer.Argument(help="The scenario .toml file to check.")],
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Check a scenario file; every problem is printed as FILE:LINE:COLUMN: message (exit 2)."""
    out = Output(output, json_output)
    with exit_codes(interrupted="Interrupted."):
        from magento_ir.exercise import Scenario, ScenarioError  # noqa: PLC0415

        if not file.is_file():
            raise ConfigurationError(
                f"{file}: no such file" if not file.exists() else f"{file}: not a file"
            )
        try:
            scenario = Scenario.from_file(file)
        except ScenarioError as error:
            if not error.problems:
                raise ConfigurationError(str(error)) from None
            refuse_problems(out, file, error.problems, kind="scenario")
        if not out.json:
            console.print(
                f"OK: {file} is scenario {scenario.name} ({len(scenario.injects)} injects, "
                f"{len(scenario.decisions)} decisions, {len(scenario.objectives)} objectives)",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
        out.document(
            {
                "file": str(file),
                "ok": True,
                "scenario": scenario.name,
                "problems": [],
                "exit_code": 0,
            }
        )


@exercise_app.command("run")
def run_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    scenario: Annotated[
        str, typer.Argument(help="A shipped scenario's name (exercise list) or a .toml file.")
    ],
    automated: Annotated[
        bool,
        typer.Option(
            "--automated", help="Play every participant: decisions and approvals are simulated."
        ),
    ] = False,
    facilitated: Annotated[
        bool,
        typer.Option(
            "--facilitated",
            help="People in the loop: injects reach the --roster through the real channels "
            "(marked EXERCISE, guarded); the run waits for their decisions and approvals.",
        ),
    ] = False,
    roster: Annotated[
        Path | None,
        typer.Option("--roster", help="The exercise's roster (TOML): its whole contact list."),
    ] = None,
    time_scale: Annotated[
        float,
        typer.Option(
            "--time-scale", help="Exercise seconds per real second (60: an hour in a minute)."
        ),
    ] = 1.0,
    decision_timeout: Annotated[
        float,
        typer.Option(
            "--decision-timeout",
            help="Exercise seconds a decision or approval may wait before it counts as not made.",
        ),
    ] = 1800.0,
    out_dir: OutOption = Path("exercises"),
    key: KeyOption = None,
    details: Annotated[
        Path | None,
        typer.Option(
            "--details",
            help="The incident details the notices are drafted from (TOML, as for notify "
            "draft; default: the shipped example, marked EXERCISE).",
        ),
    ] = None,
    products: Annotated[int, typer.Option(help="Generated products of the sandbox.")] = 200,
    customers: Annotated[int, typer.Option(help="Generated customers of the sandbox.")] = 200,
    orders: Annotated[int, typer.Option(help="Generated orders of the sandbox.")] = 50,
    seed: Annotated[int, typer.Option(help="Seed of the generated store.")] = 0,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Run a scenario end to end on the sandbox: stage, detect, contain, preserve evidence,
    assess, draft and approve notices; score it; write its folder and evidence log."""
    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        if automated == facilitated:
            raise ConfigurationError(
                "give --automated (every participant simulated) or --facilitated --roster FILE "
                "(people in the loop; docs/exercises.md)"
            )
        writable_dir(out_dir, "--out")
        try:
            from magento_ir.exercise import ExerciseOptions, load_scenario, run_exercise  # noqa: PLC0415
            from magento_ir.sandbox import SandboxConfigError  # noqa: PLC0415
        except ImportError as error:
            raise ConfigurationError(
                f"exercises need the sandbox extra ({error.name} is missing): "
                'pip install "magento-ir[cli,sandbox]"'
            ) from None
        chosen = load_scenario(scenario)
        incident_details = _details(details)
        people = _facilitation(out, chosen, roster, time_scale, decision_timeout, out_dir) if (
            facilitated
        ) else None  # fmt: skip
        options = ExerciseOptions(
            out=out_dir,
            mode="facilitated" if facilitated else "automated",
            facilitation=people,
            participants=people.participants() if people else (),
            run_id=people.run_id if people else None,
            key=signing_key(key),
            products=products,
            customers=customers,
            orders=orders,
            seed=seed,
            details=incident_details,
        )
        try:
            with bars(out, global_options(ctx)) as shown:
                shown.steps(None, "exercise")
                run = run_exercise(chosen, options, shown.step)
        except SandboxConfigError as error:
            raise ConfigurationError(str(error)) from None
        _report(out, run, out_dir / run.run_id)
        code = ExitCode.OK if run.ok else ExitCode.CONTAINMENT_FAILED
        out.document(
            {
                "run": run.to_json(),
                "folder": str(out_dir / run.run_id),
                "ok": run.ok,
                "exit_code": int(code),
            }
        )
        if not run.ok:
            fail(code, "the containment under the exercise failed: see the drill report")


def _facilitation(  # noqa: PLR0917 - the run's facilitation options
    out: Output,
    scenario: Scenario,
    roster: Path | None,
    time_scale: float,
    decision_timeout: float,
    out_dir: Path,
) -> Facilitation:
    """The people side of a facilitated run; says where participants answer."""
    from magento_ir.exercise._run import new_run_id  # noqa: PLC0415
    from magento_ir.exercise.facilitate import Facilitation  # noqa: PLC0415
    from magento_ir.exercise.roster import load_roster  # noqa: PLC0415

    if roster is None:
        raise ConfigurationError("--facilitated needs --roster FILE: who takes part, and where")
    readable_file(roster, "--roster")
    people = Facilitation(
        load_roster(roster), roster, time_scale=time_scale, decision_timeout=decision_timeout
    )
    people.roster.check_roles(scenario.roles, f"scenario {scenario.name}")
    people.run_id = new_run_id(scenario)
    out.note(
        f"Facilitated run {people.run_id} (folder {out_dir / people.run_id}): participants "
        f"answer with `magento-ir exercise decide {people.run_id} DECISION CHOICE --as ID` and "
        f"`magento-ir exercise approve {people.run_id} DRAFT --as ID` (add --out {out_dir})"
    )
    return people


def _details(path: Path | None) -> dict[str, Any] | None:
    """The --details file, read before anything runs (an unusable one is a usage error)."""
    if path is None:
        return None
    from magento_ir.notify.drafts import load_details  # noqa: PLC0415

    readable_file(path, "--details")
    try:
        return load_details(path)
    except MagentoIRError as error:
        raise ConfigurationError(str(error)) from None


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _report(out: Output, run: ExerciseRun, folder: Path) -> None:
    """The run's scores as tables (notes on stderr in JSON mode)."""
    out.note(f"magento-ir exercise: {run.scenario} ({run.mode}) score {_percent(run)}")
    if run.scores is not None:
        _score_tables(out, run.scores)
    log = folder / run.files.get("evidence_log", "")
    out.note(f"Run folder: {folder}")
    missing = [role for role in ("report_pdf", "timeline_png") if role not in run.files]
    if missing:
        # The report extra is optional; say what the folder lacks rather than leave it unnoticed.
        out.note(
            f"Not written: {', '.join(missing)} (they need matplotlib and fpdf2: "
            "pip install 'magento-ir[report]')"
        )
    out.note(
        f"Verify its evidence log with: magento-ir evidence verify {log} "
        f"--verifier {run.verifier_key}"
    )


def _yes(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "[red]NO[/red]"


def _score_tables(out: Output, scores: Scores) -> None:
    table = Table(title="Objectives", title_justify="left")
    for column in ("Objective", "Time (s)", "Target (s)", "Met", "Trend"):
        table.add_column(column)
    trends = {item.objective: item for item in (scores.trend.objectives if scores.trend else ())}
    for item in scores.objectives:
        trend = trends.get(item.objective)
        table.add_row(
            item.objective,
            _seconds(item.seconds),
            "-" if item.target_seconds is None else str(item.target_seconds),
            _yes(item.met),
            "-" if trend is None else trend.direction,
        )
    out.table(table)
    if scores.deadlines:
        deadlines = Table(title="Legal deadlines", title_justify="left")
        for column in ("Obligation", "Recipient", "Deadline (UTC)", "Slack (h)", "Met"):
            deadlines.add_column(column)
        for slack in scores.deadlines:
            deadlines.add_row(
                slack.key,
                escape(slack.recipient),
                slack.deadline.strftime("%Y-%m-%d %H:%M") if slack.deadline else "no period",
                "-" if slack.slack_seconds is None else f"{slack.slack_seconds / 3600:.1f}",
                _yes(slack.met),
            )
        out.table(deadlines)
    if scores.decisions:
        decisions = Table(title="Decisions", title_justify="left")
        for column in ("Decision", "Expected", "Chosen", "By", "Matched"):
            decisions.add_column(column)
        for decision in scores.decisions:
            decisions.add_row(
                decision.decision,
                escape(decision.expected),
                escape(decision.choice or "-"),
                escape(decision.by or "-"),
                _yes(decision.matched),
            )
        out.table(decisions)
    if scores.skipped_steps:
        out.note(f"Procedure steps skipped: {', '.join(scores.skipped_steps)}")


def _percent(run: ExerciseRun) -> str:
    return "-" if run.scores is None else f"{run.scores.percent}%"


# The participants' commands (decide, approve) live in their own module.
from magento_ir.cli import exercise_people as _exercise_people  # noqa: E402, F401

# The after-action report, lessons, follow-ups and evidence pack; the programme's records.
from magento_ir.cli import exercise_programme as _exercise_programme  # noqa: E402, F401
from magento_ir.cli import exercise_report as _exercise_report  # noqa: E402, F401
