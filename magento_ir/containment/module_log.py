"""Anchoring the companion module's action log in the incident journal, and checking it later.

The module's action log is a SHA-256 hash chain (`x-magento-ir-hash-chain` in the contract). That
proves nothing to someone holding the store's database credentials (in `app/etc/env.php`, which
attackers usually hold): they can rewrite a record and recompute every hash after it. So right after
each step (or rollback) that sent module writes, before its outside check, the engine reads the
log's head (`action_id` + `hash`) and keeps it in the journal as a `module.log_head` record; the
journal is signed on the responder's machine.

`averify_module_log` reads the whole log back and reports any anchored record that is gone or whose
hash changed, a chain that no longer links (from the genesis hash to the head), and a log that now
ends before an anchored record. What it cannot see: records written after the newest anchor can be
rewritten (re-hashed) undetected (a run killed between a write and its head read leaves that
write to the next anchor).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento_ir._core.search_criteria import SearchCriteria

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from magento_ir._async import AsyncMagentoClient
    from magento_ir.models.incident_response import ActionRecord

__all__ = [
    "GENESIS_HASH",
    "MODULE_LOG_HEAD",
    "Anchor",
    "ModuleLogReport",
    "anchors_in",
    "averify_module_log",
    "check_module_log",
    "module_record_hash",
]

# The journal record type of an anchored head.
MODULE_LOG_HEAD = "module.log_head"
GENESIS_HASH = "0" * 64
_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Anchor:
    """One head of the module's log as the journal kept it (`at`: the record's created_at)."""

    action_id: int
    hash: str
    at: str | None = None

    def where(self) -> str:
        return f"#{self.action_id}" + (f" (written {self.at} UTC)" if self.at else "")


def anchors_in(records: Iterable[tuple[str, dict[str, Any]]]) -> tuple[list[Anchor], list[str]]:
    """The journal's anchors, oldest first, and why heads could not be read (when that happened)."""
    anchors: list[Anchor] = []
    missed: list[str] = []
    for record_type, payload in records:
        if record_type != MODULE_LOG_HEAD:
            continue
        if "error" in payload:
            missed.append(str(payload["error"]))
            continue
        anchors.append(Anchor(int(payload["action_id"]), str(payload["hash"]), payload.get("at")))
    return anchors, missed


def module_record_hash(previous_hash: str, record: ActionRecord) -> str:
    """A record's hash by the contract's `x-magento-ir-hash-chain` rule."""
    canonical = json.dumps(
        [
            record.action,
            record.status,
            record.created_at,
            record.actor_type,
            record.actor_id,
            record.incident_id,
            record.reason,
            record.idempotency_key,
            record.request,
            record.prior_state,
            record.result,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ModuleLogReport:
    """What `averify_module_log` found: `ok` only when something was anchored and all held."""

    records: int
    anchors: int
    newest_anchor: int | None
    head: Anchor | None
    problems: tuple[str, ...] = ()
    # Why some heads were not anchored (e.g. the API user lacks the actions_view ACL resource).
    missed: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.anchors > 0 and not self.problems

    def summary(self) -> str:
        """One line for people: the first problem, or what was checked and what was not."""
        if self.anchors == 0:
            return (
                "nothing to check: the journal anchors no head of the module's action log "
                "(no module write was made, or its head could not be read)"
            )
        if self.problems:
            return f"the module's action log was rewritten: {self.problems[0]}"
        head = self.head.action_id if self.head is not None else 0
        tail = head - (self.newest_anchor or 0)
        return (
            f"the module's action log holds all {self.anchors} anchored heads and its chain "
            f"links from the genesis hash to #{head} ({self.records} records; {tail} written "
            "after the newest anchor are covered by the chain only)"
        )


def check_module_log(
    anchors: Sequence[Anchor], records: Sequence[ActionRecord], missed: Sequence[str] = ()
) -> ModuleLogReport:
    """Compare the journal's anchors with the module's log as read now (ascending action_id).

    Pure: every problem is named by the record it is about; the chain is checked from the
    genesis hash, each anchor must still be there with the same hash, and the log must not now
    end before an anchored record.
    """
    problems: list[str] = []
    previous = GENESIS_HASH
    for record in records:
        if record.previous_hash != previous:
            problems.append(
                f"record #{record.action_id} no longer links to the record before it "
                "(a record before it was changed, inserted or deleted)"
            )
            break
        if module_record_hash(previous, record) != record.hash:
            problems.append(
                f"record #{record.action_id} does not match its own hash (it was edited)"
            )
            break
        previous = record.hash
    by_id = {record.action_id: record for record in records}
    head = records[-1] if records else None
    for anchor in anchors:
        found = by_id.get(anchor.action_id)
        if found is None:
            ends = f"the log now ends at #{head.action_id}" if head else "the log is now empty"
            problems.append(f"anchored record {anchor.where()} is gone ({ends})")
        elif found.hash != anchor.hash:
            problems.append(
                f"anchored record {anchor.where()} now has hash {found.hash[:16]}..., "
                f"anchored as {anchor.hash[:16]}... (rewritten and re-hashed)"
            )
    return ModuleLogReport(
        records=len(records),
        anchors=len(anchors),
        newest_anchor=max((anchor.action_id for anchor in anchors), default=None),
        head=None if head is None else Anchor(head.action_id, head.hash),
        problems=tuple(problems),
        missed=tuple(missed),
    )


async def read_module_log(client: AsyncMagentoClient) -> list[ActionRecord]:
    """The whole action log, ascending action_id, paged by id (keyset: stable while it grows)."""
    records: list[ActionRecord] = []
    last = 0
    while True:
        criteria = (
            SearchCriteria()
            .where("action_id", "gt", last)
            .order_by("action_id", "ASC")
            .page(_PAGE_SIZE, 1)
        )
        page = await client.incident_response.actions(criteria)
        records.extend(page.items)
        if len(page.items) < _PAGE_SIZE:
            return records
        last = page.items[-1].action_id


async def averify_module_log(
    client: AsyncMagentoClient, journal_records: Iterable[tuple[str, dict[str, Any]]]
) -> ModuleLogReport:
    """Read the store's action log and check it against the journal's anchors (read-only)."""
    anchors, missed = anchors_in(journal_records)
    return check_module_log(anchors, await read_module_log(client), missed)
