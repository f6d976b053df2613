"""Issue 13's done-means, end to end: the drill's magecart scenario, then obligations planned,
drafts rendered and approved by two test approvers, the supervisory-authority report and the
customer notices sent to a local SMTP server, a PagerDuty event and a ServiceNow incident created
on local receivers, `notify status` showing everything sent before its deadline, all of it in
the incident's evidence log, which verifies."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from magento_ir import AdminCredentials, MagentoClient, set_testing
from magento_ir.cli import app
from magento_ir.cli._store import KEY_NAME
from magento_ir.drill import DrillOptions, run_drill
from magento_ir.evidence import EvidenceLog, SigningKey, read_records, verify
from magento_ir.notify import AffectedGroup, Facts, plan, shipped_rules
from magento_ir.notify.channels import message_id
from magento_ir.notify.deliver import addresses_for, message_from_draft
from magento_ir.notify.drafts import Draft
from magento_ir.notify.exposure import RecipientKey, skimmer_exposure, skimmer_orders
from magento_ir.sandbox import Sandbox, SandboxOptions, SandboxServer
from tests.conftest import REPO_ROOT
from tests.notify.conftest import SMTP_PASSWORD, SMTP_USER, draft_and_approve
from tests.notify.servers import HttpReceiver
from tests.notify.test_channels_cli import _pd
from tests.notify.test_channels_http import SN_PASSWORD, FakeTable

if TYPE_CHECKING:
    from tests.evidence.conftest import LoopbackCA
    from tests.notify.servers import MailServer

SEED = 3
SIZES = {"products": 50, "customers": 50, "orders": 30}
ROUTING_KEY = "abcdef0123456789abcdef0123456789"
SCHEMA = json.loads((REPO_ROOT / "docs/schemas/notify-status.json").read_text("utf-8"))


def _invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, ["notify", *args], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    return result


def _store_orders() -> list[Any]:
    """The drill's store as seeded (same seed): its card orders, as `notify assess` reads them."""
    sandbox = Sandbox(SandboxOptions(seed=SEED, latency="0", with_module=True, **SIZES))
    with (
        SandboxServer(sandbox) as server,
        MagentoClient(
            server.base_url, auth=AdminCredentials("admin", "Sandbox123!"), allow_insecure_http=True
        ) as client,
    ):
        return list(skimmer_orders(client, datetime(2000, 1, 1, tzinfo=UTC), datetime.now(UTC)))


@pytest.mark.slow
def test_magecart_drill_ends_with_every_obligation_notified_on_the_record(  # noqa: PLR0915
    mail_server: MailServer,
    test_ca: LoopbackCA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Drill, assess, plan, draft, approve (legal + DPO), send, page, ticket, status, verify."""
    set_testing(True)
    try:
        report = run_drill(
            DrillOptions(report_dir=tmp_path / "drill", seed=SEED, latency="0", **SIZES)
        )
    finally:
        set_testing(False)
    assert report.ok, report.to_markdown()
    journal = Path(report.journal)
    incident_id = next(
        r.payload["id"] for r in read_records(journal) if r.type == "incident.opened"
    )

    # The drill's journal is signed with a throw-away key: the responder adopts it, knowingly,
    # so the notifications continue the same timeline under the team's key.
    key = SigningKey.generate(KEY_NAME)
    key.save(tmp_path / "journal.key")
    EvidenceLog.adopt(journal, key=key, note="drill journal taken over for notification")
    monkeypatch.setenv("MAGENTO_IR_KEY_FILE", str(tmp_path / "journal.key"))
    monkeypatch.setenv("MAGENTO_IR_JOURNAL", str(journal))
    monkeypatch.setenv("MAGENTO_IR_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("MAGENTO_IR_PAGERDUTY_ROUTING_KEY", ROUTING_KEY)
    monkeypatch.setenv("MAGENTO_IR_SERVICENOW_USER", "ir-bot")
    monkeypatch.setenv("MAGENTO_IR_SERVICENOW_PASSWORD", SN_PASSWORD)

    # Who was exposed: the skimmer's card orders; two customers in France reported by the
    # acquirer on top (the sandbox sells to the US only), so a supervisory authority is told.
    orders = _store_orders()
    recipient_key = RecipientKey.generate()
    exposure = skimmer_exposure(orders, key=recipient_key)
    aware = datetime.now(UTC) - timedelta(hours=1)
    facts = Facts(
        clock={"awareness": aware, "discovery": aware},
        affected=(
            *exposure.groups,
            AffectedGroup(jurisdiction="FR", count=2,
                          categories=frozenset({"contact", "payment_card.pan"})),
        ),
        card_schemes=exposure.card_schemes,
        merchant_country="FR",
        lead_authority="FR",
        answers={"eu-gdpr/art33-unlikely-risk": False, "eu-gdpr/art34-high-risk": False},
    )  # fmt: skip
    (tmp_path / "facts.json").write_text(facts.model_dump_json())
    _invoke("track", str(tmp_path / "facts.json"))
    result = plan(facts, shipped_rules(), as_of=aware.date())
    rules = {rule.rule.id: rule.rule.jurisdictions for rule in shipped_rules()}
    keys = [item.key for item in result.obligations]
    assert "eu-gdpr/art33-authority/FR" in keys
    individuals = [item for item in result.obligations if item.recipient == "individuals"]
    assert individuals

    # Drafts, each approved by two test approvers, then sent: customers by their jurisdiction,
    # everyone else (authority, card brands, attorney general, internal) at one address each.
    with EvidenceLog.open(journal, key=key) as log:
        drafts = {
            item.key: draft_and_approve(
                log, tmp_path / "drafts", template=item.template, obligation=item,
                facts=facts, plan=result,
            )
            for item in result.obligations
        }  # fmt: skip
    store_emails = [order.customer_email for order in orders if order.customer_email]
    sent_to: dict[str, list[str]] = {}
    for number, item in enumerate(result.obligations):
        if item.recipient == "individuals":
            scope = [item.jurisdiction] if item.jurisdiction else rules[item.rule_id]
            people = addresses_for(
                exposure.recipients, recipient_key, store_emails, jurisdictions=scope
            )
        else:
            people = [re.sub(r"[^a-z0-9]+", "-", item.key.lower()) + "@authorities.example"]
        assert people, item.key
        sent_to[item.key] = people
        (tmp_path / f"to-{number}.txt").write_text("\n".join(people) + "\n")
        _invoke(
            "send", "--draft", str(drafts[item.key]),
            "--recipients", str(tmp_path / f"to-{number}.txt"),
            "--from", "privacy@shop.example", "--smtp-host", "127.0.0.1",
            "--smtp-port", str(mail_server.port), "--smtp-user", SMTP_USER,
            "--ca-file", str(test_ca.ca), "--outbox", str(tmp_path / f"outbox-{number}.jsonl"),
        )  # fmt: skip

    with HttpReceiver(_pd) as pagerduty:
        paged = _invoke(
            "page", "--summary", "Magecart skimmer contained", "--url", pagerduty.url,
            "--source", "shop.example.com", "--store-name", "shop1", "--json",
        )  # fmt: skip
    tickets = FakeTable("sn_si_incident")
    with HttpReceiver(tickets) as servicenow:
        ticket = _invoke(
            "page", "--channel", "servicenow", "--url", servicenow.url, "--table",
            "sn_si_incident", "--summary", "Magecart skimmer contained", "--json",
        )  # fmt: skip
    assert (
        json.loads(paged.stdout)["provider_ids"]["dedup_key"] == f"magento-ir:shop1:{incident_id}"
    )
    number = json.loads(ticket.stdout)["provider_ids"]["number"]
    assert [record["correlation_id"] for record in tickets.records.values()] == [incident_id]

    # Every notice arrived once: the SA report at the authority, each customer each notice that
    # concerns them (one bought with billing addresses in two states: two different notices).
    for item_key, people in sent_to.items():
        key_of_notice = message_from_draft(
            Draft.load(drafts[item_key]), incident_id=incident_id
        ).key
        for person in people:
            mid = message_id(key_of_notice, person, "shop.example").encode()
            copies = [m for m in mail_server.mailbox.messages[person] if mid in m]
            assert len(copies) == 1, (item_key, person)
    assert mail_server.mailbox.total() == sum(len(people) for people in sent_to.values())
    (sa_report,) = mail_server.mailbox.messages["eu-gdpr-art33-authority-fr@authorities.example"]
    assert b"Subject: Personal data breach notification" in sa_report

    status = json.loads(_invoke("status", str(journal), "--json").stdout)
    assert not list(Draft202012Validator(SCHEMA).iter_errors(status))
    assert status["all_sent"] is True
    assert status["overdue"] == 0
    for item in status["obligations"]:
        assert (item["drafted"], item["approved"], item["sent"]) == (True, True, True), item
        assert item["met_deadline"] in (True, None), item  # None: "immediately", no fixed time

    assert verify(journal, key.verifier()).ok
    records = list(read_records(journal))
    types = [record.type for record in records]
    assert types.count("notify.draft") == len(result.obligations)
    finished = [
        r.payload for r in records if r.type == "notify.bulk" and r.payload["phase"] == "finished"
    ]
    assert {entry["obligation"] for entry in finished} == set(keys)
    receipts = [r.payload for r in records if r.type == "notify.receipt"]
    assert {"dedup_key"} <= set(receipts[0]["provider_ids"])
    assert receipts[1]["provider_ids"]["number"] == number
    raw = journal.read_bytes()
    for secret in (SMTP_PASSWORD, ROUTING_KEY, SN_PASSWORD):
        assert secret.encode() not in raw
