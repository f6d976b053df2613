"""`magento-ir notify draft | approve | contacts check`: drafts on disk and on the record,
approvals in the terminal, the contact list's quarterly review."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import httpx
import pytest
from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.cli._config import ExitCode
from magento_ir.evidence import read_records, verify
from magento_ir.notify.approvals import read_decisions, require_sendable
from magento_ir.notify.drafts import Draft
from tests.conftest import REPO_ROOT
from tests.notify.drafting import AWARE, EXAMPLES

if TYPE_CHECKING:
    from pathlib import Path

FACTS = {
    "clock": {"awareness": AWARE.isoformat(), "discovery": AWARE.isoformat()},
    "affected": [
        {"jurisdiction": "US-CA", "count": 612, "categories": ["contact", "payment_card.pan"]},
        {"jurisdiction": "DE", "count": 40, "categories": ["contact", "payment_card.pan"]},
    ],
    "answers": {
        "eu-gdpr/art33-unlikely-risk": False,
        "eu-gdpr/art34-high-risk": True,
        "eu-gdpr/art34-measures": False,
        "eu-gdpr/art34-disproportionate": False,
    },
    "card_schemes": ["visa"],
    "merchant_country": "US",
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.json").write_text(json.dumps(FACTS), encoding="utf-8")
    return tmp_path


def invoke(*args: str, stdin: str | None = None):
    return CliRunner().invoke(app, ["notify", *args], input=stdin, env={"COLUMNS": "250"})


def _draft_all(*extra: str):
    return invoke(
        "draft", "facts.json", "--details", str(EXAMPLES / "details.example.toml"),
        "--out", "drafts", "--as-of", "2026-06-02", "--now", "2026-06-02T09:00:00+00:00",
        "--journal", "incident-journal.log", *extra,
    )  # fmt: skip


def test_draft_writes_every_notice_and_records_it(workdir: Path) -> None:
    """One draft per obligation (customer notices in the store's language and English), the
    brief, each recorded as notify.draft in the journal, which verifies."""
    result = _draft_all("--store-locale", "de_DE", "--locale", "en")
    assert result.exit_code == 0, result.output
    drafts = {Draft.load(p).draft_id: Draft.load(p) for p in (workdir / "drafts").iterdir()}
    assert "us-ca/individuals:de" in drafts
    assert "us-ca/individuals:en" in drafts
    assert "eu-gdpr/art34-individuals:de" in drafts
    assert "eu-gdpr/art33-authority/DE:en" in drafts
    assert "eu-gdpr/art33-authority/DE:de" not in drafts  # regulator reports are in English
    assert any(d.kind == "executive-brief" for d in drafts.values())
    assert all(not d.unfilled for d in drafts.values()), result.output
    recorded = [r.payload for r in read_records(workdir / "incident-journal.log")]
    hashes = {p["draft_id"]: p["sha256"] for p in recorded if "draft_id" in p}
    assert hashes == {i: d.sha256 for i, d in drafts.items()}
    assert verify(workdir / "incident-journal.log").ok
    assert "Missing values" in result.output


def test_draft_names_missing_values(workdir: Path) -> None:
    """A details file without the contact: the table names the gap and says what to do."""
    details = (EXAMPLES / "details.example.toml").read_text(encoding="utf-8")
    start = details.index("[contact]")
    end = details.index("[hr_contact]")
    (workdir / "details.toml").write_text(details[:start] + details[end:], encoding="utf-8")
    result = invoke(
        "draft", "facts.json", "--details", "details.toml", "--out", "drafts",
        "--as-of", "2026-06-02", "--now", "2026-06-02T09:00:00+00:00",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "contact.name" in result.output
    assert "cannot be approved" in result.output
    assert not (workdir / "incident-journal.log").exists()


def test_approve_in_the_terminal_two_people(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Legal approves when asked, the DPO with --approve: the draft becomes sendable."""
    monkeypatch.setattr("magento_ir.cli.notify_drafts._can_ask", lambda: True)
    assert _draft_all().exit_code == 0
    path = next((workdir / "drafts").glob("us-ca_individuals*.draft.json"))
    asked = invoke("approve", str(path), "--as", "Lee Legal", "--role", "legal", stdin="a\n")
    assert asked.exit_code == 0, asked.output
    assert "Notice of Data Breach" in asked.output  # the draft was shown
    assert "still needs dpo" in asked.output
    scripted = invoke("approve", str(path), "--as", "Dana DPO", "--role", "dpo", "--approve")
    assert scripted.exit_code == 0, scripted.output
    assert "sendable" in scripted.output
    draft = Draft.load(path)
    state = require_sendable(draft, read_decisions(workdir / "incident-journal.log"))
    assert state.approved_by == {"legal": "Lee Legal", "dpo": "Dana DPO"}


def test_reject_asks_why_and_skip_records_nothing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """r asks for a reason; s leaves no record; without a terminal it does not ask."""
    assert _draft_all().exit_code == 0
    path = next((workdir / "drafts").glob("us-ca_individuals*.draft.json"))
    no_terminal = invoke("approve", str(path), "--as", "Lee", "--role", "legal", stdin="a\n")
    assert no_terminal.exit_code == ExitCode.USAGE
    assert "no terminal to ask on" in no_terminal.output
    monkeypatch.setattr("magento_ir.cli.notify_drafts._can_ask", lambda: True)
    skipped = invoke("approve", str(path), "--as", "Lee", "--role", "legal", stdin="s\n")
    assert "Skipped: nothing recorded." in skipped.output
    assert read_decisions(workdir / "incident-journal.log") == []
    rejected = invoke("approve", str(path), "--as", "Lee", "--role", "legal", stdin="r\nDates\n")
    assert rejected.exit_code == 0, rejected.output
    [decision] = read_decisions(workdir / "incident-journal.log")
    assert (decision.decision, decision.reason) == ("rejected", "Dates")


def test_approve_refuses_what_it_cannot_record(workdir: Path) -> None:
    """Wrong role, a missing journal, both flags: an error line and nothing recorded."""
    assert _draft_all().exit_code == 0
    path = str(next((workdir / "drafts").glob("us-ca_individuals*.draft.json")))
    wrong = invoke("approve", path, "--as", "Harper", "--role", "hr", "--approve")
    assert wrong.exit_code == ExitCode.CHECK_FAILED
    assert "approved by legal, dpo, not 'hr'" in wrong.output
    missing = invoke("approve", path, "--as", "Lee", "--role", "legal", "--approve",
                     "--journal", "elsewhere.log")  # fmt: skip
    assert missing.exit_code == ExitCode.USAGE
    assert not (workdir / "elsewhere.log").exists()
    both = invoke("approve", path, "--as", "Lee", "--role", "legal", "--approve", "--reject")
    assert both.exit_code == ExitCode.USAGE
    assert read_decisions(workdir / "incident-journal.log") == []


def test_contacts_check_passes_and_fails_naming_each_entry(workdir: Path) -> None:
    """The example list is fine when fresh; 90 days on every entry is named; no channel too."""
    example = str(EXAMPLES / "contacts.example.toml")
    fresh = invoke("contacts", "check", example, "--as-of", "2026-12-06")
    assert fresh.exit_code == 0, fresh.output
    assert "11 contacts" in fresh.output
    stale = invoke("contacts", "check", example, "--as-of", "2027-03-01")
    assert stale.exit_code == ExitCode.CHECK_FAILED == 1
    assert "Dana Example (data protection officer): last reviewed 2026-11-20" in stale.output
    assert "11 problem(s) in 11 contacts" in stale.output
    text = (EXAMPLES / "contacts.example.toml").read_text(encoding="utf-8")
    text = text.replace('channels = { email = "hr@example.com", phone = "+1 555 0102" }\n', "")
    text = text.replace('role = "executive"', 'role = "board"')
    (workdir / "contacts.toml").write_text(text, encoding="utf-8")
    broken = invoke("contacts", "check", "contacts.toml", "--as-of", "2026-12-06")
    assert broken.exit_code == 1
    assert "internal: Harper Example (Human Resources): no channel" in broken.output
    assert 'internal: executive: nobody has role = "executive"' in broken.output


def test_contacts_file_errors_name_the_entry(workdir: Path) -> None:
    """A wrong key or a missing owner is a usage error naming where."""
    (workdir / "bad.toml").write_text(
        '[[internal]]\nrole = "dpo"\nname = "X"\nreviewed = 2026-11-01\n', encoding="utf-8"
    )
    result = invoke("contacts", "check", "bad.toml")
    assert result.exit_code == ExitCode.USAGE
    assert "internal.0.owner" in result.output


def test_contacts_check_against_the_plan(workdir: Path) -> None:
    """With --facts, every notice owed to an authority, an AG or the card brands needs a contact
    that covers it; the example covers the magecart plan, a list without the AG does not."""
    example = EXAMPLES / "contacts.example.toml"
    facts = ["--facts", "facts.json", "--as-of", "2026-12-06"]
    covered = invoke("contacts", "check", str(example), *facts)
    assert covered.exit_code == 0, covered.output
    text = example.read_text(encoding="utf-8").replace('covers = ["us-ca/attorney-general"]\n', "")
    (workdir / "contacts.toml").write_text(text, encoding="utf-8")
    missing = invoke("contacts", "check", "contacts.toml", *facts)
    assert missing.exit_code == ExitCode.CHECK_FAILED
    assert "no contact covers us-ca/attorney-general" in missing.output
    assert "1 problem(s)" in missing.output


@pytest.mark.slow
def test_approve_web_serves_until_ctrl_c(workdir: Path) -> None:
    """`notify approve --web` prints a loopback URL with a token, records a decision posted to
    it, and stops on Ctrl-C with the decision kept."""
    assert _draft_all().exit_code == 0
    path = next((workdir / "drafts").glob("us-ca_individuals*.draft.json"))
    command = [
        sys.executable, "-m", "magento_ir", "notify", "approve", str(path), "--as", "Dana DPO",
        "--role", "dpo", "--web", "--journal", str(workdir / "incident-journal.log"),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COLUMNS": "200"}
    process = subprocess.Popen(  # noqa: S603 - our own command
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert process.stdout is not None
        url = ""
        for line in process.stdout:
            if line.startswith("http://127.0.0.1:"):
                url = line.strip()
                break
        assert url, process.stderr.read() if process.stderr else ""
        page = httpx.get(f"{url}draft/1").text
        form = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
        done = httpx.post(f"{url}draft/1", data={**form, "decision": "approve"})
        assert done.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Stopped the approval page" in out
    [decision] = read_decisions(workdir / "incident-journal.log")
    assert (decision.approver, decision.role, decision.decision) == ("Dana DPO", "dpo", "approved")
    assert verify(workdir / "incident-journal.log").ok


def test_contacts_file_that_is_not_toml(workdir: Path) -> None:
    """Broken TOML is a usage error naming the file."""
    (workdir / "broken.toml").write_text("[[internal]", encoding="utf-8")
    result = invoke("contacts", "check", "broken.toml")
    assert result.exit_code == ExitCode.USAGE
    assert "broken.toml: not valid TOML" in result.output
