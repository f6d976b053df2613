"""Answers of the companion module's routes (php-module/contract/openapi.json).

Used by `client.incident_response`; field names are the contract's snake_case response keys.
"""

from __future__ import annotations

from typing import Literal

from magento_ir.models._base import MagentoModel

__all__ = [
    "ActionRecord",
    "AdminLockdownResult",
    "AdminRestoreResult",
    "Capabilities",
    "ConfigScopeValue",
    "LockdownMode",
    "MaintenanceChangeResult",
    "MaintenanceMode",
    "MaintenanceState",
    "PasswordResetResult",
    "PaymentMethodResult",
    "PaymentSuspensionResult",
    "ProductResult",
    "QuarantineList",
    "QuarantineResult",
    "QuarantinedProduct",
    "ReleaseResult",
    "SessionScope",
    "SessionTerminationResult",
    "StoreStatus",
]

MaintenanceMode = Literal["off", "storefront", "checkout", "full"]
SessionScope = Literal["customers", "admins", "all"]
LockdownMode = Literal["deactivate", "lock"]


class Capabilities(MagentoModel):
    """Is the module installed, which version, what can it do."""

    module_version: str
    magento_version: str
    actions: list[str]
    session_storage: str
    maintenance_mode: MaintenanceMode


class _WriteResult(MagentoModel):
    action_id: int
    replayed: bool


class SessionTerminationResult(_WriteResult):
    scope: SessionScope
    customer_tokens_revoked: int
    admin_tokens_revoked: int
    admin_sessions_ended: int
    customer_sessions_cut_off: int
    session_rows_deleted: int
    persistent_sessions_deleted: int
    caller_kept: bool


class StoreStatus(MagentoModel):
    store_id: int
    status: int


class ProductResult(MagentoModel):
    sku: str
    product_id: int | None = None
    result: Literal[
        "quarantined", "already_quarantined", "not_found", "released", "not_quarantined"
    ]
    prior_statuses: list[StoreStatus]


class QuarantineResult(_WriteResult):
    quarantine_id: int | None = None
    requested: int
    quarantined: int
    items: list[ProductResult]


class ReleaseResult(_WriteResult):
    quarantine_id: int
    released: int
    items: list[ProductResult]


class QuarantinedProduct(MagentoModel):
    quarantine_id: int
    sku: str
    product_id: int
    quarantined_at: str
    prior_statuses: list[StoreStatus]


class QuarantineList(MagentoModel):
    items: list[QuarantinedProduct]
    total_count: int


class MaintenanceState(MagentoModel):
    mode: MaintenanceMode
    message: str | None = None
    retry_after: int
    allowed_ips: list[str]
    magento_flag: bool
    changed_at: str | None = None


class MaintenanceChangeResult(_WriteResult):
    previous_mode: MaintenanceMode
    state: MaintenanceState


class ConfigScopeValue(MagentoModel):
    scope: Literal["default", "websites", "stores"]
    scope_id: int
    value: str | None = None


class PaymentMethodResult(MagentoModel):
    method: str
    result: Literal["suspended", "already_inactive", "locked", "resumed", "not_suspended"]
    changed: list[ConfigScopeValue]
    locked: list[ConfigScopeValue]


class PaymentSuspensionResult(_WriteResult):
    items: list[PaymentMethodResult]


class AdminLockdownResult(_WriteResult):
    lockdown_id: int | None = None
    mode: LockdownMode
    admin_ids: list[int]
    kept_admin_ids: list[int]
    integration_ids: list[int]
    kept_integration_ids: list[int]
    admin_sessions_ended: int
    admin_tokens_revoked: int


class AdminRestoreResult(_WriteResult):
    lockdown_id: int
    admin_ids: list[int]
    integration_ids: list[int]


class PasswordResetResult(_WriteResult):
    customers: int
    unknown_customer_ids: list[int]
    passwords_invalidated: int
    tokens_revoked: int
    sessions_cut_off: int
    persistent_sessions_deleted: int
    emails_sent: int
    emails_failed: list[int]


class ActionRecord(MagentoModel):
    """One record of the module's append-only, hash-chained action log."""

    action_id: int
    action: str
    status: Literal["succeeded", "failed"]
    created_at: str
    actor_type: int
    actor_id: int
    incident_id: str | None = None
    reason: str
    idempotency_key: str | None = None
    request: str
    prior_state: str
    result: str
    previous_hash: str
    hash: str
