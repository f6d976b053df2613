"""From an approved draft to a channel message: the gate between issue 13's drafting side
(templates, four-eyes approvals) and its delivery side (channels, the bulk outbox).

A regulator, customer or employee notice leaves only as the exact draft its approvers approved
(`require_sendable` checks the draft's SHA-256 against the decisions in the evidence log); the
message key names the draft's hash too, so an edited and re-approved draft is a new notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from magento_ir._exceptions import MagentoIRError
from magento_ir.evidence import read_records
from magento_ir.notify.approvals import (
    DEFAULT_POLICY,
    ApprovalPolicy,
    decisions,
    require_sendable,
)
from magento_ir.notify.channels._base import Message
from magento_ir.notify.engine import _covers

if TYPE_CHECKING:
    from collections.abc import Iterable

    from magento_ir.notify.drafts import Draft
    from magento_ir.notify.exposure import Recipient, RecipientKey

__all__ = [
    "EXERCISE_RECORD_PREFIX",
    "ExerciseNoticeError",
    "addresses_for",
    "approved_message",
    "message_from_draft",
]

# Records an exercise run writes (magento_ir.exercise): a journal holding one is a drill's.
EXERCISE_RECORD_PREFIX = "exercise."


class ExerciseNoticeError(MagentoIRError):
    """The draft was approved in an exercise: it never goes to real recipients."""


def message_from_draft(
    draft: Draft, *, incident_id: str, recipients: tuple[str, ...] = ()
) -> Message:
    """The draft as a channel message: its subject, plain text and HTML (a regulator form's
    JSON goes as the text when there is no plain part)."""
    text = draft.parts.get("text/plain") or draft.parts.get("application/json", "")
    return Message(
        key=f"{incident_id}:{draft.draft_id}:{draft.sha256[:16]}",
        incident_id=incident_id,
        subject=draft.subject,
        text=text,
        html=draft.parts.get("text/html"),
        recipients=recipients,
        locale=draft.locale,
        details={"draft": draft.draft_id, "sha256": draft.sha256},
    )


def approved_message(
    draft: Draft,
    journal: Path,
    *,
    incident_id: str,
    recipients: tuple[str, ...] = (),
    policy: ApprovalPolicy = DEFAULT_POLICY,
) -> Message:
    """`message_from_draft`, only once the draft is complete and approved by every role its
    audience needs, as the evidence log at `journal` records (NotApprovedError otherwise).

    A draft approved in an exercise's journal is refused (ExerciseNoticeError): a drill's
    regulator or customer notice must never reach a real regulator or customer. Exercises
    send their notices through the exercise guard, to the exercise's roster only."""
    records = list(read_records(journal)) if Path(journal).exists() else []
    if any(record.type.startswith(EXERCISE_RECORD_PREFIX) for record in records):
        raise ExerciseNoticeError(
            f"{journal} is an exercise's evidence log: {draft.draft_id} was drafted and approved "
            "in a drill and is never sent to real recipients. Exercise notices go to the "
            "exercise's roster only (`magento-ir exercise`); for a real incident, draft and "
            "approve the notice in that incident's journal"
        )
    require_sendable(draft, decisions(records), policy)
    return message_from_draft(draft, incident_id=incident_id, recipients=recipients)


def addresses_for(
    recipients: Iterable[Recipient],
    key: RecipientKey,
    addresses: Iterable[str],
    *,
    jurisdictions: Iterable[str] | None = None,
) -> list[str]:
    """The e-mail addresses (from the store: customers, order e-mails) of the people on the
    assessment's pseudonymised recipient list, optionally only those of `jurisdictions`.

    The list names nobody by itself: each address is matched by its keyed pseudonym, so only
    the holder of the incident's recipient key can turn the list into addresses. Jurisdictions
    cover as in the rules: "US" covers "US-CA", "*" everyone. Each address
    once, in the order given; people mailed by post (no e-mail) are not in it.
    """
    wanted = None if jurisdictions is None else list(jurisdictions)
    pseudonyms = {
        person.pseudonym
        for person in recipients
        if not person.no_email and (wanted is None or _covers(wanted, person.jurisdiction))
    }
    found: dict[str, None] = {}
    for address in addresses:
        normal = address.strip().lower()
        if normal and key.pseudonym(normal) in pseudonyms:
            found.setdefault(normal)
    return list(found)
