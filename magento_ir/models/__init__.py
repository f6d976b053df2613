"""Pydantic models of Magento entities, typed from what Magento 2.4.7 really sends.

Every model is frozen and keeps unknown fields (`extra="allow"`): stores add attributes. Dates are
aware UTC datetimes in Python and Magento's "YYYY-MM-DD HH:MM:SS" again in JSON dumps; a dump
contains only the keys that were given, so `model_dump(mode="json")` reproduces Magento's JSON.
See docs/models.md.
"""

from magento_ir.models._base import MagentoModel
from magento_ir.models._custom_attributes import CustomAttribute
from magento_ir.models.bulk import (
    BulkOperation,
    BulkOperationStatus,
    BulkRequestItem,
    BulkRequestResult,
    BulkStatus,
)
from magento_ir.models.catalog import (
    Product,
    ProductExtensionAttributes,
    ProductStatus,
    ProductVisibility,
    StockItem,
)
from magento_ir.models.cms import CmsBlock, CmsPage
from magento_ir.models.customer import Customer, CustomerAddress, CustomerAddressRegion
from magento_ir.models.sales import (
    Invoice,
    InvoiceItem,
    Order,
    OrderAddress,
    OrderExtensionAttributes,
    OrderItem,
    OrderPayment,
    OrderShipping,
    OrderShippingAssignment,
    OrderStatusHistory,
    PaymentAdditionalInfo,
    Transaction,
)
from magento_ir.models.search import (
    FilterEcho,
    FilterGroupEcho,
    SearchCriteriaEcho,
    SearchResult,
    SortOrderEcho,
)
from magento_ir.models.store import Module, StoreConfig, StoreGroup, StoreView, Website

__all__ = [
    "BulkOperation",
    "BulkOperationStatus",
    "BulkRequestItem",
    "BulkRequestResult",
    "BulkStatus",
    "CmsBlock",
    "CmsPage",
    "CustomAttribute",
    "Customer",
    "CustomerAddress",
    "CustomerAddressRegion",
    "FilterEcho",
    "FilterGroupEcho",
    "Invoice",
    "InvoiceItem",
    "MagentoModel",
    "Module",
    "Order",
    "OrderAddress",
    "OrderExtensionAttributes",
    "OrderItem",
    "OrderPayment",
    "OrderShipping",
    "OrderShippingAssignment",
    "OrderStatusHistory",
    "PaymentAdditionalInfo",
    "Product",
    "ProductExtensionAttributes",
    "ProductStatus",
    "ProductVisibility",
    "SearchCriteriaEcho",
    "SearchResult",
    "SortOrderEcho",
    "StockItem",
    "StoreConfig",
    "StoreGroup",
    "StoreView",
    "Transaction",
    "Website",
]
