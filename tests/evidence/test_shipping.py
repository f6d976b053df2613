"""Shipping to a real rsyslog daemon (TCP and TLS) and to a loopback Splunk HEC receiver."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from magento_ir.evidence import (
    Checkpoint,
    ShippingError,
    SigningKey,
    read_checkpoints,
    read_records,
    verify,
)
from magento_ir.evidence.export import ExportOptions, to_syslog
from magento_ir.evidence.shipping import HecClient, ship_syslog
from tests.conftest import require_tool
from tests.evidence.conftest import LoopbackCA, free_port

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from magento_ir.evidence import Record

OPTIONS = ExportOptions(host="shop1.test")
TOKEN = "11111111-2222-3333-4444-555555555555"
WAIT_SECONDS = 15.0


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {WAIT_SECONDS} s waiting for {what}")
        time.sleep(0.05)


def _listening(port: int) -> bool:
    import socket  # noqa: PLC0415 - only the readiness probe needs it

    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


class Rsyslog:
    """A private rsyslogd on loopback writing every received message, raw, to one file."""

    def __init__(self, directory: Path, ca: LoopbackCA) -> None:
        self.directory = directory
        self.tcp_port = free_port()
        self.tls_port = free_port()
        self.output = directory / "received.log"
        self.consumed = 0
        config = directory / "rsyslog.conf"
        config.write_text(
            f'global(workDirectory="{directory}" maxMessageSize="256k"\n'
            f'  defaultNetstreamDriverCAFile="{ca.ca}"\n'
            f'  defaultNetstreamDriverCertFile="{ca.cert}"\n'
            f'  defaultNetstreamDriverKeyFile="{ca.key}")\n'
            'module(load="imtcp")\n'
            f'input(type="imtcp" address="127.0.0.1" port="{self.tcp_port}" ruleset="evidence")\n'
            f'input(type="imtcp" address="127.0.0.1" port="{self.tls_port}" ruleset="evidence"\n'
            '  streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")\n'
            'template(name="raw" type="string" string="%rawmsg%\\n")\n'
            'ruleset(name="evidence") {\n'
            f'  action(type="omfile" file="{self.output}" template="raw")\n'
            "}\n"
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
            [require_tool("rsyslogd"), "-n", "-f", str(config), "-i", str(directory / "pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                output = self.process.stdout.read() if self.process.stdout else b""
                pytest.fail(f"rsyslogd exited: {output.decode(errors='replace')}")
            return _listening(self.tcp_port) and _listening(self.tls_port)

        _wait_for(ready, "rsyslogd to listen")

    def received(self, count: int) -> list[bytes]:
        """The next `count` messages written since the last call."""
        wanted = self.consumed + count

        def arrived() -> bool:
            return self.output.exists() and self.output.read_bytes().count(b"\n") >= wanted

        _wait_for(arrived, f"{count} messages in rsyslog's output")
        lines = self.output.read_bytes().splitlines()[self.consumed :]
        self.consumed = wanted
        return lines

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


@pytest.fixture(scope="module")
def rsyslog(tmp_path_factory: pytest.TempPathFactory, test_ca: LoopbackCA) -> Iterator[Rsyslog]:
    require_tool("rsyslogd")
    daemon = Rsyslog(tmp_path_factory.mktemp("rsyslog"), test_ca)
    try:
        daemon.wait_ready()
        yield daemon
    finally:
        daemon.stop()


def _assert_same_records(received: list[bytes], records: list[Record]) -> None:
    """Each received message is exactly the syslog form of the record at the same position."""
    assert len(received) == len(records)
    for message, record in zip(received, records, strict=True):
        assert message == to_syslog(record, OPTIONS)
        line = message.split(b"\xef\xbb\xbf", 1)[1]
        assert line + b"\n" == record.raw
        entry = b"{" + line[75:]
        assert hashlib.sha256(b"\x00" + entry).hexdigest() == record.hash


@pytest.mark.tools
def test_syslog_over_tcp_reaches_rsyslog_record_by_record(
    rsyslog: Rsyslog, make_log: Callable[..., Path], signing_key: SigningKey
) -> None:
    """Every record, then the checkpoints, arrive at a real rsyslogd over TCP, intact."""
    path = make_log(30)
    records = list(read_records(path))
    notes = read_checkpoints(path)
    assert len(notes) == 2  # at creation, and on close
    sent = ship_syslog(
        records, host="127.0.0.1", port=rsyslog.tcp_port, options=OPTIONS, checkpoints=notes
    )
    assert sent == len(records) + 2
    received = rsyslog.received(len(records) + 2)
    _assert_same_records(received[:-2], records)
    assert all(b" checkpoint [mir@32473 origin=" in message for message in received[-2:])
    note = json.loads(received[-1].split(b"\xef\xbb\xbf", 1)[1])["note"]
    assert note == notes[-1]
    checkpoint = Checkpoint.parse(note, signing_key.verifier())
    assert verify(path, signing_key.verifier(), checkpoints=[note]).records == checkpoint.size


@pytest.mark.tools
def test_syslog_over_tls_reaches_rsyslog_record_by_record(
    rsyslog: Rsyslog, make_log: Callable[..., Path], test_ca: LoopbackCA
) -> None:
    """Over TLS, with the receiver's certificate checked, every record arrives intact."""
    records = list(read_records(make_log(30)))
    ship_syslog(
        records,
        host="127.0.0.1",
        port=rsyslog.tls_port,
        ssl_context=test_ca.client_context(),
        server_hostname="localhost",
        options=OPTIONS,
    )
    _assert_same_records(rsyslog.received(len(records)), records)


@pytest.mark.tools
def test_syslog_over_tls_refuses_an_untrusted_receiver(
    rsyslog: Rsyslog, make_log: Callable[..., Path]
) -> None:
    """A receiver whose certificate is not from a trusted CA gets nothing."""
    import ssl  # noqa: PLC0415 - only this test builds a default context

    records = list(read_records(make_log(1)))
    with pytest.raises(ShippingError, match="CERTIFICATE_VERIFY_FAILED") as caught:
        ship_syslog(
            records,
            host="127.0.0.1",
            port=rsyslog.tls_port,
            ssl_context=ssl.create_default_context(),
            server_hostname="localhost",
        )
    assert caught.value.retryable


def test_syslog_to_a_closed_port_is_a_retryable_error() -> None:
    """Nothing listening means a ShippingError marked retryable."""
    with pytest.raises(ShippingError, match="cannot connect") as caught:
        ship_syslog([], host="127.0.0.1", port=free_port(), timeout=2)
    assert caught.value.retryable


class HecReceiver:
    """A loopback HEC endpoint answering with scripted (HTTP status, HEC code) replies."""

    TEXTS: ClassVar[dict[int, str]] = {
        0: "Success",
        4: "Invalid token",
        6: "Invalid data format",
        8: "Internal server error",
        9: "Server is busy",
        18: "HEC is unhealthy, queues are full",
    }

    def __init__(self, replies: list[tuple[int, int]], ca: LoopbackCA | None = None) -> None:
        self.replies = list(replies)
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.ack_requests: list[tuple[dict[str, str], list[int]]] = []
        # Indexer acknowledgement, when the client sends a channel: each ackId turns true on
        # its `ack_after`-th poll, except the ids in `lost`, which never do.
        self.ack_after = 1
        self.lost: set[int] = set()
        self.give_ack_ids = True
        self._polls: dict[int, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.path == f"/services/collector/ack?channel={CHANNEL}":
                    self._answer(200, {"acks": receiver.poll(self.headers, body)})
                    return
                ack_id = len(receiver.requests)
                receiver.requests.append((dict(self.headers), body))
                status, code = receiver.replies.pop(0) if receiver.replies else (200, 0)
                answer: dict[str, Any] = {"text": HecReceiver.TEXTS[code], "code": code}
                if "X-Splunk-Request-Channel" in self.headers and receiver.give_ack_ids:
                    answer["ackId"] = ack_id
                self._answer(status, answer)

            def _answer(self, status: int, answer: dict[str, Any]) -> None:
                reply = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: Any) -> None:
                """Keep test output clean."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if ca is not None:
            self.server.socket = ca.server_context().wrap_socket(
                self.server.socket, server_side=True
            )
            scheme = "https"
        self.url = f"{scheme}://localhost:{self.server.server_address[1]}/services/collector/event"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def poll(self, headers: Any, body: bytes) -> dict[str, bool]:
        ack_ids = json.loads(body)["acks"]
        self.ack_requests.append((dict(headers), ack_ids))
        answer = {}
        for ack_id in ack_ids:
            self._polls[ack_id] = self._polls.get(ack_id, 0) + 1
            answer[str(ack_id)] = ack_id not in self.lost and self._polls[ack_id] >= self.ack_after
        return answer

    def events(self) -> list[dict[str, Any]]:
        """Every event received, splitting each body's concatenated JSON objects."""
        decoder = json.JSONDecoder()
        events = []
        for _, body in self.requests:
            text, position = body.decode(), 0
            while position < len(text):
                event, position = decoder.raw_decode(text, position)
                events.append(event)
        return events

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=WAIT_SECONDS)


@pytest.fixture
def hec_factory() -> Iterator[Callable[..., HecReceiver]]:
    receivers: list[HecReceiver] = []

    def make(replies: list[tuple[int, int]] = (), ca: LoopbackCA | None = None) -> HecReceiver:  # type: ignore[assignment]
        receiver = HecReceiver(list(replies), ca)
        receivers.append(receiver)
        return receiver

    yield make
    for receiver in receivers:
        receiver.close()


def _client(url: str, **options: Any) -> tuple[HecClient, list[float]]:
    sleeps: list[float] = []
    return HecClient(url, TOKEN, options=OPTIONS, sleep=sleeps.append, **options), sleeps


def test_hec_batches_arrive_record_by_record(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """Records arrive in batches of concatenated envelopes, each matching its log record."""
    receiver = hec_factory()
    path = make_log(24)
    records = list(read_records(path))
    client, sleeps = _client(receiver.url, max_batch_events=10)
    result = client.send(records, checkpoints=read_checkpoints(path))
    # 25 records and 2 checkpoints (at creation and on close)
    assert (result.events, result.batches, result.retries) == (27, 3, 0)
    assert not sleeps
    headers, body = receiver.requests[0]
    assert headers["Authorization"] == f"Splunk {TOKEN}"
    assert not body.startswith(b"[")
    events = receiver.events()
    checkpoint_event = events.pop()
    assert checkpoint_event["sourcetype"] == "magento_ir:evidence:checkpoint"
    assert checkpoint_event["fields"]["checkpoint_size"] == len(records)
    note = json.loads(checkpoint_event["event"]["event"]["original"])["note"]
    assert note == read_checkpoints(path)[-1]
    creation_checkpoint = events.pop()
    assert creation_checkpoint["fields"]["checkpoint_size"] == 1
    assert len(events) == len(records)
    for event, record in zip(events, records, strict=True):
        assert event["fields"]["record_hash"] == record.hash
        assert event["fields"]["record_seq"] == record.seq
        assert event["fields"]["retention_days"] == 365
        assert event["event"]["event"]["original"].encode() + b"\n" == record.raw
        assert event["sourcetype"] == "magento_ir:evidence"


def test_hec_batches_respect_the_byte_limit(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """No request body exceeds max_batch_bytes when events fit under it."""
    receiver = hec_factory()
    records = list(read_records(make_log(20)))
    client, _ = _client(receiver.url, max_batch_bytes=5000)
    client.send(records)
    assert len(receiver.requests) > 1
    assert all(len(body) <= 5000 for _, body in receiver.requests)
    assert len(receiver.events()) == len(records)


@pytest.mark.parametrize(("status", "code"), [(503, 9), (500, 8), (503, 18)])
def test_hec_retries_retryable_failures(
    hec_factory: Callable[..., HecReceiver],
    make_log: Callable[..., Path],
    status: int,
    code: int,
) -> None:
    """HEC's retryable replies are retried with backoff until the batch is accepted."""
    receiver = hec_factory([(status, code), (status, code)])
    records = list(read_records(make_log(3)))
    client, sleeps = _client(receiver.url, backoff_seconds=1.0)
    result = client.send(records)
    assert result.retries == 2
    assert len(sleeps) == 2
    assert 0 <= sleeps[0] <= 1.0
    assert 0 <= sleeps[1] <= 2.0
    assert len(receiver.requests) == 3


@pytest.mark.parametrize(("status", "code"), [(403, 4), (400, 6)])
def test_hec_never_retries_final_failures(
    hec_factory: Callable[..., HecReceiver],
    make_log: Callable[..., Path],
    status: int,
    code: int,
) -> None:
    """Non-retryable HEC codes fail at once, with status and code, and without the token."""
    receiver = hec_factory([(status, code)])
    client, sleeps = _client(receiver.url)
    with pytest.raises(ShippingError) as caught:
        client.send(read_records(make_log(2)))
    error = caught.value
    assert (error.status, error.code, error.retryable) == (status, code, False)
    assert HecReceiver.TEXTS[code] in str(error)
    assert TOKEN not in str(error)
    assert TOKEN not in repr(client)
    assert not sleeps
    assert len(receiver.requests) == 1


def test_hec_gives_up_after_max_attempts(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """A HEC that stays busy gets max_attempts requests, then a retryable ShippingError."""
    receiver = hec_factory([(503, 9)] * 5)
    client, sleeps = _client(receiver.url, max_attempts=3)
    with pytest.raises(ShippingError, match="Server is busy") as caught:
        client.send(read_records(make_log(1)))
    assert caught.value.retryable
    assert len(receiver.requests) == 3
    assert len(sleeps) == 2


def test_hec_network_errors_are_retried_then_reported(make_log: Callable[..., Path]) -> None:
    """Connection refused counts as retryable; the final error names host, not token."""
    client, sleeps = _client(f"http://127.0.0.1:{free_port()}/services/collector/event")
    with pytest.raises(ShippingError, match="unreachable") as caught:
        client.send(read_records(make_log(1)))
    assert caught.value.retryable
    assert len(sleeps) == 4
    assert TOKEN not in str(caught.value)


def test_hec_over_tls_checks_the_certificate(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path], test_ca: LoopbackCA
) -> None:
    """HTTPS to a receiver with a certificate from the given CA delivers every record."""
    receiver = hec_factory(ca=test_ca)
    records = list(read_records(make_log(3)))
    client, _ = _client(receiver.url, ssl_context=test_ca.client_context())
    assert client.send(records).events == len(records)
    assert [e["fields"]["record_hash"] for e in receiver.events()] == [r.hash for r in records]


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        ("ftp://splunk/services/collector", TOKEN, "url must look like"),
        ("https://splunk:8088/services/collector/event", "", "token"),
        ("https://splunk:8088/services/collector/event", "a b", "token"),
    ],
)
def test_hec_client_refuses_bad_configuration(url: str, token: str, message: str) -> None:
    """A malformed URL or token raises ValueError before anything is sent."""
    with pytest.raises(ValueError, match=message):
        HecClient(url, token)


CHANNEL = "0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba"


def test_hec_waits_for_indexer_acknowledgement(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """With a channel, every batch's ackId is polled on /ack until the indexers confirm it."""
    receiver = hec_factory()
    receiver.ack_after = 3
    records = list(read_records(make_log(9)))
    client, sleeps = _client(
        receiver.url, channel=CHANNEL, max_batch_events=5, ack_interval_seconds=2.0
    )
    result = client.send(records)
    assert (result.events, result.batches, result.retries) == (10, 2, 0)
    assert sleeps == [2.0, 2.0, 2.0]
    assert all(h["X-Splunk-Request-Channel"] == CHANNEL for h, _ in receiver.requests)
    assert [ids for _, ids in receiver.ack_requests] == [[0, 1], [0, 1], [0, 1]]
    assert receiver.ack_requests[0][0]["Authorization"] == f"Splunk {TOKEN}"


def test_hec_resends_batches_never_acknowledged(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """A batch whose ackId never turns true is sent again; deduplicating restores the log."""
    receiver = hec_factory()
    receiver.lost = {0}
    records = list(read_records(make_log(9)))
    client, _ = _client(receiver.url, channel=CHANNEL, max_batch_events=5, ack_polls=2)
    result = client.send(records)
    assert result.retries == 1
    assert len(receiver.requests) == 3
    hashes = [event["fields"]["record_hash"] for event in receiver.events()]
    assert len(hashes) == 15
    assert list(dict.fromkeys(hashes)) == [record.hash for record in records]


def test_hec_reports_batches_that_are_never_acknowledged(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """When acknowledgements never come, the client gives up with a retryable error."""
    receiver = hec_factory()
    receiver.lost = set(range(100))
    client, _ = _client(receiver.url, channel=CHANNEL, ack_polls=2, max_attempts=3)
    with pytest.raises(ShippingError, match="never acknowledged 1 batches") as caught:
        client.send(read_records(make_log(2)))
    assert caught.value.retryable
    assert len(receiver.requests) == 3


def test_hec_without_ack_ids_on_a_channel_says_to_enable_useack(
    hec_factory: Callable[..., HecReceiver], make_log: Callable[..., Path]
) -> None:
    """A channel against a token without useACK fails clearly instead of trusting a 200."""
    receiver = hec_factory()
    receiver.give_ack_ids = False
    client, _ = _client(receiver.url, channel=CHANNEL)
    with pytest.raises(ShippingError, match="useACK") as caught:
        client.send(read_records(make_log(1)))
    assert not caught.value.retryable


def test_hec_channel_must_be_a_guid() -> None:
    """A channel that is not a GUID raises ValueError."""
    with pytest.raises(ValueError, match="GUID"):
        HecClient("https://splunk:8088/services/collector/event", TOKEN, channel="abc")
