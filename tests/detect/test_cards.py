"""Card-testing detection: each signal fires at its threshold and not one below it."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir._exceptions import ConfigurationError
from magento_ir.detect.cards import (
    Attempt,
    CardTestingDetector,
    CardThresholds,
    Cursor,
    Window,
    _hour_of_week,
    attempts,
    fetch_since,
    push_block_rules,
)
from magento_ir.models.sales import Order, Transaction

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from magento_ir.testing import SandboxStore

T0 = 1_796_000_400.0  # 2026-11-30 01:00 UTC

# Limits small enough to write the table by hand; baselines off unless a case builds one.
LIMITS = dataclasses.replace(
    CardThresholds.shipped(),
    cooldown=600,
    decline_window=600,
    decline_min=3,
    decline_ratio=0.5,
    cards_per_ip=Window(600, 3),
    emails_per_ip=Window(600, 3),
    guest_carts_per_ip=Window(600, 3),
    bin_run=Window(600, 3),
    small_window=600,
    small_amount=2.0,
    small_limit=3,
)


def attempt(n: int, **kw: Any) -> Attempt:
    base: dict[str, Any] = {
        "order_id": n,
        "at": T0 + 10 * n,
        "ip": f"198.51.100.{n}",
        "email": f"shopper{n}@example.com",
        "guest": False,
        "quote_id": n,
        "amount": 50.0,
        "failed": False,
        "card": f"VI:{n:04d}",
        "bin": None,
    }
    return Attempt(**{**base, **kw})


def _same_ip(n: int) -> Attempt:
    return attempt(n, ip="203.0.113.9", failed=True)


# signal, attempt maker (n -> attempt), attempts that stay quiet (limit - 1)
CASES: list[tuple[str, Callable[[int], Attempt]]] = [
    ("cards-per-ip", lambda n: attempt(n, ip="203.0.113.9", email="a@example.com", failed=True)),
    ("emails-per-ip", lambda n: attempt(n, ip="203.0.113.9", card="VI:1111", failed=True)),
    (
        "guest-carts-per-ip",
        lambda n: attempt(
            n, ip="203.0.113.9", guest=True, card=None, email="a@example.com", failed=True
        ),
    ),
    ("bin-run", lambda n: attempt(n, bin="411111", failed=True)),
    ("small-amounts", lambda n: attempt(n, amount=1.0)),
    ("decline-ratio", lambda n: attempt(n, failed=True)),
]


def _signals(found: list[Any]) -> set[str]:
    return {alert.signal for alert in found}


@pytest.mark.parametrize(("signal", "make"), CASES, ids=[c[0] for c in CASES])
def test_each_signal_fires_at_its_limit_and_not_below(
    signal: str, make: Callable[[int], Attempt]
) -> None:
    detector = CardTestingDetector(LIMITS)
    assert signal not in _signals(detector.observe([make(1), make(2)]))
    fired = [a for a in detector.observe([make(3)]) if a.signal == signal]
    assert len(fired) == 1
    assert fired[0].order_ids == (1, 2, 3)
    assert fired[0].finding.rule == f"card-testing-{signal}"
    assert fired[0].finding.severity == "high"


# What a busy office or a popular issuer looks like: many cards, but (almost) nothing failing.
QUIET_CASES: list[tuple[str, Callable[[int], Attempt]]] = [
    ("cards-per-ip", lambda n: attempt(n, ip="203.0.113.9", failed=n == 1)),
    ("bin-run", lambda n: attempt(n, bin="411111", failed=n < 3)),
]


@pytest.mark.parametrize(("signal", "make"), QUIET_CASES, ids=[c[0] for c in QUIET_CASES])
def test_many_cards_without_failures_are_not_card_testing(
    signal: str, make: Callable[[int], Attempt]
) -> None:
    limits = dataclasses.replace(LIMITS, bin_run_failed=3, ip_failed=2)
    assert signal not in _signals(CardTestingDetector(limits).observe(make(n) for n in range(1, 9)))


def test_attempts_outside_the_window_do_not_count() -> None:
    detector = CardTestingDetector(LIMITS)
    spread = [attempt(n, ip="203.0.113.9", at=T0 + 400 * n, failed=True) for n in range(1, 5)]
    assert "cards-per-ip" not in _signals(detector.observe(spread))


def test_per_ip_alerts_name_the_ip_to_block_and_store_wide_ones_nothing() -> None:
    detector = CardTestingDetector(LIMITS)
    fired = detector.observe(
        [attempt(n, ip="203.0.113.9", amount=1.0, failed=True) for n in range(1, 4)]
    )
    by_signal = {a.signal: a for a in fired}
    assert by_signal["cards-per-ip"].block == ("ip", ("203.0.113.9",))
    assert by_signal["cards-per-ip"].finding.entity == "ip 203.0.113.9"
    assert by_signal["small-amounts"].block is None
    bins = CardTestingDetector(LIMITS).observe(
        [attempt(n, bin="411111", failed=True) for n in range(1, 4)]
    )
    assert ("bin", ("411111",)) in [a.block for a in bins]


def test_one_episode_alerts_once_and_again_after_the_cooldown() -> None:
    detector = CardTestingDetector(LIMITS)
    first = detector.observe([_same_ip(n) for n in range(1, 10)])
    assert [a.signal for a in first].count("cards-per-ip") == 1
    # Still attacking within the cooldown: the same episode, no new alert.
    assert "cards-per-ip" not in _signals(detector.observe([_same_ip(n) for n in range(10, 20)]))
    later = [attempt(n, ip="203.0.113.9", at=T0 + 5000 + n, failed=True) for n in range(1, 4)]
    again = [a for a in detector.observe(later) if a.signal == "cards-per-ip"]
    assert len(again) == 1
    assert again[0].finding.fingerprint != first[0].finding.fingerprint


def test_the_baseline_of_the_hour_of_week_raises_the_decline_limit() -> None:
    # A gateway that declines a lot at this hour: 70-90 % of payments failed in past weeks, so
    # 3 failures of 4 are that store's normal (limit = median 0.8 + 4 x 1.4826 x MAD 0.05).
    hour = str(_hour_of_week(int(T0)))
    weeks = [[10, 7], [10, 8], [10, 9], [10, 8], [10, 7], [10, 8], [10, 9], [10, 8]]
    state = {"baseline": {hour: [[n, f, 0] for n, f in weeks]}}
    quiet = [attempt(n, at=T0 + n, failed=n > 0) for n in range(4)]
    assert "decline-ratio" not in _signals(CardTestingDetector(LIMITS, state).observe(quiet))
    # Against a store where nothing is known, the floor (50 %) applies and the same hour fires.
    assert "decline-ratio" in _signals(CardTestingDetector(LIMITS).observe(quiet))


def test_quiet_hours_teach_the_baseline_for_so_many_weeks() -> None:
    detector = CardTestingDetector(dataclasses.replace(LIMITS, baseline_weeks=3))
    for week in range(5):
        start = T0 + week * 7 * 86_400
        assert detector.observe([attempt(n, at=start + n, failed=n == 0) for n in range(4)]) == []
    detector.observe([attempt(99, at=T0 + 5 * 7 * 86_400)])
    state = json.loads(json.dumps(detector.state))
    assert state["baseline"] == {str(_hour_of_week(int(T0))): [[4, 1, 0]] * 3}


def test_alert_hours_do_not_teach_the_baseline() -> None:
    detector = CardTestingDetector(LIMITS)
    detector.observe([attempt(n, failed=True) for n in range(1, 5)])
    detector.observe([attempt(99, at=T0 + 7200)])  # closes the attack hour
    assert detector.state["baseline"] == {}


def test_resuming_from_state_gives_the_same_alerts_as_one_run() -> None:
    stream = [
        attempt(n, ip=f"203.0.113.{n % 2}", failed=n % 3 == 0, amount=1.0 + n % 4)
        for n in range(1, 60)
    ]
    whole = CardTestingDetector(LIMITS).observe(stream)
    first = CardTestingDetector(LIMITS)
    part = first.observe(stream[:25])
    saved = json.loads(json.dumps(first.state))
    part += CardTestingDetector(LIMITS, saved).observe(stream[25:])
    assert [a.to_json() for a in part] == [a.to_json() for a in whole]
    assert whole  # the stream does fire


def _order(entity_id: int, **kw: Any) -> Order:
    data: dict[str, Any] = {
        "entity_id": entity_id,
        "created_at": f"2026-12-06 10:00:{entity_id:02d}",
        "remote_ip": "203.0.113.5",
        "customer_email": "A@Example.com",
        "customer_is_guest": 1,
        "quote_id": 70 + entity_id,
        "grand_total": 1.5,
        "state": "processing",
        "payment": {"cc_last4": "4242", "cc_type": "VI", "additional_information": ["Approved"]},
    }
    data.update(kw)
    return Order.model_validate(data)


def test_attempts_read_the_fields_magento_exposes() -> None:
    bin_info = {"payment_additional_info": [{"key": "cc_bin", "value": "41111111"}]}
    found = attempts(
        [
            _order(3, extension_attributes=bin_info),
            _order(1, state="canceled"),
            _order(2, payment={"cc_last4": None}),
            _order(4),
        ],
        [Transaction.model_validate({"order_id": 4, "additional_information": ["Do Not Honor"]})],
    )
    assert [a.order_id for a in found] == [1, 2, 3, 4]
    first, no_card, with_bin, declined = found
    assert (first.failed, first.card, first.bin, first.email) == (
        True, "VI:4242", None, "a@example.com",
    )  # fmt: skip
    assert (first.ip, first.guest, first.quote_id, first.amount) == ("203.0.113.5", True, 71, 1.5)
    assert no_card.card is None
    assert (with_bin.card, with_bin.bin, with_bin.failed) == ("41111111:4242", "41111111", False)
    assert declined.failed


def test_thresholds_load_and_name_what_is_wrong(tmp_path: Path) -> None:
    shipped = CardThresholds.shipped()
    assert shipped.source.startswith("magento_ir reference")
    assert shipped.cards_per_ip == Window(3600, 4)
    text = resources.files("magento_ir.detect").joinpath("rules/card_testing.toml").read_text()
    path = tmp_path / "t.toml"
    assert "limit = 5\nmin_failed = 3" in text
    path.write_text(text.replace("limit = 5\nmin_failed = 3", "limit = 5\nmin_failed = -1"))
    with pytest.raises(ConfigurationError, match=r"bin_run\.min_failed must be a positive number"):
        CardThresholds.load(path)
    path.write_text(text + "\n[extra]\nx = 1\n")
    with pytest.raises(ConfigurationError, match=r"unknown keys \['extra'\]"):
        CardThresholds.load(path)
    with pytest.raises(ConfigurationError, match="cannot read"):
        CardThresholds.load(tmp_path / "missing.toml")


@pytest.mark.anyio
@pytest.mark.magento_sandbox(products=5, customers=5, orders=40)
async def test_fetch_since_reads_only_what_is_new(magento_sandbox: SandboxStore) -> None:
    async with magento_sandbox.async_client() as client:
        orders, transactions, cursor = await fetch_since(client, Cursor())
        assert orders
        assert transactions
        assert cursor.order_id == max(o.entity_id or 0 for o in orders)
        again = await fetch_since(client, cursor)
    assert again == ([], [], cursor)
    # The sandbox's generated burst is found from the orders alone.
    found = CardTestingDetector().observe(attempts(orders, transactions))
    assert "cards-per-ip" in _signals(found)


@pytest.mark.anyio
@pytest.mark.magento_sandbox(products=5, customers=5, orders=0, with_module=True)
async def test_push_block_rules_puts_one_guard_rule_per_type(magento_sandbox: SandboxStore) -> None:
    detector = CardTestingDetector(LIMITS)
    fired = detector.observe(
        [attempt(n, ip="203.0.113.9", bin="411111", failed=True) for n in range(1, 4)]
    )
    fired += detector.observe([attempt(n, ip="203.0.113.8", failed=True) for n in range(4, 7)])
    async with magento_sandbox.async_client() as client:
        pushed = await push_block_rules(client, fired, incident_id="watch-1", ttl=600)
        rules = (await client.incident_response.guard_rules()).items
    assert [(p["type"], p["values"]) for p in pushed] == [
        ("bin", ["411111"]),
        ("ip", ["203.0.113.8", "203.0.113.9"]),
    ]
    assert sorted((r.type, sorted(r.values)) for r in rules) == [
        ("bin", ["411111"]),
        ("ip", ["203.0.113.8", "203.0.113.9"]),
    ]
