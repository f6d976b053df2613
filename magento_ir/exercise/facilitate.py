"""Facilitated exercises: people in the loop (issue 15, item 2).

`magento-ir exercise run NAME --facilitated --roster FILE` runs the drill as the automated mode
does, but the injects reach the roster's people at their offsets through the real channels
(e-mail, Slack, Teams, webhooks, PagerDuty, ServiceNow, always behind the exercise guard), and
the scenario's decisions and the notices' approvals wait for the participants, who answer from
any terminal while the run waits:

    magento-ir exercise decide RUN DECISION CHOICE --as ID
    magento-ir exercise approve RUN DRAFT --as ID [--reject --reason TEXT] [--web]

Two files in the run's folder carry that conversation between processes:

- `inbox.jsonl`, the participants' answers: one JSON line each, appended under an exclusive
  `flock` (any number of concurrent writers), read only by the run;
- `facilitation.json`, the run's state (what is open, what each answer became), replaced
  atomically by the run only, read by the participants' commands.

The run alone writes the evidence log: a decision becomes an `exercise.decision` record (who,
role, when, through what), an approval a `notify.approval` record through
`notify.approvals.decide`, a decision nobody made in time an `exercise.decision_timeout` record.
Times: `time_scale` exercise seconds pass per real second (60: a one-hour drill in a minute),
so tests never sleep through a scenario's offsets.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from magento_ir._exceptions import MagentoIRError
from magento_ir._files import private_open
from magento_ir.exercise.guard import ExerciseGuard
from magento_ir.exercise.result import DecisionMade, Participant, TimelineEvent
from magento_ir.exercise.roster import RosterError, load_roster
from magento_ir.notify.approvals import (
    APPROVAL_RECORD,
    DEFAULT_POLICY,
    ApprovalError,
    Decision,
    decide,
    status,
)
from magento_ir.notify.channels import DeliveryError, Message
from magento_ir.notify.drafts import Draft
from magento_ir.notify.record import DeliveryRecorder, file_sha256

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from ssl import SSLContext

    from magento_ir.evidence import EvidenceLog
    from magento_ir.exercise.roster import Roster
    from magento_ir.exercise.scenario import Inject, ProcedureStep, Scenario

__all__ = [
    "INBOX_FILE",
    "STATE_FILE",
    "Facilitation",
    "FacilitationError",
    "approval_server",
    "submit_approval",
    "submit_decision",
]

INBOX_FILE = "inbox.jsonl"
STATE_FILE = "facilitation.json"
DRAFTS_FOLDER = "drafts"
NOT_MADE = "not made"
_POLL_SECONDS = 0.05


class FacilitationError(MagentoIRError, ValueError):
    """A participant's answer cannot be taken; the message says why and what to do."""


class Recorder(Protocol):
    """What the run gives the facilitation: its timeline and evidence log (exercise._run)."""

    run_id: str
    log: EvidenceLog

    def event(self, event: TimelineEvent) -> None: ...

    def decide(self, made: DecisionMade) -> None: ...

    def step(
        self, step: ProcedureStep, title: str, detail: dict[str, Any] | None = None
    ) -> datetime: ...

    def reach(self, objective: Any, now: datetime) -> None: ...  # noqa: ANN401 - an Objective


# --- the inbox: participants write, the run reads ------------------------------------------


def _inbox_append(folder: Path, entry: dict[str, Any]) -> int:
    """Append one answer under an exclusive lock; its number (0-based) in the inbox."""
    path = folder / INBOX_FILE
    with private_open(path, "ab") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            # Counted under the lock: no other writer can add a line in between.
            number = path.read_bytes().count(b"\n")
            handle.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return number


def _inbox_read(folder: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The complete answers after byte `offset`, and the offset after them."""
    path = folder / INBOX_FILE
    if not path.exists():
        return [], offset
    with path.open("rb") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        try:
            handle.seek(offset)
            data = handle.read()
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    complete = data[: data.rfind(b"\n") + 1]
    return [json.loads(line) for line in complete.splitlines()], offset + len(complete)


def read_state(folder: Path) -> dict[str, Any]:
    """The run's facilitation state; FacilitationError when the folder holds none."""
    path = folder / STATE_FILE
    try:
        state: dict[str, Any] = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise FacilitationError(
            f"{folder} is not a facilitated exercise run (no {STATE_FILE}): give the run's "
            "folder (or its id with --out), as `magento-ir exercise run --facilitated` printed"
        ) from None
    return state


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    temporary = folder / f".{STATE_FILE}.tmp"
    with private_open(temporary, "wb") as handle:
        handle.write(json.dumps(state, indent=2, ensure_ascii=False).encode())
    temporary.replace(folder / STATE_FILE)


def _wait_for(folder: Path, number: int, wait: float) -> str | None:
    """What the run made of answer `number`, waiting up to `wait` real seconds."""
    deadline = time.monotonic() + wait
    while True:
        result = read_state(folder).get("results", {}).get(str(number))
        if result is not None or time.monotonic() >= deadline:
            return result  # type: ignore[no-any-return]
        time.sleep(_POLL_SECONDS)


def _person(state: dict[str, Any], who: str) -> tuple[str, str, tuple[str, ...]]:
    roster = load_roster(state["roster"])
    try:
        person = roster.participant(who)
    except RosterError as error:
        raise FacilitationError(str(error)) from None
    return person.id, person.name, person.roles


def _open(state: dict[str, Any]) -> None:
    if state.get("state") == "finished":
        raise FacilitationError(
            f"exercise run {state['run_id']} has finished: answers are no longer taken"
        )


def submit_decision(
    folder: Path, decision_id: str, choice: str, who: str, *, wait: float = 30.0
) -> str:
    """Give a decision as `who` (a roster id or name); what the run recorded, or a note that
    it has not taken the answer yet. Refuses at once what the run would refuse."""
    state = read_state(folder)
    _open(state)
    person_id, name, roles = _person(state, who)
    found = next((d for d in state["decisions"] if d["id"] == decision_id), None)
    if found is None:
        known = ", ".join(d["id"] for d in state["decisions"]) or "none"
        raise FacilitationError(f"no decision {decision_id!r} in this exercise (it has: {known})")
    if choice not in found["options"]:
        raise FacilitationError(
            f"{choice!r} is not an option of {decision_id}: choose one of "
            f"{', '.join(found['options'])}"
        )
    if found["role"] not in roles:
        holders = ", ".join(found.get("holders", [])) or "nobody on the roster"
        raise FacilitationError(
            f"{decision_id} is the {found['role']}'s decision; {name} is {', '.join(roles)} "
            f"(it is for: {holders})"
        )
    if found["status"] == "pending":
        raise FacilitationError(
            f"{decision_id} is not open yet: it opens with inject {found['after']}"
        )
    if found["status"] != "open":
        raise FacilitationError(f"{decision_id} is closed ({found['status']})")
    number = _inbox_append(
        folder,
        {"kind": "decision", "decision": decision_id, "choice": choice, "by": person_id,
         "role": found["role"], "via": "cli", "at": datetime.now(UTC).isoformat()},
    )  # fmt: skip
    return _wait_for(folder, number, wait) or _NOT_TAKEN


_NOT_TAKEN = (
    "in the run's inbox; the run has not taken it yet (is `magento-ir exercise run` still "
    "running?): it will when it next looks"
)


class _InboxLog:
    """What `approvals.decide` appends to: an approval goes to the run's inbox, for the run to
    record in the evidence log (the run alone writes it)."""

    def __init__(self, folder: Path, person_id: str, via: str) -> None:
        self.folder = folder
        self.person_id = person_id
        self.via = via
        self.numbers: list[int] = []

    def records(self) -> list[tuple[str, dict[str, Any]]]:
        """The approvals given so far (the approval page shows where each draft stands)."""
        entries, _ = _inbox_read(self.folder, 0)
        return [(APPROVAL_RECORD, e["record"]) for e in entries if e.get("kind") == "approval"]

    def append(self, type: str, payload: dict[str, Any], /) -> None:  # noqa: A002 - the log's
        if type != APPROVAL_RECORD:  # pragma: no cover - decide appends nothing else
            raise FacilitationError(f"an exercise inbox takes approvals, not {type}")
        self.numbers.append(
            _inbox_append(
                self.folder,
                {"kind": "approval", "by": self.person_id, "via": self.via, "record": payload},
            )
        )


def _draft_paths(folder: Path) -> list[Path]:
    return sorted((folder / DRAFTS_FOLDER).glob("*.draft.json"))


def _draft(folder: Path, draft_id: str) -> Draft:
    drafts = [Draft.load(path) for path in _draft_paths(folder)]
    for draft in drafts:
        if draft_id in (draft.draft_id, draft.file_stem):
            return draft
    known = ", ".join(d.draft_id for d in drafts) or "none yet"
    raise FacilitationError(f"no draft {draft_id!r} in this exercise (drafts: {known})")


def _role_for(draft: Draft, roles: tuple[str, ...], role: str | None, name: str) -> str:
    needed = DEFAULT_POLICY.roles_for(draft.audience)
    if role is not None:
        if role not in roles:
            raise FacilitationError(f"{name} is not {role} on the roster ({', '.join(roles)})")
        return role
    mine = [r for r in needed if r in roles]
    if len(mine) != 1:
        raise FacilitationError(
            f"{draft.draft_id} is approved by {', '.join(needed) or 'nobody'}; {name} is "
            f"{', '.join(roles)}: " + ("pass --role" if mine else "ask a participant in that role")
        )
    return mine[0]


def submit_approval(
    folder: Path,
    draft_id: str,
    who: str,
    *,
    role: str | None = None,
    approve: bool = True,
    reason: str = "",
    wait: float = 30.0,
) -> str:
    """Approve (or reject, with a reason) a draft of this exercise as `who`, through
    `notify.approvals.decide` (its checks: the role the audience needs, a complete draft)."""
    state = read_state(folder)
    _open(state)
    person_id, name, roles = _person(state, who)
    draft = _draft(folder, draft_id)
    chosen = _role_for(draft, roles, role, name)
    inbox = _InboxLog(folder, person_id, "cli")
    try:
        decide(inbox, draft, approver=name, role=chosen, approve=approve, reason=reason)
    except ApprovalError as error:
        raise FacilitationError(str(error)) from None
    return _wait_for(folder, inbox.numbers[-1], wait) or _NOT_TAKEN


@dataclass
class _Page:
    """The approval page's view of a participant: the run's drafts, decisions to the inbox."""

    folder: Path
    who: str
    role: str | None

    def open(self, port: int = 0) -> Any:  # noqa: ANN401 - an ApprovalServer
        from magento_ir.notify.approval_web import ApprovalServer  # noqa: PLC0415

        state = read_state(self.folder)
        _open(state)
        person_id, name, roles = _person(state, self.who)
        paths = _draft_paths(self.folder)
        if not paths:
            raise FacilitationError("the run has drafted no notices yet: try again shortly")
        needed = {r for p in paths for r in DEFAULT_POLICY.roles_for(Draft.load(p).audience)}
        mine = [r for r in roles if r in needed] if self.role is None else [self.role]
        if len(mine) != 1 or mine[0] not in roles:
            raise FacilitationError(
                f"{name} ({', '.join(roles)}) approves as one role of "
                f"{', '.join(sorted(needed))}: pass --role"
            )
        log: Any = _InboxLog(self.folder, person_id, "approval_page")
        return ApprovalServer(paths, log=log, approver=name, role=mine[0], port=port)


def approval_server(folder: Path, who: str, role: str | None = None, port: int = 0) -> Any:  # noqa: ANN401
    """The notify approval page (notify/approval_web.py) for one participant of a running
    exercise: what they decide there reaches the run through its inbox."""
    return _Page(folder, who, role).open(port)


# --- the run's side ------------------------------------------------------------------------


@dataclass
class _Open:
    """A decision of the scenario, as the run tracks it."""

    id: str
    question: str
    options: tuple[str, ...]
    expected: str
    role: str
    after: str | None
    status: str = "pending"  # pending -> open -> made | not made
    opened_at: float | None = None  # exercise seconds
    by: str | None = None


@dataclass
class Facilitation:
    """A facilitated run's people: the roster, its guard, and the conversation with them.

    `time_scale`: exercise seconds per real second; `decision_timeout`: exercise seconds a
    decision (from its inject) or an approval (from the drafts) may stay unanswered before it
    is recorded as not made.
    """

    roster: Roster
    roster_path: Path
    time_scale: float = 1.0
    # Set before the run starts so participants can be told where to answer (exercise run).
    run_id: str = ""
    decision_timeout: float = 1800.0
    ssl_context: SSLContext | None = None
    environ: dict[str, str] | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    guard: ExerciseGuard | None = None
    _folder: Path | None = None
    _started: float = 0.0
    _scenario: Scenario | None = None
    _delivered: dict[str, float] = field(default_factory=dict)
    _decisions: dict[str, _Open] = field(default_factory=dict)
    _drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    _results: dict[str, str] = field(default_factory=dict)
    _approvals: list[Decision] = field(default_factory=list)
    _inbox_offset: int = 0
    _inbox_number: int = 0
    _last_state: str = ""

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise FacilitationError("--time-scale must be above 0 (1: real time, 60: 1 min/s)")
        if self.decision_timeout <= 0:
            raise FacilitationError("--decision-timeout must be above 0 seconds")
        # Every secret the roster names must be set: found before a drill starts.
        ExerciseGuard(self.roster, run_id="check", environ=self.environ)

    def participants(self) -> tuple[Participant, ...]:
        """Each roster person in each of their roles, as the run's record lists them."""
        return tuple(
            Participant(name=person.name, role=role, contact=person.email or "")
            for person in self.roster.participants
            for role in person.roles
        )

    def elapsed(self) -> float:
        """Exercise seconds since the run began."""
        return (self.clock() - self._started) * self.time_scale

    def begin(self, recorder: Recorder, scenario: Scenario, folder: Path) -> None:
        """Check the roster against the scenario, build the guard, open the inbox and deliver
        the injects due at the start."""
        self.roster.check_roles(scenario.roles, f"scenario {scenario.name}")
        self._scenario = scenario
        self._folder = folder
        self._started = self.clock()
        self.guard = ExerciseGuard(
            self.roster, run_id=recorder.run_id, environ=self.environ, ssl_context=self.ssl_context
        )
        for decision in scenario.decisions:
            self._decisions[decision.id] = _Open(
                id=decision.id, question=decision.question, options=tuple(decision.options),
                expected=decision.expected, role=decision.role, after=decision.after,
            )  # fmt: skip
        recorder.log.append(
            "exercise.facilitation",
            {
                "run_id": recorder.run_id,
                "roster": self.roster.title,
                "roster_sha256": file_sha256(self.roster_path),
                "time_scale": self.time_scale,
                "decision_timeout": self.decision_timeout,
                "participants": [
                    {"id": p.id, "name": p.name, "roles": list(p.roles)}
                    for p in self.roster.participants
                ],
                "channels": list(self.guard.channel_names),
            },
        )
        self._tick(recorder)

    def play(self, recorder: Recorder) -> None:
        """Deliver the remaining injects at their offsets and wait for every decision and
        approval (or its timeout), recording each as it comes."""
        folder = self._need_folder()
        drafts_at = self.elapsed()
        for path in _draft_paths(folder):
            draft = Draft.load(path)
            roles = DEFAULT_POLICY.roles_for(draft.audience)
            if roles and not draft.unfilled:
                self._drafts[draft.draft_id] = {
                    "draft": draft, "roles": roles, "status": "waiting", "since": drafts_at,
                }  # fmt: skip
        while self._tick(recorder):
            self.sleep(_POLL_SECONDS)
        self._write(recorder, finished=True)

    # One pass: deliver, take answers, time out; True while anything is still awaited.
    def _tick(self, recorder: Recorder) -> bool:
        scenario = self._need_scenario()
        now = self.elapsed()
        for inject in scenario.injects:
            if inject.id not in self._delivered and inject.at <= now:
                self._deliver(recorder, inject, now)
        for item in self._decisions.values():
            if item.status == "pending" and (item.after is None or item.after in self._delivered):
                item.status = "open"
                item.opened_at = self._delivered.get(item.after or "", 0.0)
        self._take_answers(recorder)
        for item in self._decisions.values():
            if item.status == "open" and now - (item.opened_at or 0.0) >= self.decision_timeout:
                item.status = NOT_MADE
                self._timed_out(recorder, item)
        for draft_id, entry in self._drafts.items():
            if entry["status"] == "waiting" and now - entry["since"] >= self.decision_timeout:
                entry["status"] = "not approved"
                self._note(recorder, f"approval:{draft_id}", f"{draft_id} not approved in time")
        self._write(recorder, finished=False)
        waiting = any(item.status in ("pending", "open") for item in self._decisions.values())
        undelivered = len(self._delivered) < len(scenario.injects)
        drafts = any(entry["status"] == "waiting" for entry in self._drafts.values())
        return waiting or undelivered or drafts

    def _deliver(self, recorder: Recorder, inject: Inject, now: float) -> None:
        guard = self._need_guard()
        scenario = self._need_scenario()
        self._delivered[inject.id] = float(inject.at)
        prompts = [d for d in scenario.decisions if d.after == inject.id]
        text = inject.text
        for decision in prompts:
            text += (
                f"\n\nDecision for the {decision.role}: {decision.question} "
                f"({' / '.join(decision.options)}). Answer with: magento-ir exercise decide "
                f"{recorder.run_id} {decision.id} CHOICE --as YOUR-ID"
            )
        emails = guard.recipients_for([inject.audience])
        names = [n for n in guard.channels_for([inject.audience])
                 if inject.channel in (None, self._kind(n))]  # fmt: skip
        targets = ([("smtp", emails)] if emails and inject.channel in (None, "email") else []) + [
            (name, ()) for name in names
        ]
        delivered: list[str] = []
        failed: dict[str, str] = {}
        recorder_ = DeliveryRecorder(recorder.log)
        for name, to in targets:
            message = Message(
                key=f"{recorder.run_id}:{inject.id}",
                incident_id=recorder.run_id,
                subject=f"{scenario.title}: {inject.text.splitlines()[0][:120]}",
                text=text,
                recipients=tuple(to),
                severity="warning",
                details={"inject": inject.id, "for": inject.audience},
            )
            try:
                receipt = guard.send(name, message, recorder=recorder_)
            except DeliveryError as error:
                failed[name] = str(error)
                continue
            delivered += [*receipt.accepted] if name == "smtp" else [name]
        holders = [p.name for p in self.roster.with_role(inject.audience)]
        recorder.event(
            TimelineEvent(
                at=datetime.now(UTC),
                kind="inject",
                ref=inject.id,
                title=inject.text,
                actor=", ".join(holders) or inject.audience,
                detail={
                    "offset": inject.at,
                    "delivered_offset": round(now, 3),
                    "audience": inject.audience,
                    "channel": inject.channel,
                    "delivered_to": delivered,
                    "failed": failed,
                },
            )
        )

    def _kind(self, name: str) -> str:
        entry = next(c for c in self.roster.channels if c.name == name)
        return {"slack-webhook": "slack"}.get(entry.kind, entry.kind)

    def _take_answers(self, recorder: Recorder) -> None:
        folder = self._need_folder()
        entries, self._inbox_offset = _inbox_read(folder, self._inbox_offset)
        for entry in entries:
            number = str(self._inbox_number)
            self._inbox_number += 1
            try:
                if entry.get("kind") == "decision":
                    self._results[number] = self._take_decision(recorder, entry)
                elif entry.get("kind") == "approval":
                    self._results[number] = self._take_approval(recorder, entry)
                else:
                    self._results[number] = f"refused: unknown answer {entry.get('kind')!r}"
            except (MagentoIRError, KeyError, ValueError) as error:
                self._results[number] = f"refused: {error}"

    def _take_decision(self, recorder: Recorder, entry: dict[str, Any]) -> str:
        item = self._decisions.get(entry["decision"])
        person = self.roster.participant(entry["by"])
        if item is None or entry["choice"] not in item.options or item.role not in person.roles:
            return "refused: not a decision, option or role of this exercise"
        if item.status != "open":
            return f"refused: {item.id} is {item.status}" + (f" (by {item.by})" if item.by else "")
        item.status, item.by = "made", person.name
        recorder.decide(
            DecisionMade(
                decision=item.id,
                question=item.question,
                choice=entry["choice"],
                expected=item.expected,
                by=person.name,
                role=item.role,
                via=entry.get("via", "cli"),
                at=datetime.fromisoformat(entry["at"]),
            )
        )
        return f"recorded: {item.id} = {entry['choice']} by {person.name} ({item.role})"

    def _take_approval(self, recorder: Recorder, entry: dict[str, Any]) -> str:
        record = Decision.model_validate(entry["record"])
        person = self.roster.participant(entry["by"])
        tracked = self._drafts.get(record.draft_id)
        if tracked is None:
            return f"refused: {record.draft_id} awaits no approval in this exercise"
        draft: Draft = tracked["draft"]
        if record.sha256 != draft.sha256:
            return "refused: that approval names another version of the draft"
        if tracked["status"] != "waiting":
            return f"refused: {record.draft_id} is {tracked['status']}"
        decide(
            recorder.log, draft, approver=person.name, role=record.role,
            approve=record.decision == "approved", reason=record.reason, now=record.at,
        )  # fmt: skip
        self._approvals.append(record)
        state = status(draft, self._approvals)
        if state.rejected_by:
            tracked["status"] = "rejected"
        elif state.sendable:
            tracked["status"] = "approved"
            when = recorder.step(
                "approve_notices",
                f"approved {draft.kind} for {draft.recipient_name or draft.audience} "
                f"({', '.join(f'{r}: {n}' for r, n in state.approved_by.items())})",
                {"draft": draft.draft_id, "obligation": draft.obligation_key,
                 "via": entry.get("via", "cli")},
            )  # fmt: skip
            if draft.audience == "regulator":
                recorder.reach("approval", when)
        return f"recorded: {record.decision} {record.draft_id} as {record.role} by {person.name}"

    def _timed_out(self, recorder: Recorder, item: _Open) -> None:
        recorder.log.append(
            "exercise.decision_timeout",
            {"run_id": recorder.run_id, "decision": item.id, "role": item.role,
             "opened_offset": item.opened_at, "timeout_seconds": self.decision_timeout},
        )  # fmt: skip
        self._note(recorder, item.id, f"{item.question} -> {NOT_MADE} (no answer in time)")

    def _note(self, recorder: Recorder, ref: str, title: str) -> None:
        recorder.event(TimelineEvent(at=datetime.now(UTC), kind="note", ref=ref, title=title))

    def _write(self, recorder: Recorder, *, finished: bool) -> None:
        state = {
            "run_id": recorder.run_id,
            "scenario": self._need_scenario().name,
            "roster": str(self.roster_path.resolve()),
            "state": "finished" if finished else "running",
            "time_scale": self.time_scale,
            "injects_delivered": sorted(self._delivered),
            "decisions": [
                {"id": item.id, "question": item.question, "options": list(item.options),
                 "role": item.role, "after": item.after, "status": item.status, "by": item.by,
                 "holders": [p.id for p in self.roster.with_role(item.role)]}
                for item in self._decisions.values()
            ],
            "drafts": [
                {"id": draft_id, "roles": list(entry["roles"]), "status": entry["status"]}
                for draft_id, entry in self._drafts.items()
            ],
            "results": self._results,
        }  # fmt: skip
        text = json.dumps(state, sort_keys=True)
        if text != self._last_state:  # polled 20 times a second: write only what changed
            self._last_state = text
            _write_state(self._need_folder(), state)

    def _need_folder(self) -> Path:
        if self._folder is None:
            raise FacilitationError("begin() the facilitation first")
        return self._folder

    def _need_scenario(self) -> Scenario:
        if self._scenario is None:
            raise FacilitationError("begin() the facilitation first")
        return self._scenario

    def _need_guard(self) -> ExerciseGuard:
        if self.guard is None:
            raise FacilitationError("begin() the facilitation first")
        return self.guard
