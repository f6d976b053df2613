"""Routing, store codes, authentication and request-body rules, on every route the SDK wraps."""

from __future__ import annotations

import pytest

from tests.contract.conftest import (
    NOBODY_ADMIN,
    NOBODY_EMAIL,
    NOT_PROCESSED,
    ROUTE_NOT_FOUND,
    SIGN_IN_INCORRECT,
    Api,
    criteria_params,
    error_of,
)

LIST = criteria_params(page_size=1)
# Every admin route the SDK wraps, with the ACL resource Magento names when refusing it.
PROTECTED = [
    ("GET", "/V1/products", LIST, "Magento_Catalog::products"),
    ("GET", "/V1/products/IR-SKU-001", None, "Magento_Catalog::products"),
    ("PUT", "/V1/products/IR-SKU-001", None, "Magento_Catalog::products"),
    ("GET", "/V1/customers/search", LIST, "Magento_Customer::customer"),
    ("GET", "/V1/customers/1", None, "Magento_Customer::customer"),
    ("PUT", "/V1/customers/1", None, "Magento_Customer::manage"),
    ("GET", "/V1/orders", LIST, "Magento_Sales::actions_view"),
    ("GET", "/V1/orders/1", None, "Magento_Sales::actions_view"),
    ("POST", "/V1/orders/1/hold", None, "Magento_Sales::hold"),
    ("POST", "/V1/orders/1/unhold", None, "Magento_Sales::unhold"),
    ("POST", "/V1/orders/1/cancel", None, "Magento_Sales::cancel"),
    ("POST", "/V1/orders/1/comments", None, "Magento_Sales::comment"),
    ("GET", "/V1/transactions", LIST, "Magento_Sales::transactions_fetch"),
    ("GET", "/V1/transactions/1", None, "Magento_Sales::transactions_fetch"),
    ("GET", "/V1/invoices", LIST, "Magento_Sales::sales_invoice"),
    ("GET", "/V1/invoices/1", None, "Magento_Sales::sales_invoice"),
    ("GET", "/V1/cmsBlock/search", LIST, "Magento_Cms::block"),
    ("GET", "/V1/cmsBlock/1", None, "Magento_Cms::block"),
    ("PUT", "/V1/cmsBlock/1", None, "Magento_Cms::block"),
    ("GET", "/V1/cmsPage/search", LIST, "Magento_Cms::page"),
    ("GET", "/V1/cmsPage/2", None, "Magento_Cms::page"),
    ("PUT", "/V1/cmsPage/2", None, "Magento_Cms::save"),
    ("GET", "/V1/store/storeConfigs", None, "Magento_Backend::store"),
    ("GET", "/V1/store/websites", None, "Magento_Backend::store"),
    ("GET", "/V1/store/storeViews", None, "Magento_Backend::store"),
    ("GET", "/V1/store/storeGroups", None, "Magento_Backend::store"),
    ("GET", "/V1/modules", None, "Magento_Backend::admin"),
    (
        "GET",
        "/V1/bulk/00000000-0000-0000-0000-000000000000/status",
        None,
        "Magento_Logging::system_magento_logging_bulk_operations",
    ),
    ("GET", "/V1/customers/me", None, "self"),
    ("POST", "/V1/integration/customer/revoke-customer-token", None, "self"),
]


@pytest.mark.parametrize("route", PROTECTED, ids=[f"{m} {p}" for m, p, _, _ in PROTECTED])
@pytest.mark.parametrize("token", [None, "not-a-real-token"], ids=["no-token", "bad-token"])
def test_refused_without_a_valid_token(
    api: Api, route: tuple[str, str, dict[str, str] | None, str], token: str | None
) -> None:
    """No token and a garbage token get the same 401 naming the route's ACL resource; nothing
    tells them apart (and the body is never read)."""
    method, path, params, resource = route
    body = {} if method in ("POST", "PUT") else None
    response = api.request(method, path, params=params, json=body, auth=token)
    assert error_of(response) == (
        401,
        {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": resource},
        },
    )
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize(
    "path", ["/V1/customers/me", "/V1/integration/customer/revoke-customer-token"]
)
def test_self_routes_with_an_admin_token(api: Api, path: str) -> None:
    """An admin token on a customer's own route: 400, customerId is required."""
    method = "GET" if path.endswith("/me") else "POST"
    assert error_of(api.request(method, path)) == (
        400,
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": "customerId"},
        },
    )


def test_admin_token_for_an_unknown_user(api: Api) -> None:
    """A wrong login: 401, the same rendered message as for a locked or throttled account."""
    response = api.request(
        "POST",
        "/V1/integration/admin/token",
        json={"username": NOBODY_ADMIN, "password": "wrong-Passw0rd"},
        auth=None,
    )
    assert error_of(response) == (401, SIGN_IN_INCORRECT)


def test_customer_token_for_an_unknown_user(api: Api) -> None:
    """The customer token route answers a wrong login the same way."""
    response = api.request(
        "POST",
        "/V1/integration/customer/token",
        json={"username": NOBODY_EMAIL, "password": "wrong-Passw0rd"},
        auth=None,
    )
    assert error_of(response) == (401, SIGN_IN_INCORRECT)


@pytest.mark.parametrize(
    ("body", "missing"),
    [({"username": NOBODY_ADMIN}, ["password"]), ({}, ["username", "password"])],
)
def test_token_route_missing_fields(api: Api, body: dict[str, str], missing: list[str]) -> None:
    """One missing field is the error; two are aggregated in `errors`, in parameter order."""
    response = api.request("POST", "/V1/integration/admin/token", json=body, auth=None)
    required = [
        {
            "message": '"%fieldName" is required. Enter and try again.',
            "parameters": {"fieldName": name},
        }
        for name in missing
    ]
    expected = (
        required[0]
        if len(required) == 1
        else {"message": "One or more input exceptions have occurred.", "errors": required}
    )
    assert error_of(response) == (400, expected)


def test_customer_token_and_me(api: Api) -> None:
    """A customer's JWT reads /V1/customers/me and nothing of the admin's."""
    token = api.customer_token("ir.customer03@example.com")
    assert token.count(".") == 2
    me = api.get("/V1/customers/me", auth=token).json()
    assert (me["email"], me["firstname"]) == ("ir.customer03@example.com", "Ir3")
    assert error_of(api.get("/V1/orders/1", auth=token))[0] == 401


def test_customer_revokes_its_own_tokens(api: Api) -> None:
    """revoke-customer-token answers true and kills every token the customer had."""
    token = api.customer_token("ir.customer10@example.com")
    response = api.request("POST", "/V1/integration/customer/revoke-customer-token", auth=token)
    assert (response.status_code, response.json()) == (200, True)
    assert error_of(api.get("/V1/customers/me", auth=token)) == (
        401,
        {
            "message": "The consumer isn't authorized to access %resources.",
            "parameters": {"resources": "self"},
        },
    )


@pytest.mark.parametrize("store", ["default", "all"])
def test_store_code_prefixes(api: Api, store: str) -> None:
    """/rest/<code>/V1 and /rest/all/V1 route like /rest/V1."""
    assert api.get("/V1/products/IR-SKU-001", store=store).json()["sku"] == "IR-SKU-001"


@pytest.mark.parametrize("store", ["nostore", "admin", "DEFAULT"])
@pytest.mark.parametrize("auth", ["admin", None])
def test_unknown_store_code(api: Api, store: str, auth: str | None) -> None:
    """An unknown code (or `admin`, or the right code in the wrong case) is not a store: no
    request processor takes the path, 400 before authentication."""
    response = api.get("/V1/products/IR-SKU-001", store=store, auth=auth)
    assert error_of(response) == (400, NOT_PROCESSED)


@pytest.mark.parametrize(
    ("method", "url", "expected"),
    [
        ("GET", "/rest/V1/nothing/here", (404, ROUTE_NOT_FOUND)),
        ("GET", "/rest/V2/products/IR-SKU-001", (404, ROUTE_NOT_FOUND)),
        ("DELETE", "/rest/V1/store/storeConfigs", (404, ROUTE_NOT_FOUND)),
        ("GET", "/rest/default/nothing", (400, NOT_PROCESSED)),
        ("GET", "/rest/async/V1/orders/1", (400, NOT_PROCESSED)),
        ("GET", "/rest/default/async/bulk/V1/products/bySku", (400, NOT_PROCESSED)),
        (
            "PATCH",
            "/rest/V1/orders/1",
            (405, {"message": "The PATCH HTTP method is not supported."}),
        ),
    ],
)
def test_routing_errors(
    api: Api, method: str, url: str, expected: tuple[int, dict[str, str]]
) -> None:
    """Unknown routes and wrong verbs are 404; paths no processor takes are 400; verbs outside
    GET/POST/PUT/DELETE are 405 (rendered, no parameters)."""
    response = api.http.request(method, url, headers={"Authorization": f"Bearer {api.token}"})
    assert error_of(response) == expected


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        (None, b"{}", "Content-Type header is empty."),
        (
            "text/plain",
            b"{}",
            "Server cannot understand Content-Type HTTP header media type text/plain",
        ),
        ("application/json; charset=latin1", b"{}", "UTF-8 is the only supported charset."),
    ],
)
def test_body_content_type_rules(
    api: Api, content_type: str | None, body: bytes, message: str
) -> None:
    """A body needs a UTF-8 JSON Content-Type, checked before anything else."""
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.request(
        "POST", "/V1/integration/admin/token", content=body, headers=headers, auth=None
    )
    assert error_of(response) == (400, {"message": message})


def test_malformed_json(api: Api) -> None:
    """Invalid JSON: 400 "Decoding error", with the stack inside the message in developer mode."""
    response = api.request(
        "POST",
        "/V1/integration/admin/token",
        content=b"{bad",
        headers={"Content-Type": "application/json"},
        auth=None,
    )
    status, body = error_of(response)
    assert status == 400
    assert body["message"].startswith(
        "Decoding error: \nUnable to unserialize value. Error: Syntax error\n#0 "
    )


def test_success_and_error_headers(api: Api) -> None:
    """Success answers carry X-Frame-Options and a charset; error answers only Content-Type."""
    ok = api.get("/V1/store/websites")
    assert ok.headers["Content-Type"] == "application/json; charset=utf-8"
    assert ok.headers["X-Frame-Options"] == "SAMEORIGIN"
    missing = api.get("/V1/products/NO-SUCH-SKU")
    assert missing.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "X-Frame-Options" not in missing.headers
