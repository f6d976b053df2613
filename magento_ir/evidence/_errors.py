"""Errors raised by the evidence log, its checkpoints and its shippers.

```
MagentoIRError            (magento_ir._exceptions)
└── EvidenceError
    ├── EvidenceFormatError  not an evidence log / checkpoint / key in the documented format
    ├── KeyFileError        a key file that is missing, group/other-readable, or already exists
    ├── LogLockedError      another writer holds the log's lock file
    ├── TornRecordError     the last line was cut by a crash; `magento-ir evidence repair` cuts it
    ├── LogIntegrityError   the log fails verification; .report names the first bad record
    ├── UncoveredLogError   no checkpoint signed by the writer's key covers the log: adopt it first
    └── ShippingError       a SIEM refused or could not be reached; .retryable, .status, .code
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir._exceptions import MagentoIRError

if TYPE_CHECKING:
    from magento_ir.evidence.log import VerificationReport


class EvidenceError(MagentoIRError):
    """Base class of every error raised by `magento_ir.evidence`."""


class EvidenceFormatError(EvidenceError):
    """Input is not in the documented evidence format (see docs/evidence.md)."""


class KeyFileError(EvidenceError):
    """A signing key file is missing, already exists, or is readable by other users."""


class LogLockedError(EvidenceError):
    """Another process is writing this log (one writer per log, enforced by `<log>.lock`)."""


class TornRecordError(EvidenceError):
    """The log's last line is incomplete, as a crash during an append leaves it."""

    def __init__(self, message: str, *, line: int, offset: int, length: int) -> None:
        super().__init__(message)
        self.line = line
        self.offset = offset
        self.length = length


class LogIntegrityError(EvidenceError):
    """The log does not verify, so it must not be appended to."""

    def __init__(self, report: VerificationReport) -> None:
        super().__init__(f"the evidence log {report.path} does not verify: {report.summary()}")
        self.report = report


class UncoveredLogError(EvidenceError):
    """The log's records are not covered by a checkpoint signed by the writer's own key.

    It may have been rewritten (chain recomputed, checkpoints deleted or re-signed), so it is
    not extended or signed; `magento-ir evidence adopt` accepts it knowingly, in the log.
    """

    def __init__(self, message: str, *, records: int, covered: int) -> None:
        super().__init__(message)
        self.records = records
        self.covered = covered


class ShippingError(EvidenceError):
    """A SIEM receiver refused events or could not be reached."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        status: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.code = code
