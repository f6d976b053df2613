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
    "AdminSession",
    "AdminSessionList",
    "AdminUser",
    "AdminUserList",
    "Capabilities",
    "CodeFile",
    "CodeManifest",
    "ConfigScopeValue",
    "ConfigValue",
    "ConfigValueList",
    "GuardBlock",
    "GuardBlockList",
    "GuardCounter",
    "GuardCounterList",
    "GuardMetric",
    "GuardRemovalResult",
    "GuardRule",
    "GuardRuleList",
    "GuardRuleResult",
    "GuardRuleType",
    "GuardSubject",
    "Integration",
    "IntegrationList",
    "IntegrationTokens",
    "LockdownMode",
    "MaintenanceChangeResult",
    "MaintenanceMode",
    "MaintenanceState",
    "OrderHoldItem",
    "OrderHoldResult",
    "OrderUnholdResult",
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
    "StoreContent",
    "StoreContentField",
    "StoreContentList",
    "StoreContentType",
    "StoreStatus",
]

MaintenanceMode = Literal["off", "storefront", "checkout", "full"]
SessionScope = Literal["customers", "admins", "all"]
LockdownMode = Literal["deactivate", "lock"]
# What a restore does with the integrations' access tokens the lockdown revoked.
IntegrationTokens = Literal["reissue", "revive"]
# The payment guard's rule types; velocity rules count a metric per subject.
GuardRuleType = Literal["ip", "email", "customer", "bin", "freeze", "velocity"]
GuardSubject = Literal["ip", "email", "customer", "quote"]
GuardMetric = Literal["orders", "failures"]


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


class OrderHoldItem(MagentoModel):
    order_id: int
    increment_id: str | None = None
    result: Literal[
        "held",
        "already_held",
        "not_held",
        "not_matched",
        "not_found",
        "released",
        "not_on_hold",
        "not_released",
        "not_in_hold",
    ]
    prior_state: str | None = None
    prior_status: str | None = None
    # Magento's reason for not_held / not_released.
    message: str | None = None


class OrderHoldResult(_WriteResult):
    hold_id: int | None = None
    matched: int
    held: int
    remaining: int
    items: list[OrderHoldItem]


class OrderUnholdResult(_WriteResult):
    hold_id: int
    released: int
    items: list[OrderHoldItem]


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
    # What became of the integrations' access tokens the lockdown revoked.
    integration_tokens: IntegrationTokens
    reissued_integration_ids: list[int]
    revived_integration_ids: list[int]


class PasswordResetResult(_WriteResult):
    customers: int
    unknown_customer_ids: list[int]
    passwords_invalidated: int
    tokens_revoked: int
    sessions_cut_off: int
    persistent_sessions_deleted: int
    # Reset e-mails handed to Magento without an error: not a delivery (Magento only logs
    # mail-transport failures), hence not called "sent".
    emails_attempted: int
    emails_failed: list[int]


class ActionRecord(MagentoModel):
    """One record of the module's append-only, hash-chained action log."""

    action_id: int
    action: str
    status: Literal["succeeded", "failed", "rejected"]
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


class AdminUser(MagentoModel):
    """One admin user (`admin_user` + its role); the module never sends a hash or reset token."""

    user_id: int
    username: str
    email: str
    firstname: str
    lastname: str
    is_active: bool
    lock_expires: str | None = None
    failures_num: int
    logdate: str | None = None
    lognum: int
    created: str
    modified: str | None = None
    role_id: int | None = None
    role_name: str | None = None


class AdminUserList(MagentoModel):
    items: list[AdminUser]
    total_count: int


class AdminSession(MagentoModel):
    """One `admin_user_session` row: status 0 out, 1 in, 2 out by another login, 3 out manually."""

    id: int
    user_id: int
    status: int
    created_at: str
    updated_at: str
    ip: str | None = None


class AdminSessionList(MagentoModel):
    """Newest first; `truncated` when more rows matched than the module lists (10,000)."""

    items: list[AdminSession]
    total_count: int
    truncated: bool


class Integration(MagentoModel):
    """One integration; the module never sends its consumer key, secret or tokens."""

    integration_id: int
    name: str
    email: str | None = None
    endpoint: str | None = None
    status: int
    setup_type: int
    created_at: str
    updated_at: str
    consumer_created_at: str | None = None


class IntegrationList(MagentoModel):
    items: list[Integration]
    total_count: int


class ConfigValue(MagentoModel):
    """One `core_config_data` row; `value` is "[encrypted]" for encrypted fields."""

    path: str
    scope: Literal["default", "websites", "stores"]
    scope_id: int
    value: str | None = None
    updated_at: str
    # app/etc/env.php or config.php sets this path at this scope: the row is not in effect.
    locked: bool


class ConfigValueList(MagentoModel):
    items: list[ConfigValue]
    total_count: int


class GuardRule(MagentoModel):
    """A payment-guard rule: block lists (`values`) or a velocity limit (`subject`...`window`)."""

    rule_id: int
    type: GuardRuleType
    values: list[str]
    subject: GuardSubject | None = None
    metric: GuardMetric | None = None
    limit: int | None = None
    window: int | None = None
    created_at: str
    expires_at: str | None = None
    removed_at: str | None = None
    incident_id: str | None = None
    reason: str
    blocked: int
    first_blocked_at: str | None = None
    last_blocked_at: str | None = None


class GuardRuleResult(_WriteResult):
    rule: GuardRule


class GuardRuleList(MagentoModel):
    items: list[GuardRule]


class GuardRemovalResult(_WriteResult):
    """The rules as they were when removed (put them back with `add_guard_rule`)."""

    removed: list[GuardRule]
    not_found: list[int]


class GuardBlock(MagentoModel):
    """An order placement the guard refused (never card data)."""

    block_id: int
    created_at: str
    rule_id: int
    rule_type: str
    channel: str
    ip: str | None = None
    email: str | None = None
    customer_id: int | None = None
    quote_id: int | None = None
    method: str | None = None


class GuardBlockList(MagentoModel):
    items: list[GuardBlock]
    last_block_id: int


class GuardCounter(MagentoModel):
    """How often one rule refused a placement; kept after the rule is removed."""

    rule_id: int
    rule_type: GuardRuleType
    blocked: int
    first_blocked_at: str
    last_blocked_at: str


class GuardCounterList(MagentoModel):
    """Every rule's counter, their total, and the newest refusal's id: read the refusals
    (`guard_blocks`) only when `last_block_id` passed your cursor."""

    items: list[GuardCounter]
    blocked: int
    last_block_id: int


class CodeFile(MagentoModel):
    """One file of the store's code; `sha256` is None when it was not read (unchanged since)."""

    path: str
    size: int
    mtime: int
    ctime: int
    sha256: str | None = None


class CodeManifest(MagentoModel):
    items: list[CodeFile]
    next_cursor: str | None = None
    complete: bool


StoreContentType = Literal["widget_instance", "layout_update", "email_template"]


class StoreContentField(MagentoModel):
    """One text column as stored: `widget_parameters` is Magento's JSON of the widget's options."""

    name: str
    value: str


class StoreContent(MagentoModel):
    """A widget instance, layout update or e-mail template (`GET .../content`)."""

    entity_type: StoreContentType
    entity_id: int
    identifier: str | None = None
    store_ids: list[int]
    theme_ids: list[int]
    widget_instance_id: int | None = None
    updated_at: str | None = None
    fields: list[StoreContentField]


class StoreContentList(MagentoModel):
    items: list[StoreContent]
    last_entity_id: int
