"""The companion module's own tables (`magento_ir_*`), kept on `StoreState.incident_response`.

Plain data only: the routes in `module_api.py` read and write it under the sandbox lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAINTENANCE_MODES",
    "AdminLockdown",
    "IdempotencyEntry",
    "ModuleState",
    "PaymentSuspension",
    "Quarantine",
]

MAINTENANCE_MODES = ("off", "storefront", "checkout", "full")
DEFAULT_RETRY_AFTER = 900


@dataclass(slots=True)
class Quarantine:
    """`magento_ir_quarantine` + items: prior status per (product, store), release flags."""

    quarantine_id: int
    quarantined_at: str
    # product_id -> (sku, {store_id: prior status})
    products: dict[int, tuple[str, dict[int, int]]]
    released: set[int] = field(default_factory=set)


@dataclass(slots=True)
class PaymentSuspension:
    """Prior `payment/<code>/active` rows of one suspended method: (scope, scope_id) -> value."""

    method: str
    prior: dict[tuple[str, int], str | None]


@dataclass(slots=True)
class AdminLockdown:
    lockdown_id: int
    # admin user id -> (is_active, lock_expires); integration id -> status
    admins: dict[int, tuple[int, float | None]]
    integrations: dict[int, int]
    restored: bool = False


@dataclass(slots=True)
class IdempotencyEntry:
    action: str
    request_hash: str
    response: dict[str, Any]


@dataclass
class ModuleState:
    """Everything MagentoIr_IncidentResponse stores besides the action log (on StoreState)."""

    module_version: str = "1.0.0"
    magento_version: str = "2.4.7-p3"
    # app/etc/env.php session/save: files, db or redis.
    session_storage: str = "files"
    maintenance_mode: str = "off"
    maintenance_message: str | None = None
    maintenance_retry_after: int = DEFAULT_RETRY_AFTER
    maintenance_changed_at: str | None = None
    # The allow list in place before mode `full` replaced it (restored by `off`).
    maintenance_prior_ips: tuple[str, ...] = ()
    quarantines: dict[int, Quarantine] = field(default_factory=dict)
    suspensions: dict[str, PaymentSuspension] = field(default_factory=dict)
    lockdowns: dict[int, AdminLockdown] = field(default_factory=dict)
    # Keyed by the caller (user type, user id) and the key: each caller has its own key space.
    idempotency: dict[tuple[int, int, str], IdempotencyEntry] = field(default_factory=dict)
    # system.xml fields whose backend model is Encrypted; GET config answers "[encrypted]" for them.
    # No stock evidence path is one; extensions can add such fields.
    encrypted_config_paths: frozenset[str] = frozenset()

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready form for `StoreState.digest`."""
        return {
            "session_storage": self.session_storage,
            "maintenance": [
                self.maintenance_mode,
                self.maintenance_message,
                self.maintenance_retry_after,
                self.maintenance_changed_at,
                list(self.maintenance_prior_ips),
            ],
            "quarantines": {
                str(key): [
                    item.quarantined_at,
                    {str(pid): [sku, prior] for pid, (sku, prior) in sorted(item.products.items())},
                    sorted(item.released),
                ]
                for key, item in sorted(self.quarantines.items())
            },
            "suspensions": {
                code: sorted(
                    [scope, scope_id, value] for (scope, scope_id), value in s.prior.items()
                )
                for code, s in sorted(self.suspensions.items())
            },
            "lockdowns": {
                str(key): [
                    sorted(item.admins.items()),
                    sorted(item.integrations.items()),
                    item.restored,
                ]
                for key, item in sorted(self.lockdowns.items())
            },
            "idempotency": [list(key) for key in sorted(self.idempotency)],
        }
