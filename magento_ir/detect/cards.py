"""Card-testing detection over orders and payment transactions (docs/detection.md, "Card testing").

Incremental: `fetch_since(client, cursor)` reads only the orders and transactions after the
cursor (entity ids, keyset paging; never a full rescan), `attempts()` turns them into
`Attempt`s, and `CardTestingDetector.observe()` feeds them, in time order, through sliding
windows and answers the `CardAlert`s that fired. The detector's whole memory (windows, per
hour-of-week baselines, cooldowns, the cursor) is `detector.state`, JSON the caller persists
(the `Watcher` keeps it in its state file) and hands back to the next detector.

Signals (ir-formats §13): the store's decline ratio in the last hour against its own baseline
for that hour of the week (median + k x MAD), distinct cards, e-mails and guest carts per IP
(`remote_ip`), runs of distinct cards on one BIN (only where the payment method exposes the
first digits in `payment_additional_info`), and bursts of small amounts against their baseline.
`observe()` is pure: the same attempts and state give the same alerts.
"""

from __future__ import annotations

import datetime as dt
import statistics
import tomllib
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import ConfigurationError
from magento_ir.detect.scan import Finding

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from pathlib import Path

    from magento_ir._async._client import AsyncMagentoClient
    from magento_ir.detect.rules import Severity
    from magento_ir.models.incident_response import GuardRuleType
    from magento_ir.models.sales import Order, Transaction

__all__ = [
    "Attempt",
    "CardAlert",
    "CardTestingDetector",
    "CardThresholds",
    "Cursor",
    "attempts",
    "fetch_since",
    "push_block_rules",
]

_SOURCE = "card-testing"
_MAD_SCALE = 1.4826  # MAD x this estimates a normal distribution's standard deviation
_HOUR = 3600
_WEEK_HOURS = 168


@dataclass(frozen=True, slots=True)
class Window:
    window: int
    limit: int


@dataclass(frozen=True, slots=True)
class CardThresholds:
    """Limits of every signal; `load()` reads them from TOML (shipped defaults: `shipped()`)."""

    source: str
    last_reviewed: dt.date
    severity: Severity = "high"
    cooldown: int = 3600
    baseline_weeks: int = 8
    decline_window: int = 3600
    decline_min: int = 8
    decline_ratio: float = 0.25
    decline_mad_k: float = 4.0
    cards_per_ip: Window = Window(3600, 4)
    emails_per_ip: Window = Window(3600, 4)
    guest_carts_per_ip: Window = Window(600, 6)
    bin_run: Window = Window(3600, 5)
    bin_run_failed: int = 3
    ip_failed: int = 2
    small_window: int = 3600
    small_amount: float = 5.0
    small_limit: int = 8
    small_mad_k: float = 4.0
    failed_states: tuple[str, ...] = ("canceled", "payment_review")
    decline_markers: tuple[str, ...] = ("declined",)
    bin_keys: tuple[str, ...] = ("cc_bin", "card_bin", "bin")

    @property
    def horizon(self) -> int:
        """The longest window: attempts older than this are forgotten."""
        return max(
            self.decline_window,
            self.small_window,
            *(w.window for w in (self.cards_per_ip, self.emails_per_ip)),
            self.guest_carts_per_ip.window,
            self.bin_run.window,
        )

    @classmethod
    def shipped(cls) -> CardThresholds:
        text = resources.files("magento_ir.detect").joinpath("rules/card_testing.toml")
        return cls.from_text(text.read_text(encoding="utf-8"), "card_testing.toml (shipped)")

    @classmethod
    def load(cls, path: Path) -> CardThresholds:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"{path}: cannot read: {error.strerror}") from None
        return cls.from_text(text, str(path))

    @classmethod
    def from_text(cls, text: str, name: str) -> CardThresholds:
        try:
            data = tomllib.loads(text)
            return _thresholds(data)
        except tomllib.TOMLDecodeError as error:
            raise ConfigurationError(f"{name}: not valid TOML: {error}") from None
        except (KeyError, TypeError, ValueError) as error:
            raise ConfigurationError(
                f"{name}: card-testing thresholds: {error} (see the shipped "
                "magento_ir/detect/rules/card_testing.toml for every key)"
            ) from None


_SECTIONS = {
    "thresholds": {
        "source",
        "last_reviewed",
        "severity",
        "cooldown",
        "baseline_weeks",
        "ip_min_failed",
    },
    "decline_ratio": {"window", "min_declines", "ratio", "mad_k"},
    "cards_per_ip": {"window", "limit"},
    "emails_per_ip": {"window", "limit"},
    "guest_carts_per_ip": {"window", "limit"},
    "bin_run": {"window", "limit", "min_failed"},
    "small_amounts": {"window", "amount", "limit", "mad_k"},
    "payment": {"failed_states", "decline_markers", "bin_keys"},
}


def _positive(value: object, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"{key} must be a positive number, got {value!r}")
    return float(value)


def _window(data: Mapping[str, Any], key: str) -> Window:
    section = data[key]
    return Window(
        int(_positive(section["window"], f"{key}.window")),
        int(_positive(section["limit"], f"{key}.limit")),
    )


def _thresholds(data: Mapping[str, Any]) -> CardThresholds:
    unknown = sorted(set(data) - set(_SECTIONS))
    for section, keys in _SECTIONS.items():
        unknown += sorted(f"{section}.{k}" for k in set(data.get(section, {})) - keys)
    if unknown:
        raise ValueError(f"unknown keys {unknown}")
    head = data["thresholds"]
    if not isinstance(head["last_reviewed"], dt.date):
        raise TypeError("thresholds.last_reviewed must be a date (YYYY-MM-DD)")
    if head.get("severity", "high") not in ("low", "medium", "high"):
        raise ValueError("thresholds.severity must be low, medium or high")
    decline = data["decline_ratio"]
    small = data["small_amounts"]
    payment = data["payment"]
    ratio = _positive(decline["ratio"], "decline_ratio.ratio")
    if ratio > 1:
        raise ValueError("decline_ratio.ratio is a fraction (0 < ratio <= 1)")
    return CardThresholds(
        source=str(head["source"]),
        last_reviewed=head["last_reviewed"],
        severity=head.get("severity", "high"),
        cooldown=int(_positive(head.get("cooldown", 3600), "thresholds.cooldown")),
        baseline_weeks=int(_positive(head.get("baseline_weeks", 8), "thresholds.baseline_weeks")),
        ip_failed=int(_positive(head.get("ip_min_failed", 2), "thresholds.ip_min_failed")),
        decline_window=int(_positive(decline["window"], "decline_ratio.window")),
        decline_min=int(_positive(decline["min_declines"], "decline_ratio.min_declines")),
        decline_ratio=ratio,
        decline_mad_k=_positive(decline["mad_k"], "decline_ratio.mad_k"),
        cards_per_ip=_window(data, "cards_per_ip"),
        emails_per_ip=_window(data, "emails_per_ip"),
        guest_carts_per_ip=_window(data, "guest_carts_per_ip"),
        bin_run=_window(data, "bin_run"),
        bin_run_failed=int(_positive(data["bin_run"]["min_failed"], "bin_run.min_failed")),
        small_window=int(_positive(small["window"], "small_amounts.window")),
        small_amount=_positive(small["amount"], "small_amounts.amount"),
        small_limit=int(_positive(small["limit"], "small_amounts.limit")),
        small_mad_k=_positive(small["mad_k"], "small_amounts.mad_k"),
        failed_states=tuple(str(s) for s in payment["failed_states"]),
        decline_markers=tuple(str(m).lower() for m in payment["decline_markers"]),
        bin_keys=tuple(str(k) for k in payment["bin_keys"]),
    )


# --- attempts -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attempt:
    """One payment attempt as the detector sees it (never a card number: last4, BIN at most)."""

    order_id: int
    at: float  # epoch seconds, UTC
    ip: str | None
    email: str | None
    guest: bool
    quote_id: int | None
    amount: float
    failed: bool
    card: str | None  # "<bin or cc_type>:<last4>", None when the method exposes neither
    bin: str | None

    def to_json(self) -> list[Any]:
        return [
            self.order_id, self.at, self.ip, self.email, self.guest, self.quote_id,
            self.amount, self.failed, self.card, self.bin,
        ]  # fmt: skip

    @classmethod
    def from_json(cls, data: Sequence[Any]) -> Attempt:
        return cls(*data)


def _declined_text(values: Iterable[str | None], markers: Sequence[str]) -> bool:
    return any(marker in (value or "").lower() for value in values for marker in markers)


def attempts(
    orders: Iterable[Order],
    transactions: Iterable[Transaction] = (),
    thresholds: CardThresholds | None = None,
) -> list[Attempt]:
    """The orders as attempts, oldest first; a transaction whose additional information reads
    as a decline marks its order failed (gateways that keep the order and log the decline)."""
    limits = thresholds or CardThresholds.shipped()
    declined_orders = {
        t.order_id
        for t in transactions
        if t.order_id is not None
        and _declined_text(t.additional_information or (), limits.decline_markers)
    }
    found = []
    for order in orders:
        if order.entity_id is None or order.created_at is None:
            continue
        payment = order.payment
        extra = {
            item.key: item.value
            for item in (
                order.extension_attributes and order.extension_attributes.payment_additional_info
            )
            or ()
        }
        texts = [*(payment.additional_information or () if payment else ()), *extra.values()]
        failed = (
            order.state in limits.failed_states
            or order.entity_id in declined_orders
            or _declined_text(texts, limits.decline_markers)
        )
        card_bin = next(
            (v[:8] for k in limits.bin_keys if (v := extra.get(k) or "").isdigit()), None
        )
        last4 = payment.cc_last4 if payment else None
        kind = card_bin or extra.get("cc_type") or (payment.cc_type if payment else None) or ""
        found.append(
            Attempt(
                order_id=order.entity_id,
                at=order.created_at.timestamp(),
                ip=order.remote_ip or None,
                email=(order.customer_email or "").lower() or None,
                guest=bool(order.customer_is_guest),
                quote_id=order.quote_id,
                amount=float(order.base_grand_total or order.grand_total or 0),
                failed=failed,
                card=f"{kind}:{last4}" if last4 else None,
                bin=card_bin,
            )
        )
    found.sort(key=lambda a: (a.at, a.order_id))
    return found


# --- alerts ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CardAlert:
    """A signal that fired: the finding the Watcher records, the orders behind it, and what a
    guard rule would block (`block`: rule type and values, None for store-wide signals)."""

    finding: Finding
    at: float
    signal: str
    key: str
    order_ids: tuple[int, ...]
    block: tuple[GuardRuleType, tuple[str, ...]] | None

    def to_json(self) -> dict[str, Any]:
        return {
            **self.finding.to_json(),
            "at": _stamp(self.at),
            "signal": self.signal,
            "key": self.key,
            "order_ids": list(self.order_ids),
            "block": None if self.block is None else {"type": self.block[0],
                                                       "values": list(self.block[1])},
        }  # fmt: skip


_TITLES = {
    "decline-ratio": "Card testing: decline ratio above the store's baseline",
    "cards-per-ip": "Card testing: many cards from one IP",
    "emails-per-ip": "Card testing: many e-mail addresses from one IP",
    "guest-carts-per-ip": "Card testing: a new guest cart per attempt from one IP",
    "bin-run": "Card testing: a run of cards on one BIN",
    "small-amounts": "Card testing: burst of small amounts",
}


def _stamp(epoch: float) -> str:
    return (
        dt.datetime.fromtimestamp(epoch, dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )


def _robust_limit(history: Sequence[float], floor: float, k: float) -> tuple[float, float | None]:
    """max(floor, median + k x 1.4826 x MAD) and the median (None without two samples)."""
    if len(history) < 2:  # noqa: PLR2004 - one sample has no spread
        return floor, None
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    return max(floor, median + k * _MAD_SCALE * mad), median


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the last read stopped: the highest order and transaction entity ids seen."""

    order_id: int = 0
    transaction_id: int = 0


@dataclass(slots=True)
class _Hour:
    start: int  # epoch of the hour's start
    attempts: int = 0
    failed: int = 0
    small: int = 0
    alerted: bool = False


@dataclass(slots=True)
class CardTestingDetector:
    """Sliding windows over attempts, baselines per hour of the week, cooldowns per key.

    `state` (JSON) is everything it remembers; give it back to a new detector to go on.
    """

    thresholds: CardThresholds = field(default_factory=CardThresholds.shipped)
    state: dict[str, Any] = field(default_factory=dict)
    _recent: deque[Attempt] = field(init=False)

    def __post_init__(self) -> None:
        self.state.setdefault("cursor", {"order_id": 0, "transaction_id": 0})
        self.state.setdefault("recent", [])
        self.state.setdefault("baseline", {})  # hour of week -> [[attempts, failed, small]]
        self.state.setdefault("hour", None)
        self.state.setdefault("quiet_until", {})  # "signal|key" -> epoch
        self.state.setdefault("episodes", {})  # "signal|key" -> first alert epoch
        self._recent = deque(Attempt.from_json(item) for item in self.state["recent"])

    @property
    def cursor(self) -> Cursor:
        return Cursor(**self.state["cursor"])

    def advance(self, cursor: Cursor) -> None:
        """Remember where the caller's last read stopped (after `observe` of what it read)."""
        self.state["cursor"] = {
            "order_id": cursor.order_id,
            "transaction_id": cursor.transaction_id,
        }

    def observe(self, new: Iterable[Attempt]) -> list[CardAlert]:
        """Feed attempts (oldest first, only new ones) and answer the alerts they raise."""
        alerts: list[CardAlert] = []
        for attempt in new:
            self._roll_hours(attempt.at)
            self._recent.append(attempt)
            horizon = attempt.at - self.thresholds.horizon
            while self._recent and self._recent[0].at < horizon:
                self._recent.popleft()
            hour = self.state["hour"]
            hour["attempts"] += 1
            hour["failed"] += attempt.failed
            hour["small"] += attempt.amount <= self.thresholds.small_amount
            fired = self._evaluate(attempt)
            if fired:
                hour["alerted"] = True
            alerts += fired
        self.state["recent"] = [a.to_json() for a in self._recent]
        return alerts

    # --- hours and baselines ----------------------------------------------------------------
    def _roll_hours(self, at: float) -> None:
        start = int(at // _HOUR * _HOUR)
        hour = self.state["hour"]
        if hour is not None and hour["start"] >= start:
            return
        if hour is not None and not hour["alerted"]:
            # Attack hours do not teach the baseline what normal is.
            key = str(_hour_of_week(hour["start"]))
            history = self.state["baseline"].setdefault(key, [])
            history.append([hour["attempts"], hour["failed"], hour["small"]])
            del history[: -self.thresholds.baseline_weeks]
        self.state["hour"] = {"start": start, "attempts": 0, "failed": 0, "small": 0,
                              "alerted": False}  # fmt: skip

    def _history(self, at: float) -> list[list[int]]:
        return list(self.state["baseline"].get(str(_hour_of_week(int(at))), []))

    # --- signals ----------------------------------------------------------------------------
    def _window(self, at: float, seconds: int) -> list[Attempt]:
        since = at - seconds
        return [a for a in self._recent if a.at > since]

    def _evaluate(self, attempt: Attempt) -> list[CardAlert]:
        limits = self.thresholds
        at = attempt.at
        fired: list[CardAlert] = []
        history = self._history(at)

        window = self._window(at, limits.decline_window)
        failed = [a for a in window if a.failed]
        if attempt.failed and len(failed) >= limits.decline_min:
            ratios = [f / n for n, f, _ in history if n]
            limit, median = _robust_limit(ratios, limits.decline_ratio, limits.decline_mad_k)
            ratio = len(failed) / len(window)
            if ratio >= limit:
                base = "" if median is None else f", baseline median {median:.0%}"
                fired += self._fire(
                    "decline-ratio", "store", at, failed, None,
                    f"{len(failed)} of {len(window)} payments failed in "
                    f"{limits.decline_window // 60} min: {ratio:.0%} (limit {limit:.0%}{base})",
                )  # fmt: skip

        if attempt.ip is not None:
            fired += self._per_ip(attempt.ip, at)

        if attempt.bin is not None:
            run = [a for a in self._window(at, limits.bin_run.window) if a.bin == attempt.bin]
            cards = {a.card for a in run if a.card}
            failed_cards = {a.card for a in run if a.card and a.failed}
            if len(cards) >= limits.bin_run.limit and len(failed_cards) >= limits.bin_run_failed:
                fired += self._fire(
                    "bin-run", attempt.bin, at, run, ("bin", (attempt.bin,)),
                    f"{len(cards)} cards on BIN {attempt.bin} in "
                    f"{limits.bin_run.window // 60} min, {len(failed_cards)} failed "
                    f"(limits {limits.bin_run.limit} and {limits.bin_run_failed})",
                )  # fmt: skip

        if attempt.amount <= limits.small_amount:
            small = [
                a for a in self._window(at, limits.small_window) if a.amount <= limits.small_amount
            ]
            limit, median = _robust_limit(
                [s for _, _, s in history], limits.small_limit, limits.small_mad_k
            )
            if len(small) >= limit:
                base = "" if median is None else f", baseline median {median:g}"
                fired += self._fire(
                    "small-amounts", "store", at, small, None,
                    f"{len(small)} payments of at most {limits.small_amount:g} in "
                    f"{limits.small_window // 60} min (limit {limit:g}{base})",
                )  # fmt: skip
        return fired

    def _per_ip(self, ip: str, at: float) -> list[CardAlert]:
        limits = self.thresholds
        fired: list[CardAlert] = []
        checks: tuple[tuple[str, Window, str, Callable[[Attempt], object]], ...] = (
            ("cards-per-ip", limits.cards_per_ip, "cards", _card),
            ("emails-per-ip", limits.emails_per_ip, "e-mail addresses", _email),
            ("guest-carts-per-ip", limits.guest_carts_per_ip, "guest carts", _guest_cart),
        )
        for signal, limit, noun, value in checks:
            mine = [a for a in self._window(at, limit.window) if a.ip == ip]
            distinct = {value(a) for a in mine} - {None}
            failed = sum(a.failed for a in mine)
            if len(distinct) >= limit.limit and failed >= limits.ip_failed:
                fired += self._fire(
                    signal, ip, at, mine, ("ip", (ip,)),
                    f"{len(distinct)} {noun} from {ip} in {limit.window // 60} min, {failed} "
                    f"failed (limits {limit.limit} and {limits.ip_failed})",
                )  # fmt: skip
        return fired

    def _fire(  # noqa: PLR0917 - private, every call site names the signal's parts in order
        self,
        signal: str,
        key: str,
        at: float,
        behind: Sequence[Attempt],
        block: tuple[GuardRuleType, tuple[str, ...]] | None,
        why: str,
    ) -> list[CardAlert]:
        slot = f"{signal}|{key}"
        quiet = self.state["quiet_until"]
        episodes = self.state["episodes"]
        active = quiet.get(slot, 0) > at
        # Each sighting keeps the episode open; only its first one alerts.
        quiet[slot] = at + self.thresholds.cooldown
        if active:
            return []
        episodes[slot] = at
        finding = Finding(
            rule=f"card-testing-{signal}",
            title=_TITLES[signal],
            severity=self.thresholds.severity,
            entity_type="ip" if block and block[0] == "ip" else "bin" if block else "store",
            entity_id=key,
            field="payments",
            snippet=f"since {_stamp(at)}",
            why=why,
            source=_SOURCE,
        )
        ids = tuple(a.order_id for a in behind)
        return [CardAlert(finding, at, signal, key, ids, block)]


def _card(attempt: Attempt) -> object:
    return attempt.card


def _email(attempt: Attempt) -> object:
    return attempt.email


def _guest_cart(attempt: Attempt) -> object:
    return attempt.quote_id if attempt.guest else None


def _hour_of_week(epoch: int) -> int:
    moment = dt.datetime.fromtimestamp(epoch, dt.UTC)
    return moment.weekday() * 24 + moment.hour


# --- reading the store ----------------------------------------------------------------------
async def fetch_since(
    client: AsyncMagentoClient,
    cursor: Cursor,
    *,
    created_from: dt.datetime | None = None,
    page_size: int = 200,
) -> tuple[list[Order], list[Transaction], Cursor]:
    """The orders and transactions created after `cursor` (ids above it, keyset paging), and
    the cursor after them. Only what is new is read; `created_from` bounds a first read (a
    zero cursor) to recent history instead of every order the store ever took."""
    stamp = (
        None
        if created_from is None
        else created_from.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    )
    orders_criteria = SearchCriteria().where("entity_id", "gt", cursor.order_id)
    txn_criteria = SearchCriteria().where("transaction_id", "gt", cursor.transaction_id)
    if stamp is not None and cursor.order_id == 0:
        orders_criteria = orders_criteria.where("created_at", "gteq", stamp)
    if stamp is not None and cursor.transaction_id == 0:
        txn_criteria = txn_criteria.where("created_at", "gteq", stamp)
    orders = [
        order
        async for order in client.orders.iterate(orders_criteria, page_size=page_size, keyset=True)
    ]
    transactions = [
        txn
        async for txn in client.transactions.iterate(txn_criteria, page_size=page_size, keyset=True)
    ]
    return (
        orders,
        transactions,
        Cursor(
            max([cursor.order_id, *(o.entity_id or 0 for o in orders)]),
            max([cursor.transaction_id, *(t.transaction_id or 0 for t in transactions)]),
        ),
    )


async def push_block_rules(
    client: AsyncMagentoClient,
    alerts: Iterable[CardAlert],
    *,
    incident_id: str | None = None,
    ttl: int | None = 86_400,
) -> list[dict[str, Any]]:
    """Opt-in automated blocking: one guard rule per rule type (`ip`, `bin`) for the alerts
    that name what to block, lapsing after `ttl` seconds. Answers what was pushed."""
    wanted: dict[GuardRuleType, set[str]] = {}
    for alert in alerts:
        if alert.block is not None:
            wanted.setdefault(alert.block[0], set()).update(alert.block[1])
    pushed = []
    for rule_type, values in sorted(wanted.items()):
        result = await client.incident_response.add_guard_rule(
            rule_type,
            sorted(values),
            reason="card testing detected by magento-ir",
            ttl=ttl,
            incident_id=incident_id,
        )
        pushed.append({"type": rule_type, "values": sorted(values),
                       "result": result.model_dump(mode="json")})  # fmt: skip
    return pushed
