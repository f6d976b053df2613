"""Ship evidence records to a SIEM: RFC 5424 syslog over TCP or TLS, and Splunk HEC.

Both use only the standard library (`socket`, `ssl`, `http.client`): shipping is a plain
POST or a byte stream, and keeping it off httpx keeps the one-file httpx seam (`_http.py`) the
client's alone. HEC tokens live only in the Authorization header; they never appear in a
repr, a log line or an exception.
"""

from __future__ import annotations

import http.client
import json
import logging
import random
import socket
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from magento_ir.evidence._errors import ShippingError
from magento_ir.evidence.export import (
    ExportOptions,
    checkpoint_to_ecs,
    checkpoint_to_syslog,
    to_ecs,
    to_syslog,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from magento_ir.evidence.log import Record

__all__ = ["HecClient", "HecResult", "ship_syslog"]

logger = logging.getLogger(__name__)

# HEC reply codes that mean "try again later" (ir-formats.md section 3); all other codes are final.
HEC_RETRYABLE_CODES = frozenset({8, 9, 18, 19, 20})
_ACK_PATH = "/services/collector/ack"
_HTTP_SERVER_ERROR = 500


def ship_syslog(
    records: Iterable[Record],
    *,
    host: str,
    port: int,
    ssl_context: ssl.SSLContext | None = None,
    server_hostname: str | None = None,
    options: ExportOptions | None = None,
    timeout: float = 10.0,
    checkpoints: Iterable[str] = (),
) -> int:
    """Send records, then signed `checkpoints`, as RFC 5424 messages with RFC 6587 octet
    counting ("LEN SP MSG").

    With an `ssl_context` the stream is TLS (RFC 5425, usually port 6514); the certificate is
    checked against `server_hostname` (default: `host`). Returns the number of messages sent.
    """
    opts = options or ExportOptions()
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise ShippingError(
            f"cannot connect to syslog receiver {host}:{port}: {exc}", retryable=True
        ) from exc
    sent = 0
    try:
        stream: socket.socket = (
            ssl_context.wrap_socket(raw, server_hostname=server_hostname or host)
            if ssl_context is not None
            else raw
        )
        with stream:
            messages = chain(
                (to_syslog(record, opts) for record in records),
                (checkpoint_to_syslog(note, opts) for note in checkpoints),
            )
            for message in messages:
                stream.sendall(str(len(message)).encode() + b" " + message)
                sent += 1
    except (OSError, ssl.SSLError) as exc:
        raise ShippingError(
            f"syslog shipping to {host}:{port} failed after {sent} messages: {exc}",
            retryable=True,
        ) from exc
    finally:
        raw.close()
    logger.info("shipped %d records to syslog %s:%d", sent, host, port)
    return sent


@dataclass(frozen=True, slots=True)
class HecResult:
    """What a HEC send did: events and batches accepted, and how many requests were retried."""

    events: int
    batches: int
    retries: int


class HecClient:
    """A Splunk HTTP Event Collector client that batches, retries only retryable failures,
    and never reveals its token.

    `url` is the collector endpoint, e.g. `https://splunk.example:8088/services/collector/event`.
    Each event is an ECS document (with `event.original`, the log line) plus indexed `fields`
    holding the record hash and sequence number, so the SIEM copy can be checked and
    deduplicated (retries may deliver a batch twice).

    With `channel` (a GUID; the token must have indexer acknowledgement, useACK, enabled) every
    batch's ackId is polled on /services/collector/ack, `ack_polls` times `ack_interval_seconds`
    apart, and batches never acknowledged are re-sent, up to `max_attempts` rounds.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        index: str | None = None,
        source: str = "magento_ir",
        sourcetype: str = "magento_ir:evidence",
        max_batch_bytes: int = 1_000_000,
        max_batch_events: int = 500,
        max_attempts: int = 5,
        backoff_seconds: float = 0.5,
        timeout: float = 30.0,
        channel: str | None = None,
        ack_polls: int = 30,
        ack_interval_seconds: float = 2.0,
        options: ExportOptions | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("HEC url must look like https://host:8088/services/collector/event")
        if not token or any(c.isspace() for c in token):
            raise ValueError("HEC token must be a non-empty string without whitespace")
        if min(max_attempts, max_batch_events, max_batch_bytes, ack_polls) < 1:
            raise ValueError(
                "max_attempts, max_batch_events, max_batch_bytes and ack_polls must be >= 1"
            )
        if channel is not None:
            try:
                uuid.UUID(channel)
            except ValueError:
                raise ValueError("channel must be a GUID, as HEC requires") from None
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or 8088
        self._path = parts.path or "/services/collector/event"
        self._token = token
        self._ssl_context = ssl_context
        self._index = index
        self._source = source
        self._sourcetype = sourcetype
        self._max_batch_bytes = max_batch_bytes
        self._max_batch_events = max_batch_events
        self._max_attempts = max_attempts
        self._backoff = backoff_seconds
        self._timeout = timeout
        self._options = options or ExportOptions()
        self._sleep = sleep
        self._channel = channel
        self._ack_polls = ack_polls
        self._ack_interval = ack_interval_seconds

    def __repr__(self) -> str:
        return f"HecClient({self._scheme}://{self._host}:{self._port}{self._path}, token=<hidden>)"

    def event(self, record: Record) -> dict[str, Any]:
        """The HEC envelope for one record."""
        envelope: dict[str, Any] = {
            "time": datetime.fromisoformat(record.time).timestamp(),
            "host": self._options.host,
            "source": self._source,
            "sourcetype": self._sourcetype,
            "event": to_ecs(record, self._options),
            "fields": {
                "record_hash": record.hash,
                "record_seq": record.seq,
                "retention_hot_days": self._options.retention.hot_days,
                "retention_days": self._options.retention.total_days,
            },
        }
        if self._index is not None:
            envelope["index"] = self._index
        return envelope

    def checkpoint_event(self, note: str) -> dict[str, Any]:
        """The HEC envelope for one signed checkpoint note."""
        document = checkpoint_to_ecs(note, self._options)
        envelope: dict[str, Any] = {
            "time": datetime.fromisoformat(document["@timestamp"]).timestamp(),
            "host": self._options.host,
            "source": self._source,
            "sourcetype": f"{self._sourcetype}:checkpoint",
            "event": document,
            "fields": {
                "checkpoint_size": document["magento_ir"]["checkpoint"]["size"],
                "retention_hot_days": self._options.retention.hot_days,
                "retention_days": self._options.retention.total_days,
            },
        }
        if self._index is not None:
            envelope["index"] = self._index
        return envelope

    def send(self, records: Iterable[Record], checkpoints: Iterable[str] = ()) -> HecResult:
        """Send every record, then the signed `checkpoints`, in batches of concatenated JSON
        envelopes (not a JSON array). With a `channel`, wait until the indexers acknowledge
        every batch, re-sending those they never acknowledge."""
        envelopes = chain(
            (self.event(record) for record in records),
            (self.checkpoint_event(note) for note in checkpoints),
        )
        events = batches = retries = 0
        unacknowledged: dict[int, bytes] = {}
        for body, count in self._batches(envelopes):
            tries, ack_id = self._post(body)
            retries += tries
            events += count
            batches += 1
            if ack_id is not None:
                unacknowledged[ack_id] = body
        if unacknowledged:
            retries += self._await_acknowledgements(unacknowledged)
        logger.info("shipped %d records to HEC %s in %d batches", events, self._host, batches)
        return HecResult(events=events, batches=batches, retries=retries)

    def _batches(self, envelopes: Iterable[dict[str, Any]]) -> Iterator[tuple[bytes, int]]:
        batch: list[bytes] = []
        size = 0
        for envelope in envelopes:
            encoded = json.dumps(envelope, ensure_ascii=False).encode()
            if batch and (
                size + len(encoded) > self._max_batch_bytes or len(batch) >= self._max_batch_events
            ):
                yield b"".join(batch), len(batch)
                batch, size = [], 0
            batch.append(encoded)
            size += len(encoded)
        if batch:
            yield b"".join(batch), len(batch)

    def _post(self, body: bytes) -> tuple[int, int | None]:
        """POST one batch: (how many retries it took, its ackId), or raise ShippingError."""
        attempt = 1
        while True:
            error, reply = self._request(self._path, body)
            if error is None:
                return attempt - 1, self._ack_id(reply)
            if not error.retryable or attempt >= self._max_attempts:
                raise error
            delay = self._backoff * 2 ** (attempt - 1)
            # Full jitter: spread retries from many shippers so a busy HEC can recover.
            self._sleep(random.uniform(0, delay))  # noqa: S311 - jitter, not cryptography
            logger.warning("HEC batch attempt %d failed (%s); retrying", attempt, error)
            attempt += 1

    def _ack_id(self, reply: dict[str, Any]) -> int | None:
        if self._channel is None:
            return None
        ack_id = reply.get("ackId")
        if not isinstance(ack_id, int):
            raise ShippingError(
                "HEC accepted the batch but returned no ackId although a channel was given: "
                "enable indexer acknowledgement (useACK) on the token, or drop channel=",
                retryable=False,
            )
        return ack_id

    def _await_acknowledgements(self, unacknowledged: dict[int, bytes]) -> int:
        """Poll /ack until every batch is acknowledged; re-send the ones that never are.

        A 200 without acknowledgement is not durable. Re-sent batches may arrive twice: the
        SIEM deduplicates on `record_hash`. Returns how many batches were re-sent.
        """
        resent = 0
        for round_number in range(1, self._max_attempts + 1):
            for _ in range(self._ack_polls):
                self._sleep(self._ack_interval)
                for ack_id in self._acknowledged(list(unacknowledged)):
                    unacknowledged.pop(ack_id, None)
                if not unacknowledged:
                    return resent
            if round_number == self._max_attempts:
                break
            logger.warning("HEC never acknowledged %d batches; re-sending", len(unacknowledged))
            bodies = list(unacknowledged.values())
            unacknowledged.clear()
            for body in bodies:
                tries, new_ack_id = self._post(body)
                resent += 1 + tries
                if new_ack_id is not None:
                    unacknowledged[new_ack_id] = body
        raise ShippingError(
            f"the HEC indexers never acknowledged {len(unacknowledged)} batches after "
            f"{self._max_attempts} rounds; they may not be stored",
            retryable=True,
        )

    def _acknowledged(self, ack_ids: list[int]) -> list[int]:
        """The given ackIds the indexers report as stored; transient failures count as none."""
        # The channel goes in the query too: HEC accepts it there on /ack as in the header.
        path = f"{_ACK_PATH}?channel={self._channel}"
        error, reply = self._request(path, json.dumps({"acks": ack_ids}).encode())
        if error is not None:
            if not error.retryable:
                raise error
            return []
        acks = reply.get("acks")
        if not isinstance(acks, dict):
            return []
        return [ack_id for ack_id in ack_ids if acks.get(str(ack_id)) is True]

    def _connection(self) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(
                self._host, self._port, timeout=self._timeout, context=self._ssl_context
            )
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def _request(self, path: str, body: bytes) -> tuple[ShippingError | None, dict[str, Any]]:
        """POST `body`; (None, reply) on HEC success, else (the error, reply)."""
        headers = {"Authorization": f"Splunk {self._token}", "Content-Type": "application/json"}
        if self._channel is not None:
            headers["X-Splunk-Request-Channel"] = self._channel
        connection = self._connection()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            status = response.status
            text = response.read(65536)
        except (OSError, http.client.HTTPException) as exc:
            error = ShippingError(
                f"HEC at {self._host}:{self._port} unreachable: {type(exc).__name__}",
                retryable=True,
            )
            return error, {}
        finally:
            connection.close()
        reply = _hec_reply(text)
        raw_code = reply.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        if status == http.HTTPStatus.OK and code in (0, None):
            return None, reply
        message = str(reply.get("text", ""))[:200]
        retryable = status >= _HTTP_SERVER_ERROR or code in HEC_RETRYABLE_CODES
        error = ShippingError(
            f"HEC refused the request: HTTP {status}, code {code}: {message}",
            retryable=retryable,
            status=status,
            code=code,
        )
        return error, reply


def _hec_reply(text: bytes) -> dict[str, Any]:
    try:
        reply = json.loads(text)
    except ValueError:
        return {"text": text[:200].decode(errors="replace")}
    return reply if isinstance(reply, dict) else {"text": str(reply)[:200]}
