"""Test helpers for code that talks to Magento.

* The `magento_sandbox` pytest fixture: a seeded sandbox store per test, in-process or served
  over real HTTP on loopback. Enable it with one line in your `conftest.py`::

      pytest_plugins = ["magento_ir.testing"]

  and size the store with a marker: `@pytest.mark.magento_sandbox(products=500, with_module=True)`.
  See docs/testing.md.
* vcrpy cassettes that are safe to commit: `magento_vcr()`, `vcr_config()`, the scrubbers and
  `find_cassette_secrets()`. See docs/cassettes.md.

This module needs pytest; the sandbox needs the `sandbox` extra only when it is served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from magento_ir._cassettes import (
    ALLOWED_EMAIL_DOMAIN,
    DEFAULT_PSEUDONYM_KEY,
    REDACTED,
    find_cassette_secrets,
    magento_vcr,
    pseudonymize_email,
    scrub_body,
    scrub_headers,
    scrub_json,
    scrub_request,
    scrub_response,
    scrub_text,
    scrub_uri,
    vcr_config,
)
from magento_ir.auth import AdminCredentials

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from magento_ir._async import AsyncMagentoClient
    from magento_ir._sync import MagentoClient
    from magento_ir.sandbox import Sandbox
    from magento_ir.sandbox.inspection import Inspector
    from magento_ir.sandbox.server import SandboxServer

__all__ = [
    "ALLOWED_EMAIL_DOMAIN",
    "DEFAULT_PSEUDONYM_KEY",
    "REDACTED",
    "SandboxStore",
    "find_cassette_secrets",
    "magento_sandbox",
    "magento_vcr",
    "pseudonymize_email",
    "pytest_configure",
    "scrub_body",
    "scrub_headers",
    "scrub_json",
    "scrub_request",
    "scrub_response",
    "scrub_text",
    "scrub_uri",
    "vcr_config",
]

MARKER = "magento_sandbox"


class SandboxStore:
    """One test's sandbox store: in-process, and served on loopback once `base_url` is read."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._server: SandboxServer | None = None
        self._clients: list[MagentoClient] = []

    @property
    def admin_user(self) -> str:
        return self.sandbox.options.admin_user

    @property
    def admin_password(self) -> str:
        return self.sandbox.options.admin_password

    @property
    def inspect(self) -> Inspector:
        """Read the store's state: tokens, sessions, product status per store, config, requests."""
        return self.sandbox.inspect

    @property
    def base_url(self) -> str:
        """The store's URL on 127.0.0.1; the first read starts a real HTTP server for this test."""
        if self._server is None:
            from magento_ir.sandbox.server import SandboxServer  # noqa: PLC0415 - served on demand

            server = SandboxServer(self.sandbox)
            server.start()
            self._server = server
        return self._server.base_url

    def transport(self) -> httpx.MockTransport:
        """An in-process httpx transport (no sockets) for `httpx.Client` or `httpx.AsyncClient`."""
        return self.sandbox.transport()

    def client(self, *, served: bool = False, **options: Any) -> MagentoClient:  # noqa: ANN401
        """A `MagentoClient` logged in as the sandbox's admin, closed when the test ends."""
        from magento_ir._sync import MagentoClient  # noqa: PLC0415 - keep the plugin import light

        client = MagentoClient(**self._client_arguments(served=served, options=options))
        self._clients.append(client)
        return client

    def async_client(self, *, served: bool = False, **options: Any) -> AsyncMagentoClient:  # noqa: ANN401
        """An `AsyncMagentoClient` logged in as the sandbox's admin; close it or `async with` it."""
        from magento_ir._async import AsyncMagentoClient  # noqa: PLC0415 - keep the plugin import light

        return AsyncMagentoClient(**self._client_arguments(served=served, options=options))

    def _client_arguments(self, *, served: bool, options: dict[str, Any]) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "auth": AdminCredentials(self.admin_user, self.admin_password),
            "max_retries": 0,
        }
        if served:
            arguments["base_url"] = self.base_url
        else:
            arguments["base_url"] = "http://sandbox.magento.test"
            arguments["transport"] = self.transport()
        arguments.update(options)
        return arguments

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __repr__(self) -> str:
        state = f"served at {self._server.base_url}" if self._server else "in-process"
        return f"<SandboxStore {state} {self.sandbox.options!r}>"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options for the magento_sandbox fixture's store "
        "(products, customers, orders, seed, with_module, two_factor, latency, ...)",
    )


@pytest.fixture
def magento_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxStore]:
    """A fresh, seeded sandbox store for one test (see `SandboxStore`)."""
    from magento_ir.sandbox import Sandbox  # noqa: PLC0415 - only tests that use it pay for it

    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        options.update(marker.kwargs)
    store = SandboxStore(Sandbox(**options))
    try:
        yield store
    finally:
        store.close()
