"""`notify assess INCIDENT`, `explain`, `decide` and `register` from the command line: counts on
screen, pseudonyms in a private file, the register in the incident's evidence log."""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.cli._config import ExitCode
from magento_ir.evidence import SigningKey, read_records, verify
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SCHEMAS = REPO_ROOT / "docs" / "schemas"
AWARE = "2026-06-01T16:00:00+00:00"
DETECTED = "2026-06-03T10:00:00+00:00"
STAFF = (
    "Work Email,Country,State,Tax ID,Federal Withholding,Salary\n"
    "ann@corp.example,US,VA,123,4200,90000\n"
    "bob@corp.example,US,VA,,,85000\n"
    "eva@corp.example,DE,,,,70000\n"
)


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["notify", *args], env={"COLUMNS": "250"})


def _valid(schema: str, text: str) -> dict[str, Any]:
    document = json.loads(text)
    validator = Draft202012Validator(json.loads((SCHEMAS / schema).read_text(encoding="utf-8")))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors
    return document


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "staff.csv").write_text(STAFF, encoding="utf-8")
    return tmp_path


def test_hr_assessment_decision_and_register(home: Path):
    """From an HR export to the register: awareness before detection, a decision, exports."""
    assessed = run(
        "assess", "hr", "--file", "staff.csv",
        "--journal", "incident.log", "--title", "Payroll export leaked",
        "--awareness", AWARE, "--detected", DETECTED,
        "--recipients", "recipients.jsonl", "--recipient-key", "recipients.key",
        "-o", "facts.json", "--as-of", "2026-06-03", "--json",
    )  # fmt: skip
    assert assessed.exit_code == 0, assessed.output
    document = _valid("notify-assess.json", assessed.stdout)
    assert document["by_jurisdiction"] == {"DE": 1, "US-VA": 2}
    assert document["by_category"]["hr.payroll"] == 3
    assert document["clock"]["awareness"] == "2026-06-01T16:00:00+00:00"
    assert document["detected_at"] == DETECTED
    # The recipient list and its key are private files; no e-mail address anywhere.
    for name in ("recipients.jsonl", "recipients.key"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
    assert "corp.example" not in (home / "recipients.jsonl").read_text()
    assert len((home / "recipients.jsonl").read_text().splitlines()) == 3

    decided = run(
        "decide", "eu-gdpr/art33-unlikely-risk", "no", "--facts", "facts.json",
        "--by", "Dana (DPO)", "--why", "staff names and salaries", "--journal", "incident.log",
        "--as-of", "2026-06-03",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert json.loads((home / "facts.json").read_text())["answers"] == {
        "eu-gdpr/art33-unlikely-risk": False
    }
    key = SigningKey.load(home / "config" / "magento-ir" / "journal.key", "magento-ir-journal")
    assert verify(home / "incident.log", key.verifier()).ok
    types = [record.type for record in read_records(home / "incident.log")]
    assert types.count("notify.reasoning") == 2
    assert "notify.decision" in types
    assert "corp.example" not in (home / "incident.log").read_text()

    exported = run("register", "incident.log", "--format", "json")
    assert exported.exit_code == 0, exported.output
    [incident] = _valid("notify-register.json", exported.stdout)["incidents"]
    assert incident["title"] == "Payroll export leaked"
    assert incident["awareness"] == "2026-06-01T16:00:00Z"
    gdpr = next(o for o in incident["obligations"] if o["key"] == "eu-gdpr/art33-authority/DE")
    # 72 hours from awareness, two days before magento_ir detected it.
    assert gdpr["deadline"] == "2026-06-04T16:00:00+00:00"
    assert incident["decisions"][0]["by"] == "Dana (DPO)"

    table = run("register", "incident.log")
    assert table.exit_code == 0, table.output
    assert "Payroll export leaked" in table.output
    for form, marker in (("csv", "incident_id,title"), ("html", '<html lang="en">')):
        written = run("register", "incident.log", "--format", form, "-o", f"register.{form}")
        assert written.exit_code == 0, written.output
        assert marker in (home / f"register.{form}").read_text()

    explained = run(
        "explain", "eu-gdpr/art33-authority/DE", "--facts", "facts.json", "--as-of", "2026-06-03"
    )
    assert explained.exit_code == 0, explained.output
    assert "+ 72 elapsed hours = 2026-06-04 16:00 UTC" in explained.output
    as_json = run(
        "explain", "us-va-payroll/attorney-general", "--facts", "facts.json", "--json",
        "--as-of", "2026-06-03",
    )  # fmt: skip
    assert _valid("notify-explain.json", as_json.stdout)["obligation"]["recipient"] == (
        "attorney_general"
    )


def test_register_refuses_a_tampered_log(home: Path):
    """A register is only read from a log that verifies: a rewritten decision exits 1."""
    result = run(
        "assess", "hr", "--file", "staff.csv", "--journal", "j.log", "--recipients", "r.jsonl"
    )
    assert result.exit_code == 0, result.output
    assert "cannot be matched to customers later" in " ".join(result.output.split())
    log = home / "j.log"
    text = log.read_text()
    assert '"by_jurisdiction":{"DE":1,"US-VA":2}' in text
    log.write_text(
        text.replace('"by_jurisdiction":{"DE":1,"US-VA":2}', '"by_jurisdiction":{"DE":1,"US-VA":1}')
    )
    tampered = run("register", "j.log", "--format", "csv")
    assert tampered.exit_code == ExitCode.VERIFICATION_FAILED, tampered.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["assess", "skimmer", "--to", AWARE], "--from is required"),
        (["assess", "hr"], "--file CSV is required"),
        (["assess", "hr", "--file", "staff.csv", "--column", "Salary"], "HEADER=CATEGORY"),
        (["assess", "admin", "--admin", "x"], "--resource ACL-ID is required"),
        (["explain", "xx/none", "--facts", "facts.json"], "notify plan` lists the keys"),
        (
            [
                "decide",
                "eu-gdpr/art33-unlikely-risk",
                "maybe",
                "--facts",
                "facts.json",
                "--by",
                "a",
                "--why",
                "b",
            ],
            "use yes or no",
        ),
        (
            ["decide", "xx/none", "yes", "--facts", "facts.json", "--by", "a", "--why", "b"],
            "no question 'xx/none'",
        ),
        (["register", "missing.log"], "no such evidence log"),
    ],
)
def test_usage_errors(home: Path, args: list[str], message: str):
    (home / "facts.json").write_text(json.dumps({"clock": {"awareness": AWARE}, "affected": []}))
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in " ".join(result.output.split())


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    sandbox = Sandbox(with_module=True, orders=20, customers=10)
    with SandboxServer(sandbox) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", "Sandbox123!")
        yield sandbox


@pytest.mark.usefixtures("home", "store")
def test_customer_and_admin_assessments_from_the_store():
    """Customer exfiltration by selection; an admin's role read by its ACL resources."""
    customers = run("assess", "customers", "--id-from", "3", "--id-to", "12", "--json")
    assert customers.exit_code == 0, customers.output
    document = _valid("notify-assess.json", customers.stdout)
    assert document["records"] == 10
    assert document["description"] == "customers: ids from 3, ids to 12"
    admin = run(
        "assess", "admin", "--admin", "support", "--resource", "Magento_Customer::customer",
        "--resource", "Magento_Sales::actions_view", "--merchant-country", "us",
    )  # fmt: skip
    assert admin.exit_code == 0, admin.output
    assert "could read" in admin.output
    assert "US-TX" in admin.output


@pytest.mark.usefixtures("home")
def test_awareness_is_recorded_apart_from_detection():
    """A journal's detection time is kept; an earlier awareness starts the clocks."""
    result = run(
        "assess", "hr", "--file", "staff.csv", "--journal", "j.log",
        "--awareness", AWARE, "--detected", DETECTED, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    again = run("assess", "hr", "--file", "staff.csv", "--journal", "j.log", "--json")
    # The second run reads detection from the journal's notify.incident record.
    assert json.loads(again.stdout)["detected_at"] == DETECTED
    assert json.loads(result.stdout)["clock"]["discovery"] == "2026-06-01T16:00:00+00:00"
