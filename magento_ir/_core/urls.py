"""Base-URL parsing and Magento REST URL building (`/rest/<store>/V1/...`)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from magento_ir._core.encoding import encode_query, percent_encode
from magento_ir._core.redact import display_url
from magento_ir._exceptions import ConfigurationError, InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Mapping

# Magento's own rule for store codes: a letter first, then letters, digits, underscores.
_STORE_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# Where a REST route may start below /rest/<store>: plain, asynchronous, and bulk routes.
_REST_PREFIXES = ("/V1/", "/async/V1/", "/async/bulk/V1/")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class StoreURL:
    """Where a store is: origin (`https://shop.example.com`), a path prefix, and the store code."""

    origin: str
    root: str
    store: str | None

    def rest_url(self, path: str, query: str = "") -> str:
        """Full URL of a REST route such as `/V1/products/SKU` (already percent-encoded)."""
        check_rest_path(path)
        store = f"/{self.store}" if self.store is not None else ""
        url = f"{self.origin}{self.root}/rest{store}{path}"
        return f"{url}?{query}" if query else url

    def graphql_url(self) -> str:
        """The store's GraphQL endpoint (the store view travels in the `Store` header)."""
        return f"{self.origin}{self.root}/graphql"

    def with_store(self, store: str | None) -> StoreURL:
        """The same store under another store code (`all` = admin scope, None = default view)."""
        return StoreURL(self.origin, self.root, check_store_code(store))


def check_store_code(store: str | None) -> str | None:
    """Return a valid store code unchanged, or raise naming the rule Magento applies."""
    if store is None or _STORE_CODE.match(store):
        return store
    raise ConfigurationError(
        f"store code {store!r} is not valid: Magento store codes start with a letter and contain "
        "only letters, digits and underscores (e.g. 'default', 'all', 'de_store')"
    )


def check_rest_path(path: str) -> None:
    """Refuse a route that does not start with /V1/, /async/V1/ or /async/bulk/V1/."""
    if not path.startswith(_REST_PREFIXES) or "?" in path or "#" in path:
        raise InvalidArgumentError(
            f"REST path {path!r} must start with one of {', '.join(_REST_PREFIXES)} and carry no "
            "query string (pass query parameters as params=...), e.g. '/V1/store/websites'"
        )


# DNS limits (RFC 1035), and a URL bound far above any store's root URL.
_MAX_HOST = 253
_MAX_LABEL = 63
_MAX_URL = 2048


def parse_base_url(base_url: str, store: str | None = None) -> StoreURL:
    """Parse `https://shop`, `https://shop/rest`, `https://shop/rest/<store>` (+ optional `/V1`).

    A store code in `store=` wins over one found in the URL.
    """
    text = base_url.strip()
    # Errors show the URL as typed, but never a `user:password@` in it.
    shown = display_url(text)
    if "://" not in text:
        raise ConfigurationError(
            f"base_url {shown!r} has no scheme: pass the store's root URL with its scheme, "
            f"e.g. 'https://{shown.strip('/') or 'shop.example.com'}'"
        )
    if len(text) > _MAX_URL:
        # The URL is not echoed: at this length it would bury the message.
        raise ConfigurationError(
            f"base_url is {len(text):,} characters long: a store's root URL is far shorter, "
            "e.g. 'https://shop.example.com'"
        )
    try:
        parts = urlsplit(text)
    except ValueError as error:  # "http://[::1": an unclosed IPv6 bracket and the like
        raise ConfigurationError(
            f"base_url {shown!r} is not a valid URL ({error}), e.g. 'https://shop.example.com'"
        ) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise ConfigurationError(
            f"base_url {shown!r} uses scheme {parts.scheme!r}: Magento is reached over https "
            "(or http on a local test store)"
        )
    if not parts.hostname:
        raise ConfigurationError(
            f"base_url {shown!r} has no host name, e.g. 'https://shop.example.com'"
        )
    if len(parts.hostname) > _MAX_HOST or any(
        len(label) > _MAX_LABEL for label in parts.hostname.split(".")
    ):
        raise ConfigurationError(
            f"base_url {shown!r} has a host name longer than DNS allows (labels of at most "
            f"{_MAX_LABEL} characters, {_MAX_HOST} in all)"
        )
    if parts.username is not None or parts.password is not None:
        raise ConfigurationError(
            "base_url must not embed credentials (user:password@host): pass them as auth=..."
        )
    if parts.query or parts.fragment:
        raise ConfigurationError(
            "base_url must not carry a query string or fragment: pass the store's root URL, "
            "e.g. 'https://shop.example.com'"
        )
    root, url_store = _split_rest_path(parts.path, shown)
    scheme = parts.scheme.lower()
    origin = f"{scheme}://{_netloc(scheme, parts.netloc.lower(), shown)}"
    return StoreURL(origin, root, check_store_code(store if store is not None else url_store))


def is_loopback_host(host: str) -> bool:
    """Whether a host name or address is this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_plaintext_credentials(
    url: StoreURL, *, sends_credentials: bool, allow_insecure_http: bool
) -> None:
    """Refuse to send credentials over plain http:// to another machine (unless allowed)."""
    scheme, _, host = url.origin.partition("://")
    if scheme != "http" or not sends_credentials or allow_insecure_http:
        return
    hostname = urlsplit(url.origin).hostname or host
    if is_loopback_host(hostname):
        return
    raise ConfigurationError(
        f"refusing to send credentials over plain http:// to {url.origin}: anyone on the "
        f"network path could read the password or token. Use https://{host}{url.root}, or, "
        "for a test store on a network you trust, pass allow_insecure_http=True "
        "(CLI: --insecure-http)"
    )


def _split_rest_path(path: str, base_url: str) -> tuple[str, str | None]:
    segments = [segment for segment in path.split("/") if segment]
    if segments and segments[-1] == "V1":
        segments.pop()
    if "rest" not in segments:
        return _join(segments), None
    index = segments.index("rest")
    tail = segments[index + 1 :]
    if len(tail) > 1:
        raise ConfigurationError(
            f"base_url {base_url!r} goes past /rest/<store>: pass the store's root URL "
            "(e.g. 'https://shop.example.com') and call routes by their /V1/... path"
        )
    return _join(segments[:index]), (tail[0] if tail else None)


def _netloc(scheme: str, netloc: str, base_url: str) -> str:
    """The host[:port], without a default port: Magento 2.4.8 signs OAuth with the port as sent."""
    host, _, port = netloc.rpartition(":")
    if not host or netloc.endswith("]"):  # no port (an IPv6 literal has colons of its own)
        return netloc
    if not port.isdigit():
        raise ConfigurationError(f"base_url {base_url!r} has an invalid port {port!r}")
    return host if _DEFAULT_PORTS[scheme] == int(port) else netloc


def _join(segments: list[str]) -> str:
    return "".join(f"/{segment}" for segment in segments)


def path_segment(value: str | int) -> str:
    """One URL path segment (a SKU, an id), reserved characters percent-encoded (`/` → `%2F`)."""
    text = str(value)
    if not text:
        raise InvalidArgumentError("an identifier in the URL path cannot be empty")
    return percent_encode(text)


def build_query(params: Mapping[str, str | int | float | bool] | None) -> str:
    """Encode flat query parameters (names already in Magento's bracket form); bools as 1/0."""
    if not params:
        return ""
    return encode_query(
        (name, ("1" if value else "0") if isinstance(value, bool) else str(value))
        for name, value in params.items()
    )
