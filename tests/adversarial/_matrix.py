"""What the fault matrix shares with its SIGKILL child: the playbooks' inputs, the fault levels,
the store's connection, and what containment did to the store, entity by entity."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from magento_ir import AdminCredentials, CustomerCredentials
from magento_ir.containment import StoreConnection
from magento_ir.sandbox.state import USER_TYPE_ADMIN, USER_TYPE_CUSTOMER
from tests.containment.conftest import (
    ADMIN_PASSWORD,
    CANARY_ADMIN,
    CUSTOMER_PASSWORD,
    PLAYBOOK_INPUTS,
)

if TYPE_CHECKING:
    from magento_ir._http import AsyncBaseTransport
    from magento_ir.sandbox import Sandbox
    from tests.containment.conftest import Store

PLAYBOOKS = ("magecart", "compromised_admin", "customer_data_exfiltration", "card_testing",
             "hr_data_breach")  # fmt: skip
WRITES = ("POST", "PUT", "DELETE")


def changes_store(method: str, path: str) -> bool:
    """A write containment makes: not a login, a GraphQL query or the canary's storefront form."""
    return method in WRITES and "/V1/" in path and not path.endswith("/token")


def inputs(playbook: str, store: Store) -> dict[str, Any]:
    """Inputs that make every step of the playbook run (HR: the canary is the staff account)."""
    if playbook == "hr_data_breach":
        return {"staff_customer_ids": [store.customer_id]}
    return dict(PLAYBOOK_INPUTS[playbook])


def inject(sandbox: Sandbox, level: str) -> None:
    """`light`: 10% of reads fail, 5% of writes (half never arrive, half lose their answer).
    `heavy`: 30% of reads fail, half of the writes are applied and their answer is cut off."""
    faults = sandbox.faults
    if level == "light":
        faults.at_rate("503", 0.05, method="GET")
        faults.at_rate("connection_reset", 0.05, method="GET")
        for method in WRITES:
            faults.at_rate("connection_reset", 0.025, method=method)
            faults.at_rate("truncated_body", 0.025, method=method)
        return
    faults.at_rate("503", 0.1, method="GET")
    faults.at_rate("502", 0.1, method="GET")
    faults.at_rate("connection_reset", 0.1, method="GET")
    for method in WRITES:
        faults.at_rate("truncated_body", 0.5, method=method)


def connection(
    base_url: str, customer_email: str, transport: AsyncBaseTransport | None = None
) -> StoreConnection:
    """The responder, and both canaries, as tests/containment/conftest.py sets them up."""
    return StoreConnection(
        base_url,
        auth=AdminCredentials("admin", ADMIN_PASSWORD),
        transport=transport,
        canary_customer=CustomerCredentials(customer_email, CUSTOMER_PASSWORD),
        canary_admin=AdminCredentials(CANARY_ADMIN, ADMIN_PASSWORD),
    )


def passwords(sandbox: Sandbox) -> dict[int, str]:
    """Every customer's password hash (to tell later whose password containment replaced)."""
    with sandbox.lock:
        state = sandbox.state
        return {
            row["id"]: state.customer_password_hash(row["id"]) for row in state.customers.rows()
        }


def effects(sandbox: Sandbox, before: dict[int, str], since: float) -> dict[str, Any]:
    """What containment did, entity by entity: nothing here depends on ids, times, or how many
    tries a request took, so a run under faults must match a clean run on the same store."""
    inspect = sandbox.inspect
    log = inspect.action_log()
    counts = inspect.request_counts()
    now = passwords(sandbox)
    with sandbox.lock:
        state = sandbox.state
        found: dict[str, Any] = {
            "orders": {row["entity_id"]: row["state"] for row in state.orders.rows()},
            "blocks": {row["id"]: bool(row["active"]) for row in state.cms_blocks.rows()},
            "admins": {
                user.username: (bool(user.is_active), user.lock_expires is not None)
                for user in state.admin_users.values()
            },
            "integrations": {item.name: item.status for item in state.integrations.values()},
            "maintenance": (state.incident_response.maintenance_mode, state.maintenance),
        }
    found |= {
        # Writes that are not harmless to repeat: each entity once.
        "holds_sent": counts.get("POST /V1/orders/:id/hold", 0),
        "unholds_sent": counts.get("POST /V1/orders/:id/unhold", 0),
        "module_actions": Counter((entry["action"], entry["status"]) for entry in log),
        "emails": Counter((mail["to"], mail["template"]) for mail in inspect.sent_emails()),
        "old_password_works": sorted(cid for cid, hashed in now.items() if before[cid] == hashed),
        "payment_methods": inspect.active_payment_methods(),
        "quarantined": inspect.quarantined_skus(),
        "tokens_from_before": {
            kind: sum(token.issued_at <= since for token in inspect.live_tokens(user_type))
            for kind, user_type in (("admin", USER_TYPE_ADMIN), ("customer", USER_TYPE_CUSTOMER))
        },
        "sessions_from_before": sum(
            session["created_at"] <= since for session in inspect.customer_sessions()
        ),
    }
    return found


def replayed_keys(sandbox: Sandbox) -> list[str]:
    """Idempotency keys the module applied more than once (must be none: it replays them)."""
    keys = Counter(
        entry["idempotency_key"]
        for entry in sandbox.inspect.action_log()
        if entry.get("idempotency_key") and entry["status"] == "succeeded"
    )
    return sorted(key for key, count in keys.items() if count > 1)
