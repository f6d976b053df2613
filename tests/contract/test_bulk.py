"""The asynchronous bulk API: queueing, the 202 answer, bulk status, and what is refused.

No queue consumer runs on the test store, so queued operations stay open (status 4); every
body queued sets a value the product already has, so a consumer run later changes nothing.
"""

from __future__ import annotations

import re

import pytest

from tests.contract.conftest import NOT_PROCESSED, ROUTE_NOT_FOUND, Api, error_of

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
HASH = re.compile(r"^[0-9a-f]{64}$")
UNCHANGED = [
    {"product": {"sku": "IR-SKU-001", "status": 1}},
    {"product": {"sku": "IR-SKU-002", "status": 1}},
]


def test_bulk_product_update_is_queued(api: Api) -> None:
    """PUT /rest/all/async/bulk/V1/products/bySku: 202, one accepted item per body, and a bulk
    whose operations stay open while no consumer runs."""
    response = api.request("PUT", "/async/bulk/V1/products/bySku", json=UNCHANGED, store="all")
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"bulk_uuid", "request_items", "errors"}
    assert UUID.match(body["bulk_uuid"])
    assert body["errors"] is False
    # data_hash is an HMAC under the store's own key: its form is the contract.
    assert [(item["id"], item["status"]) for item in body["request_items"]] == [
        (0, "accepted"),
        (1, "accepted"),
    ]
    assert all(HASH.match(item["data_hash"]) for item in body["request_items"])
    assert all(set(item) == {"id", "data_hash", "status"} for item in body["request_items"])

    status = api.get(f"/V1/bulk/{body['bulk_uuid']}/status").json()
    assert set(status) == {
        "operations_list", "user_type", "bulk_id", "description", "start_time", "user_id",
        "operation_count",
    }  # fmt: skip
    assert status["operations_list"] == [
        {"id": 0, "status": 4, "result_message": None, "error_code": None},
        {"id": 1, "status": 4, "result_message": None, "error_code": None},
    ]
    assert (status["bulk_id"], status["operation_count"], status["user_type"]) == (
        body["bulk_uuid"],
        2,
        2,
    )
    assert (
        status["description"]
        == "Topic async.magento.catalog.api.productrepositoryinterface.save.put"
    )


def test_bulk_order_hold_by_id_is_queued(api: Api) -> None:
    """Placeholders become `by<Param>`: POST /async/bulk/V1/orders/byId/hold, one item (for an
    order that does not exist, so a consumer run later holds nothing)."""
    response = api.request("POST", "/async/bulk/V1/orders/byId/hold", json=[{"id": 999999}])
    assert response.status_code == 202
    uuid = response.json()["bulk_uuid"]
    status = api.get(f"/V1/bulk/{uuid}/status").json()
    assert (
        status["description"] == "Topic async.magento.sales.api.ordermanagementinterface.hold.post"
    )
    assert [operation["status"] for operation in status["operations_list"]] == [4]


def test_an_empty_bulk_is_accepted(api: Api) -> None:
    """An empty list is a bulk of nothing."""
    response = api.request("PUT", "/async/bulk/V1/products/bySku", json=[], store="all")
    assert response.status_code == 202
    assert (response.json()["request_items"], response.json()["errors"]) == ([], False)


@pytest.mark.parametrize(
    ("bodies", "expected"),
    [
        (
            [UNCHANGED[0], {"nothing": 1}],
            {
                "message": '"%fieldName" is required. Enter and try again.',
                "parameters": {"fieldName": "product"},
            },
        ),
        (
            [{"product": {"sku": "IR-SKU-001", "no_such": 1}}],
            {
                "message": '"%fieldName" is not supported. Correct the field name and try again.',
                "parameters": {"fieldName": "NoSuch"},
            },
        ),
        (
            UNCHANGED[0],  # one body, not a list of them
            {
                "message": '"%fieldName" is required. Enter and try again.',
                "parameters": {"fieldName": "product"},
            },
        ),
    ],
)
def test_a_bad_item_refuses_the_whole_bulk(
    api: Api, bodies: object, expected: dict[str, object]
) -> None:
    """A body Magento cannot read refuses the request with that body's 400: nothing is queued."""
    response = api.request("PUT", "/async/bulk/V1/products/bySku", json=bodies, store="all")
    assert error_of(response) == (400, expected)


@pytest.mark.parametrize(
    ("method", "path", "store", "expected"),
    [
        ("PUT", "/async/bulk/V1/nothing/bySku", None, (404, ROUTE_NOT_FOUND)),
        ("PUT", "/async/bulk/V1/products/bySku", "nostore", (400, NOT_PROCESSED)),
        ("GET", "/async/bulk/V1/products", None, (400, NOT_PROCESSED)),
    ],
)
def test_bulk_routing(
    api: Api, method: str, path: str, store: str | None, expected: tuple[int, dict[str, str]]
) -> None:
    """Unknown bulk routes are 404; unknown store codes and GET are refused before routing."""
    response = api.request(
        method, path, json=[UNCHANGED[0]] if method == "PUT" else None, store=store
    )
    assert error_of(response) == expected


def test_bulk_needs_the_routes_resource(api: Api) -> None:
    """Without a token: the 401 of the underlying route."""
    response = api.request(
        "PUT", "/async/bulk/V1/products/bySku", json=UNCHANGED, auth=None, store="all"
    )
    assert error_of(response) == (
        401,
        {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": "Magento_Catalog::products"},
        },
    )


def test_status_of_an_unknown_bulk(api: Api) -> None:
    """An unknown uuid: 404 naming it."""
    uuid = "00000000-0000-4000-8000-000000000000"
    assert error_of(api.get(f"/V1/bulk/{uuid}/status")) == (
        404,
        {"message": "Bulk uuid %bulkUuid not exist", "parameters": {"bulkUuid": uuid}},
    )
