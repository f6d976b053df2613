"""The evidence log: format, chain, checkpoints, locking, crash handling and proofs."""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING

import pytest

import magento_ir
from magento_ir.evidence import (
    Checkpoint,
    EvidenceFormatError,
    EvidenceLog,
    LogIntegrityError,
    LogLockedError,
    SigningKey,
    TornRecordError,
    canonical_json,
    checkpoints_path,
    inclusion_proof,
    merkle,
    read_checkpoint_file,
    read_checkpoints,
    read_records,
    record_in_checkpoint,
    verify,
)
from magento_ir.evidence import log as log_module
from magento_ir.evidence.log import GENESIS_PREV
from tests.evidence._formats import both_formats, new_logs_in
from tests.evidence.conftest import write_log

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


LAYOUTS = {
    1: ["hash", "payload", "payload_sha256", "prev", "seq", "time", "type"],
    2: ["hash", "payload", "prev", "seq", "time", "type", "v"],
}


@both_formats
def test_records_have_the_documented_fields_and_hashes(
    make_log: Callable[..., Path], log_version: int
) -> None:
    """Each line's hashes can be recomputed from the documented definitions alone, in either
    format version."""
    path = make_log(3)
    previous = GENESIS_PREV
    for seq, raw in enumerate(path.read_bytes().splitlines()):
        record = json.loads(raw)
        assert list(record) == LAYOUTS[log_version]
        assert raw.decode() == canonical_json(record)
        if log_version == 1:
            payload = canonical_json(record["payload"]).encode()
            assert record["payload_sha256"] == hashlib.sha256(payload).hexdigest()
        else:
            assert record["v"] == 2
        entry = canonical_json({k: v for k, v in record.items() if k != "hash"}).encode()
        assert record["hash"] == hashlib.sha256(b"\x00" + entry).hexdigest()
        assert record["prev"] == previous
        assert record["seq"] == seq
        assert RFC3339_UTC.fullmatch(record["time"])
        previous = record["hash"]


def test_first_record_is_custody_naming_origin_and_capturer(make_log: Callable[..., Path]) -> None:
    """Record 0 says who created the log, where, with which magento_ir version and key."""
    first = next(read_records(make_log(0)))
    assert first.type == "custody"
    assert first.payload["action"] == "created"
    assert first.payload["user"] == "tester"
    assert first.payload["host"] == "lab"
    assert first.payload["magento_ir_version"] == magento_ir.__version__
    assert first.payload["origin"].startswith("magento_ir/evidence/")
    assert first.payload["verifier_key"].startswith("magento-ir-test+")


@both_formats
def test_a_clean_log_verifies(make_log: Callable[..., Path], signing_key: SigningKey) -> None:
    """An untouched log verifies with its checkpoints, and the report gives size and root."""
    path = make_log(25, checkpoint_every=10)
    report = verify(path, signing_key.verifier())
    assert report.ok, report.summary()
    assert report.records == 26
    assert report.checkpoints_checked == 4  # at creation (1), 10, 20 and on close at 26
    assert report.covered == 26
    leaves = [bytes.fromhex(r.hash) for r in read_records(path)]
    frontier = merkle.Frontier()
    for leaf in leaves:
        frontier.append_leaf_hash(leaf)
    assert report.root == frontier.root()
    assert "OK: 26 records" in report.summary()


def test_verify_without_a_key_says_signatures_were_not_checked(
    make_log: Callable[..., Path],
) -> None:
    """With no verifier key the report says signatures were not checked, never that they match;
    requiring coverage then fails unless unsigned is allowed."""
    report = verify(make_log(2))
    assert report.ok
    assert not report.signatures_checked
    assert "signatures not checked" in report.summary()
    assert "match" not in report.summary()
    strict = report.require_coverage()
    assert strict.problem is not None
    assert strict.problem.kind == "unsigned"
    allowed = report.require_coverage(allow_unsigned=True)
    assert allowed.ok
    assert "--allow-unsigned" in allowed.summary()


def test_reopen_resumes_the_chain_and_records_custody(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Reopening continues sequence and chain and adds a `reopened` custody record."""
    path = make_log(2)
    with EvidenceLog.open(
        path, key=signing_key, tool_args=["capture", "--since", "2026-11-01"]
    ) as log:
        assert log.size == 4
        log.append("journal.plan", {"action": "quarantine"})
    records = list(read_records(path))
    assert [r.seq for r in records] == list(range(5))
    assert records[3].type == "custody"
    assert records[3].payload["action"] == "reopened"
    assert records[3].payload["tool_args"] == ["capture", "--since", "2026-11-01"]
    assert records[4].prev == records[3].hash
    assert verify(path, signing_key.verifier()).ok


def test_a_second_writer_is_refused(tmp_path: Path, signing_key: SigningKey) -> None:
    """While one EvidenceLog is open, opening the same path again raises LogLockedError."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key), pytest.raises(LogLockedError, match="pid"):
        EvidenceLog.open(path, key=signing_key)
    with EvidenceLog.open(path, key=signing_key) as log:
        assert log.size == 2


def test_each_append_is_on_disk_before_it_returns(tmp_path: Path, signing_key: SigningKey) -> None:
    """With sync="each" the record is in the file as soon as append returns."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key) as log:
        record = log.append("detection", {"rule": "skimmer"})
        assert path.read_bytes().endswith(record.raw)


def test_batched_appends_reach_disk_on_sync(tmp_path: Path, signing_key: SigningKey) -> None:
    """With sync="batch" appends are buffered until sync()."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key, sync="batch") as log:
        record = log.append("detection", {"rule": "skimmer"})
        assert not path.read_bytes().endswith(record.raw)
        log.sync()
        assert path.read_bytes().endswith(record.raw)


def test_checkpoints_are_signed_notes_beside_the_log(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """`<log>.checkpoints` holds one signed note per checkpoint, readable for export."""
    path = make_log(4, checkpoint_every=2)
    notes = read_checkpoints(path, signing_key.verifier())
    sizes = [Checkpoint.parse(note, signing_key.verifier()).size for note in notes]
    assert sizes == [1, 2, 4, 5]  # record 0 is signed at creation
    assert checkpoints_path(path).name == "evidence.log.checkpoints"


@both_formats
def test_torn_last_line_is_reported_not_dropped(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """A half-written last line fails verify, read_records and open, naming line and record."""
    path = make_log(3)
    with path.open("ab") as handle:
        handle.write(b'{"hash":"0123')
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.problem.line) == ("torn", 4, 5)
    assert "repair=True" in report.problem.detail
    with pytest.raises(TornRecordError, match="line 5"):
        list(read_records(path))
    with pytest.raises(TornRecordError, match="repair=True") as caught:
        EvidenceLog.open(path, key=signing_key)
    assert caught.value.length == len(b'{"hash":"0123')


@both_formats
def test_repair_cuts_the_torn_line_and_records_it(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """open(repair=True) removes the torn bytes and logs what it removed."""
    path = make_log(3)
    torn = b'{"hash":"0123'
    with path.open("ab") as handle:
        handle.write(torn)
    with EvidenceLog.open(path, key=signing_key, repair=True) as log:
        assert log.size == 6
    records = list(read_records(path))
    repair = records[4]
    assert repair.type == "log.repair"
    assert repair.payload["removed_sha256"] == hashlib.sha256(torn).hexdigest()
    assert repair.payload["removed_length"] == len(torn)
    assert repair.payload["line"] == 5
    assert records[5].payload["action"] == "reopened"
    assert verify(path, signing_key.verifier()).ok


@both_formats
def test_a_tampered_log_is_not_appended_to(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Opening a log that fails verification raises LogIntegrityError with the report."""
    path = make_log(3)
    path.write_bytes(path.read_bytes().replace(b"finding 1", b"finding 9"))
    with pytest.raises(LogIntegrityError, match="record 2") as caught:
        EvidenceLog.open(path, key=signing_key)
    assert caught.value.report.problem is not None


@both_formats
def test_truncation_is_caught_by_a_checkpoint_kept_elsewhere(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Cutting records and their checkpoints passes alone but fails against a saved note."""
    path = make_log(6, checkpoint_every=3)
    saved_elsewhere = read_checkpoints(path)[-1]
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:4]))
    beside = checkpoints_path(path)
    beside.write_bytes(beside.read_bytes().splitlines(keepends=True)[0])
    assert verify(path, signing_key.verifier()).ok
    report = verify(path, signing_key.verifier(), checkpoints=[saved_elsewhere])
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("truncated", 4)
    assert "records 4..6 were cut off" in report.problem.detail


def _rewrite(path: Path, edit: Callable[[dict[str, object]], None]) -> None:
    """Rewrite every record after editing payloads, recomputing all hashes (a full forgery)."""
    previous = GENESIS_PREV
    out = []
    for raw in path.read_bytes().splitlines():
        record = json.loads(raw)
        edit(record)
        record["prev"] = previous
        if "payload_sha256" in record:  # format version 1
            record["payload_sha256"] = hashlib.sha256(
                canonical_json(record["payload"]).encode()
            ).hexdigest()
        entry = canonical_json({k: v for k, v in record.items() if k != "hash"}).encode()
        record["hash"] = hashlib.sha256(b"\x00" + entry).hexdigest()
        previous = record["hash"]
        out.append(canonical_json(record).encode() + b"\n")
    path.write_bytes(b"".join(out))


@both_formats
def test_a_recomputed_chain_is_caught_by_the_signed_checkpoints(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """A rewrite with every hash recomputed fails at the first checkpoint it contradicts."""
    path = make_log(9, checkpoint_every=4)

    def edit(record: dict[str, object]) -> None:
        if record["seq"] == 6:
            record["payload"] = {"number": 5, "text": "nothing to see"}

    _rewrite(path, edit)
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert report.problem.kind == "checkpoint"
    assert report.problem.seq == 4
    assert "records 4..7" in report.problem.detail


def test_conflicting_checkpoints_are_a_split_view(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Two signed checkpoints of the same size with different roots are reported."""
    path = make_log(2)
    origin = next(read_records(path)).payload["origin"]
    forged = Checkpoint(origin=origin, size=3, root=bytes(32)).sign(signing_key)
    report = verify(path, signing_key.verifier(), checkpoints=[forged])
    assert report.problem is not None
    assert report.problem.kind == "checkpoint_conflict"


def test_checkpoint_from_another_key_is_reported(make_log: Callable[..., Path]) -> None:
    """A checkpoints file signed by a different key fails with checkpoint_key, naming both."""
    path = make_log(2)
    other = SigningKey.generate("magento-ir-test").verifier()
    report = verify(path, other)
    assert report.problem is not None
    assert report.problem.kind == "checkpoint_key"
    assert other.key_id.hex() in report.problem.detail
    assert "signed by magento-ir-test+" in report.problem.detail


@both_formats
def test_inclusion_and_consistency_proofs_check_against_checkpoints(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Proofs built from the log verify against the roots in its signed checkpoints."""
    path = make_log(12, checkpoint_every=5)
    verifier = signing_key.verifier()
    checkpoints = [Checkpoint.parse(n, verifier) for n in read_checkpoints(path, verifier)]
    old, new = checkpoints[0], checkpoints[-1]
    records = list(read_records(path))
    with EvidenceLog.open(path, key=signing_key) as log:
        for seq in (0, 3, 12):
            proof = log.inclusion_proof(seq, new.size)
            leaf = bytes.fromhex(records[seq].hash)
            assert merkle.root_from_inclusion_proof(seq, new.size, leaf, proof) == new.root
        proof = log.consistency_proof(old.size, new.size)
        assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
        assert old.is_consistent_with(new, proof)
        assert not new.is_consistent_with(old, proof)
        assert not old.is_consistent_with(new, proof[1:])
        forked = Checkpoint(origin="another/log", size=new.size, root=new.root)
        assert not old.is_consistent_with(forked, proof)
        with pytest.raises(ValueError, match="exceeds"):
            log.inclusion_proof(0, 999)


def test_log_records_stream_with_their_raw_lines(make_log: Callable[..., Path]) -> None:
    """records() yields typed records whose raw bytes are the lines of the file."""
    path = make_log(2)
    lines = path.read_bytes().splitlines(keepends=True)
    records = list(read_records(path))
    assert [r.raw for r in records] == lines
    assert records[1].payload == {"number": 0, "text": "finding 0 \u00e9"}


@pytest.mark.parametrize(
    ("record_type", "payload", "message"),
    [
        ("Detection", {}, "invalid record type"),
        ("capture.http exchange", {}, "invalid record type"),
        ("a" * 33, {}, "invalid record type"),
        ("detection", ["not", "an", "object"], "JSON object"),
        ("detection", {"value": float("nan")}, "canonical JSON"),
        ("detection", {"value": object()}, "canonical JSON"),
        ("detection", {"value": "\ud800"}, "lone surrogate"),
    ],
)
def test_bad_appends_are_refused_with_a_clear_error(
    tmp_path: Path, signing_key: SigningKey, record_type: str, payload: object, message: str
) -> None:
    """Invalid record types and payloads raise EvidenceFormatError and write nothing."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key) as log:
        with pytest.raises(EvidenceFormatError, match=message):
            log.append(record_type, payload)  # type: ignore[arg-type]
        assert log.size == 1
    assert verify(path, signing_key.verifier()).ok


def test_a_payload_that_refers_to_itself_is_refused(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """A circular payload is an EvidenceFormatError naming the cycle, and writes nothing; the
    log takes the next payload as usual."""
    looped: dict[str, object] = {"a": 1}
    looped["self"] = [looped]
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key) as log:
        with pytest.raises(EvidenceFormatError, match="circular reference"):
            log.append("detection", looped)
        assert log.size == 1
        log.append("detection", {"a": 1})
    assert verify(path, signing_key.verifier()).ok


def test_a_payload_fixed_after_a_refusal_is_accepted(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """The log reuses one JSON encoder; a refused payload leaves no trace in it (no false
    "circular reference" when the same objects come back), and the encoding stays canonical."""
    path = tmp_path / "evidence.log"
    inner: dict[str, object] = {"b": object(), "a": "é"}
    payload = {"z": inner, "y": [inner]}
    with EvidenceLog.open(path, key=signing_key) as log:
        with pytest.raises(EvidenceFormatError, match="canonical JSON"):
            log.append("detection", payload)
        inner["b"] = 1.5
        record = log.append("detection", payload)
    assert b'"payload":{"y":[{"a":"\xc3\xa9","b":1.5}],"z":{"a":"\xc3\xa9","b":1.5}}' in record.raw
    stored = record.raw[record.raw.index(b'"payload":') + 10 : record.raw.rindex(b',"prev":')]
    assert (
        stored
        == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert verify(path, signing_key.verifier()).ok


def test_closed_log_refuses_appends(tmp_path: Path, signing_key: SigningKey) -> None:
    """Appending after close raises instead of silently reopening."""
    log = EvidenceLog.open(tmp_path / "evidence.log", key=signing_key)
    log.close()
    with pytest.raises(EvidenceFormatError, match="closed"):
        log.append("detection", {})
    assert "closed" in repr(log)


@both_formats
def test_a_siem_copy_of_a_record_is_proven_against_a_checkpoint(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """record_in_checkpoint accepts the true line and rejects an edited copy."""
    path = make_log(9)
    checkpoint = Checkpoint.parse(read_checkpoints(path)[-1], signing_key.verifier())
    record = list(read_records(path))[4]
    proof = inclusion_proof(path, record.seq, checkpoint.size)
    assert record_in_checkpoint(record, proof, checkpoint)
    edited = record._replace(raw=record.raw.replace(b"finding 3", b"finding 8"))
    assert not record_in_checkpoint(edited, proof, checkpoint)
    moved = record._replace(seq=5)
    assert not record_in_checkpoint(moved, proof, checkpoint)
    assert not record_in_checkpoint(record._replace(raw=b"junk"), proof, checkpoint)


def test_an_unusable_origin_is_refused(tmp_path: Path, signing_key: SigningKey) -> None:
    """A multi-line origin cannot head a checkpoint, so creating the log fails clearly."""
    with pytest.raises(EvidenceFormatError, match="invalid log origin"):
        EvidenceLog.open(tmp_path / "e.log", key=signing_key, origin="two\nlines")
    with EvidenceLog.open(tmp_path / "e.log", key=signing_key, origin="example.com/ir/42") as log:
        assert log.origin == "example.com/ir/42"
    with pytest.raises(ValueError, match="origin is fixed"):
        EvidenceLog.open(tmp_path / "e.log", key=signing_key, origin="example.com/ir/43")


def test_a_torn_checkpoint_line_is_repaired_only_on_request(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """A half-written checkpoint line blocks reopening until repair=True cuts and records it."""
    path = make_log(2)
    beside = checkpoints_path(path)
    with beside.open("ab") as handle:
        handle.write(b'{"note": "magento_ir/ev')
    assert verify(path, signing_key.verifier()).ok
    with pytest.raises(TornRecordError, match="checkpoint") as caught:
        EvidenceLog.open(path, key=signing_key)
    assert caught.value.line == 3  # after the creation and the closing checkpoints
    with EvidenceLog.open(path, key=signing_key, repair=True) as log:
        log.append("detection", {"after": "repair"})
    repair = [r for r in read_records(path) if r.type == "log.repair"]
    assert [r.payload["file"] for r in repair] == ["evidence.log.checkpoints"]
    assert len(read_checkpoints(path, signing_key.verifier())) == 3
    assert verify(path, signing_key.verifier()).ok


def test_record_repr_is_short_and_records_are_immutable(make_log: Callable[..., Path]) -> None:
    """A Record's repr names seq, time, type and hash only, and its fields cannot be set."""
    record = list(read_records(make_log(1)))[1]
    assert repr(record) == (
        f"Record(seq=1, time={record.time!r}, type='detection', hash={record.hash!r})"
    )
    with pytest.raises(AttributeError):
        record.seq = 7  # type: ignore[misc]


def test_a_log_torn_in_its_first_record_is_recreated_on_repair(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """If the crash tore record 0, repair starts the log afresh and records what it cut."""
    path = tmp_path / "evidence.log"
    path.write_bytes(b'{"hash":"00')
    with pytest.raises(TornRecordError):
        EvidenceLog.open(path, key=signing_key)
    with EvidenceLog.open(path, key=signing_key, repair=True):
        pass
    records = list(read_records(path))
    assert [(r.type, r.payload["action"]) for r in records] == [
        ("custody", "created"),
        ("log.repair", "cut_torn_last_line"),
    ]
    assert records[1].payload["removed_length"] == 11
    assert verify(path, signing_key.verifier()).ok


def test_a_report_without_checkpoints_warns_what_it_cannot_see(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """With no checkpoint to compare against, the OK summary says truncation is undetectable."""
    path = make_log(2)
    checkpoints_path(path).unlink()
    report = verify(path, signing_key.verifier())
    assert report.ok
    assert report.checkpoints_checked == 0
    assert "no checkpoint covers them" in report.summary()


def test_records_longer_than_the_read_chunk_verify(tmp_path: Path, signing_key: SigningKey) -> None:
    """A multi-megabyte record spanning several read chunks verifies, and a cut in it is torn."""
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(path, key=signing_key) as log:
        log.append("capture.media_file", {"content_base64": "QUJD" * 800_000})
        log.append("detection", {"after": "the big one"})
    assert verify(path, signing_key.verifier()).ok
    content = path.read_bytes()
    first_line_end = content.index(b"\n") + 1
    path.write_bytes(content[: first_line_end + 2_500_000])
    report = verify(path)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.problem.line) == ("torn", 1, 2)


def test_checkpoints_also_follow_the_clock(
    tmp_path: Path, signing_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first append checkpoint_seconds after the last checkpoint writes a new one."""
    now = [1000.0]
    monkeypatch.setattr(log_module, "_monotonic", lambda: now[0])
    path = tmp_path / "evidence.log"
    with EvidenceLog.open(
        path, key=signing_key, checkpoint_every=None, checkpoint_seconds=60
    ) as log:
        assert len(read_checkpoints(path)) == 1  # record 0, signed at creation
        log.append("journal.plan", {"step": "a"})
        now[0] += 59
        log.append("journal.plan", {"step": "b"})
        assert len(read_checkpoints(path)) == 1
        now[0] += 1
        log.append("journal.result", {"step": "b"})
        assert len(read_checkpoints(path)) == 2
        now[0] += 30
        log.append("journal.result", {"step": "a"})
        assert len(read_checkpoints(path)) == 2
    sizes = [Checkpoint.parse(n, None).size for n in read_checkpoints(path)]
    assert sizes == [1, 4, 5]


def test_checkpoint_cadence_is_validated(tmp_path: Path, signing_key: SigningKey) -> None:
    """Zero or negative cadences raise ValueError naming the parameter."""
    with pytest.raises(ValueError, match="checkpoint_every"):
        EvidenceLog.open(tmp_path / "e.log", key=signing_key, checkpoint_every=0)
    with pytest.raises(ValueError, match="checkpoint_seconds"):
        EvidenceLog.open(tmp_path / "e.log", key=signing_key, checkpoint_seconds=0)


def test_a_copied_checkpoints_file_is_read_and_checked(
    make_log: Callable[..., Path], signing_key: SigningKey, tmp_path: Path
) -> None:
    """read_checkpoint_file reads a copy kept elsewhere and refuses foreign or broken lines."""
    path = make_log(3, checkpoint_every=2)
    copy = tmp_path / "siem-copy.checkpoints"
    copy.write_bytes(checkpoints_path(path).read_bytes())
    notes = read_checkpoint_file(copy, signing_key.verifier())
    assert notes == read_checkpoints(path)
    assert verify(path, signing_key.verifier(), checkpoints=notes).checkpoints_checked == 6
    with pytest.raises(EvidenceFormatError, match="no valid signature"):
        read_checkpoint_file(copy, SigningKey.generate("magento-ir-test").verifier())
    copy.write_text('{"not": "a note"}\n')
    with pytest.raises(EvidenceFormatError, match="note"):
        read_checkpoint_file(copy)


@both_formats
@pytest.mark.parametrize(
    ("edit", "kind"),
    [
        (lambda line: line.replace(b'"number":2345', b'"number":2346'), "hash"),
        (lambda line: line.replace(b'"seq":2346', b'"seq":2347'), "hash"),
        (lambda line: line[:-1], "hash"),  # the newline gone: two lines read as one
    ],
)
def test_a_bad_record_deep_in_a_large_log_is_named_exactly(
    make_log: Callable[..., Path], edit: Callable[[bytes], bytes], kind: str
) -> None:
    """Past the first batch of lines verify checks many at once; the report is still exact."""
    path = make_log(3_000, checkpoint_every=1_000)
    lines = path.read_bytes().splitlines(keepends=True)
    assert sum(map(len, lines[:2346])) > 1 << 17  # beyond the first batch
    assert verify(path).ok
    lines[2346] = edit(lines[2346])  # record 2346 (record 0 is custody)
    path.write_bytes(b"".join(lines))
    report = verify(path)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.problem.line) == (kind, 2346, 2347)
    assert (report.records, report.checkpoints_checked) == (2346, 3)  # sizes 1, 1000, 2000


@both_formats
def test_a_rewrite_deep_in_a_large_log_fails_at_its_checkpoint(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """A recomputed chain in a later batch of lines is caught by the checkpoint it contradicts."""
    path = make_log(3_000, checkpoint_every=1_000)

    def edit(record: dict[str, object]) -> None:
        if record["seq"] == 2_500:
            record["payload"] = {"number": 2_499, "text": "nothing to see"}

    _rewrite(path, edit)
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("checkpoint", 2_000)
    assert "records 2000..2999" in report.problem.detail
    assert report.checkpoints_checked == 3  # sizes 1, 1000, 2000


@both_formats
def test_a_reopened_log_keeps_its_format_version(
    make_log: Callable[..., Path], signing_key: SigningKey, log_version: int
) -> None:
    """Appending to a log keeps record 0's format version, even once new logs use another: a
    log never mixes versions."""
    path = make_log(2)
    with new_logs_in(3 - log_version), EvidenceLog.open(path, key=signing_key) as log:
        assert log.format_version == log_version
        appended = log.append("journal.plan", {"action": "quarantine"})
    assert appended.version == log_version
    assert (appended.payload_sha256 is None) == (log_version == 2)
    records = list(read_records(path))
    assert {record.version for record in records} == {log_version}
    assert records[-1] == appended
    assert verify(path, signing_key.verifier()).ok


def test_new_logs_are_written_in_version_2(tmp_path: Path, signing_key: SigningKey) -> None:
    """A new log's records carry `"v":2` and no payload digest."""
    with EvidenceLog.open(tmp_path / "new.log", key=signing_key) as log:
        record = log.append("detection", {"n": 1})
        assert log.format_version == 2
    assert record.raw.endswith(b',"type":"detection","v":2}\n')
    assert b"payload_sha256" not in (tmp_path / "new.log").read_bytes()
    assert (record.version, record.payload_sha256) == (2, None)


@pytest.mark.parametrize(("log_version", "donor"), [(1, 2), (2, 1)], indirect=["log_version"])
def test_a_record_of_the_other_version_is_named_as_such(
    make_log: Callable[..., Path], signing_key: SigningKey, donor: int
) -> None:
    """A record copied in from a log of the other format version is malformed there, and the
    report and read_records say which versions met."""
    path = make_log(3)
    foreign = write_log(path.with_name("donor.log"), signing_key, 3, version=donor)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = foreign.read_bytes().splitlines(keepends=True)[2]
    path.write_bytes(b"".join(lines))
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.problem.line) == ("malformed", 2, 3)
    assert f"a format version {donor} record in a version {3 - donor} log" in report.problem.detail
    with pytest.raises(EvidenceFormatError, match=f"line 3 is a format version {donor} record"):
        list(read_records(path))


def test_an_unknown_format_version_is_refused_by_name(
    make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """A log whose record 0 states a version this magento_ir does not know is not guessed at."""
    path = make_log(1)
    content = path.read_bytes()
    path.write_bytes(content.replace(b',"v":2}\n', b',"v":3}\n', 1))
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq, report.problem.line) == ("malformed", 0, 1)
    assert "format version 3, which magento_ir" in report.problem.detail
    assert "upgrade magento_ir" in report.problem.detail
    with pytest.raises(EvidenceFormatError, match="line 1 is a record in format version 3"):
        list(read_records(path))
    with pytest.raises(LogIntegrityError, match="format version 3"):
        EvidenceLog.open(path, key=signing_key)
    lines = content.splitlines(keepends=True)
    lines[1] = lines[1].replace(b',"v":2}\n', b',"v":7}\n')
    path.write_bytes(b"".join(lines))
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    assert (report.problem.kind, report.problem.seq) == ("malformed", 1)
    assert "stating format version 7 in a version 2 log" in report.problem.detail


def _rehash_one(line: bytes) -> bytes:
    """`line` with its record hash recomputed (and nothing else): a forger's half-measure."""
    entry = b"{" + line[75:-1]
    digest = hashlib.sha256(b"\x00" + entry).hexdigest().encode()
    return line[:9] + digest + line[73:]


@both_formats
def test_a_rehashed_payload_edit_is_located(
    make_log: Callable[..., Path], signing_key: SigningKey, log_version: int
) -> None:
    """A payload edited and its record hash recomputed: version 1 names its payload digest,
    version 2 (no digest) the next record, whose `prev` no longer matches."""
    path = make_log(4)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = _rehash_one(lines[2].replace(b"finding 1", b"finding 7"))
    path.write_bytes(b"".join(lines))
    report = verify(path, signing_key.verifier())
    assert report.problem is not None
    expected = ("payload_digest", 2, 3) if log_version == 1 else ("chain", 3, 4)
    assert (report.problem.kind, report.problem.seq, report.problem.line) == expected
