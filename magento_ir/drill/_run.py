"""Running a drill: sandbox up, breach staged, playbook run over HTTP, checks, rollbacks, report."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir._exceptions import ConfigurationError
from magento_ir._files import private_directory
from magento_ir.auth import AdminCredentials, CustomerCredentials, OAuth1Credentials
from magento_ir.containment._context import StoreConnection
from magento_ir.containment.incident import Incident
from magento_ir.containment.playbooks import load_playbook
from magento_ir.drill._detect import DrillWatch, detection_section
from magento_ir.drill._interrupt import DrillInterrupted, Tracker
from magento_ir.drill._notify import assess_breach, notify_section
from magento_ir.drill._report import (
    ActionReport,
    CheckReport,
    DrillReport,
    RollbackReport,
)
from magento_ir.drill._staging import (
    HEAD_SKIMMER_SCRIPT,
    attacker_checks,
    stage_card_testing,
    stage_compromised_admin,
    stage_credential_stuffing,
    stage_customer_exfiltration,
    stage_hr_breach,
    stage_hr_portal_exfiltration,
    stage_magecart,
    stage_malicious_integration,
    stage_ransomware_admin,
)
from magento_ir.evidence import SigningKey, verify

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from magento_ir.containment.actions import Action
    from magento_ir.containment.incident import StepReport
    from magento_ir.drill._staging import StagedBreach
    from magento_ir.sandbox import Sandbox

__all__ = ["SCENARIOS", "DrillHooks", "DrillOptions", "journal_seal", "run_drill"]

# The responder signs as an integration, as automation would: no admin user of its own to lose.
_RESPONDER_INTEGRATION = "ERP Connector"
_CANARY_EMAIL = "ir.customer12@example.com"
_ADMIN = 2
_CUSTOMER = 3
_READ_FAULT_RATE = 0.2
_WRITE_FAULT_RATE = 0.05


@dataclass(frozen=True, slots=True)
class Scenario:
    """A breach to stage, the shipped playbook that contains it, and what to undo at the end."""

    playbook: str
    stage: Callable[[Sandbox, str], Awaitable[StagedBreach]]
    inputs: Callable[[StagedBreach], dict[str, Any]]
    # Action kinds rolled back once contained (the store is usable again for the drill).
    rollback: tuple[str, ...]
    # User types (2 admin, 3 customer) whose tokens from before containment must all be dead.
    revokes: tuple[int, ...]
    # The skimmer in design/head/includes is cleaned before the storefront reopens.
    head_include: bool = False


SCENARIOS: dict[str, Scenario] = {
    "magecart": Scenario(
        "magecart",
        stage_magecart,
        lambda breach: {
            "skimmer_block_ids": breach.skimmer_block_ids,
            "skimmer_live_since": breach.orders_since or "",
            "payment_methods": ["braintree"],
        },
        rollback=("maintenance",),
        revokes=(_ADMIN, _CUSTOMER),
        head_include=True,
    ),
    "compromised_admin": Scenario(
        "compromised_admin",
        stage_compromised_admin,
        lambda breach: {"planted_block_ids": breach.skimmer_block_ids},
        rollback=("lockdown_admins",),
        revokes=(_ADMIN,),
    ),
    "customer_data_exfiltration": Scenario(
        "customer_data_exfiltration",
        stage_customer_exfiltration,
        lambda breach: {"affected_customers": breach.affected_customers()},
        rollback=("lockdown_admins",),
        revokes=(_ADMIN, _CUSTOMER),
    ),
    "card_testing": Scenario(
        "card_testing",
        stage_card_testing,
        lambda breach: {
            "payment_methods": ["braintree"],
            "attack_started_at": breach.orders_since or "",
        },
        rollback=("maintenance",),
        revokes=(),
    ),
    "hr_data_breach": Scenario(
        "hr_data_breach",
        stage_hr_breach,
        lambda breach: {"staff_customer_ids": breach.affected_customers()},
        rollback=("lockdown_admins",),
        revokes=(_ADMIN, _CUSTOMER),
    ),
    "hr_portal_exfiltration": Scenario(
        "hr_portal_exfiltration",
        stage_hr_portal_exfiltration,
        lambda breach: {"staff_customer_ids": breach.affected_customers()},
        # The integrations come back with new tokens; the portal's old one stays dead.
        rollback=("lockdown_admins",),
        revokes=(_ADMIN, _CUSTOMER),
    ),
    "credential_stuffing": Scenario(
        "credential_stuffing",
        stage_credential_stuffing,
        lambda breach: {"compromised_customer_ids": breach.affected_customers()},
        rollback=(),
        revokes=(_CUSTOMER,),
    ),
    "malicious_integration": Scenario(
        "compromised_admin",
        stage_malicious_integration,
        lambda breach: {"planted_block_ids": breach.skimmer_block_ids},
        # Not rolled back: a rollback would bring the rogue integration back (with new keys).
        rollback=(),
        revokes=(_ADMIN,),
    ),
    "ransomware_admin": Scenario(
        "ransomware_admin",
        stage_ransomware_admin,
        lambda _breach: {},
        # The storefront stays closed until the catalogue is restored from backup.
        rollback=(),
        revokes=(_ADMIN,),
    ),
}


async def _nothing(_sandbox: Sandbox, _base_url: str, _breach: StagedBreach) -> None:
    return None


@dataclass(frozen=True, slots=True)
class DrillHooks:
    """What an exercise adds to a drill (magento_ir.exercise): its own playbook, a call at each
    phase as it ends, and work done while the breach is contained and the store still up."""

    # A shipped playbook's name (or a file) instead of the scenario's own.
    playbook: str | None = None
    # (phase, data): "staged", "detected" (the Detection), "assessed" (the Assessment),
    # "contained" (the step reports), "rolled_back", "verified" (the checks).
    phase: Callable[[str, Any], None] = lambda _phase, _data: None
    # Awaited after containment, before any rollback (e.g. preserving evidence).
    while_contained: Callable[[Sandbox, str, StagedBreach], Awaitable[None]] = _nothing


@dataclass(frozen=True, slots=True)
class DrillOptions:
    scenario: str = "magecart"
    products: int = 10_000
    customers: int = 100_000
    orders: int = 200
    latency: str = "real"
    with_module: bool = True
    seed: int = 0
    report_dir: Path = field(default_factory=Path)
    # Unreliable network while containing: reads fail transiently, writes lose their answer.
    faults: bool = False

    def __post_init__(self) -> None:
        if self.scenario not in SCENARIOS:
            raise ConfigurationError(
                f"unknown drill scenario {self.scenario!r}: use one of {', '.join(SCENARIOS)}"
            )


def run_drill(
    options: DrillOptions,
    progress: Callable[[str], None] | None = None,
    hooks: DrillHooks | None = None,
) -> DrillReport:
    """One drill end to end on a fresh sandbox served on loopback (never a real store)."""
    return asyncio.run(_drill(options, progress or (lambda _message: None), hooks or DrillHooks()))


async def _drill(
    options: DrillOptions, say: Callable[[str], None], hooks: DrillHooks
) -> DrillReport:
    from magento_ir.sandbox import Sandbox, SandboxOptions, SandboxServer  # noqa: PLC0415

    started = time.perf_counter()
    started_at = datetime.now(UTC)
    tracker = Tracker(say)
    sandbox: Sandbox | None = None
    breach: StagedBreach | None = None
    try:
        tracker.progress(
            f"starting the sandbox store ({options.products} products, "
            f"{options.customers} customers)"
        )
        sandbox = Sandbox(
            SandboxOptions(
                seed=options.seed,
                products=options.products,
                customers=options.customers,
                orders=options.orders,
                with_module=options.with_module,
                latency=options.latency,
            )
        )
        with (
            SandboxServer(sandbox) as server,
            DrillWatch(sandbox, server.base_url, options.scenario) as watch,
        ):
            base_url = server.base_url
            tracker.progress("watching the store before the breach (the detection baseline)")
            await watch.take_baseline()
            tracker.progress("staging the breach over HTTP")
            breach = await SCENARIOS[options.scenario].stage(sandbox, base_url)
            staged_at = time.perf_counter()
            hooks.phase("staged", breach)
            try:
                tracker.progress("detecting: one watch pass over the whole store")
                detection = await watch.detect(options.scenario, breach, staged_at)
                hooks.phase("detected", detection)
                tracker.progress("assessing who was exposed (notification obligations)")
                assessment = await assess_breach(options.scenario, sandbox, base_url, breach)
                hooks.phase("assessed", assessment)
                # Cut-offs are whole seconds: contain in a later second than the last staged
                # login, as a real incident comes long after the sessions it ends.
                await asyncio.sleep(1.0 - sandbox.now() % 1.0)
                report = await _contain(
                    options,
                    sandbox,
                    base_url,
                    breach,
                    started,
                    started_at,
                    tracker,
                    hooks,
                    detected_at=detection.detected_at,
                )
                return report.with_section(
                    detection_section(detection, report.contain_seconds)
                ).with_section(notify_section(assessment))
            finally:
                await breach.close()
    except (KeyboardInterrupt, asyncio.CancelledError) as interruption:
        # CancelledError: asyncio.run turns a real SIGINT into the main task's cancellation.
        raise DrillInterrupted(
            tracker.left_behind(
                "The store was the drill's sandbox, held in this process's memory: it is "
                "discarded with the drill, so nothing is left staged on any store and nothing "
                "needs rolling back or cleaning up. When interrupted, it held:",
                remaining=_sandbox_state(sandbox, breach),
            )
        ) from interruption


def _sandbox_state(sandbox: Sandbox | None, breach: StagedBreach | None) -> tuple[str, ...]:
    """What the sandbox held at the interruption, read from its state (not from the journal)."""
    if sandbox is None:
        return ("nothing yet: it was still being generated",)
    with sandbox.lock:
        state = sandbox.state
        facts = [f"maintenance mode: {state.incident_response.maintenance_mode}"]
        if breach is not None and breach.skimmer_block_ids:
            active = sorted(
                block_id
                for block_id in breach.skimmer_block_ids
                if (row := state.cms_blocks.get(block_id)) is not None and row["active"]
            )
            facts.append(
                f"skimmer CMS blocks still active: {len(active)} of "
                f"{len(breach.skimmer_block_ids)}"
                + (f" (ids {', '.join(map(str, active))})" if active else "")
            )
        head = state.config_value("design/head/includes") or ""
        facts.append(
            "skimmer in design/head/includes: " + ("yes" if HEAD_SKIMMER_SCRIPT in head else "no")
        )
        held = sum(1 for row in state.orders.rows() if row["state"] == "holded")
        facts.append(f"orders on hold: {held}")
    inspect = sandbox.inspect
    facts.append(
        f"live admin tokens: {len(inspect.live_tokens(_ADMIN))}, live customer tokens: "
        f"{len(inspect.live_tokens(_CUSTOMER))}"
    )
    return tuple(facts)


async def _contain(  # noqa: PLR0917 - one drill's whole context
    options: DrillOptions,
    sandbox: Sandbox,
    base_url: str,
    breach: StagedBreach,
    started: float,
    started_at: datetime,
    tracker: Tracker,
    hooks: DrillHooks,
    *,
    detected_at: datetime | None = None,
) -> DrillReport:
    say = tracker.progress
    scenario = SCENARIOS[options.scenario]
    playbook = load_playbook(hooks.playbook or scenario.playbook)
    credentials = sandbox.inspect.integration_credentials(_RESPONDER_INTEGRATION)
    options_ = sandbox.options
    store = StoreConnection(
        base_url=base_url,
        auth=OAuth1Credentials(**credentials),
        canary_customer=CustomerCredentials(_CANARY_EMAIL, options_.customer_password),
        # The one reference admin whose role may read GET /V1/modules, as the canary needs.
        canary_admin=AdminCredentials(options_.admin_user, options_.admin_password),
    )
    with sandbox.lock:
        breach.canary_customer_id = sandbox.state.customer_id_for_email(_CANARY_EMAIL)
    actions = playbook.actions(scenario.inputs(breach))
    private_directory(options.report_dir)
    journal_path = options.report_dir / "drill-report-journal.log"
    # A fresh journal each drill: the log, its checkpoints and its lock file.
    for stale in options.report_dir.glob(f"{journal_path.name}*"):
        stale.unlink()
    notes = list(breach.notes)
    # A throw-away key: the drill's journal is evidence of nothing but the drill.
    key = SigningKey.generate("magento-ir-drill")
    tracker.journal, tracker.verifier = journal_path, str(key.verifier())
    tracker.planned = tuple(action.kind for action in actions)
    contained_at = sandbox.now()
    if options.faults:
        _inject_faults(sandbox)
        notes.append(
            f"faults injected while containing and rolling back: {_READ_FAULT_RATE:.0%} of reads "
            f"answered 503, {_WRITE_FAULT_RATE:.0%} of writes applied but their answer cut off"
        )
    reports: list[ActionReport] = []
    with Incident.open(
        journal_path,
        key=key,
        store=store,
        title=f"Drill: {playbook.title}",
        detected_at=detected_at,
    ) as incident:
        for action in actions:
            say(f"containing: {action.kind}")
            reports.append(await run_step(incident, sandbox.inspect.request_counts, action))
        contain_seconds = sum(report.seconds for report in reports)
        hooks.phase("contained", tuple(reports))
        await hooks.while_contained(sandbox, base_url, breach)
        if scenario.head_include:
            say("removing the skimmer from design/head/includes (an admin-panel step)")
            _clean_head_include(sandbox)
            notes.append(
                "design/head/includes was cleaned in the sandbox before reopening: the playbook "
                "leaves it to the admin panel (no REST route writes configuration)"
            )
        rollbacks = await roll_back(
            incident, sandbox.inspect.request_counts, reports, scenario.rollback, say
        )
        hooks.phase("rolled_back", tuple(rollbacks))
    # The checks afterwards observe the store itself, not the network's weather.
    sandbox.faults.clear()
    say("checking from the attacker's side")
    outside = await attacker_checks(base_url, breach)
    state = _state_checks(
        sandbox, scenario, breach, reports, contained_at, with_module=options.with_module
    )
    hooks.phase("verified", (*outside, *state))
    return DrillReport(
        scenario=options.scenario,
        playbook=playbook.name,
        store={
            "products": options.products,
            "customers": options.customers,
            "orders": options.orders,
            "latency": options.latency,
            "module": "installed" if options.with_module else "absent",
            "faults": "injected" if options.faults else "none",
        },
        started_at=started_at.isoformat(timespec="seconds"),
        staged=tuple(breach.items),
        actions=tuple(reports),
        rollbacks=tuple(rollbacks),
        outside_checks=tuple(outside),
        state_checks=tuple(state),
        contain_seconds=contain_seconds,
        total_seconds=time.perf_counter() - started,
        journal=str(journal_path),
        journal_verifier=str(key.verifier()),
        **journal_seal(journal_path, key),
        seed=options.seed,
        notes=(
            *notes,
            (
                "each step's request count includes the module detection "
                "(GET /V1/incident-response/capabilities) its run starts with"
            ),
        ),
    )


def journal_seal(journal_path: Path, key: SigningKey) -> dict[str, Any]:
    """The closed journal's root hash and size, as `evidence verify` will find them."""
    checked = verify(journal_path, key.verifier())
    return {"journal_root": checked.root.hex(), "journal_records": checked.records}


def _inject_faults(sandbox: Sandbox) -> None:
    sandbox.faults.at_rate("503", _READ_FAULT_RATE, method="GET")
    # A truncated answer comes after the store applied the write: the ambiguous case.
    for method in ("POST", "PUT"):
        sandbox.faults.at_rate("truncated_body", _WRITE_FAULT_RATE, method=method)


def _diff(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {
        route: after[route] - before.get(route, 0)
        for route in sorted(after)
        if after[route] != before.get(route, 0)
    }


async def run_step(
    incident: Incident, request_counts: Callable[[], dict[str, int]], action: Action
) -> ActionReport:
    """One playbook step, timed, with the requests the store counted while it ran."""
    before = request_counts()
    clock = time.perf_counter()
    run = await incident.arun([action])
    seconds = time.perf_counter() - clock
    by_route = _diff(before, request_counts())
    step = run.steps[0]
    outcome = step.outcome
    checks = (
        tuple(
            CheckReport(check.name, check.passed, check.detail)
            for check in step.verification.checks
        )
        if step.verification is not None
        else ()
    )
    return ActionReport(
        step=step.step,
        action=step.action,
        path=outcome.path if outcome is not None else "-",
        summary=step.plan.summary if step.plan is not None else step.status,
        seconds=seconds,
        requests=sum(by_route.values()),
        requests_by_route=by_route,
        entities_ok=outcome.count("ok") if outcome is not None else 0,
        entities_failed=outcome.count("failed") if outcome is not None else 0,
        entities_skipped=outcome.count("skipped") if outcome is not None else 0,
        verified=step.status == "verified",
        checks=checks,
        error=step.error,
    )


async def roll_back(
    incident: Incident,
    request_counts: Callable[[], dict[str, int]],
    reports: list[ActionReport],
    kinds: tuple[str, ...],
    say: Callable[[str], None],
) -> list[RollbackReport]:
    """Roll back the applied steps of `kinds`, in the order of `reports`."""
    results = []
    for report in reports:
        if report.action not in kinds or report.path == "-":
            continue  # not in this scenario's rollbacks, or never applied (blocked, failed)
        say(f"rolling back: {report.action}")
        before = request_counts()
        clock = time.perf_counter()
        run = await incident.arollback([report.step])
        seconds = time.perf_counter() - clock
        requests = sum(_diff(before, request_counts()).values())
        step: StepReport | None = run.steps[0] if run.steps else None
        checks = tuple(
            CheckReport(check.name, check.passed, check.detail)
            for check in (step.verification.checks if step and step.verification else ())
        )
        ok = (
            step is not None
            and step.status == "rolled_back"
            and (step.outcome is None or step.outcome.ok)
            and all(check.passed is not False for check in checks)
        )
        detail = "nothing to roll back" if step is None else (step.error or _entities(step))
        results.append(
            RollbackReport(report.step, report.action, ok, seconds, requests, detail, checks)
        )
    return results


def _entities(step: StepReport) -> str:
    if step.outcome is None:
        return step.status
    return "; ".join(
        f"{entity.entity} {entity.status}" + (f" ({entity.detail})" if entity.detail else "")
        for entity in step.outcome.entities
    )


def _clean_head_include(sandbox: Sandbox) -> None:
    with sandbox.lock:
        state = sandbox.state
        current = state.config_value("design/head/includes") or ""
        state.set_config("design/head/includes", current.replace(HEAD_SKIMMER_SCRIPT, ""))


def _state_checks(
    sandbox: Sandbox,
    scenario: Scenario,
    breach: StagedBreach,
    reports: list[ActionReport],
    contained_at: float,
    *,
    with_module: bool,
) -> list[CheckReport]:
    """The store as the sandbox's own inspection API sees it after the drill."""
    inspect = sandbox.inspect
    checks = []
    for user_type in scenario.revokes:
        stale = [
            token for token in inspect.live_tokens(user_type) if token.issued_at <= contained_at
        ]
        kind = "admin" if user_type == _ADMIN else "customer"
        checks.append(
            CheckReport(
                f"no {kind} token issued before containment still works",
                not stale,
                f"inspect.live_tokens({user_type}): {len(stale)} from before containment valid",
            )
        )
    if breach.storefront_sessions:
        # Logged-in sessions only: the attacker's-eye checks open guest sessions of their own.
        stale_sessions = [
            session
            for session in inspect.customer_sessions()
            if session["customer_id"] is not None and session["created_at"] <= contained_at
        ]
        checks.append(
            CheckReport(
                "no logged-in storefront session from before containment survives",
                not stale_sessions,
                f"inspect.customer_sessions(): {len(stale_sessions)} from before containment",
            )
        )
    with sandbox.lock:
        state = sandbox.state
        blocks = {block_id: state.cms_blocks.get(block_id) for block_id in breach.skimmer_block_ids}
        maintenance_mode = state.incident_response.maintenance_mode
        head = state.config_value("design/head/includes") or ""
        admins = [
            (user.username, user.is_active, user.lock_expires)
            for user in state.admin_users.values()
        ]
        unheld = _unheld_orders(sandbox, breach.orders_since)
    if blocks:
        active = [block_id for block_id, row in blocks.items() if row is not None and row["active"]]
        checks.append(
            CheckReport(
                "blocks with the injected script are disabled",
                not active,
                f"blocks {sorted(blocks)}: {len(active)} still active",
            )
        )
    if scenario.head_include:
        checks.append(
            CheckReport(
                "design/head/includes carries no skimmer",
                HEAD_SKIMMER_SCRIPT not in head,
                "inspect.config_value('design/head/includes')",
            )
        )
    if _applied(reports, "hold_orders") and breach.orders_since is not None:
        checks.append(
            CheckReport(
                "no order placed during the breach is left to ship",
                not unheld,
                f"orders created from {breach.orders_since} still new/processing: {len(unheld)}",
            )
        )
    if "maintenance" in scenario.rollback and _applied(reports, "maintenance"):
        checks.append(
            CheckReport(
                "storefront reopened (maintenance rolled back)",
                maintenance_mode == "off",
                f"module maintenance mode: {maintenance_mode}",
            )
        )
    if "lockdown_admins" in scenario.rollback and _applied(reports, "lockdown_admins"):
        shut = [name for name, active, lock in admins if not active or lock]
        checks.append(
            CheckReport(
                "admin accounts restored after the lockdown (their tokens stay revoked)",
                not shut,
                f"admin users inactive or locked: {', '.join(shut) or 'none'}",
            )
        )
    if with_module:
        log = inspect.action_log()
        keys = [entry.get("idempotency_key") for entry in log if entry.get("idempotency_key")]
        checks.append(
            CheckReport(
                "every module write applied exactly once",
                len(keys) == len(set(keys)),
                f"module action log: {len(log)} entries, {len(set(keys))} distinct "
                "idempotency keys",
            )
        )
    return checks


def _applied(reports: list[ActionReport], kind: str) -> bool:
    return any(report.action == kind and report.path != "-" for report in reports)


def _unheld_orders(sandbox: Sandbox, since: str | None) -> list[int]:
    """Ids of orders created from `since` that could still ship (caller holds the lock)."""
    if since is None:
        return []
    return [
        int(row["entity_id"])
        for row in sandbox.state.orders.rows()
        if row["created_at"] >= since and row["state"] in {"new", "processing"}
    ]
