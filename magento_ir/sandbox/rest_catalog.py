"""Catalog routes: products get/list/save/delete and website links, with store-view scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import columns
from magento_ir.sandbox.errors import WebapiError, integer_param
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.search import search_response
from magento_ir.sandbox.state import ADMIN_STORE_ID, StoreState, magento_time

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["routes", "serialize_product"]

routes = RouteTable()
ACL = "Magento_Catalog::products"
PRODUCT_FIELDS = frozenset(
    {
        "id",
        "sku",
        "name",
        "attribute_set_id",
        "price",
        "status",
        "visibility",
        "type_id",
        "created_at",
        "updated_at",
        "weight",
        "extension_attributes",
        "product_links",
        "options",
        "media_gallery_entries",
        "tier_prices",
        "custom_attributes",
    }
)
# Attributes a save through a store view writes as that store's override (store-view/website scope).
STORE_SCOPED = ("name", "status")
_NOT_FOUND = "The product that was requested doesn't exist. Verify the product and try again."


def _stock_item(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "item_id": row["id"],
        "product_id": row["id"],
        "stock_id": 1,
        "qty": row["qty"],
        "is_in_stock": row["qty"] > 0,
        "is_qty_decimal": False,
        "show_default_notification_message": False,
        "use_config_min_qty": True,
        "min_qty": 0,
        "use_config_min_sale_qty": 1,
        "min_sale_qty": 1,
        "use_config_max_sale_qty": True,
        "max_sale_qty": 10000,
        "use_config_backorders": True,
        "backorders": 0,
        "use_config_notify_stock_qty": True,
        "notify_stock_qty": 1,
        "use_config_qty_increments": True,
        "qty_increments": 0,
        "use_config_enable_qty_inc": True,
        "enable_qty_increments": False,
        "use_config_manage_stock": True,
        "manage_stock": True,
        "low_stock_date": None,
        "is_decimal_divided": False,
        "stock_status_changed_auto": 0,
    }


def effective_row(state: StoreState, row: dict[str, Any], store_id: int) -> dict[str, Any]:
    """The product as a store view sees it: its overrides over the store-0 values."""
    if store_id == ADMIN_STORE_ID:
        return row
    override = state.product_store_values.get((row["id"], store_id))
    return {**row, **override} if override else row


def serialize_product(row: dict[str, Any], shape: str) -> dict[str, Any]:
    """`shape`: "get" (single GET), "list" (getList item) or "save" (PUT/POST answer)."""
    product: dict[str, Any] = {
        "id": row["id"],
        "sku": row["sku"],
        "name": row["name"],
        "attribute_set_id": row["attribute_set_id"],
        "price": row["price"],
        "status": row["status"],
        "visibility": row["visibility"],
        "type_id": row["type_id"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if row.get("weight") is not None and row["type_id"] != "configurable":
        product["weight"] = row["weight"]
    extension: dict[str, Any] = {"website_ids": list(row["website_ids"])}
    if shape != "list":
        extension["stock_item"] = _stock_item(row)
    product["extension_attributes"] = extension
    if shape != "save":
        product["product_links"] = []
    product["options"] = []
    product["media_gallery_entries"] = []
    if shape != "save":
        product["tier_prices"] = []
    product["custom_attributes"] = [
        {"attribute_code": "options_container", "value": "container2"},
        {"attribute_code": "url_key", "value": row["url_key"]},
        {"attribute_code": "msrp_display_actual_price_type", "value": "0"},
        {"attribute_code": "required_options", "value": row["required_options"]},
        {"attribute_code": "has_options", "value": row["has_options"]},
        {"attribute_code": "tax_class_id", "value": "2"},
        {"attribute_code": "category_ids", "value": list(row["category_ids"])},
    ]
    return product


def _product_value(row: dict[str, Any], field: str) -> JsonValue:
    if field == "entity_id":
        return row["id"]
    if field == "website_id":
        return row["website_ids"]
    if field == "category_id":
        return row["category_ids"]
    return row.get(field)


def _store_id(call: Call) -> int:
    raw = call.query.get("storeId")
    if not isinstance(raw, str):
        return call.store.id
    store_id = integer_param(raw)
    if store_id not in call.state.stores:
        raise WebapiError(
            400, "The store that was requested wasn't found. Verify the store and try again."
        )
    return store_id


def find_product(state: StoreState, sku: str) -> dict[str, Any]:
    product_id = state.product_id_for_sku(sku)
    row = state.products.get(product_id) if product_id is not None else None
    if row is None:
        raise WebapiError(404, _NOT_FOUND)
    return row


@routes.rest("GET", "/V1/products", acl=ACL, search=True)
def list_products(call: Call) -> JsonValue:
    state, store_id = call.state, call.store.id

    def rows() -> JsonValue:
        return (effective_row(state, row, store_id) for row in state.products.rows())

    def fetch(product_id: int) -> dict[str, Any] | None:
        row = state.products.get(product_id)
        return None if row is None else effective_row(state, row, store_id)

    return search_response(
        query=call.query,
        config_value=state.config_value,
        rows=rows,
        count=lambda: len(state.products),
        value_of=_product_value,
        serialize=lambda row: serialize_product(row, "list"),
        window=lambda start, stop: (
            effective_row(state, row, store_id) for row in state.products.rows_between(start, stop)
        ),
        keyed=state.products.keyed_access(
            frozenset({"id", "entity_id"}),
            columns.PRODUCT.names,
            fetch=fetch,
            overlay=lambda: state.products.overlay().union(
                product_id for product_id, store in state.product_store_values if store == store_id
            ),
            unlocked=call.sandbox.unlocked,
        ),
        columns=columns.PRODUCT,
    )


@routes.rest("GET", "/V1/products/:sku", acl=ACL)
def get_product(call: Call) -> JsonValue:
    row = find_product(call.state, call.params["sku"])
    return serialize_product(effective_row(call.state, row, _store_id(call)), "get")


def _save(call: Call, sku: str, data: dict[str, Any]) -> dict[str, Any]:
    state, store_id = call.state, call.store.id
    product_id = state.product_id_for_sku(sku)
    existing = state.products.get(product_id) if product_id is not None else None
    now = magento_time(call.now)
    if existing is None:
        for field in ("name", "price", "attribute_set_id"):
            if field not in data:
                raise WebapiError(
                    400,
                    'The "%1" attribute value is empty. Set the attribute and try again.',
                    [field],
                )
        product_id = state.products.next_id()
        existing = {
            "id": product_id,
            "sku": sku,
            "name": "",
            "attribute_set_id": 4,
            "price": 0,
            "status": 1,
            "visibility": 4,
            "type_id": "simple",
            "created_at": now,
            "updated_at": now,
            "weight": None,
            "website_ids": [1],
            "url_key": str(data.get("name", sku)).lower().replace(" ", "-"),
            "qty": 0,
            "has_options": "0",
            "required_options": "0",
            "category_ids": [],
        }
        state.sku_index[sku] = product_id
        store_id = ADMIN_STORE_ID  # a new product's values are its defaults
    assert product_id is not None  # noqa: S101 - narrowed above for mypy
    row = dict(existing)
    overrides = dict(state.product_store_values.get((product_id, store_id), {}))
    for field in ("name", "price", "status", "visibility", "type_id", "weight", "attribute_set_id"):
        if field not in data:
            continue
        value = data[field]
        if field == "status" and str(value) not in ("1", "2"):
            raise WebapiError(
                400,
                'Invalid value of "%value" provided for the %fieldName field.',
                {"fieldName": "status", "value": value},
            )
        if field in ("status", "visibility", "attribute_set_id"):
            value = int(value)
        if field in STORE_SCOPED and store_id != ADMIN_STORE_ID:
            overrides[field] = value
        else:
            row[field] = value
    _apply_extension_attributes(row, data.get("extension_attributes"))
    row["updated_at"] = now
    state.products.put(product_id, row)
    if overrides:
        state.product_store_values[(product_id, store_id)] = overrides
    return serialize_product(effective_row(state, row, store_id), "save")


def _apply_extension_attributes(row: dict[str, Any], extension: JsonValue) -> None:
    """Website assignment and stock quantity saved with the product, as Magento's plugins do."""
    if not isinstance(extension, dict):
        return
    websites = extension.get("website_ids")
    if isinstance(websites, list):
        row["website_ids"] = [int(item) for item in websites if str(item).isdigit()]
    stock = extension.get("stock_item")
    if isinstance(stock, dict) and isinstance(stock.get("qty"), int | float):
        row["qty"] = stock["qty"]


@routes.rest(
    "PUT",
    "/V1/products/:sku",
    acl=ACL,
    body={"product": PRODUCT_FIELDS, "saveOptions": None},
    required=("product",),
    put_binds="product.sku",
)
def put_product(call: Call) -> JsonValue:
    return _save(call, call.params["sku"], call.body["product"])


@routes.rest(
    "POST",
    "/V1/products",
    acl=ACL,
    body={"product": PRODUCT_FIELDS, "saveOptions": None},
    required=("product",),
)
def post_product(call: Call) -> JsonValue:
    sku = call.body["product"].get("sku")
    if not isinstance(sku, str) or not sku:
        raise WebapiError(
            400, 'The "%1" attribute value is empty. Set the attribute and try again.', ["sku"]
        )
    return _save(call, sku, call.body["product"])


@routes.rest("DELETE", "/V1/products/:sku", acl=ACL)
def delete_product(call: Call) -> JsonValue:
    row = find_product(call.state, call.params["sku"])
    call.state.products.delete(row["id"])
    for key in [key for key in call.state.product_store_values if key[0] == row["id"]]:
        del call.state.product_store_values[key]
    return True


@routes.rest(
    "POST",
    "/V1/products/:sku/websites",
    acl=ACL,
    body={"productWebsiteLink": frozenset({"sku", "website_id"})},
    required=("productWebsiteLink",),
)
def link_website(call: Call) -> JsonValue:
    link = call.body["productWebsiteLink"]
    row = find_product(call.state, str(link.get("sku", "")))
    website_id = int(link.get("website_id", 0))
    if website_id not in call.state.websites or website_id == 0:
        raise WebapiError(400, "The website is not available. Verify the website and try again.")
    websites = sorted({*row["website_ids"], website_id})
    call.state.products.put(row["id"], {**row, "website_ids": websites})
    return True


@routes.rest("DELETE", "/V1/products/:sku/websites/:websiteId", acl=ACL)
def unlink_website(call: Call) -> JsonValue:
    row = find_product(call.state, call.params["sku"])
    website = call.params["websiteId"]
    remaining = [item for item in row["website_ids"] if str(item) != website]
    call.state.products.put(row["id"], {**row, "website_ids": remaining})
    return True
