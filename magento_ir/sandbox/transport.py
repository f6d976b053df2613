"""In-process httpx transport: both `httpx.Client` and `httpx.AsyncClient`, no sockets.

Socket-only faults become the httpx exceptions a real connection would raise: a reset is a
`ReadError`, a hang is a `ReadTimeout` (raised at once, not after waiting), a truncated body a
`RemoteProtocolError`. Latency and slow-response delays are slept (asynchronously for async
clients).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import httpx

from magento_ir.sandbox.messages import SandboxRequest, SandboxResponse, SocketFault

if TYPE_CHECKING:
    from magento_ir.sandbox.app import Sandbox

__all__ = ["SandboxTransport", "to_sandbox_request"]


def to_sandbox_request(
    request: httpx.Request, body: bytes, client_ip: str = "127.0.0.1"
) -> SandboxRequest:
    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    return SandboxRequest(
        method=request.method,
        path=raw_path,
        query=raw_query,
        headers={key.lower(): value for key, value in request.headers.items()},
        body=body,
        scheme=request.url.scheme,
        client_ip=client_ip,
    )


def _to_httpx(response: SandboxResponse, request: httpx.Request) -> httpx.Response:
    if response.fault is SocketFault.CONNECTION_RESET:
        raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request)
    if response.fault is SocketFault.TIMEOUT:
        raise httpx.ReadTimeout("timed out", request=request)
    if response.fault is SocketFault.TRUNCATED_BODY:
        raise httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {len(response.body) // 2} bytes, expected {len(response.body)}",
            request=request,
        )
    return httpx.Response(
        response.status, headers=response.headers, content=response.body, request=request
    )


class SandboxTransport(httpx.MockTransport):
    """`httpx.MockTransport` whose handler is a `Sandbox`."""

    def __init__(self, sandbox: Sandbox, client_ip: str = "127.0.0.1") -> None:
        super().__init__(self._unreachable)
        self.sandbox = sandbox
        # The address the store sees (maintenance allow-lists compare against it).
        self.client_ip = client_ip

    @staticmethod
    def _unreachable(request: httpx.Request) -> httpx.Response:
        raise NotImplementedError  # both handle methods are overridden

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.sandbox.handle(to_sandbox_request(request, request.read(), self.client_ip))
        if response.delay > 0 and response.fault is not SocketFault.TIMEOUT:
            time.sleep(response.delay)
        return _to_httpx(response, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = self.sandbox.handle(
            to_sandbox_request(request, await request.aread(), self.client_ip)
        )
        if response.delay > 0 and response.fault is not SocketFault.TIMEOUT:
            await asyncio.sleep(response.delay)
        return _to_httpx(response, request)
