"""`Incident`: one breach, its store, and the journal of everything done about it.

The engine is async (`arun`, `aplan`, `averify`, `arollback`); the sync methods (`run`, `plan`,
`verify`, `rollback`) run it in a private event loop, so scripts and the CLI need no asyncio.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from magento_ir._exceptions import ConfigurationError, MagentoIRError, ModuleRequiredError
from magento_ir.containment._context import Context, StoreConnection, detect_module
from magento_ir.containment._model import EntityCount
from magento_ir.containment.actions import ACTIONS, Action
from magento_ir.containment.journal import INCIDENT_OPENED, Journal, StepState, step_key
from magento_ir.containment.module_log import MODULE_LOG_HEAD

if TYPE_CHECKING:
    import os
    from collections.abc import Awaitable, Iterator, Mapping, Sequence
    from types import TracebackType

    from magento_ir._async import AsyncMagentoClient
    from magento_ir._http import AsyncClient
    from magento_ir.containment._model import Outcome, Plan, Verification
    from magento_ir.containment.playbooks import Playbook
    from magento_ir.evidence import SigningKey
    from magento_ir.models.incident_response import Capabilities

__all__ = [
    "STATUS_OK",
    "EntityProgress",
    "Incident",
    "RunReport",
    "StepReport",
    "reporting_entities",
]

_INCIDENT_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_MAX_REASON = 255


# Every status a step can end a call with, and whether that leaves the call fine. `RunReport.ok`
# and the CLI's exit code both read this one table, so they cannot disagree.
STATUS_OK: dict[str, bool] = {
    "planned": True,  # a dry run
    "skipped": True,  # an earlier run applied and verified it
    "verified": True,
    "unverified": True,  # applied; no outside check could run (reported, nothing failed)
    "rolled_back": True,
    "not_reversible": True,  # asked to roll back what cannot be undone: said so, not an error
    "applied": False,  # applied, but the outside check stopped on an error
    "failed": False,
    "blocked": False,
    "verification_failed": False,
    "in_flight": False,
    "rollback_in_flight": False,
    "rollback_refused": False,  # it would undo another incident's later change
}


@dataclass(frozen=True, slots=True)
class StepReport:
    """What happened to one step in this call (`status` as in `StepState.status`, or `skipped`
    when an earlier run had already applied and verified it). A rerun reports a step whose
    journaled result was `failed` or `verification_failed` with that status again, until
    `retry_failed=True` re-applies it."""

    step: str
    action: str
    params: dict[str, Any]
    status: str
    plan: Plan | None = None
    outcome: Outcome | None = None
    verification: Verification | None = None
    error: str | None = None
    # Wall time of the writes (time to contain) and of the whole step, in seconds.
    apply_seconds: float | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (for reports): no secret is ever part of a step."""
        return {
            "step": self.step,
            "action": self.action,
            "params": self.params,
            "status": self.status,
            "plan": None if self.plan is None else self.plan.to_json(),
            "outcome": None if self.outcome is None else self.outcome.to_json(),
            "verification": None if self.verification is None else self.verification.to_json(),
            "error": self.error,
            "apply_seconds": self.apply_seconds,
            "seconds": self.seconds,
        }


# Called with the action before each step (report None) and again with its report after it.
Progress = Callable[["Action", "StepReport | None"], None]
# Called as a step's entities are written (and rolled back), from the write loops themselves.
EntityProgress = Callable[["EntityCount"], None]
_REPORTS_TO: ContextVar[EntityProgress | None] = ContextVar("entity_progress", default=None)


@contextmanager
def reporting_entities(callback: EntityProgress) -> Iterator[None]:
    """Within this block, every incident without an `on_entities` of its own reports to
    `callback`: how a caller hears the steps of incidents it does not open (the drill's)."""
    token = _REPORTS_TO.set(callback)
    try:
        yield
    finally:
        _REPORTS_TO.reset(token)


@dataclass(frozen=True, slots=True)
class RunReport:
    """Every step of one `run()` / `plan()` / `verify()` / `rollback()` call, in order."""

    incident_id: str
    steps: tuple[StepReport, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        """Every step ended in a fine status (`STATUS_OK`) and no entity of any step failed."""
        return all(STATUS_OK.get(step.status, False) for step in self.steps) and all(
            step.outcome is None or step.outcome.ok for step in self.steps
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "incident_id": self.incident_id,
            "ok": self.ok,
            "steps": [step.to_json() for step in self.steps],
        }


def _new_incident_id(now: datetime) -> str:
    return f"INC-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ConfigurationError(
            "detected_at must be timezone-aware (e.g. datetime(..., tzinfo=UTC))"
        )
    return moment.astimezone(UTC).isoformat()


class Incident:
    """An incident and its journal. Open with `Incident.open(...)`; close (or use `with`).

    A new incident's journal file is created only once the store has answered (the module
    check at the start of the first `plan`/`run`/...): a mistyped URL leaves no journal bound
    to it behind.
    """

    def __init__(
        self,
        journal: Journal | None,
        store: StoreConnection,
        opened: dict[str, Any],
        *,
        pending: tuple[Path, SigningKey] | None = None,
    ) -> None:
        self._journal = journal
        self._pending = pending
        self._opened = opened
        self.store = store
        self.id: str = opened["id"]
        self.title: str = opened["title"]
        self.opened_at = datetime.fromisoformat(opened["opened_at"])
        self.detected_at = (
            datetime.fromisoformat(opened["detected_at"]) if opened.get("detected_at") else None
        )
        # Per-entity progress of apply and rollback (e.g. a CLI progress bar); None: not told.
        self.on_entities: EntityProgress | None = None

    @classmethod
    def open(
        cls,
        journal_path: str | os.PathLike[str],
        *,
        key: SigningKey | None,
        store: StoreConnection,
        title: str | None = None,
        incident_id: str | None = None,
        detected_at: datetime | None = None,
        read_only: bool = False,
    ) -> Incident:
        """Start an incident, or resume the one whose journal is at `journal_path`.

        A new journal needs `title` (its file is written once the store answers); resuming
        reads id, title and times from the journal and refuses a different store (the
        journal's steps are about that store). `read_only` opens an existing journal without
        writing to it (`Journal.read`, checked with `key`'s verifier when a key is given):
        `verify()` then journals nothing.
        """
        if incident_id is not None and not _INCIDENT_ID.fullmatch(incident_id):
            raise ConfigurationError(
                f"incident_id {incident_id!r} is not valid: use 1-64 characters from "
                "A-Z a-z 0-9 . _ : -"
            )
        path = Path(journal_path)
        if read_only:
            verifier = key.verifier() if key is not None else None
            journal = Journal.read(path, verifier=verifier)
            if journal.opened() is None:
                raise ConfigurationError(f"{path} holds no incident: nothing to read")
        elif key is None:
            raise ConfigurationError("writing a journal needs its signing key (key=...)")
        elif not path.exists() or path.stat().st_size == 0:
            fresh = _fresh_opened(store, title, incident_id, detected_at)
            return cls(None, store, fresh, pending=(path, key))
        else:
            journal = Journal.open(path, key=key)
        try:
            given = _fresh_opened(store, title, incident_id, detected_at) if title else None
            opened = _opened_record(journal, store, given, incident_id)
        except BaseException:
            journal.close()
            raise
        return cls(journal, store, opened)

    def __repr__(self) -> str:
        return f"<Incident {self.id} {self.title!r} on {self.store.base_url}>"

    @property
    def journal(self) -> Journal:
        """The journal (written once the store first answered)."""
        if self._journal is None:
            raise ConfigurationError(
                f"incident {self.id} has no journal yet: it is written once the store answers "
                "(run plan() or run() first)"
            )
        return self._journal

    def _bind(self) -> Journal:
        """The journal, created now for a new incident: the store has just answered."""
        if self._journal is None:
            if self._pending is None:  # pragma: no cover - closed incidents have no session
                raise ConfigurationError(f"incident {self.id} is closed")
            path, key = self._pending
            journal = Journal.open(path, key=key)
            try:
                self._opened = _opened_record(journal, self.store, self._opened, self.id)
            except BaseException:
                journal.close()
                raise
            self._journal, self._pending = journal, None
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
        self._pending = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # --- what the journal says ----------------------------------------------------------------

    def status(self) -> list[StepState]:
        """Every step the journal knows, latest state each (no network)."""
        if self._journal is None:
            return []
        return list(self._journal.steps().values())

    # --- async engine -------------------------------------------------------------------------

    @property
    def _reason(self) -> str:
        return f"incident {self.id}: {self.title}"[:_MAX_REASON]

    def _key(self, step: str, generation: int, phase: str = "", attempt: int = 0) -> str:
        # A retried attempt writes under a key of its own: the module would replay the first.
        return f"{self.id}.{step}.{generation}{f'.a{attempt}' if attempt else ''}{phase}"

    async def _session(
        self, work: Callable[[AsyncMagentoClient, AsyncClient, Capabilities | None], Awaitable[Any]]
    ) -> Any:  # noqa: ANN401 - whatever work returns
        async with self.store.open_client() as client, self.store.open_storefront() as storefront:
            if not self.store.use_module:
                self._bind().append("journal.detect", {"module": None, "ignored": True})
                return await work(client, storefront, None)
            module = await detect_module(client)
            self._bind().append(
                "journal.detect",
                {"module": None if module is None else module.model_dump(mode="json")},
            )
            return await work(client, storefront, module)

    def _context(
        self,
        client: AsyncMagentoClient,
        storefront: AsyncClient,
        module: Capabilities | None,
        key: str,
        *,
        resumed: bool = False,
        counting: tuple[str, str, str] | None = None,
    ) -> Context:
        """A step's context; `counting` = (step id, action, phase) reports its entities to
        `on_entities`."""
        report = self.on_entities or _REPORTS_TO.get()
        tell = None
        if report is not None and counting is not None:
            step, kind, phase = counting

            def tell(done: int, total: int) -> None:
                report(EntityCount(step, kind, phase, done, total))

        return Context(
            client=client,
            storefront=storefront,
            connection=self.store,
            module=module,
            incident_id=self.id,
            reason=self._reason,
            key=key,
            resumed=resumed,
            on_entities=tell,
        )

    def _record(self, record_type: str, action: Action, step: str, **payload: object) -> None:
        self.journal.append(
            record_type, {"step": step, "action": action.kind, "params": action.params(), **payload}
        )

    async def _anchor_module_log(
        self, client: AsyncMagentoClient, writes_before: int, action: Action, step: str, phase: str
    ) -> None:
        """Right after a step's module writes (answered or not), alongside its verification: keep
        the module's action-log head in the journal, so a rewrite of the log up to it is
        detectable (module_log.py) even if the run dies in the next step."""
        writes = client.incident_response.writes_sent - writes_before
        if writes == 0:
            return
        where = {"step": step, "action": action.kind, "phase": phase, "writes": writes}
        try:
            head = await client.incident_response.action_log_head()
        except MagentoIRError as error:
            self.journal.append(MODULE_LOG_HEAD, {**where, "error": str(error)})
            return
        if head is not None:
            self.journal.append(
                MODULE_LOG_HEAD,
                {**where, "action_id": head.action_id, "hash": head.hash, "at": head.created_at},
            )

    async def aplan(
        self, actions: Playbook | Sequence[Action], inputs: Mapping[str, Any] | None = None
    ) -> RunReport:
        """A dry run: every step's plan, read from the store; nothing in the store changes."""
        steps = _resolve(actions, inputs)

        async def work(
            client: AsyncMagentoClient, storefront: AsyncClient, module: Capabilities | None
        ) -> RunReport:
            reports = []
            for action in steps:
                step = step_key(action.kind, action.params())
                ctx = self._context(client, storefront, module, self._key(step, 0))
                try:
                    plan = await action.plan(ctx)
                except ModuleRequiredError as error:
                    self._record("journal.blocked", action, step, dry_run=True, error=str(error))
                    reports.append(
                        StepReport(step, action.kind, action.params(), "blocked", error=str(error))
                    )
                    continue
                self._record("journal.plan", action, step, dry_run=True, plan=plan.to_json())
                reports.append(StepReport(step, action.kind, action.params(), "planned", plan))
            return RunReport(self.id, tuple(reports))

        result: RunReport = await self._session(work)
        return result

    async def arun(
        self,
        actions: Playbook | Sequence[Action],
        inputs: Mapping[str, Any] | None = None,
        *,
        progress: Progress | None = None,
        retry_failed: bool = False,
    ) -> RunReport:
        """Plan, apply and verify each step in order, journaling each stage; resumes a run that
        was interrupted (done steps are skipped, a step in flight is completed).

        A step whose journaled result is `failed` (nothing took effect) or whose journaled
        verification failed is reported so again; `retry_failed=True` re-applies it (a new
        attempt; a rollback later undoes every attempt)."""
        steps = _resolve(actions, inputs)

        async def work(
            client: AsyncMagentoClient, storefront: AsyncClient, module: Capabilities | None
        ) -> RunReport:
            done: list[tuple[Action, StepReport]] = []
            for action in steps:
                if action.closes_storefront:
                    done = await self._check_before_closing(
                        action, done, client, storefront, module
                    )
                if progress is not None:
                    progress(action, None)
                started = time.monotonic()
                report = await self._run_step(
                    action, client, storefront, module, retry_failed=retry_failed
                )
                report = replace(report, seconds=time.monotonic() - started)
                if progress is not None:
                    progress(action, report)
                done.append((action, report))
            return RunReport(self.id, tuple(report for _, report in done))

        result: RunReport = await self._session(work)
        return result

    async def _check_before_closing(
        self,
        closing: Action,
        done: list[tuple[Action, StepReport]],
        client: AsyncMagentoClient,
        storefront: AsyncClient,
        module: Capabilities | None,
    ) -> list[tuple[Action, StepReport]]:
        """Before a step that closes the storefront or checkout: run the outside check again of
        each earlier step of this run whose check stopped on an error (`applied`). Those checks
        look as a shopper; once the shop is closed they see only the maintenance page, and the
        step could never again be more than `unverified`. Closing waits for these reads only."""
        closing_state = self.journal.steps().get(step_key(closing.kind, closing.params()))
        if closing_state is not None and (closing_state.applied or closing_state.in_flight):
            return done  # it may already be closed: a check now proves nothing
        checked = []
        for action, earlier in done:
            report = earlier
            state = self.journal.steps().get(earlier.step)
            if (
                earlier.status == "applied"
                and state is not None
                and state.status == "applied"
                and state.outcome is not None
            ):
                ctx = self._context(
                    client, storefront, module,
                    self._key(state.step, state.generation, attempt=state.attempt), resumed=True,
                )  # fmt: skip
                started = time.monotonic()
                again = await self._verify_step(
                    action, ctx, state.step, state.generation, state.plan, state.outcome
                )
                report = replace(
                    again, apply_seconds=earlier.apply_seconds,
                    seconds=earlier.seconds + time.monotonic() - started,
                )  # fmt: skip
            checked.append((action, report))
        return checked

    async def _run_step(
        self,
        action: Action,
        client: AsyncMagentoClient,
        storefront: AsyncClient,
        module: Capabilities | None,
        *,
        retry_failed: bool,
    ) -> StepReport:
        step = step_key(action.kind, action.params())
        state = self.journal.steps().get(step)
        generation = state.generation if state is not None else 0
        params = action.params()
        if state is not None and state.applied and state.outcome is not None:
            if state.status in _RETRYABLE and retry_failed:
                self._record("journal.retry", action, step, attempt=state.attempt + 1)
                state = self.journal.steps()[step]
            else:
                ctx = self._context(
                    client, storefront, module, self._key(step, generation, attempt=state.attempt),
                    resumed=True,
                )  # fmt: skip
                return await self._rerun(action, ctx, state)
        attempt = state.attempt if state is not None else 0
        resumed = state is not None and state.in_flight and state.plan is not None
        ctx = self._context(
            client, storefront, module, self._key(step, generation, attempt=attempt),
            resumed=resumed, counting=(step, action.kind, "apply"),
        )  # fmt: skip
        phase = "plan"
        writes = client.incident_response.writes_sent
        try:
            if resumed and state is not None and state.plan is not None:
                plan = state.plan
            else:
                plan = await action.plan(ctx)
                # The plan says what will change; the prior state it read follows on its own.
                summary = {key: value for key, value in plan.to_json().items() if key != "prior"}
                self._record("journal.plan", action, step, plan=summary)
                self._record(
                    "journal.prior_state", action, step, generation=generation, plan=plan.to_json(),
                    idempotency_key=ctx.key,
                )  # fmt: skip
            phase = "apply"
            started = time.monotonic()
            outcome = await action.apply(ctx, plan)
            apply_seconds = time.monotonic() - started
        except ModuleRequiredError as error:
            self._record("journal.blocked", action, step, error=str(error))
            return StepReport(step, action.kind, params, "blocked", error=str(error))
        except MagentoIRError as error:
            self._record("journal.error", action, step, phase=phase, error=str(error))
            await self._anchor_module_log(client, writes, action, step, "apply")
            return StepReport(step, action.kind, params, "failed", error=str(error))
        self._record(
            "journal.result", action, step, generation=generation, outcome=outcome.to_json(),
            seconds=round(apply_seconds, 6),
        )  # fmt: skip
        # The head is read while the outside checks run (both only read): one round trip less
        # per step. Its record still comes before the verification's.
        anchoring = asyncio.ensure_future(
            self._anchor_module_log(client, writes, action, step, "apply")
        )
        try:
            if not outcome.took_effect:
                # Nothing happened: there is nothing to verify, and "verified" would be a lie.
                await anchoring
                return StepReport(
                    step, action.kind, params, "failed", plan, outcome, error=outcome.reasons(),
                    apply_seconds=apply_seconds,
                )  # fmt: skip
            report = await self._verify_step(
                action, ctx, step, generation, plan, outcome, anchoring=anchoring
            )
        finally:
            await anchoring
        return replace(report, apply_seconds=apply_seconds)

    async def _rerun(self, action: Action, ctx: Context, state: StepState) -> StepReport:
        """A step an earlier run applied: its journaled verdict again (`skipped` when it was
        verified), or its outside check when none was journaled."""
        if state.outcome is None:  # pragma: no cover - callers pass applied steps
            raise ConfigurationError(f"step {state.step} has no outcome")
        params = action.params()
        if state.status in _RETRYABLE:
            return StepReport(
                state.step, action.kind, params, state.status, state.plan, state.outcome,
                state.verification, error=_retry_hint(state.status, state.outcome),
            )  # fmt: skip
        if state.verification is not None:
            return StepReport(
                state.step, action.kind, params, "skipped", state.plan, state.outcome,
                state.verification,
            )  # fmt: skip
        return await self._verify_step(
            action, ctx, state.step, state.generation, state.plan, state.outcome
        )

    async def _verify_step(  # noqa: PLR0917 - private, called with the step's parts
        self,
        action: Action,
        ctx: Context,
        step: str,
        generation: int,
        plan: Plan | None,
        outcome: Outcome,
        *,
        anchoring: Awaitable[None] | None = None,
    ) -> StepReport:
        """The outside check, journaled; `anchoring` (the module log's head being read alongside)
        is journaled first."""
        params = action.params()
        try:
            verification = await action.verify(ctx, outcome)
        except MagentoIRError as error:
            if anchoring is not None:
                await anchoring
            self._record("journal.error", action, step, phase="verify", error=str(error))
            return StepReport(step, action.kind, params, "applied", plan, outcome, error=str(error))
        if anchoring is not None:
            await anchoring
        self._record(
            "journal.verification", action, step, generation=generation,
            verification=verification.to_json(),
        )  # fmt: skip
        status = verification.status
        return StepReport(step, action.kind, params, status, plan, outcome, verification)

    async def averify(self, *, progress: Progress | None = None) -> RunReport:
        """Check every applied step again from outside (journaled like the first check);
        `progress` is told of each step before and after, as in `arun`."""

        async def work(
            client: AsyncMagentoClient, storefront: AsyncClient, module: Capabilities | None
        ) -> RunReport:
            reports = []
            for state in self.status():
                if not state.applied or state.outcome is None:
                    continue
                if not state.outcome.took_effect:
                    reports.append(
                        StepReport(
                            state.step, state.action, state.params, "failed", state.plan,
                            state.outcome, error=_retry_hint("failed", state.outcome),
                        )
                    )  # fmt: skip
                    continue
                action = _rebuild(state)
                ctx = self._context(
                    client, storefront, module,
                    self._key(state.step, state.generation, attempt=state.attempt), resumed=True,
                )  # fmt: skip
                if progress is not None:
                    progress(action, None)
                report = await self._verify_step(
                    action, ctx, state.step, state.generation, state.plan, state.outcome
                )
                if progress is not None:
                    progress(action, report)
                reports.append(report)
            return RunReport(self.id, tuple(reports))

        result: RunReport = await self._session(work)
        return result

    async def arollback(
        self,
        steps: Sequence[str] | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> RunReport:
        """Undo applied steps (all, or those whose step ids are given), newest first.

        Steps that cannot be undone (ended sessions, reset passwords) are reported
        `not_reversible`. A step whose rollback would undo a later change by another incident
        (seen in the store's current state) is refused (`rollback_refused`, with the reason)
        unless `force=True`. `progress` is told of each step before and after, as in `arun`;
        `on_entities` of each entity its rollback writes back."""

        async def work(
            client: AsyncMagentoClient, storefront: AsyncClient, module: Capabilities | None
        ) -> RunReport:
            reports = []
            for state in reversed(self.status()):
                wanted = steps is None or state.step in steps
                if wanted and state.applied:
                    action = _rebuild(state)
                    if progress is not None:
                        progress(action, None)
                    report = await self._rollback_step(
                        state, client, storefront, module, force=force
                    )
                    if progress is not None:
                        progress(action, report)
                    reports.append(report)
            return RunReport(self.id, tuple(reports))

        result: RunReport = await self._session(work)
        return result

    async def _rollback_step(
        self,
        state: StepState,
        client: AsyncMagentoClient,
        storefront: AsyncClient,
        module: Capabilities | None,
        *,
        force: bool,
    ) -> StepReport:
        action = _rebuild(state)
        if action.irreversible is not None:
            self._record("journal.not_reversible", action, state.step, reason=action.irreversible)
            return StepReport(
                state.step, action.kind, state.params, "not_reversible", state.plan,
                state.outcome, error=f"not reversible: {action.irreversible}",
            )  # fmt: skip
        undone: list[Outcome] = []
        checked: Verification | None = None
        # A retried step is undone attempt by attempt, newest first.
        while (target := state.undo_target) is not None:
            phase = f".rollback.p{state.undo_part}" if state.undo_part else ".rollback"
            key = self._key(state.step, state.generation, phase)
            ctx = self._context(
                client, storefront, module, key, resumed=True,
                counting=(state.step, action.kind, "rollback"),
            )  # fmt: skip
            if not force and not state.rollback_in_flight:
                try:
                    conflict = await action.conflicts(ctx, target)
                except MagentoIRError as error:
                    conflict = (
                        f"the store's current state could not be read to rule out another "
                        f"incident's change ({error}); pass force to roll back anyway"
                    )
                if conflict is not None:
                    self._record("journal.rollback_refused", action, state.step, reason=conflict)
                    return StepReport(
                        state.step, action.kind, state.params, "rollback_refused", state.plan,
                        state.outcome, error=conflict,
                    )  # fmt: skip
            self._record("journal.rollback", action, state.step, generation=state.generation)
            writes = client.incident_response.writes_sent
            try:
                outcome = await action.rollback(ctx, target)
            except MagentoIRError as error:
                self._record(
                    "journal.error", action, state.step, phase="rollback", error=str(error)
                )
                await self._anchor_module_log(client, writes, action, state.step, "rollback")
                return StepReport(state.step, action.kind, state.params, "failed", error=str(error))
            self._record(
                "journal.rollback_result", action, state.step, generation=state.generation,
                outcome=outcome.to_json(),
            )  # fmt: skip
            await self._anchor_module_log(client, writes, action, state.step, "rollback")
            checked = await self._verify_rollback(action, ctx, state, target, outcome)
            undone.append(outcome)
            state = self.journal.steps()[state.step]
        return StepReport(
            state.step, action.kind, state.params, "rolled_back", state.plan, _merged(undone),
            checked,
        )  # fmt: skip

    async def _verify_rollback(
        self, action: Action, ctx: Context, state: StepState, target: Outcome, rollback: Outcome
    ) -> Verification | None:
        try:
            checked = await action.verify_rollback(ctx, target, rollback)
        except MagentoIRError as error:
            self._record(
                "journal.error", action, state.step, phase="verify_rollback", error=str(error)
            )
            return None
        self._record(
            "journal.rollback_verification", action, state.step, generation=state.generation,
            verification=checked.to_json(),
        )  # fmt: skip
        return checked

    # --- sync entry points --------------------------------------------------------------------

    def plan(
        self, actions: Playbook | Sequence[Action], inputs: Mapping[str, Any] | None = None
    ) -> RunReport:
        """`aplan()` in a private event loop."""
        return _run_sync(self.aplan(actions, inputs))

    def run(
        self,
        actions: Playbook | Sequence[Action],
        inputs: Mapping[str, Any] | None = None,
        *,
        progress: Progress | None = None,
        retry_failed: bool = False,
    ) -> RunReport:
        """`arun()` in a private event loop."""
        return _run_sync(self.arun(actions, inputs, progress=progress, retry_failed=retry_failed))

    def verify(self, *, progress: Progress | None = None) -> RunReport:
        """`averify()` in a private event loop."""
        return _run_sync(self.averify(progress=progress))

    def rollback(
        self,
        steps: Sequence[str] | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> RunReport:
        """`arollback()` in a private event loop."""
        return _run_sync(self.arollback(steps, force=force, progress=progress))


def _fresh_opened(
    store: StoreConnection,
    title: str | None,
    incident_id: str | None,
    detected_at: datetime | None,
) -> dict[str, Any]:
    """The `incident.opened` record of a new incident (written when the store first answers)."""
    if not title or not title.strip():
        raise ConfigurationError(
            "a new incident needs a title, e.g. title='Magecart skimmer in checkout'"
        )
    now = datetime.now(UTC)
    return {
        "id": incident_id or _new_incident_id(now),
        "title": title,
        "store": store.store_url,
        "opened_at": now.isoformat(),
        "detected_at": _iso(detected_at) if detected_at is not None else None,
    }


def _opened_record(
    journal: Journal,
    store: StoreConnection,
    fresh: dict[str, Any] | None,
    incident_id: str | None,
) -> dict[str, Any]:
    """The journal's `incident.opened` record; `fresh` is written when the journal has none."""
    opened = journal.opened()
    where = journal.path
    if opened is None:
        if fresh is None:
            raise ConfigurationError(
                f"{where} holds no incident.opened record: it is not an incident journal; "
                "start a new journal file"
            )
        journal.append(INCIDENT_OPENED, fresh)
        return fresh
    if opened["store"] != store.store_url:
        raise ConfigurationError(
            f"{where} is the journal of incident {opened['id']} on {opened['store']}, not "
            f"{store.store_url}: open it with that store, or start a new journal file"
        )
    if incident_id is not None and incident_id != opened["id"]:
        raise ConfigurationError(
            f"{where} is the journal of incident {opened['id']}, not {incident_id}"
        )
    return dict(opened)


_RETRYABLE = frozenset({"failed", "verification_failed"})


def _retry_hint(status: str, outcome: Outcome) -> str:
    """Why a rerun reports a journaled step as failed again, and what to do."""
    why = (
        f"nothing took effect ({outcome.reasons()})"
        if status == "failed"
        else "its outside verification failed"
    )
    return (
        f"journaled as {status}: {why}; `magento-ir verify` checks again, "
        "--retry-failed (retry_failed=True) re-applies it"
    )


def _merged(outcomes: list[Outcome]) -> Outcome | None:
    """The rollback outcomes of every attempt of a step as one (entities in order)."""
    if not outcomes:
        return None
    if len(outcomes) == 1:
        return outcomes[0]
    first = outcomes[0]
    return replace(first, entities=tuple(e for outcome in outcomes for e in outcome.entities))


def _run_sync(coroutine: Awaitable[RunReport]) -> RunReport:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        close = getattr(coroutine, "close", None)
        if close is not None:
            close()
        raise ConfigurationError(
            "Incident.run()/plan()/verify()/rollback() run their own event loop: inside async "
            "code await arun()/aplan()/averify()/arollback() instead"
        )

    async def main() -> RunReport:
        return await coroutine

    return asyncio.run(main())


def _resolve(
    actions: Playbook | Sequence[Action], inputs: Mapping[str, Any] | None
) -> list[Action]:
    from magento_ir.containment.playbooks import Playbook  # noqa: PLC0415 - import cycle

    if isinstance(actions, Playbook):
        return actions.actions(inputs or {})
    if inputs:
        raise ConfigurationError("inputs are for playbooks; actions already carry their parameters")
    resolved = list(actions)
    for action in resolved:
        if not isinstance(action, Action):
            raise ConfigurationError(
                f"expected containment actions (e.g. QuarantineProducts([...])), got {action!r}"
            )
    return resolved


def _rebuild(state: StepState) -> Action:
    """The action of a journaled step, from its kind and parameters."""
    action_type = ACTIONS.get(state.action)
    if action_type is None:
        raise ConfigurationError(
            f"the journal names an action {state.action!r} this version does not know"
        )
    action: Action = action_type(**state.params)
    return action
