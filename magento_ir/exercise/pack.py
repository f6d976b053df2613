"""The auditor's evidence pack of an exercise run (issue 15, item 5): one zip with the run's
reports, its signed evidence log and the drill's signed journal with their checkpoints, the
verifier keys and a README saying how to verify it with `magento-ir evidence verify` alone.

Everything sits under one folder named after the run, so `unzip PACK.zip` then `cd RUN_ID`
gives the folder the README's commands run in. `SHA256SUMS` lists every file (`sha256sum -c`);
given the run's signing key (`magento-ir exercise pack`), that list is first recorded in the
run's evidence log (`exercise.pack`), so the signature over the log covers the reports too.
The zip is deterministic: sorted entries, fixed timestamps.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from magento_ir._files import write_private
from magento_ir.exercise.report import verify_commands

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import EvidenceLog
    from magento_ir.exercise.result import ExerciseRun

__all__ = ["PACK_FILE", "PACK_RECORD", "Pack", "pack_files", "record_manifest", "write_pack"]

PACK_FILE = "evidence-pack.zip"
PACK_RECORD = "exercise.pack"
README = "README.md"
KEYS = "VERIFIER-KEYS.txt"
SUMS = "SHA256SUMS"
# Never in a pack: lock files of logs and earlier packs.
_SKIP_SUFFIXES = (".lock", ".zip")
_EPOCH = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Pack:
    path: Path
    # Relative names inside the run's folder in the zip, and their SHA-256.
    files: dict[str, str]
    commands: tuple[str, ...]
    folder: str


def pack_files(folder: Path) -> dict[str, str]:
    """Every file of the run's folder that goes into a pack, with its SHA-256, sorted."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(_SKIP_SUFFIXES):
            continue
        name = path.relative_to(folder).as_posix()
        if name in (README, KEYS, SUMS):
            continue
        found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def record_manifest(log: EvidenceLog, run: ExerciseRun, folder: Path) -> None:
    """Record the SHA-256 of every file a pack will hold in the run's evidence log (not the log
    itself, which the record changes), then sign it (checkpoint)."""
    log_name = run.files.get("evidence_log", "")
    files = {
        name: digest
        for name, digest in pack_files(folder).items()
        if not name.startswith(log_name) or not log_name
    }
    log.append(PACK_RECORD, {"run_id": run.run_id, "files": files})
    log.checkpoint()


def _readme(run: ExerciseRun, commands: list[str], signed: bool) -> str:
    keys = [f"- run evidence log ({run.files.get('evidence_log', '-')}): `{run.verifier_key}`"]
    if run.drill.get("journal_verifier"):
        keys.append(
            f"- drill journal ({run.drill.get('journal')}): `{run.drill['journal_verifier']}`"
        )
    manifest = (
        "The run's evidence log also holds an `exercise.pack` record listing the SHA-256 of every "
        "other file here, so the log's signed checkpoints vouch for the reports as well."
        if signed
        else "SHA256SUMS is not signed in this pack: `magento-ir exercise pack RUN --out FILE` "
        "with the run's key records it in the evidence log first."
    )
    return "\n".join(
        [
            f"# Evidence pack: exercise {run.run_id}",
            "",
            (
                f"Scenario {run.scenario} ({run.title}), {run.mode} run started "
                f"{run.started_at:%Y-%m-%d %H:%M:%S} UTC. Made by magento-ir."
            ),
            "",
            "## What is here",
            "",
            (
                "- `after-action-report.html` / `.md` / `.pdf`: the after-action report (scores, "
                "timeline, lessons learned, follow-up actions); `timeline.png` / `.svg`: its plot."
            ),
            "- `run.json`: the run as recorded (events, decisions, scores).",
            (
                f"- `{run.files.get('evidence_log', 'exercise.evlog')}` and its `.checkpoints`: "
                "the run's hash-chained evidence log and its signed checkpoints."
            ),
            "- `drill/`: the containment drill's report and its signed journal with checkpoints.",
            (
                f"- `{KEYS}`: the public keys that signed the checkpoints; `{SUMS}`: SHA-256 of "
                "every file (`sha256sum -c SHA256SUMS`)."
            ),
            "",
            "## How to verify",
            "",
            "Install magento-ir (`pip install magento-ir[cli]`), then in this folder run:",
            "",
            "```",
            *commands,
            "```",
            "",
            (
                "Each command checks every record's hash and its link to the one before, the "
                "Merkle root at every checkpoint and each checkpoint's Ed25519 signature by the "
                "key given; it exits 0 and says the log is intact and signed, or names the first "
                "record that is not. Compare the keys with the ones your organisation published "
                "for its exercises."
            ),
            "",
            manifest,
            "",
            "## Verifier keys",
            "",
            *keys,
            "",
        ]
    )


def write_pack(run: ExerciseRun, folder: Path, out: Path, *, signed: bool = False) -> Pack:
    """Zip the run's folder for an auditor into `out` (0600); `signed` says whether
    `record_manifest` was called first (the README says which)."""
    files = pack_files(folder)
    commands = verify_commands(run)
    readme = _readme(run, commands, signed).encode()
    keys = f"{run.files.get('evidence_log', '-')} {run.verifier_key}\n"
    if run.drill.get("journal_verifier"):
        keys += f"{run.drill.get('journal')} {run.drill['journal_verifier']}\n"
    extra = {README: readme, KEYS: keys.encode()}
    sums = {**files, **{name: hashlib.sha256(data).hexdigest() for name, data in extra.items()}}
    extra[SUMS] = "".join(f"{sums[name]}  {name}\n" for name in sorted(sums)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = sorted([*files, *extra])
        for name in entries:
            info = zipfile.ZipInfo(f"{run.run_id}/{name}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            data = extra[name] if name in extra else (folder / name).read_bytes()
            archive.writestr(info, data)
    write_private(out, buffer.getvalue())
    return Pack(out, sums, tuple(commands), run.run_id)


def write_run_pack(run: ExerciseRun, folder: Path) -> dict[str, str]:
    """The run's output writer: `evidence-pack.zip` in its folder (manifest not signed: the
    writer runs after the log is closed; `exercise pack` signs it)."""
    write_pack(run, folder, folder / PACK_FILE)
    return {"evidence_pack": PACK_FILE}
