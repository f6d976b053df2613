"""`magento-ir scan-page`: the payment page's scripts and CSP in headless Chromium (PCI DSS
6.4.3 / 11.6.1), against the baseline kept in an evidence log.

The first run (or `--record-baseline`) records what the checkout holds as the baseline
(`detect.page_baseline`, with each script's justification from `--authorizations`); later runs
compare with it and exit 1 on a change that counts. docs/detection.md says what is compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption
from magento_ir.cli._paths import readable_file, writable_file
from magento_ir.cli._store import KeyOption, settings, signing_key

if TYPE_CHECKING:
    from magento_ir.detect.page_integrity import PageInventory, ScriptAuthorizations

__all__ = ["scan_page_command"]

_DEFAULT_LOG = Path("page-evidence.log")
_SEVERITIES = ("low", "medium", "high")


def _scripts_table(
    inventory: PageInventory, justified: dict[str, dict[str, Any] | None] | None
) -> Table:
    table = Table(title=f"Scripts on {escape(inventory.url)} ({len(inventory.scripts)})")
    for header in ("Script", "Origin", "Integrity", "SHA-256", "Justification"):
        table.add_column(header)
    for script in inventory.scripts:
        entry = justified.get(script.key) if justified is not None else None
        reason = "-" if justified is None else (entry or {}).get("justification", "NONE")
        table.add_row(
            escape(script.src or "inline"),
            escape(script.origin or "-"),
            escape(script.integrity or "-"),
            script.sha256 or "(cross-origin: not readable)",
            escape(str(reason)),
        )
    return table


def _render(
    url: str, product: str, chromium: Path | None, chromedriver: Path | None
) -> PageInventory:
    from magento_ir.detect.browser import Chromium  # noqa: PLC0415
    from magento_ir.detect.page_integrity import render_checkout  # noqa: PLC0415

    return render_checkout(
        lambda: Chromium.start(
            chromium=str(chromium) if chromium else None,
            chromedriver=str(chromedriver) if chromedriver else None,
            loopback_only=urlsplit(url).hostname == "127.0.0.1",
        ),
        url,
        product,
    )


def scan_page_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    product: Annotated[
        str,
        typer.Option(
            metavar="URL_KEY",
            help="An in-stock product's page (e.g. blue-widget.html) to put in the cart: "
            "Magento shows the checkout only with a cart.",
        ),
    ],
    log: Annotated[
        Path, typer.Option("--log", help="Evidence log holding the page baseline.")
    ] = _DEFAULT_LOG,
    authorizations: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="TOML file of authorized scripts, each with its written justification "
            "(PCI DSS 6.4.3); scripts it does not cover are findings.",
        ),
    ] = None,
    record_baseline: Annotated[
        bool,
        typer.Option(
            "--record-baseline",
            help="Record this render as the new baseline (after checking a change).",
        ),
    ] = False,
    chromium: Annotated[
        Path | None, typer.Option(metavar="PATH", help="Chromium (default: on PATH).")
    ] = None,
    chromedriver: Annotated[
        Path | None, typer.Option(metavar="PATH", help="chromedriver (default: on PATH).")
    ] = None,
    key: KeyOption = None,
    min_severity: Annotated[
        str,
        typer.Option(metavar="low|medium|high", help="Lowest severity that exits 1."),
    ] = "medium",
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Render the checkout in headless Chromium and check its scripts and CSP (PCI DSS 6.4.3,
    11.6.1): the first run records the baseline, later runs report changes."""
    from magento_ir._exceptions import ConfigurationError  # noqa: PLC0415
    from magento_ir.cli.watch import _findings_table  # noqa: PLC0415 - it imports this module
    from magento_ir.detect.page_integrity import (  # noqa: PLC0415
        ScriptAuthorizations,
        compare,
        latest_baseline,
        unjustified,
    )
    from magento_ir.detect.page_integrity import (  # noqa: PLC0415
        record_baseline as record,
    )
    from magento_ir.detect.scan import at_least  # noqa: PLC0415
    from magento_ir.evidence import EvidenceLog, read_records  # noqa: PLC0415

    out = Output(output, json_output)
    with exit_codes(interrupted="Interrupted. Nothing was recorded."):
        if min_severity not in _SEVERITIES:
            raise ConfigurationError(f"--min-severity {min_severity!r}: use low, medium or high")
        allowed: ScriptAuthorizations | None = None
        if authorizations is not None:
            readable_file(authorizations, "--authorizations")
            allowed = ScriptAuthorizations.load(authorizations)
        writable_file(log, "--log")
        resolved = settings(ctx)
        url = resolved.storefront_url or resolved.require_base_url()
        inventory = _render(url, product, chromium, chromedriver)
        baseline = latest_baseline(read_records(log), inventory.url) if log.exists() else None
        recorded = baseline is None or record_baseline
        findings = [] if baseline is None or record_baseline else compare(baseline, inventory)
        if recorded:
            with EvidenceLog.open(log, key=signing_key(key)) as evidence:
                seq = record(evidence, inventory, allowed).seq
            out.note(f"Recorded the baseline of {inventory.url} in {log} (record {seq}).")
        if allowed is not None:
            findings += unjustified(inventory, allowed)
        justified = allowed.for_inventory(inventory) if allowed is not None else None
        counting = at_least(findings, min_severity)  # type: ignore[arg-type]
        out.table(_scripts_table(inventory, justified))
        out.table(_findings_table(findings))
        policy = inventory.headers.get("content-security-policy")
        if policy is None:
            only = "content-security-policy-report-only" in inventory.headers
            out.note(f"Content-Security-Policy not enforced ({'report-only' if only else 'none'}).")
        out.document(
            {
                "url": inventory.url,
                "baseline": {"recorded": recorded, "log": str(log)},
                "inventory": inventory.to_json(),
                "justifications": justified,
                "min_severity": min_severity,
                "findings": [finding.to_json() for finding in findings],
                "counting": len(counting),
            }
        )
    raise typer.Exit(int(ExitCode.CHECK_FAILED if counting else ExitCode.OK))
