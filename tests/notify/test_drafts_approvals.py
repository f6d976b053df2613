"""Four-eyes approvals: named roles approve one exact draft, on the evidence log, which still
verifies; a changed draft, a rejection or an unfilled placeholder stops the send."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import EvidenceLog, SigningKey, read_records, verify
from magento_ir.notify.approvals import (
    APPROVAL_RECORD,
    ApprovalError,
    ApprovalPolicy,
    NotApprovedError,
    decide,
    decisions,
    load_policy,
    read_decisions,
    require_sendable,
    status,
)
from magento_ir.notify.drafts import (
    DRAFT_RECORD,
    UnfilledPlaceholderError,
    record_draft,
    render_draft,
)
from tests.notify.drafting import FACTS, NOW, details, obligation_for

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.notify.drafts import Draft

KEY = SigningKey.generate("magento-ir-test")


@pytest.fixture
def log(tmp_path: Path) -> Iterator[EvidenceLog]:
    with EvidenceLog.open(tmp_path / "journal.log", key=KEY, user="tester", host="lab") as opened:
        yield opened


def _notice(**changes: object) -> Draft:
    found = details()
    found["organisation"] = {**found["organisation"], **changes}  # type: ignore[dict-item]
    return render_draft(
        "us-ca-individuals",
        details=found,
        obligation=obligation_for("us-state-notice"),
        facts=FACTS,
        now=NOW,
    )


def test_two_roles_approve_the_exact_draft_on_the_record(log: EvidenceLog) -> None:
    """Legal and the DPO approve; the decisions are in the log with who, when and the hash."""
    draft = _notice()
    record_draft(log, draft)
    with pytest.raises(NotApprovedError) as caught:
        require_sendable(draft, decisions(log.records()))
    assert caught.value.missing == ("legal", "dpo")
    decide(log, draft, approver="Lee Legal", role="legal", approve=True)
    with pytest.raises(NotApprovedError, match="still needs approval by dpo"):
        require_sendable(draft, decisions(log.records()))
    decide(log, draft, approver="Dana DPO", role="dpo", approve=True)
    state = require_sendable(draft, read_decisions(log.path))
    assert state.approved_by == {"legal": "Lee Legal", "dpo": "Dana DPO"}
    log.close()
    records = list(read_records(log.path))
    approvals = [r for r in records if r.type == APPROVAL_RECORD]
    assert [(r.payload["approver"], r.payload["sha256"]) for r in approvals] == [
        ("Lee Legal", draft.sha256),
        ("Dana DPO", draft.sha256),
    ]
    assert all(r.time and r.payload["at"] for r in approvals)
    assert [r.payload["sha256"] for r in records if r.type == DRAFT_RECORD] == [draft.sha256]
    assert verify(log.path, verifier=KEY.verifier()).ok


def test_one_person_cannot_fill_both_roles(log: EvidenceLog) -> None:
    """Four eyes: the same person approving as legal and as DPO counts once."""
    draft = _notice()
    decide(log, draft, approver="Sam", role="legal", approve=True)
    decide(log, draft, approver="Sam", role="dpo", approve=True)
    state = status(draft, decisions(log.records()))
    assert not state.sendable
    assert state.missing == ("dpo",)


def test_a_changed_draft_voids_its_approvals(log: EvidenceLog) -> None:
    """Approvals name the hash: editing the notice needs both approvals again."""
    draft = _notice()
    decide(log, draft, approver="Lee Legal", role="legal", approve=True)
    decide(log, draft, approver="Dana DPO", role="dpo", approve=True)
    changed = _notice(name="Luma and Co")
    assert changed.draft_id == draft.draft_id
    assert changed.sha256 != draft.sha256
    with pytest.raises(NotApprovedError, match="2 decision\\(s\\) on earlier versions are void"):
        require_sendable(changed, decisions(log.records()))
    require_sendable(draft, decisions(log.records()))


def test_a_rejection_blocks_until_the_person_approves(log: EvidenceLog) -> None:
    """A rejection needs a reason and stops the send; that person's later approval lifts it."""
    draft = _notice()
    with pytest.raises(ApprovalError, match="say why"):
        decide(log, draft, approver="Dana DPO", role="dpo", approve=False)
    decide(log, draft, approver="Lee Legal", role="legal", approve=True)
    decide(log, draft, approver="Dana DPO", role="dpo", approve=False, reason="Wrong date")
    with pytest.raises(NotApprovedError, match="rejected \\(Dana DPO: Wrong date\\)"):
        require_sendable(draft, decisions(log.records()))
    decide(log, draft, approver="Dana DPO", role="dpo", approve=True)
    assert require_sendable(draft, decisions(log.records())).sendable


def test_an_unfilled_draft_cannot_be_approved(log: EvidenceLog) -> None:
    """The typed error names the placeholder; nothing is recorded."""
    found = details()
    del found["contact"]["email"]  # type: ignore[attr-defined]
    draft = render_draft(
        "us-ca-individuals", details=found, obligation=obligation_for("us-state-notice")
    )
    before = log.size
    with pytest.raises(UnfilledPlaceholderError, match=r"contact\.email"):
        decide(log, draft, approver="Lee Legal", role="legal", approve=True)
    assert log.size == before
    with pytest.raises(UnfilledPlaceholderError):
        require_sendable(draft, [])


def test_roles_and_named_approvers_come_from_the_policy(log: EvidenceLog) -> None:
    """A role the audience does not need, or a person not named for the role, is refused."""
    draft = _notice()
    with pytest.raises(ApprovalError, match="approved by legal, dpo, not 'hr'"):
        decide(log, draft, approver="Harper", role="hr", approve=True)
    policy = ApprovalPolicy(approvers={"dpo": ("dpo@example.com",)})
    with pytest.raises(ApprovalError, match="'Mallory' is not an approver for dpo"):
        decide(log, draft, approver="Mallory", role="dpo", approve=True, policy=policy)
    with pytest.raises(ApprovalError, match="name the approver"):
        decide(log, draft, approver="  ", role="dpo", approve=True)
    decide(log, draft, approver="dpo@example.com", role="dpo", approve=True, policy=policy)


def test_internal_brief_needs_no_approval() -> None:
    """The executive brief is internal: sendable as soon as it is complete."""
    brief = render_draft("executive-brief", details=details(), facts=FACTS, now=NOW)
    assert require_sendable(brief, []).sendable


def test_policy_file_and_four_eyes_rule(tmp_path: Path) -> None:
    """A policy file sets roles and approvers; fewer than two roles for customers is refused."""
    good = tmp_path / "approvals.toml"
    good.write_text(
        '[required]\ncustomer = ["legal", "dpo", "pr"]\nregulator = ["legal", "dpo"]\n'
        '[approvers]\nlegal = ["lee@example.com"]\n',
        encoding="utf-8",
    )
    policy = load_policy(good)
    assert policy.roles_for("customer") == ("legal", "dpo", "pr")
    assert policy.roles_for("employee") == ()
    bad = tmp_path / "bad.toml"
    bad.write_text('[required]\ncustomer = ["legal"]\n', encoding="utf-8")
    with pytest.raises(ApprovalError, match="two different roles"):
        load_policy(bad)
    with pytest.raises(ApprovalError, match="cannot read the approval policy"):
        load_policy(tmp_path / "missing.toml")
    (tmp_path / "broken.toml").write_text("[required", encoding="utf-8")
    with pytest.raises(ApprovalError, match="not valid TOML"):
        load_policy(tmp_path / "broken.toml")


def test_decisions_read_from_journal_pairs() -> None:
    """A journal's (type, payload) pairs work as well as evidence records."""
    draft = _notice()

    class Pairs(list[tuple[str, dict[str, object]]]):
        def append(self, kind: str, payload: dict[str, object], /) -> None:  # type: ignore[override]
            super().append((kind, payload))

    pairs = Pairs()
    decide(pairs, draft, approver="Lee", role="legal", approve=True)
    decide(pairs, draft, approver="Dana", role="dpo", approve=True)
    assert status(draft, decisions(pairs)).sendable


def test_four_eyes_pairs_people_to_roles_whatever_the_order(log: EvidenceLog) -> None:
    """Sam approved as legal and as DPO, Lee as legal: Lee fills legal and Sam the DPO role."""
    draft = _notice()
    decide(log, draft, approver="Sam", role="legal", approve=True)
    decide(log, draft, approver="Sam", role="dpo", approve=True)
    decide(log, draft, approver="Lee", role="legal", approve=True)
    state = require_sendable(draft, decisions(log.records()))
    assert state.approved_by == {"legal": "Lee", "dpo": "Sam"}
