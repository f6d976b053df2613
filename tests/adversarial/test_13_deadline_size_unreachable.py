"""Issue 9 item 13: an overall deadline per request, a response size cap, `--timeout`, and one
clear error (no retries) for connection failures no retry can fix.

Loopback servers started here misbehave on purpose. Nothing is timed: tests count connections
(attempts) and bytes the server managed to send before the client hung up.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from magento_ir import (
    APIConnectionError,
    APITimeoutError,
    AsyncMagentoClient,
    BearerToken,
    ConfigurationError,
    MagentoClient,
    UnexpectedResponseError,
    set_testing,
)
from magento_ir.cli import ExitCode, app
from magento_ir.evidence import EvidenceLog, SigningKey, read_records
from magento_ir.evidence.collectors import CaptureOptions, capture
from tests.adversarial._servers import RawServer, read_head

if TYPE_CHECKING:
    import socket
    from collections.abc import Iterator
    from pathlib import Path

AUTH = BearerToken("token")
CLIENTS = (MagentoClient, AsyncMagentoClient)
TRICKLE_BYTES = 400  # 20 s at one byte per 50 ms: far past any deadline used here
MIB = 2**20


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


async def _get(client: Any, path: str = "/V1/store/websites") -> Any:
    """One GET through a sync or async client, closing it afterwards."""
    try:
        result = client.request("GET", path)
        return await result if hasattr(result, "__await__") else result
    finally:
        closed = client.close()
        if closed is not None:
            await closed


def _trickle_body(connection: socket.socket, server: RawServer) -> None:
    read_head(connection)
    connection.sendall(
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        f"Content-Length: {TRICKLE_BYTES}\r\n\r\n".encode()
    )
    for _ in range(TRICKLE_BYTES):
        if server.stopped.is_set():
            return
        connection.sendall(b" ")
        server.count_sent(1)
        time.sleep(0.05)


def _trickle_headers(connection: socket.socket, server: RawServer) -> None:
    read_head(connection)
    connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(TRICKLE_BYTES):
        if server.stopped.is_set():
            return
        connection.sendall(b"a")
        server.count_sent(1)
        time.sleep(0.05)


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize("handler", [_trickle_body, _trickle_headers])
async def test_a_trickling_store_cannot_hold_a_call(client_class: type, handler: Any) -> None:
    """timeout=0.5 bounds the whole request: a server sending a byte every 50 ms (headers or
    body) is cut off at the deadline, in one attempt, long before it is done."""
    with RawServer(handler) as server:
        client = client_class(server.base_url, auth=AUTH, timeout=0.5, max_retries=0)
        with pytest.raises(APITimeoutError, match="--timeout"):
            await _get(client)
        assert server.connections == 1
        assert server.sent < TRICKLE_BYTES // 2


def _flood(size: int, *, declare: bool) -> Any:
    def handle(connection: socket.socket, server: RawServer) -> None:
        read_head(connection)
        length = f"Content-Length: {size}\r\n" if declare else "Transfer-Encoding: chunked\r\n"
        connection.sendall(
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{length}\r\n".encode()
        )
        chunk = b"[" + b"0," * (MIB // 2 - 1) + b"0"  # 1 MiB of JSON-looking bytes
        sent = 0
        while sent < size and not server.stopped.is_set():
            piece = chunk[: size - sent]
            connection.sendall(piece if declare else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
            server.count_sent(len(piece))
        if not declare:
            connection.sendall(b"0\r\n\r\n")

    return handle


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "chunked"])
async def test_a_300_mb_answer_is_refused_while_streaming(
    client_class: type, declare: bool
) -> None:
    """A 300 MB body is not read whole: reading stops past max_response_bytes (declared or not),
    with an error naming the cap and how to raise it."""
    with RawServer(_flood(300 * MIB, declare=declare)) as server:
        client = client_class(server.base_url, auth=AUTH, max_retries=0, max_response_bytes=4 * MIB)
        with pytest.raises(UnexpectedResponseError, match="max_response_bytes=4194304"):
            await _get(client)
        assert server.connections == 1
        assert server.sent < 100 * MIB


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
async def test_the_default_cap_is_64_mib_and_configurable(client_class: type) -> None:
    """By default a 65 MiB answer is refused; with_options(max_response_bytes=...) lets it in."""
    with RawServer(_flood(65 * MIB, declare=True)) as server:
        client = client_class(server.base_url, auth=AUTH, max_retries=0)
        with pytest.raises(
            UnexpectedResponseError, match=r"max_response_bytes=67108864 \(64 MiB\)"
        ):
            await _get(client)
        bigger = client_class(server.base_url, auth=AUTH, max_retries=0)
        with pytest.raises(UnexpectedResponseError, match="expected JSON"):  # read whole: bad JSON
            await _get(bigger.with_options(max_response_bytes=70 * MIB))
        closed = bigger.close()
        if closed is not None:
            await closed
    with pytest.raises(ConfigurationError, match="max_response_bytes must be 1 or more"):
        client_class(server.base_url, auth=AUTH, max_response_bytes=0)


def _plain_http(connection: socket.socket, _: RawServer) -> None:
    # Like nginx on a plain port: whatever came (a TLS hello) is a bad request, answered at once.
    connection.recv(4096)
    connection.sendall(
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 15\r\n"
        b"Connection: close\r\n\r\nplain HTTP here"
    )


def _old_tls_only(connection: socket.socket, _: RawServer) -> None:
    connection.recv(4096)  # the client's TLS hello
    # A TLS alert "protocol_version": what a server sends when it shares no TLS version.
    connection.sendall(bytes([0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46]))


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("handler", "fragment"),
    [
        (_plain_http, "the store speaks plain HTTP on this port: use http://127.0.0.1:"),
        (_old_tls_only, "share no TLS version"),
    ],
    ids=["plain-http-on-tls-port", "tls-version-mismatch"],
)
async def test_tls_failures_are_one_clear_error(
    client_class: type, handler: Any, fragment: str
) -> None:
    """https:// to a plain-HTTP port or to a server with no common TLS version: one attempt
    (even with max_retries=6, as containment uses), and the message names the fix."""
    with RawServer(handler) as server:
        url = server.base_url.replace("http://", "https://")
        # timeout=2 only bounds how long the old behaviour (7 attempts) took to fail this test.
        client = client_class(url, auth=AUTH, max_retries=6, timeout=2)
        with pytest.raises(APIConnectionError, match=fragment) as caught:
            await _get(client)
        assert server.connections == 1
    assert not caught.value.retryable
    assert not caught.value.request_sent


class _Counting:
    """Counts the attempts a client makes, by the retry warnings it logs."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    @property
    def retries(self) -> int:
        return sum(
            1 for record in self.caplog.records if record.getMessage().startswith("retrying")
        )


@pytest.mark.anyio
@pytest.mark.parametrize("client_class", CLIENTS)
@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://shop.invalid", "could not be resolved"),
        ("http://127.0.0.1:{closed}", "refused the connection"),
    ],
    ids=["dns-failure", "connection-refused"],
)
async def test_dns_failure_and_refused_connection_are_not_retried(
    client_class: type, url: str, fragment: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A name that does not resolve, a port nothing listens on: no retry, one clear error."""
    with RawServer(_plain_http) as server:
        closed = server.port
    counting = _Counting(caplog)
    client = client_class(url.format(closed=closed), auth=None, max_retries=6)
    with pytest.raises(APIConnectionError, match=fragment) as caught:
        await _get(client)
    assert counting.retries == 0
    assert not caught.value.retryable


@pytest.fixture
def _cli_environment(tmp_path, monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith("MAGENTO_IR_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.chdir(tmp_path)


@pytest.mark.usefixtures("_cli_environment")
def test_cli_timeout_option_bounds_each_request() -> None:
    """`magento-ir --timeout 0.5 status` against a trickling store: exit 4 (unreachable), each
    attempt cut at the deadline (3 attempts: reads are retried), and the message says how to
    raise the timeout."""
    with RawServer(_trickle_body) as server:
        result = CliRunner().invoke(
            app, ["--timeout", "0.5", "--base-url", server.base_url, "--token", "t", "status"]
        )
        assert result.exit_code == ExitCode.UNREACHABLE, result.output
        assert server.connections == 3
        assert server.sent < TRICKLE_BYTES // 2
    assert "--timeout" in result.output
    refused = CliRunner().invoke(app, ["--timeout", "0", "--base-url", server.base_url, "status"])
    assert refused.exit_code == ExitCode.USAGE


@pytest.mark.usefixtures("_cli_environment")
def test_cli_containment_against_plain_http_port_fails_once_and_fast() -> None:
    """`contain` (6 retries for reads) against https:// on a plain-HTTP port: one connection,
    exit 4, and the fix on screen."""
    with RawServer(_plain_http) as server:
        url = server.base_url.replace("http://", "https://")
        result = CliRunner().invoke(
            app,
            [
                "--base-url",
                url,
                "--token",
                "t",
                "contain",
                "--action",
                "maintenance mode=storefront",
                "--yes",
            ],
        )
        assert server.connections == 1
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert "use http://127.0.0.1:" in " ".join(result.output.split())


def test_evidence_capture_refuses_a_300_mb_answer_while_streaming(tmp_path: Path) -> None:
    """The capture's exchange recorder reads bodies under the same cap as the client: a 300 MB
    answer stops past max_response_bytes, and the refused exchange is still on the record."""
    with RawServer(_flood(300 * MIB, declare=False)) as server:
        with (
            EvidenceLog.open(
                tmp_path / "capture.log", key=SigningKey.generate("test"), sync="batch"
            ) as log,
            pytest.raises(UnexpectedResponseError, match="max_response_bytes=4194304"),
        ):
            capture(
                log,
                base_url=server.base_url,
                auth=AUTH,
                options=CaptureOptions(max_retries=0, max_response_bytes=4 * MIB),
            )
        assert server.sent < 100 * MIB
    exchanges = [
        r for r in read_records(tmp_path / "capture.log") if r.type == "capture.http_exchange"
    ]
    assert [r.payload["response"]["body_length"] for r in exchanges] == [None]
