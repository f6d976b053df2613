"""Where actions run: the store connection, the per-step context, storefront probes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento_ir._async import AsyncMagentoClient
from magento_ir._core.urls import check_plaintext_credentials, parse_base_url
from magento_ir._exceptions import (
    APIConnectionError,
    AuthenticationError,
    ConfigurationError,
    ModuleRequiredError,
    NotFoundError,
    RequestInfo,
)
from magento_ir._http import (
    AsyncClient,
    async_page_client,
    async_sleep,
    map_transport_errors,
    sends_over_network,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from magento_ir._http import AsyncBaseTransport, Response
    from magento_ir.auth import AdminCredentials, Auth, CustomerCredentials
    from magento_ir.models.incident_response import Capabilities

__all__ = ["INSTALL_HINT", "Context", "StoreConnection", "detect_module"]

INSTALL_HINT = (
    "install the companion module on the store: composer require "
    "magento-ir/module-incident-response && bin/magento module:enable "
    "MagentoIr_IncidentResponse && bin/magento setup:upgrade, then grant the API user the "
    "MagentoIr_IncidentResponse ACL resources"
)
_TRANSIENT = frozenset({429, 502, 503, 504})
_PROBE_ATTEMPTS = 8


@dataclass(frozen=True, slots=True)
class StoreConnection:
    """How to reach the store: REST/GraphQL as the responder, and the storefront as a shopper.

    `transport` lets tests use the sandbox in-process (`sandbox.transport()`). The canary is a
    customer account the responder controls: actions that end sessions or reset passwords log it
    in before they write and prove afterwards, from the outside, that its token and storefront
    session no longer work. Its password never enters the journal.
    """

    base_url: str
    auth: Auth
    transport: AsyncBaseTransport | None = field(default=None, repr=False)
    storefront_url: str | None = None
    timeout: float = 30.0
    # Containment runs once and must finish: more retries than the client's default.
    max_retries: int = 6
    concurrency: int = 8
    canary_customer: CustomerCredentials | None = None
    # An admin account the responder controls (not kept by the lockdown): ending admin sessions
    # is proven by its token, issued before the write, being refused afterwards.
    canary_admin: AdminCredentials | None = None
    # Send credentials over plain http:// to a host other than this machine (test stores only).
    allow_insecure_http: bool = False
    # False: act as if the companion module were absent (core REST only, module-only actions
    # blocked), e.g. to drill the fallback on a store that has the module. The journal says so.
    use_module: bool = True

    def __post_init__(self) -> None:
        # Refuse a bad URL (or one with user:password@ in it) before it reaches the journal.
        parse_base_url(self.base_url, None)
        if self.storefront_url is not None:
            parse_base_url(self.storefront_url, None)
        if self.concurrency < 1:
            raise ConfigurationError(f"concurrency must be 1 or more (got {self.concurrency})")

    @property
    def store_url(self) -> str:
        """The store's base URL normalised (`https://shop.example.com/rest/` and
        `https://shop.example.com` are the same store): what the journal records."""
        url = parse_base_url(self.base_url, None)
        return f"{url.origin}{url.root}"

    def open_client(self) -> AsyncMagentoClient:
        return AsyncMagentoClient(
            self.base_url,
            auth=self.auth,
            transport=self.transport,
            timeout=self.timeout,
            max_retries=self.max_retries,
            allow_insecure_http=self.allow_insecure_http,
        )

    def check_plaintext_credentials(self) -> None:
        """Refuse plain http:// to another machine for the API, and for the storefront when the
        canary customer logs in there, unless `allow_insecure_http` (before anything is sent)."""
        over_network = sends_over_network(self.transport, None)
        check_plaintext_credentials(
            parse_base_url(self.base_url, None),
            sends_credentials=over_network,
            allow_insecure_http=self.allow_insecure_http,
        )
        if self.storefront_url is not None:
            check_plaintext_credentials(
                parse_base_url(self.storefront_url, None),
                sends_credentials=over_network and self.canary_customer is not None,
                allow_insecure_http=self.allow_insecure_http,
            )

    def open_storefront(self) -> AsyncClient:
        """A plain HTTP client for storefront pages: no API credentials, its own cookie jar."""
        self.check_plaintext_credentials()
        return async_page_client(
            self.transport,
            base_url=(self.storefront_url or self.base_url).rstrip("/").removesuffix("/rest"),
            timeout=self.timeout,
        )


async def detect_module(client: AsyncMagentoClient) -> Capabilities | None:
    """The module's capabilities, or None when it is not installed (404 on the route)."""
    try:
        return await client.incident_response.capabilities()
    except NotFoundError:
        return None
    except AuthenticationError as error:
        parameters = error.parameters if isinstance(error.parameters, dict) else {}
        if "MagentoIr_IncidentResponse" not in str(parameters.get("resources", "")):
            raise  # e.g. the login itself was refused: not about the module
        raise ConfigurationError(
            "the store refused GET /V1/incident-response/capabilities (401): either the "
            "credentials are wrong, or the module is installed and this API user lacks its ACL "
            "resources; grant MagentoIr_IncidentResponse (System > Permissions > User Roles, or "
            f"the integration's API resources). Magento said: {error.message}"
        ) from error


@dataclass(slots=True)
class Canary:
    """In-memory proof of one run: a customer token, a storefront session and an admin token
    issued before a write (the session cookie lives in the storefront client's jar). Never
    journaled."""

    customer_token: str | None = field(default=None, repr=False)
    storefront_session: bool = False
    note: str = ""
    admin_token: str | None = field(default=None, repr=False)
    admin_note: str = ""


@dataclass(slots=True)
class Context:
    """What one action step runs with. `key` is the step's idempotency key."""

    client: AsyncMagentoClient
    storefront: AsyncClient
    connection: StoreConnection
    module: Capabilities | None
    incident_id: str
    reason: str
    key: str
    resumed: bool = False
    canary: Canary = field(default_factory=Canary)
    # What an action prepared alongside its write for its own outside check (a filled guest
    # cart), picked up by its verify; in memory only, never journaled.
    ahead: dict[str, Any] = field(default_factory=dict)
    # Per-entity progress of this step's writes: called with (done, total) as entities finish.
    on_entities: Callable[[int, int], None] | None = field(default=None, repr=False)
    entities_done: int = 0
    entities_total: int = 0

    def expect(self, count: int) -> None:
        """`count` more entities to write in this step (the progress bar's total)."""
        self.entities_total += count
        if self.on_entities is not None:
            self.on_entities(self.entities_done, self.entities_total)

    def advance(self, count: int = 1) -> None:
        """`count` entities written (or failed: each is done either way)."""
        self.entities_done += count
        if self.on_entities is not None:
            self.on_entities(self.entities_done, self.entities_total)

    def require_module(self, action: str, capability: str, cannot: str) -> Capabilities:
        """The module's capabilities, or ModuleRequiredError saying what core REST cannot do."""
        if self.module is None:
            raise ModuleRequiredError(
                f"{action} needs the magento_ir companion module: core REST cannot {cannot}. "
                f"To contain this, {INSTALL_HINT}."
            )
        if capability not in self.module.actions:
            raise ModuleRequiredError(
                f"{action} needs the module action {capability!r}, which module version "
                f"{self.module.module_version} does not offer: upgrade it (composer update "
                "magento-ir/module-incident-response && bin/magento setup:upgrade)"
            )
        return self.module

    async def each(
        self,
        items: Iterable[Any],
        work: Callable[[Any], Awaitable[Any]],
        *,
        entities: bool = False,
    ) -> list[Any]:
        """Run `work` on every item with at most `connection.concurrency` at once, in order.

        `entities=True`: each item is one entity the step writes, counted for the progress
        (`expect` / `advance`) as its work finishes."""
        listed = list(items)
        limit = asyncio.Semaphore(self.connection.concurrency)
        if entities:
            self.expect(len(listed))

        async def bounded(item: Any) -> Any:  # noqa: ANN401 - whatever work returns
            async with limit:
                try:
                    return await work(item)
                finally:
                    if entities:
                        self.advance()

        return list(await asyncio.gather(*(bounded(item) for item in listed)))

    async def together(self, *calls: Callable[[], Awaitable[Any]]) -> list[Any]:
        """Independent calls (reads, outside checks) at once, bounded like `each`; their
        results in the order given."""
        return await self.each(calls, lambda call: call())

    async def page(
        self,
        path: str,
        *,
        accept: Callable[[Response], bool],
        method: str = "GET",
        data: dict[str, str] | None = None,
        json: Any = None,  # noqa: ANN401 - any JSON body
    ) -> Response:
        """A storefront request as a shopper would send it, retried while the answer is a
        transient proxy/network failure that is not the answer `accept` is looking for."""
        info = RequestInfo(method, path)
        response: Response | None = None
        for attempt in range(_PROBE_ATTEMPTS):
            try:
                with map_transport_errors(info, str(self.storefront.base_url)):
                    response = await self.storefront.request(method, path, data=data, json=json)
            except APIConnectionError as error:
                if attempt == _PROBE_ATTEMPTS - 1 or not error.retryable:
                    raise
            else:
                if accept(response) or response.status_code not in _TRANSIENT:
                    return response
            await async_sleep(min(0.1 * 2**attempt, 2.0))
        if response is None:  # pragma: no cover - the loop raised instead
            raise APIConnectionError("no answer", request=info)
        return response
