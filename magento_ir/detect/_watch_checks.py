"""The watcher's scheduled checks besides the scan: the guard's refusals, code integrity and
the payment page (docs/detection.md, "The watcher"). Settings, and what turns their reads into
findings; the Watcher (watch.py) schedules them, keeps their state and opens the incidents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from magento_ir.detect.scan import Finding

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.detect.code_integrity import CodeChanges
    from magento_ir.detect.page_integrity import ScriptAuthorizations
    from magento_ir.models.incident_response import GuardBlock

__all__ = ["CodeWatch", "GuardWatch", "PageWatch", "code_findings", "guard_findings"]


@dataclass(frozen=True, slots=True)
class GuardWatch:
    """Read the guard's refused placements every `interval` seconds (between passes too); one
    source (IP, else e-mail, customer, cart) refused `limit` times within `window` seconds
    opens an episode, quiet again after `cooldown`."""

    interval: float = 30.0
    limit: int = 20
    window: int = 600
    cooldown: int = 3600


@dataclass(frozen=True, slots=True)
class CodeWatch:
    """Check the store's code against a signed baseline every `interval` seconds; the first
    check takes the baseline (`baseline`: its file, default next to the state file)."""

    interval: float = 3600.0
    baseline: Path | None = None
    max_findings: int = 50


@dataclass(frozen=True, slots=True)
class PageWatch:
    """Render the checkout with `product` in the cart every `interval` seconds (PCI DSS 11.6.1:
    at least weekly) and compare it with the first render; `authorizations`: the scripts'
    written justifications (6.4.3)."""

    product: str
    interval: float = 86_400.0
    authorizations: ScriptAuthorizations | None = None
    chromium: str | None = None
    chromedriver: str | None = None


# --- the guard's refusals -----------------------------------------------------------------------
def _epoch(stamp: str) -> float:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return 0.0
    return moment.timestamp()


def _source(block: GuardBlock) -> tuple[str, str]:
    if block.ip:
        return "ip", block.ip
    if block.email:
        return "email", block.email
    if block.customer_id is not None:
        return "customer", str(block.customer_id)
    return "quote", str(block.quote_id)


def empty_guard_state() -> dict[str, Any]:
    return {"cursor": 0, "refused": 0, "by_rule_type": {}, "by_channel": {}, "recent": [],
            "episodes": {}, "last_read_at": None,
            "store_blocked": None, "counters": {}}  # fmt: skip


def guard_findings(
    state: dict[str, Any], blocks: list[GuardBlock], settings: GuardWatch
) -> list[Finding]:
    """Count new refusals into `state` (changed in place) and answer the episodes they open.

    Windows run on the store's clock (the refusals' `created_at`), so a watcher that was down
    counts what it missed as it happened."""
    for block in blocks:
        state["cursor"] = max(state["cursor"], block.block_id)
        state["refused"] += 1
        for name, value in (("by_rule_type", block.rule_type), ("by_channel", block.channel)):
            state[name][value] = state[name].get(value, 0) + 1
        kind, value = _source(block)
        state["recent"].append([_epoch(block.created_at), kind, value, block.created_at])
    if not state["recent"]:
        return []
    newest = max(item[0] for item in state["recent"])
    state["recent"] = [item for item in state["recent"] if item[0] > newest - settings.window]
    counts: dict[tuple[str, str], list[Any]] = {}
    for item in state["recent"]:
        counts.setdefault((item[1], item[2]), []).append(item)
    found = []
    for (kind, value), items in sorted(counts.items()):
        if len(items) < settings.limit:
            continue
        key = f"{kind}:{value}"
        episode = state["episodes"].get(key)
        if episode is None or episode["last"] < newest - settings.cooldown:
            episode = {"since": min(item[3] for item in items), "last": newest}
            state["episodes"][key] = episode
            found.append(
                Finding(
                    rule="guard-refusals",
                    title="Refused order placements keep coming",
                    severity="medium",
                    entity_type=kind,
                    entity_id=value,
                    field="guard_blocks",
                    snippet=f"since {episode['since']}",
                    why=f"{len(items)} placements refused by the payment guard within "
                    f"{settings.window} s (limit {settings.limit}): someone keeps trying "
                    "against the rules (card testing?)",
                    source="payment-guard",
                )
            )
        episode["last"] = newest
    return found


# --- code integrity ---------------------------------------------------------------------------
def code_findings(
    changes: CodeChanges, sha256: dict[str, str | None], settings: CodeWatch
) -> list[Finding]:
    """One finding per file added, changed or removed since the baseline (at most
    `max_findings`; the state and the notes give the totals)."""

    def now(path: str) -> str:
        return f"sha256 {sha256.get(path) or '(not re-read: size or mtime differ)'}"

    rows = [
        *(("code-file-added", "A code file was added", "high", p, now(p)) for p in changes.added),
        *(("code-file-changed", "A code file changed", "high", p, now(p)) for p in changes.changed),
        *(("code-file-removed", "A code file was removed", "medium", p, "removed")
          for p in changes.removed),
    ]  # fmt: skip
    return [
        Finding(
            rule=rule,
            title=title,
            severity=severity,  # type: ignore[arg-type]
            entity_type="code_file",
            entity_id=path,
            field="sha256",
            snippet=f"{path} {what}"[:160],
            why="differs from the signed code baseline (PCI DSS 11.5.2): not deployed by "
            "you? look at the file",
            source="code-integrity",
        )
        for rule, title, severity, path, what in rows[: settings.max_findings]
    ]
