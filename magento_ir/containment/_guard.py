"""Blocking order placement through the companion module's payment guard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from magento_ir._exceptions import InvalidArgumentError
from magento_ir.containment._base import _MODULE_RETRIES, Action, _strings
from magento_ir.containment._model import Check, EntityResult, Outcome, Plan, Verification

if TYPE_CHECKING:
    from collections.abc import Sequence

    from magento_ir.containment._context import Context
    from magento_ir.models.incident_response import GuardMetric, GuardRuleType, GuardSubject

_BLOCK_RULES = ("ip", "email", "customer", "bin", "freeze")


class BlockOrders(Action):
    """Refuse order placement that matches a payment-guard rule (IPs and CIDRs, e-mails,
    customers, card BINs, a frozen payment method, or a velocity limit; module only).

    The module applies the rule inside Magento to every order placement (REST, the storefront
    checkout, GraphQL); rollback removes the rule.
    """

    kind: ClassVar[str] = "block_orders"

    def __init__(
        self,
        rule: GuardRuleType,
        values: Sequence[str] = (),
        *,
        subject: GuardSubject | None = None,
        metric: GuardMetric | None = None,
        limit: int | None = None,
        window: int | None = None,
        ttl: int | None = None,
    ) -> None:
        velocity = (subject, metric, limit, window)
        if rule == "velocity":
            if values or None in velocity:
                raise InvalidArgumentError(
                    "a velocity rule takes subject, metric, limit and window (e.g. subject='ip', "
                    "metric='failures', limit=5, window=600), not values"
                )
        elif rule in _BLOCK_RULES:
            values = _strings(values, "values", '["198.51.100.0/24"]')
            if not values or any(item is not None for item in velocity):
                raise InvalidArgumentError(
                    f"a {rule!r} rule takes values (what to refuse) and no velocity settings"
                )
        else:
            raise InvalidArgumentError(
                f"rule must be one of {', '.join((*_BLOCK_RULES, 'velocity'))}, not {rule!r}"
            )
        self.rule: GuardRuleType = rule
        self.values = list(values)
        self.subject, self.metric, self.limit, self.window, self.ttl = (
            subject,
            metric,
            limit,
            window,
            ttl,
        )

    def params(self) -> dict[str, Any]:
        given = {
            "values": self.values or None,
            "subject": self.subject,
            "metric": self.metric,
            "limit": self.limit,
            "window": self.window,
            "ttl": self.ttl,
        }
        return {"rule": self.rule, **{k: v for k, v in given.items() if v is not None}}

    def _require(self, ctx: Context) -> None:
        ctx.require_module("BlockOrders", "guard.rule_add", "refuse order placement")

    def _describe(self) -> str:
        if self.rule == "velocity":
            return f"more than {self.limit} {self.metric} per {self.subject} in {self.window} s"
        return f"{self.rule} {', '.join(self.values)}"

    async def plan(self, ctx: Context) -> Plan:
        self._require(ctx)
        return Plan(
            self.kind,
            "module",
            f"refuse order placement: {self._describe()} (module payment guard)",
            changes=(f"guard:{self._describe()}",),
        )

    async def apply(self, ctx: Context, plan: Plan) -> Outcome:  # noqa: ARG002 - Action's signature
        self._require(ctx)
        result = await ctx.client.incident_response.add_guard_rule(
            self.rule,
            self.values,
            reason=ctx.reason,
            subject=self.subject,
            metric=self.metric,
            limit=self.limit,
            window=self.window,
            ttl=self.ttl,
            incident_id=ctx.incident_id,
            idempotency_key=ctx.key,
        )
        return Outcome(
            self.kind,
            "module",
            (EntityResult(f"guard_rule:{result.rule.rule_id}", "ok", self._describe()),),
            _MODULE_RETRIES,
            {"module_action_id": result.action_id, "rule_id": result.rule.rule_id},
        )

    async def _in_force(self, ctx: Context) -> set[int]:
        return {rule.rule_id for rule in (await ctx.client.incident_response.guard_rules()).items}

    async def verify(self, ctx: Context, outcome: Outcome) -> Verification:
        rule_id = outcome.data.get("rule_id")
        in_force = await self._in_force(ctx)
        return Verification(
            self.kind,
            (
                Check(
                    "the store's guard has the rule in force",
                    passed=rule_id in in_force,
                    detail=f"rule {rule_id}; in force: {sorted(in_force) or 'none'}",
                ),
            ),
        )

    async def verify_rollback(
        self, ctx: Context, outcome: Outcome, rollback: Outcome
    ) -> Verification:
        rule_id = outcome.data.get("rule_id")
        if rule_id is None:
            return await super().verify_rollback(ctx, outcome, rollback)
        in_force = await self._in_force(ctx)
        return Verification(
            self.kind,
            (
                Check(
                    "the store's guard no longer has the rule",
                    passed=rule_id not in in_force,
                    detail=f"rule {rule_id}; in force: {sorted(in_force) or 'none'}",
                ),
            ),
        )

    async def rollback(self, ctx: Context, outcome: Outcome) -> Outcome:
        rule_id = outcome.data.get("rule_id")
        if not isinstance(rule_id, int):
            return Outcome(self.kind, "module", (), "nothing written")
        result = await ctx.client.incident_response.remove_guard_rules(
            [rule_id], reason=ctx.reason, incident_id=ctx.incident_id, idempotency_key=ctx.key
        )
        entity = (
            EntityResult(f"guard_rule:{rule_id}", "ok", "removed")
            if result.removed
            else EntityResult(f"guard_rule:{rule_id}", "skipped", "already removed or lapsed")
        )
        return Outcome(
            self.kind,
            "module",
            (entity,),
            _MODULE_RETRIES,
        )
