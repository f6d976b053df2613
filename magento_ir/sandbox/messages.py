"""Plain-data HTTP messages: what `Sandbox.handle` takes and returns.

Both ways of running the sandbox (the in-process httpx transport and the served HTTP/1.1 server)
convert to and from these, so one dispatcher serves both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, TypeAlias
from urllib.parse import parse_qsl

import orjson

__all__ = [
    "JSON_CONTENT_TYPE",
    "JsonValue",
    "SandboxRequest",
    "SandboxResponse",
    "SocketFault",
    "json_response",
]

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# Any JSON value (Magento answers objects, lists, strings, numbers and bare booleans).
JsonValue: TypeAlias = Any


class SocketFault(Enum):
    """Failures that only exist on a connection; the transport or server acts them out."""

    CONNECTION_RESET = "connection_reset"
    TIMEOUT = "timeout"
    TRUNCATED_BODY = "truncated_body"


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """One HTTP request. `headers` keys are lower-case; `query` is the raw query string."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    scheme: str = "http"
    client_ip: str = "127.0.0.1"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    def query_pairs(self) -> list[tuple[str, str]]:
        """Decoded `(name, value)` pairs in order, as PHP reads them (`+` is a space)."""
        return parse_qsl(self.query, keep_blank_values=True)


@dataclass(slots=True)
class SandboxResponse:
    """One HTTP response; `fault` asks the transport/server to break the connection a given way."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fault: SocketFault | None = None
    # Seconds to wait before answering (latency model, slow-response faults).
    delay: float = 0.0

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def json(self) -> JsonValue:
        return json.loads(self.body)


def json_response(status: int, payload: JsonValue, *, success: bool) -> SandboxResponse:
    """Magento's JSON answer; success responses also carry `X-Frame-Options: SAMEORIGIN`."""
    try:
        # orjson writes what json.dumps(ensure_ascii=False, compact) writes, seven times
        # faster (encoding was a third of serving a page of orders), except that a float in
        # exponent form loses its "+" and leading zeros (1e16, not 1e+16: both parse the same,
        # and PHP writes 1.0e+16 anyway) and NaN is null.
        body = orjson.dumps(payload)
    except TypeError:  # a non-string key, an int beyond 64 bits: what json.dumps makes of it
        # No cycle check: answers are trees.
        body = json.dumps(
            payload, ensure_ascii=False, separators=(",", ":"), check_circular=False
        ).encode()
    headers = [("Content-Type", JSON_CONTENT_TYPE)]
    if success:
        headers.insert(0, ("X-Frame-Options", "SAMEORIGIN"))
    return SandboxResponse(status, headers, body)
