"""`magento-ir notify assess | explain | decide | register`: who was exposed, why an obligation
applies, the decisions taken, and the breach register kept in the incident's evidence log.

Commands of the `notify` group (`magento_ir/cli/notify.py`); nothing personal is printed or
recorded: counts, and pseudonyms in a separate recipient file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path  # noqa: TC003 - typer reads the annotations at run time
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError, InvalidArgumentError
from magento_ir._files import write_private
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import JsonOption, Output, OutputOption
from magento_ir.cli._paths import writable_file
from magento_ir.cli._store import client_for, existing_key, global_options, settings, signing_key
from magento_ir.cli.notify import (
    _INTERRUPTED,
    AsOfOption,
    RulesOption,
    _day,
    _facts,
    _moment,
    _rules,
    notify_app,
)
from magento_ir.notify import Facts, plan

if TYPE_CHECKING:
    from magento_ir.notify.exposure import Exposure, RecipientKey

__all__: list[str] = []


class IncidentType(StrEnum):
    SKIMMER = "skimmer"
    CUSTOMERS = "customers"
    ADMIN = "admin"
    HR = "hr"


class RegisterFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"
    HTML = "html"


def _recipient_key(path: Path | None) -> RecipientKey:
    """The incident's HMAC key: read from the file, or created there (0600) the first time."""
    from magento_ir.notify.exposure import RecipientKey  # noqa: PLC0415

    if path is None:
        return RecipientKey.generate()
    if path.exists():
        try:
            return RecipientKey.from_hex(path.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError, InvalidArgumentError) as error:
            raise ConfigurationError(f"--recipient-key {path}: {error}") from None
    key = RecipientKey.generate()
    write_private(path, key.hex().encode() + b"\n")
    return key


def _optional_moment(text: str | None, option: str) -> datetime | None:
    return None if text is None else _moment(text, option)


def _need(value: object, option: str, incident: IncidentType) -> None:
    if value is None or value == []:
        raise ConfigurationError(f"notify assess {incident}: {option} is required")


def _assess(  # noqa: PLR0917 - one incident type's options each
    ctx: typer.Context,
    incident: IncidentType,
    key: RecipientKey,
    as_of: date,
    mail_to: frozenset[str],
    options: dict[str, Any],
) -> tuple[Exposure, str]:
    from magento_ir.notify import exposure as exp  # noqa: PLC0415
    from magento_ir.notify.hr import hr_exposure, parse_columns, read_hr_file  # noqa: PLC0415

    if incident is IncidentType.HR:
        _need(options["file"], "--file CSV", incident)
        path: Path = options["file"]
        text = read_hr_file(path)
        columns = parse_columns(options["column"])
        return (
            hr_exposure(text, key=key, source=str(path), columns=columns, mail_to=mail_to),
            f"HR records in {path.name}",
        )
    if incident is IncidentType.SKIMMER:
        _need(options["start"], "--from", incident)
        _need(options["end"], "--to", incident)
    if incident is IncidentType.ADMIN:
        _need(options["admin"], "--admin USERNAME", incident)
        _need(options["resource"], "--resource ACL-ID", incident)
        _need(options["merchant_country"], "--merchant-country", incident)
    with client_for(settings(ctx), global_options(ctx)) as client:
        if incident is IncidentType.SKIMMER:
            start, end = options["start"], options["end"]
            orders = exp.skimmer_rows(client, start, end)
            found = exp.skimmer_exposure(orders, key=key, mail_to=mail_to)
            return found, f"card-paid orders from {start.isoformat()} to {end.isoformat()}"
        if incident is IncidentType.CUSTOMERS:
            selection = exp.CustomerSelection(
                group_id=options["group"],
                website_id=options["website"],
                id_from=options["id_from"],
                id_to=options["id_to"],
                created_from=options["created_from"],
                created_to=options["created_to"],
                categories=frozenset(options["category"] or ["contact"]),
            )
            found = exp.customer_exposure(client, selection, key=key, as_of=as_of, mail_to=mail_to)
            return found, f"customers: {selection.describe()}"
        found = exp.admin_exposure(
            client,
            options["admin"],
            options["resource"],
            key=key,
            as_of=as_of,
            merchant_country=options["merchant_country"].upper(),
            end=options["end"],
            mail_to=mail_to,
        )
        return found, f"what admin {options['admin']!r} could read"


def _recipients_file(path: Path, exposure: Exposure) -> str:
    """The pseudonymised recipient list, one JSON object a line (0600); returns its sha256."""
    lines = []
    for person in exposure.recipients:
        item: dict[str, Any] = {
            "pseudonym": person.pseudonym,
            "jurisdiction": person.jurisdiction,
            "categories": sorted(person.categories),
            "employee": person.employee,
            "no_email": person.no_email,
        }
        if person.address is not None:
            item["address"] = {
                "name": person.address.name,
                "street": list(person.address.street),
                "city": person.address.city,
                "region": person.address.region,
                "postcode": person.address.postcode,
                "country": person.address.country,
            }
        lines.append(json.dumps(item, ensure_ascii=False, sort_keys=True))
    data = ("\n".join(lines) + "\n").encode() if lines else b""
    write_private(path, data)
    return hashlib.sha256(data).hexdigest()


def _incident_times(journal: Any) -> tuple[str | None, datetime | None]:  # noqa: ANN401 - Journal
    for record_type, payload in journal.records():
        if record_type in {"incident.opened", "notify.incident"}:
            moment = payload.get("detected_at") or payload.get("opened_at")
            return payload.get("id"), datetime.fromisoformat(moment) if moment else None
    return None, None


def _print_exposure(out: Output, exposure: Exposure, description: str) -> None:
    out.note(f"Assessed {description}: {exposure.records} records read.")
    out.note(f"Who: {exposure.people} people ({exposure.eea_people} in the EU/EEA).")
    where = Table(title="Where: people per jurisdiction", title_justify="left")
    where.add_column("Jurisdiction")
    where.add_column("People", justify="right")
    for place, count in exposure.by_jurisdiction().items():
        where.add_row(place, str(count))
    out.table(where)
    what = Table(title="What: people per data category", title_justify="left")
    what.add_column("Category")
    what.add_column("People", justify="right")
    for category, count in exposure.by_category().items():
        what.add_row(category, str(count))
    out.table(what)
    if exposure.unplaced:
        out.note(f"{exposure.unplaced} records have no country: place those people by hand.")
    for note in exposure.notes:
        out.note(f"Note: {note}")


@notify_app.command("assess")
def assess_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    incident: Annotated[
        IncidentType,
        typer.Argument(help="What happened: skimmer, customers, admin or hr.", metavar="INCIDENT"),
    ],
    start: Annotated[
        str | None, typer.Option("--from", help="skimmer: start of the window, ISO 8601.")
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="skimmer: end of the window; admin: end of the compromise."),
    ] = None,
    group: Annotated[int | None, typer.Option(help="customers: the customer group id.")] = None,
    website: Annotated[int | None, typer.Option(help="customers: the website id.")] = None,
    id_from: Annotated[int | None, typer.Option(help="customers: lowest customer id.")] = None,
    id_to: Annotated[int | None, typer.Option(help="customers: highest customer id.")] = None,
    created_from: Annotated[
        str | None, typer.Option(help="customers: accounts created from, ISO 8601.")
    ] = None,
    created_to: Annotated[
        str | None, typer.Option(help="customers: accounts created up to, ISO 8601.")
    ] = None,
    category: Annotated[
        list[str] | None,
        typer.Option(help="customers: a data category taken (repeat; default contact)."),
    ] = None,
    admin: Annotated[
        str | None, typer.Option(help="admin: the compromised admin's username.")
    ] = None,
    resource: Annotated[
        list[str] | None,
        typer.Option(
            help="admin: an ACL resource of its role (repeat), e.g. Magento_Backend::all."
        ),
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="hr: the CSV or HR-system export.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(help="hr: what a column holds, 'HEADER=CATEGORY-OR-FIELD' (repeat)."),
    ] = None,
    journal: Annotated[
        Path | None,
        typer.Option(help="The incident's evidence log: the assessment goes in the register."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="The journal's signing key file.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the facts as JSON for notify plan.")
    ] = None,
    recipients: Annotated[
        Path | None, typer.Option(help="Write the pseudonymised recipient list (JSON lines).")
    ] = None,
    recipient_key: Annotated[
        Path | None,
        typer.Option(help="The incident's HMAC key file for pseudonyms (created if missing)."),
    ] = None,
    mail: Annotated[
        list[str] | None,
        typer.Option(help="A jurisdiction notified by post: keep its people's addresses."),
    ] = None,
    awareness: Annotated[
        str | None,
        typer.Option(help="When you became aware (may precede detection), ISO 8601."),
    ] = None,
    detected: Annotated[
        str | None,
        typer.Option(help="When magento_ir detected it (default: the journal's, else now)."),
    ] = None,
    determination: Annotated[
        str | None, typer.Option(help="When the breach was determined, ISO 8601.")
    ] = None,
    merchant_country: Annotated[
        str | None, typer.Option(help="The merchant's country (card-scheme business days).")
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="The incident's title, for a new evidence log.")
    ] = None,
    as_of: AsOfOption = None,
    output: OutputOption = "table",
    json_flag: JsonOption = False,
) -> None:
    """Who was exposed, where they live and what was exposed: people per jurisdiction and data
    category, from the store (or an HR file). Counts only; people are pseudonymised."""
    from magento_ir.containment.journal import Journal  # noqa: PLC0415
    from magento_ir.notify import shipped_rules  # noqa: PLC0415
    from magento_ir.notify.register import (  # noqa: PLC0415
        incident_clock,
        record_assessment,
        record_facts,
        record_incident,
        record_reasoning,
    )

    result = Output(output, json_flag)
    with exit_codes(interrupted=_INTERRUPTED):
        now = datetime.now(UTC)
        day = _day(as_of) if as_of else now.date()
        options = {
            "start": _optional_moment(start, "--from"),
            "end": _optional_moment(end, "--to"),
            "created_from": _optional_moment(created_from, "--created-from"),
            "created_to": _optional_moment(created_to, "--created-to"),
            "group": group,
            "website": website,
            "id_from": id_from,
            "id_to": id_to,
            "category": category or [],
            "admin": admin,
            "resource": resource or [],
            "file": file,
            "column": column or [],
            "merchant_country": merchant_country,
        }
        aware = _optional_moment(awareness, "--awareness")
        detected_at = _optional_moment(detected, "--detected")
        determined = _optional_moment(determination, "--determination")
        for path, option in ((out, "--out"), (recipients, "--recipients"), (journal, "--journal")):
            if path is not None:
                writable_file(path, option)
        exposure, description = _assess(
            ctx, incident, _recipient_key(recipient_key), day,
            frozenset(m.upper() for m in mail or ()), options,
        )  # fmt: skip
        digest = _recipients_file(recipients, exposure) if recipients is not None else None
        if recipients is not None and recipient_key is None:
            result.note(
                "No --recipient-key: the pseudonyms were made with a key that is now gone, so "
                "the list cannot be matched to customers later; give --recipient-key FILE."
            )
        log = None
        if journal is not None:
            log = Journal.open(journal, key=signing_key(key), tool_args=["notify", "assess"])
        try:
            journal_id, journal_detected = _incident_times(log) if log else (None, None)
            detected_at = detected_at or journal_detected or now
            facts = Facts(
                clock=incident_clock(
                    detected=detected_at, awareness=aware, determination=determined
                ),
                affected=exposure.groups,
                card_schemes=exposure.card_schemes,
                merchant_country=merchant_country.upper() if merchant_country else None,
            )
            if log is not None:
                if journal_id is None:
                    record_incident(
                        log,
                        incident_id=f"IR-{now:%Y%m%d-%H%M%S}",
                        title=title or description,
                        detected_at=detected_at,
                        opened_at=now,
                    )
                record_assessment(log, exposure, description=description, recipients_sha256=digest)
                record_facts(log, facts, reason=f"notify assess {incident}")
                rules = shipped_rules()
                record_reasoning(log, plan(facts, rules, as_of=day), facts, rules, at=now)
        finally:
            if log is not None:
                log.close()
        if out is not None:
            out.write_text(facts.model_dump_json(indent=2) + "\n", encoding="utf-8")
        _print_exposure(result, exposure, description)
        result.document(
            {
                "incident": str(incident),
                "description": description,
                "records": exposure.records,
                "unplaced": exposure.unplaced,
                "people": exposure.people,
                "eea_people": exposure.eea_people,
                "by_jurisdiction": exposure.by_jurisdiction(),
                "by_country": exposure.by_country(),
                "by_category": exposure.by_category(),
                "card_schemes": sorted(exposure.card_schemes),
                "recipients": len(exposure.recipients),
                "mailed": sum(1 for r in exposure.recipients if r.address is not None),
                "notes": list(exposure.notes),
                "clock": {name: moment.isoformat() for name, moment in facts.clock.items()},
                "detected_at": detected_at.isoformat(),
                "facts_file": str(out) if out else None,
                "recipients_file": str(recipients) if recipients else None,
                "journal": str(journal) if journal else None,
            }
        )
        if out is not None:
            result.note(
                f"Facts: {out} (add discovery/determination times and answers, then "
                "`magento-ir notify plan`)"
            )


@notify_app.command("explain")
def explain_command(  # noqa: PLR0917 - one parameter per command-line option
    obligation: Annotated[
        str,
        typer.Argument(help="An obligation or question key from notify plan.", metavar="KEY"),
    ],
    facts_file: Annotated[
        Path, typer.Option("--facts", help="The breach's facts as JSON (notify assess -o).")
    ],
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    output: OutputOption = "table",
    json_flag: JsonOption = False,
) -> None:
    """Why an obligation applies: the rule, the facts that fired it, the citation, the deadline
    arithmetic and the questions still open."""
    from magento_ir.notify.explain import explain  # noqa: PLC0415

    result = Output(output, json_flag)
    with exit_codes(interrupted=_INTERRUPTED):
        day = _day(as_of) if as_of else datetime.now(UTC).date()
        try:
            found = explain(obligation, _facts(facts_file), _rules(rules), as_of=day)
        except InvalidArgumentError as error:
            raise ConfigurationError(str(error)) from None
        if result.json:
            result.document(found.model_dump(mode="json"))
        elif result.format == "markdown":
            sys.stdout.write("\n".join(f"    {line}" for line in found.lines()) + "\n")
        else:
            for line in found.lines():
                result.note(line)


@notify_app.command("decide")
def decide_command(  # noqa: PLR0917 - one parameter per command-line option
    question: Annotated[
        str, typer.Argument(help="The question id, e.g. eu-gdpr/art33-unlikely-risk.")
    ],
    answer: Annotated[str, typer.Argument(help="yes or no.", metavar="yes|no")],
    facts_file: Annotated[
        Path, typer.Option("--facts", help="The facts file; the answer is written into it.")
    ],
    by: Annotated[str, typer.Option("--by", help="Who decides (name and role).")],
    why: Annotated[str, typer.Option("--why", help="The reasoning, for the register.")],
    journal: Annotated[
        Path | None,
        typer.Option(help="The incident's evidence log: the decision goes in the register."),
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="The journal's signing key file.")
    ] = None,
    as_of: AsOfOption = None,
) -> None:
    """Answer one of the plan's questions: the facts re-plan, and the decision (who, when, why)
    and the new reasoning are recorded in the incident's evidence log."""
    from magento_ir.containment.journal import Journal  # noqa: PLC0415
    from magento_ir.notify import shipped_rules  # noqa: PLC0415
    from magento_ir.notify.register import (  # noqa: PLC0415
        Decision,
        record_decision,
        record_facts,
        record_reasoning,
    )

    with exit_codes(interrupted=_INTERRUPTED):
        if answer.lower() not in {"yes", "no"}:
            raise ConfigurationError(f"answer {answer!r}: use yes or no")
        now = datetime.now(UTC)
        day = _day(as_of) if as_of else now.date()
        facts = _facts(facts_file)
        rules = shipped_rules()
        known = {
            f"{rule.rule.id}/{test.id}": test.text
            for rule in rules
            for spec in rule.obligations
            for test in spec.trigger.risk_tests
        }
        if question not in known:
            raise ConfigurationError(
                f"no question {question!r} in the rules: `magento-ir notify plan` lists them"
            )
        decision = Decision(
            question_id=question,
            answer=answer.lower() == "yes",
            by=by,
            why=why,
            at=now,
            question=known[question],
        )
        updated = facts.model_copy(update={"answers": {**facts.answers, question: decision.answer}})
        writable_file(facts_file, "--facts")
        if journal is not None:
            writable_file(journal, "--journal")
            log = Journal.open(journal, key=signing_key(key), tool_args=["notify", "decide"])
            try:
                record_decision(log, decision)
                record_facts(log, updated, reason=f"notify decide {question}")
                record_reasoning(log, plan(updated, rules, as_of=day), updated, rules, at=now)
            finally:
                log.close()
        facts_file.write_text(updated.model_dump_json(indent=2) + "\n", encoding="utf-8")
        after = plan(updated, rules, as_of=day)
        typer.echo(
            f"Recorded {question} = {answer.lower()} by {by}. The plan now has "
            f"{len(after.obligations)} obligations and {len(after.questions)} open questions."
        )


@notify_app.command("register")
def register_command(
    journals: Annotated[
        list[Path], typer.Argument(help="Incident evidence logs (journals).", metavar="JOURNAL...")
    ],
    format_: Annotated[
        RegisterFormat, typer.Option("--format", help="table, csv, json or html.")
    ] = RegisterFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the export to this file.")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option("--key", help="The journals' signing key, to check their signatures."),
    ] = None,
) -> None:
    """The breach register: every incident, its facts, decisions and reasoning, read from the
    incidents' evidence logs (each verified first); export as CSV, JSON or accessible HTML."""
    from magento_ir.notify.register import (  # noqa: PLC0415
        read_register,
        register_csv,
        register_html,
        register_json,
    )

    with exit_codes(interrupted=_INTERRUPTED):
        if out is not None:
            writable_file(out, "--out")
        for path in journals:
            if not path.is_file():
                raise ConfigurationError(f"{path}: no such evidence log")
        signer = existing_key(key)
        entries = read_register(journals, verifier=signer.verifier() if signer else None)
        now = datetime.now(UTC)
        if format_ is RegisterFormat.TABLE:
            table = Table(title="Breach register", title_justify="left")
            for name in ("Incident", "Detected", "Aware", "People", "Where", "Decisions", "Sent"):
                table.add_column(name)
            for entry in entries:
                table.add_row(
                    escape(f"{entry.incident_id} {entry.title}"),
                    entry.detected_at or "",
                    entry.awareness or "",
                    str(entry.people),
                    ", ".join(f"{k} {v}" for k, v in entry.by_jurisdiction.items()),
                    str(len(entry.decisions)),
                    entry.notified,
                )
            Output("table", json_flag=False).table(table)
            return
        if format_ is RegisterFormat.CSV:
            text = register_csv(entries)
        elif format_ is RegisterFormat.JSON:
            text = json.dumps(register_json(entries, generated_at=now), indent=2) + "\n"
        else:
            text = register_html(entries, generated_at=now)
        if out is None:
            sys.stdout.write(text)
        else:
            # The register names incidents and counts, no person; still, keep it private.
            write_private(out, text.encode())
            typer.echo(f"Register: {out} ({len(entries)} incidents)", err=True)
