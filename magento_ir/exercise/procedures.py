"""The written incident-response and breach-notification procedures, rendered from the files the
tools execute (issue 15, item 6): the containment playbooks, the notification policy, the
approval policy, the notification rules and the contact list.

An auditor reads the same data `contain`, `notify plan`, `notify policy` and `notify approve`
act on, so the document cannot drift from what runs: change a playbook or the policy and the
document changes with it. Each source is named with its SHA-256 and review date, so a printed
copy can be tied to the exact files.

`load_sources()` reads the files (the shipped ones unless told otherwise); `procedures()` is a
pure function of what was read and the day, returning a `Document` rendered to Markdown or to
one self-contained, accessible HTML page by the drill report's renderer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from magento_ir._exceptions import ConfigurationError
from magento_ir._version import __version__
from magento_ir.containment.actions import ACTIONS, changes, rollback_effect
from magento_ir.containment.playbooks import Playbook, shipped_playbooks
from magento_ir.drill._render import (
    Block,
    Code,
    Document,
    Heading,
    Items,
    Section,
    Strong,
    Table,
    Text,
)
from magento_ir.notify.approvals import DEFAULT_POLICY, ApprovalPolicy
from magento_ir.notify.approvals import load_policy as load_approval_policy
from magento_ir.notify.categories import CATEGORIES, expand
from magento_ir.notify.contacts import REVIEW_EVERY, ContactList, load_contacts
from magento_ir.notify.engine import STALE_AFTER
from magento_ir.notify.policy import Policy, parse_policy
from magento_ir.notify.rules import load_rules

if TYPE_CHECKING:
    from magento_ir.notify.contacts import Contact
    from magento_ir.notify.rules import ObligationRule, Rule

__all__ = ["Document", "Source", "Sources", "load_sources", "procedures"]

# A policy's own review period (it says "review it quarterly").
POLICY_REVIEW_EVERY = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class Source:
    """One file the procedures come from: what it is, where, its SHA-256, when reviewed."""

    kind: str
    path: str
    sha256: str
    reviewed: date | None = None


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything the procedures are rendered from, as the tools load it."""

    playbooks: tuple[Playbook, ...]
    policy: Policy
    approvals: ApprovalPolicy
    rules: tuple[Rule, ...]
    contacts: ContactList | None
    files: tuple[Source, ...]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ConfigurationError(f"cannot read the {what} {path}: {error.strerror}") from None


def load_sources(
    *,
    playbooks: Path | None = None,
    policy: Path | None = None,
    approvals: Path | None = None,
    rules: Path | None = None,
    contacts: Path | None = None,
) -> Sources:
    """Read the files the tools run on: a folder of playbook files (default: the shipped
    playbooks), the notification policy (default: the shipped one), the approval policy (default:
    legal and the DPO for regulators and customers, legal and HR for employees), a folder of
    rule files (default: the shipped rules) and the contact list (none by default)."""
    files: list[Source] = []
    books: list[Playbook] = []
    if playbooks is None:
        for name, book in shipped_playbooks().items():
            books.append(book)
            files.append(Source(f"playbook {name}", book.source, _digest(book.text.encode())))
    else:
        paths = sorted(playbooks.glob("*.toml"))
        if not paths:
            raise ConfigurationError(f"{playbooks} holds no *.toml playbook files")
        for path in paths:
            book = Playbook.from_file(path)
            books.append(book)
            files.append(Source(f"playbook {book.name}", str(path), _digest(book.text.encode())))

    policy_path = policy or Path(str(resources.files("magento_ir.notify") / "policy.toml"))
    policy_text = _read(policy_path, "notification policy")
    loaded_policy = parse_policy(
        policy_text.decode("utf-8", errors="replace"), source=policy_path.name
    )
    shown = str(policy_path) if policy else "magento_ir/notify/policy.toml"
    files.append(
        Source(
            "notification policy",
            shown,
            _digest(policy_text),
            loaded_policy.policy.last_reviewed,
        )
    )

    loaded_approvals = DEFAULT_POLICY
    if approvals is not None:
        loaded_approvals = load_approval_policy(approvals)
        files.append(Source("approval policy", str(approvals), _digest(_read(approvals, "file"))))

    folder = rules or Path(str(resources.files("magento_ir.notify") / "rules"))
    rule_paths = sorted(folder.glob("*.toml"))
    if not rule_paths:
        raise ConfigurationError(f"{folder} holds no *.toml rule files")
    loaded_rules = load_rules(rule_paths)
    for path, rule in zip(rule_paths, loaded_rules, strict=True):
        shown = str(path) if rules else f"magento_ir/notify/rules/{path.name}"
        files.append(
            Source(
                f"rule {rule.rule.id}", shown, _digest(path.read_bytes()), rule.rule.last_reviewed
            )
        )

    loaded_contacts = None
    if contacts is not None:
        loaded_contacts = load_contacts(contacts)
        files.append(Source("contact list", str(contacts), _digest(_read(contacts, "file"))))
    return Sources(
        playbooks=tuple(books),
        policy=loaded_policy,
        approvals=loaded_approvals,
        rules=loaded_rules,
        contacts=loaded_contacts,
        files=tuple(files),
    )


# --- the document: a pure function of the sources and the day ---------------------------------


def procedures(sources: Sources, *, as_of: date) -> Document:
    """The procedures document as of `as_of` (which reviews are due is judged on that day)."""
    sections = (
        _roles(sources),
        _response(sources),
        _playbooks(sources.playbooks),
        _paging(sources.policy),
        _approvals(sources.approvals),
        _obligations(sources.rules),
        _hr(sources),
        _external_contacts(sources.contacts),
        _reviews(sources, as_of),
        _source_files(sources.files),
    )
    intro = (
        Text(
            (
                "These procedures are generated by ",
                Code(f"magento-ir {__version__}"),
                (
                    f" on {as_of.isoformat()} from the files the tools execute: the containment "
                    "playbooks ("
                ),
                Code("magento-ir contain"),
                "), the notification policy (",
                Code("magento-ir notify policy"),
                "), the approval policy (",
                Code("magento-ir notify approve"),
                "), the notification rules (",
                Code("magento-ir notify plan"),
                (
                    ") and the contact list. Changing one of them changes this document; the last "
                    "section names each file with its SHA-256."
                ),
            )
        ),
        Text(
            (
                Strong("The notification plan supports legal counsel; it does not replace it."),
                (
                    " Deadlines and recipients below are as the rules state them; the plan for an "
                    "actual breach is computed from its facts."
                ),
            )
        ),
    )
    return Document(
        title=(
            f"Incident response and breach notification procedures ({sources.policy.policy.title})"
        ),
        intro=intro,
        sections=sections,
    )


def _channels(contact: Contact) -> str:
    channels = contact.channels.model_dump(exclude_none=True)
    return ", ".join(f"{kind} {value}" for kind, value in channels.items()) or "none"


def _roles(sources: Sources) -> Section:
    policy = sources.policy
    blocks: list[Block] = [
        Text(
            (
                (
                    f"Policy owner: {policy.policy.owner}; last reviewed "
                    f"{policy.policy.last_reviewed.isoformat()}. Teams are paged on these channels:"
                ),
            )
        ),
        Table(
            ("Team", "Channel", "Responsibility"),
            tuple((name, team.channel, team.description) for name, team in policy.teams.items()),
        ),
    ]
    if sources.contacts is None:
        blocks.append(
            Text(
                (
                    "No contact list was given: render with ",
                    Code("--contacts FILE"),
                    " (the file ",
                    Code("magento-ir notify contacts check"),
                    " reviews) to list who fills each role.",
                )
            )
        )
    else:
        blocks += [
            Heading("Who fills each role"),
            Table(
                ("Role", "Name", "Channels", "Owner", "Reviewed"),
                tuple(
                    (c.role, c.name, _channels(c), c.owner, c.reviewed.isoformat())
                    for c in sources.contacts.internal
                ),
            ),
        ]
    return Section("roles", "Roles and how to reach them", tuple(blocks))


def _response(sources: Sources) -> Section:
    names = ", ".join(book.name for book in sources.playbooks)
    steps = (
        (Strong("Detect"), ": ", Code("magento-ir scan"), " and ", Code("magento-ir watch"),
         " find skimmers, rogue admins and integrations and open an incident."),
        (Strong("Contain"), ": ", Code("magento-ir contain PLAYBOOK"),
         (f" runs one of the playbooks below ({names}); every step is planned, applied, verified "
         "from the outside and journaled in the incident's signed evidence log.")),
        (Strong("Preserve evidence"), ": ", Code("magento-ir evidence capture"),
         " records the store's state into the same log; ", Code("magento-ir evidence verify"),
         " checks it."),
        (Strong("Assess"), ": ", Code("magento-ir notify assess"),
         " counts who was exposed, by jurisdiction and data category."),
        (Strong("Notify"), ": ", Code("magento-ir notify plan"),
         (" lists the obligations below that the facts trigger, with deadlines; the policy pages "
         "the teams and names the drafts; each external notice needs the approvals below before "),
         Code("magento-ir notify send"), " sends it."),
        (Strong("Recover"), ": ", Code("magento-ir rollback"),
         " undoes the reversible containment steps, newest first."),
    )  # fmt: skip
    return Section(
        "response",
        "Incident response, step by step",
        (Items(steps),),
    )


def _literal(value: object) -> str:
    """A parameter as written: `$input` references as they are, values as JSON (TOML-like)."""
    if isinstance(value, str) and value.startswith("$"):
        return value
    return json.dumps(value, ensure_ascii=False)


def _playbooks(books: tuple[Playbook, ...]) -> Section:
    blocks: list[Block] = []
    for book in books:
        blocks.append(Heading(f"{book.title} ({book.name})"))
        if book.description:
            blocks.append(Text((" ".join(book.description.split()),)))
        if book.inputs:
            blocks.append(
                Table(
                    ("Input", "Type", "Required", "Description"),
                    tuple(
                        (
                            item.name,
                            item.type,
                            "yes" if item.required else f"no (default {item.default!r})",
                            item.description,
                        )
                        for item in book.inputs
                    ),
                )
            )
        rows = []
        for step in book.steps:
            action = ACTIONS[step.action]
            params = ", ".join(f"{key}={_literal(value)}" for key, value in step.params.items())
            runs = "always" if step.when is None else f"when {step.when} is given"
            rows.append(
                (
                    str(step.number),
                    step.action,
                    params or "-",
                    runs,
                    changes(action),
                    rollback_effect(action),
                )
            )
        blocks.append(
            Table(
                ("#", "Action", "Parameters", "Runs", "Changes in the store", "Rollback"),
                tuple(rows),
                numeric=frozenset({0}),
            )
        )
        blocks.append(Text(("Run it: ", Code(f"magento-ir contain {book.name}"), ".")))
    return Section("playbooks", "Containment playbooks", tuple(blocks))


def _categories(names: list[str]) -> str:
    return ", ".join(names) if names else "any personal data"


def _paging(policy: Policy) -> Section:
    rows = tuple(
        (
            rule.id,
            rule.description,
            _categories(rule.when_any) if rule.when_any else "any breach",
            ", ".join(f"{team} ({policy.teams[team].channel})" for team in rule.page) or "-",
            ", ".join(rule.drafts) or "-",
        )
        for rule in policy.rules
    )
    return Section(
        "paging",
        "Who is paged and which drafts are prepared",
        (
            Text(
                (
                    (
                        "Every rule whose data categories were exposed fires; a team is paged "
                        "once, for every rule that names it."
                    ),
                )
            ),
            Table(("Rule", "When", "Data exposed", "Page", "Drafts"), rows),
        ),
    )


def _approvals(approvals: ApprovalPolicy) -> Section:
    rows = tuple(
        (audience, ", ".join(roles) or "none (internal)")
        for audience, roles in approvals.required.items()
    )
    blocks: list[Block] = [
        Text(
            (
                (
                    "A notice is sent only once every role its audience needs has approved that "
                    "exact draft (its SHA-256), each role by a different person; any change to the "
                    "draft voids the approvals and a rejection blocks it."
                ),
            )
        ),
        Table(("Audience", "Roles that must approve"), rows),
    ]
    if approvals.approvers:
        blocks.append(
            Table(
                ("Role", "Who may approve in it"),
                tuple((role, ", ".join(people)) for role, people in approvals.approvers.items()),
            )
        )
    else:
        blocks.append(Text(("Anyone may act in a role, naming themselves on the record.",)))
    return Section("approvals", "Approval of notices (four eyes)", tuple(blocks))


def _trigger(obligation: ObligationRule) -> str:
    trigger = obligation.trigger
    parts = []
    if trigger.all_categories:
        parts.append("all of " + ", ".join(trigger.all_categories))
    if trigger.categories or not trigger.all_categories:
        parts.append(_categories(trigger.categories))
    if trigger.employees_only:
        parts.append("employees only")
    if trigger.more_than is not None:
        parts.append(f"more than {trigger.more_than} people")
    if trigger.at_least is not None:
        parts.append(f"at least {trigger.at_least} people")
    if trigger.encryption_safe_harbour:
        parts.append("not when encrypted with the key safe")
    if trigger.risk_tests:
        parts.append(f"{len(trigger.risk_tests)} risk test(s) decided by a person")
    return "; ".join(parts)


def _obligation_rows(
    rules: tuple[Rule, ...], *, employees: bool = False
) -> tuple[tuple[str, ...], ...]:
    rows = []
    for rule in rules:
        for obligation in rule.obligations:
            if employees and not _about_employees(obligation):
                continue
            rows.append(
                (
                    f"{rule.rule.id}/{obligation.id}",
                    ", ".join(rule.rule.jurisdictions),
                    obligation.recipient_name,
                    obligation.deadline.text,
                    _trigger(obligation),
                    obligation.citation.statute,
                )
            )
    return tuple(rows)


_HEADERS = ("Obligation", "Where", "Recipient", "Deadline", "When it applies", "Citation")


def _obligations(rules: tuple[Rule, ...]) -> Section:
    return Section(
        "obligations",
        "Breach notification obligations",
        (
            Text(
                (
                    (
                        f"{len(rules)} rules with "
                        f"{sum(len(rule.obligations) for rule in rules)} obligations. "
                    ),
                    Code("magento-ir notify plan FACTS"),
                    " computes which apply to a breach and when each is due; ",
                    Code("magento-ir notify explain KEY"),
                    " shows the reasoning for one.",
                )
            ),
            Table(_HEADERS, _obligation_rows(rules)),
        ),
    )


def _about_employees(obligation: ObligationRule) -> bool:
    trigger = obligation.trigger
    named = expand([*trigger.categories, *trigger.all_categories])
    return (
        trigger.employees_only
        or bool(named & expand(["hr"]))
        or any(test.employees_only for test in trigger.risk_tests)
    )


def _hr(sources: Sources) -> Section:
    hr = expand(["hr"])
    paging = [rule for rule in sources.policy.rules if rule.employees or expand(rule.when_any) & hr]
    books = [book for book in sources.playbooks if book.name.startswith("hr")]
    blocks: list[Block] = [
        Text(
            (
                "Employee records (",
                ", ".join(f"{name}: {CATEGORIES[name]}" for name in sorted(hr)),
                ") are assessed from the HR export with ",
                Code("magento-ir notify assess hr --file EXPORT.csv"),
                "; employees are notified with the employee notice, approved by "
                + (", ".join(sources.approvals.roles_for("employee")) or "nobody")
                + ".",
            )
        ),
    ]
    if paging:
        blocks.append(
            Items(
                tuple(
                    (Code(rule.id), f": {rule.description}; pages ", ", ".join(rule.page) or
                     "nobody", "; drafts ", ", ".join(rule.drafts) or "none")
                    for rule in paging
                )
            )
        )  # fmt: skip
    else:
        blocks.append(Text(("No rule of the notification policy names HR data.",)))
    blocks.extend(
        Text(("Containment: playbook ", Code(book.name), f" ({book.title}), above."))
        for book in books
    )
    rows = _obligation_rows(sources.rules, employees=True)
    if rows:
        blocks.append(Table(_HEADERS, rows))
    else:
        blocks.append(Text(("No notification rule is specific to employee records.",)))
    return Section("hr", "Employee (HR) data breaches", tuple(blocks))


def _external_contacts(contacts: ContactList | None) -> Section:
    if contacts is None:
        return Section(
            "contacts",
            "Authorities and processors",
            (Text(("No contact list was given.",)),),
        )
    blocks: list[Block] = []
    for title, entries in (
        ("Authorities", contacts.authorities),
        ("Processors", contacts.processors),
    ):
        blocks.append(Heading(title))
        if entries:
            blocks.append(
                Table(
                    ("Name", "Role", "Where", "Covers", "Channels", "Reviewed"),
                    tuple(
                        (c.name, c.role, c.jurisdiction or "-", ", ".join(c.covers) or "-",
                         _channels(c), c.reviewed.isoformat())
                        for c in entries
                    ),
                )
            )  # fmt: skip
        else:
            blocks.append(Text((f"No {title.lower()} listed.",)))
    return Section("contacts", "Authorities and processors", tuple(blocks))


def _reviews(sources: Sources, as_of: date) -> Section:
    due: list[tuple[str, str, str]] = []
    reviewed = sources.policy.policy.last_reviewed
    if as_of - reviewed > POLICY_REVIEW_EVERY:
        due.append(("notification policy", reviewed.isoformat(), f"{POLICY_REVIEW_EVERY.days}"))
    due.extend(
        (f"rule {rule.rule.id}", rule.rule.last_reviewed.isoformat(), str(STALE_AFTER.days))
        for rule in sources.rules
        if as_of - rule.rule.last_reviewed > STALE_AFTER
    )
    if sources.contacts is not None:
        for section in ("internal", "authorities", "processors"):
            due.extend(
                (f"contact {c.name}", c.reviewed.isoformat(), str(REVIEW_EVERY.days))
                for c in getattr(sources.contacts, section)
                if as_of - c.reviewed > REVIEW_EVERY
            )
    if not due:
        body: Block = Text((f"Every source is within its review period on {as_of.isoformat()}.",))
    else:
        body = Table(("Source", "Last reviewed", "Review every (days)"), tuple(due))
    return Section("reviews", f"Reviews due on {as_of.isoformat()}", (body,))


def _source_files(files: tuple[Source, ...]) -> Section:
    return Section(
        "sources",
        "Sources",
        (
            Table(
                ("Source", "File", "Reviewed", "SHA-256"),
                tuple(
                    (
                        item.kind,
                        item.path,
                        item.reviewed.isoformat() if item.reviewed else "-",
                        item.sha256,
                    )
                    for item in files
                ),
            ),
        ),
        data=[
            {
                "kind": item.kind,
                "path": item.path,
                "sha256": item.sha256,
                "reviewed": item.reviewed.isoformat() if item.reviewed else None,
            }
            for item in files
        ],
    )
