"""A headless Chromium with axe-core, and a served sandbox whose shop is closed by the module."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.server import SandboxServer
from tests.a11y.browser import Browser, axe_script_path
from tests.conftest import require_tool

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = axe_script_path()
    if not path.is_file():
        message = f"axe-core is not installed at {path}: run .ci/run (npm install axe-core)"
        if os.environ.get("MAGENTO_IR_REQUIRE_TOOLS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    chromium = require_tool("chromium")
    chromedriver = require_tool("chromedriver")
    session = Browser(chromium, chromedriver)
    yield session
    session.close()


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, str]]:
    sandbox = Sandbox(with_module=True)
    with sandbox.lock:
        sandbox.state.set_config("general/store_information/name", "Luma & Co")
        sandbox.state.set_config("trans_email/ident_support/email", "help@example.com")
    with SandboxServer(sandbox) as server:
        yield sandbox, server.base_url
