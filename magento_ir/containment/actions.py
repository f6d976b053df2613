"""Containment actions: each plans (touching nothing), applies, verifies from outside, rolls back.

Module path first (the store's `capabilities` say which module actions exist); where the module
is absent, a core-REST fallback runs with bounded concurrency where Magento offers one, and the
other actions raise `ModuleRequiredError` naming what core REST cannot do and how to install the
module. Results are per entity (`ok` / `failed` with the reason / `skipped`), never a silent
partial.

Retries: module writes carry the step's `X-Idempotency-Key` and are retried safely. Core writes
are retried only when re-applying is harmless (setting a product status or a block's `active`
flag to a value); an order hold is never retried blindly: after a failure the order is read back,
and the hold is sent again only if it did not happen. Each `Outcome.retries` says which rule
applied, and the journal keeps it.

Where they live: `_base` (the `Action` class, canaries, storefront probes), `_accounts`
(sessions, admins, passwords, own token), `_catalog` (quarantine), `_shop` (maintenance,
payments), `_orders` (holds), `_cms` (blocks), `_guard` (order placement).
"""

from __future__ import annotations

import re

from magento_ir.containment._accounts import (
    ForcePasswordReset,
    LockdownAdmins,
    RevokeOwnCustomerToken,
    TerminateSessions,
)
from magento_ir.containment._base import Action
from magento_ir.containment._catalog import QuarantineProducts
from magento_ir.containment._cms import DisableCmsBlocks
from magento_ir.containment._guard import BlockOrders
from magento_ir.containment._orders import HoldOrders
from magento_ir.containment._shop import Maintenance, SuspendPayments

__all__ = [
    "ACTIONS",
    "Action",
    "BlockOrders",
    "DisableCmsBlocks",
    "ForcePasswordReset",
    "HoldOrders",
    "LockdownAdmins",
    "Maintenance",
    "QuarantineProducts",
    "RevokeOwnCustomerToken",
    "SuspendPayments",
    "TerminateSessions",
    "changes",
    "rollback_effect",
]


ACTIONS: dict[str, type[Action]] = {
    action.kind: action
    for action in (
        TerminateSessions,
        QuarantineProducts,
        Maintenance,
        SuspendPayments,
        LockdownAdmins,
        ForcePasswordReset,
        HoldOrders,
        DisableCmsBlocks,
        RevokeOwnCustomerToken,
        BlockOrders,
    )
}


def changes(action: type[Action]) -> str:
    """What the action changes in the store, in one sentence: its docstring's first, so
    `magento-ir playbooks show` says what the code's own documentation says."""
    paragraph = " ".join((action.__doc__ or "").strip().split("\n\n", 1)[0].split())
    sentence = re.match(r"(.+?\.)\s+[A-Z]", paragraph)
    return sentence.group(1) if sentence else paragraph


def rollback_effect(action: type[Action]) -> str:
    """What `magento-ir rollback` does for a step of this action."""
    if action.irreversible is not None:
        return f"not reversible: {action.irreversible}"
    return "reversible: rollback restores the state recorded before the write"
