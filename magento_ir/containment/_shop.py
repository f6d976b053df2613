"""Closing the shop: Maintenance and SuspendPayments (module only), checked as a shopper."""

from __future__ import annotations

import asyncio
import html
import re
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
)
from magento_ir.containment._base import (
    _HTTP_OK,
    _HTTP_UNAVAILABLE,
    _MODULE_RETRIES,
    Action,
    _later_writes,
    _open_or_closed,
    _other_incident_on_top,
    _responder_still_in,
    _strings,
    _who,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence

    from magento_ir._http import Response
    from magento_ir.containment._context import Context
    from magento_ir.models import Product, SearchResult
    from magento_ir.models.incident_response import PaymentSuspensionResult

_PAYMENT_CODE = re.compile(r"[a-z0-9_]+")
# The public guest-cart API (anonymous); relative to the storefront's base URL.
_GUEST_CARTS = "/rest/V1/guest-carts"
_CART_CANDIDATES = 50
# Candidates are read a small page at a time: a list page costs Magento per item, and the first
# sellable product is nearly always on the first page.
_CANDIDATE_PAGE = 10
_MODES = ("storefront", "checkout", "full", "off")
_DEFAULT_RETRY_AFTER = 900
# Context.ahead key: the guest cart SuspendPayments fills while its write is sent.
_CART = "suspend_payments.cart"


# --- Maintenance ----------------------------------------------------------------------------


class Maintenance(Action):
    """Close the storefront (or only checkout, or everything) with an accessible 503 page, or
    open it again (`off`).

    `storefront` (default) and `checkout` keep REST, GraphQL and the admin reachable; `full`
    is Magento's own flag, with the responder's address always allow-listed by the module.
    `off` opens the shop (e.g. once the skimmer is gone); a rollback puts back the maintenance
    it found, Retry-After, message and allow list included.
    """

    kind = "maintenance"
    closes_storefront = True

    def __init__(
        self,
        mode: Literal["storefront", "checkout", "full", "off"] = "storefront",
        *,
        allowed_ips: Sequence[str] = (),
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        if mode not in _MODES:
            raise InvalidArgumentError(
                f"mode must be 'storefront', 'checkout', 'full' or 'off', not {mode!r}"
            )
        if message is not None and not isinstance(message, str):
            raise InvalidArgumentError(f"message must be a string, not {message!r}")
        if retry_after is not None and (
            not isinstance(retry_after, int) or isinstance(retry_after, bool)
        ):
            raise InvalidArgumentError(
                f"retry_after must be a whole number of seconds (e.g. 3600), not {retry_after!r}"
            )
        self.mode = mode
        self.allowed_ips = _strings(allowed_ips, "allowed_ips", '["203.0.113.7"]')
        self.message = message
        if mode == "off":
            if self.allowed_ips or message is not None or retry_after is not None:
                raise InvalidArgumentError(
                    "allowed_ips, message and retry_after describe a closed shop: mode 'off' "
                    "takes none of them (a rollback restores the ones it found)"
                )
            self.retry_after = _DEFAULT_RETRY_AFTER
            return
        self.retry_after = _DEFAULT_RETRY_AFTER if retry_after is None else retry_after
        if not 60 <= self.retry_after <= 86_400:  # noqa: PLR2004 - the module's accepted range
            raise InvalidArgumentError("retry_after must be between 60 and 86400 seconds")

    def params(self) -> dict[str, Any]:
        if self.mode == "off":
            return {"mode": "off"}
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
        if self.mode == "off":
            summary = (
                "maintenance is already off: nothing to change"
                if state.mode == "off"
                else f"maintenance {state.mode} -> off: the shop opens to shoppers"
            )
        else:
            summary = f"maintenance {state.mode} -> {self.mode} (Retry-After {self.retry_after} s)"
        return Plan(
            self.kind,
            "module",
            summary,
            changes=(f"maintenance:{self.mode}",),
            prior={"state": state.model_dump(mode="json")},
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:
        self._require(ctx)
        if self.mode == "off" and plan.prior["state"]["mode"] == "off":
            # Nothing to open; no write, so a rollback has nothing to put back either.
            return Outcome(
                self.kind,
                "module",
                (EntityResult("maintenance:off", "skipped", "maintenance was already off"),),
                "nothing written",
                {"prior": plan.prior["state"]},
            )
        if self.mode == "off":
            opened = await ctx.client.incident_response.set_maintenance(
                "off", reason=ctx.reason, incident_id=ctx.incident_id, idempotency_key=ctx.key
            )
            return Outcome(
                self.kind,
                "module",
                (EntityResult("maintenance:off", "ok", f"was {opened.previous_mode}"),),
                _MODULE_RETRIES,
                {"prior": plan.prior["state"], "module_action_id": opened.action_id},
            )
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
        if self.mode == "off":
            return Verification(self.kind, tuple(await _open_checks(ctx)))
        if self.mode == "full":
            responder, state = await ctx.together(
                lambda: _responder_still_in(ctx), ctx.client.incident_response.maintenance
            )
            flag = Check(
                "Magento's maintenance flag is on",
                passed=state.magento_flag,
                detail="the storefront cannot be observed closed from an allow-listed "
                "address; the module reports the flag",
            )
            return Verification(self.kind, (responder, flag))
        closed_path = "/checkout" if self.mode == "checkout" else "/"
        # The responder's REST access and the shopper's pages are independent reads.
        reads: list[Callable[[], Awaitable[Any]]] = [
            lambda: _responder_still_in(ctx),
            lambda: ctx.page(closed_path, accept=self._is_maintenance_page),
        ]
        if self.mode == "checkout":
            reads.append(lambda: ctx.page("/", accept=_open_or_closed))
        responder, answer, *rest_of_shop = await ctx.together(*reads)
        checks = [responder]
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
        checks.extend(
            Check(
                "the rest of the storefront stays open",
                passed=home.status_code == _HTTP_OK,
                detail=f"GET / answered {home.status_code}",
            )
            for home in rest_of_shop
        )
        return Verification(self.kind, tuple(checks))

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        if not rollback.entities:
            return await super().verify_rollback(ctx, outcome, rollback)
        prior = outcome.data["prior"]
        if prior["mode"] == "off":
            return Verification(self.kind, tuple(await _open_checks(ctx)))
        checks = [await _responder_still_in(ctx)]
        if prior["mode"] == "full":
            state = await ctx.client.incident_response.maintenance()
            checks.append(
                Check(
                    "Magento's maintenance flag is on again",
                    passed=state.magento_flag,
                    detail=f"the module reports mode {state.mode!r}",
                )
            )
        else:
            path = "/checkout" if prior["mode"] == "checkout" else "/"
            answer = await ctx.page(path, accept=_open_or_closed)
            retry_after = str(prior["retry_after"])
            checks.append(
                Check(
                    f"storefront {path} answers 503 with Retry-After again",
                    passed=answer.status_code == _HTTP_UNAVAILABLE
                    and answer.headers.get("Retry-After") == retry_after,
                    detail=f"HTTP {answer.status_code}, Retry-After "
                    f"{answer.headers.get('Retry-After')!r} (expected {retry_after})",
                )
            )
        return Verification(self.kind, tuple(checks))

    async def conflicts(self, ctx: Context, outcome: Outcome) -> str | None:
        """Maintenance as the store shows it now, against what this step left: anything else
        is a later change, and rolling back would replace it with this step's prior state."""
        now = await ctx.client.incident_response.maintenance()
        if self.mode == "off" and now.mode == "off":
            return None
        if (now.mode, now.retry_after) == (self.mode, self.retry_after) and (
            self.message is None or now.message == self.message
        ):
            return None
        by = ""
        after = outcome.data.get("module_action_id")
        if isinstance(after, int):
            later = [
                record
                for record in await _later_writes(ctx, after, ["maintenance.set"])
                if record.incident_id != ctx.incident_id
            ]
            if later:
                by = (
                    f" (changed by {_who(later[-1])}, module action {later[-1].action_id} at "
                    f"{later[-1].created_at})"
                )
        left = "'off'" if self.mode == "off" else f"{self.mode!r} with {self.retry_after}"
        return (
            f"maintenance is now {now.mode!r} with Retry-After {now.retry_after}{by}, not "
            f"{left} as this step left it: rolling back would set "
            f"it to {outcome.data['prior']['mode']!r} and undo that later change. Roll the later "
            "change back first, or pass --force (force=True)"
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        if not any(entity.status == "ok" for entity in outcome.entities):
            return Outcome(self.kind, "module", (), "nothing written")
        prior = outcome.data["prior"]
        kwargs: dict[str, Any] = {}
        if prior.get("message") is not None:
            kwargs["message"] = prior["message"]
        if prior["mode"] == "full":
            # The allow list it had; the module adds the responder's address to it.
            kwargs["allow_ips"] = prior["allowed_ips"]
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


async def _open_checks(ctx: Context) -> list[Check]:
    """The shop is open: the responder keeps access, the home page answers a shopper normally,
    and Magento's own maintenance flag is off (an allow-listed address sees the shop open even
    under it, so the page alone cannot tell)."""
    responder, home, state = await ctx.together(
        lambda: _responder_still_in(ctx),
        lambda: ctx.page("/", accept=_open_or_closed),
        ctx.client.incident_response.maintenance,
    )
    return [
        responder,
        Check(
            "the storefront answers shoppers normally",
            passed=home.status_code == _HTTP_OK,
            detail=f"GET / answered {home.status_code}"
            + (
                f", Retry-After {home.headers.get('Retry-After')!r}"
                if home.status_code == _HTTP_UNAVAILABLE
                else ""
            ),
        ),
        Check(
            "maintenance is off (module and Magento's flag)",
            passed=state.mode == "off" and not state.magento_flag,
            detail=f"module mode {state.mode!r}, Magento's flag {state.magento_flag}",
        ),
    ]


# --- SuspendPayments ------------------------------------------------------------------------


class SuspendPayments(Action):
    """Switch payment methods off (`payment/<code>/active = 0` wherever on; module only)."""

    kind = "suspend_payments"

    def __init__(self, methods: Sequence[str]) -> None:
        codes = list(dict.fromkeys(_strings(methods, "methods", '["checkmo", "braintree"]')))
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

        async def suspend() -> PaymentSuspensionResult:
            return await ctx.client.incident_response.suspend_payments(
                self.methods,
                reason=ctx.reason,
                incident_id=ctx.incident_id,
                idempotency_key=ctx.key,
            )

        # The outside check's guest cart is filled while the suspension is sent (the methods on
        # offer are computed when read, after it): the check then costs one read.
        result, filled = await asyncio.gather(
            suspend(), _filled_quietly(ctx), return_exceptions=True
        )
        if isinstance(result, BaseException):
            raise result
        ctx.ahead[_CART] = filled
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
        filled = ctx.ahead.pop(_CART, None)
        if isinstance(filled, BaseException):
            raise filled
        probe = await cart_payment_methods(ctx, filled)
        name = "checkout no longer offers the methods"
        if probe.offered is None:
            return Verification(self.kind, (Check(name, passed=None, detail=probe.detail),))
        still = sorted(probe.offered & set(self.methods))
        return Verification(
            self.kind,
            (
                Check(
                    name,
                    passed=not still,
                    detail=f"{probe.detail}; still offered: {', '.join(still)}"
                    if still
                    else f"{probe.detail}; offered now: {_listed(probe.offered)}",
                ),
            ),
        )

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        resumed = {e.entity.removeprefix("payment:") for e in rollback.entities if e.status == "ok"}
        if not resumed:
            return await super().verify_rollback(ctx, outcome, rollback)
        probe = await cart_payment_methods(ctx)
        name = "checkout offers the methods again"
        if probe.offered is None:
            return Verification(self.kind, (Check(name, passed=None, detail=probe.detail),))
        missing = sorted(resumed - probe.offered)
        return Verification(
            self.kind,
            (
                Check(
                    name,
                    passed=not missing,
                    detail=f"{probe.detail}; missing: {', '.join(missing) or 'none'}",
                ),
            ),
        )

    async def conflicts(self, ctx: Context, outcome: Outcome) -> str | None:
        methods = {e.entity.removeprefix("payment:") for e in outcome.entities if e.status == "ok"}
        return await _other_incident_on_top(ctx, outcome, "payments.suspend", methods, "methods")

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


@dataclass(frozen=True, slots=True)
class CartProbe:
    """What an anonymous guest cart was offered: the method codes, or None when it could not
    be observed; `detail` says which product was carted, or why nothing could be."""

    offered: set[str] | None
    detail: str


async def _filled_quietly(ctx: Context) -> FilledCart | CartProbe | MagentoIRError:
    """`fill_guest_cart` alongside a write: its error is kept for the check, never the write's."""
    try:
        return await fill_guest_cart(ctx)
    except MagentoIRError as error:
        return error


@dataclass(frozen=True, slots=True)
class FilledCart:
    """An anonymous guest cart holding one sellable product, ready to be asked its methods."""

    cart: str = field(repr=False)
    sku: str


async def cart_payment_methods(ctx: Context, filled: FilledCart | None = None) -> CartProbe:
    """As an anonymous shopper, through the public guest-cart REST API (what Magento's checkout
    calls after the shipping step): make a cart, put one sellable product in it (or take the
    one `fill_guest_cart` filled), read the payment methods Magento offers that cart on the
    default store view."""
    ready = filled if filled is not None else await fill_guest_cart(ctx)
    if isinstance(ready, CartProbe):
        return ready
    async with ctx.connection.open_storefront() as shopper:
        listed = await replace(ctx, storefront=shopper).page(
            f"{_GUEST_CARTS}/{ready.cart}/payment-methods", accept=_open_or_closed
        )
    methods = _json(listed)
    if listed.status_code != _HTTP_OK or not isinstance(methods, list):
        return CartProbe(None, _unobservable(listed.status_code, "GET guest-carts payment-methods"))
    offered = {
        str(method["code"]) for method in methods if isinstance(method, dict) and "code" in method
    }
    return CartProbe(offered, f"a guest cart holding {ready.sku} (default store view)")


async def fill_guest_cart(ctx: Context) -> FilledCart | CartProbe:
    """A guest cart with one enabled, unquarantined simple or virtual product in it; a
    CartProbe saying why not when none can be made. The methods on offer are computed when they
    are read, so a cart filled before a change shows the change."""
    async with ctx.connection.open_storefront() as shopper:
        probe = replace(ctx, storefront=shopper)
        # The cart, the quarantine list and the first candidates do not depend on each other:
        # asked at once, they cost one round trip instead of three.
        created, quarantined, first = await ctx.together(
            lambda: probe.page(_GUEST_CARTS, method="POST", json={}, accept=_open_or_closed),
            lambda: _quarantined_skus(ctx),
            lambda: _candidate_page(ctx, 1),
        )
        if created.status_code != _HTTP_OK or not isinstance(cart := _json(created), str):
            return CartProbe(None, _unobservable(created.status_code, "POST guest-carts"))
        tried, last = 0, 0
        async with aclosing(_candidate_skus(ctx, quarantined, first)) as candidates:
            async for sku in candidates:
                tried += 1
                item = {"cartItem": {"sku": sku, "qty": 1, "quote_id": cart}}
                added = await probe.page(
                    f"{_GUEST_CARTS}/{cart}/items", method="POST", json=item, accept=_open_or_closed
                )
                last = added.status_code
                if last == _HTTP_UNAVAILABLE:
                    return CartProbe(None, _unobservable(last, "adding to a guest cart"))
                if last == _HTTP_OK:
                    return FilledCart(cart, sku)
                # Otherwise disabled, out of stock or not in the default website: the next one.
    why = (
        f"none of {tried} enabled, unquarantined products could be put in a guest cart "
        f"(last answer {last})"
        if tried
        else "the catalog has no enabled, visible, unquarantined simple or virtual product"
    )
    return CartProbe(
        None,
        f"{why}: the methods on offer cannot be observed; verify again once a product is in stock",
    )


def _listed(codes: set[str]) -> str:
    return ", ".join(sorted(codes)) or "none"


def _unobservable(status: int, what: str) -> str:
    reason = (
        "the store is closed (maintenance)"
        if status == _HTTP_UNAVAILABLE
        else f"{what} answered {status}"
    )
    return f"{reason}: the methods on offer cannot be observed; verify again once it answers"


def _json(response: Response) -> Any:  # noqa: ANN401 - any JSON value
    try:
        return response.json()
    except ValueError:
        return None


async def _quarantined_skus(ctx: Context) -> set[str]:
    """SKUs in an active quarantine (module only): never put in a cart, even if enabled again."""
    if ctx.module is None or "catalog.quarantine" not in ctx.module.actions:
        return set()
    listing = await ctx.client.incident_response.quarantined_products()
    return {item.sku.casefold() for item in listing.items}


async def _candidate_page(ctx: Context, number: int) -> SearchResult[Product]:
    """One small page of enabled, visible simple/virtual products (no options to choose)."""
    criteria = (
        SearchCriteria()
        .where("status", "eq", 1)
        .where("visibility", "in", [2, 3, 4])
        .where("type_id", "in", ["simple", "virtual"])
        .page(_CANDIDATE_PAGE, number)
    )
    return await ctx.client.products.list(criteria)


async def _candidate_skus(
    ctx: Context, quarantined: set[str], first: SearchResult[Product]
) -> AsyncGenerator[str]:
    """SKUs of up to `_CART_CANDIDATES` such products, quarantined ones left out, from the
    `first` page on, reading a small page at a time."""
    page = first
    for number in range(1, _CART_CANDIDATES // _CANDIDATE_PAGE + 1):
        if number > 1:
            page = await _candidate_page(ctx, number)
        for product in page.items:
            if product.sku.casefold() not in quarantined:
                yield product.sku
        if number * _CANDIDATE_PAGE >= page.total_count:
            return
