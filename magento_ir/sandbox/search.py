"""searchCriteria as Magento 2.4.7 reads and applies it.

Filters inside a group are OR-ed, groups are AND-ed; condition types follow Magento's
`Mysql::prepareSqlCondition` (unknown types act as `eq`, `like`
has SQL wildcards `%` and `_`, `in`/`nin` split strings on commas, NULL never equals anything);
string comparisons are case-insensitive like MySQL's default collation. Paging past the end gives an
empty page; no `pageSize` gives every row.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.errors import DatabaseError, WebapiError, integer_param

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from magento_ir.sandbox.columnar import GeneratedIndex
    from magento_ir.sandbox.messages import JsonValue

__all__ = ["Columns", "Filter", "KeyedAccess", "SearchCriteria", "search", "search_response"]

Row = dict[str, Any]
ValueOf = Callable[[Row, str], Any]
# (filter key, filter or None, low id, high id, start, stop) -> (ids of the page, total)
MatchingIds = Callable[
    [object, Callable[[Row], bool] | None, int | None, int | None, int, int | None],
    tuple[list[int], int],
]


def _pick(raw: dict[str, Any], snake: str, camel: str) -> JsonValue:
    return raw[snake] if snake in raw else raw.get(camel)


def _ordered(value: JsonValue) -> list[Any]:
    """PHP arrays from a query string keep insertion order; JSON lists stay lists."""
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    return []


def _integer(raw: dict[str, Any], snake: str, camel: str) -> int | None:
    """An `int` field of the criteria, converted (or refused, naming it) like Magento does."""
    name = snake if snake in raw else camel
    value = raw.get(name)
    return None if value is None else integer_param(str(value), field=name)


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    value: Any
    condition_type: str | None
    # Set when a flat collection rewrote `fulltext` into `like %value%`.
    as_like: bool = False

    def echo(self) -> dict[str, Any]:
        # Magento's Filter getter defaults the condition to `eq`, and the echo says so.
        return {
            "field": self.field,
            "value": self.value,
            "condition_type": self.condition_type or "eq",
        }


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    filter_groups: tuple[tuple[Filter, ...], ...]
    sort_orders: tuple[tuple[str, str], ...] | None
    page_size: int | None
    current_page: int | None

    @classmethod
    def parse(cls, raw: JsonValue) -> SearchCriteria:
        if not isinstance(raw, dict):
            raw = {}
        groups = []
        for group in _ordered(_pick(raw, "filter_groups", "filterGroups")):
            filters = []
            for item in _ordered(group.get("filters") if isinstance(group, dict) else None):
                if not isinstance(item, dict):
                    continue
                condition = _pick(item, "condition_type", "conditionType")
                filters.append(
                    Filter(
                        str(item.get("field", "")),
                        item.get("value"),
                        None if condition is None else str(condition),
                    )
                )
            groups.append(tuple(filters))
        sort_raw = _pick(raw, "sort_orders", "sortOrders")
        sort_orders = None
        if sort_raw is not None:
            parsed = []
            for order in _ordered(sort_raw):
                if not isinstance(order, dict):
                    continue
                direction = order.get("direction", "ASC")
                if not isinstance(direction, str) or direction.upper() not in ("ASC", "DESC"):
                    raise WebapiError(
                        400,
                        "The sort order has to be specified as %1 for ascending order or %2 for "
                        "descending order.",
                        ["ASC", "DESC"],
                    )
                parsed.append((str(order.get("field", "")), direction.upper()))
            sort_orders = tuple(parsed)
        return cls(
            tuple(groups),
            sort_orders,
            _integer(raw, "page_size", "pageSize"),
            _integer(raw, "current_page", "currentPage"),
        )

    def echo(self) -> dict[str, Any]:
        """The `search_criteria` Magento returns: filter_groups always, the rest only if sent."""
        echoed: dict[str, Any] = {
            "filter_groups": [
                {"filters": [item.echo() for item in group]} for group in self.filter_groups
            ]
        }
        if self.sort_orders is not None:
            echoed["sort_orders"] = [
                {"field": field, "direction": direction} for field, direction in self.sort_orders
            ]
        if self.page_size is not None:
            echoed["page_size"] = self.page_size
        if self.current_page is not None:
            echoed["current_page"] = self.current_page
        return echoed


# --- conditions -----------------------------------------------------------------------------
def _number(value: JsonValue) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def _scalar(value: JsonValue) -> JsonValue:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return value


def _compare(left: JsonValue, right: JsonValue) -> int | None:
    """MySQL-ish comparison: numbers numerically, strings case-insensitively; NULL -> None."""
    left = _scalar(left)
    if left is None or right is None:
        return None
    if isinstance(left, int | float):
        number = _number(right)
        if number is not None:
            return (left > number) - (left < number)
    left_text, right_text = str(left).casefold(), str(right).casefold()
    return (left_text > right_text) - (left_text < right_text)


def _like_pattern(pattern: str) -> re.Pattern[str]:
    parts = []
    escaped = False
    for char in str(pattern):
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _split(value: JsonValue) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return str(value).split(",")


_COMPARISONS: dict[str, Callable[[int], bool]] = {
    "eq": lambda result: result == 0,
    "neq": lambda result: result != 0,
    "gt": lambda result: result > 0,
    "lt": lambda result: result < 0,
    "gteq": lambda result: result >= 0,
    "lteq": lambda result: result <= 0,
    "from": lambda result: result >= 0,
    "to": lambda result: result <= 0,
}
_KNOWN = frozenset(
    {*_COMPARISONS, "like", "nlike", "in", "nin", "null", "notnull", "seq", "sneq"}
    | {"finset", "nfinset", "regexp", "ntoa", "fulltext", "is"}
)


def normalize_condition(condition: str | None, expected: JsonValue) -> tuple[str, JsonValue]:
    """The condition as it acts: unknown -> `eq`, `seq`/`sneq` -> null tests or `eq`/`neq`."""
    kind = (condition or "eq").lower()
    if kind not in _KNOWN:
        kind = "eq"  # Mysql::prepareSqlCondition's fallback: an unknown key is an `=`
    if kind in ("seq", "sneq"):
        if expected in (None, ""):
            return ("null" if kind == "seq" else "notnull"), expected
        kind = "eq" if kind == "seq" else "neq"
    if kind == "is":
        # `IS 'x'` is invalid SQL in MySQL: Magento answers with an internal error.
        raise RuntimeError("SQL syntax error near IS")
    return kind, expected


def _matches(condition: str | None, actual: JsonValue, expected: JsonValue) -> bool:  # noqa: C901, PLR0911
    kind, expected = normalize_condition(condition, expected)
    if kind == "null":
        return actual is None
    if kind == "notnull":
        return actual is not None
    if actual is None:
        return False
    if kind in _COMPARISONS:
        result = _compare(actual, expected)
        return result is not None and _COMPARISONS[kind](result)
    if kind in ("like", "nlike", "fulltext"):
        # Flat collections turn `fulltext` into `like %value%` first (Columns.check); an EAV
        # collection has no fulltext condition and falls back to `=`.
        if kind == "fulltext":
            result = _compare(actual, expected)
            return result == 0
        found = _like_pattern(str(expected)).fullmatch(str(_scalar(actual))) is not None
        return found if kind != "nlike" else not found
    if kind in ("in", "nin"):
        found = any(_compare(actual, item) == 0 for item in _split(expected))
        return found if kind == "in" else not found
    if kind in ("finset", "nfinset"):
        members = [str(item).casefold() for item in _split(_scalar(actual))]
        found = str(expected).casefold() in members
        return found if kind == "finset" else not found
    if kind == "regexp":
        try:
            return re.search(str(expected), str(_scalar(actual)), re.IGNORECASE) is not None
        except re.error:
            raise RuntimeError("invalid REGEXP") from None
    # ntoa: INET_NTOA(field) LIKE value
    number = _number(actual)
    if number is None:
        return False
    value = int(number)
    dotted = ".".join(str((value >> shift) & 255) for shift in (24, 16, 8, 0))
    return _like_pattern(str(expected)).fullmatch(dotted) is not None


def _sort_key(value: JsonValue) -> tuple[int, Any]:
    value = _scalar(value)
    if value is None:
        return (0, 0)  # MySQL sorts NULL first in ascending order
    if isinstance(value, int | float):
        return (1, value)
    number = _number(value)
    return (1, number) if number is not None else (2, str(value).casefold())


@dataclass(frozen=True, slots=True)
class Columns:
    """What a getList collection can filter and sort on, and how it refuses anything else.

    EAV collections (products, customers) check a filter's field against their attributes: an
    unknown one is a 400, an unknown sort field is ignored, and `fulltext` acts as `eq`. Flat
    collections (orders, invoices, transactions, CMS) put the field into SQL as it is: MySQL's
    "Unknown column" becomes a 500, and `fulltext` becomes `like %value%` (echoed so).
    """

    names: frozenset[str]
    eav: bool
    select: str = ""

    def check(self, criteria: SearchCriteria) -> tuple[SearchCriteria, SearchCriteria]:
        """The criteria as the collection applies them and as it echoes them, or Magento's error."""
        groups = []
        for group in criteria.filter_groups:
            filters = []
            for item in group:
                if item.field not in self.names:
                    self._refuse_filter(item)
                if (item.condition_type or "").lower() == "fulltext" and not self.eav:
                    # FilterProcessor rewrites the filter object itself: the echo shows it too.
                    item = Filter(item.field, f"%{item.value}%", item.condition_type, as_like=True)  # noqa: PLW2901
                filters.append(item)
            groups.append(tuple(filters))
        echoed = SearchCriteria(
            tuple(groups), criteria.sort_orders, criteria.page_size, criteria.current_page
        )
        sort_orders = criteria.sort_orders
        if sort_orders is not None:
            unknown = [field for field, _ in sort_orders if field not in self.names]
            if unknown and not self.eav:
                raise DatabaseError(self._sql_error(unknown[0], "ORDER BY"))
            sort_orders = tuple(order for order in sort_orders if order[0] in self.names)
        applied = SearchCriteria(
            tuple(groups), sort_orders, criteria.page_size, criteria.current_page
        )
        return applied, echoed

    def _refuse_filter(self, item: Filter) -> None:
        if self.eav:
            raise WebapiError(
                400,
                'The "%1" attribute name is invalid. Reset the name and try again.',
                [item.field or None],
            )
        if not item.field:
            raise DatabaseError(
                "Deprecated Functionality: str_replace(): Passing null to parameter #3 ($subject) "
                "of type array|string is deprecated in <magento-root>/vendor/magento/zend-db/"
                "library/Zend/Db/Adapter/Abstract.php on line 1044",
                code=None,
            )
        raise DatabaseError(self._sql_error(item.field, "WHERE"))

    def _sql_error(self, field: str, clause: str) -> str:
        return (
            f"SQLSTATE[42S22]: Column not found: 1054 Unknown column '{field}' in '{clause}', "
            f"query was: {self.select}"
        )


@dataclass(frozen=True, slots=True)
class KeyedAccess:
    """Id-based access to a table, so id filters and id sorts never build other rows.

    Keyset paging (`entity_id gt <last>`, sorted by `entity_id`) over a million generated rows
    then costs one page of rows, not a million.
    """

    id_fields: frozenset[str]
    ids_range: Callable[[int | None, int | None], Iterable[int]]
    fetch: Callable[[int], Row | None]
    # `EntityTable.matching_ids`, for tables whose `fetch` is the table's own rows: filtered
    # paging then derives each generated row once per filter, not once per page.
    matching: MatchingIds | None = None
    # Columns of the generated rows (`columnar.GeneratedIndex`): every filter and sort is
    # answered from them; `overlay()` names the ids whose row is not the generated one (stored,
    # deleted, overridden) and `names` the collection's fields.
    index: GeneratedIndex | None = None
    overlay: Callable[[], Iterable[int]] = tuple
    names: frozenset[str] = frozenset()
    # Releases the store's lock while the columns are read (`Sandbox.unlocked`), so a heavy
    # search does not hold up other requests.
    unlocked: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext


# condition -> (shift of the lower bound, shift of the upper bound); None leaves that side open.
_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    "eq": (0, 0),
    "gt": (1, None),
    "gteq": (0, None),
    "from": (0, None),
    "lt": (None, -1),
    "lteq": (None, 0),
    "to": (None, 0),
}


def _id_bounds(
    groups: tuple[tuple[Filter, ...], ...], id_fields: frozenset[str]
) -> tuple[int | None, int | None, tuple[tuple[Filter, ...], ...]]:
    """Fold single-filter id range groups into [low, high]; return the groups left to evaluate."""
    low: int | None = None
    high: int | None = None
    rest = []
    for group in groups:
        only = group[0] if len(group) == 1 else None
        kind = (only.condition_type or "eq").lower() if only is not None else ""
        value = str(only.value).strip() if only is not None else ""
        if (
            only is None
            or only.field not in id_fields
            or kind not in _BOUNDS
            or not value.isdigit()
        ):
            rest.append(group)
            continue
        lower_shift, upper_shift = _BOUNDS[kind]
        if lower_shift is not None:
            candidate = int(value) + lower_shift
            low = candidate if low is None else max(low, candidate)
        if upper_shift is not None:
            candidate = int(value) + upper_shift
            high = candidate if high is None else min(high, candidate)
    return low, high, tuple(rest)


def _limit(page_size: int | None) -> int | None:
    """Rows per page: 0/absent means no limit; Zend's limitPage turns a negative size into 1."""
    if not page_size:
        return None
    return max(page_size, 1)


def _keyed_search(
    criteria: SearchCriteria, keyed: KeyedAccess, keep: Callable[[Row], bool], value_of: ValueOf
) -> tuple[list[Row], int] | None:
    sort_orders = criteria.sort_orders or ()
    if any(field not in keyed.id_fields for field, _ in sort_orders):
        return None
    low, high, rest = _id_bounds(criteria.filter_groups, keyed.id_fields)
    descending = bool(sort_orders) and sort_orders[0][1] == "DESC"
    size = _limit(criteria.page_size)
    start = (max(criteria.current_page or 1, 1) - 1) * size if size else 0
    stop = start + size if size else None
    if keyed.matching is not None and not descending:
        filtered = any(rest)
        ids, total = keyed.matching(
            (value_of, repr(rest)), keep if filtered else None, low, high, start, stop
        )
        page = (keyed.fetch(entity_id) for entity_id in ids)
        return [row for row in page if row is not None], total
    if not any(rest):
        ids = list(keyed.ids_range(low, high))
        if descending:
            ids.reverse()
        page = (keyed.fetch(entity_id) for entity_id in ids[start:stop])
        return [row for row in page if row is not None], len(ids)
    matched = []
    for entity_id in keyed.ids_range(low, high):
        row = keyed.fetch(entity_id)
        if row is not None and keep(row):
            matched.append(row)
    if descending:
        matched.reverse()
    return matched[start:stop], len(matched)


def search(
    criteria: SearchCriteria,
    rows: Callable[[], Iterable[Row]],
    count: Callable[[], int],
    value_of: ValueOf,
    *,
    max_page_size: int | None = None,
    window: Callable[[int, int | None], Iterable[Row]] | None = None,
    keyed: KeyedAccess | None = None,
) -> tuple[list[Row], int]:
    """The page of matching rows and the total count before paging."""
    if max_page_size is not None and (criteria.page_size or 0) > max_page_size:
        raise WebapiError(400, "Maximum SearchCriteria pageSize is %max", {"max": max_page_size})
    size = _limit(criteria.page_size)
    page = max(criteria.current_page or 1, 1)
    if not criteria.filter_groups and not criteria.sort_orders:
        # Fast path for plain paging: no row is built before its page.
        total = count()
        start = (page - 1) * size if size else 0
        stop = start + size if size else None
        if window is not None:
            return list(window(start, stop)), total
        return list(itertools.islice(rows(), start, stop)), total

    def keep(row: Row) -> bool:
        return all(
            any(
                _matches(
                    "like" if item.as_like else item.condition_type,
                    value_of(row, item.field),
                    item.value,
                )
                for item in group
            )
            for group in criteria.filter_groups
            if group
        )

    if keyed is not None:
        searcher = _keyed_search if keyed.index is None else keyed.index.search
        found = searcher(criteria, keyed, keep, value_of)
        if found is not None:
            return found
    matched = [row for row in rows() if keep(row)]
    for field, direction in reversed(criteria.sort_orders or ()):

        def sort_key(row: Row, name: str = field) -> tuple[int, JsonValue]:
            return _sort_key(value_of(row, name))

        matched.sort(key=sort_key, reverse=direction == "DESC")
    total = len(matched)
    if size is None:
        return matched, total
    start = (page - 1) * size
    return matched[start : start + size], total


def search_response(
    *,
    query: dict[str, Any],
    config_value: Callable[[str], str | None],
    rows: Callable[[], Iterable[Row]],
    count: Callable[[], int],
    value_of: ValueOf,
    serialize: Callable[[Row], Any],
    window: Callable[[int, int | None], Iterable[Row]] | None = None,
    keyed: KeyedAccess | None = None,
    columns: Columns | None = None,
) -> dict[str, Any]:
    """`{items, search_criteria, total_count}` for a getList route.

    `window(start, stop)` yields rows by position when plain paging needs no filtering or sorting;
    `columns` refuses fields the collection does not have, as Magento does.
    """
    criteria = SearchCriteria.parse(query.get("searchCriteria"))
    echoed = criteria
    if columns is not None:
        criteria, echoed = columns.check(criteria)
    limit = None
    if config_value("webapi/validation/input_limit_enabled") == "1":
        limit = int(config_value("webapi/validation/maximum_page_size") or 300)
    page, total = search(
        criteria, rows, count, value_of, max_page_size=limit, window=window, keyed=keyed
    )
    return {
        "items": [serialize(row) for row in page],
        "search_criteria": echoed.echo(),
        "total_count": total,
    }
