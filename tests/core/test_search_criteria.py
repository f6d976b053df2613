"""searchCriteria: validation of every condition and the exact query Magento expects."""

from __future__ import annotations

import pytest

from magento_ir import ConditionType, Filter, InvalidArgumentError, SearchCriteria
from magento_ir._core.encoding import encode_query, percent_encode

EVERY_CONDITION = {
    "eq",
    "neq",
    "like",
    "nlike",
    "in",
    "nin",
    "gt",
    "lt",
    "gteq",
    "lteq",
    "from",
    "to",
    "null",
    "notnull",
    "seq",
    "sneq",
    "finset",
    "nfinset",
    "regexp",
    "ntoa",
    "fulltext",
    "is",
}


def test_every_condition_magento_implements() -> None:
    """The conditions are exactly those Magento's MySQL adapter implements (magento-api.md §4.2)."""
    assert {member.value for member in ConditionType} == EVERY_CONDITION


@pytest.mark.parametrize("name", ["moreq", "gte", "contains", "like "])
def test_unknown_condition_names_the_valid_ones(name: str) -> None:
    """An unknown condition is refused (Magento would silently use eq), listing every valid one."""
    with pytest.raises(InvalidArgumentError) as caught:
        Filter.of("created_at", name, "x")
    for valid in EVERY_CONDITION:
        assert f" {valid}" in str(caught.value)


def test_condition_names_are_case_insensitive() -> None:
    """`LIKE` means `like`."""
    assert Filter.of("email", "LIKE", "%@x").condition is ConditionType.LIKE


def test_full_query_in_order() -> None:
    """Groups, filters, sort orders and paging encode with explicit indexes in a stable order."""
    criteria = (
        SearchCriteria()
        .where("status", "in", ["pending", "processing"])
        .where_any(Filter.of("remote_ip", "like", "10.%"), Filter.of("customer_email", "null"))
        .order_by("created_at", "desc")
        .page(50, 2)
    )
    assert criteria.to_params() == {
        "searchCriteria[filter_groups][0][filters][0][field]": "status",
        "searchCriteria[filter_groups][0][filters][0][value]": "pending,processing",
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "in",
        "searchCriteria[filter_groups][1][filters][0][field]": "remote_ip",
        "searchCriteria[filter_groups][1][filters][0][value]": "10.%",
        "searchCriteria[filter_groups][1][filters][0][condition_type]": "like",
        "searchCriteria[filter_groups][1][filters][1][field]": "customer_email",
        "searchCriteria[filter_groups][1][filters][1][condition_type]": "null",
        "searchCriteria[sort_orders][0][field]": "created_at",
        "searchCriteria[sort_orders][0][direction]": "DESC",
        "searchCriteria[pageSize]": "50",
        "searchCriteria[currentPage]": "2",
    }


def test_empty_criteria_still_send_a_key() -> None:
    """Magento refuses a list call without any searchCriteria key, so page 1 is always named."""
    assert SearchCriteria().to_params() == {"searchCriteria[currentPage]": "1"}


def test_page_size_alone() -> None:
    """`page(10)` sends pageSize only, as the recordings do."""
    assert SearchCriteria().page(10).to_params() == {"searchCriteria[pageSize]": "10"}


def test_scalar_values_are_magento_strings() -> None:
    """Booleans become 1/0 and numbers their decimal text."""
    assert Filter.of("is_active", "eq", value=True).value == "1"
    assert Filter.of("is_active", "eq", value=False).value == "0"
    assert Filter.of("grand_total", "gt", 9.5).value == "9.5"
    assert Filter.of("entity_id", "in", [1, 2, True]).value == "1,2,1"


@pytest.mark.parametrize(
    ("arguments", "fragment"),
    [
        (("", "eq", "x"), "needs a field name"),
        (("email", "null", "x"), "takes no value"),
        (("email", "eq", None), "use the 'null' condition"),
        (("email", "eq", ["a", "b"]), "pass a list only with 'in' or 'nin'"),
        (("sku", "in", "A,B"), "takes a list of values"),
        (("sku", "nin", []), "at least one value"),
        (("sku", "in", ["A", "B,C"]), "'B,C' cannot be matched"),
    ],
)
def test_bad_filters(arguments: tuple, fragment: str) -> None:
    """Filters Magento would misread are refused with the fix in the message."""
    with pytest.raises(InvalidArgumentError, match=fragment):
        Filter.of(*arguments)


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: SearchCriteria().where_any(), "at least one Filter"),
        (lambda: SearchCriteria().order_by("sku", "UP"), "use 'ASC' or 'DESC'"),
        (lambda: SearchCriteria().page(0), "at least 1"),
        (lambda: SearchCriteria().page(10, 0), "at least 1"),
    ],
)
def test_bad_builder_calls(build: object, fragment: str) -> None:
    """Builder misuse is an InvalidArgumentError naming the fix."""
    with pytest.raises(InvalidArgumentError, match=fragment):
        build()  # type: ignore[operator]


def test_builder_is_immutable() -> None:
    """Each builder call returns a new criteria and leaves the original alone."""
    base = SearchCriteria()
    narrowed = base.where("sku", "eq", "A")
    assert base.filter_groups == ()
    assert narrowed is not base


@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("a+b", "a%2Bb"),
        ("x@example.com", "x%40example.com"),
        ("100%", "100%25"),
        ("A/B", "A%2FB"),
        ("two words", "two%20words"),
        ("Grüße", "Gr%C3%BC%C3%9Fe"),
        ("a=b&c", "a%3Db%26c"),
        ("keep-._~", "keep-._~"),
    ],
)
def test_percent_encoding(text: str, encoded: str) -> None:
    """RFC 3986 encoding: only unreserved characters stay literal, UTF-8 bytes are encoded."""
    assert percent_encode(text) == encoded


def test_query_encodes_names_and_values() -> None:
    """Brackets in names and reserved characters in values are percent-encoded."""
    query = encode_query(SearchCriteria().where("sku", "eq", "A+B C").to_params().items())
    assert query.startswith(
        "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=sku"
    )
    assert "=A%2BB%20C&" in query


def test_select_trims_the_answer_and_survives_paging():
    """`fields` rides along with every page, after the searchCriteria keys."""
    criteria = SearchCriteria().where("state", "eq", "new").select("entity_id,payment[cc_type]")
    assert criteria.page(50, 2).to_params() == {
        "searchCriteria[filter_groups][0][filters][0][field]": "state",
        "searchCriteria[filter_groups][0][filters][0][value]": "new",
        "searchCriteria[filter_groups][0][filters][0][condition_type]": "eq",
        "searchCriteria[pageSize]": "50",
        "searchCriteria[currentPage]": "2",
        "fields": "items[entity_id,payment[cc_type]],search_criteria,total_count",
    }


@pytest.mark.parametrize("fields", ["items[entity_id],total_count", " "])
def test_select_takes_the_fields_of_one_item(fields):
    """total_count and search_criteria (paging needs them) are kept by select() itself."""
    with pytest.raises(InvalidArgumentError, match="takes the fields of one item"):
        SearchCriteria().select(fields)
