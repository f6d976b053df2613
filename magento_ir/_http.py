"""The transport seam: the only module that imports httpx.

httpx exceptions are mapped to ours here, once (as httpx maps httpcore's). Sleeping lives here
too, so `set_testing(True)` can remove every retry and polling wait in one place.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from magento_ir._core.redact import redact_text
from magento_ir._exceptions import APIConnectionError, APITimeoutError, RequestInfo

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "AsyncBaseTransport",
    "AsyncClient",
    "AsyncHTTPTransport",
    "BaseTransport",
    "Client",
    "Request",
    "Response",
    "async_sleep",
    "map_transport_errors",
    "sends_over_network",
    "set_testing",
    "sleep",
]

Client = httpx.Client
AsyncClient = httpx.AsyncClient
BaseTransport = httpx.BaseTransport
AsyncBaseTransport = httpx.AsyncBaseTransport
AsyncHTTPTransport = httpx.AsyncHTTPTransport
Request = httpx.Request
Response = httpx.Response
Timeout = httpx.Timeout


def sends_over_network(
    transport: BaseTransport | AsyncBaseTransport | None,
    http_client: Client | AsyncClient | None,
) -> bool:
    """Whether requests go out through httpx's own network transport.

    Other transports (the sandbox's in-process one, a test double, a wrapper of one) decide
    themselves where bytes go: that is their author's business.
    """
    # httpx keeps a client's transport private; this module is where httpx details live.
    used = getattr(http_client, "_transport", None) if http_client is not None else transport
    return used is None or isinstance(used, httpx.HTTPTransport | httpx.AsyncHTTPTransport)


class _Testing:
    waits_removed = False


def set_testing(enabled: bool) -> None:
    """Remove (True) or restore (False) every retry and polling wait, for fast tests.

    Retries still happen and are still logged; only the sleeping is skipped.
    """
    _Testing.waits_removed = enabled


def sleep(seconds: float) -> None:
    """Blocking sleep, skipped under `set_testing(True)`."""
    if not _Testing.waits_removed:
        time.sleep(seconds)


async def async_sleep(seconds: float) -> None:
    """Async sleep, skipped under `set_testing(True)` (still yields to the event loop)."""
    await asyncio.sleep(0 if _Testing.waits_removed else seconds)


@contextmanager
def map_transport_errors(request: RequestInfo, host: str) -> Iterator[None]:
    """Re-raise httpx transport failures as APIConnectionError / APITimeoutError."""
    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise APITimeoutError(
            f"timed out connecting to {host}: check the host and port in base_url, and that "
            "this machine may reach the store (firewall, VPN)",
            request=request,
            request_sent=False,
        ) from exc
    except httpx.TimeoutException as exc:
        raise APITimeoutError(
            f"{host} did not answer in time ({type(exc).__name__}); raise timeout=... if the "
            "store is slow, or check its health",
            request=request,
        ) from exc
    except httpx.ConnectError as exc:
        raise APIConnectionError(
            f"could not connect to {host}: {redact_text(str(exc)) or type(exc).__name__} — check "
            "the host and port in base_url, DNS, and that the store is up",
            request=request,
            request_sent=False,
        ) from exc
    except httpx.TransportError as exc:
        raise APIConnectionError(
            f"the connection to {host} failed: {redact_text(str(exc)) or type(exc).__name__}",
            request=request,
        ) from exc
    except httpx.RequestError as exc:  # e.g. a body that cannot be decoded (DecodingError)
        raise APIConnectionError(
            f"the response from {host} could not be read: "
            f"{redact_text(str(exc)) or type(exc).__name__}",
            request=request,
        ) from exc
