"""Crash safety: a writer killed mid-append leaves a log that verifies, or one whose torn tail
is reported and repaired on request; and sync="each" fsyncs every append."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from magento_ir.evidence import EvidenceLog, SigningKey, read_checkpoints, read_records, verify
from magento_ir.evidence import log as log_module

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

WRITER = """
import sys
from magento_ir.evidence import EvidenceLog, SigningKey
key = SigningKey.load(sys.argv[2], "crash-test")
with EvidenceLog.open(sys.argv[1], key=key, sync="batch", checkpoint_every=500) as log:
    number = 0
    while True:
        log.append("capture.cms_block", {"number": number, "content": "x" * 3000})
        number += 1
"""


def test_a_killed_writer_leaves_a_verifiable_or_repairable_log(tmp_path: Path) -> None:
    """SIGKILL mid-append: every checkpointed record survives, and repair restores a clean log."""
    key = SigningKey.generate("crash-test")
    key_path = key.save(tmp_path / "key.pem")
    path = tmp_path / "evidence.log"
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WRITER, str(path), str(key_path)]
    )
    try:
        deadline = time.monotonic() + 30
        while len(read_checkpoints(path)) < 4:  # the one at creation, then every 500
            assert writer.poll() is None, "the writer died on its own"
            assert time.monotonic() < deadline, "the writer made no checkpoints in 30 s"
            time.sleep(0.01)
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    signed = read_checkpoints(path, key.verifier())
    report = verify(path, key.verifier(), checkpoints=signed)
    assert report.ok or (report.problem is not None and report.problem.kind == "torn")
    assert report.records >= 1500
    with EvidenceLog.open(path, key=key, repair=True) as log:
        log.append("custody", {"action": "examined", "note": "after the crash"})
    after = verify(path, key.verifier(), checkpoints=signed)
    assert after.ok, after.summary()
    types = [record.type for record in read_records(path)]
    assert types[-1] == "custody"
    assert ("log.repair" in types) == (not report.ok)


def test_sync_each_fsyncs_every_append(
    tmp_path: Path, signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With sync="each", each append calls fsync once on the log before returning."""
    calls: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    with EvidenceLog.open(tmp_path / "e.log", key=signing_key, checkpoint_every=None) as log:
        monkeypatch.setattr(log_module.os, "fsync", counting_fsync)
        for number in range(5):
            log.append("detection", {"number": number})
        assert len(calls) == 5
        assert set(calls) == {log._handle.fileno()}
