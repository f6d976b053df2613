"""Sales models: orders (`Magento\\Sales\\Api\\Data\\OrderInterface` and parts), payment
transactions and invoices.

`OrderInterface` has 137 fields; the ones typed here are those an incident responder reads (and
every one the recorded 2.4.7 order carries). Everything else a store sends is kept as an extra
field. Amounts are `int | float` exactly as sent; Magento's 0/1 flags (`customer_is_guest`,
`is_virtual`) are ints on the wire and stay ints.
"""

from pydantic import JsonValue

from magento_ir.models._base import JsonObject, MagentoDateTime, MagentoModel, Number

__all__ = [
    "Invoice",
    "InvoiceItem",
    "Order",
    "OrderAddress",
    "OrderExtensionAttributes",
    "OrderItem",
    "OrderPayment",
    "OrderShipping",
    "OrderShippingAssignment",
    "OrderStatusHistory",
    "PaymentAdditionalInfo",
    "Transaction",
]


class OrderItem(MagentoModel):
    """One ordered line (`OrderItemInterface`)."""

    amount_refunded: Number | None = None
    base_amount_refunded: Number | None = None
    base_discount_amount: Number | None = None
    base_discount_invoiced: Number | None = None
    base_discount_tax_compensation_amount: Number | None = None
    base_original_price: Number | None = None
    base_price: Number | None = None
    base_price_incl_tax: Number | None = None
    base_row_invoiced: Number | None = None
    base_row_total: Number | None = None
    base_row_total_incl_tax: Number | None = None
    base_tax_amount: Number | None = None
    base_tax_invoiced: Number | None = None
    created_at: MagentoDateTime | None = None
    discount_amount: Number | None = None
    discount_invoiced: Number | None = None
    discount_percent: Number | None = None
    free_shipping: int | None = None
    discount_tax_compensation_amount: Number | None = None
    is_qty_decimal: int | None = None
    is_virtual: int | None = None
    item_id: int | None = None
    name: str | None = None
    no_discount: int | None = None
    order_id: int | None = None
    original_price: Number | None = None
    parent_item_id: int | None = None
    price: Number | None = None
    price_incl_tax: Number | None = None
    product_id: int | None = None
    product_type: str | None = None
    qty_canceled: Number | None = None
    qty_invoiced: Number | None = None
    qty_ordered: Number | None = None
    qty_refunded: Number | None = None
    qty_shipped: Number | None = None
    quote_item_id: int | None = None
    row_invoiced: Number | None = None
    row_total: Number | None = None
    row_total_incl_tax: Number | None = None
    row_weight: Number | None = None
    sku: str | None = None
    store_id: int | None = None
    tax_amount: Number | None = None
    tax_invoiced: Number | None = None
    tax_percent: Number | None = None
    updated_at: MagentoDateTime | None = None
    weight: Number | None = None
    extension_attributes: dict[str, JsonValue] | None = None


class OrderAddress(MagentoModel):
    """A billing or shipping address of an order (`OrderAddressInterface`)."""

    address_type: str | None = None
    city: str | None = None
    company: str | None = None
    country_id: str | None = None
    customer_address_id: int | None = None
    customer_id: int | None = None
    email: str | None = None
    entity_id: int | None = None
    fax: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    middlename: str | None = None
    parent_id: int | None = None
    postcode: str | None = None
    prefix: str | None = None
    region: str | None = None
    region_code: str | None = None
    region_id: int | None = None
    street: list[str] | None = None
    suffix: str | None = None
    telephone: str | None = None
    vat_id: str | None = None


class OrderPayment(MagentoModel):
    """The order's payment (`OrderPaymentInterface`).

    Magento emits `account_status` and `cc_last4` as explicit nulls; a dump keeps them null.
    """

    account_status: str | None = None
    additional_information: list[str] | None = None
    amount_ordered: Number | None = None
    amount_paid: Number | None = None
    amount_refunded: Number | None = None
    base_amount_ordered: Number | None = None
    base_amount_paid: Number | None = None
    base_amount_refunded: Number | None = None
    base_shipping_amount: Number | None = None
    cc_exp_month: str | None = None
    cc_exp_year: str | None = None
    cc_last4: str | None = None
    cc_owner: str | None = None
    cc_type: str | None = None
    entity_id: int | None = None
    last_trans_id: str | None = None
    method: str | None = None
    parent_id: int | None = None
    shipping_amount: Number | None = None


class OrderStatusHistory(MagentoModel):
    """One order comment / status change (`OrderStatusHistoryInterface`)."""

    comment: str | None = None
    created_at: MagentoDateTime | None = None
    entity_id: int | None = None
    entity_name: str | None = None
    is_customer_notified: int | None = None
    is_visible_on_front: int | None = None
    parent_id: int | None = None
    status: str | None = None


class OrderShipping(MagentoModel):
    """`shipping` of a shipping assignment: where and how the order ships."""

    address: OrderAddress | None = None
    method: str | None = None
    total: dict[str, JsonValue] | None = None


class OrderShippingAssignment(MagentoModel):
    """`extension_attributes.shipping_assignments[]` of an order."""

    shipping: OrderShipping | None = None
    items: list[OrderItem] | None = None


class PaymentAdditionalInfo(MagentoModel):
    """`extension_attributes.payment_additional_info[]`: `{key, value}` strings."""

    key: str
    value: str | None = None


class OrderExtensionAttributes(MagentoModel):
    """`extension_attributes` of an order; other keys (`applied_taxes`, ...) are kept as extras."""

    shipping_assignments: list[OrderShippingAssignment] | None = None
    payment_additional_info: list[PaymentAdditionalInfo] | None = None


class Order(MagentoModel):
    """A sales order: routes take `entity_id`; `increment_id` is the customer-facing number."""

    base_currency_code: str | None = None
    base_discount_amount: Number | None = None
    base_grand_total: Number | None = None
    base_discount_tax_compensation_amount: Number | None = None
    base_shipping_amount: Number | None = None
    base_shipping_discount_amount: Number | None = None
    base_shipping_discount_tax_compensation_amnt: Number | None = None
    base_shipping_incl_tax: Number | None = None
    base_shipping_tax_amount: Number | None = None
    base_subtotal: Number | None = None
    base_subtotal_incl_tax: Number | None = None
    base_tax_amount: Number | None = None
    base_total_due: Number | None = None
    base_to_global_rate: Number | None = None
    base_to_order_rate: Number | None = None
    billing_address_id: int | None = None
    created_at: MagentoDateTime | None = None
    customer_email: str | None = None
    customer_firstname: str | None = None
    customer_group_id: int | None = None
    customer_id: int | None = None
    customer_is_guest: int | None = None
    customer_lastname: str | None = None
    customer_note_notify: int | None = None
    discount_amount: Number | None = None
    entity_id: int | None = None
    global_currency_code: str | None = None
    grand_total: Number | None = None
    discount_tax_compensation_amount: Number | None = None
    increment_id: str | None = None
    is_virtual: int | None = None
    order_currency_code: str | None = None
    protect_code: str | None = None
    quote_id: int | None = None
    remote_ip: str | None = None
    shipping_amount: Number | None = None
    shipping_description: str | None = None
    shipping_discount_amount: Number | None = None
    shipping_discount_tax_compensation_amount: Number | None = None
    shipping_incl_tax: Number | None = None
    shipping_tax_amount: Number | None = None
    state: str | None = None
    status: str | None = None
    store_currency_code: str | None = None
    store_id: int | None = None
    store_name: str | None = None
    store_to_base_rate: Number | None = None
    store_to_order_rate: Number | None = None
    subtotal: Number | None = None
    subtotal_incl_tax: Number | None = None
    tax_amount: Number | None = None
    total_due: Number | None = None
    total_item_count: int | None = None
    total_qty_ordered: Number | None = None
    updated_at: MagentoDateTime | None = None
    weight: Number | None = None
    x_forwarded_for: str | None = None
    items: list[OrderItem] | None = None
    billing_address: OrderAddress | None = None
    payment: OrderPayment | None = None
    status_histories: list[OrderStatusHistory] | None = None
    extension_attributes: OrderExtensionAttributes | None = None

    @property
    def shipping_address(self) -> OrderAddress | None:
        """The address of the first shipping assignment (Magento keeps it there, not at the top)."""
        assignments = self.extension_attributes and self.extension_attributes.shipping_assignments
        for assignment in assignments or ():
            if assignment.shipping is not None and assignment.shipping.address is not None:
                return assignment.shipping.address
        return None


class Transaction(MagentoModel):
    """A payment transaction (`TransactionInterface`); offline methods (checkmo) create none."""

    transaction_id: int | None = None
    parent_id: int | None = None
    order_id: int | None = None
    payment_id: int | None = None
    txn_id: str | None = None
    parent_txn_id: str | None = None
    txn_type: str | None = None
    is_closed: int | None = None
    additional_information: list[str] | None = None
    created_at: MagentoDateTime | None = None
    child_transactions: list["Transaction"] | None = None
    extension_attributes: dict[str, JsonValue] | None = None


class InvoiceItem(MagentoModel):
    """One invoiced line (`InvoiceItemInterface`)."""

    entity_id: int | None = None
    parent_id: int | None = None
    order_item_id: int | None = None
    product_id: int | None = None
    sku: str | None = None
    name: str | None = None
    qty: Number | None = None
    price: Number | None = None
    base_price: Number | None = None
    price_incl_tax: Number | None = None
    row_total: Number | None = None
    base_row_total: Number | None = None
    tax_amount: Number | None = None
    discount_amount: Number | None = None
    extension_attributes: dict[str, JsonValue] | None = None


class Invoice(MagentoModel):
    """An invoice (`InvoiceInterface`); `state` is 1 open, 2 paid, 3 canceled."""

    entity_id: int | None = None
    order_id: int | None = None
    increment_id: str | None = None
    state: int | None = None
    store_id: int | None = None
    billing_address_id: int | None = None
    shipping_address_id: int | None = None
    transaction_id: str | None = None
    base_currency_code: str | None = None
    order_currency_code: str | None = None
    base_grand_total: Number | None = None
    grand_total: Number | None = None
    base_subtotal: Number | None = None
    subtotal: Number | None = None
    base_tax_amount: Number | None = None
    tax_amount: Number | None = None
    base_shipping_amount: Number | None = None
    shipping_amount: Number | None = None
    base_discount_amount: Number | None = None
    discount_amount: Number | None = None
    total_qty: Number | None = None
    email_sent: int | None = None
    created_at: MagentoDateTime | None = None
    updated_at: MagentoDateTime | None = None
    items: list[InvoiceItem] | None = None
    comments: list[JsonObject] | None = None
    extension_attributes: dict[str, JsonValue] | None = None
