"""Notification on the record (issue 13, item 7): every plan, send attempt, provider answer and
failure goes into the incident's evidence log, and `status` reads the log back.

Record types (payloads are JSON; none holds a secret):

    notify.plan      {incident_id, as_of, obligations: [{key, recipient, recipient_name, deadline,
                     deadline_text, template, affected}]}
    notify.send      {obligation, channel, key, subject}                 before a send
    notify.receipt   {obligation, channel, key, action, provider_ids, accepted, refused, ...}
    notify.failure   {obligation, channel, key, error, retryable, status}
    notify.bulk      {obligation, phase: "started"|"finished"|"failed", ...counts, journal_sha256}
    notify.ack       {obligation, by, via}                               the recipient confirmed

Drafts and approvals are recorded by the drafting side (`notify.draft` naming its
`obligation_key`, `notify.approval` naming the draft and its hash); `status` reads them too.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, cast

from magento_ir.notify.approvals import (
    APPROVAL_RECORD,
    DEFAULT_POLICY,
    ApprovalPolicy,
    Decision,
    decisions,
    status,
)
from magento_ir.notify.channels._base import DeliveryError
from magento_ir.notify.drafts import DRAFT_RECORD

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from magento_ir.evidence import EvidenceLog, Record
    from magento_ir.notify.channels._base import Channel, Message, Receipt
    from magento_ir.notify.drafts import Draft
    from magento_ir.notify.engine import Plan
    from magento_ir.notify.outbox import BulkResult

__all__ = [
    "DeliveryRecorder",
    "ObligationStatus",
    "Stage",
    "file_sha256",
    "obligation_status",
]

Stage = Literal["planned", "drafted", "approved", "sent", "acknowledged"]
STAGES: tuple[Stage, ...] = ("planned", "drafted", "approved", "sent", "acknowledged")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class DeliveryRecorder:
    """Wraps channel sends so that each attempt and its outcome are in the evidence log."""

    def __init__(self, log: EvidenceLog) -> None:
        self.log = log

    def plan(self, plan: Plan, *, incident_id: str | None = None) -> Record:
        obligations = [
            {
                "key": item.key,
                "recipient": item.recipient,
                "recipient_name": item.recipient_name,
                "deadline": item.deadline.isoformat() if item.deadline else None,
                "deadline_text": item.deadline_text,
                "template": item.template,
                "affected": item.affected,
            }
            for item in plan.obligations
        ]
        return self.log.append(
            "notify.plan",
            {
                "incident_id": incident_id,
                "as_of": plan.as_of.isoformat(),
                "obligations": obligations,
            },
        )

    def deliver(self, channel: Channel, message: Message, *, obligation: str | None) -> Receipt:
        """Send through `channel`, recording the attempt first and the answer or failure after."""
        base = {"obligation": obligation, "channel": channel.name, "key": message.key}
        self.log.append("notify.send", {**base, "subject": message.subject})
        try:
            receipt = channel.send(message)
        except DeliveryError as error:
            self.log.append(
                "notify.failure",
                {**base, "error": str(error), "retryable": error.retryable, "status": error.status},
            )
            raise
        self.log.append("notify.receipt", {"obligation": obligation, **receipt.to_json()})
        return receipt

    def acknowledged(self, obligation: str, *, by: str, via: str) -> Record:
        return self.log.append("notify.ack", {"obligation": obligation, "by": by, "via": via})

    def bulk_started(
        self, obligation: str | None, *, key: str, recipients: int, journal: Path
    ) -> None:
        self.log.append(
            "notify.bulk",
            {"obligation": obligation, "phase": "started", "key": key,
             "recipients": recipients, "journal": str(journal)},
        )  # fmt: skip

    def bulk_finished(self, obligation: str | None, *, key: str, result: BulkResult) -> None:
        """The counts, every bounce, and the SHA-256 of the outbox journal (which holds each
        recipient's Message-ID and the server's answer), so the journal is on the record too."""
        self.log.append(
            "notify.bulk",
            {
                "obligation": obligation,
                "phase": "finished",
                "key": key,
                **result.to_json(),
                "journal_sha256": file_sha256(result.journal),
            },
        )

    def bulk_failed(self, obligation: str | None, *, key: str, error: Exception) -> None:
        self.log.append(
            "notify.bulk",
            {"obligation": obligation, "phase": "failed", "key": key, "error": str(error)},
        )


@dataclass(frozen=True)
class ObligationStatus:
    """Where one planned obligation stands, from the evidence log."""

    key: str
    recipient_name: str
    deadline: datetime | None
    deadline_text: str
    drafted: bool
    approved: bool
    sent: bool
    acknowledged: bool
    sent_at: str | None

    @property
    def stage(self) -> Stage:
        reached: Stage = "planned"
        for stage, done in (
            ("drafted", self.drafted),
            ("approved", self.approved),
            ("sent", self.sent),
            ("acknowledged", self.acknowledged),
        ):
            if done:
                reached = stage  # type: ignore[assignment]
        return reached

    def seconds_left(self, now: datetime) -> float | None:
        return None if self.deadline is None else (self.deadline - now).total_seconds()

    def overdue(self, now: datetime) -> bool:
        """Past its deadline and not sent (a notice sent in time is never overdue)."""
        if self.deadline is None or self.sent:
            return False
        return now > self.deadline

    def met(self) -> bool | None:
        """Sent before the deadline? None while unsent or without a deadline."""
        if not self.sent or self.deadline is None or self.sent_at is None:
            return None
        return datetime.fromisoformat(self.sent_at) <= self.deadline

    def to_json(self, now: datetime) -> dict[str, Any]:
        left = self.seconds_left(now)
        return {
            "key": self.key,
            "recipient_name": self.recipient_name,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "drafted": self.drafted,
            "approved": self.approved,
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "stage": self.stage,
            "sent_at": self.sent_at,
            "seconds_left": None if left is None else int(left),
            "overdue": self.overdue(now),
            "met_deadline": self.met(),
        }


@dataclass(frozen=True)
class _DraftRef:
    """What approvals.status reads of a draft: its id, hash and audience (from `notify.draft`)."""

    draft_id: str
    sha256: str
    audience: str


def _approved(draft: _DraftRef, found: list[Decision], policy: ApprovalPolicy) -> bool:
    # The drafting side's own four-eyes rule decides, not a second copy of it here.
    return status(cast("Draft", draft), found, policy).sendable


def obligation_status(
    records: Iterable[Record], policy: ApprovalPolicy = DEFAULT_POLICY
) -> list[ObligationStatus]:
    """Each obligation of the latest `notify.plan`, with what the log says happened to it.

    Pure: records in, statuses out. Drafted: a `notify.draft` names the obligation (the latest
    counts); approved: that exact draft (its hash) has every approval its audience needs and no
    rejection (approvals.status); sent: a receipt, or a finished bulk send with nothing deferred
    or skipped, names it; acknowledged: a `notify.ack` names it.
    """
    plan: list[dict[str, Any]] = []
    drafts: dict[str, _DraftRef] = {}
    found: list[Decision] = []
    sent: dict[str, str] = {}
    acked: set[str] = set()
    for record in records:
        payload = record.payload
        name = payload.get("obligation")
        if record.type == "notify.plan":
            plan = list(payload.get("obligations", []))
        elif record.type == DRAFT_RECORD and isinstance(payload.get("obligation_key"), str):
            drafts[payload["obligation_key"]] = _DraftRef(
                payload["draft_id"], payload["sha256"], payload["audience"]
            )
        elif record.type == APPROVAL_RECORD:
            found.extend(decisions([record]))
        elif not isinstance(name, str):
            continue
        elif record.type == "notify.receipt" and (
            payload.get("accepted") or payload.get("provider_ids")
        ):
            sent.setdefault(name, record.time)
        elif record.type == "notify.bulk" and payload.get("phase") == "finished":
            if not payload.get("deferred") and not payload.get("skipped"):
                sent.setdefault(name, record.time)
        elif record.type == "notify.ack":
            acked.add(name)
    return [
        ObligationStatus(
            key=item["key"],
            recipient_name=item.get("recipient_name", ""),
            deadline=datetime.fromisoformat(item["deadline"]) if item.get("deadline") else None,
            deadline_text=item.get("deadline_text", ""),
            drafted=item["key"] in drafts,
            approved=item["key"] in drafts and _approved(drafts[item["key"]], found, policy),
            sent=item["key"] in sent,
            acknowledged=item["key"] in acked,
            sent_at=sent.get(item["key"]),
        )
        for item in plan
    ]
