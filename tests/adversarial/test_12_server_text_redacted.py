"""Issue 9 item 12: text from the server is redacted before str(), repr() or a log line.

Error bodies, GraphQL errors and plain-text 500 pages can echo what the server was sent or
holds (tokens, passwords, session cookies); so can httpx/httpcore debug logs (Set-Cookie).
"""

from __future__ import annotations

import json
import logging
import os
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from typer.testing import CliRunner

from magento_ir import APIError, BearerToken, set_testing
from magento_ir.cli import ExitCode, app
from tests.adversarial._servers import RawServer, respond
from tests.client._support import CLIENT_KINDS, call, close, json_response, make_client

if TYPE_CHECKING:
    import socket
    from collections.abc import Iterator

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXZhbHVl"
SECRETS = {
    "jwt": JWT,
    "bearer": "BearerValue-0a1b",
    "password": "Hunter2Pw-0a1b",
    "access_token": "AccTok-0a1b",
    "api_key": "ApiKey-0a1b",
    "key": "PlainKey-0a1b",
    "sid": "SessId-0a1b",
    "code": "AuthCode-0a1b",
    "auth": "AuthVal-0a1b",
    "cookie": "CookieVal-0a1b",
}
LEAKY_TEXT = (
    f"Fatal error: token {JWT} rejected; header Authorization: Bearer {SECRETS['bearer']}\n"
    f"POST password={SECRETS['password']}&access_token={SECRETS['access_token']}"
    f"&api_key={SECRETS['api_key']}&key={SECRETS['key']}&sid={SECRETS['sid']}"
    f"&code={SECRETS['code']}&auth={SECRETS['auth']}\n"
    f"Cookie: PHPSESSID={SECRETS['cookie']}; admin=x\n"
)


def _store(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path.endswith("/plain500"):
        return httpx.Response(500, headers={"Content-Type": "text/plain"}, content=LEAKY_TEXT)
    if path.endswith("/html502"):
        page = f"<html><head><title>{LEAKY_TEXT}</title></head><body>{LEAKY_TEXT}</body></html>"
        return httpx.Response(502, headers={"Content-Type": "text/html"}, content=page)
    if path.endswith("/graphql"):
        errors = [
            {"message": LEAKY_TEXT, "extensions": {"debugMessage": LEAKY_TEXT}},
            {"message": "second", "extensions": {"password": SECRETS["password"]}},
        ]
        return json_response(200, {"errors": errors, "data": None})
    return json_response(
        400,
        {
            "message": "Could not save %1: " + LEAKY_TEXT,
            "parameters": [f"Bearer {SECRETS['bearer']}"],
            "errors": [
                {"message": "%field invalid", "parameters": {"field": LEAKY_TEXT}},
                {"message": "x", "parameters": {"password": SECRETS["password"]}},
            ],
        },
    )


async def _provoke(client: Any, route: str) -> None:
    if route == "graphql":
        await call(client.graphql.execute("{ storeConfig { code } }"))
    await call(client.request("GET", route))


def _everything(error: APIError) -> str:
    """Every way the error can be shown or logged, and every attribute it carries."""
    return "\n".join([str(error), repr(error), repr(vars(error)), repr(error.args)])


def _assert_clean(text: str) -> None:
    leaked = [name for name, value in SECRETS.items() if value in text]
    assert not leaked, f"secrets leaked: {leaked}"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
@pytest.mark.parametrize("route", ["/V1/plain500", "/V1/html502", "/V1/json400", "graphql"])
async def test_server_error_text_is_redacted(
    kind: str, route: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A plain-text 500, an HTML 502, a JSON 400 and GraphQL errors echoing secrets: none leak."""
    client = make_client(kind, _store, auth=BearerToken("client-token"), max_retries=0)
    with caplog.at_level(logging.DEBUG), pytest.raises(APIError) as caught:
        await _provoke(client, route)
    await close(client)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    _assert_clean(_everything(caught.value) + logged)
    assert "[REDACTED]" in str(caught.value) or route == "/V1/html502"


@pytest.fixture
def _cli_environment(tmp_path, monkeypatch) -> Iterator[None]:
    """A clean MAGENTO_IR_* environment; loggers (and their filters) restored afterwards."""
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)
    names = [
        "magento_ir",
        "httpx",
        "httpcore",
        *[f"httpcore.{n}" for n in ("http11", "connection")],
    ]
    saved = {
        name: (logger.level, list(logger.handlers), list(logger.filters))
        for name in names
        for logger in [logging.getLogger(name)]
    }
    set_testing(True)
    yield
    set_testing(False)
    for name, (level, handlers, filters) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.filters[:] = filters


def _leaky_store(connection: socket.socket, _: RawServer) -> None:
    body = json.dumps({"message": "The consumer isn't authorized: " + LEAKY_TEXT}).encode()
    respond(
        connection,
        "401 Unauthorized",
        {
            "Content-Type": "application/json",
            "Set-Cookie": f"PHPSESSID={SECRETS['cookie']}; path=/; HttpOnly",
        },
        body,
    )


@pytest.mark.usefixtures("_cli_environment")
def test_verbose_cli_logs_no_secret_from_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    """`magento-ir -v status` against a leaky store: no secret in any log record (httpx and
    httpcore included, at DEBUG) nor in the output."""
    token = "CliBearerToken-0a1b"
    with RawServer(_leaky_store) as server, caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(
            app, ["-v", "--base-url", server.base_url, "--token", token, "status"]
        )
    records = [record for record in caplog.records if record.name.startswith("http")]
    assert records, "httpx/httpcore logged nothing: the test would prove nothing"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert result.exit_code == ExitCode.AUTHENTICATION, result.output
    _assert_clean(logged + result.output)
    assert token not in logged + result.output


@pytest.mark.usefixtures("_cli_environment")
def test_sdk_configure_logging_filters_httpx_and_httpcore(caplog: pytest.LogCaptureFixture) -> None:
    """`magento_ir.configure_logging()` in a script: the same leaky store logs no secret, from
    the SDK's logger or from httpx/httpcore, wherever their records go (here: the root)."""
    import magento_ir  # noqa: PLC0415

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = magento_ir.configure_logging(logging.DEBUG, Collect())
    with RawServer(_leaky_store) as server, caplog.at_level(logging.DEBUG):
        client = magento_ir.MagentoClient(server.base_url, auth=BearerToken("t0k3n-0a1b"))
        with pytest.raises(APIError):
            client.request("GET", "/V1/store/websites")
        client.close()
    logged = "\n".join([*lines, *(record.getMessage() for record in caplog.records)])
    assert handler in logging.getLogger("magento_ir").handlers
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    _assert_clean(logged)
    assert "t0k3n-0a1b" not in logged
