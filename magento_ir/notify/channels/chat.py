"""Chat: Slack (Web API `chat.postMessage` and incoming webhooks, Block Kit) and Microsoft Teams
(a Workflows webhook carrying an Adaptive Card).

Slack and Teams have no idempotency key: a retry after a lost answer may post twice, which the
reference accepts for chat (section 8.1). Webhook URLs are credentials: only their host is shown.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from magento_ir._secret import HoldsSecret
from magento_ir.notify.channels._base import (
    DeliveryError,
    HttpEndpoint,
    Message,
    Receipt,
    RetryPolicy,
    refusal,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable

__all__ = [
    "SlackChannel",
    "SlackWebhookChannel",
    "TeamsWorkflowChannel",
    "adaptive_card",
    "slack_blocks",
]

SLACK_API_URL = "https://slack.com/api"
# Slack: 429 (honouring Retry-After) and 5xx; never 400/403/404/410.
SLACK_RETRY = RetryPolicy(max_attempts=4, retry_statuses=frozenset({429, 500, 502, 503, 504}))
# Teams Workflows: 429 and 5xx; 413 means the card must shrink, which a retry cannot do.
TEAMS_RETRY = RetryPolicy(max_attempts=4, retry_statuses=frozenset({429, 500, 502, 503, 504}))
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_TEAMS_BYTES = 28_000
_SEVERITY_WORD = {"critical": "CRITICAL", "error": "ERROR", "warning": "WARNING", "info": "INFO"}


def _mrkdwn(text: str) -> str:
    """Slack's three control characters escaped, as its formatting docs require."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_blocks(message: Message) -> list[dict[str, Any]]:
    """Block Kit: a header, the text, the details as fields, the links as a context line.

    Severity is a word in the header, never only a colour.
    """
    header = f"{_SEVERITY_WORD[message.severity]}: {message.subject}"[:MAX_HEADER_TEXT]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _mrkdwn(message.text)[:MAX_SECTION_TEXT]},
        },
    ]
    if message.details:
        fields = [
            {"type": "mrkdwn", "text": f"*{_mrkdwn(name)}*\n{_mrkdwn(value)}"}
            for name, value in list(message.details.items())[:MAX_FIELDS]
        ]
        blocks.append({"type": "section", "fields": fields})
    if message.links:
        links = " | ".join(f"<{href}|{_mrkdwn(text)}>" for text, href in message.links)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": links}]})
    return blocks


def _fallback(message: Message) -> str:
    # The notification text (and what screen readers announce) when blocks are shown.
    return f"{_SEVERITY_WORD[message.severity]}: {message.subject}"


class SlackWebhookChannel(HoldsSecret):
    """Posts to a Slack incoming webhook (its URL is the secret); success is 200 `ok`."""

    __slots__ = ("_endpoint", "name")

    def __init__(
        self,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy = SLACK_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = "slack-webhook"
        self._endpoint = HttpEndpoint(
            url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"SlackWebhookChannel({self._endpoint.shown}/<hidden>)"

    def send(self, message: Message) -> Receipt:
        body = {"text": _fallback(message), "blocks": slack_blocks(message)}
        reply, attempts = self._endpoint.request("POST", body=body)
        if reply.status == 200:  # noqa: PLR2004 - documented
            return Receipt(channel=self.name, key=message.key, attempts=attempts, action="posted")
        hint = {
            403: "posting is prohibited in this channel",
            404: "the channel or the webhook is gone: create a new webhook",
            410: "the channel is archived",
        }.get(reply.status, "check the payload")
        raise refusal(self._endpoint, reply, attempts, hint)


class SlackChannel(HoldsSecret):
    """Posts with the Web API's `chat.postMessage` (a bot token with `chat:write`).

    Slack answers HTTP 200 with `{"ok": false, "error": ...}` for most failures; the receipt
    holds the message's `ts` and `channel`, which identify it for threads and updates.
    """

    __slots__ = ("_endpoint", "_token", "channel", "name")

    def __init__(
        self,
        token: str,
        channel: str,
        *,
        api_url: str = SLACK_API_URL,
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy = SLACK_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token or any(c.isspace() for c in token):
            raise ValueError("the Slack token must be a bot token (xoxb-...) without spaces")
        self.name = "slack"
        self._token = token
        self.channel = channel
        self._endpoint = HttpEndpoint(
            api_url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"SlackChannel({self._endpoint.shown}, channel={self.channel!r}, token=<hidden>)"

    def send(self, message: Message) -> Receipt:
        body = {
            "channel": self.channel,
            "text": _fallback(message),
            "blocks": slack_blocks(message),
        }
        reply, attempts = self._endpoint.request(
            "POST",
            "/chat.postMessage",
            body=body,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json; charset=utf-8",
            },
        )
        document = reply.json()
        if reply.status != 200 or not isinstance(document, dict):  # noqa: PLR2004
            raise refusal(self._endpoint, reply, attempts, "check the token and the channel")
        if document.get("ok") is not True:
            error = str(document.get("error", "unknown_error"))
            raise DeliveryError(
                f"slack: chat.postMessage refused: {error} (invite the bot to the channel for "
                "not_in_channel; check the token's chat:write scope for missing_scope)",
                channel=self.name,
                retryable=error in {"ratelimited", "service_unavailable", "internal_error"},
                status=reply.status,
                attempts=attempts,
            )
        return Receipt(
            channel=self.name,
            key=message.key,
            provider_ids={"ts": str(document.get("ts")), "channel": str(document.get("channel"))},
            attempts=attempts,
            action="posted",
        )


def adaptive_card(message: Message) -> dict[str, Any]:
    """An Adaptive Card 1.4 (TextBlock, FactSet, Action.OpenUrl), as Teams Workflows take it."""
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "text": f"{_SEVERITY_WORD[message.severity]}: {message.subject}",
            "size": "Large",
            "weight": "Bolder",
            "wrap": True,
        },
        {"type": "TextBlock", "text": message.text, "wrap": True},
    ]
    if message.details:
        body.append(
            {
                "type": "FactSet",
                "facts": [{"title": k, "value": v} for k, v in message.details.items()],
            }
        )
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if message.links:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": text, "url": href} for text, href in message.links
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


class TeamsWorkflowChannel(HoldsSecret):
    """Posts an Adaptive Card to a Teams Workflows webhook ("When a Teams webhook request is
    received"); Office 365 connectors are retired. Success is 202 (some flows answer 200)."""

    __slots__ = ("_endpoint", "name")

    def __init__(
        self,
        url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy = TEAMS_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.name = "teams"
        self._endpoint = HttpEndpoint(
            url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"TeamsWorkflowChannel({self._endpoint.shown}/<hidden>)"

    def send(self, message: Message) -> Receipt:
        card = adaptive_card(message)
        size = len(json.dumps(card).encode())
        if size > MAX_TEAMS_BYTES:
            raise DeliveryError(
                f"teams: the card is {size} bytes; Teams takes about 28 KB: shorten the text",
                channel=self.name,
                retryable=False,
            )
        reply, attempts = self._endpoint.request("POST", body=card)
        if reply.status in (200, 202):
            return Receipt(channel=self.name, key=message.key, attempts=attempts, action="posted")
        raise refusal(self._endpoint, reply, attempts, "check the flow's webhook URL")
