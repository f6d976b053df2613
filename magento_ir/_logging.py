"""The `magento_ir` logger: one DEBUG line per request and per response, WARNING per retry.

Lines carry the method, the redacted URL, the status and the elapsed time; never headers or bodies.
"""

from __future__ import annotations

import logging

from magento_ir._core.redact import redact_url

logger = logging.getLogger("magento_ir")


def log_request(method: str, url: str) -> None:
    """Log an outgoing request."""
    logger.debug("request %s %s", method, redact_url(url))


def log_response(method: str, url: str, status_code: int, elapsed: float) -> None:
    """Log a received response with its elapsed time in milliseconds."""
    logger.debug(
        "response %s %s -> %d in %.1f ms", method, redact_url(url), status_code, elapsed * 1000
    )


def log_retry(  # noqa: PLR0917 - one log line's fields, in the order they print
    method: str, url: str, reason: str, retry: int, max_retries: int, wait: float
) -> None:
    """Log a retry about to happen (at WARNING: retries hint at a sick store or network)."""
    logger.warning(
        "retrying %s %s after %s (retry %d of %d) in %.2f s",
        method,
        redact_url(url),
        reason,
        retry,
        max_retries,
        wait,
    )
