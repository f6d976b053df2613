"""What each getList collection of Magento 2.4.7-p3 filters and sorts on (its table's columns,
or its entity's EAV attributes), read from a real install's schema; see `search.Columns`.
"""

from __future__ import annotations

from magento_ir.sandbox.search import Columns

__all__ = [
    "CMS_BLOCK",
    "CMS_PAGE",
    "CUSTOMER",
    "INVOICE",
    "ORDER",
    "PRODUCT",
    "TRANSACTION",
]


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# catalog_product_entity's static columns, the product EAV attributes, and the filters
# ProductRepository's collection processor adds (category_id, store_id, website_id).
PRODUCT = Columns(
    _names(
        """entity_id attribute_set_id type_id sku has_options required_options created_at
        updated_at name description short_description price special_price special_from_date
        special_to_date cost weight manufacturer meta_title meta_keyword meta_description image
        small_image thumbnail media_gallery old_id tier_price color news_from_date news_to_date
        gallery status minimal_price visibility custom_design custom_design_from custom_design_to
        custom_layout_update page_layout category_ids options_container image_label
        small_image_label thumbnail_label country_of_manufacture quantity_and_stock_status
        custom_layout custom_layout_update_file url_key url_path msrp
        msrp_display_actual_price_type links_purchased_separately samples_title links_title
        links_exist price_type sku_type weight_type price_view shipment_type
        gift_message_available swatch_image tax_class_id category_id store_id website_id"""
    ),
    eav=True,
)
# customer_entity's columns and the customer EAV attributes.
CUSTOMER = Columns(
    _names(
        """entity_id website_id email group_id increment_id store_id created_at updated_at
        is_active disable_auto_group_change created_in prefix firstname middlename lastname
        suffix dob password_hash rp_token rp_token_created_at default_billing default_shipping
        taxvat confirmation gender failures_num first_failure lock_expires session_cutoff"""
    ),
    eav=True,
)
ORDER = Columns(
    _names(
        """entity_id state status coupon_code protect_code shipping_description is_virtual
        store_id customer_id base_discount_amount base_discount_canceled base_discount_invoiced
        base_discount_refunded base_grand_total base_shipping_amount base_shipping_canceled
        base_shipping_invoiced base_shipping_refunded base_shipping_tax_amount
        base_shipping_tax_refunded base_subtotal base_subtotal_canceled base_subtotal_invoiced
        base_subtotal_refunded base_tax_amount base_tax_canceled base_tax_invoiced
        base_tax_refunded base_to_global_rate base_to_order_rate base_total_canceled
        base_total_invoiced base_total_invoiced_cost base_total_offline_refunded
        base_total_online_refunded base_total_paid base_total_qty_ordered base_total_refunded
        discount_amount discount_canceled discount_invoiced discount_refunded grand_total
        shipping_amount shipping_canceled shipping_invoiced shipping_refunded shipping_tax_amount
        shipping_tax_refunded store_to_base_rate store_to_order_rate subtotal subtotal_canceled
        subtotal_invoiced subtotal_refunded tax_amount tax_canceled tax_invoiced tax_refunded
        total_canceled total_invoiced total_offline_refunded total_online_refunded total_paid
        total_qty_ordered total_refunded can_ship_partially can_ship_partially_item
        customer_is_guest customer_note_notify billing_address_id customer_group_id
        edit_increment email_sent send_email forced_shipment_with_invoice payment_auth_expiration
        quote_address_id quote_id shipping_address_id adjustment_negative adjustment_positive
        base_adjustment_negative base_adjustment_positive base_shipping_discount_amount
        base_subtotal_incl_tax base_total_due payment_authorization_amount
        shipping_discount_amount subtotal_incl_tax total_due weight customer_dob increment_id
        applied_rule_ids base_currency_code customer_email customer_firstname customer_lastname
        customer_middlename customer_prefix customer_suffix customer_taxvat discount_description
        ext_customer_id ext_order_id global_currency_code hold_before_state hold_before_status
        order_currency_code original_increment_id relation_child_id relation_child_real_id
        relation_parent_id relation_parent_real_id remote_ip shipping_method store_currency_code
        store_name x_forwarded_for customer_note created_at updated_at total_item_count
        customer_gender discount_tax_compensation_amount base_discount_tax_compensation_amount
        shipping_discount_tax_compensation_amount base_shipping_discount_tax_compensation_amnt
        discount_tax_compensation_invoiced base_discount_tax_compensation_invoiced
        discount_tax_compensation_refunded base_discount_tax_compensation_refunded
        shipping_incl_tax base_shipping_incl_tax coupon_rule_name gift_message_id
        paypal_ipn_customer_notified"""
    ),
    eav=False,
    select=(
        "SELECT `main_table`.*, `extension_attribute_pickup_location_code`.`pickup_location_code` "
        "AS `extension_attribute_pickup_location_code_pickup_location_code`, "
        "`extension_attribute_notification_sent`.`notification_sent` AS "
        "`extension_attribute_notification_sent_notification_sent`, "
        "`extension_attribute_send_notification`.`send_notification` AS "
        "`extension_attribute_send_notification_send_notification` FROM `sales_order` AS "
        "`main_table`"
    ),
)
INVOICE = Columns(
    _names(
        """entity_id store_id base_grand_total shipping_tax_amount tax_amount base_tax_amount
        store_to_order_rate base_shipping_tax_amount base_discount_amount base_to_order_rate
        grand_total shipping_amount subtotal_incl_tax base_subtotal_incl_tax store_to_base_rate
        base_shipping_amount total_qty base_to_global_rate subtotal base_subtotal discount_amount
        billing_address_id is_used_for_refund order_id email_sent send_email can_void_flag state
        shipping_address_id store_currency_code transaction_id order_currency_code
        base_currency_code global_currency_code increment_id created_at updated_at
        discount_tax_compensation_amount base_discount_tax_compensation_amount
        shipping_discount_tax_compensation_amount base_shipping_discount_tax_compensation_amnt
        shipping_incl_tax base_shipping_incl_tax base_total_refunded discount_description
        customer_note customer_note_notify"""
    ),
    eav=False,
    select="SELECT `main_table`.* FROM `sales_invoice` AS `main_table`",
)
# The transaction collection joins the payment's method and the order's increment id.
TRANSACTION = Columns(
    _names(
        """transaction_id parent_id order_id payment_id txn_id parent_txn_id txn_type is_closed
        additional_information created_at method increment_id"""
    ),
    eav=False,
    select=(
        "SELECT `main_table`.*, `sop`.`method`, `so`.`increment_id` FROM "
        "`sales_payment_transaction` AS `main_table`\n INNER JOIN `sales_order_payment` AS `sop` "
        "ON main_table.payment_id = sop.entity_id\n INNER JOIN `sales_order` AS `so` ON "
        "main_table.order_id = so.entity_id"
    ),
)
# CMS collections also take `store_id` (their store filter).
CMS_BLOCK = Columns(
    _names("block_id title identifier content creation_time update_time is_active store_id"),
    eav=False,
    select="SELECT `main_table`.* FROM `cms_block` AS `main_table`",
)
CMS_PAGE = Columns(
    _names(
        """page_id title page_layout meta_keywords meta_description identifier content_heading
        content creation_time update_time is_active sort_order layout_update_xml custom_theme
        custom_root_template custom_layout_update_xml layout_update_selected custom_theme_from
        custom_theme_to meta_title store_id"""
    ),
    eav=False,
    select="SELECT `main_table`.* FROM `cms_page` AS `main_table`",
)
