"""A served sandbox whose shop the module closes (`browser`, `axe_source`: tests/conftest.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(with_module=True)
    with sandbox.lock:
        sandbox.state.set_config("general/store_information/name", "Luma & Co")
        sandbox.state.set_config("trans_email/ident_support/email", "help@example.com")
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url
