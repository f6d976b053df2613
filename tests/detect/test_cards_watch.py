"""The watcher reads new orders through the card-testing detector and, opted in, blocks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from magento_ir._exceptions import ConfigurationError
from magento_ir.auth import AdminCredentials
from magento_ir.containment._context import StoreConnection
from magento_ir.detect import CardThresholds, WatchConfig, Watcher, read_status
from magento_ir.drill._staging import CARD_TESTING_IP
from magento_ir.evidence import EvidenceLog, SigningKey, read_records

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.testing import SandboxStore


def _watcher(sandbox: SandboxStore, tmp_path: Path, config: WatchConfig, **kw: object) -> Watcher:
    store = StoreConnection(
        base_url="http://sandbox.magento.test",
        auth=AdminCredentials(sandbox.admin_user, sandbox.admin_password),
        transport=sandbox.transport(),
        max_retries=0,
    )
    return Watcher(
        store,
        state_path=tmp_path / "watch-state.json",
        config=config,
        now=lambda: datetime(2026, 12, 6, 5, 0, tzinfo=UTC),
        jitter=lambda: 1.0,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.magento_sandbox(products=5, customers=5, orders=40, with_module=True)
def test_watch_finds_the_card_testing_burst_and_pushes_its_block(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    config = WatchConfig(
        card_testing=CardThresholds.shipped(), card_lookback=None, push_block_rules=True
    )
    key = SigningKey.generate("watch-test")
    log_path = tmp_path / "watch.log"
    with EvidenceLog.open(log_path, key=key) as log:
        first = _watcher(magento_sandbox, tmp_path, config, log=log).run_once()
        assert first.incident is not None
        cards = [f for f in first.new_findings if f.source == "card-testing"]
        assert ("card-testing-cards-per-ip", "ip", CARD_TESTING_IP) in {
            (f.rule, f.entity_type, f.entity_id) for f in cards
        }
        assert first.incident["guard_rules"][0]["type"] == "ip"
        assert first.incident["guard_rules"][0]["values"] == [CARD_TESTING_IP]
        # Restarted on the same state: nothing new is read, nothing reopened.
        again = _watcher(magento_sandbox, tmp_path, config, log=log).run_once()
        assert again.new_findings == ()
        assert again.incident is None
    with magento_sandbox.client() as client:
        rules = client.incident_response.guard_rules().items
    assert [(r.type, r.values, r.incident_id) for r in rules] == [
        ("ip", [CARD_TESTING_IP], first.incident["id"])
    ]
    status = read_status(tmp_path / "watch-state.json")
    assert status["cards"]["cursor"]["order_id"] > 0
    assert "detect.guard_rules" in [record.type for record in read_records(log_path)]


@pytest.mark.magento_sandbox(products=5, customers=5, orders=40)
def test_the_first_pass_reads_only_the_lookback(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    # The generated orders are older than a day before this clock: nothing to read.
    config = WatchConfig(card_testing=CardThresholds.shipped(), card_lookback=3600)
    report = _watcher(magento_sandbox, tmp_path, config).run_once()
    assert [f for f in report.findings if f.source == "card-testing"] == []
    assert read_status(tmp_path / "watch-state.json")["cards"]["cursor"]["order_id"] == 0


def test_watch_config_reads_card_testing(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    path.write_text("[card_testing]\nenabled = true\npush_block_rules = true\nlookback = 'all'\n")
    config = WatchConfig.from_toml(path)
    assert config.card_testing == CardThresholds.shipped()
    assert (config.push_block_rules, config.card_lookback) == (True, None)
    assert config.block_ttl == 86_400
    path.write_text("[card_testing]\nenabled = true\nblock = 1\n")
    with pytest.raises(ConfigurationError, match=r"card_testing\.block"):
        WatchConfig.from_toml(path)
    path.write_text("[watch]\ninterval = 60\n")
    assert WatchConfig.from_toml(path).card_testing is None
