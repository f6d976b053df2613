"""Admin and integration anomalies: the module's evidence reads diffed against the last snapshot.

`take_snapshot(client, previous)` reads `GET /V1/incident-response/admins`, `.../admin-sessions`
(only rows updated since the previous snapshot), `.../integrations` and `.../config` (risky
paths); `diff(previous, current)` is pure and turns what changed into `Finding`s:

| rule | severity | what changed |
|---|---|---|
| admin-new-user | high | an admin user that was not there |
| admin-role-changed | high | an admin's role (ACL rules themselves are not readable) |
| admin-email-changed | medium | an admin's e-mail (a password reset then goes to it) |
| admin-reactivated | medium | an inactive admin made active |
| admin-new-network | medium | an admin panel session from a network (IPv4 /24, IPv6 /48) new |
|   |   | for that admin |
| admin-login | low | sign-ins counted by Magento (`lognum`, also REST admin tokens; not the |
|   |   | watcher's own: it signs in too when it uses an admin login) |
| admin-removed | low | an admin user gone |
| integration-new | high | a new integration |
| integration-reauthorized | high | new OAuth consumer keys (`consumer_created_at`): new tokens |
| integration-changed | medium | endpoint, status, setup type, e-mail |
| config-changed | medium/high | a value on a risky config path (high: store URLs, admin URL, CSP) |

Config values are kept only as SHA-256 digests in the snapshot (they may hold secrets); a
finding shows the new value, bounded, from the current read.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from magento_ir.detect.scan import Finding

if TYPE_CHECKING:
    from magento_ir._async import AsyncMagentoClient
    from magento_ir.detect.rules import Severity

__all__ = ["RISKY_CONFIG_PATHS", "Snapshot", "diff", "take_snapshot"]

RISKY_CONFIG_PATHS = (
    "design/head/*",
    "design/footer/*",
    "design/header/*",
    "web/unsecure/*",
    "web/secure/*",
    "admin/url/*",
    "payment/*/active",
    "csp/*",
    "sales_email/*/template",
)
_HIGH_CONFIG = re.compile(r"^(web/(un)?secure/base_|admin/url/|csp/)")
_SNIPPET = 160
_SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the module's evidence reads said at `taken_at` (JSON-serialisable, no secrets)."""

    taken_at: str
    admins: dict[str, dict[str, Any]] = field(default_factory=dict)
    # user id -> networks its admin panel sessions came from (accumulated across snapshots).
    networks: dict[str, list[str]] = field(default_factory=dict)
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    # "path@scope:scope_id" -> SHA-256 of the value (16 hex digits)
    config: dict[str, str] = field(default_factory=dict)
    # The newest admin-session `updated_at` read: the next read asks only for later rows.
    session_cursor: str | None = None
    # Current values of changed config rows, for the findings (not persisted).
    config_values: dict[str, str] = field(default_factory=dict, compare=False)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _SNAPSHOT_VERSION,
            "taken_at": self.taken_at,
            "admins": self.admins,
            "networks": self.networks,
            "integrations": self.integrations,
            "config": self.config,
            "session_cursor": self.session_cursor,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        return cls(
            taken_at=str(data["taken_at"]),
            admins=dict(data.get("admins", {})),
            networks={key: list(value) for key, value in data.get("networks", {}).items()},
            integrations=dict(data.get("integrations", {})),
            config=dict(data.get("config", {})),
            session_cursor=data.get("session_cursor"),
        )


def network_of(ip: str) -> str | None:
    """The network an address belongs to for "new network" purposes: IPv4 /24, IPv6 /48."""
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return None
    prefix = 24 if address.version == 4 else 48  # noqa: PLR2004 - IP version numbers
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _digest(value: str | None) -> str:
    return hashlib.sha256((value if value is not None else "\x00null").encode()).hexdigest()[:16]


async def take_snapshot(
    client: AsyncMagentoClient, previous: Snapshot | None, *, now: str
) -> Snapshot:
    """Read the module's evidence routes into a new snapshot (`now`: Magento UTC time)."""
    admins = await client.incident_response.admins()
    sessions = await client.incident_response.admin_sessions(
        since=previous.session_cursor if previous else None
    )
    integrations = await client.incident_response.integrations()
    config = await client.incident_response.config(list(RISKY_CONFIG_PATHS))
    networks = {key: set(value) for key, value in (previous.networks if previous else {}).items()}
    cursor = previous.session_cursor if previous else None
    for session in sessions.items:
        network = network_of(session.ip) if session.ip else None
        if network is not None:
            networks.setdefault(str(session.user_id), set()).add(network)
        if cursor is None or session.updated_at > cursor:
            cursor = session.updated_at
    notes = (
        ("admin sessions were truncated at the module's limit: some networks may be missed",)
        if sessions.truncated
        else ()
    )
    values = {f"{row.path}@{row.scope}:{row.scope_id}": row.value or "" for row in config.items}
    return Snapshot(
        taken_at=now,
        admins={
            str(user.user_id): {
                "username": user.username,
                "email": user.email,
                "is_active": user.is_active,
                "role_id": user.role_id,
                "role_name": user.role_name,
                "lognum": user.lognum,
                "logdate": user.logdate,
                "created": user.created,
            }
            for user in admins.items
        },
        networks={key: sorted(value) for key, value in sorted(networks.items())},
        integrations={
            str(item.integration_id): {
                "name": item.name,
                "email": item.email,
                "endpoint": item.endpoint,
                "status": item.status,
                "setup_type": item.setup_type,
                "created_at": item.created_at,
                "consumer_created_at": item.consumer_created_at,
            }
            for item in integrations.items
        },
        config={
            f"{row.path}@{row.scope}:{row.scope_id}": _digest(row.value) for row in config.items
        },
        session_cursor=cursor,
        config_values=values,
        notes=notes,
    )


def _finding(  # noqa: PLR0917 - one finding's facts
    rule: str,
    title: str,
    severity: Severity,
    entity_type: str,
    entity_id: str,
    field_name: str,
    snippet: str,
    why: str,
    identifier: str | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        title=title,
        severity=severity,
        entity_type=entity_type,
        entity_id=entity_id,
        field=field_name,
        snippet=snippet[:_SNIPPET],
        why=why,
        source="builtin",
        identifier=identifier,
    )


def _admin_findings(old: Snapshot, new: Snapshot, own: str | None) -> list[Finding]:
    found: list[Finding] = []
    for user_id, user in new.admins.items():
        name = str(user["username"])
        before = old.admins.get(user_id)
        if before is None:
            found.append(
                _finding(
                    "admin-new-user",
                    "New admin user",
                    "high",
                    "admin_user",
                    user_id,
                    "user",
                    f"{name} <{user['email']}> role {user['role_name']!r}, created "
                    f"{user['created']}, active {user['is_active']}",
                    "an admin account nobody announced is how attackers keep access",
                    name,
                )
            )
            continue
        if (before["role_id"], before["role_name"]) != (user["role_id"], user["role_name"]):
            found.append(
                _finding(
                    "admin-role-changed",
                    "Admin role changed",
                    "high",
                    "admin_user",
                    user_id,
                    "role",
                    f"{before['role_name']!r} -> {user['role_name']!r}",
                    "a role change can grant an account everything in the admin",
                    name,
                )
            )
        if before["email"] != user["email"]:
            found.append(
                _finding(
                    "admin-email-changed",
                    "Admin e-mail changed",
                    "medium",
                    "admin_user",
                    user_id,
                    "email",
                    f"{before['email']} -> {user['email']}",
                    "a password reset for this admin now goes to the new address",
                    name,
                )
            )
        if not before["is_active"] and user["is_active"]:
            found.append(
                _finding(
                    "admin-reactivated",
                    "Inactive admin made active",
                    "medium",
                    "admin_user",
                    user_id,
                    "is_active",
                    "is_active false -> true",
                    "dormant accounts are re-enabled to sign in with old credentials",
                    name,
                )
            )
        if int(user["lognum"]) > int(before["lognum"]) and name != own:
            count = int(user["lognum"]) - int(before["lognum"])
            found.append(
                _finding(
                    "admin-login",
                    "Admin signed in",
                    "low",
                    "admin_user",
                    user_id,
                    "lognum",
                    f"{count} sign-in(s), last at {user['logdate']} (panel or REST token)",
                    "every admin sign-in is worth a look after a breach elsewhere",
                    name,
                )
            )
        new_networks = set(new.networks.get(user_id, ())) - set(old.networks.get(user_id, ()))
        found.extend(
            _finding(
                "admin-new-network",
                "Admin session from a new network",
                "medium",
                "admin_user",
                user_id,
                "session.ip",
                network,
                f"{name} had no admin session from {network} before: a stolen password "
                "is used from the attacker's network",
                name,
            )
            for network in sorted(new_networks)
        )
    for user_id, user in old.admins.items():
        if user_id not in new.admins:
            found.append(
                _finding(
                    "admin-removed",
                    "Admin user removed",
                    "low",
                    "admin_user",
                    user_id,
                    "user",
                    str(user["username"]),
                    "a deleted admin takes its history with it",
                    str(user["username"]),
                )
            )
    return found


def _integration_findings(old: Snapshot, new: Snapshot) -> list[Finding]:
    found: list[Finding] = []
    for key, item in new.integrations.items():
        name = str(item["name"])
        before = old.integrations.get(key)
        if before is None:
            found.append(
                _finding(
                    "integration-new",
                    "New integration",
                    "high",
                    "integration",
                    key,
                    "integration",
                    f"{name} endpoint {item['endpoint']!r} status {item['status']}",
                    "an integration holds API tokens that survive admin password changes",
                    name,
                )
            )
            continue
        if before["consumer_created_at"] != item["consumer_created_at"]:
            found.append(
                _finding(
                    "integration-reauthorized",
                    "Integration keys re-created",
                    "high",
                    "integration",
                    key,
                    "consumer_created_at",
                    f"{before['consumer_created_at']} -> {item['consumer_created_at']}",
                    "new consumer keys mean new access tokens someone now holds",
                    name,
                )
            )
        changed = [
            name_
            for name_ in ("endpoint", "status", "setup_type", "email")
            if before[name_] != item[name_]
        ]
        if changed:
            found.append(
                _finding(
                    "integration-changed",
                    "Integration changed",
                    "medium",
                    "integration",
                    key,
                    ",".join(changed),
                    "; ".join(f"{n}: {before[n]!r} -> {item[n]!r}" for n in changed),
                    "an integration's endpoint receives data; its status decides its access",
                    name,
                )
            )
    return found


def _config_findings(old: Snapshot, new: Snapshot) -> list[Finding]:
    found: list[Finding] = []
    for key, digest in sorted(new.config.items()):
        if old.config.get(key) == digest:
            continue
        path = key.split("@", 1)[0]
        value = new.config_values.get(key, "")
        found.append(
            _finding(
                "config-changed",
                "Risky configuration changed" if key in old.config else "Risky configuration set",
                "high" if _HIGH_CONFIG.match(path) else "medium",
                "config",
                key,
                "value",
                " ".join(value.split()),
                f"{path} decides what the storefront loads or who may reach the admin",
            )
        )
    return found


def diff(
    previous: Snapshot | None, current: Snapshot, *, own_username: str | None = None
) -> list[Finding]:
    """What changed between two snapshots (pure); nothing on the first (baseline) snapshot.

    `own_username`: the admin the watcher signs in as; its own sign-ins are not reported.
    """
    if previous is None:
        return []
    return [
        *_admin_findings(previous, current, own_username),
        *_integration_findings(previous, current),
        *_config_findings(previous, current),
    ]
