"""Fixtures for the delivery tests: a TLS mail server on loopback with a throwaway CA."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.notify.approvals import DEFAULT_POLICY, decide
from magento_ir.notify.drafts import load_details, record_draft, render_draft
from tests.conftest import REPO_ROOT
from tests.evidence.conftest import LoopbackCA, free_port, test_ca
from tests.notify.servers import MailServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.evidence import EvidenceLog
    from magento_ir.notify import Facts, Obligation, Plan

__all__ = ["draft_and_approve", "mail_server", "test_ca"]

SMTP_USER = "notifier"
SMTP_PASSWORD = "s3cret-smtp-pass-XYZ"


@pytest.fixture
def mail_server(test_ca: LoopbackCA, tmp_path: Path) -> Iterator[MailServer]:
    """aiosmtpd requiring STARTTLS, then AUTH, with one user."""
    server = MailServer(
        free_port(),
        tls=test_ca.server_context(),
        users={SMTP_USER: SMTP_PASSWORD},
        accepted_log=tmp_path / "maillog",
    ).start()
    yield server
    server.stop()


EXAMPLE_DETAILS = REPO_ROOT / "magento_ir" / "notify" / "examples" / "details.example.toml"


def draft_and_approve(
    log: EvidenceLog,
    folder: Path,
    *,
    template: str,
    obligation: Obligation | None = None,
    facts: Facts | None = None,
    plan: Plan | None = None,
) -> Path:
    """Render a notice, put it on the record and have two test approvers (legal and the DPO,
    or legal and HR for employees) approve that exact draft; the saved draft file."""
    draft = render_draft(
        template,
        details=load_details(EXAMPLE_DETAILS),
        obligation=obligation,
        facts=facts,
        plan=plan,
        strict=True,
    )
    record_draft(log, draft)
    for role in DEFAULT_POLICY.roles_for(draft.audience):
        decide(log, draft, approver=f"{role.upper()} Approver", role=role, approve=True)
    return draft.save(folder)
