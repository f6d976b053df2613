"""`magento-ir evidence capture | verify | adopt | repair | export | ship`: the typer sub-app the
main CLI mounts.

Store and credentials come from the main CLI's options (`magento-ir --base-url ... evidence
capture`), else from `MAGENTO_IR_*` environment variables and the profile file, exactly as
`magento_ir.cli._store` resolves them. The log defaults to the incident journal the `contain`
command writes (one timeline), signed with the same key.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import ssl
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import (
    ConfigurationError,
    MagentoIRError,
)
from magento_ir._files import private_open
from magento_ir.cli._config import ENV_PREFIX, ExitCode
from magento_ir.cli._errors import cli_wording, errors, exit_codes, fail
from magento_ir.cli._output import JsonOption, Output, OutputFormat, OutputOption
from magento_ir.cli._paths import readable_file, writable_file
from magento_ir.cli._progress import bars
from magento_ir.cli._store import DEFAULT_JOURNAL, KEY_NAME, global_options, settings, signing_key
from magento_ir.evidence import (
    EvidenceLog,
    NoteVerifier,
    SigningKey,
    checkpoints_path,
    read_checkpoint_file,
    read_checkpoints,
    read_records,
    verify,
)
from magento_ir.evidence.collectors import (
    CATEGORIES,
    CaptureOptions,
    Pseudonymiser,
    capture,
    last_capture_start,
)
from magento_ir.evidence.export import export as export_records
from magento_ir.evidence.shipping import HecClient, ship_syslog

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from magento_ir.evidence import Record

__all__ = ["evidence_app", "register"]

evidence_app = typer.Typer(
    name="evidence",
    help="Capture the store into the tamper-evident evidence log; verify, export, ship it.",
    no_args_is_help=True,
)
# Notes and progress on stderr, through the console --no-color reaches.
console = errors

# The same defaults as `magento-ir contain`, so a capture lands in the incident's journal.
DEFAULT_LOG = DEFAULT_JOURNAL
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO

LogArgument = Annotated[
    Path,
    typer.Argument(
        envvar=f"{ENV_PREFIX}JOURNAL",
        help="The evidence log: the incident journal `contain` writes.",
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        envvar=f"{ENV_PREFIX}KEY_FILE",
        help="Ed25519 signing key (default ~/.config/magento-ir/journal.key, created if absent).",
    ),
]
PseudonymKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--pseudonym-key-file",
        help="Pseudonymise personal data with this secret key file (or set "
        "MAGENTO_IR_PSEUDONYM_KEY). The key is never written anywhere.",
    ),
]


def _since(text: str | None, log: Path) -> datetime | None:
    if text is None:
        return None
    if text == "last":
        previous = last_capture_start(log) if log.is_file() else None
        if previous is None:
            raise ConfigurationError(
                f"--since last: {log} holds no completed capture yet; run a full capture first "
                "or give a date"
            )
        return previous
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"--since {text!r} is not a date: use ISO 8601, e.g. 2026-11-01 or "
            "2026-11-01T08:00:00Z (no zone means UTC)"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _secret_file(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise ConfigurationError(f"{what} file {path} does not exist")
    if path.stat().st_mode & _SHARED_BITS:
        raise ConfigurationError(
            f"refusing to read {what} file {path}: others may read or change it. Fix it with: "
            f"chmod 600 {path}"
        )
    return path.read_bytes().strip()


def _pseudonymiser(key_file: Path | None) -> Pseudonymiser | None:
    key = (
        _secret_file(key_file, "pseudonym key")
        if key_file is not None
        else os.environ.get(f"{ENV_PREFIX}PSEUDONYM_KEY", "").encode()
    )
    if not key:
        return None
    try:
        return Pseudonymiser(key)
    except ValueError as error:
        raise ConfigurationError(str(error)) from None


def _records(log: Path, pseudonymiser: Pseudonymiser | None) -> Iterator[Record]:
    records = read_records(log)
    return records if pseudonymiser is None else pseudonymiser.records(records)


def _require_log(log: Path, *, write: bool = False) -> None:
    if not log.exists():
        raise ConfigurationError(
            f"no evidence log at {log}: give the log file as the argument (or MAGENTO_IR_JOURNAL)"
        )
    (writable_file if write else readable_file)(log, "LOG")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")


@evidence_app.callback()
def evidence_commands() -> None:
    """Capture the store into the tamper-evident evidence log; verify, export, ship it."""


@evidence_app.command("capture")
def capture_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    log: LogArgument = DEFAULT_LOG,
    key: KeyOption = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Only what changed after this time (ISO 8601, no zone means UTC), or `last`: "
            "since the last completed capture in the log."
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(help=f"Only this category (repeatable): {', '.join(CATEGORIES)}."),
    ] = None,
    page_size: Annotated[int, typer.Option(help="Rows per page (1-300).")] = 100,
    concurrency: Annotated[int, typer.Option(help="Pages fetched at once (1-16).")] = 4,
    user: Annotated[
        str | None, typer.Option(help="Responder named in each exchange record.")
    ] = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Capture the store's state into the log, with chain-of-custody records around it."""
    out = Output(output, json_output)
    interrupted = (
        f"interrupted: {log} holds what was captured so far, closed by a capture.summary "
        "and a custody record; run the capture again to complete it"
    )
    with exit_codes(interrupted=interrupted):
        writable_file(log, "LOG")
        resolved = settings(ctx)
        options = CaptureOptions(
            categories=tuple(only) if only else CATEGORIES,
            since=_since(since, log),
            page_size=page_size,
            concurrency=concurrency,
            storefront_url=resolved.storefront_url,
            user=user,
            # The main CLI's --timeout and --insecure-http, when mounted under it.
            timeout=global_options(ctx).timeout,
            allow_insecure_http=global_options(ctx).allow_insecure_http,
        )
        base_url, auth = resolved.require_base_url(), resolved.auth()
        journal_key = signing_key(key)
        tool_args = ["evidence", "capture", *(["--since", since] if since else [])]
        with (
            EvidenceLog.open(log, key=journal_key, sync="batch", tool_args=tool_args) as evidence,
            bars(out, global_options(ctx)) as meter,
        ):
            summary = capture(
                evidence,
                base_url=base_url,
                auth=auth,
                options=options,
                progress=meter.capture,
            )
    table = Table(title=f"Capture {summary.capture_id} into {log}", title_justify="left")
    for column in ("Category", "Status", "Captured", "Reason"):
        table.add_column(column)
    for result in summary.results:
        shown = f"{result.captured}" + (
            f"/{result.expected}" if result.expected is not None else ""
        )
        color = "red" if result.status == "failed" else "green"
        status = f"[{color}]{result.status}[/{color}]"
        table.add_row(result.category, status, shown, escape(result.reason))
    out.table(table)
    # Quoted: a command to copy and paste, whatever the path holds.
    verify_command = shlex.join(
        ["magento-ir", "evidence", "verify", str(log), "--verifier", str(journal_key.verifier())]
    )
    out.note(f"{summary.exchanges} HTTP exchanges recorded in {log}")
    out.note(f"Verify with: {verify_command}")
    code = ExitCode.OK if summary.ok else ExitCode.CONTAINMENT_FAILED
    out.document(
        {
            "log": str(log),
            "capture_id": summary.capture_id,
            "categories": [result.to_json() for result in summary.results],
            "exchanges": summary.exchanges,
            "verifier": str(journal_key.verifier()),
            "verify_command": verify_command,
            "ok": summary.ok,
            "exit_code": int(code),
        }
    )
    raise typer.Exit(int(code))


def _checkpoint_notes(files: Iterable[Path]) -> list[str]:
    """Signed notes from copies of `<log>.checkpoints` kept elsewhere (signatures: by verify)."""
    notes: list[str] = []
    for path in files:
        if not path.is_file():
            raise ConfigurationError(f"checkpoint file {path} does not exist")
        notes.extend(read_checkpoint_file(path))
    return notes


@evidence_app.command("verify")
def verify_command(  # noqa: PLR0917 - one parameter per command-line option
    log: LogArgument = DEFAULT_LOG,
    verifier: Annotated[
        str | None,
        typer.Option(
            envvar=f"{ENV_PREFIX}VERIFIER_KEY",
            help="Public verifier key (name+id+key) that must have signed the checkpoints.",
        ),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="Or the signing key file to derive the verifier key from."),
    ] = None,
    checkpoints: Annotated[
        list[Path] | None,
        typer.Option(
            "--checkpoints",
            help="Checkpoints kept elsewhere (a copy of <log>.checkpoints). Repeatable.",
        ),
    ] = None,
    allow_unsigned: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned",
            help="Accept that no signature is checked (no verifier key, or no checkpoint).",
        ),
    ] = False,
    allow_tail: Annotated[
        bool,
        typer.Option(
            "--allow-tail", help="Accept records after the last checkpoint (a crash's tail)."
        ),
    ] = False,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Check the whole log; exit 1 naming the first bad record, or what is not signed.

    Reads only: nothing is appended, repaired or signed.
    """
    try:
        _require_log(log)
        if verifier and key is not None:
            raise ConfigurationError("give --verifier or --key, not both")
        note_verifier = NoteVerifier.parse(verifier) if verifier else None
        if key is not None:
            note_verifier = SigningKey.load(key, KEY_NAME).verifier()
        notes = _checkpoint_notes(checkpoints or [])
    except MagentoIRError as error:
        fail(ExitCode.USAGE, str(error))
    report = verify(log, note_verifier, checkpoints=notes).require_coverage(
        allow_unsigned=allow_unsigned, allow_tail=allow_tail
    )
    out = Output(output, json_output)
    if out.json:
        code = ExitCode.OK if report.ok else ExitCode.VERIFICATION_FAILED
        problem = report.problem
        out.document(
            {
                "log": str(log),
                "ok": report.ok,
                "summary": report.summary(),
                "records": report.records,
                "covered": report.covered,
                "root": report.root.hex(),
                "last_hash": report.last_hash,
                "checkpoints_found": report.checkpoints_found,
                "checkpoints_checked": report.checkpoints_checked,
                "signatures_checked": report.signatures_checked,
                "allowances": list(report.allowances),
                "problem": None
                if problem is None
                else {
                    "kind": problem.kind,
                    "seq": problem.seq,
                    "line": problem.line,
                    "detail": cli_wording(problem.detail),
                },
                "exit_code": int(code),
            }
        )
        raise typer.Exit(int(code))
    if not report.ok:
        fail(ExitCode.VERIFICATION_FAILED, f"{log} does not verify: {report.summary()}")
    typer.echo(f"{log}: {report.summary()}")


@evidence_app.command("adopt")
def adopt_command(
    log: Annotated[Path, typer.Argument(help="The log to adopt.")],
    key: KeyOption = None,
    note: Annotated[
        str, typer.Option(help="Why it is adopted (recorded), e.g. 'written by tool X'.")
    ] = "",
    user: Annotated[str | None, typer.Option(help="Who adopts it (default: login).")] = None,
) -> None:
    """Accept a log no checkpoint of your key covers, recording who, when and the root adopted.

    For a log another tool or key wrote, or one your key refuses to extend (exit 6). Its
    chain must be intact; its old checkpoints are moved aside, unchecked.
    """
    with exit_codes(interrupted="Interrupted: run the same command again."):
        _require_log(log, write=True)
        journal_key = signing_key(key)
        current = verify(log, journal_key.verifier()).require_coverage(allow_tail=True)
        if current.ok and current.checkpoints_found:
            console.print(
                f"{log} is already covered by checkpoints of your key: nothing to adopt",
                highlight=False,
            )
            return
        record = EvidenceLog.adopt(
            log, key=journal_key, note=note, user=user, tool_args=["evidence", "adopt"]
        )
    payload = record.payload
    typer.echo(
        f"{log}: adopted {payload['adopted_size']} records (root {payload['adopted_root']}) "
        f"as record {record.seq}, signed by {journal_key.verifier()}"
    )
    if payload["previous_checkpoints"] is not None:
        typer.echo(
            f"previous checkpoints kept, unchecked: {payload['previous_checkpoints']['file']}"
        )


@evidence_app.command("repair")
def repair_command(
    log: Annotated[Path, typer.Argument(help="The log to repair.")], key: KeyOption = None
) -> None:
    """Cut off a line torn by a crash (the log's or its checkpoints'), recording what and why."""
    with exit_codes(interrupted="Interrupted: run the same command again."):
        _require_log(log, write=True)
        journal_key = signing_key(key)
        report = verify(log, journal_key.verifier())
        beside = checkpoints_path(log)
        torn_checkpoint = beside.is_file() and not beside.read_bytes().endswith(b"\n")
        torn_checkpoint = torn_checkpoint and beside.stat().st_size > 0
        if not torn_checkpoint and (report.problem is None or report.problem.kind != "torn"):
            console.print(f"{log}: nothing to repair ({report.summary()})", highlight=False)
            if report.problem is not None:
                raise typer.Exit(int(ExitCode.VERIFICATION_FAILED))
            return
        with EvidenceLog.open(
            log, key=journal_key, repair=True, tool_args=["evidence", "repair"]
        ) as evidence:
            cuts = [
                record.payload
                for record in evidence.records()
                if record.type == "log.repair" and record.seq >= report.records
            ]
    for cut in cuts:
        typer.echo(
            f"{cut['file']}: cut {cut['removed_length']} bytes at offset {cut['offset']} (line "
            f"{cut['line']}, sha256 {cut['removed_sha256']}), recorded in {log}"
        )


@evidence_app.command("export")
def export_command(  # noqa: PLR0917 - one parameter per command-line option
    export_format: Annotated[
        str, typer.Option("--format", help="ecs (JSON lines), ocsf (JSON lines) or cef.")
    ],
    log: LogArgument = DEFAULT_LOG,
    out_file: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the events to this file (0600), not stdout."),
    ] = None,
    pseudonym_key_file: PseudonymKeyOption = None,
    output: OutputOption = OutputFormat.TABLE,
    json_output: JsonOption = False,
) -> None:
    """Write every record as one SIEM event per line, with its hash and sequence number.

    With --json or --output markdown the events need --out FILE: stdout carries the summary.
    """
    out = Output(output, json_output)
    formats: dict[str, Literal["ecs", "ocsf", "cef"]] = {"ecs": "ecs", "ocsf": "ocsf", "cef": "cef"}
    try:
        if export_format not in formats:
            raise ConfigurationError(
                f"--format {export_format!r} is not supported: use ecs, ocsf or cef"
            )
        if out_file is None and out.format is not OutputFormat.TABLE:
            raise ConfigurationError(
                f"--output {out.format} prints a summary on stdout, where the events would go: "
                "give --out FILE for the events"
            )
        _require_log(log)
        if out_file is not None:
            writable_file(out_file, "--out")
        pseudonymiser = _pseudonymiser(pseudonym_key_file)
    except MagentoIRError as error:
        fail(ExitCode.USAGE, str(error))
    records = _records(log, pseudonymiser)
    if out_file is None:
        count = export_records(records, formats[export_format], sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with private_open(out_file, "wb") as destination:
            count = export_records(records, formats[export_format], destination)
    where = "stdout" if out_file is None else str(out_file)
    if out.format is OutputFormat.TABLE:
        # stdout may be the export itself: the count goes to stderr.
        console.print(f"exported {count} records as {export_format} to {where}", highlight=False)
    table = Table(title=f"Export of {log}", title_justify="left", show_header=False)
    table.add_row("format", export_format)
    table.add_row("records", str(count))
    table.add_row("file", where)
    table.add_row("pseudonymised", "yes" if pseudonymiser is not None else "no")
    if out.format is OutputFormat.MARKDOWN:
        out.table(table)
    out.document(
        {
            "log": str(log),
            "format": export_format,
            "records": count,
            "out": where,
            "pseudonymised": pseudonymiser is not None,
            "exit_code": int(ExitCode.OK),
        }
    )


def _tls_context(ca_file: Path | None) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _destination(to: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of `syslog+tcp://`, `syslog+tls://` or `hec+https://`."""
    try:
        parts = urlsplit(to)
    except ValueError:  # "syslog+tcp://[::1": an unclosed IPv6 bracket
        parts = urlsplit("")
    schemes = ("syslog+tcp", "syslog+tls", "hec+https", "hec+http")
    try:
        port = parts.port
    except ValueError:
        port = None
        parts = parts._replace(netloc="")
    if parts.scheme not in schemes or not parts.hostname or port is None:
        raise ConfigurationError(
            f"--to {to!r} is not a destination: use syslog+tcp://HOST:PORT, "
            "syslog+tls://HOST:PORT or hec+https://HOST:PORT/services/collector/event"
        )
    if parts.scheme == "hec+http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            "hec+http would send the HEC token in clear text: use hec+https (plain http is "
            "accepted only on loopback, for tests)"
        )
    return parts.scheme, parts.hostname, port, parts.path


@evidence_app.command("ship")
def ship_command(
    to: Annotated[
        str,
        typer.Option(
            help="syslog+tcp://HOST:PORT, syslog+tls://HOST:PORT or "
            "hec+https://HOST:PORT/services/collector/event"
        ),
    ],
    log: LogArgument = DEFAULT_LOG,
    ca_file: Annotated[
        Path | None, typer.Option(help="CA bundle to check the receiver's TLS certificate.")
    ] = None,
    hec_token: Annotated[
        str | None,
        typer.Option(envvar=f"{ENV_PREFIX}HEC_TOKEN", help="Splunk HEC token.", show_default=False),
    ] = None,
    pseudonym_key_file: PseudonymKeyOption = None,
) -> None:
    """Verify the log, then send its records and signed checkpoints to the SIEM."""
    try:
        scheme, host, port, path = _destination(to)
        _require_log(log)
        pseudonymiser = _pseudonymiser(pseudonym_key_file)
        if scheme.startswith("hec") and not hec_token:
            raise ConfigurationError("HEC needs a token: set MAGENTO_IR_HEC_TOKEN (or --hec-token)")
    except MagentoIRError as error:
        fail(ExitCode.USAGE, str(error))
    report = verify(log)
    if not report.ok:
        fail(
            ExitCode.VERIFICATION_FAILED,
            f"{log} does not verify, not shipping it: {report.summary()}",
        )
    records, notes = _records(log, pseudonymiser), read_checkpoints(log)
    try:
        if scheme.startswith("syslog"):
            context = _tls_context(ca_file) if scheme == "syslog+tls" else None
            sent = ship_syslog(
                records, host=host, port=port, ssl_context=context, checkpoints=notes
            )
        else:
            url = f"{scheme.removeprefix('hec+')}://{host}:{port}{path}"
            context = _tls_context(ca_file) if scheme == "hec+https" else None
            client = HecClient(url, hec_token or "", ssl_context=context)
            sent = client.send(records, checkpoints=notes).events
    except ValueError as error:
        fail(ExitCode.USAGE, str(error))
    except MagentoIRError as error:
        fail(ExitCode.UNREACHABLE, str(error))
    console.print(f"shipped {sent} events to {scheme}://{host}:{port}", highlight=False)
