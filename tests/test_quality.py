"""Quality gates run by the test suite: lint, format, strict typing, CI and README agreement."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import REPO_ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed argument lists of our own tools
        [sys.executable, "-m", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )


def test_ruff_check_is_clean() -> None:
    """`ruff check` reports nothing on the package, tests, scripts and benchmarks."""
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    """Every Python file is formatted with `ruff format`."""
    result = _run("ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_is_clean() -> None:
    """`mypy --strict magento_ir` passes."""
    result = _run("mypy", "--strict", "magento_ir")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    """.ci/run ends by running exactly the test command the README's quick start gives."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Quick start\n(.*?)\n## ", readme, re.DOTALL)
    assert block is not None, "README.md lost its '## Quick start' section"
    commands = re.findall(r"^\$ (.+)$", block.group(1), re.MULTILINE)
    assert len(commands) == 2, f"the quick start must be exactly two commands, found {commands}"
    ci_lines = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci_lines, (
        f".ci/run does not run the README's test command {commands[1]!r}"
    )
