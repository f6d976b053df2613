"""`magento-ir drill`: stage a breach on the sandbox (or a real test store), contain it, report."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes, fail
from magento_ir.cli._output import (
    JsonOption,
    Output,
    OutputFormat,
    OutputOption,
    check_line,
    mark,
)
from magento_ir.cli._paths import writable_dir
from magento_ir.cli._progress import bars
from magento_ir.cli._store import global_options, settings

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from magento_ir.drill import DrillReport, ReportFiles, Section

__all__ = ["register"]

# Ctrl-C outside the drill proper (DrillInterrupted says what a drill's own left behind).
_INTERRUPTED = (
    "Drill interrupted before it staged anything, or after its report was written: "
    "nothing it staged is left on any store."
)


def register(app: typer.Typer) -> None:
    app.command()(drill)


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
        Path,
        typer.Option(help="Where the report (drill-report.md, .html, .json) and its journal go."),
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
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Stage a breach on a sandbox (or, with --store, a real test store), contain it, report.

    Scenarios: magecart, compromised_admin, customer_data_exfiltration, card_testing,
    hr_data_breach, hr_portal_exfiltration, credential_stuffing, malicious_integration,
    ransomware_admin (on a real store: magecart).
    """
    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        # Before the breach is staged: a drill is minutes of work to lose at the very end.
        writable_dir(report_dir, "--report-dir")
    if store is not None:
        _store_drill(
            ctx,
            out,
            store,
            scenario,
            report_dir,
            with_module=with_module,
            confirmed=i_know_this_is_a_test_store,
        )
        return
    with exit_codes(interrupted=_INTERRUPTED):
        try:
            from magento_ir.drill import DrillInterrupted, DrillOptions, run_drill  # noqa: PLC0415
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
        try:
            with _spinner(ctx, out) as show:
                report = run_drill(options, show)
        except SandboxConfigError as error:
            raise ConfigurationError(str(error)) from None
        except DrillInterrupted as interrupted:
            fail(ExitCode.INTERRUPTED, str(interrupted))
        _report(out, report, report.write(report_dir))
        raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CONTAINMENT_FAILED))


@contextmanager
def _spinner(ctx: typer.Context, out: Output) -> Iterator[Callable[[str], None]]:
    """The drill's progress on stderr (see `_progress`): what it is doing beside a spinner, and
    each containment step's entities as they are written. Yields the function that sets the
    message."""
    from magento_ir.containment.incident import reporting_entities  # noqa: PLC0415

    with bars(out, global_options(ctx)) as shown, reporting_entities(shown.entities):
        shown.steps(None, "drill")
        yield shown.step


def _store_drill(
    ctx: typer.Context,
    out: Output,
    url: str,
    scenario: str,
    report_dir: Path,
    *,
    with_module: bool,
    confirmed: bool,
) -> None:
    with exit_codes(interrupted=_INTERRUPTED):
        from magento_ir.containment._context import StoreConnection  # noqa: PLC0415
        from magento_ir.drill import (  # noqa: PLC0415
            DrillInterrupted,
            StoreDrillOptions,
            run_store_drill,
        )

        resolved = settings(ctx)
        network = global_options(ctx)
        store = StoreConnection(
            base_url=url,
            auth=resolved.auth(),
            storefront_url=resolved.storefront_url,
            use_module=with_module,
            timeout=network.timeout,
            allow_insecure_http=network.allow_insecure_http,
        )
        # The drill counts requests through a transport of its own: check the URL here.
        store.check_plaintext_credentials()
        options = StoreDrillOptions(
            store=store,
            attacker=resolved.canary_admin_credentials(),
            scenario=scenario,
            i_know_this_is_a_test_store=confirmed,
            report_dir=report_dir,
        )
        try:
            with _spinner(ctx, out) as show:
                report = run_store_drill(options, show)
        except DrillInterrupted as interrupted:
            fail(ExitCode.INTERRUPTED, str(interrupted))
        _report(out, report, report.write(report_dir))
        raise typer.Exit(int(ExitCode.OK if report.ok else ExitCode.CONTAINMENT_FAILED))


def _report(out: Output, report: DrillReport, files: ReportFiles) -> None:
    """The drill's tables (or one JSON document: the report, where it was written, the code)."""
    _print_drill(out, report)
    out.note(f"Report: {files.markdown}, {files.html} and {files.json}")
    out.note(
        f"Journal: {files.journal[0]}; verify it in {files.json.parent} with: "
        f"{report.verify_command}"
    )
    code = ExitCode.OK if report.ok else ExitCode.CONTAINMENT_FAILED
    out.document(
        {
            "report": report.to_json(),
            "files": {
                "json": str(files.json),
                "markdown": str(files.markdown),
                "html": str(files.html),
                "journal": [str(path) for path in files.journal],
            },
            "ok": report.ok,
            "exit_code": int(code),
        }
    )


def _print_drill(out: Output, report: DrillReport) -> None:
    verdict = "PASSED" if report.ok else "FAILED"
    out.note(f"magento-ir drill: {report.scenario} {verdict}")
    staged = Table(title="Staged breach", title_justify="left")
    for column in ("What", "How", "Count"):
        staged.add_column(column)
    for item in report.staged:
        staged.add_row(item.what, item.how, str(item.count))
    out.table(staged)
    out.table(_actions_table(report))
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
        out.table(rolled)
    after = Table(title="Afterwards", title_justify="left")
    for column in ("Check", "Result", "How"):
        after.add_column(column)
    for check in (*report.outside_checks, *report.state_checks):
        after.add_row(check.name, mark(check.passed), check.detail)
    out.table(after)
    for section in report.sections:
        _print_section(out, section)


def _plain(parts: tuple[object, ...]) -> str:
    # Inline parts are text or Code/Strong wrappers holding it.
    return "".join(str(getattr(part, "text", part)) for part in parts)


def _print_section(out: Output, section: Section) -> None:
    """An added section (e.g. the notification obligations) after the built-in tables."""
    from magento_ir.drill import Command, Items, Text  # noqa: PLC0415 - the sandbox extra
    from magento_ir.drill import Table as DrillTable  # noqa: PLC0415

    out.note(section.title)
    for block in section.blocks:
        if isinstance(block, DrillTable):
            table = Table()
            for header in block.headers:
                table.add_column(header)
            for row in block.rows:
                table.add_row(*(escape(cell) for cell in row))
            out.table(table)
        elif isinstance(block, Items):
            for item in block.items:
                out.note(f"- {_plain(item)}")
        elif isinstance(block, Text):
            out.note(_plain(block.parts))
        elif isinstance(block, Command):
            out.note(f"    {block.text}")


def _actions_table(report: DrillReport) -> Table:
    """Each containment action: its cost, its entities, and every check with why it failed."""
    actions = Table(title="Containment", title_justify="left")
    for column in ("Action", "Path", "Time (s)", "Requests", "ok/failed/skipped", "Verified by"):
        actions.add_column(column)
    for action in report.actions:
        checks = "\n".join(check_line(check) for check in action.checks)
        if action.error:
            checks = "\n".join(filter(None, (checks, escape(action.error))))
        actions.add_row(
            action.action,
            action.path,
            f"{action.seconds:.3f}",
            str(action.requests),
            f"{action.entities_ok}/{action.entities_failed}/{action.entities_skipped}",
            checks or "-",
        )
    actions.add_row(
        "[bold]total[/bold]", "", f"[bold]{report.contain_seconds:.3f}[/bold]",
        f"[bold]{report.contain_requests}[/bold]", "", "",
    )  # fmt: skip
    return actions
