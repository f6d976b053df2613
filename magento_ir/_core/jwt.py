"""Read a Magento JWT's `exp` claim, unverified: the store checks signatures, we plan refreshes."""

from __future__ import annotations

import base64
import binascii
import json

# Refresh a little before the real expiry so a request does not race the deadline.
EXPIRY_LEEWAY_SECONDS = 30
_JWT_PARTS = 3  # header.claims.signature


def jwt_expiry(token: str) -> int | None:
    """The `exp` claim (Unix seconds) of a JWT, or None when the token is not a readable JWT."""
    parts = token.split(".")
    if len(parts) != _JWT_PARTS:
        return None
    claims_part = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(claims_part))
    except (binascii.Error, ValueError):
        return None
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(expiry, bool) or not isinstance(expiry, int):
        return None
    return expiry


def is_expired(token: str, now: float, leeway: float = EXPIRY_LEEWAY_SECONDS) -> bool:
    """True once `exp` (minus a small leeway) has passed; unreadable tokens never expire."""
    expiry = jwt_expiry(token)
    return expiry is not None and now >= expiry - leeway
