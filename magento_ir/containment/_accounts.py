"""Accounts: TerminateSessions, LockdownAdmins, ForcePasswordReset, RevokeOwnCustomerToken."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
)
from magento_ir.containment._base import (
    _MODULE_RETRIES,
    _REFUSAL_RETRIES,
    Action,
    _admin_can_sign_in,
    _admin_canary_checks,
    _canary_checks,
    _flag,
    _ids,
    _issue_admin_canary,
    _issue_canary,
    _login_refused,
    _other_incident_on_top,
    _reason,
    _responder_still_in,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

    from magento_ir.containment._context import Context
    from magento_ir.models.incident_response import IntegrationTokens

# Magento hands the reset e-mail to its mailer and only logs a transport failure: a count of
# attempts, never of deliveries (issue 9 item 18).
_EMAILS_ATTEMPTED = "reset e-mails attempted (Magento does not confirm delivery)"
# The module's limits per call (contract): e-mails and customer ids.
_EMAIL_BATCH = 1000
_RESET_BATCH = 100_000


# --- TerminateSessions -----------------------------------------------------------------------


class TerminateSessions(Action):
    """Revoke every token and end every admin / storefront session in scope (module only)."""

    kind = "terminate_sessions"
    irreversible = "revoked tokens stay revoked and ended sessions stay ended; users sign in again"

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
        canaries: list[Callable[[], Awaitable[None]]] = []
        if self.scope in ("customers", "all"):
            canaries.append(lambda: _issue_canary(ctx))
        if self.scope in ("admins", "all"):
            canaries.append(lambda: _issue_admin_canary(ctx))
        # The two canaries are separate accounts: they log in side by side.
        await ctx.together(*canaries)
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
        canaries: list[Callable[[], Awaitable[list[Check]]]] = []
        if self.scope in ("customers", "all"):
            canaries.append(lambda: _canary_checks(ctx))
        if self.scope in ("admins", "all"):
            canaries.append(lambda: _admin_canary_checks(ctx))
        # Each check reads with its own credentials and changes nothing: they run at once.
        responder, *found = await ctx.together(lambda: _responder_still_in(ctx), *canaries)
        checks = [responder, *(check for checks in found for check in checks)]
        return Verification(self.kind, tuple(checks))


# --- LockdownAdmins -------------------------------------------------------------------------


class LockdownAdmins(Action):
    """Shut every other admin and integration out; `keep` lists admin ids to leave alone (the
    responder is always kept). Module only.

    `mode="deactivate"` (the default) sets `is_active=0`, which also makes Magento's REST token
    route refuse the password. `mode="lock"` only locks the admin panel: Magento checks that lock
    in an adminhtml observer, so a stolen password still gets a REST token.

    The integrations' access tokens the lockdown revokes may be what the attacker holds:
    `restore_tokens="reissue"` (the default) makes the rollback give each integration a new
    token (read it in Admin > System > Integrations) and keep the old ones dead; `"revive"`
    makes the old tokens work again. The plan and the rollback say which.
    """

    kind = "lockdown_admins"

    def __init__(
        self,
        keep: Sequence[int] = (),
        *,
        mode: Literal["deactivate", "lock"] = "deactivate",
        include_integrations: bool = True,
        restore_tokens: IntegrationTokens = "reissue",
    ) -> None:
        if mode not in ("deactivate", "lock"):
            raise InvalidArgumentError(f"mode must be 'deactivate' or 'lock', not {mode!r}")
        if restore_tokens not in ("reissue", "revive"):
            raise InvalidArgumentError(
                f"restore_tokens must be 'reissue' (new integration tokens on rollback) or "
                f"'revive' (the old ones work again), not {restore_tokens!r}"
            )
        self.keep = _ids(keep, "keep") or []
        self.mode = mode
        self.include_integrations = _flag(include_integrations, "include_integrations")
        self.restore_tokens: IntegrationTokens = restore_tokens

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "keep": self.keep,
            "mode": self.mode,
            "include_integrations": self.include_integrations,
        }
        # Only the non-default choice joins the step's identity (older journals stay the same).
        if self.restore_tokens != "reissue":
            params["restore_tokens"] = self.restore_tokens
        return params

    def _require(self, ctx: Context) -> None:
        ctx.require_module(
            "LockdownAdmins",
            "admins.lockdown",
            "list, deactivate or lock admin users or integrations (there are no admin-user routes)",
        )

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        kept = ", ".join(str(admin) for admin in self.keep) or "none besides the responder"
        integrations = ""
        changes = ["admins:all-but-kept"]
        if self.include_integrations:
            active = await _active_integrations(ctx)
            which = "" if active is None else f" (active now: {', '.join(active) or 'none'})"
            integrations = (
                f" and set other integrations inactive{which}, revoking their access tokens (a "
                "rollback "
                + (
                    "re-issues new tokens; the revoked ones never work again)"
                    if self.restore_tokens == "reissue"
                    else "REVIVES those old tokens, which may be the attacker's)"
                )
            )
            changes += [
                f"integration:{name.partition(' ')[0]} token "
                + (
                    "re-issued on rollback"
                    if self.restore_tokens == "reissue"
                    else "revived on rollback"
                )
                for name in active or []
            ]
        return Plan(
            self.kind,
            "module",
            f"{self.mode} every admin except {kept}{integrations}",
            changes=tuple(changes),
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
        # Only deactivation stops new REST tokens: Magento's token route ignores the panel lock.
        if ctx.connection.canary_admin is not None and self.mode == "deactivate":
            refused = await _login_refused(ctx, ctx.connection.canary_admin)
            checks.append(
                Check(
                    "a locked-out admin cannot sign in",
                    refused,
                    _refusal("canary admin's", refused),
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

    async def conflicts(self, ctx: Context, outcome: Outcome) -> str | None:
        if outcome.data.get("lockdown_id") is None:
            return None  # the restore writes nothing
        return await _other_incident_on_top(ctx, outcome, "admins.lockdown", None, None)

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        lockdown_id = outcome.data.get("lockdown_id")
        if lockdown_id is None:
            return Outcome(self.kind, "module", (), "nothing written: the lockdown changed nothing")
        result = await ctx.client.incident_response.restore_admins(
            lockdown_id,
            reason=ctx.reason,
            incident_id=ctx.incident_id,
            integration_tokens=self.restore_tokens,
            idempotency_key=ctx.key,
        )
        entities = [EntityResult(f"admin:{admin}", "ok", "restored") for admin in result.admin_ids]
        for integration in result.integration_ids:
            if integration in result.reissued_integration_ids:
                detail = (
                    "restored with a new access token (Admin > System > Integrations); the "
                    "revoked one stays dead"
                )
            elif integration in result.revived_integration_ids:
                detail = "restored; its old access token works again"
            else:
                detail = "restored (it had no access token)"
            entities.append(EntityResult(f"integration:{integration}", "ok", detail))
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {
                "integration_tokens": result.integration_tokens,
                "reissued_integration_ids": result.reissued_integration_ids,
                "revived_integration_ids": result.revived_integration_ids,
            },
        )

    def rollback_note(self, outcome: Outcome) -> str | None:
        integrations = [
            entity.entity.removeprefix("integration:")
            for entity in outcome.entities
            if entity.entity.startswith("integration:") and entity.status == "ok"
        ]
        if not integrations:
            return None
        named = ", ".join(integrations)
        if self.restore_tokens == "revive":
            return (
                f"the old access tokens of integrations {named} come back to life (they may be "
                "the attacker's)"
            )
        return (
            f"integrations {named} get new access tokens; their revoked tokens stay dead (give "
            "the new ones to their owners from Admin > System > Integrations)"
        )


async def _active_integrations(ctx: Context) -> list[str] | None:
    """Integrations a lockdown would shut ("3 (ERP Connector)"), or None when the module's
    evidence read is not allowed or not there (the plan then says less)."""
    try:
        listed = await ctx.client.incident_response.integrations()
    except MagentoIRError:
        return None
    # Active (1) and re-authorised (2) integrations hold usable tokens; the caller's is kept.
    return [
        f"{item.integration_id} ({item.name})" for item in listed.items if item.status in {1, 2}
    ]


# --- ForcePasswordReset ---------------------------------------------------------------------


class ForcePasswordReset(Action):
    """Make customers choose a new password (their tokens and sessions end too). Module only:
    core REST can only e-mail a reset link, which leaves the old password working."""

    kind = "force_password_reset"
    irreversible = "the old passwords are gone; customers set a new one through the reset link"

    def __init__(self, customers: Sequence[int] | str, *, send_reset_email: bool = False) -> None:
        if customers == "all":
            self.customers: list[int] | Literal["all"] = "all"
        elif isinstance(customers, str):
            raise InvalidArgumentError(
                "customers must be a list of customer ids or 'all' (e.g. customers=[12, 15]), "
                f"not the string {customers!r}"
            )
        else:
            ids = _ids(customers, "customers")
            if not ids:
                raise InvalidArgumentError("customers must name at least one id (or be 'all')")
            self.customers = ids
        self.send_reset_email = _flag(send_reset_email, "send_reset_email")

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
        attempted = 0

        async def reset(number: int, ids: list[int] | None, email: bool) -> None:
            nonlocal invalidated, attempted
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
            attempted += result.emails_attempted

        if self.customers == "all":
            # The module e-mails at most 1,000 customers per call: reset everyone at once, then
            # send Magento's reset e-mail page by page (the module's own advice).
            await reset(0, None, email=False)
            if self.send_reset_email:
                number = 0
                async for page in _customer_id_pages(ctx, _EMAIL_BATCH):
                    number += 1
                    await reset(number, page, email=True)
            entities = [
                EntityResult(
                    "customers:all",
                    "ok",
                    f"{invalidated} passwords invalidated"
                    + (f", {attempted} {_EMAILS_ATTEMPTED}" if self.send_reset_email else ""),
                )
            ]
        else:
            size = _EMAIL_BATCH if self.send_reset_email else _RESET_BATCH
            ctx.expect(len(self.customers))
            for number, start in enumerate(range(0, len(self.customers), size)):
                batch = self.customers[start : start + size]
                await reset(number, batch, self.send_reset_email)
                ctx.advance(len(batch))
            entities = []
        entities += [
            EntityResult(f"customer:{customer}", "failed", f"no such customer {customer}")
            if customer in unknown
            else EntityResult(
                f"customer:{customer}",
                "failed" if customer in emails_failed else "ok",
                "password invalidated, reset e-mail failed"
                if customer in emails_failed
                else "password invalidated"
                + (
                    ", reset e-mail attempted (delivery not confirmed)"
                    if self.send_reset_email
                    else ""
                ),
            )
            for customer in (self.customers if self.customers != "all" else sorted(emails_failed))
        ]
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {"module_action_ids": action_ids, "emails_attempted": attempted},
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:  # noqa: ARG002 - Action's signature
        checks = [await _responder_still_in(ctx)]
        credentials = ctx.connection.canary_customer
        if credentials is None:
            checks.append(
                Check("the old password is refused", None, "no canary customer configured")
            )
        else:
            refused = await _login_refused(ctx, credentials)
            checks.append(
                Check("the old password is refused", refused, _refusal("canary's old", refused))
            )
        checks.extend(await _canary_checks(ctx))
        return Verification(self.kind, tuple(checks))


def _refusal(whose: str, refused: bool | None) -> str:
    if refused is None:
        return (
            f"the {whose} login answer was lost {_REFUSAL_RETRIES + 1} times: not tried again, "
            "each refused try counts toward Magento's token throttle"
        )
    return f"the {whose} login was " + ("refused (401)" if refused else "accepted")


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


# --- RevokeOwnCustomerToken (core REST) ------------------------------------------------------


class RevokeOwnCustomerToken(Action):
    """Revoke every token of one customer whose credentials the responder holds (a test or
    shared account the attacker used), with the customer's own token: core REST only allows
    self-revocation (`POST /V1/integration/customer/revoke-customer-token`, 2.4.6+)."""

    kind = "revoke_own_customer_token"
    irreversible = "revoked tokens stay revoked; the customer signs in again"

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
            timeout=ctx.connection.timeout,
            max_retries=ctx.connection.max_retries,
            allow_insecure_http=ctx.connection.allow_insecure_http,
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
