"""Admin and integration anomalies: snapshot diffs as a table, and snapshots of the sandbox."""

# ruff: noqa: E501, FBT003 - the table reads best one row a line

from __future__ import annotations

import asyncio
import copy
import dataclasses
from typing import TYPE_CHECKING, Any

import pytest

from magento_ir.detect.admin import Snapshot, diff, network_of, take_snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

    from magento_ir.testing import SandboxStore

BASE = Snapshot(
    taken_at="2026-12-06 05:00:00",
    admins={
        "1": {
            "username": "admin",
            "email": "owner@example.com",
            "is_active": True,
            "role_id": 1,
            "role_name": "Administrators",
            "lognum": 4,
            "logdate": "2026-12-05 10:00:00",
            "created": "2026-11-22 09:15:46",
        },
        "2": {
            "username": "support",
            "email": "support@example.com",
            "is_active": False,
            "role_id": 3,
            "role_name": "Support",
            "lognum": 0,
            "logdate": None,
            "created": "2026-11-22 09:15:46",
        },
    },
    networks={"1": ["198.51.100.0/24"]},
    integrations={
        "1": {
            "name": "ERP Connector",
            "email": None,
            "endpoint": None,
            "status": 1,
            "setup_type": 0,
            "created_at": "2026-11-22 09:15:46",
            "consumer_created_at": "2026-11-22 09:15:46",
        }
    },
    config={"design/head/includes@default:0": "aaaa", "payment/checkmo/active@default:0": "bbbb"},
)


def _changed(change: Callable[[dict[str, Any]], None], values: dict[str, str] | None = None):
    data = copy.deepcopy(BASE.to_json())
    change(data)
    snapshot = Snapshot.from_json(data)
    return dataclasses.replace(snapshot, config_values=values) if values else snapshot


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return change


NEW_ADMIN = {**BASE.admins["2"], "username": "sysadmin2", "email": "x@example.net"}
CASES = [
    ("nothing changed", lambda _data: None, []),
    ("new admin user", _set("admins.9", NEW_ADMIN), [("admin-new-user", "high", "9")]),
    ("role changed", _set("admins.2.role_name", "Administrators"), [("admin-role-changed", "high", "2")]),
    ("e-mail changed", _set("admins.1.email", "a@evil.example"), [("admin-email-changed", "medium", "1")]),
    ("reactivated", _set("admins.2.is_active", True), [("admin-reactivated", "medium", "2")]),
    ("signed in", _set("admins.1.lognum", 5), [("admin-login", "low", "1")]),
    ("new network", _set("networks.1", ["198.51.100.0/24", "203.0.113.0/24"]), [("admin-new-network", "medium", "1")]),
    ("first network of an admin", _set("networks.2", ["203.0.113.0/24"]), [("admin-new-network", "medium", "2")]),
    ("admin removed", lambda data: data["admins"].pop("2"), [("admin-removed", "low", "2")]),
    ("new integration", _set("integrations.5", {**BASE.integrations["1"], "name": "Sync"}), [("integration-new", "high", "5")]),
    ("integration keys re-created", _set("integrations.1.consumer_created_at", "2026-12-06 04:00:00"), [("integration-reauthorized", "high", "1")]),
    ("integration endpoint changed", _set("integrations.1.endpoint", "https://x.example.net"), [("integration-changed", "medium", "1")]),
    ("head includes changed", _set("config.design/head/includes@default:0", "cccc"), [("config-changed", "medium", "design/head/includes@default:0")]),
    ("store URL set", _set("config.web/secure/base_url@stores:1", "dddd"), [("config-changed", "high", "web/secure/base_url@stores:1")]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "change", "expected"), CASES, ids=[case[0] for case in CASES])
def test_snapshot_diff_table(
    name: str, change: Callable[[dict[str, Any]], None], expected: list[tuple[str, str, str]]
) -> None:
    """Each change between snapshots is exactly the finding its row names."""
    assert name
    found = diff(BASE, _changed(change))
    assert [(f.rule, f.severity, f.entity_id) for f in found] == expected


def test_first_snapshot_is_a_baseline() -> None:
    """Nothing fires on the first snapshot: there is nothing to compare it with."""
    assert diff(None, BASE) == []


def test_config_finding_shows_the_new_value_and_snapshot_keeps_only_digests() -> None:
    """The finding shows the new value (bounded); the snapshot's JSON holds digests only."""
    new = _changed(
        _set("config.design/head/includes@default:0", "cccc"),
        {"design/head/includes@default:0": '<script src="https://x.example.org/a.js"></script>'},
    )
    (finding,) = diff(BASE, new)
    assert "x.example.org" in finding.snippet
    assert "x.example.org" not in str(new.to_json())


@pytest.mark.parametrize(
    ("ip", "network"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:1234:5678::1", "2001:db8:1234::/48"),
        ("not an ip", None),
    ],
)
def test_network_of(ip: str, network: str | None) -> None:
    """Addresses group into /24 (IPv4) and /48 (IPv6) networks."""
    assert network_of(ip) == network


@pytest.mark.magento_sandbox(products=5, customers=5, orders=0, with_module=True)
def test_sandbox_snapshot_sees_a_stolen_admin_login(magento_sandbox: SandboxStore) -> None:
    """A REST admin token counts as a sign-in (Magento's User::login); the diff reports it."""

    async def run() -> list[tuple[str, str | None]]:
        async with magento_sandbox.async_client() as client:
            first = await take_snapshot(client, None, now="2026-12-06 05:00:00")
            await client.tokens.admin("catalog", magento_sandbox.admin_password)
            second = await take_snapshot(client, first, now="2026-12-06 05:05:00")
        return [(f.rule, f.identifier) for f in diff(first, second)]

    found = asyncio.run(run())
    assert ("admin-login", "catalog") in found
