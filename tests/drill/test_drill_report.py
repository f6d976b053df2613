"""The drill report for auditors: JSON valid against its schema, Markdown and a self-contained
HTML page naming the same facts, and a directory that verifies on its own wherever it is copied."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator

from magento_ir import ConfigurationError, __version__, set_testing
from magento_ir.drill import DrillOptions, DrillReport, Section, Table, Text, run_drill
from magento_ir.evidence import NoteVerifier, verify
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from magento_ir.drill import ReportFiles

SCHEMA = REPO_ROOT / "docs" / "schemas" / "drill-report.json"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[DrillReport, ReportFiles]:
    """A drill whose journal is in one directory and whose report is written to another."""
    set_testing(True)
    try:
        work = tmp_path_factory.mktemp("work")
        options = DrillOptions(
            products=20, customers=20, orders=10, latency="0", report_dir=work, seed=11
        )
        report = run_drill(options)
    finally:
        set_testing(False)
    return report, report.write(tmp_path_factory.mktemp("reports") / "for-audit")


def _schema_errors(document: Any) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = Draft202012Validator(schema).iter_errors(document)
    return sorted(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def test_json_report_validates_against_its_schema(written):
    """drill-report.json validates against docs/schemas/drill-report.json."""
    _, files = written
    document = json.loads(files.json.read_text(encoding="utf-8"))
    assert _schema_errors(document) == []


def test_schema_rejects_a_report_without_its_verification():
    """The schema can fail: a report missing its root hash or with an unknown key is refused."""
    report = DrillReport(
        scenario="magecart", playbook="magecart", store={}, started_at="", staged=(),
        actions=(), rollbacks=(), outside_checks=(), state_checks=(), contain_seconds=0.0,
        total_seconds=0.0, journal="j.log",
    )  # fmt: skip
    document = report.to_json()
    assert _schema_errors(document) == []
    del document["verification"]["root"]
    document["surprise"] = 1
    errors = _schema_errors(document)
    assert any("'root' is a required property" in error for error in errors), errors
    assert any("surprise" in error for error in errors), errors


def test_every_form_names_version_seed_scenario_root_verifier_and_command(written):
    """JSON, Markdown and HTML each name the tool version, seed, scenario, the journal's root
    hash, the verifier key (name, id, public key) and the command that verifies it."""
    report, files = written
    verifier = NoteVerifier.parse(report.journal_verifier)
    checked = verify(files.journal[0], verifier)
    assert report.journal_root == checked.root.hex()
    assert report.journal_records == checked.records > 0
    command = (
        f"magento-ir evidence verify drill-report-journal.log --verifier {report.journal_verifier}"
    )
    assert report.verify_command == command

    data = json.loads(files.json.read_text(encoding="utf-8"))
    assert data["tool"] == {"name": "magento-ir", "version": __version__}
    assert (data["seed"], data["scenario"]) == (11, "magecart")
    assert data["verification"] == {
        "journal": "drill-report-journal.log",
        "records": checked.records,
        "root": checked.root.hex(),
        "verifier": {
            "key": report.journal_verifier,
            "name": "magento-ir-drill",
            "key_id": verifier.key_id.hex(),
            "public_key": verifier.public_key.hex(),
        },
        "command": command,
        "run_in": "the directory holding this report",
    }
    for path in (files.markdown, files.html):
        page = path.read_text(encoding="utf-8")
        for fact in (
            f"magento-ir {__version__}", "| Seed | 11 |" if page.startswith("#") else ">11<",
            "magecart", checked.root.hex(), verifier.key_id.hex(), verifier.public_key.hex(),
            report.journal_verifier, command,
        ):  # fmt: skip
            assert fact in page, (path.name, fact)


def test_the_directory_alone_verifies_wherever_it_is_copied(written, tmp_path):
    """Copied elsewhere, with the drill's own directory gone, the printed command succeeds
    there and finds the reported root; a changed byte in the copy makes it fail."""
    report, files = written
    assert {path.name for path in files.journal} == {
        "drill-report-journal.log",
        "drill-report-journal.log.checkpoints",
    }
    assert all(path.parent == files.json.parent for path in files.journal)
    shutil.rmtree(Path(report.journal).parent)
    copy = shutil.copytree(files.json.parent, tmp_path / "elsewhere")
    command = json.loads((copy / "drill-report.json").read_text())["verification"]["command"]
    program, *args = shlex.split(command)
    assert program == "magento-ir"
    run = [sys.executable, "-m", "magento_ir", *args, "--json"]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(run, cwd=copy, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["root"] == report.journal_root

    journal = copy / "drill-report-journal.log"
    data = bytearray(journal.read_bytes())
    data[data.index(b'"step"') + 1] ^= 0x01
    journal.write_bytes(bytes(data))
    result = subprocess.run(run, cwd=copy, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert result.returncode == 1


def test_html_report_is_self_contained(written):
    """One file: inline CSS, no script, no link, image, frame or URL to fetch."""
    _, files = written
    page = files.html.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<style>" in page
    for outside in ("<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"):
        assert outside not in page, outside


def test_report_text_is_escaped_in_html():
    """A staged item's text with markup is shown as text, never as markup."""
    report = DrillReport(
        scenario="magecart", playbook="magecart", store={}, started_at="", staged=(),
        actions=(), rollbacks=(), outside_checks=(), state_checks=(), contain_seconds=0.0,
        total_seconds=0.0, journal="j.log", notes=('<script>alert("x")</script> | pipe',),
    )  # fmt: skip
    page = report.to_html()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe" in page
    assert "&lt;script&gt;" not in report.to_markdown()
    assert '<script>alert("x")</script> \\| pipe' not in report.to_markdown()  # not a table cell


def test_a_section_is_added_to_every_form(written):
    """with_section adds a section to the JSON (under sections.<key>), Markdown and HTML."""
    report, _ = written
    section = Section(
        "obligations",
        "Notification obligations",
        (Text(("Who must be told, by when:",)), Table(("Who", "By"), (("Card brands", "72 h"),))),
        data=[{"who": "Card brands", "hours": 72}],
    )
    extended = report.with_section(section)
    assert set(extended.to_json()["sections"]) == {"detection", "notify", "obligations"}
    assert extended.to_json()["sections"]["obligations"] == [{"who": "Card brands", "hours": 72}]
    assert "## Notification obligations" in extended.to_markdown()
    assert "| Card brands | 72 h |" in extended.to_markdown()
    assert '<h2 id="section-obligations">Notification obligations</h2>' in extended.to_html()
    # The drill's own sections (detection, notification obligations) are there; the added one
    # is not.
    assert set(report.to_json()["sections"]) == {"detection", "notify"}
    with pytest.raises(ValueError, match="obligations"):
        extended.with_section(section)


def test_write_refuses_a_report_whose_journal_is_gone(tmp_path):
    """An auditor's directory without the journal would prove nothing: write says so."""
    report = DrillReport(
        scenario="magecart", playbook="magecart", store={}, started_at="", staged=(),
        actions=(), rollbacks=(), outside_checks=(), state_checks=(), contain_seconds=0.0,
        total_seconds=0.0, journal=str(tmp_path / "gone.log"),
    )  # fmt: skip
    with pytest.raises(ConfigurationError, match=r"gone\.log does not exist"):
        report.write(tmp_path / "out")
    assert not (tmp_path / "out").exists()
