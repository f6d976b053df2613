"""Issue 9 item 7: a rerun must not hide a failure; `ok` and the exit code always agree."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.cli._output import exit_for
from magento_ir.containment import Incident, Maintenance, RunReport, StepReport
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.sandbox import Sandbox

pytestmark = pytest.mark.usefixtures("no_waits")


def test_a_failed_verification_is_reported_again_until_retried(tmp_path: Path) -> None:
    """A proxy's 503 fails the maintenance check: every rerun says verification_failed (not
    skipped) and is not ok; --retry-failed re-applies it; a rollback undoes both attempts."""
    store = make_store(with_module=True)
    store.sandbox.faults.schedule("503", path="/checkout", times=8)
    action = Maintenance("checkout", retry_after=600)
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="m") as incident:
        (first,) = incident.run([action]).steps
        assert first.status == "verification_failed"
        for _ in range(2):
            rerun = incident.run([action])
            (step,) = rerun.steps
            assert step.status == "verification_failed"
            assert step.error is not None
            assert "--retry-failed" in step.error
            assert not rerun.ok
            assert exit_for(list(rerun.steps)) == ExitCode.CONTAINMENT_FAILED
        writes = store.module_actions().count("maintenance.set")
        retried = incident.run([action], retry_failed=True)
        (step,) = retried.steps
        assert step.status == "verified"
        assert retried.ok
        # Re-applied under a key of its own: the module ran it again, not a replay.
        assert store.module_actions().count("maintenance.set") == writes + 1
        (state,) = incident.status()
        assert (state.attempt, len(state.earlier)) == (1, 1)
        (rolled,) = incident.rollback().steps
        assert rolled.status == "rolled_back"
    assert store.maintenance_mode() == "off"


STATUSES = [
    "planned",
    "skipped",
    "verified",
    "unverified",
    "applied",
    "failed",
    "blocked",
    "verification_failed",
    "in_flight",
    "rollback_in_flight",
    "rolled_back",
    "not_reversible",
    "rollback_refused",
]


@pytest.mark.parametrize("status", STATUSES)
def test_run_report_ok_and_the_exit_code_agree(status: str) -> None:
    """For every status, `RunReport.ok` is true exactly when the CLI exits 0."""
    steps = (StepReport("s", "maintenance", {}, status),)
    ok = RunReport("INC-1", steps).ok
    assert ok == (exit_for(list(steps)) == ExitCode.OK)
    if status in {"applied", "failed", "verification_failed", "rollback_refused"}:
        assert not ok  # applied without a verification is not ok


def test_the_command_line_reruns_exit_1_until_retried(served: Sandbox) -> None:
    """`contain` again with the same journal exits 1 for a failed step (never "skipped");
    `--retry-failed` sends it again."""
    runner = CliRunner()
    args = ["contain", "--action", """quarantine_products skus='["NO-SUCH-SKU"]'""", "--yes"]
    for _ in range(2):
        result = runner.invoke(app, args)
        assert result.exit_code == ExitCode.CONTAINMENT_FAILED, result.output
        # No status cell says "skipped" (the entity column's header does, now printed whole).
        assert not re.search(r"│\s*skipped\s*│", result.output), result.output
        assert re.search(r"│\s*failed\s*│", result.output), result.output
    assert [r["action"] for r in served.inspect.action_log()] == ["catalog.quarantine"]
    retried = runner.invoke(app, [*args, "--retry-failed"])
    assert retried.exit_code == ExitCode.CONTAINMENT_FAILED, retried.output
    assert [r["action"] for r in served.inspect.action_log()] == ["catalog.quarantine"] * 2
