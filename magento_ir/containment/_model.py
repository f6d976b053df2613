"""Plain data of containment: plans, per-entity results, verifications; all JSON round-trippable.

Everything here goes into the incident journal, so nothing here may hold a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Check",
    "EntityCount",
    "EntityResult",
    "EntityStatus",
    "Outcome",
    "Path",
    "Plan",
    "Verification",
]

EntityStatus = Literal["ok", "failed", "skipped"]
# Which way an action ran: the companion module's route, or core REST calls.
Path = Literal["module", "core"]
_STATUSES = ("ok", "failed", "skipped")


@dataclass(frozen=True, slots=True)
class Plan:
    """What an action will change (a dry run) and the prior state it read to decide that.

    `prior` is journaled before the first write and is what `rollback()` restores from.
    """

    action: str
    path: Path
    summary: str
    changes: tuple[str, ...] = ()
    prior: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "path": self.path,
            "summary": self.summary,
            "changes": list(self.changes),
            "prior": self.prior,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            action=data["action"],
            path=data["path"],
            summary=data["summary"],
            changes=tuple(data["changes"]),
            prior=dict(data.get("prior", {})),
        )


@dataclass(frozen=True, slots=True)
class EntityResult:
    """What happened to one entity (`sku:ABC`, `order:12`, `block:3`, `scope:all`)."""

    entity: str
    status: EntityStatus
    detail: str = ""

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {_STATUSES}, not {self.status!r}")

    def to_json(self) -> dict[str, Any]:
        return {"entity": self.entity, "status": self.status, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EntityResult:
        return cls(entity=data["entity"], status=data["status"], detail=data["detail"])


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of `apply()` or `rollback()`: one entry per entity, never a silent partial.

    `retries` says how writes were retried (module idempotency key, harmless re-apply, or not
    at all and checked by reading back), as the design's "writes are never retried blindly" asks.
    `data` keeps what a later rollback needs (quarantine id, lockdown id, ...).
    """

    action: str
    path: Path
    entities: tuple[EntityResult, ...]
    retries: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """No entity failed."""
        return all(entity.status != "failed" for entity in self.entities)

    @property
    def failed(self) -> tuple[EntityResult, ...]:
        return tuple(entity for entity in self.entities if entity.status == "failed")

    @property
    def took_effect(self) -> bool:
        """False when an entity failed and none is ok: nothing of the step happened, so there
        is nothing to verify and the step is `failed` (never "verified" over nothing)."""
        return not self.failed or any(entity.status == "ok" for entity in self.entities)

    def reasons(self) -> str:
        """The failed entities and why, for tables and errors ("no such CMS block 3")."""
        return "; ".join(
            entity.detail
            if entity.entity.partition(":")[2] in entity.detail
            else f"{entity.entity}: {entity.detail}"
            for entity in self.failed
        )

    def count(self, status: EntityStatus) -> int:
        return sum(1 for entity in self.entities if entity.status == status)

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "path": self.path,
            "ok": self.ok,
            "entities": [entity.to_json() for entity in self.entities],
            "retries": self.retries,
            "data": self.data,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            action=data["action"],
            path=data["path"],
            entities=tuple(EntityResult.from_json(entity) for entity in data["entities"]),
            retries=data["retries"],
            data=dict(data["data"]),
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One outside observation: what was checked, whether it held, and what was seen.

    `passed` is None when the check could not run (e.g. no canary credentials were given); that
    is reported, never counted as a pass.
    """

    name: str
    passed: bool | None
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Check:
        return cls(name=data["name"], passed=data["passed"], detail=data["detail"])


@dataclass(frozen=True, slots=True)
class Verification:
    """Proof from the outside that an action took effect (or that its rollback did)."""

    action: str
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        """Every check that could run held, and at least one ran."""
        ran = [check for check in self.checks if check.passed is not None]
        return bool(ran) and all(check.passed for check in ran)

    @property
    def status(self) -> str:
        """`verified`, `verification_failed` (a check did not hold), or `unverified` (no check
        could run, e.g. checkout closed by maintenance: nothing failed, nothing was proven)."""
        if self.passed:
            return "verified"
        if any(check.passed is False for check in self.checks):
            return "verification_failed"
        return "unverified"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "passed": self.passed,
            "checks": [check.to_json() for check in self.checks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verification:
        return cls(
            action=data["action"], checks=tuple(Check.from_json(check) for check in data["checks"])
        )


@dataclass(frozen=True, slots=True)
class EntityCount:
    """Progress of one step's writes, reported as the entities are done (never estimated):
    `done` of `total` so far. `total` grows when a step finds more to do (store-view overrides
    after the SKUs themselves)."""

    step: str
    action: str
    phase: str  # "apply" or "rollback"
    done: int
    total: int
