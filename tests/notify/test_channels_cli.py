"""`notify track | page | ack | status | policy`: pages and tickets on loopback receivers, all on
the evidence log (which verifies and holds no secret), and the status JSON against its schema."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir.cli import app
from magento_ir.cli._config import ExitCode
from magento_ir.cli._store import KEY_NAME
from magento_ir.evidence import SigningKey, read_records, verify
from tests.conftest import REPO_ROOT
from tests.notify.servers import HttpReceiver, Seen, json_reply
from tests.notify.test_channels_http import SN_PASSWORD, FakeTable, check_pagerduty

if TYPE_CHECKING:
    from pathlib import Path

T = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
FACTS = {
    "clock": {"awareness": T.isoformat(), "discovery": T.isoformat()},
    "affected": [
        {"jurisdiction": "US-CA", "count": 501,
         "categories": ["contact", "payment_card.pan", "payment_card.cvv"]},
    ],
    "card_schemes": ["visa"],
    "merchant_country": "US",
}  # fmt: skip
ROUTING_KEY = "abcdef0123456789abcdef0123456789"
SCHEMA = json.loads((REPO_ROOT / "docs/schemas/notify-status.json").read_text("utf-8"))


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    (tmp_path / "facts.json").write_text(json.dumps(FACTS))
    SigningKey.generate(KEY_NAME).save(tmp_path / "journal.key")
    monkeypatch.setenv("MAGENTO_IR_KEY_FILE", str(tmp_path / "journal.key"))
    monkeypatch.setenv("MAGENTO_IR_PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    monkeypatch.setenv("MAGENTO_IR_SERVICENOW_USER", "ir-bot")
    monkeypatch.setenv("MAGENTO_IR_SERVICENOW_PASSWORD", SN_PASSWORD)
    return tmp_path


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["notify", *args], env={"COLUMNS": "250"})


def _status(now: str) -> dict[str, Any]:
    result = invoke("status", "--now", now, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    errors = list(Draft202012Validator(SCHEMA).iter_errors(document))
    assert not errors, errors
    return dict(document)


def _pd(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    check_pagerduty(seen.json())
    return json_reply(202, {"status": "success", "dedup_key": seen.json()["dedup_key"]})


def test_track_page_ack_status_all_on_the_verified_record(workspace: Path) -> None:
    """A plan on the record; a PagerDuty page and a ServiceNow ticket; an acknowledgement;
    status follows each; the log verifies and never holds the routing key or the password."""
    tracked = invoke("track", "facts.json", "--incident", "INC-9", "--as-of", "2026-06-02")
    assert tracked.exit_code == 0, tracked.output
    before = _status("2026-06-02T00:00:00+00:00")
    keys = [item["key"] for item in before["obligations"]]
    assert "visa/notify" in keys
    assert not before["all_sent"]
    assert {item["stage"] for item in before["obligations"]} == {"planned"}

    with HttpReceiver(_pd) as pagerduty:
        paged = invoke(
            "page", "--channel", "pagerduty", "--summary", "Skimmer in footer-promo",
            "--source", "shop.example.com", "--store-name", "shop1", "--url", pagerduty.url,
            "--obligation", "visa/notify", "--json",
        )  # fmt: skip
    assert paged.exit_code == 0, paged.output
    assert json.loads(paged.stdout)["provider_ids"] == {"dedup_key": "magento-ir:shop1:INC-9"}

    table = FakeTable("sn_si_incident")
    with HttpReceiver(table) as servicenow:
        ticket = invoke(
            "page", "--channel", "servicenow", "--url", servicenow.url, "--table",
            "sn_si_incident", "--summary", "Skimmer in footer-promo", "--json",
        )  # fmt: skip
    assert ticket.exit_code == 0, ticket.output
    assert json.loads(ticket.stdout)["provider_ids"]["number"] == "INC0010001"

    acked = invoke("ack", "--obligation", "visa/notify", "--by", "Visa", "--via", "case 77")
    assert acked.exit_code == 0, acked.output
    after = _status("2026-06-02T00:00:00+00:00")
    visa = next(item for item in after["obligations"] if item["key"] == "visa/notify")
    assert (visa["sent"], visa["acknowledged"], visa["stage"]) == (True, True, "acknowledged")
    assert visa["deadline"] is None  # Visa: immediately
    assert visa["met_deadline"] is None

    log = workspace / "incident-journal.log"
    key = SigningKey.load(workspace / "journal.key", KEY_NAME)
    assert verify(log, key.verifier()).ok
    types = [record.type for record in read_records(log)]
    assert types.count("notify.send") == 2
    assert types.count("notify.receipt") == 2
    raw = log.read_bytes()
    assert ROUTING_KEY.encode() not in raw
    assert SN_PASSWORD.encode() not in raw


@pytest.mark.usefixtures("workspace")
def test_status_marks_overdue_obligations() -> None:
    invoke("track", "facts.json", "--incident", "INC-9", "--as-of", "2026-06-02")
    late = _status("2026-09-01T00:00:00+00:00")
    dated = [item for item in late["obligations"] if item["deadline"] is not None]
    assert late["overdue"] == len(dated) == 4
    assert all(item["overdue"] and item["seconds_left"] < 0 for item in dated)
    table = invoke("status", "--now", "2026-09-01T00:00:00+00:00")
    assert table.exit_code == 0, table.output
    assert "OVERDUE" in table.stdout


@pytest.mark.usefixtures("workspace")
def test_a_failed_page_is_recorded_and_exits_with_the_right_code() -> None:
    invoke("track", "facts.json", "--incident", "INC-9", "--as-of", "2026-06-02")
    with HttpReceiver(lambda _s: json_reply(400, {"status": "invalid event"})) as receiver:
        failed = invoke("page", "--channel", "pagerduty", "--summary", "x", "--url", receiver.url)
    assert failed.exit_code == ExitCode.USAGE
    failures = [
        r.payload for r in read_records("incident-journal.log") if r.type == "notify.failure"
    ]
    assert failures[0]["retryable"] is False
    assert ROUTING_KEY not in failed.output


@pytest.mark.usefixtures("workspace")
def test_page_without_the_secret_says_which_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAGENTO_IR_PAGERDUTY_ROUTING_KEY")
    result = invoke("page", "--channel", "pagerduty", "--summary", "x", "--incident", "I")
    assert result.exit_code == ExitCode.USAGE
    assert "MAGENTO_IR_PAGERDUTY_ROUTING_KEY" in result.output


@pytest.mark.usefixtures("workspace")
def test_policy_prints_pages_and_drafts() -> None:
    result = invoke("policy", "facts.json", "--json")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    teams = {page["team"]: page["channel"] for page in decision["pages"]}
    assert teams["payments"] == "pagerduty"
    assert "card-brand-report" in decision["drafts"]


@pytest.mark.usefixtures("workspace")
def test_status_shows_overdue_in_red_and_in_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overdue is red on a colour terminal, and says OVERDUE too (never colour alone)."""
    from rich.color import ColorSystem  # noqa: PLC0415

    from magento_ir.cli._output import console  # noqa: PLC0415

    invoke("track", "facts.json", "--incident", "INC-9", "--as-of", "2026-06-02")
    monkeypatch.setattr(console, "_force_terminal", True)
    monkeypatch.setattr(console, "_color_system", ColorSystem.STANDARD)
    monkeypatch.setattr(console, "no_color", False)
    late = invoke("status", "--now", "2026-09-01T00:00:00+00:00")
    early = invoke("status", "--now", "2026-06-01T17:00:00+00:00")
    assert re.search(r"\x1b\[31mOVERDUE \d+d \d\dh", late.stdout), late.stdout
    assert "OVERDUE" not in early.stdout
    assert "\x1b[31m" not in early.stdout


CHAT = {
    "slack-webhook": ("MAGENTO_IR_SLACK_WEBHOOK_URL", "/services/T1/B1/hooksecret123", ()),
    "teams": ("MAGENTO_IR_TEAMS_WEBHOOK_URL", "/workflows/1/triggers/manual?sig=teamssecret", ()),
    "slack": ("MAGENTO_IR_SLACK_TOKEN", "", ("--slack-channel", "C024BE91L")),
    "webhook": ("MAGENTO_IR_WEBHOOK_SECRET", "", ()),
}


@pytest.mark.parametrize("channel", sorted(CHAT))
def test_page_on_chat_and_webhooks_keeps_their_secrets_out_of_the_record(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, channel: str
) -> None:
    """Slack (both ways), Teams and the signed webhook from the command line: the webhook URL,
    token or signing secret is taken from the environment and never written anywhere."""
    variable, path, extra = CHAT[channel]

    def answer(_seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if channel == "slack":
            return json_reply(200, {"ok": True, "channel": "C024BE91L", "ts": "1.2"})
        return (202, {}, b"") if channel == "teams" else (200, {}, b"ok")

    with HttpReceiver(answer) as receiver:
        secret = receiver.url + path if path else "s3cret-for-" + channel + "-0123456789"
        monkeypatch.setenv(variable, secret)
        url = () if path else ("--url", receiver.url + ("/api" if channel == "slack" else "/hook"))
        result = invoke(
            "page", "--channel", channel, "--summary", "Skimmer", "--incident", "INC-9",
            *url, *extra, "--json",
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["channel"] in {channel, "slack", "teams", "webhook"}
    raw = (workspace / "incident-journal.log").read_bytes()
    hidden = path.rsplit("/", 1)[-1] if path else secret
    assert hidden.encode() not in raw
    assert hidden not in result.output
