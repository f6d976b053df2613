"""Lazy iteration across pages: stop rules, concurrency, keyset mode."""

from __future__ import annotations

import httpx
import pytest

from magento_ir import BearerToken, InvalidArgumentError, SearchCriteria
from tests.client._support import CLIENT_KINDS, close, collect, json_response, make_client

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
