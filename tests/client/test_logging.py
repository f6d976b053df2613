"""Logging: one DEBUG line per request and response on `magento_ir`, with secrets redacted."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from magento_ir import AdminCredentials, AuthenticationError, OAuth1Credentials
from tests.client._support import CLIENT_KINDS, call, close, json_response, make_client
from tests.client.test_auth_flow import make_jwt

if TYPE_CHECKING:
    import httpx

PASSWORD = "Sup3r-Secret-Pw!"
TOKEN = make_jwt(3600)


def _store(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/token"):
        return json_response(200, TOKEN)
    if request.url.path.endswith("/denied"):
        return json_response(
            401,
            {
                "message": "The consumer isn't authorized to access %resources.",
                "parameters": {"resources": "Magento_Backend::admin"},
            },
        )
    return json_response(200, {"ok": True})


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_request_and_response_lines_without_secrets(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each call logs a request and a response line; no password, token or secret value."""
    client = make_client(kind, _store, auth=AdminCredentials("admin", PASSWORD))
    with caplog.at_level(logging.DEBUG, logger="magento_ir"):
        await call(client.request("GET", "/V1/things", params={"access_token": "leaky-value"}))
        with pytest.raises(AuthenticationError) as caught:
            await call(client.request("GET", "/V1/denied"))
    lines = [record.getMessage() for record in caplog.records if record.name == "magento_ir"]
    everything = "\n".join([*lines, repr(client), str(caught.value), repr(caught.value)])
    await close(client)
    assert "request GET http://shop.test/rest/V1/things?access_token=%5BREDACTED%5D" in lines
    assert any(
        line.startswith(
            "response GET http://shop.test/rest/V1/things?access_token=%5BREDACTED%5D -> 200 in "
        )
        for line in lines
    )
    assert any(
        line.startswith("response POST http://shop.test/rest/V1/integration/admin/token -> 200")
        for line in lines
    )
    for secret in (PASSWORD, TOKEN, "leaky-value"):
        assert secret not in everything


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_oauth_values_never_logged(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    """Signed requests log no OAuth token, secret or signature."""
    credentials = OAuth1Credentials(
        "consumer-key", "consumer-s3cret", "access-t0ken", "token-s3cret"
    )
    client = make_client(kind, _store, auth=credentials)
    with caplog.at_level(logging.DEBUG, logger="magento_ir"):
        await call(client.request("GET", "/V1/things"))
    await close(client)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "request GET http://shop.test/rest/V1/things" in logged
    for secret in ("consumer-s3cret", "access-t0ken", "token-s3cret", "oauth_signature"):
        assert secret not in logged
