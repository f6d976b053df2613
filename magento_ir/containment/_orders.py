"""HoldOrders: the module's bulk hold, or core REST holds that are never repeated blindly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
)
from magento_ir.containment._base import (
    _LIST_BATCH,
    _MODULE_RETRIES,
    Action,
    _ambiguous,
    _ids,
    _reason,
    _strings,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from magento_ir.containment._context import Context

_HELD = "holded"
# Orders read back per page when verifying a bulk hold (ids only; the most any store allows).
_VERIFY_PAGE = 300
# Bulk-hold calls at most (10,000 orders each), so a selection that never shrinks cannot loop.
_MAX_HOLD_CALLS = 100
# Named orders per bulk-hold call (the module's limit).
_NAMED_PER_CALL = 10_000
# Sends of a non-repeatable write, each after a read showed the previous one did not happen.
_SETTLE_ATTEMPTS = 3


# --- HoldOrders -------------------------------------------------------------------------------


class HoldOrders(Action):
    """Put orders on hold so nothing ships while you investigate.

    Orders in `statuses` (default pending and processing), narrowed to `order_ids` and to those
    created in [`created_from`, `created_to`] (UTC "YYYY-MM-DD HH:MM:SS") when given. Module: the
    module selects and holds them through Magento's own hold, 10,000 per call, and records what
    it held (rollback releases exactly those). Core REST fallback: `POST /V1/orders/:id/hold` per
    order, never retried blindly: each order is read first (a held order is left alone), and
    after any failure it is read back to learn whether the hold happened.
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
        self.statuses = _strings(statuses, "statuses", '["pending", "processing"]')
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

    def _selection(self) -> str:
        parts = [f"statuses {', '.join(self.statuses)}"]
        if self.order_ids is not None:
            parts.append(f"{len(self.order_ids)} named orders")
        if self.created_from is not None:
            parts.append(f"created from {self.created_from}")
        if self.created_to is not None:
            parts.append(f"created to {self.created_to}")
        return "; ".join(parts)

    async def plan(self, ctx: Context) -> Plan:
        if ctx.module is not None and "orders.hold" in ctx.module.actions:
            # The module selects the orders itself, in the transaction that holds them: nothing
            # to read first, and its answer records each order's prior state.
            return Plan(
                self.kind,
                "module",
                f"hold every order matching ({self._selection()}) in bulk; the module records "
                "which it held",
                changes=(f"orders: {self._selection()}",),
            )
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
        if plan.path == "module":
            return await self._apply_module(ctx)
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

        entities = await ctx.each(list(orders), hold, entities=True)
        return Outcome(
            self.kind,
            "core",
            tuple(entities),
            "core POST hold: never retried blindly; re-sent only after a read shows the order not "
            "on hold following an ambiguous failure",
            {"prior": orders},
        )

    async def _apply_module(self, ctx: Context) -> Outcome:
        entities: dict[int, EntityResult] = {}
        hold_ids: list[int] = []
        action_ids: list[int] = []
        prior: dict[str, Any] = {}
        # Named orders go 10,000 to a call (the module's limit); an empty list names none (the
        # module would read it as "every order").
        named = self.order_ids
        batches: list[list[int] | None] = (
            [None]
            if named is None
            else [
                named[start : start + _NAMED_PER_CALL]
                for start in range(0, len(named), _NAMED_PER_CALL)
            ]
        )
        calls = 0
        for batch in batches:
            for attempt in range(_MAX_HOLD_CALLS):
                result = await ctx.client.incident_response.hold_orders(
                    self.statuses,
                    reason=ctx.reason,
                    incident_id=ctx.incident_id,
                    order_ids=batch,
                    created_from=self.created_from,
                    created_to=self.created_to,
                    idempotency_key=ctx.key if calls == 0 else f"{ctx.key}.b{calls}",
                )
                calls += 1
                action_ids.append(result.action_id)
                if attempt == 0:
                    ctx.expect(result.matched)
                ctx.advance(len(result.items))
                if result.hold_id is not None:
                    hold_ids.append(result.hold_id)
                for item in result.items:
                    entities[item.order_id] = _held_entity(item.order_id, item.result, item.message)
                    if item.result == "held":
                        prior[str(item.order_id)] = {
                            "state": item.prior_state,
                            "status": item.prior_status,
                        }
                # Held orders leave the selection, so the next call takes the next 10,000; one
                # that held nothing would select the same orders again.
                if result.remaining == 0 or result.held == 0:
                    break
            if result.remaining:
                entities[0] = EntityResult(
                    "orders:remaining",
                    "failed",
                    f"{result.remaining} more orders match beyond the 10,000 per call the "
                    "module takes, and the last call could hold none of its orders; narrow the "
                    "selection (created_from, order_ids) and run again",
                )
        return Outcome(
            self.kind,
            "module",
            tuple(entities[key] for key in sorted(entities)),
            _MODULE_RETRIES,
            {
                "hold_ids": hold_ids,
                "prior": prior,
                # The first write: later writes by other incidents are looked for after it.
                "module_action_id": min(action_ids, default=None),
            },
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        held = [entity.entity for entity in outcome.entities if entity.status == "ok"]
        ids = [int(entity.removeprefix("order:")) for entity in held]
        if outcome.path == "module":
            return await self._verify_module(ctx, ids)
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

    async def _verify_module(self, ctx: Context, ids: list[int]) -> Verification:
        """Read back by sets, so any number of orders takes a request or two: the orders of the
        selection still off hold (between the lowest and highest id held) must include none of
        those held (a held order that left the statuses since was moved on by someone else), and
        the store must count at least as many orders on hold in that range as were held."""
        if not ids:
            return Verification(
                self.kind,
                (Check("orders read back in state holded", passed=True, detail="none held"),),
            )
        span = (
            SearchCriteria()
            .where("entity_id", "gteq", min(ids))
            .where("entity_id", "lteq", max(ids))
        )
        off_hold = (
            span.where("status", "in", self.statuses)
            .where("state", "neq", _HELD)
            .order_by("entity_id")
            .select("entity_id")
        )
        if self.created_from is not None:
            off_hold = off_hold.where("created_at", "gteq", self.created_from)
        if self.created_to is not None:
            off_hold = off_hold.where("created_at", "lteq", self.created_to)

        async def still_off() -> set[int]:
            return {
                order.entity_id
                async for order in ctx.client.orders.iterate(off_hold, page_size=_VERIFY_PAGE)
                if order.entity_id is not None
            }

        async def on_hold() -> int:
            page = await ctx.client.orders.list(
                span.where("state", "eq", _HELD).select("entity_id").page(1, 1)
            )
            return page.total_count

        off, counted = await ctx.together(still_off, on_hold)
        not_held = sorted(off & set(ids))
        return Verification(
            self.kind,
            (
                Check(
                    "orders read back in state holded",
                    passed=not not_held and counted >= len(ids),
                    detail=f"not on hold: {', '.join(f'order:{i}' for i in not_held)}"
                    if not_held
                    else f"{len(ids)} held; none of them off hold; {counted} on hold between "
                    f"order {min(ids)} and {max(ids)}",
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
        if rollback.path == "module":
            held_now = await _held_among(ctx, released)
            still = [f"order:{order_id}" for order_id in released if order_id in held_now]
        else:
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
        if outcome.path == "module":
            return await self._rollback_module(ctx, outcome)
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
            tuple(await ctx.each(outcome.entities, unhold, entities=True)),
            "core POST unhold: never retried blindly; re-sent only after a read shows the order "
            "still on hold following an ambiguous failure",
        )

    async def _rollback_module(self, ctx: Context, outcome: Outcome) -> Outcome:
        entities: list[EntityResult] = []
        ctx.expect(sum(1 for entity in outcome.entities if entity.status == "ok"))
        for number, hold_id in enumerate(outcome.data.get("hold_ids", [])):
            result = await ctx.client.incident_response.unhold_orders(
                hold_id,
                reason=ctx.reason,
                incident_id=ctx.incident_id,
                idempotency_key=f"{ctx.key}.u{number}",
            )
            ctx.advance(len(result.items))
            for item in result.items:
                entity = f"order:{item.order_id}"
                if item.result == "released":
                    entities.append(EntityResult(entity, "ok", "released from hold"))
                elif item.result == "not_on_hold":
                    entities.append(
                        EntityResult(entity, "skipped", "no longer on hold: left as it is")
                    )
                else:
                    entities.append(EntityResult(entity, "failed", item.message or item.result))
        return Outcome(self.kind, "module", tuple(entities), _MODULE_RETRIES)


def _held_entity(order_id: int, result: str, message: str | None) -> EntityResult:
    """A bulk hold's answer for one order, as the journal shows it."""
    entity = f"order:{order_id}"
    if result == "held":
        return EntityResult(entity, "ok", "on hold")
    if result == "already_held":
        return EntityResult(entity, "skipped", "already on hold (left as it is)")
    if result == "not_matched":
        return EntityResult(entity, "skipped", "not in the statuses or dates asked for")
    if result == "not_found":
        return EntityResult(entity, "failed", f"no such order {order_id}")
    return EntityResult(entity, "failed", message or "Magento did not hold it")


async def _held_among(ctx: Context, ids: list[int]) -> set[int]:
    """Which of these orders are on hold now: orders in state holded between the lowest and the
    highest id, read by id only (pages of 300)."""
    if not ids:
        return set()
    criteria = (
        SearchCriteria()
        .where("state", "eq", _HELD)
        .where("entity_id", "gteq", min(ids))
        .where("entity_id", "lteq", max(ids))
        .order_by("entity_id")
        .select("entity_id")
    )
    wanted = set(ids)
    return {
        order.entity_id
        async for order in ctx.client.orders.iterate(criteria, page_size=_VERIFY_PAGE)
        if order.entity_id in wanted
    }


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
