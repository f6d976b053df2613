"""`exercise run NAME --automated` runs every shipped scenario end to end on the sandbox: each
procedure step on the timeline, scores, run.json, and an evidence log that verifies."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir import set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.evidence import NoteVerifier, SigningKey, verify
from magento_ir.exercise import (
    ExerciseOptions,
    ExerciseRun,
    load_history,
    load_run,
    outputs,
    run_exercise,
    shipped_scenarios,
)
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Small stores keep each run to a second or two.
SMALL = {"products": 20, "customers": 20, "orders": 50}
SCENARIOS = list(shipped_scenarios())


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, ExerciseRun]]:
    """Every shipped scenario run once into one exercise folder, shared by the tests below.

    About 3 s a run (30 s in all): each drill waits up to a second so that containment starts in
    a later second than the staged logins (Magento's token cut-off has 1-second resolution), and
    the issue asks for every scenario to run end to end."""
    folder = tmp_path_factory.mktemp("exercises")
    key = SigningKey.generate("team")
    # The report, plot and pack writers have their own tests (test_report.py); here they would
    # double the time of each run.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(outputs, "WRITERS", [])
        done = {
            name: run_exercise(name, ExerciseOptions(out=folder, key=key, **SMALL))
            for name in SCENARIOS
        }
    return folder, done


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_runs_automated_end_to_end(
    runs: tuple[Path, dict[str, ExerciseRun]], name: str
) -> None:
    """The containment passes, every procedure step the scenario names is performed, every
    objective with a target is reached, and the run's log verifies with its verifier key."""
    folder, done = runs
    run = done[name]
    scenario = shipped_scenarios()[name]
    assert run.ok, run.drill["checks"]
    assert run.scores is not None
    assert run.scores.skipped_steps == (), run.steps
    assert set(scenario.objectives) <= set(run.reached)
    assert all(score.met for score in run.scores.objectives)
    assert all(decision.matched for decision in run.scores.decisions)
    assert run.scores.percent == 100
    assert [e.ref for e in run.events if e.kind == "inject"] == [i.id for i in scenario.injects]
    assert load_run(folder / run.run_id) == run
    report = verify(
        folder / run.run_id / run.files["evidence_log"], NoteVerifier.parse(run.verifier_key)
    )
    assert report.ok, report.summary()


def test_the_hr_run_records_notices_deadlines_and_every_record_type(
    runs: tuple[Path, dict[str, ExerciseRun]],
) -> None:
    """The HR export triggers deadlines: drafts, approvals and slack are on the record."""
    folder, done = runs
    run = done["hr_data_breach"]
    assert set(run.reached) == {
        "detect",
        "contain",
        "preserve",
        "first_regulator_draft",
        "approval",
    }
    assert run.scores is not None
    assert run.scores.deadlines
    assert all(slack.met for slack in run.scores.deadlines)
    fixed = [slack for slack in run.scores.deadlines if slack.deadline is not None]
    assert all(slack.slack_seconds is not None and slack.slack_seconds > 0 for slack in fixed)
    lines = (folder / run.run_id / "exercise.evlog").read_text(encoding="utf-8").splitlines()
    types = [json.loads(line)["type"] for line in lines]
    for kind in (
        "exercise.started",
        "exercise.inject",
        "exercise.action",
        "exercise.decision",
        "exercise.objective",
        "exercise.detection",
        "exercise.finished",
        "notify.draft",
        "notify.approval",
        "capture.summary",
    ):
        assert kind in types, kind
    assert types.index("exercise.started") < types.index("exercise.finished")
    assert (folder / run.run_id / "drill" / "drill-report-journal.log").is_file()


def test_new_scenarios_stage_what_their_description_says(
    runs: tuple[Path, dict[str, ExerciseRun]],
) -> None:
    """The four new stagings leave their traces: found by the watcher where a rule covers it,
    cut off afterwards (checked from the attacker's side)."""
    _, done = runs
    checks = {name: [c["name"] for c in run.drill["checks"]] for name, run in done.items()}
    assert (
        "the 'Employee Portal Sync' integration's OAuth token is refused"
        in checks["hr_portal_exfiltration"]
    )
    assert (
        "the 'Google Shopping Feed' integration's OAuth token is refused"
        in checks["malicious_integration"]
    )
    assert "the old customer passwords no longer sign in" in checks["credential_stuffing"]
    assert "admin tokens issued before containment are refused" in checks["ransomware_admin"]
    detected = {
        name: next(e for e in run.events if e.kind == "detection").detail["missed"]
        for name, run in done.items()
    }
    assert detected == {name: [] for name in done}
    stuffing = next(e for e in done["credential_stuffing"].events if e.ref == "detect")
    assert "no watcher rule covers this breach" in stuffing.title


def test_a_later_run_is_compared_with_the_folder_s_history(
    runs: tuple[Path, dict[str, ExerciseRun]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The exercise folder's earlier runs are the history: the trend names them."""
    folder, done = runs
    monkeypatch.setattr(outputs, "WRITERS", [])
    again = run_exercise("compromised_admin", ExerciseOptions(out=folder, **SMALL))
    assert {entry.run_id for entry in load_history(folder)} == {
        *(run.run_id for run in done.values()),
        again.run_id,
    }
    assert again.scores is not None
    trend = again.scores.trend
    assert trend is not None
    assert trend.previous_runs == len(done)
    assert trend.same_scenario_runs == 1
    contain = next(t for t in trend.objectives if t.objective == "contain")
    assert contain.previous_same_scenario == done["compromised_admin"].seconds("contain")
    assert contain.direction in {"faster", "slower", "same"}
    assert trend.previous_percent == 100


def test_cli_run_prints_a_document_its_schema_describes(tmp_path: Path) -> None:
    """The command runs the scenario and exits 0; --json is one valid document."""
    result = CliRunner().invoke(
        app,
        [
            "exercise",
            "run",
            "hr_data_breach",
            "--automated",
            "--out",
            str(tmp_path),
            "--products",
            "20",
            "--customers",
            "20",
            "--orders",
            "50",
            "--json",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    document = json.loads(result.stdout)
    schema = json.loads((REPO_ROOT / "docs" / "schemas" / "exercise-run.json").read_text("utf-8"))
    assert not list(Draft202012Validator(schema).iter_errors(document))
    assert document["ok"] is True
    assert document["run"]["scores"]["percent"] == 100
    assert (tmp_path / document["run"]["run_id"] / "run.json").is_file()


def test_cli_table_output_names_the_verify_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outputs, "WRITERS", [])
    result = CliRunner().invoke(
        app,
        [
            "exercise",
            "run",
            "card_testing",
            "--automated",
            "--out",
            str(tmp_path),
            "--products",
            "20",
            "--customers",
            "20",
            "--orders",
            "50",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert "score 100%" in result.output
    assert "magento-ir evidence verify" in result.output


def test_cli_run_without_automated_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["exercise", "run", "hr_data_breach", "--out", str(tmp_path)])
    assert result.exit_code == ExitCode.USAGE
    assert "--automated" in result.output


def test_cli_list_names_every_shipped_scenario() -> None:
    result = CliRunner().invoke(app, ["exercise", "list", "--json"])
    assert result.exit_code == ExitCode.OK, result.output
    names = [item["name"] for item in json.loads(result.stdout)["scenarios"]]
    assert names == SCENARIOS


def test_cli_drafts_from_the_team_s_own_details(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--details: the notices carry the team's own organisation; an unreadable file exits 2
    before anything runs."""
    monkeypatch.setattr(outputs, "WRITERS", [])
    example = REPO_ROOT / "magento_ir" / "notify" / "examples" / "details.example.toml"
    ours = tmp_path / "details.toml"
    ours.write_text(
        example.read_text(encoding="utf-8").replace("Luma & Co", "Acme Drill Org"), "utf-8"
    )
    broken = tmp_path / "broken.toml"
    broken.write_text("[organisation\n", encoding="utf-8")
    refused = CliRunner().invoke(
        app,
        ["exercise", "run", "hr_data_breach", "--automated", "--out", str(tmp_path),
         "--details", str(broken)],
    )  # fmt: skip
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "not valid TOML" in refused.output
    out = tmp_path / "runs"
    result = CliRunner().invoke(
        app,
        ["exercise", "run", "hr_data_breach", "--automated", "--out", str(out),
         "--details", str(ours), "--products", "20", "--customers", "20", "--orders", "50"],
    )  # fmt: skip
    assert result.exit_code == ExitCode.OK, result.output
    (folder,) = out.iterdir()
    drafts = list((folder / "drafts").glob("*.draft.json"))
    assert drafts
    assert all("Acme Drill Org" in path.read_text(encoding="utf-8") for path in drafts)
