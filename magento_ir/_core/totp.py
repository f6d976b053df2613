"""RFC 6238 TOTP (and RFC 4226 HOTP) codes for Magento's Google Authenticator 2FA provider."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

from magento_ir._exceptions import ConfigurationError

_ALGORITHMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512}


def decode_secret(secret: str) -> bytes:
    """The key bytes of a base32 secret as authenticator apps show it (spaces and case ignored)."""
    cleaned = "".join(secret.split()).upper()
    if not cleaned:
        raise ConfigurationError(
            "totp_secret is empty: pass the base32 secret of the admin's 2FA app"
        )
    try:
        return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            "totp_secret is not valid base32 (letters A-Z and digits 2-7): pass the secret shown "
            "when Google Authenticator was set up (bin/magento security:tfa:google:set-secret)"
        ) from None


def hotp(key: bytes, counter: int, digits: int = 6, algorithm: str = "sha1") -> str:
    """RFC 4226 HOTP value for `counter`."""
    digest = hmac.new(key, struct.pack(">Q", counter), _ALGORITHMS[algorithm]).digest()
    offset = digest[-1] & 0x0F
    code = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(
    key: bytes, now: float, *, digits: int = 6, period: int = 30, algorithm: str = "sha1"
) -> str:
    """RFC 6238 TOTP value at Unix time `now`."""
    return hotp(key, int(now // period), digits, algorithm)
