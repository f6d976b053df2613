"""Issue 9 item 5: journals, evidence logs, checkpoints, exports and drill reports are created
0600, and the directories made for them 0700, whatever the umask lets through."""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli.evidence import evidence_app
from magento_ir.containment.journal import Journal
from magento_ir.drill._report import DrillReport
from magento_ir.evidence import EvidenceLog, SigningKey, checkpoints_path
from tests.adversarial._evidence_forgery import rehash, write_journal

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

KEY = SigningKey.generate("magento-ir-journal")


@pytest.fixture(autouse=True)
def _permissive_umask() -> Iterator[None]:
    """The common 022 umask: without explicit modes, files would be world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_evidence_log_its_checkpoints_and_lock_are_0600(tmp_path: Path) -> None:
    """EvidenceLog creates the log, `<log>.checkpoints` and `<log>.lock` owner-only."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=KEY) as log:
        log.append("detection", {"email": "someone@example.com"})
    for written in (path, checkpoints_path(path), path.with_name("evidence.log.lock")):
        assert _mode(written) == 0o600, written


def test_a_journal_is_0600(tmp_path: Path) -> None:
    """The incident journal (and its checkpoints) are owner-only."""
    path = tmp_path / "incident-journal.log"
    journal = Journal.open(path, key=KEY)
    journal.append("incident.opened", {"id": "IR-1", "title": "t", "store": "s"})
    journal.close()
    assert _mode(path) == 0o600
    assert _mode(checkpoints_path(path)) == 0o600


def test_an_adopted_log_gets_0600_checkpoints(tmp_path: Path) -> None:
    """Adoption writes a new checkpoints file, owner-only."""
    path = write_journal(tmp_path / "evidence.log", KEY)
    path.write_bytes(b"".join(rehash(path.read_bytes().splitlines(keepends=True)[:-1])))
    checkpoints_path(path).unlink()
    EvidenceLog.adopt(path, key=KEY)
    assert _mode(checkpoints_path(path)) == 0o600


@pytest.mark.parametrize("export_format", ["ecs", "ocsf", "cef"])
def test_an_export_is_0600_even_over_an_existing_file(tmp_path: Path, export_format: str) -> None:
    """`evidence export -o` writes its file owner-only, also when it replaces a 0644 one."""
    log = write_journal(tmp_path / "evidence.log", KEY)
    fresh, existing = tmp_path / "fresh.out", tmp_path / "existing.out"
    existing.write_text("old")
    existing.chmod(0o644)
    for output in (fresh, existing):
        args = ["export", "--format", export_format, str(log), "--out", str(output)]
        result = CliRunner().invoke(evidence_app, args)
        assert result.exit_code == 0, result.output
        assert _mode(output) == 0o600, output


def test_drill_reports_and_their_directory_are_private(tmp_path: Path) -> None:
    """DrillReport.write creates its directory 0700 and every file in it 0600: the three
    reports and the copy of the journal (with its checkpoints)."""
    journal = tmp_path / "drill-report-journal.log"
    journal.write_text("{}\n")
    journal.chmod(0o644)
    journal.with_name(journal.name + ".checkpoints").write_text("note\n")
    report = DrillReport(
        scenario="magecart", playbook="magecart", store={}, started_at="2026-12-06T00:00:00Z",
        staged=(), actions=(), rollbacks=(), outside_checks=(), state_checks=(),
        contain_seconds=0.0, total_seconds=0.0, journal=str(journal),
    )  # fmt: skip
    directory = tmp_path / "reports" / "drill"
    files = report.write(directory)
    assert _mode(directory) == 0o700
    assert _mode(directory.parent) == 0o700
    written = [files.json, files.markdown, files.html, *files.journal]
    assert len(files.journal) == 2
    assert sorted(path.name for path in directory.iterdir()) == sorted(p.name for p in written)
    for path in written:
        assert _mode(path) == 0o600, path
    files.json.chmod(0o644)
    report.write(directory)
    assert _mode(files.json) == 0o600
