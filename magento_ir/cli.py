"""`magento-ir`: contain, verify, roll back and inspect a breach; drill against the sandbox.

Needs the `cli` extra (typer, rich); the drill and `sandbox` commands need the `sandbox` extra
too. Exit codes are `ExitCode` (docs/cli.md). Secrets are never printed: errors show the
exception's message, which the SDK keeps free of credentials.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from magento_ir._cli_config import (
    ENV_PREFIX,
    ExitCode,
    StoreSettings,
    default_profiles_path,
    resolve_settings,
)
from magento_ir._exceptions import (
    ConfigurationError,
    MagentoIRError,
    NotFoundError,
)
from magento_ir._logging import enable_logging
from magento_ir._version import __version__

try:
    import typer
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table
except ImportError as missing:  # pragma: no cover - only without the `cli` extra
    sys.stderr.write(
        f"magento-ir needs the cli extra ({missing.name} is missing): "
        'pip install "magento-ir[cli]"\n'
    )
    raise SystemExit(int(ExitCode.USAGE)) from None

from magento_ir._cli_errors import errors, exit_codes, fail

# What Ctrl-C leaves behind: the journal is fsynced record by record, so a rerun resumes.
_RESUME_HINT = "Interrupted. Run the same command again: the journal resumes where it stopped."

if TYPE_CHECKING:
    from magento_ir.containment.incident import Incident, RunReport, StepReport
    from magento_ir.containment.journal import Journal
    from magento_ir.containment.playbooks import Playbook
    from magento_ir.drill import DrillReport

__all__ = ["ExitCode", "app", "main"]

app = typer.Typer(
    name="magento-ir",
    help="Incident response for Magento 2 / Adobe Commerce: contain, verify, roll back, drill.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()

_JOURNAL = Path("incident-journal.log")
_KEY_NAME = "magento-ir-journal"


class _Settings:
    """What the top-level options gave; resolved against env and profile on first use."""

    def __init__(
        self,
        flags: StoreSettings,
        profile: str | None,
        profiles_file: Path | None,
        *,
        timeout: float = 30.0,
        allow_insecure_http: bool = False,
    ) -> None:
        self.flags = flags
        self.profile = profile
        self.profiles_file = profiles_file
        self.timeout = timeout
        self.allow_insecure_http = allow_insecure_http

    def resolve(self) -> StoreSettings:
        return resolve_settings(
            self.flags, os.environ, profile=self.profile, profiles_path=self.profiles_file
        )


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time (it is swapped under test runners)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def _version(value: bool) -> None:
    if value:
        console.print(f"magento-ir {__version__}")
        raise typer.Exit


@app.callback()
def main_options(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(help="Store URL, e.g. https://shop.example.com (env MAGENTO_IR_BASE_URL)."),
    ] = None,
    username: Annotated[
        str | None, typer.Option(help="Admin user name (env MAGENTO_IR_USERNAME).")
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            help="Admin password; prefer MAGENTO_IR_PASSWORD or a profile.", show_default=False
        ),
    ] = None,
    totp_secret: Annotated[
        str | None,
        typer.Option(help="2FA base32 secret (env MAGENTO_IR_TOTP_SECRET).", show_default=False),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            help="Admin or integration bearer token (env MAGENTO_IR_TOKEN).", show_default=False
        ),
    ] = None,
    consumer_key: Annotated[
        str | None, typer.Option(help="Integration consumer key (env MAGENTO_IR_CONSUMER_KEY).")
    ] = None,
    storefront_url: Annotated[
        str | None, typer.Option(help="Storefront URL when it differs from the API's.")
    ] = None,
    canary_email: Annotated[
        str | None,
        typer.Option(
            help="Canary customer proving sessions end (password: MAGENTO_IR_CANARY_PASSWORD)."
        ),
    ] = None,
    canary_admin: Annotated[
        str | None,
        typer.Option(
            help="Canary admin user proving admin sessions end "
            "(password: MAGENTO_IR_CANARY_ADMIN_PASSWORD)."
        ),
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Profile name in the profiles file (env MAGENTO_IR_PROFILE).")
    ] = None,
    profiles_file: Annotated[
        Path | None,
        typer.Option(help="Profiles file (default ~/.config/magento-ir/profiles.toml)."),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            min=0.1,
            envvar="MAGENTO_IR_TIMEOUT",
            help="Seconds each HTTP request may take in all, connect to last byte "
            "(env MAGENTO_IR_TIMEOUT).",
        ),
    ] = 30.0,
    insecure_http: Annotated[
        bool,
        typer.Option(
            "--insecure-http",
            help="Allow credentials over plain http:// to a host other than this machine "
            "(test stores only: anyone on the network path can read them).",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every request (never secrets).")
    ] = False,
    version: Annotated[  # noqa: ARG001 - handled by the eager callback
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Store and credentials: flags > MAGENTO_IR_* environment variables > profile file."""
    if verbose:
        handler = (
            next(
                (
                    item
                    for item in logging.getLogger("magento_ir").handlers
                    if isinstance(item, _StderrHandler)
                ),
                None,
            )
            or _StderrHandler()
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        enable_logging(handler)
    flags = StoreSettings(
        base_url=base_url,
        username=username,
        password=password,
        totp_secret=totp_secret,
        token=token,
        consumer_key=consumer_key,
        storefront_url=storefront_url,
        canary_email=canary_email,
        canary_admin=canary_admin,
    )
    ctx.obj = _Settings(
        flags, profile, profiles_file, timeout=timeout, allow_insecure_http=insecure_http
    )


def _settings(ctx: typer.Context) -> StoreSettings:
    settings: _Settings = ctx.find_root().obj
    return settings.resolve()


def _store(ctx: typer.Context) -> Any:  # noqa: ANN401 - StoreConnection, imported lazily
    from magento_ir.containment._context import StoreConnection  # noqa: PLC0415

    settings = _settings(ctx)
    options: _Settings = ctx.find_root().obj
    connection = StoreConnection(
        base_url=settings.require_base_url(),
        auth=settings.auth(),
        storefront_url=settings.storefront_url,
        canary_customer=settings.canary(),
        canary_admin=settings.canary_admin_credentials(),
        timeout=options.timeout,
        allow_insecure_http=options.allow_insecure_http,
    )
    # Before any journal is written: a refused connection must leave nothing behind.
    connection.check_plaintext_credentials()
    return connection


def _signing_key(path: Path | None) -> Any:  # noqa: ANN401 - SigningKey, imported lazily
    from magento_ir.evidence import SigningKey  # noqa: PLC0415

    key_path = path or default_profiles_path(os.environ).with_name("journal.key")
    if path is None and not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = SigningKey.generate(_KEY_NAME)
        key.save(key_path)
        errors.print(f"Created the journal signing key {key_path} (mode 0600). Keep it safe.")
        return key
    try:
        return SigningKey.load(key_path, _KEY_NAME)
    except MagentoIRError as error:
        raise ConfigurationError(str(error)) from None


def _existing_key(path: Path | None) -> Any:  # noqa: ANN401 - SigningKey | None, lazily
    """The journal key for a read-only command: loaded if it exists, never created."""
    key_path = path or default_profiles_path(os.environ).with_name("journal.key")
    if path is None and not key_path.exists():
        return None
    return _signing_key(key_path)


def _open_incident(
    ctx: typer.Context,
    journal: Path,
    key: Path | None,
    *,
    title: str | None = None,
    incident_id: str | None = None,
    must_exist: bool = False,
    read_only: bool = False,
) -> Incident:
    from magento_ir.containment.incident import Incident  # noqa: PLC0415

    if must_exist and not journal.exists():
        raise ConfigurationError(
            f"no incident journal at {journal}: pass --journal with the file `contain` wrote"
        )
    store = _store(ctx)
    return Incident.open(
        journal,
        key=_existing_key(key) if read_only else _signing_key(key),
        store=store,
        title=title,
        incident_id=incident_id,
        read_only=read_only,
    )


def _toml_value(text: str) -> Any:  # noqa: ANN401 - whatever TOML the user wrote
    """`[1, 2]`, `3`, `true`, `"x"` as TOML; anything else is taken as a plain string.

    TOML dates stay text: Magento and the playbooks take times as "YYYY-MM-DD HH:MM:SS" strings.
    """
    try:
        value = tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text
    return value if isinstance(value, str | int | float | bool | list) else text


def _key_values(items: list[str], what: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep or not name.strip():
            raise ConfigurationError(
                f"{what} {item!r} is not name=value, e.g. skimmer_block_ids=[3,7] or "
                "mode=storefront"
            )
        values[name.strip()] = _toml_value(raw.strip())
    return values


def _single_actions_playbook(actions: list[str], title: str) -> Playbook:
    """`--action 'kind key=value ...'` flags as a one-off playbook (validated like a file)."""
    from magento_ir.containment.playbooks import Playbook  # noqa: PLC0415

    lines = ["[playbook]", 'name = "command_line"', f"title = {_quote(title)}", ""]
    for spec in actions:
        words = shlex.split(spec)
        if not words:
            raise ConfigurationError("--action needs an action name, e.g. --action maintenance")
        lines += ["[[steps]]", f"action = {_quote(words[0])}"]
        for name, value in _key_values(words[1:], "action parameter").items():
            lines.append(f"{name} = {_toml_literal(value)}")
        lines.append("")
    return Playbook.from_text("\n".join(lines), source="--action")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml_literal(value: Any) -> str:  # noqa: ANN401 - a TOML scalar or list
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_literal(item) for item in value) + "]"
    return _quote(str(value))


def _load(playbook: str | None, actions: list[str], title: str | None) -> Playbook:
    from magento_ir.containment.playbooks import load_playbook  # noqa: PLC0415

    if playbook is not None and actions:
        raise ConfigurationError("give a playbook or --action flags, not both")
    if playbook is not None:
        return load_playbook(playbook)
    if actions:
        return _single_actions_playbook(actions, title or "Containment from the command line")
    raise ConfigurationError(
        "nothing to contain: name a playbook (e.g. `magento-ir contain magecart`, see "
        "`magento-ir playbooks`) or give --action flags"
    )


def _confirm(question: str, yes: bool) -> None:
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


def _plan_table(report: RunReport) -> Table:
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


def _summary_table(title: str, steps: list[StepReport]) -> Table:
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
                    f"{escape(check.name)}: {_mark(check.passed)}"
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


def _exit_for(steps: list[StepReport]) -> ExitCode:
    """The exit code of a call's steps: `RunReport.ok` decides, so the two always agree."""
    from magento_ir.containment.incident import RunReport  # noqa: PLC0415

    if any(step.status == "blocked" for step in steps):
        return ExitCode.MODULE_REQUIRED
    return ExitCode.OK if RunReport("", tuple(steps)).ok else ExitCode.CONTAINMENT_FAILED


JournalOption = Annotated[
    Path,
    typer.Option(envvar=f"{ENV_PREFIX}JOURNAL", help="The incident's journal file."),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        envvar=f"{ENV_PREFIX}KEY_FILE",
        help="Ed25519 key signing the journal (default ~/.config/magento-ir/journal.key).",
    ),
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before writing.")]


@app.command()
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
    journal: JournalOption = _JOURNAL,
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
) -> None:
    """Contain a breach with a playbook or single actions; every step is journaled."""
    with exit_codes(interrupted=_RESUME_HINT):
        book = _load(playbook, action or [], title)
        given = _key_values(inputs or [], "--input")
        actions = book.actions(given)
        with _open_incident(
            ctx, journal, key, title=title or book.title, incident_id=incident_id
        ) as incident:
            plan = incident.plan(actions)
            console.print(_plan_table(plan))
            if dry_run:
                console.print("Dry run: nothing was changed in the store.")
                raise typer.Exit(int(_exit_for(list(plan.steps))))
            _confirm(f"Apply these {len(actions)} steps to {incident.store.base_url}?", yes)
            steps: list[StepReport] = []
            with Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            ) as progress:
                task = progress.add_task("containing", total=len(actions))
                for item in actions:
                    progress.update(task, description=f"{item.kind}")
                    steps.extend(incident.run([item], retry_failed=retry_failed).steps)
                    progress.advance(task)
            console.print(_summary_table(f"Incident {incident.id}: {incident.title}", steps))
            console.print(f"Journal: {journal}")
            raise typer.Exit(int(_exit_for(steps)))


@app.command()
def verify(
    ctx: typer.Context,
    journal: JournalOption = _JOURNAL,
    key: KeyOption = None,
    module_log: Annotated[
        bool,
        typer.Option(
            "--module-log",
            help="Instead: check that the module's action log still holds every head the "
            "journal anchored (read-only; exit 1 when it was rewritten).",
        ),
    ] = False,
) -> None:
    """Check every applied step again from the outside; writes nothing (not even the journal)."""
    if module_log:
        _verify_module_log(ctx, journal)
    with (
        exit_codes(interrupted="Interrupted. Nothing was written."),
        _open_incident(ctx, journal, key, must_exist=True, read_only=True) as incident,
    ):
        _journal_warnings(incident.journal)
        report = incident.verify()
        console.print(_summary_table(f"Verification of {incident.id}", list(report.steps)))
        raise typer.Exit(int(_exit_for(list(report.steps))))


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
        records = [(record.type, record.payload) for record in read_records(journal)]
        store = _store(ctx)
        opened = next((p for t, p in records if t == "incident.opened"), None)
        if opened is not None and opened.get("store") != store.store_url:
            raise ConfigurationError(
                f"{journal} is the journal of incident {opened.get('id')} on "
                f"{opened.get('store')}, not {store.store_url}: check it against that store"
            )

        async def check() -> Any:  # noqa: ANN401 - ModuleLogReport, imported lazily
            async with store.open_client() as client:
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


@app.command()
def rollback(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    step: Annotated[
        list[str] | None, typer.Option(help="Only this step id (see `status`). Repeatable.")
    ] = None,
    yes: YesOption = False,
    journal: JournalOption = _JOURNAL,
    key: KeyOption = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Roll back even where the store shows a later change by another incident "
            "that this rollback would undo.",
        ),
    ] = False,
) -> None:
    """Undo applied steps, newest first (all, or the --step ids given)."""
    with (
        exit_codes(interrupted=_RESUME_HINT),
        _open_incident(ctx, journal, key, must_exist=True) as incident,
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
            console.print("Nothing to roll back: no applied step in the journal.")
            raise typer.Exit(int(ExitCode.OK))
        # What will be undone, and what comes back with it, is shown even with --yes.
        console.print("Rolling back, newest first:", highlight=False)
        for state in reversed(applied):
            console.print(f"  {_undo_line(state)}", highlight=False, markup=False, soft_wrap=True)
        _confirm(f"Roll back these {len(applied)} steps on {incident.store.base_url}?", yes)
        report = incident.rollback(step, force=force)
        console.print(_summary_table(f"Rollback of {incident.id}", list(report.steps)))
        raise typer.Exit(int(_exit_for(list(report.steps))))


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


@app.command()
def status(
    ctx: typer.Context,
    journal: JournalOption = _JOURNAL,
    key: KeyOption = None,
) -> None:
    """What is contained right now: the journal's steps and the module's live state.

    Read-only: the journal is checked and shown, never appended to, repaired or signed.
    """
    with exit_codes(interrupted="Interrupted. Nothing was written."):
        settings = _settings(ctx)
        shown = False
        if journal.exists():
            # The journal alone answers this part: no store connection needed.
            from magento_ir.containment.journal import Journal  # noqa: PLC0415

            signing_key = _existing_key(key)
            book = Journal.read(
                journal, verifier=signing_key.verifier() if signing_key is not None else None
            )
            _same_store(book, journal, settings)
            _journal_status(book)
            _journal_warnings(book)
            shown = True
        if settings.base_url:
            _store_status(settings, ctx.find_root().obj)
            shown = True
        if not shown:
            raise ConfigurationError(
                f"nothing to show: no journal at {journal} and no store given (--base-url, "
                "MAGENTO_IR_BASE_URL or a profile)"
            )


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


def _journal_status(journal: Journal) -> None:
    opened = journal.opened() or {}
    title = f"Incident {opened.get('id', '?')}: {opened.get('title', '')} ({opened.get('store')})"
    table = Table(title=title, title_justify="left")
    for column in ("Step", "Action", "Status", "Parameters"):
        table.add_column(column)
    for state in journal.steps().values():
        params = ", ".join(f"{name}={value}" for name, value in state.params.items())
        table.add_row(state.step, state.action, state.status, params)
    console.print(table)


def _store_status(settings: StoreSettings, options: _Settings) -> None:
    from magento_ir._sync import MagentoClient  # noqa: PLC0415

    with MagentoClient(
        settings.require_base_url(),
        auth=settings.auth(),
        timeout=options.timeout,
        allow_insecure_http=options.allow_insecure_http,
    ) as client:
        try:
            capabilities = client.incident_response.capabilities()
        except NotFoundError:
            console.print(
                "The companion module is not installed: core REST cannot report what is "
                "contained (maintenance, sessions, payments); only the journal can."
            )
            return
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
    console.print(table)


@app.command()
def playbooks() -> None:
    """List the shipped playbooks."""
    from magento_ir.containment.playbooks import shipped_playbooks  # noqa: PLC0415

    table = Table(title="Shipped playbooks", title_justify="left")
    for column in ("Name", "Title", "Inputs"):
        table.add_column(column)
    for name, book in shipped_playbooks().items():
        table.add_row(name, book.title, ", ".join(item.name for item in book.inputs))
    console.print(table)


@app.command()
def drill(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    scenario: Annotated[
        str,
        typer.Option(help="Breach to stage (the scenarios are listed above)."),
    ] = "magecart",
    products: Annotated[int, typer.Option(help="Generated products.")] = 10_000,
    customers: Annotated[int, typer.Option(help="Generated customers.")] = 100_000,
    orders: Annotated[int, typer.Option(help="Generated orders.")] = 200,
    latency: Annotated[str, typer.Option(help="real, 0, or a factor.")] = "real",
    with_module: Annotated[
        bool,
        typer.Option("--with-module/--without-module", help="Companion module installed."),
    ] = True,
    report_dir: Annotated[
        Path, typer.Option(help="Where drill-report.md and drill-report.json go.")
    ] = Path(),
    faults: Annotated[
        bool,
        typer.Option(
            "--faults", help="While containing, fail 20% of reads (503) and cut off 5% of writes."
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the generated store and of the faults.")] = 0,
    store: Annotated[
        str | None,
        typer.Option(
            help="Drill on this real TEST store instead of the sandbox (credentials as for "
            "contain; --canary-admin: the admin whose sessions play the stolen ones)."
        ),
    ] = None,
    i_know_this_is_a_test_store: Annotated[
        bool,
        typer.Option(
            "--confirm-test-store",
            help="With --store: stage even without the store's test-store marker block "
            "(docs/drill.md). Never on production.",
        ),
    ] = False,
) -> None:
    """Stage a breach on a sandbox (or, with --store, a real test store), contain it, report.

    Scenarios: magecart, compromised_admin, customer_data_exfiltration, card_testing,
    hr_data_breach (on a real store: magecart).
    """
    if store is not None:
        _store_drill(
            ctx,
            store,
            scenario,
            report_dir,
            with_module=with_module,
            confirmed=i_know_this_is_a_test_store,
        )
        return
    with exit_codes(interrupted=_RESUME_HINT):
        try:
            from magento_ir.drill import DrillOptions, run_drill  # noqa: PLC0415
            from magento_ir.sandbox import SandboxConfigError  # noqa: PLC0415
        except ImportError as error:
            raise ConfigurationError(
                f"the drill needs the sandbox extra ({error.name} is missing): "
                'pip install "magento-ir[cli,sandbox]"'
            ) from None
        options = DrillOptions(
            scenario=scenario,
            products=products,
            customers=customers,
            orders=orders,
            latency=latency,
            with_module=with_module,
            report_dir=report_dir,
            faults=faults,
            seed=seed,
        )
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("starting", total=None)
            try:
                report = run_drill(
                    options, lambda message: progress.update(task, description=message)
                )
            except SandboxConfigError as error:
                raise ConfigurationError(str(error)) from None
        json_path, markdown_path = report.write(report_dir)
        _print_drill(report)
        console.print(f"Report: {markdown_path} and {json_path}")
        raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CONTAINMENT_FAILED))


def _store_drill(
    ctx: typer.Context,
    url: str,
    scenario: str,
    report_dir: Path,
    *,
    with_module: bool,
    confirmed: bool,
) -> None:
    with exit_codes(interrupted=_RESUME_HINT):
        from magento_ir.containment._context import StoreConnection  # noqa: PLC0415
        from magento_ir.drill import StoreDrillOptions, run_store_drill  # noqa: PLC0415

        settings = _settings(ctx)
        network: _Settings = ctx.find_root().obj
        store = StoreConnection(
            base_url=url,
            auth=settings.auth(),
            storefront_url=settings.storefront_url,
            use_module=with_module,
            timeout=network.timeout,
            allow_insecure_http=network.allow_insecure_http,
        )
        # The drill counts requests through a transport of its own: check the URL here.
        store.check_plaintext_credentials()
        options = StoreDrillOptions(
            store=store,
            attacker=settings.canary_admin_credentials(),
            scenario=scenario,
            i_know_this_is_a_test_store=confirmed,
            report_dir=report_dir,
        )
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=console, transient=True,
        ) as progress:  # fmt: skip
            task = progress.add_task("starting", total=None)
            report = run_store_drill(
                options, lambda message: progress.update(task, description=message)
            )
        json_path, markdown_path = report.write(report_dir)
        _print_drill(report)
        console.print(f"Report: {markdown_path} and {json_path}")
        raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CONTAINMENT_FAILED))


def _mark(passed: bool | None) -> str:
    return {True: "[green]held[/green]", False: "[red]FAILED[/red]", None: "not checked"}[passed]


def _print_drill(report: DrillReport) -> None:
    verdict = "[green]PASSED[/green]" if report.ok else "[red]FAILED[/red]"
    console.print(f"[bold]magento-ir drill: {report.scenario}[/bold] {verdict}")
    staged = Table(title="Staged breach", title_justify="left")
    for column in ("What", "How", "Count"):
        staged.add_column(column)
    for item in report.staged:
        staged.add_row(item.what, item.how, str(item.count))
    console.print(staged)
    actions = Table(title="Containment", title_justify="left")
    for column in ("Action", "Path", "Time (s)", "Requests", "ok/failed/skipped", "Verified by"):
        actions.add_column(column)
    for action in report.actions:
        checks = "\n".join(f"{check.name}: {_mark(check.passed)}" for check in action.checks)
        actions.add_row(
            action.action,
            action.path,
            f"{action.seconds:.3f}",
            str(action.requests),
            f"{action.entities_ok}/{action.entities_failed}/{action.entities_skipped}",
            checks or (action.error or "-"),
        )
    actions.add_row(
        "[bold]total[/bold]", "", f"[bold]{report.contain_seconds:.3f}[/bold]",
        f"[bold]{report.contain_requests}[/bold]", "", "",
    )  # fmt: skip
    console.print(actions)
    if report.rollbacks:
        rolled = Table(title="Rolled back", title_justify="left")
        for column in ("Action", "Done", "Time (s)", "Requests", "Detail"):
            rolled.add_column(column)
        for rolled_back in report.rollbacks:
            rolled.add_row(
                rolled_back.action,
                "yes" if rolled_back.ok else "[red]NO[/red]",
                f"{rolled_back.seconds:.3f}",
                str(rolled_back.requests),
                rolled_back.detail,
            )
        console.print(rolled)
    after = Table(title="Afterwards", title_justify="left")
    for column in ("Check", "Result", "How"):
        after.add_column(column)
    for check in (*report.outside_checks, *report.state_checks):
        after.add_row(check.name, _mark(check.passed), check.detail)
    console.print(after)


def _mount_evidence() -> None:
    # `magento-ir evidence capture | verify | export | ship`, by the evidence package.
    from magento_ir.evidence.cli import evidence_app  # noqa: PLC0415

    app.add_typer(evidence_app, name="evidence")


_mount_evidence()


def _mount_sandbox() -> None:
    try:
        from magento_ir.sandbox.cli import app as sandbox_app  # noqa: PLC0415
    except ImportError:
        return  # without the sandbox extra there is no `sandbox` command
    app.add_typer(sandbox_app, name="sandbox")


_mount_sandbox()


def main() -> None:
    """The `magento-ir` console script."""
    app()
