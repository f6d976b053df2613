"""Tokens, lockout, 2FA, revocation, ACL and OAuth 1.0a as Magento 2.4.7 applies them."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx
import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.auth import totp_code
from magento_ir.sandbox.state import USER_TYPE_ADMIN, USER_TYPE_CUSTOMER, Integration
from tests.sandbox.conftest import Clock, client_for

SIGN_IN = (
    "The account sign-in was incorrect or your account is disabled temporarily. "
    "Please wait and try again later."
)


def _login(
    client: httpx.Client,
    password: str,
    path: str = "/rest/V1/integration/admin/token",
    user: str = "admin",
):
    return client.post(path, json={"username": user, "password": password})


def _claims(token: str) -> dict[str, int]:
    segment = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def test_admin_token_is_a_sixty_minute_jwt_that_expires(
    sandbox: Sandbox, anonymous: httpx.Client, clock: Clock
) -> None:
    """The token route returns a JWT (uid, utypid 2, iat, exp=iat+3600) that dies at exp."""
    token = _login(anonymous, "Sandbox123!").json()
    claims = _claims(token)
    assert claims == {"uid": 1, "utypid": 2, "iat": int(clock.now), "exp": int(clock.now) + 3600}
    with client_for(sandbox, token) as admin:
        assert admin.get("/rest/V1/store/websites").status_code == 200
        clock.advance(3600)
        response = admin.get("/rest/V1/store/websites")
    assert response.status_code == 401
    assert response.json()["parameters"] == {"resources": "Magento_Backend::store"}


def test_six_failures_lock_the_username_for_thirty_minutes(
    anonymous: httpx.Client, clock: Clock
) -> None:
    """After 6 wrong passwords even the right one gets the same 401, until 1800 s have passed."""
    for _ in range(6):
        response = _login(anonymous, "wrong-password")
        assert response.status_code == 401
        assert response.json() == {"message": SIGN_IN}
    assert _login(anonymous, "Sandbox123!").json() == {"message": SIGN_IN}
    clock.advance(1799)
    assert _login(anonymous, "Sandbox123!").status_code == 401
    clock.advance(1)
    assert _login(anonymous, "Sandbox123!").status_code == 200


def test_a_deactivated_admin_is_refused_without_counting_toward_the_throttle(
    sandbox: Sandbox, anonymous: httpx.Client
) -> None:
    """The right password of an inactive admin gets the same 401, but User::verifyIdentity
    throws inside login(), before AdminTokenService logs a failure: reactivated, it signs in."""
    with sandbox.lock:
        user = sandbox.state.admin_by_username("admin")
        user.is_active = 0
    for _ in range(7):
        assert _login(anonymous, "Sandbox123!").json() == {"message": SIGN_IN}
    with sandbox.lock:
        user.is_active = 1
    assert _login(anonymous, "Sandbox123!").status_code == 200


def test_customer_token_and_lockout_are_separate_from_admin(anonymous: httpx.Client) -> None:
    """Customers log in by e-mail; their throttle counts apart from admins'."""
    path = "/rest/V1/integration/customer/token"
    email = "ir.customer05@example.com"
    assert _login(anonymous, "Customer123!", path, email).status_code == 200
    for _ in range(6):
        assert _login(anonymous, "nope", path, email).status_code == 401
    assert _login(anonymous, "Customer123!", path, email).status_code == 401
    assert _login(anonymous, "Sandbox123!").status_code == 200


def test_missing_credentials_are_required_field_errors(anonymous: httpx.Client) -> None:
    """An empty username is `"%fieldName" is required`; both missing aggregate into errors[]."""
    one = anonymous.post("/rest/V1/integration/admin/token", json={"username": "", "password": "x"})
    assert one.status_code == 400
    assert one.json()["parameters"] == {"fieldName": "username"}
    both = anonymous.post("/rest/V1/integration/admin/token", json={"username": "", "password": ""})
    assert both.json()["message"] == "One or more input exceptions have occurred."
    assert [error["parameters"]["fieldName"] for error in both.json()["errors"]] == [
        "username",
        "password",
    ]


def test_revocation_kills_tokens_issued_up_to_that_second(sandbox: Sandbox, clock: Clock) -> None:
    """jwt_auth_revoked semantics: iat <= revoke_before is rejected, a later token works."""
    old = sandbox.admin_token()
    sandbox.revoke_tokens(USER_TYPE_ADMIN, 1)
    same_second = sandbox.admin_token()
    clock.advance(1)
    fresh = sandbox.admin_token()
    statuses = []
    for token in (old, same_second, fresh):
        with client_for(sandbox, token) as client:
            statuses.append(client.get("/rest/V1/modules").status_code)
    assert statuses == [401, 401, 200]
    assert len(sandbox.inspect.live_tokens(USER_TYPE_ADMIN)) == 1


def test_customer_self_revoke_and_admin_quirk(sandbox: Sandbox, clock: Clock) -> None:
    """A customer revokes its own tokens; an admin token on that route gets the customerId 400."""
    token = sandbox.customer_token("ir.customer01@example.com")
    with client_for(sandbox, token) as customer:
        assert customer.get("/rest/V1/customers/me").json()["id"] == 3
        assert customer.post("/rest/V1/integration/customer/revoke-customer-token").json() is True
        assert customer.get("/rest/V1/customers/me").status_code == 401
    with client_for(sandbox, sandbox.admin_token()) as admin:
        response = admin.post("/rest/V1/integration/customer/revoke-customer-token")
    assert response.status_code == 400
    assert response.json()["parameters"] == {"fieldName": "customerId"}
    assert sandbox.state.revoked_before[(USER_TYPE_CUSTOMER, 3)] == int(clock.now)


def test_self_route_without_token_is_unauthorised_for_self(anonymous: httpx.Client) -> None:
    """`/V1/customers/me` with no token is the ACL 401 naming the `self` resource."""
    response = anonymous.get("/rest/V1/customers/me")
    assert response.status_code == 401
    assert response.json()["parameters"] == {"resources": "self"}


def test_two_factor_turns_the_admin_route_into_a_400(clock: Clock) -> None:
    """With 2FA on, a right password on the admin token route gets the provider-specific 400."""
    assert "Magento_TwoFactorAuth" in Sandbox(two_factor=True).state.modules
    assert "Magento_TwoFactorAuth" not in Sandbox().state.modules
    sandbox = Sandbox(two_factor=True, clock=clock)
    with client_for(sandbox) as client:
        response = _login(client, "Sandbox123!")
        assert response.status_code == 400
        assert response.json() == {
            "message": "Please use the 2fa provider-specific endpoints to obtain a token.",
            "parameters": {"active_providers": ["google"]},
        }
        assert _login(client, "bad").status_code == 401


def test_google_provider_checks_totp_with_leeway(clock: Clock) -> None:
    """The Google provider route accepts the current code and one 29 s away; wrong codes get 401."""
    sandbox = Sandbox(two_factor=True, clock=clock, totp_secret="JBSWY3DPEHPK3PXP")
    secret = sandbox.inspect.admin_totp_secret()
    assert secret == "JBSWY3DPEHPK3PXP"
    path = "/rest/V1/tfa/provider/google/authenticate"
    with client_for(sandbox) as client:
        good = totp_code(secret, int(clock.now) // 30)
        ok = client.post(path, json={"username": "admin", "password": "Sandbox123!", "otp": good})
        assert ok.status_code == 200
        assert _claims(ok.json())["utypid"] == 2
        drifted = totp_code(secret, int(clock.now + 29) // 30)
        body = {"username": "admin", "password": "Sandbox123!", "otp": drifted}
        assert client.post(path, json=body).status_code == 200
        wrong = {
            "username": "admin",
            "password": "Sandbox123!",
            "otp": "000000" if good != "000000" else "111111",
        }
        assert client.post(path, json=wrong).status_code == 401


def test_rfc6238_reference_vector() -> None:
    """TOTP codes match RFC 6238's SHA-1 test vector (T=59 s, secret "12345678901234567890")."""
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp_code(secret, 59 // 30) == "287082"


def test_provider_route_does_not_exist_without_two_factor(anonymous: httpx.Client) -> None:
    """With Magento_TwoFactorAuth disabled its routes are not registered: 404 route not found."""
    body = {"username": "admin", "password": "Sandbox123!", "otp": "123456"}
    response = anonymous.post("/rest/V1/tfa/provider/google/authenticate", json=body)
    assert response.status_code == 404
    assert response.json() == {"message": "Request does not match any route."}


def test_acl_per_admin_role(sandbox: Sandbox) -> None:
    """A support role may read orders but not save products: 401 names the route's resource."""
    with client_for(sandbox, sandbox.admin_token("support")) as support:
        assert support.get("/rest/V1/orders/1").status_code == 200
        response = support.put("/rest/all/V1/products/IR-SKU-001", json={"product": {"status": 2}})
    assert response.status_code == 401
    assert response.json() == {
        "message": "The consumer isn't authorized to access %resources.",
        "parameters": {"resources": "Magento_Catalog::products"},
    }


def test_integration_bearer_only_when_enabled(clock: Clock) -> None:
    """An integration access token works as Bearer only with enable_integration_as_bearer=1."""
    for enabled, expected in ((False, 401), (True, 200)):
        sandbox = Sandbox(integration_as_bearer=enabled, clock=clock)
        token = sandbox.inspect.integration_credentials("ERP Connector")["access_token"]
        with client_for(sandbox, token) as client:
            assert client.get("/rest/V1/orders/1").status_code == expected


def test_integration_acl_is_its_own_resource_list(clock: Clock) -> None:
    """A restricted integration reaches its resources only."""
    sandbox = Sandbox(integration_as_bearer=True, clock=clock)
    token = sandbox.inspect.integration_credentials("Shipping Sync")["access_token"]
    with client_for(sandbox, token) as client:
        assert client.get("/rest/V1/orders/1").status_code == 200
        assert client.get("/rest/V1/customers/3").status_code == 401


# --- OAuth 1.0a ------------------------------------------------------------------------------
VECTOR_URL = (
    "https://shop.example.com/rest/V1/customers/search?"
    "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bfield%5D=email&"
    "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bvalue%5D=%25%40example.com&"
    "searchCriteria%5Bfilter_groups%5D%5B0%5D%5Bfilters%5D%5B0%5D%5Bcondition_type%5D=like&"
    "searchCriteria%5BpageSize%5D=50&searchCriteria%5BcurrentPage%5D=1"
)
VECTOR_SIGNATURE = "NoV+fva3WJUnFXC9WjaSed/UhJ/0/ZxxQbNv55Nhbs4="


@pytest.fixture
def oauth_sandbox(clock: Clock) -> Sandbox:
    sandbox = Sandbox(clock=clock)
    sandbox.state.integrations[9] = Integration(
        9,
        "Vector",
        "vector@example.com",
        1,
        9,
        consumer_key="c" * 32,
        consumer_secret="consumer-secret",
        access_token="t" * 32,
        access_token_secret="token-secret",
    )
    return sandbox


def _oauth_header(
    signature: str, method: str = "HMAC-SHA256", nonce: str = "n0nc3", timestamp: str = "1700000000"
) -> str:
    params = {
        "oauth_consumer_key": "c" * 32,
        "oauth_token": "t" * 32,
        "oauth_nonce": nonce,
        "oauth_timestamp": timestamp,
        "oauth_signature_method": method,
        "oauth_version": "1.0",
        "oauth_signature": signature,
    }
    return "OAuth " + ", ".join(f'{key}="{quote(value, safe="")}"' for key, value in params.items())


def test_oauth_reference_vector_is_accepted_once(oauth_sandbox: Sandbox) -> None:
    """magento-api.md's HMAC-SHA256 test vector verifies; replaying its nonce is refused."""
    with httpx.Client(transport=oauth_sandbox.transport()) as client:
        headers = {"Authorization": _oauth_header(VECTOR_SIGNATURE)}
        response = client.get(VECTOR_URL, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["total_count"] == 12
        replayed = client.get(VECTOR_URL, headers=headers)
    assert replayed.status_code == 401
    assert replayed.json() == {
        "message": "The nonce is already being used by the consumer with ID %1",
        "parameters": [9],
    }


def test_oauth_rejections(oauth_sandbox: Sandbox, clock: Clock) -> None:
    """HMAC-SHA1 is a 400; a wrong signature or a timestamp over 600 s ahead is a 401."""
    with httpx.Client(transport=oauth_sandbox.transport()) as client:
        sha1 = client.get(VECTOR_URL, headers={"Authorization": _oauth_header("x", "HMAC-SHA1")})
        bad = client.get(VECTOR_URL, headers={"Authorization": _oauth_header("AAAA", nonce="n2")})
        future = str(int(clock.now) + 601)
        ahead = client.get(
            VECTOR_URL,
            headers={
                "Authorization": _oauth_header(VECTOR_SIGNATURE, nonce="n3", timestamp=future)
            },
        )
    assert (sha1.status_code, sha1.json()) == (
        400,
        {"message": "Signature method %1 is not supported", "parameters": ["HMAC-SHA1"]},
    )
    assert (bad.status_code, bad.json()["message"]) == (
        401,
        "The signature is invalid. Verify and try again.",
    )
    assert (ahead.status_code, ahead.json()["message"]) == (
        401,
        "An error occurred validating the nonce",
    )


def test_secrets_stay_out_of_reprs(sandbox: Sandbox) -> None:
    """Admin users and integrations never show passwords, secrets or tokens in their repr."""
    text = (
        repr(sandbox.state.admin_users) + repr(sandbox.state.integrations) + repr(sandbox.options)
    )
    credentials = sandbox.inspect.integration_credentials("ERP Connector")
    assert "Sandbox123!" not in text
    for secret in ("consumer_secret", "access_token", "access_token_secret"):
        assert credentials[secret] not in text


def test_issued_token_log_prunes_expired_entries(sandbox: Sandbox, clock: Clock) -> None:
    """The inspection log of issued tokens drops expired ones instead of growing forever."""
    for _ in range(10_000):
        sandbox.admin_token()
    clock.advance(3601)
    sandbox.admin_token()
    assert len(sandbox.issued_tokens) == 1
    assert len(sandbox.inspect.live_tokens()) == 1


def test_crypt_key_rotation_kills_every_jwt(sandbox: Sandbox) -> None:
    """After a crypt-key change old admin and customer tokens fail; new ones work."""
    admin_token = sandbox.admin_token()
    customer_token = sandbox.customer_token("ir.customer03@example.com")
    sandbox.rotate_crypt_key()
    with client_for(sandbox, admin_token) as admin, client_for(sandbox, customer_token) as customer:
        assert admin.get("/rest/V1/modules").status_code == 401
        assert customer.get("/rest/V1/customers/me").status_code == 401
    with client_for(sandbox, sandbox.admin_token()) as admin:
        assert admin.get("/rest/V1/modules").status_code == 200
    assert len(sandbox.inspect.live_tokens()) == 1
