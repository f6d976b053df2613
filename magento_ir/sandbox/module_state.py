"""The companion module's own tables (`magento_ir_*`), kept on `StoreState.incident_response`.

Plain data only: the routes in `module_api.py` read and write it under the sandbox lock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CODE_EPOCH",
    "MAINTENANCE_MODES",
    "AdminLockdown",
    "CodeFile",
    "GuardEvent",
    "GuardRule",
    "IdempotencyEntry",
    "ModuleState",
    "OrderHold",
    "PaymentSuspension",
    "Quarantine",
]

MAINTENANCE_MODES = ("off", "storefront", "checkout", "full")
# When the synthetic code tree was "deployed" (mtime and ctime of every file).
CODE_EPOCH = 1_714_000_000
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
class OrderHold:
    """`magento_ir_order_hold` + items: each order the hold held, as it was; release flags."""

    hold_id: int
    held_at: str
    # order_id -> (increment_id, prior state, prior status)
    orders: dict[int, tuple[str | None, str, str]]
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
class GuardRule:
    """`magento_ir_guard_rule`: one payment-guard rule (times in unix seconds)."""

    rule_id: int
    type: str
    values: list[str]
    subject: str | None
    metric: str | None
    limit: int | None
    window: int | None
    created_at: float
    expires_at: float | None
    reason: str
    incident_id: str | None
    removed_at: float | None = None


@dataclass(frozen=True, slots=True)
class GuardEvent:
    """`magento_ir_guard_event`: one order placement's outcome, as velocity rules count them."""

    at: float
    outcome: str  # order or failure
    ip: str | None
    email: str | None
    customer_id: int | None
    quote_id: int | None


@dataclass(frozen=True, slots=True)
class CodeFile:
    """One file of the store's code as `GET code/manifest` lists it."""

    size: int
    mtime: int
    ctime: int
    sha256: str

    @classmethod
    def of(cls, content: bytes, mtime: int, ctime: int) -> CodeFile:
        return cls(len(content), mtime, ctime, hashlib.sha256(content).hexdigest())


def _code_tree() -> dict[str, CodeFile]:
    """A small synthetic Magento code tree (no env.php: the manifest never lists it)."""
    paths = [
        ".htaccess",
        "app/code/Acme/Checkout/etc/module.xml",
        "app/code/Acme/Checkout/registration.php",
        "app/code/Acme/Checkout/view/frontend/web/js/pay.js",
        "app/design/frontend/Acme/theme/Magento_Theme/templates/html/footer.phtml",
        "app/design/frontend/Acme/theme/registration.php",
        "app/etc/di.xml",
        "pub/.htaccess",
        "pub/get.php",
        "pub/index.php",
        "pub/static.php",
    ]
    paths.extend(
        f"vendor/magento/module-{module}/{name}"
        for module in ("checkout", "customer", "payment", "quote", "sales")
        for name in ("etc/di.xml", "etc/module.xml", "Model/Service.php", "registration.php")
    )
    return {
        path: CodeFile.of(f"<?php /* {path} */\n".encode(), CODE_EPOCH, CODE_EPOCH)
        for path in paths
    }


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
    order_holds: dict[int, OrderHold] = field(default_factory=dict)
    suspensions: dict[str, PaymentSuspension] = field(default_factory=dict)
    lockdowns: dict[int, AdminLockdown] = field(default_factory=dict)
    # Keyed by the caller (user type, user id) and the key: each caller has its own key space.
    idempotency: dict[tuple[int, int, str], IdempotencyEntry] = field(default_factory=dict)
    # system.xml fields whose backend model is Encrypted; GET config answers "[encrypted]" for them.
    # No stock evidence path is one; extensions can add such fields.
    encrypted_config_paths: frozenset[str] = frozenset()
    # The payment guard: rules by id, placement events (velocity), refused attempts (rows).
    guard_rules: dict[int, GuardRule] = field(default_factory=dict)
    guard_events: list[GuardEvent] = field(default_factory=list)
    guard_blocks: list[dict[str, Any]] = field(default_factory=list)
    # The store's code as the manifest route reads it from disk: relative path -> file.
    code_files: dict[str, CodeFile] = field(default_factory=_code_tree)

    def write_code_file(self, path: str, content: bytes, now: float) -> None:
        """A file written (or touched) on the store's disk at `now`: what an attacker does."""
        self.code_files[path] = CodeFile.of(content, int(now), int(now))

    def remove_code_file(self, path: str) -> None:
        self.code_files.pop(path, None)

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
            "order_holds": {
                str(key): [
                    item.held_at,
                    {str(oid): list(prior) for oid, prior in sorted(item.orders.items())},
                    sorted(item.released),
                ]
                for key, item in sorted(self.order_holds.items())
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
            "guard_rules": {
                str(key): [
                    rule.type,
                    rule.values,
                    rule.subject,
                    rule.metric,
                    rule.limit,
                    rule.window,
                    rule.expires_at,
                    rule.removed_at,
                ]
                for key, rule in sorted(self.guard_rules.items())
            },
            "guard_blocks": len(self.guard_blocks),
            "code_files": {path: file.sha256 for path, file in sorted(self.code_files.items())},
        }
