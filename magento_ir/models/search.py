"""The page every `getList` route answers: `{items, search_criteria, total_count}`."""

from typing import Generic, TypeVar

from pydantic import Field, JsonValue, field_validator

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


class SearchResult(MagentoModel, Generic[ItemT]):
    """One page of a list route: `SearchResult[Product].model_validate(body)`.

    `total_count` counts every match before paging; a page past the end has `items == []` and the
    real `total_count`.
    """

    items: list[ItemT]
    search_criteria: SearchCriteriaEcho
    total_count: int

    @field_validator("items", mode="before")
    @classmethod
    def _no_items_filtered(cls, value: object) -> object:
        # With `?fields=items[...]` (SearchCriteria.select) Magento's FieldsFilter answers an
        # empty page as `"items": null`.
        return [] if value is None else value
