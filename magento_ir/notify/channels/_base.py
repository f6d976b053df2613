"""The one interface every channel shares: `send(message) -> Receipt`, and its errors.

A `Message` is what a person or a platform is told; a `Receipt` is what the provider answered
(its ids: SMTP queue ids, PagerDuty dedup keys, ServiceNow sys_ids, Slack timestamps). Retries
and their waits are decided here once (`RetryPolicy`), for every HTTP channel, from each
service's documented retry rules (ir-formats.md section 8.1).

HTTP goes through the standard library (`http.client`), as the SIEM shipping code does: the
httpx seam (`_http.py`) stays the Magento client's alone.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol
from urllib.parse import urlsplit

from magento_ir._exceptions import MagentoIRError

if TYPE_CHECKING:
    import ssl
    from collections.abc import Callable, Iterator, Mapping

__all__ = [
    "SEVERITIES",
    "Channel",
    "DeliveryError",
    "DeliveryGuard",
    "HttpReply",
    "Message",
    "Receipt",
    "RetryPolicy",
    "Severity",
    "active_guard",
    "guarded_delivery",
]

logger = logging.getLogger("magento_ir.notify.channels")

Severity = Literal["critical", "error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("critical", "error", "warning", "info")
_MAX_REPLY_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Message:
    """What to tell, channel-neutral.

    `key` is the idempotency key: the same key is never delivered twice by a channel that can
    tell (SMTP per recipient, PagerDuty's dedup_key, ServiceNow's correlation_id). `incident_id`
    ties the message to the incident (the dedup and correlation keys derive from it).
    `recipients` are e-mail addresses (SMTP only). `details` are short facts shown as a list
    (Slack section fields, an Adaptive Card FactSet, PagerDuty custom_details).
    """

    key: str
    incident_id: str
    subject: str
    text: str
    html: str | None = None
    recipients: tuple[str, ...] = ()
    severity: Severity = "critical"
    details: Mapping[str, str] = field(default_factory=dict)
    links: tuple[tuple[str, str], ...] = ()  # (text, https URL)
    locale: str = "en"

    def __post_init__(self) -> None:
        if not self.key or not self.incident_id:
            raise ValueError("a Message needs a key (idempotency) and an incident_id")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a channel's provider answered for one message.

    `provider_ids` are the provider's own references (e.g. {"dedup_key": ...},
    {"sys_id": ..., "number": "INC0010001"}, {"ts": ..., "channel": ...}); `accepted` and
    `refused` are per recipient for e-mail (refused maps an address to the server's reply);
    `skipped` are recipients already delivered under this key earlier (idempotency);
    `deferred` got a 4xx (try again later).
    """

    channel: str
    key: str
    provider_ids: Mapping[str, str] = field(default_factory=dict)
    accepted: tuple[str, ...] = ()
    refused: Mapping[str, str] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    deferred: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 1
    action: str = "created"

    def to_json(self) -> dict[str, Any]:
        """The receipt as JSON for the evidence log (it holds no secrets)."""
        return {
            "channel": self.channel,
            "key": self.key,
            "action": self.action,
            "provider_ids": dict(self.provider_ids),
            "accepted": list(self.accepted),
            "refused": dict(self.refused),
            "skipped": list(self.skipped),
            "deferred": dict(self.deferred),
            "attempts": self.attempts,
        }


class Channel(Protocol):
    """A way to tell someone: e-mail, a pager, a ticket, a chat message, a webhook."""

    name: str

    def send(self, message: Message) -> Receipt: ...


class DeliveryError(MagentoIRError):
    """A channel could not deliver. `retryable` says whether trying later may work;
    `status` is the provider's HTTP status or SMTP code when there was one. The message names
    the channel and the fix, never a secret."""

    def __init__(
        self,
        message: str,
        *,
        channel: str,
        retryable: bool,
        status: int | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.channel = channel
        self.retryable = retryable
        self.status = status
        self.attempts = attempts


class DeliveryGuard(Protocol):
    """Decides, before a byte leaves, whether a destination may be used (an exercise's contact
    list: magento_ir.exercise.guard). Each check raises to refuse."""

    def check_url(self, channel: str, url: str, shown: str) -> None: ...

    def check_address(self, channel: str, address: str) -> None: ...


_GUARD: ContextVar[DeliveryGuard | None] = ContextVar("magento_ir_delivery_guard", default=None)


def active_guard() -> DeliveryGuard | None:
    """The guard every channel consults in this context, if any."""
    return _GUARD.get()


@contextmanager
def guarded_delivery(guard: DeliveryGuard) -> Iterator[DeliveryGuard]:
    """While inside, every HTTP request and SMTP recipient of every channel goes through
    `guard` first: the transport seam, so code that builds its own channel cannot bypass it."""
    token = _GUARD.set(guard)
    try:
        yield guard
    finally:
        _GUARD.reset(token)


@dataclass(frozen=True, slots=True)
class HttpReply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:  # noqa: ANN401 - any JSON document
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try an HTTP delivery again, and how long to wait.

    Retries on network errors and on `retry_statuses`; waits `backoff_seconds * 2**n` with full
    jitter, or the server's Retry-After when it gives one (capped at `max_wait_seconds`).
    """

    max_attempts: int = 4
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    backoff_seconds: float = 1.0
    max_wait_seconds: float = 60.0

    def wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after is not None:
            seconds = _retry_after_seconds(retry_after)
            if seconds is not None:
                return min(seconds, self.max_wait_seconds)
        delay = min(self.backoff_seconds * 2 ** (attempt - 1), self.max_wait_seconds)
        return random.uniform(0, delay)  # noqa: S311 - jitter, not cryptography


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


class HttpEndpoint:
    """One HTTPS (or, for tests on loopback, HTTP) service the channel posts to.

    The URL may itself be the secret (Slack and Teams webhooks): only scheme, host and port are
    ever shown.
    """

    def __init__(
        self,
        url: str,
        *,
        channel: str,
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{channel}: the URL must be https://host/..., not {parts.scheme!r}")
        self.channel = channel
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._base_path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
        self._query = parts.query
        self._ssl_context = ssl_context
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    @property
    def shown(self) -> str:
        """scheme://host[:port], safe to print."""
        port = f":{self._port}" if self._port else ""
        return f"{self._scheme}://{self._host}{port}"

    def request(
        self,
        method: str,
        path: str = "",
        *,
        body: Any = None,  # noqa: ANN401 - any JSON document
        headers: Mapping[str, str] | None = None,
        raw: bytes | None = None,
        retry: bool = True,
    ) -> tuple[HttpReply, int]:
        """Send, retrying per the policy; (the final reply, attempts). A reply whose status
        is not retryable is returned (the caller maps it); network failures that outlast the
        retries raise DeliveryError."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        all_headers = {"Accept": "application/json", **(headers or {})}
        if data is not None:
            all_headers.setdefault("Content-Type", "application/json")
        target = self._base_path + path
        if self._query and not path:
            target += f"?{self._query}"
        guard = _GUARD.get()
        if guard is not None:
            guard.check_url(self.channel, f"{self.shown}{target or '/'}", self.shown)
        attempt = 1
        while True:
            reply: HttpReply | None
            try:
                reply = self._once(method, target or "/", data, all_headers)
                failure = None
            except (OSError, http.client.HTTPException) as exc:
                reply, failure = None, type(exc).__name__
            final = attempt >= self.retry.max_attempts or not retry
            if reply is not None and (reply.status not in self.retry.retry_statuses or final):
                return reply, attempt
            if reply is None and final:
                raise DeliveryError(
                    f"{self.channel}: {self.shown} unreachable after {attempt} attempts "
                    f"({failure}); check the URL and the network, then send again",
                    channel=self.channel,
                    retryable=True,
                    attempts=attempt,
                )
            retry_after = reply.headers.get("retry-after") if reply is not None else None
            wait = self.retry.wait(attempt, retry_after)
            logger.warning(
                "%s attempt %d failed (%s); retrying in %.1f s",
                self.channel,
                attempt,
                reply.status if reply is not None else failure,
                wait,
            )
            self._sleep(wait)
            attempt += 1

    def _once(
        self, method: str, target: str, data: bytes | None, headers: Mapping[str, str]
    ) -> HttpReply:
        connection: http.client.HTTPConnection
        if self._scheme == "https":
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._ssl_context
            )
        else:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)
        try:
            connection.request(method, target, body=data, headers=dict(headers))
            response = connection.getresponse()
            body = response.read(_MAX_REPLY_BYTES)
            return HttpReply(
                status=response.status,
                headers={name.lower(): value for name, value in response.getheaders()},
                body=body,
            )
        finally:
            connection.close()


def refusal(endpoint: HttpEndpoint, reply: HttpReply, attempts: int, hint: str) -> DeliveryError:
    """A DeliveryError for a reply the service refused: status, a short reason, the fix."""
    text = reply.body[:200].decode(errors="replace").strip()
    return DeliveryError(
        f"{endpoint.channel}: {endpoint.shown} answered HTTP {reply.status}: {text}; {hint}",
        channel=endpoint.channel,
        retryable=reply.status in endpoint.retry.retry_statuses,
        status=reply.status,
        attempts=attempts,
    )
