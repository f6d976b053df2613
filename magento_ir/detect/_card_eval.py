"""Replaying generated traffic through the card-testing detector, scored against its labels.

Used by benchmarks/card_testing.py and its tests. The replay polls like `magento-ir watch`: every
`poll` seconds it takes the orders created since the last poll (by entity id, the same cursor
`fetch_since` keeps), parses them as `Order` models, and hands the detector's state through
JSON between polls, as the watcher's state file does. An alert is a true positive when most of
the orders behind it are attack orders; an attack is detected by its first true alert, at the
poll that raised it (time to detect = that poll - the attack's first attempt).
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING, Any

from magento_ir.detect.cards import CardAlert, CardTestingDetector, CardThresholds, attempts
from magento_ir.models.sales import Order

if TYPE_CHECKING:
    from magento_ir.sandbox.card_traffic import Traffic


@dataclass(slots=True)
class ShapeScore:
    attacks: int = 0
    detected: int = 0
    seconds_to_detect: list[float] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)

    @property
    def recall(self) -> float:
        return self.detected / self.attacks if self.attacks else 0.0

    def to_json(self) -> dict[str, Any]:
        ttd = self.seconds_to_detect
        return {
            "attacks": self.attacks,
            "detected": self.detected,
            "recall": round(self.recall, 3),
            "median_seconds_to_detect": statistics.median(ttd) if ttd else None,
            "max_seconds_to_detect": max(ttd) if ttd else None,
            "signals": sorted(self.signals),
        }


@dataclass(slots=True)
class Score:
    alerts: int = 0
    true_alerts: int = 0
    false_by_signal: dict[str, int] = field(default_factory=dict)
    shapes: dict[str, ShapeScore] = field(default_factory=dict)
    flagged_orders: int = 0
    flagged_attack_orders: int = 0
    attack_orders: int = 0
    orders: int = 0
    days: float = 0.0

    @property
    def precision(self) -> float:
        return self.true_alerts / self.alerts if self.alerts else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "orders": self.orders,
            "days": self.days,
            "alerts": self.alerts,
            "true_alerts": self.true_alerts,
            "precision": round(self.precision, 3),
            "false_alerts_by_signal": dict(sorted(self.false_by_signal.items())),
            "false_alerts_per_day": round((self.alerts - self.true_alerts) / self.days, 3)
            if self.days
            else 0.0,
            "order_precision": round(self.flagged_attack_orders / self.flagged_orders, 3)
            if self.flagged_orders
            else 1.0,
            "order_recall": round(self.flagged_attack_orders / self.attack_orders, 3)
            if self.attack_orders
            else 1.0,
            "shapes": {name: shape.to_json() for name, shape in sorted(self.shapes.items())},
        }


def _epoch(order: dict[str, Any]) -> float:
    moment = datetime.strptime(order["created_at"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return moment.timestamp()


def replay(
    traffic: Traffic, thresholds: CardThresholds | None = None, *, poll: int = 300
) -> list[tuple[float, CardAlert]]:
    """Every alert with the poll time that raised it."""
    limits = thresholds or CardThresholds.shipped()
    state: dict[str, Any] = {}
    raised: list[tuple[float, CardAlert]] = []
    for slot, batch in groupby(traffic.orders, key=lambda order: int(_epoch(order) // poll)):
        detector = CardTestingDetector(limits, json.loads(json.dumps(state)))
        orders = [Order.model_validate(order) for order in batch]
        raised += [((slot + 1) * poll, a) for a in detector.observe(attempts(orders, (), limits))]
        state = detector.state
    return raised


def score(traffic: Traffic, raised: list[tuple[float, CardAlert]]) -> Score:
    attack_ids = traffic.attack_order_ids
    result = Score(orders=len(traffic.orders), attack_orders=len(attack_ids))
    if traffic.orders:
        span = _epoch(traffic.orders[-1]) - _epoch(traffic.orders[0])
        result.days = round(span / 86_400, 2)
    flagged: set[int] = set()
    for attack in traffic.attacks:
        result.shapes.setdefault(attack.shape, ShapeScore()).attacks += 1
    detected: set[int] = set()
    for polled, alert in raised:
        result.alerts += 1
        flagged.update(alert.order_ids)
        hits = [i for i in alert.order_ids if i in attack_ids]
        if 2 * len(hits) <= len(alert.order_ids):
            result.false_by_signal[alert.signal] = result.false_by_signal.get(alert.signal, 0) + 1
            continue
        result.true_alerts += 1
        for number, attack in enumerate(traffic.attacks):
            if not attack.order_ids.intersection(hits):
                continue
            shape = result.shapes[attack.shape]
            shape.signals.add(alert.signal)
            if number not in detected:
                detected.add(number)
                shape.detected += 1
                shape.seconds_to_detect.append(round(polled - attack.start))
    result.flagged_orders = len(flagged)
    result.flagged_attack_orders = len(flagged & attack_ids)
    return result
