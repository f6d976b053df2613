"""Resources of the client: one class per Magento area, routes as in magento-api.md §6."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from magento_ir._core.search_criteria import KeysetField, SearchCriteria
from magento_ir._core.urls import path_segment
from magento_ir._exceptions import (
    APITimeoutError,
    InvalidArgumentError,
    JSONValue,
    RequestInfo,
    UnexpectedResponseError,
)
from magento_ir._http import async_sleep
from magento_ir.models import (
    BulkOperationStatus,
    BulkRequestResult,
    BulkStatus,
    CmsBlock,
    CmsPage,
    Customer,
    Invoice,
    Module,
    Order,
    Product,
    SearchResult,
    StoreConfig,
    StoreGroup,
    StoreView,
    Transaction,
    Website,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence

    from magento_ir._async._client import AsyncRequester

ModelT = TypeVar("ModelT", bound=BaseModel)
_PASSWORD_TEMPLATES = ("email_reset", "email_reminder")
_BULK_METHODS = frozenset({"POST", "PUT", "DELETE"})


def _expect_bool(value: JSONValue, method: str, path: str) -> bool:
    """Magento's bare `true`/`false` answers; anything else means something is wrong in between."""
    if isinstance(value, bool):
        return value
    raise UnexpectedResponseError(
        f"expected a bare true/false from Magento but got {type(value).__name__}",
        request=RequestInfo(method, path),
        status_code=200,
        content_type="application/json",
    )


def _expect_token(value: JSONValue, path: str) -> str:
    if isinstance(value, str) and value:
        return value
    raise UnexpectedResponseError(
        "expected a token (a JSON string) from Magento but got something else",
        request=RequestInfo("POST", path),
        status_code=200,
        content_type="application/json",
    )


def _shape_error(
    what: str, error: ValidationError, method: str, path: str
) -> UnexpectedResponseError:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "(top level)"
    return UnexpectedResponseError(
        f"Magento's answer does not fit {what}: {location}: {first['msg']} "
        f"({error.error_count()} problem(s)); an extension may change this route's output",
        request=RequestInfo(method, path),
        status_code=200,
        content_type="application/json",
    )


def parse_model(model: type[ModelT], data: JSONValue, method: str, path: str) -> ModelT:
    """Validate an answer into a model, or raise UnexpectedResponseError saying what did not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _shape_error(model.__name__, error, method, path) from error


def _parse_list(model: type[ModelT], data: JSONValue, path: str) -> list[ModelT]:
    if not isinstance(data, list):
        raise UnexpectedResponseError(
            f"expected a JSON array from Magento but got {type(data).__name__}",
            request=RequestInfo("GET", path),
            status_code=200,
            content_type="application/json",
        )
    return [parse_model(model, item, "GET", path) for item in data]


class AsyncSearchable(Generic[ModelT]):
    """`list` and `iterate` of a getList route (`GET <path>?searchCriteria...`)."""

    def __init__(
        self,
        requester: AsyncRequester,
        path: str,
        page_type: type[SearchResult[ModelT]],
        keyset: KeysetField,
    ) -> None:
        self._requester = requester
        self._path = path
        self._page_type = page_type
        self._keyset = keyset

    async def list(self, criteria: SearchCriteria) -> SearchResult[ModelT]:
        """One page of the entities matching `criteria` (`total_count` counts them all)."""
        return await self._requester.list_page(self._path, self._page_type, criteria)

    def iterate(
        self,
        criteria: SearchCriteria | None = None,
        *,
        page_size: int = 100,
        keyset: bool = False,
        concurrency: int = 4,
    ) -> AsyncIterator[ModelT]:
        """Every matching entity across pages, lazily; `keyset=True` pages by id (`id > last`).

        Offset paging stops by `total_count` and on an empty page; the async client fetches up to
        `concurrency` pages at once and still yields in order.
        """
        return self._requester.iterate(
            self._path,
            self._page_type,
            criteria,
            page_size=page_size,
            keyset=self._keyset if keyset else None,
            concurrency=concurrency,
        )


class AsyncProducts(AsyncSearchable[Product]):
    """Catalog products (`/V1/products`). Write at global scope with `client.with_store("all")`."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester, "/V1/products", SearchResult[Product], KeysetField("entity_id", "id")
        )

    async def retrieve(self, sku: str, store_id: int | None = None) -> Product:
        """`GET /V1/products/:sku` (with stock item); `store_id` reads one store view's values."""
        params = {"storeId": store_id} if store_id is not None else None
        path = f"/V1/products/{path_segment(sku)}"
        data = await self._requester.rest("GET", path, params=params)
        return parse_model(Product, data, "GET", path)

    async def update(
        self,
        sku: str,
        fields: Mapping[str, JSONValue],
        *,
        save_options: bool | None = None,
        idempotent: bool | None = None,
    ) -> Product:
        """`PUT /V1/products/:sku` with `{"product": {"sku": ..., **fields}}`; returns the product.

        Mark `idempotent=True` when re-applying is harmless (e.g. setting `status` to 2) to allow
        retries.
        """
        if "sku" in fields:
            raise InvalidArgumentError(
                "the SKU comes from the sku argument; leave 'sku' out of fields (a product cannot "
                "be renamed through this route)"
            )
        body: dict[str, JSONValue] = {"product": {"sku": sku, **fields}}
        if save_options is not None:
            body["saveOptions"] = save_options
        path = f"/V1/products/{path_segment(sku)}"
        data = await self._requester.rest("PUT", path, json_body=body, idempotent=idempotent)
        return parse_model(Product, data, "PUT", path)


class AsyncCustomers(AsyncSearchable[Customer]):
    """Customers (`/V1/customers`)."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester,
            "/V1/customers/search",
            SearchResult[Customer],
            KeysetField("entity_id", "id"),
        )

    async def retrieve(self, customer_id: int) -> Customer:
        """`GET /V1/customers/:customerId`."""
        path = f"/V1/customers/{path_segment(customer_id)}"
        return parse_model(Customer, await self._requester.rest("GET", path), "GET", path)

    async def me(self) -> Customer:
        """`GET /V1/customers/me`: the customer whose token the client uses."""
        path = "/V1/customers/me"
        return parse_model(Customer, await self._requester.rest("GET", path), "GET", path)

    async def update(
        self,
        customer_id: int,
        customer: Mapping[str, JSONValue],
        *,
        idempotent: bool | None = None,
    ) -> Customer:
        """`PUT /V1/customers/:customerId` with `{"customer": {...}}`: a full-object save.

        Send at least `email`, `firstname`, `lastname` and `website_id`.
        """
        body: dict[str, JSONValue] = {"customer": {**customer, "id": customer_id}}
        path = f"/V1/customers/{path_segment(customer_id)}"
        data = await self._requester.rest("PUT", path, json_body=body, idempotent=idempotent)
        return parse_model(Customer, data, "PUT", path)

    async def send_password_reset(
        self, email: str, template: str = "email_reset", website_id: int | None = None
    ) -> bool:
        """`PUT /V1/customers/password`: e-mail a reset link (invalidates earlier reset links).

        It does not revoke tokens or end sessions. Returns Magento's answer: `False` means the
        e-mail could not be sent.
        """
        if template not in _PASSWORD_TEMPLATES:
            raise InvalidArgumentError(
                f"template {template!r} is not one Magento accepts: use 'email_reset' or "
                "'email_reminder'"
            )
        body: dict[str, JSONValue] = {"email": email, "template": template}
        if website_id is not None:
            body["websiteId"] = website_id
        path = "/V1/customers/password"
        return _expect_bool(await self._requester.rest("PUT", path, json_body=body), "PUT", path)


class AsyncOrders(AsyncSearchable[Order]):
    """Orders (`/V1/orders`); ids are `entity_id`, not the increment id customers see."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester, "/V1/orders", SearchResult[Order], KeysetField("entity_id", "entity_id")
        )

    async def retrieve(self, order_id: int) -> Order:
        """`GET /V1/orders/:id`."""
        path = f"/V1/orders/{path_segment(order_id)}"
        return parse_model(Order, await self._requester.rest("GET", path), "GET", path)

    async def _action(self, order_id: int, action: str) -> bool:
        path = f"/V1/orders/{path_segment(order_id)}/{action}"
        return _expect_bool(await self._requester.rest("POST", path), "POST", path)

    async def hold(self, order_id: int) -> bool:
        """`POST /V1/orders/:id/hold`: `true`, or a 400 when a hold is not possible."""
        return await self._action(order_id, "hold")

    async def unhold(self, order_id: int) -> bool:
        """`POST /V1/orders/:id/unhold`."""
        return await self._action(order_id, "unhold")

    async def cancel(self, order_id: int) -> bool:
        """`POST /V1/orders/:id/cancel`: `False` (HTTP 200) means it could not be cancelled."""
        return await self._action(order_id, "cancel")

    async def add_comment(
        self,
        order_id: int,
        comment: str,
        *,
        is_customer_notified: bool = False,
        is_visible_on_front: bool = False,
        status: str | None = None,
    ) -> bool:
        """`POST /V1/orders/:id/comments`; keep `is_customer_notified=False` for internal IR notes.

        `status` must belong to the order's current state, or Magento answers 400.
        """
        history: dict[str, JSONValue] = {
            "comment": comment,
            "is_customer_notified": int(is_customer_notified),
            "is_visible_on_front": int(is_visible_on_front),
            "parent_id": order_id,
        }
        if status is not None:
            history["status"] = status
        path = f"/V1/orders/{path_segment(order_id)}/comments"
        data = await self._requester.rest("POST", path, json_body={"statusHistory": history})
        return _expect_bool(data, "POST", path)


class AsyncTransactions(AsyncSearchable[Transaction]):
    """Payment transactions (`/V1/transactions`); offline payment methods create none."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester,
            "/V1/transactions",
            SearchResult[Transaction],
            KeysetField("transaction_id", "transaction_id"),
        )

    async def retrieve(self, transaction_id: int) -> Transaction:
        """`GET /V1/transactions/:id`."""
        path = f"/V1/transactions/{path_segment(transaction_id)}"
        return parse_model(Transaction, await self._requester.rest("GET", path), "GET", path)


class AsyncInvoices(AsyncSearchable[Invoice]):
    """Invoices (`/V1/invoices`)."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester, "/V1/invoices", SearchResult[Invoice], KeysetField("entity_id", "entity_id")
        )

    async def retrieve(self, invoice_id: int) -> Invoice:
        """`GET /V1/invoices/:id`."""
        path = f"/V1/invoices/{path_segment(invoice_id)}"
        return parse_model(Invoice, await self._requester.rest("GET", path), "GET", path)


class AsyncCmsBlocks(AsyncSearchable[CmsBlock]):
    """CMS blocks (`/V1/cmsBlock`). Save through `client.with_store("all")` to keep all stores."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester, "/V1/cmsBlock/search", SearchResult[CmsBlock], KeysetField("block_id", "id")
        )

    async def retrieve(self, block_id: int | str) -> CmsBlock:
        """`GET /V1/cmsBlock/:blockId` (numeric id or identifier)."""
        path = f"/V1/cmsBlock/{path_segment(block_id)}"
        return parse_model(CmsBlock, await self._requester.rest("GET", path), "GET", path)

    async def update(
        self, block_id: int, fields: Mapping[str, JSONValue], *, idempotent: bool | None = None
    ) -> CmsBlock:
        """`PUT /V1/cmsBlock/:id` with `{"block": {...}}` (merged onto the stored block).

        Magento resets the block's store assignment to the client's store: use `with_store("all")`.
        """
        path = f"/V1/cmsBlock/{path_segment(block_id)}"
        body = {"block": dict(fields)}
        data = await self._requester.rest("PUT", path, json_body=body, idempotent=idempotent)
        return parse_model(CmsBlock, data, "PUT", path)


class AsyncCmsPages(AsyncSearchable[CmsPage]):
    """CMS pages (`/V1/cmsPage`)."""

    def __init__(self, requester: AsyncRequester) -> None:
        super().__init__(
            requester, "/V1/cmsPage/search", SearchResult[CmsPage], KeysetField("page_id", "id")
        )

    async def retrieve(self, page_id: int) -> CmsPage:
        """`GET /V1/cmsPage/:pageId`."""
        path = f"/V1/cmsPage/{path_segment(page_id)}"
        return parse_model(CmsPage, await self._requester.rest("GET", path), "GET", path)

    async def update(
        self, page_id: int, fields: Mapping[str, JSONValue], *, idempotent: bool | None = None
    ) -> CmsPage:
        """`PUT /V1/cmsPage/:id` with `{"page": {...}}` (the page keeps its stores).

        Magento gives a page saved without its identifier a new one made from its title (moving
        its URL) and refuses that for the home, no-route and no-cookies pages: unless `fields`
        names the identifier, the page's current one is read first and sent along.
        """
        path = f"/V1/cmsPage/{path_segment(page_id)}"
        page = dict(fields)
        if not page.get("identifier"):
            page["identifier"] = (await self.retrieve(page_id)).identifier
        body = {"page": page}
        data = await self._requester.rest("PUT", path, json_body=body, idempotent=idempotent)
        return parse_model(CmsPage, data, "PUT", path)


class AsyncStore:
    """Store structure and per-store configuration (`/V1/store/...`)."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def configs(self, store_codes: Sequence[str] | None = None) -> list[StoreConfig]:
        """`GET /V1/store/storeConfigs`: base/secure/media URLs, locale, currency per store view."""
        params = {f"storeCodes[{index}]": code for index, code in enumerate(store_codes or ())}
        data = await self._requester.rest("GET", "/V1/store/storeConfigs", params=params)
        return _parse_list(StoreConfig, data, "/V1/store/storeConfigs")

    async def websites(self) -> list[Website]:
        """`GET /V1/store/websites` (includes the `admin` website, id 0)."""
        data = await self._requester.rest("GET", "/V1/store/websites")
        return _parse_list(Website, data, "/V1/store/websites")

    async def views(self) -> list[StoreView]:
        """`GET /V1/store/storeViews`."""
        data = await self._requester.rest("GET", "/V1/store/storeViews")
        return _parse_list(StoreView, data, "/V1/store/storeViews")

    async def groups(self) -> list[StoreGroup]:
        """`GET /V1/store/storeGroups`."""
        data = await self._requester.rest("GET", "/V1/store/storeGroups")
        return _parse_list(StoreGroup, data, "/V1/store/storeGroups")


class AsyncModules:
    """Enabled modules (`GET /V1/modules`): unknown third-party modules are a persistence lead."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def list(self) -> list[Module]:
        """`GET /V1/modules`: every enabled module (disabled ones are absent)."""
        data = await self._requester.rest("GET", "/V1/modules")
        try:
            return Module.list_from_response(data)
        except ValidationError as error:
            raise _shape_error("a list of module names", error, "GET", "/V1/modules") from error


class AsyncTokens:
    """Token routes: issue admin and customer tokens, revoke the client's own customer token."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def admin(self, username: str, password: str) -> str:
        """`POST /V1/integration/admin/token` (stores without enforced 2FA): a JWT."""
        path = "/V1/integration/admin/token"
        data = await self._requester.rest(
            "POST",
            path,
            json_body={"username": username, "password": password},
            authenticated=False,
        )
        return _expect_token(data, path)

    async def customer(self, email: str, password: str) -> str:
        """`POST /V1/integration/customer/token`: a customer JWT."""
        path = "/V1/integration/customer/token"
        data = await self._requester.rest(
            "POST", path, json_body={"username": email, "password": password}, authenticated=False
        )
        return _expect_token(data, path)

    async def revoke_own_customer_token(self) -> bool:
        """`POST /V1/integration/customer/revoke-customer-token` (2.4.6+; customer tokens only).

        With an admin token Magento answers 400 `"customerId" is required`.
        """
        path = "/V1/integration/customer/revoke-customer-token"
        return _expect_bool(await self._requester.rest("POST", path), "POST", path)


class AsyncBulk:
    """The asynchronous bulk web API (`/async/bulk/V1/...`) and bulk status."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def submit(
        self,
        method: str,
        route: str,
        bodies: Sequence[Mapping[str, JSONValue]],
        *,
        idempotent: bool | None = None,
    ) -> BulkRequestResult:
        """Queue one operation per body, e.g. `submit("PUT", "/V1/products/bySku", [...])`.

        `route` is the bulk form of a write route (placeholders become `by<Param>`). Magento
        answers 202 at once; the operations run when the `async.operations.all` consumer runs.
        """
        verb = method.upper()
        if verb not in _BULK_METHODS:
            raise InvalidArgumentError(
                f"bulk routes exist only for writes: use POST, PUT or DELETE (got {method!r})"
            )
        if not route.startswith("/V1/"):
            raise InvalidArgumentError(
                f"bulk route {route!r} must be a /V1/... route, e.g. '/V1/products/bySku'"
            )
        if not bodies:
            raise InvalidArgumentError("bulk submit needs at least one body")
        data = await self._requester.rest(
            verb,
            f"/async/bulk{route}",
            json_body=[dict(body) for body in bodies],
            idempotent=idempotent,
        )
        return parse_model(BulkRequestResult, data, verb, f"/async/bulk{route}")

    async def status(self, bulk_uuid: str) -> BulkStatus:
        """`GET /V1/bulk/:bulkUuid/status`."""
        path = f"/V1/bulk/{path_segment(bulk_uuid)}/status"
        return parse_model(BulkStatus, await self._requester.rest("GET", path), "GET", path)

    async def wait(
        self, bulk_uuid: str, *, poll_interval: float = 2.0, max_wait: float = 300.0
    ) -> BulkStatus:
        """Poll the bulk's status until no operation is open; APITimeoutError after `max_wait` s.

        Completion is judged per operation, not by the bulk's summary (magento/magento2#36911).
        """
        if poll_interval <= 0 or max_wait <= 0:
            raise InvalidArgumentError("poll_interval and max_wait must be positive seconds")
        deadline = time.monotonic() + max_wait
        while True:
            status = await self.status(bulk_uuid)
            still_open = sum(
                1 for op in status.operations_list if op.status == BulkOperationStatus.OPEN
            )
            if not still_open:
                return status
            if time.monotonic() >= deadline:
                raise APITimeoutError(
                    f"bulk {bulk_uuid} still has {still_open} open operation(s) after {max_wait:g} "
                    "s: check that the async.operations.all consumer runs (cron or "
                    "bin/magento queue:consumers:start async.operations.all)",
                    request=RequestInfo("GET", f"/V1/bulk/{bulk_uuid}/status"),
                )
            await async_sleep(poll_interval)


class AsyncGraphQL:
    """GraphQL (`POST /graphql`; always POST so caches never answer verification reads)."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester

    async def execute(
        self,
        query: str,
        variables: Mapping[str, JSONValue] | None = None,
        *,
        store: str | None = None,
        operation_name: str | None = None,
        idempotent: bool | None = None,
    ) -> JSONValue:
        """Run a query or mutation and return `data`; `errors[]` raise GraphQLError.

        `store` picks the store view (`Store` header). Pass `idempotent=True` for queries to allow
        retries (a POST is never retried otherwise).
        """
        if not query.strip():
            raise InvalidArgumentError("the GraphQL query is empty")
        body: dict[str, JSONValue] = {"query": query}
        if variables is not None:
            body["variables"] = dict(variables)
        if operation_name is not None:
            body["operationName"] = operation_name
        return await self._requester.graphql(body, store=store, idempotent=idempotent)
