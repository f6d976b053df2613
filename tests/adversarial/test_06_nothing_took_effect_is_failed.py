"""Issue 9 item 6: a step where nothing took effect is `failed`, never "verified"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from magento_ir.cli import ExitCode
from magento_ir.cli._output import exit_for, summary_table
from magento_ir.containment import Incident, load_playbook
from tests.adversarial._verdicts import KEY
from tests.containment.conftest import make_store

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("no_waits")


def test_missing_cms_blocks_fail_the_step_with_a_reason_per_block(tmp_path: Path) -> None:
    """magecart with skimmer_block_ids=[903,907] on a store without them: the block step is
    failed (not "verified 0/2/0 held"), each block's reason is shown, the run is not ok."""
    store = make_store(with_module=True)
    inputs = {"skimmer_block_ids": [903, 907]}
    with Incident.open(tmp_path / "j", key=KEY, store=store.connection, title="t") as incident:
        report = incident.run(load_playbook("magecart"), inputs)
        blocks = next(step for step in report.steps if step.action == "disable_cms_blocks")
        assert blocks.status == "failed"
        assert blocks.verification is None  # nothing to verify: no "held" over nothing
        assert blocks.error is not None
        assert "no such CMS block 903" in blocks.error
        assert "no such CMS block 907" in blocks.error
        assert not report.ok
        assert exit_for(list(report.steps)) == ExitCode.CONTAINMENT_FAILED
        # The journal says the same, and so does every rerun and `verify`.
        (state,) = [s for s in incident.status() if s.action == "disable_cms_blocks"]
        assert state.status == "failed"
        again = incident.run(load_playbook("magecart"), inputs)
        assert next(s for s in again.steps if s.action == "disable_cms_blocks").status == "failed"
        checked = incident.verify()
        assert next(s for s in checked.steps if s.action == "disable_cms_blocks").status == "failed"
    console = Console(width=400, record=True)
    console.print(summary_table("t", list(report.steps)))
    text = console.export_text()
    row = next(line for line in text.splitlines() if "disable_cms_blocks" in line)
    assert "failed" in row
    assert "0/2/0" in row
    assert "held" not in row
    assert "no such CMS block 903" in row
    assert "no such CMS block 907" in row
