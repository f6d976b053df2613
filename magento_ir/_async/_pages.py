"""Concurrent page fetching for the async client (hand-written; scripts/unasync.py skips it).

The sync twin, `magento_ir/_sync/_pages.py`, fetches the same pages one after another.
"""

from __future__ import annotations

import asyncio
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable

T = TypeVar("T")


class Windows:
    """The page fetches running in a client's windows, so closing the client stops them first.

    A loop that breaks out of `iterate` leaves its generator to be closed later, by the event
    loop, in a task of its own: until then its window would keep fetching, on a pool the client
    may have closed meanwhile (each such request failing, and retried).
    """

    def __init__(self) -> None:
        self._running: set[asyncio.Future[Any]] = set()

    def add(self, task: asyncio.Future[Any]) -> None:
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def aclose(self) -> None:
        """Cancel every fetch still running and wait until each has stopped."""
        running = list(self._running)
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)


async def in_order(
    calls: Iterable[Callable[[], Awaitable[T]]], concurrency: int, windows: Windows | None = None
) -> AsyncGenerator[T, None]:
    """The calls' results in call order, with up to `concurrency` calls running at any time.

    A sliding window, not batches: the next call starts as soon as the oldest result is taken,
    so pages keep arriving while the caller works on the one it was given, and a slow page holds
    up only the results behind it. If a call fails, its error propagates unchanged; leaving
    (an error, or the caller closing the generator) cancels the calls still running, and so
    does closing `windows` (the client's).
    """
    remaining = iter(calls)
    running: deque[asyncio.Future[T]] = deque()

    def start(call: Callable[[], Awaitable[T]]) -> None:
        task = asyncio.ensure_future(call())
        running.append(task)
        if windows is not None:
            windows.add(task)

    try:
        for call in islice(remaining, concurrency):
            start(call)
        while running:
            result = await running.popleft()
            for call in islice(remaining, 1):
                start(call)
            yield result
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
