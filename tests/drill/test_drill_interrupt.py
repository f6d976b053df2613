"""Ctrl-C during a drill says what it left behind, and what it says is what the journal and the
store show: interrupted by a hook at several points, by a real SIGINT to a subprocess, and on a
(served sandbox standing in for a) test store."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

import magento_ir.sandbox
from magento_ir import AdminCredentials, SearchCriteria, set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.containment import StoreConnection
from magento_ir.containment._cms import DisableCmsBlocks
from magento_ir.containment._shop import Maintenance
from magento_ir.containment.journal import Journal
from magento_ir.drill import (
    TEST_STORE_MARKER,
    DrillInterrupted,
    DrillOptions,
    StoreDrillOptions,
    run_drill,
    run_store_drill,
)
from magento_ir.drill._interrupt import APPLIED, APPLYING, ROLLED_BACK, ROLLING_BACK
from magento_ir.evidence import NoteVerifier
from tests.conftest import REPO_ROOT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from magento_ir.drill import LeftBehind
    from magento_ir.sandbox import Sandbox

SMALL = {"products": 20, "customers": 20, "orders": 10, "latency": "0"}


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


@pytest.fixture
def sandboxes(monkeypatch: pytest.MonkeyPatch) -> list[Sandbox]:
    """Every sandbox the drill makes, kept so the test can look at it after the interruption."""
    made: list[Sandbox] = []

    class Kept(magento_ir.sandbox.Sandbox):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(magento_ir.sandbox, "Sandbox", Kept)
    return made


def _after(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method`, then Ctrl-C: the change is made, the journal not yet told."""

    async def interrupted(*args: Any) -> Any:
        await method(*args)
        raise KeyboardInterrupt

    return interrupted


def _states(journal: Path, verifier: NoteVerifier) -> dict[tuple[str, str], str]:
    """Each (action, step id)'s state, worked out here from the journal file itself."""
    states = {}
    for step in Journal.read(journal, verifier=verifier).steps().values():
        if step.rollback_in_flight:
            state = ROLLING_BACK
        elif step.rollback_outcome is not None:
            state = ROLLED_BACK
        elif step.outcome is not None:
            state = APPLIED
        else:
            assert step.in_flight, step
            state = APPLYING
        states[step.action, step.step] = state
    return states


def _journal_states(left: LeftBehind) -> dict[str, str]:
    assert left.journal is not None
    verifier = NoteVerifier.parse(left.verify_command.split("--verifier ")[1].split()[0])
    return {action: state for (action, _), state in _states(left.journal, verifier).items()}


def _assert_verifies(left: LeftBehind) -> None:
    """The printed command, run where it says, verifies the journal."""
    assert left.journal is not None
    program, *args = shlex.split(left.verify_command)
    assert program == "magento-ir"
    with contextlib.chdir(left.journal.parent):
        result = CliRunner().invoke(app, args)
    assert result.exit_code == ExitCode.OK, result.output


POINTS = {
    # where: (how to interrupt, the step interrupted and its state, what the sandbox shows)
    "inside disable_cms_blocks, after its write": (
        lambda mp: mp.setattr(DisableCmsBlocks, "apply", _after(DisableCmsBlocks.apply)),
        ("disable_cms_blocks", APPLYING),
    ),
    "inside maintenance's verification": (
        lambda mp: mp.setattr(Maintenance, "verify", _after(Maintenance.verify)),
        ("maintenance", APPLIED),
    ),
    "inside maintenance's rollback, after its write": (
        lambda mp: mp.setattr(Maintenance, "rollback", _after(Maintenance.rollback)),
        ("maintenance", ROLLING_BACK),
    ),
}


@pytest.mark.parametrize("point", list(POINTS))
def test_interrupted_step_is_reported_as_the_journal_and_sandbox_show_it(
    point, sandboxes, monkeypatch, tmp_path
):
    """Every step's reported state is the journal's; the sandbox's state matches the message."""
    hook, (action, state) = POINTS[point]
    hook(monkeypatch)
    with pytest.raises(DrillInterrupted) as interrupted:
        run_drill(DrillOptions(**SMALL, report_dir=tmp_path))  # type: ignore[arg-type]
    left = interrupted.value.left_behind
    message = str(interrupted.value)
    assert isinstance(interrupted.value, KeyboardInterrupt)

    journal = _journal_states(left)
    assert journal[action] == state
    assert {step.action: step.state for step in left.steps} == journal
    for kind in left.not_started:
        assert kind not in journal
    assert set(journal) | set(left.not_started) == {
        "suspend_payments", "maintenance", "disable_cms_blocks", "terminate_sessions",
        "hold_orders",
    }  # fmt: skip
    assert f"{state}: " in message
    _assert_verifies(left)
    assert not (tmp_path / "drill-report.json").exists()
    assert "No report was written." in message

    # The sandbox as it was left, against what the message says it held.
    (sandbox,) = sandboxes
    with sandbox.lock:
        mode = sandbox.state.incident_response.maintenance_mode
        blocks = [sandbox.state.cms_blocks.get(block) for block in (1, 2, 3)]
    assert f"maintenance mode: {mode}" in message
    # Maintenance is in place exactly when the journal has it applied (its rollback's write
    # happened before the interruption in the third case: the store is open again).
    assert (mode == "storefront") == (journal.get("maintenance") == APPLIED)
    assert "nothing is left staged on any store" in message
    if "disable_cms_blocks" in journal:
        assert "skimmer CMS blocks still active: 0 of" in message
    else:
        assert any(block is not None and block["active"] for block in blocks)


def test_interrupted_while_staging_says_no_journal_was_written(sandboxes, tmp_path):
    """Before containment there is no journal, and the message says so."""

    def progress(message: str) -> None:
        if message.startswith("staging"):
            raise KeyboardInterrupt

    with pytest.raises(DrillInterrupted) as interrupted:
        run_drill(DrillOptions(**SMALL, report_dir=tmp_path), progress)  # type: ignore[arg-type]
    left = interrupted.value.left_behind
    assert left.journal is None
    assert left.phase == "staging the breach over HTTP"
    assert "No journal was written: containment had not started." in str(interrupted.value)
    assert list(tmp_path.iterdir()) == []
    (sandbox,) = sandboxes
    assert sandbox.inspect.module_maintenance()["mode"] == "off"
    assert "maintenance mode: off" in str(interrupted.value)


def test_cli_prints_what_was_left_behind_and_exits_130(monkeypatch, tmp_path):
    """`magento-ir drill` on Ctrl-C: exit 130, the message, no traceback, no report."""
    monkeypatch.setattr(Maintenance, "verify", _after(Maintenance.verify))
    result = CliRunner().invoke(
        app, ["drill", *(f"--{k}={v}" for k, v in SMALL.items()), "--report-dir", str(tmp_path)]
    )
    assert result.exit_code == ExitCode.INTERRUPTED, result.output
    text = " ".join(result.output.split())
    assert "Drill interrupted while containing: maintenance." in text
    assert "applied, not rolled back: suspend_payments (step" in text
    assert "Traceback" not in result.output
    assert not (tmp_path / "drill-report.md").exists()


def test_a_real_sigint_to_the_drill_process(tmp_path):
    """SIGINT to `python -m magento_ir drill` once a step is journaled: exit 130, and every
    step the message names is in the state the journal gives it."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "XDG_CONFIG_HOME": str(tmp_path)}
    sizes = [f"--{name}={value}" for name, value in SMALL.items()]
    command = [sys.executable, "-m", "magento_ir", "drill", *sizes, "--report-dir", str(tmp_path)]
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    journal = tmp_path / "drill-report-journal.log"
    try:
        # Not a timing assertion: a guard so a drill that never journals fails instead of hanging.
        deadline = time.monotonic() + 120
        while b'"journal.result"' not in (journal.read_bytes() if journal.exists() else b""):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the drill journaled no step result"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == ExitCode.INTERRUPTED, stdout + stderr
    assert "Traceback" not in stderr
    text = " ".join(stderr.split())
    assert text.startswith("Error: Drill interrupted while "), stderr
    assert "No report was written." in text
    verifier = NoteVerifier.parse(text.split("--verifier ")[1].split()[0])
    journal_says = _states(journal, verifier)
    assert journal_says
    # The message's "<state>: action (step id), ..." lines, read back.
    message_says = {}
    for line in stderr.splitlines():
        for state in (APPLIED, APPLYING, ROLLING_BACK, ROLLED_BACK):
            if line.strip().startswith(f"{state}: "):
                for named in line.strip()[len(state) + 2 :].split("), "):
                    action, step = named.rstrip(")").split(" (step ")
                    message_says[action, step] = state
    assert message_says == journal_says
    (line,) = [line for line in stderr.splitlines() if line.strip().startswith("verify it in ")]
    program, *args = shlex.split(line.split(": ", 1)[1])
    assert program == "magento-ir"
    verified = subprocess.run(  # noqa: S603 - the printed command, with this interpreter
        [sys.executable, "-m", "magento_ir", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stdout + verified.stderr


SMALL_STORE = pytest.mark.magento_sandbox(products=20, customers=10, orders=10, with_module=True)


def _mark_as_test_store(client: Any) -> None:
    client.request(
        "POST",
        "/V1/cmsBlock",
        json={"block": {"identifier": TEST_STORE_MARKER, "title": "test store", "active": False}},
    )


def _interrupted_store_drill(store: Any, tmp_path: Path) -> DrillInterrupted:
    """The store drill on a served sandbox, which the test's patches interrupt."""
    password = store.admin_password
    options = StoreDrillOptions(
        store=StoreConnection(store.base_url, auth=AdminCredentials(store.admin_user, password)),
        attacker=AdminCredentials("catalog", password),
        report_dir=tmp_path,
    )
    with pytest.raises(DrillInterrupted) as interrupted:
        run_store_drill(options)
    return interrupted.value


@SMALL_STORE
def test_interrupted_store_drill_rolls_back_cleans_up_and_says_so(
    magento_sandbox, monkeypatch, tmp_path
):
    """On a test store, Ctrl-C inside a step's verification: the drill rolls back and deletes
    what it staged, and says the store is as found; the store confirms it."""
    client = magento_sandbox.client()
    _mark_as_test_store(client)
    monkeypatch.setattr(DisableCmsBlocks, "verify", _after(DisableCmsBlocks.verify))
    interrupted = _interrupted_store_drill(magento_sandbox, tmp_path)
    left = interrupted.left_behind
    message = str(interrupted)
    assert left.phase == "containing: disable_cms_blocks"
    journal = _journal_states(left)
    assert journal == {
        "suspend_payments": ROLLED_BACK, "maintenance": ROLLED_BACK,
        "disable_cms_blocks": ROLLED_BACK,
    }  # fmt: skip
    assert left.not_started == ("terminate_sessions", "hold_orders")
    assert "is as the drill found it" in message
    assert left.remaining == left.todo == ()
    _assert_verifies(left)
    assert magento_sandbox.inspect.module_maintenance()["mode"] == "off"
    staged = client.customers.list(SearchCriteria().where("email", "like", "magento-ir-drill-%"))
    assert staged.total_count == 0
    planted = client.cms_blocks.list(
        SearchCriteria().where("identifier", "like", "checkout-trust-badges-%")
    )
    assert planted.total_count == 0


@SMALL_STORE
def test_store_drill_interrupted_in_its_clean_up_names_what_is_left(
    magento_sandbox, monkeypatch, tmp_path
):
    """Ctrl-C inside a write, then again during the clean-up: the write the journal has no
    outcome for is not rolled back, and staged customers remain; the message names each with
    what to do, and the store shows exactly those."""
    import magento_ir.drill._store as store_drill  # noqa: PLC0415

    client = magento_sandbox.client()
    _mark_as_test_store(client)
    monkeypatch.setattr(DisableCmsBlocks, "apply", _after(DisableCmsBlocks.apply))
    clean_up = store_drill._clean_up

    async def interrupted_clean_up(responder: Any, staged: Any) -> Any:
        # Ctrl-C after the first customer is deleted: the others and the block remain.
        customers, block = staged.customer_ids, staged.planted_block_id
        staged.customer_ids, staged.planted_block_id = customers[:1], None
        await clean_up(responder, staged)
        staged.customer_ids, staged.planted_block_id = customers, block
        raise KeyboardInterrupt

    monkeypatch.setattr(store_drill, "_clean_up", interrupted_clean_up)
    interrupted = _interrupted_store_drill(magento_sandbox, tmp_path)
    left = interrupted.left_behind
    message = str(interrupted)
    assert "still has what the drill did not undo" in message
    left_customers = client.customers.list(
        SearchCriteria().where("email", "like", "magento-ir-drill-%")
    )
    ids = sorted(customer.id for customer in left_customers.items)
    assert len(ids) == 3
    planted = client.cms_blocks.list(
        SearchCriteria().where("identifier", "like", "checkout-trust-badges-%")
    )
    assert planted.total_count == 1
    named = [item for item in left.todo if item.startswith("delete customer ")]
    assert sorted(int(item.split()[2].rstrip(":")) for item in named) == ids
    for customer_id in ids:
        assert f"DELETE /rest/V1/customers/{customer_id}" in message
    assert f"DELETE /rest/V1/cmsBlock/{planted.items[0].id}" in message
    # The interrupted write stays: the message says so, and the skimmer blocks are disabled.
    assert _journal_states(left)["disable_cms_blocks"] == APPLYING
    assert any(item.startswith("disable_cms_blocks (step ") for item in left.remaining)
    assert any(item.startswith("undo disable_cms_blocks (step ") for item in left.todo)
    skimmers = client.cms_blocks.list(SearchCriteria().where("content", "like", "%<script%"))
    assert skimmers.items
    assert not any(block.active for block in skimmers.items)
    # `rollback` undoes only what the journal has an outcome for: the in-flight write is
    # left to the admin panel, and the message says why.
    undo = next(item for item in left.todo if item.startswith("undo disable_cms_blocks (step "))
    assert "admin panel (the journal has no outcome for it to undo)" in undo


@SMALL_STORE
def test_store_drill_cut_short_in_its_rollback_can_be_resumed_from_the_cli(
    magento_sandbox, monkeypatch, tmp_path
):
    """A second Ctrl-C before the rollbacks and the clean-up: every step stays applied; the
    journal's key stays beside the journal (owner-only) and the command the message gives
    undoes them all."""
    import magento_ir.drill._store as store_drill  # noqa: PLC0415

    client = magento_sandbox.client()
    _mark_as_test_store(client)

    async def cut_short(*_: Any) -> Any:
        raise KeyboardInterrupt

    async def kept(*_: Any) -> Any:
        return []

    monkeypatch.setattr(store_drill, "roll_back", cut_short)
    monkeypatch.setattr(store_drill, "_clean_up", kept)
    interrupted = _interrupted_store_drill(magento_sandbox, tmp_path)
    left = interrupted.left_behind
    assert set(_journal_states(left).values()) == {APPLIED}
    key_file = tmp_path / "drill-journal.key"
    assert key_file.stat().st_mode & 0o077 == 0
    resume = f"rollback --journal {left.journal} --key {key_file}"
    assert all(resume in item for item in left.todo if item.startswith("undo "))
    assert client.incident_response.maintenance().mode != "off"
    result = CliRunner().invoke(
        app,
        [
            "--base-url",
            magento_sandbox.base_url,
            "--username",
            magento_sandbox.admin_user,
            "--password",
            magento_sandbox.admin_password,
            *shlex.split(resume),
            "--yes",
        ],
    )
    assert result.exit_code == ExitCode.OK, result.output
    assert client.incident_response.maintenance().mode == "off"
    # Ended sessions cannot come back: those steps stay applied, every other is rolled back.
    states = _journal_states(left)
    assert {action for action, state in states.items() if state != ROLLED_BACK} == (
        set(states) - set(store_drill._REVERSIBLE)
    )
