"""Days of order traffic with labelled card-testing attacks mixed in (seeded, deterministic).

For the card-testing benchmark (benchmarks/card_testing.py) and its tests: `generate()` answers
orders in Magento's REST shape (only fields `GET /V1/orders` returns: `remote_ip`,
`customer_email`, `customer_is_guest`, `quote_id`, `grand_total`, `state`, `payment.cc_last4`,
`payment.cc_type`, `extension_attributes.payment_additional_info`) and, for each attack, its
shape, start and the order ids it placed. Normal traffic follows a day and week curve, with
repeat customers, shared office IPs, legitimate declines and a few cheap orders; attacks are
slow or fast, from one IP or a botnet, on one BIN or many. The payment method is taken to expose
the card's first digits as `cc_bin` (as some gateways do); no card number is ever generated.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["SHAPES", "Attack", "AttackShape", "Traffic", "generate"]

START = datetime(2026, 11, 2, tzinfo=UTC)  # a Monday


@dataclass(frozen=True, slots=True)
class AttackShape:
    """How one kind of attack behaves: attempts, over how long, from how many IPs and BINs."""

    name: str
    attempts: int
    minutes: int
    ips: int  # 1: one IP; more: a botnet, each attempt from one of them
    bins: int  # 1: one BIN (enumeration); more: cards from many issuers
    decline_rate: float
    max_amount: float


SHAPES = (
    AttackShape("fast-one-ip-one-bin", 60, 10, 1, 1, 0.85, 1.0),
    AttackShape("fast-one-ip-many-bins", 40, 15, 1, 40, 0.8, 2.0),
    AttackShape("slow-one-ip", 30, 360, 1, 30, 0.8, 3.0),
    AttackShape("fast-botnet-one-bin", 80, 20, 60, 1, 0.85, 1.0),
    AttackShape("slow-botnet-one-bin", 60, 360, 60, 1, 0.8, 2.0),
    AttackShape("slow-botnet-many-bins", 96, 480, 96, 96, 0.8, 3.0),
)


@dataclass(frozen=True, slots=True)
class Attack:
    shape: str
    start: float  # epoch seconds of its first attempt
    order_ids: frozenset[int]


@dataclass(slots=True)
class Traffic:
    orders: list[dict[str, Any]] = field(default_factory=list)
    attacks: list[Attack] = field(default_factory=list)

    @property
    def attack_order_ids(self) -> frozenset[int]:
        return frozenset().union(*(attack.order_ids for attack in self.attacks))


# Orders per hour by hour of day (a shop's evening peak); weekends x1.3.
_DAY_CURVE = (3, 2, 1, 1, 1, 2, 4, 8, 12, 14, 15, 16, 18, 17, 16, 16, 18, 22, 26, 28, 25, 18, 10, 5)
_BINS = tuple(f"{400000 + 7919 * n % 599999:06d}" for n in range(300))
_BIN_WEIGHTS = tuple(1 / (rank + 1) ** 0.8 for rank in range(len(_BINS)))
_TYPES = {"4": "VI", "5": "MC", "3": "AE", "6": "DI"}


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S")


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: means here are small (< 40).
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class _Builder:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
        self.traffic = Traffic()
        self.next_id = 1
        self.bins: dict[int, str] = {}

    def order(  # noqa: PLR0917 - one order's facts, named at every call
        self,
        at: float,
        ip: str,
        email: str,
        guest: bool,
        amount: float,
        declined: bool,
        card_bin: str,
    ) -> int:
        entity_id = self.next_id
        self.next_id += 1
        last4 = f"{self.rng.randrange(10_000):04d}"
        cc_type = _TYPES.get(card_bin[0], "VI")
        response = "Processor Declined" if declined else "Approved"
        self.traffic.orders.append(
            {
                "entity_id": entity_id,
                "increment_id": f"{entity_id:09d}",
                "created_at": _stamp(at),
                "remote_ip": ip,
                "customer_email": email,
                "customer_is_guest": int(guest),
                "quote_id": 10_000 + entity_id,
                "grand_total": amount,
                "base_grand_total": amount,
                "state": "canceled" if declined else "processing",
                "status": "canceled" if declined else "processing",
                "payment": {
                    "method": "braintree",
                    "cc_last4": last4,
                    "cc_type": cc_type,
                    "additional_information": ["Credit Card (Braintree)"],
                },
                "extension_attributes": {
                    "payment_additional_info": [
                        {"key": "cc_type", "value": cc_type},
                        {"key": "cc_bin", "value": card_bin},
                        {"key": "processorResponseText", "value": response},
                    ]
                },
            }
        )
        return entity_id

    def customer_bin(self, customer: int) -> str:
        """A customer keeps their card's BIN; popular issuers dominate (Zipf, s = 0.8: the most
        common BIN is about 6 % of cards)."""
        if customer not in self.bins:
            self.bins[customer] = self.rng.choices(_BINS, weights=_BIN_WEIGHTS)[0]
        return self.bins[customer]

    def normal_hour(self, start: float, rate: float) -> None:
        rng = self.rng
        for _ in range(_poisson(rng, rate)):
            customer = rng.randrange(3000)
            if rng.random() < 0.05:  # noqa: PLR2004 - share of orders from office NATs
                ip = f"192.0.2.{rng.randrange(1, 6)}"
            else:
                ip = f"198.51.{customer % 200}.{customer // 200 + 1}"
            card_bin = self.customer_bin(customer)
            cheap = rng.random() < 0.02  # noqa: PLR2004 - the odd sample or gift card
            self.order(
                start + rng.uniform(0, 3600),
                ip,
                f"customer{customer:04d}@example.com",
                rng.random() < 0.4,  # noqa: PLR2004 - guest checkout share
                round(rng.uniform(1, 5) if cheap else rng.lognormvariate(4, 0.6), 2),
                rng.random() < 0.04,  # noqa: PLR2004 - legitimate declines
                card_bin,
            )

    def attack(self, shape: AttackShape, start: float, number: int) -> None:
        rng = self.rng
        ips = [f"203.0.{number % 250}.{n + 1}" for n in range(shape.ips)]
        if shape.ips > 1:
            ips = [f"100.{64 + number % 60}.{n // 250}.{n % 250 + 1}" for n in range(shape.ips)]
        bins = [f"{rng.randrange(400000, 560000)}" for _ in range(shape.bins)]
        step = shape.minutes * 60 / shape.attempts
        ids = set()
        for n in range(shape.attempts):
            ids.add(
                self.order(
                    start + n * step + rng.uniform(0, step / 2),
                    ips[n % len(ips)],
                    f"{rng.randrange(16**8):08x}@mail.example",
                    True,  # noqa: FBT003 - attackers check out as guests
                    round(rng.uniform(0.5, shape.max_amount), 2),
                    rng.random() < shape.decline_rate,
                    bins[n % len(bins)],
                )
            )
        self.traffic.attacks.append(Attack(shape.name, start, frozenset(ids)))


def generate(
    *, seed: int = 1, days: int = 14, rate: float = 1.0, shapes: tuple[AttackShape, ...] = SHAPES
) -> Traffic:
    """`days` of traffic from START, `rate` x the day curve; each shape attacks once per full
    week (at least once), at a seeded hour after the first week (the baseline's weeks)."""
    builder = _Builder(seed)
    begin = START.timestamp()
    for hour in range(days * 24):
        weekday = hour // 24 % 7
        boost = 1.3 if weekday >= 5 else 1.0  # noqa: PLR2004 - Saturday and Sunday
        builder.normal_hour(begin + hour * 3600, _DAY_CURVE[hour % 24] * boost * rate)
    quiet_days = min(7, days - 1)
    for number, shape in enumerate(shapes * max(1, days // 7)):
        day = builder.rng.randrange(quiet_days, days)
        start = begin + day * 86_400 + builder.rng.uniform(0, 86_400 - shape.minutes * 60)
        builder.attack(shape, start, number)
    traffic = builder.traffic
    traffic.orders.sort(key=lambda order: (order["created_at"], order["entity_id"]))
    # Magento numbers orders as they are placed: renumber in time order.
    renumber = {order["entity_id"]: n for n, order in enumerate(traffic.orders, start=1)}
    for order in traffic.orders:
        order.update(entity_id=renumber[order["entity_id"]],
                     increment_id=f"{renumber[order['entity_id']]:09d}")  # fmt: skip
        order["quote_id"] = 10_000 + order["entity_id"]
    traffic.attacks = [
        Attack(a.shape, a.start, frozenset(renumber[i] for i in a.order_ids))
        for a in traffic.attacks
    ]
    return traffic
