"""Turn a response (status, content type, bytes) into decoded JSON or the right typed exception.

Every text taken from the server into an exception is redacted first (`redact_text`): error
bodies may echo tokens, passwords or session cookies.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

from magento_ir._core.redact import redact_json, redact_text
from magento_ir._core.retry import parse_retry_after
from magento_ir._exceptions import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    GraphQLError,
    JSONValue,
    NotFoundError,
    RateLimitError,
    RequestInfo,
    ServerError,
    UnexpectedResponseError,
)

if TYPE_CHECKING:
    from datetime import datetime

_REPORT_ID = re.compile(r"Report ID:\s*([A-Za-z0-9_.-]+)")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_START = re.compile(r"^\s*(<!doctype html|<html|<head|<body)", re.IGNORECASE)
_SNIPPET_LENGTH = 80
# How much of a non-JSON body is looked at for a snippet (redacted before it is cut).
_SNIPPET_WINDOW = 4096
_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}
_HTTP_TOO_MANY_REQUESTS = 429
_HTTP_REDIRECT = 300
_HTTP_CLIENT_ERROR = 400
_HTTP_SERVER_ERROR = 500
_HTTP_ERROR_END = 600


def render_message(template: str, parameters: dict[str, Any] | list[Any] | None) -> str:
    """Substitute Magento's `%name` (object) or `%1`, `%2` (list, 1-based) placeholders.

    Like PHP's `strtr` used by Magento's Phrase renderer: one pass, longest placeholder first, so
    `%10` is never read as `%1` followed by `0`.
    """
    if not parameters:
        return template
    if isinstance(parameters, dict):
        pairs = {f"%{key}": _php_string(value) for key, value in parameters.items()}
    else:
        pairs = {f"%{index}": _php_string(value) for index, value in enumerate(parameters, 1)}
    pattern = re.compile("|".join(re.escape(key) for key in sorted(pairs, key=len, reverse=True)))
    return pattern.sub(lambda match: pairs[match.group(0)], template)


def _php_string(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def decode_json(
    *, status_code: int, content_type: str | None, body: bytes, request: RequestInfo
) -> JSONValue:
    """The decoded JSON of a 2xx response (None for an empty body), or UnexpectedResponseError."""
    if not body.strip():
        return None
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise unexpected_response(
            status_code=status_code, content_type=content_type, body=body, request=request
        ) from None


def unexpected_response(
    *, status_code: int, content_type: str | None, body: bytes, request: RequestInfo
) -> UnexpectedResponseError:
    """An error naming what came back instead of JSON, and what it probably means."""
    text = body.decode("utf-8", errors="replace")
    is_html = bool(_HTML_START.match(text)) or "html" in (content_type or "").lower()
    if not text.strip():
        what = f"an empty body (HTTP {status_code})"
    elif is_html:
        title = _TITLE.search(text)
        what = (
            f"an HTML page titled {_clean(title.group(1))!r} (HTTP {status_code})"
            if title
            else f"an HTML page without a title (HTTP {status_code})"
        )
    else:
        kind = content_type or "no Content-Type"
        what = f"a non-JSON body ({kind}) starting {_clean(text)!r} (HTTP {status_code})"
    message = (
        f"expected JSON from Magento but got {what}{_hint(status_code, is_html=is_html, text=text)}"
    )
    return UnexpectedResponseError(
        message, request=request, status_code=status_code, content_type=content_type
    )


def response_too_large(
    *, request: RequestInfo, status_code: int, content_type: str | None, limit: int
) -> UnexpectedResponseError:
    """The error for a response body past the size cap (reading stopped there)."""
    return UnexpectedResponseError(
        f"the response is larger than max_response_bytes={limit} ({limit / 2**20:g} MiB), so "
        "reading stopped there: if the store really answers this much, ask for less (a smaller "
        "pageSize) or raise max_response_bytes=...",
        request=request,
        status_code=status_code,
        content_type=content_type,
    )


def _clean(text: str) -> str:
    collapsed = redact_text(" ".join(html.unescape(text[:_SNIPPET_WINDOW]).split()))
    if len(collapsed) > _SNIPPET_LENGTH:
        return collapsed[: _SNIPPET_LENGTH - 1] + "…"
    return collapsed


_HINTS = {
    503: " — the store looks to be in maintenance mode (Magento answers every route with an HTML "
    "503 page then); ask for the responder's IP to be allow-listed "
    "(bin/magento maintenance:allow-ips)",
    502: " — a proxy or load balancer in front of Magento could not reach it",
    504: " — a proxy or load balancer in front of Magento timed out waiting for it",
    404: " — the URL does not reach Magento's REST API: check base_url (the store's root URL, "
    "e.g. https://shop.example.com) and that /rest is routed to Magento",
}
# Redirects are not followed: a write must not silently turn into a GET elsewhere.
_REDIRECT_HINT = (
    " — the URL redirects elsewhere: pass the final URL as base_url (often https://, with or "
    "without www)"
)
_WRONG_URL_HINT = (
    " — this does not look like Magento's REST API: check base_url (the store's root URL, "
    "e.g. https://shop.example.com)"
)


# Developer mode prints Bootstrap's maintenance exception as plain text, with HTTP 500.
_DEVELOPER_MAINTENANCE = "Unable to proceed: the maintenance mode is enabled."
_DEVELOPER_MAINTENANCE_HINT = (
    " — the store is in maintenance mode (in developer mode Magento answers every route with "
    "this exception); ask for the responder's IP to be allow-listed "
    "(bin/magento maintenance:allow-ips)"
)


def _hint(status_code: int, *, is_html: bool, text: str) -> str:
    if _DEVELOPER_MAINTENANCE in text[:_SNIPPET_WINDOW]:
        return _DEVELOPER_MAINTENANCE_HINT
    if status_code in _HINTS:
        return _HINTS[status_code]
    if _HTTP_REDIRECT <= status_code < _HTTP_CLIENT_ERROR:
        return _REDIRECT_HINT
    if is_html and status_code < _HTTP_SERVER_ERROR:
        return _WRONG_URL_HINT
    return ""


def error_from_response(
    *,
    status_code: int,
    content_type: str | None,
    body: bytes,
    request: RequestInfo,
    retry_after: str | None,
    now: datetime,
) -> APIStatusError | UnexpectedResponseError:
    """The exception for an error response: Magento's JSON body rendered, or what came instead."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("message"), str):
        return unexpected_response(
            status_code=status_code, content_type=content_type, body=body, request=request
        )
    raw_message = redact_text(payload["message"])
    parameters = _parameters(redact_json(payload.get("parameters")))
    message = redact_text(render_message(raw_message, parameters))
    errors = [
        _render_error(error) for error in payload.get("errors") or [] if isinstance(error, dict)
    ]
    report = _REPORT_ID.search(message)
    report_id = report.group(1) if report else None
    fields: dict[str, Any] = {
        "request": request,
        "status_code": status_code,
        "raw_message": raw_message,
        "parameters": parameters,
        "errors": errors,
        "report_id": report_id,
    }
    if status_code == _HTTP_TOO_MANY_REQUESTS:
        return RateLimitError(message, retry_after=parse_retry_after(retry_after, now), **fields)
    return _status_class(status_code)(message, **fields)


def _status_class(status_code: int) -> type[APIStatusError]:
    if status_code in _STATUS_CLASSES:
        return _STATUS_CLASSES[status_code]
    if _HTTP_SERVER_ERROR <= status_code < _HTTP_ERROR_END:
        return ServerError
    return APIStatusError


def _parameters(value: object) -> dict[str, Any] | list[Any] | None:
    return value if isinstance(value, dict | list) else None


def _render_error(error: dict[str, Any]) -> dict[str, Any]:
    raw = redact_text(str(error.get("message", "")))
    parameters = _parameters(redact_json(error.get("parameters")))
    return {
        "message": redact_text(render_message(raw, parameters)),
        "raw_message": raw,
        "parameters": parameters,
    }


def graphql_data(
    *, status_code: int, content_type: str | None, body: bytes, request: RequestInfo, now: datetime
) -> JSONValue:
    """`data` of a GraphQL response; `errors[]` (at any status) raise GraphQLError carrying them."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise unexpected_response(
            status_code=status_code, content_type=content_type, body=body, request=request
        ) from None
    if not isinstance(payload, dict):
        raise unexpected_response(
            status_code=status_code, content_type=content_type, body=body, request=request
        )
    errors = [
        redact_json(error) for error in payload.get("errors") or [] if isinstance(error, dict)
    ]
    if errors:
        first = str(errors[0].get("message", "unknown GraphQL error"))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise GraphQLError(
            f"GraphQL error: {first}{more}",
            request=request,
            status_code=status_code,
            errors=errors,
            data=payload.get("data"),
        )
    if status_code >= _HTTP_CLIENT_ERROR:
        raise error_from_response(
            status_code=status_code,
            content_type=content_type,
            body=body,
            request=request,
            retry_after=None,
            now=now,
        )
    if "data" not in payload:
        raise unexpected_response(
            status_code=status_code, content_type=content_type, body=body, request=request
        )
    return payload["data"]
