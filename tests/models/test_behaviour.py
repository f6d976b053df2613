"""Model behaviour beyond the recordings: immutability, extras, dates, codes, bulk, typing."""

from __future__ import annotations

import gc
import json
import textwrap
from datetime import UTC, datetime, timedelta, timezone
from enum import IntEnum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from magento_ir import models
from magento_ir.models import (
    BulkOperationStatus,
    BulkRequestResult,
    BulkStatus,
    CmsBlock,
    Customer,
    Invoice,
    MagentoModel,
    Module,
    Order,
    Product,
    ProductStatus,
    ProductVisibility,
    SearchResult,
    StoreGroup,
    StoreView,
    Transaction,
)
from magento_ir.models._base import validate_json
from tests.conftest import REPO_ROOT


def test_models_are_frozen() -> None:
    """Assigning to a field of a parsed model raises: evidence cannot be edited in place."""
    product = Product.model_validate({"sku": "A", "status": 1})
    with pytest.raises(ValidationError, match="frozen"):
        product.status = ProductStatus.DISABLED  # type: ignore[misc]


def test_unknown_fields_are_kept_and_dumped() -> None:
    """A field a store's extension adds is kept, readable, and present in the dump."""
    product = Product.model_validate(
        {"sku": "A", "x_vendor_flag": "on", "extension_attributes": {"category_links": []}}
    )
    assert product.model_extra == {"x_vendor_flag": "on"}
    assert product.extension_attributes is not None
    assert product.extension_attributes.model_extra == {"category_links": []}
    assert product.model_dump(mode="json") == {
        "sku": "A",
        "x_vendor_flag": "on",
        "extension_attributes": {"category_links": []},
    }


def test_constructed_model_dumps_only_given_fields() -> None:
    """A model built in code dumps just what was set: usable as a minimal PUT body."""
    product = Product(sku="IR-SKU-030", status=ProductStatus.DISABLED)
    assert product.model_dump(mode="json") == {"sku": "IR-SKU-030", "status": 2}


def test_explicit_null_is_kept_but_omitted_key_stays_omitted() -> None:
    """An explicit null survives a dump; a key Magento left out does not appear as null."""
    order = Order.model_validate({"payment": {"cc_last4": None, "method": "checkmo"}})
    assert order.model_dump(mode="json") == {"payment": {"cc_last4": None, "method": "checkmo"}}


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("2026-11-22 09:21:00", datetime(2026, 11, 22, 9, 21, tzinfo=UTC)),
        ("2026-11-22T09:21:00", datetime(2026, 11, 22, 9, 21, tzinfo=UTC)),
        ("2026-11-22T11:21:00+02:00", datetime(2026, 11, 22, 9, 21, tzinfo=UTC)),
        (datetime(2026, 11, 22, 9, 21), datetime(2026, 11, 22, 9, 21, tzinfo=UTC)),  # noqa: DTZ001
        (
            datetime(2026, 11, 22, 4, 21, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2026, 11, 22, 9, 21, tzinfo=UTC),
        ),
    ],
)
def test_dates_become_aware_utc(sent: object, expected: datetime) -> None:
    """Zone-less Magento timestamps are UTC; zoned input is converted to UTC."""
    block = CmsBlock.model_validate({"identifier": "b", "creation_time": sent})
    assert block.creation_time == expected
    assert block.creation_time is not None
    assert block.creation_time.tzinfo is UTC


def test_dates_dump_in_magento_format() -> None:
    """A JSON dump writes dates back as "YYYY-MM-DD HH:MM:SS" UTC; a Python dump keeps datetimes."""
    block = CmsBlock.model_validate(
        {"identifier": "b", "creation_time": "2026-11-22T11:21:05+02:00"}
    )
    assert block.model_dump(mode="json")["creation_time"] == "2026-11-22 09:21:05"
    assert block.model_dump()["creation_time"] == datetime(2026, 11, 22, 9, 21, 5, tzinfo=UTC)


def test_unparseable_date_names_the_expected_format() -> None:
    """A zero date or garbage gives a validation error that says which format was expected."""
    with pytest.raises(ValidationError, match=r"YYYY-MM-DD HH:MM:SS.*0000-00-00 00:00:00"):
        CmsBlock.model_validate({"identifier": "b", "creation_time": "0000-00-00 00:00:00"})


def test_non_string_date_is_rejected() -> None:
    """A number where Magento sends a timestamp string is an error, not a guessed epoch."""
    with pytest.raises(ValidationError, match=r"YYYY-MM-DD HH:MM:SS.*got int"):
        CmsBlock.model_validate({"identifier": "b", "creation_time": 1795339624})


def test_known_product_codes_become_enums() -> None:
    """Status 2 is `ProductStatus.DISABLED`; visibility 1 is NOT_VISIBLE_INDIVIDUALLY."""
    product = Product.model_validate({"sku": "A", "status": 2, "visibility": 1})
    assert product.status is ProductStatus.DISABLED
    assert product.visibility is ProductVisibility.NOT_VISIBLE_INDIVIDUALLY


def test_unknown_product_codes_stay_plain_ints() -> None:
    """A status code an extension invented is kept as an int instead of failing the response."""
    product = Product.model_validate({"sku": "A", "status": 7, "visibility": 9})
    assert product.status == 7
    assert not isinstance(product.status, ProductStatus)
    assert product.visibility == 9
    assert product.model_dump(mode="json") == {"sku": "A", "status": 7, "visibility": 9}


def test_non_numeric_status_is_rejected() -> None:
    """A status that is not a number at all is a validation error naming the field."""
    with pytest.raises(ValidationError, match="status"):
        Product.model_validate({"sku": "A", "status": "enabled"})


def test_missing_required_field_names_it() -> None:
    """A product without `sku` fails with an error that names `sku`."""
    with pytest.raises(ValidationError, match="sku"):
        Product.model_validate({"name": "no sku"})


def test_customer_custom_attributes_helpers() -> None:
    """Customers have the same custom-attribute helpers as products."""
    customer = Customer.model_validate(
        {
            "email": "a@example.com",
            "firstname": "A",
            "lastname": "B",
            "custom_attributes": [{"attribute_code": "loyalty_tier", "value": "gold"}],
        }
    )
    assert customer.custom_attribute("loyalty_tier") == "gold"
    assert customer.custom_attribute("absent") is None
    assert customer.custom_attributes_dict == {"loyalty_tier": "gold"}


def test_entity_without_custom_attributes_has_empty_dict() -> None:
    """When Magento omits `custom_attributes`, the dict helper is empty, not an error."""
    assert Product(sku="A").custom_attributes_dict == {}


def test_module_list_rejects_non_string_names() -> None:
    """`Module.list_from_response` refuses a body that is not a list of names."""
    with pytest.raises(ValidationError):
        Module.list_from_response({"items": []})
    with pytest.raises(ValidationError):
        Module.list_from_response([1, 2])


def test_order_without_shipping_assignments_has_no_shipping_address() -> None:
    """A virtual order (no shipping assignment) has `shipping_address` None."""
    assert Order.model_validate({"entity_id": 5}).shipping_address is None
    assert Order.model_validate({"extension_attributes": {}}).shipping_address is None
    no_address = {"extension_attributes": {"shipping_assignments": [{"shipping": {}}]}}
    assert Order.model_validate(no_address).shipping_address is None


BULK_ACCEPTED = {
    "bulk_uuid": "9b1f5c0e-1f4b-4f8e-9d8b-2c1a7e3d4f5a",
    "request_items": [
        {"id": 0, "data_hash": "3a1b", "status": "accepted"},
        {
            "id": 1,
            "data_hash": "7c2d",
            "status": "rejected",
            "error_message": "Invalid sku",
            "error_code": 400,
        },
    ],
    "errors": True,
}

BULK_STATUS = {
    "operations_list": [
        {"id": 1, "status": 1, "result_message": None, "error_code": None},
        {"id": 2, "status": 4, "result_message": None, "error_code": None},
        {"id": 3, "status": 6, "result_message": "from the future", "error_code": 0},
    ],
    "user_type": 2,
    "bulk_id": "9b1f5c0e-1f4b-4f8e-9d8b-2c1a7e3d4f5a",
    "description": "Topic async.magento.catalog.api.productrepositoryinterface.save.put",
    "start_time": "2026-11-22 09:30:00",
    "user_id": 1,
    "operation_count": 3,
}


def test_bulk_request_result_shape() -> None:
    """The 202 answer of a bulk route parses with per-item status and the errors flag."""
    result = BulkRequestResult.model_validate(BULK_ACCEPTED)
    assert result.errors is True
    assert [item.status for item in result.request_items] == ["accepted", "rejected"]
    assert result.request_items[1].error_message == "Invalid sku"
    assert result.model_dump(mode="json") == BULK_ACCEPTED


def test_bulk_status_operation_codes() -> None:
    """Operation status 1 is COMPLETE, 4 OPEN; an unknown code stays an int; dump is exact."""
    status = BulkStatus.model_validate(BULK_STATUS)
    codes = [operation.status for operation in status.operations_list]
    assert codes[0] is BulkOperationStatus.COMPLETE
    assert codes[1] is BulkOperationStatus.OPEN
    assert codes[2] == 6
    assert not isinstance(codes[2], BulkOperationStatus)
    assert status.start_time == datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    assert status.model_dump(mode="json") == BULK_STATUS


def test_bulk_status_codes_match_magento() -> None:
    """The five codes are Magento's OperationInterface constants 1-5."""
    assert [(s.name, s.value) for s in BulkOperationStatus] == [
        ("COMPLETE", 1),
        ("RETRIABLY_FAILED", 2),
        ("NOT_RETRIABLY_FAILED", 3),
        ("OPEN", 4),
        ("REJECTED", 5),
    ]


def test_search_result_rejects_a_bad_item() -> None:
    """A list item that does not fit T fails validation with the item's index in the error."""
    body = {"items": [{"sku": "A"}, {"name": "no sku"}], "search_criteria": {}, "total_count": 2}
    with pytest.raises(ValidationError, match=r"items\.1\.sku"):
        SearchResult[Product].model_validate(body)


def test_search_result_reads_null_items_as_an_empty_page() -> None:
    """`?fields=items[...]` on an empty page: Magento sends `"items": null`, an empty page here;
    from bytes too, as list pages are validated."""
    body = {"items": None, "search_criteria": {}, "total_count": 0}
    assert SearchResult[Order].model_validate(body).items == []
    assert SearchResult[Order].model_validate_json(json.dumps(body)).items == []


def test_subscripted_search_result_is_typed_for_mypy(tmp_path) -> None:
    """mypy --strict infers `SearchResult[Product]` and `Product` items from a subscripted parse."""
    mypy_api = pytest.importorskip("mypy.api")
    snippet = tmp_path / "typed_use.py"
    snippet.write_text(
        textwrap.dedent(
            """
            from typing import assert_type
            from magento_ir.models import Product, SearchResult

            def first_sku(body: object) -> str | None:
                page = SearchResult[Product].model_validate(body)
                assert_type(page, SearchResult[Product])
                assert_type(page.items, list[Product])
                return page.items[0].sku if page.items else None
            """
        ),
        encoding="utf-8",
    )
    stdout, stderr, status = mypy_api.run(
        [
            "--strict",
            # Judge only the snippet: errors elsewhere in magento_ir are test_quality's business.
            "--follow-imports=silent",
            "--config-file",
            str(REPO_ROOT / "pyproject.toml"),
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(snippet),
        ]
    )
    assert status == 0, stdout + stderr


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1970, 1, 2),  # noqa: DTZ001 - hypothesis bounds are naive by contract
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    ).map(lambda moment: moment.replace(microsecond=0))
)
def test_dates_survive_a_json_round_trip(moment: datetime) -> None:
    """Any whole-second instant dumps to Magento's format and parses back to the same instant."""
    dumped = CmsBlock(identifier="b", creation_time=moment).model_dump(mode="json")
    assert CmsBlock.model_validate(dumped).creation_time == moment


def test_public_names_are_models_and_codes() -> None:
    """`magento_ir.models.__all__` exports exactly importable models and code enums."""
    public = {name: getattr(models, name) for name in models.__all__}
    assert all(issubclass(value, (MagentoModel, IntEnum)) for value in public.values())
    assert {"Product", "Customer", "Order", "SearchResult", "Module", "BulkStatus"} <= set(public)


def test_store_view_and_group_shapes() -> None:
    """Store views and groups parse the fields §6.5 lists and dump back unchanged."""
    view_body = {
        "id": 1,
        "code": "default",
        "name": "Default Store View",
        "website_id": 1,
        "store_group_id": 1,
        "is_active": 1,
    }
    group_body = {
        "id": 1,
        "website_id": 1,
        "root_category_id": 2,
        "default_store_id": 1,
        "name": "Main Website Store",
        "code": "main_website_store",
    }
    view = StoreView.model_validate(view_body)
    group = StoreGroup.model_validate(group_body)
    assert (view.code, view.is_active, group.default_store_id) == ("default", 1, 1)
    assert view.model_dump(mode="json") == view_body
    assert group.model_dump(mode="json") == group_body


def test_invoice_with_items_round_trips() -> None:
    """An invoice with an item keeps its amounts' int/float types through a dump."""
    body = {
        "entity_id": 1,
        "order_id": 1,
        "increment_id": "000000001",
        "state": 2,
        "grand_total": 49.98,
        "shipping_amount": 10,
        "created_at": "2026-11-22 09:30:00",
        "items": [{"entity_id": 1, "sku": "TEST-SKU-1", "qty": 2, "price": 19.99}],
    }
    invoice = Invoice.model_validate(body)
    assert invoice.items is not None
    assert invoice.items[0].sku == "TEST-SKU-1"
    assert json.dumps(invoice.model_dump(mode="json"), sort_keys=True) == json.dumps(
        body, sort_keys=True
    )


def test_transaction_children_are_transactions() -> None:
    """`child_transactions` nest Transaction models (an authorisation and its capture)."""
    body = {
        "transaction_id": 1,
        "txn_id": "AUTH-1",
        "txn_type": "authorization",
        "is_closed": 0,
        "child_transactions": [{"transaction_id": 2, "txn_id": "CAP-1", "txn_type": "capture"}],
    }
    transaction = Transaction.model_validate(body)
    assert transaction.child_transactions is not None
    assert isinstance(transaction.child_transactions[0], Transaction)
    assert transaction.child_transactions[0].txn_type == "capture"


@pytest.mark.parametrize("enabled", [True, False])
def test_page_validation_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    """The client's page parser pauses the cyclic collector for the call only, also on errors."""
    page = (
        b'{"items":[{"entity_id":1,"created_at":"2025-04-27 08:30:00"}],'
        b'"search_criteria":{},"total_count":1}'
    )
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        result = validate_json(SearchResult[Order], page)
        assert result.items[0].created_at == datetime(2025, 4, 27, 8, 30, tzinfo=UTC)
        assert gc.isenabled() is enabled
        with pytest.raises(ValidationError, match="created_at"):
            validate_json(SearchResult[Order], page.replace(b"2025-04-27 08:30:00", b"soon"))
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
