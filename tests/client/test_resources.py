"""Routes, methods and body keys of every resource call, as magento-api.md §6 lists them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from magento_ir import (
    APITimeoutError,
    BearerToken,
    InvalidArgumentError,
    SearchCriteria,
    UnexpectedResponseError,
)
from magento_ir.models import BulkRequestResult, BulkStatus
from tests.client._support import CLIENT_KINDS, call, close, collect, json_response, make_client

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.testing import SandboxStore

AUTH = BearerToken("admin-token")
PAGE = {"items": [], "search_criteria": {"filter_groups": []}, "total_count": 0}


class Recorder:
    """Answers `body` to every request and keeps what was sent."""

    def __init__(self, body: Any, status: int = 200) -> None:
        self.body = body
        self.status = status
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return json_response(self.status, self.body)

    @property
    def sent(self) -> tuple[str, str, dict[str, str], Any]:
        (request,) = self.requests
        body = json.loads(request.content) if request.content else None
        path = request.url.raw_path.decode().split("?")[0]
        return request.method, path, dict(request.url.params), body


ROUTES: list[tuple[str, Callable[[Any], Any], Any, tuple[str, str, Any]]] = [
    (
        "add_comment",
        lambda c: c.orders.add_comment(7, "Held for fraud review"),
        True,
        (
            "POST",
            "/rest/V1/orders/7/comments",
            {
                "statusHistory": {
                    "comment": "Held for fraud review",
                    "is_customer_notified": 0,
                    "is_visible_on_front": 0,
                    "parent_id": 7,
                }
            },
        ),
    ),
    (
        "add_comment_with_status",
        lambda c: c.orders.add_comment(7, "x", is_customer_notified=True, status="holded"),
        True,
        (
            "POST",
            "/rest/V1/orders/7/comments",
            {
                "statusHistory": {
                    "comment": "x",
                    "is_customer_notified": 1,
                    "is_visible_on_front": 0,
                    "parent_id": 7,
                    "status": "holded",
                }
            },
        ),
    ),
    ("cancel", lambda c: c.orders.cancel(7), False, ("POST", "/rest/V1/orders/7/cancel", None)),
    (
        "customer_update",
        lambda c: c.customers.update(3, {"email": "a@example.com", "firstname": "A"}),
        {"id": 3, "email": "a@example.com", "firstname": "A", "lastname": "B"},
        (
            "PUT",
            "/rest/V1/customers/3",
            {"customer": {"email": "a@example.com", "firstname": "A", "id": 3}},
        ),
    ),
    (
        "password_reset_default_website",
        lambda c: c.customers.send_password_reset("a@example.com"),
        True,
        (
            "PUT",
            "/rest/V1/customers/password",
            {"email": "a@example.com", "template": "email_reset"},
        ),
    ),
    (
        "block_update",
        lambda c: c.with_store("all").cms_blocks.update(5, {"active": False}),
        {"id": 5, "identifier": "footer-promo", "active": False},
        ("PUT", "/rest/all/V1/cmsBlock/5", {"block": {"active": False}}),
    ),
    (
        "page_update",
        lambda c: c.cms_pages.update(2, {"identifier": "home", "layout_update_xml": ""}),
        {"id": 2, "identifier": "home"},
        ("PUT", "/rest/V1/cmsPage/2", {"page": {"identifier": "home", "layout_update_xml": ""}}),
    ),
    (
        "block_by_identifier",
        lambda c: c.cms_blocks.retrieve("footer-promo"),
        {"id": 5, "identifier": "footer-promo"},
        ("GET", "/rest/V1/cmsBlock/footer-promo", None),
    ),
    (
        "page_retrieve",
        lambda c: c.cms_pages.retrieve(2),
        {"id": 2, "identifier": "home"},
        ("GET", "/rest/V1/cmsPage/2", None),
    ),
    (
        "product_with_store_and_slash",
        lambda c: c.products.retrieve("A/B 1", store_id=2),
        {"id": 1, "sku": "A/B 1"},
        ("GET", "/rest/V1/products/A%2FB%201", None),
    ),
    (
        "product_save_options",
        lambda c: c.products.update("A", {"status": 2}, save_options=True),
        {"id": 1, "sku": "A", "status": 2},
        ("PUT", "/rest/V1/products/A", {"product": {"sku": "A", "status": 2}, "saveOptions": True}),
    ),
    (
        "transaction",
        lambda c: c.transactions.retrieve(4),
        {"transaction_id": 4},
        ("GET", "/rest/V1/transactions/4", None),
    ),
    (
        "invoice",
        lambda c: c.invoices.retrieve(9),
        {"entity_id": 9},
        ("GET", "/rest/V1/invoices/9", None),
    ),
    (
        "views",
        lambda c: c.store.views(),
        [{"id": 1, "code": "default"}],
        ("GET", "/rest/V1/store/storeViews", None),
    ),
    (
        "groups",
        lambda c: c.store.groups(),
        [{"id": 1, "code": "main"}],
        ("GET", "/rest/V1/store/storeGroups", None),
    ),
    (
        "invoices",
        lambda c: c.invoices.list(SearchCriteria().page(5)),
        PAGE,
        ("GET", "/rest/V1/invoices", None),
    ),
    (
        "orders_by_email",
        lambda c: c.orders.list(SearchCriteria().where("customer_email", "eq", "a@example.com")),
        PAGE,
        ("GET", "/rest/V1/orders", None),
    ),
    (
        "bulk_submit",
        lambda c: c.with_store("all").bulk.submit(
            "put", "/V1/products/bySku", [{"product": {"sku": "A", "status": 2}}]
        ),
        {
            "bulk_uuid": "u-1",
            "request_items": [{"id": 0, "data_hash": "h", "status": "accepted"}],
            "errors": False,
        },
        ("PUT", "/rest/all/async/bulk/V1/products/bySku", [{"product": {"sku": "A", "status": 2}}]),
    ),
    (
        "bulk_status",
        lambda c: c.bulk.status("u-1"),
        {"operations_list": [], "bulk_id": "u-1", "operation_count": 0},
        ("GET", "/rest/V1/bulk/u-1/status", None),
    ),
]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("name", "action", "answer", "expected"), ROUTES, ids=[route[0] for route in ROUTES]
)
async def test_route(
    kind: str, name: str, action: Callable[[Any], Any], answer: Any, expected: tuple[str, str, Any]
) -> None:
    """The call sends Magento's method, path and body keys, and returns the parsed answer."""
    recorder = Recorder(answer)
    client = make_client(kind, recorder, auth=AUTH)
    result = await call(action(client))
    await close(client)
    method, path, params, body = recorder.sent
    assert (method, path, body) == expected
    if name == "product_with_store_and_slash":
        assert params == {"storeId": "2"}
    if name == "orders_by_email":
        assert params["searchCriteria[filter_groups][0][filters][0][value]"] == "a@example.com"
    if isinstance(answer, bool):
        assert result is answer
    if name == "bulk_submit":
        assert isinstance(result, BulkRequestResult)
        assert result.bulk_uuid == "u-1"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_every_resource_iterates(kind: str) -> None:
    """Each list resource iterates through its own search route."""
    recorder = Recorder(PAGE)
    client = make_client(kind, recorder, auth=AUTH)
    for resource in (
        client.customers,
        client.orders,
        client.transactions,
        client.invoices,
        client.cms_blocks,
        client.cms_pages,
    ):
        assert await collect(resource.iterate(keyset=True)) == []
    await close(client)
    paths = [request.url.path for request in recorder.requests]
    assert paths == [
        "/rest/V1/customers/search",
        "/rest/V1/orders",
        "/rest/V1/transactions",
        "/rest/V1/invoices",
        "/rest/V1/cmsBlock/search",
        "/rest/V1/cmsPage/search",
    ]
    sort_fields = [
        request.url.params["searchCriteria[sort_orders][0][field]"] for request in recorder.requests
    ]
    assert sort_fields == [
        "entity_id",
        "entity_id",
        "transaction_id",
        "entity_id",
        "block_id",
        "page_id",
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_store_configs_by_code(kind: str) -> None:
    """storeCodes are sent with explicit indexes, never as `storeCodes[]`."""
    recorder = Recorder([{"id": 1, "code": "default"}])
    client = make_client(kind, recorder, auth=AUTH)
    await call(client.store.configs(["default", "de"]))
    await close(client)
    assert dict(recorder.requests[0].url.params) == {
        "storeCodes[0]": "default",
        "storeCodes[1]": "de",
    }


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_graphql_sends_store_header_variables_and_operation(kind: str) -> None:
    """GraphQL is a POST to /graphql with the `Store` header and the standard JSON body."""
    recorder = Recorder({"data": {"products": {"total_count": 0}}})
    client = make_client(kind, recorder, auth=AUTH)
    data = await call(
        client.graphql.execute(
            "query P($s: String) { x }", {"s": "A"}, store="de", operation_name="P"
        )
    )
    await close(client)
    (request,) = recorder.requests
    assert (request.method, request.url.path, request.headers["Store"]) == (
        "POST",
        "/graphql",
        "de",
    )
    assert json.loads(request.content) == {
        "query": "query P($s: String) { x }",
        "variables": {"s": "A"},
        "operationName": "P",
    }
    assert data == {"products": {"total_count": 0}}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.usefixtures("no_waits")
async def test_bulk_wait_polls_until_no_operation_is_open(kind: str) -> None:
    """wait() polls bulk status until every operation has left status 4 (open)."""
    answers = [
        {"operations_list": [{"id": 1, "status": 4}], "bulk_id": "u", "operation_count": 1},
        {"operations_list": [{"id": 1, "status": 1}], "bulk_id": "u", "operation_count": 1},
    ]
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return json_response(200, answers[min(len(requests), 2) - 1])

    client = make_client(kind, handler, auth=AUTH)
    status = await call(client.bulk.wait("u", poll_interval=0.01))
    await close(client)
    assert isinstance(status, BulkStatus)
    assert len(requests) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_bulk_wait_gives_up_naming_the_consumer(kind: str) -> None:
    """A bulk that stays open past max_wait raises APITimeoutError pointing at the consumer."""
    recorder = Recorder(
        {"operations_list": [{"id": 1, "status": 4}], "bulk_id": "u", "operation_count": 1}
    )
    client = make_client(kind, recorder, auth=AUTH)
    with pytest.raises(APITimeoutError, match=r"async\.operations\.all"):
        await call(client.bulk.wait("u", poll_interval=0.01, max_wait=0.02))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        (
            lambda c: c.customers.send_password_reset("a@example.com", template="reset"),
            "email_reminder",
        ),
        (lambda c: c.products.update("A", {"sku": "B"}), "leave 'sku' out"),
        (lambda c: c.bulk.submit("GET", "/V1/products/bySku", [{}]), "only for writes"),
        (lambda c: c.bulk.submit("PUT", "products/bySku", [{}]), "must be a /V1/"),
        (lambda c: c.bulk.submit("PUT", "/V1/products/bySku", []), "at least one body"),
        (lambda c: c.bulk.wait("u", poll_interval=0), "positive"),
        (lambda c: c.graphql.execute("  "), "empty"),
        (lambda c: c.products.retrieve(""), "cannot be empty"),
    ],
)
async def test_bad_arguments(kind: str, action: Callable[[Any], Any], fragment: str) -> None:
    """Arguments Magento would refuse or misread fail before any request."""
    client = make_client(kind, lambda _: httpx.Response(500), auth=AUTH)
    with pytest.raises(InvalidArgumentError, match=fragment):
        await call(action(client))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("action", "answer"),
    [
        (lambda c: c.orders.hold(1), {"unexpected": "object"}),
        (lambda c: c.tokens.admin("admin", "pw"), True),
        (lambda c: c.store.websites(), {"not": "a list"}),
        (lambda c: c.store.views(), [{"id": "not-a-number"}]),
        (lambda c: c.cms_pages.retrieve(2), {"id": 2}),
        (lambda c: c.modules.list(), [1, 2]),
        (lambda c: c.orders.list(SearchCriteria().page(5)), {"items": []}),
    ],
)
async def test_unexpected_answer_shapes(
    kind: str, action: Callable[[Any], Any], answer: Any
) -> None:
    """A 200 whose JSON has the wrong shape for the route raises UnexpectedResponseError."""
    client = make_client(kind, Recorder(answer), auth=AUTH)
    with pytest.raises(UnexpectedResponseError, match=r"expected|does not fit"):
        await call(action(client))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_shape_error_names_the_field(kind: str) -> None:
    """An answer that does not fit the model names the model and the field that did not fit."""
    client = make_client(kind, Recorder({"id": 2}), auth=AUTH)
    with pytest.raises(UnexpectedResponseError) as caught:
        await call(client.cms_pages.retrieve(2))
    await close(client)
    assert caught.value.message.startswith(
        "Magento's answer does not fit CmsPage: identifier: Field required (1 problem(s))"
    )
    assert str(caught.value.request) == "GET /V1/cmsPage/2"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_requester_sends_extra_headers(kind: str) -> None:
    """Resources can add headers (e.g. an idempotency key) to one REST call."""
    recorder = Recorder(True)  # noqa: FBT003 - Magento's bare true
    client = make_client(kind, recorder, auth=AUTH)
    await call(
        client._requester.rest(
            "POST", "/V1/x", idempotent=True, extra_headers={"X-Idempotency-Key": "k-1"}
        )
    )
    await close(client)
    assert recorder.requests[0].headers["X-Idempotency-Key"] == "k-1"


def test_page_update_keeps_the_identifier(magento_sandbox: SandboxStore) -> None:
    """Without an identifier in the fields, update() reads the page's and sends it, so the home
    page saves (Magento would make one from the title and refuse) and keeps its URL."""
    client = magento_sandbox.client()
    page = client.cms_pages.update(2, {"active": False})
    assert (page.identifier, page.active) == ("home", False)
    assert magento_sandbox.inspect.request_counts()["GET /V1/cmsPage/:pageId"] == 1
