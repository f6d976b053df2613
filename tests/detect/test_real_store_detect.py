"""scan and watch on the real Magento: a skimmer in a CMS block and in design/head/includes, and a
new admin user, found without being told where; the store is put back as it was afterwards.

The block is written over REST, the head include and the admin where an attacker with the
database or a shell puts them (core_config_data, `bin/magento admin:user:create`): Magento's
`config:set` refuses design paths, and no route writes them. Needs MAGENTO_IR_TEST_MAGENTO_ROOT.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir import AdminCredentials, set_testing
from magento_ir.cli import app
from magento_ir.containment import StoreConnection
from magento_ir.detect import PageWatch, WatchConfig, Watcher
from magento_ir.drill._staging import HEAD_SKIMMER_SCRIPT, SKIMMER_SCRIPT
from tests.real_store_sql import delete_admin
from tests.real_store_sql import php as _php
from tests.real_store_sql import sql as _sql

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.testing import MagentoStore

HEAD = "design/head/includes"
HEAD_ROW = (
    "SELECT value FROM core_config_data WHERE path = ? AND scope = 'default' AND scope_id = 0"
)


def _clean_config_cache(root: Path) -> None:
    _php(root, "bin/magento", "cache:clean", "config")


@pytest.fixture(autouse=True)
def _no_waits() -> object:
    set_testing(True)
    yield
    set_testing(False)


@pytest.mark.real_store
def test_scan_and_watch_find_staged_skimmers_and_a_new_admin_on_the_real_store(
    magento_store: MagentoStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Baseline pass; then a skimmer block, a head include and a new admin: the next pass opens
    an incident naming all three, and `scan` names both skimmers. Everything is undone."""
    root = magento_store.magento_root
    if root is None:
        pytest.skip("needs MAGENTO_IR_TEST_MAGENTO_ROOT: the head include and the admin are "
                    "written in the store's database")  # fmt: skip
    client = magento_store.client()
    suffix = secrets.token_hex(4)
    admin = f"ir-detect-{suffix}"
    watcher = Watcher(
        StoreConnection(
            magento_store.base_url,
            auth=AdminCredentials(magento_store.admin_user, magento_store.admin_password),
        ),
        state_path=tmp_path / "watch-state.json",
    )
    watcher.run_once()
    before = _sql(
        root,
        HEAD_ROW,
        HEAD,
    )
    block_id = None
    try:
        block = client.request(
            "POST",
            "/V1/cmsBlock",
            json={"block": {"identifier": f"ir-detect-trust-{suffix}", "title": "Trust badges",
                            "content": SKIMMER_SCRIPT, "active": True}},
        )  # fmt: skip
        block_id = int(block["id"])
        value = (before[0]["value"] or "") if before else ""
        _sql(
            root,
            "INSERT INTO core_config_data (scope, scope_id, path, value) VALUES "
            "('default', 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            HEAD,
            value + HEAD_SKIMMER_SCRIPT,
        )
        _clean_config_cache(root)
        _php(root, "bin/magento", "admin:user:create", f"--admin-user={admin}",
             f"--admin-password=Detect-{suffix}-2026!", f"--admin-email={admin}@example.com",
             "--admin-firstname=Detect", "--admin-lastname=Test")  # fmt: skip

        report = watcher.run_once()
        found = {(f.rule, f.entity_type, f.entity_id) for f in report.new_findings}
        assert ("external-script-host", "cms_block", str(block_id)) in found, found
        assert ("external-script-host", "config", f"{HEAD}@default:0") in found, found
        new_admins = [f for f in report.new_findings if f.rule == "admin-new-user"]
        assert [f.identifier for f in new_admins] == [admin]
        assert report.incident is not None
        assert report.incident["magecart_inputs"]["skimmer_block_ids"] == [block_id]

        for name, value in (
            ("MAGENTO_IR_BASE_URL", magento_store.base_url),
            ("MAGENTO_IR_USERNAME", magento_store.admin_user),
            ("MAGENTO_IR_PASSWORD", magento_store.admin_password),
        ):
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(app, ["--insecure-http", "scan", "--json"])
        assert result.exit_code == 1, result.output
        scanned = json.loads(result.stdout)
        assert block_id in scanned["magecart_inputs"]["skimmer_block_ids"]
        assert f"{HEAD}@default:0" in scanned["magecart_inputs"]["config_paths_to_clean"]
    finally:
        if block_id is not None:
            client.request("DELETE", f"/V1/cmsBlock/{block_id}")
        if before:
            _sql(
                root,
                "UPDATE core_config_data SET value = ? WHERE path = ? AND scope = 'default' "
                "AND scope_id = 0",
                before[0]["value"],
                HEAD,
            )
        else:
            _sql(
                root,
                "DELETE FROM core_config_data WHERE path = ? AND scope = 'default' "
                "AND scope_id = 0",
                HEAD,
            )
        delete_admin(root, admin)
        _clean_config_cache(root)
    assert not _sql(root, "SELECT user_id FROM admin_user WHERE username = ?", admin)
    assert (
        _sql(
            root,
            HEAD_ROW,
            HEAD,
        )
        == before
    )


@pytest.mark.real_store
@pytest.mark.anyio
async def test_watch_finds_a_head_skimmer_on_the_real_checkout(
    magento_store: MagentoStore, tmp_path: Path
) -> None:
    """The watcher's payment-page check on real Magento: the checkout with a seeded product in
    the cart, rendered twice unchanged (no finding: form keys, quote ids and the CSP nonce
    change on every request), then with a skimmer in design/head/includes: a new script."""
    from tests.conftest import require_tool  # noqa: PLC0415

    root = magento_store.magento_root
    if root is None:
        pytest.skip("needs MAGENTO_IR_TEST_MAGENTO_ROOT: the head include is written in the "
                    "store's database")  # fmt: skip
    product = magento_store.client().products.retrieve("IR-SKU-001")
    url_key = next(a.value for a in product.custom_attributes if a.attribute_code == "url_key")
    settings = PageWatch(
        product=f"{url_key}.html",
        chromium=require_tool("chromium"),
        chromedriver=require_tool("chromedriver"),
    )
    watcher = Watcher(
        StoreConnection(
            magento_store.base_url,
            auth=AdminCredentials(magento_store.admin_user, magento_store.admin_password),
        ),
        state_path=tmp_path / "watch-state.json",
        config=WatchConfig(page_integrity=settings),
    )
    await watcher.apass()
    baseline = watcher.state["page"]["baseline"]
    assert "content-security-policy" in baseline["headers"]  # enforced on checkout
    watcher.state["page"]["next_at"] = None
    again = await watcher.apass()
    assert [f for f in again.new_findings if f.source == "page-integrity"] == []
    before = _sql(root, HEAD_ROW, HEAD)
    try:
        _sql(
            root,
            "INSERT INTO core_config_data (scope, scope_id, path, value) VALUES "
            "('default', 0, ?, ?) ON DUPLICATE KEY UPDATE value = VALUES(value)",
            HEAD,
            ((before[0]["value"] or "") if before else "") + HEAD_SKIMMER_SCRIPT,
        )
        _php(root, "bin/magento", "cache:clean", "config", "layout", "block_html", "full_page")
        watcher.state["page"]["next_at"] = None
        report = await watcher.apass()
        page = {(f.rule, f.snippet) for f in report.new_findings if f.source == "page-integrity"}
        assert page == {("page-script-added", "https://static-analytics.example.org/gtag.js")}
    finally:
        if before:
            _sql(root, "UPDATE core_config_data SET value = ? WHERE path = ? AND scope = "
                 "'default' AND scope_id = 0", before[0]["value"], HEAD)  # fmt: skip
        else:
            _sql(root, "DELETE FROM core_config_data WHERE path = ? AND scope = 'default' "
                 "AND scope_id = 0", HEAD)  # fmt: skip
        _php(root, "bin/magento", "cache:clean", "config", "layout", "block_html", "full_page")
    assert _sql(root, HEAD_ROW, HEAD) == before
