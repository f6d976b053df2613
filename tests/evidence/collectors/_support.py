"""Helpers for the collector tests: a sandbox store captured in-process into a fresh log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento_ir import AdminCredentials
from magento_ir.evidence import EvidenceLog, Record, read_records
from magento_ir.evidence.collectors import CaptureOptions, CaptureSummary, capture

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.auth import Auth
    from magento_ir.evidence import SigningKey
    from magento_ir.sandbox import Sandbox

BASE_URL = "http://magento.test"
ADMIN = AdminCredentials("admin", "Sandbox123!")


def capture_sandbox(
    sandbox: Sandbox,
    path: Path,
    key: SigningKey,
    *,
    auth: Auth = ADMIN,
    **options: Any,
) -> CaptureSummary:
    """Capture `sandbox` in-process into the log at `path` (created or extended)."""
    with EvidenceLog.open(path, key=key, sync="batch") as log:
        return capture(
            log,
            base_url=BASE_URL,
            auth=auth,
            transport=sandbox.transport(),
            options=CaptureOptions(**options),
        )


def records_of(path: Path, record_type: str) -> list[Record]:
    return [record for record in read_records(path) if record.type == record_type]
