"""Concurrent page fetching for the async client (hand-written; scripts/unasync.py skips it).

The sync twin, `magento_ir/_sync/_pages.py`, fetches the same pages one after another.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

T = TypeVar("T")


async def gather_in_order(calls: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run every call at once and return their results in call order.

    The caller bounds concurrency by the number of calls it passes. If one fails, the others are
    cancelled and the first error propagates unchanged.
    """
    tasks = [asyncio.ensure_future(call()) for call in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
