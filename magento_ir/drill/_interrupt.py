"""What a Ctrl-C during a drill left behind, read from the journal and the store afterwards.

Nothing here talks to a store: by the time this runs the drill has done what it does on an
interruption (the sandbox is gone; on a test store, what could be rolled back and deleted was),
and the message says what is true then, from the journal on disk and what the drill observed.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from magento_ir._exceptions import MagentoIRError
from magento_ir.containment.journal import Journal
from magento_ir.evidence import NoteVerifier, verify

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from magento_ir.containment.journal import StepState

__all__ = ["DrillInterrupted", "LeftBehind", "StepLeft", "Tracker"]

# A step's state in the journal, as the responder needs to hear it (in this order).
APPLIED = "applied, not rolled back"
APPLYING = "interrupted while applying: may be partly applied (the journal has no outcome)"
ROLLING_BACK = "interrupted while rolling back: may be partly undone"
ROLLED_BACK = "rolled back"
NOT_APPLIED = "not applied (blocked or failed before any change)"
_ORDER = (APPLIED, APPLYING, ROLLING_BACK, ROLLED_BACK, NOT_APPLIED)


@dataclass(frozen=True, slots=True)
class StepLeft:
    action: str
    step: str
    state: str


@dataclass(frozen=True, slots=True)
class LeftBehind:
    """A Ctrl-C's aftermath: the journal's steps, the store, and what to do about it."""

    phase: str
    # None: interrupted before the journal was written (nothing was contained yet).
    journal: Path | None
    journal_check: str
    verify_command: str
    steps: tuple[StepLeft, ...]
    not_started: tuple[str, ...]
    # One sentence on the store, then what remains on it (observed, not assumed).
    store: str
    remaining: tuple[str, ...] = ()
    # What the responder must do; empty when nothing.
    todo: tuple[str, ...] = ()

    def of_state(self, state: str) -> list[StepLeft]:
        return [step for step in self.steps if step.state == state]

    def message(self) -> str:
        lines = [f"Drill interrupted while {self.phase}. No report was written."]
        if self.journal is None:
            lines.append("No journal was written: containment had not started.")
        else:
            lines.append(f"Journal {self.journal} ({self.journal_check}).")
            if self.verify_command:
                lines.append(f"  verify it in {self.journal.parent}: {self.verify_command}")
            for state in _ORDER:
                steps = self.of_state(state)
                if steps:
                    named = ", ".join(f"{step.action} (step {step.step})" for step in steps)
                    lines.append(f"  {state}: {named}")
            if self.not_started:
                lines.append(f"  not started: {', '.join(self.not_started)}")
        lines.append(self.store)
        lines.extend(f"  {item}" for item in self.remaining)
        if self.todo:
            lines.append("To clean up:")
            lines.extend(f"  {item}" for item in self.todo)
        return "\n".join(lines)


class DrillInterrupted(KeyboardInterrupt):
    """Ctrl-C during a drill; `left_behind` (and str()) says what it left behind."""

    def __init__(self, left_behind: LeftBehind) -> None:
        super().__init__(left_behind.message())
        self.left_behind = left_behind

    def __str__(self) -> str:
        return self.left_behind.message()


@dataclass(slots=True)
class Tracker:
    """What the drill is doing, kept as it goes so an interruption can be described."""

    say: Callable[[str], None]
    phase: str = "starting"
    journal: Path | None = None
    verifier: str = ""
    # The journal's key, saved beside it while a drill on a real store may need a rollback.
    key_file: Path | None = None
    planned: tuple[str, ...] = ()
    # What the drill staged on a real store, as REST routes, and those deleted since.
    staged_routes: list[str] = field(default_factory=list)
    deleted_routes: set[str] = field(default_factory=set)

    # What the drill was doing when first interrupted (it may clean up afterwards).
    interrupted_in: str | None = None

    def progress(self, message: str) -> None:
        self.phase = message
        self.say(message)

    def interrupted(self) -> None:
        """Called by the first handler an interruption reaches, before any clean-up."""
        if self.interrupted_in is None:
            self.interrupted_in = self.phase

    def left_behind(
        self,
        store: str,
        remaining: tuple[str, ...] = (),
        todo: tuple[str, ...] = (),
    ) -> LeftBehind:
        steps, check, command = self._journal()
        started = {step.action for step in steps}
        return LeftBehind(
            phase=self.interrupted_in or self.phase,
            journal=self.journal,
            journal_check=check,
            verify_command=command,
            steps=steps,
            not_started=tuple(kind for kind in self.planned if kind not in started),
            store=store,
            remaining=remaining,
            todo=todo,
        )

    def _journal(self) -> tuple[tuple[StepLeft, ...], str, str]:
        if self.journal is None or not self.journal.is_file():
            self.journal = None
            return (), "", ""
        verifier = NoteVerifier.parse(self.verifier) if self.verifier else None
        checked = verify(self.journal, verifier).require_coverage(allow_tail=True)
        args = ["magento-ir", "evidence", "verify", self.journal.name]
        if verifier is not None:
            args += ["--verifier", self.verifier]
        if checked.allowances:
            args.append("--allow-tail")
        if not checked.ok:
            return (), f"does not verify: {checked.summary()}", ""
        try:
            states = Journal.read(self.journal, verifier=verifier).steps().values()
        except MagentoIRError as error:
            return (), f"unreadable: {error}", ""
        tail = checked.records - checked.covered
        check = f"{checked.records} records, root {checked.root.hex()}" + (
            f"; the last {tail} after its last signed checkpoint" if tail else ""
        )
        return tuple(_step_left(state) for state in states), check, shlex.join(args)


def _step_left(state: StepState) -> StepLeft:
    if state.rollback_in_flight:
        where = ROLLING_BACK
    elif state.rollback_outcome is not None:
        where = ROLLED_BACK
    elif state.applied:
        where = APPLIED
    elif state.in_flight:
        where = APPLYING
    else:
        where = NOT_APPLIED
    return StepLeft(state.action, state.step, where)
