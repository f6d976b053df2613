"""Exposure assessment of a checkout skimmer: who paid by card in the window, where they live."""

import asyncio
import gc
import json
from datetime import UTC, date, datetime

import httpx
import pytest

from magento_ir import (
    AsyncMagentoClient,
    BearerToken,
    InvalidArgumentError,
    MagentoClient,
    SearchCriteria,
    UnexpectedResponseError,
)
from magento_ir.models import Order
from magento_ir.notify import Facts, plan, shipped_rules
from magento_ir.notify.exposure import (
    ACL_READS,
    SKIMMER_CATEGORIES,
    CustomerSelection,
    ExposureCounter,
    RecipientKey,
    _skimmer_criteria,
    aadmin_exposure,
    admin_exposure,
    admin_reads,
    aorder_rows,
    askimmer_exposure,
    customer_exposure,
    jurisdiction_of,
    order_rows,
    skimmer_exposure,
    skimmer_orders,
    skimmer_rows,
)
from magento_ir.testing import SandboxStore

KEY = RecipientKey(b"0123456789abcdef")


def order(entity_id: int, email: str | None, country: str | None, region: str | None, **payment):
    data: dict = {"entity_id": entity_id, "customer_email": email, "payment": payment}
    if country is not None:
        data["billing_address"] = {"country_id": country, "region_code": region}
    return Order.model_validate(data)


@pytest.mark.parametrize(
    ("country", "region", "expected"),
    [
        ("US", "CA", "US-CA"),
        ("ca", "qc", "CA-QC"),
        ("AU", "NSW", "AU-NSW"),
        ("DE", "BE", "DE"),
        ("US", None, "US"),
        (None, "CA", None),
    ],
)
def test_jurisdiction_of(country, region, expected):
    """States and provinces only where laws differ by them; the country elsewhere."""
    assert jurisdiction_of(country, region) == expected


def test_counts_card_paid_people_per_jurisdiction():
    """Card orders count once per person per jurisdiction; other payments and no address do not."""
    orders = [
        order(1, "a@example.com", "US", "CA", cc_type="VI", cc_last4="1111"),
        order(2, "A@example.com ", "US", "CA", cc_type="VI", cc_last4="1111"),
        order(3, "b@example.com", "US", "TX", cc_last4="2222"),
        order(4, "c@example.com", "DE", None, cc_type="MC"),
        order(5, "d@example.com", "US", "CA", method="checkmo"),
        order(6, "e@example.com", None, None, cc_type="AE"),
        order(7, None, "US", "TX", cc_last4="3333"),
    ]
    exposure = skimmer_exposure(orders, key=KEY)
    assert {(g.jurisdiction, g.count) for g in exposure.groups} == {
        ("DE", 1),
        ("US-CA", 1),
        ("US-TX", 2),
    }
    assert all(g.categories == SKIMMER_CATEGORIES for g in exposure.groups)
    assert exposure.card_schemes == {"visa", "mastercard", "amex"}
    assert (exposure.records, exposure.unplaced) == (6, 1)
    # Counts only: no e-mail address survives in the result.
    assert "example.com" not in repr(exposure)


def test_card_type_from_payment_additional_info():
    """Braintree keeps the card type in payment_additional_info, not in payment.cc_type."""
    paid = Order.model_validate(
        {
            "entity_id": 1,
            "customer_email": "a@example.com",
            "billing_address": {"country_id": "US", "region_code": "TX"},
            "payment": {"method": "braintree"},
            "extension_attributes": {
                "payment_additional_info": [
                    {"key": "method_title", "value": "Credit Card (Braintree)"},
                    {"key": "cc_type", "value": "MC"},
                ]
            },
        }
    )
    assert skimmer_exposure([paid], key=KEY).card_schemes == {"mastercard"}


def test_window_times_must_be_aware(magento_sandbox: SandboxStore):
    """A naive window bound is refused before any request."""
    with magento_sandbox.client() as client, pytest.raises(InvalidArgumentError):
        skimmer_orders(client, datetime(2026, 1, 1), datetime(2026, 2, 1, tzinfo=UTC))  # noqa: DTZ001


@pytest.mark.magento_sandbox(orders=40)
def test_skimmer_on_the_sandbox_plans_obligations(magento_sandbox: SandboxStore):
    """From the store's orders to Texas and Colorado notices and the card scheme's deadlines."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    end = datetime(2100, 1, 1, tzinfo=UTC)
    with magento_sandbox.client() as client:
        exposure = skimmer_exposure(skimmer_orders(client, start, end), key=KEY)
    # The 40 generated orders are Braintree card payments; the seeded order 1 is a money order.
    assert exposure.records == 40
    assert {g.jurisdiction for g in exposure.groups} == {"US-TX", "US-CO"}
    assert exposure.card_schemes <= {"visa", "mastercard", "amex"}
    aware = datetime(2026, 6, 1, 16, tzinfo=UTC)
    facts = Facts(
        clock={"awareness": aware, "discovery": aware, "determination": aware},
        affected=exposure.groups,
        card_schemes=exposure.card_schemes,
        merchant_country="US",
    )
    first = plan(facts, shipped_rules(), as_of=date(2026, 6, 2))
    # Colorado's no-misuse exception is a question until a person answers it; Texas has none.
    assert "us-co/no-harm" in {q.question_id for q in first.questions}
    assert "us-co/individuals" not in {o.key for o in first.obligations}
    answered = facts.model_copy(update={"answers": {"us-co/no-harm": False}})
    keys = {o.key for o in plan(answered, shipped_rules(), as_of=date(2026, 6, 2)).obligations}
    assert {"us-tx/individuals", "us-co/individuals"} <= keys
    assert ("visa/incident-report" in keys) == ("visa" in exposure.card_schemes)


# --- the pseudonymised recipient list ---------------------------------------------------------
def test_recipients_are_pseudonyms_and_addresses_only_for_mailed_notices():
    """HMAC of the e-mail under the incident's key; a postal address only where mailed."""
    orders = [
        order(1, "a@example.com", "US", "CA", cc_type="VI"),
        order(2, "b@example.com", "DE", None, cc_type="VI"),
        order(3, None, "US", "TX", cc_type="VI"),
    ]
    exposure = skimmer_exposure(orders, key=KEY, mail_to=frozenset({"DE"}))
    by_place = {r.jurisdiction: r for r in exposure.recipients}
    assert by_place["US-CA"].pseudonym == KEY.pseudonym(" A@Example.com")
    other = RecipientKey(b"another key of 16")
    assert by_place["US-CA"].pseudonym != other.pseudonym("a@example.com")
    assert by_place["US-CA"].address is None
    # Mailed: a jurisdiction notified by post, and a buyer without an e-mail address.
    assert by_place["DE"].address is not None
    assert by_place["US-TX"].no_email
    assert by_place["US-TX"].address is not None
    assert "example.com" not in repr(exposure.recipients)
    assert exposure.by_country() == {"DE": 1, "US": 2}
    assert exposure.by_category()["payment_card.pan"] == 3
    assert (exposure.people, exposure.eea_people) == (3, 1)


def test_recipient_key_is_never_shown_and_must_be_long_enough():
    key = RecipientKey.generate()
    assert key.hex() not in repr(key)
    assert RecipientKey.from_hex(key.hex()).pseudonym("x@y") == key.pseudonym("x@y")
    with pytest.raises(InvalidArgumentError, match="16 bytes"):
        RecipientKey(b"short")
    with pytest.raises(InvalidArgumentError, match="hex"):
        RecipientKey.from_hex("not hex")


@pytest.mark.anyio
async def test_async_skimmer_assessment_equals_the_sync_one(magento_sandbox: SandboxStore):
    """Both clients count the same people (pages of trimmed orders)."""
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    with magento_sandbox.client() as client:
        sync = skimmer_exposure(skimmer_orders(client, *window), key=KEY)
    async with magento_sandbox.async_client() as client:
        other = await askimmer_exposure(client, *window, key=KEY)
    assert other == sync


@pytest.mark.magento_sandbox(orders=450)
def test_lean_rows_count_as_the_order_models_and_keep_only_what_is_read(
    magento_sandbox: SandboxStore,
):
    """`skimmer_rows` (3 keyset pages) counts the same people as the full models, and a row holds
    only the fields the assessment reads (nothing else of the order is kept)."""
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    with magento_sandbox.client() as client:
        rows = list(skimmer_rows(client, *window))
        models = skimmer_exposure(skimmer_orders(client, *window), key=KEY)
    assert len(rows) == 451  # the seeded order and 450 generated ones
    assert skimmer_exposure(rows, key=KEY) == models
    assert models.records == 450
    assert {key for row in rows for key in row} <= {
        "entity_id", "customer_id", "customer_email", "billing_address", "payment",
        "extension_attributes",
    }  # fmt: skip
    assert set(rows[-1]["billing_address"] or {}) <= {
        "firstname", "lastname", "street", "city", "region", "region_code", "postcode",
        "country_id",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({"entity_id": "twelve"}, "items.0.entity_id"),
        ({"entity_id": 12, "billing_address": "Austin"}, "items.0.billing_address"),
        ({"entity_id": 12, "payment": {"cc_type": 4}}, "items.0.payment.cc_type"),
    ],
)
def test_a_malformed_order_row_is_a_typed_error_naming_it(item, where):
    """An extension's odd output is an UnexpectedResponseError naming the field, not a crash."""

    def store(_request: httpx.Request) -> httpx.Response:
        body = {"items": [item], "search_criteria": {}, "total_count": 1}
        return httpx.Response(200, json=body)

    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    transport = httpx.MockTransport(store)
    with (
        MagentoClient("https://shop.example", auth=BearerToken("t"), transport=transport) as client,
        pytest.raises(UnexpectedResponseError, match=f"page of orders: {where}:"),
    ):
        list(skimmer_rows(client, *window))


def test_a_malformed_page_ahead_is_raised_where_the_rows_reach_it():
    """The next page is fetched while this one is read; its error surfaces after this page's
    rows, as the same typed error; a caller stopping early leaves no request behind."""

    def store(request: httpx.Request) -> httpx.Response:
        keyset = any(value == "gt" for _, value in request.url.params.multi_items())
        if not keyset:
            body = {
                "items": [{"entity_id": 7, "customer_email": "a@example.com"}],
                "total_count": 2,
            }
        else:
            body = {"items": [{"entity_id": [8]}], "total_count": 1}
        return httpx.Response(200, json=body)

    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    transport = httpx.MockTransport(store)
    with MagentoClient("https://shop.example", auth=BearerToken("t"), transport=transport) as c:
        rows = skimmer_rows(c, *window)
        assert next(rows)["customer_email"] == "a@example.com"
        with pytest.raises(UnexpectedResponseError, match=r"items\.0\.entity_id"):
            next(rows)
        assert gc.isenabled()  # paused only while a page is decoded, even when it does not fit
        early = skimmer_rows(c, *window)
        assert next(early)["entity_id"] == 7
        early.close()


def test_an_empty_trimmed_page_ends_the_rows():
    """Magento answers an empty trimmed page with `"items": null`: no rows, no error."""
    pages = []

    def store(request: httpx.Request) -> httpx.Response:
        pages.append(request.url.params)
        return httpx.Response(200, content=json.dumps({"items": None, "total_count": 0}))

    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    transport = httpx.MockTransport(store)
    with MagentoClient("https://shop.example", auth=BearerToken("t"), transport=transport) as c:
        assert list(skimmer_rows(c, *window)) == []
    assert len(pages) == 1


def _uneven_store(ids: list[int], seen: list[dict[str, str]]):
    """A store of orders with these ids that answers keyset pages (`entity_id` gt / lteq, by id
    ascending or descending, `pageSize`) as Magento does, recording each request's params."""

    def store(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params.multi_items())
        seen.append(params)
        matching = ids
        for name, value in params.items():
            field = params.get(name.replace("[condition_type]", "[field]"))
            if name.endswith("[condition_type]") and field == "entity_id":
                bound = int(params[name.replace("[condition_type]", "[value]")])
                if value == "gt":
                    matching = [i for i in matching if i > bound]
                elif value == "lteq":
                    matching = [i for i in matching if i <= bound]
        if params.get("searchCriteria[sortOrders][0][direction]") == "DESC":
            matching = matching[::-1]
        size = int(params["searchCriteria[pageSize]"])
        items = [{"entity_id": i, "customer_email": f"c{i}@example.com"} for i in matching[:size]]
        return httpx.Response(200, json={"items": items or None, "total_count": len(matching)})

    return store


# Dense, then sparse, then one far id: some spans hold several pages, some none.
UNEVEN = [*range(1, 50), *range(1000, 2500), 10_000]


def test_pages_in_flight_yield_every_row_once_in_id_order():
    """After the first page the ids up to the newest are read as spans, several at once; the
    rows still come once each in id order, however unevenly the ids spread (a span holding
    several pages goes on by keyset within it, an empty one costs one request)."""
    seen: list[dict[str, str]] = []
    transport = httpx.MockTransport(_uneven_store(UNEVEN, seen))
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    with MagentoClient("https://shop.example", auth=BearerToken("t"), transport=transport) as c:
        ids = [row["entity_id"] for row in skimmer_rows(c, *window)]
    assert ids == UNEVEN
    assert {p["searchCriteria[pageSize]"] for p in seen} == {"300", "1"}  # pages, the newest
    bounded = [p for p in seen if "lteq" in p.values() and "gt" in p.values()]
    assert len(bounded) >= 4  # spans with an upper bound besides the open last one


@pytest.mark.anyio
@pytest.mark.parametrize("ids", [UNEVEN, list(range(1, 302)), [5]])
async def test_async_pages_in_flight_match_the_sync_rows(ids):
    """`aorder_rows` (via `askimmer_exposure`'s reader) yields what `order_rows` does."""
    transport = httpx.MockTransport(_uneven_store(ids, []))
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    criteria = _skimmer_criteria(*window)
    async with AsyncMagentoClient(
        "https://shop.example", auth=BearerToken("t"), transport=transport
    ) as client:
        rows = [row["entity_id"] async for row in aorder_rows(client, criteria)]
    with MagentoClient("https://shop.example", auth=BearerToken("t"), transport=transport) as c:
        assert [row["entity_id"] for row in order_rows(c, criteria)] == rows == ids


@pytest.mark.anyio
async def test_async_pages_in_flight_stop_with_the_caller():
    """A caller stopping early cancels the pages ahead (no task left running)."""
    transport = httpx.MockTransport(_uneven_store(UNEVEN, []))
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    before = asyncio.all_tasks()
    async with AsyncMagentoClient(
        "https://shop.example", auth=BearerToken("t"), transport=transport
    ) as client:
        rows = aorder_rows(client, _skimmer_criteria(*window))
        assert [await anext(rows) for _ in range(301)][-1]["entity_id"] == 1251
        assert asyncio.all_tasks() - before  # a span ahead is still being fetched
        await rows.aclose()
        for _ in range(3):
            await asyncio.sleep(0)
    assert asyncio.all_tasks() - before == set()


@pytest.mark.magento_sandbox(orders=1200)
def test_pages_in_flight_read_the_sandbox_as_one_keyset_walk(magento_sandbox: SandboxStore):
    """Over the sandbox (bounded spans filtered by id on top of the window), the rows are the
    orders a plain keyset walk reads, in the same order."""
    window = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    with magento_sandbox.client() as client:
        walked = [
            o.entity_id for o in client.orders.iterate(_skimmer_criteria(*window), keyset=True)
        ]
        rows = [row["entity_id"] for row in skimmer_rows(client, *window)]
    assert rows == walked
    assert len(rows) == 1201


# --- customer data exfiltration ---------------------------------------------------------------
def _new_customer(client, email: str, **fields) -> int:
    answer = client.request(
        "POST",
        "/V1/customers",
        json={"customer": {"email": email, "firstname": "New", "lastname": "Person", **fields}},
    )
    return int(answer["id"])


def _address(country: str, region: str | None = None) -> dict:
    address = {
        "firstname": "New",
        "lastname": "Person",
        "street": ["1 Main St"],
        "city": "Town",
        "postcode": "12345",
        "country_id": country,
        "default_billing": True,
    }
    if region:
        address["region"] = {"region_code": region, "region": region}
    return address


@pytest.mark.magento_sandbox(customers=5)
def test_customer_exposure_counts_the_selected_customers(magento_sandbox: SandboxStore):
    """Per jurisdiction and category; the record's tax/VAT number and a minor's birth date
    add their categories."""
    with magento_sandbox.client() as client:
        first = _new_customer(client, "de@example.org", addresses=[_address("DE")])
        _new_customer(
            client, "ca@example.org", taxvat="123-45-6789", addresses=[_address("US", "CA")]
        )
        _new_customer(client, "kid@example.org", dob="2014-05-01", addresses=[_address("US", "CA")])
        selection = CustomerSelection(id_from=first, categories=frozenset({"contact"}))
        exposure = customer_exposure(client, selection, key=KEY, as_of=date(2026, 12, 1))
    assert exposure.records == 3
    assert exposure.by_jurisdiction() == {"DE": 1, "US-CA": 2}
    assert exposure.by_category() == {
        "contact": 3,
        "government_id.tax_id": 1,
        "minors": 1,
    }
    assert selection.describe() == f"ids from {first}"
    assert CustomerSelection().describe() == "all customers"


@pytest.mark.magento_sandbox(customers=30, orders=40)
def test_customers_without_an_address_are_placed_by_their_newest_order(
    magento_sandbox: SandboxStore,
):
    """Generated accounts keep no address book: their orders' billing address places them."""
    with magento_sandbox.client() as client:
        exposure = customer_exposure(client, CustomerSelection(), key=KEY, as_of=date(2026, 12, 1))
        buyers = {
            o.customer_id
            for o in client.orders.iterate(SearchCriteria().where("customer_id", "notnull"))
        } & {c.id for c in client.customers.iterate()}
    assert exposure.records == 42  # 12 seeded + 30 generated
    assert exposure.people == len(buyers)
    assert exposure.people + exposure.unplaced == exposure.records
    assert set(exposure.by_jurisdiction()) <= {"US-TX", "US-CO"}


def test_customer_selection_refuses_unknown_categories():
    with pytest.raises(InvalidArgumentError, match="unknown data category 'ssn'"):
        CustomerSelection(categories=frozenset({"ssn"}))


# --- admin compromise ---------------------------------------------------------------------------
def test_admin_reads_map_acl_resources_to_populations():
    reads = admin_reads(["Magento_Backend::admin", "Magento_Customer::customer"])
    assert {r.population for r in reads.values()} == {"customers"}
    assert set(admin_reads(["Magento_Backend::all"])) == set(ACL_READS)
    assert admin_reads(["Magento_Backend::admin"]) == {}


def _role(sandbox: SandboxStore, username: str) -> frozenset[str]:
    # What a responder copies from System > Permissions > User Roles > Role Resources.
    state = sandbox.sandbox.state
    user = next(u for u in state.admin_users.values() if u.username == username)
    return state.admin_roles[user.role_id].resources


@pytest.mark.magento_sandbox(customers=20, orders=30, with_module=True)
def test_admin_exposure_of_the_support_role(magento_sandbox: SandboxStore):
    """`support` reads customers and orders: their buyers and account holders are counted."""
    with magento_sandbox.client() as client:
        exposure = admin_exposure(
            client,
            "support",
            _role(magento_sandbox, "support"),
            key=KEY,
            as_of=date(2026, 12, 1),
            merchant_country="US",
        )
    assert exposure.kind == "admin_compromise"
    assert set(exposure.by_jurisdiction()) <= {"US-TX", "US-CO", "US"}
    assert exposure.people > 0
    assert exposure.by_category() == {"contact": exposure.people}
    assert "Customer Support" in exposure.notes[0]


@pytest.mark.anyio
@pytest.mark.magento_sandbox(customers=5, orders=10, with_module=True)
async def test_admin_exposure_of_a_catalog_role_reads_nobody(magento_sandbox: SandboxStore):
    """A catalog role reads no personal data, but the notes say a planted script is a skimmer."""
    async with magento_sandbox.async_client() as client:
        exposure = await aadmin_exposure(
            client,
            "catalog",
            _role(magento_sandbox, "catalog"),
            key=KEY,
            as_of=date(2026, 12, 1),
            merchant_country="US",
        )
        with pytest.raises(InvalidArgumentError, match=r"no admin user 'nobody'.*catalog"):
            await aadmin_exposure(
                client, "nobody", [], key=KEY, as_of=date(2026, 12, 1), merchant_country="US"
            )
    assert exposure.groups == ()
    assert any("skimmer" in note for note in exposure.notes)


@pytest.mark.magento_sandbox(customers=3, orders=5, with_module=True)
def test_admin_users_are_counted_as_employees(magento_sandbox: SandboxStore):
    with magento_sandbox.client() as client:
        exposure = admin_exposure(
            client,
            "admin",
            ["Magento_User::acl_users"],
            key=KEY,
            as_of=date(2026, 12, 1),
            merchant_country="US",
        )
    assert [(g.jurisdiction, g.count, g.employees) for g in exposure.groups] == [("US", 3, True)]


def test_recipients_are_lean_and_share_what_they_have_in_common():
    """A million people fit in memory: equal category sets and jurisdictions are one object each,
    the pseudonym is kept as 32 raw bytes, and what the list says is unchanged."""
    counter = ExposureCounter("customer_data", KEY)
    for n in range(3):
        counter.add(
            identity=f"p{n}@example.org",
            fallback=f"customer:{n}",
            jurisdiction=jurisdiction_of("us", "ca"),  # a new string object each time
            categories=["contact", "account_credentials"],
        )
    first, second, third = counter.result().recipients
    assert first.categories is second.categories is third.categories
    assert first.jurisdiction is second.jurisdiction is third.jurisdiction
    assert len(first.digest) == 32
    assert first.pseudonym == first.digest.hex()
    assert {r.pseudonym for r in (first, second, third)} == {
        KEY.pseudonym(f"p{n}@example.org") for n in range(3)
    }
    assert not hasattr(first, "__dict__")
