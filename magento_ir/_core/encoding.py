"""RFC 3986 percent-encoding of query names, values and path segments, as Magento needs them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def percent_encode(text: str) -> str:
    """Encode every byte of the UTF-8 form except RFC 3986 unreserved characters.

    Stricter than `urllib.parse.quote`: `/`, `+`, `@`, `=`, `&`, brackets and spaces are all
    encoded, so PHP never reads `+` as a space and OAuth 1.0a signs what is sent.
    """
    return "".join(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in text.encode())


def encode_query(pairs: Iterable[tuple[str, str]]) -> str:
    """`name=value` pairs joined by `&`, names and values percent-encoded (brackets as %5B/%5D)."""
    return "&".join(f"{percent_encode(name)}={percent_encode(value)}" for name, value in pairs)
