"""searchCriteria parsing and Magento 2.4.7's filter, sort and paging semantics."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.routing import parse_php_query
from magento_ir.sandbox.search import Filter, KeyedAccess, SearchCriteria, search
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    import httpx


def _filter(field: str, value: str, condition: str | None = None, group: int = 0, index: int = 0):
    prefix = f"searchCriteria[filter_groups][{group}][filters][{index}]"
    params = {f"{prefix}[field]": field, f"{prefix}[value]": value}
    if condition is not None:
        params[f"{prefix}[condition_type]"] = condition
    return params


def _skus(admin: httpx.Client, params: dict[str, str]) -> list[str]:
    response = admin.get("/rest/V1/products", params=params)
    assert response.status_code == 200, response.text
    return [item["sku"] for item in response.json()["items"]]


def _emails(admin: httpx.Client, params: dict[str, str]) -> list[str]:
    response = admin.get("/rest/V1/customers/search", params=params)
    assert response.status_code == 200, response.text
    return [item["email"] for item in response.json()["items"]]


def test_php_bracket_query_is_nested_in_insertion_order() -> None:
    """`a[b][0][c]=v` pairs nest like PHP's parse_str, keeping insertion order, `[]` appending."""
    parsed = parse_php_query(
        [("a[x][1][f]", "one"), ("a[x][0][f]", "zero"), ("b[]", "p"), ("b[]", "q"), ("c", "3")]
    )
    assert parsed == {
        "a": {"x": {"1": {"f": "one"}, "0": {"f": "zero"}}},
        "b": {"0": "p", "1": "q"},
        "c": "3",
    }


def test_condition_defaults_to_eq_and_unknown_types_act_as_eq(admin: httpx.Client) -> None:
    """No condition_type and unknown ones (moreq, gte, typos) all behave as `eq`, without error."""
    for condition in (None, "eq", "moreq", "gte", "contains"):
        assert _skus(admin, _filter("sku", "IR-SKU-010", condition)) == ["IR-SKU-010"]


def test_like_treats_percent_and_underscore_as_wildcards(admin: httpx.Client) -> None:
    """`like` has no implicit wildcards; `_` matches any one character, `%` any run."""
    assert _skus(admin, _filter("sku", "IR-SKU-01_", "like")) == [
        f"IR-SKU-01{n}" for n in range(10)
    ]
    assert _skus(admin, _filter("sku", "IR-SKU-01", "like")) == []
    assert _emails(admin, _filter("email", "ir_customer01@example.com", "like")) == [
        "ir.customer01@example.com"
    ]
    assert len(_skus(admin, _filter("sku", "IR-%", "nlike"))) == 3


def test_in_and_nin_split_strings_on_commas(admin: httpx.Client) -> None:
    """`in`/`nin` split the value on commas; `neq` and comparisons work numerically on numbers."""
    assert _skus(admin, _filter("sku", "IR-SKU-001,IR-SKU-002", "in")) == [
        "IR-SKU-001",
        "IR-SKU-002",
    ]
    assert len(_skus(admin, _filter("sku", "IR-SKU-001,IR-SKU-002", "nin"))) == 31
    assert _skus(admin, _filter("price", "39", "gt")) == ["IR-SKU-030"]
    assert _skus(admin, _filter("price", "6", "lt")) == ["TEST-SKU-2"]
    assert len(_skus(admin, _filter("price", "39", "gteq"))) == 2
    assert len(_skus(admin, _filter("entity_id", "31", "from"))) == 3
    assert len(_skus(admin, _filter("entity_id", "3", "to"))) == 3
    assert len(_skus(admin, _filter("sku", "IR-SKU-001", "neq"))) == 32


def test_null_conditions_ignore_the_value(admin: httpx.Client) -> None:
    """`null`/`notnull` test for NULL whatever the value; `seq` with an empty value is IS NULL."""
    assert _skus(admin, _filter("news_from_date", "ignored", "null"))[:1] == ["TEST-SKU-1"]
    assert _skus(admin, _filter("news_from_date", "", "notnull")) == []
    assert len(_skus(admin, _filter("news_from_date", "", "seq"))) == 33
    assert _skus(admin, _filter("sku", "IR-SKU-005", "seq")) == ["IR-SKU-005"]


def test_finset_regexp_and_fulltext(admin: httpx.Client) -> None:
    """`finset` matches a member of a comma list, `regexp` a pattern; on the EAV product
    collection `fulltext` is no condition at all and acts as `eq` (measured on 2.4.7-p3)."""
    assert len(_emails(admin, _filter("email", "^ir\\.customer1[0-2]@", "regexp"))) == 3
    assert _skus(admin, _filter("name", "Widget", "fulltext")) == []
    assert _skus(admin, _filter("name", "Blue Widget", "fulltext")) == ["TEST-SKU-2"]
    assert _skus(admin, _filter("sku", "TEST-SKU-2", "finset")) == ["TEST-SKU-2"]


def test_filters_in_a_group_are_or_and_groups_are_and(admin: httpx.Client) -> None:
    """Filters within one group are OR-ed; separate groups are AND-ed."""
    either = {**_filter("sku", "IR-SKU-001"), **_filter("sku", "IR-SKU-002", index=1)}
    assert _skus(admin, either) == ["IR-SKU-001", "IR-SKU-002"]
    both = {**_filter("sku", "IR-SKU-00%", "like"), **_filter("price", "13", "lteq", group=1)}
    assert _skus(admin, both) == ["IR-SKU-001", "IR-SKU-002", "IR-SKU-003"]


def test_sort_orders_and_paging(admin: httpx.Client) -> None:
    """Several sort orders apply in order; pages past the end are empty with the real total."""
    params = {
        "searchCriteria[sortOrders][0][field]": "price",
        "searchCriteria[sortOrders][0][direction]": "desc",
        "searchCriteria[pageSize]": "2",
        "searchCriteria[currentPage]": "1",
    }
    assert _skus(admin, params) == ["IR-SKU-030", "IR-SKU-029"]
    body = admin.get(
        "/rest/V1/products", params={**params, "searchCriteria[currentPage]": "40"}
    ).json()
    assert body["items"] == []
    assert body["total_count"] == 33
    assert body["search_criteria"]["sort_orders"] == [{"field": "price", "direction": "DESC"}]


def test_missing_page_size_returns_every_row(admin: httpx.Client) -> None:
    """Without pageSize (or with 0) every matching row comes back in one page."""
    assert len(_skus(admin, {"searchCriteria[currentPage]": "1"})) == 33
    assert len(_skus(admin, {"searchCriteria[pageSize]": "0"})) == 33


def test_echo_uses_snake_case_and_only_sent_keys(admin: httpx.Client) -> None:
    """The echo always has filter_groups; camelCase comes back snake_case; absent keys stay out."""
    params = {
        "searchCriteria[filterGroups][0][filters][0][field]": "sku",
        "searchCriteria[filterGroups][0][filters][0][value]": "IR-SKU-001",
        "searchCriteria[filterGroups][0][filters][0][conditionType]": "eq",
    }
    echo = admin.get("/rest/V1/products", params=params).json()["search_criteria"]
    assert echo == {
        "filter_groups": [
            {"filters": [{"field": "sku", "value": "IR-SKU-001", "condition_type": "eq"}]}
        ]
    }


def test_bad_sort_direction_is_rejected(admin: httpx.Client) -> None:
    """A direction other than ASC/DESC is Magento's 400 with both allowed values as parameters."""
    response = admin.get(
        "/rest/V1/products",
        params={
            "searchCriteria[sortOrders][0][field]": "sku",
            "searchCriteria[sortOrders][0][direction]": "UP",
        },
    )
    assert response.status_code == 400
    assert response.json()["parameters"] == ["ASC", "DESC"]


def test_is_condition_is_an_internal_error_without_traceback(admin: httpx.Client) -> None:
    """`is` produces invalid SQL in Magento: a masked 500 with a report id, never a traceback."""
    response = admin.get("/rest/V1/products", params=_filter("sku", "x", "is"))
    assert response.status_code == 500
    message = response.json()["message"]
    assert message.startswith(
        "Internal Error. Details are available in Magento log file. Report ID: webapi-"
    )
    assert "Traceback" not in response.text


def test_page_size_limit_applies_only_when_enabled(sandbox: Sandbox, admin: httpx.Client) -> None:
    """With webapi/validation/input_limit_enabled=1 a pageSize over the maximum is a 400."""
    assert (
        admin.get("/rest/V1/products", params={"searchCriteria[pageSize]": "100000"}).status_code
        == 200
    )
    with sandbox.lock:
        sandbox.state.set_config("webapi/validation/input_limit_enabled", "1")
    response = admin.get("/rest/V1/products", params={"searchCriteria[pageSize]": "301"})
    assert response.status_code == 400
    assert response.json() == {
        "message": "Maximum SearchCriteria pageSize is %max",
        "parameters": {"max": 300},
    }


@pytest.mark.parametrize(
    "path", ["/rest/V1/orders", "/rest/V1/customers/search", "/rest/V1/cmsPage/search"]
)
def test_search_routes_require_search_criteria(admin: httpx.Client, path: str) -> None:
    """Every getList route answers 400 `"%fieldName" is required` without any searchCriteria key."""
    response = admin.get(path)
    assert response.status_code == 400
    assert response.json()["parameters"] == {"fieldName": "searchCriteria"}


def test_keyset_paging_over_a_million_customers_is_direct() -> None:
    """`entity_id gt <last>` sorted by entity_id pages a 1M-customer store like a small one."""
    sandbox = Sandbox(customers=1_000_000)
    with client_for(sandbox, sandbox.admin_token()) as admin:
        params = {
            **_filter("entity_id", "1000000", "gt"),
            "searchCriteria[sortOrders][0][field]": "entity_id",
            "searchCriteria[sortOrders][0][direction]": "DESC",
            "searchCriteria[pageSize]": "3",
        }
        body = admin.get("/rest/V1/customers/search", params=params).json()
    assert body["total_count"] == 14
    assert [item["id"] for item in body["items"]] == [1_000_014, 1_000_013, 1_000_012]


ID_FILTERS = st.lists(
    st.tuples(
        st.sampled_from(["eq", "gt", "gteq", "lt", "lteq", "from", "to", "in", None]),
        st.integers(0, 40),
    ),
    max_size=3,
)


@settings(max_examples=60, deadline=None)
@given(
    filters=ID_FILTERS,
    descending=st.booleans(),
    size=st.integers(0, 7),
    page=st.integers(0, 6),
    deleted=st.sets(st.integers(34, 45), max_size=3),
    name_filter=st.booleans(),
)
def test_keyed_search_equals_a_full_scan(
    *,
    filters: list[tuple[str | None, int]],
    descending: bool,
    size: int,
    page: int,
    deleted: set[int],
    name_filter: bool,
) -> None:
    """Id-keyed filtering, sorting and paging give exactly what a full scan gives."""
    sandbox = Sandbox(products=12)
    table = sandbox.state.products
    for entity_id in deleted:
        table.delete(entity_id)
    groups = [(Filter("entity_id", str(value), condition),) for condition, value in filters]
    if name_filter:
        groups.append((Filter("name", "%1%", "like"),))
    criteria = SearchCriteria(
        tuple(groups), (("entity_id", "DESC" if descending else "ASC"),), size, page or None
    )

    def value_of(row: dict, field: str) -> object:
        return row["id"] if field == "entity_id" else row.get(field)

    keyed = KeyedAccess(frozenset({"entity_id"}), table.ids_range, table.get)
    plain = search(criteria, table.rows, lambda: len(table), value_of)
    fast = search(criteria, table.rows, lambda: len(table), value_of, keyed=keyed)
    assert fast == plain


@settings(max_examples=80, deadline=None)
@given(
    filters=ID_FILTERS,
    size=st.integers(0, 7),
    page=st.integers(0, 6),
    deleted=st.sets(st.integers(30, 47), max_size=4),
    renamed=st.sets(st.integers(30, 47), max_size=4),
    added=st.sets(st.integers(48, 52), max_size=3),
    patterns=st.lists(st.sampled_from(["%1%", "%2%", "%renamed%", None]), min_size=1, max_size=3),
)
def test_cached_matching_equals_a_full_scan(
    *,
    filters: list[tuple[str | None, int]],
    size: int,
    page: int,
    deleted: set[int],
    renamed: set[int],
    added: set[int],
    patterns: list[str | None],
) -> None:
    """Matches of generated rows are cached per filter; stored, changed and deleted rows are
    still seen, and each filter gets its own matches (several searches on one table)."""
    sandbox = Sandbox(products=18)
    table = sandbox.state.products
    for entity_id in sorted(renamed | added):
        row = dict(table.get(entity_id) or table.get(30) or {})
        table.put(entity_id, {**row, "id": entity_id, "name": f"renamed {entity_id}"})
    for entity_id in deleted:
        table.delete(entity_id)

    def value_of(row: dict, field: str) -> object:
        return row["id"] if field == "entity_id" else row.get(field)

    keyed = KeyedAccess(
        frozenset({"entity_id"}), table.ids_range, table.get, matching=table.matching_ids
    )
    for pattern in patterns:
        groups = [(Filter("entity_id", str(value), condition),) for condition, value in filters]
        if pattern is not None:
            groups.append((Filter("name", pattern, "like"),))
        criteria = SearchCriteria(tuple(groups), (("entity_id", "ASC"),), size, page or None)
        plain = search(criteria, table.rows, lambda: len(table), value_of)
        fast = search(criteria, table.rows, lambda: len(table), value_of, keyed=keyed)
        assert fast == plain


def test_filtered_paging_derives_only_the_rows_served() -> None:
    """Paging a created_at window derives only the rows it serves: the filter reads columns."""
    sandbox = Sandbox(orders=300)
    table = sandbox.state.orders
    derive = table._derive
    calls = 0

    def counted(entity_id: int) -> dict:
        nonlocal calls
        calls += 1
        return derive(entity_id)

    table._derive = counted
    with client_for(sandbox, sandbox.admin_token()) as admin:
        seen = []
        for page in range(1, 8):
            params = {
                **_filter("created_at", "2000-01-01 00:00:00", "gteq"),
                "searchCriteria[sortOrders][0][field]": "entity_id",
                "searchCriteria[pageSize]": "50",
                "searchCriteria[currentPage]": str(page),
            }
            body = admin.get("/rest/V1/orders", params=params).json()
            seen += [item["entity_id"] for item in body["items"]]
    # 300 generated orders and the seeded order 1.
    assert body["total_count"] == 301
    assert len(seen) == len(set(seen)) == 301
    # The filter is answered from the created_at column: one row per generated order served.
    assert calls == 300


def test_negative_page_size_means_one_row_per_page(admin: httpx.Client) -> None:
    """Zend_Db_Select::limitPage turns a negative row count into 1; the echo keeps the value."""
    body = admin.get("/rest/V1/products", params={"searchCriteria[pageSize]": "-5"}).json()
    assert len(body["items"]) == 1
    assert body["search_criteria"]["page_size"] == -5


def test_non_numeric_page_size_is_a_type_error(admin: httpx.Client) -> None:
    """`pageSize=abc` is refused by the type processor, which renders the field, the value and the
    int type into the message itself (no `parameters`)."""
    response = admin.get("/rest/V1/products", params={"searchCriteria[pageSize]": "abc"})
    assert response.status_code == 400
    assert response.json() == {
        "message": 'Error occurred during "pageSize" processing. The "abc" value\'s type is '
        'invalid. The "int" type was expected. Verify and try again.'
    }
