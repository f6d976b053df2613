"""Redaction of secrets for logs, reprs and exception messages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from magento_ir._core.encoding import encode_query

if TYPE_CHECKING:
    from collections.abc import Mapping

    from magento_ir._exceptions import JSONValue

REDACTED = "[REDACTED]"
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
)
# Key fragments that mark a secret in a JSON body or query string (compared without _ and -).
_SECRET_KEY_PARTS = ("password", "secret", "token", "signature", "passcode", "otp")
_OAUTH_PARAM = re.compile(r'(oauth_[a-z_]+)="[^"]*"')
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s,]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def is_secret_key(name: str) -> bool:
    """Whether a field or parameter name holds a secret (password, token, signature, OTP...)."""
    normalised = name.lower().replace("_", "").replace("-", "")
    return any(part in normalised for part in _SECRET_KEY_PARTS)


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of the headers with credentials replaced."""
    return {
        name: (REDACTED if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def redact_json(value: JSONValue) -> JSONValue:
    """A copy of a JSON value with every secret-named field replaced."""
    if isinstance(value, dict):
        return {
            key: (REDACTED if is_secret_key(str(key)) else redact_json(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    return value


def redact_url(url: str) -> str:
    """The URL with user info dropped and secret-named query values replaced."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    pairs = [
        (name, REDACTED if is_secret_key(name) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, netloc, parts.path, encode_query(pairs), parts.fragment))


def redact_text(text: str) -> str:
    """Free text with bearer tokens, JWTs and OAuth header values replaced."""
    text = _OAUTH_PARAM.sub(rf'\1="{REDACTED}"', text)
    text = _BEARER.sub(rf"\1 {REDACTED}", text)
    return _JWT.sub(REDACTED, text)
