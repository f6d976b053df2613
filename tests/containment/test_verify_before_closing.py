"""A step whose outside check errored is checked again before a later step of the same run
closes the storefront: afterwards the check could no longer see what it needs (checkout), and
the rerun would report the step `unverified` although it took effect."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import magento_ir
from magento_ir.containment import Incident, Maintenance, SuspendPayments
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.evidence import SigningKey


@pytest.fixture(autouse=True)
def no_waits() -> Iterator[None]:
    magento_ir.set_testing(True)
    yield
    magento_ir.set_testing(False)


def test_an_errored_check_runs_again_before_the_storefront_closes(
    key: SigningKey, tmp_path: Path
) -> None:
    store = make_store(with_module=True)
    # The checkout probe's product read fails on every attempt of the first check only.
    attempts = store.connection.max_retries + 1
    store.sandbox.faults.schedule("503", path="/V1/products", method="GET", times=attempts)
    steps = [SuspendPayments(["checkmo"]), Maintenance("storefront")]
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="m") as incident:
        first = incident.run(steps)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="m") as incident:
        rerun = incident.run(steps)
    assert store.sandbox.faults.pending == 0  # the fault was met
    assert [step.status for step in first.steps] == ["verified", "verified"], first
    suspended = first.steps[0]
    assert suspended.verification is not None
    assert [check.passed for check in suspended.verification.checks] == [True]
    # Verified while checkout was open; the rerun reports it from the journal.
    assert [step.status for step in rerun.steps] == ["skipped", "skipped"], rerun
