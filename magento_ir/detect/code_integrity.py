"""Code-integrity change detection over the companion module's code manifest (PCI DSS 11.5.2).

A baseline is the manifest of the store's code at one time: every file's path, size, mtime, ctime
and SHA-256 as `GET /V1/incident-response/code/manifest` reads them on the store's disk. It is
kept as a JSON-lines file (a header line, then one line per file in byte order of path) signed
with the evidence log's key the way the log signs its tree heads: a checkpoint note whose origin
names the store, whose size is the number of lines and whose root is the RFC 6962 Merkle root of
the lines. A baseline whose file or note was altered does not load.

    files = client.incident_response.iterate_code_manifest()
    baseline = CodeBaseline.from_manifest(files, store=url, taken_at=started)
    baseline.save("code.baseline", key=signing_key)
    ...
    baseline = CodeBaseline.load("code.baseline", verifier=signing_key.verifier())
    changes = baseline.diff(client.incident_response.iterate_code_manifest(
        changed_since=baseline.changed_since))
    changes.added, changes.changed, changes.removed

With `changed_since`, the module reads only files whose mtime or ctime is at or after it (ctime
cannot be set back with `touch`); the others are compared by size and mtime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir._exceptions import MagentoIRError
from magento_ir.evidence import merkle
from magento_ir.evidence._errors import EvidenceFormatError
from magento_ir.evidence.notes import Checkpoint

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Mapping

    from magento_ir.evidence.notes import NoteVerifier, SigningKey
    from magento_ir.models.incident_response import CodeFile

__all__ = ["RESCAN_MARGIN", "BaselineIntegrityError", "CodeBaseline", "CodeChanges", "FileState"]

FORMAT = "magento-ir/code-baseline/1"
# Seconds before the baseline's time from which a later check re-reads files: covers a clock
# difference between this machine and the store, and writes during the baseline's own scan.
RESCAN_MARGIN = 300


class BaselineIntegrityError(MagentoIRError):
    """A saved baseline does not verify: altered, truncated, or signed by another key."""


@dataclass(frozen=True, slots=True)
class FileState:
    size: int
    mtime: int
    ctime: int
    sha256: str


@dataclass(frozen=True, slots=True)
class CodeChanges:
    """Paths added, changed (content; or size and mtime when not re-read) or removed, and
    `touched`: re-read with the same content but another mtime (a touch, or content put back)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    touched: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """No file added, changed or removed (touched files have their baseline content)."""
        return not (self.added or self.changed or self.removed)


def _line(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _origin(store: str) -> str:
    return f"magento-ir code baseline {store}"


@dataclass(frozen=True)
class CodeBaseline:
    """The store's code at `taken_at` (unix seconds, this machine's clock when the scan began)."""

    store: str
    taken_at: int
    files: Mapping[str, FileState] = field(repr=False)

    @classmethod
    def from_manifest(cls, files: Iterable[CodeFile], *, store: str, taken_at: int) -> CodeBaseline:
        """A baseline from a full manifest (read with `changed_since=0`: every file hashed)."""
        states: dict[str, FileState] = {}
        for file in files:
            if file.sha256 is None:
                raise MagentoIRError(
                    f"{file.path} was listed without its SHA-256: take a baseline from a full "
                    "manifest (iterate_code_manifest() without changed_since)"
                )
            states[file.path] = FileState(file.size, file.mtime, file.ctime, file.sha256)
        return cls(store, taken_at, dict(sorted(states.items(), key=lambda i: i[0].encode())))

    @property
    def changed_since(self) -> int:
        """What to pass as `changed_since` when checking against this baseline."""
        return max(0, self.taken_at - RESCAN_MARGIN)

    def _lines(self) -> list[bytes]:
        header = {"format": FORMAT, "store": self.store, "taken_at": self.taken_at}
        lines = [_line(header)]
        lines.extend(
            _line(
                {
                    "path": path,
                    "size": state.size,
                    "mtime": state.mtime,
                    "ctime": state.ctime,
                    "sha256": state.sha256,
                }
            )
            for path, state in self.files.items()
        )
        return lines

    def _checkpoint(self, lines: list[bytes]) -> Checkpoint:
        return Checkpoint(origin=_origin(self.store), size=len(lines), root=merkle.tree_root(lines))

    def save(self, path: str | os.PathLike[str], *, key: SigningKey) -> Path:
        """Write the baseline to `path` and its signed note to `<path>.note`; returns `path`."""
        target = Path(path)
        lines = self._lines()
        target.write_bytes(b"".join(line + b"\n" for line in lines))
        note = self._checkpoint(lines).sign(key)
        target.with_name(target.name + ".note").write_text(note, encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, verifier: NoteVerifier) -> CodeBaseline:
        """Read a saved baseline; BaselineIntegrityError unless its note, signed by `verifier`'s
        key, covers exactly these lines."""
        source = Path(path)
        note_path = source.with_name(source.name + ".note")
        try:
            raw = source.read_bytes()
            note = note_path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise BaselineIntegrityError(
                f"{exc.filename} is missing: a baseline is its file and its signed .note"
            ) from None
        lines = raw.split(b"\n")
        if not lines or lines[-1] != b"":
            raise BaselineIntegrityError(f"{source} does not end with a newline: truncated")
        lines.pop()
        try:
            signed = Checkpoint.parse(note, verifier)
        except EvidenceFormatError as exc:
            raise BaselineIntegrityError(f"{note_path}: {exc}") from None
        if signed.size != len(lines) or signed.root != merkle.tree_root(lines):
            raise BaselineIntegrityError(
                f"{source} is not what {note_path} signed: the baseline was altered"
            )
        try:
            header = json.loads(lines[0])
            files = {}
            for line in lines[1:]:
                item = json.loads(line)
                files[item["path"]] = FileState(
                    item["size"], item["mtime"], item["ctime"], item["sha256"]
                )
        except (ValueError, KeyError, IndexError) as exc:
            raise BaselineIntegrityError(f"{source} is not a code baseline: {exc}") from None
        if header.get("format") != FORMAT or signed.origin != _origin(header.get("store", "")):
            raise BaselineIntegrityError(f"{source} is not a {FORMAT} baseline")
        return cls(header["store"], int(header["taken_at"]), files)

    def diff(self, current: Iterable[CodeFile]) -> CodeChanges:
        """What differs between this baseline and a manifest read now (full or incremental)."""
        added: list[str] = []
        changed: list[str] = []
        touched: list[str] = []
        seen: set[str] = set()
        for file in current:
            seen.add(file.path)
            before = self.files.get(file.path)
            if before is None:
                added.append(file.path)
            elif file.sha256 is not None:
                if file.sha256 != before.sha256 or file.size != before.size:
                    changed.append(file.path)
                elif file.mtime != before.mtime:
                    touched.append(file.path)
            elif (file.size, file.mtime) != (before.size, before.mtime):
                changed.append(file.path)
        removed = [path for path in self.files if path not in seen]
        return CodeChanges(tuple(added), tuple(changed), tuple(removed), tuple(touched))
