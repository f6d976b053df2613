"""Redaction of secrets for logs, reprs and exception messages."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from magento_ir._core.encoding import encode_query

REDACTED = "[REDACTED]"
# Key fragments that mark a secret in a JSON body or query string (compared without _ and -).
_SECRET_KEY_PARTS = ("password", "secret", "token", "signature", "passcode", "otp")
_OAUTH_PARAM = re.compile(r'(oauth_[a-z_]+)="[^"]*"')
_BEARER = re.compile(r"(?i)\b(bearer)\s+[^\s,]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")


def is_secret_key(name: str) -> bool:
    """Whether a field or parameter name holds a secret (password, token, signature, OTP...)."""
    normalised = name.lower().replace("_", "").replace("-", "")
    return any(part in normalised for part in _SECRET_KEY_PARTS)


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
