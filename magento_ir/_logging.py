"""The `magento_ir` logger: one DEBUG line per request and per response, WARNING per retry.

Lines carry the method, the redacted URL, the status and the elapsed time; never headers or bodies.
When magento_ir configures logging (`enable_logging`, the CLI's `--verbose`), the loggers of
httpx and httpcore are filtered too: their DEBUG lines show response headers (`Set-Cookie`) and
full URLs.
"""

from __future__ import annotations

import logging

from magento_ir._core.redact import redact_text, redact_url

logger = logging.getLogger("magento_ir")
# Every logger httpx and httpcore write to (a logger's filters see only its own records).
THIRD_PARTY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets (tokens, cookies, URL passwords) replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_text(record.getMessage())
        record.args = None
        return True


def redact_third_party_loggers() -> None:
    """Put a `RedactingFilter` on every httpx/httpcore logger (once)."""
    for name in THIRD_PARTY_LOGGERS:
        third_party = logging.getLogger(name)
        if not any(isinstance(item, RedactingFilter) for item in third_party.filters):
            third_party.addFilter(RedactingFilter())


def configure_logging(
    level: int = logging.DEBUG, handler: logging.Handler | None = None
) -> logging.Handler:
    """Log magento_ir's request lines at `level` to `handler` (default: stderr), redacted.

    The loggers of httpx and httpcore are filtered too (their DEBUG lines show response
    headers such as `Set-Cookie`, and full URLs), wherever their records go. Returns the handler.
    """
    if handler is None:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    enable_logging(handler, level)
    return handler


def enable_logging(handler: logging.Handler, level: int = logging.DEBUG) -> None:
    """Send the `magento_ir` logger's lines at `level` to `handler`, everything redacted."""
    if not any(isinstance(item, RedactingFilter) for item in handler.filters):
        handler.addFilter(RedactingFilter())
    if handler not in logger.handlers:
        logger.addHandler(handler)
    logger.setLevel(level)
    redact_third_party_loggers()


def log_request(method: str, url: str) -> None:
    """Log an outgoing request."""
    if logger.isEnabledFor(logging.DEBUG):  # redacting the URL costs more than the call
        logger.debug("request %s %s", method, redact_url(url))


def log_response(method: str, url: str, status_code: int, elapsed: float) -> None:
    """Log a received response with its elapsed time in milliseconds."""
    if logger.isEnabledFor(logging.DEBUG):  # redacting the URL costs more than the call
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
