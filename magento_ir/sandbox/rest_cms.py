"""CMS routes: blocks and pages (search, get, save, delete)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox import columns
from magento_ir.sandbox.errors import WebapiError, integer_param
from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.search import Columns, KeyedAccess, search_response
from magento_ir.sandbox.state import ADMIN_STORE_ID, EntityTable, StoreState, magento_time

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["routes"]

routes = RouteTable()
# Output order of PageInterface getters; null values are omitted (nullable getters).
_PAGE_ORDER = (
    "id",
    "identifier",
    "title",
    "page_layout",
    "meta_title",
    "meta_keywords",
    "meta_description",
    "content_heading",
    "content",
    "creation_time",
    "update_time",
    "sort_order",
    "layout_update_xml",
    "custom_theme",
    "custom_root_template",
    "custom_layout_update_xml",
    "custom_theme_from",
    "custom_theme_to",
    "active",
)
_BLOCK_ORDER = ("id", "identifier", "title", "content", "creation_time", "update_time", "active")
# The fields a PUT body may carry: exactly the data interfaces' getters.
BLOCK_FIELDS = frozenset(_BLOCK_ORDER)
PAGE_FIELDS = frozenset(_PAGE_ORDER)


def _serialize(row: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {key: row[key] for key in order if row.get(key) is not None}


def _block_missing(block_id: object) -> WebapiError:
    return WebapiError(404, 'The CMS block with the "%1" ID doesn\'t exist.', [block_id])


def _page_missing(page_id: object) -> WebapiError:
    return WebapiError(404, 'The CMS page with the "%1" ID doesn\'t exist.', [page_id])


def find_block(state: StoreState, block_id: str) -> dict[str, Any]:
    """By numeric id or by identifier, as BlockRepository::getById accepts both."""
    if block_id.isdigit():
        row = state.cms_blocks.get(int(block_id))
        if row is not None:
            return row
    for row in state.cms_blocks.rows():
        if row["identifier"].casefold() == block_id.casefold():  # MySQL's collation
            return row
    raise _block_missing(block_id)


def _value(row: dict[str, Any], field: str) -> JsonValue:
    if field in ("block_id", "page_id"):
        return row["id"]
    if field == "is_active":
        return int(row["active"])
    return row.get(field)


def _search(call: Call, table: EntityTable, order: tuple[str, ...], known: Columns) -> JsonValue:
    return search_response(
        query=call.query,
        config_value=call.state.config_value,
        rows=table.rows,
        count=lambda: len(table),
        value_of=_value,
        serialize=lambda row: _serialize(row, order),
        window=table.rows_between,
        keyed=KeyedAccess(frozenset({"id", "block_id", "page_id"}), table.ids_range, table.get),
        columns=known,
    )


@routes.rest("GET", "/V1/cmsBlock/search", acl="Magento_Cms::block", search=True)
def search_blocks(call: Call) -> JsonValue:
    return _search(call, call.state.cms_blocks, _BLOCK_ORDER, columns.CMS_BLOCK)


@routes.rest("GET", "/V1/cmsBlock/:blockId", acl="Magento_Cms::block")
def get_block(call: Call) -> JsonValue:
    return _serialize(find_block(call.state, call.params["blockId"]), _BLOCK_ORDER)


def _merge(
    existing: dict[str, Any] | None, data: dict[str, Any], entity_id: int, now: float
) -> dict[str, Any]:
    row = dict(existing or {"creation_time": magento_time(now), "active": True})
    for key, value in data.items():
        if key not in ("id", "creation_time", "update_time"):
            row[key] = bool(value) if key == "active" else value
    row["id"] = entity_id
    row["update_time"] = magento_time(now)
    return row


def _save_block(call: Call, data: dict[str, Any], block_id: int | None) -> JsonValue:
    state = call.state
    existing = state.cms_blocks.get(block_id) if block_id is not None else None
    if block_id is not None and existing is None:
        raise _block_missing(block_id)
    if existing is None and not data.get("identifier"):
        raise WebapiError(400, 'The "%1" value is required.', ["identifier"])
    entity_id = block_id if block_id is not None else state.cms_blocks.next_id()
    row = _merge(existing, data, entity_id, call.now)
    state.cms_blocks.put(entity_id, row)
    # BlockRepository::save assigns the block to the current store only (admin = all stores).
    state.cms_block_stores[entity_id] = [call.store.id if call.store.id != ADMIN_STORE_ID else 0]
    return _serialize(row, _BLOCK_ORDER)


@routes.rest(
    "PUT",
    "/V1/cmsBlock/:id",
    acl="Magento_Cms::block",
    body={"block": BLOCK_FIELDS},
    required=("block",),
    put_binds="block.id",
)
def put_block(call: Call) -> JsonValue:
    return _save_block(call, call.body["block"], integer_param(call.params["id"]))


@routes.rest(
    "POST",
    "/V1/cmsBlock",
    acl="Magento_Cms::block",
    body={"block": BLOCK_FIELDS},
    required=("block",),
)
def post_block(call: Call) -> JsonValue:
    raw_id = call.body["block"].get("id")
    return _save_block(call, call.body["block"], None if raw_id is None else int(raw_id))


@routes.rest("DELETE", "/V1/cmsBlock/:blockId", acl="Magento_Cms::block")
def delete_block(call: Call) -> JsonValue:
    row = find_block(call.state, call.params["blockId"])
    call.state.cms_blocks.delete(row["id"])
    call.state.cms_block_stores.pop(row["id"], None)
    return True


@routes.rest("GET", "/V1/cmsPage/search", acl="Magento_Cms::page", search=True)
def search_pages(call: Call) -> JsonValue:
    return _search(call, call.state.cms_pages, _PAGE_ORDER, columns.CMS_PAGE)


@routes.rest("GET", "/V1/cmsPage/:pageId", acl="Magento_Cms::page")
def get_page(call: Call) -> JsonValue:
    page_id = integer_param(call.params["pageId"])
    row = call.state.cms_pages.get(page_id)
    if row is None:
        raise _page_missing(page_id)
    return _serialize(row, _PAGE_ORDER)


@routes.rest(
    "PUT",
    "/V1/cmsPage/:id",
    acl="Magento_Cms::save",
    body={"page": PAGE_FIELDS},
    required=("page",),
    put_binds="page.id",
)
def put_page(call: Call) -> JsonValue:
    page_id = integer_param(call.params["id"])
    existing = call.state.cms_pages.get(page_id)
    if existing is None:
        raise _page_missing(page_id)
    data = dict(call.body["page"])
    if not data.get("identifier"):
        # A page saved without its identifier gets one made from its title (the URL changes).
        data["identifier"] = _url_key(str(data.get("title", existing["title"])))
    if data["identifier"] != existing["identifier"]:
        _check_reserved(call.state, existing["identifier"])
    row = _merge(existing, data, page_id, call.now)
    call.state.cms_pages.put(page_id, row)
    return _serialize(row, _PAGE_ORDER)


# Pages the store's configuration points at: Page::beforeSave refuses to change their identifier.
_RESERVED_PAGES = (
    ("web/default/cms_no_route", "CMS No Route Page"),
    ("web/default/cms_home_page", "CMS Home Page"),
    ("web/default/cms_no_cookies", "CMS No Cookies Page"),
)
_RESERVED_DEFAULTS = {
    "web/default/cms_no_route": "no-route",
    "web/default/cms_home_page": "home",
    "web/default/cms_no_cookies": "enable-cookies",
}


def _check_reserved(state: StoreState, identifier: str) -> None:
    for path, name in _RESERVED_PAGES:
        configured = state.config_value(path, ADMIN_STORE_ID) or _RESERVED_DEFAULTS[path]
        if identifier == configured:
            raise WebapiError(
                400,
                "Could not save the page: %1",
                [f'This identifier is reserved for "{name}" in configuration.'],
            )


def _url_key(title: str) -> str:
    """FilterManager::translitUrl for ASCII titles: lower case, other runs become one `-`."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


@routes.rest("DELETE", "/V1/cmsPage/:pageId", acl="Magento_Cms::page_delete")
def delete_page(call: Call) -> JsonValue:
    page_id = integer_param(call.params["pageId"])
    if call.state.cms_pages.get(page_id) is None:
        raise _page_missing(page_id)
    call.state.cms_pages.delete(page_id)
    call.state.cms_page_stores.pop(page_id, None)
    return True
