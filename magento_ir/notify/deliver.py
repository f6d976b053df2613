"""From an approved draft to a channel message: the gate between issue 13's drafting side
(templates, four-eyes approvals) and its delivery side (channels, the bulk outbox).

A regulator, customer or employee notice leaves only as the exact draft its approvers approved
(`require_sendable` checks the draft's SHA-256 against the decisions in the evidence log); the
message key names the draft's hash too, so an edited and re-approved draft is a new notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir.notify.approvals import (
    DEFAULT_POLICY,
    ApprovalPolicy,
    read_decisions,
    require_sendable,
)
from magento_ir.notify.channels._base import Message

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.notify.drafts import Draft

__all__ = ["approved_message", "message_from_draft"]


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
    audience needs, as the evidence log at `journal` records (NotApprovedError otherwise)."""
    require_sendable(draft, read_decisions(journal), policy)
    return message_from_draft(draft, incident_id=incident_id, recipients=recipients)
