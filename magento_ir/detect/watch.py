"""The watcher: scans, admin diffs and the other checks on a schedule, incidents when a rule fires.

One pass (`Watcher.apass`): read the store (`collect_targets`, and `take_snapshot` when the
companion module is there), scan, diff against the last snapshot, and for findings not seen
before at or above `min_severity` open an incident: a `detect.incident` record in the watcher's
evidence log (when given) and an entry in the state file; with a playbook configured for one of
the rules that fired (off by default), run it at once in a journal of its own
(`<journal_dir>/<incident id>.log`, `detected_at` the pass's time).

Opt-in checks, each on its own schedule (`next_at` in its section of the state): the payment
guard's refused placements (`guard`, read between passes too: `apoll_guard`), the store's code
against a signed baseline (`code`, through the module's code manifest) and the payment page in
headless Chromium (`page`: its scripts, their justifications and the CSP against the first
render). A payment-page check that fails (no browser, a broken checkout) backs off on its own
and is alerted once (`detect.alert` page_check_failed), without failing the pass.

The state file (JSON, 0600, replaced atomically) holds the snapshot, the findings seen, the
incidents opened, each check's state and the store's reachability: a restarted watcher picks up
where it stopped, and `status()` reads it for monitoring. A store that cannot be reached is
retried with capped exponential backoff and full jitter; it is alerted once (`detect.alert`
store_unreachable) and once more when it answers again, never on every failed pass.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import hashlib
import json
import logging
import os
import random
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from magento_ir._exceptions import (
    APIConnectionError,
    ConfigurationError,
    MagentoIRError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)
from magento_ir._files import private_open
from magento_ir.auth import AdminCredentials
from magento_ir.detect._watch_checks import (
    CodeWatch,
    GuardWatch,
    PageWatch,
    code_findings,
    empty_guard_state,
    guard_findings,
)
from magento_ir.detect.admin import Snapshot, diff, take_snapshot
from magento_ir.detect.cards import (
    CardAlert,
    CardTestingDetector,
    CardThresholds,
    attempts,
    fetch_since,
    push_block_rules,
)
from magento_ir.detect.code_integrity import BaselineIntegrityError, CodeBaseline
from magento_ir.detect.page_integrity import (
    PageInventory,
    ScriptAuthorizations,
    compare,
    render_checkout,
    unjustified,
)
from magento_ir.detect.rules import Severity, load_rule_set, shipped_rule_set
from magento_ir.detect.scan import (
    AllowList,
    Finding,
    at_least,
    collect_targets,
    load_allow_list,
    load_yara,
    magecart_inputs,
    scan,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from contextlib import AbstractContextManager
    from pathlib import Path

    from magento_ir._async._client import AsyncMagentoClient
    from magento_ir.containment._context import StoreConnection
    from magento_ir.detect.page_integrity import PageDriver
    from magento_ir.detect.rules import RuleSet
    from magento_ir.detect.scan import YaraRules
    from magento_ir.evidence import EvidenceLog, SigningKey

__all__ = [
    "CodeWatch",
    "GuardWatch",
    "PageWatch",
    "PassReport",
    "WatchConfig",
    "Watcher",
    "read_status",
]

_LOG = logging.getLogger("magento_ir.detect")
_STATE_VERSION = 1
_UNREACHABLE = (APIConnectionError, UnexpectedResponseError, ServerError, RateLimitError)
_SEVERITIES = ("low", "medium", "high")


@dataclass(frozen=True, slots=True)
class WatchConfig:
    """What the watcher looks for and what it does. `playbooks` maps a rule id to a playbook
    run automatically when that rule opens an incident (none by default)."""

    interval: float = 300.0
    allow: AllowList = field(default_factory=AllowList)
    rule_sets: tuple[RuleSet, ...] = ()
    yara: tuple[tuple[YaraRules, str], ...] = ()
    min_severity: Severity = "medium"
    playbooks: Mapping[str, str] = field(default_factory=dict)
    backoff_base: float = 5.0
    backoff_cap: float = 900.0
    # Card testing (off unless configured): thresholds, how far back the first pass reads,
    # and whether an incident pushes the alerts' guard rules (lapsing after block_ttl).
    card_testing: CardThresholds | None = None
    card_lookback: float | None = 86_400.0
    push_block_rules: bool = False
    block_ttl: int = 86_400
    # The other checks (off unless configured), each on its own schedule.
    guard: GuardWatch | None = None
    code_integrity: CodeWatch | None = None
    page_integrity: PageWatch | None = None

    @classmethod
    def from_toml(cls, path: Path) -> WatchConfig:
        """`[watch]` interval, min_severity, allow_hosts, rules, yara; `[playbooks]` rule = name;
        `[card_testing]`, `[guard]`, `[code_integrity]`, `[page_integrity]` (docs/detection.md).

        Relative paths (rules, YARA, thresholds, baseline, authorizations) are read from the
        config file's directory.
        """
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigurationError(f"{path}: cannot read: {error.strerror}") from None
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"{path}: not valid TOML: {error}") from None
        unknown = set(data) - {"watch", "playbooks", "card_testing", *_CHECK_KEYS}
        watch = data.get("watch", {})
        unknown |= {f"watch.{key}" for key in watch} - {
            f"watch.{key}"
            for key in ("interval", "min_severity", "allow_hosts", "rules", "yara", "allow_list")
        }
        if unknown:
            raise ConfigurationError(f"{path}: unknown keys {sorted(unknown)} (docs/detection.md)")
        severity = watch.get("min_severity", "medium")
        if severity not in _SEVERITIES:
            raise ConfigurationError(f"{path}: watch.min_severity must be one of {_SEVERITIES}")
        base = path.parent
        allow = (
            load_allow_list(base / watch["allow_list"]) if "allow_list" in watch else AllowList()
        )
        playbooks = data.get("playbooks", {})
        if not all(isinstance(value, str) for value in playbooks.values()):
            raise ConfigurationError(f"{path}: [playbooks] maps a rule id to a playbook name")
        cards = data.get("card_testing", {})
        extra = set(cards) - {"enabled", "thresholds", "lookback", "push_block_rules", "block_ttl"}
        if extra:
            raise ConfigurationError(
                f"{path}: unknown keys {sorted(f'card_testing.{k}' for k in extra)} "
                "(docs/detection.md)"
            )
        thresholds = None
        if cards.get("enabled", False):
            name = cards.get("thresholds")
            thresholds = CardThresholds.load(base / name) if name else CardThresholds.shipped()
        lookback = cards.get("lookback", 86_400)
        checks = _checks(path, data)
        return cls(
            interval=float(watch.get("interval", 300)),
            allow=AllowList((*allow.hosts, *watch.get("allow_hosts", ()))),
            rule_sets=tuple(load_rule_set(base / name) for name in watch.get("rules", ())),
            yara=tuple((load_yara(base / name), name) for name in watch.get("yara", ())),
            min_severity=severity,
            playbooks=dict(playbooks),
            card_testing=thresholds,
            card_lookback=None if lookback == "all" else float(lookback),
            push_block_rules=bool(cards.get("push_block_rules", False)),
            block_ttl=int(cards.get("block_ttl", 86_400)),
            **checks,
        )


_CHECK_KEYS = {
    "guard": {"enabled", "interval", "limit", "window", "cooldown"},
    "code_integrity": {"enabled", "interval", "baseline", "max_findings"},
    "page_integrity": {"enabled", "interval", "product", "authorizations", "chromium",
                       "chromedriver"},
}  # fmt: skip


def _checks(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """The `[guard]`, `[code_integrity]` and `[page_integrity]` sections (off unless enabled)."""
    found: dict[str, Any] = {}
    for name, keys in _CHECK_KEYS.items():
        section = data.get(name, {})
        extra = set(section) - keys
        if extra:
            raise ConfigurationError(
                f"{path}: unknown keys {sorted(f'{name}.{k}' for k in extra)} (docs/detection.md)"
            )
        if not section.get("enabled", False):
            continue
        settings = {key: value for key, value in section.items() if key != "enabled"}
        try:
            if name == "guard":
                found["guard"] = GuardWatch(**settings)
            elif name == "code_integrity":
                if "baseline" in settings:
                    settings["baseline"] = path.parent / settings["baseline"]
                found["code_integrity"] = CodeWatch(**settings)
            else:
                if "product" not in settings:
                    raise ConfigurationError(
                        f"{path}: page_integrity.product: the URL key of an in-stock product "
                        'to put in the cart (e.g. "blue-widget.html") is required'
                    )
                if "authorizations" in settings:
                    settings["authorizations"] = ScriptAuthorizations.load(
                        path.parent / settings["authorizations"]
                    )
                found["page_integrity"] = PageWatch(**settings)
        except TypeError as error:
            raise ConfigurationError(f"{path}: [{name}]: {error}") from None
    return found


@dataclass(frozen=True, slots=True)
class PassReport:
    """One pass: what was found, what was new, the incident opened (if any)."""

    at: str
    reachable: bool
    findings: tuple[Finding, ...] = ()
    new_findings: tuple[Finding, ...] = ()
    incident: dict[str, Any] | None = None
    error: str | None = None
    next_pass_in: float = 0.0
    notes: tuple[str, ...] = ()
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "reachable": self.reachable,
            "seconds": round(self.seconds, 3),
            "findings": [finding.to_json() for finding in self.findings],
            "new_findings": [finding.fingerprint for finding in self.new_findings],
            "incident": self.incident,
            "error": self.error,
            "next_pass_in": round(self.next_pass_in, 3),
            "notes": list(self.notes),
        }


def _empty_state(store: str) -> dict[str, Any]:
    return {
        "version": _STATE_VERSION,
        "store": store,
        "status": "starting",
        "passes": 0,
        "last_pass_at": None,
        "last_ok_at": None,
        "failures": 0,
        "unreachable_since": None,
        "alerted_unreachable": False,
        "next_pass_at": None,
        "last_error": None,
        "snapshot": None,
        "seen": {},
        "incidents": [],
        "guard": None,
        "code": None,
        "page": None,
    }


def read_status(path: Path) -> dict[str, Any]:
    """The state file's content (what `watch --status` prints); ConfigurationError if absent."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(
            f"no watch state at {path}: run `magento-ir watch` first (or pass --state)"
        ) from None
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"{path}: not a watch state file: {error}") from None
    if data.get("version") != _STATE_VERSION:
        raise ConfigurationError(f"{path}: watch state version {data.get('version')!r} unknown")
    return data


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Watcher:
    """Watches one store; `state_path` keeps its memory across restarts.

    `log`: the evidence log incidents and alerts are recorded in (optional). `journal_dir` and
    `key`: where an automatic playbook run journals (needed only with `config.playbooks`).
    `now`, `sleep` and `jitter` are for tests (a fixed clock, no waits, no randomness).
    """

    def __init__(
        self,
        store: StoreConnection,
        *,
        state_path: Path,
        config: WatchConfig | None = None,
        log: EvidenceLog | None = None,
        journal_dir: Path | None = None,
        key: SigningKey | None = None,
        now: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        jitter: Callable[[], float] | None = None,
        page_driver: Callable[[], AbstractContextManager[PageDriver]] | None = None,
    ) -> None:
        self.store = store
        self.state_path = state_path
        self.config = config or WatchConfig()
        if self.config.playbooks and key is None:
            raise ConfigurationError(
                "automatic playbooks journal their steps: give the watcher the journal key"
            )
        if self.config.code_integrity is not None and key is None:
            raise ConfigurationError(
                "code integrity signs its baseline: give the watcher the evidence key"
            )
        self.log = log
        self.journal_dir = journal_dir or state_path.parent
        self.key = key
        self._now = now or (lambda: datetime.now(UTC))
        self._sleep = sleep or asyncio.sleep
        self._jitter = jitter or random.random  # backoff jitter, not a secret
        self.state = self._load()
        self._pending_cards: tuple[dict[str, Any], list[CardAlert]] | None = None
        # Check states read in a pass, committed only when it reaches the store (`_reached`).
        self._pending: dict[str, Any] = {}
        self._page_driver = page_driver or self._chromium

    # --- state ---------------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return _empty_state(self.store.store_url)
        state = {**_empty_state(self.store.store_url), **read_status(self.state_path)}
        if state.get("store") != self.store.store_url:
            raise ConfigurationError(
                f"{self.state_path} is the watch state of {state.get('store')}, not of "
                f"{self.store.store_url}: use one state file per store (--state)"
            )
        return state

    def _save(self) -> None:
        partial = self.state_path.with_name(self.state_path.name + ".partial")
        with private_open(partial, "wb") as handle:
            handle.write(json.dumps(self.state, indent=2, sort_keys=True).encode())
            handle.flush()
            os.fsync(handle.fileno())
        partial.replace(self.state_path)

    def status(self) -> dict[str, Any]:
        return dict(self.state)

    def _record(self, record_type: str, payload: dict[str, Any]) -> None:
        if self.log is not None:
            self.log.append(record_type, payload)

    # --- one pass ------------------------------------------------------------------------
    async def apass(self) -> PassReport:
        """One scan and admin diff; never raises for an unreachable store (see the report)."""
        started = self._now()
        at = _stamp(started)
        clock = asyncio.get_running_loop().time()
        self.state["passes"] += 1
        self.state["last_pass_at"] = at
        self._pending_cards = None
        self._pending = {}
        try:
            findings, snapshot, notes = await self._read(started)
        except _UNREACHABLE as error:
            report = self._unreachable(at, error)
        else:
            report = await self._reached(at, started, findings, snapshot, notes)
        report = _with_seconds(report, asyncio.get_running_loop().time() - clock)
        self.state["next_pass_at"] = _stamp(started + timedelta(seconds=report.next_pass_in))
        self._save()
        return report

    async def _read(self, started: datetime) -> tuple[list[Finding], Snapshot | None, list[str]]:
        async with self.store.open_client() as client:
            collected = await collect_targets(client)
            allow = self.config.allow.with_store(self.store.base_url, *collected.store_urls)
            rule_sets = self.config.rule_sets or (shipped_rule_set(),)
            if self.config.rule_sets and shipped_rule_set().source not in {
                rules.source for rules in rule_sets
            }:
                rule_sets = (shipped_rule_set(), *rule_sets)
            findings = scan(collected.targets, allow, rule_sets, self.config.yara)
            notes = list(collected.notes)
            if self.config.card_testing is not None:
                findings += await self._read_cards(client, started)
            previous_data = self.state.get("snapshot")
            previous = Snapshot.from_json(previous_data) if previous_data else None
            snapshot: Snapshot | None
            try:
                snapshot = await take_snapshot(
                    client, previous, now=started.strftime("%Y-%m-%d %H:%M:%S")
                )
            except NotFoundError:
                notes.append(
                    "admin, integration and config changes not watched: the companion module "
                    "(its evidence reads) is not installed"
                )
                snapshot = None
            else:
                auth = self.store.auth
                own = auth.username if isinstance(auth, AdminCredentials) else None
                findings += diff(previous, snapshot, own_username=own)
                notes += snapshot.notes
                if previous is None:
                    notes.append("first snapshot of admins, integrations and config: the baseline")
            if self.config.guard is not None:
                findings += await self._read_guard(client, notes)
            if self.config.code_integrity is not None and self._due("code", started):
                findings += await self._check_code(client, started, notes)
        if self.config.page_integrity is not None and self._due("page", started):
            findings += await self._check_page(started, notes)
        return findings, snapshot, notes

    # --- the other checks ----------------------------------------------------------------
    def _due(self, check: str, started: datetime) -> bool:
        section = self.state.get(check) or {}
        due = section.get("next_at")
        return due is None or _stamp(started) >= due

    async def _read_guard(self, client: AsyncMagentoClient, notes: list[str]) -> list[Finding]:
        """The guard's counters, and its refusals since the cursor only when they moved (a quiet
        poll is one small read); the state is kept aside (`_pending`)."""
        assert self.config.guard is not None  # noqa: S101 - the caller checked
        state = copy.deepcopy(self.state.get("guard") or empty_guard_state())
        blocks = []
        try:
            newest = await self._guard_counters(client, state, notes)
            while newest is None or newest > state["cursor"]:
                page = await client.incident_response.guard_blocks(state["cursor"], 100)
                blocks.extend(page.items)
                if not page.items:
                    break
                state["cursor"] = page.last_block_id
        except NotFoundError:
            notes.append("the payment guard's refusals not watched: the module is not installed")
            return []
        found = guard_findings(state, blocks, self.config.guard)
        state["last_read_at"] = _stamp(self._now())
        self._pending["guard"] = state
        return found

    @staticmethod
    async def _guard_counters(
        client: AsyncMagentoClient, state: dict[str, Any], notes: list[str]
    ) -> int | None:
        """The store's counters into `state`; the newest refusal's id, or None when the module
        predates the counters (then the refusals are read as before)."""
        try:
            counters = await client.incident_response.guard_counters()
        except NotFoundError:
            return None
        if counters.last_block_id < state["cursor"]:
            notes.append(
                f"the payment guard's refusal log ends at {counters.last_block_id}, before the "
                f"cursor {state['cursor']} (store restored?): reading it from the start"
            )
            state["cursor"] = 0
        state["store_blocked"] = counters.blocked
        state["counters"] = {
            str(item.rule_id): {"rule_type": item.rule_type, "blocked": item.blocked,
                                "last_blocked_at": item.last_blocked_at}
            for item in counters.items
        }  # fmt: skip
        return counters.last_block_id

    async def _check_code(
        self, client: AsyncMagentoClient, started: datetime, notes: list[str]
    ) -> list[Finding]:
        """The code manifest against the signed baseline; the first check takes the baseline."""
        settings = self.config.code_integrity
        assert settings is not None  # noqa: S101 - the caller checked
        assert self.key is not None  # noqa: S101 - __init__ checked
        path = settings.baseline or self.state_path.with_name("code-baseline.jsonl")
        api = client.incident_response
        section = {**(self.state.get("code") or {}), "baseline": str(path)}
        section["next_at"] = _stamp(started + timedelta(seconds=settings.interval))
        found: list[Finding] = []
        try:
            if not path.exists():
                files = [file async for file in api.iterate_code_manifest()]
                baseline = CodeBaseline.from_manifest(
                    files, store=self.store.store_url, taken_at=int(started.timestamp())
                )
                baseline.save(path, key=self.key)
                notes.append(f"code baseline taken: {len(files)} files, signed, in {path}")
                section.update(files=len(files), baseline_taken_at=_stamp(started))
                section.update(added=0, changed=0, removed=0, touched=0)
            else:
                try:
                    baseline = CodeBaseline.load(path, verifier=self.key.verifier())
                except BaselineIntegrityError as error:
                    found.append(_baseline_invalid(str(path), str(error)))
                    section["last_error"] = str(error)
                    self._pending["code"] = section
                    return found
                current = [
                    file
                    async for file in api.iterate_code_manifest(
                        changed_since=baseline.changed_since
                    )
                ]
                changes = baseline.diff(current)
                hashes = {file.path: file.sha256 for file in current}
                found = code_findings(changes, hashes, settings)
                section.update(
                    files=len(current),
                    added=len(changes.added),
                    changed=len(changes.changed),
                    removed=len(changes.removed),
                    touched=len(changes.touched),
                )
                counted = len(changes.added) + len(changes.changed) + len(changes.removed)
                if counted > len(found):
                    notes.append(
                        f"code integrity: {counted} files differ from the baseline, "
                        f"{len(found)} listed as findings (code.max_findings)"
                    )
        except NotFoundError:
            notes.append("code integrity not checked: the companion module is not installed")
            return []
        section.update(last_check_at=_stamp(started), last_error=None)
        self._pending["code"] = section
        return found

    def _chromium(self) -> AbstractContextManager[PageDriver]:
        from magento_ir.detect.browser import Chromium  # noqa: PLC0415 - only when used

        settings = self.config.page_integrity
        assert settings is not None  # noqa: S101 - only called for the page check
        host = urlsplit(self._storefront).hostname
        return Chromium.start(
            chromium=settings.chromium,
            chromedriver=settings.chromedriver,
            loopback_only=host == "127.0.0.1",
        )

    @property
    def _storefront(self) -> str:
        return self.store.storefront_url or self.store.base_url

    def _render(self) -> PageInventory:
        settings = self.config.page_integrity
        assert settings is not None  # noqa: S101 - only called for the page check
        return render_checkout(self._page_driver, self._storefront, settings.product)

    async def _check_page(self, started: datetime, notes: list[str]) -> list[Finding]:
        """The checkout as a shopper's browser gets it, against the first render."""
        settings = self.config.page_integrity
        assert settings is not None  # noqa: S101 - the caller checked
        section = dict(self.state.get("page") or {"failures": 0, "alerted": False})
        at = _stamp(started)
        try:
            inventory = await asyncio.to_thread(self._render)
        except (MagentoIRError, RuntimeError, OSError) as error:
            section["failures"] = section.get("failures", 0) + 1
            section["last_error"] = str(error)
            ceiling = min(
                self.config.backoff_cap,
                self.config.backoff_base * 2 ** (section["failures"] - 1),
            )
            section["next_at"] = _stamp(started + timedelta(seconds=max(1.0, ceiling)))
            if not section.get("alerted"):
                section["alerted"] = True
                self._record(
                    "detect.alert",
                    {"kind": "page_check_failed", "store": self.state["store"], "at": at,
                     "error": str(error)},
                )  # fmt: skip
            notes.append(f"payment page not checked: {error}")
            self._pending["page"] = section
            return []
        if section.get("alerted"):
            self._record(
                "detect.alert", {"kind": "page_check_ok", "store": self.state["store"], "at": at}
            )
        section.update(failures=0, alerted=False, last_error=None, last_check_at=at)
        section["next_at"] = _stamp(started + timedelta(seconds=settings.interval))
        section["scripts"] = len(inventory.scripts)
        found: list[Finding] = []
        baseline = section.get("baseline")
        if baseline is None:
            from magento_ir.detect.page_integrity import RECORD_TYPE  # noqa: PLC0415

            record = inventory.to_json()
            if settings.authorizations is not None:
                record["justifications"] = settings.authorizations.for_inventory(inventory)
            self._record(RECORD_TYPE, record)
            section["baseline"] = inventory.to_json()
            section["baseline_at"] = at
            notes.append(f"payment page baseline taken: {len(inventory.scripts)} scripts")
        else:
            found = compare(PageInventory.from_json(baseline), inventory)
        if settings.authorizations is not None:
            unauthorized = unjustified(inventory, settings.authorizations)
            section["unjustified"] = len(unauthorized)
            found += unauthorized
        self._pending["page"] = section
        return found

    async def apoll_guard(self) -> list[Finding]:
        """Between passes: the guard's new refusals; an incident when an episode opens. Skipped
        while the store is unreachable (the passes back off)."""
        if self.config.guard is None or self.state["status"] == "unreachable":
            return []
        started = self._now()
        self._pending = {}
        notes: list[str] = []
        try:
            async with self.store.open_client() as client:
                found = await self._read_guard(client, notes)
        except _UNREACHABLE:
            return []  # the next pass sees the outage and alerts once
        self.state.update(self._pending)
        new, _ = await self._handle(_stamp(started), started, found, [])
        self._save()
        return new

    async def _read_cards(self, client: AsyncMagentoClient, started: datetime) -> list[Finding]:
        """New orders and transactions through the card-testing detector. Its state is kept
        aside until the pass succeeds (`_reached` commits it), so a failed pass loses nothing."""
        assert self.config.card_testing is not None  # noqa: S101 - the caller checked
        detector = CardTestingDetector(
            self.config.card_testing, copy.deepcopy(self.state.get("cards") or {})
        )
        lookback = self.config.card_lookback
        orders, transactions, cursor = await fetch_since(
            client,
            detector.cursor,
            created_from=None if lookback is None else started - timedelta(seconds=lookback),
        )
        alerts = detector.observe(attempts(orders, transactions, detector.thresholds))
        detector.advance(cursor)
        self._pending_cards = (detector.state, alerts)
        return [alert.finding for alert in alerts]

    def _unreachable(self, at: str, error: Exception) -> PassReport:
        state = self.state
        state["failures"] += 1
        state["status"] = "unreachable"
        state["last_error"] = str(error)
        if state["unreachable_since"] is None:
            state["unreachable_since"] = at
        if not state["alerted_unreachable"]:
            state["alerted_unreachable"] = True
            _LOG.info("store unreachable: %s", error)
            self._record(
                "detect.alert",
                {"kind": "store_unreachable", "store": state["store"], "since": at,
                 "error": str(error)},
            )  # fmt: skip
        cap = self.config.backoff_cap
        ceiling = min(cap, self.config.backoff_base * 2 ** (state["failures"] - 1))
        # Full jitter: watchers of many stores (or restarts) do not retry in step.
        delay = max(1.0, ceiling * self._jitter())
        return PassReport(at, reachable=False, error=str(error), next_pass_in=delay)

    async def _reached(
        self,
        at: str,
        started: datetime,
        findings: list[Finding],
        snapshot: Snapshot | None,
        notes: list[str],
    ) -> PassReport:
        state = self.state
        if state["alerted_unreachable"]:
            self._record(
                "detect.alert",
                {"kind": "store_reachable", "store": state["store"], "at": at,
                 "unreachable_since": state["unreachable_since"]},
            )  # fmt: skip
        state.update(
            status="ok",
            failures=0,
            unreachable_since=None,
            alerted_unreachable=False,
            last_error=None,
            last_ok_at=at,
        )
        if snapshot is not None:
            state["snapshot"] = snapshot.to_json()
        alerts: list[CardAlert] = []
        if self._pending_cards is not None:
            state["cards"], alerts = self._pending_cards
        state.update(self._pending)
        new, incident = await self._handle(at, started, findings, alerts)
        return PassReport(
            at,
            reachable=True,
            findings=tuple(findings),
            new_findings=tuple(new),
            incident=incident,
            next_pass_in=self.config.interval,
            notes=tuple(notes),
        )

    async def _handle(
        self, at: str, started: datetime, findings: list[Finding], alerts: list[CardAlert]
    ) -> tuple[list[Finding], dict[str, Any] | None]:
        """Findings not seen before: remembered, and an incident for those that count."""
        seen: dict[str, Any] = self.state["seen"]
        new = [finding for finding in findings if finding.fingerprint not in seen]
        for finding in new:
            seen[finding.fingerprint] = {
                "first_seen": at,
                "rule": finding.rule,
                "severity": finding.severity,
                "entity": finding.entity,
                "field": finding.field,
            }
        incident = None
        firing = at_least(new, self.config.min_severity)
        if firing:
            incident = await self._open_incident(at, started, firing)
            if self.config.push_block_rules:
                await self._push_block_rules(incident, alerts, firing)
        for finding in new:
            seen[finding.fingerprint]["incident"] = incident["id"] if incident else None
            if incident is None:
                self._record("detect.finding", finding.to_json())
        return new, incident

    async def _open_incident(
        self, at: str, started: datetime, firing: list[Finding]
    ) -> dict[str, Any]:
        digest = hashlib.sha256("".join(f.fingerprint for f in firing).encode()).hexdigest()
        incident_id = f"watch-{started.strftime('%Y%m%dT%H%M%SZ')}-{digest[:6]}"
        rules = sorted({finding.rule for finding in firing})
        inputs = magecart_inputs(firing)
        incident: dict[str, Any] = {
            "id": incident_id,
            "opened_at": at,
            "rules": rules,
            "severity": max((f.severity for f in firing), key=_SEVERITIES.index),
            "findings": [finding.fingerprint for finding in firing],
            "magecart_inputs": inputs,
            "playbooks": [],
        }
        _LOG.info("incident %s opened: %s", incident_id, ", ".join(rules))
        self._record(
            "detect.incident",
            {**incident, "findings": [finding.to_json() for finding in firing]},
        )
        for playbook in sorted(
            {self.config.playbooks[r] for r in rules if r in self.config.playbooks}
        ):
            incident["playbooks"].append(
                await self._run_playbook(playbook, incident_id, started, inputs)
            )
        self.state["incidents"].append(incident)
        return incident

    async def _push_block_rules(
        self, incident: dict[str, Any], alerts: list[CardAlert], firing: list[Finding]
    ) -> None:
        """Opt-in automated blocking: the guard rules the incident's card-testing alerts name."""
        mine = {finding.fingerprint for finding in firing}
        blocking = [a for a in alerts if a.finding.fingerprint in mine and a.block is not None]
        if not blocking:
            return
        async with self.store.open_client() as client:
            pushed = await push_block_rules(
                client, blocking, incident_id=incident["id"], ttl=self.config.block_ttl
            )
        incident["guard_rules"] = pushed
        self._record("detect.guard_rules", {"incident_id": incident["id"], "rules": pushed})

    async def _run_playbook(
        self, name: str, incident_id: str, started: datetime, found: dict[str, Any]
    ) -> dict[str, Any]:
        from magento_ir.containment.incident import Incident  # noqa: PLC0415 - higher layer
        from magento_ir.containment.playbooks import load_playbook  # noqa: PLC0415

        book = load_playbook(name)
        declared = {item.name for item in book.inputs}
        inputs = {key: value for key, value in found.items() if key in declared}
        journal = self.journal_dir / f"{incident_id}.log"
        with Incident.open(
            journal,
            key=self.key,
            store=self.store,
            title=f"Detected by magento-ir watch: {book.title}",
            incident_id=incident_id,
            detected_at=started,
        ) as incident:
            run = await incident.arun(book, inputs)
        result = {"playbook": name, "journal": str(journal), "inputs": inputs, "ok": run.ok}
        self._record("detect.playbook", {"incident_id": incident_id, **result})
        return result

    # --- the loop ------------------------------------------------------------------------
    async def arun(
        self,
        *,
        max_passes: int | None = None,
        on_pass: Callable[[PassReport], None] | None = None,
    ) -> None:
        """Pass after pass until cancelled (or `max_passes`), sleeping between them."""
        done = 0
        while max_passes is None or done < max_passes:
            report = await self.apass()
            done += 1
            if on_pass is not None:
                on_pass(report)
            if max_passes is None or done < max_passes:
                await self._wait(report.next_pass_in)

    async def _wait(self, seconds: float) -> None:
        """Until the next pass; the guard's refusals are read every `guard.interval` meanwhile."""
        guard = self.config.guard
        while guard is not None and seconds > guard.interval:
            await self._sleep(guard.interval)
            seconds -= guard.interval
            await self.apoll_guard()
        await self._sleep(seconds)

    def run_once(self) -> PassReport:
        """One pass in a private event loop (`magento-ir watch --once`)."""
        return asyncio.run(self.apass())


def _baseline_invalid(path: str, error: str) -> Finding:
    return Finding(
        rule="code-baseline-invalid",
        title="The signed code baseline does not verify",
        severity="high",
        entity_type="code_baseline",
        entity_id=path,
        field="signature",
        snippet=error[:160],
        why="the baseline file or its note was altered (or signed by another key): someone "
        "may be hiding changed code; take a new baseline only after checking the code",
        source="code-integrity",
    )


def _with_seconds(report: PassReport, seconds: float) -> PassReport:
    return dataclasses.replace(report, seconds=seconds)
