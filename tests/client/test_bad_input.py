"""Bad input gives a typed error a responder can act on."""

from __future__ import annotations

import httpx
import pytest

from magento_ir import (
    AsyncMagentoClient,
    BearerToken,
    ConfigurationError,
    InvalidArgumentError,
    MagentoClient,
    SearchCriteria,
    UnexpectedResponseError,
)
from tests.client._support import CLIENT_KINDS, call, close, make_client

AUTH = BearerToken("admin-token")


@pytest.mark.parametrize("client_class", [MagentoClient, AsyncMagentoClient])
def test_base_url_without_scheme(client_class: type) -> None:
    """A host without https:// is refused with the corrected URL in the message."""
    with pytest.raises(ConfigurationError, match=r"pass .*'https://shop\.example\.com'"):
        client_class("shop.example.com", auth=AUTH)


@pytest.mark.parametrize(
    ("base_url", "fragment"),
    [
        ("ftp://shop.example.com", "scheme 'ftp'"),
        ("https://user:pw@shop.example.com", "must not embed credentials"),
        ("https://shop.example.com/?a=1", "query string"),
        ("https://shop.example.com/rest/default/V1/products", "goes past /rest/<store>"),
        ("https://", "no host name"),
        ("https://shop.example.com/rest/de-DE", "store code 'de-DE' is not valid"),
        ("https://shop.example.com:99999x", "invalid port"),
    ],
)
def test_other_bad_base_urls(base_url: str, fragment: str) -> None:
    """Every malformed base URL is a ConfigurationError saying what to change."""
    with pytest.raises(ConfigurationError, match=fragment):
        MagentoClient(base_url, auth=AUTH)


@pytest.mark.parametrize(
    ("base_url", "expected", "expected_all"),
    [
        (
            "https://Shop.Example.com",
            "https://shop.example.com/rest",
            "https://shop.example.com/rest/all",
        ),
        (
            "https://shop.example.com/rest/",
            "https://shop.example.com/rest",
            "https://shop.example.com/rest/all",
        ),
        (
            "https://shop.example.com/rest/default/V1",
            "https://shop.example.com/rest/default",
            "https://shop.example.com/rest/all",
        ),
        (
            "https://shop.example.com:443/magento/rest",
            "https://shop.example.com/magento/rest",
            "https://shop.example.com/magento/rest/all",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/rest", "http://127.0.0.1:8080/rest/all"),
        ("http://[::1]", "http://[::1]/rest", "http://[::1]/rest/all"),
    ],
)
def test_good_base_url_forms(base_url: str, expected: str, expected_all: str) -> None:
    """Root URLs with or without /rest (and a store code) work; default ports are dropped."""
    client = MagentoClient(base_url, auth=AUTH)
    assert client.base_url == expected
    assert client.with_store("all").base_url == expected_all
    client.close()


def test_transport_and_http_client_are_exclusive() -> None:
    """Passing both transport= and http_client= is ambiguous and refused."""
    with httpx.Client() as http_client, pytest.raises(ConfigurationError, match="not both"):
        MagentoClient(
            "https://shop.example.com",
            auth=AUTH,
            transport=httpx.MockTransport(lambda _: httpx.Response(200)),
            http_client=http_client,
        )


@pytest.mark.parametrize(("option", "value"), [("timeout", 0), ("max_retries", -1)])
def test_bad_settings(option: str, value: float) -> None:
    """A zero timeout or negative retry budget is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match=option):
        MagentoClient("https://shop.example.com", auth=AUTH, **{option: value})


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_maintenance_page_is_named(kind: str) -> None:
    """An HTML 503 says it is a maintenance page and what to do about it."""

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            503,
            headers={"Content-Type": "text/html"},
            content=b"<!doctype html><html><head><title>Service Temporarily Unavailable</title>"
            b"</head><body>...</body></html>",
        )

    client = make_client(kind, handler, auth=AUTH, max_retries=0)
    with pytest.raises(UnexpectedResponseError) as caught:
        await call(client.products.retrieve("A"))
    await close(client)
    assert caught.value.message.startswith(
        "expected JSON from Magento but got an HTML page titled 'Service Temporarily Unavailable' "
        "(HTTP 503) — the store looks to be in maintenance mode"
    )
    assert caught.value.status_code == 503


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_html_success_page_points_at_base_url(kind: str) -> None:
    """A 200 HTML page (the storefront, a login wall) means base_url is wrong, and says so."""

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Type": "text/html"}, content=b"<html><title>Home</title></html>"
        )

    client = make_client(kind, handler, auth=AUTH)
    with pytest.raises(UnexpectedResponseError, match="check base_url"):
        await call(client.store.websites())
    await close(client)


def test_unknown_condition_type() -> None:
    """An unknown condition is refused before sending, listing the valid ones."""
    with pytest.raises(InvalidArgumentError, match=r"silently treat it as 'eq'.*finset"):
        SearchCriteria().where("created_at", "moreq", "2026-01-01")


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_escape_hatch_refuses_bad_paths_and_verbs(kind: str) -> None:
    """request() refuses paths outside /V1/ and verbs Magento cannot route, before sending."""
    client = make_client(kind, lambda _: httpx.Response(500), auth=AUTH)
    with pytest.raises(InvalidArgumentError, match="must start with"):
        await call(client.request("GET", "/rest/V1/products"))
    with pytest.raises(InvalidArgumentError, match="not routable"):
        await call(client.request("PATCH", "/V1/products/A"))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("value", [object(), float("nan")])
async def test_body_that_is_not_json(kind: str, value: object) -> None:
    """A body value JSON cannot carry is refused before sending, saying what is allowed."""
    client = make_client(kind, lambda _: httpx.Response(500), auth=AUTH)
    with pytest.raises(InvalidArgumentError, match="cannot be sent as JSON"):
        await call(client.request("POST", "/V1/x", json={"value": value}))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b"<html><title>Home</title></html>",
            "text/html",
            "HTML page titled 'Home'.*check base_url",
        ),
        (b"", "application/json", r"does not fit SearchResult\[Order\]: \(top level\)"),
        (
            b'{"items": [{"entity_id": "one"}], "search_criteria": {}, "total_count": 1}',
            "application/json",
            r"does not fit SearchResult\[Order\]: items\.0\.entity_id: .*1 problem",
        ),
    ],
)
async def test_a_page_that_is_not_a_page_is_named(
    kind: str, body: bytes, content_type: str, message: str
) -> None:
    """Pages are parsed straight from bytes; what is not a page is still named as before."""

    def handler(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": content_type}, content=body)

    client = make_client(kind, handler, auth=AUTH)
    with pytest.raises(UnexpectedResponseError, match=message):
        await call(client.orders.list(SearchCriteria().page(1, 1)))
    await close(client)
