"""The capture: what each category reads from the store and how it lands in the evidence log."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from pydantic import BaseModel

from magento_ir._async import AsyncMagentoClient
from magento_ir._async._client import DEFAULT_MAX_RESPONSE_BYTES, USER_AGENT
from magento_ir._core.redact import REDACTED, is_secret_key, redact_url
from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    APIConnectionError,
    APIError,
    AuthenticationError,
    ConfigurationError,
    NotFoundError,
    RequestInfo,
    UnexpectedResponseError,
)
from magento_ir._http import AsyncClient, map_transport_errors
from magento_ir.evidence.collectors._exchange import ExchangeRecorder
from magento_ir.evidence.log import read_records

if TYPE_CHECKING:
    import os
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from magento_ir._http import AsyncBaseTransport
    from magento_ir.auth import Auth
    from magento_ir.evidence import EvidenceLog
    from magento_ir.models import SearchResult
    from magento_ir.models.incident_response import Capabilities

__all__ = [
    "CATEGORIES",
    "CaptureOptions",
    "CaptureSummary",
    "CategoryResult",
    "acapture",
    "capture",
    "last_capture_start",
    "without_secrets",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

CATEGORIES: tuple[str, ...] = (
    "store",
    "modules",
    "design_config",
    "cms_blocks",
    "cms_pages",
    "customers",
    "orders",
    "transactions",
    "invoices",
    "admin_users",
    "admin_sessions",
    "integrations",
    "config",
    "module",
)
_MAX_CONCURRENCY = 16
# Synced to disk every so many records on long captures (with sync="batch").
_SYNC_EVERY = 1_000
_MAGENTO_TIME = "%Y-%m-%d %H:%M:%S"

# storeConfigs field -> the core_config_data path it reports (magento-api.md §9.7).
_STORE_CONFIG_PATHS = {
    "base_url": "web/unsecure/base_url",
    "secure_base_url": "web/secure/base_url",
    "base_link_url": "web/unsecure/base_link_url",
    "secure_base_link_url": "web/secure/base_link_url",
    "base_static_url": "web/unsecure/base_static_url",
    "secure_base_static_url": "web/secure/base_static_url",
    "base_media_url": "web/unsecure/base_media_url",
    "secure_base_media_url": "web/secure/base_media_url",
}
_DESIGN_PATHS = (
    "design/head/includes",
    "design/footer/absolute_footer",
    "design/head/default_title",
    "design/head/default_description",
    "design/header/welcome",
    "design/footer/copyright",
)
_NO_CONFIG_READ = "core REST reads no core_config_data path but the storeConfigs subset"
# The module's evidence allow-list: the §9.7 paths where skimmers and backdoors hide.
_EVIDENCE_CONFIG_PATHS = (
    "design/head/*",
    "design/footer/*",
    "design/header/*",
    "web/unsecure/*",
    "web/secure/*",
    "admin/url/*",
    "payment/*/active",
    "payment/*/title",
    "csp/*",
    "sales_email/*/template",
)
_MODULE_READS = {
    "admin_users": ("admins", "admin_user and authorization_role"),
    "admin_sessions": ("admin-sessions", "admin_user_session"),
    "integrations": ("integrations", "integration, oauth_consumer and oauth_token"),
    "config": ("config", "core_config_data"),
}
_INSTALL_HINT = (
    "install the companion module (composer require magento-ir/module-incident-response; "
    "see docs/module.md)"
)
_HTTP_OK = 200


@dataclass(frozen=True, slots=True)
class CaptureOptions:
    """What to capture and how.

    `since` (timezone-aware) limits customers, orders, invoices (`updated_at`), transactions
    (`created_at`), CMS blocks and pages (`update_time`), the module's action log (`created_at`)
    and admin sessions (`updated_at`) to what changed after it; store configuration, modules,
    admin users, integrations, config values and the storefront are always captured whole (they
    are small and their current state is the evidence).
    """

    categories: Sequence[str] = CATEGORIES
    since: datetime | None = None
    page_size: int = 100
    concurrency: int = 4
    storefront_url: str | None = None
    timeout: float = 30.0
    max_retries: int = 4
    # Responses past this are refused while being read, as the client's own cap does.
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    user: str | None = None
    # Send credentials over plain http:// to a host other than this machine (test stores only).
    allow_insecure_http: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.categories, str) or not self.categories:
            raise ConfigurationError(
                f"categories must be a non-empty list of names from: {', '.join(CATEGORIES)}"
            )
        unknown = sorted(set(self.categories) - set(CATEGORIES))
        if unknown:
            raise ConfigurationError(
                f"unknown capture categories {unknown}: choose from {', '.join(CATEGORIES)}"
            )
        if self.since is not None and self.since.tzinfo is None:
            raise ConfigurationError(
                "since must be timezone-aware, e.g. datetime(2026, 11, 1, tzinfo=UTC) or "
                "'2026-11-01T00:00:00Z'"
            )
        if not 1 <= self.page_size <= 300:  # noqa: PLR2004 - Magento's optional input limit
            raise ConfigurationError(f"page_size must be 1-300 (got {self.page_size})")
        if not 1 <= self.concurrency <= _MAX_CONCURRENCY:
            raise ConfigurationError(
                f"concurrency must be 1-{_MAX_CONCURRENCY} (got {self.concurrency})"
            )

    def since_text(self) -> str | None:
        """`since` as Magento compares dates: 'YYYY-MM-DD HH:MM:SS' in UTC."""
        return None if self.since is None else self.since.astimezone(UTC).strftime(_MAGENTO_TIME)


@dataclass(slots=True)
class CategoryResult:
    """One category's outcome: `captured` records of `expected` (None: not counted up front).

    `status` is `complete`, `partial` (fewer than expected: rows vanished while paging),
    `not_collected` (the API offers no way; `reason` says why) or `failed` (`reason` is the error).
    """

    category: str
    status: str = "complete"
    captured: int = 0
    expected: int | None = None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "status": self.status,
            "captured": self.captured,
            "expected": self.expected,
            "reason": self.reason,
        }


@dataclass(slots=True)
class CaptureSummary:
    """What one capture wrote: its id, per-category results and the HTTP exchanges recorded."""

    capture_id: str
    results: list[CategoryResult] = field(default_factory=list)
    exchanges: int = 0

    @property
    def ok(self) -> bool:
        """No category failed (categories the API cannot reach are not failures)."""
        return all(result.status != "failed" for result in self.results)

    def result(self, category: str) -> CategoryResult:
        return next(result for result in self.results if result.category == category)


class _Listing(Protocol[ModelT]):
    async def list(self, criteria: SearchCriteria) -> SearchResult[ModelT]: ...

    def iterate(
        self,
        criteria: SearchCriteria | None = None,
        *,
        page_size: int = 100,
        keyset: bool = False,
        concurrency: int = 4,
    ) -> AsyncIterator[ModelT]: ...


@dataclass(slots=True)
class _Run:
    log: EvidenceLog
    client: AsyncMagentoClient
    http: AsyncClient
    options: CaptureOptions
    progress: Callable[[str, int, int | None], None] | None
    storefront: str
    module: Capabilities | None = None
    since_last_sync: int = 0

    def append(self, record_type: str, payload: dict[str, Any]) -> None:
        self.log.append(record_type, payload)
        self.since_last_sync += 1
        if self.since_last_sync >= _SYNC_EVERY:
            self.log.sync()
            self.since_last_sync = 0

    def report(self, result: CategoryResult) -> None:
        if self.progress is not None:
            self.progress(result.category, result.captured, result.expected)


def without_secrets(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    """The value with every secret-named field (`*token*`, `*password*`, ...) `[REDACTED]`.

    Stores add attributes of their own (a gateway's vault token on a payment, say): evidence
    must never carry them, so their values are replaced while their presence stays visible.
    """
    if isinstance(value, dict):
        return {
            name: REDACTED if is_secret_key(name) and item is not None else without_secrets(item)
            for name, item in value.items()
        }
    if isinstance(value, list):
        return [without_secrets(item) for item in value]
    return value


def _dump(model: BaseModel) -> dict[str, Any]:
    dumped: dict[str, Any] = without_secrets(model.model_dump(mode="json"))
    return dumped


async def _paged(
    run: _Run,
    result: CategoryResult,
    listing: _Listing[ModelT],
    *,
    record_type: str,
    since_field: str | None,
    sort_field: str | None,
    also: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Count the matches (one row), then stream every page, `concurrency` pages at a time."""
    criteria = SearchCriteria()
    since = run.options.since_text()
    if since is not None and since_field is not None:
        criteria = criteria.where(since_field, "gt", since)
    if sort_field is not None:
        # Stable offset pages: rows added while paging land at the end.
        criteria = criteria.order_by(sort_field, "ASC")
    first = await listing.list(criteria.page(1, 1))
    result.expected = first.total_count
    run.report(result)
    items = listing.iterate(
        criteria, page_size=run.options.page_size, concurrency=run.options.concurrency
    )
    async for item in items:
        entity = _dump(item)
        run.append(record_type, entity)
        if also is not None:
            also(entity)
        result.captured += 1
        if result.captured % run.options.page_size == 0:
            run.report(result)
    if result.captured < result.expected:
        result.status = "partial"
        result.reason = f"{result.expected} matched when counted, {result.captured} were read"


async def _store(run: _Run, result: CategoryResult) -> None:
    store = run.client.store
    for record_type, models in (
        ("capture.website", await store.websites()),
        ("capture.store_group", await store.groups()),
        ("capture.store_view", await store.views()),
    ):
        for model in models:
            run.append(record_type, _dump(model))
            result.captured += 1
    for config in await store.configs():
        entity = _dump(config)
        run.append("capture.store_config", entity)
        result.captured += 1
        # The skimmer-relevant base URLs, one record per path and store view (§9.7).
        for key, path in _STORE_CONFIG_PATHS.items():
            if key in entity:
                run.append(
                    "capture.config_value",
                    {
                        "path": path,
                        "scope": "stores",
                        "store_code": entity.get("code"),
                        "value": entity[key],
                        "source": "GET /V1/store/storeConfigs",
                    },
                )
    result.expected = result.captured


async def _modules(run: _Run, result: CategoryResult) -> None:
    modules = await run.client.modules.list()
    names = [module.name for module in modules]
    run.append("capture.modules", {"enabled": names, "count": len(names)})
    result.captured = result.expected = 1


class _PageScripts(HTMLParser):
    """Collects the `<script>` and `<iframe>` tags of a page: where skimmers load from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[dict[str, Any]] = []
        self._inline: list[str] | None = None
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "head":
            self._in_head = True
        elif tag in {"script", "iframe"}:
            source = attributes.get("src")
            if source is not None:
                self.items.append({"tag": tag, "src": source, "in_head": self._in_head})
            elif tag == "script":
                self._inline = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self._in_head = False
        elif tag == "script" and self._inline is not None:
            text = "".join(self._inline)
            self.items.append(
                {
                    "tag": "script",
                    "inline_sha256": hashlib.sha256(text.encode()).hexdigest(),
                    "inline_length": len(text),
                    "in_head": self._in_head,
                }
            )
            self._inline = None

    def handle_data(self, data: str) -> None:
        if self._inline is not None:
            self._inline.append(data)


_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head\s*>", re.IGNORECASE | re.DOTALL)


async def _design_config(run: _Run, result: CategoryResult) -> None:
    """design/head/includes and friends, as the storefront renders them.

    The `config` category reads the stored values through the companion module; this read is
    its complement (what shoppers are actually served) and the only one without the module.
    """
    url = run.storefront + "/"
    with map_transport_errors(RequestInfo("GET", "/"), run.storefront):
        response = await run.http.get(url, timeout=run.options.timeout)
    content_type = response.headers.get("content-type", "")
    if response.status_code != _HTTP_OK or "html" not in content_type:
        result.status = "not_collected"
        result.reason = (
            f"{_NO_CONFIG_READ}; the storefront {redact_url(url)} answered HTTP "
            f"{response.status_code} ({content_type or 'no Content-Type'}), not an HTML page, so "
            f"{', '.join(_DESIGN_PATHS)} could not be seen as rendered either"
        )
        run.append(
            "capture.not_collected",
            {"category": result.category, "paths": list(_DESIGN_PATHS), "reason": result.reason},
        )
        return
    page = response.text
    head = _HEAD.search(page)
    parser = _PageScripts()
    parser.feed(page)
    parser.close()
    run.append(
        "capture.storefront_page",
        {
            "url": redact_url(url),
            "status": response.status_code,
            "page_sha256": hashlib.sha256(response.content).hexdigest(),
            "head_html": head.group(1) if head else None,
            "scripts": parser.items,
            "config_paths": list(_DESIGN_PATHS),
            "source": (
                f"the storefront's rendered HTML: {_NO_CONFIG_READ}, so the configured values are "
                "seen as the page renders them (the config category reads the stored ones "
                "through the companion module)"
            ),
        },
    )
    result.captured = result.expected = 1


async def _orders(run: _Run, result: CategoryResult) -> None:
    def payment(order: dict[str, Any]) -> None:
        extension = order.get("extension_attributes") or {}
        run.append(
            "capture.payment",
            {
                "order_id": order.get("entity_id"),
                "increment_id": order.get("increment_id"),
                "payment": order.get("payment"),
                "payment_additional_info": extension.get("payment_additional_info"),
            },
        )

    await _paged(
        run,
        result,
        run.client.orders,
        record_type="capture.order",
        since_field="updated_at",
        sort_field="entity_id",
        also=payment,
    )


def _not_collected(run: _Run, result: CategoryResult, why: str) -> None:
    route, tables = _MODULE_READS[result.category]
    result.status = "not_collected"
    result.reason = (
        f"core REST has no route that reads {result.category.replace('_', ' ')} "
        f"and {why}: {_INSTALL_HINT} to read them through "
        f"GET /V1/incident-response/{route}, or read the {tables} table(s) on the server "
        "(database dump)"
    )
    run.append("capture.not_collected", {"category": result.category, "reason": result.reason})


def _module_read(
    read: Callable[[_Run, CategoryResult], Awaitable[None]],
) -> Callable[[_Run, CategoryResult], Awaitable[None]]:
    """A category only the companion module can read: recorded as not collected without it."""

    async def collect(run: _Run, result: CategoryResult) -> None:
        if run.module is None:
            _not_collected(run, result, "the companion module is not installed")
            return
        try:
            await read(run, result)
        except NotFoundError:
            # The route is newer than the installed module (404 "does not match any route").
            _not_collected(
                run,
                result,
                f"the installed companion module (version {run.module.module_version}) predates "
                "its evidence reads; upgrade it",
            )

    return collect


async def _admin_users(run: _Run, result: CategoryResult) -> None:
    listing = await run.client.incident_response.admins()
    result.expected = listing.total_count
    for admin in listing.items:
        run.append("capture.admin_user", _dump(admin))
        result.captured += 1


async def _admin_sessions(run: _Run, result: CategoryResult) -> None:
    listing = await run.client.incident_response.admin_sessions(since=run.options.since_text())
    result.expected = listing.total_count
    for session in listing.items:
        run.append("capture.admin_session", _dump(session))
        result.captured += 1
    if listing.truncated:
        result.status = "partial"
        result.reason = (
            f"{listing.total_count} admin sessions matched and the module lists the newest "
            f"{result.captured}: capture again with a later since for the rest"
        )


async def _integrations(run: _Run, result: CategoryResult) -> None:
    listing = await run.client.incident_response.integrations()
    result.expected = listing.total_count
    for integration in listing.items:
        run.append("capture.integration", _dump(integration))
        result.captured += 1


async def _config(run: _Run, result: CategoryResult) -> None:
    """Every scope's core_config_data row of the §9.7 paths, locked and encrypted ones marked."""
    listing = await run.client.incident_response.config(_EVIDENCE_CONFIG_PATHS)
    result.expected = listing.total_count
    for row in listing.items:
        run.append(
            "capture.config_value",
            {**_dump(row), "source": "GET /V1/incident-response/config"},
        )
        result.captured += 1


async def _module(run: _Run, result: CategoryResult) -> None:
    """The companion module's capabilities, maintenance state and its own action log."""
    if run.module is None:
        result.status = "not_collected"
        result.reason = (
            "the companion module is not installed (GET /V1/incident-response/capabilities "
            "answered 404), so there is no module action log to capture"
        )
        run.append("capture.not_collected", {"category": "module", "reason": result.reason})
        return
    responder = run.client.incident_response
    run.append("capture.module_capabilities", _dump(run.module))
    run.append("capture.maintenance_state", _dump(await responder.maintenance()))
    criteria = SearchCriteria().order_by("action_id", "ASC")
    since = run.options.since_text()
    if since is not None:
        criteria = criteria.where("created_at", "gt", since)
    page_number, seen = 1, 0
    while True:
        page = await responder.actions(criteria.page(run.options.page_size, page_number))
        result.expected = page.total_count
        for action in page.items:
            run.append("capture.module_action", _dump(action))
            result.captured += 1
        seen += len(page.items)
        run.report(result)
        if not page.items or seen >= page.total_count:
            return
        page_number += 1


def _listing(
    record_type: str, resource: str, since_field: str, sort_field: str | None
) -> Callable[[_Run, CategoryResult], Awaitable[None]]:
    async def collect(run: _Run, result: CategoryResult) -> None:
        await _paged(
            run,
            result,
            getattr(run.client, resource),
            record_type=record_type,
            since_field=since_field,
            sort_field=sort_field,
        )

    return collect


_COLLECTORS: dict[str, Callable[[_Run, CategoryResult], Awaitable[None]]] = {
    "store": _store,
    "modules": _modules,
    "design_config": _design_config,
    # CMS tables are small and their REST ids are not their collection's sort keys: no sort.
    "cms_blocks": _listing("capture.cms_block", "cms_blocks", "update_time", None),
    "cms_pages": _listing("capture.cms_page", "cms_pages", "update_time", None),
    "customers": _listing("capture.customer", "customers", "updated_at", "entity_id"),
    "orders": _orders,
    "transactions": _listing("capture.transaction", "transactions", "created_at", "transaction_id"),
    "invoices": _listing("capture.invoice", "invoices", "updated_at", "entity_id"),
    "admin_users": _module_read(_admin_users),
    "admin_sessions": _module_read(_admin_sessions),
    "integrations": _module_read(_integrations),
    "config": _module_read(_config),
    "module": _module,
}


def _storefront_origin(base_url: str, storefront_url: str | None) -> str:
    url = (storefront_url or base_url).rstrip("/")
    return re.sub(r"/rest(/[^/]+)?$", "", url)


async def _detect_module(client: AsyncMagentoClient) -> Capabilities | None:
    try:
        return await client.incident_response.capabilities()
    except NotFoundError:
        return None


async def acapture(
    log: EvidenceLog,
    *,
    base_url: str,
    auth: Auth,
    transport: AsyncBaseTransport | None = None,
    options: CaptureOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> CaptureSummary:
    """Capture the store into `log`: custody records around it, every HTTP exchange, every entity.

    A category that fails (HTTP error, store unreachable) is recorded as `capture.error` and the
    capture goes on with the next one; `summary.ok` tells. Refused credentials
    (`AuthenticationError`), and a store that does not answer the first request
    (`APIConnectionError`, `UnexpectedResponseError`), stop the capture and are raised, after
    the closing records.
    `transport` lets tests use the sandbox in-process. The log may already hold an incident's
    journal: the capture is appended.
    """
    opts = options or CaptureOptions()
    capture_id = uuid.uuid4().hex
    store = redact_url(base_url)
    summary = CaptureSummary(capture_id)
    log.custody("capture_started", note=f"capture {capture_id} of {store}", user=opts.user)
    log.append(
        "capture.started",
        {
            "capture_id": capture_id,
            "store": store,
            "categories": list(opts.categories),
            "since": opts.since_text(),
            "page_size": opts.page_size,
            "concurrency": opts.concurrency,
        },
    )
    recorder = ExchangeRecorder(
        log, capture_id=capture_id, user=opts.user, max_response_bytes=opts.max_response_bytes
    )
    http = AsyncClient(
        transport=transport,
        # The storefront fetch says who it is too; the API client sets the same on its requests.
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        event_hooks={"request": [recorder.request_started], "response": [recorder]},
    )
    try:
        async with http:
            client = AsyncMagentoClient(
                base_url,
                auth=auth,
                http_client=http,
                timeout=opts.timeout,
                max_retries=opts.max_retries,
                max_response_bytes=opts.max_response_bytes,
                allow_insecure_http=opts.allow_insecure_http,
            )
            run = _Run(
                log, client, http, opts, progress, _storefront_origin(base_url, opts.storefront_url)
            )
            await _capture_categories(run, summary)
    finally:
        summary.exchanges = recorder.exchanges
        log.append(
            "capture.summary",
            {
                "capture_id": capture_id,
                "exchanges": recorder.exchanges,
                "results": [result.to_json() for result in summary.results],
            },
        )
        log.custody(
            "capture_finished",
            note=f"capture {capture_id}: {recorder.exchanges} HTTP exchanges",
            user=opts.user,
        )
        log.sync()
    return summary


async def _capture_categories(run: _Run, summary: CaptureSummary) -> None:
    try:
        run.module = await _detect_module(run.client)
    except (AuthenticationError, APIConnectionError, UnexpectedResponseError) as error:
        # The first request (login included) failed: no category could do better. Stop.
        run.append("capture.error", {"category": "module_detection", "error": str(error)})
        raise
    except APIError as error:
        # Without the probe the module-only categories say "not installed"; the error is kept.
        run.append("capture.error", {"category": "module_detection", "error": str(error)})
    for category in run.options.categories:
        result = CategoryResult(category)
        summary.results.append(result)
        try:
            await _COLLECTORS[category](run, result)
        except AuthenticationError as error:
            # Refused credentials fail every category alike: stop, recorded, and tell the caller.
            result.status = "failed"
            result.reason = str(error)
            run.append("capture.error", {"category": category, "error": str(error)})
            raise
        except APIError as error:
            result.status = "failed"
            result.reason = str(error)
            run.append("capture.error", {"category": category, "error": str(error)})
        run.report(result)
        run.log.sync()


def last_capture_start(path: str | os.PathLike[str]) -> datetime | None:
    """When the last completed capture in the log at `path` started, for `since` (streamed).

    One second is taken off: Magento compares whole seconds, so a row changed in the same second
    the capture started is captured again rather than missed.
    """
    started: dict[str, str] = {}
    last: datetime | None = None
    for record in read_records(path):
        if record.type == "capture.started":
            started[record.payload["capture_id"]] = record.time
        elif record.type == "capture.summary" and record.payload["capture_id"] in started:
            moment = datetime.fromisoformat(started[record.payload["capture_id"]])
            last = moment.replace(microsecond=0) - timedelta(seconds=1)
    return last


def capture(
    log: EvidenceLog,
    *,
    base_url: str,
    auth: Auth,
    transport: AsyncBaseTransport | None = None,
    options: CaptureOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> CaptureSummary:
    """`acapture` for scripts and the CLI (runs its own event loop; in Jupyter, await acapture)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass  # no loop running here: run our own
    else:
        raise ConfigurationError(
            "capture() cannot run inside a running event loop (Jupyter, async code): use "
            "`await acapture(...)` with the same arguments"
        )
    return asyncio.run(
        acapture(
            log,
            base_url=base_url,
            auth=auth,
            transport=transport,
            options=options,
            progress=progress,
        )
    )
