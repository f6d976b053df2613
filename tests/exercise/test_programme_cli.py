"""`magento-ir exercise schedule | train | history`: the plan and training records live in the
programme's signed evidence log; history flags who and what is behind."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.evidence import read_records
from tests.conftest import REPO_ROOT

EXAMPLE = Path(str(resources.files("magento_ir"))) / "exercise" / "examples" / "plan.example.toml"
SCHEMAS = REPO_ROOT / "docs" / "schemas"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


def _json(schema: str, *args: str, code: int = ExitCode.OK) -> dict[str, object]:
    result = CliRunner().invoke(app, [*args, "--json"], terminal_width=300)
    assert result.exit_code == code, result.output
    document = json.loads(result.stdout)
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors
    return document  # type: ignore[no-any-return]


def test_schedule_records_the_plan_once_and_again_when_it_changes(tmp_path: Path) -> None:
    """The first run and a changed plan append an exercise.plan record; an unchanged one not."""
    plan = tmp_path / "exercise-plan.toml"
    plan.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    first = _json("exercise-schedule.json", "exercise", "schedule", "--as-of", "2027-01-05")
    assert first["recorded_seq"] == 1
    assert first["quarters_without_exercise"] == []
    again = _json("exercise-schedule.json", "exercise", "schedule", "--as-of", "2027-01-05")
    assert again["recorded_seq"] is None
    plan.write_text(plan.read_text(encoding="utf-8").replace('quarter = "2027-Q4"',
                    'quarter = "2028-Q1"'), encoding="utf-8")  # fmt: skip
    changed = _json("exercise-schedule.json", "exercise", "schedule", "--as-of", "2027-01-05")
    assert changed["quarters_without_exercise"] == ["2027-Q4"]
    assert changed["recorded_seq"] is not None
    plans = [r for r in read_records(tmp_path / "exercises" / "programme.evlog")
             if r.type == "exercise.plan"]  # fmt: skip
    assert [r.payload["sha256"] for r in plans] == [
        first["plan"]["sha256"], changed["plan"]["sha256"],  # type: ignore[index]
    ]  # fmt: skip
    assert plans[0].payload["programme"]["source"].startswith("SOC 2")


def test_training_records_make_the_history_and_its_flags(tmp_path: Path) -> None:
    """Hours count this quarter; a person, a role and procedures behind are flagged (exit 1)."""
    plan = tmp_path / "exercise-plan.toml"
    plan.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    for person, role, hours, scenario in (
        ("Dana Example", "dpo", "9", "hr_data_breach"),
        ("Lee Example", "legal", "8", "magecart"),
        ("Harper Example", "hr", "3", "card_testing"),
    ):
        recorded = _json("exercise-train.json", "exercise", "train", "--person", person,
                         "--role", role, "--hours", hours, "--on", "2027-02-10",
                         "--activity", "tabletop", "--scenario", scenario)  # fmt: skip
        assert recorded["recorded"][0]["person"] == person  # type: ignore[index]
    view = _json("exercise-history.json", "exercise", "history", "--as-of", "2027-03-01",
                 code=ExitCode.CHECK_FAILED)  # fmt: skip
    statuses = {p["person"]: p["status"] for p in view["people"]}  # type: ignore[attr-defined]
    assert statuses == {"Dana Example": "within", "Lee Example": "within",
                        "Harper Example": "below", "Sam Example": "not trained"}  # fmt: skip
    assert view["people_not_trained"] == ["Sam Example"]
    assert view["roles_not_trained"] == ["incident_lead"]
    stale = {item["procedure"] for item in view["stale_procedures"]}  # type: ignore[attr-defined]
    assert "hr_data_breach" not in stale
    assert {"compromised_admin", "customer_data_exfiltration"} <= stale
    assert len(view["trainings"]) == 3  # type: ignore[arg-type]


def test_train_refuses_an_unknown_role_and_missing_facts() -> None:
    """Roles are the roster's; a record needs who, what role, how long and what."""
    result = CliRunner().invoke(app, ["exercise", "train", "--person", "Dana", "--role", "boss",
                                      "--hours", "2", "--activity", "x"])  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "--role 'boss'" in result.output
    result = CliRunner().invoke(app, ["exercise", "train", "--person", "Dana"])
    assert result.exit_code == ExitCode.USAGE
    assert "--hours" in result.output
    assert not Path("exercises/programme.evlog").exists()
