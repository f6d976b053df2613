"""`magento-ir evidence capture | verify | export | ship`: typer runner and a real subprocess."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from magento_ir import AdminCredentials, MagentoClient, set_testing
from magento_ir.cli.evidence import KEY_NAME, evidence_app
from magento_ir.evidence import SigningKey, read_records
from magento_ir.sandbox import Sandbox, SandboxServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from tests.evidence.conftest import LoopbackCA

PSEUDONYM_KEY = "0123456789abcdef0123456789abcdef"
HEC_TOKEN = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def no_retry_waits() -> Iterator[None]:
    """The client still retries the refused connection, without sleeping between attempts."""
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxServer]:
    with SandboxServer(Sandbox(customers=25, orders=6, with_module=True)) as server:
        yield server


@pytest.fixture
def env(served: SandboxServer, tmp_path: Path) -> dict[str, str]:
    return {
        "MAGENTO_IR_BASE_URL": served.base_url,
        "MAGENTO_IR_USERNAME": "admin",
        "MAGENTO_IR_PASSWORD": "Sandbox123!",
        "MAGENTO_IR_PROFILES_FILE": str(tmp_path / "config" / "profiles.toml"),
        "MAGENTO_IR_PSEUDONYM_KEY": "",
    }


@pytest.fixture
def captured(env: dict[str, str], tmp_path: Path) -> Path:
    log = tmp_path / "evidence.log"
    result = CliRunner().invoke(evidence_app, ["capture", str(log)], env=env)
    assert result.exit_code == 0, result.output
    return log


def verifier_of(log: Path) -> str:
    """The verifier key the log's creation record names (the key that signed it)."""
    return str(next(read_records(log)).payload["verifier_key"])


def flip_one_byte(log: Path, seq: int) -> None:
    """Change one character inside record `seq`'s payload (line seq + 1)."""
    lines = log.read_bytes().splitlines(keepends=True)
    line = lines[seq]
    at = line.index(b'"payload":{') + len(b'"payload":{') + 2
    lines[seq] = line[:at] + bytes([line[at] ^ 0x01]) + line[at + 1 :]
    log.write_bytes(b"".join(lines))


def test_capture_writes_the_store_into_the_log(captured: Path) -> None:
    """capture creates the key, writes custody, exchanges and entities, and reports per category."""
    types = [record.type for record in read_records(captured)]
    assert types[0] == "custody"
    assert types.count("capture.customer") == 12 + 25
    assert "capture.http_exchange" in types
    assert types[-1] == "custody"
    assert (captured.parent / "config" / "journal.key").exists()


def test_capture_output_lists_categories_and_what_could_not_be_collected(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The summary names each category's status and counts, and the verifier key."""
    log = tmp_path / "evidence.log"
    result = CliRunner().invoke(
        evidence_app,
        ["capture", str(log), "--only", "customers", "--only", "admin_users"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"│ customers +│ complete +│ 37/37 +│", result.output), result.output
    # Read through the module.
    assert re.search(r"│ admin_users +│ complete +│ 3/3 +│", result.output), result.output
    verifier = result.output.split("--verifier ", 1)[1].split()[0]
    verified = CliRunner().invoke(evidence_app, ["verify", str(log), "--verifier", verifier])
    assert verified.exit_code == 0, verified.output
    assert "signed checkpoints match" in verified.output


def test_capture_with_bad_input_exits_2_with_the_fix(env: dict[str, str], tmp_path: Path) -> None:
    """An unknown category or a date that is no date exits 2 and says what is accepted."""
    runner = CliRunner()
    log = str(tmp_path / "evidence.log")
    result = runner.invoke(evidence_app, ["capture", log, "--only", "nope"], env=env)
    assert result.exit_code == 2
    assert "unknown capture categories ['nope']" in result.output
    result = runner.invoke(evidence_app, ["capture", log, "--since", "May"], env=env)
    assert result.exit_code == 2
    assert "is not a date" in result.output


def test_capture_with_refused_credentials_exits_3(env: dict[str, str], tmp_path: Path) -> None:
    """The store refusing the login exits 3 and says to check the credentials."""
    result = CliRunner().invoke(
        evidence_app,
        ["capture", str(tmp_path / "e.log")],
        env={**env, "MAGENTO_IR_PASSWORD": "not-the-password1"},
    )
    assert result.exit_code == 3
    assert "Check the credentials" in result.output
    assert "not-the-password1" not in result.output


def test_capture_without_a_store_exits_2(tmp_path: Path) -> None:
    """No base URL anywhere: exit 2 with how to give one."""
    result = CliRunner().invoke(
        evidence_app,
        ["capture", str(tmp_path / "e.log")],
        env={
            "MAGENTO_IR_BASE_URL": "",
            "MAGENTO_IR_PROFILES_FILE": str(tmp_path / "none.toml"),
        },
    )
    assert result.exit_code == 2
    assert "MAGENTO_IR_BASE_URL" in result.output


def test_verify_passes_then_names_the_record_with_one_changed_byte(captured: Path) -> None:
    """verify exits 0 on the capture; one flipped byte makes it exit 1 naming that record."""
    runner = CliRunner()
    args = ["verify", str(captured), "--verifier", verifier_of(captured)]
    result = runner.invoke(evidence_app, args)
    assert result.exit_code == 0, result.output
    assert "OK:" in result.output
    flip_one_byte(captured, 40)
    result = runner.invoke(evidence_app, args)
    assert result.exit_code == 1
    assert "record 40, line 41" in result.output


def test_verify_in_a_subprocess_exits_nonzero_and_names_the_record(captured: Path) -> None:
    """The real command line: exit status 0, then 1 with the bad record named on stderr."""
    command = [
        sys.executable,
        "-c",
        "from magento_ir.cli.evidence import evidence_app; evidence_app()",
        "verify",
        str(captured),
        "--verifier",
        verifier_of(captured),
    ]
    ok = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603 - our own interpreter
    assert ok.returncode == 0, ok.stderr
    flip_one_byte(captured, 7)
    bad = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)  # noqa: S603 - our own interpreter
    assert bad.returncode == 1
    assert "record 7, line 8" in bad.stderr


def test_verify_checks_signatures_and_external_checkpoints(captured: Path, tmp_path: Path) -> None:
    """--verifier checks checkpoint signatures; a kept checkpoint catches a cut-off tail."""
    key = read_records(captured).__next__().payload["verifier_key"]
    kept = tmp_path / "kept.checkpoints"
    kept.write_bytes((captured.parent / (captured.name + ".checkpoints")).read_bytes())
    runner = CliRunner()
    result = runner.invoke(evidence_app, ["verify", str(captured), "--verifier", key])
    assert result.exit_code == 0, result.output
    assert "signed" in result.output
    lines = captured.read_bytes().splitlines(keepends=True)
    captured.write_bytes(b"".join(lines[:-3]))
    (captured.parent / (captured.name + ".checkpoints")).write_bytes(b"")
    args = ["verify", str(captured), "--verifier", key, "--checkpoints", str(kept)]
    result = runner.invoke(evidence_app, args)
    assert result.exit_code == 1
    assert "truncated" in result.output


def test_verify_of_a_missing_log_exits_2(tmp_path: Path) -> None:
    """A log path that does not exist is a usage error that says which file."""
    result = CliRunner().invoke(evidence_app, ["verify", str(tmp_path / "none.log")])
    assert result.exit_code == 2
    assert "no evidence log at" in result.output


@pytest.mark.parametrize("export_format", ["ecs", "ocsf", "cef"])
def test_export_writes_one_event_per_record(
    captured: Path, tmp_path: Path, export_format: str
) -> None:
    """export --format writes every record, each carrying its record hash."""
    out = tmp_path / f"events.{export_format}"
    result = CliRunner().invoke(
        evidence_app,
        ["export", str(captured), "--format", export_format, "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    records = list(read_records(captured))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(records)
    assert all(record.hash in line for record, line in zip(records, lines, strict=True))


def test_export_pseudonymises_personal_data_with_a_key(
    captured: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    """With MAGENTO_IR_PSEUDONYM_KEY no customer e-mail leaves in the export."""
    emails = [r.payload["email"] for r in read_records(captured) if r.type == "capture.customer"]
    out = tmp_path / "events.json"
    result = CliRunner().invoke(
        evidence_app,
        ["export", str(captured), "--format", "ecs", "-o", str(out)],
        env={**env, "MAGENTO_IR_PSEUDONYM_KEY": PSEUDONYM_KEY},
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert emails
    assert not any(email in text for email in emails)
    assert "@pseudonym.invalid" in text
    assert PSEUDONYM_KEY not in text


def test_export_refuses_an_unknown_format_and_a_shared_key_file(
    captured: Path, tmp_path: Path
) -> None:
    """Bad --format, or a key file others can read, exit 2 with the fix."""
    runner = CliRunner()
    result = runner.invoke(evidence_app, ["export", str(captured), "--format", "xml"])
    assert result.exit_code == 2
    assert "use ecs, ocsf or cef" in result.output
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text(PSEUDONYM_KEY)
    key_file.chmod(0o644)
    args = ["export", str(captured), "--format", "ecs"]
    result = runner.invoke(evidence_app, [*args, "--pseudonym-key-file", str(key_file)])
    assert result.exit_code == 2
    assert f"chmod 600 {key_file}" in result.output


class _SyslogReceiver:
    """A loopback TCP listener that reads RFC 6587 octet-counted frames until the sender closes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.server.getsockname()[1]
        self.frames: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        connection, _ = self.server.accept()
        data = b""
        with connection:
            while chunk := connection.recv(65536):
                data += chunk
        while data:
            length, _, rest = data.partition(b" ")
            self.frames.append(rest[: int(length)])
            data = rest[int(length) :]
        self.server.close()


def test_ship_to_syslog_over_tcp_sends_every_record_then_the_checkpoints(captured: Path) -> None:
    """ship --to syslog+tcp:// delivers one message per record, each holding its log line."""
    receiver = _SyslogReceiver()
    result = CliRunner().invoke(
        evidence_app,
        ["ship", str(captured), "--to", f"syslog+tcp://127.0.0.1:{receiver.port}"],
    )
    assert result.exit_code == 0, result.output
    receiver.thread.join(timeout=10)
    records = list(read_records(captured))
    checkpoints = (captured.parent / (captured.name + ".checkpoints")).read_text().splitlines()
    assert len(receiver.frames) == len(records) + len(checkpoints)
    for record, frame in zip(records, receiver.frames, strict=False):
        assert frame.endswith(b"\xef\xbb\xbf" + record.raw.rstrip(b"\n"))


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("udp://127.0.0.1:514", "is not a destination"),
        ("syslog+tcp://127.0.0.1", "is not a destination"),
        ("hec+http://splunk.example:8088/services/collector/event", "clear text"),
        ("hec+https://splunk.example:8088/services/collector/event", "HEC needs a token"),
    ],
)
def test_ship_refuses_bad_destinations(captured: Path, destination: str, message: str) -> None:
    """Unknown schemes, missing ports, HEC over plain http or without a token exit 2."""
    result = CliRunner().invoke(
        evidence_app,
        ["ship", str(captured), "--to", destination],
        env={"MAGENTO_IR_HEC_TOKEN": ""},
    )
    assert result.exit_code == 2
    assert message in result.output


def test_ship_refuses_a_log_that_does_not_verify(captured: Path) -> None:
    """A tampered log is not shipped: exit 1 naming the bad record."""
    flip_one_byte(captured, 3)
    result = CliRunner().invoke(
        evidence_app, ["ship", str(captured), "--to", "syslog+tcp://127.0.0.1:9"]
    )
    assert result.exit_code == 1
    assert "record 3" in result.output


class _HecReceiver:
    """A loopback HTTPS endpoint answering every POST as HEC does on success."""

    def __init__(self, ca: LoopbackCA) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((dict(self.headers), body))
                reply = b'{"text":"Success","code":0}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                """Keep test output clean."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.socket = ca.server_context().wrap_socket(self.server.socket, server_side=True)
        port = self.server.server_address[1]
        self.url = f"hec+https://localhost:{port}/services/collector/event"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self) -> list[dict[str, Any]]:
        """Every event received (a body is concatenated JSON objects, not an array)."""
        decoder, events = json.JSONDecoder(), []
        for _, body in self.requests:
            text, position = body.decode(), 0
            while position < len(text):
                event, position = decoder.raw_decode(text, position)
                events.append(event)
        return events

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_ship_to_hec_over_tls_delivers_every_record_pseudonymised(
    captured: Path, test_ca: LoopbackCA, env: dict[str, str]
) -> None:
    """ship --to hec+https:// checks the receiver with --ca-file, sends records and checkpoints,
    keeps the token out of the output, and with a pseudonym key no customer e-mail arrives."""
    receiver = _HecReceiver(test_ca)
    try:
        result = CliRunner().invoke(
            evidence_app,
            [
                "ship",
                str(captured),
                "--to",
                receiver.url,
                "--ca-file",
                str(test_ca.ca),
            ],
            env={
                **env,
                "MAGENTO_IR_HEC_TOKEN": HEC_TOKEN,
                "MAGENTO_IR_PSEUDONYM_KEY": PSEUDONYM_KEY,
            },
        )
    finally:
        receiver.close()
    assert result.exit_code == 0, result.output
    assert HEC_TOKEN not in result.output
    records = list(read_records(captured))
    events = receiver.events()
    checkpoints = (captured.parent / (captured.name + ".checkpoints")).read_text().splitlines()
    assert len(events) == len(records) + len(checkpoints)
    assert [event["fields"]["record_hash"] for event in events[: len(records)]] == [
        record.hash for record in records
    ]
    emails = [r.payload["email"] for r in records if r.type == "capture.customer"]
    shipped = json.dumps(events)
    assert not any(email in shipped for email in emails)
    assert all(
        headers["Authorization"] == f"Splunk {HEC_TOKEN}" for headers, _ in receiver.requests
    )


def test_capture_since_last_reads_only_what_changed_after_the_previous_capture(
    captured: Path, env: dict[str, str], served: SandboxServer
) -> None:
    """--since last starts from the log's previous completed capture: one changed customer."""
    with MagentoClient(served.base_url, auth=AdminCredentials("admin", "Sandbox123!")) as client:
        customer = client.customers.retrieve(16)
        client.customers.update(
            16,
            {
                "email": customer.email,
                "firstname": "Later",
                "lastname": customer.lastname,
                "website_id": customer.website_id,
            },
        )
    result = CliRunner().invoke(
        evidence_app,
        ["capture", str(captured), "--since", "last", "--only", "customers"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    started = [r for r in read_records(captured) if r.type == "capture.started"]
    assert started[-1].payload["since"] is not None
    customers = [r for r in read_records(captured) if r.type == "capture.customer"]
    assert [(r.payload["id"], r.payload["firstname"]) for r in customers[37:]] == [(16, "Later")]


def test_capture_since_last_on_a_new_log_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    """--since last with no earlier capture in the log says to run a full capture first."""
    log = tmp_path / "new.log"
    result = CliRunner().invoke(evidence_app, ["capture", str(log), "--since", "last"], env=env)
    assert result.exit_code == 2
    assert "holds no completed capture yet" in result.output


@pytest.mark.usefixtures("no_retry_waits")
def test_capture_of_a_store_that_does_not_answer_exits_4(tmp_path: Path) -> None:
    """Nothing listening at the base URL: exit 4, and the log closes the attempt and verifies."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = tmp_path / "e.log"
    result = CliRunner().invoke(
        evidence_app,
        ["capture", str(log)],
        env={
            "MAGENTO_IR_BASE_URL": f"http://127.0.0.1:{port}",
            "MAGENTO_IR_TOKEN": "not-a-real-token",
            "MAGENTO_IR_PROFILES_FILE": str(tmp_path / "profiles.toml"),
        },
    )
    assert result.exit_code == 4
    assert "could not connect" in result.output
    assert [r.type for r in read_records(log)][-2:] == ["capture.summary", "custody"]
    assert "not-a-real-token" not in log.read_text(encoding="utf-8")


def test_verify_refuses_a_checkpoint_file_that_is_not_one(captured: Path, tmp_path: Path) -> None:
    """--checkpoints with a missing file or a line that is no checkpoint exits 2 naming it."""
    runner = CliRunner()
    missing = tmp_path / "missing.checkpoints"
    args = ["verify", str(captured), "--checkpoints"]
    result = runner.invoke(evidence_app, [*args, str(missing)])
    assert result.exit_code == 2
    assert "does not exist" in result.output
    garbage = tmp_path / "garbage.checkpoints"
    garbage.write_text("not a checkpoint\n")
    result = runner.invoke(evidence_app, [*args, str(garbage)])
    assert result.exit_code == 2


def test_verify_derives_the_verifier_from_the_signing_key_file(
    captured: Path, tmp_path: Path
) -> None:
    """--key checks signatures with the key capture signed with; with --verifier too, exit 2."""
    key_file = tmp_path / "config" / "journal.key"
    runner = CliRunner()
    result = runner.invoke(evidence_app, ["verify", str(captured), "--key", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "signed checkpoints match" in result.output
    other = tmp_path / "other.key"
    SigningKey.generate(KEY_NAME).save(other)
    result = runner.invoke(evidence_app, ["verify", str(captured), "--key", str(other)])
    assert result.exit_code == 1
    assert "checkpoint_key" in result.output
    assert "not by the verifier key" in result.output
    verifier = str(SigningKey.load(other, KEY_NAME).verifier())
    both = ["verify", str(captured), "--key", str(key_file), "--verifier", verifier]
    result = runner.invoke(evidence_app, both)
    assert result.exit_code == 2
    assert "not both" in result.output


def test_main_cli_store_options_reach_evidence_capture(
    served: SandboxServer, tmp_path: Path
) -> None:
    """`magento-ir --base-url ... --username ... evidence capture` uses the main CLI's options."""
    from magento_ir.cli import app  # noqa: PLC0415 - the mounted command line

    log = tmp_path / "evidence.log"
    store = ["--base-url", served.base_url, "--username", "admin"]
    result = CliRunner().invoke(
        app,
        [*store, "evidence", "capture", str(log), "--only", "modules"],
        env={
            "MAGENTO_IR_BASE_URL": "",
            "MAGENTO_IR_USERNAME": "",
            "MAGENTO_IR_PASSWORD": "Sandbox123!",
            "MAGENTO_IR_PROFILES_FILE": str(tmp_path / "profiles.toml"),
        },
    )
    assert result.exit_code == 0, result.output
    exchanges = [r for r in read_records(log) if r.type == "capture.http_exchange"]
    assert {r.payload["request"]["host"] for r in exchanges} == {"127.0.0.1"}
