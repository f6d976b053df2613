"""A generic webhook for CRMs and ticketing systems, signed with HMAC-SHA256.

Each POST carries `X-Magento-IR-Timestamp` (Unix seconds) and `X-Magento-IR-Signature`
(`v1=` + hex HMAC-SHA256 over `<timestamp>.<body>` with the shared secret), and
`Idempotency-Key` (the message key: retries carry the same one). A receiver verifies with
`verify_signature` (docs/notifications.md): recompute over the raw body, compare in constant
time, and refuse timestamps more than five minutes away from its clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from magento_ir._secret import HoldsSecret
from magento_ir.notify.channels._base import HttpEndpoint, Message, Receipt, RetryPolicy, refusal

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SignedWebhookChannel",
    "sign",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Magento-IR-Signature"
TIMESTAMP_HEADER = "X-Magento-IR-Timestamp"
TOLERANCE_SECONDS = 300
_MIN_SECRET_BYTES = 16


def sign(secret: bytes, timestamp: int, body: bytes) -> str:
    """`v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Whether a received webhook is genuine and fresh (for receivers; `now` is their clock)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


class SignedWebhookChannel(HoldsSecret):
    """POSTs a JSON event, signed, retried on 429 / 5xx / network errors with the same key."""

    __slots__ = ("_clock", "_endpoint", "_secret", "name")

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        ssl_context: ssl.SSLContext | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < _MIN_SECRET_BYTES:
            raise ValueError("the webhook secret must be at least 16 random bytes")
        self.name = "webhook"
        self._secret = secret
        self._clock = clock
        self._endpoint = HttpEndpoint(
            url, channel=self.name, ssl_context=ssl_context, retry=retry, sleep=sleep
        )

    def __repr__(self) -> str:
        return f"SignedWebhookChannel({self._endpoint.shown}, secret=<hidden>)"

    @staticmethod
    def event(message: Message) -> dict[str, Any]:
        return {
            "type": "magento_ir.notification",
            "id": message.key,
            "incident_id": message.incident_id,
            "severity": message.severity,
            "subject": message.subject,
            "text": message.text,
            "details": dict(message.details),
            "links": [{"text": text, "href": href} for text, href in message.links],
        }

    def send(self, message: Message) -> Receipt:
        body = json.dumps(self.event(message), ensure_ascii=False).encode()
        timestamp = int(self._clock())
        reply, attempts = self._endpoint.request(
            "POST",
            raw=body,
            headers={
                "Content-Type": "application/json",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
                "Idempotency-Key": message.key,
            },
        )
        if 200 <= reply.status < 300:  # noqa: PLR2004
            document = reply.json()
            ids = {}
            if isinstance(document, dict) and isinstance(document.get("id"), str | int):
                ids["id"] = str(document["id"])
            return Receipt(
                channel=self.name,
                key=message.key,
                provider_ids=ids,
                attempts=attempts,
                action="posted",
            )
        raise refusal(self._endpoint, reply, attempts, "check the receiver's URL and secret")
