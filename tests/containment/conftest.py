"""Fixtures for containment tests: a sandbox store (with or without the module), a staged
breach, a store connection over the in-process transport, and a journal signing key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

import magento_ir
from magento_ir import AdminCredentials, CustomerCredentials
from magento_ir.containment import StoreConnection
from magento_ir.containment.module_log import GENESIS_HASH, module_record_hash
from magento_ir.evidence import SigningKey
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.state import USER_TYPE_ADMIN, USER_TYPE_CUSTOMER

if TYPE_CHECKING:
    from collections.abc import Iterator

    from magento_ir.models.incident_response import ActionRecord

ADMIN_PASSWORD = "Sandbox123!"
CUSTOMER_PASSWORD = "Customer123!"
BASE_URL = "http://magento.test"
SKIMMER_BLOCK_ID = 1
ATTACKER_ADMIN = "support"
CANARY_ADMIN = "catalog"

# Inputs that make every step of each shipped playbook run.
PLAYBOOK_INPUTS: dict[str, dict[str, Any]] = {
    "magecart": {
        "skimmer_block_ids": [SKIMMER_BLOCK_ID],
        "skimmer_live_since": "2000-01-01 00:00:00",
        "payment_methods": ["checkmo"],
    },
    "compromised_admin": {"planted_block_ids": [SKIMMER_BLOCK_ID]},
    "customer_data_exfiltration": {"affected_customers": "all"},
    "card_testing": {"payment_methods": ["checkmo"], "attack_started_at": "2000-01-01 00:00:00"},
    "hr_data_breach": {"staff_customer_ids": []},
    "hr_portal_exfiltration": {"staff_customer_ids": []},
    "credential_stuffing": {"compromised_customer_ids": [3]},
    "ransomware_admin": {},
}


@dataclass
class Store:
    """A sandbox with a staged breach and how to reach it."""

    sandbox: Sandbox
    connection: StoreConnection
    customer_email: str
    customer_id: int

    def block_active(self, block_id: int = SKIMMER_BLOCK_ID) -> bool:
        with self.sandbox.lock:
            return bool(self.sandbox.state.cms_blocks.get(block_id)["active"])

    def order_states(self) -> dict[int, str]:
        with self.sandbox.lock:
            orders = self.sandbox.state.orders
            return {
                order_id: orders.get(order_id)["state"]
                for order_id in range(1, 200)
                if order_id in orders
            }

    def admin_active(self, username: str) -> bool:
        with self.sandbox.lock:
            user = self.sandbox.state.admin_by_username(username)
            return bool(user.is_active)

    def maintenance_mode(self) -> str:
        with self.sandbox.lock:
            return str(self.sandbox.state.incident_response.maintenance_mode)

    def live_customer_tokens(self) -> int:
        return len(self.sandbox.inspect.live_tokens(USER_TYPE_CUSTOMER))

    def live_admin_users(self) -> set[str]:
        """Usernames that still hold a working admin token."""
        tokens = self.sandbox.inspect.live_tokens(USER_TYPE_ADMIN)
        with self.sandbox.lock:
            users = self.sandbox.state.admin_users
            return {users[token.user_id].username for token in tokens}

    def module_actions(self) -> list[str]:
        return [record["action"] for record in self.sandbox.inspect.action_log()]


class TickingClock:
    """One second per request. Magento compares session cut-offs at one-second resolution; the
    sandbox keeps storefront session times as floats and the cut-off as an int, so a session
    opened in the same second as the cut-off would wrongly survive (reported to its author)."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def make_store(*, with_module: bool, orders: int = 6, customers: int = 4, **options: Any) -> Store:
    sandbox = Sandbox(
        with_module=with_module,
        orders=orders,
        customers=customers,
        clock=TickingClock(),
        **options,
    )
    with sandbox.lock:
        customer_id = min(
            entity_id for entity_id in range(1, 100) if entity_id in sandbox.state.customers
        )
        email = sandbox.state.customers.get(customer_id)["email"]
    # The breach: a live customer token and a live token of the attacker's admin account.
    sandbox.customer_token(email)
    sandbox.admin_token(ATTACKER_ADMIN)
    connection = StoreConnection(
        BASE_URL,
        auth=AdminCredentials("admin", ADMIN_PASSWORD),
        transport=sandbox.transport(),
        canary_customer=CustomerCredentials(email, CUSTOMER_PASSWORD),
        canary_admin=AdminCredentials(CANARY_ADMIN, ADMIN_PASSWORD),
    )
    return Store(sandbox, connection, email, customer_id)


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    magento_ir.set_testing(True)
    yield
    magento_ir.set_testing(False)


@pytest.fixture(scope="session")
def key() -> SigningKey:
    return SigningKey.generate("containment-tests")


@pytest.fixture(params=[True, False], ids=["module", "core-only"])
def store(request: pytest.FixtureRequest) -> Store:
    return make_store(with_module=request.param)


def rehashed(records: list[ActionRecord]) -> list[ActionRecord]:
    """A module action log after an edit by someone with the database credentials: every record
    re-chained onto the one before it and re-hashed."""
    out: list[ActionRecord] = []
    previous = GENESIS_HASH
    for record in records:
        moved = record.model_copy(update={"previous_hash": previous})
        out.append(moved.model_copy(update={"hash": module_record_hash(previous, moved)}))
        previous = out[-1].hash
    return out
