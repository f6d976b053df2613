"""DisableCmsBlocks: snapshot the block into the journal, then switch it off."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from magento_ir._exceptions import (
    InvalidArgumentError,
    MagentoIRError,
    NotFoundError,
)
from magento_ir.containment._base import (
    _HTTP_OK,
    Action,
    _ambiguous,
    _ids,
    _open_or_closed,
    _reason,
)
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification

if TYPE_CHECKING:
    from collections.abc import Sequence

    from magento_ir.containment._context import Context

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
        # Blocks whose PUT got no telling answer: the store may have disabled them all the same.
        maybe: list[str] = []

        async def disable(block_id: str) -> EntityResult:
            entity = f"block:{block_id}"
            if blocks[block_id] is None:
                return EntityResult(entity, "failed", f"no such CMS block {block_id}")
            try:
                # Setting active to false is harmless to repeat: retried.
                await admin.cms_blocks.update(int(block_id), {"active": False}, idempotent=True)
            except MagentoIRError as error:
                if _ambiguous(error):
                    maybe.append(block_id)
                return EntityResult(entity, "failed", _reason(error))
            return EntityResult(entity, "ok", "disabled")

        entities = tuple(await ctx.each(list(blocks), disable, entities=True))
        return Outcome(
            self.kind,
            "core",
            entities,
            "core PUT active=false: re-applying is harmless, so it is retried",
            {
                "prior": {key: _block_flags(value) for key, value in blocks.items()},
                "maybe_disabled": sorted(maybe),
            },
        )

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        disabled = [entity.entity for entity in outcome.entities if entity.status == "ok"]

        async def active(entity: str) -> tuple[str, bool | None]:
            block = await ctx.client.cms_blocks.retrieve(int(entity.removeprefix("block:")))
            return entity, block.active

        # The blocks' read-back and the shopper's home page are independent reads.
        states, home = await ctx.together(
            lambda: ctx.each(disabled, active), lambda: ctx.page("/", accept=_open_or_closed)
        )
        still = [entity for entity, value in states if value]
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

        maybe = outcome.data.get("maybe_disabled", [])

        async def restore(entity: EntityResult) -> EntityResult:
            block_id = entity.entity.removeprefix("block:")
            flags = prior.get(block_id)
            # A PUT whose answer was lost may have disabled the block: putting the prior flag
            # back is harmless either way.
            if flags is None or (entity.status != "ok" and block_id not in maybe):
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
            tuple(await ctx.each(outcome.entities, restore, entities=True)),
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
