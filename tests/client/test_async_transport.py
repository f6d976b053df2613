"""The async client's own transport (httpcore on plain asyncio streams) and its page windows.

Loopback servers answer on real sockets. Nothing is timed: tests count connections, retries
and tasks.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from magento_ir import AsyncMagentoClient, BearerToken, set_testing
from magento_ir._http import _each_refused, async_new_client, unreachable_reason
from tests.adversarial._servers import RawServer, read_head

if TYPE_CHECKING:
    from collections.abc import Iterator

AUTH = BearerToken("token")
PAGE = json.dumps({"items": [], "search_criteria": {}, "total_count": 0}).encode()


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def _retries(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records if record.getMessage().startswith("retrying"))


def _answer(connection: socket.socket, body: bytes, *, extra: bytes = b"") -> None:
    """Read one request head, answer it keeping the connection alive, then send `extra`."""
    read_head(connection)
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
    connection.sendall(head.encode() + b"\r\n\r\n" + body + extra)


class _AnswerOnceThenHangUp:
    """Answers one request per connection, sends `extra` bytes, then closes the connection."""

    def __init__(self, extra: bytes = b"") -> None:
        self.extra = extra
        self.closed = threading.Event()

    def __call__(self, connection: socket.socket, _: RawServer) -> None:
        _answer(connection, b"[]", extra=self.extra)
        connection.shutdown(socket.SHUT_RDWR)
        connection.close()
        self.closed.set()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "extra",
    [b"", b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"],
    ids=["closed", "408-then-closed"],
)
async def test_a_connection_the_store_closed_while_idle_is_not_reused(
    extra: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    """The store hung up (or said 408 and hung up) after an answer: the next call opens a new
    connection instead of failing on the dead one and retrying."""
    handler = _AnswerOnceThenHangUp(extra)
    with RawServer(handler) as server:
        async with AsyncMagentoClient(server.base_url, auth=AUTH) as client:
            assert await client.request("GET", "/V1/store/websites") == []
            assert await asyncio.to_thread(handler.closed.wait, 10)  # the server hung up
            handler.closed.clear()
            assert await client.request("GET", "/V1/store/websites") == []
        assert server.connections == 2
    assert _retries(caplog) == 0


@pytest.mark.anyio
async def test_a_body_many_reads_long_arrives_whole() -> None:
    """A body of several MiB, sent in small pieces, is read whole and in order."""
    body = json.dumps([f"order-{number:07d}" for number in range(300_000)]).encode()

    def pieces(connection: socket.socket, _: RawServer) -> None:
        read_head(connection)
        connection.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        for start in range(0, len(body), 100_000):
            connection.sendall(body[start : start + 100_000])

    assert len(body) > 3 * 2**20
    with RawServer(pieces) as server:
        async with AsyncMagentoClient(server.base_url, auth=AUTH) as client:
            answer = await client.request("GET", "/V1/big")
    assert answer == json.loads(body)


@pytest.mark.anyio
async def test_reads_outside_the_clients_deadline_keep_httpx_timeouts() -> None:
    """The transport used on its own (no request deadline around it) still applies the read
    timeout httpx passes: a store that never answers raises ReadTimeout."""
    answered = threading.Event()

    def silent(connection: socket.socket, _: RawServer) -> None:
        read_head(connection)
        answered.wait(timeout=30)  # say nothing until the test is done

    with RawServer(silent) as server:
        async with async_new_client(None, tls=False) as http:
            with pytest.raises(httpx.ReadTimeout):
                await http.get(f"{server.base_url}/V1/x", timeout=httpx.Timeout(5, read=0.2))
        answered.set()


def test_a_host_whose_every_address_refused_is_refused() -> None:
    """asyncio folds a dual-stack host's failures into one OSError: all refused stays a refusal
    (no retry can fix it), anything else stays a plain connection error."""
    refused = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 9, 0, 0), "
        "[Errno 111] Connect call failed ('127.0.0.1', 9)"
    )
    error = _each_refused(refused)
    assert isinstance(error, ConnectionRefusedError)
    assert "refused the connection" in (unreachable_reason(error, "http://localhost:9") or "")
    mixed = OSError(
        "Multiple exceptions: [Errno 111] Connect call failed ('::1', 9, 0, 0), "
        "[Errno 113] Connect call failed ('127.0.0.1', 9)"
    )
    assert _each_refused(mixed) is None
    assert _each_refused(ConnectionRefusedError(111, "refused")) is None


@pytest.mark.anyio
async def test_closing_the_client_stops_a_window_left_running(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A loop that breaks out of `iterate` leaves pages in flight; closing the client cancels
    them before the pool closes: no task left running, no request failing and retried."""
    release = asyncio.Event()
    in_flight = asyncio.Event()
    started: list[int] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["searchCriteria[currentPage]"])
        if page > 2:
            started.append(page)
            if len(started) == 3:
                in_flight.set()
            await release.wait()  # never set: these pages are in flight when the client closes
        items = [{"entity_id": page * 10 + number} for number in range(2)]
        body = {"items": items, "search_criteria": {}, "total_count": 100}
        return httpx.Response(200, json=body)

    client = AsyncMagentoClient(
        "https://shop.example.com", auth=AUTH, transport=httpx.MockTransport(handler)
    )
    before = asyncio.all_tasks()
    pages = client.orders.iterate(page_size=2, concurrency=3)
    async for order in pages:
        if order.entity_id == 20:  # the first of page 2: pages 3 to 5 are in flight
            break
    await in_flight.wait()
    await client.close()
    assert asyncio.all_tasks() == before
    assert sorted(started) == [3, 4, 5]
    assert _retries(caplog) == 0
    await pages.aclose()


@pytest.mark.anyio
async def test_a_window_holds_pages_as_bytes_until_their_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Pages fetched ahead are validated only when the loop reaches them: only the page being
    read is ever models, however many are in flight."""
    from magento_ir._async import _client  # noqa: PLC0415 - the module whose name is patched

    validated: list[int] = []
    validate = _client.validate_json

    def counting(model: type[Any], data: bytes) -> Any:
        page = validate(model, data)
        validated.append(page.items[0].entity_id // 10)
        return page

    monkeypatch.setattr(_client, "validate_json", counting)
    fetched: list[int] = []
    five_fetched = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["searchCriteria[currentPage]"])
        fetched.append(page)
        items = [{"entity_id": page * 10 + number} for number in range(2)]
        if len(fetched) == 5:
            five_fetched.set()
        return httpx.Response(200, json={"items": items, "search_criteria": {}, "total_count": 20})

    async with AsyncMagentoClient(
        "https://shop.example.com", auth=AUTH, transport=httpx.MockTransport(handler)
    ) as client:
        pages = client.orders.iterate(page_size=2, concurrency=3)
        async for order in pages:
            if order.entity_id == 20:
                break
        await five_fetched.wait()  # pages 3 to 5 arrive while the loop holds page 2
        assert validated == [1, 2]
        await pages.aclose()
