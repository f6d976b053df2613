"""`magento-ir notify track | send | page | ack | status | policy`: delivery on the record.

Every command writes to (or reads) the incident's evidence log: the journal `contain` writes,
signed with the same key. Secrets come only from the environment (never flags, which `ps` and
shell histories show): MAGENTO_IR_SMTP_PASSWORD, MAGENTO_IR_PAGERDUTY_ROUTING_KEY,
MAGENTO_IR_SERVICENOW_PASSWORD or MAGENTO_IR_SERVICENOW_TOKEN, MAGENTO_IR_SLACK_TOKEN,
MAGENTO_IR_SLACK_WEBHOOK_URL, MAGENTO_IR_TEAMS_WEBHOOK_URL, MAGENTO_IR_WEBHOOK_SECRET.
"""

from __future__ import annotations

import csv
import json
import os
import ssl
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError, MagentoIRError
from magento_ir.cli._config import ENV_PREFIX, ExitCode
from magento_ir.cli._errors import exit_codes, fail
from magento_ir.cli._output import console
from magento_ir.cli._paths import readable_file, writable_file
from magento_ir.cli._store import DEFAULT_JOURNAL, signing_key
from magento_ir.cli.notify import AsOfOption  # noqa: TC001 - typer reads the annotations at run time

if TYPE_CHECKING:
    from magento_ir.evidence import EvidenceLog
    from magento_ir.notify.channels import Channel

__all__ = ["attach"]

_INTERRUPTED = (
    "Interrupted. Everything sent so far is in the outbox journal and the evidence log; run "
    "the same command again: nobody is sent the notice twice."
)

_DAY_HOURS = 24
JournalOption = Annotated[
    Path,
    typer.Option(
        "--journal", envvar=f"{ENV_PREFIX}JOURNAL", help="The incident's journal (evidence log)."
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key",
        envvar=f"{ENV_PREFIX}KEY_FILE",
        help="Ed25519 key signing the journal (default ~/.config/magento-ir/journal.key).",
    ),
]
IncidentOption = Annotated[
    str | None,
    typer.Option(
        "--incident", help="The incident id (default: the one the journal was opened for)."
    ),
]
ObligationOption = Annotated[
    str | None,
    typer.Option("--obligation", help="The planned obligation this fulfils (its key)."),
]
CaFileOption = Annotated[
    Path | None,
    typer.Option("--ca-file", help="Trust this CA bundle (PEM) for TLS instead of the system's."),
]


class Security(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


class Ambiguity(StrEnum):
    STOP = "stop"
    RESEND = "resend"
    SKIP = "skip"


class ChannelName(StrEnum):
    PAGERDUTY = "pagerduty"
    SERVICENOW = "servicenow"
    SLACK = "slack"
    SLACK_WEBHOOK = "slack-webhook"
    TEAMS = "teams"
    WEBHOOK = "webhook"


class Action(StrEnum):
    TRIGGER = "trigger"
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class Severity(StrEnum):
    CRITICAL = "critical"
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


def attach(app: typer.Typer) -> None:
    """Add the delivery commands to the `notify` sub-app."""
    app.command("track")(track_command)
    app.command("send")(send_command)
    app.command("page")(page_command)
    app.command("ack")(ack_command)
    app.command("status")(status_command)
    app.command("policy")(policy_command)


def _env(name: str, what: str) -> str:
    value = os.environ.get(f"{ENV_PREFIX}{name}")
    if not value:
        raise ConfigurationError(f"set {ENV_PREFIX}{name} to the {what} (never a flag)")
    return value


def _context(ca_file: Path | None) -> ssl.SSLContext:
    if ca_file is None:
        return ssl.create_default_context()
    readable_file(ca_file, "--ca-file")
    return ssl.create_default_context(cafile=str(ca_file))


def _open_log(journal: Path, key: Path | None, args: list[str]) -> EvidenceLog:
    from magento_ir.evidence import EvidenceLog  # noqa: PLC0415

    writable_file(journal, "--journal")
    return EvidenceLog.open(journal, key=signing_key(key), sync="batch", tool_args=args)


def _journal_incident(journal: Path) -> str | None:
    from magento_ir.evidence import read_records  # noqa: PLC0415

    if not journal.is_file():
        return None
    for record in read_records(journal):
        payload = record.payload
        if record.type in ("incident.opened", "notify.incident") and payload.get("id"):
            return str(payload["id"])
        if record.type == "notify.plan" and payload.get("incident_id"):
            return str(payload["incident_id"])
    return None


def _incident(given: str | None, journal: Path) -> str:
    incident = given or _journal_incident(journal)
    if incident is None:
        raise ConfigurationError(
            f"{journal} names no incident: pass --incident (the incident id, e.g. INC-...)"
        )
    return incident


def _moment(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"--now {text!r} is not ISO 8601, e.g. 2026-06-01T16:00:00+00:00"
        ) from None
    if value.tzinfo is None:
        raise ConfigurationError("--now needs an offset, e.g. 2026-06-01T16:00:00+00:00")
    return value


def track_command(
    facts_file: Annotated[Path, typer.Argument(help="The breach's facts as JSON.")],
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    incident: IncidentOption = None,
    as_of: AsOfOption = None,
) -> None:
    """Plan the obligations and put the plan on the record, for `notify status` to follow."""
    from magento_ir.cli.notify import _day, _facts, _rules  # noqa: PLC0415
    from magento_ir.notify import plan  # noqa: PLC0415
    from magento_ir.notify.record import DeliveryRecorder  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        readable_file(facts_file, "FACTS_FILE")
        day = _day(as_of) if as_of else datetime.now(UTC).date()
        result = plan(_facts(facts_file), _rules(None), as_of=day)
        incident_id = _incident(incident, journal)
        with _open_log(journal, key, ["notify", "track"]) as log:
            DeliveryRecorder(log).plan(result, incident_id=incident_id)
        console.print(
            f"{len(result.obligations)} obligations of incident {incident_id} on the record "
            f"in {journal}; follow them with `magento-ir notify status`.",
            highlight=False,
        )


def _recipients(path: Path) -> list[str]:
    """One address a line, or a CSV with an `email` column."""
    readable_file(path, "--recipients")
    with path.open(encoding="utf-8", newline="") as handle:
        first = handle.readline()
        handle.seek(0)
        if "," in first and "email" in first.lower():
            reader = csv.DictReader(handle)
            column = next(name for name in reader.fieldnames or [] if name.lower() == "email")
            return [row[column] for row in reader if row.get(column)]
        return [line.strip() for line in handle if line.strip() and not line.startswith("#")]


def send_command(  # noqa: PLR0917 - one parameter per command-line option
    recipients: Annotated[
        Path, typer.Option("--recipients", help="Addresses: one a line, or CSV with `email`.")
    ],
    draft: Annotated[
        Path,
        typer.Option("--draft", help="The approved draft file (`*.draft.json`) to send."),
    ],
    sender: Annotated[str, typer.Option("--from", help="The sender address.")],
    smtp_host: Annotated[str, typer.Option("--smtp-host", help="The SMTP submission server.")],
    outbox: Annotated[
        Path,
        typer.Option("--outbox", help="The outbox journal: one per notice; a rerun resumes it."),
    ],
    smtp_port: Annotated[int, typer.Option("--smtp-port", help="Its port.")] = 587,
    smtp_user: Annotated[
        str | None,
        typer.Option(
            "--smtp-user", help="Log in as this user (password: MAGENTO_IR_SMTP_PASSWORD)."
        ),
    ] = None,
    smtp_security: Annotated[
        Security, typer.Option("--smtp-security", help="starttls (587), tls (465) or none.")
    ] = Security.STARTTLS,
    ca_file: CaFileOption = None,
    rate: Annotated[
        float | None, typer.Option("--rate", help="At most this many messages per second.")
    ] = None,
    batch: Annotated[
        int, typer.Option("--batch", help="Recipients journaled (fsynced) per group.")
    ] = 200,
    delivered_ids: Annotated[
        Path | None,
        typer.Option(
            "--delivered-ids",
            help="The relay's log of accepted Message-IDs: settles recipients a killed run "
            "left undecided.",
        ),
    ] = None,
    ambiguous: Annotated[
        Ambiguity,
        typer.Option(
            "--ambiguous",
            help="Recipients a killed run left undecided: stop (default), resend (at most one "
            "duplicate each) or skip (follow up by hand).",
        ),
    ] = Ambiguity.STOP,
    obligation: ObligationOption = None,
    incident: IncidentOption = None,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Send an approved notice to every recipient exactly once, journaled, with progress."""
    from magento_ir.notify.channels import SmtpChannel  # noqa: PLC0415
    from magento_ir.notify.deliver import approved_message  # noqa: PLC0415
    from magento_ir.notify.drafts import Draft  # noqa: PLC0415
    from magento_ir.notify.outbox import (  # noqa: PLC0415
        AmbiguousRecipientsError,
        read_message_ids,
        send_bulk,
        stderr_progress,
    )
    from magento_ir.notify.record import DeliveryRecorder  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        addresses = _recipients(recipients)
        readable_file(draft, "--draft")
        notice = Draft.load(draft)
        obligation = obligation or notice.obligation_key
        if obligation is None:
            raise ConfigurationError(
                f"{draft} answers no planned obligation: pass --obligation KEY"
            )
        writable_file(outbox, "--outbox")
        known = None
        if delivered_ids is not None:
            readable_file(delivered_ids, "--delivered-ids")
            known = read_message_ids(delivered_ids)
        password = _env("SMTP_PASSWORD", "SMTP password") if smtp_user else None
        incident_id = _incident(incident, journal)
        # Four eyes: only the exact draft its approvers approved (NotApprovedError otherwise).
        message = approved_message(notice, journal, incident_id=incident_id)
        try:
            channel = SmtpChannel(
                smtp_host, smtp_port, sender=sender, username=smtp_user, password=password,
                security=smtp_security.value, ssl_context=_context(ca_file), rate=rate,
            )  # fmt: skip
        except ValueError as error:
            raise ConfigurationError(str(error)) from None
        with _open_log(journal, key, ["notify", "send", "--obligation", obligation]) as log:
            recorder = DeliveryRecorder(log)
            recorder.bulk_started(
                obligation, key=message.key, recipients=len(addresses), journal=outbox
            )
            log.sync()
            try:
                with channel:
                    result = send_bulk(
                        channel, message, addresses, outbox, delivered_ids=known,
                        ambiguous=ambiguous.value, batch=batch, progress=stderr_progress,
                    )  # fmt: skip
            except AmbiguousRecipientsError as error:
                recorder.bulk_failed(obligation, key=message.key, error=error)
                fail(ExitCode.CONTAINMENT_FAILED, str(error))
            except MagentoIRError as error:
                recorder.bulk_failed(obligation, key=message.key, error=error)
                raise
            recorder.bulk_finished(obligation, key=message.key, result=result)
        if json_flag:
            sys.stdout.write(json.dumps(result.to_json(), indent=2) + "\n")
        else:
            console.print(
                f"{result.delivered:,} of {result.total:,} delivered ({result.sent_now:,} now); "
                f"{len(result.refused)} bounced, {len(result.deferred)} deferred, "
                f"{len(result.skipped)} skipped. Journal: {outbox}",
                highlight=False,
            )
        if result.deferred or result.skipped:
            raise typer.Exit(int(ExitCode.CONTAINMENT_FAILED))


def _channel(
    name: ChannelName,
    *,
    url: str | None,
    source: str,
    store: str,
    table: str,
    slack_channel: str | None,
    ca_file: Path | None,
) -> Channel:
    from magento_ir.notify import channels  # noqa: PLC0415

    context = _context(ca_file)
    built: Channel
    if name is ChannelName.PAGERDUTY:
        built = channels.PagerDutyChannel(
            _env("PAGERDUTY_ROUTING_KEY", "PagerDuty integration's routing key"),
            source=source, store=store, url=url or channels.pagerduty.EVENTS_URL,
            ssl_context=context,
        )  # fmt: skip
    elif name is ChannelName.SERVICENOW:
        if url is None:
            raise ConfigurationError("--url is required: the instance, https://x.service-now.com")
        token = os.environ.get(f"{ENV_PREFIX}SERVICENOW_TOKEN")
        built = channels.ServiceNowChannel(
            url,
            username=None if token else _env("SERVICENOW_USER", "ServiceNow user name"),
            password=None if token else _env("SERVICENOW_PASSWORD", "ServiceNow password"),
            token=token, table=table, ssl_context=context,
        )  # fmt: skip
    elif name is ChannelName.SLACK:
        if slack_channel is None:
            raise ConfigurationError("--slack-channel is required (a channel id such as C0123)")
        built = channels.SlackChannel(
            _env("SLACK_TOKEN", "Slack bot token"), slack_channel,
            api_url=url or channels.chat.SLACK_API_URL, ssl_context=context,
        )  # fmt: skip
    elif name is ChannelName.SLACK_WEBHOOK:
        built = channels.SlackWebhookChannel(
            _env("SLACK_WEBHOOK_URL", "Slack incoming-webhook URL"), ssl_context=context
        )
    elif name is ChannelName.TEAMS:
        built = channels.TeamsWorkflowChannel(
            _env("TEAMS_WEBHOOK_URL", "Teams Workflows webhook URL"), ssl_context=context
        )
    else:
        if url is None:
            raise ConfigurationError("--url is required: the receiver's https URL")
        secret = _env("WEBHOOK_SECRET", "webhook signing secret").encode()
        built = channels.SignedWebhookChannel(url, secret, ssl_context=context)
    return built


def page_command(  # noqa: PLR0917 - one parameter per command-line option
    summary: Annotated[str, typer.Option("--summary", help="One line: what happened.")],
    channel: Annotated[
        ChannelName, typer.Option("--channel", help="Where to page (default: PagerDuty).")
    ] = ChannelName.PAGERDUTY,
    details: Annotated[
        str, typer.Option("--details", help="More text (ticket description, card body).")
    ] = "",
    severity: Annotated[Severity, typer.Option("--severity", help="Severity.")] = Severity.CRITICAL,
    action: Annotated[
        Action, typer.Option("--action", help="PagerDuty: trigger, acknowledge or resolve.")
    ] = Action.TRIGGER,
    url: Annotated[
        str | None,
        typer.Option("--url", help="The service's URL (ServiceNow instance, webhook receiver)."),
    ] = None,
    source: Annotated[
        str, typer.Option("--source", help="PagerDuty payload.source: the affected store host.")
    ] = "magento",
    store: Annotated[
        str, typer.Option("--store-name", help="Short store name in the PagerDuty dedup key.")
    ] = "store",
    table: Annotated[
        str, typer.Option("--table", help="ServiceNow table: incident or sn_si_incident.")
    ] = "incident",
    slack_channel: Annotated[
        str | None, typer.Option("--slack-channel", help="Slack channel id for chat.postMessage.")
    ] = None,
    ca_file: CaFileOption = None,
    obligation: ObligationOption = None,
    incident: IncidentOption = None,
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the receipt as JSON.")] = False,
) -> None:
    """Page a team or open a ticket: PagerDuty, ServiceNow, Slack, Teams or a signed webhook."""
    from magento_ir.notify.channels import DeliveryError, Message  # noqa: PLC0415
    from magento_ir.notify.channels.pagerduty import PagerDutyChannel  # noqa: PLC0415
    from magento_ir.notify.record import DeliveryRecorder  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        incident_id = _incident(incident, journal)
        target = _channel(
            channel, url=url, source=source, store=store, table=table,
            slack_channel=slack_channel, ca_file=ca_file,
        )  # fmt: skip
        message = Message(
            key=f"{incident_id}:{obligation or channel.value}",
            incident_id=incident_id,
            subject=summary,
            text=details or summary,
            severity=severity.value,
        )
        if action is not Action.TRIGGER and not isinstance(target, PagerDutyChannel):
            raise ConfigurationError("--action acknowledge|resolve is for --channel pagerduty")
        with _open_log(journal, key, ["notify", "page", "--channel", channel.value]) as log:
            recorder = DeliveryRecorder(log)
            try:
                if isinstance(target, PagerDutyChannel) and action is not Action.TRIGGER:
                    send = target.acknowledge if action is Action.ACKNOWLEDGE else target.resolve
                    receipt = recorder.deliver(
                        _Bound(target.name, send), message, obligation=obligation
                    )
                else:
                    receipt = recorder.deliver(target, message, obligation=obligation)
            except DeliveryError as error:
                fail(ExitCode.UNREACHABLE if error.retryable else ExitCode.USAGE, str(error))
        if json_flag:
            sys.stdout.write(json.dumps(receipt.to_json(), indent=2) + "\n")
        else:
            ids = ", ".join(f"{k}={v}" for k, v in receipt.provider_ids.items()) or "no id"
            console.print(f"{receipt.channel}: {receipt.action} ({ids})", highlight=False)


class _Bound:
    """A channel whose send is another of its verbs (PagerDuty acknowledge / resolve)."""

    def __init__(self, name: str, send: Any) -> None:  # noqa: ANN401
        self.name = name
        self.send = send


def ack_command(
    obligation: Annotated[str, typer.Option("--obligation", help="The obligation confirmed.")],
    by: Annotated[str, typer.Option("--by", help="Who confirmed receipt (name, authority).")],
    via: Annotated[
        str, typer.Option("--via", help="How: a case number, a reply, a portal receipt.")
    ],
    journal: JournalOption = DEFAULT_JOURNAL,
    key: KeyOption = None,
) -> None:
    """Record that the recipient acknowledged a notice (an authority's case number, say)."""
    from magento_ir.notify.record import DeliveryRecorder  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        with _open_log(journal, key, ["notify", "ack", "--obligation", obligation]) as log:
            DeliveryRecorder(log).acknowledged(obligation, by=by, via=via)
        console.print(f"{obligation}: acknowledged by {by} ({via})", highlight=False)


def _left(seconds: float | None, overdue: bool) -> str:
    if seconds is None:
        return "now"
    hours = int(abs(seconds) // 3600)
    span = (
        f"{hours // 24}d {hours % 24:02d}h"
        if hours >= _DAY_HOURS
        else f"{hours}h {int(abs(seconds) % 3600 // 60):02d}m"
    )
    return (
        f"OVERDUE {span}" if overdue else ("in " + span if seconds >= 0 else f"was due {span} ago")
    )


def status_command(
    journal: Annotated[
        Path,
        typer.Argument(envvar=f"{ENV_PREFIX}JOURNAL", help="The incident's journal."),
    ] = DEFAULT_JOURNAL,
    now: Annotated[
        str | None, typer.Option("--now", help="Count down from this time (default: now).")
    ] = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Each planned obligation: drafted / approved / sent / acknowledged, and the time left."""
    from magento_ir.evidence import read_records  # noqa: PLC0415
    from magento_ir.notify.record import obligation_status  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        readable_file(journal, "JOURNAL")
        moment = _moment(now)
        statuses = obligation_status(read_records(journal))
        if not statuses:
            raise ConfigurationError(
                f"{journal} holds no notification plan: run `magento-ir notify track FACTS`"
            )
        if json_flag:
            document = {
                "journal": str(journal),
                "now": moment.isoformat(),
                "obligations": [item.to_json(moment) for item in statuses],
                "all_sent": all(item.sent for item in statuses),
                "overdue": sum(1 for item in statuses if item.overdue(moment)),
            }
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
            return
        table = Table(title="Notification obligations", title_justify="left")
        for column in ("Obligation", "Recipient", "Drafted", "Approved", "Sent", "Ack'd", "Due"):
            table.add_column(column)
        for item in statuses:
            overdue = item.overdue(moment)
            due = _left(item.seconds_left(moment), overdue)
            if item.sent:
                due = "met" if item.met() is not False else "sent late"
            table.add_row(
                item.key,
                escape(item.recipient_name),
                *("yes" if done else "no" for done in
                  (item.drafted, item.approved, item.sent, item.acknowledged)),
                f"[red]{due}[/red]" if overdue else due,
            )  # fmt: skip
        console.print(table)


def policy_command(
    facts_file: Annotated[Path, typer.Argument(help="The breach's facts as JSON.")],
    policy: Annotated[
        Path | None, typer.Option("--policy", help="A policy TOML instead of the shipped one.")
    ] = None,
    json_flag: Annotated[bool, typer.Option("--json", help="Print the decision as JSON.")] = False,
) -> None:
    """Who to page on which channel, and which drafts to prepare, by the data exposed."""
    from magento_ir.cli.notify import _facts  # noqa: PLC0415
    from magento_ir.notify.policy import (  # noqa: PLC0415
        decide,
        facts_categories,
        load_policy,
        shipped_policy,
    )

    with exit_codes(interrupted=_INTERRUPTED):
        readable_file(facts_file, "FACTS_FILE")
        rules = load_policy(policy) if policy is not None else shipped_policy()
        categories, employees = facts_categories(_facts(facts_file))
        decision = decide(rules, categories, employees=employees)
        if json_flag:
            document = {
                "pages": [
                    {"team": p.team, "channel": p.channel, "because": list(p.because)}
                    for p in decision.pages
                ],
                "drafts": list(decision.drafts),
                "rules": list(decision.rules),
            }
            sys.stdout.write(json.dumps(document, indent=2) + "\n")
            return
        for page in decision.pages:
            console.print(
                f"page {page.team} on {page.channel} ({', '.join(page.because)})", highlight=False
            )
        console.print(f"prepare drafts: {', '.join(decision.drafts) or 'none'}", highlight=False)
