"""`magento-ir contain | verify | rollback | status`: an incident, journaled step by step."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from magento_ir._exceptions import ConfigurationError, NotFoundError
from magento_ir.cli._config import ExitCode, StoreSettings
from magento_ir.cli._errors import errors, exit_codes, fail
from magento_ir.cli._output import (
    JsonOption,
    Output,
    OutputFormat,
    OutputOption,
    check_line,
    confirm,
    console,
    exit_for,
    plan_table,
    step_json,
    summary_table,
)
from magento_ir.cli._paths import readable_file
from magento_ir.cli._progress import bars, journal_line
from magento_ir.cli._store import (
    DEFAULT_JOURNAL,
    JournalOption,
    KeyOption,
    YesOption,
    client_for,
    existing_key,
    global_options,
    open_incident,
    settings,
    store,
)
from magento_ir.cli.playbooks import key_values, load

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.cli._app import GlobalOptions
    from magento_ir.containment.incident import Incident, StepReport
    from magento_ir.containment.journal import Journal

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    for command in (contain, verify, rollback, status):
        app.command()(command)


def contain(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    playbook: Annotated[
        str | None, typer.Argument(help="A shipped playbook's name or a playbook .toml file.")
    ] = None,
    action: Annotated[
        list[str] | None,
        typer.Option(
            "--action",
            "-a",
            help="A single action instead of a playbook: 'kind key=value ...', e.g. "
            "'maintenance mode=storefront' or 'disable_cms_blocks ids=[3]'. Repeatable.",
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", help="Playbook input name=value (TOML value). Repeatable."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; change nothing in the store.")
    ] = False,
    yes: YesOption = False,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    title: Annotated[str | None, typer.Option(help="Incident title (new journals).")] = None,
    incident_id: Annotated[str | None, typer.Option(help="Incident id (new journals).")] = None,
    retry_failed: Annotated[
        bool,
        typer.Option(
            "--retry-failed",
            help="Re-apply steps the journal records as failed or verification_failed "
            "(otherwise a rerun reports them so again).",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Contain a breach with a playbook or single actions; every step is journaled."""
    out = Output(output, json_output)
    with exit_codes(interrupted=_interrupted(journal, "resume")):
        book = load(playbook, action or [], title)
        given = key_values(inputs or [], "--input")
        actions = book.actions(given)
        with open_incident(
            ctx, journal, key, title=title or book.title, incident_id=incident_id
        ) as incident:
            plan = incident.plan(actions)
            out.table(plan_table(plan))
            if dry_run:
                out.note("Dry run: nothing was changed in the store.")
                code = exit_for(list(plan.steps))
                out.document(_run_json(incident, journal, list(plan.steps), [], code))
                raise typer.Exit(int(code))
            confirm(f"Apply these {len(actions)} steps to {incident.store.base_url}?", yes)
            with bars(out, global_options(ctx)) as shown:
                shown.steps(len(actions), "containing")
                incident.on_entities = shown.entities
                steps = list(
                    incident.run(actions, retry_failed=retry_failed, progress=shown.told).steps
                )
            out.table(summary_table(f"Incident {incident.id}: {incident.title}", steps))
            out.note(journal_line(journal, global_options(ctx), *_key_flag(key)))
            code = exit_for(steps)
            out.document(_run_json(incident, journal, list(plan.steps), steps, code))
            raise typer.Exit(int(code))


def _interrupted(journal: Path, carry_on: str) -> Callable[[], str]:
    """What Ctrl-C left: the journal is written record by record, so it holds every step so far."""

    def message() -> str:
        if not journal.exists():
            # It is created once the store has answered, before anything is written there.
            return "Interrupted before the journal was created: nothing was changed."
        status = shlex.join(["magento-ir", "status", "--journal", str(journal)])
        return (
            f"Interrupted: the journal {journal} holds every step up to here. Run the same "
            f"command again to {carry_on}; `{status}` shows where it stopped."
        )

    return message


def _key_flag(key: Path | None) -> list[str]:
    """`--key FILE` for the verify command when the journal's key is not the default one."""
    return [] if key is None else ["--key", str(Path(key).resolve())]


def _run_json(
    incident: Incident,
    journal: Path,
    plan: list[StepReport],
    steps: list[StepReport],
    code: ExitCode,
) -> dict[str, Any]:
    """`contain`, `verify` and `rollback --json`: one document (docs/schemas/run.json)."""
    return {
        "incident": {
            "id": incident.id,
            "title": incident.title,
            "store": incident.store.base_url,
        },
        "journal": str(journal),
        "plan": [step_json(step) for step in plan],
        "steps": [step_json(step) for step in steps],
        "ok": code is ExitCode.OK,
        "exit_code": int(code),
    }


def verify(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    module_log: Annotated[
        bool,
        typer.Option(
            "--module-log",
            help="Instead: check that the module's action log still holds every head the "
            "journal anchored (read-only; exit 1 when it was rewritten).",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Check every applied step again from the outside; writes nothing (not even the journal)."""
    out = Output(output, json_output)
    if module_log:
        _verify_module_log(ctx, journal)
    with (
        exit_codes(interrupted="Interrupted. Nothing was written."),
        open_incident(ctx, journal, key, must_exist=True, read_only=True) as incident,
    ):
        _journal_warnings(incident.journal)
        with bars(out, global_options(ctx)) as shown:
            shown.steps(sum(1 for state in incident.status() if state.applied), "verifying")
            report = incident.verify(progress=shown.told)
        out.table(summary_table(f"Verification of {incident.id}", list(report.steps)))
        for state in incident.status():
            if state.in_flight or state.rollback_in_flight:
                out.note(
                    f"Not verified: step {state.step} ({state.action}) was "
                    f"{_IN_FLIGHT[state.status]}."
                )
        code = exit_for(list(report.steps))
        out.document(_run_json(incident, journal, [], list(report.steps), code))
        raise typer.Exit(int(code))


def _verify_module_log(ctx: typer.Context, journal: Path) -> None:
    """`verify --module-log`: the journal's anchors against the store's action log, no writes."""
    import asyncio  # noqa: PLC0415

    from magento_ir.containment.module_log import averify_module_log  # noqa: PLC0415
    from magento_ir.evidence import read_records  # noqa: PLC0415

    with exit_codes(interrupted="Interrupted: nothing was written."):
        if not journal.exists():
            raise ConfigurationError(
                f"no incident journal at {journal}: pass --journal with the file `contain` wrote"
            )
        readable_file(journal, "--journal")
        records = [(record.type, record.payload) for record in read_records(journal)]
        connection = store(ctx)
        opened = next((p for t, p in records if t == "incident.opened"), None)
        if opened is not None and opened.get("store") != connection.store_url:
            raise ConfigurationError(
                f"{journal} is the journal of incident {opened.get('id')} on "
                f"{opened.get('store')}, not {connection.store_url}: check it against that store"
            )

        async def check() -> Any:  # noqa: ANN401 - ModuleLogReport, imported lazily
            async with connection.open_client() as client:
                return await averify_module_log(client, records)

        report = asyncio.run(check())
        for problem in report.problems:
            console.print(f"[red]REWRITTEN[/red] {problem}", highlight=False, soft_wrap=True)
        for reason in dict.fromkeys(report.missed):
            console.print(f"not anchored: {reason}", highlight=False, soft_wrap=True)
        if report.ok:
            console.print(f"OK: {report.summary()}", highlight=False, soft_wrap=True)
            console.print(
                "The anchors are only as good as the journal: check it with "
                "`magento-ir evidence verify --verifier KEY.pub`.",
                highlight=False,
            )
            raise typer.Exit(int(ExitCode.OK))
        fail(ExitCode.VERIFICATION_FAILED, report.summary())


def rollback(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    step: Annotated[
        list[str] | None, typer.Option(help="Only this step id (see `status`). Repeatable.")
    ] = None,
    yes: YesOption = False,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Roll back even where the store shows a later change by another incident "
            "that this rollback would undo.",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Undo applied steps, newest first (all, or the --step ids given)."""
    out = Output(output, json_output)
    with (
        exit_codes(interrupted=_interrupted(journal, "finish the rollback")),
        open_incident(ctx, journal, key, must_exist=True) as incident,
    ):
        applied = [state for state in incident.status() if state.applied]
        if step:
            unknown = sorted(set(step) - {state.step for state in incident.status()})
            if unknown:
                raise ConfigurationError(
                    f"no step {', '.join(unknown)} in {journal}: `magento-ir status` lists them"
                )
            applied = [state for state in applied if state.step in step]
        if not applied:
            out.note("Nothing to roll back: no applied step in the journal.")
            out.document(_run_json(incident, journal, [], [], ExitCode.OK))
            raise typer.Exit(int(ExitCode.OK))
        # What will be undone, and what comes back with it, is shown even with --yes.
        out.note("Rolling back, newest first:")
        for state in reversed(applied):
            out.note(f"  {_undo_line(state)}")
        confirm(f"Roll back these {len(applied)} steps on {incident.store.base_url}?", yes)
        with bars(out, global_options(ctx)) as shown:
            shown.steps(len(applied), "rolling back")
            incident.on_entities = shown.entities
            report = incident.rollback(step, force=force, progress=shown.told)
        out.table(summary_table(f"Rollback of {incident.id}", list(report.steps)))
        out.note(journal_line(journal, global_options(ctx), *_key_flag(key)))
        code = exit_for(list(report.steps))
        out.document(_run_json(incident, journal, [], list(report.steps), code))
        raise typer.Exit(int(code))


def _undo_line(state: Any) -> str:  # noqa: ANN401 - StepState, imported lazily
    """One step in the rollback question, saying what cannot be undone and what comes back."""
    from magento_ir.containment.actions import ACTIONS  # noqa: PLC0415

    line = f"{state.action} ({state.step})"
    kind = ACTIONS.get(state.action)
    if kind is not None and kind.irreversible is not None:
        return f"{line} [not reversible: {kind.irreversible}]"
    note = None
    if kind is not None and state.outcome is not None:
        note = kind(**state.params).rollback_note(state.outcome)
    return f"{line} [{note}]" if note else line


def status(
    ctx: typer.Context,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """What is contained right now: the journal's steps and the module's live state.

    Read-only: the journal is checked and shown, never appended to, repaired or signed.
    """
    out = Output(output, json_output)
    document: dict[str, Any] = {"journal": None, "store": None}
    with exit_codes(interrupted="Interrupted. Nothing was written."):
        resolved = settings(ctx)
        shown = False
        if journal.exists():
            readable_file(journal, "--journal")
            # The journal alone answers this part: no store connection needed.
            from magento_ir.containment.journal import Journal  # noqa: PLC0415

            signing_key = existing_key(key)
            book = Journal.read(
                journal, verifier=signing_key.verifier() if signing_key is not None else None
            )
            _same_store(book, journal, resolved)
            document["journal"] = _journal_status(book, journal, out)
            _journal_warnings(book)
            shown = True
        if resolved.base_url:
            document["store"] = _store_status(resolved, global_options(ctx), out)
            shown = True
        if not shown:
            raise ConfigurationError(
                f"nothing to show: no journal at {journal} and no store given (--base-url, "
                "MAGENTO_IR_BASE_URL or a profile)"
            )
        out.document(document)


def _same_store(book: Journal, path: Path, settings: StoreSettings) -> None:
    """Refuse to show one store's journal beside another store's live state."""
    from magento_ir._core.urls import parse_base_url  # noqa: PLC0415

    opened = book.opened() or {}
    if not settings.base_url or "store" not in opened:
        return
    url = parse_base_url(settings.base_url, None)
    live = f"{url.origin}{url.root}"
    if opened["store"] != live:
        raise ConfigurationError(
            f"{path} is the journal of incident {opened.get('id')} on {opened['store']}, but "
            f"the store given is {live}: showing them side by side would mix two stores. Pass "
            f"--base-url {opened['store']} (or another --journal)"
        )


def _journal_warnings(journal: Journal) -> None:
    """What a read-only view of the journal could not vouch for, on stderr."""
    report = journal.report
    if report is None:
        return
    if report.checkpoints_found and not report.signatures_checked:
        errors.print(
            "Note: journal checkpoint signatures not checked (no journal key here; give --key).",
            highlight=False,
        )
    if report.covered < report.records:
        errors.print(
            f"Note: {report.records - report.covered} journal records (from record "
            f"{report.covered}) follow the last signed checkpoint, as a crash leaves them; the "
            "next contain or rollback signs them.",
            highlight=False,
        )


def _journal_status(journal: Journal, path: Path, out: Output) -> dict[str, Any]:
    opened = journal.opened() or {}
    title = f"Incident {opened.get('id', '?')}: {opened.get('title', '')} ({opened.get('store')})"
    table = Table(title=escape(title), title_justify="left")
    for column in ("Step", "Action", "Status", "Parameters", "Why"):
        table.add_column(column)
    steps = []
    for state in journal.steps().values():
        params = ", ".join(f"{name}={value}" for name, value in state.params.items())
        why = _why(state)
        table.add_row(state.step, state.action, state.status, escape(params), why)
        steps.append(
            {
                "step": state.step,
                "action": state.action,
                "status": state.status,
                "params": state.params,
                "why": Text.from_markup(why).plain,
            }
        )
    out.table(table)
    return {
        "path": str(path),
        "incident": {
            "id": opened.get("id"),
            "title": opened.get("title"),
            "store": opened.get("store"),
        },
        "steps": steps,
    }


# A step a run was stopped in the middle of (Ctrl-C, a crash): what it is, and how to finish it.
_IN_FLIGHT = {
    "in_flight": "interrupted while being applied, possibly in part: run the same contain again "
    "with this journal to complete it",
    "rollback_in_flight": "interrupted while being rolled back, possibly in part: run the same "
    "rollback again with this journal to complete it",
}


def _why(state: Any) -> str:  # noqa: ANN401 - StepState, imported lazily
    """Why a journaled step is not simply done: blocked, failed, or a check that did not hold."""
    if state.blocked or state.error:
        return escape(state.blocked or state.error)
    if state.in_flight or state.rollback_in_flight:
        return _IN_FLIGHT[state.status]
    if state.outcome is not None and state.outcome.failed:
        return escape(state.outcome.reasons())
    if state.verification is not None:
        return "; ".join(
            check_line(check) for check in state.verification.checks if not check.passed
        )
    return ""


def _store_status(settings: StoreSettings, options: GlobalOptions, out: Output) -> dict[str, Any]:
    with client_for(settings, options) as client:
        try:
            capabilities = client.incident_response.capabilities()
        except NotFoundError:
            out.note(
                "The companion module is not installed: core REST cannot report what is "
                "contained (maintenance, sessions, payments); only the journal can."
            )
            return {"url": settings.base_url, "module": None}
        maintenance = client.incident_response.maintenance()
        quarantined = client.incident_response.quarantined_products()
    table = Table(title=f"Store {settings.base_url}", title_justify="left", show_header=False)
    table.add_row(
        "module", f"{capabilities.module_version} on Magento {capabilities.magento_version}"
    )
    table.add_row(
        "maintenance",
        f"{maintenance.mode}"
        + (
            f" (allowed IPs: {', '.join(maintenance.allowed_ips)})"
            if maintenance.allowed_ips
            else ""
        ),
    )
    table.add_row("quarantined products", str(quarantined.total_count))
    out.table(table)
    return {
        "url": settings.base_url,
        "module": {
            "version": capabilities.module_version,
            "magento_version": capabilities.magento_version,
            "maintenance": {
                "mode": maintenance.mode,
                "allowed_ips": list(maintenance.allowed_ips),
            },
            "quarantined_products": quarantined.total_count,
        },
    }
