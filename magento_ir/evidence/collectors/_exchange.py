"""Every HTTP exchange of a capture as a `capture.http_exchange` record (httpx event hooks)."""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from magento_ir._async._client import DEFAULT_MAX_RESPONSE_BYTES
from magento_ir._core.redact import REDACTED, is_secret_key, redact_url
from magento_ir._exceptions import RequestInfo, UnexpectedResponseError
from magento_ir._http import async_read_body_and_keep

if TYPE_CHECKING:
    from collections.abc import Iterable

    from magento_ir._http import Response
    from magento_ir.evidence import EvidenceLog

__all__ = ["ExchangeRecorder", "redact_headers"]

# Headers whose values are credentials or session handles, whatever their names look like.
_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Header names (lower case) and values, credentials replaced; repeats joined with ", "."""
    redacted: dict[str, str] = {}
    for name, value in headers:
        key = name.lower()
        shown = REDACTED if key in _SECRET_HEADERS or is_secret_key(key) else value
        redacted[key] = f"{redacted[key]}, {shown}" if key in redacted else shown
    return redacted


def _path_and_query(url: str) -> str:
    parts = urlsplit(redact_url(url))
    return urlunsplit(("", "", parts.path, parts.query, ""))


class ExchangeRecorder:
    """Appends one `capture.http_exchange` record per response, with the body's SHA-256.

    Used as httpx event hooks (`request_started` on requests, the instance on responses), so
    it sees every attempt the client makes (retries and logins included). The request body is
    never stored (a login sends a password in it); the response body only as digest and length.
    """

    def __init__(
        self,
        log: EvidenceLog,
        *,
        capture_id: str,
        user: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self._log = log
        self._max_response_bytes = max_response_bytes
        self._capture_id = capture_id
        self._user = user
        self.exchanges = 0
        self._started: dict[int, float] = {}

    async def request_started(self, request: object) -> None:
        """The `request` event hook: notes when the request left."""
        self._started[id(request)] = time.monotonic()

    async def __call__(self, response: Response) -> None:
        request = response.request
        info = RequestInfo(request.method, _path_and_query(str(request.url)))
        try:
            # Read under the client's size cap (and kept for the client, which reads it next).
            body = await async_read_body_and_keep(response, self._max_response_bytes, info)
        except UnexpectedResponseError:
            self._record(response, None)
            raise
        self._record(response, body)

    def _record(self, response: Response, body: bytes | None) -> None:
        request = response.request
        started = self._started.pop(id(request), None)
        elapsed = None if started is None else round((time.monotonic() - started) * 1000, 3)
        payload: dict[str, Any] = {
            "capture_id": self._capture_id,
            "request": {
                "method": request.method,
                "host": request.url.host,
                "url": _path_and_query(str(request.url)),
                "headers": redact_headers(request.headers.multi_items()),
            },
            "response": {
                "status": response.status_code,
                "headers": redact_headers(response.headers.multi_items()),
                # The body after any Content-Encoding is removed: the bytes Magento's JSON is.
                # None for a body refused past the size cap: reading stopped there.
                "body_sha256": None if body is None else hashlib.sha256(body).hexdigest(),
                "body_length": None if body is None else len(body),
            },
            "elapsed_ms": elapsed,
        }
        if self._user is not None:
            payload["user"] = self._user
        self._log.append("capture.http_exchange", payload)
        self.exchanges += 1
