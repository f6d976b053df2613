"""Containment: actions that plan, apply, verify and roll back, journaled in an `Incident`.

```python
from magento_ir import AdminCredentials
from magento_ir.containment import (
    DisableCmsBlocks, Incident, Maintenance, QuarantineProducts, StoreConnection, load_playbook,
)
from magento_ir.evidence import SigningKey

store = StoreConnection("https://shop.example.com", auth=AdminCredentials("responder", "..."))
key = SigningKey.load("ir-key.pem", "acme-ir")  # signs the journal's checkpoints

with Incident.open("INC-42.jsonl", key=key, store=store, title="Skimmer in footer") as incident:
    print(incident.plan([QuarantineProducts(["SKU-1"])]))       # dry run: nothing changes
    report = incident.run(load_playbook("magecart"), {"skimmer_block_ids": [3]})
    for step in report.steps:
        print(step.action, step.status, step.outcome and step.outcome.count("ok"))
    incident.verify()                        # check again from outside, any time
    incident.rollback()                      # undo, newest first, from the journal
```

Run it again with the same journal after a crash (even `kill -9`): done steps are skipped, a step
that was in flight is completed with the same idempotency key and the prior state it journaled.
In async code use `await incident.arun(...)`, `aplan`, `averify`, `arollback`.

Each action's `plan()` reads the store and writes nothing; `apply()` goes through the companion
module when `GET /V1/incident-response/capabilities` finds it, else through core REST where
Magento has a way (`QuarantineProducts`, `HoldOrders`, `DisableCmsBlocks`,
`RevokeOwnCustomerToken`), else raises `ModuleRequiredError` saying what is missing and how to
install the module (a playbook run records that step as `blocked` and goes on). Results are per
entity: `ok`, `failed` (with the reason) or `skipped`; a step ends `verified`, `unverified` (no
outside check could run) or `verification_failed`. See docs/containment.md.
"""

from magento_ir._exceptions import ModuleRequiredError
from magento_ir.containment._context import Context, StoreConnection, detect_module
from magento_ir.containment._model import (
    Check,
    EntityResult,
    EntityStatus,
    Outcome,
    Plan,
    Verification,
)
from magento_ir.containment.actions import (
    ACTIONS,
    Action,
    BlockOrders,
    DisableCmsBlocks,
    ForcePasswordReset,
    HoldOrders,
    LockdownAdmins,
    Maintenance,
    QuarantineProducts,
    RevokeOwnCustomerToken,
    SuspendPayments,
    TerminateSessions,
)
from magento_ir.containment.incident import Incident, RunReport, StepReport
from magento_ir.containment.journal import Journal, StepState
from magento_ir.containment.playbooks import (
    Playbook,
    PlaybookError,
    load_playbook,
    shipped_playbooks,
)

__all__ = [
    "ACTIONS",
    "Action",
    "BlockOrders",
    "Check",
    "Context",
    "DisableCmsBlocks",
    "EntityResult",
    "EntityStatus",
    "ForcePasswordReset",
    "HoldOrders",
    "Incident",
    "Journal",
    "LockdownAdmins",
    "Maintenance",
    "ModuleRequiredError",
    "Outcome",
    "Plan",
    "Playbook",
    "PlaybookError",
    "QuarantineProducts",
    "RevokeOwnCustomerToken",
    "RunReport",
    "StepReport",
    "StepState",
    "StoreConnection",
    "SuspendPayments",
    "TerminateSessions",
    "Verification",
    "detect_module",
    "load_playbook",
    "shipped_playbooks",
]
