"""Ed25519 keys and signed checkpoints in the C2SP signed-note / tlog-checkpoint format.

A checkpoint note is

    <origin>\\n<tree size>\\n<base64 root hash>\\n
    \\n
    — <key name> <base64(4-byte key id || 64-byte Ed25519 signature)>\\n

where the signature covers the body (the first three lines, newline included) and the key id is the
first 4 bytes of SHA-256(key name || "\\n" || 0x01 || public key). A verifier key is written as in
Go's note package: `<name>+<key id as 8 hex digits>+<base64(0x01 || public key)>`; it holds no
secret and is all a verifier needs.

Private keys are PKCS#8 PEM files created with mode 0600 and refused when group or others can read
them; a `SigningKey`'s repr never shows key material.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from magento_ir.evidence import merkle
from magento_ir.evidence._errors import EvidenceFormatError, KeyFileError

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["Checkpoint", "NoteVerifier", "SigningKey", "check_origin"]

_ED25519_ALG = b"\x01"
_SIGNATURE_DASH = "\u2014"
# Key names are printable, with no spaces or '+' (they are fields in the verifier key string).
_KEY_NAME = re.compile(r"[!-*,-~]{1,100}")
_ORIGIN = re.compile(r"[^\s\x00-\x1f\x7f][^\n\x00-\x1f\x7f]*")


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + _ED25519_ALG + public).digest()[:4]


def _check_key_name(name: str) -> None:
    if not _KEY_NAME.fullmatch(name):
        raise EvidenceFormatError(
            f"invalid key name {name!r}: use 1-100 printable ASCII characters without spaces or '+'"
        )


@dataclass(frozen=True)
class NoteVerifier:
    """A public Ed25519 note key: its name and raw 32-byte public key."""

    name: str
    public_key: bytes

    def __post_init__(self) -> None:
        _check_key_name(self.name)
        if len(self.public_key) != 32:  # noqa: PLR2004 - Ed25519 public keys are 32 bytes
            raise EvidenceFormatError("an Ed25519 public key is 32 bytes")

    @property
    def key_id(self) -> bytes:
        return _key_id(self.name, self.public_key)

    def __str__(self) -> str:
        encoded = base64.b64encode(_ED25519_ALG + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> NoteVerifier:
        """Read a `name+keyid+base64key` verifier key string."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3:  # noqa: PLR2004 - name, key id, key
            raise EvidenceFormatError(
                "a verifier key looks like 'name+0a1b2c3d+AbC...': name, 8 hex digits, base64 key"
            )
        name, key_id_hex, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error as exc:
            raise EvidenceFormatError(f"verifier key {name!r}: the key is not base64") from exc
        if raw[:1] != _ED25519_ALG or len(raw) != 33:  # noqa: PLR2004 - algorithm byte + key
            raise EvidenceFormatError(f"verifier key {name!r} is not an Ed25519 (0x01) note key")
        verifier = cls(name=name, public_key=raw[1:])
        if verifier.key_id.hex() != key_id_hex.lower():
            raise EvidenceFormatError(
                f"verifier key {name!r}: key id {key_id_hex} does not match the key"
            )
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True


class SigningKey:
    """An Ed25519 private key with a note key name. Never printed, logged or pickled."""

    __slots__ = ("_private", "name")

    def __init__(self, name: str, private: Ed25519PrivateKey) -> None:
        _check_key_name(name)
        self.name = name
        self._private = private

    def __repr__(self) -> str:
        return f"SigningKey(name={self.name!r}, verifier={str(self.verifier())!r})"

    def __reduce__(self) -> str:
        raise TypeError("a SigningKey cannot be pickled: save it with .save(path) instead")

    @classmethod
    def generate(cls, name: str) -> SigningKey:
        return cls(name, Ed25519PrivateKey.generate())

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the key as PKCS#8 PEM to a new file readable only by its owner (mode 0600)."""
        target = Path(path)
        pem = self._private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError as exc:
            raise KeyFileError(
                f"{target} already exists: refusing to overwrite a signing key; choose a new path"
            ) from exc
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str], name: str) -> SigningKey:
        """Read a PEM Ed25519 private key; refuse files that group or others may read."""
        source = Path(path)
        try:
            mode = source.stat().st_mode
        except FileNotFoundError as exc:
            raise KeyFileError(
                f"no signing key at {source}: create one with SigningKey.generate(name).save(path)"
            ) from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(
                f"{source} is accessible to group or others (mode {stat.S_IMODE(mode):04o}): "
                f"run chmod 600 {source}"
            )
        try:
            private = serialization.load_pem_private_key(source.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise KeyFileError(
                f"{source} is not an unencrypted PEM private key: {type(exc).__name__}"
            ) from None
        if not isinstance(private, Ed25519PrivateKey):
            raise KeyFileError(f"{source} holds a {type(private).__name__}, not an Ed25519 key")
        return cls(name, private)

    def verifier(self) -> NoteVerifier:
        public = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return NoteVerifier(name=self.name, public_key=public)

    def sign_note(self, body: str) -> str:
        """A signed note: `body` (ending in a newline), a blank line, and this key's signature."""
        if not body.endswith("\n"):
            raise EvidenceFormatError("a note body must end with a newline")
        verifier = self.verifier()
        signature = self._private.sign(body.encode())
        encoded = base64.b64encode(verifier.key_id + signature).decode()
        return f"{body}\n{_SIGNATURE_DASH} {self.name} {encoded}\n"


def check_origin(origin: str) -> None:
    """Refuse an origin that cannot be a checkpoint's first line."""
    if not _ORIGIN.fullmatch(origin):
        raise EvidenceFormatError(
            f"invalid log origin {origin!r}: one line of printable text, e.g. 'example.com/ir/42'"
        )


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log's origin line, its size and its RFC 6962 root hash."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        check_origin(self.origin)
        if self.size < 0 or len(self.root) != 32:  # noqa: PLR2004 - SHA-256
            raise EvidenceFormatError("a checkpoint needs size >= 0 and a 32-byte root hash")

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    def sign(self, key: SigningKey) -> str:
        return key.sign_note(self.body())

    @classmethod
    def parse(cls, note: str, verifier: NoteVerifier | None) -> Checkpoint:
        """Read a signed checkpoint note; with a verifier, require a valid signature by its key."""
        body, sep, signatures = note.partition("\n\n")
        if not sep:
            raise EvidenceFormatError("a checkpoint note needs a blank line before its signatures")
        lines = body.split("\n")
        if len(lines) < 3:  # noqa: PLR2004 - origin, size, root
            raise EvidenceFormatError("a checkpoint body has an origin, a size and a root line")
        origin, size_text, root_text = lines[:3]
        if not size_text.isdigit() or (size_text != "0" and size_text.startswith("0")):
            raise EvidenceFormatError(f"checkpoint size {size_text!r} is not a decimal integer")
        try:
            root = base64.b64decode(root_text, validate=True)
        except binascii.Error as exc:
            raise EvidenceFormatError(f"checkpoint root {root_text!r} is not base64") from exc
        checkpoint = cls(origin=origin, size=int(size_text), root=root)
        if verifier is not None and not _has_valid_signature(body + "\n", signatures, verifier):
            raise EvidenceFormatError(
                f"checkpoint of size {checkpoint.size} has no valid signature by key "
                f"{verifier.name!r}"
            )
        return checkpoint

    def is_consistent_with(self, newer: Checkpoint, proof: Sequence[bytes]) -> bool:
        """True when `proof` shows this tree is a prefix of `newer` (same origin, RFC 6962).

        What a witness or auditor holding only checkpoints checks; `consistency_proof` of the
        log gives the proof.
        """
        if self.origin != newer.origin or self.size > newer.size:
            return False
        if self.size == 0:
            return not proof
        return merkle.verify_consistency(self.size, newer.size, self.root, newer.root, proof)


def _has_valid_signature(body: str, signatures: str, verifier: NoteVerifier) -> bool:
    prefix = f"{_SIGNATURE_DASH} {verifier.name} "
    for line in signatures.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            raw = base64.b64decode(line[len(prefix) :], validate=True)
        except binascii.Error:
            continue
        if raw[:4] == verifier.key_id and verifier.verify(body.encode(), raw[4:]):
            return True
    return False
