"""`maintenance mode=off`: opens the shop, proven as a shopper sees it; a rollback puts back
the maintenance it found (mode, Retry-After, message, allow list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest

from magento_ir import InvalidArgumentError
from magento_ir.containment import Incident, Maintenance
from tests.containment.conftest import BASE_URL, make_store

if TYPE_CHECKING:
    from pathlib import Path

    from magento_ir.evidence import SigningKey
    from tests.containment.conftest import Store


def _close(store: Store, key: SigningKey, tmp_path: Path, action: Maintenance) -> None:
    """Another incident closed the shop before this one opens it."""
    with Incident.open(tmp_path / "earlier", key=key, store=store.connection, title="a") as ir:
        (step,) = ir.run([action]).steps
    assert step.status == "verified", step


def _home(store: Store) -> tuple[int, str | None]:
    """The home page as a shopper gets it, over HTTP."""
    with httpx.Client(transport=store.sandbox.transport(), base_url=BASE_URL) as shopper:
        answer = shopper.get("/")
    return answer.status_code, answer.headers.get("Retry-After")


def test_off_opens_the_shop_and_rollback_closes_it_as_it_was(
    key: SigningKey, tmp_path: Path
) -> None:
    store = make_store(with_module=True)
    _close(store, key, tmp_path, Maintenance("storefront", message="Back soon", retry_after=1200))
    assert _home(store) == (503, "1200")
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="open") as ir:
        (plan,) = ir.plan([Maintenance("off")]).steps
        assert plan.plan is not None
        assert plan.plan.summary == "maintenance storefront -> off: the shop opens to shoppers"
        (step,) = ir.run([Maintenance("off")]).steps
        assert step.status == "verified", step
        assert step.verification is not None
        assert [(check.name, check.passed) for check in step.verification.checks] == [
            ("responder keeps API access", True),
            ("the storefront answers shoppers normally", True),
            ("maintenance is off (module and Magento's flag)", True),
        ]
        assert step.outcome is not None
        assert step.outcome.data["prior"]["mode"] == "storefront"
        assert store.maintenance_mode() == "off"
        assert _home(store) == (200, None)

        (back,) = ir.rollback().steps
        assert back.status == "rolled_back", back
        assert back.verification is not None
        assert all(check.passed for check in back.verification.checks), back.verification
    assert store.maintenance_mode() == "storefront"
    assert _home(store) == (503, "1200")
    with store.sandbox.lock:
        assert store.sandbox.state.incident_response.maintenance_message == "Back soon"


def test_off_after_full_restores_the_flag_and_allow_list(key: SigningKey, tmp_path: Path) -> None:
    store = make_store(with_module=True)
    _close(store, key, tmp_path, Maintenance("full", allowed_ips=["203.0.113.7"]))
    with store.sandbox.lock:
        allowed = set(store.sandbox.state.maintenance_ips)
    assert "203.0.113.7" in allowed
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="open") as ir:
        (step,) = ir.run([Maintenance("off")]).steps
        assert step.status == "verified", step
        with store.sandbox.lock:
            assert not store.sandbox.state.maintenance
        (back,) = ir.rollback().steps
        assert back.status == "rolled_back", back
    with store.sandbox.lock:
        assert store.sandbox.state.maintenance
        assert set(store.sandbox.state.maintenance_ips) == allowed
    assert store.maintenance_mode() == "full"


def test_off_when_already_open_writes_nothing(key: SigningKey, tmp_path: Path) -> None:
    store = make_store(with_module=True)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="open") as ir:
        (step,) = ir.run([Maintenance("off")]).steps
        assert step.outcome is not None
        assert [(e.status, e.detail) for e in step.outcome.entities] == [
            ("skipped", "maintenance was already off")
        ]
        assert step.status == "verified", step
        (back,) = ir.rollback().steps
        assert back.outcome is not None
        assert back.outcome.entities == ()
    assert store.sandbox.inspect.action_log() == []
    assert store.maintenance_mode() == "off"


def test_off_needs_the_module(key: SigningKey, tmp_path: Path) -> None:
    store = make_store(with_module=False)
    with Incident.open(tmp_path / "j", key=key, store=store.connection, title="open") as ir:
        (step,) = ir.run([Maintenance("off")]).steps
    assert step.status == "blocked"
    assert "needs the magento_ir companion module" in (step.error or "")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"message": "x"}, "mode 'off' takes none of them"),
        ({"retry_after": 600}, "mode 'off' takes none of them"),
        ({"allowed_ips": ["203.0.113.7"]}, "mode 'off' takes none of them"),
    ],
)
def test_off_refuses_what_only_a_closed_shop_has(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        Maintenance("off", **kwargs)  # type: ignore[arg-type]
    assert Maintenance("off").params() == {"mode": "off"}
