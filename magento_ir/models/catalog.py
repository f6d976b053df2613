"""Catalog models: `Product` (`Magento\\Catalog\\Api\\Data\\ProductInterface`), stock item."""

from enum import IntEnum

from pydantic import Field

from magento_ir.models._base import JsonObject, MagentoDateTime, MagentoModel, Number
from magento_ir.models._custom_attributes import HasCustomAttributes

__all__ = [
    "Product",
    "ProductExtensionAttributes",
    "ProductStatus",
    "ProductVisibility",
    "StockItem",
]


class ProductStatus(IntEnum):
    """`status` codes (`Product\\Attribute\\Source\\Status`): disabled is 2, not 0."""

    ENABLED = 1
    DISABLED = 2


class ProductVisibility(IntEnum):
    """`visibility` codes (`Magento\\Catalog\\Model\\Product\\Visibility`)."""

    NOT_VISIBLE_INDIVIDUALLY = 1
    CATALOG = 2
    SEARCH = 3
    CATALOG_AND_SEARCH = 4


class StockItem(MagentoModel):
    """`extension_attributes.stock_item` of a single-product GET or PUT (absent from list items).

    Flags are typed as Magento serialises them: mostly booleans, but `use_config_min_sale_qty`,
    `backorders` and `stock_status_changed_auto` are integers on the wire.
    """

    item_id: int | None = None
    product_id: int | None = None
    stock_id: int | None = None
    qty: Number | None = None
    is_in_stock: bool | None = None
    is_qty_decimal: bool | None = None
    show_default_notification_message: bool | None = None
    use_config_min_qty: bool | None = None
    min_qty: Number | None = None
    use_config_min_sale_qty: int | None = None
    min_sale_qty: Number | None = None
    use_config_max_sale_qty: bool | None = None
    max_sale_qty: Number | None = None
    use_config_backorders: bool | None = None
    backorders: int | None = None
    use_config_notify_stock_qty: bool | None = None
    notify_stock_qty: Number | None = None
    use_config_qty_increments: bool | None = None
    qty_increments: Number | None = None
    use_config_enable_qty_inc: bool | None = None
    enable_qty_increments: bool | None = None
    use_config_manage_stock: bool | None = None
    manage_stock: bool | None = None
    low_stock_date: MagentoDateTime | None = None
    is_decimal_divided: bool | None = None
    stock_status_changed_auto: int | None = None


class ProductExtensionAttributes(MagentoModel):
    """`extension_attributes` of a product; list items carry only `website_ids`."""

    website_ids: list[int] | None = None
    stock_item: StockItem | None = None


class Product(HasCustomAttributes):
    """A catalog product.

    Only `sku` is required (`getSku()` is the one non-nullable getter). `status` and `visibility`
    become `ProductStatus` / `ProductVisibility` members when the code is a known one; a code a
    store's extension invented stays a plain int instead of failing the whole response.
    """

    id: int | None = None
    sku: str
    name: str | None = None
    attribute_set_id: int | None = None
    price: Number | None = None
    status: ProductStatus | int | None = Field(default=None, union_mode="left_to_right")
    visibility: ProductVisibility | int | None = Field(default=None, union_mode="left_to_right")
    type_id: str | None = None
    created_at: MagentoDateTime | None = None
    updated_at: MagentoDateTime | None = None
    weight: Number | None = None
    extension_attributes: ProductExtensionAttributes | None = None
    product_links: list[JsonObject] | None = None
    options: list[JsonObject] | None = None
    media_gallery_entries: list[JsonObject] | None = None
    tier_prices: list[JsonObject] | None = None
