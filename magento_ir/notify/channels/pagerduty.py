"""PagerDuty Events API v2: trigger, acknowledge and resolve one alert per incident.

The dedup_key is derived from the incident id (`magento-ir:<store>:<incident>`), so a retried or
repeated trigger updates the open alert instead of paging twice. Retries follow PagerDuty's
rules: 429 and 5xx and network errors are retried with backoff (the vendor suggests a few
retries some 30 s apart), 400 never. The routing key travels only in the request body.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Literal

from magento_ir._secret import HoldsSecret
from magento_ir.notify.channels._base import (
    DeliveryError,
    HttpEndpoint,
    Message,
    Receipt,
    RetryPolicy,
    Severity,
    refusal,
)

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Mapping

__all__ = ["EVENTS_URL", "PagerDutyChannel", "dedup_key"]

EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
MAX_DEDUP_KEY = 255
MAX_SUMMARY = 1024
_ROUTING_KEY_LENGTH = 32
# PagerDuty's documented 429 / 5xx retry advice: a few tries, about 30 s apart.
PAGERDUTY_RETRY = RetryPolicy(max_attempts=4, backoff_seconds=30.0, max_wait_seconds=120.0)


def dedup_key(store: str, incident_id: str) -> str:
    """The alert's deduplication key for an incident: stable, at most 255 characters."""
    key = f"magento-ir:{store}:{incident_id}"
    if len(key) > MAX_DEDUP_KEY:
        raise ValueError(f"dedup_key would be {len(key)} characters; PagerDuty allows 255")
    return key


class PagerDutyChannel(HoldsSecret):
    """Pages through one Events API v2 integration (its 32-character routing key)."""

    __slots__ = (
        "_endpoint",
        "_routing_key",
        "component",
        "name",
        "severity_map",
        "source",
        "store",
    )

    def __init__(
        self,
        routing_key: str,
        *,
        source: str,
        store: str = "store",
        url: str = EVENTS_URL,
        severity_map: Mapping[str, Severity] | None = None,
        component: str = "magento",
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy = PAGERDUTY_RETRY,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if len(routing_key) != _ROUTING_KEY_LENGTH or not routing_key.isalnum():
            raise ValueError(
                "the PagerDuty routing key must be the integration's 32-character key "
                "(Service > Integrations > Events API v2)"
            )
        self.name = "pagerduty"
        self._routing_key = routing_key
        self.source = source
        self.store = store
        self.component = component
        # Our severities are PagerDuty's; a map lets a team page lower (e.g. warning -> info).
        self.severity_map: dict[str, Severity] = dict(severity_map or {})
        self._endpoint = HttpEndpoint(
            url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"PagerDutyChannel({self._endpoint.shown}, routing_key=<hidden>)"

    def event(
        self, message: Message, action: Literal["trigger", "acknowledge", "resolve"] = "trigger"
    ) -> dict[str, Any]:
        """The Events API v2 body (without the routing key, which `send` adds)."""
        body: dict[str, Any] = {
            "event_action": action,
            "dedup_key": dedup_key(self.store, message.incident_id),
        }
        if action == "trigger":
            body["payload"] = {
                "summary": message.subject[:MAX_SUMMARY],
                "source": self.source,
                "severity": self.severity_map.get(message.severity, message.severity),
                "component": self.component,
                "class": "magento-ir",
                "custom_details": {
                    "incident_id": message.incident_id,
                    "message_key": message.key,
                    "text": message.text,
                    **message.details,
                },
            }
            https = [(text, href) for text, href in message.links if href.startswith("https://")]
            if https:
                body["links"] = [{"href": href, "text": text} for text, href in https]
        return body

    def send(self, message: Message) -> Receipt:
        """Trigger (or update) the incident's alert."""
        return self._post(self.event(message, "trigger"), message.key, "triggered")

    def acknowledge(self, message: Message) -> Receipt:
        return self._post(self.event(message, "acknowledge"), message.key, "acknowledged")

    def resolve(self, message: Message) -> Receipt:
        return self._post(self.event(message, "resolve"), message.key, "resolved")

    def _post(self, event: dict[str, Any], key: str, action: str) -> Receipt:
        reply, attempts = self._endpoint.request(
            "POST", body={"routing_key": self._routing_key, **event}
        )
        document = reply.json()
        if reply.status == 202 and isinstance(document, dict):  # noqa: PLR2004 - documented
            return Receipt(
                channel=self.name,
                key=key,
                provider_ids={"dedup_key": str(document.get("dedup_key", event["dedup_key"]))},
                attempts=attempts,
                action=action,
            )
        if reply.status == 400:  # noqa: PLR2004 - documented
            errors = document.get("errors") if isinstance(document, dict) else None
            raise DeliveryError(
                f"pagerduty: the event was refused as invalid (HTTP 400: {errors}); it is not "
                "retried: check the routing key's integration type and the payload",
                channel=self.name,
                retryable=False,
                status=400,
                attempts=attempts,
            )
        raise refusal(self._endpoint, reply, attempts, "PagerDuty may be rate limiting; try later")
