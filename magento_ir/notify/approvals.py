"""Four-eyes approval of notice drafts, on the record (issue 13, item 3).

A regulator, customer or employee notice may be sent only once every role its audience needs
(by default legal and the DPO) has approved *that exact draft*: approvals name the draft's
SHA-256 (`Draft.sha256`), so any change to the draft voids them. Each role must be filled by a
different person, and a rejection of the current draft by anyone blocks it.

Decisions are records in the incident's evidence log (type `notify.approval`: who, which role,
the decision, the draft and its hash; the log adds when), which is also where they are read back:
there is no second store to disagree with the log.

Errors::

    MagentoIRError
    └── ApprovalError               the decision cannot be recorded (wrong role, unknown approver,
        │                           an incomplete draft, a rejection without a reason)
        └── NotApprovedError        the draft is not (or no longer) approved: .missing roles
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from magento_ir._exceptions import MagentoIRError
from magento_ir._toml import load_model
from magento_ir.evidence import read_records
from magento_ir.notify.drafts import Audience, Draft  # noqa: TC001 - pydantic reads them

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "APPROVAL_RECORD",
    "DEFAULT_POLICY",
    "ApprovalError",
    "ApprovalPolicy",
    "ApprovalStatus",
    "Decision",
    "NotApprovedError",
    "decide",
    "decisions",
    "load_policy",
    "read_decisions",
    "require_sendable",
    "status",
]

APPROVAL_RECORD = "notify.approval"


class ApprovalError(MagentoIRError):
    """A decision cannot be recorded as asked; the message says why and what to do."""


class NotApprovedError(ApprovalError):
    """The draft lacks approvals (or was rejected, or changed since): it must not be sent."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        self.missing = missing
        super().__init__(message)


class _Appendable(Protocol):
    """An evidence log (`EvidenceLog`) or an incident journal: anything that appends records."""

    def append(self, type: str, payload: dict[str, Any], /) -> Any: ...  # noqa: A002, ANN401


def _default_roles() -> dict[Audience, tuple[str, ...]]:
    return {
        "regulator": ("legal", "dpo"),
        "customer": ("legal", "dpo"),
        "employee": ("legal", "hr"),
        "internal": (),
    }


class ApprovalPolicy(BaseModel):
    """Which roles must approve each audience's notices, and who may act in each role.

    `approvers` maps a role to the people allowed to approve in it (names or e-mail addresses);
    a role not listed may be taken by anyone who names themselves (record who, not gatekeep).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    required: dict[Audience, tuple[str, ...]] = Field(default_factory=_default_roles)
    approvers: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _four_eyes(self) -> ApprovalPolicy:
        audiences: tuple[Audience, ...] = ("regulator", "customer")
        for audience in audiences:
            roles = self.required.get(audience, ())
            if len(set(roles)) < 2:  # noqa: PLR2004 - four eyes
                raise ValueError(
                    f"required.{audience} needs at least two different roles (four eyes), "
                    f"not {list(roles)}"
                )
        return self

    def roles_for(self, audience: Audience) -> tuple[str, ...]:
        return self.required.get(audience, ())


DEFAULT_POLICY = ApprovalPolicy()


def load_policy(path: str | Path) -> ApprovalPolicy:
    """An approval policy from TOML (`[required] customer = ["legal", "dpo"]`,
    `[approvers] dpo = ["dana@example.com"]`)."""
    return load_model(path, ApprovalPolicy, ApprovalError, what="the approval policy")


class Decision(BaseModel):
    """One approval or rejection of one draft version, as recorded in the evidence log."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    draft_id: str
    sha256: str
    template: str
    audience: Audience
    approver: str
    role: str
    decision: Literal["approved", "rejected"]
    reason: str = ""
    at: datetime


def decide(
    log: _Appendable,
    draft: Draft,
    *,
    approver: str,
    role: str,
    approve: bool,
    reason: str = "",
    policy: ApprovalPolicy = DEFAULT_POLICY,
    now: datetime | None = None,
) -> Decision:
    """Record `approver`'s decision on this exact draft in `log` and return it.

    Approving needs a complete draft (no unfilled placeholder) and a role the draft's audience
    requires; rejecting needs a reason, so the author knows what to change.
    """
    approver = approver.strip()
    if not approver:
        raise ApprovalError("name the approver (--as NAME): an anonymous decision proves nothing")
    roles = policy.roles_for(draft.audience)
    if role not in roles:
        wanted = ", ".join(roles) or "no one (it needs no approval)"
        raise ApprovalError(
            f"{draft.draft_id} ({draft.audience} notice) is approved by {wanted}, not {role!r}"
        )
    allowed = policy.approvers.get(role)
    if allowed is not None and approver not in allowed:
        raise ApprovalError(
            f"{approver!r} is not an approver for {role} in the approval policy "
            f"(allowed: {', '.join(allowed)})"
        )
    if approve:
        draft.require_complete()
    elif not reason.strip():
        raise ApprovalError("say why the draft is rejected (--reason), so it can be fixed")
    decision = Decision(
        draft_id=draft.draft_id,
        sha256=draft.sha256,
        template=draft.template,
        audience=draft.audience,
        approver=approver,
        role=role,
        decision="approved" if approve else "rejected",
        reason=reason.strip(),
        at=now or datetime.now(UTC),
    )
    log.append(APPROVAL_RECORD, decision.model_dump(mode="json"))
    return decision


def decisions(records: Iterable[Any]) -> list[Decision]:
    """The decisions among evidence records (`Record`s, or (type, payload) pairs as a
    journal's `records` gives them), in log order."""
    found: list[Decision] = []
    for record in records:
        kind, payload = (record.type, record.payload) if hasattr(record, "type") else record
        if kind == APPROVAL_RECORD:
            found.append(Decision.model_validate(payload))
    return found


def read_decisions(path: str | Path) -> list[Decision]:
    """Every decision recorded in the evidence log (or journal) at `path`."""
    if not Path(path).exists():
        return []
    return decisions(read_records(path))


class ApprovalStatus(BaseModel):
    model_config = ConfigDict(frozen=True)

    draft_id: str
    sha256: str
    required: tuple[str, ...]
    # role -> who approved this exact draft in it
    approved_by: dict[str, str]
    # who rejected this exact draft, with the reason
    rejected_by: dict[str, str]
    missing: tuple[str, ...]
    # decisions about earlier versions of this draft, void now
    stale: int

    @property
    def sendable(self) -> bool:
        return not self.missing and not self.rejected_by


def _match(roles: list[str], candidates: dict[str, list[str]]) -> dict[str, str]:
    """The largest assignment of distinct people to roles (four eyes: one person fills one
    role), so who approved first never hides a valid pairing. Roles are few: plain search."""
    best: dict[str, str] = {}

    def search(index: int, chosen: dict[str, str]) -> None:
        nonlocal best
        if len(chosen) > len(best):
            best = dict(chosen)
        if index == len(roles) or len(best) == len(roles):
            return
        role = roles[index]
        for person in candidates[role]:
            if person not in chosen.values():
                search(index + 1, {**chosen, role: person})
        search(index + 1, chosen)

    search(0, {})
    return {role: best[role] for role in roles if role in best}


def status(
    draft: Draft, found: Iterable[Decision], policy: ApprovalPolicy = DEFAULT_POLICY
) -> ApprovalStatus:
    """Where the draft stands: each person's latest decision on this exact version counts."""
    latest: dict[tuple[str, str], Decision] = {}
    stale = 0
    for decision in found:
        if decision.draft_id != draft.draft_id:
            continue
        if decision.sha256 != draft.sha256:
            stale += 1
            continue
        latest[decision.approver, decision.role] = decision
    required = policy.roles_for(draft.audience)
    candidates = {
        role: [a for (a, r), d in latest.items() if r == role and d.decision == "approved"]
        for role in required
    }
    approved_by = _match(list(required), candidates)
    rejected_by = {
        approver: decision.reason
        for (approver, _), decision in latest.items()
        if decision.decision == "rejected"
    }
    return ApprovalStatus(
        draft_id=draft.draft_id,
        sha256=draft.sha256,
        required=required,
        approved_by=approved_by,
        rejected_by=rejected_by,
        missing=tuple(role for role in required if role not in approved_by),
        stale=stale,
    )


def require_sendable(
    draft: Draft, found: Iterable[Decision], policy: ApprovalPolicy = DEFAULT_POLICY
) -> ApprovalStatus:
    """Raise unless the draft is complete and approved by every required role (four eyes)."""
    draft.require_complete()
    state = status(draft, found, policy)
    if state.rejected_by:
        who = ", ".join(f"{name}: {why}" for name, why in state.rejected_by.items())
        raise NotApprovedError(f"{draft.draft_id} was rejected ({who})", state.missing)
    if state.missing:
        void = f"; {state.stale} decision(s) on earlier versions are void" if state.stale else ""
        raise NotApprovedError(
            f"{draft.draft_id} (sha256 {draft.sha256[:12]}…) still needs approval by "
            f"{', '.join(state.missing)}{void}: `magento-ir notify approve`",
            state.missing,
        )
    return state
