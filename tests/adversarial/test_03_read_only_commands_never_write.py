"""Issue 9 item 3: `status`, `verify` and `evidence verify` never append, repair or sign; a torn
journal is repaired only by `evidence repair`, which records what it cut and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.containment.journal import Journal
from magento_ir.evidence import LogIntegrityError, SigningKey, read_checkpoints, read_records
from tests.adversarial._evidence_forgery import snapshot, write_journal

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("no_waits")


@pytest.fixture
def store(served: Sandbox, cli_env: Path) -> Path:  # noqa: ARG001 - the store must be served
    """The directory the CLI runs in, against a served sandbox: the journal is written here."""
    return cli_env


def _invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_status_verify_and_evidence_verify_leave_every_file_as_it_was(store: Path) -> None:
    """After a containment, the three read-only commands change no byte and no mtime, and add
    no checkpoint."""
    code, output = _invoke("contain", "--action", "maintenance mode=storefront", "--yes")
    assert code == ExitCode.OK, output
    journal = store / "incident-journal.log"
    key = str(store / "config" / "magento-ir" / "journal.key")
    checkpoints = read_checkpoints(journal)
    before = snapshot(store)
    code, output = _invoke("status")
    assert code == ExitCode.OK, output
    assert "maintenance" in output
    code, output = _invoke("verify")
    assert code == ExitCode.OK, output
    assert "verified" in output
    code, output = _invoke("evidence", "verify", str(journal), "--key", key)
    assert code == ExitCode.OK, output
    assert snapshot(store) == before
    assert read_checkpoints(journal) == checkpoints


def test_a_torn_journal_is_reported_not_repaired_until_asked(store: Path) -> None:
    """status refuses a torn journal without touching it; `evidence repair` cuts the torn line
    and records what it cut and why, then the journal verifies."""
    code, output = _invoke("contain", "--action", "maintenance mode=storefront", "--yes")
    assert code == ExitCode.OK, output
    journal = store / "incident-journal.log"
    key = str(store / "config" / "magento-ir" / "journal.key")
    torn = b'{"hash":"0123456789abcdef'
    with journal.open("ab") as handle:
        handle.write(torn)
    before = snapshot(store)
    code, output = _invoke("status")
    assert code == ExitCode.VERIFICATION_FAILED, output
    assert "evidence repair" in " ".join(output.split())
    code, output = _invoke("verify")
    assert code == ExitCode.VERIFICATION_FAILED, output
    code, output = _invoke("evidence", "verify", str(journal), "--key", key)
    assert code == ExitCode.VERIFICATION_FAILED, output
    assert "torn" in output
    assert snapshot(store) == before

    code, output = _invoke("evidence", "repair", str(journal), "--key", key)
    assert code == ExitCode.OK, output
    assert f"cut {len(torn)} bytes" in output
    repair = [record for record in read_records(journal) if record.type == "log.repair"]
    assert len(repair) == 1
    assert repair[0].payload["removed_length"] == len(torn)
    assert "crash during an append" in repair[0].payload["reason"]
    code, output = _invoke("evidence", "verify", str(journal), "--key", key)
    assert code == ExitCode.OK, output
    code, output = _invoke("evidence", "repair", str(journal), "--key", key)
    assert code == ExitCode.OK, output
    assert "nothing to repair" in output


def test_a_journal_cut_inside_its_signed_records_is_never_repaired(cli_env: Path) -> None:
    """Cut mid-record below the last checkpoint, a journal was truncated, not torn by a crash:
    neither resuming nor `evidence repair` cuts and signs over it (which would later read as a
    split view)."""
    key = SigningKey.generate("magento-ir-journal")
    key_file = key.save(cli_env / "journal.key")
    work = cli_env / "work"
    work.mkdir()
    journal = write_journal(work / "incident-journal.log", key)
    content = journal.read_bytes()
    journal.write_bytes(content[: content.index(b'"journal.rollback_result"')])
    before = snapshot(work)
    with pytest.raises(LogIntegrityError, match="truncated"):
        Journal.open(journal, key=key)
    code, output = _invoke("evidence", "repair", str(journal), "--key", str(key_file))
    assert code == ExitCode.VERIFICATION_FAILED, output
    assert "were cut off" in " ".join(output.split())
    code, output = _invoke("status", "--journal", str(journal), "--key", str(key_file))
    assert code == ExitCode.VERIFICATION_FAILED, output
    lock = "incident-journal.log.lock"  # taken by the refused open, then released
    after = snapshot(work)
    assert {name: after[name] for name in after if name != lock} == {
        name: before[name] for name in before if name != lock
    }
