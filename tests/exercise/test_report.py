"""The after-action report, its timeline plot and PDF, the facilitator's lessons and follow-ups,
and the evidence pack an auditor verifies with `magento-ir evidence verify` alone."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import subprocess
import sys
import zipfile
from typing import TYPE_CHECKING

import pytest
from jsonschema import Draft202012Validator
from pypdf import PdfReader
from typer.testing import CliRunner

from magento_ir import set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.evidence import SigningKey, read_records
from magento_ir.exercise import ExerciseOptions, ExerciseRun, load_run, run_exercise
from magento_ir.exercise._pdf import render_pdf
from magento_ir.exercise.pack import PACK_RECORD
from magento_ir.exercise.plot import timeline
from magento_ir.exercise.report import after_action
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from pathlib import Path

SMALL = {"products": 40, "customers": 40, "orders": 20}
SCHEMAS = REPO_ROOT / "docs" / "schemas"


@pytest.fixture(scope="module")
def held(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ExerciseRun, Path]:
    """One automated hr_data_breach run (about 10 s: a sandbox, a drill, notices), shared by
    every test here; its key is saved so the CLI can append to its log."""
    root = tmp_path_factory.mktemp("exercise-report")
    # The name the CLI's key files carry (magento_ir.cli._store.KEY_NAME).
    key = SigningKey.generate("magento-ir-journal")
    key_file = root / "team.key"
    key.save(key_file)
    set_testing(True)
    try:
        run = run_exercise("hr_data_breach", ExerciseOptions(out=root / "runs", key=key, **SMALL))
    finally:
        set_testing(False)
    return root / "runs" / run.run_id, run, key_file


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _valid(schema: str, document: object) -> None:
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    Draft202012Validator.check_schema(validator.schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors


def _cli(*args: str) -> object:
    return CliRunner().invoke(app, list(args), terminal_width=300)


def test_every_run_leaves_its_report_plot_and_pack(held: tuple[Path, ExerciseRun, Path]) -> None:
    """run.json names the Markdown, HTML and PDF report, the PNG and SVG plot and the pack."""
    folder, run, _ = held
    files = load_run(folder).files
    for role in ("report_md", "report_html", "report_pdf", "timeline_png", "timeline_svg",
                 "evidence_pack"):  # fmt: skip
        assert (folder / files[role]).is_file(), role
    markdown = (folder / files["report_md"]).read_text(encoding="utf-8")
    assert markdown.startswith(f"# After-action report: {run.title} (100%)")
    for heading in ("## Scores: 100%", "## Legal deadlines: slack", "## Decisions", "## Timeline",
                    "## Lessons learned", "## Follow-up actions", "## For auditors"):  # fmt: skip
        assert heading in markdown, heading
    assert "![Timeline of exercise" in markdown
    assert "| us-ca/individuals |" in markdown
    html = (folder / files["report_html"]).read_text(encoding="utf-8")
    assert '<img src="data:image/png;base64,' in html
    assert 'alt="Timeline of exercise' in html


def test_the_plot_is_deterministic_and_described_in_words(
    held: tuple[Path, ExerciseRun, Path],
) -> None:
    """Same run, same bytes (PNG and SVG); the alt text names objectives and deadlines."""
    _, run, _ = held
    first, second = timeline(run), timeline(run)
    assert first.png == second.png
    assert first.svg == second.svg
    assert first.png.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<dc:date>" not in first.svg
    assert "contain at " in first.alt
    assert "us-ca/individuals at 30.0 d" in first.alt
    assert "us-va-payroll/attorney-general with no fixed period" in first.alt


def test_the_pdf_is_tagged_deterministic_and_readable(
    held: tuple[Path, ExerciseRun, Path],
) -> None:
    """The PDF has the report's text, an outline of its sections, a language, the figure's alt
    text, and the same bytes for the same document."""
    _, run, _ = held
    plot = timeline(run)
    document = after_action(run, plot=plot)
    pdf = render_pdf(document)
    assert pdf == render_pdf(document)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "After-action report" in text
    assert "us-ca/individuals" in text
    assert [item.title for item in reader.outline if not isinstance(item, list)][:3] == [
        document.title, "Scores: 100%", "Legal deadlines: slack",
    ]  # fmt: skip
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert b"/Alt (" + plot.alt[:20].encode() in pdf or b"/Alt <" in pdf


def test_lessons_and_followups_go_to_the_log_and_the_report(
    held: tuple[Path, ExerciseRun, Path],
) -> None:
    """Recorded through the CLI with the run's key, they are log records the report shows."""
    folder, _, key = held
    lesson = _cli("exercise", "lessons", str(folder), "--add", "HR found it before the watcher",
                  "--by", "Sam", "--key", str(key), "--json")  # fmt: skip
    assert lesson.exit_code == ExitCode.OK, lesson.output
    document = json.loads(lesson.stdout)
    _valid("exercise-lessons.json", document)
    assert document["lessons"][-1]["text"] == "HR found it before the watcher"
    followup = _cli("exercise", "followup", str(folder), "--add", "Watch the HR portal",
                    "--owner", "Dana", "--due", "2027-01-15", "--key", str(key),
                    "--json")  # fmt: skip
    assert followup.exit_code == ExitCode.OK, followup.output
    document = json.loads(followup.stdout)
    _valid("exercise-followup.json", document)
    assert document["followups"][-1]["owner"] == "Dana"
    types = [record.type for record in read_records(folder / "exercise.evlog")]
    assert "exercise.lesson" in types
    assert "exercise.followup" in types
    report = _cli("exercise", "report", str(folder), "--format", "md", "--json")
    assert report.exit_code == ExitCode.OK, report.output
    _valid("exercise-report.json", json.loads(report.stdout))
    markdown = (folder / "after-action-report.md").read_text(encoding="utf-8")
    assert "- HR found it before the watcher (Sam, " in markdown
    assert "| Watch the HR portal | Dana | 2027-01-15 |" in markdown


def test_recording_with_another_key_is_refused(held: tuple[Path, ExerciseRun, Path],
                                               tmp_path: Path) -> None:  # fmt: skip
    """The log is signed by the run's key: another key cannot extend it."""
    folder, run, _ = held
    other = tmp_path / "other.key"
    SigningKey.generate("magento-ir-journal").save(other)
    result = _cli("exercise", "lessons", str(folder), "--add", "x", "--key", str(other))
    assert result.exit_code == ExitCode.USAGE
    assert "signed with another key" in result.output
    assert run.verifier_key in " ".join(result.output.split())


def test_a_followup_needs_an_owner_and_a_due_date(held: tuple[Path, ExerciseRun, Path]) -> None:
    """--add without --owner or --due is a usage error; nothing is recorded."""
    folder, _, key = held
    before = sum(1 for _ in read_records(folder / "exercise.evlog"))
    result = _cli("exercise", "followup", str(folder), "--add", "x", "--owner", "Dana",
                  "--key", str(key))  # fmt: skip
    assert result.exit_code == ExitCode.USAGE
    assert "--due" in result.output
    assert sum(1 for _ in read_records(folder / "exercise.evlog")) == before


def test_the_pack_verifies_elsewhere_with_evidence_verify_alone(
    held: tuple[Path, ExerciseRun, Path], tmp_path: Path
) -> None:
    """Unzipped in another folder, each command the pack prints (and its README gives) exits 0;
    the signed log lists the SHA-256 of the reports in the pack."""
    folder, run, key = held
    pack = tmp_path / "pack.zip"
    result = _cli("exercise", "pack", str(folder), "--out", str(pack), "--key", str(key), "--json")
    assert result.exit_code == ExitCode.OK, result.output
    document = json.loads(result.stdout)
    _valid("exercise-pack.json", document)
    elsewhere = tmp_path / "auditor"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(elsewhere)
    unpacked = elsewhere / run.run_id
    readme = (unpacked / "README.md").read_text(encoding="utf-8")
    assert document["verify_commands"]
    for command in document["verify_commands"]:
        assert command in readme
        args = shlex.split(command)
        assert args[:3] == ["magento-ir", "evidence", "verify"]
        done = subprocess.run(  # noqa: S603 - the printed command, with this interpreter
            [sys.executable, "-m", "magento_ir", *args[1:]],
            cwd=unpacked, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "OK:" in done.stdout
    manifest = [r for r in read_records(unpacked / "exercise.evlog") if r.type == PACK_RECORD][-1]
    for name in ("after-action-report.md", "after-action-report.pdf", "timeline.png", "run.json",
                 "drill/drill-report-journal.log"):  # fmt: skip
        digest = hashlib.sha256((unpacked / name).read_bytes()).hexdigest()
        assert manifest.payload["files"][name] == digest, name
    sums = dict(
        reversed(line.split("  ", 1))
        for line in (unpacked / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    )
    assert sums["README.md"] == hashlib.sha256(readme.encode()).hexdigest()
    assert (
        (unpacked / "VERIFIER-KEYS.txt")
        .read_text(encoding="utf-8")
        .startswith(f"exercise.evlog {run.verifier_key}")
    )
