"""The client's resources end to end against the sandbox served over real HTTP, for both clients.

Each test runs once with `MagentoClient` and once with `AsyncMagentoClient` against its own freshly
seeded sandbox on a loopback port, then checks the store through the sandbox's inspection API.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir import (
    AdminCredentials,
    AsyncMagentoClient,
    AuthenticationError,
    BearerToken,
    CustomerCredentials,
    MagentoClient,
    NotFoundError,
    OAuth1Credentials,
    SearchCriteria,
)
from magento_ir.models import Customer, Order, Product
from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

pytestmark = pytest.mark.anyio

ADMIN_PASSWORD = "Sandbox123!"
CUSTOMER_EMAIL = "ir.customer01@example.com"


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(run_consumers_immediately=True)


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox) as running:
        yield running


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def make_client(flavour: str, base_url: str, auth: Any) -> Any:
    cls = MagentoClient if flavour == "sync" else AsyncMagentoClient
    return cls(base_url, auth=auth, max_retries=0, timeout=10.0)


@pytest.fixture
async def client(flavour: str, server: SandboxServer) -> AsyncIterator[Any]:
    api = make_client(flavour, server.base_url, AdminCredentials("admin", ADMIN_PASSWORD))
    yield api
    await resolve(api.close())


async def resolve(value: Any) -> Any:
    """The value of a sync call, or the awaited value of an async one."""
    return await value if inspect.isawaitable(value) else value


async def collect(iterable: Any) -> list[Any]:
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


async def test_products_retrieve_list_iterate_and_disable_at_all_scope(
    client: Any, sandbox: Sandbox
) -> None:
    """Products: retrieve, a sorted page, lazy iteration over every page, and a store-0 disable."""
    product = await resolve(client.products.retrieve("IR-SKU-001"))
    assert isinstance(product, Product)
    assert product.sku == "IR-SKU-001"

    page = await resolve(
        client.products.list(SearchCriteria().order_by("sku").page(size=5, current=2))
    )
    assert page.total_count == 33
    assert [item.sku for item in page.items] == [f"IR-SKU-{n:03d}" for n in range(6, 11)]

    skus = [item.sku for item in await collect(client.products.iterate(page_size=7))]
    assert len(skus) == 33
    assert len(set(skus)) == 33

    updated = await resolve(client.with_store("all").products.update("IR-SKU-030", {"status": 2}))
    assert updated.status == 2
    assert set(sandbox.inspect.product_status("IR-SKU-030").values()) == {2}


async def test_missing_product_is_not_found(client: Any) -> None:
    """An unknown SKU raises NotFoundError with Magento's message."""
    with pytest.raises(NotFoundError, match="requested doesn't exist"):
        await resolve(client.products.retrieve("NO-SUCH-SKU"))


async def test_customers_search_iterate_update_and_reset_email(
    client: Any, sandbox: Sandbox
) -> None:
    """Customers: a like search, iteration, an update, and Magento's reset e-mail."""
    criteria = SearchCriteria().where("email", "like", "ir.customer0%@example.com").page(size=3)
    page = await resolve(client.customers.list(criteria))
    assert page.total_count == 9
    assert len(page.items) == 3

    everyone = await collect(client.customers.iterate(page_size=5))
    assert len(everyone) == 12
    assert all(isinstance(customer, Customer) for customer in everyone)

    first = everyone[0]
    changed = await resolve(
        client.customers.update(
            first.id,
            {
                "email": first.email,
                "firstname": "Renamed",
                "lastname": first.lastname,
                "website_id": first.website_id,
            },
        )
    )
    assert changed.firstname == "Renamed"
    assert (await resolve(client.customers.retrieve(first.id))).firstname == "Renamed"

    assert await resolve(client.customers.send_password_reset(CUSTOMER_EMAIL, website_id=1))
    assert any(mail["to"] == CUSTOMER_EMAIL for mail in sandbox.inspect.sent_emails())


async def test_orders_hold_unhold_comment_and_cancel(client: Any) -> None:
    """Orders: hold and unhold change the state, a comment lands in the history, cancel reports."""
    order = await resolve(client.orders.retrieve(1))
    assert isinstance(order, Order)
    assert order.payment is not None
    assert order.payment.method == "checkmo"

    assert await resolve(client.orders.hold(1)) is True
    assert (await resolve(client.orders.retrieve(1))).state == "holded"
    assert await resolve(client.orders.unhold(1)) is True
    assert (await resolve(client.orders.retrieve(1))).state == "new"

    assert await resolve(client.orders.add_comment(1, "Incident IR-1: checked by the responder"))
    history = (await resolve(client.orders.retrieve(1))).status_histories
    assert any(entry.comment == "Incident IR-1: checked by the responder" for entry in history)

    assert await resolve(client.orders.cancel(1)) is True
    assert (await resolve(client.orders.retrieve(1))).state == "canceled"

    orders = await collect(client.orders.iterate(page_size=2))
    assert [o.entity_id for o in orders] == [1]


async def test_transactions_and_invoices_lists(client: Any) -> None:
    """Transactions and invoices list like Magento (offline payments create no transactions)."""
    transactions = await resolve(client.transactions.list(SearchCriteria().page(size=5)))
    assert transactions.total_count == 0
    assert transactions.items == []
    invoices = await resolve(client.invoices.list(SearchCriteria().page(size=5)))
    assert invoices.total_count == len(invoices.items)


async def test_cms_blocks_and_pages(client: Any, sandbox: Sandbox) -> None:
    """CMS: the skimmer block is found, deactivated at store 0, and pages list and update."""
    blocks = await resolve(
        client.cms_blocks.list(SearchCriteria().where("content", "like", "%<script%"))
    )
    assert [block.identifier for block in blocks.items] == ["footer-promo"]
    block = await resolve(client.cms_blocks.retrieve("footer-promo"))
    disabled = await resolve(
        client.with_store("all").cms_blocks.update(block.id, {"active": False})
    )
    assert disabled.active is False
    assert (await resolve(client.cms_blocks.retrieve(block.id))).active is False

    pages = await collect(client.cms_pages.iterate(page_size=3))
    assert len(pages) == 4
    page = await resolve(client.cms_pages.update(pages[0].id, {"title": "Renamed"}))
    assert page.title == "Renamed"
    assert sandbox.inspect.digest()


async def test_store_inventory_and_modules(client: Any, server: SandboxServer) -> None:
    """Store configs, websites, views, groups and the enabled-module list."""
    configs = await resolve(client.store.configs())
    assert configs[0].code == "default"
    websites = await resolve(client.store.websites())
    assert [w.code for w in websites] == ["admin", "base"]
    views = await resolve(client.store.views())
    assert "default" in [v.code for v in views]
    groups = await resolve(client.store.groups())
    assert groups
    modules = await resolve(client.modules.list())
    assert "Magento_Catalog" in [m.name for m in modules]
    assert server.base_url


async def test_tokens_and_customer_self_revoke(flavour: str, server: SandboxServer) -> None:
    """Token routes: an admin and a customer token, and a customer revoking its own token."""
    anonymous = make_client(flavour, server.base_url, None)
    try:
        admin_token = await resolve(anonymous.tokens.admin("admin", ADMIN_PASSWORD))
        assert admin_token.count(".") == 2
        customer_token = await resolve(anonymous.tokens.customer(CUSTOMER_EMAIL, "Customer123!"))
    finally:
        await resolve(anonymous.close())

    as_customer = make_client(flavour, server.base_url, BearerToken(customer_token))
    try:
        me = await resolve(as_customer.customers.me())
        assert me.email == CUSTOMER_EMAIL
        assert await resolve(as_customer.tokens.revoke_own_customer_token()) is True
        with pytest.raises(AuthenticationError):
            await resolve(as_customer.customers.me())
    finally:
        await resolve(as_customer.close())


async def test_customer_credentials_log_in_by_themselves(
    flavour: str, server: SandboxServer
) -> None:
    """CustomerCredentials fetch a customer token on first use."""
    api = make_client(flavour, server.base_url, CustomerCredentials(CUSTOMER_EMAIL, "Customer123!"))
    try:
        assert (await resolve(api.customers.me())).email == CUSTOMER_EMAIL
    finally:
        await resolve(api.close())


async def test_bulk_submit_and_wait(client: Any, sandbox: Sandbox) -> None:
    """Async bulk: submit two product disables, poll until done, and see them applied."""
    accepted = await resolve(
        client.with_store("all").bulk.submit(
            "PUT",
            "/V1/products/bySku",
            [
                {"product": {"sku": "IR-SKU-001", "status": 2}},
                {"product": {"sku": "IR-SKU-002", "status": 2}},
            ],
        )
    )
    assert len(accepted.request_items) == 2
    status = await resolve(client.bulk.wait(accepted.bulk_uuid, poll_interval=0.05, max_wait=5))
    assert len(status.operations_list) == 2
    for sku in ("IR-SKU-001", "IR-SKU-002"):
        assert set(sandbox.inspect.product_status(sku).values()) == {2}


async def test_oauth1_integration_reads_products(
    flavour: str, sandbox: Sandbox, server: SandboxServer
) -> None:
    """An OAuth 1.0a integration signs HMAC-SHA256 requests the store accepts, brackets and all."""
    integrations = sandbox.inspect
    name = next(iter(sandbox.state.integrations.values())).name
    keys = integrations.integration_credentials(name)
    api = make_client(
        flavour,
        server.base_url,
        OAuth1Credentials(
            keys["consumer_key"],
            keys["consumer_secret"],
            keys["access_token"],
            keys["access_token_secret"],
        ),
    )
    try:
        page = await resolve(
            api.products.list(SearchCriteria().where("sku", "like", "IR-SKU-00%").page(size=5))
        )
        assert page.total_count == 9
    finally:
        await resolve(api.close())


async def test_two_factor_admin_login_with_totp(flavour: str) -> None:
    """With 2FA on, AdminCredentials with a TOTP secret log in through the Google provider route."""
    secret = "JBSWY3DPEHPK3PXP"
    sandbox = Sandbox(two_factor=True, totp_secret=secret)
    with SandboxServer(sandbox) as server:
        api = make_client(
            flavour, server.base_url, AdminCredentials("admin", ADMIN_PASSWORD, totp_secret=secret)
        )
        try:
            assert (await resolve(api.products.retrieve("IR-SKU-001"))).sku == "IR-SKU-001"
        finally:
            await resolve(api.close())
