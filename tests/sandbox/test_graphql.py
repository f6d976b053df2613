"""The sandbox's `/graphql`: products with search-index semantics, token mutations, errors."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.errors import SIGN_IN_INCORRECT
from magento_ir.sandbox.server import SandboxServer
from tests.sandbox import replay
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    from tests.sandbox.conftest import Clock

CUSTOMER = "ir.customer01@example.com"
PASSWORD = "Customer123!"
SKUS_QUERY = (
    "query($skus: [String]) { products(filter: {sku: {in: $skus}}) { total_count items { sku } } }"
)


def post(client: httpx.Client, query: str) -> httpx.Response:
    return client.post("/graphql", json={"query": query})


def skus(client: httpx.Client, wanted: list[str], store: str | None = None) -> list[str]:
    headers = {"Store": store} if store else {}
    response = client.post(
        "/graphql", json={"query": SKUS_QUERY, "variables": {"skus": wanted}}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [item["sku"] for item in response.json()["data"]["products"]["items"]]


def set_product(sandbox: Sandbox, sku: str, **values: Any) -> int:
    with sandbox.lock:
        state = sandbox.state
        product_id = state.product_id_for_sku(sku)
        assert product_id is not None
        row = dict(state.products.get(product_id) or {})
        row.update(values)
        state.products.put(product_id, row)
        return product_id


def test_products_by_sku_newest_first_with_page_info(anonymous: httpx.Client) -> None:
    """`products` returns matches newest entity first, with total_count and page_info."""
    query = '{ products(filter: {sku: {in: ["IR-SKU-001", "IR-SKU-002", "NOPE"]}}, pageSize: 1) { total_count items { sku name url_key stock_status } page_info { page_size current_page total_pages } } }'  # noqa: E501
    response = post(anonymous, query)
    assert response.headers["content-type"] == "application/json"
    products = response.json()["data"]["products"]
    assert products["total_count"] == 2
    assert [item["sku"] for item in products["items"]] == ["IR-SKU-002"]
    assert products["items"][0]["stock_status"] == "IN_STOCK"
    assert products["page_info"] == {"page_size": 1, "current_page": 1, "total_pages": 2}


def test_disabled_product_disappears(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    """A disabled product is absent from GraphQL results (the index holds enabled ones only)."""
    set_product(sandbox, "IR-SKU-001", status=2)
    assert skus(anonymous, ["IR-SKU-001", "IR-SKU-002"]) == ["IR-SKU-002"]


def test_store_view_override_counts_per_store() -> None:
    """A store-view status override hides the product on that store only (Store header)."""
    sandbox = Sandbox(store_views=2)
    product_id = set_product(sandbox, "IR-SKU-003")
    second = next(store for store in sandbox.state.stores.values() if store.id == 2)
    sandbox.state.product_store_values[(product_id, second.id)] = {"status": 2}
    with client_for(sandbox) as client:
        assert skus(client, ["IR-SKU-003"]) == ["IR-SKU-003"]
        assert skus(client, ["IR-SKU-003"], store=second.code) == []


def test_not_visible_not_in_website_or_out_of_stock_disappear(
    sandbox: Sandbox, anonymous: httpx.Client
) -> None:
    """Visibility 1 or 3, another website, or no stock keep a product out of filter results."""
    set_product(sandbox, "IR-SKU-001", visibility=1)
    set_product(sandbox, "IR-SKU-002", visibility=3)
    set_product(sandbox, "IR-SKU-003", website_ids=[2])
    set_product(sandbox, "IR-SKU-004", qty=0)
    wanted = ["IR-SKU-001", "IR-SKU-002", "IR-SKU-003", "IR-SKU-004", "IR-SKU-005"]
    assert skus(anonymous, wanted) == ["IR-SKU-005"]
    sandbox.state.set_config("cataloginventory/options/show_out_of_stock", "1")
    assert skus(anonymous, wanted) == ["IR-SKU-005", "IR-SKU-004"]


def test_get_queries_and_store_header(anonymous: httpx.Client) -> None:
    """GET serves queries; an unknown Store header is rejected before execution (500)."""
    query = '{ products(filter: {sku: {eq: "IR-SKU-001"}}) { total_count } }'
    response = anonymous.get("/graphql", params={"query": query})
    assert response.json() == {"data": {"products": {"total_count": 1}}}
    response = anonymous.post("/graphql", json={"query": query}, headers={"Store": "nowhere"})
    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "message": "Requested store is not found (nowhere)",
                "extensions": {"category": "graphql-input"},
            }
        ]
    }


def test_mutation_over_get_is_rejected(anonymous: httpx.Client) -> None:
    """Mutations need POST: over GET Magento 2.4.7 answers 500 before running them."""
    response = anonymous.get(
        "/graphql", params={"query": "mutation { revokeCustomerToken { result } }"}
    )
    assert response.status_code == 500
    assert response.json()["errors"][0]["message"] == (
        "Mutation requests allowed only for POST requests"
    )


@pytest.mark.parametrize(
    ("query", "message", "column"),
    [
        ("{ products(filter: }", "Syntax Error: Unexpected }", 20),
        ("{ products", "Syntax Error: Expected Name, found <EOF>", 11),
        ("{ products(filter: {sku 1}) }", 'Syntax Error: Expected :, found Int "1"', 25),
        ("", "Syntax Error: Unexpected <EOF>", 1),
    ],
)
def test_syntax_errors_in_webonyx_words(
    anonymous: httpx.Client, query: str, message: str, column: int
) -> None:
    """Syntax errors are 500 with graphql-php's wording and location (no extensions in prod)."""
    response = post(anonymous, query)
    assert response.status_code == 500
    assert response.json() == {
        "errors": [{"message": message, "locations": [{"line": 1, "column": column}]}]
    }


def test_validation_error_is_200_with_double_quotes(anonymous: httpx.Client) -> None:
    """An unknown field is a 200 with errors, names in double quotes as graphql-php writes."""
    response = post(anonymous, '{ products(filter: {sku: {eq: "A"}}) { nope } }')
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == 'Cannot query field "nope" on type "Products".'
    assert "data" not in response.json()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ("pageSize: 0, filter: {}", "pageSize value must be greater than 0."),
        ("currentPage: 0, filter: {}", "currentPage value must be greater than 0."),
        ("pageSize: 5", "'search' or 'filter' input argument is required."),
        (
            'filter: {sku: {eq: "IR-SKU-001"}}, currentPage: 3',
            "currentPage value 3 specified is greater than the 1 page(s) available.",
        ),
    ],
)
def test_products_input_errors(anonymous: httpx.Client, arguments: str, message: str) -> None:
    """Bad paging or no filter are graphql-input resolver errors with `data.products` null."""
    response = post(anonymous, f"{{ products({arguments}) {{ total_count }} }}")
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"category": "graphql-input"}
    assert body["errors"][0]["path"] == ["products"]
    assert body["data"] == {"products": None}


def test_search_term_uses_search_visibility(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    """A `search` term finds products visible in search (3, 4), not catalog-only ones (2)."""
    set_product(sandbox, "IR-SKU-001", visibility=2)
    set_product(sandbox, "IR-SKU-002", visibility=3)
    response = post(anonymous, '{ products(search: "IR-SKU-00") { items { sku } } }')
    found = [item["sku"] for item in response.json()["data"]["products"]["items"]]
    assert "IR-SKU-002" in found
    assert "IR-SKU-001" not in found


def test_generate_customer_token_and_use_it(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    """generateCustomerToken issues a JWT that REST accepts; revokeCustomerToken kills it."""
    mutation = 'mutation { generateCustomerToken(email: "%s", password: "%s") { token } }'
    response = post(anonymous, mutation % (CUSTOMER, PASSWORD))
    token = response.json()["data"]["generateCustomerToken"]["token"]
    with client_for(sandbox, token) as customer:
        assert customer.get("/rest/V1/customers/me").status_code == 200
        revoked = post(customer, "mutation { revokeCustomerToken { result } }")
        assert revoked.json() == {"data": {"revokeCustomerToken": {"result": True}}}
        assert customer.get("/rest/V1/customers/me").status_code == 401


def test_bad_password_is_authentication_error_and_throttled(
    anonymous: httpx.Client, clock: Clock
) -> None:
    """A wrong password is graphql-authentication (200); six failures lock the right one too."""
    mutation = 'mutation { generateCustomerToken(email: "%s", password: "%s") { token } }'
    for _ in range(6):
        body = post(anonymous, mutation % (CUSTOMER, "wrong")).json()
        assert body["errors"][0]["message"] == SIGN_IN_INCORRECT
        assert body["errors"][0]["extensions"] == {"category": "graphql-authentication"}
        assert body["data"] == {"generateCustomerToken": None}
    locked = post(anonymous, mutation % (CUSTOMER, PASSWORD)).json()
    assert locked["errors"][0]["extensions"]["category"] == "graphql-authentication"
    clock.advance(1801)
    assert (
        "token"
        in post(anonymous, mutation % (CUSTOMER, PASSWORD)).json()["data"]["generateCustomerToken"]
    )


def test_revoke_without_customer_is_authorization_error(admin: httpx.Client) -> None:
    """revokeCustomerToken with no customer token is graphql-authorization, status 200."""
    response = post(admin, "mutation { revokeCustomerToken { result } }")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert error["message"] == "The current customer isn't authorized."
    assert error["extensions"] == {"category": "graphql-authorization"}


def test_empty_email_is_input_error(anonymous: httpx.Client) -> None:
    """An empty email is rejected by the resolver before any lookup (graphql-input)."""
    body = post(
        anonymous, 'mutation { generateCustomerToken(email: " ", password: "x") { token } }'
    )
    assert body.json()["errors"][0]["message"] == 'Specify the "email" value.'


def test_unreadable_body_is_masked_500() -> None:
    """A body that is not JSON is an internal error; only developer mode says why."""
    for developer_mode, extensions in (
        (False, None),
        (True, {"debugMessage": "Unable to unserialize value. Error: Syntax error"}),
    ):
        sandbox = Sandbox(developer_mode=developer_mode)
        with client_for(sandbox) as client:
            response = client.post("/graphql", content=b"{nope")
        assert response.status_code == 500
        error = response.json()["errors"][0]
        assert error["message"] == "Internal server error"
        assert error.get("extensions") == extensions


def test_developer_mode_syntax_error_names_parser_site() -> None:
    """In developer mode a syntax error carries graphql-php's file and line, as recorded."""
    sandbox = Sandbox(developer_mode=True)
    with client_for(sandbox) as client:
        response = client.post("/graphql", json={"query": "{ products"})
    extensions = response.json()["errors"][0]["extensions"]
    assert extensions["file"].endswith("/webonyx/graphql-php/src/Language/Parser.php")
    assert extensions["line"] == 394


def test_without_graphql_core_the_endpoint_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, anonymous: httpx.Client
) -> None:
    """With graphql-core missing the sandbox still starts; /graphql names the extra to install."""
    monkeypatch.setitem(sys.modules, "graphql", None)
    monkeypatch.delitem(sys.modules, "magento_ir.sandbox.graphql_engine", raising=False)
    response = anonymous.post("/graphql", json={"query": "{ products { total_count } }"})
    assert response.status_code == 500
    assert 'pip install \\"magento-ir[sandbox]\\"' in response.text


def test_out_of_stock_shown_when_configured(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    """With show_out_of_stock on, a product without stock is listed as OUT_OF_STOCK."""
    set_product(sandbox, "IR-SKU-004", qty=0)
    sandbox.state.set_config("cataloginventory/options/show_out_of_stock", "1")
    query = '{ products(filter: {sku: {eq: "IR-SKU-004"}}) { items { stock_status } } }'
    items = post(anonymous, query).json()["data"]["products"]["items"]
    assert items == [{"stock_status": "OUT_OF_STOCK"}]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "{ products(filter: {}, bogus: 1) { total_count } }",
            'Unknown argument "bogus" on field "products" of type "Query".',
        ),
        (
            "{ products(filter: {}) { items { sku { x } } } }",
            'Field "sku" of type "String" must not have a sub selection.',
        ),
        (
            "{ products(filter: {}) { items } }",
            'Field "items" of type "[ProductInterface]" must have a sub selection.',
        ),
        (
            'mutation { generateCustomerToken(password: "x") { token } }',
            (
                'Field "generateCustomerToken" argument "email" of type "String!" is required but '
                "not provided."
            ),
        ),
        (
            "query($a: Int) { products(pageSize: $b) { total_count } }",
            'Variable "$b" is not defined.',
        ),
        (
            "{ products(filter: {}) { itemz { sku } } }",
            'Cannot query field "itemz" on type "Products". Did you mean "items"?',
        ),
    ],
)
def test_validation_messages_in_graphql_php_words(
    anonymous: httpx.Client, query: str, message: str
) -> None:
    """graphql-core's validation sentences are re-worded as graphql-php 15 writes them."""
    assert post(anonymous, query).json()["errors"][0]["message"] == message


@pytest.mark.parametrize("name", ["graphql_products_by_sku", "graphql_syntax_error"])
def test_recordings_replay_over_real_http(name: str) -> None:
    """Served on loopback, /graphql answers both 2.4.7 recordings exactly."""
    sandbox = replay.reference_sandbox()
    with SandboxServer(sandbox) as server, httpx.Client(base_url=server.base_url) as client:
        replay.replay(client, sandbox, name)
