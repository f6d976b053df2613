"""The served sandbox: HTTP/1.1 on loopback, worker pool, latency model, both httpx clients."""

from __future__ import annotations

import socket
import threading

import httpx
import pytest

from magento_ir.sandbox import Sandbox, SandboxRequest
from magento_ir.sandbox.latency import LatencyModel
from magento_ir.sandbox.server import SandboxServer


def test_keep_alive_connection_serves_many_requests() -> None:
    """One client connection carries many requests; the base URL is a loopback URL."""
    sandbox = Sandbox()
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    with (
        SandboxServer(sandbox) as server,
        httpx.Client(base_url=server.base_url, headers=headers) as client,
    ):
        assert server.base_url.startswith("http://127.0.0.1:")
        statuses = {client.get("/rest/V1/orders/1").status_code for _ in range(20)}
        assert statuses == {200}
        assert client.get("/rest/V1/orders/1").headers["X-Frame-Options"] == "SAMEORIGIN"
    assert sandbox.inspect.request_counts()["GET /V1/orders/:id"] == 21


@pytest.mark.anyio
async def test_async_client_over_http() -> None:
    """httpx.AsyncClient works against the served sandbox, including writes."""
    sandbox = Sandbox()
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    with SandboxServer(sandbox) as server:
        async with httpx.AsyncClient(base_url=server.base_url, headers=headers) as client:
            response = await client.put(
                "/rest/all/V1/products/IR-SKU-002", json={"product": {"status": 2}}
            )
            assert response.json()["status"] == 2
            assert (await client.get("/rest/V1/no-route")).status_code == 404


def test_requests_queue_behind_busy_workers() -> None:
    """With one worker held by a hung request, the next request waits in the queue."""
    sandbox = Sandbox(workers=1)
    sandbox.faults.schedule("timeout", path="/V1/modules", seconds=5)
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    with SandboxServer(sandbox) as server:
        hung_started = threading.Event()

        def hang() -> None:
            hung_started.set()
            with (
                httpx.Client(base_url=server.base_url, headers=headers) as client,
                pytest.raises(httpx.ReadTimeout),
            ):
                client.get("/rest/V1/modules", timeout=0.5)

        thread = threading.Thread(target=hang)
        thread.start()
        hung_started.wait()
        while sandbox.faults.pending:
            threading.Event().wait(0.01)
        with (
            httpx.Client(base_url=server.base_url, headers=headers) as client,
            pytest.raises(httpx.ReadTimeout),
        ):
            client.get("/rest/V1/orders/1", timeout=0.3)
        thread.join()


def test_latency_model_is_calibrated() -> None:
    """Factor 1: ~140 ms tokens, ~60 ms single GETs, ~900 ms product saves, 100-200 ms lists."""
    sandbox = Sandbox(latency="real")
    token = sandbox.admin_token()

    def delay(method: str, path: str, body: bytes = b"", query: str = "") -> float:
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        return sandbox.handle(SandboxRequest(method, path, query, headers, body)).delay

    login = b'{"username":"admin","password":"Sandbox123!"}'
    assert delay("POST", "/rest/V1/integration/admin/token", login) == pytest.approx(0.14)
    assert delay("GET", "/rest/V1/orders/1") == pytest.approx(0.06)
    assert delay(
        "PUT", "/rest/all/V1/products/IR-SKU-001", b'{"product":{"status":2}}'
    ) == pytest.approx(0.9)
    listing = delay("GET", "/rest/V1/products", query="searchCriteria%5BpageSize%5D=20")
    assert 0.1 <= listing <= 0.2
    # An empty page trimmed by ?fields= ("items": null) is a list call too.
    empty = delay(
        "GET",
        "/rest/V1/orders",
        query="searchCriteria%5BpageSize%5D=1&searchCriteria%5BcurrentPage%5D=9999"
        "&fields=items%5Bentity_id%5D,total_count",
    )
    assert empty == pytest.approx(0.08)
    assert LatencyModel(0).page_delay("/graphql") == 0
    # The module's maintenance 503 costs a third of the page it replaces (measured).
    shop = Sandbox(latency="real", with_module=True)
    home = SandboxRequest("GET", "/", "", {}, b"")
    assert (shop.handle(home).status, shop.handle(home).delay) == (200, pytest.approx(0.3))
    with shop.lock:
        shop.state.incident_response.maintenance_mode = "storefront"
    closed = shop.handle(home)
    assert (closed.status, closed.delay) == (503, pytest.approx(0.1))


def test_latency_factor_scales_and_zero_disables() -> None:
    """The global factor multiplies every delay; 0 means none."""
    fast, half = Sandbox(latency=0), Sandbox(latency=0.5)
    request = SandboxRequest("GET", "/rest/V1/store/websites", headers={})
    assert fast.handle(request).delay == 0
    authorised = SandboxRequest(
        "GET", "/rest/V1/store/websites", headers={"authorization": f"Bearer {half.admin_token()}"}
    )
    assert half.handle(authorised).delay == pytest.approx(0.03)


def test_server_refuses_garbage_without_traceback() -> None:
    """A request that is not HTTP gets a 400 and the connection closes; no traceback leaks."""
    with (
        SandboxServer(Sandbox()) as server,
        socket.create_connection(("127.0.0.1", server.port), timeout=2) as raw,
    ):
        raw.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        answer = raw.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")
    assert b"Traceback" not in answer


def test_head_and_options_get_405_without_breaking_the_connection() -> None:
    """HEAD/OPTIONS are not routable (405); HEAD answers carry no body; the connection lives on."""
    sandbox = Sandbox()
    with SandboxServer(sandbox) as server, httpx.Client(base_url=server.base_url) as client:
        head = client.head("/rest/V1/orders/1")
        assert (head.status_code, head.content) == (405, b"")
        assert client.options("/rest/V1/orders/1").json() == {
            "message": "The OPTIONS HTTP method is not supported."
        }
        assert client.get("/rest/V1/orders/1").status_code == 401


def test_errors_cost_latency_too() -> None:
    """A failed login costs a token check; other refusals cost a single-GET bootstrap."""
    sandbox = Sandbox(latency="real")
    wrong = b'{"username":"admin","password":"nope-nope"}'
    headers = {"content-type": "application/json"}
    login = SandboxRequest("POST", "/rest/V1/integration/admin/token", "", headers, wrong)
    assert sandbox.handle(login).delay == pytest.approx(0.14)
    assert sandbox.handle(SandboxRequest("GET", "/rest/V1/nowhere")).delay == pytest.approx(0.06)


def test_concurrent_writers_lose_no_update() -> None:
    """Many threads adding order comments through the served store: every comment is kept."""
    sandbox = Sandbox(workers=4)
    headers = {"Authorization": f"Bearer {sandbox.admin_token()}"}
    with SandboxServer(sandbox) as server:

        def write(thread: int) -> None:
            with httpx.Client(base_url=server.base_url, headers=headers) as client:
                for index in range(10):
                    note = {"statusHistory": {"comment": f"t{thread}-{index}"}}
                    client.post("/rest/V1/orders/1/comments", json=note).raise_for_status()

        threads = [threading.Thread(target=write, args=(number,)) for number in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with httpx.Client(base_url=server.base_url, headers=headers) as client:
            comments = client.get("/rest/V1/orders/1/comments").json()
    assert comments["total_count"] == 60
    assert len({item["entity_id"] for item in comments["items"]}) == 60


def test_serve_forever_blocks_until_stopped() -> None:
    """serve_forever serves (starting the server if needed) and returns once stop() is called."""
    server = SandboxServer(Sandbox())
    server.start()
    blocking = threading.Thread(target=server.serve_forever)
    blocking.start()
    with httpx.Client(base_url=server.base_url) as client:
        assert client.get("/rest/V1/store/websites").status_code == 401
    server.stop()
    blocking.join(5)
    assert not blocking.is_alive()


def test_requests_are_handled_off_the_event_loop() -> None:
    """Handlers run on the worker threads, so a slow one never stalls the loop's other
    connections."""
    sandbox = Sandbox()
    seen: list[str] = []
    handle = sandbox.handle

    def recording(request: SandboxRequest) -> object:
        seen.append(threading.current_thread().name)
        return handle(request)

    sandbox.handle = recording  # type: ignore[method-assign]
    with SandboxServer(sandbox) as server:
        response = httpx.get(server.base_url + "/rest/V1/store/websites")
    assert response.status_code == 401
    assert len(seen) == 1
    assert seen[0].startswith("magento-sandbox-worker")
