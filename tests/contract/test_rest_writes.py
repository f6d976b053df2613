"""The write routes the SDK wraps: each change is read back and put back as it was found."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.conftest import EMAILS, NOBODY_EMAIL, Api, error_of

NOT_SUPPORTED = '"%fieldName" is not supported. Correct the field name and try again.'


def put(api: Api, path: str, body: dict[str, Any], store: str | None = None) -> Any:
    response = api.request("PUT", path, json=body, store=store)
    assert response.status_code == 200, response.text
    return response.json()


def test_product_disable_and_enable_at_global_scope(api: Api) -> None:
    """PUT /rest/all/V1/products/:sku status 2 answers the full product (without links and tier
    prices) and reads back disabled; status 1 puts it back."""
    try:
        disabled = put(
            api, "/V1/products/IR-SKU-029", {"product": {"sku": "IR-SKU-029", "status": 2}}, "all"
        )
        assert disabled["status"] == 2
        assert "product_links" not in disabled
        assert "tier_prices" not in disabled
        assert api.get("/V1/products/IR-SKU-029").json()["status"] == 2
    finally:
        enabled = put(
            api, "/V1/products/IR-SKU-029", {"product": {"sku": "IR-SKU-029", "status": 1}}, "all"
        )
    assert enabled["status"] == 1
    assert api.get("/V1/products/IR-SKU-029").json()["status"] == 1


@pytest.mark.parametrize(
    ("field", "named"),
    [("store_id", "StoreId"), ("no_such_field", "NoSuchField"), ("websiteIds", "WebsiteIds")],
)
def test_product_field_the_interface_lacks(api: Api, field: str, named: str) -> None:
    """A body field ProductInterface lacks: 400 naming it in UpperCamelCase; nothing saved."""
    response = api.request(
        "PUT",
        "/V1/products/IR-SKU-001",
        json={"product": {"sku": "IR-SKU-001", field: 2}},
        store="all",
    )
    assert error_of(response) == (
        400,
        {"message": NOT_SUPPORTED, "parameters": {"fieldName": named}},
    )


def test_product_body_without_product(api: Api) -> None:
    """The body must hold `product`."""
    response = api.request(
        "PUT", "/V1/products/IR-SKU-001", json={"sku": "IR-SKU-001"}, store="all"
    )
    assert error_of(response) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "product"},
        },
    )


def test_customer_full_save_and_back(api: Api) -> None:
    """PUT /V1/customers/:id saves the customer object; the old one put back restores it."""
    customer_id = api.customer_id(EMAILS[4])
    before = api.get(f"/V1/customers/{customer_id}").json()
    body = {key: before[key] for key in ("email", "firstname", "lastname", "website_id")}
    try:
        saved = put(
            api, f"/V1/customers/{customer_id}", {"customer": {**body, "firstname": "Contract"}}
        )
        assert (saved["id"], saved["firstname"], saved["lastname"]) == (
            customer_id,
            "Contract",
            "Customer",
        )
        assert api.get(f"/V1/customers/{customer_id}").json()["firstname"] == "Contract"
    finally:
        put(api, f"/V1/customers/{customer_id}", {"customer": body})
    assert api.get(f"/V1/customers/{customer_id}").json()["firstname"] == before["firstname"]


def test_customer_save_of_an_unknown_id(api: Api) -> None:
    """Saving a customer id that does not exist: 404 naming customerId."""
    body = {"email": NOBODY_EMAIL, "firstname": "No", "lastname": "Body", "website_id": 1}
    response = api.request("PUT", "/V1/customers/999999", json={"customer": body})
    assert error_of(response) == (
        404,
        {
            "message": "No such entity with %fieldName = %fieldValue",
            "parameters": {"fieldName": "customerId", "fieldValue": 999999},
        },
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"email": NOBODY_EMAIL, "template": "email_reset", "websiteId": 1},
            (
                404,
                {
                    "fieldName": "email",
                    "fieldValue": NOBODY_EMAIL,
                    "field2Name": "websiteId",
                    "field2Value": 1,
                },
            ),
        ),
        (
            # Without websiteId Magento takes the current store's website id, as a string.
            {"email": NOBODY_EMAIL, "template": "email_reset"},
            (
                404,
                {
                    "fieldName": "email",
                    "fieldValue": NOBODY_EMAIL,
                    "field2Name": "websiteId",
                    "field2Value": "1",
                },
            ),
        ),
    ],
)
def test_password_reset_email_for_an_unknown_address(
    api: Api, body: dict[str, Any], expected: tuple[int, dict[str, Any]]
) -> None:
    """PUT /V1/customers/password (anonymous) for an address nobody has: 404 naming both keys."""
    status, parameters = expected
    response = api.request("PUT", "/V1/customers/password", json=body, auth=None)
    assert error_of(response) == (
        status,
        {
            "message": "No such entity with %fieldName = %fieldValue, %field2Name = %field2Value",
            "parameters": parameters,
        },
    )


def test_password_reset_email_needs_a_template(api: Api) -> None:
    """`template` is required."""
    response = api.request("PUT", "/V1/customers/password", json={"email": NOBODY_EMAIL}, auth=None)
    assert error_of(response) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "template"},
        },
    )


def test_order_hold_cancel_unhold(api: Api) -> None:
    """Hold answers true and the order reads holded; a second hold is refused; cancel of a held
    order answers false (200); unhold restores new/pending; a second unhold is refused."""
    assert api.get("/V1/orders/1").json()["state"] == "new"
    held = api.request("POST", "/V1/orders/1/hold")
    try:
        assert (held.status_code, held.json()) == (200, True)
        order = api.get("/V1/orders/1").json()
        assert (order["state"], order["status"]) == ("holded", "holded")
        assert error_of(api.request("POST", "/V1/orders/1/hold")) == (
            400,
            {"message": "A hold action is not available."},
        )
        cancel = api.request("POST", "/V1/orders/1/cancel")
        assert (cancel.status_code, cancel.json()) == (200, False)
    finally:
        unheld = api.request("POST", "/V1/orders/1/unhold")
    assert (unheld.status_code, unheld.json()) == (200, True)
    order = api.get("/V1/orders/1").json()
    assert (order["state"], order["status"]) == ("new", "pending")
    assert error_of(api.request("POST", "/V1/orders/1/unhold")) == (
        400,
        {"message": "You cannot remove the hold."},
    )


@pytest.mark.parametrize("action", ["hold", "unhold", "cancel"])
def test_order_action_on_an_unknown_order(api: Api, action: str) -> None:
    """Hold, unhold and cancel of an order that does not exist: the entity 404."""
    assert error_of(api.request("POST", f"/V1/orders/999999/{action}")) == (
        404,
        {
            "message": "The entity that was requested doesn't exist. Verify the entity and try "
            "again."
        },
    )


def test_order_comment_with_a_status_of_another_state(api: Api) -> None:
    """A comment whose status does not belong to the order's state is refused (the message keeps
    the line break of Magento's source) and nothing is added."""
    history = {
        "comment": "contract test",
        "is_customer_notified": 0,
        "is_visible_on_front": 0,
        "parent_id": 1,
        "status": "complete",
    }
    response = api.request("POST", "/V1/orders/1/comments", json={"statusHistory": history})
    assert error_of(response) == (
        400,
        {
            "message": 'Unable to add comment: The status "%1" is not part of the order\n'
            "                 status history.",
            "parameters": ["complete"],
        },
    )
    assert api.get("/V1/orders/1").json()["status_histories"] == []


def test_order_comment_without_a_body(api: Api) -> None:
    """`statusHistory` is required."""
    assert error_of(api.request("POST", "/V1/orders/1/comments", json={})) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "statusHistory"},
        },
    )


def test_cms_block_save_at_global_scope_and_back(api: Api) -> None:
    """PUT /rest/all/V1/cmsBlock/:id merges the fields sent onto the stored block."""
    before = api.get("/V1/cmsBlock/footer-promo").json()
    path = f"/V1/cmsBlock/{before['id']}"
    try:
        saved = put(api, path, {"block": {"title": "Contract title"}}, "all")
        assert (saved["title"], saved["identifier"], saved["content"]) == (
            "Contract title",
            before["identifier"],
            before["content"],
        )
    finally:
        put(api, path, {"block": {"title": before["title"]}}, "all")
    after = api.get(path).json()
    assert (after["title"], after["active"]) == (before["title"], before["active"])


def test_cms_block_save_of_an_unknown_id(api: Api) -> None:
    """Saving a block id that does not exist: 404."""
    response = api.request(
        "PUT", "/V1/cmsBlock/999999", json={"block": {"title": "x"}}, store="all"
    )
    assert error_of(response) == (
        404,
        {"message": 'The CMS block with the "%1" ID doesn\'t exist.', "parameters": [999999]},
    )


def test_cms_block_store_id_is_not_a_field(api: Api) -> None:
    """BlockInterface has no store_id: it cannot be sent."""
    response = api.request("PUT", "/V1/cmsBlock/1", json={"block": {"store_id": [0]}}, store="all")
    assert error_of(response) == (
        400,
        {"message": NOT_SUPPORTED, "parameters": {"fieldName": "StoreId"}},
    )


def test_cms_page_save_and_back(api: Api) -> None:
    """PUT /V1/cmsPage/:id with the identifier saves the fields sent; sent back, they restore it."""
    before = api.get("/V1/cmsPage/4").json()
    keep = {"identifier": before["identifier"]}
    try:
        saved = put(api, "/V1/cmsPage/4", {"page": {**keep, "title": "Contract page"}})
        assert (saved["id"], saved["title"], saved["identifier"]) == (
            4,
            "Contract page",
            before["identifier"],
        )
    finally:
        put(api, "/V1/cmsPage/4", {"page": {**keep, "title": before["title"]}})
    assert api.get("/V1/cmsPage/4").json()["title"] == before["title"]


def test_cms_page_saved_without_identifier_gets_one_from_its_title(api: Api) -> None:
    """Without `identifier` Magento makes one from the title: a partial save moves the page's
    URL (the SDK's cms_pages.update sends the identifier for this reason)."""
    before = api.get("/V1/cmsPage/4").json()
    try:
        saved = put(api, "/V1/cmsPage/4", {"page": {"title": "Contract Renamed Page!"}})
        assert saved["identifier"] == "contract-renamed-page"
    finally:
        put(
            api,
            "/V1/cmsPage/4",
            {"page": {"identifier": before["identifier"], "title": before["title"]}},
        )
    after = api.get("/V1/cmsPage/4").json()
    assert (after["identifier"], after["title"]) == (before["identifier"], before["title"])


@pytest.mark.parametrize(
    ("page_id", "name"),
    [(1, "CMS No Route Page"), (2, "CMS Home Page"), (3, "CMS No Cookies Page")],
)
def test_cms_page_the_configuration_points_at_keeps_its_identifier(
    api: Api, page_id: int, name: str
) -> None:
    """The no-route, home and no-cookies pages refuse a save that would change their identifier."""
    before = api.get(f"/V1/cmsPage/{page_id}").json()
    # The title makes an identifier other than the page's own (the same one would save).
    response = api.request("PUT", f"/V1/cmsPage/{page_id}", json={"page": {"title": "Contract"}})
    assert error_of(response) == (
        400,
        {
            "message": "Could not save the page: %1",
            "parameters": [f'This identifier is reserved for "{name}" in configuration.'],
        },
    )
    assert api.get(f"/V1/cmsPage/{page_id}").json() == before


def test_cms_page_save_of_an_unknown_id(api: Api) -> None:
    """Saving a page id that does not exist: 404."""
    response = api.request("PUT", "/V1/cmsPage/999999", json={"page": {"title": "x"}})
    assert error_of(response) == (
        404,
        {"message": 'The CMS page with the "%1" ID doesn\'t exist.', "parameters": [999999]},
    )
