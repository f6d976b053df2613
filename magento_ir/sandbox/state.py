"""The store's state: what Magento keeps in its database, kept as plain Python data.

Read it and change it only while holding `Sandbox.lock` (route handlers already hold it). Large
collections are `EntityTable`s: generated rows are derived from their id and the seed on demand and
only rows that change are materialised, so a million customers cost nothing until touched.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import hmac
import itertools
import json
import math
import time
from array import array
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from magento_ir.sandbox.module_state import ModuleState
from magento_ir.sandbox.search import KeyedAccess

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from contextlib import AbstractContextManager

    from magento_ir.sandbox.columnar import GeneratedIndex
    from magento_ir.sandbox.messages import JsonValue

__all__ = [
    "ADMIN_STORE_ID",
    "CONFIG_SEEDED_AT",
    "USER_TYPE_ADMIN",
    "USER_TYPE_CUSTOMER",
    "USER_TYPE_GUEST",
    "USER_TYPE_INTEGRATION",
    "AdminRole",
    "AdminSession",
    "AdminUser",
    "BulkOperation",
    "Caller",
    "CustomerSession",
    "EntityTable",
    "GuestCart",
    "Integration",
    "StoreGroup",
    "StoreState",
    "StoreView",
    "Website",
    "hash_password",
    "magento_time",
    "verify_password",
]

# Magento\Authorization\Model\UserContextInterface
USER_TYPE_INTEGRATION = 1
USER_TYPE_ADMIN = 2
USER_TYPE_CUSTOMER = 3
USER_TYPE_GUEST = 4

ADMIN_STORE_ID = 0
# core_config_data.updated_at of the rows the generator seeds.
CONFIG_SEEDED_AT = "2026-11-22 09:15:46"
ALL_RESOURCES = "Magento_Backend::all"


def magento_time(timestamp: float) -> str:
    """Magento's `YYYY-MM-DD HH:MM:SS` (UTC, no zone)."""
    # The date is formatted once per day: a page of generated orders formats hundreds of times.
    day, second = divmod(math.floor(timestamp), 86_400)
    return f"{_magento_day(day)} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}"


@functools.lru_cache(maxsize=1024)
def _magento_day(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * 86_400))


def hash_password(password: str, salt: str) -> str:
    # Deliberately cheap: this is a simulator, and logins are on the benchmark's hot path.
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def verify_password(password: str, salt: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_password(password, salt), expected_hash)


@dataclass(slots=True)
class GuestCart:
    """A guest's `quote`: its id, store view and lines (product id -> [item id, qty])."""

    quote_id: int
    store_id: int
    lines: dict[int, list[int]] = field(default_factory=dict)
    # Checkout: addresses and shipping method (shipping-information), the guest's e-mail, the
    # selected payment method; a customer's cart names its customer.
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    shipping_method: str | None = None
    email: str | None = None
    payment_method: str | None = None
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who sent a request, as Magento's user context sees it."""

    user_type: int = USER_TYPE_GUEST
    user_id: int | None = None
    # The resources this caller is granted (ACL of the admin role or integration).
    resources: frozenset[str] = frozenset()

    def allows(self, resource: str) -> bool:
        if resource == "anonymous":
            return True
        if resource == "self":
            return self.user_type in (USER_TYPE_CUSTOMER, USER_TYPE_ADMIN)
        if self.user_type in (USER_TYPE_CUSTOMER, USER_TYPE_GUEST):
            return False
        return ALL_RESOURCES in self.resources or resource in self.resources


@dataclass(slots=True)
class Website:
    id: int
    code: str
    name: str
    default_group_id: int


@dataclass(slots=True)
class StoreGroup:
    id: int
    website_id: int
    root_category_id: int
    default_store_id: int
    name: str
    code: str


@dataclass(slots=True)
class StoreView:
    id: int
    code: str
    name: str
    website_id: int
    store_group_id: int
    is_active: int


@dataclass(slots=True)
class AdminRole:
    role_id: int
    name: str
    resources: frozenset[str]


@dataclass(slots=True)
class AdminUser:
    user_id: int
    username: str
    firstname: str
    lastname: str
    email: str
    role_id: int
    password_hash: str = field(repr=False)
    salt: str = field(repr=False)
    is_active: int = 1
    # Base32 Google Authenticator secret; set when 2FA is configured for this user.
    totp_secret: str | None = field(default=None, repr=False)
    created: str = "2026-11-22 09:15:46"
    # admin_user.lock_expires (unix seconds): a locked user cannot sign in until then.
    lock_expires: float | None = None
    # Login bookkeeping of admin_user (the admin panel's login updates them).
    failures_num: int = 0
    logdate: str | None = None
    lognum: int = 0
    modified: str | None = None


@dataclass(slots=True)
class AdminSession:
    """A row of `admin_user_session`: status 1 logged in, 0 out, 2 out by login, 3 out manually."""

    id: int
    user_id: int
    status: int
    created_at: str
    updated_at: str
    ip: str


@dataclass(slots=True)
class CustomerSession:
    """A storefront session (`customer_visitor` + the session store)."""

    session_id: str = field(repr=False)
    customer_id: int | None
    created_at: float
    last_visit_at: float


@dataclass(slots=True)
class Integration:
    integration_id: int
    name: str
    email: str
    status: int
    consumer_id: int
    consumer_key: str
    consumer_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    access_token_secret: str = field(repr=False)
    resources: frozenset[str] = frozenset({ALL_RESOURCES})
    endpoint: str = ""
    setup_type: int = 0
    created_at: str = "2026-11-22 09:15:46"
    updated_at: str = "2026-11-22 09:15:46"
    # oauth_consumer.created_at of its consumer.
    consumer_created_at: str = "2026-11-22 09:15:46"


@dataclass(slots=True)
class BulkOperation:
    """One operation of an async/bulk request (`magento_operation`)."""

    id: int
    topic_name: str
    method: str
    path: str
    store_code: str
    body: dict[str, Any]
    status: int = 4  # 1 complete, 2 retriably failed, 3 not retriably failed, 4 open, 5 rejected
    result_message: str | None = None
    error_code: int | None = None
    result: JsonValue = None


@dataclass(slots=True)
class Bulk:
    bulk_id: str
    user_type: int
    user_id: int | None
    description: str
    start_time: str
    operations: list[BulkOperation]


# Filters whose generated matches an EntityTable keeps (each an array of ids).
_KEPT_FILTERS = 4


def _holds(ids: range | array[int], entity_id: int, first: int, last: int) -> bool:
    at = bisect.bisect_left(ids, entity_id, first, last)
    return at < last and ids[at] == entity_id


class EntityTable:
    """Rows by id: `generated` ids derive their row from `derive(id)`; changed rows are stored.

    `get` returns a row that must not be mutated; change rows with `put` (materialises it).
    """

    def __init__(
        self,
        *,
        derive: Callable[[int], dict[str, Any]] | None = None,
        derive_part: Callable[[int, frozenset[str]], dict[str, Any]] | None = None,
        generated: range = range(0),
        index: GeneratedIndex | None = None,
    ) -> None:
        self._derive = derive
        # `derive` of only some top-level fields (`get(id, keys)`), when cheaper than the whole.
        self._derive_part = derive_part
        self._generated = generated if derive is not None else range(0)
        # Columns of the generated rows for searches (None: searches walk the rows).
        self.index = index if derive is not None else None
        self._rows: dict[int, dict[str, Any]] = {}
        self._deleted: set[int] = set()
        self._extra_ids: list[int] = []  # materialised ids outside `generated`, ascending
        # filter key -> generated ids whose derived row passes it (derived rows never change).
        self._matches: OrderedDict[object, array[int]] = OrderedDict()

    def __len__(self) -> int:
        deleted = sum(1 for entity_id in self._deleted if entity_id in self._generated)
        return len(self._generated) - deleted + len(self._extra_ids)

    def __contains__(self, entity_id: int) -> bool:
        if entity_id in self._deleted:
            return False
        return entity_id in self._rows or entity_id in self._generated

    def get(self, entity_id: int, keys: frozenset[str] | None = None) -> dict[str, Any] | None:
        """The row (`keys`: at least these top-level fields; a stored row comes whole)."""
        if entity_id in self._deleted:
            return None
        row = self._rows.get(entity_id)
        if row is not None:
            return row
        if entity_id in self._generated and self._derive is not None:
            if keys is not None and self._derive_part is not None:
                return self._derive_part(entity_id, keys)
            return self._derive(entity_id)
        return None

    def put(self, entity_id: int, row: dict[str, Any]) -> None:
        self._deleted.discard(entity_id)
        if entity_id not in self._rows and entity_id not in self._generated:
            self._extra_ids.append(entity_id)
            self._extra_ids.sort()
        self._rows[entity_id] = row

    def delete(self, entity_id: int) -> None:
        if entity_id in self._rows and entity_id not in self._generated:
            self._extra_ids.remove(entity_id)
        self._rows.pop(entity_id, None)
        self._deleted.add(entity_id)

    def overlay(self) -> set[int]:
        """Ids whose row is not the generated one: stored (changed or added) and deleted."""
        return {*self._rows, *self._deleted}

    def keyed_access(
        self,
        id_fields: frozenset[str],
        names: frozenset[str] = frozenset(),
        *,
        fetch: Callable[[int], dict[str, Any] | None] | None = None,
        overlay: Callable[[], Iterable[int]] | None = None,
        unlocked: Callable[[], AbstractContextManager[None]] = contextlib.nullcontext,
    ) -> KeyedAccess:
        """Id-based access to this table for searches (`search.KeyedAccess`). `fetch` and
        `overlay` default to the table's own rows; a caller's own overlay means rows other
        than the table's (a store view's), which the table's matching ids are not."""
        return KeyedAccess(
            id_fields,
            self.ids_range,
            self.get if fetch is None else fetch,
            matching=self.matching_ids if overlay is None else None,
            index=self.index,
            overlay=self.overlay if overlay is None else overlay,
            names=names,
            unlocked=unlocked,
        )

    def next_id(self) -> int:
        highest = max(
            self._generated.stop - 1 if len(self._generated) else 0,
            self._extra_ids[-1] if self._extra_ids else 0,
            max(self._deleted, default=0),
        )
        return highest + 1

    def ids(self) -> Iterator[int]:
        """Every live id in ascending order."""
        extra = iter(self._extra_ids)
        pending = next(extra, None)
        for entity_id in self._generated:
            while pending is not None and pending < entity_id:
                yield pending
                pending = next(extra, None)
            if entity_id not in self._deleted:
                yield entity_id
        while pending is not None:
            yield pending
            pending = next(extra, None)

    def rows(self) -> Iterator[dict[str, Any]]:
        for entity_id in self.ids():
            row = self.get(entity_id)
            if row is not None:
                yield row

    def ids_range(self, low: int | None, high: int | None) -> Iterator[int]:
        """Live ids in [low, high] (either open), ascending, without visiting ids outside it."""
        low = -(2**62) if low is None else low
        high = 2**62 if high is None else high
        generated = self._generated
        inside = range(max(low, generated.start), min(high + 1, generated.stop))
        extra = [entity_id for entity_id in self._extra_ids if low <= entity_id <= high]
        before = [entity_id for entity_id in extra if entity_id < generated.start]
        after = [entity_id for entity_id in extra if entity_id >= generated.start]
        yield from before
        yield from (entity_id for entity_id in inside if entity_id not in self._deleted)
        yield from after

    def matching_ids(  # noqa: PLR0917 - one search's whole window
        self,
        key: object,
        keep: Callable[[dict[str, Any]], bool] | None,
        low: int | None,
        high: int | None,
        start: int,
        stop: int | None,
    ) -> tuple[list[int], int]:
        """Live ids in [low, high] whose row passes `keep` (None: all), ascending: the slice
        [start, stop) of them and how many there are.

        A generated row is a pure function of its id, so which generated ids pass a filter is
        computed once per filter `key` and kept (the last few filters); stored and deleted rows
        are checked on every call. Paging through a filtered million-row table then derives
        each row once, not once per page.
        """
        low = -(2**62) if low is None else low
        high = 2**62 if high is None else high
        passing = self._generated_matching(key, keep)
        first = bisect.bisect_left(passing, low)
        # An empty range (low > high, e.g. `eq 0` and `eq 35`) holds nothing.
        last = max(first, bisect.bisect_right(passing, high))
        stored = [i for i in self._rows if low <= i <= high]
        changed = sorted(
            i
            for i in itertools.chain(stored, self._deleted)
            if low <= i <= high and _holds(passing, i, first, last)
        )
        kept = sorted(i for i in stored if keep is None or keep(self._rows[i]))
        total = last - first - len(changed) + len(kept)
        out: list[int] = []
        position = first
        merged = 0  # index in the merged sequence of the next id

        def run(until: int) -> None:
            nonlocal merged
            count = until - position
            lo = max(start - merged, 0)
            hi = count if stop is None else min(stop - merged, count)
            if lo < hi:
                out.extend(passing[position + lo : position + hi])
            merged += count

        kept_set = set(kept)
        skipped = set(changed)
        for entity_id in sorted(kept_set | skipped):
            at = bisect.bisect_left(passing, entity_id, position, last)
            run(at)
            position = at + 1 if entity_id in skipped else at
            if entity_id in kept_set:
                if merged >= start and (stop is None or merged < stop):
                    out.append(entity_id)
                merged += 1
        run(last)
        return out, total

    def _generated_matching(
        self, key: object, keep: Callable[[dict[str, Any]], bool] | None
    ) -> range | array[int]:
        if keep is None or self._derive is None:
            return self._generated if keep is None else range(0)
        found = self._matches.get(key)
        if found is None:
            derive = self._derive
            found = array("q", (i for i in self._generated if keep(derive(i))))
            self._matches[key] = found
            if len(self._matches) > _KEPT_FILTERS:
                self._matches.popitem(last=False)
        else:
            self._matches.move_to_end(key)
        return found

    def rows_between(self, start: int, stop: int | None) -> Iterator[dict[str, Any]]:
        """Rows at positions [start, stop) in id order, without walking the ones before."""
        generated = self._generated
        if any(entity_id in generated for entity_id in self._deleted):
            yield from itertools.islice(self.rows(), start, stop)
            return
        low = [entity_id for entity_id in self._extra_ids if entity_id < generated.start]
        high = [entity_id for entity_id in self._extra_ids if entity_id >= generated.stop]
        total = len(low) + len(generated) + len(high)
        for position in range(start, total if stop is None else min(stop, total)):
            if position < len(low):
                entity_id = low[position]
            elif position < len(low) + len(generated):
                entity_id = generated[position - len(low)]
            else:
                entity_id = high[position - len(low) - len(generated)]
            row = self.get(entity_id)
            if row is not None:
                yield row

    def changes(self) -> dict[str, Any]:
        """Materialised rows and deletions: with the seed, this is the whole table."""
        return {
            "rows": {str(key): self._rows[key] for key in sorted(self._rows)},
            "deleted": sorted(self._deleted),
        }


@dataclass
class StoreState:
    """The database of one sandbox store."""

    websites: dict[int, Website] = field(default_factory=dict)
    groups: dict[int, StoreGroup] = field(default_factory=dict)
    stores: dict[int, StoreView] = field(default_factory=dict)
    default_store_id: int = 1

    # Catalog. `product_store_values[(product_id, store_id)]` holds store-view overrides of
    # store-scoped attributes (`status`, `name`): Magento's `catalog_product_entity_*` rows with
    # `store_id != 0`. The product row itself holds the store-0 (default) values.
    products: EntityTable = field(default_factory=EntityTable)
    product_store_values: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    sku_index: dict[str, int] = field(default_factory=dict)
    sku_resolver: Callable[[str], int | None] | None = None

    customers: EntityTable = field(default_factory=EntityTable)
    email_index: dict[str, int] = field(default_factory=dict)
    email_resolver: Callable[[str], int | None] | None = None
    # Password hashes by customer id; generated customers share `default_customer_password_hash`.
    customer_password_hashes: dict[int, str] = field(default_factory=dict, repr=False)
    default_customer_password_hash: str = field(default="", repr=False)
    password_salt: str = field(default="", repr=False)
    # customer_entity.session_cutoff (unix seconds) and the storefront sessions.
    customer_session_cutoff: dict[int, float] = field(default_factory=dict)
    customer_sessions: dict[str, CustomerSession] = field(default_factory=dict)
    # Storefront carts (`quote`): session id -> {product id: qty}.
    quotes: dict[str, dict[int, int]] = field(default_factory=dict, repr=False)
    # Guest carts (`quote` rows reached through `quote_id_mask`): masked id -> cart.
    guest_carts: dict[str, GuestCart] = field(default_factory=dict, repr=False)
    # A customer's active cart (`quote` with customer_id): customer id -> cart.
    customer_carts: dict[int, GuestCart] = field(default_factory=dict, repr=False)
    last_quote_id: int = 0
    last_quote_item_id: int = 0
    # customer rp_token by customer id (the latest reset link).
    password_reset_tokens: dict[int, str] = field(default_factory=dict, repr=False)
    # Outgoing e-mail the store "sent" (password resets): (to, template) pairs.
    sent_emails: list[dict[str, Any]] = field(default_factory=list)

    orders: EntityTable = field(default_factory=EntityTable)
    invoices: EntityTable = field(default_factory=EntityTable)
    transactions: EntityTable = field(default_factory=EntityTable)

    cms_blocks: EntityTable = field(default_factory=EntityTable)
    cms_block_stores: dict[int, list[int]] = field(default_factory=dict)
    cms_pages: EntityTable = field(default_factory=EntityTable)
    cms_page_stores: dict[int, list[int]] = field(default_factory=dict)
    # widget_instance, layout_update (+ layout_link, widget_instance_page_layout) and
    # email_template rows as the module's `GET content` shows them: type -> id -> item.
    store_content: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)

    modules: list[str] = field(default_factory=list)

    admin_roles: dict[int, AdminRole] = field(default_factory=dict)
    admin_users: dict[int, AdminUser] = field(default_factory=dict)
    admin_sessions: dict[int, AdminSession] = field(default_factory=dict)
    integrations: dict[int, Integration] = field(default_factory=dict)

    # core_config_data: (path, scope, scope_id) -> value; scope is default/websites/stores.
    config: dict[tuple[str, str, int], str | None] = field(default_factory=dict)
    # core_config_data.updated_at of rows written after seeding (seeded rows: CONFIG_SEEDED_AT).
    config_updated_at: dict[tuple[str, str, int], str] = field(default_factory=dict)
    # app/etc/env.php / config.php `system/...` values: they win over core_config_data.
    locked_config: dict[tuple[str, str, int], str | None] = field(default_factory=dict)
    # persistent_session ("remember me"): cookie key -> customer id.
    persistent_sessions: dict[str, int] = field(default_factory=dict, repr=False)

    # jwt_auth_revoked: (user_type, user_id) -> revoke_before (unix seconds).
    revoked_before: dict[tuple[int, int], int] = field(default_factory=dict)
    # The same cut-off written for every user of a type in one statement (the module's
    # sessions/terminate): user_type -> revoke_before. A user's cut-off is the later of the two.
    revoked_before_all: dict[int, int] = field(default_factory=dict)
    # customer_entity.session_cutoff set for every customer at once.
    customer_session_cutoff_all: float | None = None
    # oauth_token_request_log: (username, user_type) -> [failures_count, lock_expires_at].
    token_request_log: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    # oauth_nonce: (consumer_id, nonce) -> timestamp.
    oauth_nonces: dict[tuple[int, str], int] = field(default_factory=dict)

    maintenance: bool = False
    maintenance_ips: tuple[str, ...] = ()

    bulks: dict[str, Bulk] = field(default_factory=dict)

    # The companion module's append-only action log (rows are dicts shaped by the module contract).
    action_log: list[dict[str, Any]] = field(default_factory=list)
    # The companion module's other tables (quarantines, suspensions, lockdowns, idempotency).
    incident_response: ModuleState = field(default_factory=ModuleState)

    # --- scopes -------------------------------------------------------------------------------
    def store_by_code(self, code: str) -> StoreView | None:
        for store in self.stores.values():
            if store.code == code:
                return store
        return None

    @property
    def default_store(self) -> StoreView:
        return self.stores[self.default_store_id]

    def config_value(self, path: str, store_id: int = ADMIN_STORE_ID) -> str | None:
        """The effective value at a store view: stores scope, then its website, then default."""
        store = self.stores.get(store_id)
        scopes = [("default", 0)]
        if store is not None and store_id != ADMIN_STORE_ID:
            scopes[:0] = [("stores", store_id), ("websites", store.website_id)]
        for table in (self.locked_config, self.config):
            for key in scopes:
                found = table.get((path, *key), _MISSING)
                if found is not _MISSING:
                    return found  # type: ignore[return-value]
        return None

    def set_config(
        self,
        path: str,
        value: str | None,
        scope: str = "default",
        scope_id: int = 0,
        *,
        updated_at: str | None = None,
    ) -> None:
        if scope not in ("default", "websites", "stores"):
            raise ValueError(f"scope must be default, websites or stores, not {scope!r}")
        self.config[(path, scope, scope_id)] = value
        if updated_at is not None:
            self.config_updated_at[(path, scope, scope_id)] = updated_at

    # --- catalog ------------------------------------------------------------------------------
    def product_id_for_sku(self, sku: str) -> int | None:
        """SKUs compare case-insensitively, as MySQL's default collation does in getIdBySku."""
        found = self.sku_index.get(sku)
        if found is None:
            wanted = sku.casefold()
            found = next(
                (
                    entity_id
                    for key, entity_id in self.sku_index.items()
                    if key.casefold() == wanted
                ),
                None,
            )
        if found is not None:
            return found if found in self.products else None
        if self.sku_resolver is not None:
            candidate = self.sku_resolver(sku)
            if candidate is not None:
                row = self.products.get(candidate)
                if row is not None and row["sku"].casefold() == sku.casefold():
                    return candidate
        return None

    def product_status(self, product_id: int, store_id: int) -> int:
        """Effective status on a store view: its override, else the default (store 0) value."""
        row = self.products.get(product_id)
        if row is None:
            raise KeyError(product_id)
        override = self.product_store_values.get((product_id, store_id), {})
        return int(override.get("status", row["status"]))

    # --- customers ----------------------------------------------------------------------------
    def customer_id_for_email(self, email: str) -> int | None:
        found = self.email_index.get(email.lower())
        if found is not None:
            return found if found in self.customers else None
        if self.email_resolver is not None:
            candidate = self.email_resolver(email.lower())
            if candidate is not None:
                row = self.customers.get(candidate)
                if row is not None and row["email"].lower() == email.lower():
                    return candidate
        return None

    def token_cutoff(self, user_type: int, user_id: int) -> int:
        """jwt_auth_revoked for this user: tokens issued at or before it are dead (-1: none)."""
        return max(
            self.revoked_before.get((user_type, user_id), -1),
            self.revoked_before_all.get(user_type, -1),
        )

    def session_cutoff(self, customer_id: int | None) -> float | None:
        """customer_entity.session_cutoff: sessions started at or before it are over."""
        if customer_id is None:
            return None
        cutoffs = [
            value
            for value in (
                self.customer_session_cutoff.get(customer_id),
                self.customer_session_cutoff_all,
            )
            if value is not None
        ]
        return max(cutoffs, default=None)

    def customer_password_hash(self, customer_id: int) -> str:
        return self.customer_password_hashes.get(customer_id, self.default_customer_password_hash)

    # --- admin --------------------------------------------------------------------------------
    def admin_by_username(self, username: str) -> AdminUser | None:
        for user in self.admin_users.values():
            if user.username == username:
                return user
        return None

    def admin_resources(self, user: AdminUser) -> frozenset[str]:
        role = self.admin_roles.get(user.role_id)
        return role.resources if role is not None else frozenset()

    def integration_by_consumer_key(self, key: str) -> Integration | None:
        for integration in self.integrations.values():
            if hmac.compare_digest(integration.consumer_key, key):
                return integration
        return None

    def integration_by_access_token(self, token: str) -> Integration | None:
        for integration in self.integrations.values():
            if hmac.compare_digest(integration.access_token, token):
                return integration
        return None

    # --- digest -------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """Everything persistent, as JSON-ready data (secrets reduced to hashes)."""
        return {
            "websites": [asdict(item) for item in self.websites.values()],
            "groups": [asdict(item) for item in self.groups.values()],
            "stores": [asdict(item) for item in self.stores.values()],
            "products": self.products.changes(),
            "product_store_values": {
                f"{product_id}/{store_id}": values
                for (product_id, store_id), values in sorted(self.product_store_values.items())
            },
            "customers": self.customers.changes(),
            "customer_password_hashes": dict(sorted(self.customer_password_hashes.items())),
            "customer_session_cutoff": dict(sorted(self.customer_session_cutoff.items())),
            "customer_session_cutoff_all": self.customer_session_cutoff_all,
            "revoked_before_all": dict(sorted(self.revoked_before_all.items())),
            "customer_sessions": sorted(
                (
                    hashlib.sha256(key.encode()).hexdigest(),
                    session.customer_id,
                    session.created_at,
                )
                for key, session in self.customer_sessions.items()
            ),
            "password_reset_tokens": sorted(self.password_reset_tokens),
            "orders": self.orders.changes(),
            "invoices": self.invoices.changes(),
            "transactions": self.transactions.changes(),
            "cms_blocks": self.cms_blocks.changes(),
            "cms_block_stores": dict(sorted(self.cms_block_stores.items())),
            "cms_pages": self.cms_pages.changes(),
            "cms_page_stores": dict(sorted(self.cms_page_stores.items())),
            "store_content": {
                kind: dict(sorted(rows.items()))
                for kind, rows in sorted(self.store_content.items())
            },
            "modules": self.modules,
            "admin_roles": [
                {"role_id": role.role_id, "name": role.name, "resources": sorted(role.resources)}
                for role in self.admin_roles.values()
            ],
            # Sign-in bookkeeping (logdate, lognum) is left out, as issued tokens are: signing
            # in to read is not a change of the store.
            "admin_users": [
                {
                    **{k: v for k, v in asdict(user).items() if k not in {"logdate", "lognum"}},
                    "totp_secret": _fingerprint(user.totp_secret),
                }
                for user in self.admin_users.values()
            ],
            "admin_sessions": [asdict(item) for item in self.admin_sessions.values()],
            "integrations": [
                {
                    **asdict(item),
                    "resources": sorted(item.resources),
                    "consumer_secret": _fingerprint(item.consumer_secret),
                    "access_token": _fingerprint(item.access_token),
                    "access_token_secret": _fingerprint(item.access_token_secret),
                }
                for item in self.integrations.values()
            ],
            "config": sorted(
                [path, scope, scope_id, value]
                for (path, scope, scope_id), value in self.config.items()
            ),
            "revoked_before": sorted(
                [user_type, user_id, before]
                for (user_type, user_id), before in self.revoked_before.items()
            ),
            "token_request_log": sorted(
                [name, user_type, *values]
                for (name, user_type), values in self.token_request_log.items()
            ),
            "maintenance": [self.maintenance, list(self.maintenance_ips)],
            "locked_config": sorted(
                [path, scope, scope_id, value]
                for (path, scope, scope_id), value in self.locked_config.items()
            ),
            "persistent_sessions": sorted(self.persistent_sessions.values()),
            "incident_response": self.incident_response.snapshot(),
            "bulks": {key: asdict(bulk) for key, bulk in sorted(self.bulks.items())},
            "action_log": self.action_log,
        }

    def digest(self) -> str:
        """SHA-256 of the canonical snapshot: equal digests mean byte-identical state."""
        canonical = json.dumps(self.snapshot(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


_MISSING = object()


def _fingerprint(secret: str | None) -> str | None:
    return None if secret is None else hashlib.sha256(secret.encode()).hexdigest()
