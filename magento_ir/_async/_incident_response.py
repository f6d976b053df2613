"""`client.incident_response`: the companion module's routes (php-module/contract/openapi.json).

Every write carries an `X-Idempotency-Key` (yours, or a fresh random one), which the module
honours: a repeated key replays the first result (`replayed=True`) and changes nothing. That is
what makes these writes safe to retry, so they are retried like reads. Pass your own key (e.g.
`"<incident>.<step>"`) to make a retry after a crash safe too.

The module is detected with `capabilities()`: a 404 "Request does not match any route." means it
is not installed (`NotFoundError`).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import InvalidArgumentError, JSONValue
from magento_ir.models import SearchResult
from magento_ir.models.incident_response import (
    ActionRecord,
    AdminLockdownResult,
    AdminRestoreResult,
    AdminSessionList,
    AdminUserList,
    Capabilities,
    CodeFile,
    CodeManifest,
    ConfigValueList,
    GuardBlockList,
    GuardCounterList,
    GuardMetric,
    GuardRemovalResult,
    GuardRuleList,
    GuardRuleResult,
    GuardRuleType,
    GuardSubject,
    IntegrationList,
    IntegrationTokens,
    LockdownMode,
    MaintenanceChangeResult,
    MaintenanceMode,
    MaintenanceState,
    OrderHoldResult,
    OrderUnholdResult,
    PasswordResetResult,
    PaymentSuspensionResult,
    QuarantineList,
    QuarantineResult,
    ReleaseResult,
    SessionScope,
    SessionTerminationResult,
    StoreContent,
    StoreContentList,
    StoreContentType,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping, Sequence

    from magento_ir._async._client import AsyncRequester

IDEMPOTENCY_HEADER = "X-Idempotency-Key"
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_BASE = "/V1/incident-response"
_MAGENTO_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _check_key(key: str | None) -> str:
    if key is None:
        return uuid.uuid4().hex
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidArgumentError(
            f"idempotency key {key!r} is not valid: use 1-128 characters from A-Z a-z 0-9 . _ : -"
        )
    return key


def _check_reason(reason: str) -> str:
    if not reason.strip() or len(reason) > 255:  # noqa: PLR2004 - the contract's maxLength
        raise InvalidArgumentError(
            "reason must be 1-255 characters saying why the responder acts (it is stored in the "
            "module's action log)"
        )
    return reason


def _common(reason: str, incident_id: str | None) -> dict[str, JSONValue]:
    body: dict[str, JSONValue] = {"reason": _check_reason(reason)}
    if incident_id is not None:
        if not 1 <= len(incident_id) <= 64:  # noqa: PLR2004 - the contract's maxLength
            raise InvalidArgumentError("incident_id must be 1-64 characters long")
        body["incidentId"] = incident_id
    return body


class AsyncIncidentResponse:
    """The companion module's routes under `/V1/incident-response` (one method per route)."""

    def __init__(self, requester: AsyncRequester) -> None:
        self._requester = requester
        # Writes sent so far (answered or not): the containment engine anchors the module's
        # action-log head after each step that sent one.
        self.writes_sent = 0

    async def _call(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, JSONValue] | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotency_key: str | None = None,
    ) -> JSONValue:
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key is not None else None
        if method != "GET":
            self.writes_sent += 1
        return await self._requester.rest(
            method,
            path,
            params=params,
            json_body=dict(body) if body is not None else None,
            # Reads retry anyway; writes are safe to retry because of the idempotency key.
            idempotent=True,
            extra_headers=headers,
        )

    async def capabilities(self) -> Capabilities:
        """`GET .../capabilities`; NotFoundError (404) means the module is not installed."""
        return Capabilities.model_validate(await self._call("GET", f"{_BASE}/capabilities"))

    async def terminate_sessions(
        self,
        scope: SessionScope,
        *,
        reason: str,
        incident_id: str | None = None,
        customer_ids: Sequence[int] | None = None,
        admin_ids: Sequence[int] | None = None,
        exclude_customer_ids: Sequence[int] | None = None,
        exclude_admin_ids: Sequence[int] | None = None,
        logout_caller: bool = False,
        idempotency_key: str | None = None,
    ) -> SessionTerminationResult:
        """`POST .../sessions/terminate`: revoke tokens and end sessions of everyone in scope.

        Empty id lists mean everyone of that user type; exclusions win; the caller is kept
        unless `logout_caller`.
        """
        if scope not in ("customers", "admins", "all"):
            raise InvalidArgumentError(
                f"scope must be 'customers', 'admins' or 'all', not {scope!r}"
            )
        body = _common(reason, incident_id)
        body["scope"] = scope
        for name, ids in (
            ("customerIds", customer_ids),
            ("adminIds", admin_ids),
            ("excludeCustomerIds", exclude_customer_ids),
            ("excludeAdminIds", exclude_admin_ids),
        ):
            if ids is not None:
                body[name] = list(ids)
        if logout_caller:
            body["logoutCaller"] = True
        data = await self._call(
            "POST",
            f"{_BASE}/sessions/terminate",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return SessionTerminationResult.model_validate(data)

    async def quarantine_products(
        self,
        skus: Sequence[str],
        *,
        reason: str,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> QuarantineResult:
        """`POST .../catalog/quarantine`: disable up to 10,000 SKUs in every scope, at once."""
        if not skus or len(skus) > 10_000:  # noqa: PLR2004 - the contract's maxItems
            raise InvalidArgumentError("skus must name 1 to 10,000 products (batch larger sets)")
        body = _common(reason, incident_id)
        body["skus"] = list(skus)
        data = await self._call(
            "POST",
            f"{_BASE}/catalog/quarantine",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return QuarantineResult.model_validate(data)

    async def quarantined_products(self, quarantine_id: int = 0) -> QuarantineList:
        """`GET .../catalog/quarantine`: products in active quarantines (0 = every quarantine)."""
        data = await self._call(
            "GET", f"{_BASE}/catalog/quarantine", params={"quarantineId": quarantine_id}
        )
        return QuarantineList.model_validate(data)

    async def release_products(
        self,
        quarantine_id: int,
        *,
        reason: str,
        incident_id: str | None = None,
        skus: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> ReleaseResult:
        """`POST .../catalog/release`: restore the recorded statuses of one quarantine."""
        body = _common(reason, incident_id)
        body["quarantineId"] = quarantine_id
        if skus is not None:
            body["skus"] = list(skus)
        data = await self._call(
            "POST",
            f"{_BASE}/catalog/release",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return ReleaseResult.model_validate(data)

    async def hold_orders(
        self,
        statuses: Sequence[str],
        *,
        reason: str,
        incident_id: str | None = None,
        order_ids: Sequence[int] | None = None,
        created_from: str | None = None,
        created_to: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderHoldResult:
        """`POST .../orders/hold`: hold up to 10,000 orders in `statuses` (narrowed to `order_ids`
        and to [`created_from`, `created_to`], UTC "YYYY-MM-DD HH:MM:SS") in one call, through
        Magento's own hold; `remaining` says how many more match (call again)."""
        if not statuses or len(statuses) > 50:  # noqa: PLR2004 - the contract's maxItems
            raise InvalidArgumentError("statuses must name 1 to 50 order statuses")
        if order_ids is not None and len(order_ids) > 10_000:  # noqa: PLR2004 - maxItems
            raise InvalidArgumentError("order_ids must name at most 10,000 orders (batch them)")
        body = _common(reason, incident_id)
        body["statuses"] = list(statuses)
        if order_ids:
            body["orderIds"] = list(order_ids)
        for name, value in (("createdFrom", created_from), ("createdTo", created_to)):
            if value is not None:
                if not _MAGENTO_TIME.fullmatch(value):
                    raise InvalidArgumentError(
                        f"{name} must be a UTC time 'YYYY-MM-DD HH:MM:SS', not {value!r}"
                    )
                body[name] = value
        data = await self._call(
            "POST", f"{_BASE}/orders/hold", body=body, idempotency_key=_check_key(idempotency_key)
        )
        return OrderHoldResult.model_validate(data)

    async def unhold_orders(
        self,
        hold_id: int,
        *,
        reason: str,
        incident_id: str | None = None,
        order_ids: Sequence[int] | None = None,
        idempotency_key: str | None = None,
    ) -> OrderUnholdResult:
        """`POST .../orders/unhold`: release the orders one hold held that are still on hold."""
        body = _common(reason, incident_id)
        body["holdId"] = hold_id
        if order_ids:
            body["orderIds"] = list(order_ids)
        data = await self._call(
            "POST",
            f"{_BASE}/orders/unhold",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return OrderUnholdResult.model_validate(data)

    async def set_maintenance(
        self,
        mode: MaintenanceMode,
        *,
        reason: str,
        incident_id: str | None = None,
        message: str | None = None,
        retry_after: int | None = None,
        allow_ips: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> MaintenanceChangeResult:
        """`PUT .../maintenance`: storefront / checkout keep REST and admin reachable.

        `full` sets Magento's own flag with the caller's IP always allow-listed.
        """
        if mode not in ("off", "storefront", "checkout", "full"):
            raise InvalidArgumentError(
                f"mode must be 'off', 'storefront', 'checkout' or 'full', not {mode!r}"
            )
        if retry_after is not None and not 60 <= retry_after <= 86_400:  # noqa: PLR2004
            raise InvalidArgumentError("retry_after must be between 60 and 86400 seconds")
        body = _common(reason, incident_id)
        body["mode"] = mode
        if message is not None:
            body["message"] = message
        if retry_after is not None:
            body["retryAfter"] = retry_after
        if allow_ips is not None:
            body["allowIps"] = list(allow_ips)
        data = await self._call(
            "PUT", f"{_BASE}/maintenance", body=body, idempotency_key=_check_key(idempotency_key)
        )
        return MaintenanceChangeResult.model_validate(data)

    async def maintenance(self) -> MaintenanceState:
        """`GET .../maintenance`: is the shop closed, how, and who may still get in."""
        return MaintenanceState.model_validate(await self._call("GET", f"{_BASE}/maintenance"))

    async def suspend_payments(
        self,
        methods: Sequence[str],
        *,
        reason: str,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentSuspensionResult:
        """`POST .../payments/suspend`: `payment/<code>/active = 0` wherever it was on."""
        if not methods:
            raise InvalidArgumentError("methods must name at least one payment method code")
        body = _common(reason, incident_id)
        body["methods"] = list(methods)
        data = await self._call(
            "POST",
            f"{_BASE}/payments/suspend",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return PaymentSuspensionResult.model_validate(data)

    async def resume_payments(
        self,
        methods: Sequence[str] | None = None,
        *,
        reason: str,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PaymentSuspensionResult:
        """`POST .../payments/resume`: restore the recorded values (default: every method)."""
        body = _common(reason, incident_id)
        if methods is not None:
            body["methods"] = list(methods)
        data = await self._call(
            "POST",
            f"{_BASE}/payments/resume",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return PaymentSuspensionResult.model_validate(data)

    async def lockdown_admins(
        self,
        *,
        reason: str,
        incident_id: str | None = None,
        mode: LockdownMode = "deactivate",
        keep_admin_ids: Sequence[int] | None = None,
        include_integrations: bool = True,
        idempotency_key: str | None = None,
    ) -> AdminLockdownResult:
        """`POST .../admins/lockdown`: every other admin and integration out (caller kept)."""
        if mode not in ("deactivate", "lock"):
            raise InvalidArgumentError(f"mode must be 'deactivate' or 'lock', not {mode!r}")
        body = _common(reason, incident_id)
        body["mode"] = mode
        if keep_admin_ids is not None:
            body["keepAdminIds"] = list(keep_admin_ids)
        body["includeIntegrations"] = include_integrations
        data = await self._call(
            "POST",
            f"{_BASE}/admins/lockdown",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return AdminLockdownResult.model_validate(data)

    async def restore_admins(
        self,
        lockdown_id: int,
        *,
        reason: str,
        incident_id: str | None = None,
        integration_tokens: IntegrationTokens = "reissue",
        idempotency_key: str | None = None,
    ) -> AdminRestoreResult:
        """`POST .../admins/restore`: put back what one lockdown changed.

        The integrations' access tokens the lockdown revoked may be the attacker's: `"reissue"`
        (default) gives each integration a new one (read it in Admin > System > Integrations)
        and keeps the old ones dead; `"revive"` makes the old tokens work again."""
        if integration_tokens not in ("reissue", "revive"):
            raise InvalidArgumentError(
                f"integration_tokens must be 'reissue' or 'revive', not {integration_tokens!r}"
            )
        body = _common(reason, incident_id)
        body["lockdownId"] = lockdown_id
        body["integrationTokens"] = integration_tokens
        data = await self._call(
            "POST",
            f"{_BASE}/admins/restore",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return AdminRestoreResult.model_validate(data)

    async def force_password_reset(
        self,
        *,
        reason: str,
        customer_ids: Sequence[int] | None = None,
        all_customers: bool = False,
        send_reset_email: bool = False,
        email_batch_size: int | None = None,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> PasswordResetResult:
        """`POST .../customers/force-password-reset`: give `customer_ids` or `all_customers`."""
        if (customer_ids is None) == (not all_customers):
            raise InvalidArgumentError(
                "give either customer_ids=[...] or all_customers=True (exactly one of them)"
            )
        body = _common(reason, incident_id)
        if customer_ids is not None:
            body["customerIds"] = list(customer_ids)
        if all_customers:
            body["allCustomers"] = True
        if send_reset_email:
            body["sendResetEmail"] = True
        if email_batch_size is not None:
            body["emailBatchSize"] = email_batch_size
        data = await self._call(
            "POST",
            f"{_BASE}/customers/force-password-reset",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return PasswordResetResult.model_validate(data)

    async def actions(self, criteria: SearchCriteria) -> SearchResult[ActionRecord]:
        """`GET .../actions`: one page of the module's action log."""
        return await self._requester.list_page(
            f"{_BASE}/actions", SearchResult[ActionRecord], criteria
        )

    async def action_log_head(self) -> ActionRecord | None:
        """The newest action-log record, None when the log is empty: its `action_id` and `hash`
        pin the whole chain before it (keep them outside the store to detect a rewrite)."""
        page = await self.actions(SearchCriteria().order_by("action_id", "DESC").page(1))
        return page.items[0] if page.items else None

    # --- evidence reads -------------------------------------------------------------------
    async def admins(self) -> AdminUserList:
        """`GET .../admins`: every admin user with its role (no password hash, no reset token)."""
        return AdminUserList.model_validate(await self._call("GET", f"{_BASE}/admins"))

    async def admin_sessions(self, since: str | None = None) -> AdminSessionList:
        """`GET .../admin-sessions`: admin sessions, newest first, updated at or after `since`.

        `since` is Magento's UTC `YYYY-MM-DD HH:MM:SS`. The module lists at most 10,000 rows;
        `truncated` says when more matched (narrow with a later `since`).
        """
        params: dict[str, str | int] = {}
        if since is not None:
            if not _MAGENTO_TIME.fullmatch(since):
                raise InvalidArgumentError(
                    f"since {since!r} is not a time Magento reads: use UTC 'YYYY-MM-DD HH:MM:SS'"
                )
            params["since"] = since
        data = await self._call("GET", f"{_BASE}/admin-sessions", params=params)
        return AdminSessionList.model_validate(data)

    async def integrations(self) -> IntegrationList:
        """`GET .../integrations`: every integration (no consumer key, secret or token)."""
        return IntegrationList.model_validate(await self._call("GET", f"{_BASE}/integrations"))

    async def config(self, paths: Sequence[str]) -> ConfigValueList:
        """`GET .../config`: `core_config_data` rows of evidence paths, at every scope.

        `paths` are exact paths or patterns such as `design/head/*` or `payment/*/active`; the
        module reads only its allow-list of evidence paths (a path outside it is a 400 naming it).
        """
        if isinstance(paths, str) or not paths:
            raise InvalidArgumentError(
                "paths must be a non-empty list of config paths, e.g. ['design/head/*']"
            )
        params: dict[str, str | int] = {f"paths[{index}]": path for index, path in enumerate(paths)}
        data = await self._call("GET", f"{_BASE}/config", params=params)
        return ConfigValueList.model_validate(data)

    # --- the payment guard ----------------------------------------------------------------
    async def add_guard_rule(
        self,
        rule_type: GuardRuleType,
        values: Sequence[str | int] = (),
        *,
        reason: str,
        subject: GuardSubject | None = None,
        metric: GuardMetric | None = None,
        limit: int | None = None,
        window: int | None = None,
        ttl: int | None = None,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> GuardRuleResult:
        """`POST .../guard/rules`: refuse order placements that match, from the next one on.

        Block rules (`ip` addresses and CIDRs, `email`, `customer` ids, card `bin`s, `freeze`
        of payment method codes) take `values`; a `velocity` rule allows at most `limit`
        `metric` events (`orders` placed or `failures`) per `subject` in `window` seconds.
        `ttl` seconds make the rule lapse by itself.
        """
        if rule_type == "velocity":
            if values or None in (subject, metric, limit, window):
                raise InvalidArgumentError(
                    "a velocity rule takes subject=, metric=, limit= and window=, not values"
                )
        elif not values or any(v is not None for v in (subject, metric, limit, window)):
            raise InvalidArgumentError(
                f"a {rule_type!r} rule takes values=[...] (what to block) and no velocity settings"
            )
        body = _common(reason, incident_id)
        body["type"] = rule_type
        if values:
            body["values"] = [str(value) for value in values]
        for name, given in (
            ("subject", subject),
            ("metric", metric),
            ("limit", limit),
            ("window", window),
            ("ttl", ttl),
        ):
            if given is not None:
                body[name] = given
        data = await self._call(
            "POST", f"{_BASE}/guard/rules", body=body, idempotency_key=_check_key(idempotency_key)
        )
        return GuardRuleResult.model_validate(data)

    async def guard_rules(self, *, include_inactive: bool = False) -> GuardRuleList:
        """`GET .../guard/rules`: the rules in force (or every rule), with their block counts."""
        params: dict[str, str | int] = {"includeInactive": 1} if include_inactive else {}
        data = await self._call("GET", f"{_BASE}/guard/rules", params=params)
        return GuardRuleList.model_validate(data)

    async def remove_guard_rules(
        self,
        rule_ids: Sequence[int],
        *,
        reason: str,
        incident_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> GuardRemovalResult:
        """`POST .../guard/rules/remove`: the answer holds each rule as it was."""
        if not rule_ids:
            raise InvalidArgumentError("rule_ids must name at least one rule")
        body = _common(reason, incident_id)
        body["ruleIds"] = list(rule_ids)
        data = await self._call(
            "POST",
            f"{_BASE}/guard/rules/remove",
            body=body,
            idempotency_key=_check_key(idempotency_key),
        )
        return GuardRemovalResult.model_validate(data)

    async def guard_blocks(self, after_id: int = 0, page_size: int = 100) -> GuardBlockList:
        """`GET .../guard/blocks`: refused placements after `after_id` (pass `last_block_id`
        back to read only what is new)."""
        data = await self._call(
            "GET", f"{_BASE}/guard/blocks", params={"afterId": after_id, "pageSize": page_size}
        )
        return GuardBlockList.model_validate(data)

    async def guard_counters(self) -> GuardCounterList:
        """`GET .../guard/counters`: how often each rule refused, and the newest refusal's id
        (a cheap poll: call `guard_blocks` only when `last_block_id` moved)."""
        data = await self._call("GET", f"{_BASE}/guard/counters")
        return GuardCounterList.model_validate(data)

    # --- store content (the skimmer scan) ------------------------------------------------
    async def store_content(
        self, content_type: StoreContentType, after_id: int = 0, *, page_size: int = 100
    ) -> StoreContentList:
        """`GET .../content`: widget instances, layout updates or e-mail templates with an id
        greater than `after_id` (pass `last_entity_id` back for the next page)."""
        data = await self._call(
            "GET",
            f"{_BASE}/content",
            params={"type": content_type, "afterId": after_id, "pageSize": page_size},
        )
        return StoreContentList.model_validate(data)

    async def iterate_store_content(
        self, content_type: StoreContentType, *, page_size: int = 100
    ) -> AsyncIterator[StoreContent]:
        """Every row of one content type, page after page; a short page is the last."""
        after_id = 0
        while True:
            page = await self.store_content(content_type, after_id, page_size=page_size)
            for item in page.items:
                yield item
            if len(page.items) < page_size:
                return
            after_id = page.last_entity_id

    # --- code integrity -------------------------------------------------------------------
    async def code_manifest(
        self, after: str | None = None, *, page_size: int = 1000, changed_since: int = 0
    ) -> CodeManifest:
        """`GET .../code/manifest`: one page of the store's code (path, size, mtime, SHA-256)."""
        params: dict[str, str | int] = {"pageSize": page_size, "changedSince": changed_since}
        if after is not None:
            params["after"] = after
        data = await self._call("GET", f"{_BASE}/code/manifest", params=params)
        return CodeManifest.model_validate(data)

    async def iterate_code_manifest(
        self, *, page_size: int = 1000, changed_since: int = 0
    ) -> AsyncIterator[CodeFile]:
        """Every file of the manifest, page after page (each page bounded by the module)."""
        after: str | None = None
        while True:
            page = await self.code_manifest(after, page_size=page_size, changed_since=changed_since)
            for item in page.items:
                yield item
            if page.complete or page.next_cursor is None:
                return
            after = page.next_cursor
