"""Issue 9, done means: every kind of tampering with a log is caught by `evidence verify
--verifier` (exit 1), and the one-line reason names the first bad record."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from magento_ir.cli.evidence import evidence_app
from magento_ir.evidence import SigningKey, canonical_json, checkpoints_path
from tests.adversarial._evidence_forgery import rehash, resign, write_journal
from tests.evidence._formats import FORMAT_VERSIONS

KEY = SigningKey.generate("magento-ir-journal")
ATTACKER = SigningKey.generate("magento-ir-journal")
KINDS = (
    "modify", "modify_and_rehash", "delete", "insert", "reorder", "truncate",
    "rehash_and_resign_with_another_key", "delete_checkpoints", "append_past_last_checkpoint",
)  # fmt: skip


@pytest.fixture(scope="module", params=FORMAT_VERSIONS, ids=lambda version: f"v{version}")
def original(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> tuple[list[bytes], bytes]:
    """A 14-record journal, checkpointed at 1, 3, 6, 9, 12 and 14, in each format version."""
    path = write_journal(tmp_path_factory.mktemp("original") / "evidence.log", KEY, steps=6,
                         checkpoint_every=3, version=request.param)  # fmt: skip
    return path.read_bytes().splitlines(keepends=True), checkpoints_path(path).read_bytes()


def _changed(line: bytes) -> bytes:
    record = json.loads(line)
    record["payload"]["tampered"] = True
    return canonical_json(record).encode() + b"\n"


def _tamper(  # noqa: PLR0911 - one branch per kind of tampering
    kind: str, data: st.DataObject, lines: list[bytes], log: Path
) -> tuple[int | None, str]:
    """Tamper with the log at `log`; return the first bad record and a text the reason holds."""
    count = len(lines)
    index = st.integers(0, count - 1)
    if kind == "modify":
        seq = data.draw(index)
        line = lines[seq]
        start = line.index(b'"payload":{') + len(b'"payload":{')
        # Within the payload: up to `prev` (version 2) or the payload digest (version 1).
        after = b',"prev"' if line.endswith(b',"v":2}\n') else b',"payload_sha256"'
        at = data.draw(st.integers(start, line.rindex(after) - 1))
        lines[seq] = line[:at] + bytes([line[at] ^ 0x01]) + line[at + 1 :]
        log.write_bytes(b"".join(lines))
        return seq, ""
    if kind == "modify_and_rehash":
        seq = data.draw(index)
        lines[seq] = _changed(lines[seq])
        log.write_bytes(b"".join(rehash(lines)))
        return seq, "do not match the signed checkpoint"
    if kind == "delete":
        seq = data.draw(index)
        del lines[seq]
        log.write_bytes(b"".join(lines))
        return seq, ""
    if kind == "insert":
        position, copied = data.draw(st.integers(0, count)), data.draw(index)
        lines.insert(position, lines[copied])
        log.write_bytes(b"".join(lines))
        return position + 1 if copied == position else position, ""
    if kind == "reorder":
        first = data.draw(st.integers(0, count - 2))
        second = data.draw(st.integers(first + 1, count - 1))
        lines[first], lines[second] = lines[second], lines[first]
        log.write_bytes(b"".join(lines))
        return first, "reordered"
    if kind == "truncate":
        content = b"".join(lines)
        cut = data.draw(st.integers(0, len(content) - 1))
        log.write_bytes(content[:cut])
        return content[:cut].count(b"\n"), ""
    if kind == "rehash_and_resign_with_another_key":
        seq = data.draw(index)
        lines[seq] = _changed(lines[seq])
        log.write_bytes(b"".join(rehash(lines)))
        resign(log, ATTACKER)
        return None, "evidence.log.checkpoints line 1: the checkpoint of size 14 is signed by"
    if kind == "delete_checkpoints":
        checkpoints_path(log).unlink()
        return 0, "no_checkpoints"
    added = data.draw(st.integers(1, 3))
    log.write_bytes(b"".join(rehash(lines + lines[-added:])))
    return count, f"{added} records (records {count}..{count + added - 1}) follow"


@settings(max_examples=200, deadline=None)
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_every_tampering_is_detected_and_the_first_bad_record_named(
    original: tuple[list[bytes], bytes], kind: str, data: st.DataObject
) -> None:
    """Modify, delete, insert, reorder, truncate, re-hash and re-sign, delete checkpoints,
    append: always exit 1, one line, naming the first bad record (or, re-signed, the foreign
    checkpoint)."""
    lines, checkpoints = original
    with tempfile.TemporaryDirectory() as directory:
        log = Path(directory) / "evidence.log"
        log.write_bytes(b"".join(lines))
        checkpoints_path(log).write_bytes(checkpoints)
        first_bad, says = _tamper(kind, data, list(lines), log)
        result = CliRunner().invoke(
            evidence_app, ["verify", str(log), "--verifier", str(KEY.verifier())]
        )
    assert result.exit_code == 1, (kind, result.output)
    reason = result.output.strip()
    assert "\n" not in reason
    assert says in reason
    if first_bad is None:
        assert "not by the verifier key" in reason
        return
    named = re.search(r"does not verify: record (\d+)", reason)
    assert named is not None, reason
    if kind == "modify_and_rehash":
        # The chain was recomputed: the signed roots show which checkpointed range changed.
        span = re.search(r"records (\d+)\.\.(\d+) do not match", reason)
        assert span is not None, reason
        assert int(span[1]) <= first_bad <= int(span[2]), reason
        assert int(named[1]) == int(span[1])
    else:
        assert int(named[1]) == first_bad, reason
