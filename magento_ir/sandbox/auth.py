"""Credentials as Magento 2.4.7 checks them: JWTs, the token throttle, TOTP, OAuth 1.0a.

Nothing here logs or echoes a secret: failures carry Magento's fixed phrases only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote

from magento_ir.sandbox.errors import WebapiError, required_field, sign_in_incorrect
from magento_ir.sandbox.state import (
    USER_TYPE_ADMIN,
    USER_TYPE_CUSTOMER,
    USER_TYPE_INTEGRATION,
    Caller,
    Integration,
    StoreState,
)

if TYPE_CHECKING:
    from magento_ir.sandbox.messages import SandboxRequest

__all__ = [
    "GUEST",
    "decode_jwt",
    "issue_jwt",
    "oauth_signature",
    "resolve_caller",
    "totp_code",
    "totp_matches",
]

GUEST = Caller()
JWT_HEADER = {"kid": "1", "alg": "HS256"}
MAX_FAILURES = 6  # oauth/authentication_lock/max_failures_count
LOCK_SECONDS = 1800  # oauth/authentication_lock/timeout
TOTP_LEEWAY = 29  # twofactorauth/google/leeway
OAUTH_FUTURE_SECONDS = 600


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _compact(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def issue_jwt(secret: bytes, user_id: int, user_type: int, issued_at: int, minutes: int) -> str:
    """A token like Magento_JwtUserToken's: header kid 1/HS256, claims uid, utypid, iat, exp."""
    claims = {
        "uid": user_id,
        "utypid": user_type,
        "iat": issued_at,
        "exp": issued_at + minutes * 60,
    }
    signing_input = f"{_b64url(_compact(JWT_HEADER))}.{_b64url(_compact(claims))}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def decode_jwt(secret: bytes, token: str) -> dict[str, int] | None:
    """The claims of a token this sandbox signed, or None (expiry is not checked here)."""
    parts = token.split(".")
    if len(parts) != 3:  # noqa: PLR2004 - header.claims.signature
        return None
    try:
        expected = hmac.new(secret, f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64url_decode(parts[2])):
            return None
        header = json.loads(_b64url_decode(parts[0]))
        claims = json.loads(_b64url_decode(parts[1]))
    except (ValueError, TypeError):
        return None
    if header != JWT_HEADER or not isinstance(claims, dict):
        return None
    if not all(isinstance(claims.get(key), int) for key in ("uid", "utypid", "iat", "exp")):
        return None
    return {key: int(claims[key]) for key in ("uid", "utypid", "iat", "exp")}


def token_lifetime_minutes(state: StoreState, user_type: int) -> int:
    path = "admin_expiration" if user_type == USER_TYPE_ADMIN else "customer_expiration"
    raw = state.config_value(f"webapi/jwtauth/{path}") or "60"
    try:
        minutes = int(raw)
    except ValueError:
        minutes = 60
    return minutes if minutes > 0 else 30


# --- token-endpoint throttle (Magento\Integration\Model\Oauth\Token\RequestThrottler) ---------
def ensure_not_locked(state: StoreState, username: str, user_type: int, now: float) -> None:
    entry = state.token_request_log.get((username, user_type))
    if entry is not None and entry[1] > now:
        raise sign_in_incorrect()


def record_failure(state: StoreState, username: str, user_type: int, now: float) -> None:
    entry = state.token_request_log.setdefault((username, user_type), [0, 0])
    if entry[1] and entry[1] <= now:
        entry[0], entry[1] = 0, 0  # an expired lock starts a fresh count
    entry[0] += 1
    if entry[0] >= MAX_FAILURES:
        entry[0], entry[1] = 0, int(now) + LOCK_SECONDS


def record_success(state: StoreState, username: str, user_type: int) -> None:
    state.token_request_log.pop((username, user_type), None)


# --- TOTP (RFC 6238 with Google Authenticator's parameters) -----------------------------------
def totp_code(secret_base32: str, counter: int) -> str:
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def totp_matches(secret_base32: str, otp: str, now: float) -> bool:
    """Whether `otp` is valid within Magento's 29-second leeway of `now`."""
    counters = {int(now - TOTP_LEEWAY) // 30, int(now) // 30, int(now + TOTP_LEEWAY) // 30}
    return any(hmac.compare_digest(totp_code(secret_base32, c), otp) for c in sorted(counters))


# --- resolving the caller ---------------------------------------------------------------------
def resolve_caller(state: StoreState, secret: bytes, request: SandboxRequest, now: float) -> Caller:
    """Who the Authorization header says is calling; unusable credentials give a guest."""
    header = request.header("authorization")
    if not header:
        return GUEST
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() == "oauth":
        integration = verify_oauth(state, request, credentials, now)
        return _integration_caller(integration)
    if scheme.lower() != "bearer" or not credentials or " " in credentials.strip():
        return GUEST
    token = credentials.strip()
    claims = decode_jwt(secret, token)
    if claims is None:
        bearer = state.integration_by_access_token(token)
        bearer_enabled = state.config_value("oauth/consumer/enable_integration_as_bearer") == "1"
        if bearer is not None and bearer_enabled and bearer.status == 1:
            return _integration_caller(bearer)
        return GUEST
    return _jwt_caller(state, claims, now)


def _integration_caller(integration: Integration) -> Caller:
    return Caller(USER_TYPE_INTEGRATION, integration.integration_id, integration.resources)


def _jwt_caller(state: StoreState, claims: dict[str, int], now: float) -> Caller:
    user_id, user_type = claims["uid"], claims["utypid"]
    expired = claims["exp"] <= now
    revoked = claims["iat"] <= state.token_cutoff(user_type, user_id)
    if expired or revoked:
        return GUEST
    if user_type == USER_TYPE_ADMIN:
        user = state.admin_users.get(user_id)
        if user is not None and user.is_active:
            return Caller(USER_TYPE_ADMIN, user_id, state.admin_resources(user))
    elif user_type == USER_TYPE_CUSTOMER and user_id in state.customers:
        return Caller(USER_TYPE_CUSTOMER, user_id)
    return GUEST


# --- OAuth 1.0a (integrations), as 2.4.7's laminas-oauth based signer -------------------------
_HEADER_PARAM = re.compile(r'([A-Za-z0-9_]+)="([^"]*)"')
# 2.4.4-2.4.7 percent-decode these in the path before signing (magento/magento2#37278).
_PATH_DECODED = {"%2F": "/", "%3A": ":", "%40": "@", "%26": "&", "%3D": "=", "%2B": "+"}
_PATH_DECODED |= {"%24": "$", "%2C": ",", "%3B": ";"}
_PATH_ESCAPE = re.compile("|".join(re.escape(key) for key in _PATH_DECODED), re.IGNORECASE)


def _encode(text: str) -> str:
    return quote(text, safe="-._~")


def _natural(name: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def oauth_base_string(request: SandboxRequest, oauth_params: dict[str, str]) -> str:
    scheme = "https" if request.header("x-forwarded-proto") == "https" else request.scheme
    host = request.host.lower()
    if (scheme, host.rpartition(":")[2]) in (("http", "80"), ("https", "443")):
        host = host.rpartition(":")[0]
    path = _PATH_ESCAPE.sub(lambda found: _PATH_DECODED[found.group(0).upper()], request.path)
    params = {key: value for key, value in oauth_params.items() if key != "oauth_signature"}
    for pair in request.query.split("&") if request.query else []:
        name, equals, value = pair.partition("=")
        if equals:
            params[unquote(name)] = unquote(value)
    content_type = request.header("content-type") or ""
    if content_type.startswith("application/x-www-form-urlencoded") and request.body:
        for pair in request.body.decode("utf-8", "replace").split("&"):
            name, equals, value = pair.partition("=")
            if equals:
                params[unquote(name)] = unquote(value)
    ordered = sorted(
        (_encode(name), _encode(value)) for name, value in params.items() if name != "realm"
    )
    ordered.sort(key=lambda pair: (_natural(pair[0]), pair[1]))
    joined = "&".join(f"{name}={value}" for name, value in ordered)
    return "&".join((request.method.upper(), _encode(f"{scheme}://{host}{path}"), _encode(joined)))


def oauth_signature(base_string: str, consumer_secret: str, token_secret: str) -> str:
    key = f"{_encode(consumer_secret)}&{_encode(token_secret)}".encode()
    digest = hmac.new(key, base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify_oauth(
    state: StoreState, request: SandboxRequest, credentials: str, now: float
) -> Integration:
    params = {name: unquote(value) for name, value in _HEADER_PARAM.findall(credentials)}
    for name in (
        "oauth_consumer_key",
        "oauth_signature_method",
        "oauth_signature",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_token",
    ):
        if not params.get(name):
            raise required_field(name)
    method = params["oauth_signature_method"]
    if method != "HMAC-SHA256":
        raise WebapiError(400, "Signature method %1 is not supported", [method])
    integration = state.integration_by_consumer_key(params["oauth_consumer_key"])
    if integration is None or integration.status != 1:
        raise WebapiError(401, "A consumer having the specified key does not exist")
    try:
        timestamp = int(params["oauth_timestamp"])
    except ValueError:
        timestamp = -1
    if timestamp <= 0 or timestamp > now + OAUTH_FUTURE_SECONDS:
        raise WebapiError(401, "An error occurred validating the nonce")
    nonce_key = (integration.consumer_id, params["oauth_nonce"])
    if nonce_key in state.oauth_nonces:
        raise WebapiError(
            401,
            "The nonce is already being used by the consumer with ID %1",
            [integration.consumer_id],
        )
    token_ok = hmac.compare_digest(params["oauth_token"], integration.access_token)
    expected = oauth_signature(
        oauth_base_string(request, params),
        integration.consumer_secret,
        integration.access_token_secret,
    )
    if not token_ok or not hmac.compare_digest(expected, params["oauth_signature"]):
        raise WebapiError(401, "The signature is invalid. Verify and try again.")
    state.oauth_nonces[nonce_key] = timestamp
    return integration


def verify_customer_password(state: StoreState, customer_id: int, password: str) -> bool:
    expected = state.customer_password_hash(customer_id)
    candidate = hashlib.sha256(f"{state.password_salt}:{password}".encode()).hexdigest()
    return hmac.compare_digest(candidate, expected)
