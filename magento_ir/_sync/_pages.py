"""Page fetching for the sync client (hand-written twin of `magento_ir/_async/_pages.py`).

The sync client has no event loop to overlap requests on, so pages are fetched one after another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable

T = TypeVar("T")


class Windows:
    """The async twin's registry of running page fetches; sync fetches run in the caller."""

    def close(self) -> None:
        """Nothing runs in the background here."""


def in_order(
    calls: Iterable[Callable[[], T]], concurrency: int, windows: Windows | None = None
) -> Generator[T, None, None]:
    """The calls' results in call order, one at a time (`concurrency` and `windows` are for the
    async twin)."""
    del concurrency, windows
    for call in calls:
        yield call()
