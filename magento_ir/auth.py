"""Credentials for Magento's REST API: admin and customer logins, bearer tokens, OAuth 1.0a.

* `AdminCredentials` log in at `/V1/integration/admin/token`, or at
  `/V1/tfa/provider/google/authenticate` with a TOTP code when the store enforces 2FA.
* `CustomerCredentials` log in at `/V1/integration/customer/token`.
* `BearerToken` sends a pre-issued token (admin/customer JWT, or an integration token on stores
  that allow integration tokens as bearer tokens).
* `OAuth1Credentials` sign every request as an activated integration (HMAC-SHA256 by default).

No credential object ever shows a secret in its `repr()` or can be pickled; copies are the
object itself (credentials never change after construction).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from authlib.oauth1.rfc5849.client_auth import ClientAuth
from authlib.oauth1.rfc5849.signature import (
    escape,
    generate_signature_base_string,
    sign_hmac_sha1,
)
from authlib.oauth1.rfc5849.wrapper import OAuth1Request

from magento_ir._core.totp import decode_secret, totp
from magento_ir._exceptions import ConfigurationError, InvalidArgumentError
from magento_ir._secret import HoldsSecret

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "AdminCredentials",
    "Auth",
    "BearerToken",
    "CustomerCredentials",
    "OAuth1Credentials",
    "TokenLogin",
]

ADMIN_TOKEN_PATH = "/V1/integration/admin/token"  # noqa: S105 - a route, not a secret
GOOGLE_2FA_PATH = "/V1/tfa/provider/google/authenticate"
CUSTOMER_TOKEN_PATH = "/V1/integration/customer/token"  # noqa: S105 - a route
_SIGNATURE_METHODS = ("HMAC-SHA256", "HMAC-SHA1")
# Magento signs bracketed names in natural index order, RFC 5849 clients in byte order: they agree
# only while every index is a single digit (magento-api.md §2.6).
_TWO_DIGIT_INDEX = re.compile(r"%5B\d{2,}%5D", re.IGNORECASE)


def _required(value: str, name: str, hint: str) -> str:
    if not value or not value.strip():
        raise ConfigurationError(f"{name} is empty: {hint}")
    return value


class TokenLogin(HoldsSecret, ABC):
    """Credentials the client exchanges for a JWT, and exchanges again when it expires."""

    @abstractmethod
    def login_request(self, now: float) -> tuple[str, dict[str, str]]:
        """The route and JSON body that issue a token (`now` is Unix time, for TOTP)."""


class AdminCredentials(TokenLogin):
    """An admin user's login; pass `totp_secret` (or `otp_provider`) when the store enforces 2FA."""

    def __init__(
        self,
        username: str,
        password: str,
        totp_secret: str | None = None,
        otp_provider: Callable[[], str] | None = None,
    ) -> None:
        self.username = _required(username, "username", "pass the admin user name")
        self._password = _required(password, "password", "pass the admin password")
        if totp_secret is not None and otp_provider is not None:
            raise ConfigurationError(
                "pass either totp_secret (the SDK computes codes) or otp_provider (you supply "
                "codes), not both"
            )
        self._totp_key = decode_secret(totp_secret) if totp_secret is not None else None
        self._otp_provider = otp_provider

    @property
    def uses_2fa(self) -> bool:
        """Whether logins go through the Google Authenticator provider route."""
        return self._totp_key is not None or self._otp_provider is not None

    def login_request(self, now: float) -> tuple[str, dict[str, str]]:
        body = {"username": self.username, "password": self._password}
        if self._totp_key is not None:
            return GOOGLE_2FA_PATH, {**body, "otp": totp(self._totp_key, now)}
        if self._otp_provider is not None:
            return GOOGLE_2FA_PATH, {**body, "otp": self._otp_provider()}
        return ADMIN_TOKEN_PATH, body

    def __repr__(self) -> str:
        return f"AdminCredentials(username={self.username!r}, password='***', 2fa={self.uses_2fa})"


class CustomerCredentials(TokenLogin):
    """A storefront customer's login (e-mail and password)."""

    def __init__(self, email: str, password: str) -> None:
        self.email = _required(email, "email", "pass the customer's e-mail address")
        self._password = _required(password, "password", "pass the customer's password")

    def login_request(self, now: float) -> tuple[str, dict[str, str]]:  # noqa: ARG002 - no TOTP
        return CUSTOMER_TOKEN_PATH, {"username": self.email, "password": self._password}

    def __repr__(self) -> str:
        return f"CustomerCredentials(email={self.email!r}, password='***')"


class BearerToken(HoldsSecret):
    """A token issued elsewhere; it cannot be renewed, so a 401 is final."""

    def __init__(self, token: str) -> None:
        self._token = _required(token, "token", "pass the admin, customer or integration token")

    def authorization(self) -> str:
        """The Authorization header value."""
        return f"Bearer {self._token}"

    def __repr__(self) -> str:
        return "BearerToken(token='***')"


def _sign_hmac_sha256(client: Any, request: Any) -> str:  # noqa: ANN401 - authlib's untyped hook
    base_string = generate_signature_base_string(request)
    key = f"{escape(client.client_secret or '')}&{escape(client.token_secret or '')}"
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class _MagentoClientAuth(ClientAuth):  # type: ignore[misc]  # authlib ships no type hints
    """authlib's RFC 5849 signer with HMAC-SHA256 registered on this subclass only."""

    SIGNATURE_METHODS: ClassVar[dict[str, Callable[[Any, Any], str]]] = {
        "HMAC-SHA256": _sign_hmac_sha256,
        "HMAC-SHA1": sign_hmac_sha1,
    }

    def __init__(  # authlib's constructor is untyped; its arguments pass through
        self,
        *args: Any,  # noqa: ANN401
        nonce: str | None,
        timestamp: str | None,
        **kwargs: Any,  # noqa: ANN401
    ) -> None:
        super().__init__(*args, **kwargs)
        self._fixed_nonce = nonce
        self._fixed_timestamp = timestamp

    def get_oauth_params(self, nonce: str, timestamp: str) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = super().get_oauth_params(
            self._fixed_nonce or nonce, self._fixed_timestamp or timestamp
        )
        return params

    def get_oauth_signature(
        self, method: str, uri: str, headers: dict[str, str], body: bytes | str
    ) -> str:
        # authlib's request wrapper refuses plain http; test stores and the sandbox use it, and the
        # signature itself protects no secret in transit. Parse as https, then sign the real URI.
        scheme, _, rest = uri.partition("://")
        request = OAuth1Request(method, f"https://{rest}", body=body, headers=headers)
        request.uri = f"{scheme}://{rest}"
        signature: str = self.SIGNATURE_METHODS[self.signature_method](self, request)
        return signature


class OAuth1Credentials(HoldsSecret):
    """An activated integration's four OAuth 1.0a values: every request is signed."""

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        access_token: str,
        access_token_secret: str,
        signature_method: str = "HMAC-SHA256",
    ) -> None:
        hint = "copy the four values from System > Extensions > Integrations > (integration) > Edit"
        self.consumer_key = _required(consumer_key, "consumer_key", hint)
        self._consumer_secret = _required(consumer_secret, "consumer_secret", hint)
        self._access_token = _required(access_token, "access_token", hint)
        self._access_token_secret = _required(access_token_secret, "access_token_secret", hint)
        if signature_method not in _SIGNATURE_METHODS:
            raise ConfigurationError(
                f"signature_method {signature_method!r} is not supported: use 'HMAC-SHA256' "
                "(Magento 2.4.4+) or 'HMAC-SHA1' (only Magento 2.4.0-2.4.3)"
            )
        self.signature_method = signature_method

    def authorization(
        self, method: str, url: str, *, nonce: str | None = None, timestamp: str | None = None
    ) -> str:
        """The `Authorization: OAuth ...` value for a request (JSON bodies are not signed).

        `nonce` and `timestamp` are generated when omitted; pass them only to reproduce a signature.
        """
        query = urlsplit(url).query
        if "%5B%5D" in query.upper():
            raise InvalidArgumentError(
                "an empty bracket index (name[]=...) is signed differently by Magento (it keeps "
                "only the last pair): use explicit indexes such as storeCodes[0], storeCodes[1]"
            )
        if _TWO_DIGIT_INDEX.search(query):
            raise InvalidArgumentError(
                "a query parameter index of 10 or more cannot be OAuth-signed the way every "
                "Magento version checks it: keep at most 10 filter groups, filters per group "
                "and sort orders (merge values with the 'in' condition), or use a bearer token"
            )
        signer = _MagentoClientAuth(
            self.consumer_key,
            client_secret=self._consumer_secret,
            token=self._access_token,
            token_secret=self._access_token_secret,
            signature_method=self.signature_method,
            nonce=nonce,
            timestamp=timestamp,
        )
        _, headers, _ = signer.sign(method, url, {}, b"")
        authorization: str = headers["Authorization"]
        return authorization

    def __repr__(self) -> str:
        return (
            f"OAuth1Credentials(consumer_key={self.consumer_key!r}, consumer_secret='***', "
            f"access_token='***', access_token_secret='***', "
            f"signature_method={self.signature_method!r})"
        )


Auth = AdminCredentials | CustomerCredentials | BearerToken | OAuth1Credentials
