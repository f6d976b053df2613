"""Fixtures for the sandbox's own tests: a store with a controllable clock and ready clients."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir.sandbox import Sandbox

if TYPE_CHECKING:
    from collections.abc import Iterator

START = 1_800_000_000.0


class Clock:
    """A settable clock so expiry, lockout and TOTP windows are tested without waiting."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sandbox(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock)


def client_for(sandbox: Sandbox, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(
        transport=sandbox.transport(), base_url="http://magento.test", headers=headers
    )


@pytest.fixture
def admin(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with client_for(sandbox, sandbox.admin_token()) as client:
        yield client


@pytest.fixture
def anonymous(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with client_for(sandbox) as client:
        yield client
