"""`magento-ir scan` and `magento-ir watch`: skimmer scan, admin anomalies, the watcher
(`scan-page`, the payment page in a browser, is in watch_page.py).

`scan` reads the store once and prints the findings (and, with `--playbook-inputs`, the
magecart playbook's inputs as `contain` takes them). `watch` runs passes on a schedule
(`--once` for one), opens incidents in its evidence log and keeps its state in `--state`;
`watch --status` prints that state for monitoring. docs/detection.md says what is detected.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError
from magento_ir.cli._config import ENV_PREFIX, ExitCode
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption
from magento_ir.cli._paths import readable_file, writable_file
from magento_ir.cli._store import KeyOption, signing_key, store
from magento_ir.cli.watch_page import scan_page_command

if TYPE_CHECKING:
    from magento_ir.detect import Finding
    from magento_ir.detect.watch import PassReport, WatchConfig

__all__ = ["register"]

_DEFAULT_STATE = Path("watch-state.json")
_DEFAULT_LOG = Path("watch-evidence.log")
_INTERRUPTED = "Interrupted. The watch state is saved after each pass: run the command again."
_SEVERITIES = ("low", "medium", "high")

AllowListOption = Annotated[
    Path | None,
    typer.Option(
        help="TOML allow-list of script hosts: \\[allow] hosts = [...] (the store's own host "
        "is always allowed).",
    ),
]
AllowHostOption = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-host",
        metavar="HOST",
        help="A host scripts may come from ('*.example.com' for subdomains). Repeatable.",
    ),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules",
        metavar="FILE",
        help="A TOML rule file of your own IOCs (regex rules, docs/detection.md), added to the "
        "shipped set. Repeatable.",
    ),
]
YaraOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--yara",
        metavar="FILE",
        help='A YARA rules file (needs pip install "magento-ir\\[yara]"). Repeatable.',
    ),
]
SeverityOption = Annotated[
    str | None,
    typer.Option(
        metavar="low|medium|high",
        help="Lowest severity that counts (scan: exit 1; watch: opens an incident). Default "
        "medium.",
    ),
]


def register(app: typer.Typer) -> None:
    app.command(name="scan")(scan_command)
    app.command(name="scan-page")(scan_page_command)
    app.command(name="watch")(watch_command)


def _config(  # noqa: PLR0917 - the options shared by scan and watch
    config_file: Path | None,
    allow_list: Path | None,
    allow_hosts: list[str] | None,
    rules: list[Path] | None,
    yara: list[Path] | None,
    min_severity: str | None,
    interval: float | None = None,
) -> WatchConfig:
    import dataclasses  # noqa: PLC0415

    from magento_ir.detect import AllowList, WatchConfig, load_allow_list  # noqa: PLC0415
    from magento_ir.detect.rules import load_rule_set  # noqa: PLC0415
    from magento_ir.detect.scan import load_yara  # noqa: PLC0415

    config = WatchConfig.from_toml(config_file) if config_file else WatchConfig()
    if min_severity is not None and min_severity not in _SEVERITIES:
        raise ConfigurationError(f"--min-severity {min_severity!r}: use low, medium or high")
    allow = load_allow_list(allow_list) if allow_list else AllowList()
    return dataclasses.replace(
        config,
        allow=AllowList((*config.allow.hosts, *allow.hosts, *(allow_hosts or ()))),
        rule_sets=(*config.rule_sets, *(load_rule_set(path) for path in rules or ())),
        yara=(*config.yara, *((load_yara(path), str(path)) for path in yara or ())),
        min_severity=min_severity or config.min_severity,  # type: ignore[arg-type]
        interval=interval if interval is not None else config.interval,
    )


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(title=f"Findings ({len(findings)})")
    for header in ("Severity", "Rule", "Entity", "Field", "Snippet", "Why"):
        table.add_column(header)
    for finding in findings:
        table.add_row(
            finding.severity,
            finding.rule,
            escape(finding.entity),
            finding.field,
            escape(finding.snippet),
            escape(finding.why),
        )
    return table


def _contain_command(inputs: dict[str, Any]) -> str:
    blocks = json.dumps(inputs["skimmer_block_ids"])
    return f"magento-ir contain magecart --input 'skimmer_block_ids={blocks}'"


_BY_HAND = (
    ("cms_page_ids_to_clean", "CMS page {}"),
    ("widget_instance_ids_to_clean", "widget instance {} (Content > Widgets)"),
    ("layout_update_ids_to_clean", "layout update {} (its widget, or the layout_update row)"),
    ("email_template_ids_to_clean", "e-mail template {} (Marketing > Email Templates)"),
)


def _to_clean(inputs: dict[str, Any]) -> list[str]:
    found = [label.format(i) for key, label in _BY_HAND for i in inputs[key]]
    return found + list(inputs["config_paths_to_clean"])


def scan_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    allow_list: AllowListOption = None,
    allow_host: AllowHostOption = None,
    rules: RulesOption = None,
    yara: YaraOption = None,
    min_severity: SeverityOption = None,
    playbook_inputs: Annotated[
        bool,
        typer.Option(
            "--playbook-inputs",
            help="Print the magecart playbook's inputs from the "
            "findings: the contain command line, and what to clean in the admin panel.",
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Scan CMS blocks and pages, script-bearing config, widgets, layout updates and e-mail
    templates for skimmers and backdoors (read-only)."""
    from magento_ir.detect import collect_targets, magecart_inputs, scan  # noqa: PLC0415
    from magento_ir.detect.rules import shipped_rule_set  # noqa: PLC0415
    from magento_ir.detect.scan import at_least  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted="Interrupted. Nothing was written."):
        config = _config(None, allow_list, allow_host, rules, yara, min_severity)
        connection = store(ctx)

        async def read() -> Any:  # noqa: ANN401 - CollectedTargets
            async with connection.open_client() as client:
                return await collect_targets(client)

        collected = asyncio.run(read())
        allow = config.allow.with_store(connection.base_url, *collected.store_urls)
        findings = scan(
            collected.targets, allow, (shipped_rule_set(), *config.rule_sets), config.yara
        )
        counting = at_least(findings, config.min_severity)
        inputs = magecart_inputs(counting)
        out.table(_findings_table(findings))
        for note in collected.notes:
            out.note(f"Not scanned: {note}")
        if playbook_inputs and not out.json:
            out.note(f"Contain with: {_contain_command(inputs)}")
            by_hand = _to_clean(inputs)
            if by_hand:
                out.note(
                    "Clean in the admin panel (no playbook action writes them): "
                    + ", ".join(by_hand)
                )
        out.document(
            {
                "store": connection.store_url,
                "targets": len(collected.targets),
                "min_severity": config.min_severity,
                "findings": [finding.to_json() for finding in findings],
                "counting": len(counting),
                "magecart_inputs": inputs,
                "contain_command": _contain_command(inputs),
                "notes": collected.notes,
            }
        )
    raise typer.Exit(int(ExitCode.CHECK_FAILED if counting else ExitCode.OK))


def _guard_line(guard: dict[str, Any] | None) -> str:
    """The guard's counters in the status line: the store's total and the busiest rules."""
    if not guard or guard.get("store_blocked") is None:
        return ""
    busiest = sorted(
        guard.get("counters", {}).items(), key=lambda item: (-item[1]["blocked"], item[0])
    )[:3]
    rules = ", ".join(f"rule {rule} ({c['rule_type']}) {c['blocked']}" for rule, c in busiest)
    return f"; guard refused {guard['store_blocked']} in all" + (f": {rules}" if rules else "")


def _pass_line(report: PassReport) -> str:
    if not report.reachable:
        return (
            f"{report.at} store unreachable ({report.error}); "
            f"next try in {report.next_pass_in:.0f} s"
        )
    opened = f"; incident {report.incident['id']} opened" if report.incident else ""
    return (
        f"{report.at} {len(report.findings)} findings, {len(report.new_findings)} new{opened}; "
        f"next pass in {report.next_pass_in:.0f} s"
    )


def watch_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Print the watch state (for monitoring) and exit.")
    ] = False,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="Watch settings (TOML, docs/detection.md).")
    ] = None,
    interval: Annotated[
        float | None,
        typer.Option(metavar="SECONDS", help="Seconds between passes (default 300).", min=1),
    ] = None,
    state: Annotated[
        Path,
        typer.Option(
            envvar=f"{ENV_PREFIX}WATCH_STATE",
            help="The watch state file (JSON): snapshot, findings seen, incidents, reachability.",
        ),
    ] = _DEFAULT_STATE,
    log: Annotated[
        Path, typer.Option("--log", help="Evidence log of detections and alerts.")
    ] = _DEFAULT_LOG,
    journal_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where automatic playbook runs write their journals (default: the "
            "state file's folder).",
        ),
    ] = None,
    key: KeyOption = None,
    allow_list: AllowListOption = None,
    allow_host: AllowHostOption = None,
    rules: RulesOption = None,
    yara: YaraOption = None,
    min_severity: SeverityOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Watch the store: scan and admin diff on a schedule, an incident when a rule fires."""
    from magento_ir.detect import Watcher, read_status  # noqa: PLC0415
    from magento_ir.evidence import EvidenceLog  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted=_INTERRUPTED):
        if status:
            readable_file(state, "--state")
            document = read_status(state)
            out.note(
                f"{document['status']}: {document['passes']} passes, last "
                f"{document['last_pass_at']}, {len(document['incidents'])} incidents, next pass "
                f"{document['next_pass_at']}{_guard_line(document.get('guard'))}"
            )
            out.document(document)
            raise typer.Exit(
                int(ExitCode.OK if document["status"] == "ok" else ExitCode.CHECK_FAILED)
            )
        config = _config(config_file, allow_list, allow_host, rules, yara, min_severity, interval)
        writable_file(state, "--state")
        writable_file(log, "--log")
        connection = store(ctx)
        signer = signing_key(key)
        with EvidenceLog.open(log, key=signer) as evidence:
            watcher = Watcher(
                connection,
                state_path=state,
                config=config,
                log=evidence,
                journal_dir=journal_dir,
                key=signer,
            )
            if once:
                report = watcher.run_once()
                _show(out, report)
                out.document(report.to_json())
            else:
                asyncio.run(watcher.arun(on_pass=lambda report: _show(out, report)))
                return  # pragma: no cover - arun returns only when cancelled
    if not report.reachable:
        raise typer.Exit(int(ExitCode.UNREACHABLE))
    raise typer.Exit(int(ExitCode.CHECK_FAILED if report.incident else ExitCode.OK))


def _show(out: Output, report: PassReport) -> None:
    out.note(_pass_line(report))
    if report.new_findings:
        out.table(_findings_table(list(report.new_findings)))
    for note in report.notes:
        out.note(note)
