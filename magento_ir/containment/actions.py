"""Containment actions: each plans (touching nothing), applies, verifies from outside, rolls back.

Module path first (the store's `capabilities` say which module actions exist); where the module
is absent, a core-REST fallback runs with bounded concurrency where Magento offers one, and the
other actions raise `ModuleRequiredError` naming what core REST cannot do and how to install the
module. Results are per entity (`ok` / `failed` with the reason / `skipped`), never a silent
partial.

Retries: module writes carry the step's `X-Idempotency-Key` and are retried safely. Core writes
are retried only when re-applying is harmless (setting a product status or a block's `active`
flag to a value); an order hold is never retried: an ambiguous failure is settled by reading the
order back. Each `Outcome.retries` says which rule applied, and the journal keeps it.
"""

from __future__ import annotations

import html
import re
import time
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    InvalidArgumentError,
    MagentoIRError,
    NotFoundError,
    RateLimitError,
    UnexpectedResponseError,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification
from magento_ir.models import Product, ProductStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from magento_ir._async import AsyncMagentoClient
    from magento_ir._http import Response
    from magento_ir.containment._context import Context

__all__ = [
    "ACTIONS",
    "Action",
    "DisableCmsBlocks",
    "ForcePasswordReset",
    "HoldOrders",
    "LockdownAdmins",
    "Maintenance",
    "QuarantineProducts",
    "RevokeOwnCustomerToken",
    "SuspendPayments",
    "TerminateSessions",
]

_MODULE_RETRIES = "module write with X-Idempotency-Key: retried safely (the module replays it)"
_NOT_REVERSIBLE = "not reversible"
_HTTP_NOT_FOUND = 404
_HTTP_UNAVAILABLE = 503
_HTTP_OK = 200
_HTTP_FOUND = 302
_HTTP_BAD_REQUEST = 400
_HTTP_SERVER_ERROR = 500
_QUARANTINE_BATCH = 10_000
_GRAPHQL_BATCH = 100
_HELD = "holded"
_PAYMENT_CODE = re.compile(r"[a-z0-9_]+")
_ADD_TO_CART = re.compile(r'name="product" value="([0-9]+)"')
# Magento refuses storefront POSTs without the session's form key (CSRF token) from the page.
_FORM_KEY = re.compile(r'name="form_key" value="([^"]+)"')
_PAYMENT_OPTION = re.compile(r'id="p_method_([a-z0-9_]+)"')
# Magento's own checkout renders the methods with JavaScript from this embedded JSON.
_CHECKOUT_CONFIG_METHODS = re.compile(r'"paymentMethods"\s*:\s*\[(.*?)\]', re.DOTALL)
_CONFIG_METHOD_CODE = re.compile(r'"code"\s*:\s*"([a-z0-9_]+)"')
_CHECKOUT_CANDIDATES = 50
_LIST_BATCH = 100
# The module's limits per call (contract): e-mails and customer ids.
_EMAIL_BATCH = 1000
_RESET_BATCH = 100_000
# Sends of a non-repeatable write, each after a read showed the previous one did not happen.
_SETTLE_ATTEMPTS = 3
# Product pages checked after a quarantine (GraphQL checks every SKU; pages are a spot check).
_PAGE_SAMPLE = 5
_PRODUCTS_QUERY = (
    "query($skus: [String]) { products(filter: {sku: {in: $skus}}, pageSize: 300) "
    "{ total_count items { sku url_key } } }"
)


class Action(ABC):
    """One containment action. Parameters are plain JSON values (they go into the journal)."""

    kind: ClassVar[str]

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The action's parameters as JSON (no secrets): its identity in the journal."""

    @abstractmethod
    async def plan(self, ctx: Context) -> Plan:
        """Read what is there and say what would change; writes nothing."""

    @abstractmethod
    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        """Make the change planned (also completes a run that was interrupted mid-way)."""

    @abstractmethod
    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        """Observe from outside (storefront, GraphQL, a token's answer) that it took effect."""

    @abstractmethod
    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        """Put back what `apply` changed, from the prior state recorded in `outcome`."""

    async def verify_rollback(
        self,
        ctx: Context,  # noqa: ARG002 - the actions that can be observed override this
        outcome: Outcome,  # noqa: ARG002
        rollback: Outcome,  # noqa: ARG002
    ) -> Verification:
        """Observe from outside that the rollback took effect (where there is anything to see)."""
        return Verification(
            self.kind,
            (Check("rolled back", passed=None, detail="nothing to observe from outside"),),
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={value!r}" for name, value in self.params().items())
        return f"{type(self).__name__}({args})"


# --- shared helpers ------------------------------------------------------------------------


def _ids(values: Sequence[int] | None, name: str) -> list[int] | None:
    if values is None:
        return None
    ids = list(values)
    if any(isinstance(value, bool) or not isinstance(value, int) or value < 1 for value in ids):
        raise InvalidArgumentError(f"{name} must be a list of positive integer ids, got {ids!r}")
    return ids


async def _responder_still_in(ctx: Context) -> Check:
    """The responder's own credentials still work (design rule: never lock the responder out)."""
    try:
        if ctx.module is not None:
            await ctx.client.incident_response.capabilities()
        else:
            await ctx.client.store.websites()
    except AuthenticationError as error:
        return Check("responder keeps API access", passed=False, detail=str(error))
    return Check("responder keeps API access", passed=True, detail="REST answered the responder")


async def _issue_canary(ctx: Context) -> None:
    """Log the canary customer in (token + storefront session) before the write, if configured."""
    credentials = ctx.connection.canary_customer
    if credentials is None or ctx.canary.customer_token is not None:
        return
    if ctx.resumed:
        ctx.canary.note = "the run resumed after an interruption: no canary was issued before it"
        return
    _, login = credentials.login_request(0.0)
    try:
        ctx.canary.customer_token = await ctx.client.tokens.customer(
            login["username"], login["password"]
        )
        form = await ctx.page("/customer/account/login/", accept=_open_or_closed)
        if form.status_code != _HTTP_OK:
            ctx.canary.note = f"the storefront is closed (login page answered {form.status_code})"
            return
        fields = {"login[username]": login["username"], "login[password]": login["password"]}
        form_key = _FORM_KEY.search(form.text)
        if form_key is not None:
            fields["form_key"] = form_key.group(1)
        response = await ctx.page(
            "/customer/account/loginPost/",
            method="POST",
            data=fields,
            accept=lambda answer: answer.status_code < _HTTP_SERVER_ERROR,
        )
        logged_in = response.status_code < _HTTP_BAD_REQUEST and await _storefront_logged_in(ctx)
    except MagentoIRError as error:
        # The canary only serves the proof; containment goes on without it.
        ctx.canary.note = f"the canary could not log in before the write ({_reason(error)})"
        return
    ctx.canary.storefront_session = logged_in


async def _issue_admin_canary(ctx: Context) -> None:
    """Log the canary admin in before the write and check its token works, if configured."""
    credentials = ctx.connection.canary_admin
    if credentials is None or ctx.canary.admin_token is not None:
        return
    if ctx.resumed:
        ctx.canary.admin_note = "the run resumed after an interruption: no canary was issued"
        return
    path, body = credentials.login_request(time.time())
    try:
        token = await ctx.client.request("POST", path, json=dict(body))
        if not isinstance(token, str) or not await _admin_token_works(ctx, token):
            ctx.canary.admin_note = (
                "the canary admin's fresh token could not read GET /V1/modules: give its role "
                "Magento_Backend::admin"
            )
            return
    except MagentoIRError as error:
        ctx.canary.admin_note = f"the canary admin could not log in ({_reason(error)})"
        return
    ctx.canary.admin_token = token


async def _admin_can_sign_in(ctx: Context) -> bool:
    """Whether the canary admin gets a token now (a deactivated or locked admin does not)."""
    credentials = ctx.connection.canary_admin
    if credentials is None:  # pragma: no cover - callers check first
        return False
    path, body = credentials.login_request(time.time())
    try:
        await ctx.client.request("POST", path, json=dict(body))
    except AuthenticationError:
        return False
    return True


async def _admin_token_works(ctx: Context, token: str) -> bool:
    async with _bearer_client(ctx, token) as probe:
        try:
            await probe.modules.list()
        except AuthenticationError:
            return False
    return True


def _bearer_client(ctx: Context, token: str) -> AsyncMagentoClient:
    from magento_ir._async import AsyncMagentoClient  # noqa: PLC0415 - avoid a cycle at import
    from magento_ir.auth import BearerToken  # noqa: PLC0415

    return AsyncMagentoClient(
        ctx.connection.base_url,
        auth=BearerToken(token),
        transport=ctx.connection.transport,
        max_retries=ctx.connection.max_retries,
    )


async def _admin_canary_checks(ctx: Context) -> list[Check]:
    """The canary admin's token issued before the write is refused now."""
    name = "an admin token issued before is refused"
    if ctx.connection.canary_admin is None:
        reason = "no canary admin configured (StoreConnection(canary_admin=...))"
        return [Check(name, passed=None, detail=reason)]
    if ctx.canary.admin_token is None:
        reason = ctx.canary.admin_note or "no canary admin token was issued before the write"
        return [Check(name, passed=None, detail=reason)]
    works = await _admin_token_works(ctx, ctx.canary.admin_token)
    return [Check(name, passed=not works, detail=f"GET /V1/modules: {200 if works else 401}")]


async def _storefront_logged_in(ctx: Context) -> bool:
    response = await ctx.page(
        "/customer/account/", accept=lambda answer: answer.status_code < _HTTP_SERVER_ERROR
    )
    return response.status_code == _HTTP_OK


async def _canary_checks(ctx: Context, *, session: bool = True) -> list[Check]:
    """The canary's pre-write token is refused and (with `session`) its storefront session is
    logged out."""
    if ctx.connection.canary_customer is None:
        reason = "no canary customer configured (StoreConnection(canary_customer=...))"
        return [Check("a token issued before is refused", passed=None, detail=reason)]
    if ctx.canary.customer_token is None:
        reason = ctx.canary.note or "no canary token was issued before the write"
        return [Check("a token issued before is refused", passed=None, detail=reason)]
    async with _bearer_client(ctx, ctx.canary.customer_token) as probe:
        try:
            await probe.customers.me()
        except AuthenticationError:
            token = Check(
                "a token issued before is refused", passed=True, detail="GET /V1/customers/me: 401"
            )
        else:
            token = Check(
                "a token issued before is refused", passed=False, detail="GET /V1/customers/me: 200"
            )
    checks = [token]
    if not session:
        return checks
    if not ctx.canary.storefront_session:
        checks.append(
            Check(
                "a storefront session is logged out",
                passed=None,
                detail="the storefront login of the canary did not give a session to observe",
            )
        )
    else:
        still_in = await _storefront_logged_in(ctx)
        checks.append(
            Check(
                "a storefront session is logged out",
                passed=not still_in,
                detail="GET /customer/account with the session cookie: "
                + ("still logged in" if still_in else "logged out"),
            )
        )
    return checks


def _graphql_skus(data: Any) -> dict[str, str | None]:  # noqa: ANN401 - GraphQL `data`
    items = (data or {}).get("products", {}).get("items") or []
    return {item["sku"]: item.get("url_key") for item in items if isinstance(item, dict)}


async def _visible_skus(
    client: AsyncMagentoClient, skus: Sequence[str], store: str | None
) -> dict[str, str | None]:
    """SKUs the storefront's GraphQL lists (sellable on that store view), with their url_key."""
    seen: dict[str, str | None] = {}
    for start in range(0, len(skus), _GRAPHQL_BATCH):
        batch = list(skus[start : start + _GRAPHQL_BATCH])
        data = await client.graphql.execute(
            _PRODUCTS_QUERY, {"skus": batch}, store=store, idempotent=True
        )
        seen.update(_graphql_skus(data))
    return seen


async def _scoped_statuses(
    ctx: Context, code: str, skus: Sequence[str]
) -> dict[str, tuple[int, str | None]]:
    """Status and url_key of each existing SKU as store scope `code` sees it (`all` = default),
    read with list pages of 100 SKUs (`sku in ...`); SKUs with a comma are read one by one."""
    client = ctx.client.with_store(code)
    found: dict[str, tuple[int, str | None]] = {}
    listable = [sku for sku in skus if "," not in sku]
    batches = [
        listable[start : start + _LIST_BATCH] for start in range(0, len(listable), _LIST_BATCH)
    ]

    async def read_batch(batch: list[str]) -> None:
        criteria = SearchCriteria().where("sku", "in", batch).page(len(batch), 1)
        for product in (await client.products.list(criteria)).items:
            found[product.sku] = _status_and_url_key(product)

    async def read_one(sku: str) -> None:
        try:
            found[sku] = _status_and_url_key(await client.products.retrieve(sku))
        except NotFoundError:
            return

    await ctx.each(batches, read_batch)
    await ctx.each([sku for sku in skus if "," in sku], read_one)
    return found


def _status_and_url_key(product: Product) -> tuple[int, str | None]:
    url_key = product.custom_attribute("url_key")
    status = int(product.status) if product.status is not None else int(ProductStatus.ENABLED)
    return status, url_key if isinstance(url_key, str) else None


async def _store_codes(client: AsyncMagentoClient) -> list[str]:
    return [view.code for view in await client.store.views() if view.id != 0]


# --- TerminateSessions -----------------------------------------------------------------------


class TerminateSessions(Action):
    """Revoke every token and end every admin / storefront session in scope (module only)."""

    kind = "terminate_sessions"

    def __init__(
        self,
        scope: Literal["customers", "admins", "all"] = "all",
        *,
        customer_ids: Sequence[int] | None = None,
        admin_ids: Sequence[int] | None = None,
        exclude_customer_ids: Sequence[int] | None = None,
        exclude_admin_ids: Sequence[int] | None = None,
    ) -> None:
        if scope not in ("customers", "admins", "all"):
            raise InvalidArgumentError(
                f"scope must be 'customers', 'admins' or 'all', not {scope!r}"
            )
        self.scope = scope
        self.customer_ids = _ids(customer_ids, "customer_ids")
        self.admin_ids = _ids(admin_ids, "admin_ids")
        self.exclude_customer_ids = _ids(exclude_customer_ids, "exclude_customer_ids")
        self.exclude_admin_ids = _ids(exclude_admin_ids, "exclude_admin_ids")

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"scope": self.scope}
        for name in ("customer_ids", "admin_ids", "exclude_customer_ids", "exclude_admin_ids"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        return params

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "TerminateSessions",
            "sessions.terminate",
            "revoke other users' tokens, log admins out or end storefront sessions",
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        who = {"all": "customers and admins", "customers": "customers", "admins": "admins"}
        return Plan(
            self.kind,
            "module",
            f"revoke tokens and end sessions of {who[self.scope]} (the responder is kept)",
            changes=(f"scope:{self.scope}",),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        self._require(ctx)
        if self.scope in ("customers", "all"):
            await _issue_canary(ctx)
        if self.scope in ("admins", "all"):
            await _issue_admin_canary(ctx)
        result = await ctx.client.incident_response.terminate_sessions(
            self.scope,
            reason=ctx.reason,
            incident_id=ctx.incident_id,
            customer_ids=self.customer_ids,
            admin_ids=self.admin_ids,
            exclude_customer_ids=self.exclude_customer_ids,
            exclude_admin_ids=self.exclude_admin_ids,
            idempotency_key=ctx.key,
        )
        detail = (
            f"{result.customer_tokens_revoked} customers' and {result.admin_tokens_revoked} "
            f"admins' tokens revoked, {result.admin_sessions_ended} admin sessions ended, "
            f"{result.customer_sessions_cut_off} customers' storefront sessions cut off"
        )
        return Outcome(
            self.kind,
            "module",
            (EntityResult(f"scope:{self.scope}", "ok", detail),),
            _MODULE_RETRIES,
            {"module_action_id": result.action_id, "replayed": result.replayed},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        checks = [await _responder_still_in(ctx)]
        if self.scope in ("customers", "all"):
            checks.extend(await _canary_checks(ctx))
        if self.scope in ("admins", "all"):
            checks.extend(await _admin_canary_checks(ctx))
        return Verification(self.kind, tuple(checks))

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:  # noqa: ARG002 - Action's signature
        return Outcome(
            self.kind,
            outcome.path,
            (
                EntityResult(
                    f"scope:{self.scope}",
                    "skipped",
                    f"{_NOT_REVERSIBLE}: revoked tokens stay revoked; users sign in again",
                ),
            ),
            "nothing written",
        )


# --- QuarantineProducts ---------------------------------------------------------------------


class QuarantineProducts(Action):
    """Take SKUs off sale in every scope. Module: one call per 10,000 SKUs. Core REST fallback:
    `PUT /rest/all/V1/products/:sku` status 2 per SKU, then every store view that still shows
    the product enabled (a store-view override, magento-api.md §6.2) gets status 2 as well."""

    kind = "quarantine_products"

    def __init__(self, skus: Sequence[str]) -> None:
        cleaned = list(dict.fromkeys(skus))
        if not cleaned or any(not isinstance(sku, str) or not sku.strip() for sku in cleaned):
            raise InvalidArgumentError("skus must be a non-empty list of non-empty SKU strings")
        self.skus = cleaned

    def params(self) -> dict[str, Any]:
        return {"skus": self.skus}

    async def plan(self, ctx: Context) -> Plan:
        # url_keys of a few SKUs, for the product-page spot check after the quarantine.
        sample = await _visible_skus(ctx.client, self.skus[:_PAGE_SAMPLE], None)
        if ctx.module is not None and "catalog.quarantine" in ctx.module.actions:
            return Plan(
                self.kind,
                "module",
                f"quarantine {len(self.skus)} SKUs in every scope (module records prior statuses)",
                changes=tuple(f"sku:{sku}" for sku in self.skus),
                prior={"url_keys": sample},
            )
        codes = await _store_codes(ctx.client)
        by_scope = {code: await _scoped_statuses(ctx, code, self.skus) for code in ["all", *codes]}
        products: dict[str, Any] = {}
        for sku in self.skus:
            default = by_scope["all"].get(sku)
            products[sku] = (
                None
                if default is None
                else {
                    "statuses": {
                        code: statuses[sku][0]
                        for code, statuses in by_scope.items()
                        if sku in statuses
                    },
                    "url_key": default[1],
                }
            )
        changes = tuple(
            f"sku:{sku} status 2 at all scopes"
            if state is not None
            else f"sku:{sku} not found (nothing to do)"
            for sku, state in products.items()
        )
        return Plan(
            self.kind,
            "core",
            f"disable {len(self.skus)} SKUs one by one over core REST "
            f"({ctx.connection.concurrency} at a time)",
            changes=changes,
            prior={"products": products, "store_codes": codes, "url_keys": sample},
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        if plan.path == "module":
            return await self._apply_module(ctx, plan)
        return await self._apply_core(ctx, plan)

    async def _apply_module(self, ctx: Context, plan: Plan) -> Outcome:
        entities: list[EntityResult] = []
        quarantine_ids: list[int] = []
        for number, start in enumerate(range(0, len(self.skus), _QUARANTINE_BATCH)):
            batch = self.skus[start : start + _QUARANTINE_BATCH]
            result = await ctx.client.incident_response.quarantine_products(
                batch,
                reason=ctx.reason,
                incident_id=ctx.incident_id,
                idempotency_key=ctx.key if number == 0 else f"{ctx.key}.b{number}",
            )
            if result.quarantine_id is not None:
                quarantine_ids.append(result.quarantine_id)
            for item in result.items:
                if item.result == "quarantined":
                    entities.append(EntityResult(f"sku:{item.sku}", "ok", "quarantined"))
                elif item.result == "already_quarantined":
                    entities.append(
                        EntityResult(f"sku:{item.sku}", "skipped", "already in a quarantine")
                    )
                else:
                    entities.append(EntityResult(f"sku:{item.sku}", "failed", "no such product"))
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {"quarantine_ids": quarantine_ids, "url_keys": plan.prior["url_keys"]},
        )

    async def _apply_core(self, ctx: Context, plan: Plan) -> Outcome:
        products: dict[str, Any] = plan.prior["products"]
        codes: list[str] = plan.prior["store_codes"]
        admin = ctx.client.with_store("all")
        failures: dict[str, str] = {
            sku: "no such product" for sku, state in products.items() if state is None
        }

        async def disable(item: tuple[str, str]) -> None:
            code, sku = item
            client = admin if code == "all" else ctx.client.with_store(code)
            try:
                # Setting a status to a value is harmless to repeat: retried.
                await client.products.update(sku, {"status": 2}, idempotent=True)
            except MagentoIRError as error:
                failures[sku] = f"{code}: {_reason(error)}"

        await ctx.each([("all", sku) for sku in self.skus if sku not in failures], disable)
        # The store-view trap: a view with its own status value still shows the product.
        written: dict[str, list[str]] = {}
        for code in codes:
            remaining = [sku for sku in self.skus if sku not in failures]
            statuses = await _scoped_statuses(ctx, code, remaining)
            disabled = (ProductStatus.DISABLED, None)
            enabled = [
                sku for sku in remaining if statuses.get(sku, disabled)[0] != ProductStatus.DISABLED
            ]
            await ctx.each([(code, sku) for sku in enabled], disable)
            for sku in enabled:
                written.setdefault(sku, []).append(code)
        entities = tuple(
            EntityResult(f"sku:{sku}", "failed", failures[sku])
            if sku in failures
            else EntityResult(
                f"sku:{sku}",
                "ok",
                "disabled"
                + (
                    f" (store-view overrides also disabled: {', '.join(written[sku])})"
                    if sku in written
                    else ""
                ),
            )
            for sku in self.skus
        )
        return Outcome(
            self.kind,
            "core",
            entities,
            "core PUT status=2: re-applying is harmless, so it is retried",
            {
                "prior": products,
                "store_views_written": written,
                "url_keys": plan.prior["url_keys"],
            },
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        targets = [
            entity.entity.removeprefix("sku:")
            for entity in outcome.entities
            if entity.status == "ok"
        ]
        checks: list[Check] = []
        for code in await _store_codes(ctx.client):
            still = sorted(set(await _visible_skus(ctx.client, targets, code)) & set(targets))
            checks.append(
                Check(
                    f"GraphQL products on store view {code} lists none of them",
                    passed=not still,
                    detail=f"still listed: {', '.join(still)}"
                    if still
                    else f"{len(targets)} absent",
                )
            )
        url_keys: dict[str, Any] = outcome.data.get("url_keys", {})
        pages = [(sku, url_keys[sku]) for sku in targets if url_keys.get(sku)]

        async def page(item: tuple[str, str]) -> tuple[str, Response]:
            sku, url_key = item
            answer = await ctx.page(f"/{url_key}.html", accept=_gone_or_closed)
            return sku, answer

        answers = await ctx.each(pages, page)
        shown = [sku for sku, answer in answers if not _gone_or_closed(answer)]
        closed = [sku for sku, answer in answers if answer.status_code == _HTTP_UNAVAILABLE]
        gone = len(answers) - len(shown) - len(closed)
        if not pages or (closed and not shown and not gone):
            passed = None
            detail = (
                "no url_key known for these SKUs"
                if not pages
                else "the storefront is closed (maintenance): product pages cannot be observed"
            )
        else:
            passed = not shown
            detail = (
                f"still served: {', '.join(shown)}"
                if shown
                else f"{gone} product pages gone"
                + (f", {len(closed)} behind maintenance" if closed else "")
            )
        checks.append(Check("product pages answer 404", passed=passed, detail=detail))
        return Verification(self.kind, tuple(checks))

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        released = {e.entity.removeprefix("sku:") for e in rollback.entities if e.status == "ok"}
        # The SKUs that were on sale before (seen by GraphQL when planning) must be again.
        expected = sorted(released & set(outcome.data.get("url_keys", {})))
        if not expected:
            return await super().verify_rollback(ctx, outcome, rollback)
        seen = await _visible_skus(ctx.client, expected, None)
        missing = [sku for sku in expected if sku not in seen]
        return Verification(
            self.kind,
            (
                Check(
                    "GraphQL products lists them again",
                    passed=not missing,
                    detail=f"still missing: {', '.join(missing)}"
                    if missing
                    else f"{len(expected)} on sale again",
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        if outcome.path == "module":
            entities: list[EntityResult] = []
            for number, quarantine_id in enumerate(outcome.data.get("quarantine_ids", [])):
                result = await ctx.client.incident_response.release_products(
                    quarantine_id,
                    reason=ctx.reason,
                    incident_id=ctx.incident_id,
                    idempotency_key=f"{ctx.key}.q{number}",
                )
                entities.extend(
                    EntityResult(
                        f"sku:{item.sku}",
                        "ok" if item.result == "released" else "skipped",
                        "prior statuses restored" if item.result == "released" else item.result,
                    )
                    for item in result.items
                )
            return Outcome(self.kind, "module", tuple(entities), _MODULE_RETRIES)
        prior: dict[str, Any] = outcome.data["prior"]
        written: dict[str, list[str]] = outcome.data["store_views_written"]
        admin = ctx.client.with_store("all")

        async def restore(entity: EntityResult) -> EntityResult:
            sku = entity.entity.removeprefix("sku:")
            if entity.status != "ok":
                return EntityResult(entity.entity, "skipped", "was not disabled by this action")
            statuses = prior[sku]["statuses"]
            try:
                await admin.products.update(sku, {"status": statuses["all"]}, idempotent=True)
                for code in written.get(sku, []):
                    await ctx.client.with_store(code).products.update(
                        sku, {"status": statuses[code]}, idempotent=True
                    )
            except MagentoIRError as error:
                return EntityResult(entity.entity, "failed", _reason(error))
            return EntityResult(entity.entity, "ok", "prior statuses written back")

        entities_back = await ctx.each(outcome.entities, restore)
        return Outcome(
            self.kind,
            "core",
            tuple(entities_back),
            "core PUT status=<prior>: re-applying is harmless, so it is retried",
        )


def _gone_or_closed(answer: Response) -> bool:
    """A product page that is gone (404) or behind the module's maintenance page (503)."""
    return answer.status_code == _HTTP_NOT_FOUND or (
        answer.status_code == _HTTP_UNAVAILABLE and "Retry-After" in answer.headers
    )


def _reason(error: MagentoIRError) -> str:
    return f"{type(error).__name__}: {error}"


# --- Maintenance ----------------------------------------------------------------------------


class Maintenance(Action):
    """Close the storefront (or only checkout, or everything) with an accessible 503 page.

    `storefront` (default) and `checkout` keep REST, GraphQL and the admin reachable; `full`
    is Magento's own flag, with the responder's address always allow-listed by the module.
    """

    kind = "maintenance"

    def __init__(
        self,
        mode: Literal["storefront", "checkout", "full"] = "storefront",
        *,
        allowed_ips: Sequence[str] = (),
        message: str | None = None,
        retry_after: int = 900,
    ) -> None:
        if mode not in ("storefront", "checkout", "full"):
            raise InvalidArgumentError(
                f"mode must be 'storefront', 'checkout' or 'full', not {mode!r} (rollback "
                "turns maintenance off)"
            )
        if not 60 <= retry_after <= 86_400:  # noqa: PLR2004 - the module's accepted range
            raise InvalidArgumentError("retry_after must be between 60 and 86400 seconds")
        self.mode = mode
        self.allowed_ips = list(allowed_ips)
        self.message = message
        self.retry_after = retry_after

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"mode": self.mode, "retry_after": self.retry_after}
        if self.allowed_ips:
            params["allowed_ips"] = self.allowed_ips
        if self.message is not None:
            params["message"] = self.message
        return params

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "Maintenance",
            "maintenance.set",
            "switch maintenance mode (and Magento's own flag would lock the API out too)",
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        state = await ctx.client.incident_response.maintenance()
        return Plan(
            self.kind,
            "module",
            f"maintenance {state.mode} -> {self.mode} (Retry-After {self.retry_after} s)",
            changes=(f"maintenance:{self.mode}",),
            prior={"state": state.model_dump(mode="json")},
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        self._require(ctx)
        result = await ctx.client.incident_response.set_maintenance(
            self.mode,
            reason=ctx.reason,
            incident_id=ctx.incident_id,
            message=self.message,
            retry_after=self.retry_after,
            allow_ips=self.allowed_ips or None,
            idempotency_key=ctx.key,
        )
        return Outcome(
            self.kind,
            "module",
            (EntityResult(f"maintenance:{self.mode}", "ok", f"was {result.previous_mode}"),),
            _MODULE_RETRIES,
            {"prior": plan.prior["state"], "module_action_id": result.action_id},
        )

    def _is_maintenance_page(self, response: Response) -> bool:
        return response.status_code == _HTTP_UNAVAILABLE and response.headers.get(
            "Retry-After"
        ) == str(self.retry_after)

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        checks = [await _responder_still_in(ctx)]
        if self.mode == "full":
            state = await ctx.client.incident_response.maintenance()
            checks.append(
                Check(
                    "Magento's maintenance flag is on",
                    passed=state.magento_flag,
                    detail="the storefront cannot be observed closed from an allow-listed "
                    "address; the module reports the flag",
                )
            )
            return Verification(self.kind, tuple(checks))
        closed_path = "/checkout" if self.mode == "checkout" else "/"
        answer = await ctx.page(closed_path, accept=self._is_maintenance_page)
        body = answer.text
        accessible = "<html lang=" in body and "<title>" in body
        shows_message = self.message is None or self.message in html.unescape(body)
        checks.append(
            Check(
                f"storefront {closed_path} answers 503 with Retry-After and the accessible page",
                passed=self._is_maintenance_page(answer) and accessible and shows_message,
                detail=f"HTTP {answer.status_code}, Retry-After "
                f"{answer.headers.get('Retry-After')!r}, lang attribute {accessible}, "
                f"message shown {shows_message}",
            )
        )
        if self.mode == "checkout":
            home = await ctx.page("/", accept=_open_or_closed)
            checks.append(
                Check(
                    "the rest of the storefront stays open",
                    passed=home.status_code == _HTTP_OK,
                    detail=f"GET / answered {home.status_code}",
                )
            )
        return Verification(self.kind, tuple(checks))

    async def verify_rollback(
        self,
        ctx: Context,
        outcome: Outcome,
        rollback: Outcome,  # noqa: ARG002 - Action's signature
    ) -> Verification:
        prior = outcome.data["prior"]
        checks = [await _responder_still_in(ctx)]
        if prior["mode"] == "off":
            home = await ctx.page("/", accept=_open_or_closed)
            checks.append(
                Check(
                    "the storefront is open again",
                    passed=home.status_code == _HTTP_OK,
                    detail=f"GET / answered {home.status_code}",
                )
            )
        return Verification(self.kind, tuple(checks))

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        prior = outcome.data["prior"]
        kwargs: dict[str, Any] = {}
        if prior.get("message") is not None:
            kwargs["message"] = prior["message"]
        result = await ctx.client.incident_response.set_maintenance(
            prior["mode"],
            reason=ctx.reason,
            incident_id=ctx.incident_id,
            retry_after=prior["retry_after"],
            idempotency_key=ctx.key,
            **kwargs,
        )
        return Outcome(
            self.kind,
            "module",
            (EntityResult(f"maintenance:{prior['mode']}", "ok", f"was {result.previous_mode}"),),
            _MODULE_RETRIES,
        )


# --- SuspendPayments ------------------------------------------------------------------------


class SuspendPayments(Action):
    """Switch payment methods off (`payment/<code>/active = 0` wherever on; module only)."""

    kind = "suspend_payments"

    def __init__(self, methods: Sequence[str]) -> None:
        codes = list(dict.fromkeys(methods))
        if not codes or any(not _PAYMENT_CODE.fullmatch(code) for code in codes):
            raise InvalidArgumentError(
                "methods must be a non-empty list of payment method codes like 'checkmo' "
                "(lower-case letters, digits, _)"
            )
        self.methods = codes

    def params(self) -> dict[str, Any]:
        return {"methods": self.methods}

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "SuspendPayments", "payments.suspend", "write configuration (payment/<code>/active)"
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        return Plan(
            self.kind,
            "module",
            f"suspend payment methods {', '.join(self.methods)} (module records prior values)",
            changes=tuple(f"payment:{code}" for code in self.methods),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        self._require(ctx)
        result = await ctx.client.incident_response.suspend_payments(
            self.methods, reason=ctx.reason, incident_id=ctx.incident_id, idempotency_key=ctx.key
        )
        entities = []
        for item in result.items:
            if item.result == "suspended":
                entities.append(EntityResult(f"payment:{item.method}", "ok", "suspended"))
            elif item.result == "already_inactive":
                entities.append(
                    EntityResult(f"payment:{item.method}", "skipped", "already inactive")
                )
            else:
                scopes = ", ".join(f"{value.scope}:{value.scope_id}" for value in item.locked)
                entities.append(
                    EntityResult(
                        f"payment:{item.method}",
                        "failed",
                        f"locked in app/etc/env.php or config.php at {scopes}: change it there",
                    )
                )
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {"module_action_id": result.action_id},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        status, offered = await _checkout_payment_methods(ctx)
        name = "checkout no longer offers the methods"
        if status != _HTTP_OK:
            reason = (
                "the storefront or checkout is closed (maintenance)"
                if status == _HTTP_UNAVAILABLE
                else f"no product could be put in a cart (last answer {status})"
            )
            return Verification(
                self.kind,
                (
                    Check(
                        name,
                        passed=None,
                        detail=f"{reason}: the methods on offer cannot be observed; verify "
                        "again once checkout is open",
                    ),
                ),
            )
        still = sorted(offered & set(self.methods))
        return Verification(
            self.kind,
            (
                Check(
                    name,
                    passed=not still,
                    detail=f"still offered: {', '.join(still)}"
                    if still
                    else f"offered now: {', '.join(sorted(offered)) or 'none'}",
                ),
            ),
        )

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        resumed = {e.entity.removeprefix("payment:") for e in rollback.entities if e.status == "ok"}
        if not resumed:
            return await super().verify_rollback(ctx, outcome, rollback)
        status, offered = await _checkout_payment_methods(ctx)
        missing = sorted(resumed - offered)
        return Verification(
            self.kind,
            (
                Check(
                    "checkout offers the methods again",
                    passed=not missing if status == _HTTP_OK else None,
                    detail=f"checkout answered {status}; missing: {', '.join(missing) or 'none'}",
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        methods = [
            entity.entity.removeprefix("payment:")
            for entity in outcome.entities
            if entity.status == "ok"
        ]
        if not methods:
            return Outcome(self.kind, "module", (), "nothing written")
        result = await ctx.client.incident_response.resume_payments(
            methods, reason=ctx.reason, incident_id=ctx.incident_id, idempotency_key=ctx.key
        )
        return Outcome(
            self.kind,
            "module",
            tuple(
                EntityResult(
                    f"payment:{item.method}",
                    "ok" if item.result == "resumed" else "skipped",
                    item.result,
                )
                for item in result.items
            ),
            _MODULE_RETRIES,
        )


async def _checkout_payment_methods(ctx: Context) -> tuple[int, set[str]]:
    """As a new shopper: open a product page, add it to the cart, open checkout, read the
    methods listed. Returns checkout's status (503 when closed) and the method codes."""
    criteria = (
        SearchCriteria()
        .where("status", "eq", 1)
        .where("visibility", "in", [2, 3, 4])
        .page(_CHECKOUT_CANDIDATES, 1)
    )
    url_keys = [
        url_key
        for product in (await ctx.client.products.list(criteria)).items
        if isinstance(url_key := product.custom_attribute("url_key"), str) and url_key
    ]
    async with ctx.connection.open_storefront() as shopper:
        probe = replace(ctx, storefront=shopper)
        for url_key in url_keys:
            page = await probe.page(f"/{url_key}.html", accept=_open_or_closed)
            if page.status_code == _HTTP_UNAVAILABLE:
                return page.status_code, set()
            form = _ADD_TO_CART.search(page.text)
            if page.status_code != _HTTP_OK or form is None:
                continue  # not sellable here (out of stock, not in this website)
            form_key = _FORM_KEY.search(page.text)
            fields = {"product": form.group(1), "qty": "1"}
            if form_key is not None:
                fields["form_key"] = form_key.group(1)
            await probe.page(
                "/checkout/cart/add/",
                method="POST",
                data=fields,
                accept=lambda answer: answer.status_code < _HTTP_SERVER_ERROR,
            )
            answer = await probe.page("/checkout/", accept=_open_or_closed)
            if answer.status_code != _HTTP_FOUND:  # a 302 means the cart stayed empty
                return answer.status_code, _offered_methods(answer.text)
    return _HTTP_NOT_FOUND, set()


def _offered_methods(page: str) -> set[str]:
    """Payment method codes a checkout page offers: radio buttons, or checkoutConfig's list."""
    offered = set(_PAYMENT_OPTION.findall(page))
    for listing in _CHECKOUT_CONFIG_METHODS.findall(page):
        offered.update(_CONFIG_METHOD_CODE.findall(listing))
    return offered


def _open_or_closed(answer: Response) -> bool:
    """A page that answered, or the module's maintenance page (503 with Retry-After): both are
    final answers, not transient failures to retry."""
    return answer.status_code == _HTTP_OK or (
        answer.status_code == _HTTP_UNAVAILABLE and "Retry-After" in answer.headers
    )


# --- LockdownAdmins -------------------------------------------------------------------------


class LockdownAdmins(Action):
    """Shut every other admin and integration out; `keep` lists admin ids to leave alone (the
    responder is always kept). Module only."""

    kind = "lockdown_admins"

    def __init__(
        self,
        keep: Sequence[int] = (),
        *,
        mode: Literal["deactivate", "lock"] = "deactivate",
        include_integrations: bool = True,
    ) -> None:
        if mode not in ("deactivate", "lock"):
            raise InvalidArgumentError(f"mode must be 'deactivate' or 'lock', not {mode!r}")
        self.keep = _ids(keep, "keep") or []
        self.mode = mode
        self.include_integrations = include_integrations

    def params(self) -> dict[str, Any]:
        return {
            "keep": self.keep,
            "mode": self.mode,
            "include_integrations": self.include_integrations,
        }

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "LockdownAdmins",
            "admins.lockdown",
            "list, deactivate or lock admin users or integrations (there are no admin-user routes)",
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        kept = ", ".join(str(admin) for admin in self.keep) or "none besides the responder"
        return Plan(
            self.kind,
            "module",
            f"{self.mode} every admin except {kept}"
            + (" and set other integrations inactive" if self.include_integrations else ""),
            changes=("admins:all-but-kept",),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        self._require(ctx)
        await _issue_admin_canary(ctx)
        result = await ctx.client.incident_response.lockdown_admins(
            reason=ctx.reason,
            incident_id=ctx.incident_id,
            mode=self.mode,
            keep_admin_ids=self.keep,
            include_integrations=self.include_integrations,
            idempotency_key=ctx.key,
        )
        entities = [EntityResult(f"admin:{admin}", "ok", self.mode) for admin in result.admin_ids]
        entities += [
            EntityResult(f"admin:{admin}", "skipped", "kept") for admin in result.kept_admin_ids
        ]
        entities += [
            EntityResult(f"integration:{integration}", "ok", "set inactive")
            for integration in result.integration_ids
        ]
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {"lockdown_id": result.lockdown_id, "module_action_id": result.action_id},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        checks = [await _responder_still_in(ctx), *await _admin_canary_checks(ctx)]
        if ctx.connection.canary_admin is not None:
            signs_in = await _admin_can_sign_in(ctx)
            checks.append(
                Check(
                    "a locked-out admin cannot sign in",
                    passed=not signs_in,
                    detail="the canary admin's login was "
                    + ("accepted" if signs_in else "refused"),
                )
            )
        return Verification(self.kind, tuple(checks))

    async def verify_rollback(
        self,
        ctx: Context,
        outcome: Outcome,
        rollback: Outcome,
    ) -> Verification:
        if ctx.connection.canary_admin is None or not rollback.entities:
            return await super().verify_rollback(ctx, outcome, rollback)
        signs_in = await _admin_can_sign_in(ctx)
        return Verification(
            self.kind,
            (
                Check(
                    "admins can sign in again",
                    passed=signs_in,
                    detail="the canary admin's login was "
                    + ("accepted" if signs_in else "refused"),
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        lockdown_id = outcome.data.get("lockdown_id")
        if lockdown_id is None:
            return Outcome(self.kind, "module", (), "nothing written: the lockdown changed nothing")
        result = await ctx.client.incident_response.restore_admins(
            lockdown_id, reason=ctx.reason, incident_id=ctx.incident_id, idempotency_key=ctx.key
        )
        entities = [EntityResult(f"admin:{admin}", "ok", "restored") for admin in result.admin_ids]
        entities += [
            EntityResult(f"integration:{integration}", "ok", "restored")
            for integration in result.integration_ids
        ]
        return Outcome(self.kind, "module", tuple(entities), _MODULE_RETRIES)


# --- ForcePasswordReset ---------------------------------------------------------------------


class ForcePasswordReset(Action):
    """Make customers choose a new password (their tokens and sessions end too). Module only:
    core REST can only e-mail a reset link, which leaves the old password working."""

    kind = "force_password_reset"

    def __init__(self, customers: Sequence[int] | str, *, send_reset_email: bool = False) -> None:
        if customers == "all":
            self.customers: list[int] | Literal["all"] = "all"
        elif isinstance(customers, str):
            raise InvalidArgumentError(
                f"customers must be a list of customer ids or 'all', not {customers!r}"
            )
        else:
            ids = _ids(customers, "customers")
            if not ids:
                raise InvalidArgumentError("customers must name at least one id (or be 'all')")
            self.customers = ids
        self.send_reset_email = send_reset_email

    def params(self) -> dict[str, Any]:
        return {"customers": self.customers, "send_reset_email": self.send_reset_email}

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "ForcePasswordReset",
            "customers.force_password_reset",
            "invalidate a customer's password (PUT /V1/customers/password only e-mails a link "
            "and leaves the old password, tokens and sessions working)",
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        who = "every customer" if self.customers == "all" else f"{len(self.customers)} customers"
        return Plan(
            self.kind,
            "module",
            f"invalidate the passwords, tokens and sessions of {who}",
            changes=("customers:all",)
            if self.customers == "all"
            else tuple(f"customer:{customer}" for customer in self.customers),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        self._require(ctx)
        await _issue_canary(ctx)
        api = ctx.client.incident_response
        action_ids: list[int] = []
        unknown: set[int] = set()
        emails_failed: set[int] = set()
        invalidated = 0

        async def reset(number: int, ids: list[int] | None, email: bool) -> None:
            nonlocal invalidated
            result = await api.force_password_reset(
                reason=ctx.reason,
                incident_id=ctx.incident_id,
                customer_ids=ids,
                all_customers=ids is None,
                send_reset_email=email,
                idempotency_key=ctx.key if number == 0 else f"{ctx.key}.p{number}",
            )
            action_ids.append(result.action_id)
            unknown.update(result.unknown_customer_ids)
            emails_failed.update(result.emails_failed)
            invalidated = max(invalidated, result.passwords_invalidated)

        if self.customers == "all":
            # The module e-mails at most 1,000 customers per call: reset everyone at once, then
            # send Magento's reset e-mail page by page (the module's own advice).
            await reset(0, None, email=False)
            if self.send_reset_email:
                number = 0
                async for page in _customer_id_pages(ctx, _EMAIL_BATCH):
                    number += 1
                    await reset(number, page, email=True)
            entities = [EntityResult("customers:all", "ok", f"{invalidated} passwords invalidated")]
        else:
            size = _EMAIL_BATCH if self.send_reset_email else _RESET_BATCH
            for number, start in enumerate(range(0, len(self.customers), size)):
                await reset(number, self.customers[start : start + size], self.send_reset_email)
            entities = []
        entities += [
            EntityResult(f"customer:{customer}", "failed", "no such customer")
            if customer in unknown
            else EntityResult(
                f"customer:{customer}",
                "failed" if customer in emails_failed else "ok",
                "password invalidated, reset e-mail failed"
                if customer in emails_failed
                else "password invalidated",
            )
            for customer in (self.customers if self.customers != "all" else sorted(emails_failed))
        ]
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {"module_action_ids": action_ids},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        checks = [await _responder_still_in(ctx)]
        credentials = ctx.connection.canary_customer
        if credentials is None:
            checks.append(
                Check("the old password is refused", None, "no canary customer configured")
            )
        else:
            _, login = credentials.login_request(0.0)
            try:
                await ctx.client.tokens.customer(login["username"], login["password"])
            except AuthenticationError:
                checks.append(
                    Check("the old password is refused", passed=True, detail="token route: 401")
                )
            else:
                checks.append(
                    Check("the old password is refused", passed=False, detail="a token was issued")
                )
        checks.extend(await _canary_checks(ctx))
        return Verification(self.kind, tuple(checks))

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:  # noqa: ARG002 - Action's signature
        return Outcome(
            self.kind,
            "module",
            (
                EntityResult(
                    "customers",
                    "skipped",
                    f"{_NOT_REVERSIBLE}: customers set a new password through the reset link",
                ),
            ),
            "nothing written",
        )


async def _customer_id_pages(ctx: Context, size: int) -> AsyncIterator[list[int]]:
    """Every customer id, in pages of `size` (keyset paging: stable while customers change)."""
    page: list[int] = []
    # Read in pages Magento accepts even with input limits on (300), sent in pages of `size`.
    async for customer in ctx.client.customers.iterate(page_size=min(size, 300), keyset=True):
        if customer.id is not None:
            page.append(customer.id)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


# --- HoldOrders (core REST) ------------------------------------------------------------------


class HoldOrders(Action):
    """Put orders on hold (`POST /V1/orders/:id/hold`) so nothing ships while you investigate.

    Orders in `statuses` (default pending and processing), narrowed to `order_ids` and to those
    created in [`created_from`, `created_to`] (UTC "YYYY-MM-DD HH:MM:SS") when given. A hold is
    never retried blindly: each order is read first (a held order is left alone), and after any
    failure it is read back to learn whether the hold happened.
    """

    kind = "hold_orders"

    def __init__(
        self,
        *,
        order_ids: Sequence[int] | None = None,
        statuses: Sequence[str] = ("pending", "processing"),
        created_from: str | None = None,
        created_to: str | None = None,
    ) -> None:
        self.order_ids = _ids(order_ids, "order_ids")
        self.statuses = list(statuses)
        if not self.statuses:
            raise InvalidArgumentError("statuses must name at least one order status")
        self.created_from = created_from
        self.created_to = created_to

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"statuses": self.statuses}
        for name in ("order_ids", "created_from", "created_to"):
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        return params

    def _criteria(self) -> SearchCriteria:
        criteria = SearchCriteria().where("status", "in", self.statuses)
        if self.order_ids is not None:
            criteria = criteria.where("entity_id", "in", self.order_ids)
        if self.created_from is not None:
            criteria = criteria.where("created_at", "gteq", self.created_from)
        if self.created_to is not None:
            criteria = criteria.where("created_at", "lteq", self.created_to)
        return criteria.order_by("entity_id")

    async def plan(self, ctx: Context) -> Plan:
        orders = {
            str(order.entity_id): {"state": order.state, "status": order.status}
            async for order in ctx.client.orders.iterate(self._criteria(), page_size=200)
            if order.entity_id is not None
        }
        return Plan(
            self.kind,
            "core",
            f"hold {len(orders)} orders (statuses {', '.join(self.statuses)})",
            changes=tuple(f"order:{order_id}" for order_id in orders),
            prior={"orders": orders},
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        orders: dict[str, Any] = plan.prior["orders"]

        async def hold(order_id: str) -> EntityResult:
            return await _settle(
                f"order:{order_id}",
                lambda: ctx.client.orders.hold(int(order_id)),
                lambda: _order_held(ctx, order_id),
                done="on hold",
                # The plan read every order just now; a resumed run may have held some since.
                check_first=ctx.resumed or orders[order_id]["state"] == _HELD,
            )

        entities = await ctx.each(list(orders), hold)
        return Outcome(
            self.kind,
            "core",
            tuple(entities),
            "core POST hold: never retried blindly; re-sent only after a read shows the order not "
            "on hold following an ambiguous failure",
            {"prior": orders},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        held = [entity.entity for entity in outcome.entities if entity.status == "ok"]

        ids = [int(entity.removeprefix("order:")) for entity in held]
        states = await _order_states(ctx, ids)
        not_held = [f"order:{order_id}" for order_id in ids if states.get(order_id) != _HELD]
        return Verification(
            self.kind,
            (
                Check(
                    "orders read back in state holded",
                    passed=not not_held,
                    detail=f"not on hold: {', '.join(not_held)}"
                    if not_held
                    else f"{len(held)} on hold",
                ),
            ),
        )

    async def verify_rollback(
        self,
        ctx: Context,
        outcome: Outcome,  # noqa: ARG002 - Action's signature
        rollback: Outcome,
    ) -> Verification:
        released = [
            int(e.entity.removeprefix("order:")) for e in rollback.entities if e.status == "ok"
        ]
        states = await _order_states(ctx, released)
        still = [f"order:{order_id}" for order_id in released if states.get(order_id) == _HELD]
        return Verification(
            self.kind,
            (
                Check(
                    "orders read back released from hold",
                    passed=not still,
                    detail=f"still on hold: {', '.join(still)}"
                    if still
                    else f"{len(released)} released",
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        prior: dict[str, Any] = outcome.data["prior"]

        async def unhold(entity: EntityResult) -> EntityResult:
            order_id = entity.entity.removeprefix("order:")
            if entity.status != "ok" or prior.get(order_id, {}).get("state") == _HELD:
                return EntityResult(entity.entity, "skipped", "not held by this action")

            async def released() -> bool:
                return not await _order_held(ctx, order_id)

            return await _settle(
                entity.entity,
                lambda: ctx.client.orders.unhold(int(order_id)),
                released,
                done="released",
                check_first=True,
            )

        return Outcome(
            self.kind,
            "core",
            tuple(await ctx.each(outcome.entities, unhold)),
            "core POST unhold: never retried blindly; re-sent only after a read shows the order "
            "still on hold following an ambiguous failure",
        )


async def _order_states(ctx: Context, ids: list[int]) -> dict[int, str | None]:
    """Each order's state, read in list pages (`entity_id in ...`)."""
    batches = [ids[start : start + _LIST_BATCH] for start in range(0, len(ids), _LIST_BATCH)]
    states: dict[int, str | None] = {}

    async def read(batch: list[int]) -> None:
        criteria = SearchCriteria().where("entity_id", "in", batch).page(len(batch), 1)
        for order in (await ctx.client.orders.list(criteria)).items:
            if order.entity_id is not None:
                states[order.entity_id] = order.state

    await ctx.each(batches, read)
    return states


async def _order_held(ctx: Context, order_id: str) -> bool:
    return (await ctx.client.orders.retrieve(int(order_id))).state == _HELD


async def _settle(
    entity: str,
    write: Callable[[], Awaitable[bool]],
    is_done: Callable[[], Awaitable[bool]],
    *,
    done: str,
    check_first: bool,
) -> EntityResult:
    """A write that must not be repeated: skipped when already done (read first when a run
    resumes); after any failure the entity is read back, and the write is sent again only when
    the failure was ambiguous (no answer, 5xx, 429) and the read shows it did not happen."""
    try:
        if check_first and await is_done():
            return EntityResult(entity, "ok", f"{done} already")
    except MagentoIRError as error:
        return EntityResult(entity, "failed", f"reading it first: {_reason(error)}")
    failure = "not sent"
    for attempt in range(1, _SETTLE_ATTEMPTS + 1):
        try:
            await write()
        except MagentoIRError as error:
            failure = _reason(error)
            try:
                happened = await is_done()
            except MagentoIRError as read_error:
                return EntityResult(entity, "failed", f"{failure}; read back: {read_error}")
            if happened:
                return EntityResult(entity, "ok", f"{done} (confirmed by reading back)")
            if not _ambiguous(error):
                break
        else:
            return EntityResult(entity, "ok", done if attempt == 1 else f"{done} (sent {attempt}x)")
    return EntityResult(entity, "failed", failure)


def _ambiguous(error: MagentoIRError) -> bool:
    """No answer, or an answer that says nothing about whether the write happened."""
    if isinstance(error, (APIConnectionError, UnexpectedResponseError, RateLimitError)):
        return True
    return isinstance(error, APIStatusError) and error.status_code >= _HTTP_SERVER_ERROR


# --- DisableCmsBlocks (core REST) ------------------------------------------------------------


class DisableCmsBlocks(Action):
    """Switch CMS blocks off (`active: false` at `/rest/all`) after snapshotting them whole:
    the journal keeps each block's content, the skimmer included, as evidence."""

    kind = "disable_cms_blocks"

    def __init__(self, ids: Sequence[int]) -> None:
        block_ids = _ids(ids, "ids")
        if not block_ids:
            raise InvalidArgumentError("ids must name at least one CMS block id")
        self.ids = list(dict.fromkeys(block_ids))

    def params(self) -> dict[str, Any]:
        return {"ids": self.ids}

    async def plan(self, ctx: Context) -> Plan:
        async def snapshot(block_id: int) -> tuple[str, Any]:
            try:
                block = await ctx.client.cms_blocks.retrieve(block_id)
            except NotFoundError:
                return str(block_id), None
            return str(block_id), block.model_dump(mode="json")

        blocks = dict(await ctx.each(self.ids, snapshot))
        return Plan(
            self.kind,
            "core",
            f"disable {len(self.ids)} CMS blocks (snapshots kept in the journal)",
            changes=tuple(
                f"block:{block_id} active false"
                if block is not None
                else f"block:{block_id} not found"
                for block_id, block in blocks.items()
            ),
            prior={"blocks": blocks},
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        blocks: dict[str, Any] = plan.prior["blocks"]
        admin = ctx.client.with_store("all")

        async def disable(block_id: str) -> EntityResult:
            entity = f"block:{block_id}"
            if blocks[block_id] is None:
                return EntityResult(entity, "failed", "no such CMS block")
            try:
                # Setting active to false is harmless to repeat: retried.
                await admin.cms_blocks.update(int(block_id), {"active": False}, idempotent=True)
            except MagentoIRError as error:
                return EntityResult(entity, "failed", _reason(error))
            return EntityResult(entity, "ok", "disabled")

        return Outcome(
            self.kind,
            "core",
            tuple(await ctx.each(list(blocks), disable)),
            "core PUT active=false: re-applying is harmless, so it is retried",
            {"prior": {key: _block_flags(value) for key, value in blocks.items()}},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        disabled = [entity.entity for entity in outcome.entities if entity.status == "ok"]

        async def active(entity: str) -> tuple[str, bool | None]:
            block = await ctx.client.cms_blocks.retrieve(int(entity.removeprefix("block:")))
            return entity, block.active

        still = [entity for entity, value in await ctx.each(disabled, active) if value]
        checks = [
            Check(
                "blocks read back inactive",
                passed=not still,
                detail=f"still active: {', '.join(still)}" if still else f"{len(disabled)} off",
            )
        ]
        prior: dict[str, Any] = outcome.data["prior"]
        markers = sorted(
            {
                marker
                for entity in disabled
                for marker in (prior.get(entity.removeprefix("block:")) or {}).get("markers", [])
            }
        )
        home = await ctx.page("/", accept=_open_or_closed)
        if home.status_code != _HTTP_OK or not markers:
            checks.append(
                Check(
                    "the storefront no longer serves the blocks' scripts",
                    passed=None,
                    detail=f"home page answered {home.status_code}"
                    if markers
                    else "the blocks held no script to look for",
                )
            )
        else:
            served = [marker for marker in markers if marker in home.text]
            checks.append(
                Check(
                    "the storefront no longer serves the blocks' scripts",
                    passed=not served,
                    detail=f"still on the home page: {', '.join(served)}"
                    if served
                    else f"none of {len(markers)} script source(s) on the home page",
                )
            )
        return Verification(self.kind, tuple(checks))

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        prior: dict[str, Any] = outcome.data["prior"]
        restored = [e.entity for e in rollback.entities if e.status == "ok"]

        async def active(entity: str) -> tuple[str, bool]:
            block = await ctx.client.cms_blocks.retrieve(int(entity.removeprefix("block:")))
            return entity, bool(block.active)

        wrong = [
            entity
            for entity, value in await ctx.each(restored, active)
            if value != prior[entity.removeprefix("block:")]["active"]
        ]
        return Verification(
            self.kind,
            (
                Check(
                    "blocks read back as they were",
                    passed=not wrong,
                    detail=f"not restored: {', '.join(wrong)}"
                    if wrong
                    else f"{len(restored)} restored",
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        prior: dict[str, Any] = outcome.data["prior"]
        admin = ctx.client.with_store("all")

        async def restore(entity: EntityResult) -> EntityResult:
            block_id = entity.entity.removeprefix("block:")
            flags = prior.get(block_id)
            if entity.status != "ok" or flags is None:
                return EntityResult(entity.entity, "skipped", "not disabled by this action")
            try:
                await admin.cms_blocks.update(
                    int(block_id), {"active": flags["active"]}, idempotent=True
                )
            except MagentoIRError as error:
                return EntityResult(entity.entity, "failed", _reason(error))
            return EntityResult(entity.entity, "ok", f"active {flags['active']} again")

        return Outcome(
            self.kind,
            "core",
            tuple(await ctx.each(outcome.entities, restore)),
            "core PUT active=<prior>: re-applying is harmless, so it is retried",
        )


_SCRIPT_SOURCE = re.compile(r"""<script[^>]*\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def _block_flags(block: dict[str, Any] | None) -> dict[str, Any] | None:
    """What rollback and verify need of a block: its `active` flag and the script sources in it
    (looked for on the storefront afterwards)."""
    if block is None:
        return None
    content = str(block.get("content") or "")
    return {"active": bool(block.get("active", True)), "markers": _SCRIPT_SOURCE.findall(content)}


# --- RevokeOwnCustomerToken (core REST) ------------------------------------------------------


class RevokeOwnCustomerToken(Action):
    """Revoke every token of one customer whose credentials the responder holds (a test or
    shared account the attacker used), with the customer's own token: core REST only allows
    self-revocation (`POST /V1/integration/customer/revoke-customer-token`, 2.4.6+)."""

    kind = "revoke_own_customer_token"

    def __init__(self, email: str) -> None:
        if "@" not in email:
            raise InvalidArgumentError(f"email must be the customer's e-mail, got {email!r}")
        self.email = email

    def params(self) -> dict[str, Any]:
        return {"email": self.email}

    def _credentials(self, ctx: Context) -> Any:  # noqa: ANN401 - CustomerCredentials
        credentials = ctx.connection.canary_customer
        if credentials is None or credentials.email != self.email:
            raise InvalidArgumentError(
                f"RevokeOwnCustomerToken needs {self.email}'s password: pass "
                "StoreConnection(canary_customer=CustomerCredentials(email, password)); it never "
                "enters the journal"
            )
        return credentials

    async def plan(self, ctx: Context) -> Plan:
        self._credentials(ctx)
        return Plan(
            self.kind,
            "core",
            f"revoke every token of {self.email} with the customer's own token",
            changes=(f"customer:{self.email}",),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        credentials = self._credentials(ctx)
        await _issue_canary(ctx)
        from magento_ir._async import AsyncMagentoClient  # noqa: PLC0415 - avoid a cycle

        customer = AsyncMagentoClient(
            ctx.connection.base_url,
            auth=credentials,
            transport=ctx.connection.transport,
            max_retries=ctx.connection.max_retries,
        )
        async with customer:
            # Revoking twice is harmless (it only moves the cut-off), but the route is a POST
            # the client does not retry; a failure is reported, and a rerun repeats it safely.
            try:
                revoked = await customer.tokens.revoke_own_customer_token()
            except MagentoIRError as error:
                entity = EntityResult(f"customer:{self.email}", "failed", _reason(error))
            else:
                entity = EntityResult(
                    f"customer:{self.email}",
                    "ok" if revoked else "failed",
                    "tokens revoked" if revoked else "Magento answered false",
                )
        return Outcome(
            self.kind,
            "core",
            (entity,),
            "core POST revoke (self): not retried; repeating it on a rerun is harmless",
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        # Revoking tokens leaves storefront sessions alone (magento-api.md §11): not checked.
        return Verification(self.kind, tuple(await _canary_checks(ctx, session=False)))

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:  # noqa: ARG002 - Action's signature
        return Outcome(
            self.kind,
            "core",
            (
                EntityResult(
                    f"customer:{self.email}", "skipped", f"{_NOT_REVERSIBLE}: sign in again"
                ),
            ),
            "nothing written",
        )


ACTIONS: dict[str, type[Action]] = {
    action.kind: action
    for action in (
        TerminateSessions,
        QuarantineProducts,
        Maintenance,
        SuspendPayments,
        LockdownAdmins,
        ForcePasswordReset,
        HoldOrders,
        DisableCmsBlocks,
        RevokeOwnCustomerToken,
    )
}
