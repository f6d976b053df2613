"""Page maths: which page comes next, when to stop, and keyset (id > last) criteria."""

from __future__ import annotations

from dataclasses import replace

from magento_ir._core.search_criteria import (
    ConditionType,
    Filter,
    KeysetField,
    SearchCriteria,
    SortDirection,
    SortOrder,
)
from magento_ir._exceptions import InvalidArgumentError

# Magento's optional input limit caps pages at 300; staying at or below it works on every store.
MAX_PAGE_SIZE = 300


def check_iteration_criteria(
    criteria: SearchCriteria | None, page_size: int, concurrency: int = 1
) -> SearchCriteria:
    """The criteria to page through; paging itself belongs to iterate(), not to the criteria."""
    if concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be at least 1 (got {concurrency})")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(
            f"page_size must be between 1 and {MAX_PAGE_SIZE} (got {page_size}): stores with "
            "input limits enabled refuse larger pages"
        )
    base = criteria if criteria is not None else SearchCriteria()
    if base.page_size is not None or base.current_page is not None:
        raise InvalidArgumentError(
            "iterate() sets pageSize and currentPage itself: pass page_size=... and build the "
            "criteria without .page(...)"
        )
    return base


def page_criteria(criteria: SearchCriteria, page_size: int, page: int) -> SearchCriteria:
    """Criteria for one offset page (1-based)."""
    return criteria.page(page_size, page)


def has_more_pages(*, page: int, page_size: int, total_count: int, items_on_page: int) -> bool:
    """True while pages remain: stop by total_count, and on an empty page (2.4.x past the end)."""
    return items_on_page > 0 and page * page_size < total_count


def last_page(total_count: int, page_size: int) -> int:
    """Number of the last page holding rows (0 when there are none)."""
    return -(-total_count // page_size)


def keyset_criteria(
    criteria: SearchCriteria, key: KeysetField, after: int | None, page_size: int
) -> SearchCriteria:
    """Criteria for the next keyset page: `<id field> gt after`, sorted by that field ascending."""
    if criteria.sort_orders:
        raise InvalidArgumentError(
            f"keyset paging orders by {key.filter_field} itself: drop the sort orders, or iterate "
            "with keyset=False"
        )
    base = criteria
    if after is not None:
        base = base.where_any(Filter(key.filter_field, ConditionType.GT, str(after)))
    ordered = replace(base, sort_orders=(SortOrder(key.filter_field, SortDirection.ASC),))
    return ordered.page(page_size, 1)


def has_more_keyset_pages(*, items_on_page: int, total_count: int) -> bool:
    """After a keyset page: more rows exist when the page held fewer than all remaining matches."""
    return 0 < items_on_page < total_count


def keyset_position(value: object, key: KeysetField) -> int:
    """The id the next keyset page starts after (`value` is the item's `key.item_key`)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    raise InvalidArgumentError(
        f"keyset paging needs an integer {key.item_key!r} in every item; got {value!r}"
    )
