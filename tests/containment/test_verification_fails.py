"""A containment that did not take effect is reported as failed, check by check: the outside
checks run side by side and in large batches, and must still catch what they caught before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from magento_ir import AdminCredentials, MagentoClient
from magento_ir.containment import (
    DisableCmsBlocks,
    Incident,
    Maintenance,
    QuarantineProducts,
    SuspendPayments,
    TerminateSessions,
)
from tests.containment.conftest import (
    ADMIN_PASSWORD,
    BASE_URL,
    CANARY_ADMIN,
    SKIMMER_BLOCK_ID,
    make_store,
)

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.containment import StepReport
    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store


def _checks(step: StepReport) -> dict[str, bool | None]:
    assert step.verification is not None, step
    return {check.name: check.passed for check in step.verification.checks}


def _admin_client(store: Store) -> MagentoClient:
    return MagentoClient(
        BASE_URL,
        auth=AdminCredentials("admin", ADMIN_PASSWORD),
        transport=store.sandbox.transport(),
    )


def test_quarantine_names_a_sku_still_listed_in_a_later_batch(
    key: SigningKey, tmp_path: Path
) -> None:
    """A SKU re-enabled on one store view, in the third GraphQL batch of 300, fails that view."""
    store = make_store(with_module=True, store_views=2, products=700)
    skus = [f"SB{number:06d}" for number in range(1, 651)]
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="q") as incident:
        (step,) = incident.run([QuarantineProducts(skus)]).steps
        assert step.status == "verified", step
        before = store.sandbox.inspect.request_counts().get("POST /graphql", 0)
        with _admin_client(store) as client:
            client.with_store("fr").products.update("SB000640", {"status": 1})
        (again,) = incident.verify().steps
    # 650 SKUs on 2 store views: 3 queries each (300 per query), nothing more.
    assert store.sandbox.inspect.request_counts()["POST /graphql"] - before == 6
    assert again.status == "verification_failed"
    assert again.verification is not None
    checks = {check.name: check for check in again.verification.checks}
    on_fr = checks["GraphQL products on store view fr lists none of them"]
    assert on_fr.passed is False
    assert on_fr.detail == "still listed: SB000640"
    assert checks["GraphQL products on store view default lists none of them"].passed is True


def test_terminate_sessions_fails_when_the_canaries_keep_their_tokens(
    key: SigningKey, tmp_path: Path
) -> None:
    """Canaries left out of the termination keep working tokens: both checks fail, concurrently."""
    store = make_store(with_module=True)
    with store.sandbox.lock:
        canary_admin_id = store.sandbox.state.admin_by_username(CANARY_ADMIN).user_id
    action = TerminateSessions(
        "all", exclude_customer_ids=[store.customer_id], exclude_admin_ids=[canary_admin_id]
    )
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="t") as incident:
        (step,) = incident.run([action]).steps
    assert step.status == "verification_failed"
    checks = _checks(step)
    assert checks["responder keeps API access"] is True
    assert checks["a token issued before is refused"] is False
    assert checks["an admin token issued before is refused"] is False


def test_maintenance_fails_when_checkout_is_not_the_modules_page(
    key: SigningKey, tmp_path: Path
) -> None:
    """A proxy's own 503 on /checkout (no Retry-After, no message) is not the closed checkout."""
    store = make_store(with_module=True)
    # Every attempt the shopper's probe makes gets the proxy page.
    store.sandbox.faults.schedule("503", path="/checkout", times=8)
    action = Maintenance("checkout", retry_after=600)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="m") as incident:
        (step,) = incident.run([action]).steps
    assert step.status == "verification_failed"
    checks = _checks(step)
    assert checks["responder keeps API access"] is True
    name = "storefront /checkout answers 503 with Retry-After and the accessible page"
    assert checks[name] is False
    assert checks["the rest of the storefront stays open"] is True


def test_cms_check_fails_while_another_block_serves_the_script(
    key: SigningKey, tmp_path: Path
) -> None:
    """The skimmer's script still on the home page (from a second block) fails the step."""
    store = make_store(with_module=True)
    with store.sandbox.lock:
        copy = dict(store.sandbox.state.cms_blocks.get(SKIMMER_BLOCK_ID))
        copy.update(id=99, identifier="footer-copy", active=True)
        store.sandbox.state.cms_blocks.put(99, copy)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="c") as incident:
        (step,) = incident.run([DisableCmsBlocks([SKIMMER_BLOCK_ID])]).steps
    assert step.status == "verification_failed"
    checks = _checks(step)
    assert checks["blocks read back inactive"] is True
    assert checks["the storefront no longer serves the blocks' scripts"] is False


def test_suspend_payments_fails_when_checkout_still_offers_the_method(
    key: SigningKey, tmp_path: Path
) -> None:
    """A method locked in env.php cannot be suspended: the step is failed (nothing took effect,
    issue 9 item 6), says why, and `verify` says so again."""
    store = make_store(with_module=True)
    with store.sandbox.lock:
        store.sandbox.state.locked_config[("payment/checkmo/active", "default", 0)] = "1"
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        (step,) = incident.run([SuspendPayments(["checkmo"])]).steps
        (again,) = incident.verify().steps
    assert step.status == "failed"
    assert step.verification is None
    assert step.error is not None
    assert "payment:checkmo: locked in app/etc/env.php" in step.error
    assert again.status == "failed"


def _stock_only(store: Store, sellable: set[int]) -> None:
    """Every product out of stock except `sellable` (no add-to-cart form on the others)."""
    with store.sandbox.lock:
        products = store.sandbox.state.products
        for row in list(products.rows()):
            products.put(row["id"], {**row, "qty": 100 if row["id"] in sellable else 0})


def _id(store: Store, sku: str) -> int:
    product_id = store.sandbox.state.product_id_for_sku(sku)
    assert product_id is not None
    return product_id


def test_checkout_probe_pages_on_to_a_sellable_product(key: SigningKey, tmp_path: Path) -> None:
    """Candidates are read 10 at a time: a sellable product on the fourth page still proves it."""
    store = make_store(with_module=True)
    _stock_only(store, {33})
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        (step,) = incident.run([SuspendPayments(["checkmo"])]).steps
    assert step.status == "verified", step
    assert store.sandbox.inspect.request_counts()["GET /V1/products"] == 4


def test_checkout_probe_without_a_sellable_product_proves_nothing(
    key: SigningKey, tmp_path: Path
) -> None:
    """With nothing to put in a cart the check could not run: unverified, never a pass."""
    store = make_store(with_module=True)
    _stock_only(store, set())
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        (step,) = incident.run([SuspendPayments(["checkmo"])]).steps
    assert step.status == "unverified"
    assert _checks(step) == {"checkout no longer offers the methods": None}
    assert step.verification is not None
    detail = step.verification.checks[0].detail
    assert "could be put in a guest cart" in detail
    assert "cannot be observed" in detail


def test_cart_probe_is_anonymous_and_names_its_product(key: SigningKey, tmp_path: Path) -> None:
    """The guest-cart routes are called without a token, and the detail names the carted SKU;
    rollback is proven the same way."""
    store = make_store(with_module=True)
    _stock_only(store, {_id(store, "IR-SKU-003")})
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        (step,) = incident.run([SuspendPayments(["checkmo"])]).steps
        (undone,) = incident.rollback().steps
    assert step.status == "verified", step
    assert step.verification is not None
    assert "a guest cart holding IR-SKU-003" in step.verification.checks[0].detail
    assert "offered now: braintree" in step.verification.checks[0].detail
    assert undone.verification is not None
    assert [(c.name, c.passed) for c in undone.verification.checks] == [
        ("checkout offers the methods again", True)
    ]
    assert store.sandbox.inspect.request_counts()["POST /V1/guest-carts"] == 2


def test_cart_probe_never_carts_a_quarantined_product(key: SigningKey, tmp_path: Path) -> None:
    """A quarantined product enabled again behind the module's back is still left out."""
    store = make_store(with_module=True)
    product_id = _id(store, "IR-SKU-005")
    _stock_only(store, {product_id})
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="p") as incident:
        (quarantine,) = incident.run([QuarantineProducts(["IR-SKU-005"])]).steps
        assert quarantine.status == "verified", quarantine
        with store.sandbox.lock:
            row = store.sandbox.state.products.get(product_id)
            assert row is not None
            store.sandbox.state.products.put(product_id, {**row, "status": 1})
        (step,) = incident.run([SuspendPayments(["checkmo"])]).steps
    assert step.status == "unverified", step
    assert step.verification is not None
    assert "IR-SKU-005" not in step.verification.checks[0].detail
