"""Every recording from the real Magento 2.4.7 store, replayed through both clients."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from magento_ir import (
    AuthenticationError,
    BadRequestError,
    BearerToken,
    GraphQLError,
    MagentoIRError,
    NotFoundError,
    OAuth1Credentials,
    SearchCriteria,
)
from magento_ir.models import (
    CmsBlock,
    CmsPage,
    Customer,
    Module,
    Order,
    Product,
    SearchResult,
    StoreConfig,
    Transaction,
    Website,
)
from tests.client._support import CLIENT_KINDS, call, close, load_recording, make_client
from tests.conftest import RECORDINGS_DIR

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.auth import Auth

ADMIN = BearerToken("admin-token")
CUSTOMER = BearerToken("customer-token")
SHA1_INTEGRATION = OAuth1Credentials("c" * 32, "cs", "t" * 32, "ts", signature_method="HMAC-SHA1")
# camelCase and snake_case searchCriteria keys are the same to Magento (magento-api.md §4.1).
_SYNONYMS = {"sortOrders": "sort_orders", "filterGroups": "filter_groups"}


@dataclass(frozen=True)
class Scenario:
    """How to reproduce one recording with the client, and what must come out."""

    action: Callable[[Any], Any]
    auth: Auth | None = ADMIN
    result: Callable[[Any], None] | None = None
    error: type[MagentoIRError] | None = None
    message: str | None = None
    check_body: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _page(model: type[Any], count: int, total: int) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, SearchResult)
        assert len(result.items) == count
        assert all(isinstance(item, model) for item in result.items)
        assert result.total_count == total

    return check


def _is(model: type[Any], **expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert isinstance(result, model)
        for name, value in expected.items():
            assert getattr(result, name) == value

    return check


def _equals(expected: Any) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert result == expected

    return check


def _list_of(model: type[Any], count: int) -> Callable[[Any], None]:
    def check(result: Any) -> None:
        assert len(result) == count
        assert all(isinstance(item, model) for item in result)

    return check


def _graphql_products(result: Any) -> None:
    assert result["products"]["total_count"] == 2
    assert {item["sku"] for item in result["products"]["items"]} == {"IR-SKU-001", "IR-SKU-030"}


REQUIRED = '"%s" is required. Enter and try again.'
NO_ROUTE = "Request does not match any route."
SIGN_IN = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)
NOT_AUTHORIZED = "The consumer isn't authorized to access Magento_Catalog::products."
GRAPHQL_QUERY = (
    '{ products(filter:{sku:{in:["IR-SKU-001","IR-SKU-030"]}}) { total_count items { sku name } } }'
)

SCENARIOS: dict[str, Scenario] = {
    "admin_revoke_customer_token_route_as_admin": Scenario(
        lambda c: c.tokens.revoke_own_customer_token(),
        error=BadRequestError,
        message=REQUIRED % "customerId",
    ),
    "auth_admin_token_bad_password": Scenario(
        lambda c: c.tokens.admin("admin", "wrong-password-1"),
        auth=None,
        error=AuthenticationError,
        message=SIGN_IN,
    ),
    "auth_admin_token_ok": Scenario(
        lambda c: c.tokens.admin("admin", "Admin123!local"),
        auth=None,
        result=_equals(load_recording("auth_admin_token_ok")["response"]["body"]),
    ),
    "auth_bad_token": Scenario(
        lambda c: c.products.retrieve("IR-SKU-001"),
        auth=BearerToken("garbage"),
        error=AuthenticationError,
        message=NOT_AUTHORIZED,
    ),
    "auth_customer_token_ok": Scenario(
        lambda c: c.tokens.customer("ir.customer01@example.com", "Customer123!local"),
        auth=None,
        result=_equals(load_recording("auth_customer_token_ok")["response"]["body"]),
    ),
    "auth_no_token": Scenario(
        lambda c: c.products.retrieve("IR-SKU-001"),
        auth=None,
        error=AuthenticationError,
        message=NOT_AUTHORIZED,
    ),
    "cms_block_search": Scenario(
        lambda c: c.cms_blocks.list(SearchCriteria().page(10)), result=_page(CmsBlock, 1, 1)
    ),
    "cms_block_search_page_past_end": Scenario(
        lambda c: c.cms_blocks.list(SearchCriteria().page(1, 50)), result=_page(CmsBlock, 0, 1)
    ),
    "cms_page_search": Scenario(
        lambda c: c.cms_pages.list(SearchCriteria().page(3)), result=_page(CmsPage, 3, 4)
    ),
    "customer_me_ok": Scenario(
        lambda c: c.customers.me(),
        auth=CUSTOMER,
        result=_is(Customer, email="ir.customer01@example.com"),
    ),
    "customer_password_reset_email": Scenario(
        lambda c: c.customers.send_password_reset("ir.customer02@example.com", website_id=1),
        result=_equals(True),  # noqa: FBT003 - Magento's bare true
    ),
    "customer_revoke_own_token": Scenario(
        lambda c: c.tokens.revoke_own_customer_token(),
        auth=CUSTOMER,
        result=_equals(True),  # noqa: FBT003 - Magento's bare true
    ),
    "customer_search_email": Scenario(
        lambda c: c.customers.list(
            SearchCriteria().where("email", "like", "ir.customer0%@example.com").page(3)
        ),
        result=_page(Customer, 3, 9),
    ),
    "customer_search_page_past_end": Scenario(
        lambda c: c.customers.list(SearchCriteria().page(5, 50)), result=_page(Customer, 0, 12)
    ),
    "err_customer_not_found": Scenario(
        lambda c: c.customers.retrieve(999999),
        error=NotFoundError,
        message="No such entity with customerId = 999999",
    ),
    "err_malformed_json": Scenario(
        # The client cannot send broken JSON; the point is how the 400 is reported.
        lambda c: c.request("POST", "/V1/products", json={"product": {"sku": "x"}}),
        error=BadRequestError,
        check_body=False,
    ),
    "err_method_not_allowed": Scenario(
        lambda c: c.request("DELETE", "/V1/store/storeConfigs"),
        error=NotFoundError,
        message=NO_ROUTE,
    ),
    "err_pagesize_over_limit": Scenario(
        lambda c: c.products.list(SearchCriteria().page(100000)), result=_page(Product, 33, 33)
    ),
    "err_product_not_found": Scenario(
        lambda c: c.products.retrieve("NO-SUCH-SKU"),
        error=NotFoundError,
        message="The product that was requested doesn't exist. Verify the product and try again.",
    ),
    "err_route_not_found": Scenario(
        lambda c: c.request("GET", "/V1/no-such-route"), error=NotFoundError, message=NO_ROUTE
    ),
    "graphql_products_by_sku": Scenario(
        lambda c: c.graphql.execute(GRAPHQL_QUERY), auth=None, result=_graphql_products
    ),
    "graphql_syntax_error": Scenario(
        lambda c: c.graphql.execute("{ products(filter: }"),
        auth=None,
        error=GraphQLError,
        message="GraphQL error: Syntax Error: Unexpected }",
    ),
    "modules_list": Scenario(lambda c: c.modules.list(), result=_list_of(Module, 353)),
    "oauth1_hmac_sha1_rejected": Scenario(
        lambda c: c.products.retrieve("IR-SKU-001"),
        auth=SHA1_INTEGRATION,
        error=BadRequestError,
        message="Signature method HMAC-SHA1 is not supported",
    ),
    "order_hold": Scenario(lambda c: c.orders.hold(1), result=_equals(True)),  # noqa: FBT003
    "order_unhold": Scenario(lambda c: c.orders.unhold(1), result=_equals(True)),  # noqa: FBT003
    "orders_get": Scenario(
        lambda c: c.orders.retrieve(1), result=_is(Order, entity_id=1, state="new")
    ),
    "orders_search": Scenario(
        lambda c: c.orders.list(SearchCriteria().page(5)), result=_page(Order, 1, 1)
    ),
    "product_disable_all_scope": Scenario(
        lambda c: c.with_store("all").products.update("IR-SKU-030", {"status": 2}),
        result=_is(Product, sku="IR-SKU-030", status=2),
    ),
    "product_enable_all_scope": Scenario(
        lambda c: c.with_store("all").products.update("IR-SKU-030", {"status": 1}),
        result=_is(Product, sku="IR-SKU-030", status=1),
    ),
    "product_get": Scenario(
        lambda c: c.products.retrieve("IR-SKU-001"), result=_is(Product, sku="IR-SKU-001")
    ),
    "product_search_no_criteria": Scenario(
        lambda c: c.request("GET", "/V1/products"),
        error=BadRequestError,
        message=REQUIRED % "searchCriteria",
    ),
    "product_search_page": Scenario(
        lambda c: c.products.list(SearchCriteria().order_by("sku", "ASC").page(5, 2)),
        result=_page(Product, 5, 33),
    ),
    "product_search_page_past_end": Scenario(
        lambda c: c.products.list(SearchCriteria().page(20, 99)), result=_page(Product, 0, 33)
    ),
    "store_configs": Scenario(lambda c: c.store.configs(), result=_list_of(StoreConfig, 1)),
    "store_websites": Scenario(lambda c: c.store.websites(), result=_list_of(Website, 2)),
    "transactions_search": Scenario(
        lambda c: c.transactions.list(SearchCriteria().page(5)), result=_page(Transaction, 0, 0)
    ),
}


def _normalise(query: dict[str, str]) -> dict[str, str]:
    normalised = {}
    for key, value in query.items():
        name = key
        for camel, snake in _SYNONYMS.items():
            name = name.replace(f"[{camel}]", f"[{snake}]")
        normalised[name] = value
    return normalised


def _replay(
    recording: dict[str, Any], scenario: Scenario
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler that checks the request against the recording and answers as Magento did."""
    expected = recording["request"]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == expected["method"]
        assert request.url.path == expected["path"]
        assert _normalise(dict(request.url.params)) == _normalise(expected["query"])
        authorization = request.headers.get("Authorization", "")
        if expected["auth"] == "none":
            assert not authorization
        elif expected["auth"] == "bearer":
            assert authorization.startswith("Bearer ")
        else:
            assert 'oauth_signature_method="HMAC-SHA1"' in authorization
        if scenario.check_body:
            sent = json.loads(request.content) if request.content else None
            assert sent == expected["body"]
        response = recording["response"]
        return httpx.Response(
            response["status"],
            headers=response["headers"],
            content=json.dumps(response["body"]).encode(),
        )

    return handler


def test_every_recording_has_a_scenario() -> None:
    """A new recording in the reference directory cannot go unreplayed."""
    names = {path.stem for path in RECORDINGS_DIR.glob("*.json")}
    assert names == set(SCENARIOS)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_recording_replays(kind: str, name: str) -> None:
    """The client sends the recorded request and turns Magento's answer into the right value."""
    recording = load_recording(name)
    scenario = SCENARIOS[name]
    client = make_client(kind, _replay(recording, scenario), auth=scenario.auth)
    try:
        if scenario.error is None:
            result = await call(scenario.action(client))
            assert scenario.result is not None
            scenario.result(result)
        else:
            with pytest.raises(scenario.error) as caught:
                await call(scenario.action(client))
            if scenario.message is not None:
                assert caught.value.message == scenario.message  # type: ignore[attr-defined]
    finally:
        await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_malformed_json_keeps_magentos_developer_message(kind: str) -> None:
    """The developer-mode 400 keeps Magento's whole message, stack trace included, untouched."""
    recording = load_recording("err_malformed_json")
    scenario = SCENARIOS["err_malformed_json"]
    client = make_client(kind, _replay(recording, scenario), auth=ADMIN)
    with pytest.raises(BadRequestError) as caught:
        await call(scenario.action(client))
    await close(client)
    assert caught.value.message == recording["response"]["body"]["message"]
    assert caught.value.message.startswith("Decoding error: \nUnable to unserialize value.")
    assert caught.value.status_code == 400


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_authorization_error_keeps_template_and_parameters(kind: str) -> None:
    """A 401 keeps the raw template and `parameters.resources` beside the rendered message."""
    recording = load_recording("auth_bad_token")
    scenario = SCENARIOS["auth_bad_token"]
    client = make_client(kind, _replay(recording, scenario), auth=scenario.auth)
    with pytest.raises(AuthenticationError) as caught:
        await call(scenario.action(client))
    await close(client)
    error = caught.value
    assert error.raw_message == "The consumer isn't authorized to access %resources."
    assert error.parameters == {"resources": "Magento_Catalog::products"}
    assert str(error) == ("HTTP 401 from GET /rest/V1/products/IR-SKU-001: " + NOT_AUTHORIZED)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_graphql_error_carries_errors_list(kind: str) -> None:
    """A GraphQL 500 with errors[] raises GraphQLError carrying every error and the status."""
    recording = load_recording("graphql_syntax_error")
    scenario = SCENARIOS["graphql_syntax_error"]
    client = make_client(kind, _replay(recording, scenario), auth=None)
    with pytest.raises(GraphQLError) as caught:
        await call(scenario.action(client))
    await close(client)
    assert caught.value.status_code == 500
    assert caught.value.errors == recording["response"]["body"]["errors"]
