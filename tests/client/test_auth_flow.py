"""Token logins: admin and customer credentials, 2FA, proactive refresh, refresh once on 401."""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING

import pytest

from magento_ir import (
    AdminCredentials,
    AuthenticationError,
    BearerToken,
    ConfigurationError,
    CustomerCredentials,
    OAuth1Credentials,
    UnexpectedResponseError,
)
from magento_ir._core.totp import decode_secret, totp
from tests.client._support import CLIENT_KINDS, call, close, json_response, make_client

if TYPE_CHECKING:
    import httpx

PASSWORD = "Admin123!local"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
NOT_AUTHORIZED = {
    "message": "The consumer isn't authorized to access %resources.",
    "parameters": {"resources": "Magento_Catalog::products"},
}
PRODUCT = {"id": 1, "sku": "IR-SKU-001"}


def make_jwt(expires_in: int, uid: int = 1) -> str:
    """A Magento-shaped JWT (unsigned: the client never checks signatures)."""

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"uid": uid, "utypid": 2, "iat": now, "exp": now + expires_in}
    return f"{part({'kid': '1', 'alg': 'HS256'})}.{part(claims)}.c2lnbmF0dXJl"


class Store:
    """A tiny fake store: issues tokens at the login routes, accepts only tokens it marks valid."""

    def __init__(self, *, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.logins: list[tuple[str, dict[str, str]]] = []
        self.valid: set[str] = set()
        self.accept_new_tokens = True
        self.product_calls = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith(("/token", "/authenticate")):
            self.logins.append((path, json.loads(request.content)))
            token = make_jwt(self.expires_in, uid=len(self.logins))
            if self.accept_new_tokens:
                self.valid.add(token)
            return json_response(200, token)
        self.product_calls += 1
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.valid:
            return json_response(200, PRODUCT)
        return json_response(401, NOT_AUTHORIZED)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_admin_login_happens_once_and_token_is_reused(kind: str) -> None:
    """The first call logs in at /V1/integration/admin/token; later calls reuse the token."""
    store = Store()
    client = make_client(kind, store.handler, auth=AdminCredentials("admin", PASSWORD))
    await call(client.products.retrieve("IR-SKU-001"))
    await call(client.with_store("all").products.retrieve("IR-SKU-001"))
    await close(client)
    assert store.logins == [
        ("/rest/V1/integration/admin/token", {"username": "admin", "password": PASSWORD})
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_401_with_an_older_token_refreshes_exactly_once(kind: str) -> None:
    """A 401 on a reused token (revoked meanwhile) logs in again once and retries the call."""
    store = Store()
    client = make_client(kind, store.handler, auth=AdminCredentials("admin", PASSWORD))
    await call(client.products.retrieve("IR-SKU-001"))
    store.valid.clear()  # the responder's token was revoked, e.g. by a crypt key rotation
    product = await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert product.sku == "IR-SKU-001"
    assert len(store.logins) == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_401_right_after_a_fresh_token_raises_without_looping(kind: str) -> None:
    """When even a brand-new token gets 401 (missing ACL), AuthenticationError comes at once."""
    store = Store()
    store.accept_new_tokens = False
    client = make_client(kind, store.handler, auth=AdminCredentials("admin", PASSWORD))
    with pytest.raises(AuthenticationError) as caught:
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert len(store.logins) == 1
    assert store.product_calls == 1
    assert caught.value.parameters == {"resources": "Magento_Catalog::products"}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_stale_token_refreshed_then_401_raises_after_one_refresh(kind: str) -> None:
    """A reused token gets 401, the single refresh's token gets 401 too: raise, two logins total."""
    store = Store()
    client = make_client(kind, store.handler, auth=AdminCredentials("admin", PASSWORD))
    await call(client.products.retrieve("IR-SKU-001"))
    store.valid.clear()
    store.accept_new_tokens = False
    with pytest.raises(AuthenticationError):
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert len(store.logins) == 2
    assert store.product_calls == 3


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_expired_jwt_is_refreshed_before_sending(kind: str) -> None:
    """A token whose `exp` has passed is replaced before the request, not after a 401."""
    store = Store(expires_in=-10)
    client = make_client(kind, store.handler, auth=AdminCredentials("admin", PASSWORD))
    await call(client.products.retrieve("IR-SKU-001"))
    await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert len(store.logins) == 2
    assert store.product_calls == 2


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_totp_secret_logs_in_through_the_google_provider(kind: str) -> None:
    """With totp_secret the login goes to /V1/tfa/provider/google/authenticate with a valid code."""
    store = Store()
    credentials = AdminCredentials("admin", PASSWORD, totp_secret=TOTP_SECRET)
    client = make_client(kind, store.handler, auth=credentials)
    before = time.time()
    await call(client.products.retrieve("IR-SKU-001"))
    after = time.time()
    await close(client)
    ((path, body),) = store.logins
    assert path == "/rest/V1/tfa/provider/google/authenticate"
    key = decode_secret(TOTP_SECRET)
    assert body["otp"] in {totp(key, before), totp(key, after)}
    assert body["username"] == "admin"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_otp_provider_supplies_the_code(kind: str) -> None:
    """An otp_provider callback's code is sent to the Google provider route."""
    store = Store()
    credentials = AdminCredentials("admin", PASSWORD, otp_provider=lambda: "123456")
    client = make_client(kind, store.handler, auth=credentials)
    await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert store.logins[0][1]["otp"] == "123456"


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_2fa_refusal_tells_the_user_to_pass_a_totp_secret(kind: str) -> None:
    """The admin route's 2FA 400 becomes a ConfigurationError naming totp_secret."""

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/rest/V1/integration/admin/token"
        return json_response(
            400,
            {
                "message": "Please use the 2fa provider-specific endpoints to obtain a token.",
                "parameters": {"active_providers": ["google"]},
            },
        )

    client = make_client(kind, handler, auth=AdminCredentials("admin", PASSWORD))
    with pytest.raises(ConfigurationError, match="totp_secret"):
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_customer_credentials_log_in_with_email(kind: str) -> None:
    """CustomerCredentials log in at /V1/integration/customer/token with the e-mail as username."""
    store = Store()
    credentials = CustomerCredentials("ir.customer01@example.com", "Customer123!local")
    client = make_client(kind, store.handler, auth=credentials)
    await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert store.logins == [
        (
            "/rest/V1/integration/customer/token",
            {"username": "ir.customer01@example.com", "password": "Customer123!local"},
        )
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_bearer_token_401_is_final(kind: str) -> None:
    """A pre-issued token cannot be renewed: its 401 raises after one request."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.headers["Authorization"])
        return json_response(401, NOT_AUTHORIZED)

    client = make_client(kind, handler, auth=BearerToken("expired"))
    with pytest.raises(AuthenticationError):
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert calls == ["Bearer expired"]


@pytest.mark.parametrize(
    "build",
    [
        lambda: AdminCredentials("", PASSWORD),
        lambda: AdminCredentials("admin", "  "),
        lambda: CustomerCredentials("", "x"),
        lambda: BearerToken(""),
        lambda: OAuth1Credentials("k", "", "t", "ts"),
        lambda: AdminCredentials("admin", PASSWORD, totp_secret="not base32 !"),
        lambda: AdminCredentials("admin", PASSWORD, totp_secret=""),
        lambda: AdminCredentials(
            "admin", PASSWORD, totp_secret=TOTP_SECRET, otp_provider=lambda: "1"
        ),
        lambda: OAuth1Credentials("k", "cs", "t", "ts", signature_method="PLAINTEXT"),
    ],
)
def test_bad_credentials_are_configuration_errors(build: object) -> None:
    """Empty or contradictory credentials fail at construction with a ConfigurationError."""
    with pytest.raises(ConfigurationError):
        build()  # type: ignore[operator]


def test_credential_reprs_hide_secrets() -> None:
    """No credential's repr shows a password, token or secret."""
    secrets = ["S3cret!pw", "tok-123", "consumer-s3cret", "access-s3cret", TOTP_SECRET]
    shown = " ".join(
        repr(credentials)
        for credentials in (
            AdminCredentials("admin", "S3cret!pw", totp_secret=TOTP_SECRET),
            CustomerCredentials("a@example.com", "S3cret!pw"),
            BearerToken("tok-123"),
            OAuth1Credentials("key", "consumer-s3cret", "tok-123", "access-s3cret"),
        )
    )
    assert not [secret for secret in secrets if secret in shown]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_wrong_password_raises_magentos_sign_in_message(kind: str) -> None:
    """A refused login raises AuthenticationError with Magento's message; the call is not sent."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return json_response(
            401,
            {
                "message": "The account sign-in was incorrect or your account is disabled "
                "temporarily. Please wait and try again later."
            },
        )

    client = make_client(kind, handler, auth=AdminCredentials("admin", "wrong"))
    with pytest.raises(AuthenticationError, match="account sign-in was incorrect"):
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
    assert calls == ["/rest/V1/integration/admin/token"]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", CLIENT_KINDS)
async def test_login_answer_that_is_not_a_token(kind: str) -> None:
    """A login route answering anything but a JSON string is an UnexpectedResponseError."""
    client = make_client(
        kind, lambda _: json_response(200, {"token": "x"}), auth=AdminCredentials("a", "b")
    )
    with pytest.raises(UnexpectedResponseError, match="expected a token"):
        await call(client.products.retrieve("IR-SKU-001"))
    await close(client)
