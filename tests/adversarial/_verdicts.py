"""What the verdict tests (issue 9, items 6-11, 17, 18) share."""

from __future__ import annotations

from magento_ir.evidence import SigningKey

KEY = SigningKey.generate("verdict-tests")
