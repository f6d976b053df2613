"""What an attacker with write access to the journal's directory can do to an evidence log."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from magento_ir.evidence import (
    Checkpoint,
    EvidenceLog,
    SigningKey,
    canonical_json,
    checkpoints_path,
)
from magento_ir.evidence.log import GENESIS_PREV
from magento_ir.evidence.merkle import Frontier
from tests.evidence._formats import new_logs_in

if TYPE_CHECKING:
    from pathlib import Path


def write_journal(
    path: Path, key: SigningKey, steps: int = 4, *, version: int | None = None, **options: Any
) -> Path:
    """A closed log shaped like an incident journal: results, then their rollbacks, in record
    format `version` (None: the one new logs get)."""
    with (
        new_logs_in(version),
        EvidenceLog.open(path, key=key, user="responder", host="lab", **options) as log,
    ):
        log.append("incident.opened", {"id": "IR-1", "title": "skimmer", "store": "shop"})
        for number in range(steps):
            log.append("journal.result", {"step": f"s{number}", "outcome": "ok"})
        for number in range(steps):
            log.append("journal.rollback_result", {"step": f"s{number}", "outcome": "ok"})
    return path


def rehash(lines: list[bytes]) -> list[bytes]:
    """Renumber and re-chain `lines` as the writer would: a self-consistent forged log (in
    each line's own format version)."""
    forged: list[bytes] = []
    prev = GENESIS_PREV
    for seq, line in enumerate(lines):
        record = json.loads(line)
        payload = canonical_json(record["payload"])
        entry = {
            "payload": record["payload"],
            "prev": prev,
            "seq": seq,
            "time": record["time"],
            "type": record["type"],
        }
        if "v" in record:
            entry["v"] = record["v"]
        else:
            entry["payload_sha256"] = hashlib.sha256(payload.encode()).hexdigest()
        body = canonical_json(entry).encode()
        digest = hashlib.sha256(b"\x00" + body).hexdigest()
        forged.append(canonical_json({"hash": digest, **entry}).encode() + b"\n")
        prev = digest
    return forged


def resign(path: Path, key: SigningKey) -> None:
    """Replace the checkpoints beside `path` by one over the whole (forged) log, signed by `key`."""
    lines = path.read_bytes().splitlines(keepends=True)
    frontier = Frontier()
    for line in lines:
        frontier.append_leaf_hash(bytes.fromhex(json.loads(line)["hash"]))
    origin = json.loads(lines[0])["payload"]["origin"]
    note = Checkpoint(origin=origin, size=len(lines), root=frontier.root()).sign(key)
    checkpoints_path(path).write_text(json.dumps({"note": note}) + "\n")


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime (ns): what a read-only command must leave as it was."""
    return {
        entry.name: (entry.read_bytes(), entry.stat().st_mtime_ns)
        for entry in sorted(directory.iterdir())
        if entry.is_file()
    }
