"""Detection over what the store and the companion module report (docs/detection.md).

`scan`: the skimmer and backdoor scan (`scan()` is pure, `collect_targets()` reads a store);
`cards`: card-testing detection over orders and payment transactions read since a cursor;
`page_integrity`: the payment page's scripts and CSP in a browser, against a baseline;
`admin`: snapshots of the module's evidence reads and their diff (admin and integration
anomalies); `code_integrity`: a signed baseline of the store's code (the module's
`GET code/manifest`) and the files added, changed or removed since it (PCI DSS 11.5.2 change
detection); `browser`: headless Chromium for the payment-page check; `watch`: the `Watcher`
that runs them on a schedule and opens incidents.
"""

from __future__ import annotations

from magento_ir.detect.cards import (
    CardAlert,
    CardTestingDetector,
    CardThresholds,
    Cursor,
    fetch_since,
    push_block_rules,
)
from magento_ir.detect.code_integrity import (
    BaselineIntegrityError,
    CodeBaseline,
    CodeChanges,
    FileState,
)
from magento_ir.detect.rules import RuleError, RuleSet, load_rule_set, shipped_rule_set
from magento_ir.detect.scan import (
    AllowList,
    Finding,
    Target,
    collect_targets,
    load_allow_list,
    load_yara,
    magecart_inputs,
    scan,
)
from magento_ir.detect.watch import (
    CodeWatch,
    GuardWatch,
    PageWatch,
    PassReport,
    WatchConfig,
    Watcher,
    read_status,
)

__all__ = [
    "AllowList",
    "BaselineIntegrityError",
    "CardAlert",
    "CardTestingDetector",
    "CardThresholds",
    "CodeBaseline",
    "CodeChanges",
    "CodeWatch",
    "Cursor",
    "FileState",
    "Finding",
    "GuardWatch",
    "PageWatch",
    "PassReport",
    "RuleError",
    "RuleSet",
    "Target",
    "WatchConfig",
    "Watcher",
    "collect_targets",
    "fetch_since",
    "load_allow_list",
    "load_rule_set",
    "load_yara",
    "magecart_inputs",
    "push_block_rules",
    "read_status",
    "scan",
    "shipped_rule_set",
]
