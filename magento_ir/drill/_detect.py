"""The drill's detection step: a watcher pass before the breach (the baseline) and one after it.

The watcher is not told where the breach is: it scans the whole store and diffs the module's
evidence reads, as `magento-ir watch` does, signing in as the responder integration (an admin
login would count as a sign-in itself). Time to detect is measured from the end of staging to
the end of the pass that opened the incident: what a watcher running at that moment takes. A
watcher that runs every `--interval` seconds adds up to that interval. For an attack staged as
attempts over time (card testing: the burst's orders span the minute before staging ends), the
time from its first attempt is reported too.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from magento_ir.auth import OAuth1Credentials
from magento_ir.containment._context import StoreConnection
from magento_ir.detect import Watcher
from magento_ir.detect.cards import CardThresholds
from magento_ir.detect.watch import WatchConfig
from magento_ir.drill._render import Code, Items, Section, Strong, Table, Text
from magento_ir.drill._staging import CARD_TESTING_IP

if TYPE_CHECKING:
    from magento_ir.detect import Finding, PassReport
    from magento_ir.drill._staging import StagedBreach
    from magento_ir.sandbox import Sandbox

__all__ = ["Detection", "DrillWatch", "detection_section"]

_RESPONDER = "ERP Connector"
_HEAD_INCLUDES = "design/head/includes@default:0"
# The admin whose stolen login each scenario uses (docs/drill.md).
_STOLEN_LOGIN = {
    "compromised_admin": "catalog",
    "customer_data_exfiltration": "support",
    "ransomware_admin": "admin",
}


@dataclass(frozen=True, slots=True)
class Expected:
    what: str
    found: Finding | None


@dataclass(frozen=True, slots=True)
class Detection:
    """What the pass after staging found, and how long it took."""

    seconds: float
    detected_at: datetime
    incident_id: str | None
    baseline: tuple[Finding, ...]
    findings: tuple[Finding, ...]
    expected: tuple[Expected, ...]
    notes: tuple[str, ...] = field(default=())
    # Seconds from the staged attack's first attempt to the end of the detecting pass.
    since_first_attempt: float | None = None

    @property
    def missed(self) -> list[str]:
        return [item.what for item in self.expected if item.found is None]


class DrillWatch:
    """A watcher on the drill's sandbox, its state in a private temporary folder."""

    def __init__(self, sandbox: Sandbox, base_url: str, scenario: str) -> None:
        credentials = sandbox.inspect.integration_credentials(_RESPONDER)
        # Card testing is opt-in in a watcher's config; the card-testing drill turns it on. Its
        # baseline pass reads the last day's orders (as a watcher started now would), and the
        # burst is staged after it.
        config = (
            WatchConfig(card_testing=CardThresholds.shipped())
            if scenario == "card_testing"
            else WatchConfig()
        )
        self._folder = Path(tempfile.mkdtemp(prefix="magento-ir-drill-watch-"))
        self.watcher = Watcher(
            StoreConnection(base_url=base_url, auth=OAuth1Credentials(**credentials)),
            state_path=self._folder / "watch-state.json",
            config=config,
        )
        self.baseline: PassReport | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)

    async def take_baseline(self) -> None:
        self.baseline = await self.watcher.apass()

    async def detect(self, scenario: str, breach: StagedBreach, staged_at: float) -> Detection:
        """One pass after staging; `staged_at` is when staging ended (time.perf_counter())."""
        report = await self.watcher.apass()
        seconds = time.perf_counter() - staged_at
        detected_at = datetime.now(UTC)
        baseline = self.baseline.findings if self.baseline else ()
        everything = (*baseline, *report.findings)
        first = breach.attack_started
        return Detection(
            seconds=seconds,
            detected_at=detected_at,
            since_first_attempt=None if first is None else (detected_at - first).total_seconds(),
            incident_id=report.incident["id"] if report.incident else None,
            baseline=tuple(baseline),
            findings=tuple(report.new_findings),
            expected=tuple(_expected(scenario, breach, everything, report.new_findings)),
            notes=tuple(report.notes),
        )


def _expected(
    scenario: str,
    breach: StagedBreach,
    everything: tuple[Finding, ...],
    new: tuple[Finding, ...],
) -> list[Expected]:
    items: list[Expected] = []
    for block_id in breach.skimmer_block_ids:
        found = next(
            (
                f
                for f in everything
                if f.entity_type == "cms_block" and f.entity_id == str(block_id)
            ),
            None,
        )
        items.append(Expected(f"script in CMS block {block_id}", found))
    if any("design/head/includes" in item.what for item in breach.items):
        found = next(
            (f for f in new if f.entity_type == "config" and f.entity_id == _HEAD_INCLUDES), None
        )
        items.append(Expected("skimmer in design/head/includes", found))
    if breach.integration is not None:
        found = next(
            (
                f
                for f in new
                if f.rule in {"integration-new", "integration-reauthorized"}
                and f.identifier == breach.integration
            ),
            None,
        )
        items.append(Expected(f"the {breach.integration!r} integration", found))
    stolen = _STOLEN_LOGIN.get(scenario)
    if stolen is not None:
        found = next((f for f in new if f.rule == "admin-login" and f.identifier == stolen), None)
        items.append(Expected(f"the stolen `{stolen}` admin login in use", found))
    if scenario == "card_testing":
        found = next(
            (
                f
                for f in everything
                if f.rule.startswith("card-testing-") and f.entity_id == CARD_TESTING_IP
            ),
            next((f for f in everything if f.rule.startswith("card-testing-")), None),
        )
        items.append(Expected(f"the card-testing burst from {CARD_TESTING_IP}", found))
    return items


def _when(found: Finding | None, baseline: tuple[Finding, ...]) -> str:
    if found is None:
        return "no"
    # Found by the baseline pass: it was in the store before staging (not a detection).
    return "yes, before staging (baseline pass)" if found in baseline else "yes"


def detection_section(detection: Detection, contain_seconds: float) -> Section:
    """The report's "Detection" section: time to detect next to time to contain."""
    rows = tuple(
        (
            item.what,
            _when(item.found, detection.baseline),
            f"{item.found.rule} ({item.found.severity})" if item.found else "-",
            item.found.entity if item.found else "-",
        )
        for item in detection.expected
    )
    # Snippets stay in the JSON: the HTML report carries no markup-like text (src=, url().
    found_rows = tuple(
        (f.severity, f.rule, f.entity, f.field, f.host or "-") for f in detection.findings
    )
    incident = (
        ("The pass opened incident ", Code(detection.incident_id), ".")
        if detection.incident_id
        else ("The pass opened no incident: nothing new at medium severity or above.",)
    )
    blocks: list[Any] = [
        Text(
            (
                "Time to detect: ",
                Strong(f"{detection.seconds:.2f} s"),
                " after staging ended (one ",
                Code("magento-ir watch"),
                " pass over the whole store, not told where to look); time to contain: ",
                Strong(f"{contain_seconds:.2f} s"),
                ". A watcher that runs every N seconds adds up to N seconds.",
                *(
                    (
                        " The attack's first attempt was ",
                        Strong(f"{detection.since_first_attempt:.1f} s"),
                        " before the incident opened.",
                    )
                    if detection.since_first_attempt is not None
                    else ()
                ),
            )
        ),
        Text(incident),
        Table(("Staged", "Detected", "Rule", "Where"), rows),
    ]
    if found_rows:
        blocks.append(Table(("Severity", "Rule", "Entity", "Field", "Host"), found_rows))
    if detection.baseline:
        blocks.append(
            Items(
                tuple(
                    (f"before staging (baseline pass): {f.rule} in {f.entity}",)
                    for f in detection.baseline
                )
            )
        )
    return Section(
        "detection",
        "Detection",
        tuple(blocks),
        data={
            "mttd_seconds": round(detection.seconds, 3),
            "mttd_from_first_attempt_seconds": None
            if detection.since_first_attempt is None
            else round(detection.since_first_attempt, 3),
            "contain_seconds": round(contain_seconds, 3),
            "detected_at": detection.detected_at.isoformat(timespec="seconds"),
            "incident_id": detection.incident_id,
            "expected": [
                {
                    "what": item.what,
                    "detected": item.found is not None,
                    "finding": item.found.to_json() if item.found else None,
                }
                for item in detection.expected
            ],
            "missed": detection.missed,
            "findings": [f.to_json() for f in detection.findings],
            "baseline_findings": [f.to_json() for f in detection.baseline],
            "notes": list(detection.notes),
        },
    )
