"""The Magento client: `AsyncMagentoClient` and the request engine its resources share."""

from __future__ import annotations

import asyncio
import json
import random
import time
from contextlib import aclosing
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Self, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, ValidationError
from tenacity import AsyncRetrying, RetryCallState

from magento_ir._async._incident_response import AsyncIncidentResponse
from magento_ir._async._pages import Windows, in_order
from magento_ir._async._resources import (
    AsyncBulk,
    AsyncCmsBlocks,
    AsyncCmsPages,
    AsyncCustomers,
    AsyncGraphQL,
    AsyncInvoices,
    AsyncModules,
    AsyncOrders,
    AsyncProducts,
    AsyncStore,
    AsyncTokens,
    AsyncTransactions,
    parse_model,
)
from magento_ir._core.jwt import is_expired
from magento_ir._core.paging import (
    check_iteration_criteria,
    has_more_keyset_pages,
    has_more_pages,
    keyset_criteria,
    keyset_position,
    last_page,
    page_criteria,
)
from magento_ir._core.redact import redact_url
from magento_ir._core.responses import (
    decode_json,
    error_from_response,
    graphql_data,
)
from magento_ir._core.retry import (
    Failure,
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    should_retry,
)
from magento_ir._core.search_criteria import KeysetField, SearchCriteria
from magento_ir._core.urls import (
    StoreURL,
    build_query,
    check_plaintext_credentials,
    parse_base_url,
)
from magento_ir._exceptions import (
    APIConnectionError,
    BadRequestError,
    ConfigurationError,
    InvalidArgumentError,
    JSONValue,
    RequestInfo,
    UnexpectedResponseError,
)
from magento_ir._http import (
    AsyncBaseTransport,
    AsyncClient,
    Reply,
    Request,
    async_deadline,
    async_new_client,
    async_read_body,
    async_sleep,
    map_transport_errors,
    release,
    sends_over_network,
)
from magento_ir._logging import log_request, log_response, log_retry
from magento_ir._secret import HoldsSecret
from magento_ir._version import __version__
from magento_ir.auth import Auth, BearerToken, OAuth1Credentials, TokenLogin
from magento_ir.models._base import validate_json

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping
    from types import TracebackType

    from magento_ir.models import SearchResult

ModelT = TypeVar("ModelT", bound=BaseModel)

USER_AGENT = f"magento-ir/{__version__}"
# Far above any page Magento sends (a 300-item page is a few MiB); a bigger body is refused.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 2**20
_ROUTABLE_METHODS = frozenset({"GET", "POST", "PUT", "DELETE"})
_HTTP_UNAUTHORIZED = 401
_TWO_FACTOR_MARKERS = ("2fa", "two-factor")


class _Session(HoldsSecret):
    """What a client shares with its `with_store`/`with_options` copies: pool, auth, token."""

    def __init__(self, http: AsyncClient, *, owns_http: bool, auth: Auth | None) -> None:
        self.http = http
        self.owns_http = owns_http
        self.auth = auth
        self.token: str | None = None
        self.lock = asyncio.Lock()
        self.windows = Windows()


class AsyncRequester:
    """Sends requests for one store scope with one timeout/retry setting; resources call it."""

    def __init__(
        self,
        session: _Session,
        url: StoreURL,
        *,
        timeout: float,
        policy: RetryPolicy,
        headers: Mapping[str, str],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.session = session
        self.url = url
        self.timeout = timeout
        self.policy = policy
        self.headers = dict(headers)
        self.max_response_bytes = max_response_bytes

    async def rest(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | None = None,
        json_body: JSONValue = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        url: StoreURL | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> JSONValue:
        """Call a REST route (`/V1/...`) and return its decoded JSON, or raise the typed error."""
        reply, info = await self._rest_reply(
            method,
            path,
            params=params,
            json_body=json_body,
            idempotent=idempotent,
            authenticated=authenticated,
            url=url,
            extra_headers=extra_headers,
        )
        return decode_json(
            status_code=reply.status_code,
            content_type=reply.headers.get("Content-Type"),
            body=reply.content,
            request=info,
        )

    async def _rest_reply(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | None = None,
        json_body: JSONValue = None,
        idempotent: bool | None = None,
        authenticated: bool = True,
        url: StoreURL | None = None,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Reply, RequestInfo]:
        """A REST route's successful reply (body not decoded yet), or the typed error."""
        verb = method.upper()
        if verb not in _ROUTABLE_METHODS:
            raise InvalidArgumentError(
                f"HTTP method {method!r} is not routable in Magento's REST API: use GET, POST, PUT "
                "or DELETE"
            )
        query = build_query(params)
        full_url = (url or self.url).rest_url(path, query)
        response, info = await self.send(
            verb,
            full_url,
            json_body=json_body,
            idempotent=idempotent,
            authenticated=authenticated,
            extra_headers=extra_headers,
        )
        if response.is_success:
            return response, info
        raise error_from_response(
            status_code=response.status_code,
            content_type=response.headers.get("Content-Type"),
            body=response.content,
            request=info,
            retry_after=response.headers.get("Retry-After"),
            now=datetime.now(UTC),
        )

    async def graphql(
        self,
        body: dict[str, JSONValue],
        *,
        store: str | None,
        idempotent: bool | None,
    ) -> JSONValue:
        """POST a GraphQL document and return `data`, or raise GraphQLError with `errors[]`."""
        headers = {"Store": store} if store is not None else {}
        response, info = await self.send(
            "POST",
            self.url.graphql_url(),
            json_body=body,
            idempotent=idempotent,
            authenticated=True,
            extra_headers=headers,
        )
        return graphql_data(
            status_code=response.status_code,
            content_type=response.headers.get("Content-Type"),
            body=response.content,
            request=info,
            now=datetime.now(UTC),
        )

    async def send(
        self,
        method: str,
        url: str,
        *,
        json_body: JSONValue,
        idempotent: bool | None,
        authenticated: bool,
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[Reply, RequestInfo]:
        """Send with retries; a 401 on a token that was not fresh logs in again, exactly once."""
        headers = {**self.headers, **(extra_headers or {})}
        content = None
        if json_body is not None:
            try:
                content = json.dumps(json_body, allow_nan=False).encode()
            except (TypeError, ValueError) as error:
                raise InvalidArgumentError(
                    f"the request body cannot be sent as JSON ({error}): pass str, int, float, "
                    "bool, None, lists and dicts only (e.g. dates as 'YYYY-MM-DD HH:MM:SS')"
                ) from error
            headers["Content-Type"] = "application/json"
        info = RequestInfo(method, unquote(redact_url(url).removeprefix(self.url.origin)))
        response, token, fresh = await self._send_authorized(
            method, url, headers, content, info, idempotent=idempotent, authenticated=authenticated
        )
        if response.status_code == _HTTP_UNAUTHORIZED and token is not None and not fresh:
            self._forget_token(token)
            response, _, _ = await self._send_authorized(
                method, url, headers, content, info, idempotent=idempotent, authenticated=True
            )
        return response, info

    async def _send_authorized(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        info: RequestInfo,
        *,
        idempotent: bool | None,
        authenticated: bool,
    ) -> tuple[Reply, str | None, bool]:
        auth = self.session.auth if authenticated else None
        token: str | None = None
        fresh = False
        headers = dict(headers)
        if isinstance(auth, BearerToken):
            headers["Authorization"] = auth.authorization()
        elif isinstance(auth, TokenLogin):
            token, fresh = await self._token(auth)
            headers["Authorization"] = f"Bearer {token}"
        signer = auth if isinstance(auth, OAuth1Credentials) else None
        retrying = AsyncRetrying(
            retry=partial(self._should_retry, method, idempotent),
            wait=self._wait,
            sleep=async_sleep,
            before_sleep=partial(self._log_retry, method, url),
            reraise=True,
        )
        response: Reply = await retrying(self._attempt, method, url, headers, content, info, signer)
        return response, token, fresh

    async def _attempt(  # noqa: PLR0917 - tenacity passes the request's parts positionally
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        content: bytes | None,
        info: RequestInfo,
        signer: OAuth1Credentials | None,
    ) -> Reply:
        if signer is not None:
            # A new nonce per attempt: Magento refuses a nonce it has seen.
            headers = {**headers, "Authorization": signer.authorization(method, url)}
        log_request(method, url)
        started = time.monotonic()
        request = self.session.http.build_request(
            method, url, content=content, headers=headers, timeout=self.timeout
        )
        with map_transport_errors(info, self.url.origin):
            reply = await self._exchange(request, info)
        log_response(method, url, reply.status_code, time.monotonic() - started)
        return reply

    async def _exchange(self, request: Request, info: RequestInfo) -> Reply:
        # `timeout` bounds the whole exchange, not only each socket read: a store trickling
        # bytes cannot hold a call; the body is streamed and refused past the size cap.
        async with async_deadline(self.timeout):
            response = await self.session.http.send(request, stream=True)
            try:
                body = await async_read_body(response, self.max_response_bytes, info)
            finally:
                await response.aclose()
                release(response)
        return Reply(response.status_code, response.headers, body)

    def _should_retry(self, method: str, idempotent: bool | None, state: RetryCallState) -> bool:
        outcome = state.outcome
        if outcome is None:  # pragma: no cover - tenacity always sets it before asking
            return False
        status_code: int | None = None
        failure: Failure | None = None
        if outcome.failed:
            error = outcome.exception()
            if not isinstance(error, APIConnectionError):
                return False
            if not error.retryable:
                failure = Failure.UNREACHABLE
            elif error.request_sent:
                failure = Failure.TRANSPORT
            else:
                failure = Failure.CONNECT
        else:
            status_code = outcome.result().status_code
        return should_retry(
            method=method,
            idempotent=idempotent,
            status_code=status_code,
            failure=failure,
            retries_done=state.attempt_number - 1,
            max_retries=self.policy.max_retries,
        )

    def _wait(self, state: RetryCallState) -> float:
        retry_after = None
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            header = outcome.result().headers.get("Retry-After")
            retry_after = parse_retry_after(header, datetime.now(UTC))
        # Jitter only spreads retries out; it needs no cryptographic randomness.
        jitter = random.random()  # noqa: S311
        return backoff_delay(state.attempt_number - 1, jitter, self.policy, retry_after)

    def _log_retry(self, method: str, url: str, state: RetryCallState) -> None:
        outcome = state.outcome
        reason = "no response"
        if outcome is not None and outcome.failed:
            reason = type(outcome.exception()).__name__
        elif outcome is not None:
            reason = f"HTTP {outcome.result().status_code}"
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log_retry(method, url, reason, state.attempt_number, self.policy.max_retries, wait)

    async def _token(self, credentials: TokenLogin) -> tuple[str, bool]:
        """The session's token, logging in first when there is none or its JWT `exp` has passed."""
        async with self.session.lock:
            token = self.session.token
            if token is not None and not is_expired(token, time.time()):
                return token, False
            token = await self._login(credentials)
            self.session.token = token
            return token, True

    def _forget_token(self, token: str) -> None:
        if self.session.token == token:
            self.session.token = None

    async def _login(self, credentials: TokenLogin) -> str:
        path, body = credentials.login_request(time.time())
        try:
            # Issuing a token twice is harmless, so the login may be retried like a read.
            token = await self.rest(
                "POST",
                path,
                json_body=body,
                idempotent=True,
                authenticated=False,
                url=self.url.with_store(None),
            )
        except BadRequestError as error:
            if any(marker in error.raw_message.lower() for marker in _TWO_FACTOR_MARKERS):
                raise ConfigurationError(
                    f"the store requires two-factor authentication ({error.message}): pass "
                    "AdminCredentials(..., totp_secret='<base32 secret>') or otp_provider=..."
                ) from error
            raise
        if not isinstance(token, str) or not token:
            raise UnexpectedResponseError(
                f"expected a token (a JSON string) from {path} but got {type(token).__name__}: "
                "is base_url pointing at Magento?",
                request=RequestInfo("POST", path),
                status_code=200,
                content_type="application/json",
            )
        return token

    async def list_page(
        self,
        path: str,
        page_type: type[SearchResult[ModelT]],
        criteria: SearchCriteria | None,
    ) -> SearchResult[ModelT]:
        """One page of a list route (criteria are always sent: Magento requires them)."""
        reply, info = await self._page_reply(path, criteria)
        return self._parse_page(path, page_type, reply, info)

    async def _page_reply(
        self, path: str, criteria: SearchCriteria | None
    ) -> tuple[Reply, RequestInfo]:
        params = (criteria or SearchCriteria()).to_params()
        return await self._rest_reply("GET", path, params=params)

    def _parse_page(
        self, path: str, page_type: type[SearchResult[ModelT]], reply: Reply, info: RequestInfo
    ) -> SearchResult[ModelT]:
        try:
            # Parse and validate in one pass over the bytes (pydantic-core), not json.loads first.
            return validate_json(page_type, reply.content)
        except ValidationError:
            # Not JSON, or not a page: the two-step path names what came back instead.
            data = decode_json(
                status_code=reply.status_code,
                content_type=reply.headers.get("Content-Type"),
                body=reply.content,
                request=info,
            )
            return parse_model(page_type, data, "GET", path)

    async def iterate(
        self,
        path: str,
        page_type: type[SearchResult[ModelT]],
        criteria: SearchCriteria | None,
        *,
        page_size: int,
        keyset: KeysetField | None,
        concurrency: int,
    ) -> AsyncIterator[ModelT]:
        """Every item across pages, by offset (ends by total_count or an empty page) or keyset."""
        base = check_iteration_criteria(criteria, page_size, concurrency)
        pages = (
            self._keyset_pages(path, page_type, base, page_size, keyset)
            if keyset is not None
            else self._offset_pages(path, page_type, base, page_size, concurrency)
        )
        async for page in pages:
            for item in page.items:
                yield item

    async def _keyset_pages(
        self,
        path: str,
        page_type: type[SearchResult[ModelT]],
        base: SearchCriteria,
        page_size: int,
        keyset: KeysetField,
    ) -> AsyncIterator[SearchResult[ModelT]]:
        after: int | None = None
        while True:
            page = await self.list_page(
                path, page_type, keyset_criteria(base, keyset, after, page_size)
            )
            yield page
            if not has_more_keyset_pages(
                items_on_page=len(page.items), total_count=page.total_count
            ):
                return
            after = keyset_position(getattr(page.items[-1], keyset.item_key, None), keyset)

    async def _offset_pages(
        self,
        path: str,
        page_type: type[SearchResult[ModelT]],
        base: SearchCriteria,
        page_size: int,
        concurrency: int,
    ) -> AsyncIterator[SearchResult[ModelT]]:
        first = await self.list_page(path, page_type, page_criteria(base, page_size, 1))
        yield first
        if not has_more_pages(
            page=1,
            page_size=page_size,
            total_count=first.total_count,
            items_on_page=len(first.items),
        ):
            return
        final = last_page(first.total_count, page_size)
        # The window holds pages as bytes; each is validated when its turn comes, so only the
        # page being read is ever models (the cyclic GC re-walks every model that is alive).
        fetches = (
            partial(self._page_reply, path, page_criteria(base, page_size, number))
            for number in range(2, final + 1)
        )
        async with aclosing(in_order(fetches, concurrency, self.session.windows)) as replies:
            async for reply, info in replies:
                page = self._parse_page(path, page_type, reply, info)
                if not page.items:
                    return
                yield page


class AsyncMagentoClient(HoldsSecret):
    """A typed client for one Magento store's REST and GraphQL APIs.

    `base_url` is the store's root URL (`https://shop.example.com`, with or without `/rest`).
    `timeout` bounds each request attempt as a whole (connect to last byte, in seconds);
    response bodies past `max_response_bytes` (64 MiB) are refused while being read.
    Credentials are not sent over plain `http://` to a host other than this machine unless
    `allow_insecure_http=True`.
    Use it as a context manager, or call `close()`. It holds credentials, so it is never pickled
    (copies are the client itself; derive others with `with_store` / `with_options`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None,
        timeout: float = 30.0,
        max_retries: int = 2,
        store: str | None = None,
        transport: AsyncBaseTransport | None = None,
        http_client: AsyncClient | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if transport is not None and http_client is not None:
            raise ConfigurationError(
                "pass transport= or http_client=, not both (set the transport on your http_client)"
            )
        url = parse_base_url(base_url, store)
        check_plaintext_credentials(
            url,
            sends_credentials=auth is not None and sends_over_network(transport, http_client),
            allow_insecure_http=allow_insecure_http,
        )
        owns_http = http_client is None
        http = http_client or async_new_client(transport, tls=url.origin.startswith("https:"))
        headers = {
            "Accept": "application/json",
            **(default_headers or {}),
            "User-Agent": USER_AGENT,
        }
        self._session = _Session(http, owns_http=owns_http, auth=auth)
        self._owner = True
        self._setup(
            AsyncRequester(
                self._session,
                url,
                timeout=_check_timeout(timeout),
                policy=RetryPolicy(max_retries=_check_retries(max_retries)),
                headers=headers,
                max_response_bytes=_check_size_cap(max_response_bytes),
            )
        )

    def _setup(self, requester: AsyncRequester) -> None:
        self._requester = requester
        self.products = AsyncProducts(requester)
        self.customers = AsyncCustomers(requester)
        self.orders = AsyncOrders(requester)
        self.transactions = AsyncTransactions(requester)
        self.invoices = AsyncInvoices(requester)
        self.cms_blocks = AsyncCmsBlocks(requester)
        self.cms_pages = AsyncCmsPages(requester)
        self.store = AsyncStore(requester)
        self.modules = AsyncModules(requester)
        self.tokens = AsyncTokens(requester)
        self.bulk = AsyncBulk(requester)
        self.graphql = AsyncGraphQL(requester)
        self.incident_response = AsyncIncidentResponse(requester)

    def _derive(self, requester: AsyncRequester) -> Self:
        clone = object.__new__(type(self))
        clone._session = self._session
        clone._owner = False
        clone._setup(requester)
        return clone

    @property
    def base_url(self) -> str:
        """The REST base of this client's scope, e.g. `https://shop.example.com/rest/all`."""
        return self._requester.url.rest_url("/V1/").removesuffix("/V1/")

    @property
    def auth(self) -> Auth | None:
        """The credentials in use (their reprs show no secret)."""
        return self._session.auth

    def with_store(self, store: str | None) -> Self:
        """A client on `/rest/<store>/V1` (`"all"`: global scope) sharing pool and auth."""
        requester = self._requester
        return self._derive(
            AsyncRequester(
                self._session,
                requester.url.with_store(store),
                timeout=requester.timeout,
                policy=requester.policy,
                headers=requester.headers,
                max_response_bytes=requester.max_response_bytes,
            )
        )

    def with_options(
        self,
        *,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
    ) -> Self:
        """A client with another timeout, retry budget or size cap, sharing pool and auth."""
        requester = self._requester
        policy = requester.policy
        if max_retries is not None:
            policy = RetryPolicy(
                max_retries=_check_retries(max_retries),
                initial=policy.initial,
                maximum=policy.maximum,
                max_retry_after=policy.max_retry_after,
            )
        return self._derive(
            AsyncRequester(
                self._session,
                requester.url,
                timeout=_check_timeout(timeout) if timeout is not None else requester.timeout,
                policy=policy,
                headers=requester.headers,
                max_response_bytes=_check_size_cap(max_response_bytes)
                if max_response_bytes is not None
                else requester.max_response_bytes,
            )
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | None = None,
        json: JSONValue = None,
        idempotent: bool | None = None,
    ) -> JSONValue:
        """Call any REST route (`/V1/...`, `/async/V1/...`) and return its decoded JSON.

        Writes are retried only with `idempotent=True`. Query parameters are sent as given, in
        Magento's bracket form (`{"searchCriteria[pageSize]": 10}`; or `criteria.to_params()`).
        """
        return await self._requester.rest(
            method, path, params=params, json_body=json, idempotent=idempotent
        )

    async def close(self) -> None:
        """Stop the page fetches of iterations left unfinished, then close the connection pool
        (when this client created it)."""
        if not self._owner:
            return
        await self._session.windows.aclose()
        if self._session.owns_http:
            await self._session.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, auth={self._session.auth!r})"


def _check_timeout(timeout: float) -> float:
    if timeout <= 0:
        raise ConfigurationError(f"timeout must be a positive number of seconds (got {timeout})")
    return timeout


def _check_size_cap(max_response_bytes: int) -> int:
    if max_response_bytes < 1:
        raise ConfigurationError(
            f"max_response_bytes must be 1 or more (got {max_response_bytes}); the default is "
            f"{DEFAULT_MAX_RESPONSE_BYTES} (64 MiB)"
        )
    return max_response_bytes


def _check_retries(max_retries: int) -> int:
    if max_retries < 0:
        raise ConfigurationError(f"max_retries must be 0 or more (got {max_retries})")
    return max_retries
