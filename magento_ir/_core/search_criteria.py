"""A typed searchCriteria builder and its exact query encoding (magento-api.md §4).

Filter groups are ANDed; filters inside one group are ORed. The builder is immutable: every method
returns a new `SearchCriteria`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from magento_ir._exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Sequence

Scalar = str | int | float | bool


class ConditionType(StrEnum):
    """Every condition Magento's MySQL adapter implements (`Mysql::prepareSqlCondition`)."""

    EQ = "eq"
    NEQ = "neq"
    LIKE = "like"
    NLIKE = "nlike"
    IN = "in"
    NIN = "nin"
    GT = "gt"
    LT = "lt"
    GTEQ = "gteq"
    LTEQ = "lteq"
    FROM = "from"
    TO = "to"
    NULL = "null"
    NOTNULL = "notnull"
    SEQ = "seq"
    SNEQ = "sneq"
    FINSET = "finset"
    NFINSET = "nfinset"
    REGEXP = "regexp"
    NTOA = "ntoa"
    FULLTEXT = "fulltext"
    IS = "is"


_LIST_CONDITIONS = frozenset({ConditionType.IN, ConditionType.NIN})
_VALUELESS_CONDITIONS = frozenset({ConditionType.NULL, ConditionType.NOTNULL})


def condition_type(name: str | ConditionType) -> ConditionType:
    """The condition named `name`, or an error listing the valid ones.

    Magento itself would silently treat an unknown condition as `eq` and return the wrong rows.
    """
    try:
        return ConditionType(str(name).lower())
    except ValueError:
        valid = ", ".join(member.value for member in ConditionType)
        raise InvalidArgumentError(
            f"unknown searchCriteria condition_type {name!r}: Magento would silently treat it as "
            f"'eq'. Use one of: {valid}"
        ) from None


def _scalar_text(value: Scalar) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


@dataclass(frozen=True, slots=True)
class Filter:
    """One condition on one field; build it with `Filter.of(...)` to get validation."""

    field: str
    condition: ConditionType
    value: str | None

    @classmethod
    def of(
        cls,
        field: str,
        condition: str | ConditionType = ConditionType.EQ,
        value: Scalar | Sequence[Scalar] | None = None,
    ) -> Filter:
        """Validate: lists only for in/nin (comma-joined), no value for null/notnull."""
        if not field:
            raise InvalidArgumentError("a searchCriteria filter needs a field name, e.g. 'email'")
        kind = condition_type(condition)
        if kind in _VALUELESS_CONDITIONS:
            if value is not None:
                raise InvalidArgumentError(
                    f"condition {kind.value!r} takes no value (Magento ignores it); drop value="
                )
            return cls(field, kind, None)
        if value is None:
            raise InvalidArgumentError(
                f"filter on {field!r} with {kind.value!r} needs a value; to match missing values "
                "use the 'null' condition"
            )
        if kind in _LIST_CONDITIONS:
            return cls(field, kind, _join_list(field, kind, value))
        if not isinstance(value, Scalar):
            raise InvalidArgumentError(
                f"filter on {field!r} with {kind.value!r} takes one value; pass a list only with "
                "'in' or 'nin'"
            )
        return cls(field, kind, _scalar_text(value))


def _join_list(field: str, kind: ConditionType, value: Scalar | Sequence[Scalar]) -> str:
    if isinstance(value, Scalar):
        raise InvalidArgumentError(
            f"filter on {field!r} with {kind.value!r} takes a list of values, e.g. ['A', 'B']"
        )
    items = [_scalar_text(item) for item in value]
    if not items:
        raise InvalidArgumentError(
            f"filter on {field!r} with {kind.value!r} needs at least one value"
        )
    with_comma = [item for item in items if "," in item]
    if with_comma:
        raise InvalidArgumentError(
            f"Magento splits {kind.value!r} values on commas, so {with_comma[0]!r} cannot be "
            "matched this way; filter it with 'eq' in a separate filter of the same group (OR)"
        )
    return ",".join(items)


class SortDirection(StrEnum):
    """Sort direction; Magento refuses anything else with a 400."""

    ASC = "ASC"
    DESC = "DESC"


@dataclass(frozen=True, slots=True)
class SortOrder:
    """Sort by one field."""

    field: str
    direction: SortDirection


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    """An immutable searchCriteria: AND of groups (each an OR of filters), sort orders, paging."""

    filter_groups: tuple[tuple[Filter, ...], ...] = ()
    sort_orders: tuple[SortOrder, ...] = ()
    page_size: int | None = None
    current_page: int | None = None
    # Magento's `fields` response filter, e.g. "items[entity_id,customer_email],total_count".
    fields: str | None = None

    def where(
        self,
        field: str,
        condition: str | ConditionType = ConditionType.EQ,
        value: Scalar | Sequence[Scalar] | None = None,
    ) -> SearchCriteria:
        """AND one more condition: `where("email", "like", "%@example.com")`."""
        return self.where_any(Filter.of(field, condition, value))

    def where_any(self, *filters: Filter) -> SearchCriteria:
        """AND a group that matches when any of `filters` matches (OR inside the group)."""
        if not filters:
            raise InvalidArgumentError("where_any() needs at least one Filter.of(...)")
        return replace(self, filter_groups=(*self.filter_groups, tuple(filters)))

    def order_by(
        self, field: str, direction: str | SortDirection = SortDirection.ASC
    ) -> SearchCriteria:
        """Add a sort order (applied after the earlier ones)."""
        try:
            parsed = SortDirection(str(direction).upper())
        except ValueError:
            raise InvalidArgumentError(
                f"sort direction {direction!r} is not valid: use 'ASC' or 'DESC'"
            ) from None
        return replace(self, sort_orders=(*self.sort_orders, SortOrder(field, parsed)))

    def page(self, size: int, current: int | None = None) -> SearchCriteria:
        """Set `pageSize` and, when given, `currentPage` (1-based; Magento's default is 1)."""
        if size < 1 or (current is not None and current < 1):
            raise InvalidArgumentError(
                "page size and current page must be at least 1 "
                f"(got size={size}, current={current})"
            )
        return replace(self, page_size=size, current_page=current)

    def select(self, item_fields: str) -> SearchCriteria:
        """Trim each item of the answer to `item_fields` (Magento's `?fields=` filter), e.g.
        `"entity_id,customer_email,billing_address[country_id]"`: less to send and parse when
        reading many rows for a few fields. Keep the id when paging by keyset."""
        if not item_fields.strip() or "items[" in item_fields:
            raise InvalidArgumentError(
                f"select({item_fields!r}) takes the fields of one item, e.g. "
                "'entity_id,customer_email,billing_address[country_id]'"
            )
        return replace(self, fields=f"items[{item_fields}],search_criteria,total_count")

    def to_params(self) -> dict[str, str]:
        """The bracketed query parameters Magento expects, in a stable order.

        With nothing set, `searchCriteria[currentPage]=1` is still sent: Magento refuses a list call
        without any searchCriteria key (400), and page 1 without a page size means every row.
        """
        params: dict[str, str] = {}
        for group_index, group in enumerate(self.filter_groups):
            for filter_index, item in enumerate(group):
                prefix = f"searchCriteria[filter_groups][{group_index}][filters][{filter_index}]"
                params[f"{prefix}[field]"] = item.field
                if item.value is not None:
                    params[f"{prefix}[value]"] = item.value
                params[f"{prefix}[condition_type]"] = item.condition.value
        for index, order in enumerate(self.sort_orders):
            params[f"searchCriteria[sort_orders][{index}][field]"] = order.field
            params[f"searchCriteria[sort_orders][{index}][direction]"] = order.direction.value
        if self.page_size is not None:
            params["searchCriteria[pageSize]"] = str(self.page_size)
        if self.current_page is not None or not params:
            params["searchCriteria[currentPage]"] = str(self.current_page or 1)
        if self.fields is not None:
            params["fields"] = self.fields
        return params


@dataclass(frozen=True, slots=True)
class KeysetField:
    """How to page a table by id: the searchCriteria field and the key of that id in each item."""

    filter_field: str
    item_key: str = field(default="id")
