"""A user name without a password: asked for on the terminal, hidden, once; never without one."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, _store, app
from magento_ir.sandbox import Sandbox, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    with SandboxServer(Sandbox(with_module=True)) as server:
        yield server.base_url


def test_the_password_is_asked_for_hidden_on_a_terminal(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_store, "_can_prompt", lambda: True)
    result = CliRunner().invoke(
        app, ["--base-url", url, "--username", "admin", "status"], input="Sandbox123!\n"
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert f"Password for admin on {url}" in result.output
    assert "Sandbox123!" not in result.output  # hidden: not echoed
    assert "maintenance" in result.output


def test_without_a_terminal_nothing_is_asked(url: str) -> None:
    result = CliRunner().invoke(app, ["--base-url", url, "--username", "admin", "status"])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "Password for" not in result.output
