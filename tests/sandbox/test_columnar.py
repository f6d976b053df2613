"""Searches over generated rows answered from columns give what walking the rows gives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magento_ir.sandbox import Sandbox, columns
from magento_ir.sandbox.columnar import Constant, GeneratedIndex
from magento_ir.sandbox.rest_catalog import _product_value
from magento_ir.sandbox.rest_customers import _customer_value
from magento_ir.sandbox.rest_sales import _value as _order_value
from magento_ir.sandbox.search import Filter, SearchCriteria, search

TABLES = {
    "customers": (_customer_value, columns.CUSTOMER, "entity_id"),
    "orders": (_order_value, columns.ORDER, "entity_id"),
    "products": (_product_value, columns.PRODUCT, "entity_id"),
    "invoices": (_order_value, columns.INVOICE, "entity_id"),
    "transactions": (_order_value, columns.TRANSACTION, "transaction_id"),
}


def _typed(value: Any) -> Any:
    return (type(value).__name__, value)


@pytest.mark.parametrize("seed", [0, 9])
@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_column_equals_the_derived_rows(name: str, seed: int) -> None:
    """Each filterable field's column (or constant) holds exactly what the row derivation
    gives for every generated row, type included."""
    sandbox = Sandbox(products=45, customers=60, orders=130, seed=seed)
    table = getattr(sandbox.state, name)
    value_of, known, id_field = TABLES[name]
    index: GeneratedIndex = table.index
    generated = index.generated
    assert len(generated) > 0
    for field in sorted(known.names - {id_field}):  # ids are searched as ids, not columns
        column = index.column(field, value_of)
        for position, entity_id in enumerate(generated):
            expected = value_of(table.get(entity_id), field)
            if isinstance(column, Constant):
                actual = column.value
            else:
                code = int(column.codes[position])
                actual = column.values[code] if code < len(column.values) else None
            assert _typed(actual) == _typed(expected), (field, entity_id)


def _values(sandbox: Sandbox, name: str, field: str) -> list[Any]:
    value_of = TABLES[name][0]
    table = getattr(sandbox.state, name)
    return [value_of(row, field) for row in list(table.rows())[:40:7]]


FIELDS = {
    "customers": ["firstname", "lastname", "email", "created_at", "group_id", "dob", "entity_id"],
    "orders": [
        "customer_email",
        "created_at",
        "grand_total",
        "customer_id",
        "remote_ip",
        "status",
        "increment_id",
        "store_id",
        "entity_id",
    ],
    "products": ["sku", "name", "price", "status", "type_id", "category_id", "entity_id"],
    "invoices": ["grand_total", "created_at", "increment_id", "order_id", "state", "entity_id"],
    "transactions": ["txn_id", "txn_type", "created_at", "order_id", "method", "transaction_id"],
}
CONDITIONS = [None, "eq", "neq", "gt", "lt", "gteq", "lteq", "from", "to", "like", "nlike"]
CONDITIONS += ["in", "nin", "null", "notnull", "seq", "sneq", "finset", "fulltext", "bogus"]


def _variants(value: Any) -> list[Any]:
    text = "" if value is None else str(value)
    return [
        value,
        text.upper(),
        text[:5] + "%",
        "%" + text[-3:],
        f"%{text[1:4]}%",
        f"{text[:2]}%{text[-2:]}",
        f"%{text[:1]}%{text[-1:]}%",
        text[:3],
        "1,2,3",
        "",
        None,
    ]


@st.composite
def _criteria(draw: st.DrawFn, sandbox: Sandbox, name: str) -> SearchCriteria:
    groups = []
    for _ in range(draw(st.integers(0, 3))):
        group = []
        for _ in range(draw(st.integers(1, 2))):
            field = draw(st.sampled_from(FIELDS[name]))
            value = draw(st.sampled_from(_values(sandbox, name, field)))
            value = draw(st.sampled_from(_variants(value)))
            group.append(Filter(field, value, draw(st.sampled_from(CONDITIONS))))
        groups.append(tuple(group))
    sorts = draw(
        st.lists(
            st.tuples(st.sampled_from(FIELDS[name]), st.sampled_from(["ASC", "DESC"])),
            max_size=2,
        )
    )
    return SearchCriteria(
        tuple(groups),
        tuple(sorts) if sorts else None,
        draw(st.sampled_from([None, 0, 1, 5, 20])),
        draw(st.sampled_from([None, 1, 2, 3, 50])),
    )


SANDBOX = Sandbox(products=25, customers=40, orders=60, seed=3)
# Stored rows over generated ids (changed, added, deleted), as writes leave them.
for _table, _changes in (("customers", {"firstname": "Zed"}), ("products", {"price": 1.5})):
    _rows = getattr(SANDBOX.state, _table)
    _first = _rows.index.generated.start
    _rows.put(_first + 2, {**_rows.get(_first + 2), **_changes})
    _rows.delete(_first + 4)
SANDBOX.state.orders.put(
    SANDBOX.state.orders.next_id(),
    {**SANDBOX.state.orders.get(5), "entity_id": 70, "customer_email": "new@example.com"},
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(TABLES)))
def test_columns_answer_as_walking_the_rows(data: st.DataObject, name: str) -> None:
    """Every condition type, OR/AND groups, sort orders and paging: the same page and total."""
    value_of, known, id_field = TABLES[name]
    table = getattr(SANDBOX.state, name)
    criteria = data.draw(_criteria(SANDBOX, name))
    keyed = table.keyed_access(
        frozenset({id_field, "id"} if name in {"customers", "products"} else {id_field}),
        known.names,
    )

    def run(**extra: Any) -> Any:
        try:
            return search(criteria, table.rows, lambda: len(table), value_of, **extra)
        except RuntimeError as error:  # `is`, bad REGEXP: Magento's SQL error, both ways
            return str(error)

    assert run(keyed=keyed) == run()


@pytest.mark.parametrize(
    "pattern",
    ["a%a", "%a%a%", "a%", "%b", "%ab%", "ab%c", "%", "", "A%B", "%a%b%c%", "aa%ab", "b%%a"],
)
@pytest.mark.parametrize("condition", ["like", "nlike", "eq", "gt", "in", "seq", "finset"])
def test_condition_on_distinct_values_equals_matches(pattern: str, condition: str) -> None:
    """Binary searches and the C LIKE scan pass exactly the values `_matches` passes."""
    from magento_ir.sandbox.columnar import Column, _fast_passing  # noqa: PLC0415
    from magento_ir.sandbox.search import _matches  # noqa: PLC0415

    texts = ["a", "aa", "ab", "aab", "aba", "abc", "Abc", "b", "ba", "bab", "abac", "ca", ""]
    column = Column([*texts, None])
    passing = _fast_passing(column, condition, pattern)
    if passing is None:  # left to `_matches` itself
        return
    expected = [_matches(condition, value, pattern) for value in [*column.values, None]]
    assert passing.tolist() == expected


def test_a_search_releases_the_store_lock_while_it_reads_columns() -> None:
    """Other requests may take the store's lock while a search reads its columns."""
    import threading  # noqa: PLC0415

    from tests.sandbox.conftest import client_for  # noqa: PLC0415

    sandbox = Sandbox(customers=30)
    index = sandbox.state.customers.index
    page_ids = index._page_ids
    taken: list[bool] = []

    def probing(*args: Any) -> Any:
        def other_request() -> None:
            got = sandbox.lock.acquire(blocking=False)
            taken.append(got)
            if got:
                sandbox.lock.release()

        thread = threading.Thread(target=other_request)
        thread.start()
        thread.join()
        return page_ids(*args)

    index._page_ids = probing
    with client_for(sandbox, sandbox.admin_token()) as admin:
        params = {
            "searchCriteria[filter_groups][0][filters][0][field]": "firstname",
            "searchCriteria[filter_groups][0][filters][0][value]": "Sam",
        }
        response = admin.get("/rest/V1/customers/search", params=params)
    assert response.status_code == 200
    assert response.json()["total_count"] > 0
    assert taken == [True]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize(("size", "page"), [(7, 1), (7, 2), (5, 9), (None, None), (50, 1)])
@pytest.mark.parametrize("after", [1, 20])
def test_keyset_pages_of_generated_rows(direction: str, size: int, page: int, after: int) -> None:
    """Id-ordered pages of generated rows only (keyset paging) come from the cached counts."""
    table = SANDBOX.state.orders
    criteria = SearchCriteria(
        (
            (Filter("entity_id", str(after), "gt"),),
            (Filter("entity_id", "70", "lt"),),  # not the stored order 70
            (Filter("status", "processing", None),),
        ),
        (("entity_id", direction),),
        size,
        page,
    )
    keyed = table.keyed_access(frozenset({"entity_id"}), columns.ORDER.names)
    fast = search(criteria, table.rows, lambda: len(table), _order_value, keyed=keyed)
    plain = search(criteria, table.rows, lambda: len(table), _order_value)
    assert fast == plain
    assert fast[1] > 0


@pytest.mark.parametrize("name", sorted(TABLES))
def test_large_columns_indexed_up_front_answer_the_same(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Columns counted as large (texts and sort ranks built with the column, few kept) give
    the same sorted and LIKE-filtered pages as walking the rows."""
    from magento_ir.sandbox import columnar  # noqa: PLC0415

    monkeypatch.setattr(columnar, "_LARGE", 3)
    sandbox = Sandbox(products=25, customers=40, orders=60, seed=4)
    value_of, known, id_field = TABLES[name]
    table = getattr(sandbox.state, name)
    keyed = table.keyed_access(frozenset({id_field}), known.names)
    for field in FIELDS[name]:
        for value in _variants(_values(sandbox, name, field)[1])[:7]:
            for direction in ("ASC", "DESC"):
                criteria = SearchCriteria(
                    ((Filter(field, value, "like"),),), ((field, direction),), 6, 2
                )
                fast = search(criteria, table.rows, lambda: len(table), value_of, keyed=keyed)
                assert fast == search(criteria, table.rows, lambda: len(table), value_of)


def test_texts_written_from_arrays_equal_python_formatting() -> None:
    """`digits_text` and the generator's `_times` / `_customer_emails` write what the row
    derivation's f-strings and `_time` write."""
    import numpy as np  # noqa: PLC0415

    from magento_ir.sandbox.columnar import digits_text  # noqa: PLC0415
    from magento_ir.sandbox.generator import _customer_email, _customer_emails, _time, _times  # noqa: PLC0415

    numbers = np.array([0, 1, 9, 10, 99, 4095, 4096, 123_456_789, 2**40 + 7], dtype=np.int64)
    assert [t.decode() for t in digits_text(numbers).tolist()] == [str(n) for n in numbers]
    padded = digits_text(numbers, width=9).tolist()
    assert [t.decode() for t in padded] == [f"{n:09d}" for n in numbers.tolist()]
    hexes = digits_text(numbers, base=16, width=8).tolist()
    assert [t.decode() for t in hexes] == [f"{n:08x}" for n in numbers.tolist()]
    # Leap days, century years, the epoch, before it, and the far future.
    stamps = np.array(
        [
            *(0, -1, 951_782_399, 951_782_400, 1_709_164_800, 4_107_542_400, 253_402_300_799),
            *range(1_790_000_000, 1_790_000_000 + 86_400 * 800, 86_400 * 37 + 4_321),
        ],
        dtype=np.int64,
    )
    distinct, codes = _times(stamps)
    assert [distinct[code].decode() for code in codes] == [_time(int(t)) for t in stamps]
    emails = _customer_emails(np.array([1, 42, 9_999_999], dtype=np.int64)).tolist()
    assert [e.decode() for e in emails] == [_customer_email(n) for n in (1, 42, 9_999_999)]


@pytest.mark.parametrize(
    "texts",
    [
        ["b", "a", "A", "10", "9", " 7 ", "1e3", "1_0", "inf", "-Infinity", "abc", "ab", "", "0x1"],
        ["000000003", "000000002", "000000010"],
        ["x", "x", "12e1", "Infinity"],
    ],
)
def test_array_columns_rank_and_filter_as_python_values(texts: list[str]) -> None:
    """A column given as an array of bytes sorts (numbers first, as numbers) and filters
    exactly as the same column given as Python strings."""
    import numpy as np  # noqa: PLC0415

    from magento_ir.sandbox.columnar import Column, _fast_passing  # noqa: PLC0415
    from magento_ir.sandbox.search import _sort_key  # noqa: PLC0415

    codes = np.array([*range(len(texts)), len(texts)], dtype=np.int64)  # the last row: NULL
    arrays = Column((np.array(texts, dtype=np.bytes_), codes))
    plain = Column([*texts, None])
    assert isinstance(arrays.values, Sequence)
    assert not isinstance(arrays.values, list)
    rows = [*texts, None]

    def by_row(column: Column) -> list[Any]:
        codes_ = column.codes.tolist()
        return [None if c == len(column.values) else column.values[c] for c in codes_]

    assert by_row(arrays) == by_row(plain) == rows
    for column in (arrays, plain):
        distinct, ranks = column.sort_ranks()
        keys = [distinct[int(ranks[code])] for code in column.codes.tolist()]
        assert keys == [_sort_key(value) for value in rows]
        assert list(distinct) == sorted(set(keys))
    for condition, value in [("like", "a%"), ("like", "%b%"), ("gt", "a"), ("eq", "A")]:
        fast, slow = (_fast_passing(c, condition, value) for c in (arrays, plain))
        assert fast is not None
        assert slow is not None
        assert fast[arrays.codes].tolist() == slow[plain.codes].tolist()


def test_a_column_build_holds_up_only_the_searches_of_that_column() -> None:
    """While one column is being built, another column is built and read meanwhile; two
    fields of one producer share one build and one column."""
    import threading  # noqa: PLC0415

    import numpy as np  # noqa: PLC0415

    entered, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> Any:
        calls.append("slow")
        entered.set()
        release.wait()
        return np.arange(10, dtype=np.int64)

    def fast() -> Any:
        calls.append("fast")
        return np.arange(10, dtype=np.int64) % 3

    index = GeneratedIndex(
        range(1, 11), lambda entity_id: {"entity_id": entity_id}, {"a": slow, "b": slow, "c": fast}
    )
    value_of: Any = dict.get
    builders = [threading.Thread(target=index.column, args=(field, value_of)) for field in "ab"]
    for builder in builders:
        builder.start()
    entered.wait()
    other = threading.Thread(target=index.column, args=("c", value_of))
    other.start()
    other.join(30)  # a guard against a deadlock, not a speed check
    held = other.is_alive()
    release.set()
    for builder in builders:
        builder.join()
    other.join()
    assert not held
    assert calls == ["slow", "fast"]
    assert index.column("a", value_of) is index.column("b", value_of)


def test_a_served_store_builds_its_search_columns_once_it_listens() -> None:
    """Every filterable field of the generated customers, products and orders (ids too) has
    its column built after start-up, so no search builds one; stopping ends the building."""
    import threading  # noqa: PLC0415

    from magento_ir.sandbox.server import SandboxServer  # noqa: PLC0415

    sandbox = Sandbox(products=20, customers=30, orders=40, seed=2)
    state = sandbox.state
    with SandboxServer(sandbox) as server:
        assert server.columns_built()
    assert not server.columns_built()
    for name in ("customers", "products", "orders"):
        known = TABLES[name][1]
        index = getattr(state, name).index
        built = set(index._columns)
        assert known.names - {"entity_id"} <= built, name
        assert "\0id:entity_id" in built
    stopped = Sandbox(products=20, customers=30, orders=40, seed=2)
    halt = threading.Event()
    halt.set()
    stopped.warm_columns(halt)
    assert not stopped.state.orders.index._columns
