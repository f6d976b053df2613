"""Every "not checked", "FAILED", "skipped" and "blocked" the CLI shows carries its reason, and a
plan names the entities it already knows are missing before anything is written."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app

if TYPE_CHECKING:
    from magento_ir.sandbox import Sandbox


@pytest.fixture
def store(store: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """The served sandbox of tests/cli/conftest.py, on a terminal wide enough for every reason."""
    monkeypatch.setenv("COLUMNS", "400")
    return store


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_the_plan_names_a_missing_block_before_anything_is_written(store: Sandbox) -> None:
    before = store.inspect.digest()
    result = invoke("contain", "-a", "disable_cms_blocks ids=[1,999]", "--dry-run")
    assert "problem: block:999 not found" in result.output, result.output
    assert "problem: block:1" not in result.output
    assert store.inspect.digest() == before


@pytest.mark.usefixtures("store")
def test_a_check_that_could_not_run_says_why() -> None:
    result = invoke("contain", "-a", "terminate_sessions scope=customers", "--yes")
    assert result.exit_code == ExitCode.OK, result.output
    line = next(line for line in result.output.splitlines() if "not checked" in line)
    # "not checked" is followed by what kept the check from running.
    assert "not checked (" in line, line
    assert "canary" in line.lower(), line


@pytest.mark.usefixtures("store")
def test_a_failed_entity_and_a_rerun_skip_say_why() -> None:
    result = invoke("contain", "-a", "disable_cms_blocks ids=[999]", "--yes")
    assert result.exit_code == ExitCode.CONTAINMENT_FAILED, result.output
    assert "no such CMS block 999" in result.output
    status = invoke("status")
    assert "no such CMS block 999" in status.output, status.output
    invoke("contain", "-a", "disable_cms_blocks ids=[1]", "--yes", "--journal", "two.log")
    rerun = invoke("contain", "-a", "disable_cms_blocks ids=[1]", "--yes", "--journal", "two.log")
    assert rerun.exit_code == ExitCode.OK, rerun.output
    assert "skipped: an earlier run already applied and verified it" in rerun.output
