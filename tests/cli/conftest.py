"""Shared by the command-line tests."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import pytest

from magento_ir import set_testing
from magento_ir.sandbox import Sandbox, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture(autouse=True)
def _logger_restored() -> Iterator[None]:
    """--verbose configures the `magento_ir` logger; put it back for the other tests."""
    logger = logging.getLogger("magento_ir")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    """A served sandbox with the module, named by MAGENTO_IR_* as a responder would; the
    command runs in tmp_path with a config folder of its own."""
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    set_testing(True)
    sandbox = Sandbox(with_module=True, orders=5)
    with SandboxServer(sandbox) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", "Sandbox123!")
        yield sandbox
    set_testing(False)


@pytest.fixture
def sandbox_url() -> Iterator[str]:
    """A served sandbox with the module, named by no environment variable: pass its URL."""
    with SandboxServer(Sandbox(with_module=True)) as server:
        yield server.base_url
