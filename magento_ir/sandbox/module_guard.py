"""The companion module's payment guard (`Model/Guard/`), as its plugin on `placeOrder` applies it.

Every order placement of the sandbox (REST payment-information and order routes for guest and
customer carts, GraphQL `placeOrder`) calls `check` first and `record` after, exactly where the
module's plugin on `CartManagementInterface::placeOrder` sits on a real store (the sandbox has no
PayPal Express, Payment Services or multishipping checkout, the paths its plugin on
`OrderManagementInterface::place` covers). Refused attempts
raise the module's message (REST 400; GraphQL an `errors` entry of `placeOrder`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.module_state import GuardEvent, GuardRule
from magento_ir.sandbox.state import magento_time

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.sandbox.module_state import ModuleState

__all__ = [
    "BLOCKED_MESSAGE",
    "FROZEN_MESSAGE",
    "Attempt",
    "card_prefix",
    "check",
    "counters",
    "normalize_value",
    "record",
    "rule_wire",
]

BLOCKED_MESSAGE = (
    "We cannot place this order right now. Please contact us if the problem continues."
)
FROZEN_MESSAGE = "This payment method is temporarily unavailable. Choose another payment method."
RULE_TYPES = ("ip", "email", "customer", "bin", "freeze", "velocity")
SUBJECTS = ("ip", "email", "customer", "quote")
METRICS = ("orders", "failures")
# PHP's FILTER_VALIDATE_EMAIL, near enough for the addresses a responder blocks.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True, slots=True)
class Attempt:
    """What the guard knows of one placement; `card_prefix` is never stored."""

    channel: str
    ip: str | None
    email: str | None
    customer_id: int | None
    quote_id: int | None
    method: str | None
    card_prefix: str | None = None

    def subject(self, name: str | None) -> str | int | None:
        return {
            "ip": self.ip,
            "email": self.email,
            "customer": self.customer_id,
            "quote": self.quote_id,
        }.get(name or "")


def _address(text: str) -> IPv4Address | IPv6Address | None:
    try:
        address = ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _normal_ip(value: str) -> str | None:
    if "/" not in value:
        address = _address(value)
        return str(address) if address is not None else None
    address_text, bits = value.split("/", 1)
    if not bits.isdigit() or _address(address_text) is None:
        return None
    try:
        network = ip_network(f"{address_text}/{int(bits)}", strict=False)
    except ValueError:
        return None
    if network.prefixlen == network.max_prefixlen:
        return str(network.network_address)
    return str(network)


def _normal_email(value: str) -> str | None:
    return value.lower() if _EMAIL.match(value) and len(value) <= 255 else None  # noqa: PLR2004


_PATTERNS = {
    "customer": re.compile(r"[1-9]\d{0,9}"),
    "bin": re.compile(r"\d{6,8}"),
    "freeze": re.compile(r"[a-z0-9_]{1,64}"),
}


def normalize_value(rule_type: str, value: str) -> str | None:
    """The stored form of one value of a block rule (`RuleInput::normalize`), None if invalid."""
    value = value.strip()
    if rule_type == "ip":
        return _normal_ip(value)
    if rule_type == "email":
        return _normal_email(value)
    pattern = _PATTERNS.get(rule_type)
    return value if pattern is not None and pattern.fullmatch(value) else None


def _contains(rule_range: str, ip: str) -> bool:
    address = _address(ip)
    if address is None:
        return False
    try:
        network = ip_network(rule_range, strict=False)
    except ValueError:
        return False
    return network.version == address.version and address in network


def card_prefix(number: object) -> str | None:
    """The first digits (at most 8) of a card number a payment method exposed."""
    if not isinstance(number, str | int) or isinstance(number, bool):
        return None
    digits = re.sub(r"[\s-]", "", str(number))
    return digits[:8] if re.fullmatch(r"\d{6,19}", digits) else None


def _matches(rule: GuardRule, value: str, attempt: Attempt) -> bool:
    if rule.type == "ip":
        return attempt.ip is not None and _contains(value, attempt.ip)
    if rule.type == "email":
        return attempt.email == value
    if rule.type == "customer":
        return attempt.customer_id is not None and str(attempt.customer_id) == value
    if rule.type == "bin":
        prefix = attempt.card_prefix
        return prefix is not None and len(prefix) >= len(value) and prefix.startswith(value)
    return rule.type == "freeze" and attempt.method == value


def first_match(
    rules: list[GuardRule], attempt: Attempt, count: Callable[[GuardRule, str | int], int]
) -> GuardRule | None:
    """Block lists first (in rule order), then velocity limits (`PaymentGuard::firstMatch`)."""
    for rule in rules:
        if rule.type != "velocity" and any(_matches(rule, value, attempt) for value in rule.values):
            return rule
    for rule in rules:
        value = attempt.subject(rule.subject) if rule.type == "velocity" else None
        if value is None or value == "":
            continue
        if count(rule, value) >= (rule.limit or 0):
            return rule
    return None


def active_rules(module: ModuleState, now: float) -> list[GuardRule]:
    return [
        rule
        for _id, rule in sorted(module.guard_rules.items())
        if rule.removed_at is None and (rule.expires_at is None or rule.expires_at > int(now))
    ]


def check(module: ModuleState, attempt: Attempt, now: float) -> str | None:
    """The refusal message when a rule blocks the attempt (the block is logged), else None."""

    def count(rule: GuardRule, value: str | int) -> int:
        outcome = "order" if rule.metric == "orders" else "failure"
        since = int(now) - (rule.window or 0)
        return sum(
            1
            for event in module.guard_events
            if event.outcome == outcome
            and int(event.at) >= since
            and Attempt("", event.ip, event.email, event.customer_id, event.quote_id, None).subject(
                rule.subject
            )
            == value
        )

    rule = first_match(active_rules(module, now), attempt, count)
    if rule is None:
        return None
    row: dict[str, Any] = {
        "block_id": len(module.guard_blocks) + 1,
        "created_at": magento_time(now),
        "rule_id": rule.rule_id,
        "rule_type": rule.type,
        "channel": attempt.channel,
    }
    row.update(
        {
            key: value
            for key, value in (
                ("ip", attempt.ip),
                ("email", attempt.email),
                ("customer_id", attempt.customer_id),
                ("quote_id", attempt.quote_id),
                ("method", attempt.method),
            )
            if value is not None
        }
    )
    module.guard_blocks.append(row)
    return FROZEN_MESSAGE if rule.type == "freeze" else BLOCKED_MESSAGE


def record(module: ModuleState, attempt: Attempt, outcome: str, now: float) -> None:
    """Counts a placement's outcome (`order` or `failure`) for velocity rules."""
    module.guard_events.append(
        GuardEvent(
            int(now), outcome, attempt.ip, attempt.email, attempt.customer_id, attempt.quote_id
        )
    )


def counters(module: ModuleState) -> dict[int, dict[str, Any]]:
    """Each rule's refusal counter (`magento_ir_guard_counter`), by rule id; the module bumps it
    as it logs each refusal, so counting the log gives the same numbers."""
    found: dict[int, dict[str, Any]] = {}
    for row in module.guard_blocks:
        counter = found.setdefault(
            row["rule_id"],
            {"rule_id": row["rule_id"], "rule_type": row["rule_type"], "blocked": 0,
             "first_blocked_at": row["created_at"]},
        )  # fmt: skip
        counter["blocked"] += 1
        counter["last_blocked_at"] = row["created_at"]
    return dict(sorted(found.items()))


def rule_wire(module: ModuleState, rule: GuardRule) -> dict[str, Any]:
    """The rule as `GuardRuleInterface` serialises it (nulls omitted), with its counter."""
    counter = counters(module).get(rule.rule_id)
    wire: dict[str, Any] = {"rule_id": rule.rule_id, "type": rule.type, "values": rule.values}
    wire.update(
        {
            key: value
            for key, value in (
                ("subject", rule.subject),
                ("metric", rule.metric),
                ("limit", rule.limit),
                ("window", rule.window),
            )
            if value is not None
        }
    )
    wire["created_at"] = magento_time(rule.created_at)
    if rule.expires_at is not None:
        wire["expires_at"] = magento_time(rule.expires_at)
    if rule.removed_at is not None:
        wire["removed_at"] = magento_time(rule.removed_at)
    if rule.incident_id is not None:
        wire["incident_id"] = rule.incident_id
    wire["reason"] = rule.reason
    wire["blocked"] = counter["blocked"] if counter else 0
    if counter:
        wire["first_blocked_at"] = counter["first_blocked_at"]
        wire["last_blocked_at"] = counter["last_blocked_at"]
    return wire
