"""Issue 9 item 14: no credentials over plain http:// to another machine without opting in;
credentials written into a URL are never echoed."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

import httpx
import pytest
from typer.testing import CliRunner

from magento_ir import (
    AdminCredentials,
    AsyncMagentoClient,
    BearerToken,
    ConfigurationError,
    MagentoClient,
    set_testing,
)
from magento_ir.cli import ExitCode, app
from magento_ir.containment import StoreConnection
from magento_ir.sandbox import Sandbox

if TYPE_CHECKING:
    from collections.abc import Iterator

PASSWORD = "Pl41nText-Secret"
CLIENTS = (MagentoClient, AsyncMagentoClient)


class CountingTransport(httpx.HTTPTransport):
    """A real network transport that counts what it is asked to send."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return super().handle_request(request)


@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    "url", ["http://shop.example.com", "http://10.0.0.5:8080", "HTTP://Shop.Example.com/rest"]
)
def test_plain_http_to_another_host_is_refused_with_credentials(
    client_class: type, url: str
) -> None:
    """A client with credentials for http://<remote> refuses before sending anything."""
    transport = CountingTransport()
    with pytest.raises(ConfigurationError, match="allow_insecure_http=True") as caught:
        client_class(url, auth=AdminCredentials("admin", PASSWORD), transport=transport)
    assert "--insecure-http" in str(caught.value)
    assert "https://" in str(caught.value)
    assert transport.sent == 0


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080",
        "http://127.8.9.10",
        "http://localhost:8080",
        "http://store.localhost",
        "http://[::1]:8080",
        "https://shop.example.com",
    ],
)
async def test_loopback_and_https_are_allowed(client_class: type, url: str) -> None:
    """Loopback hosts (the sandbox, the drill, a local store) and https need no opt-in."""
    client = client_class(url, auth=BearerToken("token"))
    result = client.close()
    if result is not None:
        await result


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
async def test_opting_in_or_sending_no_credentials_is_allowed(client_class: type) -> None:
    """allow_insecure_http=True, no credentials at all, or an in-process transport: allowed."""
    clients = [
        client_class(
            "http://shop.example.com", auth=BearerToken("token"), allow_insecure_http=True
        ),
        client_class("http://shop.example.com", auth=None),
        client_class(
            "http://sandbox.test", auth=BearerToken("token"), transport=Sandbox().transport()
        ),
    ]
    for client in clients:
        result = client.close()
        if result is not None:
            await result


def test_storefront_over_plain_http_refused_when_the_canary_logs_in_there() -> None:
    """The canary customer's password goes to the storefront's login form: same rule."""
    from magento_ir.auth import CustomerCredentials  # noqa: PLC0415

    canary = CustomerCredentials("canary@example.com", PASSWORD)
    connection = StoreConnection(
        "https://shop.example.com",
        auth=BearerToken("token"),
        storefront_url="http://www.shop.example.com",
        canary_customer=canary,
    )
    with pytest.raises(ConfigurationError, match="plain http://"):
        connection.check_plaintext_credentials()
    StoreConnection(
        "https://shop.example.com",
        auth=BearerToken("token"),
        storefront_url="http://www.shop.example.com",
    ).check_plaintext_credentials()


@pytest.mark.parametrize(
    "url",
    [
        f"admin:{PASSWORD}@shop.example.com",
        f"ftp://admin:{PASSWORD}@shop.example.com",
        f"https://admin:{PASSWORD}@shop.example.com",
        f"https://admin:{PASSWORD}@shop.example.com:99x",
        f"https://admin:{PASSWORD}@/rest",
        f"https://admin:{PASSWORD}@shop.example.com/rest/default/extra",
        f"https://admin:{PASSWORD}@shop.example.com/?q=1",
    ],
)
@pytest.mark.parametrize("client_class", CLIENTS)
def test_credentials_in_the_url_are_never_echoed(
    client_class: type, url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every error about a base URL holding user:password@ keeps the password out."""
    with caplog.at_level(logging.DEBUG), pytest.raises(ConfigurationError) as caught:
        client_class(url, auth=None)
    with pytest.raises(ConfigurationError) as from_connection:
        StoreConnection(url, auth=BearerToken("token"))
    shown = [str(caught.value), repr(caught.value), str(from_connection.value), caplog.text]
    assert all(PASSWORD not in text for text in shown)


@pytest.fixture
def _cli_environment(tmp_path, monkeypatch) -> Iterator[None]:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    set_testing(True)
    yield
    set_testing(False)


@pytest.mark.usefixtures("_cli_environment")
@pytest.mark.parametrize(
    "command", [["status"], ["contain", "--action", "maintenance mode=storefront", "--yes"]]
)
def test_cli_refuses_plain_http_and_accepts_insecure_http(tmp_path, command: list[str]) -> None:
    """The CLI refuses (usage error naming --insecure-http) and writes no journal; with the
    flag it goes on and fails only at the network (the .invalid host does not resolve)."""
    store = ["--base-url", "http://shop.invalid", "--token", "T0ken-Value"]
    refused = CliRunner().invoke(app, [*store, *command])
    assert refused.exit_code == ExitCode.USAGE, refused.output
    assert "--insecure-http" in refused.output
    assert not (tmp_path / "incident-journal.log").exists()
    allowed = CliRunner().invoke(app, [*store, "--insecure-http", *command])
    assert allowed.exit_code == ExitCode.UNREACHABLE, allowed.output
    assert "T0ken-Value" not in refused.output + allowed.output


@pytest.mark.usefixtures("_cli_environment")
def test_cli_never_echoes_url_credentials() -> None:
    """`--base-url user:password@host` (with or without a scheme) is refused without echo."""
    for url in (f"admin:{PASSWORD}@shop.example.com", f"https://admin:{PASSWORD}@shop.test"):
        result = CliRunner().invoke(app, ["--base-url", url, "--token", "t", "status"])
        assert result.exit_code == ExitCode.USAGE, result.output
        assert PASSWORD not in result.output
