"""Fixtures of the adversarial tests (issue 9)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

import magento_ir
from magento_ir.sandbox import Sandbox, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def no_waits() -> Iterator[None]:
    """Retries without their backoff sleeps."""
    magento_ir.set_testing(True)
    yield
    magento_ir.set_testing(False)


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean MAGENTO_IR_* environment, a private config home, the tmp dir as cwd."""
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def served(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:  # noqa: ARG001
    """A sandbox with the module served over HTTP, the CLI (in `cli_env`) pointed at it."""
    sandbox = Sandbox(with_module=True, orders=2, customers=2)
    with SandboxServer(sandbox) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", "Sandbox123!")
        yield sandbox
