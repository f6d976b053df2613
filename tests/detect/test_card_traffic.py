"""The card-testing traffic generator, and the detector catching every attack shape in it."""

from __future__ import annotations

from collections import Counter

from magento_ir.detect._card_eval import replay, score
from magento_ir.models.sales import Order
from magento_ir.sandbox.card_traffic import SHAPES, START, generate


def test_the_generator_is_seeded_labelled_and_in_magentos_shape() -> None:
    traffic = generate(seed=3, days=8)
    assert generate(seed=3, days=8).orders == traffic.orders
    assert generate(seed=4, days=8).orders != traffic.orders
    ids = [order["entity_id"] for order in traffic.orders]
    assert ids == list(range(1, len(ids) + 1))  # numbered as placed, oldest first
    stamps = [order["created_at"] for order in traffic.orders]
    assert stamps == sorted(stamps)
    assert [attack.shape for attack in traffic.attacks] == [shape.name for shape in SHAPES]
    for attack, shape in zip(traffic.attacks, SHAPES, strict=True):
        assert len(attack.order_ids) == shape.attempts
        assert attack.start >= START.timestamp() + 7 * 86_400  # after the baseline week
    orders = {order["entity_id"]: order for order in traffic.orders}
    one_ip = {orders[i]["remote_ip"] for i in traffic.attacks[0].order_ids}
    botnet = {orders[i]["remote_ip"] for i in traffic.attacks[3].order_ids}
    assert (len(one_ip), len(botnet)) == (1, 60)
    normal = [o for o in traffic.orders if o["entity_id"] not in traffic.attack_order_ids]
    states = Counter(order["state"] for order in normal)
    assert 0.02 < states["canceled"] / len(normal) < 0.06  # legitimate declines
    order = Order.model_validate(normal[0])
    assert order.payment is not None
    assert order.payment.cc_last4 is not None
    assert len(order.payment.cc_last4) == 4


def test_every_attack_shape_is_detected_in_a_small_seeded_run() -> None:
    traffic = generate(seed=7, days=9)
    result = score(traffic, replay(traffic)).to_json()
    assert {name: s["detected"] for name, s in result["shapes"].items()} == {
        shape.name: 1 for shape in SHAPES
    }
    assert result["precision"] >= 0.9
