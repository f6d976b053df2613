"""What every command prints: the stdout console, step tables, the confirmation question, and
the exit code a run's steps mean."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import errors, fail

if TYPE_CHECKING:
    from magento_ir.containment.incident import RunReport, StepReport

__all__ = ["confirm", "console", "exit_for", "mark", "plan_table", "summary_table"]

console = Console()


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
            table.add_row(step.step, step.action, "-", f"[red]{step.status}[/red]: {step.error}")
        else:
            table.add_row(step.step, step.action, step.plan.path, step.plan.summary)
    return table


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
            details.append(
                "; ".join(
                    f"{escape(check.name)}: {mark(check.passed)}"
                    for check in step.verification.checks
                )
            )
        # Store and user text is escaped: rich would take "[...]" in it for markup and drop it.
        if step.outcome is not None and step.outcome.failed:
            # Per entity, why it failed ("block:3: no such CMS block 3").
            details.append(escape(step.outcome.reasons()))
        elif step.error:
            details.append(escape(step.error))
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
