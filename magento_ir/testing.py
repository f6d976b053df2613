"""Test helpers for code that talks to Magento.

* The `magento_sandbox` pytest fixture: a seeded sandbox store per test, in-process or served
  over real HTTP on loopback. Enable it with one line in your `conftest.py`::

      pytest_plugins = ["magento_ir.testing"]

  and size the store with a marker: `@pytest.mark.magento_sandbox(products=500, with_module=True)`.
* The `magento_store` fixture: the same test against both backends, the sandbox and a real store
  given by `--magento-url URL` or `MAGENTO_IR_TEST_STORE_URL` (credentials from
  `MAGENTO_IR_TEST_ADMIN_USER` / `MAGENTO_IR_TEST_ADMIN_PASSWORD`); the `real_store` marker for
  tests that only make sense on a real store. Without a store they are skipped, and
  `MAGENTO_IR_REQUIRE_REAL_STORE=1` makes that skip a failure. See docs/testing.md.
* vcrpy cassettes that are safe to commit: `magento_vcr()`, `vcr_config()`, the scrubbers and
  `find_cassette_secrets()`. See docs/cassettes.md.

This module needs pytest; the sandbox needs the `sandbox` extra only when it is served.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
    "ADMIN_PASSWORD_ENV",
    "ADMIN_USER_ENV",
    "ALLOWED_EMAIL_DOMAIN",
    "BACKENDS",
    "DEFAULT_PSEUDONYM_KEY",
    "MAGENTO_ROOT_ENV",
    "NO_REAL_STORE_REASON",
    "REAL_STORE_MARKER",
    "REDACTED",
    "REQUIRE_REAL_STORE_ENV",
    "STORE_URL_ENV",
    "Backend",
    "MagentoStore",
    "RealStoreConfig",
    "SandboxStore",
    "find_cassette_secrets",
    "magento_sandbox",
    "magento_store",
    "magento_vcr",
    "pseudonymize_email",
    "pytest_addoption",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_runtest_setup",
    "real_store_config",
    "require_real_store",
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
REAL_STORE_MARKER = "real_store"

# The real-store test tier: where the store is and who may log in (docs/testing.md).
STORE_URL_ENV = "MAGENTO_IR_TEST_STORE_URL"
ADMIN_USER_ENV = "MAGENTO_IR_TEST_ADMIN_USER"
ADMIN_PASSWORD_ENV = "MAGENTO_IR_TEST_ADMIN_PASSWORD"  # noqa: S105 - the variable's name
MAGENTO_ROOT_ENV = "MAGENTO_IR_TEST_MAGENTO_ROOT"
# Set by CI, where a real store is always there: a skipped real-store test would hide a failure.
REQUIRE_REAL_STORE_ENV = "MAGENTO_IR_REQUIRE_REAL_STORE"
NO_REAL_STORE_REASON = (
    f"no real Magento store configured: set {STORE_URL_ENV} (see docs/testing.md)"
)

Backend = Literal["sandbox", "real"]
BACKENDS: tuple[Backend, ...] = ("sandbox", "real")


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

    def transport(self, client_ip: str = "127.0.0.1") -> httpx.MockTransport:
        """An in-process httpx transport (no sockets) for `httpx.Client` or `httpx.AsyncClient`;
        `client_ip` is the address the store sees."""
        return self.sandbox.transport(client_ip)

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


@dataclass(frozen=True)
class RealStoreConfig:
    """Where the real test store is and the admin who may use it (the password is never shown)."""

    base_url: str
    admin_user: str
    admin_password: str = field(repr=False)
    magento_root: Path | None = None


_REAL_STORE_KEY = pytest.StashKey["RealStoreConfig | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("magento_ir").addoption(
        "--magento-url",
        dest="magento_url",
        default=None,
        metavar="URL",
        help=(
            f"base URL of a real Magento test store for `magento_store` and `real_store` tests "
            f"(default: ${STORE_URL_ENV}); credentials from ${ADMIN_USER_ENV} and "
            f"${ADMIN_PASSWORD_ENV}"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): options for the magento_sandbox fixture's store "
        "(products, customers, orders, seed, with_module, two_factor, latency, ...)",
    )
    config.addinivalue_line(
        "markers",
        f"{REAL_STORE_MARKER}: needs a real Magento store ({STORE_URL_ENV} or --magento-url); "
        f"skipped without one, a failure when {REQUIRE_REAL_STORE_ENV}=1",
    )
    config.stash[_REAL_STORE_KEY] = _read_real_store_config(config)


def _read_real_store_config(config: pytest.Config) -> RealStoreConfig | None:
    url = config.getoption("magento_url", default=None) or os.environ.get(STORE_URL_ENV, "")
    url = url.strip()
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise pytest.UsageError(
            f"the real test store's URL must start with http:// or https://, got {url!r} "
            f"(--magento-url or {STORE_URL_ENV})"
        )
    user = os.environ.get(ADMIN_USER_ENV, "")
    password = os.environ.get(ADMIN_PASSWORD_ENV, "")
    missing = [
        name
        for name, value in ((ADMIN_USER_ENV, user), (ADMIN_PASSWORD_ENV, password))
        if not value
    ]
    if missing:
        raise pytest.UsageError(
            f"a real test store is configured ({url}) but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set: export the store's admin credentials"
        )
    root = os.environ.get(MAGENTO_ROOT_ENV, "")
    return RealStoreConfig(url.rstrip("/"), user, password, Path(root) if root else None)


def real_store_config(config: pytest.Config) -> RealStoreConfig | None:
    """The configured real test store, or None when there is none."""
    return config.stash.get(_REAL_STORE_KEY, None)


def require_real_store(config: pytest.Config) -> RealStoreConfig:
    """The configured real store; skips the test without one (fails when one is required)."""
    store = real_store_config(config)
    if store is None:
        if os.environ.get(REQUIRE_REAL_STORE_ENV) == "1":
            pytest.fail(f"{NO_REAL_STORE_REASON}; {REQUIRE_REAL_STORE_ENV}=1 requires one")
        pytest.skip(NO_REAL_STORE_REASON)
    return store


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every `magento_store` test on both backends (`real_store` tests on the real one only)."""
    if "magento_store" not in metafunc.fixturenames:
        return
    backends = ["real"] if metafunc.definition.get_closest_marker(REAL_STORE_MARKER) else BACKENDS
    metafunc.parametrize("magento_store", backends, indirect=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker(REAL_STORE_MARKER) is not None:
        require_real_store(item.config)


@pytest.fixture
def magento_sandbox(request: pytest.FixtureRequest) -> Iterator[SandboxStore]:
    """A fresh, seeded sandbox store for one test (see `SandboxStore`)."""
    from magento_ir.sandbox import Sandbox  # noqa: PLC0415 - only tests that use it pay for it

    store = SandboxStore(Sandbox(**_sandbox_options(request)))
    try:
        yield store
    finally:
        store.close()


class MagentoStore:
    """The store a `magento_store` test runs against: the sandbox or a real Magento.

    `client()` / `async_client()` are logged in as the store's admin with retries off; `http()` is a
    plain httpx client for raw requests. On the sandbox they all run in-process (no sockets) and
    `base_url` starts a real HTTP server when first read; on a real store they go to `base_url`.
    """

    def __init__(
        self,
        backend: Backend,
        *,
        sandbox: SandboxStore | None = None,
        real: RealStoreConfig | None = None,
    ) -> None:
        if (backend == "sandbox") != (sandbox is not None) or (backend == "real") != (
            real is not None
        ):
            raise ValueError("a sandbox MagentoStore needs sandbox=, a real one real=")
        self.backend: Backend = backend
        self._sandbox_store = sandbox
        self._real = real
        self._clients: list[MagentoClient] = []
        self._http_clients: list[httpx.Client] = []

    @property
    def is_real(self) -> bool:
        return self.backend == "real"

    @property
    def sandbox(self) -> Sandbox | None:
        """The sandbox itself (fault injection, state), or None on a real store."""
        return self._sandbox_store.sandbox if self._sandbox_store is not None else None

    @property
    def sandbox_store(self) -> SandboxStore | None:
        """The sandbox's `SandboxStore` (`inspect`, `transport()`), or None on a real store."""
        return self._sandbox_store

    @property
    def _target(self) -> RealStoreConfig | SandboxStore:
        target = self._real if self._real is not None else self._sandbox_store
        assert target is not None  # noqa: S101 - enforced by __init__
        return target

    @property
    def base_url(self) -> str:
        return self._target.base_url

    @property
    def admin_user(self) -> str:
        return self._target.admin_user

    @property
    def admin_password(self) -> str:
        return self._target.admin_password

    @property
    def magento_root(self) -> Path | None:
        """The real store's directory (for bin/magento) when MAGENTO_IR_TEST_MAGENTO_ROOT is set."""
        return self._real.magento_root if self._real is not None else None

    def client(self, **options: Any) -> MagentoClient:  # noqa: ANN401
        """A `MagentoClient` logged in as the store's admin, closed when the test ends."""
        if self._sandbox_store is not None:
            return self._sandbox_store.client(**options)
        from magento_ir._sync import MagentoClient  # noqa: PLC0415 - keep the plugin import light

        client = MagentoClient(**self._real_client_arguments(options))
        self._clients.append(client)
        return client

    def async_client(self, **options: Any) -> AsyncMagentoClient:  # noqa: ANN401
        """An `AsyncMagentoClient` logged in as the store's admin; close it or `async with` it."""
        if self._sandbox_store is not None:
            return self._sandbox_store.async_client(**options)
        from magento_ir._async import AsyncMagentoClient  # noqa: PLC0415 - keep the plugin import light

        return AsyncMagentoClient(**self._real_client_arguments(options))

    def http(self, *, client_ip: str | None = None, **options: Any) -> httpx.Client:  # noqa: ANN401
        """A plain `httpx.Client` with the store as its base URL, closed when the test ends.

        `client_ip` is the address the store sees, e.g. one outside a maintenance allow list: the
        sandbox is told it, a real store on loopback is reached from it (any 127.x.y.z works).
        """
        import httpx  # noqa: PLC0415 - keep the plugin import light

        arguments: dict[str, Any] = {"timeout": 60.0}
        if self._sandbox_store is not None:
            arguments["base_url"] = "http://sandbox.magento.test"
            arguments["transport"] = self._sandbox_store.transport(client_ip or "127.0.0.1")
        else:
            arguments["base_url"] = self.base_url
            if client_ip is not None:
                arguments["transport"] = httpx.HTTPTransport(local_address=client_ip)
        arguments.update(options)
        client = httpx.Client(**arguments)
        self._http_clients.append(client)
        return client

    def _real_client_arguments(self, options: dict[str, Any]) -> dict[str, Any]:
        assert self._real is not None  # noqa: S101 - callers checked
        arguments: dict[str, Any] = {
            "base_url": self._real.base_url,
            "auth": AdminCredentials(self._real.admin_user, self._real.admin_password),
            "max_retries": 0,
        }
        arguments.update(options)
        return arguments

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()
        for http in self._http_clients:
            http.close()
        self._http_clients.clear()
        if self._sandbox_store is not None:
            self._sandbox_store.close()

    def __repr__(self) -> str:
        if self._real is not None:
            return f"<MagentoStore real {self._real.base_url} as {self._real.admin_user!r}>"
        return f"<MagentoStore sandbox {self._sandbox_store!r}>"


def _sandbox_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(MARKER))):
        options.update(marker.kwargs)
    return options


@pytest.fixture
def magento_store(request: pytest.FixtureRequest) -> Iterator[MagentoStore]:
    """The backend under test: a fresh sandbox (sized by `magento_sandbox` markers) or a real store.

    Parametrized over `BACKENDS` ("sandbox", "real"); the real one is skipped with
    `NO_REAL_STORE_REASON` when no store is configured.
    """
    backend: Backend = getattr(request, "param", "sandbox")
    if backend == "real":
        store = MagentoStore("real", real=require_real_store(request.config))
    else:
        from magento_ir.sandbox import Sandbox  # noqa: PLC0415 - only tests that use it pay for it

        store = MagentoStore("sandbox", sandbox=SandboxStore(Sandbox(**_sandbox_options(request))))
    try:
        yield store
    finally:
        store.close()
