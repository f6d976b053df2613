"""Fault injection by schedule and by rate, in-process and on a real socket."""

from __future__ import annotations

import httpx
import pytest

from magento_ir.sandbox import Sandbox, SandboxConfigError
from magento_ir.sandbox.server import SandboxServer


def test_schedule_fails_exactly_the_next_matching_requests(
    sandbox: Sandbox, admin: httpx.Client
) -> None:
    """The next 3 requests to /V1/orders get 503; other paths and later requests are untouched."""
    sandbox.faults.schedule("503", path="/V1/orders", times=3)
    assert admin.get("/rest/V1/store/websites").status_code == 200
    statuses = [admin.get("/rest/V1/orders/1").status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]
    assert sandbox.faults.pending == 0
    assert sandbox.inspect.request_counts()["GET (fault 503)"] == 3


def test_429_carries_retry_after(sandbox: Sandbox, admin: httpx.Client) -> None:
    """A 429 fault answers with Retry-After."""
    sandbox.faults.schedule("429", retry_after=7)
    response = admin.get("/rest/V1/orders/1")
    assert (response.status_code, response.headers["Retry-After"]) == (429, "7")


@pytest.mark.parametrize("kind", ["502", "504"])
def test_gateway_faults_are_html_pages(sandbox: Sandbox, admin: httpx.Client, kind: str) -> None:
    """Proxy faults answer HTML, not Magento JSON."""
    sandbox.faults.schedule(kind)
    response = admin.get("/rest/V1/orders/1")
    assert response.status_code == int(kind)
    assert response.headers["Content-Type"] == "text/html"


def test_maintenance_fault_is_magentos_page(sandbox: Sandbox, admin: httpx.Client) -> None:
    """The maintenance fault is Magento's 503 page without Retry-After."""
    sandbox.faults.schedule("maintenance", method="GET")
    response = admin.get("/rest/V1/orders/1")
    assert response.status_code == 503
    assert "<title>Error 503: Service Unavailable</title>" in response.text
    assert "Retry-After" not in response.headers


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("connection_reset", httpx.ReadError),
        ("timeout", httpx.ReadTimeout),
        ("truncated_body", httpx.RemoteProtocolError),
    ],
)
def test_socket_faults_in_process_raise_httpx_errors(
    sandbox: Sandbox, admin: httpx.Client, kind: str, error: type[Exception]
) -> None:
    """In-process, socket faults raise the httpx exception a real connection would."""
    sandbox.faults.schedule(kind)
    with pytest.raises(error):
        admin.get("/rest/V1/orders/1")
    assert admin.get("/rest/V1/orders/1").status_code == 200


@pytest.mark.anyio
async def test_async_client_gets_faults_and_answers(sandbox: Sandbox) -> None:
    """The same transport serves httpx.AsyncClient, faults included."""
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    async with httpx.AsyncClient(
        transport=sandbox.transport(), base_url="http://magento.test", headers=headers
    ) as client:
        sandbox.faults.schedule("slow", seconds=0.01)
        assert (await client.get("/rest/V1/orders/1")).status_code == 200
        sandbox.faults.schedule("connection_reset")
        with pytest.raises(httpx.ReadError):
            await client.get("/rest/V1/orders/1")


def test_rates_are_reproducible() -> None:
    """A rate of 1 always fires, 0 never; the same seed gives the same sequence."""
    sequences = []
    for _ in range(2):
        sandbox = Sandbox(seed=3)
        sandbox.faults.at_rate("503", 0.5)
        with httpx.Client(transport=sandbox.transport(), base_url="http://magento.test") as client:
            sequences.append([client.get("/rest/V1/modules").status_code for _ in range(20)])
    assert sequences[0] == sequences[1]
    assert set(sequences[0]) == {401, 503}


@pytest.mark.parametrize(
    "arguments",
    [
        {"kind": "explode"},
        {"kind": "503", "times": 0},
        {"kind": "slow"},
        {"kind": "429", "retry_after": -1},
    ],
)
def test_nonsense_faults_are_refused(sandbox: Sandbox, arguments: dict) -> None:
    """Unknown kinds, zero counts, slow without seconds, negative Retry-After fail at once."""
    kind = arguments.pop("kind")
    with pytest.raises(SandboxConfigError):
        sandbox.faults.schedule(kind, **arguments)
    with pytest.raises(SandboxConfigError):
        sandbox.faults.at_rate("503", 1.5)


def test_socket_faults_are_real_on_the_served_sandbox() -> None:
    """Served: a reset is a real RST, a truncated body a short read, a hang a client timeout."""
    sandbox = Sandbox()
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    with (
        SandboxServer(sandbox) as server,
        httpx.Client(base_url=server.base_url, headers=headers) as client,
    ):
        sandbox.faults.schedule("connection_reset", path="/V1/orders")
        with pytest.raises(httpx.ReadError):
            client.get("/rest/V1/orders/1")
        sandbox.faults.schedule("truncated_body", path="/V1/orders")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/rest/V1/orders/1")
        sandbox.faults.schedule("timeout", path="/V1/orders")
        with pytest.raises(httpx.ReadTimeout):
            client.get("/rest/V1/orders/1", timeout=0.2)
        sandbox.faults.schedule("503", path="/V1/orders")
        assert client.get("/rest/V1/orders/1").status_code == 503
        assert client.get("/rest/V1/orders/1").status_code == 200
