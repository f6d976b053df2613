"""Detection over what the store and the companion module report (docs/detection.md).

`code_integrity`: a signed baseline of the store's code (the module's `GET code/manifest`) and the
files added, changed or removed since it (PCI DSS 11.5.2 change detection).
"""

from __future__ import annotations

from magento_ir.detect.code_integrity import (
    BaselineIntegrityError,
    CodeBaseline,
    CodeChanges,
    FileState,
)

__all__ = ["BaselineIntegrityError", "CodeBaseline", "CodeChanges", "FileState"]
