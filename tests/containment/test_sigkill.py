"""A containment run killed with SIGKILL mid-write, then run again: same final state, no action
applied twice, and a complete, verifiable journal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir import AdminCredentials
from magento_ir.containment import Incident, StoreConnection, load_playbook
from magento_ir.evidence import verify
from magento_ir.sandbox import SandboxServer
from tests.conftest import REPO_ROOT
from tests.containment.conftest import ADMIN_PASSWORD, PLAYBOOK_INPUTS, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store

WAIT_LIMIT = 60.0  # seconds; the child normally gets there in well under one


def _journal(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """Complete records of the journal so far (a torn last line is ignored)."""
    if not path.exists():
        return []
    records = []
    for line in path.read_bytes().splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        record = json.loads(line)
        records.append((record["type"], record["payload"]))
    return records


def _wait_for(condition: Any, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT_LIMIT
    while not condition():
        if child.poll() is not None:
            pytest.fail(f"the child finished (exit {child.returncode}) before the kill point")
        if time.monotonic() > deadline:
            child.kill()
            pytest.fail("the child never reached the kill point")
        time.sleep(0.01)


def _holdable(store: Store) -> list[int]:
    return [oid for oid, state in store.order_states().items() if state in {"new", "processing"}]


@pytest.mark.parametrize(
    ("slow_route", "applied"),
    [
        # The module applied the write; its answer is on the way when the child dies.
        ("/V1/incident-response/sessions/terminate", "module"),
        # The bulk hold went through; the child dies while its answer is on the way.
        ("/V1/incident-response/orders/hold", "hold"),
    ],
)
def test_sigkill_mid_write_then_rerun(
    key: SigningKey, tmp_path: Path, slow_route: str, applied: str
) -> None:
    """Kill -9 while a write's answer is in flight; the rerun finishes without redoing work."""
    store = make_store(with_module=True)
    holdable = _holdable(store)
    key_path = tmp_path / "key.pem"
    key.save(key_path)
    journal = tmp_path / "incident.jsonl"
    # The answer comes back late, so the child is killed after the store applied the write.
    store.sandbox.faults.schedule("slow", path=slow_route, method="POST", seconds=30)
    with SandboxServer(store.sandbox) as server:
        child = subprocess.Popen(  # noqa: S603 - our own test helper
            [sys.executable, "-m", "tests.containment._run_magecart", server.base_url,
             str(journal), str(key_path)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )  # fmt: skip
        try:
            if applied == "module":
                _wait_for(lambda: "sessions.terminate" in store.module_actions(), child)
            else:
                _wait_for(lambda: store.order_states()[3] == "holded", child)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        assert child.returncode == -signal.SIGKILL
        killed = Counter(record_type for record_type, _ in _journal(journal))
        assert killed["journal.prior_state"] > killed["journal.result"]  # one step in flight

        connection = StoreConnection(
            server.base_url, auth=AdminCredentials("admin", ADMIN_PASSWORD)
        )
        with Incident.open(journal, key=key, store=connection) as incident:
            report = incident.run(load_playbook("magecart"), PLAYBOOK_INPUTS["magecart"])
            states = incident.status()

    assert report.ok, report
    assert all(step.status in {"verified", "skipped"} for step in report.steps), report
    # Nothing applied twice: one module record per action (the rerun's bulk hold is replayed by
    # its idempotency key), and no order held one by one.
    assert Counter(record["action"] for record in store.sandbox.inspect.action_log()) == {
        "payments.suspend": 1,
        "maintenance.set": 1,
        "sessions.terminate": 1,
        "orders.hold": 1,
    }
    assert store.sandbox.inspect.request_counts().get("POST /V1/orders/:id/hold", 0) == 0
    # Same final state as an uninterrupted run.
    assert all(store.order_states()[order_id] == "holded" for order_id in holdable)
    assert not store.block_active()
    assert store.maintenance_mode() == "storefront"
    assert store.live_customer_tokens() == 0
    # The journal is complete and verifies: every step planned, prior state, result, checked.
    assert verify(journal, key.verifier()).ok
    assert len(states) == 5
    for state in states:
        assert state.status == "verified", state
        assert {"plan", "prior_state", "result", "verification"} <= set(state.history)
