"""Issue 9 item 2: `evidence verify` exits non-zero, in one line, whenever it cannot vouch for
the log; --allow-unsigned / --allow-tail accept that knowingly and the report says so."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli.evidence import evidence_app
from magento_ir.evidence import SigningKey, checkpoints_path
from tests.adversarial._evidence_forgery import rehash, resign, write_journal

if TYPE_CHECKING:
    from pathlib import Path

KEY = SigningKey.generate("magento-ir-journal")
VERIFIER = str(KEY.verifier())


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return write_journal(tmp_path / "evidence.log", KEY)  # 10 records


def _verify(log: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(evidence_app, ["verify", str(log), *args])
    return result.exit_code, result.output


def _one_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_no_verifier_key_means_signatures_not_checked(log: Path) -> None:
    """Signed checkpoints and no verifier: exit 1, "signatures not checked", never "match"."""
    code, output = _verify(log)
    assert code == 1
    line = _one_line(output)
    assert "signatures not checked" in line
    assert "match" not in output
    code, output = _verify(log, "--allow-unsigned")
    assert code == 0, output
    assert "signatures not checked" in output
    assert "match" not in output
    assert "accepted with --allow-unsigned" in output


def test_a_missing_checkpoints_file_fails(log: Path) -> None:
    """No checkpoints file: nothing is signed, exit 1 naming record 0, even with a verifier."""
    checkpoints_path(log).unlink()
    code, output = _verify(log, "--verifier", VERIFIER)
    assert code == 1
    line = _one_line(output)
    assert "record 0: no_checkpoints" in line
    assert "evidence.log.checkpoints is missing" in line
    code, output = _verify(log, "--verifier", VERIFIER, "--allow-unsigned")
    assert code == 0, output
    assert "--allow-unsigned" in output


def test_records_after_the_last_checkpoint_are_named(log: Path) -> None:
    """Three chained records past the last checkpoint: exit 1 saying how many and from which."""
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(rehash(lines + lines[-3:])))
    code, output = _verify(log, "--verifier", VERIFIER)
    assert code == 1
    flat = _one_line(output)
    assert "record 10" in flat
    assert "3 records (records 10..12) follow the last checkpoint (size 10)" in flat
    code, output = _verify(log, "--verifier", VERIFIER, "--allow-tail")
    assert code == 0, output
    assert "--allow-tail (3 records from record 10 unsigned)" in _one_line(output)


def test_a_checkpoint_signed_by_another_key_fails(log: Path) -> None:
    """Checkpoints re-signed by another key: exit 1, naming the signer and the verifier."""
    resign(log, SigningKey.generate("magento-ir-journal"))
    code, output = _verify(log, "--verifier", VERIFIER)
    assert code == 1
    flat = _one_line(output)
    assert "checkpoint_key" in flat
    assert f"not by the verifier key magento-ir-journal+{KEY.verifier().key_id.hex()}" in flat


def test_two_swapped_records_are_called_a_reorder(log: Path) -> None:
    """Swapping records 3 and 6 is reported as a reorder at record 3."""
    lines = log.read_bytes().splitlines(keepends=True)
    lines[3], lines[6] = lines[6], lines[3]
    log.write_bytes(b"".join(lines))
    code, output = _verify(log, "--verifier", VERIFIER)
    assert code == 1
    flat = _one_line(output)
    assert "record 3, line 4: reorder" in flat
    assert "line 4 holds record 6 but record 3 is at line 7: the records were reordered" in flat
