"""GraphQL as the SDK uses it: the storefront product check containment verifies with, customer
tokens, and the errors Magento 2.4.7 answers before and during execution."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import CUSTOMER_PASSWORD, NOBODY_EMAIL, Api

# The query containment sends (magento_ir/containment/_base.py).
PRODUCTS = (
    "query($skus: [String]) { products(filter: {sku: {in: $skus}}, pageSize: 300) "
    "{ total_count items { sku url_key } } }"
)
PARSER = "/vendor/webonyx/graphql-php/src/Language/Parser.php"


def data_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"data"}, body
    return body["data"]


@pytest.mark.parametrize("store", [None, "default"])
def test_products_by_sku(api: Api, store: str | None) -> None:
    """Anonymous: enabled products of the store view, in the engine's order; unknown SKUs are
    simply absent."""
    response = api.graphql(PRODUCTS, {"skus": ["IR-SKU-001", "IR-SKU-030", "NO-SUCH"]}, store=store)
    products = data_of(response)["products"]
    assert products["total_count"] == 2
    assert sorted(products["items"], key=lambda item: item["sku"]) == [
        {"sku": "IR-SKU-001", "url_key": "incident-test-product-1"},
        {"sku": "IR-SKU-030", "url_key": "incident-test-product-30"},
    ]


def test_product_by_sku_eq(api: Api) -> None:
    """`eq` on sku, with name and stock status."""
    query = (
        '{ products(filter: {sku: {eq: "IR-SKU-002"}}) '
        "{ total_count items { sku name stock_status } } }"
    )
    assert data_of(api.graphql(query))["products"] == {
        "total_count": 1,
        "items": [
            {"sku": "IR-SKU-002", "name": "Incident Test Product 2", "stock_status": "IN_STOCK"}
        ],
    }


def test_disabled_product_leaves_the_storefront(api: Api) -> None:
    """A product disabled at global scope is no longer listed; enabled again, it is back."""
    body = {"product": {"sku": "IR-SKU-028", "status": 2}}
    try:
        assert (
            api.request("PUT", "/V1/products/IR-SKU-028", json=body, store="all").status_code == 200
        )
        gone = data_of(api.graphql(PRODUCTS, {"skus": ["IR-SKU-028"]}))["products"]
        assert (gone["total_count"], gone["items"]) == (0, [])
    finally:
        body["product"]["status"] = 1
        assert (
            api.request("PUT", "/V1/products/IR-SKU-028", json=body, store="all").status_code == 200
        )
    back = data_of(api.graphql(PRODUCTS, {"skus": ["IR-SKU-028"]}))["products"]
    assert back["items"] == [{"sku": "IR-SKU-028", "url_key": "incident-test-product-28"}]


def test_pages_past_the_end_and_above_300(api: Api) -> None:
    """currentPage past the last page is a resolver error (HTTP 200, products null); pageSize
    above 300 is accepted while GraphQL input limits are off (the default)."""
    past = api.graphql(
        '{ products(filter: {sku: {in: ["IR-SKU-001", "IR-SKU-002"]}}, pageSize: 1, '
        "currentPage: 5) { total_count items { sku } } }"
    )
    assert past.status_code == 200
    assert past.json() == {
        "errors": [
            {
                "message": "currentPage value 5 specified is greater than the 2 page(s) available.",
                "locations": [{"line": 1, "column": 3}],
                "path": ["products"],
                "extensions": {"category": "graphql-input"},
            }
        ],
        "data": {"products": None},
    }
    large = api.graphql(
        '{ products(filter: {sku: {eq: "IR-SKU-001"}}, pageSize: 301) { total_count } }'
    )
    assert data_of(large) == {"products": {"total_count": 1}}


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        (
            '{ products(filter: {sku: {eq: "x"}}) { items { sku } }',
            "Syntax Error: Expected Name, found <EOF>",
            55,
        ),
        ("", "Syntax Error: Unexpected <EOF>", 1),
        ("{ products }}", "Syntax Error: Unexpected }", 13),
    ],
)
def test_syntax_errors_are_500(api: Api, query: str, message: str, column: int) -> None:
    """A document that does not parse is rejected before execution: HTTP 500 on 2.4.7, with the
    parser's file and line in developer mode (the line depends on the webonyx release)."""
    response = api.graphql(query)
    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert (error["message"], error["locations"]) == (message, [{"line": 1, "column": column}])
    assert error["extensions"]["file"].endswith(PARSER)
    assert isinstance(error["extensions"]["line"], int)


def test_unknown_field_is_a_validation_error(api: Api) -> None:
    """A field the schema lacks: HTTP 200, one error, no data."""
    response = api.graphql(
        '{ products(filter: {sku: {eq: "IR-SKU-001"}}) { items { nosuchfield } } }'
    )
    assert response.status_code == 200
    assert response.json() == {
        "errors": [
            {
                "message": 'Cannot query field "nosuchfield" on type "ProductInterface".',
                "locations": [{"line": 1, "column": 57}],
            }
        ]
    }


def test_unknown_store_header(api: Api) -> None:
    """An unknown Store header is refused before execution: 500, category graphql-input."""
    response = api.graphql(PRODUCTS, {"skus": ["IR-SKU-001"]}, store="nostore")
    assert response.status_code == 500
    (error,) = response.json()["errors"]
    assert error["message"] == "Requested store is not found (nostore)"
    assert error["extensions"]["category"] == "graphql-input"
    assert error["extensions"]["file"].endswith("/HttpRequestValidator/StoreValidator.php")


def test_generate_customer_token(api: Api) -> None:
    """generateCustomerToken: a JWT for the right password, a graphql-authentication error (HTTP
    200 on 2.4.7) for a wrong login."""
    mutation = (
        "mutation($e: String!, $p: String!) "
        "{ generateCustomerToken(email: $e, password: $p) { token } }"
    )
    good = data_of(
        api.graphql(mutation, {"e": "ir.customer05@example.com", "p": CUSTOMER_PASSWORD})
    )
    assert good["generateCustomerToken"]["token"].count(".") == 2
    bad = api.graphql(mutation, {"e": NOBODY_EMAIL, "p": "wrong-Passw0rd"})
    assert bad.status_code == 200
    assert bad.json() == {
        "errors": [
            {
                "message": "The account sign-in was incorrect or your account is disabled "
                "temporarily. Please wait and try again later.",
                "locations": [{"line": 1, "column": 38}],
                "path": ["generateCustomerToken"],
                "extensions": {"category": "graphql-authentication"},
            }
        ],
        "data": {"generateCustomerToken": None},
    }


def test_revoke_customer_token_needs_a_customer(api: Api) -> None:
    """revokeCustomerToken without a customer token: graphql-authorization error."""
    response = api.graphql("mutation { revokeCustomerToken { result } }")
    assert response.status_code == 200
    (error,) = response.json()["errors"]
    assert (error["message"], error["extensions"]) == (
        "The current customer isn't authorized.",
        {"category": "graphql-authorization"},
    )
