"""The tamper-evident evidence log: a hash-chained JSON-lines file with signed Merkle checkpoints.

One line per record, the record's canonical JSON (keys sorted, no spaces, UTF-8). New logs
are written in format version 2:

    {"hash":H,"payload":P,"prev":R,"seq":N,"time":T,"type":Y,"v":2}

Version 1 (logs written before versions were marked) has no `v` and one more member,
`"payload_sha256":D` between `payload` and `prev`, D = SHA-256 of the payload as stored. A line
ending in `,"v":N}` is version N, any other is version 1; a log's version is its record 0's, and
every record of the log must have it (an appending writer keeps the log's version).

* the record's *entry* is the canonical JSON of the record without its `hash` member, i.e. the
  line with `"hash":H,` removed; because "hash" sorts first that is `{` + line[75:-1];
* `hash` H = SHA-256(0x00 || entry): the entry's RFC 6962 leaf hash, so the Merkle tree's leaves
  are the entries in `seq` order and its leaf hashes are the record hashes;
* `prev` R = the previous record's `hash` (64 zeros for record 0).

Checkpoints (signed notes, see `notes.py`) are appended to `<log>.checkpoints` as JSON lines
`{"note": "..."}`; copies kept elsewhere make truncation of the log detectable. docs/evidence.md
is the full specification.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import getpass
import hashlib
import itertools
import json
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, getitem, itemgetter
from pathlib import Path
from typing import IO, Any, Literal, NamedTuple, Self, cast

import magento_ir
from magento_ir._files import private_open
from magento_ir.evidence import merkle
from magento_ir.evidence._errors import (
    EvidenceFormatError,
    LogIntegrityError,
    LogLockedError,
    TornRecordError,
    UncoveredLogError,
)
from magento_ir.evidence.notes import Checkpoint, NoteVerifier, SigningKey, check_origin

__all__ = [
    "GENESIS_PREV",
    "EvidenceLog",
    "Problem",
    "ProblemKind",
    "Record",
    "VerificationReport",
    "canonical_json",
    "checkpoints_path",
    "consistency_proof",
    "inclusion_proof",
    "read_checkpoint_file",
    "read_checkpoints",
    "read_records",
    "record_in_checkpoint",
    "verify",
]

GENESIS_PREV = "0" * 64
_RECORD_TYPE = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*")
_MAX_TYPE_LENGTH = 32  # fits an RFC 5424 MSGID unchanged
_HEAD = b'{"hash":"'
_PAYLOAD_KEY = b'","payload":{'  # payloads are JSON objects
_PAYLOAD_START = 85  # len('{"hash":"') + 64 + len('","payload":')
_BODY_START = 75  # first byte after '{"hash":"<64 hex>",'
_NEW_LOG_VERSION = 2  # the format new logs are written in (tests set 1 to write old logs)
# A record's last member `"v":N` states its format version; no mark is version 1.
_VERSION_MARK = re.compile(rb',"v":([0-9]{1,9})\}\n?\Z')
_TIME_TYPE = (
    rb'"time":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z",'
    rb'"type":"[a-z][a-z0-9_.]{0,31}"'
)
_SEQ = rb'"seq":(?P<seq>0|[1-9][0-9]{0,17}),'
_HEAD_SLICE = itemgetter(slice(0, 9))
_STATED_HASH = itemgetter(slice(9, 73))
_PAYLOAD_KEY_SLICE = itemgetter(slice(73, 86))
_BODY = itemgetter(slice(_BODY_START, -1))


class _Format(NamedTuple):
    """How a record line of one format version is laid out after its payload (its *tail*)."""

    version: int
    tail_key: bytes  # the tail starts at the line's last occurrence of this
    tail: re.Pattern[bytes]  # one tail to the end of its line: groups prev, seq (and digest)
    tails: re.Pattern[bytes]  # the tails of a batch, joined: captures each seq
    tail_prev: Callable[[bytes], bytes]  # the `prev` of a tail
    tail_digest: Callable[[bytes], bytes] | None  # the `payload_sha256` of a tail (v1 only)


# The digests are matched loosely (any 64 characters) because the checks compare them with
# computed hex digests anyway, and character classes cost a third of the verify time.
_V1 = _Format(
    1,
    b',"payload_sha256":"',
    re.compile(
        rb',"payload_sha256":"(?P<digest>.{64})","prev":"(?P<prev>.{64})",'
        + _SEQ + _TIME_TYPE + rb"}\n\Z"
    ),
    re.compile(rb',"payload_sha256":".{64}","prev":".{64}",' + _SEQ + _TIME_TYPE + rb"}\n"),
    itemgetter(slice(93, 157)),
    itemgetter(slice(19, 83)),
)  # fmt: skip
_V2 = _Format(
    2,
    b',"prev":"',
    re.compile(rb',"prev":"(?P<prev>.{64})",' + _SEQ + _TIME_TYPE + rb',"v":2}\n\Z'),
    re.compile(rb',"prev":".{64}",' + _SEQ + _TIME_TYPE + rb',"v":2}\n'),
    itemgetter(slice(9, 73)),
    None,
)
_FORMATS = {1: _V1, 2: _V2}


def _line_version(line: bytes) -> int:
    """The format version a record line states: N when it ends with `,"v":N}`, else 1."""
    mark = _VERSION_MARK.search(line, max(0, len(line) - 17))
    return 1 if mark is None else int(mark.group(1))


def _unknown_version(version: int) -> str:
    return (
        f"format version {version}, which magento_ir {magento_ir.__version__} does not know "
        f"(it reads versions {', '.join(map(str, _FORMATS))}): upgrade magento_ir"
    )


_cut = cast("Callable[[bytes, slice], bytes]", getitem)  # line[slice], typed for map()
_BATCH_BYTES = 1 << 20  # lines verified at once: about 1,900 records of 550 bytes
_LEAF_BATCH = 256  # record hashes an appending log adds to its Merkle frontier at once
_sha256 = hashlib.sha256
_digest = type(_sha256()).digest
_hexlify = binascii.hexlify
_monotonic = time.monotonic
# One encoder for every record: json.dumps() builds a new one per call when given options.
_CANONICAL_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


_make_c_encoder: Callable[..., Callable[[Any, int], Iterable[str]]] | None = getattr(
    json.encoder, "c_make_encoder", None
)


def _canonical_encoder() -> Callable[[Any], str]:
    """A reusable encoder of `_CANONICAL_ENCODER`'s output, for one log's appends.

    `JSONEncoder.encode()` builds a new C encoder on every call (a tenth of an append). The one
    built here keeps no circular-reference markers (their bookkeeping is a tenth of an append
    too): a payload that refers to itself ends in RecursionError instead, which `append` refuses
    as it refuses any value JSON cannot hold.
    """
    if _make_c_encoder is None:  # pragma: no cover - CPython ships the C accelerator
        return _CANONICAL_ENCODER.encode
    encoder = _make_c_encoder(
        None,
        _CANONICAL_ENCODER.default,
        json.encoder.encode_basestring,
        None,
        _CANONICAL_ENCODER.key_separator,
        _CANONICAL_ENCODER.item_separator,
        _CANONICAL_ENCODER.sort_keys,
        _CANONICAL_ENCODER.skipkeys,
        _CANONICAL_ENCODER.allow_nan,
    )
    join = "".join
    return lambda value: join(encoder(value, 0))


def canonical_json(value: Any, *, encode: Callable[[Any], str] | None = None) -> str:  # noqa: ANN401
    """The canonical JSON text of a value: keys sorted, no spaces, non-ASCII kept as UTF-8.

    Like RFC 8785 (JCS) except that floats use Python's shortest round-trip form and keys sort by
    code point; a verifier never re-encodes, it hashes the stored bytes. NaN and infinities, and
    values JSON cannot hold, are refused. `encode` is a `_canonical_encoder()` to reuse.
    """
    try:
        return (encode or _CANONICAL_ENCODER.encode)(value)
    except (TypeError, ValueError) as exc:
        raise _unencodable(exc) from None


def _unencodable(exc: Exception) -> EvidenceFormatError:
    if isinstance(exc, RecursionError):  # the appending encoder keeps no circular markers
        exc = ValueError("it nests too deeply, or refers to itself (a circular reference)")
    return EvidenceFormatError(
        f"the payload cannot be encoded as canonical JSON ({exc}): use dicts with string keys, "
        "lists, strings, booleans, None, ints and finite floats"
    )


def checkpoints_path(path: str | os.PathLike[str]) -> Path:
    """Where the checkpoints of the log at `path` are kept: `<log>.checkpoints`."""
    log = Path(path)
    return log.with_name(log.name + ".checkpoints")


def _lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


class Record(NamedTuple):
    """One line of the log, immutable. `raw` is the exact line, newline included.

    `version` is the record's format version; `payload_sha256` is None in version 2, whose
    records carry no payload digest (the record `hash` covers the payload's bytes).
    A NamedTuple rather than a frozen dataclass: one is built per append, and a frozen
    dataclass's __init__ costs three times as much.
    """

    seq: int
    time: str
    type: str
    payload: dict[str, Any]
    payload_sha256: str | None
    prev: str
    hash: str
    raw: bytes
    version: int

    def __repr__(self) -> str:
        return f"Record(seq={self.seq}, time={self.time!r}, type={self.type!r}, hash={self.hash!r})"


_new_record = cast("Callable[[type[Record], tuple[Any, ...]], Record]", tuple.__new__)

ProblemKind = Literal[
    "torn",
    "malformed",
    "hash",
    "payload_digest",
    "sequence",
    "chain",
    "genesis",
    "checkpoint",
    "checkpoint_signature",
    "checkpoint_conflict",
    "checkpoint_key",
    "truncated",
    "reorder",
    "unsigned",
    "no_checkpoints",
    "uncovered_tail",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong, and where: the first bad record's sequence number and 1-based line."""

    kind: ProblemKind
    seq: int | None
    line: int | None
    detail: str

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"record {self.seq}")
        if self.line is not None:
            where.append(f"line {self.line}")
        return f"{', '.join(where) or 'log'}: {self.kind}: {self.detail}"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of `verify`: `ok`, how far it got, and the first problem found.

    `covered` is the size of the largest checkpoint that matched: records from `covered` on
    are an uncovered tail. `checkpoints_found` counts the checkpoints read (beside the log and
    given). `require_coverage()` turns what `verify` cannot vouch for into problems.
    """

    path: Path
    records: int
    root: bytes
    last_hash: str
    origin: str | None
    checkpoints_checked: int
    signatures_checked: bool
    problem: Problem | None
    covered: int = 0
    checkpoints_found: int = 0
    allowances: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.problem is None

    def require_coverage(
        self, *, allow_unsigned: bool = False, allow_tail: bool = False
    ) -> VerificationReport:
        """This report, failed when a signature does not vouch for every record.

        Unsigned (no verifier key given, or no checkpoint at all) fails unless
        `allow_unsigned`; records after the last checkpoint fail unless `allow_tail`. The
        allowances used are listed in `allowances` and in the summary.
        """
        if self.problem is not None:
            return self
        allowances: list[str] = []
        tail = self.records - self.covered
        if self.checkpoints_found == 0:
            if self.records and not allow_unsigned:
                detail = (
                    f"no checkpoint: {checkpoints_path(self.path).name} is missing or empty, so "
                    f"nothing signs records 0..{self.records - 1} and a rewritten log would pass; "
                    "give a kept copy with --checkpoints, or accept that with --allow-unsigned"
                )
                return _replace_report(self, Problem("no_checkpoints", 0, None, detail))
            if self.records:
                allowances.append(f"--allow-unsigned (no checkpoint signs the {tail} records)")
            return _replace_report(self, None, tuple(allowances))
        if not self.signatures_checked:
            if not allow_unsigned:
                detail = (
                    "signatures not checked: the checkpoints are signed but no verifier key was "
                    "given (--verifier or --key); accept that with --allow-unsigned"
                )
                return _replace_report(self, Problem("unsigned", None, None, detail))
            allowances.append("--allow-unsigned (checkpoint signatures not checked)")
        if tail > 0:
            if not allow_tail:
                detail = (
                    f"{tail} records (records {self.covered}..{self.records - 1}) follow the "
                    f"last checkpoint (size {self.covered}) and nothing signs them: a crash "
                    "before the next checkpoint, or records added by someone else; accept them "
                    "with --allow-tail"
                )
                problem = Problem("uncovered_tail", self.covered, self.covered + 1, detail)
                return _replace_report(self, problem)
            allowances.append(f"--allow-tail ({tail} records from record {self.covered} unsigned)")
        return _replace_report(self, None, tuple(allowances))

    def summary(self) -> str:
        if self.problem is not None:
            return str(self.problem)
        allowed = f"; accepted with {', '.join(self.allowances)}" if self.allowances else ""
        if self.checkpoints_checked == 0:
            return (
                f"OK: {self.records} records, chain intact, root {self.root.hex()}; no checkpoint "
                "covers them, so a cut-off tail or a rewritten log would go unnoticed" + allowed
            )
        if self.signatures_checked:
            checked = f"{self.checkpoints_checked} signed checkpoints match"
        else:
            checked = (
                f"{self.checkpoints_checked} checkpoint roots agree, signatures not checked "
                "(no verifier key given)"
            )
        tail = self.records - self.covered
        uncovered = f", records {self.covered}..{self.records - 1} not covered" if tail else ""
        return (
            f"OK: {self.records} records, chain intact, root {self.root.hex()}, "
            f"{checked}{uncovered}{allowed}"
        )


def _replace_report(
    report: VerificationReport, problem: Problem | None, allowances: tuple[str, ...] = ()
) -> VerificationReport:
    return VerificationReport(
        report.path, report.records, report.root, report.last_hash, report.origin,
        report.checkpoints_checked, report.signatures_checked, problem, report.covered,
        report.checkpoints_found, allowances,
    )  # fmt: skip


@dataclass(slots=True)
class _ScanState:
    """Where a scan stopped: enough to resume appending."""

    records: int = 0
    last_hash: str = GENESIS_PREV
    frontier: merkle.Frontier = field(default_factory=merkle.Frontier)
    origin: str | None = None
    good_bytes: int = 0
    lines: int = 0
    covered: int = 0
    signed_size: int = 0  # the largest checkpoint's size, whether the log reaches it or not
    version: int = 0  # record 0's format version (0: no record yet)


def _parse_checkpoint_line(line: bytes, verifier: NoteVerifier | None) -> tuple[Checkpoint, str]:
    """A `{"note": ...}` line of `<log>.checkpoints`: the checkpoint and its note text."""
    try:
        note = json.loads(line)["note"]
    except (ValueError, KeyError, TypeError) as exc:
        raise EvidenceFormatError(f'not a {{"note": ...}} line: {exc}') from None
    if not isinstance(note, str):
        raise EvidenceFormatError('"note" is not a string')
    return Checkpoint.parse(note, verifier), note


def _load_checkpoints(
    path: Path,
    verifier: NoteVerifier | None,
    extra: Iterable[str],
) -> tuple[list[tuple[Checkpoint, str]], Problem | None]:
    """Checkpoints beside the log plus those given, sorted by size, with where each came from."""
    found: list[tuple[Checkpoint, str]] = []
    beside = checkpoints_path(path)
    if beside.exists():
        with beside.open("rb") as handle:
            for number, line in enumerate(handle, 1):
                source = f"{beside.name} line {number}"
                if not line.endswith(b"\n"):
                    # A checkpoint is only written after its records were synced; a torn last
                    # checkpoint line therefore commits to nothing and is not trusted.
                    continue
                try:
                    found.append((_parse_checkpoint_line(line, verifier)[0], source))
                except EvidenceFormatError as exc:
                    return [], _checkpoint_problem(line, verifier, source, exc)
    for number, note in enumerate(extra, 1):
        source = f"trusted checkpoint {number}"
        try:
            found.append((Checkpoint.parse(note, verifier), source))
        except EvidenceFormatError as exc:
            line = json.dumps({"note": note}).encode()
            return [], _checkpoint_problem(line, verifier, source, exc)
    found.sort(key=lambda item: item[0].size)
    origins = {checkpoint.origin: source for checkpoint, source in found}
    if len(origins) > 1:
        (first, first_source), (second, second_source) = list(origins.items())[:2]
        detail = f"{first_source} is for origin {first!r} but {second_source} for {second!r}"
        return [], Problem("checkpoint_conflict", None, None, detail)
    for (a, a_source), (b, b_source) in itertools.pairwise(found):
        if a.size == b.size and (a.root != b.root or a.origin != b.origin):
            return [], Problem(
                "checkpoint_conflict",
                None,
                None,
                f"{a_source} and {b_source} sign different trees of size {a.size} (split view)",
            )
    return found, None


def _checkpoint_problem(
    line: bytes, verifier: NoteVerifier | None, source: str, error: EvidenceFormatError
) -> Problem:
    """A checkpoint that is well formed but not signed by the verifier is another key's."""
    if verifier is not None:
        try:
            checkpoint, note = _parse_checkpoint_line(line, None)
        except EvidenceFormatError:
            pass
        else:
            signers = ", ".join(_signers(note)) or "nobody"
            detail = (
                f"{source}: the checkpoint of size {checkpoint.size} is signed by {signers}, not "
                f"by the verifier key {verifier.name}+{verifier.key_id.hex()}: the log was "
                "re-signed by another key, or the wrong verifier key was given"
            )
            return Problem("checkpoint_key", None, None, detail)
    return Problem("checkpoint_signature", None, None, f"{source}: {error}")


def _signers(note: str) -> list[str]:
    """`name+keyid` of each signature line of a signed note."""
    signers = []
    for line in note.partition("\n\n")[2].splitlines():
        _, _, rest = line.partition(" ")
        name, _, encoded = rest.partition(" ")
        try:
            key_id = base64.b64decode(encoded, validate=True)[:4]
        except binascii.Error:
            continue
        signers.append(f"{name}+{key_id.hex()}")
    return signers


class _Scan:
    """One verifying pass over a log, line batch by line batch; stops at the first problem.

    Each batch first takes the fast path (`_batch_ok`): every check at once, over the whole
    batch, in C loops (`map`, joins, one regex over the tails), answering only "is all of it
    exactly right?". Any doubt sends the batch through `_line`, the same checks one line at a
    time, which finds the first bad line and leaves saying what is wrong to `_diagnose`.
    """

    __slots__ = (
        "checked", "expected", "fmt", "frontier", "last_good_checkpoint", "last_hash", "line_no",
        "next_index", "next_size", "offset", "path", "pending", "problem", "state",
    )  # fmt: skip

    def __init__(self, path: Path, checkpoints: Sequence[tuple[Checkpoint, str]]) -> None:
        self.path = path
        self.state = _ScanState()
        self.frontier = self.state.frontier
        self.pending = [cp for cp in checkpoints if cp[0].size > 0]
        self.next_index = 0
        self.next_size = self.pending[0][0].size if self.pending else -1
        self.checked = 0
        self.last_good_checkpoint = 0
        self.expected = 0
        self.last_hash = GENESIS_PREV.encode()
        self.offset = 0
        self.line_no = 0
        self.problem: Problem | None = None
        self.fmt = _V1

    def batch(self, lines: list[bytes]) -> None:
        if self.expected == 0:
            # Record 0 sets the log's format version, and is the custody record: checked by
            # `_line` alone.
            version = _line_version(lines[0])
            if version not in _FORMATS:
                self.line_no = 1
                self.problem = Problem(
                    "malformed", 0, 1, f"record 0 is in {_unknown_version(version)}"
                )
                return
            self.fmt = _FORMATS[version]
            self.state.version = version
            self._line(lines[0])
            lines = lines[1:]
        if self.problem is None and lines and not self._batch_ok(lines):
            for line in lines:
                if not self._line(line):
                    break

    def _line(self, line: bytes) -> bool:
        """Check one line (newline included); False, with `problem` set, when it is bad."""
        expected = self.expected
        fmt = self.fmt
        self.line_no += 1
        position = line.rfind(fmt.tail_key)
        match = fmt.tail.match(line, position) if position > _PAYLOAD_START else None
        digest = _sha256(b"\x00{" + line[_BODY_START:-1]).digest()
        stated_hash = line[9:73]
        if (
            match is None
            or line[:9] != _HEAD
            or line[73:86] != _PAYLOAD_KEY
            or _hexlify(digest) != stated_hash
        ):
            self.problem = _diagnose(line, self.line_no, expected, self.offset, fmt)
            return False
        prev, seq_text = match.group("prev", "seq")
        if (
            (fmt.tail_digest is not None and not _payload_digest_ok(line, position, match))
            or int(seq_text) != expected
            or prev != self.last_hash
        ):
            problem = _diagnose(line, self.line_no, expected, self.offset, fmt)
            if problem.kind == "sequence":
                problem = _reorder(self.path, self.line_no, expected, int(seq_text), fmt) or problem
            self.problem = problem
            return False
        if expected == 0:
            self.problem = _genesis_problem(line, self.state, self.line_no, self.pending)
            if self.problem is not None:
                return False
        self.frontier.append_leaf_hash(digest)
        self.expected = expected + 1
        self.last_hash = stated_hash
        self.offset += len(line)
        return self.expected != self.next_size or self._checkpoints_match(self.frontier)

    def _checkpoints_match(self, frontier: merkle.Frontier) -> bool:
        """At a checkpoint's size: check its root (and any others of the same size)."""
        size = frontier.size
        while size == self.next_size:
            checkpoint, source = self.pending[self.next_index]
            if checkpoint.root != frontier.root() or checkpoint.origin != self.state.origin:
                detail = (
                    f"records {self.last_good_checkpoint}..{size - 1} do not match the signed "
                    f"checkpoint of size {size} ({source}): one of them was rewritten and the "
                    "chain recomputed after it was signed"
                )
                self.problem = Problem("checkpoint", self.last_good_checkpoint, None, detail)
                return False
            self.checked += 1
            self.last_good_checkpoint = size
            self._next_checkpoint(self.next_index + 1)
        return True

    def _next_checkpoint(self, index: int) -> None:
        self.next_index = index
        self.next_size = self.pending[index][0].size if index < len(self.pending) else -1

    def _batch_ok(self, lines: list[bytes]) -> bool:
        """True when every line is a good record (then the scan has moved past them all);
        False, changing nothing, on any doubt. Accepts exactly what `_line` accepts."""
        checked = self._batch_records(lines)
        if checked is None:
            return False
        digests, stated = checked
        count = len(lines)
        expected = self.expected
        frontier = self.frontier.copy()
        pending, index, origin = self.pending, self.next_index, self.state.origin
        start, end = expected, expected + count
        while start < end:
            size = pending[index][0].size if index < len(pending) else -1
            stop = size if start < size <= end else end
            frontier.extend_leaf_hashes(digests[start - expected : stop - expected])
            start = stop
            while index < len(pending) and pending[index][0].size == stop:
                checkpoint = pending[index][0]
                if checkpoint.root != frontier.root() or checkpoint.origin != origin:
                    return False  # `_line` will say so, at the right line
                index += 1
        if index > self.next_index:
            self.checked += index - self.next_index
            self.last_good_checkpoint = pending[index - 1][0].size
            self._next_checkpoint(index)
        self.frontier = self.state.frontier = frontier
        self.expected = end
        self.last_hash = stated[-1]
        self.offset += sum(map(len, lines))
        self.line_no += count
        return True

    def _batch_records(self, lines: list[bytes]) -> tuple[list[bytes], list[bytes]] | None:
        """Each line's format, hash, payload digest, sequence number and link, all at once:
        the record hashes (as digests, and as stated) when all are right, else None."""
        count = len(lines)
        expected = self.expected
        fmt = self.fmt
        if (
            b"".join(map(_HEAD_SLICE, lines)) != _HEAD * count
            or b"".join(map(_PAYLOAD_KEY_SLICE, lines)) != _PAYLOAD_KEY * count
        ):
            return None
        positions = list(map(bytes.rfind, lines, repeat(fmt.tail_key)))
        if min(positions) <= _PAYLOAD_START:
            return None
        # Each tail starts at its line's last `tail_key` and ends with its newline, so one
        # match per line, and as many matches as lines, means every tail is well formed.
        tails = list(map(_cut, lines, map(slice, positions, repeat(None))))
        seqs = fmt.tails.findall(b"".join(tails))
        if len(seqs) != count or list(map(int, seqs)) != list(range(expected, expected + count)):
            return None
        digests = list(map(_digest, map(_sha256, map(add, repeat(b"\x00{"), map(_BODY, lines)))))
        stated = list(map(_STATED_HASH, lines))
        if _hexlify(b"".join(digests)) != b"".join(stated) or b"".join(
            map(fmt.tail_prev, tails)
        ) != self.last_hash + b"".join(stated[:-1]):
            return None
        if fmt.tail_digest is not None:
            payloads = map(_cut, lines, map(slice, repeat(_PAYLOAD_START), positions))
            if _hexlify(b"".join(map(_digest, map(_sha256, payloads)))) != b"".join(
                map(fmt.tail_digest, tails)
            ):
                return None
        return digests, stated

    def finish(self, checkpoints: Sequence[tuple[Checkpoint, str]]) -> tuple[_ScanState, int]:
        state = self.state
        state.records = self.expected
        state.last_hash = self.last_hash.decode()
        state.good_bytes = self.offset
        state.covered = self.last_good_checkpoint
        state.signed_size = max((checkpoint.size for checkpoint, _ in checkpoints), default=0)
        if self.problem is None and self.next_size > 0:
            _, source = self.pending[self.next_index]
            detail = (
                f"the log ends after {self.expected} records but {source} covers "
                f"{self.next_size}: records {self.expected}..{self.next_size - 1} were cut off"
            )
            self.problem = Problem("truncated", self.expected, self.line_no + 1, detail)
        return state, self.checked


def _scan(
    path: Path,
    checkpoints: Sequence[tuple[Checkpoint, str]],
) -> tuple[_ScanState, Problem | None, int]:
    """Check every line in order; stop at the first problem. Returns state, problem, #checked."""
    scan = _Scan(path, checkpoints)
    with path.open("rb") as handle:
        # `readlines` splits exactly as iterating the file does (on b"\n" only).
        while scan.problem is None and (lines := handle.readlines(_BATCH_BYTES)):
            scan.batch(lines)
    state, checked = scan.finish(checkpoints)
    return state, scan.problem, checked


def _payload_digest_ok(line: bytes, position: int, match: re.Match[bytes]) -> bool:
    """Version 1: the payload, from its `{` to the tail at `position`, matches its digest."""
    return _hexlify(_sha256(line[_PAYLOAD_START:position]).digest()) == match.group("digest")


def _diagnose(line: bytes, line_no: int, expected: int, offset: int, fmt: _Format) -> Problem:
    """Say what is wrong with a line the fast path rejected, in a log of format `fmt`."""
    if not line.endswith(b"\n"):
        detail = (
            f"the last line is incomplete ({len(line)} bytes at offset {offset}, no newline), as "
            "a crash during an append leaves it; cut it off with `magento-ir evidence repair` "
            "(or EvidenceLog.open(..., repair=True)), which records the cut"
        )
        return Problem("torn", expected, line_no, detail)
    match = _match_tail(line, fmt)
    if match is None or line[:9] != _HEAD or line[73:86] != _PAYLOAD_KEY:
        return Problem("malformed", expected, line_no, _malformed_detail(line, fmt))
    if _hexlify(_sha256(b"\x00{" + line[_BODY_START:-1]).digest()) != line[9:73]:
        detail = "the record's content does not match its hash (the record was modified)"
        return Problem("hash", expected, line_no, detail)
    if fmt.tail_digest is not None and not _payload_digest_ok(line, match.start(), match):
        return Problem("payload_digest", expected, line_no, "the payload does not match its digest")
    seq = int(match.group("seq"))
    if seq != expected:
        what = "deleted or inserted" if seq > expected else "inserted, repeated or moved"
        detail = f"expected sequence number {expected}, found {seq} (a record was {what})"
        return Problem("sequence", expected, line_no, detail)
    detail = (
        f"prev does not match the hash of record {expected - 1}: that record was rewritten, or "
        "this one was inserted or moved"
        if expected
        else "the first record must have prev = 64 zeros"
    )
    return Problem("chain", expected, line_no, detail)


def _match_tail(line: bytes, fmt: _Format) -> re.Match[bytes] | None:
    position = line.rfind(fmt.tail_key)
    return fmt.tail.match(line, position) if position > _PAYLOAD_START else None


def _malformed_detail(line: bytes, fmt: _Format) -> str:
    """Why a line is not a record of the log's format: named when it is one of another."""
    version = _line_version(line)
    other = _FORMATS.get(version)
    if version != fmt.version and other is not None and _match_tail(line, other) is not None:
        return (
            f"a format version {version} record in a version {fmt.version} log (record 0 sets "
            "the log's version and a writer never mixes them: it was copied in from another log)"
        )
    if version != fmt.version:
        return (
            f"a record line stating format version {version} in a version {fmt.version} log "
            "(record 0 sets the log's version)"
        )
    return f"not a record line in the evidence format (version {fmt.version}, set by record 0)"


def _reorder(path: Path, line_no: int, expected: int, found: int, fmt: _Format) -> Problem | None:
    """When the record due at `line_no` is further down, and the one found there is not a
    copy of another line, records were moved: say so."""
    moved_to = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if number == line_no:
                continue
            match = _match_tail(line, fmt)
            seq = int(match.group("seq")) if match is not None else -1
            if seq == found:
                return None  # record `found` twice: one was inserted (a replayed copy)
            if seq == expected and number > line_no and moved_to is None:
                moved_to = number
    if moved_to is None:
        return None
    detail = (
        f"line {line_no} holds record {found} but record {expected} is at line {moved_to}: "
        "the records were reordered"
    )
    return Problem("reorder", expected, line_no, detail)


def _genesis_problem(
    line: bytes, state: _ScanState, line_no: int, checkpoints: Sequence[tuple[Checkpoint, str]]
) -> Problem | None:
    try:
        record = json.loads(line)
    except ValueError:
        # Only a forger recomputing hashes can get here: the writer emits valid JSON.
        return Problem("malformed", 0, line_no, "record 0 is not valid JSON")
    origin = record["payload"].get("origin")
    if record["type"] != "custody" or not isinstance(origin, str):
        detail = "record 0 must be the custody record naming the log's origin"
        return Problem("genesis", 0, line_no, detail)
    if checkpoints and checkpoints[0][0].origin != origin:
        detail = (
            f"record 0 names origin {origin!r} but the checkpoints are for "
            f"{checkpoints[0][0].origin!r}: it is not the first record of this log"
        )
        return Problem("genesis", 0, line_no, detail)
    state.origin = origin
    return None


def verify(
    path: str | os.PathLike[str],
    verifier: NoteVerifier | None = None,
    *,
    checkpoints: Iterable[str] = (),
) -> VerificationReport:
    """Check the whole log in one streaming pass and name the first bad record.

    Checks each line's format, record hash, payload digest (format version 1), sequence number
    and link to the previous record, then the Merkle root at the size of every checkpoint beside
    the log and in `checkpoints` (signed notes kept elsewhere: they catch truncation and full
    rewrites). With no `verifier`, checkpoint signatures are not checked and the report says so.
    """
    log = Path(path)
    loaded, problem = _load_checkpoints(log, verifier, checkpoints)
    state, checked = _ScanState(), 0
    if problem is None:
        state, problem, checked = _scan(log, loaded)
    return VerificationReport(
        path=log,
        records=state.records,
        root=state.frontier.root(),
        last_hash=state.last_hash,
        origin=state.origin,
        checkpoints_checked=checked,
        signatures_checked=verifier is not None,
        problem=problem,
        covered=state.covered,
        checkpoints_found=len(loaded),
    )


def _parse_record(line: bytes, line_no: int, version: int) -> Record:
    """The record on a line of a log of format `version` (the version record 0 states)."""
    stated = _line_version(line)
    if stated != version:
        raise EvidenceFormatError(
            f"line {line_no} is a format version {stated} record in a version {version} log "
            "(record 0 sets the log's version; a writer never mixes them): verify the log"
        )
    try:
        data = json.loads(line)
        return Record(
            seq=data["seq"],
            time=data["time"],
            type=data["type"],
            payload=data["payload"],
            payload_sha256=data["payload_sha256"] if version == 1 else None,
            prev=data["prev"],
            hash=data["hash"],
            raw=line,
            version=version,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise EvidenceFormatError(
            f"line {line_no} is not an evidence record of format version {version}: {exc}"
        ) from None


def read_records(path: str | os.PathLike[str]) -> Iterator[Record]:
    """Stream the log's records in order (without verifying them: use `verify` for that).

    Both format versions are read; a record of another version than record 0's, or of a
    version this magento_ir does not know, is an EvidenceFormatError.
    """
    version = 0
    with Path(path).open("rb") as handle:
        for line_no, line in enumerate(handle, 1):
            if not line.endswith(b"\n"):
                raise TornRecordError(
                    f"line {line_no} is incomplete (torn by a crash during an append)",
                    line=line_no,
                    offset=handle.tell() - len(line),
                    length=len(line),
                )
            if not version:
                version = _line_version(line)
                if version not in _FORMATS:
                    raise EvidenceFormatError(f"line 1 is a record in {_unknown_version(version)}")
            yield _parse_record(line, line_no, version)


def _leaves(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        for line in handle:
            yield bytes.fromhex(line[9:73].decode())


def _count_complete_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.endswith(b"\n"))


def inclusion_proof(path: str | os.PathLike[str], seq: int, tree_size: int) -> list[bytes]:
    """RFC 6962 audit path of record `seq` in the tree of the first `tree_size` records."""
    log = Path(path)
    _check_tree_size(log, tree_size)
    return merkle.range_roots(_leaves(log), merkle.inclusion_ranges(seq, tree_size))


def consistency_proof(path: str | os.PathLike[str], old_size: int, new_size: int) -> list[bytes]:
    """RFC 6962 proof that the tree of `old_size` records is a prefix of the `new_size` one."""
    log = Path(path)
    _check_tree_size(log, new_size)
    return merkle.range_roots(_leaves(log), merkle.consistency_ranges(old_size, new_size))


def record_in_checkpoint(record: Record, proof: Sequence[bytes], checkpoint: Checkpoint) -> bool:
    """True when `proof` shows this exact record line is in the tree `checkpoint` signed.

    The leaf hash is recomputed from `record.raw`, so a SIEM copy of a line (its ECS
    `event.original`, or the syslog MSG) can be checked without the log itself.
    """
    raw = record.raw.rstrip(b"\n")
    if raw[:9] != _HEAD or len(raw) <= _BODY_START:
        return False
    leaf = _sha256(b"\x00{" + raw[_BODY_START:]).digest()
    if leaf.hex() != record.hash or record.seq >= checkpoint.size:
        return False
    root = merkle.root_from_inclusion_proof(record.seq, checkpoint.size, leaf, proof)
    return root == checkpoint.root


def _check_tree_size(log: Path, tree_size: int) -> None:
    available = _count_complete_lines(log)
    if tree_size > available:
        raise ValueError(f"tree_size={tree_size} exceeds the {available} records in {log}")


def read_checkpoints(
    path: str | os.PathLike[str], verifier: NoteVerifier | None = None
) -> list[str]:
    """The signed checkpoint notes kept beside the log at `path`, oldest first (to copy
    elsewhere); none if it has no checkpoints file yet."""
    beside = checkpoints_path(path)
    return read_checkpoint_file(beside, verifier) if beside.exists() else []


def read_checkpoint_file(
    path: str | os.PathLike[str], verifier: NoteVerifier | None = None
) -> list[str]:
    """The signed notes in a checkpoints file: `<log>.checkpoints` or a copy kept elsewhere.

    Each complete line must be `{"note": "<signed note>"}` (EvidenceFormatError otherwise;
    with a verifier, also when a note is not signed by it); a torn last line is skipped.
    """
    with Path(path).open("rb") as handle:
        return [
            _parse_checkpoint_line(line, verifier)[1] for line in handle if line.endswith(b"\n")
        ]


class _Clock:
    """RFC 3339 UTC timestamps with microseconds, reusing the formatted second."""

    __slots__ = ("_prefix", "_second")

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def now(self) -> str:
        micros = time.time_ns() // 1000  # looked up per call: a notebook fixes the clock
        seconds = micros // 1_000_000
        if seconds != self._second:
            self._second = seconds
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(seconds))
        # str() of 1,000,000 + the microseconds, less its leading 1: a quarter cheaper than
        # a `:06d` format.
        return self._prefix + str(micros % 1_000_000 + 1_000_000)[1:] + "Z"


def _fsync_directory(path: Path) -> None:
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_type(record_type: str) -> None:
    if len(record_type) > _MAX_TYPE_LENGTH or not _RECORD_TYPE.fullmatch(record_type):
        raise EvidenceFormatError(
            f"invalid record type {record_type!r}: use up to 32 lowercase dotted words such as "
            "'capture.http_exchange' or 'journal.plan' (see docs/evidence.md)"
        )


class EvidenceLog:
    """The single writer of one evidence log. Open with `EvidenceLog.open(path, key=...)`.

    `sync="each"` writes, flushes and fsyncs every append before returning; `sync="batch"`
    buffers appends until `sync()`, `checkpoint()` or `close()` (faster, but a crash loses the
    unsynced tail, and may leave a torn last line that the next open reports).

    A signed checkpoint is written every `checkpoint_every` records, on the first append at
    least `checkpoint_seconds` after the previous one (so a slow journal is covered too), on
    `checkpoint()` and on `close()`.
    """

    def __init__(
        self,
        path: Path,
        *,
        key: SigningKey,
        lock_fd: int,
        handle: IO[bytes],
        state: _ScanState,
        sync: Literal["each", "batch"],
        checkpoint_every: int | None,
        checkpoint_seconds: float | None,
    ) -> None:
        if state.origin is None:
            raise EvidenceFormatError("internal: a resumed log must have an origin")
        self.path = path
        self.origin: str = state.origin
        self._key = key
        self._lock_fd: int | None = lock_fd
        self._handle = handle
        self._sync_each = sync == "each"
        self._checkpoint_every = checkpoint_every
        self._checkpoint_seconds = checkpoint_seconds
        self._last_checkpoint_at = _monotonic()
        self._next_seq = state.records
        self._last_hash = state.last_hash
        self._v1 = state.version == 1
        self._frontier = state.frontier
        # Record hashes not yet in the frontier: added in bulk when a root is asked for.
        self._new_leaves: list[bytes] = []
        self._clock = _Clock()
        self._encode = _canonical_encoder()
        self._known_types: set[str] = set()
        self._checkpointed_size = -1

    def __repr__(self) -> str:
        state = "closed" if self._lock_fd is None else "open"
        return f"<EvidenceLog {str(self.path)!r} {state}, {self._next_seq} records>"

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        key: SigningKey,
        origin: str | None = None,
        sync: Literal["each", "batch"] = "each",
        checkpoint_every: int | None = 10_000,
        checkpoint_seconds: float | None = 60.0,
        tool_args: Sequence[str] = (),
        user: str | None = None,
        host: str | None = None,
        repair: bool = False,
    ) -> EvidenceLog:
        """Create or resume the log at `path`, taking its lock, and record who opened it.

        A new log starts with a `custody` record (action `created`) naming its origin; a resumed
        log is verified first and gets a `custody` record with action `reopened`. A new log is
        signed (checkpointed) at once. A resumed log must verify (LogIntegrityError) and be
        covered by a checkpoint signed by `key` (UncoveredLogError: a log rewritten and
        re-hashed is never signed; `adopt` it knowingly). Records after the last checkpoint, as
        a crash leaves them, chain onto that signed prefix: the custody record names them
        (`uncovered_tail`). `tool_args` should already be free of secrets.
        """
        if sync not in ("each", "batch"):
            raise ValueError(f"sync must be 'each' or 'batch', not {sync!r}")
        if checkpoint_every is not None and checkpoint_every < 1:
            raise ValueError("checkpoint_every must be a positive number of records, or None")
        if checkpoint_seconds is not None and checkpoint_seconds <= 0:
            raise ValueError("checkpoint_seconds must be a positive number of seconds, or None")
        log = Path(path)
        lock_fd = _acquire_lock(log)
        try:
            log_obj = cls._open_locked(
                log, key=key, origin=origin, sync=sync, lock_fd=lock_fd,
                checkpoint_every=checkpoint_every, checkpoint_seconds=checkpoint_seconds,
                repair=repair, custody=_custody_payload(tool_args, user, host),
            )  # fmt: skip
        except BaseException:
            os.close(lock_fd)
            raise
        return log_obj

    @classmethod
    def _open_locked(
        cls,
        log: Path,
        *,
        key: SigningKey,
        origin: str | None,
        sync: Literal["each", "batch"],
        lock_fd: int,
        checkpoint_every: int | None,
        checkpoint_seconds: float | None,
        repair: bool,
        custody: dict[str, Any],
    ) -> EvidenceLog:
        repairs: list[dict[str, Any]] = []
        state = _ScanState()
        if log.exists() and log.stat().st_size > 0:
            if origin is not None:
                raise ValueError(f"{log} exists: its origin is fixed; do not pass origin=")
            state, repairs = _resume(log, key.verifier(), repair=repair)
            custody["action"] = "reopened"
            if state.covered < state.records:
                custody["uncovered_tail"] = {
                    "first": state.covered,
                    "count": state.records - state.covered,
                }
        if state.records == 0:
            # A new log, or one whose only (torn) line a repair just removed.
            state.origin = origin or f"magento_ir/evidence/{uuid.uuid4()}"
            state.version = _NEW_LOG_VERSION
            check_origin(state.origin)
            custody.update(action="created", origin=state.origin)
        custody["verifier_key"] = str(key.verifier())
        handle = private_open(log, "ab", buffering=1 << 20)
        try:
            if state.records == 0:
                _fsync_directory(log)
            evidence_log = cls(
                log, key=key, lock_fd=lock_fd, handle=handle, state=state, sync=sync,
                checkpoint_every=checkpoint_every, checkpoint_seconds=checkpoint_seconds,
            )  # fmt: skip
            repair_records = [("log.repair", payload) for payload in repairs]
            custody_record = [("custody", custody)]
            # Record 0 is always the custody record that names the origin.
            ordered = (
                custody_record + repair_records
                if state.records == 0
                else repair_records + custody_record
            )
            for record_type, payload in ordered:
                evidence_log.append(record_type, payload)
            if state.records == 0:
                # A new log is signed at once, so a crash from here on leaves a tail that chains
                # onto a checkpoint of this key, which resuming accepts (a forged log has none).
                evidence_log.checkpoint()
            else:
                evidence_log.sync()
        except BaseException:
            handle.close()
            raise
        return evidence_log

    @classmethod
    def adopt(
        cls,
        path: str | os.PathLike[str],
        *,
        key: SigningKey,
        note: str = "",
        tool_args: Sequence[str] = (),
        user: str | None = None,
        host: str | None = None,
    ) -> Record:
        """Accept a log no checkpoint of `key` covers (another tool's, or one rewritten), knowingly.

        The chain must be intact and agree with any checkpoints beside it (whose signatures are
        not checked: they are moved aside to `<log>.checkpoints.before-adoption-<time>`). A torn
        last line is cut off and recorded. Then a `log.adopt` record names who adopted it, when,
        and the size and root hash adopted, and a checkpoint signed by `key` covers it all.
        Returns the `log.adopt` record.
        """
        log = Path(path)
        if not log.is_file() or log.stat().st_size == 0:
            raise EvidenceFormatError(f"{log} holds no records: there is nothing to adopt")
        lock_fd = _acquire_lock(log)
        try:
            state, repairs = _resume(log, None, repair=True, require_cover=False)
            previous = _set_checkpoints_aside(log)
            handle = private_open(log, "ab", buffering=1 << 20)
        except BaseException:
            os.close(lock_fd)
            raise
        try:
            evidence_log = cls(
                log, key=key, lock_fd=lock_fd, handle=handle, state=state, sync="each",
                checkpoint_every=None, checkpoint_seconds=None,
            )  # fmt: skip
        except BaseException:
            handle.close()
            os.close(lock_fd)
            raise
        with evidence_log:
            for payload in repairs:
                evidence_log.append("log.repair", payload)
            adoption = _custody_payload(tool_args, user, host)
            adoption.update(
                action="adopted",
                note=note,
                adopted_size=evidence_log.size,
                adopted_root=evidence_log.root().hex(),
                adopted_last_hash=evidence_log.last_hash,
                previous_checkpoints=previous,
                verifier_key=str(key.verifier()),
            )
            return evidence_log.append("log.adopt", adoption)

    @property
    def size(self) -> int:
        """Number of records written (synced or not)."""
        return self._next_seq

    @property
    def last_hash(self) -> str:
        return self._last_hash

    @property
    def format_version(self) -> int:
        """The log's record format: 2 for a new log, an existing log's own (1 stays 1)."""
        return 1 if self._v1 else 2

    def root(self) -> bytes:
        """RFC 6962 root hash of every record written so far."""
        if self._new_leaves:
            self._frontier.extend_leaf_hashes(self._new_leaves)
            self._new_leaves.clear()
        return self._frontier.root()

    def append(self, type: str, payload: Mapping[str, Any]) -> Record:  # noqa: A002 - schema name
        """Append one record and return it; with sync="each" it is on disk when this returns."""
        if self._lock_fd is None:
            raise EvidenceFormatError(f"{self.path} is closed: reopen it with EvidenceLog.open")
        if type not in self._known_types:
            _check_type(type)
            self._known_types.add(type)
        if not isinstance(payload, dict) and not isinstance(payload, Mapping):
            raise EvidenceFormatError("a record payload must be a JSON object (a mapping)")
        try:
            payload_json = self._encode(payload)  # canonical_json(), inlined: the hot path
        except (TypeError, ValueError, RecursionError) as exc:
            raise _unencodable(exc) from None
        seq = self._next_seq
        prev = self._last_hash
        timestamp = self._clock.now()
        try:
            # The leaf hash's input: 0x00 and the line's entry, `{` + the line from its
            # `"payload"` on (without the newline). Built as one string, encoded once.
            if self._v1:
                payload_sha256: str | None = _sha256(payload_json.encode()).hexdigest()
                entry = (
                    f'\x00{{"payload":{payload_json},"payload_sha256":"{payload_sha256}",'
                    f'"prev":"{prev}","seq":{seq},"time":"{timestamp}","type":"{type}"}}'
                )
            else:
                payload_sha256 = None
                entry = (
                    f'\x00{{"payload":{payload_json},"prev":"{prev}","seq":{seq},'
                    f'"time":"{timestamp}","type":"{type}","v":2}}'
                )
            leaf = entry.encode()
        except UnicodeEncodeError:
            raise EvidenceFormatError(
                "the payload holds a lone surrogate, which UTF-8 cannot encode: decode raw bytes "
                "with errors='replace' or store them base64-encoded"
            ) from None
        digest = _sha256(leaf).digest()
        hash_hex = _hexlify(digest)
        line = b"".join((b'{"hash":"', hash_hex, b'",', leaf[2:], b"\n"))
        record_hash = hash_hex.decode()
        self._handle.write(line)
        if self._sync_each:
            self._handle.flush()
            os.fsync(self._handle.fileno())
        new_leaves = self._new_leaves
        new_leaves.append(digest)
        if len(new_leaves) == _LEAF_BATCH:
            self._frontier.extend_leaf_hashes(new_leaves)
            new_leaves.clear()
        self._next_seq = seq + 1
        self._last_hash = record_hash
        if (
            self._checkpoint_every is not None and self._next_seq % self._checkpoint_every == 0
        ) or (
            self._checkpoint_seconds is not None
            and _monotonic() - self._last_checkpoint_at >= self._checkpoint_seconds
        ):
            self.checkpoint()
        # tuple.__new__ skips the NamedTuple's Python-level __new__: a tenth of an append.
        return _new_record(
            Record,
            (
                seq, timestamp, type, dict(payload), payload_sha256, prev, record_hash, line,
                2 - self._v1,
            ),
        )  # fmt: skip

    def custody(
        self,
        action: str,
        *,
        note: str = "",
        user: str | None = None,
        host: str | None = None,
        tool_args: Sequence[str] = (),
    ) -> Record:
        """Record a chain-of-custody event (handed over, copied, examined, shipped ...)."""
        payload = _custody_payload(tool_args, user, host)
        payload.update(action=action, note=note)
        return self.append("custody", payload)

    def sync(self) -> None:
        """Flush buffered appends and fsync them: after this they survive a crash."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def checkpoint(self) -> str:
        """Sync, then sign the current tree head and append it to `<log>.checkpoints`.

        Returns the signed note; copy it somewhere the writer cannot change (the SIEM, WORM
        storage) so truncation or a rewrite of the log is detectable.
        """
        self.sync()
        note = Checkpoint(origin=self.origin, size=self._next_seq, root=self.root()).sign(self._key)
        beside = checkpoints_path(self.path)
        created = not beside.exists()
        with private_open(beside, "ab") as handle:
            handle.write(json.dumps({"note": note}, ensure_ascii=False).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        if created:
            _fsync_directory(beside)
        self._checkpointed_size = self._next_seq
        self._last_checkpoint_at = _monotonic()
        return note

    def records(self) -> Iterator[Record]:
        """Stream every record written so far (syncs first)."""
        self.sync()
        return read_records(self.path)

    def verify(self, *, checkpoints: Iterable[str] = ()) -> VerificationReport:
        """Verify what this writer has written, with its own key's verifier."""
        self.sync()
        return verify(self.path, self._key.verifier(), checkpoints=checkpoints)

    def inclusion_proof(self, seq: int, tree_size: int | None = None) -> list[bytes]:
        self.sync()
        return inclusion_proof(self.path, seq, self._next_seq if tree_size is None else tree_size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        self.sync()
        size = self._next_seq if new_size is None else new_size
        return consistency_proof(self.path, old_size, size)

    def close(self) -> None:
        """Checkpoint anything not yet covered, sync, and release the lock."""
        if self._lock_fd is None:
            return
        try:
            if self._checkpointed_size != self._next_seq:
                self.checkpoint()
            self.sync()
        finally:
            self._handle.close()
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _repr_html_(self) -> str:
        from magento_ir.evidence.notebook import log_html  # noqa: PLC0415 - notebook-only

        self.sync()
        return log_html(self.path)


def _resume(
    log: Path, verifier: NoteVerifier | None, *, repair: bool, require_cover: bool = True
) -> tuple[_ScanState, list[dict[str, Any]]]:
    """Verify an existing log before appending; cut torn lines only when asked to.

    With `require_cover`, the records must be covered by a checkpoint `verifier` checks: all
    of them but those after the last checkpoint (a crash's tail, which chains onto it), or a
    lone record 0 (a crash before the first checkpoint).
    """
    loaded, problem = _load_checkpoints(log, verifier, ())
    if problem is not None and problem.kind == "checkpoint_key":
        raise UncoveredLogError(
            f"{log}: {problem.detail}. Not extending it. If you trust the log, adopt it with "
            f"`magento-ir evidence adopt {log}` (the adoption is recorded in the log)",
            records=0,
            covered=0,
        )
    state, problem, checked = _scan(log, loaded) if problem is None else (_ScanState(), problem, 0)
    repairs: list[dict[str, Any]] = []
    if problem is not None and problem.kind == "torn" and state.signed_size > state.records:
        # Checkpoints are written after their records are on disk: a crash cannot tear a
        # record one covers. The log was cut; repairing would sign over the cut.
        detail = (
            f"record {state.records} is incomplete but a checkpoint covers "
            f"{state.signed_size} records: records {state.records}..{state.signed_size - 1} "
            "were cut off (no crash does that), so the log is not repaired or extended"
        )
        problem = Problem("truncated", state.records, problem.line, detail)
    if problem is not None and problem.kind == "torn" and repair:
        repairs.append(_cut_torn_tail(log, state.good_bytes, problem.line or 0))
    elif problem is not None and problem.kind == "torn":
        raise TornRecordError(
            f"{log}: {problem}",
            line=problem.line or 0,
            offset=state.good_bytes,
            length=log.stat().st_size - state.good_bytes,
        )
    elif problem is not None:
        report = VerificationReport(
            log, state.records, state.frontier.root(), state.last_hash, state.origin,
            checked, signatures_checked=True, problem=problem,
        )  # fmt: skip
        raise LogIntegrityError(report)
    repairs.extend(_repair_torn_checkpoint_line(checkpoints_path(log), repair=repair))
    if require_cover and state.covered == 0 and (state.records > 1 or loaded):
        raise UncoveredLogError(
            f"{log}: none of its {state.records} records is covered by a checkpoint signed by "
            f"this key ({verifier}): it may have been rewritten, its chain recomputed and its "
            "checkpoints deleted, so it is not extended or signed. Check it with `magento-ir "
            f"evidence verify {log} --verifier ...`; if you trust it, adopt it with `magento-ir "
            f"evidence adopt {log}` (the adoption is recorded in the log)",
            records=state.records,
            covered=0,
        )
    return state, repairs


def _set_checkpoints_aside(log: Path) -> dict[str, Any] | None:
    """Move `<log>.checkpoints` (another key's, unchecked) aside before an adoption."""
    beside = checkpoints_path(log)
    if not beside.exists():
        return None
    content = beside.read_bytes()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = beside.with_name(f"{beside.name}.before-adoption-{stamp}")
    beside.replace(kept)
    _fsync_directory(kept)
    return {
        "file": kept.name,
        "lines": content.count(b"\n"),
        "sha256": _sha256(content).hexdigest(),
    }


def _acquire_lock(log: Path) -> int:
    lock = _lock_path(log)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise LogLockedError(
            f"{log} is being written by another process (pid {holder}, lock {lock}); "
            "one writer per log: wait for it or close it"
        ) from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


def _cut_torn_tail(path: Path, good_bytes: int, line: int) -> dict[str, Any]:
    """Cut the torn bytes after `good_bytes` off `path` and describe them for `log.repair`."""
    with path.open("r+b") as handle:
        handle.seek(good_bytes)
        removed = handle.read()
        handle.truncate(good_bytes)
        handle.flush()
        os.fsync(handle.fileno())
    return {
        "action": "cut_torn_last_line",
        "reason": "the last line had no newline, as a crash during an append leaves it; it was "
        "never a complete record",
        "file": path.name,
        "line": line,
        "offset": good_bytes,
        "removed_length": len(removed),
        "removed_sha256": _sha256(removed).hexdigest(),
        "removed_base64": base64.b64encode(removed).decode(),
    }


def _repair_torn_checkpoint_line(beside: Path, *, repair: bool) -> list[dict[str, Any]]:
    """A crash while writing a checkpoint leaves a torn line that commits to nothing; new
    checkpoints must not be appended to it."""
    if not beside.exists():
        return []
    content = beside.read_bytes()
    if not content or content.endswith(b"\n"):
        return []
    good_bytes = content.rfind(b"\n") + 1
    line = content.count(b"\n") + 1
    if not repair:
        raise TornRecordError(
            f"{beside}: line {line} is incomplete ({len(content) - good_bytes} bytes, no "
            "newline), as a crash while writing a checkpoint leaves it; cut it off with "
            "`magento-ir evidence repair` (or EvidenceLog.open(..., repair=True)), which records "
            "the cut",
            line=line,
            offset=good_bytes,
            length=len(content) - good_bytes,
        )
    return [_cut_torn_tail(beside, good_bytes, line)]


def _custody_payload(
    tool_args: Sequence[str], user: str | None, host: str | None
) -> dict[str, Any]:
    if isinstance(tool_args, str):
        raise TypeError("tool_args is a sequence of arguments, not one string")
    return {
        "user": user if user is not None else getpass.getuser(),
        "host": host if host is not None else socket.gethostname(),
        "pid": os.getpid(),
        "magento_ir_version": magento_ir.__version__,
        "tool_args": list(tool_args),
    }
