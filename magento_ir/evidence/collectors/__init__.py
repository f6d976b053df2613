"""Evidence collectors: capture a store's state over its API into an evidence log.

```python
from magento_ir import AdminCredentials
from magento_ir.evidence import EvidenceLog, SigningKey
from magento_ir.evidence.collectors import CaptureOptions, capture

with EvidenceLog.open("incident-42.evlog", key=key, sync="batch") as log:
    summary = capture(log, base_url="https://shop.example.com",
                      auth=AdminCredentials("responder", "..."),
                      options=CaptureOptions(since=datetime(2026, 11, 1, tzinfo=UTC)))
```

See docs/evidence-capture.md for the categories, the record types and what cannot be collected.
"""

from magento_ir.evidence.collectors._capture import (
    CATEGORIES,
    CaptureOptions,
    CaptureSummary,
    CategoryResult,
    acapture,
    capture,
    last_capture_start,
)
from magento_ir.evidence.collectors._exchange import ExchangeRecorder, redact_headers
from magento_ir.evidence.collectors.pseudonymise import DEFAULT_PERSONAL_FIELDS, Pseudonymiser

__all__ = [
    "CATEGORIES",
    "DEFAULT_PERSONAL_FIELDS",
    "CaptureOptions",
    "CaptureSummary",
    "CategoryResult",
    "ExchangeRecorder",
    "Pseudonymiser",
    "acapture",
    "capture",
    "last_capture_start",
    "redact_headers",
]
