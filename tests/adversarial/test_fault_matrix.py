"""Done means: the fault matrix. Every shipped playbook, on six differently seeded stores, under
two fault levels (up to half of the write answers cut off after the store applied the write,
plus failing reads), and killed with SIGKILL at seeded points: each ends with every change applied
exactly once (the store as a clean run leaves it, entity by entity) and a journal that verifies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

import magento_ir
from magento_ir import APIConnectionError
from magento_ir.containment import Incident, load_playbook
from magento_ir.evidence import SigningKey
from magento_ir.evidence.cli import evidence_app
from magento_ir.sandbox import SandboxServer
from tests.adversarial._matrix import (
    PLAYBOOKS,
    changes_store,
    connection,
    effects,
    inject,
    inputs,
    passwords,
    replayed_keys,
)
from tests.conftest import REPO_ROOT
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.containment import RunReport, StoreConnection
    from tests.containment.conftest import Store

SEEDS = (1, 2, 3, 4, 5, 6)
LEVELS = ("light", "heavy")
# A responder reruns until every step is done; under heavy faults a step may need a second run.
MAX_RUNS = 4
DONE = frozenset({"verified", "skipped"})
CHILD_LIMIT = 120  # seconds; a killed child normally dies within one


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    magento_ir.set_testing(True)
    yield
    magento_ir.set_testing(False)


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("fault-matrix")


_REFERENCE: dict[tuple[str, int], tuple[dict[str, Any], int]] = {}


def _contain(
    store: Store, conn: StoreConnection, key: SigningKey, journal: Path, playbook: str
) -> list[RunReport | str]:
    """Run the playbook, and rerun it (resuming the journal) until every step is done. A run
    that could not reach the store at all (its retries spent) is kept as its error's text."""
    runs: list[RunReport | str] = []
    for _ in range(MAX_RUNS):
        try:
            with Incident.open(
                journal, key=key, store=conn, title=f"matrix {playbook}"
            ) as incident:
                report = incident.run(load_playbook(playbook), inputs(playbook, store))
        except APIConnectionError as error:
            runs.append(str(error))
            continue
        runs.append(report)
        if all(step.status in DONE for step in report.steps):
            break
    return runs


def _reference(
    playbook: str, seed: int, key: SigningKey, tmp_path: Path
) -> tuple[dict[str, Any], int]:
    """What a clean run does to this store, and how many writes it sends (once per case)."""
    if (playbook, seed) not in _REFERENCE:
        store = make_store(with_module=True, seed=seed)
        before, since = passwords(store.sandbox), store.sandbox.now()
        [report] = _contain(store, store.connection, key, tmp_path / "clean.jsonl", playbook)
        assert not isinstance(report, str), report
        assert all(step.status == "verified" for step in report.steps), report
        writes = sum(
            count
            for route, count in store.sandbox.inspect.request_counts().items()
            if changes_store(*route.split(maxsplit=1))
        )
        _REFERENCE[playbook, seed] = effects(store.sandbox, before, since), writes
    return _REFERENCE[playbook, seed]


def _verifies(journal: Path, key: SigningKey) -> None:
    """`magento-ir evidence verify JOURNAL --verifier KEY` says OK (exit 0)."""
    verifier = str(key.verifier())
    result = CliRunner().invoke(evidence_app, ["verify", str(journal), "--verifier", verifier])
    assert result.exit_code == 0, result.output


def _history(runs: list[RunReport | str]) -> list[object]:
    return [
        run if isinstance(run, str) else [(s.action, s.status, s.error) for s in run.steps]
        for run in runs
    ]


def _assert_exactly_once(
    store: Store, expected: dict[str, Any], runs: list[RunReport | str], found: dict[str, Any]
) -> None:
    history = _history(runs)
    steps = [step for run in runs if not isinstance(run, str) for step in run.steps]
    # Faults never turn into a verdict: a step stops on an error, or its checks hold.
    assert {step.status for step in steps} <= DONE | {"failed", "applied"}, history
    last = runs[-1]
    assert not isinstance(last, str), history
    assert all(step.status in DONE for step in last.steps), history
    assert replayed_keys(store.sandbox) == [], history
    for name, value in expected.items():
        assert found[name] == value, (name, history)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_faults_apply_exactly_once(
    playbook: str, seed: int, level: str, key: SigningKey, tmp_path: Path
) -> None:
    """Under injected faults every change lands once, as in a clean run, and the journal
    verifies. Light faults are absorbed by retries within one run; under heavy ones a step whose
    retries ran out fails with the error and the rerun completes it."""
    expected, _ = _reference(playbook, seed, key, tmp_path)
    store = make_store(with_module=True, seed=seed)
    before, since = passwords(store.sandbox), store.sandbox.now()
    inject(store.sandbox, level)
    journal = tmp_path / "incident.jsonl"
    runs = _contain(store, store.connection, key, journal, playbook)
    store.sandbox.faults.clear()
    _assert_exactly_once(store, expected, runs, effects(store.sandbox, before, since))
    if level == "light":
        assert len(runs) == 1, _history(runs)
    _verifies(journal, key)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_sigkill_then_rerun_applies_exactly_once(
    playbook: str, seed: int, key: SigningKey, tmp_path: Path
) -> None:
    """SIGKILL at a seeded write (before it is sent, or after the store answered it), then a
    rerun: every change lands once, as in a clean run, and the journal verifies."""
    expected, writes = _reference(playbook, seed, key, tmp_path)
    chance = random.Random(f"{playbook}/{seed}")  # noqa: S311 - a reproducible kill point
    write, when = chance.randint(1, writes), ("before", "after")[seed % 2]
    point = f"killed {when} write {write} of {writes}"
    store = make_store(with_module=True, seed=seed)
    before, since = passwords(store.sandbox), store.sandbox.now()
    key_path = tmp_path / "key.pem"
    key.save(key_path)
    journal = tmp_path / "incident.jsonl"
    with SandboxServer(store.sandbox) as server:
        child = subprocess.run(  # noqa: S603 - our own test helper
            [sys.executable, "-m", "tests.adversarial._killed_run", server.base_url,
             str(journal), str(key_path), playbook, json.dumps(inputs(playbook, store)),
             store.customer_email, str(write), when],
            cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            timeout=CHILD_LIMIT, check=False,
        )  # fmt: skip
        assert child.returncode == -signal.SIGKILL, point
        conn = connection(server.base_url, store.customer_email, store.sandbox.transport())
        runs = _contain(store, conn, key, journal, playbook)
    _assert_exactly_once(store, expected, runs, effects(store.sandbox, before, since))
    assert len(runs) == 1, (point, _history(runs))
    _verifies(journal, key)
