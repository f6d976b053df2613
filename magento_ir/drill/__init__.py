"""The containment drill: a sandbox store, a staged breach, the shipped playbook, a report.

```python
from magento_ir.drill import DrillOptions, run_drill

report = run_drill(DrillOptions(scenario="magecart", products=1_000, latency="0"))
report.write(Path("report"))     # drill-report.{json,md,html} and a copy of the journal
```

Needs the `sandbox` extra (the store is served over real HTTP on loopback). On a real test store
(never production: it refuses a store without the `magento-ir-drill-test-store` CMS block unless
told explicitly), `run_store_drill(StoreDrillOptions(store=StoreConnection(...)))` stages through
the store's APIs and cleans up after itself (docs/drill.md).
"""

from __future__ import annotations

from magento_ir.drill._interrupt import DrillInterrupted, LeftBehind, StepLeft
from magento_ir.drill._render import Code, Command, Items, Section, Strong, Table, Text
from magento_ir.drill._report import (
    ActionReport,
    CheckReport,
    DrillReport,
    ReportFiles,
    RollbackReport,
    StagedItem,
)
from magento_ir.drill._run import SCENARIOS, DrillOptions, run_drill
from magento_ir.drill._store import TEST_STORE_MARKER, StoreDrillOptions, run_store_drill

__all__ = [
    "SCENARIOS",
    "TEST_STORE_MARKER",
    "ActionReport",
    "CheckReport",
    "Code",
    "Command",
    "DrillInterrupted",
    "DrillOptions",
    "DrillReport",
    "Items",
    "LeftBehind",
    "ReportFiles",
    "RollbackReport",
    "Section",
    "StagedItem",
    "StepLeft",
    "StoreDrillOptions",
    "Strong",
    "Table",
    "Text",
    "run_drill",
    "run_store_drill",
]
