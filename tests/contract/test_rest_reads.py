"""The read routes the SDK wraps: shapes of products, customers, orders, CMS, store structure and
modules, their 404s and their type errors."""

from __future__ import annotations

import re

import pytest

from tests.contract.conftest import EMAILS, Api, criteria_params, error_of

PRODUCT_KEYS = {
    "attribute_set_id", "created_at", "custom_attributes", "extension_attributes", "id",
    "media_gallery_entries", "name", "options", "price", "product_links", "sku", "status",
    "tier_prices", "type_id", "updated_at", "visibility", "weight",
}  # fmt: skip
STOCK_ITEM_KEYS = {
    "backorders", "enable_qty_increments", "is_decimal_divided", "is_in_stock",
    "is_qty_decimal", "item_id", "low_stock_date", "manage_stock", "max_sale_qty", "min_qty",
    "min_sale_qty", "notify_stock_qty", "product_id", "qty", "qty_increments",
    "show_default_notification_message", "stock_id", "stock_status_changed_auto",
    "use_config_backorders", "use_config_enable_qty_inc", "use_config_manage_stock",
    "use_config_max_sale_qty", "use_config_min_qty", "use_config_min_sale_qty",
    "use_config_notify_stock_qty", "use_config_qty_increments",
}  # fmt: skip
CUSTOMER_KEYS = {
    "addresses", "created_at", "created_in", "disable_auto_group_change", "email",
    "extension_attributes", "firstname", "group_id", "id", "lastname", "store_id",
    "updated_at", "website_id",
}  # fmt: skip
ORDER_KEYS = {
    "base_currency_code", "base_discount_amount", "base_discount_tax_compensation_amount",
    "base_grand_total", "base_shipping_amount", "base_shipping_discount_amount",
    "base_shipping_discount_tax_compensation_amnt", "base_shipping_incl_tax",
    "base_shipping_tax_amount", "base_subtotal", "base_subtotal_incl_tax", "base_tax_amount",
    "base_to_global_rate", "base_to_order_rate", "base_total_due", "billing_address",
    "billing_address_id", "created_at", "customer_email", "customer_firstname",
    "customer_group_id", "customer_is_guest", "customer_lastname", "customer_note_notify",
    "discount_amount", "discount_tax_compensation_amount", "entity_id", "extension_attributes",
    "global_currency_code", "grand_total", "increment_id", "is_virtual", "items",
    "order_currency_code", "payment", "protect_code", "quote_id", "remote_ip",
    "shipping_amount", "shipping_description", "shipping_discount_amount",
    "shipping_discount_tax_compensation_amount", "shipping_incl_tax", "shipping_tax_amount",
    "state", "status", "status_histories", "store_currency_code", "store_id", "store_name",
    "store_to_base_rate", "store_to_order_rate", "subtotal", "subtotal_incl_tax", "tax_amount",
    "total_due", "total_item_count", "total_qty_ordered", "updated_at", "weight",
}  # fmt: skip
PAYMENT_KEYS = {
    "account_status", "additional_information", "amount_ordered", "base_amount_ordered",
    "base_shipping_amount", "cc_last4", "entity_id", "method", "parent_id", "shipping_amount",
}  # fmt: skip
ADDRESS_KEYS = {
    "address_type", "city", "country_id", "email", "entity_id", "firstname", "lastname",
    "parent_id", "postcode", "region", "region_code", "region_id", "street", "telephone",
}  # fmt: skip
ORDER_EXTENSION_KEYS = {
    "additional_itemized_taxes", "applied_taxes", "converting_from_quote",
    "item_applied_taxes", "payment_additional_info", "shipping_assignments", "taxes",
}  # fmt: skip
BLOCK_KEYS = {"active", "content", "creation_time", "id", "identifier", "title", "update_time"}
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


def test_product(api: Api) -> None:
    """GET /V1/products/:sku: the full product with its stock item and custom attributes."""
    product = api.get("/V1/products/IR-SKU-007").json()
    assert set(product) == PRODUCT_KEYS
    assert set(product["extension_attributes"]) == {"stock_item", "website_ids"}
    assert set(product["extension_attributes"]["stock_item"]) == STOCK_ITEM_KEYS
    assert [a["attribute_code"] for a in product["custom_attributes"]] == [
        "options_container", "url_key", "msrp_display_actual_price_type", "required_options",
        "has_options", "tax_class_id", "category_ids",
    ]  # fmt: skip
    expected = {
        "sku": "IR-SKU-007", "name": "Incident Test Product 7", "price": 17, "status": 1,
        "visibility": 4, "type_id": "simple", "weight": 1, "attribute_set_id": 4,
        "options": [], "product_links": [], "media_gallery_entries": [], "tier_prices": [],
    }  # fmt: skip
    assert {key: product[key] for key in expected} == expected
    assert product["extension_attributes"]["website_ids"] == [1]
    assert product["extension_attributes"]["stock_item"]["qty"] == 100
    assert DATE.match(product["created_at"])


def test_product_list_items_are_lighter(api: Api) -> None:
    """getList items carry website_ids but no stock item."""
    item = api.search("/V1/products", [("sku", "IR-SKU-007", "eq")])["items"][0]
    assert set(item) == PRODUCT_KEYS
    assert item["extension_attributes"] == {"website_ids": [1]}


@pytest.mark.parametrize("store_id", ["0", "1"])
def test_product_at_a_store_view(api: Api, store_id: str) -> None:
    """`storeId` reads one store view's values (0 is the admin store)."""
    assert api.get("/V1/products/IR-SKU-001", params={"storeId": store_id}).json()["sku"] == (
        "IR-SKU-001"
    )


@pytest.mark.parametrize("store_id", ["99", "-1"])
def test_product_at_an_unknown_store_view(api: Api, store_id: str) -> None:
    """An unknown `storeId` is a 400."""
    assert error_of(api.get("/V1/products/IR-SKU-001", params={"storeId": store_id})) == (
        400,
        {"message": "The store that was requested wasn't found. Verify the store and try again."},
    )


def test_product_not_found(api: Api) -> None:
    """An unknown SKU is a 404 without parameters."""
    assert error_of(api.get("/V1/products/NO-SUCH-SKU")) == (
        404,
        {
            "message": "The product that was requested doesn't exist. Verify the product and try "
            "again."
        },
    )


def test_customer(api: Api) -> None:
    """GET /V1/customers/:id: the seeded customer."""
    customer_id = api.customer_id(EMAILS[1])
    customer = api.get(f"/V1/customers/{customer_id}").json()
    assert set(customer) == CUSTOMER_KEYS
    expected = {
        "id": customer_id, "email": EMAILS[1], "firstname": "Ir2", "lastname": "Customer",
        "group_id": 1, "website_id": 1, "store_id": 1, "created_in": "Default Store View",
        "addresses": [], "disable_auto_group_change": 0,
        "extension_attributes": {"is_subscribed": False},
    }  # fmt: skip
    assert {key: customer[key] for key in expected} == expected


def test_customer_not_found(api: Api) -> None:
    """An unknown id is a 404 naming the field and the (numeric) value."""
    assert error_of(api.get("/V1/customers/999999")) == (
        404,
        {
            "message": "No such entity with %fieldName = %fieldValue",
            "parameters": {"fieldName": "customerId", "fieldValue": 999999},
        },
    )


@pytest.mark.parametrize("path", ["/V1/customers/abc", "/V1/orders/abc", "/V1/cmsPage/abc"])
def test_non_numeric_id_is_a_rendered_type_error(api: Api, path: str) -> None:
    """An `int` placeholder given text: 400, the value rendered into the message."""
    assert error_of(api.get(path)) == (
        400,
        {
            "message": 'The "abc" value\'s type is invalid. The "int" type was expected. Verify '
            "and try again."
        },
    )


def test_order(api: Api) -> None:
    """GET /V1/orders/:id: the seeded check/money-order order (a guest order on the real store;
    the sandbox's order 1 belongs to a customer, hence customer_id)."""
    order = api.get("/V1/orders/1").json()
    assert set(order) - {"customer_id"} == ORDER_KEYS
    assert set(order["payment"]) == PAYMENT_KEYS
    assert set(order["billing_address"]) == ADDRESS_KEYS
    assert set(order["extension_attributes"]) == ORDER_EXTENSION_KEYS
    assigned = order["extension_attributes"]["shipping_assignments"][0]
    assert (set(assigned), set(assigned["shipping"])) == (
        {"items", "shipping"},
        {"address", "method", "total"},
    )
    expected = {"entity_id": 1, "increment_id": "000000001", "state": "new", "status": "pending"}
    assert {key: order[key] for key in expected} == expected
    assert order["payment"]["method"] == "checkmo"
    assert order["payment"]["cc_last4"] is None  # nullable getters that are not: null, not absent
    assert order["status_histories"] == []


def test_order_status(api: Api) -> None:
    """GET /V1/orders/:id/statuses: the bare status string."""
    assert api.get("/V1/orders/1/statuses").json() == "pending"


@pytest.mark.parametrize(
    "path", ["/V1/orders/999999", "/V1/transactions/999999", "/V1/invoices/999999"]
)
def test_sales_entity_not_found(api: Api, path: str) -> None:
    """Unknown orders, transactions and invoices: the generic entity 404."""
    assert error_of(api.get(path)) == (
        404,
        {
            "message": "The entity that was requested doesn't exist. Verify the entity and try "
            "again."
        },
    )


@pytest.mark.parametrize("block", ["footer-promo", "FOOTER-PROMO"])
def test_cms_block_by_identifier_and_id(api: Api, block: str) -> None:
    """GET /V1/cmsBlock/:blockId takes the identifier (any case) or the numeric id."""
    by_identifier = api.get(f"/V1/cmsBlock/{block}").json()
    assert set(by_identifier) == BLOCK_KEYS
    assert by_identifier["identifier"] == "footer-promo"
    assert by_identifier["active"] is True
    assert "<script src=" in by_identifier["content"]
    assert api.get(f"/V1/cmsBlock/{by_identifier['id']}").json() == by_identifier


@pytest.mark.parametrize(("path", "missing"), [
    ("/V1/cmsBlock/999999", "999999"),
    ("/V1/cmsBlock/no-such-block", "no-such-block"),
])  # fmt: skip
def test_cms_block_not_found(api: Api, path: str, missing: str) -> None:
    """An unknown block: 404 with the id as positional parameter."""
    assert error_of(api.get(path)) == (
        404,
        {"message": 'The CMS block with the "%1" ID doesn\'t exist.', "parameters": [missing]},
    )


def test_cms_page(api: Api) -> None:
    """GET /V1/cmsPage/:id: the install's home page (sort_order is a string)."""
    page = api.get("/V1/cmsPage/2").json()
    assert set(page) == {
        "active", "content", "content_heading", "creation_time", "id", "identifier",
        "layout_update_xml", "page_layout", "sort_order", "title", "update_time",
    }  # fmt: skip
    expected = {"id": 2, "identifier": "home", "title": "Home page", "sort_order": "0"}
    assert {key: page[key] for key in expected} == expected


def test_cms_page_not_found(api: Api) -> None:
    """An unknown page: 404 with the id."""
    assert error_of(api.get("/V1/cmsPage/999999")) == (
        404,
        {"message": 'The CMS page with the "%1" ID doesn\'t exist.', "parameters": [999999]},
    )


def test_store_structure(api: Api) -> None:
    """Websites, groups and views of a default install, views default-first."""
    assert api.get("/V1/store/websites").json() == [
        {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
        {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
    ]
    assert api.get("/V1/store/storeGroups").json() == [
        {"id": 0, "website_id": 0, "root_category_id": 0, "default_store_id": 0,
         "name": "Default", "code": "default"},
        {"id": 1, "website_id": 1, "root_category_id": 2, "default_store_id": 1,
         "name": "Main Website Store", "code": "main_website_store"},
    ]  # fmt: skip
    assert api.get("/V1/store/storeViews").json() == [
        {"id": 1, "code": "default", "name": "Default Store View", "website_id": 1,
         "store_group_id": 1, "is_active": 1},
        {"id": 0, "code": "admin", "name": "Admin", "website_id": 0, "store_group_id": 0,
         "is_active": 1},
    ]  # fmt: skip


@pytest.mark.parametrize("codes", [None, {"storeCodes[0]": "default"}])
def test_store_configs(api: Api, codes: dict[str, str] | None) -> None:
    """GET /V1/store/storeConfigs: one entry per store view (admin excluded), URLs on the store."""
    configs = api.get("/V1/store/storeConfigs", params=codes).json()
    assert [config["code"] for config in configs] == ["default"]
    config = configs[0]
    assert set(config) == {
        "base_currency_code", "base_link_url", "base_media_url", "base_static_url", "base_url",
        "code", "default_display_currency_code", "id", "locale", "secure_base_link_url",
        "secure_base_media_url", "secure_base_static_url", "secure_base_url", "timezone",
        "website_id", "weight_unit",
    }  # fmt: skip
    assert (config["locale"], config["base_currency_code"], config["weight_unit"]) == (
        "en_US", "USD", "lbs",
    )  # fmt: skip
    assert re.fullmatch(r".*/static/version\d+/", config["base_static_url"])
    assert config["base_media_url"] == config["base_url"] + "media/"


def test_store_configs_of_an_unknown_code(api: Api) -> None:
    """An unknown store code is simply not listed."""
    assert api.get("/V1/store/storeConfigs", params={"storeCodes[0]": "nostore"}).json() == []


def test_modules(api: Api) -> None:
    """GET /V1/modules: the enabled modules in load order, the companion module right after the
    core ones. (Third-party modules are the install's own: see docs/sandbox.md.)"""
    modules = api.get("/V1/modules").json()
    core = [name for name in modules if name.startswith("Magento_")]
    assert core[:4] == [
        "Magento_Store", "Magento_Config", "Magento_AdminAnalytics", "Magento_Directory",
    ]  # fmt: skip
    assert len(core) == len(set(core)) == 347
    assert "Magento_TwoFactorAuth" not in modules  # disabled on the test store
    assert modules[modules.index(core[-1]) + 1] == "MagentoIr_IncidentResponse"
    assert "Swissup_SearchMysqlLegacy" in modules


def test_fields_filter_answers_an_empty_page_with_null_items(api: Api) -> None:
    """`?fields=items[entity_id],total_count` on a page with no match: `"items": null` (Magento's
    FieldsFilter starts from null), a found order: its id only."""
    fields = "items[entity_id],search_criteria,total_count"
    params = criteria_params([("increment_id", "no-such-order", "eq")], page_size=1)
    empty = api.get("/V1/orders", params={**params, "fields": fields}).json()
    assert (empty["items"], empty["total_count"]) == (None, 0)
    params = criteria_params([("entity_id", 1, "eq")], page_size=1)
    found = api.get("/V1/orders", params={**params, "fields": fields}).json()
    assert (found["items"], found["total_count"]) == ([{"entity_id": 1}], 1)
