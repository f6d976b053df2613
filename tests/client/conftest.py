"""Fixtures for the client tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir import set_testing

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def no_waits() -> Iterator[None]:
    """Retries and polling happen without sleeping (restored afterwards)."""
    set_testing(True)
    yield
    set_testing(False)
