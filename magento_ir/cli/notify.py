"""`magento-ir notify plan | rules` (and, in notify_assess.py, `assess | explain | decide |
register`; in notify_drafts.py, `draft | approve | contacts check`): who was exposed, and the
notification obligations a breach's facts trigger.

The engine is pure; this module is its shell: it reads the facts file and the rules, reads the
clock (for `--as-of` and the countdown) and prints. The plan supports legal counsel, it does not
replace it (docs/notifications.md).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import console
from magento_ir.notify import Facts, Plan, load_rules, plan, shipped_rules

if TYPE_CHECKING:
    from magento_ir.notify.rules import Rule

__all__ = ["register"]

notify_app = typer.Typer(
    name="notify",
    help="Notification obligations: who must be told what, by when, on which authority.",
    no_args_is_help=True,
)
_INTERRUPTED = "Interrupted. Nothing was written; run the command again."


def register(app: typer.Typer) -> None:
    from magento_ir.cli.notify_delivery import attach  # noqa: PLC0415 - its own module

    attach(notify_app)
    app.add_typer(notify_app, name="notify")


def _rules(folder: Path | None) -> tuple[Rule, ...]:
    if folder is None:
        return shipped_rules()
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise ConfigurationError(f"{folder} holds no *.toml rule files")
    return load_rules(files)


def _facts(path: Path) -> Facts:
    try:
        return Facts.model_validate_json(path.read_bytes())
    except OSError as error:
        raise ConfigurationError(f"cannot read the facts file {path}: {error.strerror}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(file)"
        raise ConfigurationError(f"{path}: {where}: {first['msg']}") from None


def countdown(deadline: datetime | None, now: datetime) -> str:
    """ "in 2d 03h", "overdue 5h", or "now" for obligations without a fixed period."""
    if deadline is None:
        return "now"
    left = deadline - now
    sign = "in " if left >= timedelta(0) else "overdue "
    hours = int(abs(left).total_seconds() // 3600)
    return f"{sign}{hours // 24}d {hours % 24:02d}h" if hours >= 24 else f"{sign}{hours}h"  # noqa: PLR2004


def _print(result: Plan, now: datetime) -> None:
    table = Table(title=f"Notification obligations (as of {result.as_of})", title_justify="left")
    for column in ("Due", "Deadline (UTC)", "Local", "Recipient", "Affected", "Citation", "Key"):
        table.add_column(column)
    for item in result.obligations:
        table.add_row(
            countdown(item.deadline, now),
            item.deadline.strftime("%Y-%m-%d %H:%M") if item.deadline else item.deadline_text,
            item.deadline_local.strftime("%Y-%m-%d %H:%M %Z") if item.deadline_local else "",
            escape(item.recipient_name),
            str(item.affected),
            escape(item.citation.statute),
            item.key,
        )
    console.print(table)
    for question in result.questions:
        console.print(f"Decide {question.question_id} ({question.key}): {escape(question.text)}")
    for line in result.missing_clock:
        console.print(f"No time given for the clock of {line}")
    if result.stale_rules:
        console.print(f"Stale rules (reviewed > 180 days ago): {', '.join(result.stale_rules)}")
    console.print("This plan supports legal counsel; it does not replace it.")


# Options several notify commands share, declared once so their help stays the same.
RulesOption = Annotated[
    Path | None, typer.Option(help="A folder of rule files instead of the shipped ones.")
]
AsOfOption = Annotated[
    str | None, typer.Option(help="Plan as of this day, YYYY-MM-DD (default: today, UTC).")
]


@notify_app.command("plan")
def plan_command(
    facts_file: Annotated[
        Path, typer.Argument(help="The breach's facts as JSON (docs/notifications.md).")
    ],
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    now: Annotated[
        str | None,
        typer.Option(help="The time countdowns run from, ISO 8601 with offset (default: now)."),
    ] = None,
    json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Every obligation the facts trigger, soonest first, with the questions left to decide."""
    with exit_codes(interrupted=_INTERRUPTED):
        moment = _moment(now, "--now")
        day = _day(as_of) if as_of else moment.date()
        result = plan(_facts(facts_file), _rules(rules), as_of=day)
        if json:
            sys.stdout.write(result.model_dump_json(indent=2) + "\n")
        else:
            _print(result, moment)


@notify_app.command("rules")
def rules_command(
    rules: RulesOption = None,
) -> None:
    """List the rules with their confidence and review date."""
    with exit_codes(interrupted=_INTERRUPTED):
        table = Table(title="Notification rules", title_justify="left")
        for column in ("Id", "Title", "Confidence", "Reviewed", "Obligations"):
            table.add_column(column)
        for rule in _rules(rules):
            table.add_row(
                rule.rule.id,
                escape(rule.rule.title),
                rule.rule.confidence,
                str(rule.rule.last_reviewed),
                str(len(rule.obligations)),
            )
        console.print(table)


def _moment(text: str | None, option: str) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{option} {text!r} is not ISO 8601, e.g. 2026-06-01T16:00:00+00:00"
        ) from None
    if value.tzinfo is None:
        raise ConfigurationError(f"{option} needs an offset, e.g. 2026-06-01T16:00:00+00:00")
    return value


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--as-of {text!r} is not a date, e.g. 2026-06-01") from None


# The assessment, explanation, decision and register commands of this group.
from magento_ir.cli import notify_assess as _notify_assess  # noqa: E402, F401

# The drafts, approvals and contacts commands of this group.
from magento_ir.cli import notify_drafts as _notify_drafts  # noqa: E402, F401
