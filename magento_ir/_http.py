"""The transport seam: the only module that imports httpx.

httpx exceptions are mapped to ours here, once (as httpx maps httpcore's); connection failures
no retry can fix (DNS, refused, TLS) are told apart from the rest. Sleeping lives here too, so
`set_testing(True)` can remove every retry and polling wait in one place.

Time and size: a request runs under a deadline (`deadline` / `async_deadline`) that bounds it
from connect to the last body byte, not only each socket read, and its body is read as a stream
that stops at a size cap (`read_body` / `async_read_body`).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import re
import socket
import ssl
import time
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpcore
import httpx
from httpcore._utils import is_socket_readable

from magento_ir._core.redact import redact_text
from magento_ir._core.responses import response_too_large
from magento_ir._exceptions import APIConnectionError, APITimeoutError, RequestInfo

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

__all__ = [
    "AsyncBaseTransport",
    "AsyncClient",
    "AsyncHTTPTransport",
    "BaseTransport",
    "Client",
    "Reply",
    "Request",
    "Response",
    "async_deadline",
    "async_new_client",
    "async_read_body",
    "async_sleep",
    "deadline",
    "map_transport_errors",
    "new_client",
    "read_body",
    "release",
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

_HTTP_SUCCESS = range(200, 300)
# OpenSSL's reasons when the peer answered a TLS hello with something that is not TLS.
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"}
)


@dataclass(frozen=True, slots=True)
class Reply:
    """A response read whole (within the size cap): status, headers and body bytes."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def is_success(self) -> bool:
        return self.status_code in _HTTP_SUCCESS


# When the request being sent must be done (time.monotonic()); None outside a request.
_DEADLINE: ContextVar[float | None] = ContextVar("magento_ir_deadline", default=None)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The smaller of an operation's own timeout and what is left until the deadline."""
    deadline_at = _DEADLINE.get()
    if deadline_at is None:
        return timeout
    left = deadline_at - time.monotonic()
    if left <= 0:
        raise error("the request's overall deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 - httpcore's signature
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's socket backend with the request's deadline applied to every operation.

    The blocking client cannot be cancelled from outside, so the deadline is enforced where it
    blocks: a server trickling one byte a second never lets a per-read timeout expire.
    """

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        timeout = _left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _AsyncioStream(httpcore.AsyncNetworkStream):
    """A connection as asyncio's own streams: what httpcore's anyio backend costs per read (a
    cancel scope, a checkpoint through the event loop, one queued socket read at a time), the
    async client paid dozens of times per page.

    Every request of the client runs under `async_deadline`, one `asyncio.timeout` over the whole
    exchange that ends before any per-read timeout could (both come from the same `timeout=`, the
    deadline set first): a read or write sets a timer of its own only outside a deadline.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:  # noqa: ASYNC109
        # All that is buffered, not only httpcore's 64 KiB: h11 takes any amount, and each read
        # walks the chunk up through httpcore's and httpx's async iterators.
        size = max(max_bytes, _READ_BYTES)
        with _mapped(httpcore.ReadTimeout, httpcore.ReadError):
            if timeout is None or _DEADLINE.get() is not None:
                return await self._reader.read(size)
            async with asyncio.timeout(timeout):
                return await self._reader.read(size)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:  # noqa: ASYNC109
        if not buffer:
            return
        with _mapped(httpcore.WriteTimeout, httpcore.WriteError):
            self._writer.write(buffer)
            if timeout is None or _DEADLINE.get() is not None:
                await self._writer.drain()
                return
            async with asyncio.timeout(timeout):
                await self._writer.drain()

    async def aclose(self) -> None:
        self._writer.close()
        with contextlib.suppress(OSError):  # the peer may have reset it first
            await self._writer.wait_closed()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
    ) -> httpcore.AsyncNetworkStream:
        try:
            with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
                async with asyncio.timeout(timeout):
                    await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except BaseException:
            await self.aclose()
            raise
        return self

    def get_extra_info(self, info: str) -> Any:  # noqa: ANN401 - httpcore's signature
        if info in {"ssl_object", "socket"}:
            return self._writer.get_extra_info(info)
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "is_readable":
            # An idle connection with bytes or an EOF pending (read by asyncio already, or not
            # yet) was closed or broken by the server: httpcore then drops it from the pool.
            reader = self._reader
            return (
                self._writer.is_closing()
                or reader.at_eof()
                or bool(getattr(reader, "_buffer", b""))  # StreamReader has no public peek
                or is_socket_readable(self._writer.get_extra_info("socket"))
            )
        return None


class _AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on plain asyncio, for the async client's default transport."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            async with asyncio.timeout(timeout):
                try:
                    reader, writer = await asyncio.open_connection(
                        host,
                        port,
                        local_addr=(local_address, 0) if local_address else None,
                        limit=_READ_BYTES,
                        happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY,
                    )
                except OSError as error:
                    raise _each_refused(error) or error from None
        return _configured(reader, writer, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's signature
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        with _mapped(httpcore.ConnectTimeout, httpcore.ConnectError):
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_unix_connection(path, limit=_READ_BYTES)
        return _configured(reader, writer, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


# The most one read returns; asyncio stops reading a socket whose buffer holds twice this, so
# memory per connection stays bounded.
_READ_BYTES = 512 * 1024
# Between attempts at a host's next address (IPv6, IPv4), as anyio (httpcore's default) does.
_HAPPY_EYEBALLS_DELAY = 0.25
_REFUSED = re.compile(r"\[Errno (\d+)\]")


def _configured(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, options: Iterable[Any] | None
) -> _AsyncioStream:
    raw = writer.get_extra_info("socket")
    for option in options or ():
        raw.setsockopt(*option)
    return _AsyncioStream(reader, writer)


def _each_refused(error: OSError) -> ConnectionRefusedError | None:
    """asyncio folds the failures of a host's several addresses into one plain OSError message;
    when every address refused, say so as the one address would (no retry helps then)."""
    if type(error) is not OSError or not str(error).startswith("Multiple exceptions"):
        return None
    codes = set(_REFUSED.findall(str(error)))
    if codes != {str(errno.ECONNREFUSED)}:
        return None
    return ConnectionRefusedError(errno.ECONNREFUSED, str(error))


@contextmanager
def _mapped(timeout: type[Exception], failure: type[Exception]) -> Iterator[None]:
    """asyncio's timeouts and socket errors as httpcore's, which httpx maps to its own."""
    try:
        yield
    except TimeoutError as exc:
        raise timeout(str(exc) or type(exc).__name__) from exc
    except OSError as exc:  # ssl.SSLError and ConnectionError are OSErrors too
        raise failure(str(exc) or type(exc).__name__) from exc


@functools.cache
def _tls_context(*, verifying: bool) -> ssl.SSLContext:
    """One TLS context per process and kind, built on first use.

    httpx builds a new one (loading the CA bundle, ~33 ms) for every client, even one that only
    speaks plain HTTP. The verifying one is httpx's own default (certifi's bundle, or
    SSL_CERT_FILE/SSL_CERT_DIR as set when the first https client is made). A plain-HTTP client
    gets a context that trusts no CA at all, so it fails closed should it ever meet TLS.
    """
    if verifying:
        return httpx.create_ssl_context()
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def new_client(transport: BaseTransport | None, *, tls: bool = True) -> Client:
    """A blocking httpx client; on the default transport, requests keep their deadline.

    `tls` says the store's origin is https: only then is the CA bundle loaded (once per process).
    """
    if transport is None:
        network = httpx.HTTPTransport(verify=_tls_context(verifying=tls))
        # httpx offers no way to pass httpcore a network backend: set it on the pool it made.
        pool = network._pool  # noqa: SLF001
        pool._network_backend = _DeadlineBackend(pool._network_backend)  # noqa: SLF001
        transport = network
    return Client(transport=transport, follow_redirects=False)


def async_new_client(transport: AsyncBaseTransport | None, *, tls: bool = True) -> AsyncClient:
    """An async httpx client (`async_deadline` cancels whatever transport it has); `tls` as in
    `new_client`."""
    if transport is None:
        network = httpx.AsyncHTTPTransport(verify=_tls_context(verifying=tls))
        # As in `new_client`: the pool httpx made gets our network backend.
        network._pool._network_backend = _AsyncioBackend()  # noqa: SLF001
        transport = network
    return AsyncClient(transport=transport, follow_redirects=False)


def async_page_client(
    transport: AsyncBaseTransport | None, *, base_url: str, timeout: float
) -> AsyncClient:
    """An async client for a site's own pages (a shopper's view: its own cookie jar, no
    redirects followed), sharing the process's TLS context like `async_new_client`."""
    if transport is None:
        tls = base_url.lower().startswith("https:")
        transport = httpx.AsyncHTTPTransport(verify=_tls_context(verifying=tls))
    return AsyncClient(
        transport=transport, base_url=base_url, follow_redirects=False, timeout=timeout
    )


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Bound the request sent inside to `seconds` in all (socket operations and body reads)."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


@asynccontextmanager
async def async_deadline(seconds: float) -> AsyncIterator[None]:
    """Bound the request awaited inside to `seconds` in all; TimeoutError when it runs out."""
    token = _DEADLINE.set(time.monotonic() + seconds)
    try:
        async with asyncio.timeout(seconds):
            yield
    finally:
        _DEADLINE.reset(token)


def _check_size(response: Response, size: int, limit: int, request: RequestInfo) -> None:
    if size > limit:
        raise response_too_large(
            request=request,
            status_code=response.status_code,
            content_type=response.headers.get("Content-Type"),
            limit=limit,
        )


def _declared_size(response: Response) -> int:
    declared = response.headers.get("Content-Length", "")
    return int(declared) if declared.isdigit() else 0


def _check_deadline() -> None:
    # For transports without the deadline backend: at least stop between chunks.
    _left(None, httpx.ReadTimeout)


def read_body(response: Response, limit: int, request: RequestInfo) -> bytes:
    """The decoded body of a streamed response, refused once it passes `limit` bytes."""
    _check_size(response, _declared_size(response), limit, request)
    body = bytearray()
    for chunk in response.iter_bytes():
        body += chunk
        _check_size(response, len(body), limit, request)
        _check_deadline()
    return bytes(body)


def release(response: Response) -> None:
    """Let a closed response go with its last reference. httpx binds each response to its own
    stream (a reference cycle), so without this its body (kept there by an in-memory transport or
    an event hook) lives on until the cyclic GC next runs, after the client has its bytes."""
    response.stream = _RELEASED


_RELEASED = httpx.ByteStream(b"")


async def async_read_body(response: Response, limit: int, request: RequestInfo) -> bytes:
    """The decoded body of a streamed response, refused once it passes `limit` bytes."""
    _check_size(response, _declared_size(response), limit, request)
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        _check_size(response, len(body), limit, request)
        _check_deadline()
    return bytes(body)


async def async_read_body_and_keep(response: Response, limit: int, request: RequestInfo) -> bytes:
    """`async_read_body`, keeping the body on the response as `aread()` would, so an event hook
    can read it under the cap and the client after it reads the same bytes again."""
    body = await async_read_body(response, limit, request)
    response._content = body  # noqa: SLF001 - what httpx's own aread() sets; httpx details live here
    return body


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


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it was raised from or during (groups included)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [link for link in (current.__cause__, current.__context__) if link is not None]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


def unreachable_reason(error: BaseException, host: str) -> str | None:
    """Why a connection cannot be made in a way no retry fixes, with the likely fix; else None."""
    for cause in _chain(error):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (
                f"the TLS certificate of {host} was refused ({cause.verify_message}): fix the "
                "store's certificate chain, or use the host name the certificate was issued for"
            )
        if isinstance(cause, ssl.SSLError) and cause.reason in _NOT_TLS_REASONS:
            plain = host.replace("https://", "http://", 1)
            return (
                f"{host} answered the TLS handshake in plain HTTP: the store speaks plain HTTP "
                f"on this port: use {plain} (a local test store), or the store's HTTPS port"
            )
        if isinstance(cause, ssl.SSLError):
            return (
                f"the TLS handshake with {host} failed ({cause.reason or cause}): the store and "
                "this machine share no TLS version or cipher; the store must offer TLS 1.2 or newer"
            )
        if isinstance(cause, socket.gaierror):
            return (
                f"the host name in {host} could not be resolved ({cause.strerror}): check its "
                "spelling in base_url, and this machine's DNS or VPN"
            )
        if isinstance(cause, ConnectionRefusedError):
            return (
                f"{host} refused the connection: nothing listens on that port; check the port "
                "in base_url and that the store's web server is running"
            )
    return None


@contextmanager
def map_transport_errors(request: RequestInfo, host: str) -> Iterator[None]:
    """Re-raise httpx transport failures (and deadline expiry) as APIConnectionError /
    APITimeoutError; `.retryable` is False when no retry can fix the failure."""
    try:
        yield
    except httpx.ConnectTimeout as exc:
        raise APITimeoutError(
            f"timed out connecting to {host}: check the host and port in base_url, and that "
            "this machine may reach the store (firewall, VPN)",
            request=request,
            request_sent=False,
        ) from exc
    except (httpx.TimeoutException, TimeoutError) as exc:
        raise APITimeoutError(
            f"{host} did not answer in time ({type(exc).__name__}); the timeout bounds the "
            "whole request, from connect to the last byte: raise timeout=... (CLI: --timeout) "
            "if the store is slow, or check its health",
            request=request,
        ) from exc
    except httpx.ConnectError as exc:
        reason = unreachable_reason(exc, host)
        raise APIConnectionError(
            f"could not connect to {host}: "
            + (
                reason
                or f"{redact_text(str(exc)) or type(exc).__name__} — check the host and port "
                "in base_url, DNS, and that the store is up"
            ),
            request=request,
            request_sent=False,
            retryable=reason is None,
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
