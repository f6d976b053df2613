"""Exposure assessment (issue 12, item 1): who was affected, where they live, what was exposed.

Four incident types, each read from the store over its API (or, for HR data, from a file):

- a checkout **skimmer**: every card-paid order placed in the skimmer's window (billing contact
  and the card as typed);
- **customer data** exfiltration: the customers matching the exposed criteria (a customer group,
  a website, a `created_at` window, or all);
- an **admin compromise**: what the admin's role could read (its ACL resources mapped to data
  categories and populations: customers, orders' buyers, admin users);
- **HR data**: the employees named by a CSV or an HR-system export (`magento_ir.notify.hr`).

People are counted per jurisdiction (a US state, Canadian province or Australian state as
`US-CA`; else the country) and per data category. GDPR data minimisation: the result keeps counts
and a pseudonymised recipient list (HMAC-SHA256 of the e-mail address under a per-incident key,
so notices can be matched to people later without keeping their addresses); a postal address is
kept only for people a notice must be mailed to (no e-mail address, or a jurisdiction the caller
names as notified by post). Rows are read page by page and never held together.
"""

from __future__ import annotations

import asyncio
import hmac
import itertools
import os
import sys
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Literal, NotRequired, TypeVar, cast

from pydantic import TypeAdapter, ValidationError
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from magento_ir._core.paging import (
    MAX_PAGE_SIZE,
    check_iteration_criteria,
    has_more_keyset_pages,
    keyset_criteria,
    keyset_position,
)
from magento_ir._core.search_criteria import KeysetField, SearchCriteria
from magento_ir._exceptions import InvalidArgumentError, RequestInfo, UnexpectedResponseError
from magento_ir.models._base import collector_paused
from magento_ir.notify.categories import expand
from magento_ir.notify.engine import AffectedGroup

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Iterator

    from magento_ir import AsyncMagentoClient, MagentoClient
    from magento_ir._exceptions import JSONValue
    from magento_ir.models import Customer, CustomerAddress, Order
    from magento_ir.models.incident_response import AdminUser

__all__ = [
    "ACL_READS",
    "EEA",
    "SKIMMER_CATEGORIES",
    "AclRead",
    "CustomerSelection",
    "Exposure",
    "ExposureCounter",
    "OrderRow",
    "PostalAddress",
    "Recipient",
    "RecipientKey",
    "aadmin_exposure",
    "acustomer_exposure",
    "admin_exposure",
    "admin_reads",
    "aorder_rows",
    "askimmer_exposure",
    "customer_exposure",
    "jurisdiction_of",
    "order_rows",
    "skimmer_exposure",
    "skimmer_orders",
    "skimmer_rows",
]

# What a payment-page skimmer captures: the card as typed and the billing details around it.
SKIMMER_CATEGORIES = frozenset(
    {"contact", "payment_card.pan", "payment_card.expiry", "payment_card.cvv"}
)
# EU member states and the EEA states (IS, LI, NO), as in the GDPR rule.
EEA = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
    ]
)
# Magento's credit card type codes (payment `cc_type`).
_SCHEMES = {"VI": "visa", "MC": "mastercard", "AE": "amex", "DI": "discover", "JCB": "jcb"}
# Countries whose notification laws differ by state or province.
_SUBDIVIDED = frozenset({"US", "CA", "AU"})
# Magento's cap when input limits are on (webapi/validation/maximum_page_size): fewer pages.
_PAGE = MAX_PAGE_SIZE
_ADULT = 18
# Only what the assessment reads travels (Magento's `fields` filter): a fifth of a full order.
_ORDER_FIELDS = (
    "entity_id,customer_id,customer_email,"
    "billing_address[firstname,lastname,street,city,region,region_code,postcode,country_id],"
    "payment[cc_type,cc_last4],extension_attributes[payment_additional_info]"
)
# Registered buyers' orders, to place customers without an address by their billing address.
_BUYERS = (
    SearchCriteria()
    .where("customer_id", "notnull")
    .select(
        "entity_id,customer_id,billing_address[firstname,lastname,street,city,region,"
        "region_code,postcode,country_id]"
    )
)
_CUSTOMER_FIELDS = (
    "id,email,firstname,lastname,dob,taxvat,default_billing,"
    "addresses[id,default_billing,firstname,lastname,street,city,region,postcode,country_id]"
)

Kind = Literal["skimmer", "customer_data", "admin_compromise", "hr"]


# --- orders as the assessment reads them ----------------------------------------------------
# Only the fields of `_ORDER_FIELDS`, as plain dicts checked by one pydantic-core pass: a page
# of full `Order` models cost five times the CPU, most of the client's share of a million-order
# assessment. Keys Magento omits stay absent; other keys are dropped (GDPR minimisation).
class _Address(TypedDict, total=False):
    firstname: str | None
    lastname: str | None
    street: list[str] | None
    city: str | None
    region: str | None
    region_code: str | None
    postcode: str | None
    country_id: str | None


class _Payment(TypedDict, total=False):
    cc_type: str | None
    cc_last4: str | None


class _PaymentInfo(TypedDict):
    key: str
    value: NotRequired[str | None]


class _OrderExtension(TypedDict, total=False):
    payment_additional_info: list[_PaymentInfo] | None


class OrderRow(TypedDict, total=False):
    """An order as the assessment reads it: `entity_id`, the buyer, billing address and card
    (`GET /V1/orders` trimmed with `?fields=`)."""

    entity_id: int
    customer_id: int | None
    customer_email: str | None
    billing_address: _Address | None
    payment: _Payment | None
    extension_attributes: _OrderExtension | None


class _OrderPage(TypedDict):
    items: list[OrderRow] | None  # `null` when a trimmed page is empty
    total_count: int


_ORDER_PAGE = TypeAdapter(_OrderPage)
_ORDERS = "/V1/orders"
_ORDER_KEY = KeysetField("entity_id", "entity_id")
_ROW_KEYS = frozenset(OrderRow.__annotations__)


def _row_of(order: Order) -> OrderRow:
    """An `Order` model as the row the assessment reads."""
    return cast("OrderRow", order.model_dump(include=set(_ROW_KEYS)))


def _order_page(data: JSONValue) -> tuple[list[OrderRow], int]:
    try:
        page = _ORDER_PAGE.validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise UnexpectedResponseError(
            f"Magento's answer does not fit a page of orders: {where}: {first['msg']} "
            f"({error.error_count()} problem(s)); an extension may change this route's output",
            request=RequestInfo("GET", _ORDERS),
            status_code=200,
            content_type="application/json",
        ) from error
    return page["items"] or [], page["total_count"]


def _next_after(rows: list[OrderRow], total: int) -> int | None:
    """The id the next keyset page starts after; None when this page was the last."""
    if not has_more_keyset_pages(items_on_page=len(rows), total_count=total):
        return None
    return keyset_position(rows[-1].get("entity_id"), _ORDER_KEY)


# --- pages in flight ---------------------------------------------------------------------------
# A keyset page starts after the previous page's last id, so one keyset walk has one page in
# flight: the store renders while the client waits, and the client counts while the store
# waits. After the first page the rest of the ids (up to the newest match) are cut into spans
# expected to hold about a page each, and `_AHEAD` spans are fetched at once; rows are still
# yielded in id order (the same rows, in the same order, as one walk). A span holding more
# than a page goes on by keyset within it; the last span is open, so orders added meanwhile are
# read as a single walk reads them. At most `_AHEAD` + 1 pages are held.
_AHEAD = 3
_T = TypeVar("_T")
_Span = tuple[int, int | None]  # (after, last): ids after `after`, up to `last` (None: open)


def _span_params(base: SearchCriteria, after: int | None, last: int | None) -> dict[str, str]:
    bounded = base if last is None else base.where("entity_id", "lteq", last)
    return keyset_criteria(bounded, _ORDER_KEY, after, _PAGE).to_params()


def _newest_params(base: SearchCriteria) -> dict[str, str]:
    """The newest matching order's id only (one row, sorted by id descending)."""
    newest = replace(base, fields="items[entity_id]")
    return newest.order_by("entity_id", "DESC").page(1, 1).to_params()


def _newest(data: JSONValue) -> int | None:
    """The id `_newest_params` answered; None when the answer has none (one walk then)."""
    items = data.get("items") if isinstance(data, dict) else None
    first = items[0] if isinstance(items, list) and items else None
    value = first.get("entity_id") if isinstance(first, dict) else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _spans(after: int, newest: int | None, remaining: int) -> Iterator[_Span]:
    """The ids after `after` up to `newest`, in spans of about a page of the `remaining` rows
    each (ids spread evenly); the last span is open."""
    if newest is not None and newest > after:
        width = max(1, -(-(newest - after) * _PAGE // max(remaining, 1)))
        while after + width < newest:
            yield after, after + width
            after += width
    yield after, None


def _refill(
    ahead: deque[tuple[int | None, _T]],
    spans: Iterator[_Span],
    start: Callable[[int, int | None], _T],
) -> None:
    """Start the next spans until `_AHEAD` pages are in flight."""
    for after, last in itertools.islice(spans, _AHEAD - len(ahead)):
        ahead.append((last, start(after, last)))


def order_rows(client: MagentoClient, criteria: SearchCriteria) -> Iterator[OrderRow]:
    """The orders matching `criteria` (trimmed with `.select(...)`), as `OrderRow`s in id
    order, by keyset pages of 300; `UnexpectedResponseError` names a row that does not fit.

    Pages are fetched (and checked) in worker threads, `_AHEAD` id spans at once, while the
    caller counts this one: the store renders the next pages while the client reads."""
    base = check_iteration_criteria(criteria, _PAGE)

    def fetch(after: int | None, last: int | None) -> tuple[list[OrderRow], int]:
        params = _span_params(base, after, last)
        with collector_paused():
            return _order_page(client.request("GET", _ORDERS, params=params))

    rows, total = fetch(None, None)
    after = _next_after(rows, total)
    if after is None:
        yield from rows
        return
    newest = _newest(client.request("GET", _ORDERS, params=_newest_params(base)))
    spans = _spans(after, newest, total - len(rows))
    with ThreadPoolExecutor(max_workers=_AHEAD, thread_name_prefix="order-rows") as pool:

        def start(after: int, last: int | None) -> Future[tuple[list[OrderRow], int]]:
            return pool.submit(fetch, after, last)

        ahead: deque[tuple[int | None, Future[tuple[list[OrderRow], int]]]] = deque()
        try:
            _refill(ahead, spans, start)
            yield from rows
            while ahead:
                last, upcoming = ahead.popleft()
                rows, total = upcoming.result()
                more = _next_after(rows, total)
                if more is not None:  # the span holds more than a page: its next page first
                    ahead.appendleft((last, start(more, last)))
                _refill(ahead, spans, start)
                yield from rows
        finally:  # the caller stopped early (or failed): drop the pages not yet started
            for _, upcoming in ahead:
                upcoming.cancel()


async def aorder_rows(
    client: AsyncMagentoClient, criteria: SearchCriteria
) -> AsyncIterator[OrderRow]:
    """`order_rows` with the async client (the spans ahead are tasks while this page is
    counted)."""
    base = check_iteration_criteria(criteria, _PAGE)

    async def fetch(after: int | None, last: int | None) -> tuple[list[OrderRow], int]:
        data = await client.request("GET", _ORDERS, params=_span_params(base, after, last))
        with collector_paused():  # not across the await: other tasks run meanwhile
            return _order_page(data)

    rows, total = await fetch(None, None)
    after = _next_after(rows, total)
    if after is None:
        for row in rows:
            yield row
        return
    newest = _newest(await client.request("GET", _ORDERS, params=_newest_params(base)))
    spans = _spans(after, newest, total - len(rows))

    def start(after: int, last: int | None) -> asyncio.Future[tuple[list[OrderRow], int]]:
        return asyncio.ensure_future(fetch(after, last))

    ahead: deque[tuple[int | None, asyncio.Future[tuple[list[OrderRow], int]]]] = deque()
    try:
        _refill(ahead, spans, start)
        for row in rows:
            yield row
        while ahead:
            last, upcoming = ahead.popleft()
            rows, total = await upcoming
            more = _next_after(rows, total)
            if more is not None:
                ahead.appendleft((last, start(more, last)))
            _refill(ahead, spans, start)
            for row in rows:
                yield row
    finally:  # the caller stopped early (or failed): drop the pages ahead
        for _, upcoming in ahead:
            upcoming.cancel()


class RecipientKey:
    """The per-incident HMAC key behind the pseudonymised recipient list.

    Keep it apart from the assessment (the CLI writes it to its own 0600 file): with it, the
    store's customers can be matched to the list when notices are sent; without it, the list
    names nobody. `repr` never shows it.
    """

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:  # noqa: PLR2004 - 128 bits at least
            raise InvalidArgumentError("a recipient key needs at least 16 bytes (use generate())")
        self._key = key

    @classmethod
    def generate(cls) -> RecipientKey:
        return cls(os.urandom(32))

    @classmethod
    def from_hex(cls, text: str) -> RecipientKey:
        try:
            return cls(bytes.fromhex(text.strip()))
        except ValueError:
            raise InvalidArgumentError("a recipient key file holds hex digits only") from None

    def hex(self) -> str:
        return self._key.hex()

    def pseudonym(self, identity: str) -> str:
        """HMAC-SHA256 of the normalised e-mail address (or other identity), hex."""
        return self.digest(identity).hex()

    def digest(self, identity: str) -> bytes:
        """The pseudonym's 32 raw bytes (half the memory of its hex form)."""
        # hmac.digest: OpenSSL's one-shot HMAC, no Python HMAC object per person.
        return hmac.digest(self._key, identity.strip().lower().encode(), "sha256")

    def __repr__(self) -> str:
        return "RecipientKey(<hidden>)"


@dataclass(frozen=True, slots=True)
class PostalAddress:
    """Where a mailed notice goes; kept only for people who must be written to by post."""

    name: str
    street: tuple[str, ...]
    city: str
    region: str
    postcode: str
    country: str


@dataclass(frozen=True, slots=True)
class Recipient:
    """One affected person: pseudonym, jurisdiction and categories, an address only where a
    notice is mailed. Lean on purpose (GDPR minimisation, and a million of them in memory):
    the pseudonym is kept as raw bytes, and equal jurisdictions and category sets are one
    shared object each."""

    digest: bytes
    jurisdiction: str
    categories: frozenset[str]
    employee: bool = False
    # True when no e-mail address is known: the notice goes by post (or another channel).
    no_email: bool = False
    address: PostalAddress | None = None

    @property
    def pseudonym(self) -> str:
        """HMAC-SHA256 of the person's e-mail address under the incident's key, hex."""
        return self.digest.hex()


@dataclass(frozen=True, slots=True)
class Exposure:
    """Counts and the pseudonymised recipient list of one incident's affected people."""

    kind: Kind
    groups: tuple[AffectedGroup, ...]
    recipients: tuple[Recipient, ...]
    card_schemes: frozenset[str]
    # Rows read (orders, customers, CSV lines) and rows that counted towards no jurisdiction.
    records: int
    unplaced: int
    notes: tuple[str, ...] = ()

    def by_jurisdiction(self) -> dict[str, int]:
        """People per jurisdiction (`US-CA`, `DE`, ...)."""
        out: Counter[str] = Counter()
        for group in self.groups:
            out[group.jurisdiction] += group.count
        return dict(sorted(out.items()))

    def by_country(self) -> dict[str, int]:
        """People per country (`US-CA` and `US-TX` add up under `US`)."""
        out: Counter[str] = Counter()
        for group in self.groups:
            out[group.jurisdiction.partition("-")[0]] += group.count
        return dict(sorted(out.items()))

    def by_category(self) -> dict[str, int]:
        """People per data category exposed."""
        out: Counter[str] = Counter()
        for group in self.groups:
            for category in group.categories:
                out[category] += group.count
        return dict(sorted(out.items()))

    @property
    def people(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def eea_people(self) -> int:
        """People in EU/EEA member states (GDPR)."""
        return sum(g.count for g in self.groups if g.jurisdiction in EEA)


def jurisdiction_of(country: str | None, region_code: str | None) -> str | None:
    """`US-CA` for subdivided countries with a region code, the country otherwise."""
    if not country:
        return None
    country = country.strip().upper()
    if country in _SUBDIVIDED and region_code and region_code.strip():
        return f"{country}-{region_code.strip().upper()}"
    return country


@dataclass(slots=True)
class _Pending:
    email: str
    categories: set[str]
    order_id: int = -1
    place: str | None = None
    address: PostalAddress | None = None


def _postal(address: CustomerAddress) -> PostalAddress:
    region = address.region
    return PostalAddress(
        " ".join(p for p in (address.firstname, address.lastname) if p),
        tuple(address.street or ()),
        address.city or "",
        (region.region or "") if region else "",
        address.postcode or "",
        address.country_id or "",
    )


def _postal_row(address: _Address) -> PostalAddress:
    return PostalAddress(
        " ".join(p for p in (address.get("firstname"), address.get("lastname")) if p),
        tuple(address.get("street") or ()),
        address.get("city") or "",
        address.get("region") or "",
        address.get("postcode") or "",
        address.get("country_id") or "",
    )


@dataclass(slots=True)
class ExposureCounter:
    """Adds people one record at a time (pure): the same counting for every incident type, for
    the sync and the async client alike. A person is one pseudonym per jurisdiction."""

    kind: Kind
    key: RecipientKey
    # Jurisdictions whose notices go by post: their people keep a postal address.
    mail_to: frozenset[str] = frozenset()
    records: int = 0
    unplaced: int = 0
    card_schemes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    # Customers without an address, by id: (e-mail, categories, newest order id seen, place).
    pending: dict[int, _Pending] = field(default_factory=dict)
    # jurisdiction -> pseudonym bytes -> the person; the Recipient itself is what is kept.
    _people: dict[str, dict[bytes, Recipient]] = field(default_factory=dict)
    # One shared object per distinct category set (most people share a handful of them).
    _category_sets: dict[frozenset[str], frozenset[str]] = field(default_factory=dict)

    def add(
        self,
        *,
        identity: str | None,
        fallback: str,
        jurisdiction: str | None,
        categories: Iterable[str],
        employee: bool = False,
        address: PostalAddress | None = None,
    ) -> None:
        """Count one record's person; `identity` is the e-mail address (None if unknown, then
        `fallback`, e.g. `order:12`, keys the person and a notice must be mailed)."""
        if jurisdiction is None:
            self.unplaced += 1
            return
        no_email = not identity or "@" not in identity
        digest = self.key.digest(fallback if no_email or identity is None else identity)
        mailed = address if (no_email or jurisdiction in self.mail_to) else None
        # One copy of each jurisdiction's name, shared by everyone placed there.
        jurisdiction = sys.intern(jurisdiction)
        people = self._people.setdefault(jurisdiction, {})
        person = people.get(digest)
        if person is None:
            shared = self._shared(frozenset(categories))
            people[digest] = Recipient(digest, jurisdiction, shared, employee, no_email, mailed)
            return
        merged = self._shared(person.categories.union(categories))
        both = person.employee and employee
        kept = person.address if person.address is not None else mailed
        if (merged, both, kept) != (person.categories, person.employee, person.address):
            people[digest] = replace(person, categories=merged, employee=both, address=kept)

    def _shared(self, categories: frozenset[str]) -> frozenset[str]:
        return self._category_sets.setdefault(categories, categories)

    def place_by_order(self, order: Order | OrderRow) -> None:
        """Place a pending customer by the billing address of their newest order."""
        row = order if isinstance(order, dict) else _row_of(order)
        waiting = self.pending.get(row.get("customer_id") or 0)
        address = row.get("billing_address")
        entity_id = row.get("entity_id") or 0
        if waiting is None or address is None or entity_id < waiting.order_id:
            return
        waiting.order_id = entity_id
        waiting.place = jurisdiction_of(address.get("country_id"), address.get("region_code"))
        waiting.address = _postal_row(address)

    def result(self) -> Exposure:
        for customer_id, waiting in sorted(self.pending.items()):
            self.add(
                identity=waiting.email,
                fallback=f"customer:{customer_id}",
                jurisdiction=waiting.place,
                categories=waiting.categories,
                address=waiting.address,
            )
        self.pending.clear()
        counts: Counter[tuple[str, frozenset[str], bool]] = Counter()
        recipients: list[Recipient] = []
        # Sorted by jurisdiction, then pseudonym: raw bytes sort as their hex does.
        for place in sorted(self._people):
            people = self._people[place]
            for digest in sorted(people):
                person = people[digest]
                counts[place, person.categories, person.employee] += 1
                recipients.append(person)
        groups = tuple(
            AffectedGroup(jurisdiction=place, count=n, categories=cats, employees=employee)
            for (place, cats, employee), n in sorted(
                counts.items(), key=lambda item: (item[0][0], sorted(item[0][1]), item[0][2])
            )
        )
        return Exposure(
            self.kind,
            groups,
            tuple(recipients),
            frozenset(self.card_schemes),
            self.records,
            self.unplaced,
            tuple(self.notes),
        )

    # --- records of the store -------------------------------------------------------------
    def add_card_order(self, order: Order | OrderRow) -> None:
        """A skimmer's victim: only card-paid orders count."""
        row = order if isinstance(order, dict) else _row_of(order)
        card = _card_type(row)
        payment = row.get("payment")
        if card is None and not (payment and payment.get("cc_last4")):
            return
        self.records += 1
        if card is not None:
            self.card_schemes.add(_SCHEMES.get(card.upper(), card.lower()))
        self.add_order(row, SKIMMER_CATEGORIES)

    def add_order(self, order: Order | OrderRow, categories: Iterable[str]) -> None:
        """The buyer of an order (billing contact), placed by the billing address."""
        row = order if isinstance(order, dict) else _row_of(order)
        address = row.get("billing_address")
        place = (
            jurisdiction_of(address.get("country_id"), address.get("region_code"))
            if address
            else None
        )
        email = row.get("customer_email")
        # The postal address is built only for people a notice is mailed to (see `add`).
        mailed = not email or "@" not in email or place in self.mail_to
        self.add(
            identity=email,
            fallback=f"order:{row.get('entity_id')}",
            jurisdiction=place,
            categories=categories,
            address=_postal_row(address) if address and mailed else None,
        )

    def add_customer(
        self, customer: Customer, categories: Iterable[str], *, as_of: date | None = None
    ) -> None:
        """A customer account, placed by its default billing address (else its first one).

        What the record itself holds is added: a tax/VAT number (`government_id.tax_id`) and,
        with a birth date making them under 18 on `as_of`, `minors`."""
        self.records += 1
        found = set(categories)
        if customer.taxvat:
            found.add("government_id.tax_id")
        if as_of is not None and _minor(customer.dob, as_of):
            found.add("minors")
        addresses = customer.addresses or []
        chosen = next(
            (
                a
                for a in addresses
                if a.default_billing
                or (customer.default_billing and str(a.id) == customer.default_billing)
            ),
            addresses[0] if addresses else None,
        )
        if chosen is None and customer.id is not None:
            # No address book: placed later by their newest order (place_by_order).
            self.pending[customer.id] = _Pending(customer.email, found)
            return
        region = chosen.region.region_code if chosen and chosen.region else None
        self.add(
            identity=customer.email,
            fallback=f"customer:{customer.id}",
            jurisdiction=jurisdiction_of(chosen.country_id, region) if chosen else None,
            categories=found,
            address=_postal(chosen) if chosen else None,
        )


def _minor(dob: str | None, as_of: date) -> bool:
    if not dob:
        return False
    try:
        born = date.fromisoformat(dob[:10])
    except ValueError:
        return False
    years = as_of.year - born.year - ((as_of.month, as_of.day) < (born.month, born.day))
    return years < _ADULT


def _card_type(row: OrderRow) -> str | None:
    payment = row.get("payment")
    if payment and payment.get("cc_type"):
        return payment.get("cc_type")
    extension = row.get("extension_attributes")
    for info in (extension.get("payment_additional_info") if extension else None) or ():
        if info["key"] == "cc_type" and info.get("value"):
            return info.get("value")
    return None


def _magento_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidArgumentError(
            "window times must be timezone-aware, e.g. datetime(..., tzinfo=UTC)"
        )
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


# --- checkout skimmer ---------------------------------------------------------------------
def skimmer_exposure(
    orders: Iterable[Order | OrderRow],
    *,
    key: RecipientKey,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """Count the people whose card-paid orders are in `orders` (models or `skimmer_rows`); pure."""
    counter = ExposureCounter("skimmer", key, mail_to)
    for order in orders:
        counter.add_card_order(order)
    return counter.result()


def _skimmer_criteria(start: datetime, end: datetime) -> SearchCriteria:
    # Magento stores created_at in UTC; only the fields counted are sent.
    return (
        SearchCriteria()
        .where("created_at", "gteq", _magento_time(start))
        .where("created_at", "lteq", _magento_time(end))
        .select(_ORDER_FIELDS)
    )


def skimmer_orders(client: MagentoClient, start: datetime, end: datetime) -> Iterator[Order]:
    """The orders created in the skimmer's window, page by page (keyset on `entity_id`: new
    orders arriving meanwhile shift no page)."""
    return client.orders.iterate(_skimmer_criteria(start, end), page_size=_PAGE, keyset=True)


def skimmer_rows(client: MagentoClient, start: datetime, end: datetime) -> Iterator[OrderRow]:
    """`skimmer_orders` as lean `OrderRow`s, for `skimmer_exposure`: only the fields counted
    are checked and kept (a million orders in a fifth of the client's CPU)."""
    return order_rows(client, _skimmer_criteria(start, end))


async def askimmer_exposure(
    client: AsyncMagentoClient,
    start: datetime,
    end: datetime,
    *,
    key: RecipientKey,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """`skimmer_exposure(skimmer_orders(...))` with the async client."""
    counter = ExposureCounter("skimmer", key, mail_to)
    async for order in aorder_rows(client, _skimmer_criteria(start, end)):
        counter.add_card_order(order)
    return counter.result()


# --- customer data exfiltration -----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CustomerSelection:
    """Which customers' records were exposed; nothing set means every customer."""

    group_id: int | None = None
    website_id: int | None = None
    # An entity_id range, e.g. the rows an access log shows were paged through.
    id_from: int | None = None
    id_to: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    # What was taken from each record (default: contact data); the record's own tax/VAT number
    # and a minor's birth date are added per person.
    categories: frozenset[str] = frozenset({"contact"})

    def __post_init__(self) -> None:
        try:
            expand(self.categories)
        except KeyError as error:
            raise InvalidArgumentError(
                f"unknown data category {error.args[0]!r}; see magento_ir.notify.CATEGORIES"
            ) from None

    def criteria(self) -> SearchCriteria:
        criteria = SearchCriteria()
        if self.group_id is not None:
            criteria = criteria.where("group_id", "eq", self.group_id)
        if self.website_id is not None:
            criteria = criteria.where("website_id", "eq", self.website_id)
        if self.id_from is not None:
            criteria = criteria.where("entity_id", "gteq", self.id_from)
        if self.id_to is not None:
            criteria = criteria.where("entity_id", "lteq", self.id_to)
        if self.created_from is not None:
            criteria = criteria.where("created_at", "gteq", _magento_time(self.created_from))
        if self.created_to is not None:
            criteria = criteria.where("created_at", "lteq", _magento_time(self.created_to))
        return criteria.select(_CUSTOMER_FIELDS)

    def describe(self) -> str:
        parts = [
            f"group {self.group_id}" if self.group_id is not None else "",
            f"website {self.website_id}" if self.website_id is not None else "",
            f"ids from {self.id_from}" if self.id_from is not None else "",
            f"ids to {self.id_to}" if self.id_to is not None else "",
            f"created from {self.created_from.isoformat()}" if self.created_from else "",
            f"created to {self.created_to.isoformat()}" if self.created_to else "",
        ]
        return ", ".join(p for p in parts if p) or "all customers"


def customer_exposure(
    client: MagentoClient,
    selection: CustomerSelection,
    *,
    key: RecipientKey,
    as_of: date,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """The customers matching `selection`, counted per jurisdiction: their default billing
    address, else (many accounts keep none) the billing address of their newest order."""
    counter = ExposureCounter("customer_data", key, mail_to)
    for customer in client.customers.iterate(selection.criteria(), page_size=_PAGE, keyset=True):
        counter.add_customer(customer, selection.categories, as_of=as_of)
    if counter.pending:
        for order in order_rows(client, _BUYERS):
            counter.place_by_order(order)
    return counter.result()


async def acustomer_exposure(
    client: AsyncMagentoClient,
    selection: CustomerSelection,
    *,
    key: RecipientKey,
    as_of: date,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """`customer_exposure` with the async client."""
    counter = ExposureCounter("customer_data", key, mail_to)
    customers = client.customers.iterate(selection.criteria(), page_size=_PAGE, keyset=True)
    async for customer in customers:
        counter.add_customer(customer, selection.categories, as_of=as_of)
    if counter.pending:
        async for order in aorder_rows(client, _BUYERS):
            counter.place_by_order(order)
    return counter.result()


# --- admin compromise ---------------------------------------------------------------------
Population = Literal["customers", "order_buyers", "admin_users", "storefront"]


@dataclass(frozen=True, slots=True)
class AclRead:
    """What one ACL resource lets an admin read: a population and its data categories."""

    population: Population
    categories: frozenset[str]
    text: str


# Magento ACL ids (each module's etc/acl.xml) that read personal data over the admin panel or
# the REST API. `Magento_Backend::all` grants every one of them.
ACL_READS: dict[str, AclRead] = {
    "Magento_Customer::customer": AclRead(
        "customers", frozenset({"contact"}), "customer accounts (GET /V1/customers/search)"
    ),
    "Magento_Customer::manage": AclRead(
        "customers", frozenset({"contact"}), "customer accounts (Customers > All Customers)"
    ),
    "Magento_Sales::sales": AclRead(
        "order_buyers", frozenset({"contact"}), "orders' billing and shipping contacts"
    ),
    "Magento_Sales::actions_view": AclRead(
        "order_buyers", frozenset({"contact"}), "orders' billing contacts (GET /V1/orders)"
    ),
    "Magento_Sales::sales_order": AclRead(
        "order_buyers", frozenset({"contact"}), "orders' billing contacts (Sales > Orders)"
    ),
    "Magento_User::acl_users": AclRead(
        "admin_users", frozenset({"contact"}), "admin users' names and e-mail addresses"
    ),
    # No personal data read, but a script planted here skims checkout: assess it as a skimmer.
    "Magento_Cms::block": AclRead("storefront", frozenset(), "CMS blocks (a planted script)"),
    "Magento_Cms::page": AclRead("storefront", frozenset(), "CMS pages (a planted script)"),
    "Magento_Catalog::products": AclRead(
        "storefront", frozenset(), "product descriptions (a planted script)"
    ),
}
_ALL = "Magento_Backend::all"


def admin_reads(resources: Iterable[str]) -> dict[str, AclRead]:
    """The personal-data reads an ACL grants (resource id -> read); `Magento_Backend::all`
    grants all of them."""
    granted = set(resources)
    if _ALL in granted:
        return dict(ACL_READS)
    return {resource: read for resource, read in ACL_READS.items() if resource in granted}


def _admin(admins: Iterable[AdminUser], username: str) -> AdminUser:
    users = list(admins)
    for user in users:
        if user.username == username:
            return user
    names = ", ".join(sorted(u.username for u in users)) or "none"
    raise InvalidArgumentError(f"no admin user {username!r} on this store (admins: {names})")


def _admin_plan(
    user: AdminUser, resources: Iterable[str], counter: ExposureCounter
) -> tuple[set[Population], set[str]]:
    """Populations to count and the categories each gets; notes for what is not a read."""
    reads = admin_reads(resources)
    counter.notes.append(
        f"admin {user.username!r} (role {user.role_name or user.role_id or 'unknown'}) could read: "
        + ("; ".join(sorted({r.text for r in reads.values()})) or "no personal data")
    )
    populations = {r.population for r in reads.values()}
    if "storefront" in populations:
        counter.notes.append(
            "the role could change storefront content: if a script was planted, assess the "
            "window as a skimmer (`notify assess skimmer`)"
        )
    categories = {c for r in reads.values() for c in r.categories}
    return populations - {"storefront"}, categories


def _count_admins(admins: Iterable[AdminUser], counter: ExposureCounter, country: str) -> None:
    # Admin users are staff: their jurisdiction is the merchant's country (no address is kept).
    for admin in admins:
        counter.records += 1
        counter.add(
            identity=admin.email,
            fallback=f"admin:{admin.user_id}",
            jurisdiction=country,
            categories={"contact"},
            employee=True,
        )


def _admin_order(
    counter: ExposureCounter, order: OrderRow, categories: set[str], *, buyers: bool
) -> None:
    counter.place_by_order(order)
    if buyers:
        counter.records += 1
        counter.add_order(order, categories)


def _created_before(end: datetime | None) -> SearchCriteria:
    criteria = SearchCriteria()
    return criteria if end is None else criteria.where("created_at", "lteq", _magento_time(end))


def admin_exposure(
    client: MagentoClient,
    username: str,
    resources: Iterable[str],
    *,
    key: RecipientKey,
    as_of: date,
    merchant_country: str,
    end: datetime | None = None,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """Everyone the compromised admin's role could read, up to `end` (records created later
    were not there to read).

    The admin and their role come from the companion module (`GET .../admins`); the role's ACL
    resources are an input, because no Magento or module route lists them: copy them from
    System > Permissions > User Roles > Role Resources, or from
    `authorization_rule` (`permission = 'allow'`) for the role id the module reports."""
    admins = client.incident_response.admins().items
    user = _admin(admins, username)
    counter = ExposureCounter("admin_compromise", key, mail_to)
    populations, categories = _admin_plan(user, resources, counter)
    if "customers" in populations:
        criteria = _created_before(end).select(_CUSTOMER_FIELDS)
        for customer in client.customers.iterate(criteria, page_size=_PAGE, keyset=True):
            counter.add_customer(customer, categories, as_of=as_of)
    buyers = "order_buyers" in populations
    if buyers or counter.pending:
        for order in order_rows(client, _created_before(end).select(_ORDER_FIELDS)):
            _admin_order(counter, order, categories, buyers=buyers)
    if "admin_users" in populations:
        _count_admins(admins, counter, merchant_country)
    return counter.result()


async def aadmin_exposure(
    client: AsyncMagentoClient,
    username: str,
    resources: Iterable[str],
    *,
    key: RecipientKey,
    as_of: date,
    merchant_country: str,
    end: datetime | None = None,
    mail_to: frozenset[str] = frozenset(),
) -> Exposure:
    """`admin_exposure` with the async client."""
    admins = (await client.incident_response.admins()).items
    user = _admin(admins, username)
    counter = ExposureCounter("admin_compromise", key, mail_to)
    populations, categories = _admin_plan(user, resources, counter)
    if "customers" in populations:
        criteria = _created_before(end).select(_CUSTOMER_FIELDS)
        customers: AsyncIterator[Customer] = client.customers.iterate(
            criteria, page_size=_PAGE, keyset=True
        )
        async for customer in customers:
            counter.add_customer(customer, categories, as_of=as_of)
    buyers = "order_buyers" in populations
    if buyers or counter.pending:
        async for order in aorder_rows(client, _created_before(end).select(_ORDER_FIELDS)):
            _admin_order(counter, order, categories, buyers=buyers)
    if "admin_users" in populations:
        _count_admins(admins, counter, merchant_country)
    return counter.result()
