"""Error mapping: Magento's error bodies, placeholder rendering, what came instead of JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from magento_ir import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    GraphQLError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from magento_ir._core.responses import (
    decode_json,
    error_from_response,
    graphql_data,
    render_message,
)
from magento_ir._exceptions import RequestInfo

REQUEST = RequestInfo("GET", "/rest/V1/products/A")
NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def _error(
    status: int,
    body: Any,
    content_type: str | None = "application/json",
    retry_after: str | None = None,
) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(
        status_code=status,
        content_type=content_type,
        body=raw,
        request=REQUEST,
        retry_after=retry_after,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("template", "parameters", "rendered"),
    [
        (
            "No such entity with %fieldName = %fieldValue",
            {"fieldName": "customerId", "fieldValue": 999999},
            "No such entity with customerId = 999999",
        ),
        (
            "Signature method %1 is not supported",
            ["HMAC-SHA1"],
            "Signature method HMAC-SHA1 is not supported",
        ),
        ("%1 then %10", [f"v{index}" for index in range(1, 11)], "v1 then v10"),
        ("%name and %names", {"name": "a", "names": "b"}, "a and b"),
        (
            "flag=%1 missing=%2 price=%3 ratio=%4 list=%5",
            [True, None, 40.0, 0.5, [1, 2]],
            "flag=1 missing= price=40 ratio=0.5 list=[1, 2]",
        ),
        ("off=%1", [False], "off="),
        ("no parameters %1", None, "no parameters %1"),
        ("empty %1", [], "empty %1"),
    ],
)
def test_render_message(template: str, parameters: Any, rendered: str) -> None:
    """%name and %1 render like Magento's Phrase renderer (longest first, PHP strings)."""
    assert render_message(template, parameters) == rendered


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (404, NotFoundError),
        (500, ServerError),
        (502, ServerError),
        (405, APIStatusError),
    ],
)
def test_status_classes(status: int, error_class: type) -> None:
    """Each status maps to its class; statuses without one (405) to plain APIStatusError."""
    error = _error(status, {"message": "m"})
    assert type(error) is error_class
    assert error.status_code == status


def test_aggregated_errors_and_report_id() -> None:
    """errors[] are rendered one by one, and a 500's report id is parsed and shown."""
    error = _error(
        500,
        {
            "message": "Internal Error. Details are available in Magento log file. "
            "Report ID: webapi-6744e1",
            "errors": [
                {"message": "%fieldName is bad", "parameters": {"fieldName": "sku"}},
                "junk",
            ],
        },
    )
    assert error.report_id == "webapi-6744e1"
    assert error.errors == [
        {
            "message": "sku is bad",
            "raw_message": "%fieldName is bad",
            "parameters": {"fieldName": "sku"},
        }
    ]
    assert str(error).endswith("[sku is bad] (report id webapi-6744e1)")
    assert "status_code=500" in repr(error)


def test_odd_parameters_are_dropped() -> None:
    """A `parameters` value that is neither object nor list is ignored, not rendered."""
    error = _error(400, {"message": "Bad %1", "parameters": "x"})
    assert (error.message, error.parameters) == ("Bad %1", None)


def test_rate_limit_keeps_retry_after() -> None:
    """A 429 carries the advised wait from Retry-After."""
    error = _error(429, {"message": "Too Many Requests"}, retry_after="30")
    assert isinstance(error, RateLimitError)
    assert error.retry_after == 30.0


@pytest.mark.parametrize(
    ("status", "body", "content_type", "expected"),
    [
        (
            503,
            b"<html><head><title>Error 503: Service Unavailable</title></head></html>",
            "text/html",
            (
                "an HTML page titled 'Error 503: Service Unavailable' (HTTP 503) — the store looks "
                "to be in maintenance mode"
            ),
        ),
        (
            500,
            (
                b"1 exception(s):\nException #0 (Exception): Unable to proceed: the "
                b"maintenance mode is enabled. \n"
            ),
            "text/plain;charset=UTF-8",
            (
                "(Exception): Unable to proceed: the maintenance mo…' (HTTP 500) — the store is in "
                "maintenance mode (in developer mode Magento answers every route with this "
                "exception)"
            ),
        ),
        (
            502,
            b"<html><body>Bad Gateway</body></html>",
            None,
            (
                "an HTML page without a title (HTTP 502) — a proxy or load balancer in front of "
                "Magento could not reach it"
            ),
        ),
        (
            504,
            b"",
            None,
            "an empty body (HTTP 504) — a proxy or load balancer in front of Magento timed out",
        ),
        (
            404,
            b"<!DOCTYPE html><title>Not  Found &amp; gone</title>",
            "text/html",
            (
                "an HTML page titled 'Not Found & gone' (HTTP 404) — the URL does not reach "
                "Magento's REST API"
            ),
        ),
        (
            403,
            b"<html><title>Login</title></html>",
            "text/html",
            "(HTTP 403) — this does not look like Magento's REST API",
        ),
        (
            500,
            b"x" * 200,
            "text/plain",
            "a non-JSON body (text/plain) starting '" + "x" * 79 + "…' (HTTP 500)",
        ),
        (
            500,
            b"[1, 2]",
            "application/json",
            "a non-JSON body (application/json) starting '[1, 2]' (HTTP 500)",
        ),
        (418, b"teapot", None, "a non-JSON body (no Content-Type) starting 'teapot' (HTTP 418)"),
        (301, b"", None, "an empty body (HTTP 301) — the URL redirects elsewhere"),
    ],
)
def test_what_came_back_instead_of_json(
    status: int, body: bytes, content_type: str | None, expected: str
) -> None:
    """Non-JSON or non-Magento error bodies say what they were and what that probably means."""
    error = _error(status, body, content_type)
    assert isinstance(error, UnexpectedResponseError)
    assert expected in error.message
    assert error.status_code == status


def test_decode_json_success_bodies() -> None:
    """2xx bodies decode; an empty one is None; HTML raises UnexpectedResponseError."""
    assert decode_json(status_code=200, content_type=None, body=b"true", request=REQUEST) is True
    assert decode_json(status_code=200, content_type=None, body=b"  ", request=REQUEST) is None
    with pytest.raises(UnexpectedResponseError, match="check base_url"):
        decode_json(
            status_code=200, content_type="text/html", body=b"<html></html>", request=REQUEST
        )


def _graphql(status: int, body: bytes) -> Any:
    return graphql_data(
        status_code=status, content_type="application/json", body=body, request=REQUEST, now=NOW
    )


def test_graphql_results() -> None:
    """GraphQL data is returned; errors[] raise GraphQLError with every error and partial data."""
    assert _graphql(200, b'{"data": {"x": 1}}') == {"x": 1}
    with pytest.raises(GraphQLError, match=r"GraphQL error: first \(and 1 more\)") as caught:
        _graphql(
            200, b'{"errors": [{"message": "first"}, {"message": "second"}], "data": {"x": null}}'
        )
    assert caught.value.data == {"x": None}
    assert len(caught.value.errors) == 2


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (200, b"<html>", UnexpectedResponseError),
        (200, b"[]", UnexpectedResponseError),
        (200, b"{}", UnexpectedResponseError),
        (503, b'{"message": "down"}', ServerError),
    ],
)
def test_graphql_without_errors_list(status: int, body: bytes, error_class: type) -> None:
    """A GraphQL answer without data or errors[] is reported like any other unexpected answer."""
    with pytest.raises(error_class):
        _graphql(status, body)


def test_response_too_large_names_the_cap_and_the_fix() -> None:
    """A body past the cap: UnexpectedResponseError naming the cap in bytes and MiB."""
    from magento_ir._core.responses import response_too_large  # noqa: PLC0415

    error = response_too_large(
        request=RequestInfo("GET", "/V1/orders"),
        status_code=200,
        content_type="application/json",
        limit=3 * 2**20,
    )
    assert "max_response_bytes=3145728 (3 MiB)" in str(error)
    assert "pageSize" in str(error)
    assert (error.status_code, error.content_type) == (200, "application/json")
