"""Without a terminal (a pipe, a file, a CI log) tables are never cut to 80 columns: each step id
(what `rollback --step` takes) and each reason is printed whole, on its row's line."""

from __future__ import annotations

import re
from typing import Any

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app

STEP_ID = re.compile(r"\b[0-9a-f]{16}\b")
SKUS = "skus='[" + ",".join(f'"IR-SKU-{number:03d}"' for number in range(1, 31)) + "]'"
ACTIONS = ["-a", "disable_cms_blocks ids=[1,999]", "-a", f"quarantine_products {SKUS}"]


def run(*args: str) -> Any:
    # terminal_width is what a terminal would say; without one it must not matter.
    result = CliRunner().invoke(app, list(args), terminal_width=80)
    assert "…" not in result.output  # rich's mark of a cut cell
    return result


def _row(output: str, step: str) -> str:
    return next(line for line in output.splitlines() if f"│ {step} │" in line)


@pytest.mark.usefixtures("store")
def test_tables_without_a_terminal_are_not_cut() -> None:
    contained = run("contain", *ACTIONS, "--yes")
    assert contained.exit_code == ExitCode.CONTAINMENT_FAILED, contained.output
    steps = list(dict.fromkeys(STEP_ID.findall(contained.output)))
    assert len(steps) == 2
    plan, summary = contained.output.split("Incident ", 1)
    # Every column of a row on its one line, the longest text included.
    assert re.search(r"│ disable_cms_blocks +│ core +│ disable 2 CMS blocks", _row(plan, steps[0]))
    assert "problem: block:999 not found" in plan
    row = _row(summary, steps[0])
    assert re.search(r"│ disable_cms_blocks +│ core +│ verified +│ 1/1/0 +│ ", row), row
    assert "│ no such CMS block 999 " in summary
    assert "quarantine 30 SKUs in every scope (module records prior statuses)" in _row(
        plan, steps[1]
    )
    assert max(len(line) for line in contained.output.splitlines()) > 80
    # Notes on stderr too: the new key's path whole on its line.
    key_note = r"^Created the journal signing key /\S+/journal\.key "
    assert re.search(key_note, contained.output, re.MULTILINE), contained.output

    status = run("status")
    assert status.exit_code == ExitCode.OK, status.output
    assert "IR-SKU-030" in _row(status.output, steps[1])  # every parameter, on the row's line
    assert "no such CMS block 999" in _row(status.output, steps[0])

    rolled = run("rollback", "--step", steps[1], "--yes")
    assert rolled.exit_code == ExitCode.OK, rolled.output
    assert "rolled_back" in _row(rolled.output, steps[1])


@pytest.mark.usefixtures("store")
def test_capture_table_and_its_notes_are_whole() -> None:
    result = run("evidence", "capture", "--only", "customers", "--only", "admin_users")
    assert result.exit_code == ExitCode.OK, result.output
    assert re.search(r"│ customers +│ complete +│ 12/12 +│", result.output), result.output
    verify_line = next(line for line in result.output.splitlines() if "Verify with:" in line)
    assert re.fullmatch(
        r"Verify with: magento-ir evidence verify incident-journal\.log --verifier \S+", verify_line
    )
