"""`magento-ir notify plan | rules` over a facts file: table, JSON, countdowns, usage errors."""

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.cli._config import ExitCode
from magento_ir.cli.notify import countdown
from magento_ir.sandbox import Sandbox, SandboxServer

T = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
FACTS = {
    "clock": {"awareness": T.isoformat(), "discovery": T.isoformat()},
    "affected": [
        {
            "jurisdiction": "US-CA",
            "count": 501,
            "categories": ["contact", "payment_card.pan", "payment_card.cvv"],
        },
        {"jurisdiction": "DE", "count": 3, "categories": ["contact"]},
    ],
    "card_schemes": ["visa"],
    "merchant_country": "US",
}


@pytest.fixture
def facts_file(tmp_path: Path) -> Path:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(FACTS))
    return path


def invoke(*args: str):
    # Wide enough that rich does not wrap the table's cells.
    return CliRunner().invoke(app, ["notify", *args], env={"COLUMNS": "250"})


def test_plan_json_lists_obligations_and_questions(facts_file: Path):
    """--json prints the whole plan: obligations soonest first, GDPR's risk test as a question."""
    result = invoke("plan", str(facts_file), "--as-of", "2026-06-02", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [o["key"] for o in data["obligations"]] == [
        # Card data exposed: PCI DSS 12.10 starts the incident response plan (undated, first).
        "pci-dss/incident-response-plan",
        "visa/notify",
        "visa/incident-report",
        "visa/account-numbers",
        "us-ca/individuals",
        "us-ca/attorney-general",
    ]
    assert data["obligations"][4]["deadline"] == "2026-07-01T16:00:00Z"
    assert {q["question_id"] for q in data["questions"]} == {
        "eu-gdpr/art33-unlikely-risk",
        "eu-gdpr/art34-high-risk",
    }


def test_plan_table_has_countdowns_and_the_counsel_notice(facts_file: Path):
    """The table counts down from --now and says the plan does not replace counsel."""
    result = invoke("plan", str(facts_file), "--as-of", "2026-06-02", "--now", T.isoformat())
    assert result.exit_code == 0, result.output
    assert "in 3d 00h" in result.output  # Visa's incident report, 3 business days
    assert "Decide eu-gdpr/art33-unlikely-risk" in result.output
    assert "does not replace it" in result.output


def test_answers_in_the_facts_replan(tmp_path: Path):
    """Answering the question turns it into the 72-hour obligation."""
    answered = tmp_path / "answered.json"
    answered.write_text(
        json.dumps(
            FACTS
            | {"answers": {"eu-gdpr/art33-unlikely-risk": False, "eu-gdpr/art34-high-risk": False}}
        )
    )
    result = invoke("plan", str(answered), "--as-of", "2026-06-02", "--json")
    data = json.loads(result.output)
    assert data["questions"] == []
    assert "eu-gdpr/art33-authority/DE" in [o["key"] for o in data["obligations"]]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"clock": {"awareness": "2026-06-01T16:00:00"}}, "clock.awareness"),
        ({"affected": [{"jurisdiction": "DE", "count": -1, "categories": []}]}, "count"),
    ],
)
def test_bad_facts_are_a_usage_error(tmp_path: Path, change, message):
    """A facts file the engine cannot use exits 2 naming the field."""
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(FACTS | change))
    result = invoke("plan", str(path))
    assert result.exit_code == ExitCode.USAGE
    assert message in result.output


def test_missing_facts_file_is_a_usage_error(tmp_path: Path):
    """A facts file that is not there exits 2 naming it."""
    result = invoke("plan", str(tmp_path / "none.json"))
    assert result.exit_code == ExitCode.USAGE
    assert "cannot read the facts file" in result.output


@pytest.mark.parametrize(
    ("option", "value"), [("--as-of", "June"), ("--now", "soon"), ("--now", "2026-06-01T16:00")]
)
def test_bad_times_are_usage_errors(facts_file: Path, option: str, value: str):
    """Unparseable or naive times are refused with an example."""
    result = invoke("plan", str(facts_file), option, value)
    assert result.exit_code == ExitCode.USAGE
    assert "e.g. 2026-06-01" in result.output


def test_a_broken_rule_folder_names_file_and_line(facts_file: Path, tmp_path: Path):
    """--rules with a bad file exits 2 with the file, line and key."""
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "bad.toml").write_text('[rule]\nid = "BAD"\n')
    result = invoke("plan", str(facts_file), "--rules", str(folder))
    assert result.exit_code == ExitCode.USAGE
    assert "bad.toml:2: rule.id" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("rules", "--rules", str(empty))
    assert result.exit_code == ExitCode.USAGE
    assert "no *.toml rule files" in result.output


def test_rules_lists_the_shipped_rules():
    """`notify rules` shows each rule with its confidence and review date."""
    result = invoke("rules")
    assert result.exit_code == 0, result.output
    assert "br-lgpd" in result.output
    assert "2026-12-06" in result.output


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (timedelta(hours=73, minutes=5), "in 3d 01h"),
        (timedelta(hours=5, minutes=59), "in 5h"),
        (timedelta(hours=-5), "overdue 5h"),
        (timedelta(days=-2), "overdue 2d 00h"),
    ],
)
def test_countdown(left: timedelta, text: str):
    """Countdowns round down to the hour and say when a deadline has passed."""
    assert countdown(T + left, T) == text
    assert countdown(None, T) == "now"


@pytest.fixture
def served(monkeypatch, tmp_path: Path) -> Iterator[Sandbox]:
    """A served sandbox with 20 card orders, the CLI pointed at it by environment variables."""
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    sandbox = Sandbox(orders=20)
    with SandboxServer(sandbox) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        monkeypatch.setenv("MAGENTO_IR_USERNAME", "admin")
        monkeypatch.setenv("MAGENTO_IR_PASSWORD", "Sandbox123!")
        yield sandbox


@pytest.mark.usefixtures("served")
def test_assess_writes_facts_that_plan_reads(tmp_path: Path):
    """assess counts the skimmer's card orders per state; its facts file feeds `notify plan`."""
    facts = tmp_path / "facts.json"
    result = invoke(
        "assess", "skimmer",
        "--from", "2000-01-01T00:00:00+00:00",
        "--to", "2100-01-01T00:00:00+00:00",
        "--awareness", T.isoformat(),
        "--merchant-country", "US",
        "-o", str(facts),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # 20 card orders by 14 people (repeat buyers counted once).
    assert "card-paid orders from 2000-01-01T00:00:00+00:00" in result.output
    assert "20 records read" in result.output
    assert "Who: 14 people" in result.output
    data = json.loads(facts.read_text())
    assert {g["jurisdiction"] for g in data["affected"]} == {"US-TX", "US-CO"}
    # Awareness given; discovery is the earlier of awareness and detection (now).
    assert data["clock"] == {
        "awareness": "2026-06-01T16:00:00Z",
        "discovery": "2026-06-01T16:00:00Z",
    }
    assert "@" not in facts.read_text()
    planned = invoke("plan", str(facts), "--as-of", "2026-06-02", "--json")
    assert planned.exit_code == 0, planned.output
    # Texas counts from determination, which assess cannot know: the plan says it is missing.
    assert "us-tx/individuals: determination" in json.loads(planned.output)["missing_clock"]


@pytest.mark.usefixtures("served")
def test_assess_refuses_a_naive_window():
    """A window bound without an offset is a usage error before any request."""
    result = invoke(
        "assess", "skimmer", "--from", "2026-01-01T00:00", "--to", "2026-02-01T00:00:00+00:00"
    )
    assert result.exit_code == ExitCode.USAGE
    assert "--from needs an offset" in result.output
