"""What every command prints: the stdout console, step tables, the confirmation question, and
the exit code a run's steps mean."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import errors, fail

if TYPE_CHECKING:
    from magento_ir.containment.incident import RunReport, StepReport

__all__ = [
    "JsonOption",
    "Output",
    "OutputFormat",
    "OutputOption",
    "check_line",
    "confirm",
    "console",
    "exit_for",
    "fit_output",
    "mark",
    "markdown_table",
    "plan_table",
    "step_json",
    "summary_table",
]

console = Console()


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


def _output_format(ctx: typer.Context, value: str) -> str:
    """`--output` is the format on every command; a file name there is a mistake named as such."""
    if value in set(OutputFormat):
        return value
    # The commands that write a file name its option: `evidence export --out FILE`.
    destination = next(
        (opt for param in ctx.command.params for opt in param.opts if opt == "--out"), None
    )
    raise typer.BadParameter(
        f"{value!r} is not a format: use {', '.join(OutputFormat)}"
        + (f" (the file to write is {destination} FILE)" if destination else "")
    )


OutputOption = Annotated[
    str,
    typer.Option(
        "--output",
        callback=_output_format,
        help="table (default), json (one document on stdout, keys in docs/cli.md) or markdown.",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Same as --output json.")]


class Output:
    """Where a command's result goes: tables (rich or Markdown) as it runs, or one JSON document.

    In JSON mode stdout carries the document alone: progress and notes go to stderr.
    """

    def __init__(self, output: str, json_flag: bool) -> None:
        self.format = OutputFormat.JSON if json_flag else OutputFormat(output)
        self.json = self.format is OutputFormat.JSON
        # Notes and progress: beside the tables, or out of the JSON document's way.
        self.notes = errors if self.json else console

    def table(self, table: Table) -> None:
        if self.format is OutputFormat.TABLE:
            console.print(table)
        elif self.format is OutputFormat.MARKDOWN:
            sys.stdout.write(markdown_table(table))
            sys.stdout.flush()

    def note(self, text: str) -> None:
        self.notes.print(text, highlight=False, markup=False, soft_wrap=True)

    def document(self, document: dict[str, Any]) -> None:
        if self.json:
            sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str))
            sys.stdout.write("\n")
            sys.stdout.flush()


def markdown_table(table: Table) -> str:
    """A rich table as GitHub Markdown: its title as a heading, markup dropped, cells kept whole."""

    def cell(value: Any) -> str:  # noqa: ANN401 - a rich renderable, a markup string here
        text = Text.from_markup(value).plain if isinstance(value, str) else str(value)
        return text.replace("|", "\\|").replace("\n", "<br>")

    columns = table.columns
    lines = [f"### {cell(table.title)}", ""] if table.title else []
    if table.show_header:
        lines.append("| " + " | ".join(cell(column.header) for column in columns) + " |")
    else:
        lines.append("| " + " | ".join("" for _ in columns) + " |")
    lines.append("|" + "---|" * len(columns))
    lines.extend(
        "| " + " | ".join(cell(value) for value in row) + " |"
        for row in zip(*(list(column.cells) for column in columns), strict=True)
    )
    return "\n".join(lines) + "\n\n"


def step_json(step: StepReport) -> dict[str, Any]:
    """A step for the JSON output: as journaled, without the prior state the plan keeps for
    rollback (the journal has it; it is store data, not a result)."""
    document = step.to_json()
    if document["plan"] is not None:
        document["plan"] = {k: v for k, v in document["plan"].items() if k != "prior"}
    return document


# Without a terminal (a pipe, a file, a CI log) nothing is cut to fit 80 columns: a step id
# `rollback --step` needs, or the reason a check failed, is printed whole on its line.
_UNCUT = 1_000_000


def fit_output() -> None:
    """Called once per command: a terminal's width when there is one, else no limit (stderr's
    notes too: a path or a command to copy is never broken over lines)."""
    for stream in (console, errors):
        if not stream.is_terminal:
            stream.width = _UNCUT


def confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        fail(
            ExitCode.USAGE,
            "refusing to write to the store without confirmation and there is no terminal to "
            "ask on: pass --yes to confirm in advance",
        )
    if not typer.confirm(question, default=False):
        errors.print("Nothing was changed.")
        raise typer.Exit(int(ExitCode.USAGE))


def plan_table(report: RunReport) -> Table:
    table = Table(title="Plan (nothing has changed yet)", title_justify="left")
    for column in ("Step", "Action", "Path", "What will change"):
        table.add_column(column)
    for step in report.steps:
        if step.plan is None:
            why = escape(step.error or "no reason recorded")
            table.add_row(step.step, step.action, "-", f"[red]{step.status}[/red]: {why}")
        else:
            # Entities the plan already knows are missing, before anything is written.
            problems = [change for change in step.plan.changes if _PLAN_PROBLEM in change]
            summary = escape(step.plan.summary) + "".join(
                f"\n[red]problem[/red]: {escape(change)}" for change in problems
            )
            table.add_row(step.step, step.action, step.plan.path, summary)
    return table


# How a plan's per-entity change line says the entity is not there ("block:3 not found").
_PLAN_PROBLEM = " not found"
# Why a step was skipped when the journal gives no other reason.
_SKIPPED_WHY = "skipped: an earlier run already applied and verified it"


class Observation(Protocol):
    """A check of a step (containment) or of a drill: what, whether it held, what was seen."""

    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool | None: ...
    @property
    def detail(self) -> str: ...


def check_line(check: Observation) -> str:
    """One outside check, with what was seen whenever it did not hold or could not run."""
    line = f"{escape(check.name)}: {mark(check.passed)}"
    return line if check.passed or not check.detail else f"{line} ({escape(check.detail)})"


def _entities(step: StepReport) -> str:
    if step.outcome is None:
        return "-"
    outcome = step.outcome
    return f"{outcome.count('ok')}/{outcome.count('failed')}/{outcome.count('skipped')}"


def summary_table(title: str, steps: list[StepReport]) -> Table:
    from magento_ir.containment.incident import STATUS_OK  # noqa: PLC0415

    table = Table(title=title, title_justify="left")
    for column in ("Step", "Action", "Path", "Status", "Entities ok/failed/skipped", "Detail"):
        table.add_column(column)
    for step in steps:
        fine = STATUS_OK.get(step.status, False) and (step.outcome is None or step.outcome.ok)
        color = "green" if fine else "red"
        details = []
        if step.verification is not None:
            details.append("; ".join(check_line(check) for check in step.verification.checks))
        # Store and user text is escaped: rich would take "[...]" in it for markup and drop it.
        if step.outcome is not None and step.outcome.failed:
            # Per entity, why it failed ("block:3: no such CMS block 3").
            details.append(escape(step.outcome.reasons()))
        elif step.error:
            details.append(escape(step.error))
        elif step.status == "skipped":
            details.append(_SKIPPED_WHY)
        if step.outcome is not None:
            details.extend(
                f"{escape(entity.entity)} skipped: {escape(entity.detail)}"
                for entity in step.outcome.entities
                if entity.status == "skipped" and entity.detail
            )
        table.add_row(
            step.step,
            step.action,
            step.outcome.path if step.outcome is not None else "-",
            f"[{color}]{step.status}[/{color}]",
            _entities(step),
            "\n".join(details),
        )
    return table


def exit_for(steps: list[StepReport]) -> ExitCode:
    """The exit code of a call's steps: `RunReport.ok` decides, so the two always agree."""
    from magento_ir.containment.incident import RunReport  # noqa: PLC0415

    if any(step.status == "blocked" for step in steps):
        return ExitCode.MODULE_REQUIRED
    return ExitCode.OK if RunReport("", tuple(steps)).ok else ExitCode.CONTAINMENT_FAILED


def mark(passed: bool | None) -> str:
    return {True: "[green]held[/green]", False: "[red]FAILED[/red]", None: "not checked"}[passed]
