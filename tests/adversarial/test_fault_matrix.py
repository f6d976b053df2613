"""Done means: the fault matrix. Every shipped playbook, on six differently seeded stores, under
two fault levels (up to half of the write answers cut off after the store applied the write,
plus failing reads), and killed with SIGKILL at seeded points, contained and then rolled back:
each ends with every change applied exactly once (the store as a clean run leaves it, entity by
entity, after containing and after rolling back) and a journal that verifies."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import pytest
from typer.testing import CliRunner

from magento_ir import APIConnectionError
from magento_ir.cli.evidence import evidence_app
from magento_ir.containment import Incident, load_playbook
from magento_ir.evidence import SigningKey
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
    from collections.abc import Callable
    from pathlib import Path

    from magento_ir.containment import RunReport, StoreConnection
    from tests.containment.conftest import Store

SEEDS = (1, 2, 3, 4, 5, 6)
LEVELS = ("light", "heavy")
# A responder reruns until every step is done; under heavy faults a step may need a second run.
MAX_RUNS = 4
DONE = frozenset({"verified", "skipped"})
UNDONE = frozenset({"rolled_back", "not_reversible"})
CHILD_LIMIT = 120  # seconds; a killed child normally dies within one

pytestmark = pytest.mark.usefixtures("no_waits")

Runs: TypeAlias = "list[RunReport | str]"


@dataclass(frozen=True, slots=True)
class Reference:
    """A clean run on the same seeded store: the store contained, then rolled back, and how
    many store-changing writes each part sent."""

    contained: dict[str, Any]
    rolled_back: dict[str, Any]
    contain_writes: int
    rollback_writes: int


_REFERENCES: dict[tuple[str, int], Reference] = {}


@pytest.fixture(scope="module")
def key() -> SigningKey:
    return SigningKey.generate("fault-matrix")


def _again(
    journal: Path, key: SigningKey, conn: StoreConnection,
    call: Callable[[Incident, bool], RunReport], done: frozenset[str],
) -> Runs:  # fmt: skip
    """Open the incident and call it, again (resuming the journal) until every step is done;
    a rerun retries failed steps, as a responder would after a run that ran out of retries. A
    run that could not reach the store at all is kept as its error's text."""
    runs: Runs = []
    for _ in range(MAX_RUNS):
        try:
            with Incident.open(journal, key=key, store=conn, title="fault matrix") as incident:
                report = call(incident, bool(runs))
        except APIConnectionError as error:
            runs.append(str(error))
            continue
        runs.append(report)
        if all(step.status in done for step in report.steps):
            break
    return runs


def _contain(
    store: Store, conn: StoreConnection, key: SigningKey, journal: Path, playbook: str
) -> Runs:
    actions = load_playbook(playbook).actions(inputs(playbook, store))
    return _again(
        journal, key, conn,
        lambda incident, again: incident.run(actions, retry_failed=again), DONE,
    )  # fmt: skip


def _roll_back(conn: StoreConnection, key: SigningKey, journal: Path) -> Runs:
    return _again(journal, key, conn, lambda incident, _again: incident.rollback(), UNDONE)


def _writes(store: Store) -> int:
    return sum(
        count
        for route, count in store.sandbox.inspect.request_counts().items()
        if changes_store(*route.split(maxsplit=1))
    )


def _reference(playbook: str, seed: int, key: SigningKey, tmp_path: Path) -> Reference:
    """What a clean run does to this store (computed once per playbook and seed)."""
    if (playbook, seed) not in _REFERENCES:
        store = make_store(with_module=True, seed=seed)
        before, since = passwords(store.sandbox), store.sandbox.now()
        journal = tmp_path / "clean.jsonl"
        [contained] = _contain(store, store.connection, key, journal, playbook)
        assert not isinstance(contained, str), contained
        assert all(step.status == "verified" for step in contained.steps), contained
        contain_writes = _writes(store)
        found = effects(store.sandbox, before, since)
        [rolled] = _roll_back(store.connection, key, journal)
        assert not isinstance(rolled, str), rolled
        assert all(step.status in UNDONE for step in rolled.steps), rolled
        _REFERENCES[playbook, seed] = Reference(
            found,
            effects(store.sandbox, before, since),
            contain_writes,
            _writes(store) - contain_writes,
        )
    return _REFERENCES[playbook, seed]


def _verifies(journal: Path, key: SigningKey) -> None:
    """`magento-ir evidence verify JOURNAL --verifier KEY` says OK (exit 0)."""
    verifier = str(key.verifier())
    result = CliRunner().invoke(evidence_app, ["verify", str(journal), "--verifier", verifier])
    assert result.exit_code == 0, result.output


def _history(runs: Runs) -> list[object]:
    return [
        run if isinstance(run, str) else [(s.action, s.status, s.error) for s in run.steps]
        for run in runs
    ]


def _assert_exactly_once(
    store: Store, expected: dict[str, Any], runs: Runs, found: dict[str, Any], done: frozenset[str]
) -> None:
    history = _history(runs)
    steps = [step for run in runs if not isinstance(run, str) for step in run.steps]
    # Faults never turn into a verdict: a step stops on an error, or its checks hold.
    assert {step.status for step in steps} <= done | {"failed", "applied"}, history
    checks = [check for step in steps if step.verification for check in step.verification.checks]
    assert all(check.passed is not False for check in checks), (checks, history)
    last = runs[-1]
    assert not isinstance(last, str), history
    assert all(step.status in done for step in last.steps), history
    assert replayed_keys(store.sandbox) == [], history
    for name, value in expected.items():
        assert found[name] == value, (name, history)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_faults_apply_exactly_once(
    playbook: str, seed: int, level: str, key: SigningKey, tmp_path: Path
) -> None:
    """Under injected faults every change and every undo lands once, as in a clean run, and the
    journal verifies. Light faults are absorbed by retries within one run; under heavy ones a
    step whose retries ran out fails with the error and the rerun completes it."""
    reference = _reference(playbook, seed, key, tmp_path)
    store = make_store(with_module=True, seed=seed)
    before, since = passwords(store.sandbox), store.sandbox.now()
    journal = tmp_path / "incident.jsonl"
    inject(store.sandbox, level)
    contained = _contain(store, store.connection, key, journal, playbook)
    found = effects(store.sandbox, before, since)
    _assert_exactly_once(store, reference.contained, contained, found, DONE)
    rolled = _roll_back(store.connection, key, journal)
    found = effects(store.sandbox, before, since)
    _assert_exactly_once(store, reference.rolled_back, rolled, found, UNDONE)
    if level == "light":
        assert (len(contained), len(rolled)) == (1, 1), _history(contained + rolled)
    _verifies(journal, key)


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("playbook", PLAYBOOKS)
def test_sigkill_then_rerun_applies_exactly_once(
    playbook: str, seed: int, key: SigningKey, tmp_path: Path
) -> None:
    """SIGKILL at a seeded write of the containment or of its rollback (before it is sent, or
    after the store answered it), then a rerun of both: every change and every undo lands once,
    as in a clean run, and the journal verifies."""
    reference = _reference(playbook, seed, key, tmp_path)
    chance = random.Random(f"{playbook}/{seed}")  # noqa: S311 - a reproducible kill point
    writes = reference.contain_writes + reference.rollback_writes
    write, when = chance.randint(1, writes), ("before", "after")[seed % 2]
    point = f"killed {when} write {write} of {writes} ({reference.contain_writes} containing)"
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
        # The responder reruns the command that was killed (containing again after a rollback
        # would be a new containment).
        contained: Runs = []
        if write <= reference.contain_writes:
            contained = _contain(store, conn, key, journal, playbook)
            found = effects(store.sandbox, before, since)
            _assert_exactly_once(store, reference.contained, contained, found, DONE)
        rolled = _roll_back(conn, key, journal)
    found = effects(store.sandbox, before, since)
    _assert_exactly_once(store, reference.rolled_back, rolled, found, UNDONE)
    assert len(contained) <= 1, (point, _history(contained))
    assert len(rolled) == 1, (point, _history(rolled))
    _verifies(journal, key)
