"""`exercise run NAME --automated` runs a scenario end to end on the sandbox: every procedure step
on the timeline, scores, run.json, and an evidence log that verifies."""

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
    PROCEDURE_STEPS,
    ExerciseOptions,
    load_history,
    load_run,
    run_exercise,
    shipped_scenarios,
)
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

# Small stores keep each run to a few seconds.
SMALL = {"products": 40, "customers": 40, "orders": 20}


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    set_testing(True)
    yield
    set_testing(False)


def test_hr_data_breach_runs_automated_end_to_end(tmp_path: Path) -> None:
    """Every procedure step happens, every objective is reached, the log verifies."""
    key = SigningKey.generate("team")
    run = run_exercise("hr_data_breach", ExerciseOptions(out=tmp_path, key=key, **SMALL))
    assert run.ok
    assert set(run.steps) == set(PROCEDURE_STEPS)
    assert set(run.reached) == {
        "detect",
        "contain",
        "preserve",
        "first_regulator_draft",
        "approval",
    }
    kinds = {event.kind for event in run.events}
    assert {"inject", "action", "decision", "detection", "objective"} <= kinds
    assert run.scores is not None
    assert run.scores.percent == 100
    assert run.scores.skipped_steps == ()
    assert all(decision.matched for decision in run.scores.decisions)
    assert run.scores.deadlines, "the HR export triggers notification deadlines"
    folder = tmp_path / run.run_id
    assert load_run(folder) == run
    report = verify(folder / run.files["evidence_log"], NoteVerifier.parse(run.verifier_key))
    assert report.ok, report.summary()
    types = [
        json.loads(line)["type"]
        for line in (folder / "exercise.evlog").read_text(encoding="utf-8").splitlines()
    ]
    for kind in (
        "exercise.started",
        "exercise.inject",
        "exercise.action",
        "exercise.decision",
        "exercise.objective",
        "exercise.finished",
        "notify.draft",
        "notify.approval",
    ):
        assert kind in types, kind
    assert types.index("exercise.started") < types.index("exercise.finished")


def test_the_second_run_is_compared_with_the_first(tmp_path: Path) -> None:
    """The run folder's earlier runs are the history: the trend names them."""
    first = run_exercise("compromised_admin", ExerciseOptions(out=tmp_path, **SMALL))
    second = run_exercise("compromised_admin", ExerciseOptions(out=tmp_path, **SMALL))
    assert [entry.run_id for entry in load_history(tmp_path)] == sorted(
        [first.run_id, second.run_id]
    )
    assert second.scores is not None
    assert second.scores.trend is not None
    assert second.scores.trend.previous_runs == 1
    assert second.scores.trend.same_scenario_runs == 1
    contain = next(t for t in second.scores.trend.objectives if t.objective == "contain")
    assert contain.previous_same_scenario == first.seconds("contain")
    assert contain.direction in {"faster", "slower", "same"}


def test_cli_run_prints_scores_and_exits_0(tmp_path: Path) -> None:
    """The command runs the scenario, prints the objectives and where to verify the log."""
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
            "40",
            "--customers",
            "40",
            "--orders",
            "20",
            "--json",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    document = json.loads(result.stdout)
    validator = Draft202012Validator(
        json.loads((REPO_ROOT / "docs" / "schemas" / "exercise-run.json").read_text("utf-8"))
    )
    assert not list(validator.iter_errors(document))
    assert document["ok"] is True
    assert document["run"]["scores"]["percent"] == 100
    assert (tmp_path / document["run"]["run_id"] / "run.json").is_file()


def test_cli_run_without_automated_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["exercise", "run", "hr_data_breach", "--out", str(tmp_path)])
    assert result.exit_code == ExitCode.USAGE
    assert "--automated" in result.output


def test_cli_list_names_every_shipped_scenario() -> None:
    result = CliRunner().invoke(app, ["exercise", "list", "--json"])
    assert result.exit_code == ExitCode.OK, result.output
    names = [item["name"] for item in json.loads(result.stdout)["scenarios"]]
    assert names == list(shipped_scenarios())
