"""REST routes: store scopes, body rules, error shapes, async/bulk, sales/CMS/customer actions."""

from __future__ import annotations

import httpx
import pytest

from magento_ir.sandbox import Sandbox
from tests.sandbox.conftest import client_for


def test_store_view_override_trap(sandbox: Sandbox, admin: httpx.Client) -> None:
    """A save through /rest/V1 writes a store-1 override that still wins after a /rest/all save."""
    assert (
        admin.put("/rest/V1/products/IR-SKU-001", json={"product": {"status": 2}}).json()["status"]
        == 2
    )
    assert sandbox.inspect.product_status("IR-SKU-001") == {"admin": 1, "default": 2}
    assert admin.get("/rest/all/V1/products/IR-SKU-001").json()["status"] == 1
    admin.put(
        "/rest/all/V1/products/IR-SKU-001", json={"product": {"status": 1}}
    ).raise_for_status()
    assert admin.get("/rest/V1/products/IR-SKU-001").json()["status"] == 2
    assert sandbox.inspect.product_store_overrides("IR-SKU-001") == {"default": {"status": 2}}
    assert admin.get("/rest/V1/products/IR-SKU-001", params={"storeId": "0"}).json()["status"] == 1


def test_all_scope_save_disables_everywhere_without_override(
    sandbox: Sandbox, admin: httpx.Client
) -> None:
    """A /rest/all save changes the store-0 value that every store view without override sees."""
    response = admin.put(
        "/rest/all/V1/products/IR-SKU-030", json={"product": {"sku": "X", "status": 2}}
    )
    assert response.status_code == 200
    assert response.json()["sku"] == "IR-SKU-030"  # the URL's SKU wins over the body's
    assert "product_links" not in response.json()
    assert sandbox.inspect.product_status("IR-SKU-030") == {"admin": 2, "default": 2}


def test_store_codes_in_urls(admin: httpx.Client) -> None:
    """/rest/<code>/V1 selects a store view; an unknown (or `admin`, or wrongly cased) code stays in
    the path, which no request processor takes: 400, as measured on 2.4.7-p3."""
    assert admin.get("/rest/default/V1/products/IR-SKU-001").status_code == 200
    for code in ("nosuchstore", "admin", "DEFAULT"):
        missing = admin.get(f"/rest/{code}/V1/products/IR-SKU-001")
        assert (missing.status_code, missing.json()) == (
            400,
            {"message": "Specified request cannot be processed."},
        )
        assert "X-Frame-Options" not in missing.headers


def test_unknown_body_field_is_not_supported(admin: httpx.Client) -> None:
    """A field the data interface lacks is a 400 naming it in UpperCamelCase."""
    response = admin.put(
        "/rest/all/V1/products/IR-SKU-001", json={"product": {"store_id": 0, "status": 2}}
    )
    assert response.status_code == 400
    assert response.json() == {
        "message": '"%fieldName" is not supported. Correct the field name and try again.',
        "parameters": {"fieldName": "StoreId"},
    }


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        (None, "Content-Type header is empty."),
        ("application/json; charset=latin1", "UTF-8 is the only supported charset."),
        # Magento renders this one itself (no `parameters`).
        ("text/plain", "Server cannot understand Content-Type HTTP header media type text/plain"),
        ("application/json;;", "Content-Type header is invalid."),
    ],
)
def test_content_type_rules(sandbox: Sandbox, content_type: str | None, message: str) -> None:
    """POST/PUT bodies need a UTF-8 JSON Content-Type, checked as Magento's Request does."""
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    with client_for(sandbox) as client:
        response = client.put(
            "/rest/all/V1/products/IR-SKU-001", content=b'{"product":{"status":2}}', headers=headers
        )
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_production_mode_errors_have_no_trace(admin: httpx.Client) -> None:
    """Outside developer mode a decoding error is the short phrase and no `trace` key appears."""
    response = admin.post(
        "/rest/V1/products", content=b'{"product":', headers={"Content-Type": "application/json"}
    )
    assert response.json() == {"message": "Decoding error."}


def test_unsupported_verb_is_405(admin: httpx.Client) -> None:
    """Verbs outside GET/POST/PUT/DELETE get 405, the verb rendered into the message."""
    response = admin.request("PATCH", "/rest/V1/orders/1")
    assert response.status_code == 405
    assert response.json() == {"message": "The PATCH HTTP method is not supported."}


def test_not_found_shapes(admin: httpx.Client) -> None:
    """Unknown order/CMS ids use the repositories' own phrases and statuses."""
    order = admin.get("/rest/V1/orders/999")
    assert (order.status_code, order.json()["message"]) == (
        404,
        "The entity that was requested doesn't exist. Verify the entity and try again.",
    )
    block = admin.get("/rest/V1/cmsBlock/nope")
    assert block.json() == {
        "message": 'The CMS block with the "%1" ID doesn\'t exist.',
        "parameters": ["nope"],
    }
    typed = admin.get("/rest/V1/customers/abc")
    assert typed.status_code == 400


def test_async_operation_runs_when_the_consumer_runs(sandbox: Sandbox, admin: httpx.Client) -> None:
    """/async answers 202 with a bulk uuid; the operation stays open (4) until consumers run."""
    accepted = admin.post("/rest/default/async/V1/orders/1/hold")
    assert accepted.status_code == 202
    body = accepted.json()
    assert body["errors"] is False
    assert body["request_items"][0]["status"] == "accepted"
    status_path = f"/rest/V1/bulk/{body['bulk_uuid']}/status"
    open_operation = {"id": 0, "status": 4, "result_message": None, "error_code": None}
    assert admin.get(status_path).json()["operations_list"] == [open_operation]
    assert sandbox.run_consumers() == 1
    assert admin.get(status_path).json()["operations_list"] == [{**open_operation, "status": 1}]
    assert admin.get("/rest/V1/orders/1").json()["state"] == "holded"


def test_bulk_product_update_by_sku(sandbox: Sandbox, admin: httpx.Client) -> None:
    """/async/bulk takes an array of bodies; placeholders become `bySku`; failures are status 3."""
    bodies = [
        {"product": {"sku": "IR-SKU-001", "status": 2}},
        {"product": {"sku": "NO-SUCH-SKU", "status": 2, "name": "x"}},
    ]
    response = admin.put("/rest/all/async/bulk/V1/products/bySku", json=bodies)
    assert response.status_code == 202
    uuid = response.json()["bulk_uuid"]
    assert len(response.json()["request_items"]) == 2
    sandbox.run_consumers()
    statuses = admin.get(f"/rest/V1/bulk/{uuid}/status").json()["operations_list"]
    assert [item["status"] for item in statuses] == [1, 3]
    assert sandbox.inspect.product_status("IR-SKU-001")["admin"] == 2
    assert admin.get(f"/rest/V1/bulk/{uuid}/operation-status/3").json() == 1


def test_async_get_is_not_routed(admin: httpx.Client) -> None:
    """GET has no asynchronous variant: no request processor takes it (400); after /V1 the
    `async` is just a route segment (404)."""
    assert admin.get("/rest/V1/async/V1/orders/1").status_code == 404
    assert admin.get("/rest/default/async/V1/orders/1").status_code == 400
    assert admin.get("/rest/async/bulk/V1/orders/1").status_code == 400


def test_order_hold_unhold_cancel_rules(admin: httpx.Client) -> None:
    """Hold twice is refused, cancel of a held order answers `false`, unhold restores the state."""
    assert admin.post("/rest/V1/orders/1/hold").json() is True
    again = admin.post("/rest/V1/orders/1/hold")
    assert (again.status_code, again.json()["message"]) == (400, "A hold action is not available.")
    assert admin.post("/rest/V1/orders/1/cancel").json() is False
    assert admin.post("/rest/V1/orders/1/unhold").json() is True
    assert admin.get("/rest/V1/orders/1/statuses").json() == "pending"
    assert admin.post("/rest/V1/orders/1/unhold").json()["message"] == "You cannot remove the hold."
    assert admin.post("/rest/V1/orders/1/cancel").json() is True
    assert admin.get("/rest/V1/orders/1").json()["state"] == "canceled"


def test_order_comments(admin: httpx.Client) -> None:
    """Comments are added (status must belong to the state) and listed newest first."""
    bad = admin.post(
        "/rest/V1/orders/1/comments", json={"statusHistory": {"comment": "x", "status": "complete"}}
    )
    assert bad.status_code == 400
    note = {"statusHistory": {"comment": "IR: hold for review", "is_customer_notified": 0}}
    assert admin.post("/rest/V1/orders/1/comments", json=note).json() is True
    listed = admin.get("/rest/V1/orders/1/comments").json()
    assert [item["comment"] for item in listed["items"]] == ["IR: hold for review"]


def test_cms_block_save_resets_store_assignment(sandbox: Sandbox, admin: httpx.Client) -> None:
    """A block saved through /rest/V1 becomes store-1 only; through /rest/all it stays global."""
    admin.put("/rest/V1/cmsBlock/1", json={"block": {"active": False}}).raise_for_status()
    assert sandbox.state.cms_block_stores[1] == [1]
    saved = admin.put("/rest/all/V1/cmsBlock/1", json={"block": {"content": "<p>clean</p>"}}).json()
    assert saved["content"] == "<p>clean</p>"
    assert saved["active"] is False
    assert sandbox.state.cms_block_stores[1] == [0]
    assert admin.get("/rest/V1/cmsBlock/footer-promo").json()["id"] == 1
    assert admin.get("/rest/V1/cmsBlock/FOOTER-PROMO").json()["id"] == 1


def test_cms_page_save_and_get(admin: httpx.Client) -> None:
    """Pages are saved partially and read back by id; without its identifier a page gets one
    from its title, which the home page (the configuration's) refuses."""
    page = {"identifier": "home", "active": False}
    admin.put("/rest/V1/cmsPage/2", json={"page": page}).raise_for_status()
    assert admin.get("/rest/V1/cmsPage/2").json()["active"] is False
    refused = admin.put("/rest/V1/cmsPage/2", json={"page": {"active": True}})
    assert refused.json() == {
        "message": "Could not save the page: %1",
        "parameters": ['This identifier is reserved for "CMS Home Page" in configuration.'],
    }


def test_password_reset_email(sandbox: Sandbox, anonymous: httpx.Client) -> None:
    """The reset e-mail route sends mail, refuses unknown e-mails (404) and bad templates (400)."""
    body = {"email": "ir.customer02@example.com", "template": "email_reset", "websiteId": 1}
    assert anonymous.put("/rest/V1/customers/password", json=body).json() is True
    assert sandbox.inspect.sent_emails()[0]["template"] == "email_reset"
    unknown = anonymous.put("/rest/V1/customers/password", json={**body, "email": "x@example.com"})
    assert unknown.status_code == 404
    assert unknown.json()["parameters"]["field2Name"] == "websiteId"
    template = anonymous.put("/rest/V1/customers/password", json={**body, "template": "bogus"})
    assert template.status_code == 400


def test_password_reset_and_change_cut_sessions(
    sandbox: Sandbox, anonymous: httpx.Client, clock
) -> None:
    """Resetting or changing a password sets the customer's session cut-off (JWTs live on)."""
    body = {"email": "ir.customer02@example.com", "template": "email_reset", "websiteId": 1}
    anonymous.put("/rest/V1/customers/password", json=body).raise_for_status()
    token = sandbox.state.password_reset_tokens[4]
    reset = {
        "email": "ir.customer02@example.com",
        "resetToken": token,
        "newPassword": "N3w-Passw0rd",
    }
    assert anonymous.post("/rest/V1/customers/resetPassword", json=reset).json() is True
    assert sandbox.state.customer_session_cutoff[4] == clock.now
    login = {"username": "ir.customer02@example.com", "password": "N3w-Passw0rd"}
    jwt = anonymous.post("/rest/V1/integration/customer/token", json=login).json()
    with client_for(sandbox, jwt) as customer:
        wrong = customer.put(
            "/rest/V1/customers/me/password", json={"currentPassword": "x", "newPassword": "y"}
        )
        assert wrong.status_code == 401
        change = {"currentPassword": "N3w-Passw0rd", "newPassword": "Other-Passw0rd"}
        assert customer.put("/rest/V1/customers/me/password", json=change).json() is True


def test_customer_save_and_delete(sandbox: Sandbox, admin: httpx.Client) -> None:
    """A customer save needs email/firstname/lastname; deleting revokes the customer's tokens."""
    partial = admin.put("/rest/V1/customers/3", json={"customer": {"firstname": "A"}})
    assert partial.json()["parameters"] == {"fieldName": "lastname"}
    full = {
        "customer": {
            "email": "ir.customer01@example.com",
            "firstname": "Ann",
            "lastname": "Lee",
            "website_id": 1,
        }
    }
    assert admin.put("/rest/V1/customers/3", json=full).json()["firstname"] == "Ann"
    token = sandbox.customer_token("ir.customer01@example.com")
    assert admin.delete("/rest/V1/customers/3").json() is True
    assert admin.get("/rest/V1/customers/3").status_code == 404
    with client_for(sandbox, token) as customer:
        assert customer.get("/rest/V1/customers/me").status_code == 401


def test_store_inventory_routes(admin: httpx.Client) -> None:
    """Store views (admin last, as a real 2.4.7-p3 lists them), groups and configs list the
    scopes; storeCodes filters configs."""
    views = admin.get("/rest/V1/store/storeViews").json()
    assert [view["code"] for view in views] == ["default", "admin"]
    assert admin.get("/rest/V1/store/storeGroups").json()[1]["code"] == "main_website_store"
    configs = admin.get("/rest/V1/store/storeConfigs", params={"storeCodes[0]": "nope"}).json()
    assert configs == []


def test_product_create_delete_and_websites(admin: httpx.Client) -> None:
    """POST creates a product, website links are added and removed, DELETE removes it."""
    created = admin.post(
        "/rest/V1/products",
        json={"product": {"sku": "NEW-1", "name": "New", "price": 3, "attribute_set_id": 4}},
    )
    assert created.status_code == 200
    assert created.json()["id"] == 34
    link = {"productWebsiteLink": {"sku": "NEW-1", "website_id": 1}}
    assert admin.post("/rest/V1/products/NEW-1/websites", json=link).json() is True
    assert admin.delete("/rest/V1/products/NEW-1/websites/1").json() is True
    assert admin.get("/rest/V1/products/NEW-1").json()["extension_attributes"]["website_ids"] == []
    assert admin.delete("/rest/V1/products/NEW-1").json() is True
    assert admin.get("/rest/V1/products/NEW-1").status_code == 404


def test_maintenance_mode_blocks_rest_unless_allow_listed(
    sandbox: Sandbox, admin: httpx.Client
) -> None:
    """With the maintenance flag every REST call gets the 503 HTML page unless the IP is allowed."""
    with sandbox.lock:
        sandbox.state.maintenance = True
    response = admin.get("/rest/V1/orders/1")
    assert response.status_code == 503
    assert "Service Temporarily Unavailable" in response.text
    assert response.headers["Content-Type"].startswith("text/html")
    with sandbox.lock:
        sandbox.state.maintenance_ips = ("127.0.0.1",)
    assert admin.get("/rest/V1/orders/1").status_code == 200
    elsewhere = sandbox.transport(client_ip="198.51.100.9")
    with httpx.Client(transport=elsewhere, base_url="http://magento.test") as outsider:
        assert outsider.get("/rest/V1/orders/1").status_code == 503


def test_maintenance_mode_in_developer_mode_answers_the_exception_as_text() -> None:
    """Developer mode prints Bootstrap's exception as a plain-text 500 instead of the 503 page,
    as the real test store does (tests/contract: full maintenance)."""
    sandbox = Sandbox(developer_mode=True)
    with sandbox.lock:
        sandbox.state.maintenance = True
    with httpx.Client(transport=sandbox.transport(), base_url="http://magento.test") as client:
        for path in ("/", "/rest/V1/store/storeConfigs"):
            response = client.get(path)
            assert response.status_code == 500
            assert response.headers["Content-Type"] == "text/plain;charset=UTF-8"
            assert response.text.startswith(
                "1 exception(s):\nException #0 (Exception): Unable to proceed: the maintenance "
                "mode is enabled. \n"
            )


def test_request_counts_per_route(sandbox: Sandbox, admin: httpx.Client) -> None:
    """Inspection counts requests per route pattern, unmatched ones included."""
    admin.get("/rest/V1/orders/1")
    admin.get("/rest/V1/orders/1")
    admin.get("/rest/V1/nothing")
    counts = sandbox.inspect.request_counts()
    assert counts["GET /V1/orders/:id"] == 2
    assert counts["GET (no route)"] == 1


def test_fields_filter_trims_the_response(admin: httpx.Client) -> None:
    """`?fields=items[sku,extension_attributes[website_ids]],total_count` keeps only those keys."""
    response = admin.get(
        "/rest/V1/products",
        params={
            "searchCriteria[pageSize]": "2",
            "fields": "items[sku,extension_attributes[website_ids]],total_count",
        },
    )
    assert response.json() == {
        "items": [
            {"sku": "TEST-SKU-1", "extension_attributes": {"website_ids": [1]}},
            {"sku": "TEST-SKU-2", "extension_attributes": {"website_ids": [1]}},
        ],
        "total_count": 33,
    }
    single = admin.get("/rest/V1/orders/1", params={"fields": "entity_id,state"}).json()
    assert single == {"entity_id": 1, "state": "new"}
    unfiltered = admin.get("/rest/V1/orders/1", params={"fields": "items[sku"}).json()
    assert "customer_email" in unfiltered


def test_bulk_items_with_bad_input_are_rejected_up_front(
    sandbox: Sandbox, admin: httpx.Client
) -> None:
    """An item Magento cannot deserialise refuses the whole bulk request with that item's 400
    (as a real 2.4.7-p3 does): nothing is queued."""
    bodies = [
        {"product": {"sku": "IR-SKU-001", "status": 2}},
        {"product": {"sku": "IR-SKU-002", "store_id": 1}},
    ]
    response = admin.put("/rest/all/async/bulk/V1/products/bySku", json=bodies)
    assert (response.status_code, response.json()) == (
        400,
        {
            "message": '"%fieldName" is not supported. Correct the field name and try again.',
            "parameters": {"fieldName": "StoreId"},
        },
    )
    assert sandbox.state.bulks == {}


def test_bulk_topics_are_named_after_the_service_method(admin: httpx.Client) -> None:
    """The topic (and the bulk's description) name the route's service method, lower-cased."""
    body = admin.put(
        "/rest/all/async/bulk/V1/products/bySku",
        json=[{"product": {"sku": "IR-SKU-001", "status": 1}}],
    ).json()
    detailed = admin.get(f"/rest/V1/bulk/{body['bulk_uuid']}/detailed-status").json()
    topic = "async.magento.catalog.api.productrepositoryinterface.save.put"
    assert detailed["operations_list"][0]["topic_name"] == topic
    assert detailed["description"] == f"Topic {topic}"


def test_sku_lookup_is_case_insensitive(admin: httpx.Client) -> None:
    """Like MySQL's collation behind getIdBySku, `ir-sku-001` finds `IR-SKU-001`."""
    assert admin.get("/rest/V1/products/ir-sku-001").json()["sku"] == "IR-SKU-001"
    big = Sandbox(products=5)
    assert big.state.product_id_for_sku("sb000002") == 35


def test_product_save_applies_website_ids_and_stock(admin: httpx.Client) -> None:
    """`extension_attributes.website_ids` and `stock_item.qty` in a product save are applied."""
    body = {"product": {"extension_attributes": {"website_ids": [], "stock_item": {"qty": 0}}}}
    saved = admin.put("/rest/all/V1/products/IR-SKU-003", json=body).json()
    assert saved["extension_attributes"]["website_ids"] == []
    assert saved["extension_attributes"]["stock_item"]["is_in_stock"] is False
