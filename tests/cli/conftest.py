"""Shared by the command-line tests."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _logger_restored() -> Iterator[None]:
    """--verbose configures the `magento_ir` logger; put it back for the other tests."""
    logger = logging.getLogger("magento_ir")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
