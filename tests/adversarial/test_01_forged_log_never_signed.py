"""Issue 9 item 1: a forged log is never signed; adopting one is explicit and recorded."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.containment.journal import Journal
from magento_ir.evidence import (
    SigningKey,
    UncoveredLogError,
    checkpoints_path,
    merkle,
    read_checkpoints,
    read_records,
)
from tests.adversarial._evidence_forgery import rehash, resign, write_journal

if TYPE_CHECKING:
    from pathlib import Path

KEY_NAME = "magento-ir-journal"


pytestmark = pytest.mark.usefixtures("cli_env")


@pytest.fixture
def key(tmp_path: Path) -> tuple[SigningKey, Path]:
    signing_key = SigningKey.generate(KEY_NAME)
    return signing_key, signing_key.save(tmp_path / "journal.key")


def _forge(path: Path) -> list[bytes]:
    """Drop the rollback records, re-chain, delete the checkpoints: the issue's attack."""
    lines = path.read_bytes().splitlines(keepends=True)
    forged = rehash([line for line in lines if b'"journal.rollback_result"' not in line])
    path.write_bytes(b"".join(forged))
    checkpoints_path(path).unlink()
    return forged


def test_a_rewritten_journal_is_refused_and_adopting_it_is_recorded(
    tmp_path: Path, key: tuple[SigningKey, Path]
) -> None:
    """A re-chained journal without checkpoints is refused (exit 6) until adopted; the adoption
    names who, when and the root adopted, and only then is the log signed."""
    signing_key, key_file = key
    path = write_journal(tmp_path / "incident-journal.log", signing_key)
    forged = _forge(path)
    with pytest.raises(UncoveredLogError, match="evidence adopt"):
        Journal.open(path, key=signing_key)
    assert path.read_bytes() == b"".join(forged)
    assert not checkpoints_path(path).exists()

    runner = CliRunner()
    status = runner.invoke(app, ["status", "--journal", str(path), "--key", str(key_file)])
    assert status.exit_code == ExitCode.UNTRUSTED_LOG == 6, status.output
    verify = ["evidence", "verify", str(path), "--key", str(key_file)]
    assert runner.invoke(app, verify).exit_code == ExitCode.VERIFICATION_FAILED
    assert not checkpoints_path(path).exists()

    adopt = ["evidence", "adopt", str(path), "--key", str(key_file), "--user", "alice",
             "--note", "journal restored from a backup"]  # fmt: skip
    result = runner.invoke(app, adopt)
    assert result.exit_code == 0, result.output
    adoption = [record for record in read_records(path) if record.type == "log.adopt"]
    assert len(adoption) == 1
    payload = adoption[0].payload
    assert adoption[0].seq == len(forged)
    assert payload["user"] == "alice"
    assert payload["note"] == "journal restored from a backup"
    assert payload["adopted_size"] == len(forged)
    leaves = [bytes.fromhex(record.hash) for record in read_records(path)][: len(forged)]
    frontier = merkle.Frontier()
    for leaf in leaves:
        frontier.append_leaf_hash(leaf)
    assert payload["adopted_root"] == frontier.root().hex()
    assert payload["verifier_key"] == str(signing_key.verifier())
    assert adoption[0].time  # when
    result = runner.invoke(app, verify)
    assert result.exit_code == 0, result.output
    Journal.open(path, key=signing_key).close()


def test_a_log_re_signed_by_another_key_is_refused(
    tmp_path: Path, key: tuple[SigningKey, Path]
) -> None:
    """Checkpoints re-signed by an attacker's key do not cover the log for the real key."""
    signing_key, _ = key
    path = write_journal(tmp_path / "incident-journal.log", signing_key)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(rehash(lines[:-2])))
    resign(path, SigningKey.generate(KEY_NAME))
    before = (path.read_bytes(), checkpoints_path(path).read_bytes())
    with pytest.raises(UncoveredLogError, match="not by the verifier key"):
        Journal.open(path, key=signing_key)
    assert (path.read_bytes(), checkpoints_path(path).read_bytes()) == before


KILLED_WRITER = """
import os, signal, sys
from magento_ir.containment.journal import Journal
from magento_ir.evidence import SigningKey
journal = Journal.open(sys.argv[1], key=SigningKey.load(sys.argv[2], "magento-ir-journal"))
journal.append("journal.plan", {"step": "a"})
journal.append("journal.prior_state", {"step": "a"})
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_journal_killed_before_its_next_checkpoint_resumes(
    tmp_path: Path, key: tuple[SigningKey, Path]
) -> None:
    """kill -9 leaves records after the last checkpoint, chained onto it: resuming accepts them
    and records how many were not signed."""
    signing_key, key_file = key
    path = tmp_path / "incident-journal.log"
    writer = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", KILLED_WRITER, str(path), str(key_file)], check=False, timeout=60
    )
    assert writer.returncode == -signal.SIGKILL
    assert len(read_checkpoints(path)) == 1  # the one at creation
    journal = Journal.open(path, key=signing_key)
    journal.close()
    reopened = [record for record in read_records(path) if record.type == "custody"][-1]
    assert reopened.payload["action"] == "reopened"
    assert reopened.payload["uncovered_tail"] == {"first": 1, "count": 2}
    result = CliRunner().invoke(app, ["evidence", "verify", str(path), "--key", str(key_file)])
    assert result.exit_code == 0, result.output
