"""Every entity or search-result body recorded from Magento 2.4.7 parses into the right model."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.models import (
    CmsBlock,
    CmsPage,
    Customer,
    Module,
    Order,
    Product,
    ProductStatus,
    ProductVisibility,
    SearchResult,
    StockItem,
    StoreConfig,
    Transaction,
    Website,
)
from tests.conftest import RECORDINGS_DIR

if TYPE_CHECKING:
    from pydantic import BaseModel


def recorded_body(name: str) -> Any:
    recording = json.loads((RECORDINGS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return recording["response"]["body"]


def canonical(value: Any) -> str:
    # Sorted-key JSON text: tells 40 from 40.0 and true from 1, which == on dicts does not.
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


SINGLE_ENTITIES: list[tuple[str, type[BaseModel]]] = [
    ("product_get", Product),
    ("product_disable_all_scope", Product),
    ("product_enable_all_scope", Product),
    ("customer_me_ok", Customer),
    ("orders_get", Order),
]

SEARCH_RESULTS: list[tuple[str, type[BaseModel]]] = [
    ("product_search_page", Product),
    ("product_search_page_past_end", Product),
    ("err_pagesize_over_limit", Product),
    ("customer_search_email", Customer),
    ("customer_search_page_past_end", Customer),
    ("orders_search", Order),
    ("transactions_search", Transaction),
    ("cms_block_search", CmsBlock),
    ("cms_block_search_page_past_end", CmsBlock),
    ("cms_page_search", CmsPage),
]

LISTS: list[tuple[str, type[BaseModel]]] = [
    ("store_configs", StoreConfig),
    ("store_websites", Website),
]


ROUND_TRIPS = SINGLE_ENTITIES + [(name, SearchResult[item]) for name, item in SEARCH_RESULTS]


@pytest.mark.parametrize(("name", "model"), ROUND_TRIPS)
def test_recorded_body_round_trips_exactly(name: str, model: type[BaseModel]) -> None:
    """Parsing a recorded body and dumping it as JSON gives back Magento's JSON, key for key."""
    body = recorded_body(name)
    parsed = model.model_validate(body)
    assert canonical(parsed.model_dump(mode="json")) == canonical(body)
    assert canonical(json.loads(parsed.model_dump_json())) == canonical(body)


@pytest.mark.parametrize(("name", "model"), LISTS)
def test_recorded_list_round_trips_exactly(name: str, model: type[BaseModel]) -> None:
    """Store routes answer bare JSON arrays; each element parses and dumps back unchanged."""
    body = recorded_body(name)
    parsed = [model.model_validate(element) for element in body]
    assert canonical([element.model_dump(mode="json") for element in parsed]) == canonical(body)


@pytest.mark.parametrize(("name", "item_model"), SEARCH_RESULTS)
def test_search_result_items_have_the_item_model(name: str, item_model: type[BaseModel]) -> None:
    """`SearchResult[T]` validates every item into T, not into a dict."""
    body = recorded_body(name)
    page = SearchResult[item_model].model_validate(body)
    assert len(page.items) == len(body["items"])
    assert all(type(item) is item_model for item in page.items)
    assert page.total_count == body["total_count"]


def test_product_get_values() -> None:
    """A single product carries its stock item, typed codes, UTC dates and custom attributes."""
    product = Product.model_validate(recorded_body("product_get"))
    assert product.sku == "IR-SKU-001"
    assert product.id == 4
    assert product.price == 11
    assert type(product.price) is int
    assert product.status is ProductStatus.ENABLED
    assert product.visibility is ProductVisibility.CATALOG_AND_SEARCH
    assert product.created_at == datetime(2026, 11, 22, 9, 21, 0, tzinfo=UTC)
    assert product.custom_attribute("url_key") == "incident-test-product-1"
    assert product.custom_attribute("category_ids") == []
    assert product.custom_attribute("tax_class_id") == "2"
    assert product.custom_attribute("no_such_attribute") is None
    assert product.custom_attributes_dict["options_container"] == "container2"
    assert len(product.custom_attributes_dict) == 7
    assert product.extension_attributes is not None
    assert product.extension_attributes.website_ids == [1]
    stock = product.extension_attributes.stock_item
    assert isinstance(stock, StockItem)
    assert stock.qty == 100
    assert stock.is_in_stock is True
    assert stock.use_config_min_sale_qty == 1
    assert type(stock.use_config_min_sale_qty) is int
    assert stock.low_stock_date is None
    assert "low_stock_date" in stock.model_fields_set


def test_product_put_response_is_disabled_and_lacks_links() -> None:
    """The PUT at /rest/all answer has status 2 and no product_links / tier_prices keys."""
    product = Product.model_validate(recorded_body("product_disable_all_scope"))
    assert product.status is ProductStatus.DISABLED
    assert product.sku == "IR-SKU-030"
    assert product.product_links is None
    assert "product_links" not in product.model_dump(mode="json")
    assert product.updated_at == datetime(2026, 11, 22, 9, 27, 6, tzinfo=UTC)


def test_product_list_items_have_only_website_ids() -> None:
    """List items' extension_attributes carry `website_ids` but no stock item."""
    page = SearchResult[Product].model_validate(recorded_body("product_search_page"))
    assert [product.sku for product in page.items] == [f"IR-SKU-{n:03d}" for n in range(6, 11)]
    assert all(p.extension_attributes is not None for p in page.items)
    assert all(p.extension_attributes.stock_item is None for p in page.items)
    assert page.total_count == 33
    criteria = page.search_criteria
    assert criteria.filter_groups == []
    assert criteria.page_size == 5
    assert criteria.current_page == 2
    assert criteria.sort_orders is not None
    assert [(order.field, order.direction) for order in criteria.sort_orders] == [("sku", "ASC")]


def test_customer_search_counts_before_paging() -> None:
    """customer_search_email: 3 items, total_count 9, and the like-filter echoed exactly."""
    page = SearchResult[Customer].model_validate(recorded_body("customer_search_email"))
    assert page.total_count == 9
    assert len(page.items) == 3
    assert [customer.email for customer in page.items] == [
        "ir.customer01@example.com",
        "ir.customer02@example.com",
        "ir.customer03@example.com",
    ]
    (group,) = page.search_criteria.filter_groups
    (only_filter,) = group.filters
    assert only_filter.field == "email"
    assert only_filter.value == "ir.customer0%@example.com"
    assert only_filter.condition_type == "like"
    assert page.search_criteria.current_page is None


def test_customer_me_values() -> None:
    """The customer object has an empty address list and extension attributes kept as sent."""
    customer = Customer.model_validate(recorded_body("customer_me_ok"))
    assert customer.id == 3
    assert customer.email == "ir.customer01@example.com"
    assert customer.addresses == []
    assert customer.extension_attributes == {"is_subscribed": False}
    assert customer.updated_at == datetime(2026, 11, 22, 9, 21, 26, tzinfo=UTC)
    assert customer.custom_attributes is None


def test_order_values() -> None:
    """The order's payment, nulls, addresses, items and extension attributes are typed right."""
    order = Order.model_validate(recorded_body("orders_get"))
    assert order.entity_id == 1
    assert order.increment_id == "000000001"
    assert (order.state, order.status) == ("new", "pending")
    assert order.grand_total == 49.98
    assert order.customer_is_guest == 0
    assert order.remote_ip == "127.0.0.1"
    assert order.payment is not None
    assert order.payment.method == "checkmo"
    assert order.payment.cc_last4 is None
    assert order.payment.account_status is None
    assert order.payment.additional_information == ["Check / Money order"]
    assert order.status_histories == []
    assert order.items is not None
    assert order.items[0].sku == "TEST-SKU-1"
    assert order.items[0].qty_ordered == 2
    assert order.billing_address is not None
    assert order.billing_address.street == ["1 Main St"]
    assert order.shipping_address is not None
    assert order.shipping_address.address_type == "shipping"
    assert order.extension_attributes is not None
    info = order.extension_attributes.payment_additional_info
    assert info is not None
    assert [(entry.key, entry.value) for entry in info] == [("method_title", "Check / Money order")]
    assert order.extension_attributes.model_extra is not None
    assert order.extension_attributes.model_extra["converting_from_quote"] is False


def test_order_search_items_match_the_single_order() -> None:
    """List items of /V1/orders are the same objects as GET /V1/orders/:id."""
    page = SearchResult[Order].model_validate(recorded_body("orders_search"))
    single = Order.model_validate(recorded_body("orders_get"))
    assert page.items == [single]


def test_transactions_page_is_empty() -> None:
    """An offline-payment store has no transactions: empty items, total_count 0."""
    page = SearchResult[Transaction].model_validate(recorded_body("transactions_search"))
    assert page.items == []
    assert page.total_count == 0


def test_cms_block_keeps_injected_script() -> None:
    """Block content is kept verbatim, external script included; `active` is a bool."""
    page = SearchResult[CmsBlock].model_validate(recorded_body("cms_block_search"))
    (block,) = page.items
    assert block.identifier == "footer-promo"
    assert block.content is not None
    skimmer = '<script src="https://cdn-analytics.example.net/jquery.min.js"></script>'
    assert block.content.endswith(skimmer)
    assert block.active is True
    assert block.creation_time == datetime(2026, 11, 22, 9, 21, 20, tzinfo=UTC)


def test_cms_page_sort_order_stays_a_string() -> None:
    """CMS page `sort_order` is the string "0", as Magento sends it; 3 of total_count 4."""
    page = SearchResult[CmsPage].model_validate(recorded_body("cms_page_search"))
    assert page.total_count == 4
    assert len(page.items) == 3
    assert [p.sort_order for p in page.items] == ["0", "0", "0"]
    assert page.items[1].identifier == "home"
    assert page.items[1].layout_update_xml is not None
    assert page.items[0].layout_update_xml is None


def test_store_configs_values() -> None:
    """Store configs carry the base URLs a tamper check compares against."""
    (config,) = [StoreConfig.model_validate(c) for c in recorded_body("store_configs")]
    assert config.code == "default"
    assert config.base_url == "http://127.0.0.1:8080/"
    assert config.secure_base_media_url == "http://127.0.0.1:8080/media/"
    assert config.timezone == "UTC"


def test_store_websites_include_admin() -> None:
    """The website list includes `admin` with id 0."""
    websites = [Website.model_validate(w) for w in recorded_body("store_websites")]
    assert [(w.id, w.code) for w in websites] == [(0, "admin"), (1, "base")]


def test_modules_list_builds_modules() -> None:
    """The JSON array of 353 names becomes Module objects in order; 2FA is absent."""
    names = recorded_body("modules_list")
    modules = Module.list_from_response(names)
    assert len(modules) == 353
    assert [module.name for module in modules] == names
    assert modules[0].name == "Magento_Store"
    assert "Magento_TwoFactorAuth" not in {module.name for module in modules}
    assert {"PayPal_Braintree", "Swissup_SearchMysqlLegacy"} <= {m.name for m in modules}
    assert modules[0].vendor == "Magento"


# Recordings whose body is not an entity: errors (the client's error mapping handles them), bare
# true / token answers, and GraphQL data (no REST model).
NOT_ENTITIES = {
    "admin_revoke_customer_token_route_as_admin": "400 error body",
    "auth_admin_token_bad_password": "401 error body",
    "auth_admin_token_ok": "bare JWT string",
    "auth_bad_token": "401 error body",
    "auth_customer_token_ok": "bare JWT string",
    "auth_no_token": "401 error body",
    "customer_password_reset_email": "bare true",
    "customer_revoke_own_token": "bare true",
    "err_customer_not_found": "404 error body",
    "err_malformed_json": "400 error body",
    "err_method_not_allowed": "404 error body",
    "err_product_not_found": "404 error body",
    "err_route_not_found": "404 error body",
    "graphql_products_by_sku": "GraphQL data",
    "graphql_syntax_error": "GraphQL errors",
    "oauth1_hmac_sha1_rejected": "400 error body",
    "order_hold": "bare true",
    "order_unhold": "bare true",
    "product_search_no_criteria": "400 error body",
}


def test_every_recording_is_parsed_or_explicitly_not_an_entity() -> None:
    """Each recording is covered by a model test above or listed as not an entity, never missed."""
    covered = {name for name, _ in SINGLE_ENTITIES + SEARCH_RESULTS + LISTS} | {"modules_list"}
    recorded = {path.stem for path in RECORDINGS_DIR.glob("*.json")}
    assert recorded == covered | set(NOT_ENTITIES)
    assert covered.isdisjoint(NOT_ENTITIES)
