"""Running an exercise on the embedded sandbox: the drill underneath (stage, detect, assess,
contain, verify, roll back), plus what a drill leaves to people: preserving evidence, drafting the
notices, approving them, and the scenario's decisions. Every step lands on the run's timeline and
in its evidence log; the run is scored and written to its folder (docs/exercises.md).

Automated mode plays every participant: injects are recorded as delivered to a simulated person
in their role, each decision takes the expected choice, and two simulated approvers in the
roles the approval policy requires approve each complete draft.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir._files import private_directory
from magento_ir.evidence import EvidenceLog, SigningKey
from magento_ir.exercise.outputs import write_outputs
from magento_ir.exercise.result import (
    DeadlineRef,
    DecisionMade,
    ExerciseRun,
    Mode,
    Participant,
    TimelineEvent,
)
from magento_ir.exercise.scenario import (
    Objective,
    ProcedureStep,
    Scenario,
    load_scenario,
    scenario_json,
)
from magento_ir.exercise.scoring import HistoryEntry, score_run

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from magento_ir.drill._detect import Detection
    from magento_ir.drill._notify import Assessment
    from magento_ir.drill._report import (
        ActionReport,
        CheckReport,
        DrillReport,
        RollbackReport,
    )
    from magento_ir.drill._staging import StagedBreach
    from magento_ir.exercise.facilitate import Facilitation
    from magento_ir.sandbox import Sandbox

__all__ = ["LOG_FILE", "ExerciseOptions", "new_run_id", "run_exercise"]

LOG_FILE = "exercise.evlog"
DRILL_FOLDER = "drill"
DRAFTS_FOLDER = "drafts"
# What the run's evidence capture takes: the breach's traces, not the whole store.
_CAPTURE = (
    "store",
    "modules",
    "design_config",
    "cms_blocks",
    "admin_users",
    "admin_sessions",
    "integrations",
    "config",
    "module",
)
_RESPONDER = "ERP Connector"
# Which procedure step reaches which objective.
_OBJECTIVE_OF: dict[ProcedureStep, Objective] = {
    "detect": "detect",
    "contain": "contain",
    "preserve_evidence": "preserve",
}


@dataclass(frozen=True, slots=True)
class ExerciseOptions:
    """One exercise run. `out` is the team's exercise folder: each run gets a folder of its own
    in it, and the runs already there are the history the trend compares with."""

    out: Path = field(default_factory=lambda: Path("exercises"))
    mode: Mode = "automated"
    key: SigningKey | None = None
    products: int = 200
    customers: int = 200
    orders: int = 50
    latency: str = "0"
    seed: int = 0
    participants: tuple[Participant, ...] = ()
    # The incident details notices are drafted from (default: the shipped example's).
    details: dict[str, Any] | None = None
    run_id: str | None = None
    # Facilitated mode: the roster's people get the injects and make the decisions (facilitate.py).
    facilitation: Facilitation | None = None


class _Recorder:
    """The run's timeline, steps and objectives, each also appended to the evidence log."""

    def __init__(self, run_id: str, log: EvidenceLog) -> None:
        self.run_id = run_id
        self.log = log
        self.events: list[TimelineEvent] = []
        self.steps: dict[ProcedureStep, datetime] = {}
        self.reached: dict[Objective, datetime] = {}
        self.decisions: list[DecisionMade] = []

    def event(self, event: TimelineEvent) -> None:
        self.events.append(event)
        self.log.append(
            f"exercise.{event.kind}",
            {"run_id": self.run_id, **event.model_dump(mode="json", exclude={"kind"})},
        )

    def step(
        self, step: ProcedureStep, title: str, detail: dict[str, Any] | None = None
    ) -> datetime:
        now = datetime.now(UTC)
        self.event(
            TimelineEvent(
                at=now, kind="action", ref=step, title=title, step=step, detail=detail or {}
            )
        )
        self.steps.setdefault(step, now)
        objective = _OBJECTIVE_OF.get(step)
        if objective is not None:
            self.reach(objective, now)
        return now

    def reach(self, objective: Objective, now: datetime) -> None:
        if objective not in self.reached:
            self.reached[objective] = now
            self.event(
                TimelineEvent(at=now, kind="objective", ref=objective, title=f"reached {objective}")
            )

    def decide(self, made: DecisionMade) -> None:
        self.decisions.append(made)
        self.log.append(
            "exercise.decision", {"run_id": self.run_id, **made.model_dump(mode="json")}
        )
        self.events.append(
            TimelineEvent(
                at=made.at,
                kind="decision",
                ref=made.decision,
                title=f"{made.question} -> {made.choice}",
                actor=made.by,
                detail={"role": made.role, "via": made.via, "expected": made.expected},
            )
        )


def simulated_participants(scenario: Scenario) -> tuple[Participant, ...]:
    return tuple(
        Participant(name=f"simulated {role}", role=role, simulated=True) for role in scenario.roles
    )


def _by_role(participants: Sequence[Participant], role: str) -> Participant:
    return next(
        (person for person in participants if person.role == role),
        Participant(name=f"simulated {role}", role=role, simulated=True),
    )


def new_run_id(scenario: Scenario, started: datetime | None = None) -> str:
    """A run's id: its scenario, when it started, and a random tail."""
    moment = started or datetime.now(UTC)
    return f"{scenario.name}-{moment:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def run_exercise(
    scenario: Scenario | str,
    options: ExerciseOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExerciseRun:
    """Run `scenario` (a Scenario, a shipped name or a file) on a fresh sandbox, write the run's
    folder under `options.out` and return the scored run."""
    chosen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    options = options or ExerciseOptions()
    say = progress or (lambda _message: None)
    started = datetime.now(UTC)
    run_id = options.run_id or new_run_id(chosen, started)
    folder = options.out / run_id
    private_directory(folder)
    key = options.key or SigningKey.generate("magento-ir-exercise")
    participants = options.participants or simulated_participants(chosen)
    history = load_history(options.out)
    with EvidenceLog.open(
        folder / LOG_FILE, key=key, tool_args=["exercise", "run", chosen.name]
    ) as log:
        recorder = _Recorder(run_id, log)
        log.append(
            "exercise.started",
            {
                "run_id": run_id,
                "scenario": scenario_json(chosen),
                "mode": options.mode,
                "participants": [person.model_dump(mode="json") for person in participants],
                "started_at": started.isoformat(),
            },
        )
        people = options.facilitation if options.mode == "facilitated" else None
        if people is not None:
            people.begin(recorder, chosen, folder)
        else:
            _deliver_injects(recorder, chosen, participants)
        drill, assessment = _drill(chosen, options, folder, recorder, say)
        obligations = _obligations(assessment)
        _notices(chosen, options, folder, recorder, log, assessment, participants, say)
        if people is not None:
            people.play(recorder)
        _decisions(recorder, chosen, participants, options.mode)
        finished = datetime.now(UTC)
        run = ExerciseRun(
            run_id=run_id,
            scenario=chosen.name,
            title=chosen.title,
            playbook=chosen.playbook,
            mode=options.mode,
            time_scale=people.time_scale if people is not None else 1.0,
            started_at=started,
            finished_at=finished,
            participants=participants,
            events=tuple(sorted(recorder.events, key=lambda event: event.at)),
            decisions=tuple(recorder.decisions),
            steps=dict(recorder.steps),
            reached=dict(recorder.reached),
            obligations=obligations,
            drill=_drill_summary(drill),
            files={"evidence_log": LOG_FILE, "drill": DRILL_FOLDER},
            ok=drill.ok,
            notes=tuple(drill.notes),
            verifier_key=str(key.verifier()),
        )
        run = run.model_copy(update={"scores": score_run(run, chosen, history)})
        log.append(
            "exercise.finished",
            {
                "run_id": run_id,
                "ok": run.ok,
                "finished_at": finished.isoformat(),
                "seconds": {objective: run.seconds(objective) for objective in run.reached},
                "scores": run.scores.model_dump(mode="json", exclude={"trend"})
                if run.scores
                else None,
            },
        )
    return write_outputs(run, folder)


def _deliver_injects(
    recorder: _Recorder, scenario: Scenario, participants: Sequence[Participant]
) -> None:
    """Automated: every inject is shown at once, in order, to the simulated person of its role
    (`detail.offset` keeps the time the scenario gives it)."""
    for inject in scenario.injects:
        person = _by_role(participants, inject.audience)
        recorder.event(
            TimelineEvent(
                at=datetime.now(UTC),
                kind="inject",
                ref=inject.id,
                title=inject.text,
                actor=person.name,
                detail={
                    "offset": inject.at,
                    "audience": inject.audience,
                    "channel": inject.channel,
                    "delivered_to": [person.name],
                },
            )
        )


def _decisions(
    recorder: _Recorder, scenario: Scenario, participants: Sequence[Participant], mode: Mode
) -> None:
    """Automated: each decision takes its expected choice, by the person of its role."""
    if mode != "automated":
        return
    for decision in scenario.decisions:
        person = _by_role(participants, decision.role)
        recorder.decide(
            DecisionMade(
                decision=decision.id,
                question=decision.question,
                choice=decision.expected,
                expected=decision.expected,
                by=person.name,
                role=decision.role,
                via="automated",
                at=datetime.now(UTC),
            )
        )


class _Phases:
    """The drill's phases onto the run's timeline and procedure steps."""

    def __init__(self, scenario: Scenario, recorder: _Recorder) -> None:
        self.scenario = scenario
        self.recorder = recorder
        self.assessment: Assessment | None = None

    def __call__(self, name: str, data: Any) -> None:  # noqa: ANN401 - each phase has its own
        getattr(self, f"_{name}")(data)

    def _staged(self, breach: StagedBreach) -> None:
        self.recorder.event(
            TimelineEvent(
                at=datetime.now(UTC),
                kind="note",
                ref="staged",
                title=f"breach staged: {self.scenario.stage}",
                detail={"staged": [item.what for item in breach.items]},
            )
        )

    def _detected(self, detection: Detection) -> None:
        self.recorder.event(
            TimelineEvent(
                at=detection.detected_at,
                kind="detection",
                ref=detection.incident_id or "none",
                title=f"watch pass: {len(detection.findings)} new findings",
                detail={"missed": detection.missed, "incident_id": detection.incident_id},
            )
        )
        if not detection.expected:
            # Nothing the watcher reads shows this breach (failed customer logins have no
            # route): it is detected from the reports the injects carry.
            self.recorder.step(
                "detect", "no watcher rule covers this breach: detected from the injects' reports"
            )
        elif not detection.missed:
            self.recorder.step("detect", "the watcher found every staged item")

    def _assessed(self, assessment: Assessment) -> None:
        self.assessment = assessment
        self.recorder.step(
            "assess_exposure",
            f"assessed: {assessment.description}",
            {
                "people": assessment.exposure.people if assessment.exposure else 0,
                "obligations": len(assessment.plan.obligations),
            },
        )

    def _contained(self, reports: tuple[ActionReport, ...]) -> None:
        if reports and all(report.verified for report in reports):
            self.recorder.step(
                "contain",
                f"playbook {self.scenario.playbook}: {len(reports)} steps applied and verified",
                {"actions": [report.action for report in reports]},
            )

    def _rolled_back(self, rollbacks: tuple[RollbackReport, ...]) -> None:
        if rollbacks and all(rolled.ok for rolled in rollbacks):
            self.recorder.step("roll_back", f"{len(rollbacks)} steps rolled back to reopen")

    def _verified(self, checks: tuple[CheckReport, ...]) -> None:
        if all(check.passed is not False for check in checks):
            self.recorder.step(
                "verify_containment",
                f"{len(checks)} checks from the attacker's side and of the store's state",
            )


def _drill(
    scenario: Scenario,
    options: ExerciseOptions,
    folder: Path,
    recorder: _Recorder,
    say: Callable[[str], None],
) -> tuple[DrillReport, Assessment | None]:
    from magento_ir.drill import DrillOptions, run_drill  # noqa: PLC0415
    from magento_ir.drill._run import DrillHooks  # noqa: PLC0415

    phases = _Phases(scenario, recorder)

    async def preserve(sandbox: Sandbox, base_url: str, _breach: StagedBreach) -> None:
        from magento_ir.auth import OAuth1Credentials  # noqa: PLC0415
        from magento_ir.evidence.collectors import CaptureOptions, acapture  # noqa: PLC0415

        say("preserving evidence: capturing the store's state into the evidence log")
        credentials = sandbox.inspect.integration_credentials(_RESPONDER)
        summary = await acapture(
            recorder.log,
            base_url=base_url,
            auth=OAuth1Credentials(**credentials),
            options=CaptureOptions(categories=_CAPTURE, user="exercise"),
        )
        if summary.ok:
            recorder.step(
                "preserve_evidence",
                f"captured {', '.join(_CAPTURE)} into {LOG_FILE}",
                {"capture_id": summary.capture_id, "exchanges": summary.exchanges},
            )

    drill_dir = folder / DRILL_FOLDER
    report = run_drill(
        DrillOptions(
            scenario=scenario.stage,
            products=options.products,
            customers=options.customers,
            orders=options.orders,
            latency=options.latency,
            seed=options.seed,
            report_dir=drill_dir,
        ),
        say,
        DrillHooks(playbook=scenario.playbook, phase=phases, while_contained=preserve),
    )
    report.write(drill_dir)
    return report, phases.assessment


def _obligations(assessment: Assessment | None) -> tuple[DeadlineRef, ...]:
    if assessment is None:
        return ()
    from magento_ir.notify.drafts import KINDS, template_kind  # noqa: PLC0415

    return tuple(
        DeadlineRef(
            key=obligation.key,
            recipient=obligation.recipient_name,
            jurisdiction=obligation.jurisdiction,
            audience=KINDS[template_kind(obligation.template)][0],
            deadline=obligation.deadline,
            deadline_text=obligation.deadline_text,
        )
        for obligation in assessment.plan.obligations
    )


def _notices(  # noqa: PLR0917 - one run's context
    scenario: Scenario,
    options: ExerciseOptions,
    folder: Path,
    recorder: _Recorder,
    log: EvidenceLog,
    assessment: Assessment | None,
    participants: Sequence[Participant],
    say: Callable[[str], None],
) -> None:
    """Draft every notice the plan needs; in automated mode, approve each complete one."""
    if assessment is None or not assessment.plan.obligations:
        recorder.event(
            TimelineEvent(
                at=datetime.now(UTC),
                kind="note",
                ref="no-obligation",
                title="the plan holds no notification obligation: nothing to draft",
            )
        )
        return
    from magento_ir.notify.approvals import DEFAULT_POLICY, decide  # noqa: PLC0415
    from magento_ir.notify.drafts import record_draft, render_plan  # noqa: PLC0415

    say("drafting the notices the plan needs")
    details = options.details if options.details is not None else _example_details(scenario)
    drafts = render_plan(assessment.plan, assessment.facts, details=details)
    drafts_dir = folder / DRAFTS_FOLDER
    first_regulator = True
    for draft in drafts:
        draft.save(drafts_dir)
        record_draft(log, draft)
        when = recorder.step(
            "draft_notices",
            f"drafted {draft.kind} for {draft.recipient_name or draft.audience}",
            {"draft": draft.draft_id, "obligation": draft.obligation_key, "sha256": draft.sha256},
        )
        if draft.audience == "regulator" and first_regulator:
            first_regulator = False
            recorder.reach("first_regulator_draft", when)
    if options.mode != "automated":
        return
    say("approving the drafts (simulated approvers)")
    for draft in drafts:
        roles = DEFAULT_POLICY.roles_for(draft.audience)
        if not roles or draft.unfilled:
            continue
        for role in roles:
            person = _by_role(participants, role)
            decide(log, draft, approver=person.name, role=role, approve=True)
        when = recorder.step(
            "approve_notices",
            f"approved {draft.kind} for {draft.recipient_name or draft.audience} "
            f"({', '.join(roles)})",
            {"draft": draft.draft_id, "obligation": draft.obligation_key},
        )
        if draft.audience == "regulator":
            recorder.reach("approval", when)


def _example_details(scenario: Scenario) -> dict[str, Any]:
    """The shipped example details, marked as an exercise's."""
    from importlib import resources  # noqa: PLC0415

    from magento_ir.notify.drafts import load_details  # noqa: PLC0415

    path = resources.files("magento_ir.notify") / "examples" / "details.example.toml"
    details = load_details(Path(str(path)))
    incident = dict(details.get("incident", {}))
    incident["reference"] = f"EXERCISE {scenario.name}"
    return {**details, "incident": incident}


def _drill_summary(report: DrillReport) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "scenario": report.scenario,
        "playbook": report.playbook,
        "contain_seconds": round(report.contain_seconds, 3),
        "journal": f"{DRILL_FOLDER}/{report.journal_name}",
        "journal_root": report.journal_root,
        "journal_records": report.journal_records,
        "journal_verifier": report.journal_verifier,
        "checks": [check.to_json() for check in (*report.outside_checks, *report.state_checks)],
    }


def load_history(folder: Path) -> list[HistoryEntry]:
    """The team's previous runs: every `<folder>/*/run.json` that reads as a run."""
    from magento_ir.exercise.result import RUN_FILE, load_run  # noqa: PLC0415
    from magento_ir.exercise.scoring import history_entry  # noqa: PLC0415

    entries = []
    for path in sorted(folder.glob(f"*/{RUN_FILE}")):
        try:
            entries.append(history_entry(load_run(path)))
        except (OSError, ValueError):
            continue  # not a run of this format: the trend ignores it
    return entries
