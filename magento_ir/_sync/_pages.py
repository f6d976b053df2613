"""Page fetching for the sync client (hand-written twin of `magento_ir/_async/_pages.py`).

The sync client has no event loop to overlap requests on, so pages are fetched one after another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

T = TypeVar("T")


def gather_in_order(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run the calls one after another and return their results in call order."""
    return [call() for call in calls]
