"""The page every `getList` route answers: `{items, search_criteria, total_count}`."""

from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

from pydantic import AfterValidator, Field, JsonValue

from magento_ir.models._base import MagentoModel

__all__ = ["FilterEcho", "FilterGroupEcho", "SearchCriteriaEcho", "SearchResult", "SortOrderEcho"]

ItemT = TypeVar("ItemT")


class FilterEcho(MagentoModel):
    """One filter as Magento echoes it; `value` is the string that was sent."""

    field: str
    value: JsonValue = None
    condition_type: str | None = None


class FilterGroupEcho(MagentoModel):
    """A filter group: its filters are OR-ed, groups are AND-ed."""

    filters: list[FilterEcho] = Field(default_factory=list)


class SortOrderEcho(MagentoModel):
    field: str
    direction: str | None = None


class SearchCriteriaEcho(MagentoModel):
    """The criteria Magento applied, echoed back with snake_case keys.

    `filter_groups` is always present on 2.4.7 (`[]` when none); `sort_orders`, `page_size` and
    `current_page` appear only when the request sent them (camelCase `sortOrders` comes back as
    `sort_orders`).
    """

    filter_groups: list[FilterGroupEcho] = Field(default_factory=list)
    sort_orders: list[SortOrderEcho] | None = None
    page_size: int | None = None
    current_page: int | None = None


def _empty_if_none(items: list[object] | None) -> list[object]:
    return [] if items is None else items


class SearchResult(MagentoModel, Generic[ItemT]):
    """One page of a list route: `SearchResult[Product].model_validate(body)`.

    `total_count` counts every match before paging; a page past the end has `items == []` and the
    real `total_count`.
    """

    if TYPE_CHECKING:
        items: list[ItemT]
    else:
        # With `?fields=items[...]` (SearchCriteria.select) Magento's FieldsFilter answers an
        # empty page as `"items": null`: read as []. Not a "before" validator: that would make
        # pydantic-core build the whole page as Python dicts first, then validate those
        # (measured: the client's CPU per page nearly doubled). `| None` is a nullable schema.
        items: Annotated[list[ItemT] | None, AfterValidator(_empty_if_none)]
    search_criteria: SearchCriteriaEcho
    total_count: int
