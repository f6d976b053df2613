"""The watcher on the sandbox: detects staged breaches, survives restarts and outages."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir._exceptions import ConfigurationError
from magento_ir.auth import AdminCredentials
from magento_ir.containment._context import StoreConnection
from magento_ir.detect import WatchConfig, Watcher, read_status
from magento_ir.drill._staging import HEAD_SKIMMER_SCRIPT, SKIMMER_SCRIPT
from magento_ir.evidence import EvidenceLog, SigningKey, read_records

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.testing import SandboxStore

SMALL = pytest.mark.magento_sandbox(products=5, customers=5, orders=0, with_module=True)
BASE_URL = "http://sandbox.magento.test"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 5, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=5)
        return self.now


def _store(transport: httpx.AsyncBaseTransport, sandbox: SandboxStore) -> StoreConnection:
    return StoreConnection(
        base_url=BASE_URL,
        auth=AdminCredentials(sandbox.admin_user, sandbox.admin_password),
        transport=transport,
        max_retries=0,
    )


def _watcher(
    sandbox: SandboxStore, tmp_path: Path, transport: httpx.AsyncBaseTransport | None = None, **kw
) -> Watcher:
    return Watcher(
        _store(transport or sandbox.transport(), sandbox),
        state_path=tmp_path / "watch-state.json",
        now=kw.pop("now", Clock()),
        jitter=lambda: 1.0,
        **kw,
    )


def _stage(sandbox: SandboxStore) -> int:
    """A skimmer block over REST, a head include in config, a stolen admin login."""
    client = sandbox.client()
    block = client.request(
        "POST",
        "/V1/cmsBlock",
        json={
            "block": {
                "identifier": "trust",
                "title": "t",
                "content": SKIMMER_SCRIPT,
                "active": True,
            }
        },
    )
    with sandbox.sandbox.lock:
        state = sandbox.sandbox.state
        state.set_config(
            "design/head/includes",
            (state.config_value("design/head/includes") or "") + HEAD_SKIMMER_SCRIPT,
        )
    client.tokens.admin("catalog", sandbox.admin_password)
    return int(block["id"])


@SMALL
def test_watch_detects_staged_breach_without_being_told_where(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """Baseline, then a staged skimmer (block and head include) and a stolen admin login: one
    incident names them, with the magecart playbook's inputs; nothing is reopened later."""
    key = SigningKey.generate("watch-test")
    log_path = tmp_path / "watch.log"
    with EvidenceLog.open(log_path, key=key) as log:
        watcher = _watcher(magento_sandbox, tmp_path, log=log)
        first = watcher.run_once()
        # The reference store's footer-promo block already loads an outside script.
        assert first.incident is not None
        assert [f.identifier for f in first.new_findings] == ["footer-promo"]
        block_id = _stage(magento_sandbox)
        second = watcher.run_once()
        assert second.incident is not None
        rules = {(f.rule, f.entity_type, f.entity_id) for f in second.new_findings}
        assert ("external-script-host", "cms_block", str(block_id)) in rules
        assert ("external-script-host", "config", "design/head/includes@default:0") in rules
        assert ("config-changed", "config", "design/head/includes@default:0") in rules
        assert any(rule == "admin-login" for rule, _, _ in rules)
        assert second.incident["magecart_inputs"]["skimmer_block_ids"] == [block_id]
        assert second.incident["magecart_inputs"]["config_paths_to_clean"] == [
            "design/head/includes@default:0"
        ]
        # A restarted watcher (same state file) reports nothing new and opens nothing.
        again = _watcher(magento_sandbox, tmp_path, log=log).run_once()
        assert again.new_findings == ()
        assert again.incident is None
    types = [record.type for record in read_records(log_path)]
    assert types.count("detect.incident") == 2
    status = read_status(tmp_path / "watch-state.json")
    assert status["status"] == "ok"
    assert status["passes"] == 3
    assert [incident["id"] for incident in status["incidents"]] == [
        first.incident["id"],
        second.incident["id"],
    ]


class Outage(httpx.AsyncBaseTransport):
    """The sandbox, or connection refused while `down`."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.down = True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


@SMALL
def test_outage_backs_off_and_alerts_once(magento_sandbox: SandboxStore, tmp_path: Path) -> None:
    """Unreachable: exponential backoff, one alert, not one per pass; one more on recovery."""
    outage = Outage(magento_sandbox.transport())
    key = SigningKey.generate("watch-test")
    log_path = tmp_path / "watch.log"
    with EvidenceLog.open(log_path, key=key) as log:
        watcher = _watcher(magento_sandbox, tmp_path, outage, log=log)
        delays = [watcher.run_once().next_pass_in for _ in range(4)]
        assert delays == [5.0, 10.0, 20.0, 40.0]
        assert read_status(tmp_path / "watch-state.json")["status"] == "unreachable"
        outage.down = False
        back = watcher.run_once()
        assert back.reachable
        assert back.next_pass_in == watcher.config.interval
    alerts = [r.payload["kind"] for r in read_records(log_path) if r.type == "detect.alert"]
    assert alerts == ["store_unreachable", "store_reachable"]


@SMALL
def test_backoff_is_capped_and_jittered(magento_sandbox: SandboxStore, tmp_path: Path) -> None:
    """The delay never exceeds the cap, and jitter spreads it below the ceiling."""
    outage = Outage(magento_sandbox.transport())
    watcher = Watcher(
        _store(outage, magento_sandbox),
        state_path=tmp_path / "s.json",
        config=WatchConfig(backoff_base=5, backoff_cap=30),
        jitter=lambda: 0.5,
    )
    delays = [watcher.run_once().next_pass_in for _ in range(6)]
    assert delays == [2.5, 5.0, 10.0, 15.0, 15.0, 15.0]


@SMALL
def test_loop_sleeps_between_passes(magento_sandbox: SandboxStore, tmp_path: Path) -> None:
    """arun() runs passes and sleeps each pass's next_pass_in between them."""
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    watcher = _watcher(magento_sandbox, tmp_path, sleep=sleep, config=WatchConfig(interval=60))
    asyncio.run(watcher.arun(max_passes=3))
    assert slept == [60, 60]


@SMALL
def test_automatic_playbook_contains_what_it_found(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """With magecart configured for a rule, the incident runs it on the blocks it found."""
    key = SigningKey.generate("watch-test")
    config = WatchConfig(playbooks={"external-script-host": "magecart"})
    watcher = _watcher(magento_sandbox, tmp_path, config=config, key=key)
    report = watcher.run_once()
    assert report.incident is not None
    (run,) = report.incident["playbooks"]
    assert run["playbook"] == "magecart"
    assert run["inputs"] == {"skimmer_block_ids": [1]}
    block = magento_sandbox.client().cms_blocks.retrieve(1)
    assert block.active is False


def test_playbooks_need_a_key(tmp_path: Path) -> None:
    """An automatic playbook journals its steps: no key, no watcher."""
    store = StoreConnection(base_url=BASE_URL, auth=AdminCredentials("a", "b"))
    with pytest.raises(ConfigurationError, match="journal key"):
        Watcher(store, state_path=tmp_path / "s.json", config=WatchConfig(playbooks={"x": "y"}))


def test_state_file_of_another_store_is_refused(tmp_path: Path) -> None:
    """One state file per store: another store's is refused, not overwritten."""
    state = tmp_path / "s.json"
    state.write_text(json.dumps({"version": 1, "store": "https://other.example.com/"}))
    store = StoreConnection(base_url=BASE_URL, auth=AdminCredentials("a", "b"))
    with pytest.raises(ConfigurationError, match="one state file per store"):
        Watcher(store, state_path=state)
    with pytest.raises(ConfigurationError, match="run `magento-ir watch` first"):
        read_status(tmp_path / "missing.json")


def test_config_file(tmp_path: Path) -> None:
    """The watch config file: interval, severity, hosts, rule files, playbooks per rule."""
    (tmp_path / "allow.toml").write_text('[allow]\nhosts = ["www.googletagmanager.com"]\n')
    config = tmp_path / "watch.toml"
    config.write_text(
        '[watch]\ninterval = 60\nmin_severity = "high"\nallow_list = "allow.toml"\n'
        'allow_hosts = ["*.braintreegateway.com"]\n'
        '[playbooks]\n"external-script-host" = "magecart"\n'
    )
    loaded = WatchConfig.from_toml(config)
    assert (loaded.interval, loaded.min_severity) == (60.0, "high")
    assert loaded.allow.hosts == ("www.googletagmanager.com", "*.braintreegateway.com")
    assert loaded.playbooks == {"external-script-host": "magecart"}
    config.write_text("[watch]\nintervall = 60\n")
    with pytest.raises(ConfigurationError, match=r"unknown keys \['watch.intervall'\]"):
        WatchConfig.from_toml(config)
    config.write_text('[watch]\nmin_severity = "urgent"\n')
    with pytest.raises(ConfigurationError, match="min_severity"):
        WatchConfig.from_toml(config)


@pytest.mark.magento_sandbox(products=5, customers=5, orders=0, with_module=False)
def test_without_the_module_the_scan_still_runs_and_says_what_it_missed(
    magento_sandbox: SandboxStore, tmp_path: Path
) -> None:
    """No module: CMS content is still scanned; config and admin diffs are named as not watched."""
    report = _watcher(magento_sandbox, tmp_path).run_once()
    assert report.reachable
    assert [f.identifier for f in report.findings] == ["footer-promo"]
    assert any("configuration not scanned" in note for note in report.notes)
    assert any("companion module" in note and "admin" in note for note in report.notes)
    assert read_status(tmp_path / "watch-state.json")["snapshot"] is None
