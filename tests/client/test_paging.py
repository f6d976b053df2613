"""Lazy iteration across pages: stop rules, concurrency, keyset mode."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import BearerToken, InvalidArgumentError, SearchCriteria
from magento_ir._async._pages import in_order
from tests.client._support import CLIENT_KINDS, close, collect, json_response, make_client

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

AUTH = BearerToken("admin-token")


class Catalog:
    """Serves `count` products by offset or by `entity_id gt` keyset, like Magento 2.4.x."""

    def __init__(self, count: int, *, reported_total: int | None = None) -> None:
        self.ids = list(range(1, count + 1))
        self.reported_total = reported_total
        self.queries: list[dict[str, str]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        self.queries.append(query)
        ids = self.ids
        after = query.get("searchCriteria[filter_groups][0][filters][0][value]")
        if after is not None:
            assert query["searchCriteria[filter_groups][0][filters][0][field]"] == "entity_id"
            assert query["searchCriteria[filter_groups][0][filters][0][condition_type]"] == "gt"
            ids = [number for number in ids if number > int(after)]
        size = int(query["searchCriteria[pageSize]"])
        page = int(query["searchCriteria[currentPage]"])
        items = [
            {"id": number, "sku": f"SKU-{number}"}
            for number in ids[(page - 1) * size : page * size]
        ]
        total = self.reported_total if self.reported_total is not None else len(ids)
        return json_response(
            200,
            {"items": items, "search_criteria": {"filter_groups": []}, "total_count": total},
        )


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_offset_iteration_stops_by_total_count(kind: str) -> None:
    """7 products in pages of 3: exactly 3 requests, items in order, explicit pageSize each time."""
    catalog = Catalog(7)
    client = make_client(kind, catalog.handler, auth=AUTH)
    products = await collect(client.products.iterate(page_size=3, concurrency=2))
    await close(client)
    assert [product.id for product in products] == list(range(1, 8))
    assert [query["searchCriteria[currentPage]"] for query in catalog.queries] == ["1", "2", "3"]
    assert {query["searchCriteria[pageSize]"] for query in catalog.queries} == {"3"}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_offset_iteration_stops_on_an_empty_page(kind: str) -> None:
    """If rows vanish mid-iteration (total says 9, only 4 exist), the empty page ends it."""
    catalog = Catalog(4, reported_total=9)
    client = make_client(kind, catalog.handler, auth=AUTH)
    products = await collect(client.products.iterate(page_size=2, concurrency=1))
    await close(client)
    assert [product.id for product in products] == [1, 2, 3, 4]
    assert len(catalog.queries) == 3


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_concurrent_pages_yield_in_order(kind: str) -> None:
    """With concurrency 4, pages fetched together still come out in page order."""
    catalog = Catalog(50)
    client = make_client(kind, catalog.handler, auth=AUTH)
    products = await collect(client.products.iterate(page_size=5, concurrency=4))
    await close(client)
    assert [product.id for product in products] == list(range(1, 51))
    assert len(catalog.queries) == 10


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_keyset_iteration(kind: str) -> None:
    """Keyset mode asks for `entity_id gt <last id>` sorted ASC, always page 1."""
    catalog = Catalog(7)
    client = make_client(kind, catalog.handler, auth=AUTH)
    products = await collect(client.products.iterate(page_size=3, keyset=True))
    await close(client)
    assert [product.id for product in products] == list(range(1, 8))
    assert [
        query.get("searchCriteria[filter_groups][0][filters][0][value]")
        for query in catalog.queries
    ] == [None, "3", "6"]
    for query in catalog.queries:
        assert query["searchCriteria[sort_orders][0][field]"] == "entity_id"
        assert query["searchCriteria[sort_orders][0][direction]"] == "ASC"
        assert query["searchCriteria[currentPage]"] == "1"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_empty_result_is_one_request(kind: str) -> None:
    """No matches: one request, nothing yielded."""
    catalog = Catalog(0)
    client = make_client(kind, catalog.handler, auth=AUTH)
    assert await collect(client.products.iterate()) == []
    assert await collect(client.products.iterate(keyset=True)) == []
    await close(client)
    assert len(catalog.queries) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        ({"criteria": SearchCriteria().page(10)}, "sets pageSize and currentPage itself"),
        ({"page_size": 301}, "between 1 and 300"),
        ({"concurrency": 0}, "concurrency must be at least 1"),
        ({"criteria": SearchCriteria().order_by("sku"), "keyset": True}, "drop the sort orders"),
    ],
)
async def test_bad_iteration_settings(kind: str, arguments: dict, fragment: str) -> None:
    """Iteration settings Magento would mishandle are refused before the first request."""
    client = make_client(kind, lambda _: httpx.Response(500), auth=AUTH)
    with pytest.raises(InvalidArgumentError, match=fragment):
        await collect(client.products.iterate(**arguments))
    await close(client)


def test_async_pages_keep_a_sliding_window_in_flight() -> None:
    """Up to `concurrency` calls run at once, and the next starts as soon as the oldest result
    is taken (not when a whole batch is done): a slow page holds up nobody's start."""
    started: list[int] = []
    release = {number: asyncio.Event() for number in range(6)}

    def call(number: int) -> Callable[[], Awaitable[int]]:
        async def wait() -> int:
            await release[number].wait()
            return number

        def start() -> Awaitable[int]:
            started.append(number)
            return wait()

        return start

    async def scenario() -> list[int]:
        pages = in_order([call(number) for number in range(6)], 3)
        first = asyncio.ensure_future(anext(pages))
        await asyncio.sleep(0)  # the generator starts its first three calls
        assert started == [0, 1, 2]
        release[0].set()
        assert await first == 0
        assert started == [0, 1, 2, 3]  # started while 1 and 2 are still running
        for number in range(1, 6):
            release[number].set()
        return [0, *[number async for number in pages]]

    assert asyncio.run(scenario()) == list(range(6))


def test_async_pages_cancel_the_rest_on_failure_and_on_close() -> None:
    """A failing call's error propagates unchanged; leaving early cancels the calls in flight."""
    cancelled: list[int] = []

    def call(number: int) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            if number == 0:
                raise ValueError("page 0 failed")
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.append(number)
                raise
            return number

        return run

    async def failing() -> None:
        with pytest.raises(ValueError, match="page 0 failed"):
            async for _ in in_order([call(number) for number in range(4)], 3):
                pass

    async def closed_early() -> None:
        async def first_ok() -> int:
            return -1

        pages = in_order([first_ok, call(1), call(2)], 3)
        assert await anext(pages) == -1
        await pages.aclose()

    asyncio.run(failing())
    assert sorted(cancelled) == [1, 2]
    cancelled.clear()
    asyncio.run(closed_early())
    assert sorted(cancelled) == [1, 2]
