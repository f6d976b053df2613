"""The client package: `_async` is hand-written, `_sync` generated from it (scripts/unasync.py)."""

from magento_ir._async._client import AsyncMagentoClient

__all__ = ["AsyncMagentoClient"]
