"""The containment drill: a sandbox store, a staged breach, the shipped playbook, a report.

```python
from magento_ir.drill import DrillOptions, run_drill

report = run_drill(DrillOptions(scenario="magecart", products=1_000, latency="0"))
report.write(Path("."))          # drill-report.json and drill-report.md
```

Needs the `sandbox` extra (the store is served over real HTTP on loopback).
"""

from __future__ import annotations

from magento_ir.drill._report import (
    ActionReport,
    CheckReport,
    DrillReport,
    RollbackReport,
    StagedItem,
)
from magento_ir.drill._run import SCENARIOS, DrillOptions, run_drill

__all__ = [
    "SCENARIOS",
    "ActionReport",
    "CheckReport",
    "DrillOptions",
    "DrillReport",
    "RollbackReport",
    "StagedItem",
    "run_drill",
]
