"""The incident journal: every plan, prior state, result and verification, in order, inside the
tamper-evident evidence log (`magento_ir.evidence.EvidenceLog`), fsynced record by record.

Record types (payloads are JSON objects; none holds a secret):

- `incident.opened`: once, when the journal is created (id, title, store, times);
- `journal.detect`: each run, whether the module was found (its capabilities, or null; with
  `ignored: true` when the store connection said not to use it);
- `journal.plan`: a step was planned (also dry runs, with `dry_run: true`);
- `journal.prior_state`: right before the step's first write (the plan with the prior state it
  read, and the idempotency key);
- `journal.result`: the step's writes are done (the per-entity outcome);
- `journal.verification`: the outside checks after the result;
- `journal.blocked`: the step cannot run (the module is missing), with the reason;
- `journal.error`: the step stopped on an error (phase and message);
- `journal.rollback` / `journal.rollback_result`: before a rollback's first write / after it;
- `journal.rollback_verification`: the outside checks after a rollback;
- `journal.retry`: `--retry-failed` re-applies a failed step (its earlier outcome is kept: a
  rollback undoes every attempt, newest first);
- `journal.rollback_refused`: a rollback would undo another incident's later change (the reason);
- `journal.not_reversible`: a rollback was asked of a step that cannot be undone (the reason);
- `module.log_head`: right after a step's (or a rollback's) companion-module writes, read alongside
  its outside check and journaled before it (`step`, `action`, `phase`, `writes`: how many), the
  module's action-log head
  (`action_id`, `hash`, `at`), or the `error` that kept it from being read
  (`magento_ir.containment.module_log`).

A step is identified by `step` = SHA-256 of its action kind and canonical parameters (first 16
hex digits) and by `generation` (how many times it was rolled back before). Resuming reads these
records back: a step with a result is not redone; one with a prior state and no result was in
flight and is completed with the journaled plan and the same idempotency key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir.containment._model import Outcome, Plan, Verification
from magento_ir.evidence import (
    EvidenceLog,
    LogIntegrityError,
    UncoveredLogError,
    VerificationReport,
    canonical_json,
    read_records,
    verify,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    from magento_ir.evidence import NoteVerifier, SigningKey

__all__ = ["Journal", "StepState", "step_key"]

INCIDENT_OPENED = "incident.opened"


def step_key(kind: str, params: dict[str, Any]) -> str:
    """A step's identity: the same action with the same parameters is the same step."""
    return hashlib.sha256(canonical_json([kind, params]).encode()).hexdigest()[:16]


@dataclass(slots=True)
class StepState:
    """What the journal says about one step (latest generation)."""

    step: str
    action: str
    params: dict[str, Any]
    generation: int = 0
    plan: Plan | None = None
    in_flight: bool = False
    outcome: Outcome | None = None
    verification: Verification | None = None
    rollback_in_flight: bool = False
    rollback_outcome: Outcome | None = None
    rollback_verification: Verification | None = None
    blocked: str | None = None
    error: str | None = None
    # How many times `--retry-failed` re-applied this generation, and the outcomes of the
    # attempts before the current one (oldest first): a rollback undoes each of them.
    attempt: int = 0
    earlier: list[Outcome] = field(default_factory=list)
    history: list[str] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        """The step's change is in place (applied and not rolled back)."""
        return self.rollback_outcome is None and (self.outcome is not None or bool(self.earlier))

    @property
    def undo_target(self) -> Outcome | None:
        """The outcome a rollback undoes next: the newest attempt still in place."""
        if self.rollback_outcome is not None:
            return None
        if self.outcome is not None:
            return self.outcome
        return self.earlier[-1] if self.earlier else None

    @property
    def undo_part(self) -> int:
        """Attempts still to undo after `undo_target` (0 for a step applied once)."""
        return max(0, (self.outcome is not None) + len(self.earlier) - 1)

    @property
    def status(self) -> str:  # noqa: PLR0911 - one answer per journaled stage
        """One word for tables: planned, blocked, failed, in_flight, applied, verified,
        unverified, verification_failed, rollback_in_flight, rolled_back."""
        if self.rollback_outcome is not None:
            return "rolled_back"
        if self.rollback_in_flight:
            return "rollback_in_flight"
        if self.outcome is not None:
            if not self.outcome.took_effect:
                return "failed"  # nothing happened: never "verified" over nothing
            if self.verification is None:
                return "applied"
            return self.verification.status
        if self.error is not None:
            return "failed"  # a rerun completes it (an in-flight one with its journaled plan)
        if self.in_flight:
            return "in_flight"
        if self.blocked is not None:
            return "blocked"
        return "planned"


class Journal:
    """Append-only journal records of one incident, written through an EvidenceLog.

    `Journal.read` gives a read-only view instead (`log` is None): its appends stay in memory
    and nothing is ever written, repaired or signed.
    """

    def __init__(
        self,
        log: EvidenceLog | None,
        existing: Sequence[tuple[str, dict[str, Any]]],
        *,
        path: str | os.PathLike[str] | None = None,
        report: VerificationReport | None = None,
    ) -> None:
        self.log = log
        self._path = Path(path if path is not None else log.path if log is not None else "")
        self._records: list[tuple[str, dict[str, Any]]] = list(existing)
        # What reading the log found (read-only views only): the uncovered tail, the signatures.
        self.report = report

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        key: SigningKey,
        tool_args: Sequence[str] = (),
    ) -> Journal:
        """Open (creating, or verifying and resuming) the journal's evidence log at `path`.

        A record torn by a kill mid-write is cut off (and the cut recorded): it was never
        complete, so the step it belonged to is redone from the records before it.
        """
        log = EvidenceLog.open(path, key=key, tool_args=tool_args, repair=True)
        try:
            existing = [(record.type, record.payload) for record in read_records(path)]
        except BaseException:
            log.close()
            raise
        return cls(log, existing)

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, verifier: NoteVerifier | None) -> Journal:
        """A read-only view of the journal at `path`, after checking it (it writes nothing).

        Raises LogIntegrityError when the log does not verify (a torn last line included:
        `magento-ir evidence repair` cuts it, recorded), and UncoveredLogError when checkpoints
        exist but none covers a record (with `verifier`: none signed by it). Records after the
        last checkpoint are read; `report.covered` says where they start.
        """
        report = verify(path, verifier)
        if report.problem is not None and report.problem.kind == "checkpoint_key":
            raise UncoveredLogError(
                f"{path}: {report.problem.detail}", records=report.records, covered=0
            )
        if report.problem is not None:
            raise LogIntegrityError(report)
        if report.covered == 0 and report.records > 1:
            raise UncoveredLogError(
                f"{path}: none of its {report.records} records is covered by a checkpoint"
                + (f" signed by {verifier}" if verifier is not None else "")
                + ": it may have been rewritten; check it with `magento-ir evidence verify`",
                records=report.records,
                covered=0,
            )
        existing = [(record.type, record.payload) for record in read_records(path)]
        return cls(None, existing, path=path, report=report)

    def close(self) -> None:
        if self.log is not None:
            self.log.close()

    @property
    def read_only(self) -> bool:
        return self.log is None

    @property
    def path(self) -> Path:
        return self._path

    def records(self) -> list[tuple[str, dict[str, Any]]]:
        """Every record so far (type, payload), oldest first, custody records included."""
        return list(self._records)

    def append(self, record_type: str, payload: dict[str, Any]) -> None:
        """Write one record; it is on disk (fsynced) when this returns (in memory only for a
        read-only view)."""
        if self.log is not None:
            self.log.append(record_type, payload)
        self._records.append((record_type, payload))

    def opened(self) -> dict[str, Any] | None:
        for record_type, payload in self._records:
            if record_type == INCIDENT_OPENED:
                return payload
        return None

    def steps(self) -> dict[str, StepState]:
        """Every step's latest state, in the order steps first appeared."""
        steps: dict[str, StepState] = {}
        for record_type, payload in self._records:
            if not record_type.startswith("journal.") or "step" not in payload:
                continue
            state = steps.get(payload["step"])
            if state is None:
                state = steps[payload["step"]] = StepState(
                    payload["step"], payload["action"], payload["params"]
                )
            _apply_record(state, record_type.removeprefix("journal."), payload)
        return steps


def _apply_record(state: StepState, kind: str, payload: dict[str, Any]) -> None:
    state.history.append(kind)
    generation = payload.get("generation", state.generation)
    if kind == "plan":
        if not payload.get("dry_run"):
            state.plan = Plan.from_json(payload["plan"])
    elif kind == "prior_state":
        state.generation = generation
        state.plan = Plan.from_json(payload["plan"])
        state.in_flight = True
        # Earlier attempts of a retried step stay: a rollback undoes them too.
        state.outcome = state.verification = state.rollback_outcome = None
        state.rollback_verification = None
        state.rollback_in_flight = False
        state.blocked = state.error = None
    elif kind == "result":
        state.outcome = Outcome.from_json(payload["outcome"])
        state.in_flight = False
        state.error = None
    elif kind == "verification":
        state.verification = Verification.from_json(payload["verification"])
    elif kind == "retry":
        _apply_retry(state, payload["attempt"])
    elif kind == "blocked":
        state.blocked = payload["error"]
    elif kind == "error":
        state.error = payload["error"]
    elif kind.startswith("rollback"):
        _apply_rollback_record(state, kind, payload, generation)


def _apply_retry(state: StepState, attempt: int) -> None:
    if state.outcome is not None:
        state.earlier.append(state.outcome)
    state.attempt = attempt
    state.outcome = state.verification = None
    state.error = None


def _apply_rollback_record(
    state: StepState, kind: str, payload: dict[str, Any], generation: int
) -> None:
    if kind == "rollback":
        state.rollback_in_flight = True
    elif kind == "rollback_result":
        state.rollback_in_flight = False
        undone = Outcome.from_json(payload["outcome"])
        if state.outcome is not None and state.earlier:
            state.outcome = state.verification = None  # one attempt undone, earlier ones next
        elif state.outcome is None and len(state.earlier) > 1:
            state.earlier.pop()
        else:
            if state.outcome is None and state.earlier:
                state.outcome = state.earlier.pop()
            state.rollback_outcome = undone
            state.generation = generation + 1
            state.attempt = 0
    elif kind == "rollback_verification":
        state.rollback_verification = Verification.from_json(payload["verification"])
