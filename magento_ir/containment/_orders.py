"""HoldOrders: core REST holds that are never repeated blindly."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
)
from magento_ir.containment._base import (
    _LIST_BATCH,
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
# Sends of a non-repeatable write, each after a read showed the previous one did not happen.
_SETTLE_ATTEMPTS = 3


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

        entities = await ctx.each(list(orders), hold, entities=True)
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
            tuple(await ctx.each(outcome.entities, unhold, entities=True)),
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
