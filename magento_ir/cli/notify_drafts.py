"""`magento-ir notify draft | approve | contacts check`: notice drafts, four-eyes approvals
recorded in the incident's evidence log, and the contact list's quarterly review (issue 13).

Commands of the `notify` group (`magento_ir/cli/notify.py`); the logic lives in
`magento_ir.notify.drafts`, `approvals`, `approval_web` and `contacts`.
"""

from __future__ import annotations

import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from magento_ir._exceptions import ConfigurationError, MagentoIRError
from magento_ir.cli._config import ExitCode
from magento_ir.cli._errors import exit_codes
from magento_ir.cli._output import console
from magento_ir.cli._paths import writable_file
from magento_ir.cli._store import (
    DEFAULT_JOURNAL,
    client_for,
    global_options,
    settings,
    signing_key,
)
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
from magento_ir.notify import plan

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.evidence import EvidenceLog
    from magento_ir.notify.approvals import ApprovalPolicy
    from magento_ir.notify.drafts import Draft

__all__: list[str] = []

_T = TypeVar("_T")

_JournalOrNone = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        envvar="MAGENTO_IR_JOURNAL",
        help="Record each draft (type notify.draft) in this incident journal or evidence log.",
    ),
]
_ApprovalJournal = Annotated[
    Path,
    typer.Option(
        "--journal",
        envvar="MAGENTO_IR_JOURNAL",
        help="The incident journal (or evidence log) the decisions are recorded in; must exist.",
    ),
]
_JournalKey = Annotated[
    Path | None,
    typer.Option(
        "--key",
        envvar="MAGENTO_IR_KEY_FILE",
        help="Ed25519 key signing the journal (default ~/.config/magento-ir/journal.key).",
    ),
]


@notify_app.command("draft")
def draft_command(  # noqa: PLR0917 - one parameter per command-line option
    ctx: typer.Context,
    facts_file: Annotated[
        Path, typer.Argument(help="The breach's facts as JSON (docs/notifications.md).")
    ],
    details: Annotated[
        Path,
        typer.Option(
            help="The incident's details (TOML; see notify/examples/details.example.toml)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder the drafts are written to.")],
    rules: RulesOption = None,
    as_of: AsOfOption = None,
    now: Annotated[
        str | None,
        typer.Option(help="The notices' date and time, ISO 8601 with offset (default: now)."),
    ] = None,
    store_locale: Annotated[
        str | None,
        typer.Option(
            help="The store's locale (e.g. de_DE): customer notices are drafted in it. "
            "Default: read from the store (--base-url) when one is given."
        ),
    ] = None,
    locale: Annotated[
        list[str] | None,
        typer.Option(help="Also draft customer and employee notices in this language (repeat)."),
    ] = None,
    journal: _JournalOrNone = None,
    key: _JournalKey = None,
) -> None:
    """Render a draft of every notice the plan asks for, plus the executive brief."""
    from magento_ir.notify.drafts import load_details, render_plan  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        moment = _moment(now, "--now")
        day = _day(as_of) if as_of else moment.date()
        facts = _facts(facts_file)
        result = plan(facts, _rules(rules), as_of=day)
        found = _usage(load_details, details)
        if out.exists() and not out.is_dir():
            raise ConfigurationError(f"--out {out} is a file: give a folder for the drafts")
        if store_locale is None:
            store_locale = _store_locale(ctx)
        languages = [store_locale, *(locale or [])]
        drafts = render_plan(result, facts, details=found, locales=languages, now=moment)
        out.mkdir(parents=True, exist_ok=True)
        paths = [draft.save(out) for draft in drafts]
        if journal is not None:
            _record_drafts(journal, key, drafts)
        _print_drafts(drafts, paths)


def _store_locale(ctx: typer.Context) -> str | None:
    """The default store view's locale (`GET /V1/store/storeConfigs`), when a store is given."""
    resolved = settings(ctx)
    if not resolved.base_url:
        return None
    with client_for(resolved, global_options(ctx)) as client:
        views = [view for view in client.store.configs() if view.id != 0]
    # The default view ("default" on every install) speaks for the store; else the first one.
    default = next((view for view in views if view.code == "default"), None)
    chosen = default or min(views, key=lambda view: view.id, default=None)
    return chosen.locale if chosen else None


def _record_drafts(journal: Path, key: Path | None, drafts: list[Draft]) -> None:
    from magento_ir.evidence import EvidenceLog  # noqa: PLC0415
    from magento_ir.notify.drafts import record_draft  # noqa: PLC0415

    writable_file(journal, "--journal")
    with EvidenceLog.open(journal, key=signing_key(key), tool_args=["notify", "draft"]) as log:
        for draft in drafts:
            record_draft(log, draft)


def _print_drafts(drafts: list[Draft], paths: list[Path]) -> None:
    table = Table(title="Drafts", title_justify="left")
    for column in ("File", "Kind", "Language", "To", "Missing values", "SHA-256"):
        table.add_column(column)
    for draft, path in zip(drafts, paths, strict=True):
        table.add_row(
            escape(path.name),
            draft.kind,
            draft.locale,
            escape(draft.recipient_name or "(internal)"),
            escape(", ".join(draft.unfilled)) or "none",
            draft.sha256[:12],
        )
    console.print(table)
    incomplete = sum(1 for draft in drafts if draft.unfilled)
    if incomplete:
        console.print(
            f"{incomplete} draft(s) have missing values and cannot be approved: add them to the "
            "details file and draft again."
        )
    console.print("Next: `magento-ir notify approve DRAFT --as NAME --role ROLE`.")


@notify_app.command("approve")
def approve_command(  # noqa: PLR0917 - one parameter per command-line option
    drafts: Annotated[list[Path], typer.Argument(help="Draft files (*.draft.json).")],
    approver: Annotated[
        str, typer.Option("--as", help="Your name or e-mail address, as the record shows it.")
    ],
    role: Annotated[str, typer.Option(help="The role you approve in: legal, dpo, hr, ...")],
    journal: _ApprovalJournal = DEFAULT_JOURNAL,
    key: _JournalKey = None,
    policy: Annotated[
        Path | None,
        typer.Option(help="Approval policy (TOML): the roles each audience needs, who may act."),
    ] = None,
    approve: Annotated[
        bool, typer.Option("--approve", help="Approve without asking (scripts).")
    ] = False,
    reject: Annotated[bool, typer.Option("--reject", help="Reject without asking.")] = False,
    reason: Annotated[str, typer.Option(help="Why you reject (required to reject).")] = "",
    web: Annotated[
        bool,
        typer.Option("--web", help="Serve a local approval page instead of asking here."),
    ] = False,
    port: Annotated[int, typer.Option(help="Port of the --web page (default: a free one).")] = 0,
) -> None:
    """Approve or reject drafts as one named approver; each decision is recorded in the journal."""
    from magento_ir.evidence import EvidenceLog  # noqa: PLC0415
    from magento_ir.notify.approvals import DEFAULT_POLICY, load_policy  # noqa: PLC0415
    from magento_ir.notify.drafts import Draft  # noqa: PLC0415

    with exit_codes(interrupted="Interrupted. Decisions already made are recorded."):
        if approve and reject:
            raise ConfigurationError("pass --approve or --reject, not both")
        if not journal.is_file():
            raise ConfigurationError(
                f"no incident journal at {journal}: pass --journal with the incident's journal"
            )
        rules = _usage(load_policy, policy) if policy else DEFAULT_POLICY
        loaded = [_usage(Draft.load, path) for path in drafts]
        decision = "approve" if approve else "reject" if reject else None
        if decision is None and not web and not _can_ask():
            raise ConfigurationError("no terminal to ask on: pass --approve or --reject, or --web")
        tool_args = ["notify", "approve", "--as", approver, "--role", role]
        with EvidenceLog.open(journal, key=signing_key(key), tool_args=tool_args) as log:
            if web:
                _serve(drafts, log, approver, role, rules, port)
                return
            for path, draft in zip(drafts, loaded, strict=True):
                _decide_here(log, path, draft, approver, role, rules, decision, reason)


def _can_ask() -> bool:
    return sys.stdin.isatty()


def _usage(load: Callable[[Path], _T], path: Path) -> _T:
    """A file the user named that cannot be used is a usage error (exit 2), naming the file."""
    try:
        return load(path)
    except MagentoIRError as error:
        raise ConfigurationError(str(error)) from None


def _serve(  # noqa: PLR0917 - the page's inputs
    drafts: list[Path],
    log: EvidenceLog,
    approver: str,
    role: str,
    policy: ApprovalPolicy,
    port: int,
) -> None:
    from magento_ir.notify.approval_web import ApprovalServer  # noqa: PLC0415

    with ApprovalServer(
        drafts, log=log, approver=approver, role=role, policy=policy, port=port
    ) as server:
        console.print(
            f"Approval page for {escape(approver)} ({role}), on this computer only:\n{server.url}\n"
            "Give this address to the approver only (it is the key). Ctrl-C stops the page.",
            highlight=False,
            soft_wrap=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("Stopped the approval page. Decisions made are recorded.")


def _decide_here(  # noqa: PLR0917 - the decision's inputs
    log: EvidenceLog,
    path: Path,
    draft: Draft,
    approver: str,
    role: str,
    policy: ApprovalPolicy,
    decision: str | None,
    reason: str,
) -> None:
    from magento_ir.notify.approvals import decide, decisions, status  # noqa: PLC0415

    state = status(draft, decisions(log.records()), policy)
    console.print(f"Draft {escape(path.name)}", highlight=False)
    console.print(f"Subject: {escape(draft.subject)}", highlight=False)
    console.print(
        f"To: {escape(draft.recipient_name or '(internal)')} "
        f"({draft.audience} notice, {draft.locale})",
        highlight=False,
    )
    console.print(f"SHA-256: {draft.sha256}", highlight=False)
    console.print(
        f"Needs: {', '.join(state.required) or 'no approval'}; approved by: "
        f"{', '.join(f'{r}: {n}' for r, n in state.approved_by.items()) or 'nobody yet'}",
        highlight=False,
    )
    if draft.unfilled:
        console.print(f"Missing values: {escape(', '.join(draft.unfilled))}", highlight=False)
    if decision is None:
        console.print(
            escape(draft.parts.get("text/plain") or draft.parts.get("application/json", "")),
            highlight=False,
        )
        answer = typer.prompt("Approve this exact draft? [a]pprove, [r]eject, [s]kip", default="s")
        decision = {"a": "approve", "r": "reject"}.get(answer.strip().lower()[:1])
        if decision is None:
            console.print("Skipped: nothing recorded.")
            return
        if decision == "reject" and not reason:
            reason = typer.prompt("Why do you reject it?")
    made = decide(
        log,
        draft,
        approver=approver,
        role=role,
        approve=decision == "approve",
        reason=reason,
        policy=policy,
    )
    after = status(draft, decisions(log.records()), policy)
    done = (
        "sendable"
        if after.sendable
        else f"still needs {', '.join(after.missing) or 'the rejection lifted'}"
    )
    console.print(
        f"Recorded: {made.approver} {made.decision} {draft.draft_id} as {made.role}; {done}.",
        highlight=False,
    )


contacts_app = typer.Typer(
    name="contacts", help="Contact lists: internal, authorities, processors.", no_args_is_help=True
)
notify_app.add_typer(contacts_app, name="contacts")


@contacts_app.command("check")
def contacts_check_command(
    contacts_file: Annotated[Path, typer.Argument(help="The contacts file (TOML).")],
    as_of: Annotated[
        str | None, typer.Option(help="Check as of this day, YYYY-MM-DD (default: today, UTC).")
    ] = None,
    facts: Annotated[
        Path | None,
        typer.Option(help="Also check that every notice this breach's plan owes has a contact."),
    ] = None,
    rules: RulesOption = None,
) -> None:
    """Fail (exit 1) on entries reviewed more than 90 days ago, without a channel, a missing
    internal role or (with --facts) a planned notice no entry covers; each is named."""
    from magento_ir.notify.contacts import check, load_contacts  # noqa: PLC0415

    with exit_codes(interrupted=_INTERRUPTED):
        day = _day(as_of) if as_of else datetime.now(UTC).date()
        contacts = _usage(load_contacts, contacts_file)
        owed = plan(_facts(facts), _rules(rules), as_of=day).obligations if facts else ()
        problems = check(contacts, as_of=day, obligations=owed)
        count = len(contacts.internal) + len(contacts.authorities) + len(contacts.processors)
        if not problems:
            console.print(
                f"{count} contacts: every one reviewed in the last 90 days and reachable."
            )
            return
        for problem in problems:
            console.print(escape(str(problem)), highlight=False)
        console.print(f"{len(problems)} problem(s) in {count} contacts.")
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
