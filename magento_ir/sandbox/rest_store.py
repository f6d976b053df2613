"""Store inventory routes: store configs, websites, store views and groups, modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir.sandbox.routing import Call, RouteTable
from magento_ir.sandbox.state import ADMIN_STORE_ID

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["routes"]

routes = RouteTable()
_STORE = "Magento_Backend::store"


def _static_version(base: str) -> str:
    return f"{base}static/version1795338947/"


@routes.rest("GET", "/V1/store/storeConfigs", acl=_STORE)
def store_configs(call: Call) -> JsonValue:
    wanted = call.query.get("storeCodes")
    codes = set(wanted.values()) if isinstance(wanted, dict) else None
    state = call.state
    result = []
    for store in state.stores.values():
        if store.id == ADMIN_STORE_ID or (codes is not None and store.code not in codes):
            continue
        unsecure = state.config_value("web/unsecure/base_url", store.id) or ""
        secure = state.config_value("web/secure/base_url", store.id) or ""
        result.append(
            {
                "id": store.id,
                "code": store.code,
                "website_id": store.website_id,
                "locale": state.config_value("general/locale/code", store.id),
                "base_currency_code": state.config_value("currency/options/base", store.id),
                "default_display_currency_code": state.config_value(
                    "currency/options/default", store.id
                ),
                "timezone": state.config_value("general/locale/timezone", store.id),
                "weight_unit": state.config_value("general/locale/weight_unit", store.id),
                "base_url": unsecure,
                "base_link_url": unsecure,
                "base_static_url": _static_version(unsecure),
                "base_media_url": f"{unsecure}media/",
                "secure_base_url": secure,
                "secure_base_link_url": secure,
                "secure_base_static_url": _static_version(secure),
                "secure_base_media_url": f"{secure}media/",
            }
        )
    return result


@routes.rest("GET", "/V1/store/websites", acl=_STORE)
def websites(call: Call) -> JsonValue:
    return [
        {
            "id": site.id,
            "code": site.code,
            "name": site.name,
            "default_group_id": site.default_group_id,
        }
        for site in call.state.websites.values()
    ]


@routes.rest("GET", "/V1/store/storeViews", acl=_STORE)
def store_views(call: Call) -> JsonValue:
    return [
        {
            "id": store.id,
            "code": store.code,
            "name": store.name,
            "website_id": store.website_id,
            "store_group_id": store.store_group_id,
            "is_active": store.is_active,
        }
        # Magento lists the store views first and the admin store last.
        for store in sorted(call.state.stores.values(), key=lambda store: store.id == 0)
    ]


@routes.rest("GET", "/V1/store/storeGroups", acl=_STORE)
def store_groups(call: Call) -> JsonValue:
    return [
        {
            "id": group.id,
            "website_id": group.website_id,
            "root_category_id": group.root_category_id,
            "default_store_id": group.default_store_id,
            "name": group.name,
            "code": group.code,
        }
        for group in call.state.groups.values()
    ]


@routes.rest("GET", "/V1/modules", acl="Magento_Backend::admin")
def modules(call: Call) -> JsonValue:
    return list(call.state.modules)
