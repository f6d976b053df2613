"""Issue 9 item 9: a journal belongs to one store, and only once that store has answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from typer.testing import CliRunner

from magento_ir import AdminCredentials, APIConnectionError
from magento_ir.cli import ExitCode, app
from magento_ir.containment import Incident, QuarantineProducts, StoreConnection
from magento_ir.sandbox import Sandbox, SandboxServer
from tests.adversarial._verdicts import KEY

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.usefixtures("no_waits")
MAGECART = ["contain", "magecart", "-i", "skimmer_block_ids=[1]"]


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def test_a_store_that_never_answered_gets_no_journal(tmp_path: Path) -> None:
    """A mistyped URL: the first call fails, and no journal is bound to that URL."""
    journal = tmp_path / "INC.log"
    store = StoreConnection(
        "https://shop.exmaple.com",
        auth=AdminCredentials("responder", "x"),
        transport=httpx.MockTransport(_refused),
        max_retries=0,
    )
    with Incident.open(journal, key=KEY, store=store, title="typo") as incident:
        with pytest.raises(APIConnectionError):
            incident.plan([QuarantineProducts(["IR-SKU-001"])])
        assert incident.status() == []
    assert not journal.exists()


def test_the_command_line_leaves_no_journal_for_an_unreachable_store(
    cli_env: Path, monkeypatch
) -> None:
    """`contain` against nothing listening exits 4 and writes no journal file."""
    monkeypatch.setenv("MAGENTO_IR_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MAGENTO_IR_TOKEN", "not-a-real-token")
    result = CliRunner().invoke(app, [*MAGECART, "--dry-run"])
    assert result.exit_code == ExitCode.UNREACHABLE, result.output
    assert not (cli_env / "incident-journal.log").exists()


@pytest.mark.usefixtures("served")
def test_status_refuses_one_stores_journal_beside_another_stores_state(monkeypatch) -> None:
    """The journal of store A and the live state of store B are never shown side by side."""
    result = CliRunner().invoke(app, [*MAGECART, "--yes"])
    assert result.exit_code == ExitCode.OK, result.output
    other = Sandbox(with_module=True, orders=2, customers=2)
    with SandboxServer(other) as server:
        monkeypatch.setenv("MAGENTO_IR_BASE_URL", server.base_url)
        status = CliRunner().invoke(app, ["status"])
    assert status.exit_code == ExitCode.USAGE, status.output
    assert "side by side" in status.output
    assert "maintenance" not in status.output  # neither the journal's steps nor B's state
