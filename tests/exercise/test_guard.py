"""The exercise guard (issue 15, item 2): a drill's messages reach its roster and nobody else,
and every message on every channel says EXERCISE. Real servers on loopback: aiosmtpd for
e-mail and HTTP receivers speaking each service's protocol (tests/notify/servers.py)."""

from __future__ import annotations

import email
import email.policy
import json
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir._exceptions import ConfigurationError
from magento_ir.evidence import EvidenceLog, SigningKey
from magento_ir.exercise.guard import MARK, ExerciseGuard, ExerciseGuardError, mark
from magento_ir.exercise.roster import Roster, RosterError, load_roster
from magento_ir.notify import AffectedGroup, Facts
from magento_ir.notify.channels import (
    Message,
    RetryPolicy,
    SignedWebhookChannel,
    SmtpChannel,
    guarded_delivery,
)
from magento_ir.notify.deliver import ExerciseNoticeError, approved_message
from magento_ir.notify.drafts import Draft
from tests.conftest import REPO_ROOT
from tests.notify.conftest import draft_and_approve
from tests.notify.servers import HttpReceiver, MailServer, Seen, json_reply
from tests.notify.test_channels_http import SN_PASSWORD, FakeTable

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

EXAMPLE = REPO_ROOT / "magento_ir" / "exercise" / "examples" / "roster.example.toml"
HOOK_SECRET = "whsec-exercise-0123456789"
ROUTING_KEY = "0123456789abcdef0123456789abcdef"
INSIDE = ("dana.lead@drills.example.com", "lee.counsel@drills.example.com")
INJECT = Message(
    key="inject-1",
    incident_id="run-1",
    subject="A customer reports a fraudulent charge",
    text="A customer calls: a charge they never made, two days after ordering.",
    html="<p>A customer calls: a charge they never made.</p>",
    recipients=INSIDE,
    details={"inject": "customer-call"},
)


class Services:
    """One receiver per service (by path) for the roster, and one for everything outside."""

    def __init__(self) -> None:
        self.table = FakeTable("incident")
        self.inside = HttpReceiver(self._answer)
        self.outside = HttpReceiver(lambda _seen: json_reply(200, {"ok": True}))

    def _answer(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        if seen.path.startswith("/pd"):
            return json_reply(202, {"status": "success", "dedup_key": seen.json()["dedup_key"]})
        if seen.path.startswith("/sn/"):
            seen.path = seen.path.removeprefix("/sn")
            return self.table(seen)
        if seen.path.startswith("/slack-api/"):
            return json_reply(200, {"ok": True, "ts": "1.2", "channel": "C0DRILL"})
        return json_reply(200, {"ok": True})


@pytest.fixture
def services() -> Iterator[Services]:
    found = Services()
    with found.inside, found.outside:
        yield found


def roster(mail: MailServer, services: Services) -> Roster:
    """The example roster's people, on the loopback mail server, with one channel of each kind
    on the inside receiver."""
    data = load_roster(EXAMPLE).model_dump(mode="json")
    data["smtp"] = {"host": "127.0.0.1", "port": mail.port, "sender": "drills@example.com",
                    "security": "none"}  # fmt: skip
    base = services.inside.url
    data["channels"] = [
        {"name": "war-room", "kind": "slack-webhook", "url_env": "X_SLACK_HOOK"},
        {"name": "teams-room", "kind": "teams", "url_env": "X_TEAMS_HOOK"},
        {"name": "slack-bot", "kind": "slack", "url": f"{base}/slack-api",
         "token_env": "X_SLACK_TOKEN", "slack_channel": "C0DRILL"},
        {"name": "hook", "kind": "webhook", "url": f"{base}/hook/drill", "secret_env": "X_HOOK"},
        {"name": "pager", "kind": "pagerduty", "url": f"{base}/pd",
         "routing_key_env": "X_PD_KEY"},
        {"name": "tickets", "kind": "servicenow", "url": f"{base}/sn", "user_env": "X_SN_USER",
         "password_env": "X_SN_PASS"},
    ]  # fmt: skip
    return Roster.model_validate(data)


def environ(services: Services) -> dict[str, str]:
    base = services.inside.url
    return {
        "X_SLACK_HOOK": f"{base}/hook/slack/T0/B0/secretpart",
        "X_TEAMS_HOOK": f"{base}/hook/teams?sig=secretsig",
        "X_SLACK_TOKEN": "xoxb-drill-token",
        "X_HOOK": HOOK_SECRET,
        "X_PD_KEY": ROUTING_KEY,
        "X_SN_USER": "ir-bot",
        "X_SN_PASS": SN_PASSWORD,
    }


def guard(mail: MailServer, services: Services) -> ExerciseGuard:
    return ExerciseGuard(
        roster(mail, services), run_id="run-1", environ=environ(services), sleep=lambda _s: None
    )


def test_an_outsider_refuses_the_whole_message_before_anything_is_sent(
    mail: MailServer, services: Services
) -> None:
    """One address not on the roster among participants: a typed error naming it and the fix;
    the mail server received nothing at all, not even the participants' copies."""
    subject = guard(mail, services)
    outsider = "dpo@real-regulator.example.org"
    with pytest.raises(ExerciseGuardError) as caught:
        subject.send("smtp", Message(**{**_fields(INJECT), "recipients": (*INSIDE, outsider)}))
    assert caught.value.recipient == outsider
    assert outsider in str(caught.value)
    assert "add them to the roster" in str(caught.value)
    assert mail.mailbox.total() == 0
    assert services.inside.seen == services.outside.seen == []


def test_participants_receive_it_and_nobody_else(mail: MailServer, services: Services) -> None:
    """A guarded e-mail reaches exactly the participants it names, marked EXERCISE."""
    receipt = guard(mail, services).send("smtp", INJECT)
    assert set(receipt.accepted) == set(INSIDE)
    assert set(mail.mailbox.messages) == set(INSIDE)
    assert mail.mailbox.total() == len(INSIDE)
    for raw in (m for items in mail.mailbox.messages.values() for m in items):
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert str(parsed["Subject"]).startswith(f"{MARK} ")
        for part in parsed.walk():  # type: ignore[no-untyped-call]
            if part.get_content_maintype() == "text":
                assert part.get_content().count("EXERCISE - this is a drill (run-1)") == 2


def test_a_channel_built_elsewhere_is_refused_at_the_transport_seam(
    mail: MailServer, services: Services
) -> None:
    """Inside an exercise, a production webhook or an SMTP submission to a real customer, made
    by code that never asked the guard, is refused before a byte leaves: the other receiver
    and the mail server saw nothing."""
    subject = guard(mail, services)
    production = SignedWebhookChannel(
        f"{services.outside.url}/hook", b"production-secret-0123456789",
        retry=RetryPolicy(max_attempts=1),
    )  # fmt: skip
    same_host_other_path = SignedWebhookChannel(
        f"{services.inside.url}/hook/production", b"production-secret-0123456789"
    )
    with guarded_delivery(subject):
        for channel in (production, same_host_other_path):
            with pytest.raises(ExerciseGuardError, match=r"not on the exercise's contact list"):
                channel.send(INJECT)
        with (
            SmtpChannel("127.0.0.1", mail.port, sender="x@example.com", security="none") as smtp,
            pytest.raises(ExerciseGuardError, match=r"customer@shop\.example\.com"),
        ):
            smtp.submit("customer@shop.example.com", b"Subject: hi\r\n\r\nhi\r\n")
    assert services.outside.seen == []
    assert services.inside.seen == []
    assert mail.mailbox.total() == 0


def test_a_webhook_url_is_never_shown_in_the_refusal(mail: MailServer, services: Services) -> None:
    """The refusal names the endpoint by scheme, host and port and a hash of its URL: a Slack
    or Teams webhook URL is a credential."""
    subject = guard(mail, services)
    with guarded_delivery(subject), pytest.raises(ExerciseGuardError) as caught:
        SignedWebhookChannel(
            f"{services.outside.url}/T0/B0/very-secret-path", b"production-secret-0123456789"
        ).send(INJECT)
    assert "very-secret-path" not in str(caught.value)
    assert services.outside.url in str(caught.value)
    assert "URL sha256" in str(caught.value)


def test_an_unknown_channel_name_is_refused(mail: MailServer, services: Services) -> None:
    """Only the roster's channels can be named."""
    with pytest.raises(ExerciseGuardError, match=r"channel 'regulator-portal'"):
        guard(mail, services).send("regulator-portal", INJECT)


def _fields(message: Message) -> dict[str, Any]:
    return {name: getattr(message, name) for name in Message.__slots__}


def _marked(text: str) -> bool:
    return MARK in text or "EXERCISE" in text


def test_every_channel_marks_its_message_exercise(mail: MailServer, services: Services) -> None:
    """Subject, body and structured payload say EXERCISE on every kind of channel; keys and
    incident ids too, so nothing merges with a real incident's alert or ticket."""
    subject = guard(mail, services)
    for name in subject.channel_names:
        subject.send(name, INJECT)
    by_path = {seen.path.split("?")[0]: seen for seen in services.inside.seen}
    slack = by_path["/hook/slack/T0/B0/secretpart"].json()
    assert slack["text"].endswith(f"{MARK} {INJECT.subject}")
    assert slack["blocks"][0]["text"]["text"].split(": ", 1)[1].startswith(MARK)
    assert slack["blocks"][1]["text"]["text"].startswith("EXERCISE - this is a drill")
    assert "*exercise*\nrun-1" in json.dumps(slack["blocks"][2]).replace("\\n", "\n")
    bot = by_path["/slack-api/chat.postMessage"].json()
    assert bot["text"].endswith(f"{MARK} {INJECT.subject}")
    card = by_path["/hook/teams"].json()["attachments"][0]["content"]
    assert MARK in card["body"][0]["text"]
    assert card["body"][1]["text"].startswith("EXERCISE")
    assert {"title": "exercise", "value": "run-1"} in card["body"][2]["facts"]
    event = by_path["/hook/drill"].json()
    assert event["subject"].startswith(MARK)
    assert event["text"].startswith("EXERCISE")
    assert event["details"]["exercise"] == "run-1"
    assert event["id"].startswith("exercise:run-1:")
    assert event["incident_id"] == "EXERCISE-run-1"
    page = by_path["/pd"].json()
    assert page["payload"]["summary"].startswith(MARK)
    assert page["payload"]["custom_details"]["exercise"] == "run-1"
    assert "EXERCISE" in page["dedup_key"]
    ticket = next(iter(services.table.records.values()))
    assert ticket["short_description"].startswith(MARK)
    assert "exercise: run-1" in ticket["description"]
    assert ticket["correlation_id"] == "EXERCISE-run-1"
    assert services.outside.seen == []
    assert len(by_path) == len(subject.channel_names) - 1  # all but smtp
    assert set(mail.mailbox.messages) == set(INSIDE)


def test_mark_is_idempotent_and_keeps_the_details() -> None:
    """Marking twice changes nothing; the message's own details are kept after `exercise`."""
    once = mark(INJECT, "run-9")
    assert mark(once, "run-9") == once
    assert list(once.details) == ["exercise", "inject"]
    assert once.subject == f"{MARK} {INJECT.subject}"


def test_a_drill_approved_notice_never_leaves_through_notify_send(tmp_path: Path) -> None:
    """A customer notice drafted and approved (legal + DPO) in an exercise's evidence log is
    refused by the gate every real send goes through (`notify send`)."""
    journal = tmp_path / "exercise.jsonl"
    with EvidenceLog.open(journal, key=SigningKey.generate("exercise-test")) as log:
        log.append("exercise.started", {"run": "run-1", "scenario": "hr_data_breach"})
        facts = Facts(
            clock={},
            affected=(AffectedGroup(jurisdiction="US-CA", count=3,
                                    categories=frozenset({"contact", "payment_card.pan"})),),
        )  # fmt: skip
        saved = draft_and_approve(log, tmp_path, template="customer-notice", facts=facts)
    with pytest.raises(ExerciseNoticeError, match=r"never sent to real recipients"):
        approved_message(Draft.load(saved), journal, incident_id="INC-1")


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ('roles = ["legal"]', 'roles = ["Legal Team"]',
         r"participants\.1\.roles: role 'Legal Team': a scenario role name"),
        ('roles = ["hr"]\nemail = "hana.people@drills.example.com"', 'roles = ["hr"]',
         r"participant 'hana' cannot be reached: give an email"),
        ('url_env = "MAGENTO_IR_EXERCISE_SLACK_WEBHOOK_URL"', 'url = "https://hooks.example/x"',
         r"channels\.0: a slack-webhook URL is a credential: give url_env"),
        ('routing_key_env = "MAGENTO_IR_EXERCISE_PAGERDUTY_ROUTING_KEY"', "",
         r"channels\.1: a pagerduty channel needs routing_key_env"),
        ('id = "lee"', 'id = "dana"', r"participant id 'dana' appears twice"),
        ('observers = ["audit.observer@drills.example.com"]', 'observers = ["nobody"]',
         r"observer 'nobody' is not an e-mail address"),
        ('owner = "Dana Lead"', 'owner = "Dana Lead"\ncolour = "blue"',
         r"roster\.toml:8: colour: Extra inputs are not permitted"),
    ],
)  # fmt: skip
def test_a_bad_roster_names_the_entry_key_and_fix(
    tmp_path: Path, old: str, new: str, error: str
) -> None:
    """Each mistake is refused on load with the file, the entry and the key."""
    text = EXAMPLE.read_text("utf-8")
    assert old in text
    path = tmp_path / "roster.toml"
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(RosterError, match=error):
        load_roster(path)


def test_missing_secrets_are_named_before_anything_runs() -> None:
    """The example roster needs its secrets from the environment: each missing one is named
    when the guard is built, before a drill starts."""
    example = load_roster(EXAMPLE)
    with pytest.raises(ConfigurationError, match="MAGENTO_IR_EXERCISE_SMTP_PASSWORD"):
        ExerciseGuard(example, run_id="r", environ={})
    env = {"MAGENTO_IR_EXERCISE_SMTP_PASSWORD": "pw"}
    with pytest.raises(RosterError, match="set MAGENTO_IR_EXERCISE_SLACK_WEBHOOK_URL"):
        ExerciseGuard(example, run_id="r", environ=env)
    env["MAGENTO_IR_EXERCISE_SLACK_WEBHOOK_URL"] = "https://hooks.slack.com/services/T/B/x"
    with pytest.raises(ConfigurationError, match="MAGENTO_IR_EXERCISE_PAGERDUTY_ROUTING_KEY"):
        ExerciseGuard(example, run_id="r", environ=env)
    env["MAGENTO_IR_EXERCISE_PAGERDUTY_ROUTING_KEY"] = ROUTING_KEY
    built = ExerciseGuard(example, run_id="r", environ=env)
    assert built.channel_names == ("smtp", "war-room", "drill-pager")
    assert built.recipients_for(["legal"]) == ("lee.counsel@drills.example.com",)
    assert built.channels_for(["legal"]) == ()
    assert built.channels_for(["payments"]) == ("drill-pager",)


def test_the_example_roster_can_play_every_shipped_scenario() -> None:
    """Someone on the example roster holds each role of each shipped scenario."""
    from magento_ir.exercise import shipped_scenarios  # noqa: PLC0415

    example = load_roster(EXAMPLE)
    for name, scenario in shipped_scenarios().items():
        example.check_roles(scenario.roles, name)
    with pytest.raises(RosterError, match=r"needs someone in role treasurer"):
        example.check_roles(("treasurer",), "a scenario")
