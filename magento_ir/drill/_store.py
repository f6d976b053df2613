"""The drill on a real test store: staged through its APIs, contained, checked, then cleaned up.

It plants a skimmer and opens sessions on a real store, so it first makes sure the store is a test
store: one with the marker CMS block `magento-ir-drill-test-store` (made by someone with admin
access, on purpose), or the caller's explicit word (`i_know_this_is_a_test_store`). Everything it
staged is removed at the end and every reversible step is rolled back; the report says what was
and was not restored, checked from outside.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import ConfigurationError, NotFoundError
from magento_ir._files import JOURNAL_KEY_NAME, private_directory
from magento_ir._http import AsyncBaseTransport, AsyncHTTPTransport
from magento_ir.auth import AdminCredentials, CustomerCredentials
from magento_ir.containment._context import Context, detect_module
from magento_ir.containment._shop import cart_payment_methods
from magento_ir.containment.incident import Incident
from magento_ir.containment.playbooks import load_playbook
from magento_ir.drill._interrupt import (
    APPLIED,
    APPLYING,
    ROLLING_BACK,
    DrillInterrupted,
    LeftBehind,
    Tracker,
)
from magento_ir.drill._report import CheckReport, DrillReport
from magento_ir.drill._run import SCENARIOS, journal_seal, roll_back, run_step
from magento_ir.drill._staging import (
    StagedBreach,
    admin_tokens,
    attacker_checks,
    orders_in_flight,
    plant_block,
    shopper_sessions,
)
from magento_ir.evidence import SigningKey

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir._async import AsyncMagentoClient
    from magento_ir._http import Request, Response
    from magento_ir.containment._context import StoreConnection
    from magento_ir.drill._report import ActionReport
    from magento_ir.models.incident_response import Capabilities

__all__ = ["TEST_STORE_MARKER", "StoreDrillOptions", "run_store_drill"]

# A CMS block with this identifier (active or not, any content) marks a store as a test store.
TEST_STORE_MARKER = "magento-ir-drill-test-store"
_KEY_FILE = "drill-journal.key"
# Scenarios that stage through a real store's APIs alone (the others need the sandbox's data).
_REAL_SCENARIOS = ("magecart",)
# Steps rolled back at the end, newest first; ended sessions cannot be (users sign in again).
_REVERSIBLE = ("hold_orders", "disable_cms_blocks", "maintenance", "suspend_payments")
_SHOPPERS = 3
_IN_FLIGHT = ("new", "processing")
_NUMERIC = re.compile(r"/\d+(?=/|$)")
_REST_PREFIX = re.compile(r"^/rest(?:/[a-z0-9_]+)?(?=/V1/)")


@dataclass(frozen=True, slots=True)
class StoreDrillOptions:
    """A drill on a real test store.

    `store` is the responder's connection (its credentials stage, contain and clean up; with
    `use_module=False` the SDK ignores the companion module and takes the core-REST path).
    `attacker` is an admin login whose tokens play the stolen sessions (and the admin canary);
    without it no admin session is staged.
    """

    store: StoreConnection
    attacker: AdminCredentials | None = field(default=None, repr=False)
    scenario: str = "magecart"
    i_know_this_is_a_test_store: bool = False
    # Payment methods the playbook suspends (and the drill resumes). Empty: the methods an
    # anonymous guest cart is offered before the drill (module path only: core REST cannot
    # write payment configuration).
    payment_methods: tuple[str, ...] = ()
    report_dir: Path = field(default_factory=Path)

    def __post_init__(self) -> None:
        if self.scenario not in _REAL_SCENARIOS:
            raise ConfigurationError(
                f"scenario {self.scenario!r} cannot be drilled on a real store yet: use "
                f"{', '.join(_REAL_SCENARIOS)} (every scenario runs on the sandbox: drop --store)"
            )


def run_store_drill(
    options: StoreDrillOptions, progress: Callable[[str], None] | None = None
) -> DrillReport:
    """Stage, contain, check and clean up on a real test store; refuses any other store."""
    return asyncio.run(_drill(options, progress or (lambda _message: None)))


class _CountingTransport(AsyncBaseTransport):
    """Counts the requests per route (ids folded) on their way to the store; never closed by
    the clients that share it (the drill closes it once at the end)."""

    def __init__(self, inner: AsyncBaseTransport | None) -> None:
        self._inner = inner or AsyncHTTPTransport()
        self._owned = inner is None
        self.counts: Counter[str] = Counter()

    async def handle_async_request(self, request: Request) -> Response:
        path = _NUMERIC.sub("/:id", _REST_PREFIX.sub("", request.url.path))
        self.counts[f"{request.method} {path}"] += 1
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        return None

    async def close_inner(self) -> None:
        if self._owned:
            await self._inner.aclose()

    def snapshot(self) -> dict[str, int]:
        return dict(self.counts)


@dataclass(slots=True)
class _Staged:
    """What the drill put on the store (removed at the end) and what it found (restored)."""

    run: str = field(default_factory=lambda: secrets.token_hex(3))
    planted_block_id: int | None = None
    customer_ids: list[int] = field(default_factory=list)
    customer_password: str = field(
        default_factory=lambda: f"Drill-{secrets.token_urlsafe(12)}-9a", repr=False
    )
    canary: CustomerCredentials | None = field(default=None, repr=False)
    # Blocks that carried a script before the drill: id -> active.
    script_blocks: dict[int, bool] = field(default_factory=dict)
    # Routes of staged entities deleted (or found gone) by the clean-up.
    deleted: set[str] = field(default_factory=set)
    # Orders in flight the playbook may hold: id -> (state, status).
    orders: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    storefront_status: int | None = None
    payment_methods: tuple[str, ...] = ()


async def _drill(options: StoreDrillOptions, say: Callable[[str], None]) -> DrillReport:
    tracker = Tracker(say)
    staged = _Staged()
    try:
        return await _tracked_drill(options, tracker, staged)
    except (KeyboardInterrupt, asyncio.CancelledError) as interruption:
        # By now the drill rolled back what it could and deleted what it staged (unless a
        # second Ctrl-C cut that short): say what the journal and the deletions show.
        raise DrillInterrupted(_left_behind(options, tracker, staged)) from interruption


def _left_behind(options: StoreDrillOptions, tracker: Tracker, staged: _Staged) -> LeftBehind:
    url = options.store.store_url
    left = tracker.left_behind("")
    applied = [
        step
        for step in left.steps
        if step.state in {APPLIED, APPLYING, ROLLING_BACK} and step.action in _REVERSIBLE
    ]
    undeleted = [
        (what, route) for what, route in _staged_routes(staged) if route not in staged.deleted
    ]
    if not applied and not undeleted:
        store = (
            f"The test store {url} is as the drill found it, but for ended sessions: every step "
            "still in place was rolled back and everything staged was deleted."
        )
        return dataclasses.replace(left, store=store)
    remaining = tuple(
        [f"{step.action} (step {step.step}): {step.state}" for step in applied]
        + [f"{what}, staged by the drill" for what, _ in undeleted]
    )
    resumable = tracker.key_file is not None and tracker.key_file.exists()
    todo = tuple(
        [
            f"undo {step.action} (step {step.step}): "
            + (
                f"magento-ir --base-url {url} rollback --journal {left.journal} "
                f"--key {tracker.key_file}"
                if resumable and step.state != APPLYING
                else "in the admin panel (the journal has no outcome for it to undo)"
                if step.state == APPLYING
                else "in the admin panel (the journal's key was not saved)"
            )
            for step in applied
        ]
        + [
            f"delete {what}: DELETE /rest{route} (or in the admin panel)"
            for what, route in undeleted
        ]
    )
    store = f"The test store {url} still has what the drill did not undo:"
    return dataclasses.replace(left, store=store, remaining=remaining, todo=todo)


def _staged_routes(staged: _Staged) -> list[tuple[str, str]]:
    """What the drill created on the store, each with the REST route that deletes it."""
    routes = [
        (f"customer {customer_id}", f"/V1/customers/{customer_id}")
        for customer_id in staged.customer_ids
    ]
    if staged.planted_block_id is not None:
        block = staged.planted_block_id
        routes.append(
            (f"CMS block {block} (checkout-trust-badges-{staged.run})", f"/V1/cmsBlock/{block}")
        )
    return routes


async def _tracked_drill(
    options: StoreDrillOptions, tracker: Tracker, staged: _Staged
) -> DrillReport:
    say = tracker.progress
    started = time.perf_counter()
    started_at = datetime.now(UTC)
    counter = _CountingTransport(options.store.transport)
    store = dataclasses.replace(options.store, transport=counter)
    breach = StagedBreach()
    try:
        async with store.open_client() as responder:
            say("checking that this is a test store")
            await _require_test_store(responder, store.store_url, options)
            module = await detect_module(responder) if store.use_module else None
            try:
                say("staging the breach through the store's APIs")
                await _stage(responder, store, options, staged, breach)
                await _payment_methods(responder, store, module, options, staged, breach)
                # Cut-offs are whole seconds: contain in a later second than the last login.
                await asyncio.sleep(1.0 - time.time() % 1.0)
                report = await _contain(options, store, counter, staged, breach, tracker)
            except BaseException:
                tracker.interrupted()
                raise
            finally:
                await breach.close()
                say("removing what the drill staged")
                cleaned = await _clean_up(responder, staged)
            restored = await _restored_checks(responder, store, staged)
    finally:
        await counter.close_inner()
    module_state = (
        "ignored (core REST)"
        if not store.use_module
        else ("installed" if module is not None else "absent")
    )
    return dataclasses.replace(
        report,
        store={"url": store.store_url, "module": module_state, "kind": "real test store"},
        started_at=started_at.isoformat(timespec="seconds"),
        staged=tuple(breach.items),
        state_checks=(*report.state_checks, *cleaned, *restored),
        total_seconds=time.perf_counter() - started,
    )


async def _require_test_store(
    client: AsyncMagentoClient, store_url: str, options: StoreDrillOptions
) -> None:
    """Refuse to plant a skimmer on a store nobody said is a test store."""
    if options.i_know_this_is_a_test_store:
        return
    found = await client.cms_blocks.list(
        SearchCriteria().where("identifier", "eq", TEST_STORE_MARKER)
    )
    if found.total_count:
        return
    raise ConfigurationError(
        f"refusing to drill on {store_url}: the drill plants a skimmer block, signs shoppers and "
        "admins in and closes the storefront, and nothing says this is a test store. On a test "
        f"store, create a CMS block with identifier {TEST_STORE_MARKER!r} (inactive is fine), or "
        "pass --confirm-test-store. Never drill on production."
    )


async def _stage(
    client: AsyncMagentoClient,
    store: StoreConnection,
    options: StoreDrillOptions,
    staged: _Staged,
    breach: StagedBreach,
) -> None:
    base_url = store.store_url
    scripts = await client.cms_blocks.list(SearchCriteria().where("content", "like", "%<script%"))
    staged.script_blocks = {
        block.id: bool(block.active) for block in scripts.items if block.id is not None
    }
    staged.storefront_status = await _storefront_status(store)
    await plant_block(client, breach, f"checkout-trust-badges-{staged.run}", with_existing=True)
    planted = [block for block in breach.skimmer_block_ids if block not in staged.script_blocks]
    staged.planted_block_id = planted[0] if planted else None
    emails = await _drill_customers(client, staged)
    breach.customer_ids.extend(staged.customer_ids[:_SHOPPERS])
    breach.canary_customer_id = staged.customer_ids[_SHOPPERS]
    staged.canary = CustomerCredentials(emails[_SHOPPERS], staged.customer_password)
    await shopper_sessions(client, base_url, breach, emails[:_SHOPPERS], staged.customer_password)
    attacker = _attacker(options)
    if attacker is not None:
        # The login body carries the password (the credentials object keeps it private).
        _, login = attacker.login_request(time.time())
        await admin_tokens(client, base_url, breach, [attacker.username], login["password"])
    else:
        breach.notes.append(
            "no admin session staged: give an admin login other than the responder's for the "
            "attacker (terminate_sessions keeps the responder's own sessions)"
        )
    await orders_in_flight(client, breach, origin="the store's own orders")
    if breach.orders_since is not None:
        page = await client.orders.list(_orders_since(breach.orders_since).page(100, 1))
        staged.orders = {
            order.entity_id: (order.state, order.status)
            for order in page.items
            if order.entity_id is not None
        }
    breach.notes.append(
        "design/head/includes was not staged: no Magento or module route writes configuration "
        "(attackers use the admin panel or SQL)"
    )


async def _payment_methods(  # noqa: PLR0917 - the drill's staging context
    client: AsyncMagentoClient,
    store: StoreConnection,
    module: Capabilities | None,
    options: StoreDrillOptions,
    staged: _Staged,
    breach: StagedBreach,
) -> None:
    """The methods to suspend: those given, else those a guest cart is offered now (observed
    from outside, as the suspension's verification will)."""
    if options.payment_methods:
        staged.payment_methods = options.payment_methods
        return
    if module is None:
        breach.notes.append(
            "suspend_payments skipped: only the companion module writes payment configuration"
        )
        return
    async with store.open_storefront() as shopper:
        probe = await cart_payment_methods(
            Context(client, shopper, store, module, "drill", "drill staging", "drill")
        )
    if not probe.offered:
        breach.notes.append(f"suspend_payments skipped: no method on offer ({probe.detail})")
        return
    staged.payment_methods = tuple(sorted(probe.offered))
    breach.notes.append(
        f"suspend_payments covers what {probe.detail} is offered: "
        f"{', '.join(staged.payment_methods)}"
    )


def _attacker(options: StoreDrillOptions) -> AdminCredentials | None:
    """The stolen admin login, unless it is the responder's own (which containment keeps)."""
    attacker = options.attacker
    responder = options.store.auth
    if attacker is None or (
        isinstance(responder, AdminCredentials) and responder.username == attacker.username
    ):
        return None
    return attacker


def _orders_since(since: str) -> SearchCriteria:
    return (
        SearchCriteria().where("state", "in", list(_IN_FLIGHT)).where("created_at", "gteq", since)
    )


async def _drill_customers(client: AsyncMagentoClient, staged: _Staged) -> list[str]:
    """The shoppers and the canary: customers of the drill's own, deleted at the end."""
    emails = [
        f"magento-ir-drill-{staged.run}-{number}@example.com" for number in range(_SHOPPERS + 1)
    ]
    for number, email in enumerate(emails):
        answer = await client.request(
            "POST",
            "/V1/customers",
            json={
                "customer": {
                    "email": email,
                    "firstname": "Drill",
                    "lastname": f"Shopper{number}",
                    "website_id": 1,
                },
                "password": staged.customer_password,
            },
        )
        staged.customer_ids.append(int(answer["id"]))
    return emails


async def _storefront_status(store: StoreConnection) -> int:
    async with store.open_storefront() as storefront:
        return (await storefront.get("/customer/account/login/")).status_code


async def _contain(  # noqa: PLR0917 - one drill's whole context
    options: StoreDrillOptions,
    store: StoreConnection,
    counter: _CountingTransport,
    staged: _Staged,
    breach: StagedBreach,
    tracker: Tracker,
) -> DrillReport:
    say = tracker.progress
    scenario = SCENARIOS[options.scenario]
    playbook = load_playbook(scenario.playbook)
    inputs: dict[str, Any] = {
        **scenario.inputs(breach),
        "payment_methods": list(staged.payment_methods),
    }
    actions = playbook.actions(inputs)
    connection = dataclasses.replace(
        store,
        canary_customer=staged.canary,
        canary_admin=_attacker(options) or store.canary_admin,
    )
    private_directory(options.report_dir)
    journal_path = options.report_dir / "drill-report-journal.log"
    for stale in options.report_dir.glob(f"{journal_path.name}*"):
        stale.unlink()
    # Saved beside the journal until every step is rolled back: after a crash or a second
    # Ctrl-C, `magento-ir rollback --key` resumes from the journal.
    key = SigningKey.generate(JOURNAL_KEY_NAME)
    key_path = options.report_dir / _KEY_FILE
    key_path.unlink(missing_ok=True)
    key.save(key_path)
    tracker.journal, tracker.verifier = journal_path, str(key.verifier())
    tracker.key_file = key_path
    tracker.planned = tuple(action.kind for action in actions)
    reports: list[ActionReport] = []
    with Incident.open(
        journal_path, key=key, store=connection, title=f"Drill on a test store: {playbook.title}"
    ) as incident:
        try:
            for action in actions:
                say(f"containing: {action.kind}")
                reports.append(await run_step(incident, counter.snapshot, action))
            say("checking from the attacker's side")
            outside = await attacker_checks(store.store_url, breach)
            async with store.open_client() as responder:
                contained = await _contained_checks(responder, breach, reports)
        except BaseException:
            # Never leave a test store closed or its payments off: undo what was applied.
            tracker.interrupted()
            await incident.arollback()
            raise
        rollbacks = await roll_back(incident, counter.snapshot, reports[::-1], _REVERSIBLE, say)
    if all(rollback.ok for rollback in rollbacks):
        key_path.unlink()
        tracker.key_file = None
    return DrillReport(
        scenario=options.scenario,
        playbook=playbook.name,
        store={},
        started_at="",
        staged=(),
        actions=tuple(reports),
        rollbacks=tuple(rollbacks),
        outside_checks=tuple(outside),
        state_checks=tuple(contained),
        contain_seconds=sum(report.seconds for report in reports),
        total_seconds=0.0,
        journal=str(journal_path),
        journal_verifier=str(key.verifier()),
        **journal_seal(journal_path, key),
        notes=(
            *breach.notes,
            (
                "requests are counted by the drill's own HTTP transport (ids folded into :id), "
                "staging and checks excluded"
            ),
            (
                "every reversible step is rolled back at the end and the staged block and "
                "customers are deleted: the store is left as it was found, but for ended sessions"
            ),
        ),
    )


async def _contained_checks(
    client: AsyncMagentoClient, breach: StagedBreach, reports: list[ActionReport]
) -> list[CheckReport]:
    """Through core REST, after containment and before the rollbacks."""
    checks = []
    if any(r.action == "disable_cms_blocks" and r.path != "-" for r in reports):
        active = [
            block_id
            for block_id in breach.skimmer_block_ids
            if (await client.cms_blocks.retrieve(block_id)).active
        ]
        checks.append(
            CheckReport(
                "blocks with the injected script are disabled",
                not active,
                f"GET /V1/cmsBlock/:id for {sorted(breach.skimmer_block_ids)}: "
                f"{len(active)} still active",
            )
        )
    if any(r.action == "hold_orders" and r.path != "-" for r in reports) and breach.orders_since:
        unheld = await client.orders.list(_orders_since(breach.orders_since).page(1, 1))
        checks.append(
            CheckReport(
                "no order placed during the breach is left to ship",
                unheld.total_count == 0,
                f"GET /V1/orders new/processing from {breach.orders_since}: {unheld.total_count}",
            )
        )
    return checks


async def _clean_up(client: AsyncMagentoClient, staged: _Staged) -> list[CheckReport]:
    """Delete the planted block and the drill's customers (each attempted, each reported)."""
    routes = [route for _, route in _staged_routes(staged)]
    failed = []
    for route in routes:
        try:
            await client.request("DELETE", route)
        except NotFoundError:
            pass
        except Exception as error:  # noqa: BLE001 - reported, and the rest still cleaned
            failed.append(f"{route}: {type(error).__name__}")
            continue
        staged.deleted.add(route)
    return [
        CheckReport(
            "what the drill staged is deleted (planted block, drill customers)",
            not failed,
            f"DELETE {len(routes)} entities; failed: {', '.join(failed) or 'none'}",
        )
    ]


async def _restored_checks(
    client: AsyncMagentoClient, store: StoreConnection, staged: _Staged
) -> list[CheckReport]:
    """After the rollbacks and the clean-up, from outside: the store is as it was found."""
    blocks = {
        block_id: bool((await client.cms_blocks.retrieve(block_id)).active)
        for block_id in staged.script_blocks
    }
    orders = {}
    for order_id in staged.orders:
        order = await client.orders.retrieve(order_id)
        orders[order_id] = (order.state, order.status)
    gone = [
        route
        for route in (
            *(f"/V1/customers/{customer_id}" for customer_id in staged.customer_ids),
            *(
                [f"/V1/cmsBlock/{staged.planted_block_id}"]
                if staged.planted_block_id is not None
                else []
            ),
        )
        if not await _exists(client, route)
    ]
    expected_gone = len(staged.customer_ids) + (staged.planted_block_id is not None)
    storefront = await _storefront_status(store)
    return [
        CheckReport(
            "blocks that carried a script before are as they were",
            blocks == staged.script_blocks,
            f"active before {staged.script_blocks}, after {blocks}",
        ),
        CheckReport(
            "orders in flight are back in their state",
            orders == staged.orders,
            f"{len(staged.orders)} orders; changed: "
            + (", ".join(str(i) for i in orders if orders[i] != staged.orders[i]) or "none"),
        ),
        CheckReport(
            "the planted block and the drill's customers answer 404",
            len(gone) == expected_gone,
            f"{len(gone)} of {expected_gone} gone",
        ),
        CheckReport(
            "the storefront answers as before the drill",
            storefront == staged.storefront_status,
            f"GET /customer/account/login/: {staged.storefront_status} before, {storefront} after",
        ),
    ]


async def _exists(client: AsyncMagentoClient, route: str) -> bool:
    try:
        await client.request("GET", route)
    except NotFoundError:
        return False
    return True
