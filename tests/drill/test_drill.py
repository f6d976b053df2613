"""The drill end to end on a small sandbox at zero latency: reports valid and consistent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir import ConfigurationError, set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.drill import SCENARIOS, DrillOptions, DrillReport, run_drill

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(scope="module")
def drilled(tmp_path_factory) -> tuple[DrillReport, Path]:
    """One small magecart drill, its report written to a temporary directory."""
    set_testing(True)
    try:
        directory = tmp_path_factory.mktemp("drill")
        options = DrillOptions(
            products=50, customers=50, orders=30, latency="0", report_dir=directory, seed=3
        )
        report = run_drill(options)
        report.write(directory)
    finally:
        set_testing(False)
    return report, directory


def test_drill_contains_and_verifies_every_action(drilled):
    """Every magecart step is applied and verified, with time and requests measured."""
    report, _ = drilled
    assert report.ok, report.to_markdown()
    kinds = {action.action for action in report.actions}
    assert {"maintenance", "disable_cms_blocks", "terminate_sessions"} <= kinds
    for action in report.actions:
        assert action.verified, action
        assert action.requests > 0
        assert action.requests == sum(action.requests_by_route.values())
        assert action.seconds > 0
        assert any(check.passed for check in action.checks)


def test_drill_stages_a_real_breach(drilled):
    """The breach has skimmers, customer and admin sessions and orders in flight."""
    report, _ = drilled
    staged = {item.what: item.count for item in report.staged}
    assert staged["script injected in CMS blocks"] >= 2
    assert staged["live admin API sessions"] >= 1
    assert staged["live customer API tokens"] >= 1
    assert staged["live storefront sessions (cookies)"] >= 1
    assert staged["orders in flight (state new or processing)"] > 0


def test_drill_rolls_maintenance_back_and_checks_from_outside(drilled):
    """Maintenance is rolled back; stolen tokens and sessions stay dead afterwards."""
    report, _ = drilled
    assert [rollback.action for rollback in report.rollbacks] == ["maintenance"]
    assert all(rollback.ok for rollback in report.rollbacks)
    outside = {check.name: check.passed for check in report.outside_checks}
    assert outside["customer tokens issued before containment are refused"] is True
    assert outside["storefront sessions are logged out"] is True
    state = {check.name: check.passed for check in report.state_checks}
    assert state["storefront reopened (maintenance rolled back)"] is True
    assert state["every module write applied exactly once"] is True


def test_json_report_matches_the_figures(drilled):
    """drill-report.json is valid JSON whose totals are the sums of its actions."""
    report, directory = drilled
    data = json.loads((directory / "drill-report.json").read_text(encoding="utf-8"))
    assert data["ok"] is True
    totals = data["totals"]
    assert totals["actions"] == len(data["actions"]) == len(report.actions)
    assert totals["actions_verified"] == totals["actions"]
    assert totals["contain_requests"] == sum(action["requests"] for action in data["actions"])
    assert totals["contain_requests"] > 0
    assert totals["contain_seconds"] == pytest.approx(
        sum(action["seconds"] for action in data["actions"]), abs=1e-3
    )
    assert totals["total_seconds"] >= totals["contain_seconds"]


def test_markdown_report_shows_the_figures(drilled):
    """drill-report.md states the verdict, the totals and one row per action."""
    report, directory = drilled
    markdown = (directory / "drill-report.md").read_text(encoding="utf-8")
    assert markdown.startswith("# magento-ir drill: magecart (PASSED)")
    assert f"with {report.contain_requests} requests" in markdown
    for action in report.actions:
        assert f"| {action.step} | {action.action} |" in markdown


def test_drill_journal_is_written(drilled):
    """The drill's incident journal exists next to the report."""
    report, directory = drilled
    assert report.journal.endswith("drill-report-journal.log")
    assert (directory / "drill-report-journal.log").stat().st_size > 0


def test_unknown_scenario_is_refused():
    """An unknown scenario names the ones there are."""
    with pytest.raises(ConfigurationError, match="magecart"):
        DrillOptions(scenario="ransomware")


def test_drill_command_writes_reports_and_exits_0(tmp_path):
    """`magento-ir drill` with small sizes prints the report, writes both files, exits 0."""
    result = CliRunner().invoke(
        app,
        ["drill", "--products", "20", "--customers", "20", "--orders", "10", "--latency", "0",
         "--report-dir", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    assert "PASSED" in result.output
    assert (tmp_path / "drill-report.md").exists()
    assert (tmp_path / "drill-report.html").exists()
    assert json.loads((tmp_path / "drill-report.json").read_text(encoding="utf-8"))["ok"] is True


def test_drill_command_bad_latency_is_a_usage_error(tmp_path):
    """A nonsense --latency exits 2 with the sandbox's message."""
    result = CliRunner().invoke(app, ["drill", "--latency", "warp", "--report-dir", str(tmp_path)])
    assert result.exit_code == ExitCode.USAGE
    assert "latency" in result.output


@pytest.mark.anyio
async def test_attacker_checks_fail_on_an_uncontained_breach():
    """Before containment the stolen tokens and sessions work, so every outside check fails."""
    from magento_ir.drill._staging import attacker_checks, stage_magecart  # noqa: PLC0415
    from magento_ir.sandbox import Sandbox, SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(with_module=True, orders=5)
    with SandboxServer(sandbox) as server:
        breach = await stage_magecart(sandbox, server.base_url)
        try:
            checks = await attacker_checks(server.base_url, breach)
        finally:
            await breach.close()
    assert [check.passed for check in checks] == [False, False, False]


@pytest.mark.parametrize(
    "scenario",
    ["compromised_admin", "customer_data_exfiltration", "card_testing", "hr_data_breach"],
)
def test_every_shipped_playbook_has_a_passing_drill(scenario, tmp_path):
    """Each other scenario stages its breach, runs its playbook and passes every check."""
    report = run_drill(
        DrillOptions(
            scenario=scenario, products=20, customers=20, orders=30, latency="0",
            report_dir=tmp_path,
        )
    )  # fmt: skip
    assert report.ok, report.to_markdown()
    assert report.playbook == scenario
    assert all(action.verified for action in report.actions)
    assert report.outside_checks or report.state_checks
    assert all(check.passed is not False for check in report.state_checks)


def test_drill_without_the_module_reports_what_core_rest_cannot_do(tmp_path):
    """Without the module the core steps still verify; module steps are blocked with the fix."""
    report = run_drill(
        DrillOptions(products=20, customers=20, orders=30, latency="0", with_module=False,
                     report_dir=tmp_path)
    )  # fmt: skip
    assert not report.ok
    by_action = {action.action: action for action in report.actions}
    for kind in ("disable_cms_blocks", "hold_orders"):
        assert by_action[kind].path == "core"
        assert by_action[kind].verified
    for kind in ("maintenance", "terminate_sessions", "suspend_payments"):
        assert not by_action[kind].verified
        assert "composer require" in (by_action[kind].error or "")
    assert report.store["module"] == "absent"


def test_drill_journal_verifies_with_the_reported_key(drilled):
    """`magento-ir evidence verify` accepts the drill's journal with the verifier it reports."""
    report, _ = drilled
    result = CliRunner().invoke(
        app, ["evidence", "verify", report.journal, "--verifier", report.journal_verifier]
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "OK" in result.output


def test_tampered_drill_journal_fails_verification(drilled, tmp_path):
    """One changed byte in a copy of the journal makes `evidence verify` exit 1."""
    report, _ = drilled
    copy = tmp_path / "journal.log"
    data = bytearray(Path(report.journal).read_bytes())
    data[data.index(b'"step"') + 1] ^= 0x01
    copy.write_bytes(bytes(data))
    result = CliRunner().invoke(app, ["evidence", "verify", str(copy)])
    assert result.exit_code == ExitCode.CONTAINMENT_FAILED


@pytest.mark.parametrize("seed", [0, 1])
def test_drill_under_faults_applies_every_module_write_once(seed, tmp_path):
    """With 20% of reads failing and 5% of writes losing their answer, the drill still passes."""
    report = run_drill(
        DrillOptions(products=20, customers=20, orders=30, latency="0", seed=seed, faults=True,
                     report_dir=tmp_path)
    )  # fmt: skip
    assert report.ok, report.to_markdown()
    state = {check.name: check for check in report.state_checks}
    assert state["every module write applied exactly once"].passed is True
    assert any("faults injected" in note for note in report.notes)
    fired = sum(
        count
        for action in report.actions
        for route, count in action.requests_by_route.items()
        if "(fault" in route
    )
    assert fired > 0


def test_drill_help_names_every_scenario():
    """`magento-ir drill --help` lists exactly the scenarios the drill knows."""
    result = CliRunner().invoke(app, ["drill", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    for name in SCENARIOS:
        assert name in text
