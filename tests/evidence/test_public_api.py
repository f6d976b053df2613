"""The public surface of magento_ir.evidence is exactly what docs/evidence.md documents."""

from __future__ import annotations

import magento_ir
from magento_ir import evidence
from magento_ir.evidence import export, merkle, notebook, shipping

EXPECTED = {
    "Checkpoint", "EvidenceError", "EvidenceFormatError", "EvidenceLog", "KeyFileError",
    "LogIntegrityError", "LogLockedError", "NoteVerifier", "Problem", "Record", "ShippingError",
    "SigningKey", "TornRecordError", "VerificationReport", "canonical_json", "checkpoints_path",
    "consistency_proof", "inclusion_proof", "merkle", "read_checkpoint_file", "read_checkpoints",
    "read_records",
    "record_in_checkpoint", "verify", "UncoveredLogError",
}  # fmt: skip


def test_evidence_all_is_exactly_the_documented_api() -> None:
    """__all__ lists the intended names, each importable from the package."""
    assert set(evidence.__all__) == EXPECTED
    for name in evidence.__all__:
        assert getattr(evidence, name) is not None


def test_submodule_all_names_exist() -> None:
    """Every name a submodule exports exists in it."""
    for module in (export, merkle, notebook, shipping):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_evidence_errors_are_magento_ir_errors() -> None:
    """Catching MagentoIRError catches every evidence error."""
    for name in ("EvidenceFormatError", "KeyFileError", "LogIntegrityError", "LogLockedError",
                 "ShippingError", "TornRecordError", "UncoveredLogError"):  # fmt: skip
        assert issubclass(getattr(evidence, name), magento_ir.MagentoIRError)
