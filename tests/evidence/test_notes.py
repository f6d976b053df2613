"""Ed25519 key files and signed-note checkpoints."""

from __future__ import annotations

import base64
import hashlib
import pickle
import stat
from typing import TYPE_CHECKING

import pytest

from magento_ir.evidence import (
    Checkpoint,
    EvidenceFormatError,
    KeyFileError,
    NoteVerifier,
    SigningKey,
)

if TYPE_CHECKING:
    from pathlib import Path


def test_key_file_is_private_and_round_trips(tmp_path: Path) -> None:
    """A saved key is mode 0600 and loads back to the same verifier key."""
    key = SigningKey.generate("ir-team")
    path = key.save(tmp_path / "ir.pem")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(SigningKey.load(path, "ir-team").verifier()) == str(key.verifier())


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    """Saving over an existing file raises KeyFileError and leaves the old key."""
    path = SigningKey.generate("a").save(tmp_path / "k.pem")
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="already exists"):
        SigningKey.generate("a").save(path)
    assert path.read_bytes() == before


def test_group_readable_key_file_is_refused(tmp_path: Path) -> None:
    """Loading a key others can read fails and says to chmod 600."""
    path = SigningKey.generate("a").save(tmp_path / "k.pem")
    path.chmod(0o640)
    with pytest.raises(KeyFileError, match="chmod 600"):
        SigningKey.load(path, "a")


def test_missing_and_non_key_files_are_refused(tmp_path: Path) -> None:
    """A missing path or a file that is not a PEM Ed25519 key raises KeyFileError."""
    with pytest.raises(KeyFileError, match="no signing key"):
        SigningKey.load(tmp_path / "absent.pem", "a")
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    junk.chmod(0o600)
    with pytest.raises(KeyFileError, match="not an unencrypted PEM"):
        SigningKey.load(junk, "a")


def test_signing_key_never_shows_its_secret() -> None:
    """repr shows only the public verifier key, and pickling is refused."""
    key = SigningKey.generate("a")
    private_hex = key._private.private_bytes_raw().hex()
    assert private_hex not in repr(key)
    assert str(key.verifier()) in repr(key)
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(key)


def test_verifier_key_string_follows_the_note_format() -> None:
    """name+keyid+base64(0x01||key) with keyid = SHA-256(name || LF || 0x01 || key)[:4]."""
    key = SigningKey.generate("example.com/log")
    verifier = key.verifier()
    name, key_id, encoded = str(verifier).split("+", 2)
    raw = base64.b64decode(encoded)
    assert name == "example.com/log"
    assert raw == b"\x01" + verifier.public_key
    assert (
        key_id == hashlib.sha256(b"example.com/log\n\x01" + verifier.public_key).digest()[:4].hex()
    )
    assert NoteVerifier.parse(str(verifier)) == verifier


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("only-a-name", "looks like"),
        ("a+00000000+!!!", "not base64"),
        ("a+00000000+" + base64.b64encode(b"\x02" + bytes(32)).decode(), "not an Ed25519"),
        ("a+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode(), "does not match"),
        ("a b+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode(), "invalid key name"),
    ],
)
def test_malformed_verifier_keys_are_refused(text: str, message: str) -> None:
    """Each malformed verifier key string raises EvidenceFormatError saying what is wrong."""
    with pytest.raises(EvidenceFormatError, match=message):
        NoteVerifier.parse(text)


def test_checkpoint_note_layout_and_round_trip() -> None:
    """A signed checkpoint is origin, size, base64 root, blank line, em-dash signature line."""
    key = SigningKey.generate("ir-team")
    checkpoint = Checkpoint(origin="magento_ir/evidence/x", size=42, root=bytes(range(32)))
    note = checkpoint.sign(key)
    lines = note.split("\n")
    assert lines[:4] == [
        "magento_ir/evidence/x",
        "42",
        base64.b64encode(bytes(range(32))).decode(),
        "",
    ]
    assert lines[4].startswith("\u2014 ir-team ")
    signature = base64.b64decode(lines[4].split(" ")[2])
    assert signature[:4] == key.verifier().key_id
    assert len(signature) == 68
    assert Checkpoint.parse(note, key.verifier()) == checkpoint


@pytest.mark.parametrize(
    ("old", "new"),
    [("\n42\n", "\n43\n"), ("magento_ir/evidence/x\n", "magento_ir/evidence/y\n")],
)
def test_tampered_checkpoint_body_fails_signature(old: str, new: str) -> None:
    """Changing the size or origin of a signed checkpoint invalidates its signature."""
    key = SigningKey.generate("ir-team")
    note = Checkpoint(origin="magento_ir/evidence/x", size=42, root=bytes(32)).sign(key)
    with pytest.raises(EvidenceFormatError, match="no valid signature"):
        Checkpoint.parse(note.replace(old, new, 1), key.verifier())


def test_checkpoint_signed_by_another_key_fails() -> None:
    """A checkpoint is refused when no signature line is by the expected key."""
    note = Checkpoint(origin="o", size=1, root=bytes(32)).sign(SigningKey.generate("ir-team"))
    impostor = SigningKey.generate("ir-team").verifier()
    with pytest.raises(EvidenceFormatError, match="no valid signature"):
        Checkpoint.parse(note, impostor)


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("o\n1\n", "blank line"),
        ("o\n1\n\n\u2014 k AAAA\n", "origin, a size and a root"),
        ("o\n01\nAA==\n\n", "not a decimal"),
        ("o\n1\n!!\n\n", "not base64"),
        ("o\n1\nAA==\n\n", "32-byte root"),
    ],
)
def test_malformed_checkpoints_are_refused(note: str, message: str) -> None:
    """Malformed checkpoint notes raise EvidenceFormatError naming the bad part."""
    with pytest.raises(EvidenceFormatError, match=message):
        Checkpoint.parse(note, None)
