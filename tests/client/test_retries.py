"""Retries: what is retried, how often, and how long the client waits (Retry-After capped)."""

from __future__ import annotations

import logging
import re
import socket

import httpx
import pytest

from magento_ir import (
    APIConnectionError,
    APITimeoutError,
    AsyncMagentoClient,
    BearerToken,
    MagentoClient,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from tests.client._support import CLIENT_KINDS, call, close, json_response, make_client

AUTH = BearerToken("admin-token")
MAINTENANCE = httpx.Response(
    503,
    headers={"Content-Type": "text/html"},
    content=b"<html><head><title>Service Temporarily Unavailable</title></head></html>",
)


class Flaky:
    """Answers the given responses in turn (the last one repeats) and counts requests."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.calls = 0

    def __call__(self, _: httpx.Request) -> httpx.Response:
        answer = self.responses[min(self.calls, len(self.responses) - 1)]
        self.calls += 1
        if isinstance(answer, Exception):
            raise answer
        # A fresh copy each time: a response object belongs to the one client that read it.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)


def _waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    return [
        float(match.group(1))
        for record in caplog.records
        if record.name == "magento_ir" and record.levelno == logging.WARNING
        for match in [re.search(r"in ([0-9.]+) s$", record.getMessage())]
        if match
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_get_is_retried_on_503_and_each_retry_logged(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A GET that meets a 503 is sent again, with one WARNING line per retry."""
    handler = Flaky(MAINTENANCE, MAINTENANCE, json_response(200, {"id": 1, "sku": "A"}))
    client = make_client(kind, handler, auth=AUTH)
    with caplog.at_level(logging.WARNING, logger="magento_ir"):
        product = await call(client.products.retrieve("A"))
    await close(client)
    assert product.sku == "A"
    assert handler.calls == 3
    messages = [record.getMessage() for record in caplog.records if record.name == "magento_ir"]
    assert len(messages) == 2
    assert messages[0].startswith("retrying GET http://shop.test/rest/V1/products/A after HTTP 503")


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_post_503_is_not_retried(kind: str) -> None:
    """A write that meets a 503 is not repeated: Magento may have acted on it."""
    handler = Flaky(json_response(503, {"message": "Service unavailable"}))
    client = make_client(kind, handler, auth=AUTH)
    with pytest.raises(ServerError):
        await call(client.orders.hold(1))
    await close(client)
    assert handler.calls == 1


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_post_503_is_retried_when_marked_idempotent(kind: str) -> None:
    """A write the caller marks idempotent is retried like a read."""
    handler = Flaky(MAINTENANCE, json_response(200, {"id": 1, "sku": "A", "status": 2}))
    client = make_client(kind, handler, auth=AUTH)
    product = await call(client.products.update("A", {"status": 2}, idempotent=True))
    await close(client)
    assert product.status == 2
    assert handler.calls == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_retries_stop_at_max_retries(kind: str) -> None:
    """After max_retries retries the last answer is raised (here the maintenance page)."""
    handler = Flaky(MAINTENANCE)
    client = make_client(kind, handler, auth=AUTH, max_retries=3)
    with pytest.raises(UnexpectedResponseError):
        await call(client.products.retrieve("A"))
    await close(client)
    assert handler.calls == 4


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_with_options_sets_retries_per_call(kind: str) -> None:
    """with_options(max_retries=0) turns retries off for the calls made through it."""
    handler = Flaky(MAINTENANCE)
    client = make_client(kind, handler, auth=AUTH)
    with pytest.raises(UnexpectedResponseError):
        await call(client.with_options(max_retries=0, timeout=5).products.retrieve("A"))
    await close(client)
    assert handler.calls == 1


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("3", 3.0), ("120", 60.0), ("Sun, 06 Nov 1994 08:49:37 GMT", 0.0)],
)
@pytest.mark.usefixtures("no_waits")
async def test_retry_after_is_honoured_and_capped(
    kind: str, retry_after: str, expected: float, caplog: pytest.LogCaptureFixture
) -> None:
    """Retry-After (seconds or HTTP-date) sets the wait, capped at 60 s."""
    limited = json_response(429, {"message": "Too Many Requests"}, {"Retry-After": retry_after})
    handler = Flaky(limited, json_response(200, {"id": 1, "sku": "A"}))
    client = make_client(kind, handler, auth=AUTH)
    with caplog.at_level(logging.WARNING, logger="magento_ir"):
        await call(client.products.retrieve("A"))
    await close(client)
    assert _waits(caplog) == [expected]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_rate_limit_error_carries_retry_after(kind: str) -> None:
    """When retries run out on a 429, RateLimitError says how long Magento asked to wait."""
    handler = Flaky(json_response(429, {"message": "Too Many Requests"}, {"Retry-After": "7"}))
    client = make_client(kind, handler, auth=AUTH, max_retries=0)
    with pytest.raises(RateLimitError) as caught:
        await call(client.products.retrieve("A"))
    await close(client)
    assert caught.value.retry_after == 7.0


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_backoff_grows_without_retry_after(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Without Retry-After, waits are jittered exponential: within 75-100% of 0.5 s, 1 s, 2 s."""
    handler = Flaky(MAINTENANCE)
    client = make_client(kind, handler, auth=AUTH, max_retries=3)
    with (
        caplog.at_level(logging.WARNING, logger="magento_ir"),
        pytest.raises(UnexpectedResponseError),
    ):
        await call(client.products.retrieve("A"))
    await close(client)
    waits = _waits(caplog)
    assert len(waits) == 3
    for wait, base in zip(waits, (0.5, 1.0, 2.0), strict=True):
        assert 0.75 * base - 0.01 <= wait <= base + 0.01


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_connect_errors_are_retried_even_for_writes(kind: str) -> None:
    """A refused connection never reached Magento, so even a POST is sent again."""
    handler = Flaky(httpx.ConnectError("Connection refused"), json_response(200, body=True))
    client = make_client(kind, handler, auth=AUTH)
    assert await call(client.orders.hold(1)) is True
    await close(client)
    assert handler.calls == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_read_timeout_retries_reads_not_writes(kind: str) -> None:
    """A read timeout may hide a write that happened: GET is retried, POST raises at once."""
    get_handler = Flaky(httpx.ReadTimeout("slow"), json_response(200, {"id": 1, "sku": "A"}))
    client = make_client(kind, get_handler, auth=AUTH)
    await call(client.products.retrieve("A"))
    await close(client)
    post_handler = Flaky(httpx.ReadTimeout("slow"))
    client = make_client(kind, post_handler, auth=AUTH)
    with pytest.raises(APITimeoutError) as caught:
        await call(client.orders.cancel(1))
    await close(client)
    assert get_handler.calls == 2
    assert post_handler.calls == 1
    assert caught.value.request_sent


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.anyio
@pytest.mark.usefixtures("no_waits")
async def test_unreachable_host_raises_connection_error_naming_it() -> None:
    """Connecting to a closed loopback port gives APIConnectionError naming the host to check."""
    base_url = f"http://127.0.0.1:{_closed_port()}"
    with (
        MagentoClient(base_url, auth=AUTH, max_retries=1) as client,
        pytest.raises(APIConnectionError) as sync_error,
    ):
        client.products.retrieve("A")
    async with AsyncMagentoClient(base_url, auth=AUTH, max_retries=1) as async_client:
        with pytest.raises(APIConnectionError) as async_error:
            await async_client.products.retrieve("A")
    for caught in (sync_error, async_error):
        assert f"could not connect to {base_url}" in str(caught.value)
        assert not caught.value.request_sent


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("failure", "fragment"),
    [
        (httpx.RemoteProtocolError("peer closed connection"), "the connection to"),
        (httpx.DecodingError("bad gzip"), "could not be read"),
    ],
)
@pytest.mark.usefixtures("no_waits")
async def test_other_transport_failures_are_typed(
    kind: str, failure: Exception, fragment: str
) -> None:
    """Every httpx request failure surfaces as APIConnectionError, never as an httpx exception."""
    client = make_client(kind, Flaky(failure), auth=AUTH, max_retries=0)
    with pytest.raises(APIConnectionError, match=fragment):
        await call(client.products.retrieve("A"))
    await close(client)
