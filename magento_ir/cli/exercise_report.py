"""`magento-ir exercise lessons | followup | report | pack`: the after-action report of a run,
the facilitator's lessons and follow-up actions (records in the run's evidence log), and the
auditor's evidence pack (magento_ir.exercise.report, .pack)."""

from __future__ import annotations

import getpass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption, console
from magento_ir.cli._paths import writable_file
from magento_ir.cli._store import signing_key
from magento_ir.cli.exercise import KeyOption, exercise_app

if TYPE_CHECKING:
    from magento_ir.evidence import EvidenceLog
    from magento_ir.exercise import ExerciseRun
    from magento_ir.exercise.report import Format

__all__: list[str] = []

_INTERRUPTED = "Interrupted. Every record written so far is in the run's evidence log."
RunArgument = Annotated[
    Path,
    typer.Argument(
        help="The run's folder (exercises/RUN_ID), or its id under ./exercises.",
        metavar="RUN",
    ),
]
ByOption = Annotated[
    str | None,
    typer.Option("--by", help="Who records it (default: the OS user)."),
]


def _folder(run: Path) -> Path:
    """The run's folder: RUN itself, or exercises/RUN."""
    for candidate in (run, Path("exercises") / run):
        if (candidate / "run.json").is_file():
            return candidate
    raise ConfigurationError(
        f"{run}: no run.json there nor in exercises/{run}: give the run's folder "
        "(the one `magento-ir exercise run` printed)"
    )


def _load(run: Path) -> tuple[Path, ExerciseRun]:
    from magento_ir.exercise import load_run  # noqa: PLC0415

    folder = _folder(run)
    try:
        return folder, load_run(folder)
    except ValueError as error:
        raise ConfigurationError(f"{folder}/run.json is not a run record: {error}") from None


def _open_log(folder: Path, run: ExerciseRun, key: Path | None) -> EvidenceLog:
    from magento_ir.evidence import EvidenceLog, UncoveredLogError  # noqa: PLC0415

    name = run.files.get("evidence_log")
    if not name or not (folder / name).is_file():
        raise ConfigurationError(f"{folder}: the run has no evidence log to record into")
    try:
        return EvidenceLog.open(folder / name, key=signing_key(key), tool_args=["exercise"])
    except UncoveredLogError:
        raise ConfigurationError(
            f"{folder / name} was signed with another key: give the run's key with --key "
            f"(its verifier is {run.verifier_key})"
        ) from None


def _by(by: str | None) -> str:
    return by or getpass.getuser()


def _notes_of(folder: Path, run: ExerciseRun) -> Any:  # noqa: ANN401 - (lessons, followups)
    from magento_ir.evidence import read_records  # noqa: PLC0415
    from magento_ir.exercise.report import read_notes  # noqa: PLC0415

    return read_notes(read_records(folder / run.files.get("evidence_log", "exercise.evlog")))


def _lesson_json(item: Any) -> dict[str, Any]:  # noqa: ANN401
    return {"text": item.text, "by": item.by, "at": item.at, "seq": item.seq}


def _followup_json(item: Any) -> dict[str, Any]:  # noqa: ANN401
    return {
        "id": item.id, "action": item.action, "owner": item.owner,
        "due": item.due.isoformat(), "at": item.at, "seq": item.seq,
    }  # fmt: skip


@exercise_app.command("lessons")
def lessons_command(  # noqa: PLR0917 - one parameter per command-line option
    run: RunArgument,
    add: Annotated[
        list[str] | None,
        typer.Option("--add", help="A lesson learned to record (repeat for several)."),
    ] = None,
    by: ByOption = None,
    key: KeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """List the run's lessons learned; --add records one in its evidence log (signed with the
    run's key)."""
    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        folder, loaded = _load(run)
        if add:
            from magento_ir.exercise.report import add_lesson  # noqa: PLC0415

            with _open_log(folder, loaded, key) as log:
                for text in add:
                    add_lesson(log, loaded, text, by=_by(by))
        lessons, _ = _notes_of(folder, loaded)
        table = Table(title=f"Lessons learned: {loaded.run_id}", title_justify="left")
        for column in ("#", "Lesson", "By", "At"):
            table.add_column(column)
        for number, item in enumerate(lessons, 1):
            table.add_row(str(number), escape(item.text), escape(item.by), item.at)
        out.table(table)
        out.note("`magento-ir exercise report RUN` puts them in the after-action report.")
        out.document({"run_id": loaded.run_id, "lessons": [_lesson_json(i) for i in lessons]})


def _due(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(f"--due {text!r} is not a date, e.g. 2027-01-31") from None


@exercise_app.command("followup")
def followup_command(  # noqa: PLR0917 - one parameter per command-line option
    run: RunArgument,
    add: Annotated[
        str | None, typer.Option("--add", help="The follow-up action to record.")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Who owns the action (with --add).")
    ] = None,
    due: Annotated[
        str | None, typer.Option("--due", help="When it is due, YYYY-MM-DD (with --add).")
    ] = None,
    by: ByOption = None,
    key: KeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """List the run's follow-up actions; --add ACTION --owner NAME --due DATE records one."""
    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        folder, loaded = _load(run)
        if add is not None:
            if not owner or not due:
                raise ConfigurationError("--add needs --owner NAME and --due YYYY-MM-DD")
            from magento_ir.exercise.report import add_followup  # noqa: PLC0415

            with _open_log(folder, loaded, key) as log:
                add_followup(log, loaded, add, owner=owner, due=_due(due), by=_by(by))
        elif owner or due:
            raise ConfigurationError("--owner and --due go with --add ACTION")
        _, followups = _notes_of(folder, loaded)
        table = Table(title=f"Follow-up actions: {loaded.run_id}", title_justify="left")
        for column in ("Id", "Action", "Owner", "Due"):
            table.add_column(column)
        for item in followups:
            table.add_row(item.id, escape(item.action), escape(item.owner), item.due.isoformat())
        out.table(table)
        out.document({"run_id": loaded.run_id, "followups": [_followup_json(i) for i in followups]})


class ReportFormat(StrEnum):
    MD = "md"
    HTML = "html"
    PDF = "pdf"


@exercise_app.command("report")
def report_command(
    run: RunArgument,
    format_: Annotated[
        list[ReportFormat] | None,
        typer.Option("--format", help="md, html or pdf (repeat for several; default all three)."),
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Write the after-action report (and the timeline plot, PNG and SVG) into the run's
    folder, with the lessons and follow-ups recorded so far."""
    from magento_ir.exercise.report import write_report  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        folder, loaded = _load(run)
        chosen = [item.value for item in format_] if format_ else ["md", "html", "pdf"]
        formats = cast("tuple[Format, ...]", tuple(dict.fromkeys(chosen)))
        written = write_report(loaded, folder, formats)
        missing = [fmt for fmt in formats if f"report_{fmt}" not in written]
        for role, name in written.items():
            out.note(f"{role}: {folder / name}")
        if missing or "timeline_png" not in written:
            out.note('The plot and the PDF need the report extra: pip install "magento-ir[report]"')
        out.document(
            {
                "run_id": loaded.run_id,
                "folder": str(folder),
                "files": {role: str(folder / name) for role, name in written.items()},
                "missing": missing,
            }
        )


@exercise_app.command("pack")
def pack_command(
    run: RunArgument,
    out_file: Annotated[
        Path, typer.Option("--out", "-o", help="The zip to write (e.g. evidence-pack.zip).")
    ],
    key: KeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Export the auditor's evidence pack: reports, the signed evidence log and drill journal
    with checkpoints, the verifier keys and a README; the files' SHA-256 are recorded in the
    run's evidence log first (signed with --key, the run's key)."""
    from magento_ir.exercise.pack import record_manifest, write_pack  # noqa: PLC0415
    from magento_ir.exercise.report import write_report  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        folder, loaded = _load(run)
        writable_file(out_file, "--out")
        if out_file.resolve().is_relative_to(folder.resolve()) and out_file.suffix != ".zip":
            raise ConfigurationError("--out inside the run's folder must end in .zip")
        # The report first, so the pack holds the lessons and follow-ups recorded so far.
        write_report(loaded, folder)
        with _open_log(folder, loaded, key) as log:
            record_manifest(log, loaded, folder)
        pack = write_pack(loaded, folder, out_file, signed=True)
        out.note(f"Wrote {out_file} ({len(pack.files)} files under {pack.folder}/).")
        out.note(f"An auditor verifies it with: unzip {out_file.name} && cd {pack.folder} && \\")
        for command in pack.commands:
            out.note(f"  {command}")
        if not out.json:
            console.print(str(out_file), highlight=False, soft_wrap=True)
        out.document(
            {
                "run_id": loaded.run_id,
                "pack": str(out_file),
                "folder": pack.folder,
                "files": pack.files,
                "verify_commands": list(pack.commands),
            }
        )
