"""Concurrent page fetching for the async client (hand-written; scripts/unasync.py skips it).

The sync twin, `magento_ir/_sync/_pages.py`, fetches the same pages one after another.
"""

from __future__ import annotations

import asyncio
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable

T = TypeVar("T")


async def in_order(
    calls: Iterable[Callable[[], Awaitable[T]]], concurrency: int
) -> AsyncGenerator[T, None]:
    """The calls' results in call order, with up to `concurrency` calls running at any time.

    A sliding window, not batches: the next call starts as soon as the oldest result is taken,
    so pages keep arriving while the caller works on the one it was given, and a slow page holds
    up only the results behind it. If a call fails, its error propagates unchanged; leaving
    (an error, or the caller closing the generator) cancels the calls still running.
    """
    remaining = iter(calls)
    running: deque[asyncio.Future[T]] = deque(
        asyncio.ensure_future(call()) for call in islice(remaining, concurrency)
    )
    try:
        while running:
            result = await running.popleft()
            for call in islice(remaining, 1):
                running.append(asyncio.ensure_future(call()))
            yield result
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
