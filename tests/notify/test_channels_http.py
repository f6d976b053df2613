"""PagerDuty, ServiceNow, Slack, Teams and the signed webhook against loopback receivers that
answer as each service documents (ir-formats.md sections 1, 2, 8), payloads checked field by
field against the documented ones."""

from __future__ import annotations

import base64
import itertools
import json
import logging
import time
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.notify.channels import (
    DeliveryError,
    Message,
    PagerDutyChannel,
    RetryPolicy,
    ServiceNowChannel,
    SignedWebhookChannel,
    SlackChannel,
    SlackWebhookChannel,
    TeamsWorkflowChannel,
    verify_signature,
)
from tests.notify.servers import HttpReceiver, Seen, json_reply

if TYPE_CHECKING:
    from collections.abc import Callable

ROUTING_KEY = "R0123456789abcdef0123456789ABCDE"[:32].replace("R", "a")
SN_PASSWORD = "sn-pass-Q9w8e7"
SLACK_TOKEN = "xoxb-1111-2222-secretslacktoken"
HOOK_SECRET = b"whsec-0123456789abcdef"
NO_WAIT = RetryPolicy(max_attempts=3, backoff_seconds=0.0)
MESSAGE = Message(
    key="incident-7/page/security",
    incident_id="incident-7",
    subject="Skimmer found in CMS block footer-promo",
    text="A card skimmer <script> was found & contained.",
    severity="critical",
    details={"store": "shop.example.com", "orders": "612"},
    links=(("Incident report", "https://ir.example.com/incidents/7"),),
)

# --- documented fields -------------------------------------------------------------------------

PD_TOP = {"routing_key", "event_action", "dedup_key", "payload", "images", "links", "client",
          "client_url"}  # fmt: skip
PD_PAYLOAD = {"summary", "source", "severity", "timestamp", "component", "group", "class",
              "custom_details"}  # fmt: skip


def check_pagerduty(body: dict[str, Any]) -> None:
    assert set(body) <= PD_TOP
    assert len(body["routing_key"]) == 32
    assert body["event_action"] in {"trigger", "acknowledge", "resolve"}
    assert 0 < len(body["dedup_key"]) <= 255
    if body["event_action"] == "trigger":
        payload = body["payload"]
        assert set(payload) <= PD_PAYLOAD
        assert {"summary", "source", "severity"} <= set(payload)
        assert len(payload["summary"]) <= 1024
        assert payload["severity"] in {"critical", "error", "warning", "info"}
        assert isinstance(payload["custom_details"], dict)
        for link in body.get("links", []):
            assert set(link) <= {"href", "text"}
            assert "href" in link


SN_FIELDS = {"short_description", "description", "impact", "urgency", "correlation_id",
             "correlation_display", "work_notes", "comments", "assignment_group", "caller_id",
             "category", "subcategory", "contact_type", "state"}  # fmt: skip


def check_slack_blocks(blocks: list[dict[str, Any]]) -> None:
    assert 0 < len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert set(block) == {"type", "text"}
            assert block["text"]["type"] == "plain_text"
            assert len(block["text"]["text"]) <= 150
        elif block["type"] == "section":
            assert set(block) <= {"type", "text", "fields"}
            if "text" in block:
                assert block["text"]["type"] in {"mrkdwn", "plain_text"}
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            for item in block.get("fields", []):
                assert item["type"] in {"mrkdwn", "plain_text"}
                assert len(item["text"]) <= 2000
        else:
            assert block["type"] == "context"
            assert set(block) == {"type", "elements"}
            assert 0 < len(block["elements"]) <= 10


CARD_ELEMENTS = {
    "TextBlock": {"type", "text", "size", "weight", "wrap", "color", "isSubtle", "maxLines",
                  "horizontalAlignment", "spacing", "separator", "id", "fontType"},
    "FactSet": {"type", "facts", "spacing", "separator", "id"},
}  # fmt: skip


def check_teams(body: dict[str, Any]) -> None:
    assert set(body) == {"type", "attachments"}
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert set(card) <= {"$schema", "type", "version", "body", "actions"}
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.4"
    for element in card["body"]:
        assert set(element) <= CARD_ELEMENTS[element["type"]]
        if element["type"] == "FactSet":
            assert all(set(fact) == {"title", "value"} for fact in element["facts"])
    for action in card.get("actions", []):
        assert set(action) == {"type", "title", "url"}
        assert action["type"] == "Action.OpenUrl"


def _no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (ROUTING_KEY, SN_PASSWORD, SLACK_TOKEN, HOOK_SECRET.decode()):
            assert secret not in text


def _sequence(*replies: tuple[int, dict[str, str], bytes]) -> Callable[[Seen], Any]:
    answers = itertools.chain(replies, itertools.repeat(replies[-1]))
    return lambda _seen: next(answers)


# --- PagerDuty ---------------------------------------------------------------------------------


def _pagerduty(receiver: HttpReceiver) -> PagerDutyChannel:
    return PagerDutyChannel(
        ROUTING_KEY,
        source="shop.example.com",
        store="shop1",
        url=receiver.url + "/v2/enqueue",
        retry=NO_WAIT,
        sleep=lambda _s: None,
    )


def _pd_accept(seen: Seen) -> tuple[int, dict[str, str], bytes]:
    check_pagerduty(seen.json())
    body = {
        "status": "success",
        "message": "Event processed",
        "dedup_key": seen.json()["dedup_key"],
    }
    return json_reply(202, body)


def test_pagerduty_trigger_ack_resolve_share_the_incident_dedup_key() -> None:
    """Every event of one incident carries `magento-ir:<store>:<incident>` as dedup_key."""
    with HttpReceiver(_pd_accept) as receiver:
        channel = _pagerduty(receiver)
        triggered = channel.send(MESSAGE)
        acked = channel.acknowledge(MESSAGE)
        resolved = channel.resolve(MESSAGE)
    assert [seen.path for seen in receiver.seen] == ["/v2/enqueue"] * 3
    actions = [seen.json()["event_action"] for seen in receiver.seen]
    assert actions == ["trigger", "acknowledge", "resolve"]
    keys = {r.provider_ids["dedup_key"] for r in (triggered, acked, resolved)}
    assert keys == {"magento-ir:shop1:incident-7"}
    trigger = receiver.seen[0].json()
    assert trigger["routing_key"] == ROUTING_KEY
    assert trigger["payload"]["severity"] == "critical"
    assert trigger["links"] == [
        {"href": "https://ir.example.com/incidents/7", "text": "Incident report"}
    ]
    assert "payload" not in receiver.seen[1].json()


def test_pagerduty_maps_severity() -> None:
    with HttpReceiver(_pd_accept) as receiver:
        channel = PagerDutyChannel(
            ROUTING_KEY, source="s", url=receiver.url, severity_map={"critical": "error"},
            retry=NO_WAIT,
        )  # fmt: skip
        channel.send(MESSAGE)
    assert receiver.seen[0].json()["payload"]["severity"] == "error"


def test_pagerduty_retries_429_and_5xx_then_succeeds() -> None:
    """429 and 500 are retried (honouring Retry-After); the same dedup_key each time."""
    waits: list[float] = []
    with HttpReceiver(
        _sequence(
            json_reply(429, {"status": "throttle"}, **{"Retry-After": "2"}),
            json_reply(500, {}),
            json_reply(202, {"status": "success", "dedup_key": "magento-ir:s:incident-7"}),
        )
    ) as receiver:
        channel = PagerDutyChannel(
            ROUTING_KEY, source="s", store="s", url=receiver.url, retry=NO_WAIT, sleep=waits.append
        )
        receipt = channel.send(MESSAGE)
    assert receipt.attempts == 3
    assert waits[0] == 2.0
    assert len({seen.json()["dedup_key"] for seen in receiver.seen}) == 1


def test_pagerduty_never_retries_400(caplog: pytest.LogCaptureFixture) -> None:
    """An invalid event fails at once, and nothing shows the routing key."""
    caplog.set_level(logging.DEBUG)
    reply = json_reply(400, {"status": "invalid event", "errors": ["'payload.summary' missing"]})
    with HttpReceiver(lambda _s: reply) as receiver:
        channel = _pagerduty(receiver)
        with pytest.raises(DeliveryError) as caught:
            channel.send(MESSAGE)
    assert len(receiver.seen) == 1
    assert not caught.value.retryable
    _no_secret(str(caught.value), repr(channel), caplog.text)


def test_pagerduty_gives_up_after_the_policy_and_says_so() -> None:
    with (
        HttpReceiver(lambda _s: json_reply(503, {})) as receiver,
        pytest.raises(DeliveryError, match="HTTP 503") as caught,
    ):
        _pagerduty(receiver).send(MESSAGE)
    assert len(receiver.seen) == 3
    assert caught.value.retryable


# --- ServiceNow --------------------------------------------------------------------------------


class FakeTable:
    """The Table API for one table: GET by correlation_id, POST 201, PATCH 200."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.records: dict[str, dict[str, str]] = {}

    def __call__(self, seen: Seen) -> tuple[int, dict[str, str], bytes]:
        expected = "Basic " + base64.b64encode(f"ir-bot:{SN_PASSWORD}".encode()).decode()
        if seen.headers.get("authorization") != expected:
            return json_reply(401, {"error": {"message": "User Not Authenticated"}})
        assert seen.headers["accept"] == "application/json"
        prefix = f"/api/now/table/{self.table}"
        assert seen.path.startswith(prefix)
        if seen.method == "GET":
            assert "sysparm_query=correlation_id=" in seen.path
            wanted = seen.path.split("correlation_id=")[1].split("&")[0]
            found = [r for r in self.records.values() if r["correlation_id"] == wanted]
            return json_reply(200, {"result": found[:1]})
        body = seen.json()
        assert set(body) <= SN_FIELDS
        assert body["impact"] in {"1", "2", "3"}
        if seen.method == "POST":
            sys_id = f"{len(self.records) + 1:032x}"
            record = {"sys_id": sys_id, "number": f"INC{len(self.records) + 10001:07d}", **body}
            self.records[sys_id] = record
            headers = {"Location": f"https://x.service-now.com{prefix}/{sys_id}"}
            return json_reply(201, {"result": record}, **headers)
        sys_id = seen.path.rsplit("/", 1)[1]
        self.records[sys_id].update(body)
        return json_reply(200, {"result": self.records[sys_id]})


@pytest.mark.parametrize("table", ["incident", "sn_si_incident"])
def test_servicenow_creates_once_then_updates_on_change(table: str) -> None:
    """correlation_id is looked up first: no duplicate ticket; a change is a PATCH."""
    fake = FakeTable(table)
    with HttpReceiver(fake) as receiver:
        channel = ServiceNowChannel(
            receiver.url, username="ir-bot", password=SN_PASSWORD, table=table, retry=NO_WAIT
        )
        created = channel.send(MESSAGE)
        unchanged = channel.send(MESSAGE)
        changed = Message(
            key=MESSAGE.key, incident_id=MESSAGE.incident_id, subject="Skimmer contained",
            text=MESSAGE.text, severity="warning", details=MESSAGE.details,
        )  # fmt: skip
        updated = channel.send(changed)
    assert len(fake.records) == 1
    assert (created.action, unchanged.action, updated.action) == ("created", "unchanged", "updated")
    assert created.provider_ids["number"] == "INC0010001"
    assert updated.provider_ids["sys_id"] == created.provider_ids["sys_id"]
    methods = [seen.method for seen in receiver.seen]
    assert methods == ["GET", "POST", "GET", "GET", "PATCH"]
    patch = receiver.seen[-1].json()
    assert patch == {"short_description": "Skimmer contained", "impact": "2", "urgency": "2"}
    (record,) = fake.records.values()
    assert record["correlation_id"] == "incident-7"


def test_servicenow_refusal_names_the_fix_not_the_password(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with HttpReceiver(FakeTable("incident")) as receiver:
        channel = ServiceNowChannel(receiver.url, username="ir-bot", password="wrong-pw-77")
        with pytest.raises(DeliveryError, match="check the user name and password") as caught:
            channel.send(MESSAGE)
    assert len(receiver.seen) == 1
    for text in (str(caught.value), repr(channel), caplog.text):
        assert "wrong-pw-77" not in text


# --- Slack and Teams ---------------------------------------------------------------------------


def test_slack_webhook_posts_block_kit_with_a_text_fallback() -> None:
    with HttpReceiver(lambda _s: (200, {"Content-Type": "text/plain"}, b"ok")) as receiver:
        secret_url = receiver.url + "/services/T000/B000/XXXXsecretXXXX"
        channel = SlackWebhookChannel(secret_url, retry=NO_WAIT)
        receipt = channel.send(MESSAGE)
    body = receiver.seen[0].json()
    assert set(body) == {"text", "blocks"}
    assert body["text"] == "CRITICAL: Skimmer found in CMS block footer-promo"
    check_slack_blocks(body["blocks"])
    assert "&lt;script&gt; was found &amp; contained" in body["blocks"][1]["text"]["text"]
    assert receipt.action == "posted"
    assert "XXXXsecretXXXX" not in repr(channel)


def test_slack_webhook_410_is_final() -> None:
    with (
        HttpReceiver(lambda _s: (410, {}, b"channel_is_archived")) as receiver,
        pytest.raises(DeliveryError, match="archived") as caught,
    ):
        SlackWebhookChannel(receiver.url, retry=NO_WAIT).send(MESSAGE)
    assert len(receiver.seen) == 1
    assert not caught.value.retryable


def test_slack_chat_post_message_returns_ts_and_channel() -> None:
    def api(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        assert seen.path == "/api/chat.postMessage"
        assert seen.headers["authorization"] == f"Bearer {SLACK_TOKEN}"
        body = seen.json()
        assert set(body) == {"channel", "text", "blocks"}
        check_slack_blocks(body["blocks"])
        return json_reply(200, {"ok": True, "channel": "C024BE91L", "ts": "1503435956.000247"})

    with HttpReceiver(api) as receiver:
        channel = SlackChannel(SLACK_TOKEN, "C024BE91L", api_url=receiver.url + "/api")
        receipt = channel.send(MESSAGE)
    assert receipt.provider_ids == {"ts": "1503435956.000247", "channel": "C024BE91L"}
    _no_secret(repr(channel))


def test_slack_api_error_in_a_200_is_a_failure(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    refusal = json_reply(200, {"ok": False, "error": "not_in_channel"})
    with (
        HttpReceiver(lambda _s: refusal) as receiver,
        pytest.raises(DeliveryError, match="not_in_channel") as caught,
    ):
        SlackChannel(SLACK_TOKEN, "C1", api_url=receiver.url).send(MESSAGE)
    _no_secret(str(caught.value), caplog.text)


def test_teams_workflow_posts_an_adaptive_card() -> None:
    with HttpReceiver(lambda _s: (202, {}, b"")) as receiver:
        channel = TeamsWorkflowChannel(
            receiver.url + "/workflows/abc/triggers/manual?sig=SECRETSIG"
        )
        receipt = channel.send(MESSAGE)
    body = receiver.seen[0].json()
    check_teams(body)
    card = body["attachments"][0]["content"]
    assert card["body"][0]["text"] == "CRITICAL: Skimmer found in CMS block footer-promo"
    assert card["body"][2]["facts"][1] == {"title": "orders", "value": "612"}
    assert receiver.seen[0].path.endswith("?sig=SECRETSIG")
    assert "SECRETSIG" not in repr(channel)
    assert receipt.action == "posted"


def test_teams_refuses_a_card_over_the_size_limit_without_posting() -> None:
    with HttpReceiver(lambda _s: (202, {}, b"")) as receiver:
        big = Message(key="k", incident_id="i", subject="s", text="x" * 40_000)
        with pytest.raises(DeliveryError, match="28 KB"):
            TeamsWorkflowChannel(receiver.url).send(big)
    assert receiver.seen == []


# --- signed webhook ----------------------------------------------------------------------------


def test_signed_webhook_verifies_and_retries_with_the_same_idempotency_key() -> None:
    """A receiver verifying as docs/notifications.md says accepts it; a retry keeps the key."""
    verified: list[bool] = []

    def receive(seen: Seen) -> tuple[int, dict[str, str], bytes]:
        verified.append(
            verify_signature(
                HOOK_SECRET,
                seen.headers["x-magento-ir-timestamp"],
                seen.body,
                seen.headers["x-magento-ir-signature"],
                now=time.time(),
            )
        )
        if len(verified) == 1:
            return json_reply(503, {})
        return json_reply(201, {"id": "TICKET-42"})

    with HttpReceiver(receive) as receiver:
        channel = SignedWebhookChannel(receiver.url + "/hooks/ir", HOOK_SECRET, retry=NO_WAIT)
        receipt = channel.send(MESSAGE)
    assert verified == [True, True]
    assert {seen.headers["idempotency-key"] for seen in receiver.seen} == {MESSAGE.key}
    assert receipt.provider_ids == {"id": "TICKET-42"}
    event = receiver.seen[0].json()
    assert event["incident_id"] == "incident-7"
    assert HOOK_SECRET.decode() not in repr(channel)


def test_verify_signature_refuses_tampering_and_replays() -> None:
    body = json.dumps({"a": 1}).encode()
    from magento_ir.notify.channels import sign  # noqa: PLC0415

    good = sign(HOOK_SECRET, 1_000, body)
    assert verify_signature(HOOK_SECRET, "1000", body, good, now=1_100)
    assert not verify_signature(HOOK_SECRET, "1000", body + b" ", good, now=1_100)
    assert not verify_signature(b"another-secret-xxxxx", "1000", body, good, now=1_100)
    assert not verify_signature(HOOK_SECRET, "1000", body, good, now=1_000 + 301)
    assert not verify_signature(HOOK_SECRET, "10x0", body, good, now=1_000)
