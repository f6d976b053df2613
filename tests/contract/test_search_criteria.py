"""searchCriteria on the product, customer, order, invoice, transaction and CMS getList routes:
every condition type, groups, sorting, paging, and how unknown fields are refused."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import (
    EMAILS,
    SKUS,
    Api,
    criteria_params,
    error_of,
    sql_error_prefix,
)

SEEDED = ("sku", "IR-SKU-%", "like")  # every product query is scoped to seed.py's products


def skus(*numbers: int) -> list[str]:
    return [f"IR-SKU-{number:03d}" for number in numbers]


# condition, value, expected SKUs (sorted): Mysql::prepareSqlCondition's semantics.
PRODUCT_CONDITIONS: list[tuple[str | None, str | None, list[str]]] = [
    ("eq", "IR-SKU-001", skus(1)),
    ("eq", "ir-sku-001", skus(1)),  # MySQL's case-insensitive collation
    (None, "IR-SKU-002", skus(2)),  # no condition_type: eq
    ("neq", "IR-SKU-001", SKUS[1:]),
    ("like", "IR-SKU-00%", skus(*range(1, 10))),
    ("like", "IR-SKU-01_", skus(*range(10, 20))),  # `_` is a wildcard too
    ("nlike", "IR-SKU-00%", SKUS[9:]),
    ("in", "IR-SKU-001,IR-SKU-030", skus(1, 30)),
    ("nin", "IR-SKU-001,IR-SKU-002", SKUS[2:]),
    ("gt", "IR-SKU-028", skus(29, 30)),
    ("lt", "IR-SKU-003", skus(1, 2)),
    ("gteq", "IR-SKU-028", skus(28, 29, 30)),
    ("lteq", "IR-SKU-002", skus(1, 2)),
    ("from", "IR-SKU-029", skus(29, 30)),
    ("to", "IR-SKU-002", skus(1, 2)),
    ("notnull", None, SKUS),
    ("null", None, []),
    ("finset", "IR-SKU-003", skus(3)),
    ("nfinset", "IR-SKU-003", [sku for sku in SKUS if sku != "IR-SKU-003"]),
    ("seq", "IR-SKU-004", skus(4)),
    ("sneq", "IR-SKU-004", [sku for sku in SKUS if sku != "IR-SKU-004"]),
    ("regexp", "^IR-SKU-00[12]$", skus(1, 2)),
    ("fulltext", "IR-SKU-010", skus(10)),  # no fulltext on the EAV collection: eq
    ("fulltext", "SKU-01", []),
    ("moreq", "IR-SKU-005", skus(5)),  # unknown condition types fall back to eq
    ("contains", "IR-SKU-005", skus(5)),
]


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    PRODUCT_CONDITIONS,
    ids=[f"{c}-{v}" for c, v, _ in PRODUCT_CONDITIONS],
)
def test_product_sku_condition(
    api: Api, condition: str | None, value: str | None, expected: list[str]
) -> None:
    """Each condition type on `sku` selects what MySQL selects, and the criteria are echoed
    with `condition_type` defaulted to eq."""
    # A first page of 5 (a real store loads every listed product in full: keep pages small).
    body = api.search(
        "/V1/products",
        [SEEDED],
        [("sku", value, condition)],
        page_size=5,
        sort=[("sku", "ASC")],
    )
    assert [item["sku"] for item in body["items"]] == expected[:5]
    assert body["total_count"] == len(expected)
    echoed: dict[str, Any] = {"field": "sku", "condition_type": condition or "eq"}
    echoed["value"] = value
    assert body["search_criteria"] == {
        "filter_groups": [
            {"filters": [{"field": "sku", "value": "IR-SKU-%", "condition_type": "like"}]},
            {"filters": [echoed]},
        ],
        "sort_orders": [{"field": "sku", "direction": "ASC"}],
        "page_size": 5,
    }


@pytest.mark.parametrize(
    ("field", "condition", "value", "expected"),
    [
        ("price", "gt", "38", skus(29, 30)),  # price is 10 + N: compared as a number
        ("price", "lteq", "12", skus(1, 2)),
        ("name", "like", "%Product 3%", skus(3, 30)),
        ("name", "eq", "incident test product 7", skus(7)),
        ("status", "eq", "1", SKUS),
        ("visibility", "in", "2,4", SKUS),
        ("type_id", "neq", "simple", []),
        ("special_price", "null", None, SKUS),
        ("weight", "notnull", None, SKUS),
        ("created_at", "gt", "2000-01-01 00:00:00", SKUS),
        ("created_at", "lt", "2000-01-01 00:00:00", []),
        ("website_id", "eq", "1", SKUS),
    ],
)
def test_product_attribute_filters(
    api: Api, field: str, condition: str, value: str | None, expected: list[str]
) -> None:
    """Filters on EAV attributes and static columns compare by the attribute's type."""
    body = api.search(
        "/V1/products", [SEEDED], [(field, value, condition)], page_size=3, sort=[("sku", "ASC")]
    )
    assert [item["sku"] for item in body["items"]] == expected[:3]
    assert body["total_count"] == len(expected)


def test_price_range_from_and_to_in_two_groups(api: Api) -> None:
    """`from` and `to` in separate groups make an inclusive range (groups are AND-ed)."""
    body = api.search(
        "/V1/products",
        [SEEDED],
        [("price", "20", "from")],
        [("price", "22", "to")],
        page_size=100,
        sort=[("sku", "ASC")],
    )
    assert [item["sku"] for item in body["items"]] == skus(10, 11, 12)


def test_filters_in_one_group_are_or(api: Api) -> None:
    """Two filters in one group: either matches."""
    body = api.search(
        "/V1/products",
        [("sku", "IR-SKU-001", "eq"), ("sku", "IR-SKU-002", "eq")],
        page_size=100,
        sort=[("sku", "ASC")],
    )
    assert [item["sku"] for item in body["items"]] == skus(1, 2)


def test_entity_id_in_matches_a_numeric_id(api: Api) -> None:
    """`entity_id in "<id>"` compares numbers, not strings."""
    product_id = api.product_id("IR-SKU-001")
    body = api.search("/V1/products", [SEEDED], [("entity_id", str(product_id), "in")])
    assert [item["sku"] for item in body["items"]] == ["IR-SKU-001"]


@pytest.mark.parametrize("direction", ["DESC", "desc"])
def test_sort_and_pages(api: Api, direction: str) -> None:
    """Sorting is case-insensitive in its direction; pages split the sorted list; past the end
    is an empty page with the real total. (By sku: a price sort reads the price index, which
    leaves out products other tests may have left unindexed.)"""
    first = api.search(
        "/V1/products", [SEEDED], page_size=7, current_page=1, sort=[("sku", direction)]
    )
    second = api.search(
        "/V1/products", [SEEDED], page_size=7, current_page=2, sort=[("sku", direction)]
    )
    past = api.search(
        "/V1/products", [SEEDED], page_size=7, current_page=9, sort=[("sku", direction)]
    )
    assert [item["sku"] for item in first["items"]] == skus(*range(30, 23, -1))
    assert [item["sku"] for item in second["items"]] == skus(*range(23, 16, -1))
    assert (past["items"], past["total_count"]) == ([], 30)
    assert first["search_criteria"]["sort_orders"] == [{"field": "sku", "direction": "DESC"}]
    assert past["search_criteria"]["current_page"] == 9


@pytest.mark.parametrize(("size", "page"), [(2, 0), (2, -1), (-3, None)])
def test_odd_page_numbers(api: Api, size: int, page: int | None) -> None:
    """Page 0 or below is page 1; a negative size is one row."""
    body = api.search(
        "/V1/products", [SEEDED], page_size=size, current_page=page, sort=[("sku", "ASC")]
    )
    expected = {2: skus(1, 2), -3: skus(1)}[size]
    assert [item["sku"] for item in body["items"]] == expected
    assert body["total_count"] == 30


def test_sort_direction_must_be_asc_or_desc(api: Api) -> None:
    """Any other direction is a 400 naming both."""
    response = api.get(
        "/V1/products", params=criteria_params([SEEDED], page_size=1, sort=[("sku", "UP")])
    )
    assert error_of(response) == (
        400,
        {
            "message": "The sort order has to be specified as %1 for ascending order or %2 for "
            "descending order.",
            "parameters": ["ASC", "DESC"],
        },
    )


@pytest.mark.parametrize("key", ["pageSize", "currentPage"])
def test_a_non_numeric_page_is_a_rendered_type_error(api: Api, key: str) -> None:
    """The type processor names the field and value in the message itself."""
    response = api.get("/V1/products", params={f"searchCriteria[{key}]": "abc"})
    assert error_of(response) == (
        400,
        {
            "message": f'Error occurred during "{key}" processing. The "abc" value\'s type is '
            'invalid. The "int" type was expected. Verify and try again.'
        },
    )


@pytest.mark.parametrize("path", ["/V1/products", "/V1/customers/search"])
def test_unknown_filter_field_on_an_eav_list_is_400(api: Api, path: str) -> None:
    """Products and customers check the field: a mistyped one is refused, never ignored."""
    response = api.get(path, params=criteria_params([("no_such_field", "1", "eq")]))
    assert error_of(response) == (
        400,
        {
            "message": 'The "%1" attribute name is invalid. Reset the name and try again.',
            "parameters": ["no_such_field"],
        },
    )


@pytest.mark.parametrize("path", ["/V1/products", "/V1/customers/search"])
def test_a_filter_without_a_field_on_an_eav_list_is_400(api: Api, path: str) -> None:
    """No `field` at all: the same 400 with a null name."""
    response = api.get(path, params=criteria_params([(None, "x", None)]))
    assert error_of(response) == (
        400,
        {
            "message": 'The "%1" attribute name is invalid. Reset the name and try again.',
            "parameters": [None],
        },
    )


FLAT_LISTS = {
    "/V1/orders": "SELECT `main_table`.*, `extension_attribute_pickup_location_code`",
    "/V1/invoices": "SELECT `main_table`.* FROM `sales_invoice` AS `main_table`",
    "/V1/transactions": "SELECT `main_table`.*, `sop`.`method`, `so`.`increment_id` FROM "
    "`sales_payment_transaction` AS `main_table`",
    "/V1/cmsBlock/search": "SELECT `main_table`.* FROM `cms_block` AS `main_table`",
    "/V1/cmsPage/search": "SELECT `main_table`.* FROM `cms_page` AS `main_table`",
}


@pytest.mark.parametrize("path", FLAT_LISTS)
@pytest.mark.parametrize("condition", ["eq", "like"])
def test_unknown_filter_field_on_a_flat_list_is_mysqls_500(
    api: Api, path: str, condition: str
) -> None:
    """Orders, invoices, transactions and CMS put the field into SQL: MySQL refuses it, and
    developer mode shows why (code 42)."""
    response = api.get(path, params=criteria_params([("no_such_field", "%1%", condition)]))
    status, body = error_of(response)
    assert status == 500
    assert body["message"].startswith(sql_error_prefix("no_such_field", "WHERE", FLAT_LISTS[path]))
    assert (sorted(body), body["code"]) == (["code", "message"], 42)


@pytest.mark.parametrize("path", FLAT_LISTS)
def test_unknown_sort_field_on_a_flat_list_is_mysqls_500(api: Api, path: str) -> None:
    """The same for a sort field."""
    response = api.get(path, params=criteria_params(sort=[("no_such", "ASC")]))
    status, body = error_of(response)
    assert status == 500
    assert body["message"].startswith(sql_error_prefix("no_such", "ORDER BY", FLAT_LISTS[path]))
    assert body["code"] == 42


@pytest.mark.parametrize("path", ["/V1/orders", "/V1/cmsBlock/search"])
def test_a_filter_without_a_field_on_a_flat_list_is_500(api: Api, path: str) -> None:
    """No `field`: PHP's deprecation of a null argument, turned into a 500 in developer mode."""
    status, body = error_of(api.get(path, params=criteria_params([(None, "x", None)])))
    assert status == 500
    assert body["message"].startswith(
        "Deprecated Functionality: str_replace(): Passing null to parameter #3 ($subject)"
    )


def test_unknown_sort_field_on_an_eav_list_is_ignored(api: Api) -> None:
    """Products and customers skip a sort field they do not know (and still echo it)."""
    body = api.search(
        "/V1/customers/search", [("email", ",".join(EMAILS), "in")], sort=[("no_such", "ASC")]
    )
    assert body["total_count"] == 10
    assert body["search_criteria"]["sort_orders"] == [{"field": "no_such", "direction": "ASC"}]


def test_cms_block_field_is_is_active_not_active(api: Api) -> None:
    """The block's `active` is the column `is_active`: filtering on `active` is MySQL's 500."""
    ok = api.search(
        "/V1/cmsBlock/search", [("identifier", "footer-promo", "eq")], [("is_active", "1", "eq")]
    )
    assert [item["identifier"] for item in ok["items"]] == ["footer-promo"]
    status, body = error_of(
        api.get("/V1/cmsBlock/search", params=criteria_params([("active", "1", "eq")]))
    )
    assert status == 500
    assert body["message"].startswith(
        sql_error_prefix("active", "WHERE", FLAT_LISTS["/V1/cmsBlock/search"])
    )


def test_fulltext_on_a_flat_list_is_like_and_rewrites_the_echo(api: Api) -> None:
    """FilterProcessor turns `fulltext` into `like %value%` and the echo shows the new value."""
    body = api.search("/V1/cmsBlock/search", [("content", "cdn-analytics", "fulltext")])
    assert [item["identifier"] for item in body["items"]] == ["footer-promo"]
    assert body["search_criteria"]["filter_groups"] == [
        {
            "filters": [
                {"field": "content", "value": "%cdn-analytics%", "condition_type": "fulltext"}
            ]
        }
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([("email", "ir.customer01@example.com", "eq")], EMAILS[:1]),
        ([("email", "IR.CUSTOMER02@EXAMPLE.COM", "eq")], EMAILS[1:2]),
        ([("email", "ir.customer0%@example.com", "like")], EMAILS[:9]),
        (
            [("email", "ir.customer01@example.com,ir.customer10@example.com", "in")],
            [EMAILS[0], EMAILS[9]],
        ),
        ([("firstname", "Ir1%", "like")], [EMAILS[0], EMAILS[9]]),
        ([("lastname", "Customer", "neq")], []),
        ([("email", "customer0", "fulltext")], []),  # EAV: eq
        ([("website_id", "1", "eq")], EMAILS),
        ([("group_id", "1", "eq")], EMAILS),
        ([("dob", None, "null")], EMAILS),
        ([("created_at", "2000-01-01", "gteq")], EMAILS),
    ],
)
def test_customer_filters(api: Api, filters: list[Any], expected: list[str]) -> None:
    """Customer search by e-mail, names, website, group and dates (scoped to the seeded ones)."""
    body = api.search(
        "/V1/customers/search",
        [("email", ",".join(EMAILS), "in")],
        filters,
        page_size=50,
        sort=[("email", "ASC")],
    )
    assert [item["email"] for item in body["items"]] == expected
    assert body["total_count"] == len(expected)


def test_customer_pages_past_the_end(api: Api) -> None:
    """Customers page like products: the last partial page, then empty pages with the total."""
    scope = [("email", ",".join(EMAILS), "in")]
    last = api.search(
        "/V1/customers/search", scope, page_size=4, current_page=3, sort=[("email", "DESC")]
    )
    past = api.search("/V1/customers/search", scope, page_size=4, current_page=4)
    assert [item["email"] for item in last["items"]] == [EMAILS[1], EMAILS[0]]
    assert (past["items"], past["total_count"]) == ([], 10)


@pytest.mark.parametrize(
    ("filters", "total"),
    [
        ([("entity_id", "1", "eq")], 1),
        ([("entity_id", "1", "in")], 1),
        ([("entity_id", "1", "nin")], 0),
        ([("entity_id", "0", "gt")], 1),
        ([("increment_id", "000000001", "eq")], 1),
        ([("increment_id", "00000000", "fulltext")], 1),  # flat: like %value%
        ([("state", "new", "eq")], 1),
        ([("state", "new", "finset")], 1),
        ([("status", "pending", "moreq")], 1),
        ([("remote_ip", None, "notnull")], 1),
        ([("created_at", "2000-01-01", "from")], 1),
        ([("created_at", "2000-01-01", "to")], 0),
    ],
)
def test_order_filters(api: Api, filters: list[Any], total: int) -> None:
    """Order search on the seeded order (entity 1, state new / pending), scoped to it."""
    body = api.search("/V1/orders", [("entity_id", "1", "eq")], filters)
    assert body["total_count"] == total
    assert [item["entity_id"] for item in body["items"]] == [1] * total


def test_order_pages_past_the_end(api: Api) -> None:
    """An empty page past the end still counts the order."""
    body = api.search("/V1/orders", [("entity_id", "1", "eq")], page_size=5, current_page=3)
    assert (body["items"], body["total_count"]) == ([], 1)


@pytest.mark.parametrize(
    ("path", "filters", "key", "expected"),
    [
        (
            "/V1/cmsBlock/search",
            [("identifier", "footer-promo", "eq")],
            "identifier",
            ["footer-promo"],
        ),
        ("/V1/cmsBlock/search", [("content", "%<script%", "like")], "identifier", ["footer-promo"]),
        (
            "/V1/cmsBlock/search",
            [("block_id", "0", "gt"), ("identifier", "footer-promo", "eq")],
            "identifier",
            ["footer-promo"],
        ),
        ("/V1/cmsPage/search", [("identifier", "home", "eq")], "identifier", ["home"]),
        (
            "/V1/cmsPage/search",
            [("page_id", "4", "lteq")],
            "identifier",
            ["no-route", "home", "enable-cookies", "privacy-policy-cookie-restriction-mode"],
        ),
        (
            "/V1/cmsPage/search",
            [("is_active", "1", "eq"), ("title", "%404%", "like")],
            "identifier",
            ["no-route", "home", "enable-cookies", "privacy-policy-cookie-restriction-mode"],
        ),
    ],
)
def test_cms_filters(
    api: Api, path: str, filters: list[Any], key: str, expected: list[str]
) -> None:
    """CMS block and page search (blocks scoped to footer-promo, pages to the install's four)."""
    scope = (
        [("identifier", "footer-promo", "eq")]
        if path.startswith("/V1/cmsBlock")
        else [("page_id", "4", "lteq")]
    )
    body = api.search(path, scope, filters)
    assert sorted(item[key] for item in body["items"]) == sorted(expected)


@pytest.mark.parametrize("path", ["/V1/invoices", "/V1/transactions"])
def test_invoice_and_transaction_lists_of_an_offline_store(api: Api, path: str) -> None:
    """A check/money-order store has no transactions and, until invoiced, no invoices."""
    body = api.search(path, page_size=5)
    assert body == {
        "items": [],
        "search_criteria": {"filter_groups": [], "page_size": 5},
        "total_count": 0,
    }


@pytest.mark.parametrize(
    "path",
    [
        "/V1/products",
        "/V1/customers/search",
        "/V1/orders",
        "/V1/invoices",
        "/V1/transactions",
        "/V1/cmsBlock/search",
        "/V1/cmsPage/search",
    ],
)
def test_search_criteria_is_required(api: Api, path: str) -> None:
    """Without any searchCriteria key every getList route is a 400 naming it."""
    assert error_of(api.get(path)) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "searchCriteria"},
        },
    )
