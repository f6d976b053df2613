"""Helpers to drive the sync and the async client through the same test code."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from magento_ir import AsyncMagentoClient, MagentoClient
from tests.conftest import RECORDINGS_DIR

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.auth import Auth

BASE_URL = "http://shop.test"
CLIENT_KINDS = ("sync", "async")

Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    kind: str, handler: Handler, *, auth: Auth | None, **options: Any
) -> MagentoClient | AsyncMagentoClient:
    """A client of the given kind whose every request goes to `handler`."""
    transport = httpx.MockTransport(handler)
    if kind == "sync":
        return MagentoClient(BASE_URL, auth=auth, transport=transport, **options)
    return AsyncMagentoClient(BASE_URL, auth=auth, transport=transport, **options)


async def call(value: Any) -> Any:
    """The result of a client call, awaiting it when the client is async."""
    if inspect.isawaitable(value):
        return await value
    return value


async def collect(iterator: Iterator[Any] | AsyncIterator[Any]) -> list[Any]:
    """Every item of a sync or async iterator."""
    if isinstance(iterator, Iterator):
        return list(iterator)
    return [item async for item in iterator]


async def close(client: MagentoClient | AsyncMagentoClient) -> None:
    """Close either kind of client."""
    await call(client.close())


def load_recording(name: str) -> dict[str, Any]:
    """One recorded exchange from the real Magento 2.4.7 store."""
    path: Path = RECORDINGS_DIR / f"{name}.json"
    recording: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return recording


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A Magento-style JSON response."""
    merged = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    return httpx.Response(status, headers=merged, content=json.dumps(body).encode())
