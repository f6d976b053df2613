"""Tamper-evident evidence: the hash-chained, Merkle-checkpointed log and its SIEM exporters.

See docs/evidence.md for the file format and the API.
"""

from magento_ir.evidence import merkle
from magento_ir.evidence._errors import (
    EvidenceError,
    EvidenceFormatError,
    KeyFileError,
    LogIntegrityError,
    LogLockedError,
    ShippingError,
    TornRecordError,
    UncoveredLogError,
)
from magento_ir.evidence.log import (
    EvidenceLog,
    Problem,
    Record,
    VerificationReport,
    canonical_json,
    checkpoints_path,
    consistency_proof,
    inclusion_proof,
    read_checkpoint_file,
    read_checkpoints,
    read_records,
    record_in_checkpoint,
    verify,
)
from magento_ir.evidence.notes import Checkpoint, NoteVerifier, SigningKey

__all__ = [
    "Checkpoint",
    "EvidenceError",
    "EvidenceFormatError",
    "EvidenceLog",
    "KeyFileError",
    "LogIntegrityError",
    "LogLockedError",
    "NoteVerifier",
    "Problem",
    "Record",
    "ShippingError",
    "SigningKey",
    "TornRecordError",
    "UncoveredLogError",
    "VerificationReport",
    "canonical_json",
    "checkpoints_path",
    "consistency_proof",
    "inclusion_proof",
    "merkle",
    "read_checkpoint_file",
    "read_checkpoints",
    "read_records",
    "record_in_checkpoint",
    "verify",
]
