"""The drill on a real test store: refused on an unmarked store, staged, contained, cleaned up.

The refusal and the whole path run on a served sandbox in every test run; the `real_store` tests
run the magecart drill on the real Magento, with the module and without it (the SDK told to
ignore it: `StoreConnection(use_module=False)`), and check the store from outside afterwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from magento_ir import AdminCredentials, ConfigurationError, SearchCriteria, set_testing
from magento_ir.cli import ExitCode, app
from magento_ir.containment import StoreConnection
from magento_ir.containment._base import _FORM_KEY
from magento_ir.drill import TEST_STORE_MARKER, StoreDrillOptions, run_store_drill
from tests.real_store_sql import delete_admin, php, sql

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from magento_ir.testing import MagentoStore, SandboxStore

# A second admin plays the stolen login: containment keeps the responder's own sessions.
ATTACKER = "ir-drill-attacker"
ATTACKER_PASSWORD = "Attacker-drill-2026!"  # the real store's throw-away test admin
SMALL_STORE = pytest.mark.magento_sandbox(products=20, customers=10, orders=10, with_module=True)


@pytest.fixture(autouse=True)
def _no_waits() -> Iterator[None]:
    set_testing(True)
    yield
    set_testing(False)


def _sandbox_options(store: SandboxStore, tmp_path: Path, **options: object) -> StoreDrillOptions:
    password = store.admin_password
    return StoreDrillOptions(
        store=StoreConnection(store.base_url, auth=AdminCredentials(store.admin_user, password)),
        attacker=AdminCredentials("catalog", password),
        report_dir=tmp_path,
        **options,  # type: ignore[arg-type]
    )


def test_real_magento_form_keys_are_read() -> None:
    """The storefront's form key is found in real Magento's markup (type= before value=)."""
    recorded = '<input name="form_key" type="hidden" value="hJBckX1hsIJqUENR" />'
    found = _FORM_KEY.search(recorded)
    assert found is not None
    assert found.group(1) == "hJBckX1hsIJqUENR"


@SMALL_STORE
def test_an_unmarked_store_is_refused_before_anything_is_staged(magento_sandbox, tmp_path):
    """Without the marker block or the explicit flag, nothing is written and the error says how."""
    before = magento_sandbox.inspect.digest()
    with pytest.raises(ConfigurationError) as refused:
        run_store_drill(_sandbox_options(magento_sandbox, tmp_path))
    assert TEST_STORE_MARKER in str(refused.value)
    assert "--confirm-test-store" in str(refused.value)
    assert magento_sandbox.inspect.digest() == before


@SMALL_STORE
def test_the_cli_refuses_an_unmarked_store(magento_sandbox, tmp_path):
    """`magento-ir drill --store URL` exits with the usage code and stages nothing."""
    before = magento_sandbox.inspect.digest()
    result = CliRunner().invoke(
        app,
        [
            "--username",
            magento_sandbox.admin_user,
            "--password",
            magento_sandbox.admin_password,
            "drill",
            "--store",
            magento_sandbox.base_url,
            "--report-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert TEST_STORE_MARKER in result.output
    assert magento_sandbox.inspect.digest() == before


@SMALL_STORE
def test_a_marked_store_is_drilled_and_left_as_found(magento_sandbox, tmp_path):
    """With the marker block, the whole drill passes and what it staged is gone afterwards."""
    client = magento_sandbox.client()
    client.request(
        "POST",
        "/V1/cmsBlock",
        json={"block": {"identifier": TEST_STORE_MARKER, "title": "test store", "active": False}},
    )
    report = run_store_drill(_sandbox_options(magento_sandbox, tmp_path))
    assert report.ok, report.to_markdown()
    assert report.store["kind"] == "real test store"
    assert not (tmp_path / "drill-journal.key").exists()  # every step rolled back
    _assert_left_as_found(report, client)


def _assert_left_as_found(report, client) -> None:
    """From outside: no drill customer, no planted block, maintenance off where checked."""
    checks = {check.name: check.passed for check in report.state_checks}
    assert checks["what the drill staged is deleted (planted block, drill customers)"]
    assert checks["the planted block and the drill's customers answer 404"]
    assert checks["the storefront answers as before the drill"]
    drill_customers = client.customers.list(
        SearchCriteria().where("email", "like", "magento-ir-drill-%")
    )
    assert drill_customers.total_count == 0
    planted = client.cms_blocks.list(
        SearchCriteria().where("identifier", "like", "checkout-trust-badges-%")
    )
    assert planted.total_count == 0


@pytest.fixture
def attacker(magento_store: MagentoStore) -> Iterator[AdminCredentials | None]:
    """A second admin on the real store (bin/magento; it resets the password if it exists),
    deleted afterwards: Magento has no command or route that deletes an admin user."""
    root = magento_store.magento_root
    if root is None:
        yield None
        return
    php(
        root,
        "bin/magento",
        "admin:user:create",
        f"--admin-user={ATTACKER}",
        f"--admin-password={ATTACKER_PASSWORD}",
        f"--admin-email={ATTACKER}@example.com",
        "--admin-firstname=Drill",
        "--admin-lastname=Attacker",
    )
    try:
        yield AdminCredentials(ATTACKER, ATTACKER_PASSWORD)
    finally:
        delete_admin(root, ATTACKER)
        assert sql(root, "SELECT user_id FROM admin_user WHERE username = ?", ATTACKER) == []


@pytest.mark.real_store
@pytest.mark.parametrize("use_module", [True, False], ids=["module", "core-rest"])
def test_magecart_drill_on_the_real_store(
    magento_store: MagentoStore, attacker: AdminCredentials | None, use_module, tmp_path
):
    """On real Magento: contained (fully with the module; core REST where it can without), then
    every step rolled back and the staged entities deleted, checked from outside."""
    options = StoreDrillOptions(
        store=StoreConnection(
            magento_store.base_url,
            auth=AdminCredentials(magento_store.admin_user, magento_store.admin_password),
            use_module=use_module,
        ),
        attacker=attacker,
        i_know_this_is_a_test_store=True,
        report_dir=tmp_path,
    )
    report = run_store_drill(options)
    markdown = report.to_markdown()
    # Every step was rolled back: the journal's key is not left lying beside it.
    assert not (tmp_path / "drill-journal.key").exists()
    paths = {action.action: action.path for action in report.actions}
    outside = {check.name: check.passed for check in report.outside_checks}
    if use_module:
        assert report.ok, markdown
        assert paths["maintenance"] == paths["terminate_sessions"] == "module"
        # seed.py's store offers checkmo: suspended, observed gone from a guest cart, resumed.
        assert paths["suspend_payments"] == "module", markdown
        assert "checkmo" in markdown
        assert report.store["module"] == "installed"
    else:
        # Core REST disables the blocks and holds the orders; it cannot close the storefront
        # or end anyone's session, and the stolen sessions stay live: the drill says FAILED.
        assert not report.ok
        assert report.store["module"] == "ignored (core REST)"
        assert paths == {
            "maintenance": "-",
            "disable_cms_blocks": "core",
            "terminate_sessions": "-",
            "hold_orders": "core",
        }, markdown
        assert outside["customer tokens issued before containment are refused"] is False
    for action in report.actions:
        assert action.verified == (action.path != "-"), markdown
    assert all(rollback.ok for rollback in report.rollbacks), markdown
    assert all(check.passed for check in report.state_checks), markdown
    client = magento_store.client()
    _assert_left_as_found(report, client)
    scripted = client.cms_blocks.list(SearchCriteria().where("identifier", "eq", "footer-promo"))
    assert [block.active for block in scripted.items] == [True]
    if use_module:
        assert client.incident_response.maintenance().mode == "off"
        assert _guest_cart_methods(magento_store) == ["checkmo"]


def _guest_cart_methods(store: MagentoStore) -> list[str]:
    """What an anonymous cart holding a seeded product is offered, read straight off the store."""
    http = store.http()
    cart = http.post("/rest/V1/guest-carts").json()
    item = {"cartItem": {"sku": "IR-SKU-024", "qty": 1}}
    assert http.post(f"/rest/V1/guest-carts/{cart}/items", json=item).status_code == 200
    methods = http.get(f"/rest/V1/guest-carts/{cart}/payment-methods").json()
    return [method["code"] for method in methods]
