"""Every resource method of the SDK, through the sync and the async client, on both backends:
the typed models parse what the store really answers, and errors map to their classes."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import anyio
import pytest

from magento_ir import (
    AuthenticationError,
    BadRequestError,
    BearerToken,
    CustomerCredentials,
    NotFoundError,
    SearchCriteria,
    ServerError,
)
from tests.client._support import CLIENT_KINDS, call, close, collect
from tests.contract.conftest import CUSTOMER_PASSWORD, EMAILS, NOBODY_EMAIL

if TYPE_CHECKING:
    from magento_ir.testing import MagentoStore

pytestmark = pytest.mark.anyio
SEEDED = SearchCriteria().where("sku", "like", "IR-SKU-%")


def client_of(store: MagentoStore, kind: str, **options: Any) -> Any:
    return store.client(**options) if kind == "sync" else store.async_client(**options)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_catalog_and_customers(magento_store: MagentoStore, kind: str) -> None:
    """products.retrieve/list/iterate and customers.list/retrieve parse into models."""
    client = client_of(magento_store, kind)
    try:
        product = await call(client.products.retrieve("IR-SKU-003"))
        assert (product.sku, product.price, product.status) == ("IR-SKU-003", 13, 1)
        page = await call(client.products.list(SEEDED.where("price", "gteq", 39).page(size=5)))
        assert ([p.sku for p in page.items], page.total_count) == (["IR-SKU-029", "IR-SKU-030"], 2)
        skus = [p.sku async for p in _aiter(client.products.iterate(SEEDED, page_size=8))]
        assert sorted(skus) == [f"IR-SKU-{n:03d}" for n in range(1, 31)]
        customers = await call(
            client.customers.list(SearchCriteria().where("email", "in", EMAILS[:3]))
        )
        assert sorted(c.email for c in customers.items) == EMAILS[:3]
        one = await call(client.customers.retrieve(customers.items[0].id))
        assert one.email == customers.items[0].email
    finally:
        await close(client)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_sales_cms_store_and_modules(magento_store: MagentoStore, kind: str) -> None:
    """orders, transactions, invoices, CMS, store structure and modules parse into models."""
    client = client_of(magento_store, kind)
    try:
        order = await call(client.orders.retrieve(1))
        assert (order.entity_id, order.increment_id, order.state) == (1, "000000001", "new")
        orders = await call(client.orders.list(SearchCriteria().where("entity_id", "eq", 1)))
        assert [o.entity_id for o in orders.items] == [1]
        assert (await call(client.transactions.list(SearchCriteria().page(size=5)))).items == []
        assert (await call(client.invoices.list(SearchCriteria().page(size=5)))).items == []
        block = await call(client.cms_blocks.retrieve("footer-promo"))
        assert (block.identifier, block.active) == ("footer-promo", True)
        blocks = await call(
            client.cms_blocks.list(SearchCriteria().where("content", "like", "%<script%"))
        )
        assert [b.identifier for b in blocks.items] == ["footer-promo"]
        assert (await call(client.cms_pages.retrieve(2))).identifier == "home"
        pages = await collect(
            client.cms_pages.iterate(SearchCriteria().where("page_id", "lteq", 4))
        )
        assert len(pages) == 4
        assert [c.code for c in await call(client.store.configs())] == ["default"]
        assert [w.code for w in await call(client.store.websites())] == ["admin", "base"]
        assert [v.code for v in await call(client.store.views())] == ["default", "admin"]
        assert [g.code for g in await call(client.store.groups())] == [
            "default",
            "main_website_store",
        ]
        modules = await call(client.modules.list())
        assert "MagentoIr_IncidentResponse" in [m.name for m in modules]
        data = await call(
            client.graphql.execute(
                "query($s: [String]) { products(filter: {sku: {in: $s}}) { total_count } }",
                {"s": ["IR-SKU-001"]},
            )
        )
        assert data == {"products": {"total_count": 1}}
    finally:
        await close(client)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_errors_map_to_their_classes(magento_store: MagentoStore, kind: str) -> None:
    """404, 400, MySQL's 500 and 401 raise the typed errors with Magento's message."""
    client = client_of(magento_store, kind)
    stranger = client_of(magento_store, kind, auth=BearerToken("not-a-real-token"))
    try:
        with pytest.raises(NotFoundError) as missing:
            await call(client.products.retrieve("NO-SUCH-SKU"))
        assert missing.value.raw_message.startswith("The product that was requested doesn't")
        with pytest.raises(BadRequestError) as unknown:
            await call(client.products.list(SearchCriteria().where("no_such_field", "eq", 1)))
        assert unknown.value.parameters == ["no_such_field"]
        with pytest.raises(ServerError) as sql:
            await call(client.orders.list(SearchCriteria().where("no_such_field", "eq", 1)))
        assert "Unknown column 'no_such_field'" in sql.value.raw_message
        with pytest.raises(AuthenticationError) as refused:
            await call(stranger.orders.retrieve(1))
        assert refused.value.parameters == {"resources": "Magento_Sales::actions_view"}
        with pytest.raises(NotFoundError):
            await call(client.customers.send_password_reset(NOBODY_EMAIL, website_id=1))
    finally:
        await close(client)
        await close(stranger)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_writes_and_their_reverse(magento_store: MagentoStore, kind: str) -> None:
    """Product status, order hold, CMS block and page, customer: changed, read back, restored."""
    client = client_of(magento_store, kind)
    everywhere = client.with_store("all")
    try:
        assert (await call(everywhere.products.update("IR-SKU-027", {"status": 2}))).status == 2
        assert (await call(everywhere.products.update("IR-SKU-027", {"status": 1}))).status == 1
        assert await call(client.orders.hold(1)) is True
        assert await call(client.orders.cancel(1)) is False
        assert await call(client.orders.unhold(1)) is True
        block = await call(client.cms_blocks.retrieve("footer-promo"))
        renamed = await call(everywhere.cms_blocks.update(block.id, {"title": "SDK title"}))
        assert (renamed.title, renamed.content) == ("SDK title", block.content)
        await call(everywhere.cms_blocks.update(block.id, {"title": block.title}))
        page = await call(client.cms_pages.retrieve(4))
        saved = await call(client.cms_pages.update(4, {"title": "SDK page"}))
        assert (saved.title, saved.identifier) == ("SDK page", page.identifier)
        await call(client.cms_pages.update(4, {"title": page.title}))
        assert (await call(client.cms_pages.retrieve(4))).identifier == page.identifier
        found = await call(client.customers.list(SearchCriteria().where("email", "eq", EMAILS[5])))
        customer = found.items[0]
        body = {"email": customer.email, "lastname": customer.lastname, "website_id": 1}
        changed = await call(client.customers.update(customer.id, {**body, "firstname": "SDK"}))
        assert changed.firstname == "SDK"
        await call(client.customers.update(customer.id, {**body, "firstname": customer.firstname}))
        assert (await call(client.customers.retrieve(customer.id))).firstname == customer.firstname
        queued = await call(
            everywhere.bulk.submit(
                "PUT", "/V1/products/bySku", [{"product": {"sku": "IR-SKU-001", "status": 1}}]
            )
        )
        status = await call(client.bulk.status(queued.bulk_uuid))
        assert [op.status for op in status.operations_list] == [4]
    finally:
        await close(client)


@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_customer_tokens(magento_store: MagentoStore, kind: str) -> None:
    """tokens.customer issues a JWT, a customer client reads `me`, and revoking its own token
    ends it."""
    client = client_of(magento_store, kind)
    customer = client_of(
        magento_store, kind, auth=CustomerCredentials(EMAILS[8], CUSTOMER_PASSWORD)
    )
    if magento_store.is_real:
        # The other client kind's run revoked this customer's tokens moments ago, and Magento
        # refuses a JWT issued in the same second as a revocation: start in a later second.
        await anyio.sleep(1 - time.time() % 1)
    try:
        token = await call(client.tokens.customer(EMAILS[8], CUSTOMER_PASSWORD))
        assert token.count(".") == 2
        assert (await call(customer.customers.me())).email == EMAILS[8]
        assert await call(customer.tokens.revoke_own_customer_token()) is True
        revoked = client_of(magento_store, kind, auth=BearerToken(token))
        try:
            with pytest.raises(AuthenticationError):
                await call(revoked.customers.me())
        finally:
            await close(revoked)
    finally:
        await close(client)
        await close(customer)


async def _aiter(iterator: Any) -> Any:
    for item in await collect(iterator):
        yield item
