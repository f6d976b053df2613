"""The module's read-only evidence routes in the sandbox: admins, sessions, integrations, config."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from magento_ir.sandbox import Sandbox
from magento_ir.sandbox.module_api import (
    CONFIG_ALLOW_LIST,
    MAX_ADMIN_SESSIONS,
    config_path_allowed,
)
from magento_ir.sandbox.state import AdminSession
from tests.php.test_contract import ROUTE_PREFIX, load_contract_document
from tests.sandbox.conftest import client_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    import httpx

    from tests.sandbox.conftest import Clock

BASE = "/rest/V1/incident-response"


@pytest.fixture
def store(clock: Clock) -> Sandbox:
    return Sandbox(clock=clock, with_module=True)


@pytest.fixture
def responder(store: Sandbox) -> Iterator[httpx.Client]:
    with client_for(store, store.admin_token()) as client:
        yield client


def _session(session_id: int, updated_at: str, ip: str = "203.0.113.7") -> AdminSession:
    return AdminSession(session_id, 1, 1, "2026-11-22 08:00:00", updated_at, ip)


def test_admins_list_roles_and_no_secret(responder: httpx.Client) -> None:
    """GET admins lists every admin with its role name and never a password hash or 2FA secret."""
    body = responder.get(f"{BASE}/admins").json()
    assert body["total_count"] == len(body["items"]) == 3
    owner = body["items"][0]
    assert owner["role_name"] == "Administrators"
    assert owner["is_active"] is True
    assert "logdate" not in owner  # never logged in to the panel: omitted, not null
    text = str(body)
    assert "password" not in text
    assert "salt" not in text


def test_admin_sessions_newest_first_since_and_truncated(
    store: Sandbox, responder: httpx.Client
) -> None:
    """Newest first; since keeps rows updated at or after it; truncated flags the cap."""
    store.state.admin_sessions = {
        1: _session(1, "2026-11-22 09:00:00"),
        2: _session(2, "2026-11-22 10:00:00", ip=""),
        3: _session(3, "2026-11-22 11:00:00"),
    }
    body = responder.get(f"{BASE}/admin-sessions").json()
    assert [item["id"] for item in body["items"]] == [3, 2, 1]
    assert "ip" not in body["items"][1]
    assert body["truncated"] is False
    since = responder.get(f"{BASE}/admin-sessions", params={"since": "2026-11-22 10:00:00"})
    assert [item["id"] for item in since.json()["items"]] == [3, 2]

    store.state.admin_sessions = {
        n: _session(n, "2026-11-22 12:00:00") for n in range(1, MAX_ADMIN_SESSIONS + 2)
    }
    capped = responder.get(f"{BASE}/admin-sessions").json()
    assert (len(capped["items"]), capped["total_count"]) == (
        MAX_ADMIN_SESSIONS,
        MAX_ADMIN_SESSIONS + 1,
    )
    assert capped["truncated"] is True
    assert capped["items"][0]["id"] == MAX_ADMIN_SESSIONS + 1


@pytest.mark.parametrize("since", ["yesterday", "2026-02-30 00:00:00", "2026-11-22T10:00:00"])
def test_admin_sessions_reject_a_malformed_since(responder: httpx.Client, since: str) -> None:
    """A since that is not a real 'YYYY-MM-DD HH:MM:SS' time is Magento's invalid-value 400."""
    response = responder.get(f"{BASE}/admin-sessions", params={"since": since})
    assert response.status_code == 400
    assert response.json()["parameters"]["fieldName"] == "since"


def test_integrations_without_keys(responder: httpx.Client) -> None:
    """GET integrations lists every integration with its consumer's time and no key or token."""
    body = responder.get(f"{BASE}/integrations").json()
    assert [item["name"] for item in body["items"]] == ["ERP Connector", "Shipping Sync"]
    assert "consumer_created_at" in body["items"][0]
    assert not {"consumer_key", "consumer_secret", "access_token"} & set(body["items"][0])


def test_config_rows_scopes_locks_and_masking(store: Sandbox, responder: httpx.Client) -> None:
    """GET config returns matching rows at every scope, flags locked rows, masks encrypted ones."""
    state = store.state
    state.set_config("design/head/includes", "<script src=x></script>", "websites", 1)
    state.locked_config[("payment/checkmo/active", "default", 0)] = "1"
    state.set_config("payment/checkmo/active", "0")
    state.set_config("payment/vault/cc/active", "1")  # two segments where * takes one
    state.set_config("payment/fancy/title", "secret-looking")
    state.incident_response.encrypted_config_paths = frozenset({"payment/fancy/title"})
    response = responder.get(
        f"{BASE}/config",
        params={
            "paths[0]": "design/head/includes",
            "paths[1]": "payment/*/active",
            "paths[2]": "payment/fancy/title",
        },
    )
    rows = {(r["path"], r["scope"], r["scope_id"]): r for r in response.json()["items"]}
    assert ("design/head/includes", "websites", 1) in rows
    assert ("design/head/includes", "default", 0) in rows
    assert rows[("payment/checkmo/active", "default", 0)]["locked"] is True
    assert rows[("design/head/includes", "default", 0)]["locked"] is False
    assert ("payment/vault/cc/active", "default", 0) not in rows
    assert rows[("payment/fancy/title", "default", 0)]["value"] == "[encrypted]"


def test_config_refuses_paths_outside_the_allow_list(responder: httpx.Client) -> None:
    """A path outside the evidence allow-list is a 400 naming it; no path at all names paths."""
    response = responder.get(
        f"{BASE}/config", params={"paths[0]": "design/head/*", "paths[1]": "crypt/key"}
    )
    assert response.status_code == 400
    assert response.json()["parameters"] == {"path": "crypt/key"}
    missing = responder.get(f"{BASE}/config")
    assert missing.json()["parameters"] == {"fieldName": "paths"}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("design/head/includes", True),
        ("design/head/*", True),
        ("csp/mode/*", True),
        ("payment/*/active", True),
        ("sales_email/order/template", True),
        ("design/*", False),
        ("payment/braintree/private_key", False),
        ("design/he*/includes", False),
        ("design//includes", False),
    ],
)
def test_config_allow_list_matches_the_module(path: str, allowed: bool) -> None:
    """The sandbox decides allowed paths as the PHP module's ConfigPathPatterns (same cases)."""
    assert config_path_allowed(path) is allowed


def test_config_allow_list_is_the_contracts() -> None:
    """The sandbox's allow-list is the contract's x-magento-ir-config-allow-list."""
    operation = load_contract_document()["paths"][f"{ROUTE_PREFIX}config"]["get"]
    assert list(CONFIG_ALLOW_LIST) == operation["x-magento-ir-config-allow-list"]


def test_each_evidence_route_checks_its_acl(store: Sandbox) -> None:
    """A role without the read resources gets the 401 naming the route's own resource."""
    with client_for(store, store.admin_token("support")) as support:
        for route, resource in [
            ("admins", "admins_view"),
            ("admin-sessions", "admin_sessions_view"),
            ("integrations", "integrations_view"),
            ("config?paths[0]=csp/*", "config_view"),
        ]:
            response = support.get(f"{BASE}/{route}")
            assert response.status_code == 401
            assert response.json()["parameters"] == {
                "resources": f"MagentoIr_IncidentResponse::{resource}"
            }
