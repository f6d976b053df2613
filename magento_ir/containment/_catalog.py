"""QuarantineProducts: module quarantine, or core-REST status saves minding store-view overrides."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
)
from magento_ir.containment._base import (
    _HTTP_UNAVAILABLE,
    _MODULE_RETRIES,
    Action,
    _ambiguous,
    _gone_or_closed,
    _listed_skus,
    _other_incident_on_top,
    _reason,
    _scoped_statuses,
    _sku_batches,
    _store_codes,
    _strings,
    _visible_skus,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification
from magento_ir.models import ProductStatus

if TYPE_CHECKING:
    from collections.abc import Sequence

    from magento_ir._http import Response
    from magento_ir.containment._context import Context

_QUARANTINE_BATCH = 10_000
# Product pages checked after a quarantine (GraphQL checks every SKU; pages are a spot check).
_PAGE_SAMPLE = 5


# --- QuarantineProducts ---------------------------------------------------------------------


class QuarantineProducts(Action):
    """Take SKUs off sale in every scope. Module: one call per 10,000 SKUs. Core REST fallback:
    `PUT /rest/all/V1/products/:sku` status 2 per SKU, then every store view that still shows
    the product enabled (a store-view override, magento-api.md §6.2) gets status 2 as well."""

    kind = "quarantine_products"

    def __init__(self, skus: Sequence[str]) -> None:
        cleaned = list(dict.fromkeys(_strings(skus, "skus", '["IR-SKU-001", "IR-SKU-002"]')))
        if not cleaned or any(not sku.strip() for sku in cleaned):
            raise InvalidArgumentError("skus must be a non-empty list of non-empty SKU strings")
        self.skus = cleaned

    def params(self) -> dict[str, Any]:
        return {"skus": self.skus}

    async def plan(self, ctx: Context) -> Plan:
        # url_keys of a few SKUs, for the product-page spot check after the quarantine.
        sample = await _visible_skus(ctx, self.skus[:_PAGE_SAMPLE], None)
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
        action_ids: list[int] = []
        ctx.expect(len(self.skus))
        for number, start in enumerate(range(0, len(self.skus), _QUARANTINE_BATCH)):
            batch = self.skus[start : start + _QUARANTINE_BATCH]
            result = await ctx.client.incident_response.quarantine_products(
                batch,
                reason=ctx.reason,
                incident_id=ctx.incident_id,
                idempotency_key=ctx.key if number == 0 else f"{ctx.key}.b{number}",
            )
            action_ids.append(result.action_id)
            ctx.advance(len(batch))
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
                    entities.append(
                        EntityResult(f"sku:{item.sku}", "failed", f"no such product {item.sku}")
                    )
        return Outcome(
            self.kind,
            "module",
            tuple(entities),
            _MODULE_RETRIES,
            {
                "quarantine_ids": quarantine_ids,
                "url_keys": plan.prior["url_keys"],
                # The first write: later writes by other incidents are looked for after it.
                "module_action_id": min(action_ids, default=None),
            },
        )

    async def conflicts(self, ctx: Context, outcome: Outcome) -> str | None:
        if outcome.path != "module":
            return None
        skus = {e.entity.removeprefix("sku:") for e in outcome.entities if e.status == "ok"}
        return await _other_incident_on_top(ctx, outcome, "catalog.quarantine", skus, "skus")

    async def _apply_core(self, ctx: Context, plan: Plan) -> Outcome:
        products: dict[str, Any] = plan.prior["products"]
        codes: list[str] = plan.prior["store_codes"]
        admin = ctx.client.with_store("all")
        failures: dict[str, str] = {
            sku: f"no such product {sku}" for sku, state in products.items() if state is None
        }
        # SKUs with a PUT that got no telling answer: the store may have disabled them anyway.
        maybe: set[str] = set()

        async def disable(item: tuple[str, str]) -> None:
            code, sku = item
            client = admin if code == "all" else ctx.client.with_store(code)
            try:
                # Setting a status to a value is harmless to repeat: retried.
                await client.products.update(sku, {"status": 2}, idempotent=True)
            except MagentoIRError as error:
                failures[sku] = f"{code}: {_reason(error)}"
                if _ambiguous(error):
                    maybe.add(sku)

        await ctx.each(
            [("all", sku) for sku in self.skus if sku not in failures], disable, entities=True
        )
        # The store-view trap: a view with its own status value still shows the product.
        written: dict[str, list[str]] = {}
        for code in codes:
            remaining = [sku for sku in self.skus if sku not in failures]
            statuses = await _scoped_statuses(ctx, code, remaining)
            disabled = (ProductStatus.DISABLED, None)
            enabled = [
                sku for sku in remaining if statuses.get(sku, disabled)[0] != ProductStatus.DISABLED
            ]
            await ctx.each([(code, sku) for sku in enabled], disable, entities=True)
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
                "maybe_disabled": sorted(maybe),
            },
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        targets = [
            entity.entity.removeprefix("sku:")
            for entity in outcome.entities
            if entity.status == "ok"
        ]
        url_keys: dict[str, Any] = outcome.data.get("url_keys", {})
        pages = [(sku, url_keys[sku]) for sku in targets if url_keys.get(sku)]

        async def page(item: tuple[str, str]) -> tuple[str, Response]:
            sku, url_key = item
            answer = await ctx.page(f"/{url_key}.html", accept=_gone_or_closed)
            return sku, answer

        codes = await _store_codes(ctx.client)
        queries = [(code, batch) for code in codes for batch in _sku_batches(targets)]
        # Every store view's GraphQL batches and the product pages are independent outside
        # reads: one bounded pool runs them all.
        found = await ctx.together(
            *(partial(_listed_skus, ctx, batch, code) for code, batch in queries),
            *(partial(page, item) for item in pages),
        )
        listed: dict[str, set[str]] = {code: set() for code in codes}
        for (code, _), seen in zip(queries, found, strict=False):
            listed[code].update(seen)
        answers: list[tuple[str, Response]] = found[len(queries) :]
        checks: list[Check] = []
        for code in codes:
            still = sorted(listed[code] & set(targets))
            checks.append(
                Check(
                    f"GraphQL products on store view {code} lists none of them",
                    passed=not still,
                    detail=f"still listed: {', '.join(still)}"
                    if still
                    else f"{len(targets)} absent",
                )
            )
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
        seen = await _visible_skus(ctx, expected, None)
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
            ctx.expect(sum(1 for entity in outcome.entities if entity.status == "ok"))
            for number, quarantine_id in enumerate(outcome.data.get("quarantine_ids", [])):
                result = await ctx.client.incident_response.release_products(
                    quarantine_id,
                    reason=ctx.reason,
                    incident_id=ctx.incident_id,
                    idempotency_key=f"{ctx.key}.q{number}",
                )
                ctx.advance(len(result.items))
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
        maybe = outcome.data.get("maybe_disabled", [])
        admin = ctx.client.with_store("all")

        async def restore(entity: EntityResult) -> EntityResult:
            sku = entity.entity.removeprefix("sku:")
            # A PUT whose answer was lost may have disabled the SKU: writing the prior statuses
            # back is harmless either way.
            if entity.status != "ok" and sku not in maybe:
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

        entities_back = await ctx.each(outcome.entities, restore, entities=True)
        return Outcome(
            self.kind,
            "core",
            tuple(entities_back),
            "core PUT status=<prior>: re-applying is harmless, so it is retried",
        )
