"""Client lifecycle: who closes the connection pool, what copies share, what reprs show."""

from __future__ import annotations

import ssl

import httpx
import pytest

from magento_ir import AdminCredentials, AsyncMagentoClient, MagentoClient, __version__
from tests.client._support import close, json_response


def _handler(_: httpx.Request) -> httpx.Response:
    return json_response(200, [{"id": 1, "code": "base"}])


def test_user_http_client_is_left_open() -> None:
    """A client built on the caller's http_client never closes it."""
    with httpx.Client(transport=httpx.MockTransport(_handler)) as http_client:
        with MagentoClient(
            "https://shop.example.com", auth=None, http_client=http_client
        ) as client:
            client.store.websites()
        assert not http_client.is_closed


def test_copies_do_not_close_the_shared_pool() -> None:
    """Closing a with_store/with_options copy leaves the original usable."""
    client = MagentoClient(
        "https://shop.example.com", auth=None, transport=httpx.MockTransport(_handler)
    )
    with client.with_store("all") as scoped:
        scoped.store.websites()
    client.with_options(timeout=3).close()
    assert client.store.websites()[0].code == "base"
    client.close()


@pytest.mark.anyio
async def test_async_client_closes_its_own_pool() -> None:
    """The async client closes the pool it created when its context ends."""
    async with AsyncMagentoClient(
        "https://shop.example.com", auth=None, transport=httpx.MockTransport(_handler)
    ) as client:
        websites = await client.store.websites()
    assert websites[0].id == 1
    assert client._session.http.is_closed


def test_repr_shows_scope_not_secrets() -> None:
    """The client's repr names its REST base and credentials without the password."""
    credentials = AdminCredentials("responder", "Sup3r-Secret")
    client = MagentoClient("https://shop.example.com", auth=credentials)
    text = repr(client.with_store("all"))
    client.close()
    assert text == (
        "MagentoClient(base_url='https://shop.example.com/rest/all', "
        "auth=AdminCredentials(username='responder', password='***', 2fa=False))"
    )
    assert client.auth is credentials


@pytest.mark.anyio
async def test_user_agent_names_the_sdk() -> None:
    """Both clients send `User-Agent: magento-ir/<version>` and cannot be made to hide it."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["User-Agent"])
        return _handler(request)

    transport = httpx.MockTransport(handler)
    headers = {"User-Agent": "Mozilla/5.0", "X-Responder": "ir-team"}
    with MagentoClient(
        "https://s.test", auth=None, transport=transport, default_headers=headers
    ) as client:
        client.store.websites()
    async with AsyncMagentoClient("https://s.test", auth=None, transport=transport) as async_client:
        await async_client.store.websites()
    assert seen == [f"magento-ir/{__version__}"] * 2


def _tls_context(client: MagentoClient | AsyncMagentoClient) -> ssl.SSLContext:
    transport = client._session.http._transport
    context: ssl.SSLContext = transport._pool._ssl_context
    return context


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", [MagentoClient, AsyncMagentoClient])
async def test_clients_share_one_tls_context(
    client_class: type[MagentoClient | AsyncMagentoClient],
) -> None:
    """Loading the CA bundle costs ~33 ms: https clients share one; plain HTTP loads none."""
    first = client_class("https://a.example.com", auth=None)
    second = client_class("https://b.example.com", auth=None)
    plain = client_class("http://127.0.0.1:8080", auth=None)
    verifying = _tls_context(first)
    assert _tls_context(second) is verifying
    assert verifying.verify_mode is ssl.CERT_REQUIRED
    assert verifying.check_hostname
    assert verifying.cert_store_stats()["x509_ca"] > 0
    # Should a plain-HTTP client ever meet TLS, it trusts no CA: it fails closed.
    assert _tls_context(plain) is not verifying
    assert _tls_context(plain).verify_mode is ssl.CERT_REQUIRED
    assert _tls_context(plain).cert_store_stats()["x509_ca"] == 0
    for client in (first, second, plain):
        await close(client)
