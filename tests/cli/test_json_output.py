"""`--json` / `--output json|markdown`: one JSON document on stdout that validates against its
schema in docs/schemas/, nothing else on stdout, and Markdown tables with every cell whole."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir import set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.evidence import EvidenceLog, SigningKey
from tests.cli.helpers import flat
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

SCHEMAS = REPO_ROOT / "docs" / "schemas"


def _validate(schema: str, output: str) -> dict[str, Any]:
    document = json.loads(output)  # the whole of stdout is one document
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    Draft202012Validator.check_schema(validator.schema)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, [f"{list(error.absolute_path)}: {error.message}" for error in errors]
    return document


def run(*args: str) -> Any:
    # stderr apart: notes and progress go there, the document alone on stdout.
    return CliRunner().invoke(app, list(args))


ACTIONS = ["-a", "disable_cms_blocks ids=[1,999]", "-a", "maintenance mode=storefront"]


@pytest.mark.usefixtures("store")
def test_contain_verify_rollback_status_playbooks_print_one_valid_document() -> None:
    dry = run("contain", *ACTIONS, "--dry-run", "--json")
    document = _validate("run.json", dry.stdout)
    assert document["steps"] == []
    assert [step["action"] for step in document["plan"]] == ["disable_cms_blocks", "maintenance"]
    assert "block:999 not found" in document["plan"][0]["plan"]["changes"]

    contained = run("contain", *ACTIONS, "--yes", "--output", "json")
    assert contained.exit_code == ExitCode.CONTAINMENT_FAILED, contained.output
    document = _validate("run.json", contained.stdout)
    assert document["exit_code"] == ExitCode.CONTAINMENT_FAILED
    assert document["ok"] is False
    failed = document["steps"][0]["outcome"]["entities"]
    assert {"entity": "block:999", "status": "failed", "detail": "no such CMS block 999"} in failed
    step_ids = [step["step"] for step in document["steps"]]

    verified = run("verify", "--json")
    assert _validate("run.json", verified.stdout)["exit_code"] == verified.exit_code

    status = run("status", "--json")
    assert status.exit_code == ExitCode.OK, status.output
    document = _validate("status.json", status.stdout)
    assert [step["step"] for step in document["journal"]["steps"]] == step_ids
    assert document["store"]["module"]["maintenance"]["mode"] == "storefront"
    assert "no such CMS block 999" in document["journal"]["steps"][0]["why"]

    rolled = run("rollback", "--step", step_ids[1], "--yes", "--json")
    assert rolled.exit_code == ExitCode.OK, rolled.output
    document = _validate("run.json", rolled.stdout)
    assert [step["step"] for step in document["steps"]] == [step_ids[1]]

    listed = run("playbooks", "--json")
    names = [book["name"] for book in _validate("playbooks.json", listed.stdout)["playbooks"]]
    assert "magecart" in names


@pytest.mark.usefixtures("store")
def test_markdown_output_keeps_step_ids_and_reasons_whole() -> None:
    result = run("contain", *ACTIONS, "--yes", "--output", "markdown")
    lines = result.stdout.splitlines()
    assert "| Step | Action | Path | Status | Entities ok/failed/skipped | Detail |" in lines
    row = next(line for line in lines if "no such CMS block 999" in line)
    assert "| disable_cms_blocks | core | verified | 1/1/0 |" in row
    step_id = row.split("|")[1].strip()
    status = run("status", "--json")
    assert step_id in [step["step"] for step in json.loads(status.stdout)["journal"]["steps"]]


def test_drill_prints_one_valid_document(tmp_path: Path) -> None:
    set_testing(True)
    try:
        result = run(
            "drill", "--products", "20", "--customers", "20", "--orders", "10", "--latency", "0",
            "--report-dir", str(tmp_path), "--json",
        )  # fmt: skip
    finally:
        set_testing(False)
    document = _validate("drill.json", result.stdout)
    assert document["exit_code"] == result.exit_code == ExitCode.OK, result.output
    assert document["report"]["scenario"] == "magecart"
    assert document["files"]["json"] == str(tmp_path / "drill-report.json")


def test_evidence_verify_prints_one_valid_document(tmp_path: Path) -> None:
    key = SigningKey.generate("magento-ir-journal")
    key.save(tmp_path / "journal.key")
    log = tmp_path / "evidence.log"
    with EvidenceLog.open(log, key=key) as evidence:
        evidence.append("detection", {"rule": "skimmer"})
    args = ["evidence", "verify", str(log), "--key", str(tmp_path / "journal.key"), "--json"]
    good = run(*args)
    document = _validate("evidence-verify.json", good.stdout)
    assert document["ok"] is True
    assert document["exit_code"] == good.exit_code == ExitCode.OK
    with log.open("ab") as handle:
        handle.write(b'{"torn": ')
    torn = run(*args)
    document = _validate("evidence-verify.json", torn.stdout)
    assert document["exit_code"] == torn.exit_code == ExitCode.VERIFICATION_FAILED
    assert document["problem"]["kind"] == "torn"
    assert "magento-ir evidence repair" in document["problem"]["detail"]


@pytest.mark.usefixtures("store")
def test_evidence_capture_and_export_print_one_valid_document(tmp_path: Path) -> None:
    log, events = tmp_path / "evidence.log", tmp_path / "events.jsonl"
    captured = run("evidence", "capture", str(log), "--only", "customers", "--json")
    document = _validate("evidence-capture.json", captured.stdout)
    assert document["exit_code"] == captured.exit_code == ExitCode.OK, captured.output
    assert document["categories"] == [
        {"category": "customers", "status": "complete", "captured": 12, "expected": 12,
         "reason": ""},
    ]  # fmt: skip
    assert document["verify_command"].endswith(document["verifier"])
    assert run(*document["verify_command"].split()[1:]).exit_code == ExitCode.OK

    exported = run("evidence", "export", str(log), "--format", "ecs", "--out", str(events),
                   "--json")  # fmt: skip
    document = _validate("evidence-export.json", exported.stdout)
    assert document["exit_code"] == exported.exit_code == ExitCode.OK, exported.output
    assert document["records"] == len(events.read_text(encoding="utf-8").splitlines()) > 12
    assert document["out"] == str(events)

    table = run("evidence", "export", str(log), "--format", "cef", "-o", str(events),
                "--output", "markdown")  # fmt: skip
    assert f"| records | {document['records']} |" in table.stdout.splitlines()


@pytest.mark.parametrize("value", ["events.jsonl", "reports/out.json"])
def test_a_file_given_to_output_is_named_as_a_mistake(tmp_path: Path, value: str) -> None:
    log = tmp_path / "evidence.log"
    log.write_bytes(b"")
    result = run("evidence", "export", str(log), "--format", "ecs", "--output", value)
    assert result.exit_code == ExitCode.USAGE
    assert f"'{value}' is not a format: use table, json, markdown" in flat(result.output)
    assert "(the file to write is --out FILE)" in flat(result.output)
    assert not (tmp_path / value).exists()
    elsewhere = run("status", "--output", value)
    assert elsewhere.exit_code == ExitCode.USAGE
    assert "is not a format" in elsewhere.output
    assert "--out FILE" not in elsewhere.output  # status writes no file


def test_export_summaries_need_a_file_for_the_events(tmp_path: Path) -> None:
    log = tmp_path / "evidence.log"
    log.write_bytes(b"")
    result = run("evidence", "export", str(log), "--format", "ecs", "--json")
    assert result.exit_code == ExitCode.USAGE
    assert "give --out FILE for the events" in flat(result.output)
    assert result.stdout == ""
