"""The exercise commands' JSON validates against docs/schemas/, and exercise-run.json is the
model's own schema (regenerate with scripts/exercise_schema.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir.cli import ExitCode, app
from magento_ir.exercise.result import run_schema
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

SCHEMAS = REPO_ROOT / "docs" / "schemas"


def _validate(schema: str, document: object) -> None:
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    Draft202012Validator.check_schema(validator.schema)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors]


def test_the_run_schema_file_is_the_models() -> None:
    """A change to ExerciseRun without regenerating the schema fails here."""
    written = json.loads((SCHEMAS / "exercise-run.json").read_text(encoding="utf-8"))
    assert written == run_schema()


def test_list_and_validate_print_documents_their_schemas_describe(tmp_path: Path) -> None:
    listed = CliRunner().invoke(app, ["exercise", "list", "--json"])
    assert listed.exit_code == ExitCode.OK, listed.output
    _validate("exercise-list.json", json.loads(listed.stdout))

    shipped = REPO_ROOT / "magento_ir" / "exercise" / "scenarios" / "hr_data_breach.toml"
    good = CliRunner().invoke(app, ["exercise", "validate", str(shipped), "--json"])
    assert good.exit_code == ExitCode.OK, good.output
    document = json.loads(good.stdout)
    _validate("exercise-validate.json", document)
    assert document["scenario"] == "hr_data_breach"

    bad = tmp_path / "bad.toml"
    bad.write_text(
        shipped.read_text(encoding="utf-8").replace('"engineer", "hr"', '"engineer", "h r"'),
        "utf-8",
    )
    refused = CliRunner().invoke(app, ["exercise", "validate", str(bad), "--json"])
    assert refused.exit_code == ExitCode.USAGE, refused.output
    document = json.loads(refused.stdout)
    _validate("exercise-validate.json", document)
    assert document["ok"] is False
    assert document["problems"][0]["key"] == "scenario.roles[3]"
    assert document["problems"][0]["text"].startswith(f"{bad}:")
