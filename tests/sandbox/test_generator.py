"""The seeded generator: deterministic, lazy at scale, realistic incident data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.generator import CARD_TESTING_IP
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    import httpx


def test_same_seed_same_store_and_different_seed_differs() -> None:
    """Two stores built from one seed are identical, row by row; another seed differs."""
    first = Sandbox(seed=11, products=500, customers=800, orders=100)
    second = Sandbox(seed=11, products=500, customers=800, orders=100)
    other = Sandbox(seed=12, products=500, customers=800, orders=100)
    for entity_id in (34, 200, 533):
        assert first.state.products.get(entity_id) == second.state.products.get(entity_id)
    assert first.state.customers.get(814) == second.state.customers.get(814)
    assert first.state.orders.get(50) == second.state.orders.get(50)
    assert first.inspect.digest() == second.inspect.digest()
    assert first.state.products.get(200) != other.state.products.get(200)


def test_a_large_store_is_lazy_and_complete() -> None:
    """100k products, 1M customers: counts, last rows and e-mail lookups work, nothing built."""
    sandbox = Sandbox(products=100_000, customers=1_000_000)
    with client_for(sandbox, sandbox.admin_token()) as admin:
        page = admin.get(
            "/rest/V1/customers/search",
            params={"searchCriteria[pageSize]": "1", "searchCriteria[currentPage]": "1000012"},
        ).json()
        assert page["total_count"] == 1_000_012
        assert page["items"][0]["email"] == "customer1000000@example.com"
        product = admin.get("/rest/V1/products/SB100000").json()
        assert product["id"] == 100_033
    assert sandbox.state.customer_id_for_email("customer0000042@example.com") == 56
    assert sandbox.state.customer_id_for_email("customer2000000@example.com") is None


def test_generated_catalog_has_configurables_with_children_and_store_views() -> None:
    """Every tenth generated product is configurable with three not-visible children."""
    sandbox = Sandbox(products=20, store_views=3)
    parent = sandbox.state.products.get(34)
    child = sandbox.state.products.get(35)
    assert parent is not None
    assert child is not None
    assert parent["type_id"] == "configurable"
    assert child["visibility"] == 1
    assert [store.code for store in sandbox.state.stores.values()] == [
        "admin",
        "default",
        "fr",
        "de",
    ]


def test_card_testing_burst(clock) -> None:
    """Orders end with a burst of small declined guest orders from one IP, with transactions."""
    sandbox = Sandbox(orders=200, customers=50, clock=clock)
    with client_for(sandbox, sandbox.admin_token()) as admin:
        params = {
            "searchCriteria[filter_groups][0][filters][0][field]": "remote_ip",
            "searchCriteria[filter_groups][0][filters][0][value]": CARD_TESTING_IP,
        }
        burst = admin.get("/rest/V1/orders", params=params).json()
        assert burst["total_count"] == 20
        assert {order["state"] for order in burst["items"]} == {"canceled"}
        assert max(order["grand_total"] for order in burst["items"]) <= 5
        assert all(order["customer_is_guest"] == 1 for order in burst["items"])
        declined = admin.get(
            "/rest/V1/transactions",
            params={
                "searchCriteria[filter_groups][0][filters][0][field]": "txn_type",
                "searchCriteria[filter_groups][0][filters][0][value]": "authorization",
            },
        ).json()
        assert declined["total_count"] == 20
        invoices = admin.get("/rest/V1/invoices", params={"searchCriteria[pageSize]": "1"}).json()
        assert invoices["total_count"] == 180


def test_reference_fixtures_hold_the_incident_artifacts(
    sandbox: Sandbox, admin: httpx.Client
) -> None:
    """The default store has the skimmer block, the 4 CMS pages, admin roles and design config."""
    block = admin.get("/rest/V1/cmsBlock/1").json()
    assert "<script src=" in block["content"]
    pages = admin.get("/rest/V1/cmsPage/search", params={"searchCriteria[pageSize]": "10"}).json()
    assert pages["total_count"] == 4
    assert sandbox.inspect.config_value("design/head/includes", "default") is not None
    assert sandbox.inspect.config_value("payment/checkmo/active") == "1"
    assert {role.name for role in sandbox.state.admin_roles.values()} >= {"Administrators"}


def test_digest_proves_reads_change_nothing(sandbox: Sandbox, admin: httpx.Client) -> None:
    """Reads and failed writes leave the digest byte-identical; a real write changes it."""
    before = sandbox.inspect.digest()
    admin.get("/rest/V1/products", params={"searchCriteria[pageSize]": "5"})
    admin.get("/rest/V1/orders/1")
    admin.put("/rest/all/V1/products/NOPE", json={"product": {"status": 2}})
    assert sandbox.inspect.digest() == before
    admin.post("/rest/V1/orders/1/hold")
    assert sandbox.inspect.digest() != before


def test_extra_store_views_have_their_own_locale() -> None:
    """Each extra store view has a store-scoped locale that storeConfigs reports."""
    sandbox = Sandbox(store_views=3)
    with client_for(sandbox, sandbox.admin_token()) as admin:
        configs = admin.get("/rest/V1/store/storeConfigs").json()
    assert [(config["code"], config["locale"]) for config in configs] == [
        ("default", "en_US"),
        ("fr", "fr_FR"),
        ("de", "de_DE"),
    ]


def test_a_projected_order_is_the_whole_order_trimmed() -> None:
    """`keys` derives only some top-level fields; each equals the whole order's, in its order,
    for regular and card-testing (burst) orders alike."""
    sandbox = Sandbox(seed=5, customers=300, orders=400)
    orders = sandbox.state.orders
    for keys in (
        frozenset({"entity_id", "customer_email", "billing_address", "payment"}),
        frozenset({"entity_id", "extension_attributes", "created_at", "customer_id"}),
        frozenset({"items", "protect_code", "updated_at", "no_such_field"}),
        # Fields only the template sets, an amount, and a burst order's absent customer_id.
        frozenset({"base_currency_code", "customer_id", "grand_total", "store_id", "entity_id"}),
    ):
        for entity_id in (2, 77, 399, 401):  # 401: the last order, in the card-testing burst
            whole = orders.get(entity_id)
            part = orders.get(entity_id, keys)
            assert whole is not None
            assert part is not None
            trimmed = {key: value for key, value in whole.items() if key in keys}
            assert list(part.items()) == list(trimmed.items())
    # Only some of extension_attributes wanted: those are the same, the assignments not built.
    info = "extension_attributes.payment_additional_info"
    part = orders.get(77, frozenset({"extension_attributes", "extension_attributes.*", info}))
    whole = orders.get(77)
    assert part is not None
    assert whole is not None
    assert "shipping_assignments" not in part["extension_attributes"]
    assert (
        part["extension_attributes"]["payment_additional_info"]
        == (whole["extension_attributes"]["payment_additional_info"])
    )
    assert "customer_id" not in (orders.get(401, frozenset({"customer_id"})) or {"x": 1})
    # `payment[cc_last4]` names no amount: the payment holds the named field only, and the
    # other fields are the whole order's.
    card = frozenset({"entity_id", "created_at", "payment", "payment.*", "payment.cc_last4"})
    for entity_id in (77, 401):
        whole, part = orders.get(entity_id), orders.get(entity_id, card)
        assert whole is not None
        assert part is not None
        assert part["payment"] == {"cc_last4": whole["payment"]["cc_last4"]}
        assert list(part.items()) == [
            (key, part["payment"] if key == "payment" else value)
            for key, value in whole.items()
            if key in card
        ]


def test_a_trimmed_order_page_equals_the_whole_page_filtered() -> None:
    """A `?fields=items[...]` page of generated orders, filtered and sorted on fields it does not
    send, is the unfiltered page trimmed: the projection derives what filters read too."""
    sandbox = Sandbox(orders=200)
    params = {
        "searchCriteria[filter_groups][0][filters][0][field]": "customer_is_guest",
        "searchCriteria[filter_groups][0][filters][0][value]": "0",
        "searchCriteria[filter_groups][1][filters][0][field]": "created_at",
        "searchCriteria[filter_groups][1][filters][0][value]": "2000-01-01 00:00:00",
        "searchCriteria[filter_groups][1][filters][0][condition_type]": "gteq",
        "searchCriteria[sortOrders][0][field]": "grand_total",
        "searchCriteria[pageSize]": "30",
        "searchCriteria[currentPage]": "2",
    }
    fields = (
        "items[entity_id,customer_email,billing_address[city,region_code],payment[cc_last4],"
        "extension_attributes[payment_additional_info]]"
    )
    with client_for(sandbox, sandbox.admin_token()) as admin:
        whole = admin.get("/rest/V1/orders", params=params).json()
        trimmed = admin.get("/rest/V1/orders", params={**params, "fields": fields}).json()
    assert len(trimmed["items"]) == 30
    assert trimmed["items"] == [
        {
            "entity_id": item["entity_id"],
            "customer_email": item["customer_email"],
            "billing_address": {
                "city": item["billing_address"]["city"],
                "region_code": item["billing_address"]["region_code"],
            },
            "payment": {"cc_last4": item["payment"]["cc_last4"]},
            "extension_attributes": {
                "payment_additional_info": item["extension_attributes"]["payment_additional_info"]
            },
        }
        for item in whole["items"]
    ]
    assert "total_count" not in trimmed
