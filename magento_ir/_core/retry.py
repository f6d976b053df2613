"""Retry decisions: what to retry, and how long to wait (Retry-After honoured and capped)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

# Statuses that mean "try again later" without Magento having acted on the request.
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
SAFE_METHODS = frozenset({"GET", "HEAD"})


class Failure(Enum):
    """How a request failed without a response."""

    # The connection was never made: nothing reached Magento, so even a write is safe to resend.
    CONNECT = "connect"
    # The request may have reached Magento (read timeout, dropped connection).
    TRANSPORT = "transport"
    # No connection can be made and retrying will not change that (DNS, refused, TLS).
    UNREACHABLE = "unreachable"


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff settings: exponential from `initial`, at most `maximum`; Retry-After capped."""

    max_retries: int = 2
    initial: float = 0.5
    maximum: float = 8.0
    max_retry_after: float = 60.0


def may_repeat(method: str, idempotent: bool | None) -> bool:
    """Whether repeating the request is harmless: GET/HEAD, or what the caller marked idempotent."""
    if idempotent is not None:
        return idempotent
    return method.upper() in SAFE_METHODS


def should_retry(
    *,
    method: str,
    idempotent: bool | None,
    status_code: int | None,
    failure: Failure | None,
    retries_done: int,
    max_retries: int,
) -> bool:
    """Whether to send the request again after this attempt."""
    if retries_done >= max_retries or failure is Failure.UNREACHABLE:
        return False
    if failure is Failure.CONNECT:
        return True
    if not may_repeat(method, idempotent):
        return False
    if failure is Failure.TRANSPORT:
        return True
    return status_code in RETRY_STATUSES


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait per a Retry-After header (seconds or HTTP-date); None if absent or bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds())


def backoff_delay(
    retries_done: int, rand: float, policy: RetryPolicy, retry_after: float | None = None
) -> float:
    """Seconds before retry number `retries_done + 1`.

    Retry-After wins when given (capped at `policy.max_retry_after`); otherwise exponential backoff
    from `policy.initial`, capped at `policy.maximum`, reduced by up to 25% with `rand` in [0, 1).
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_retry_after)
    base = min(policy.initial * 2.0**retries_done, policy.maximum)
    return base * (1.0 - 0.25 * rand)
